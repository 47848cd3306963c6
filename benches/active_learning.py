#!/usr/bin/env python3
"""Does the suggest -> label -> retrain loop pay? A simulation on public data.

A simulated annotator answers every suggested statement with the gold label
of the item it comes from: AG News test (topics; the 4 classes) and
SemEval-2016 task 6 train (the target as the topic, the stance under it).
Per seed, the rows are shuffled; a held-out part is kept for evaluation and
the rest is the pool of articles (one article per row). The loop starts from
INIT random labelled rows (whole rows; the same for every strategy of a seed)
and adds rounds of ROUND statements picked by `stance suggest --strategy S`
(margin, entropy, random) with `--per-article 1 --exclude <labelled so far>`,
up to MAX labels. Each round trains with a fixed `--c` (no cross-validation,
to keep it fast) and evaluates on the held-out part with `stance evaluate`.

Statements are sentences: suggest splits every article, and the annotator
gives a sentence its article's label. The random arm is `suggest --strategy
random` (the same units, and its batch shares half of itself out between
the predicted topics as every strategy does).

Only the standard library; drives the release binary. Writes results.json
and curves.svg into --work (outside the repo), and prints the Markdown table.

    nice python3 benches/active_learning.py --stance target/release/stance \
        --data ../shared/data --work /tmp/al --seeds 5
    python3 benches/active_learning.py --test   # tiny: 1 seed, 2 rounds, small pool
"""

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time

STRATEGIES = ["margin", "entropy", "random"]
COLOURS = {"margin": "#1f77b4", "entropy": "#2ca02c", "random": "#d62728"}


def load_ag(data):
    rows = []
    with open(os.path.join(data, "ag_news", "test.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append((r["title"] + ". " + r["description"], r["label"], None))
    return rows


def load_semeval(data):
    rows = []
    path = os.path.join(data, "semeval2016_task6", "train.csv")
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append((r["text"].replace("#SemST", "").strip(), r["target"], r["stance"]))
    return rows


DATASETS = {
    # name: (loader, held-out rows, metric key in evaluate --json, label)
    "ag_news": (load_ag, 1600, "topic", "AG News test: topic"),
    "semeval": (load_semeval, 600, "stance", "SemEval-2016 train: stance"),
}


def write_labelled(path, rows, with_stance):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "topic"] + (["stance"] if with_stance else []))
        for r in rows:
            w.writerow([r[0], r[1], r[2]] + ([r[3]] if with_stance else []))


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    return p.stdout


def simulate(args, name, seed, work):
    loader, held, key, _ = DATASETS[name]
    rows = loader(args.data)
    with_stance = rows[0][2] is not None
    rng = random.Random(seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    if args.test:
        held = 100
        order = order[: held + 400]
    held_out, pool = order[:held], order[held:]
    d = os.path.join(work, f"{name}-{seed}")
    os.makedirs(d, exist_ok=True)
    heldout_csv = os.path.join(d, "heldout.csv")
    write_labelled(heldout_csv, [(f"h{i}", rows[i][0], rows[i][1], rows[i][2]) for i in held_out], with_stance)
    articles = os.path.join(d, "pool.jsonl")
    with open(articles, "w", encoding="utf-8") as f:
        for i in pool:
            f.write(json.dumps({"id": f"r{i}", "text": rows[i][0]}) + "\n")
    init = [(f"r{i}", rows[i][0], rows[i][1], rows[i][2]) for i in rng.sample(pool, args.init)]
    curves = {}
    for strategy in STRATEGIES:
        labelled = list(init)
        points = []
        for rnd in range(10**6):
            lab_csv = os.path.join(d, f"{strategy}-labelled.csv")
            model = os.path.join(d, f"{strategy}.model")
            write_labelled(lab_csv, labelled, with_stance)
            run([args.stance, "train", "--data", lab_csv, "--out", model, "--c", str(args.c)])
            ev = json.loads(run([args.stance, "evaluate", "--model", model, "--data", heldout_csv, "--json"]))
            m = ev[key]
            points.append((len(labelled), m["accuracy"], m["macro_f1"]))
            if len(labelled) >= args.max:
                break
            batch = os.path.join(d, f"{strategy}-batch.csv")
            run([args.stance, "suggest", articles, "--model", model, "--n", str(args.round),
                 "--per-article", "1", "--exclude", lab_csv, "--strategy", strategy,
                 "--seed", str(seed * 1000 + rnd), "--out", batch])
            with open(batch, newline="", encoding="utf-8") as f:
                got = list(csv.DictReader(f))
            if not got:
                break
            for r in got:
                i = int(r["article_id"][1:])
                # Note: the simulated annotator: the gold label of the statement's row.
                labelled.append((r["id"], r["text"], rows[i][1], rows[i][2]))
        curves[strategy] = points
    return curves


def summarise(results):
    """{dataset: {strategy: [(n, acc mean, acc sd, f1 mean, f1 sd, acc min, acc max)]}}"""
    out = {}
    for name, seeds in results.items():
        out[name] = {}
        for s in STRATEGIES:
            per_n = {}
            for curves in seeds.values():
                for n, acc, f1 in curves[s]:
                    per_n.setdefault(n, []).append((acc, f1))
            line = []
            for n in sorted(per_n):
                accs = [a for a, _ in per_n[n]]
                f1s = [f for _, f in per_n[n]]
                sd = lambda v: statistics.stdev(v) if len(v) > 1 else 0.0
                line.append((n, statistics.mean(accs), sd(accs), statistics.mean(f1s), sd(f1s),
                             min(accs), max(accs), len(accs)))
            out[name][s] = line
    return out


def labels_to_reach(line, target):
    for p in line:
        if p[1] >= target:
            return p[0]
    return None


def svg(summary, path):
    """Mean accuracy and macro-F1 per labels, a band of ±1 sd, one panel each."""
    panels = [(name, col, lab) for name in summary for col, lab in ((1, "accuracy"), (3, "macro-F1"))]
    pw, ph, ml, mt, mb = 330, 230, 50, 30, 40
    width, height = 2 * (pw + ml) + 20, len(summary) * (ph + mt + mb) + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">', f'<rect width="{width}" height="{height}" fill="white"/>']
    for k, (name, col, lab) in enumerate(panels):
        x0 = ml + (k % 2) * (pw + ml + 10)
        y0 = mt + (k // 2) * (ph + mt + mb)
        lines = summary[name]
        ns = [p[0] for s in lines for p in lines[s]]
        vals = [p[col] + d * p[col + 1] for s in lines for p in lines[s] for d in (-1, 1)]
        xmin, xmax = min(ns), max(ns)
        ymin, ymax = min(vals), max(vals)
        pad = (ymax - ymin) * 0.05 or 0.01
        ymin, ymax = ymin - pad, ymax + pad
        sx = lambda n: x0 + (n - xmin) / max(1, xmax - xmin) * pw
        sy = lambda v: y0 + ph - (v - ymin) / (ymax - ymin) * ph
        title = DATASETS[name][3] + " " + lab
        out.append(f'<text x="{x0}" y="{y0 - 10}" font-weight="bold">{title}</text>')
        out.append(f'<rect x="{x0}" y="{y0}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>')
        for i in range(5):
            v = ymin + (ymax - ymin) * i / 4
            out.append(f'<text x="{x0 - 5}" y="{sy(v) + 4:.1f}" text-anchor="end">{v:.3f}</text>')
            out.append(f'<line x1="{x0}" x2="{x0 + pw}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="#eee"/>')
        step = 300 if xmax - xmin > 600 else 100
        for n in range(0, xmax + 1, step):
            if n >= xmin:
                out.append(f'<text x="{sx(n):.1f}" y="{y0 + ph + 14}" text-anchor="middle">{n}</text>')
        out.append(f'<text x="{x0 + pw / 2}" y="{y0 + ph + 28}" text-anchor="middle">labels</text>')
        for j, s in enumerate(STRATEGIES):
            pts = lines[s]
            up = [f"{sx(p[0]):.1f},{sy(p[col] + p[col + 1]):.1f}" for p in pts]
            down = [f"{sx(p[0]):.1f},{sy(p[col] - p[col + 1]):.1f}" for p in reversed(pts)]
            out.append(f'<polygon points="{" ".join(up + down)}" fill="{COLOURS[s]}" fill-opacity="0.15" stroke="none"/>')
            mean = " ".join(f"{sx(p[0]):.1f},{sy(p[col]):.1f}" for p in pts)
            out.append(f'<polyline points="{mean}" fill="none" stroke="{COLOURS[s]}" stroke-width="1.8"/>')
            out.append(f'<text x="{x0 + pw - 60}" y="{y0 + ph - 50 + 14 * j}" fill="{COLOURS[s]}">{s}</text>')
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def table(summary, args):
    lines = []
    for name in summary:
        lines.append(f"\n**{DATASETS[name][3]}** (held-out {100 if args.test else DATASETS[name][1]} rows; "
                     f"mean ± sd over {args.seeds} seeds)\n")
        lines.append("| labels | " + " | ".join(f"{s} acc | {s} macro-F1" for s in STRATEGIES) + " |")
        lines.append("|---:|" + "---:|" * (2 * len(STRATEGIES)))
        by_n = {}
        for s in STRATEGIES:
            for p in summary[name][s]:
                by_n.setdefault(p[0], {})[s] = p
        for n in sorted(by_n):
            cells = []
            for s in STRATEGIES:
                p = by_n[n].get(s)
                cells += [f"{p[1]:.4f} ± {p[2]:.4f}", f"{p[3]:.4f} ± {p[4]:.4f}"] if p else ["", ""]
            lines.append(f"| {n} | " + " | ".join(cells) + " |")
        rand = summary[name]["random"][-1]
        for s in ("margin", "entropy"):
            reach = labels_to_reach(summary[name][s], rand[1])
            lines.append(f"\n{s}: reaches random's {rand[0]}-label mean accuracy ({rand[1]:.4f}) with "
                         f"{reach if reach is not None else 'more than ' + str(summary[name][s][-1][0])} labels")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--stance", default=os.path.join(here, "..", "target", "release", "stance"))
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    ap.add_argument("--work", default="/tmp/stance-active-learning")
    ap.add_argument("--datasets", default="ag_news,semeval")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--init", type=int, default=100)
    ap.add_argument("--round", type=int, default=100)
    ap.add_argument("--max", type=int, default=1500)
    ap.add_argument("--c", type=float, default=1.0)
    ap.add_argument("--test", action="store_true", help="tiny run: 1 seed, 2 rounds of 50, a 400-row pool")
    args = ap.parse_args()
    if args.test:
        args.seeds, args.init, args.round, args.max = 1, 50, 50, 150
    os.makedirs(args.work, exist_ok=True)
    start = time.time()
    results = {}
    for name in args.datasets.split(","):
        results[name] = {}
        for seed in range(args.seeds):
            results[name][seed] = simulate(args, name, seed, args.work)
            print(f"{name} seed {seed} done ({time.time() - start:.0f} s)", file=sys.stderr)
    summary = summarise(results)
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump({"args": vars(args), "results": results, "summary": summary}, f)
    svg(summary, os.path.join(args.work, "curves.svg"))
    print(table(summary, args))
    print(f"\n{time.time() - start:.0f} s wall; load {os.getloadavg()}", file=sys.stderr)


if __name__ == "__main__":
    main()
