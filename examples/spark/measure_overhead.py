#!/usr/bin/env python3
"""Time score_corpus.py in Spark local mode against one `stance score` process.

From the repository root, with a Python that has pyspark (for example the
venv that .ci/run makes, ~/.cache/stance-spark/venv/bin/python):

    cargo build --release
    python examples/spark/measure_overhead.py --stance-bin target/release/stance

It writes the sample articles repeated to --sizes articles (unique ids), then
times, --runs times each and reports the medians of:

- one process:  stance score IN --out statements.jsonl --report report.json --quiet
- Spark:        spark-submit --master local[2] score_corpus.py --input IN --partitions P --mode MODE
                (statements Parquet, rejects and per-topic statistics)

for every size at 2 partitions, and for the first size at every --partitions
count: wall time, and CPU time of the whole process tree (what a cluster pays
for; it also varies less on a shared machine). A least-squares line
time = a + b * partitions over the latter gives b, the cost of one more
partition (one more task and one more binary start), and a, the fixed cost
(JVM and Spark start included). Prints Markdown tables.
"""

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import pyspark

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def write_articles(path, count):
    """The 24 sample articles repeated to COUNT articles with unique ids, as JSON lines; returns MB."""
    with open(os.path.join(REPO, "data/articles/articles.csv"), newline="", encoding="utf-8") as f:
        sample = list(csv.DictReader(f))
    with open(path, "w", encoding="utf-8") as out:
        for i in range(count):
            article = dict(sample[i % len(sample)])
            article["id"] = f"{article['id']}-r{i // len(sample):05d}"
            out.write(json.dumps(article) + "\n")
    return os.path.getsize(path) / 1e6


def timed(command, env=None):
    """Wall seconds and CPU seconds (user + system, with every child process) of COMMAND.

    Its output goes to a log, shown if it fails. CPU time is what a cluster
    pays for, and it varies less than wall time on a machine shared with
    other work.
    """
    with tempfile.TemporaryFile() as log:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if code not in (0, 2):
            log.seek(0)
            sys.exit(f"{' '.join(command)} exited with {code}:\n{log.read().decode()[-4000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def median_of(runs, command_for_run, env=None):
    """Median wall and median CPU seconds of RUNS runs."""
    walls, cpus = [], []
    for run in range(runs):
        command = command_for_run(run)
        wall, cpu = timed(command, env)
        walls.append(wall)
        cpus.append(cpu)
        print(f"    {os.path.basename(command[0])} run {run + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU",
              file=sys.stderr)
    return statistics.median(walls), statistics.median(cpus)


def fit_line(points):
    """Least squares y = a + b*x over (x, y) points: (a, b)."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mean_x, mean_y = statistics.mean(xs), statistics.mean(ys)
    b = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x in xs)
    return mean_y - b * mean_x, b


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--stance-bin", default=os.path.join(REPO, "target/release/stance"))
    p.add_argument("--model", default=os.path.join(REPO, "models/default.model"))
    p.add_argument("--sizes", default="3000,30000", help="article counts (comma-separated)")
    p.add_argument("--partitions", default="2,8,32,128", help="partition counts for the first size")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--master", default="local[2]")
    p.add_argument("--workdir", help="default: a temporary folder, removed afterwards")
    p.add_argument("--mode", choices=["pipe", "arrow"], default="pipe",
                   help="score_corpus.py's mode (arrow: the Python package must be installed in this Python)")
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    partition_counts = [int(s) for s in args.partitions.split(",")]

    spark_submit = os.path.join(os.path.dirname(pyspark.__file__), "bin", "spark-submit")
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable,
               SPARK_LOCAL_IP="127.0.0.1")
    work = args.workdir or tempfile.mkdtemp(prefix="stance-spark-measure-")
    os.makedirs(work, exist_ok=True)

    def single(path):
        return lambda run: [args.stance_bin, "score", path, "--model", args.model,
                            "--out", os.path.join(work, f"single-{run}.jsonl"),
                            "--report", os.path.join(work, f"single-{run}.json"), "--quiet"]

    def spark(path, partitions):
        def command(run):
            out = os.path.join(work, f"spark-{run}")
            shutil.rmtree(out, ignore_errors=True)
            return [spark_submit, "--master", args.master,
                    "--conf", "spark.ui.enabled=false", "--conf", "spark.ui.showConsoleProgress=false",
                    os.path.join(HERE, "score_corpus.py"), "--input", path, "--output", out,
                    "--overwrite", "--model", args.model, "--stance-bin", args.stance_bin,
                    "--partitions", str(partitions), "--mode", args.mode]
        return command

    try:
        inputs = {}
        for n in sizes:
            path = os.path.join(work, f"articles-{n}.jsonl")
            inputs[n] = (path, write_articles(path, n))

        print(f"pyspark {pyspark.__version__}, --mode {args.mode}, master {args.master}, {os.cpu_count()} cores, "
              f"medians of {args.runs} runs; load average at start {os.getloadavg()[0]:.2f}\n")
        print("| articles | MB | one process s (CPU s) | Spark, 2 partitions, s (CPU s) | Spark / one process, wall (CPU) |")
        print("|---|---|---|---|---|")
        by_size = {}
        for n in sizes:
            path, mb = inputs[n]
            print(f"  {n} articles", file=sys.stderr)
            one = median_of(args.runs, single(path))
            two = median_of(args.runs, spark(path, 2), env)
            by_size[n] = (one, two)
            print(f"| {n:,} | {mb:.1f} | {one[0]:.2f} ({one[1]:.2f}) | {two[0]:.2f} ({two[1]:.2f}) "
                  f"| {two[0] / one[0]:.1f}x ({two[1] / one[1]:.1f}x) |", flush=True)
        if len(sizes) >= 2:
            # What more articles cost once the fixed costs are paid: the slope
            # between the smallest and the largest input.
            (one0, two0), (one1, two1) = by_size[sizes[0]], by_size[sizes[-1]]
            per = 1000 / (sizes[-1] - sizes[0])
            print(f"\nper 1,000 more articles: one process {(one1[0] - one0[0]) * per:.3f} s "
                  f"({(one1[1] - one0[1]) * per:.3f} CPU s), Spark {(two1[0] - two0[0]) * per:.3f} s "
                  f"({(two1[1] - two0[1]) * per:.3f} CPU s)")

        path, mb = inputs[sizes[0]]
        sweep = {2: by_size[sizes[0]][1]}
        for partitions in partition_counts:
            if partitions not in sweep:
                print(f"  {partitions} partitions", file=sys.stderr)
                sweep[partitions] = median_of(args.runs, spark(path, partitions), env)
        if len(sweep) < 2:
            return
        xs = sorted(sweep)
        a_wall, b_wall = fit_line([(x, sweep[x][0]) for x in xs])
        a_cpu, b_cpu = fit_line([(x, sweep[x][1]) for x in xs])
        print(f"\n{sizes[0]:,} articles ({mb:.1f} MB), Spark by partition count:\n")
        print("| partitions | wall s | fit | CPU s | fit |")
        print("|---|---|---|---|---|")
        for x in xs:
            print(f"| {x} | {sweep[x][0]:.2f} | {a_wall + b_wall * x:.2f} "
                  f"| {sweep[x][1]:.2f} | {a_cpu + b_cpu * x:.2f} |")
        print(f"\nleast squares, time = a + b * partitions: wall a = {a_wall:.2f} s, "
              f"b = {b_wall * 1000:.0f} ms per partition; CPU a = {a_cpu:.2f} s, "
              f"b = {b_cpu * 1000:.0f} ms per partition")
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
