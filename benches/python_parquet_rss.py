#!/usr/bin/env python3
"""Peak memory of `stance score big.parquet --out x.parquet` at two input sizes (#16).

    ~/.cache/stance-python/venv/bin/python benches/python_parquet_rss.py [--mb 100 400]
        [--bin target/release/stance] [--model models/default.model]

Writes Parquet articles (the 20 Newsgroups test texts, ../shared/data, as
id/text rows, repeated with fresh ids to each size), then runs `stance score
FILE.parquet --out scored.parquet --articles-out articles.parquet --quiet` as
a child process and reads its peak RSS from wait4's rusage (ru_maxrss). The
output is streamed in row groups, so the peak should stay flat: about the
same at both sizes (the figure to report is the ratio, and the RSS per size).

Checked on every run: the output's statement rows and article rows (read
back by pyarrow) match the article count, so the figure is of a real run.
Do NOT read the figures on a loaded machine; `--mb 2 4` checks the script.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import pyarrow as pa
import pyarrow.compute  # noqa: F401 (pa.compute)
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
DATA = os.path.normpath(os.path.join(REPO, "..", "shared", "data", "20newsgroups"))
if not os.path.isdir(DATA):
    DATA = "/work/shared/data/20newsgroups"


def write_articles(path, texts, mb):
    """Parquet articles (id, text) of about `mb` MB of text, written in row groups."""
    rows = 0
    size = 0
    with pq.ParquetWriter(path, pa.schema([("id", pa.string()), ("text", pa.string())])) as w:
        while size < mb * 1e6:
            ids, chunk = [], []
            for t in texts:
                ids.append(f"a{rows}")
                chunk.append(t)
                rows += 1
                size += len(t.encode())
                if size >= mb * 1e6:
                    break
            w.write_table(pa.table({"id": ids, "text": chunk}), row_group_size=10_000)
    return rows


def peak_rss(cmd):
    """Wall seconds and peak RSS (MiB) of one child process."""
    probe = ("import resource,subprocess,sys,time;t=time.perf_counter();"
             "rc=subprocess.run(sys.argv[1:]).returncode;w=time.perf_counter()-t;"
             "print(rc,w,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True)
    rc, wall, kib = out.stdout.split()
    if int(rc) not in (0, 2):
        sys.exit(f"{' '.join(cmd)} exited with {rc}:\n{out.stderr[-3000:]}")
    return float(wall), int(kib) / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, nargs=2, default=[100.0, 400.0], metavar=("SMALL", "BIG"))
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "stance"))
    ap.add_argument("--model", default=os.path.join(REPO, "models", "default.model"))
    args = ap.parse_args()
    import pandas as pd

    texts = [str(t) for t in pd.read_csv(os.path.join(DATA, "test.csv"))["text"] if str(t).strip()]
    print("| input | articles | peak RSS (MiB) | wall s |\n|---|---:|---:|---:|")
    peaks = []
    with tempfile.TemporaryDirectory() as work:
        for mb in args.mb:
            src = os.path.join(work, f"in-{mb:g}.parquet")
            n = write_articles(src, texts, mb)
            out, arts = os.path.join(work, "scored.parquet"), os.path.join(work, "articles.parquet")
            wall, rss = peak_rss([args.bin, "score", "--model", args.model, src, "--out", out,
                                  "--articles-out", arts, "--quiet"])
            got = pq.read_metadata(arts).num_rows
            assert got == n, f"{got} article rows for {n} articles"
            ids = pq.read_table(out, columns=["article_id"]).column("article_id")
            assert pa.compute.count_distinct(ids).as_py() == n, "an article without statements"
            size = os.path.getsize(src) / 1e6
            print(f"| {mb:g} MB of text ({size:.0f} MB Parquet) | {n} | {rss:.0f} | {wall:.1f} |")
            peaks.append(rss)
            os.remove(src)
    print(f"\npeak RSS {args.mb[1]:g} MB / {args.mb[0]:g} MB = {peaks[1] / peaks[0]:.2f} (flat: close to 1)")


if __name__ == "__main__":
    main()
