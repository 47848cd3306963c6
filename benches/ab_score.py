#!/usr/bin/env python3
"""Paired, alternating timing of two `stance` binaries on score_compare's job.

    python3 benches/ab_score.py --old OLD_BIN --new NEW_BIN [--mb 100] [--pairs 9] [--json FILE]

`../shared/bench/score_compare` times one binary against its peers, training
the model each time; on a shared machine two such runs minutes apart measure
the machine as much as the binaries. This keeps score_compare's input (20
Newsgroups test paragraphs repeated to --mb MB, one per CSV row) and model
(20 Newsgroups train, word 1-2 grams, min_df 2, sublinear tf, C = 10; trained
once, by the old binary), then runs `stance score` with the two binaries in
turn, alternating which goes first in each pair, and reports per-run wall,
user and system time and peak RSS (from wait4), the medians, and the median
of the per-pair wall ratios new/old. The two outputs are compared byte for
byte. The load average is printed before and after.
"""
import argparse
import filecmp
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.machinery import SourceFileLoader

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "bench"))


def load(name):
    loader = SourceFileLoader(name, os.path.join(BENCH, name))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    loader.exec_module(module)
    return module


def timed(cmd):
    """Wall, user and system seconds and peak RSS (MB) of one command."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(cmd)}\n{err[-2000:]}")
    return dict(wall=wall, user=ru.ru_utime, sys=ru.ru_stime, rss=ru.ru_maxrss / 1024)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--pairs", type=int, default=9)
    ap.add_argument("--json")
    a = ap.parse_args()
    bins = {"old": os.path.abspath(a.old), "new": os.path.abspath(a.new)}
    sc = load("score_compare")
    load_before = os.getloadavg()
    runs = {"old": [], "new": []}
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "in.csv")
        size, rows = sc.make_input(data, a.mb)
        model = os.path.join(tmp, "m.model")
        train = os.path.join(sc.DATA, sc.compare.DATASETS["20news"]["train"])
        timed([bins["old"], "train", "--data", train, "--out", model, "--topic-col", "label",
               "--ngram-max", "2", "--min-df", "2", "--sublinear-tf", "--c", str(sc.C)])
        outs = {k: os.path.join(tmp, f"out-{k}.csv") for k in bins}
        for i in range(a.pairs):
            order = ["old", "new"] if i % 2 == 0 else ["new", "old"]
            pair = {}
            for k in order:
                r = timed([bins[k], "score", "--model", model, data, "--id-col", "id",
                           "--text-col", "text", "--out", outs[k], "--quiet"])
                runs[k].append(r)
                pair[k] = r["wall"]
                print(f"pair {i + 1} {k}: wall {r['wall']:.2f} s, user {r['user']:.2f} s, "
                      f"sys {r['sys']:.2f} s, peak RSS {r['rss']:.0f} MB", flush=True)
            ratios.append(pair["new"] / pair["old"])
        same = filecmp.cmp(outs["old"], outs["new"], shallow=False)
    load_after = os.getloadavg()
    med = {k: {m: statistics.median(r[m] for r in v) for m in ("wall", "user", "sys", "rss")}
           for k, v in runs.items()}
    res = dict(mb=a.mb, input_bytes=size, rows=rows, pairs=a.pairs, medians=med,
               wall_ratio_median=statistics.median(ratios), wall_ratios=ratios,
               outputs_identical=same, load_before=load_before, load_after=load_after)
    for k in ("old", "new"):
        m = med[k]
        print(f"{k}: median wall {m['wall']:.2f} s ({size / 1e6 / m['wall']:.1f} MB/s), "
              f"user {m['user']:.2f} s, sys {m['sys']:.2f} s, peak RSS {m['rss']:.0f} MB")
    print(f"new/old wall: median of {a.pairs} pairs {res['wall_ratio_median']:.3f} "
          f"(range {min(ratios):.3f}-{max(ratios):.3f}); outputs identical: {same}")
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
