#!/usr/bin/env python3
"""Statements/s of `stance score` against scikit-learn and fastText on the same sentences.

    python3 benches/score_same_sentences.py [--bin target/release/stance] [--mb 100]
                                            [--corpus 20news|articles] [--json FILE]

Issue #4 asks for "at least 10x the statements/s of scikit-learn's
TfidfVectorizer + LogisticRegression predict and at least 2x fastText's predict
on the same sentences". `../shared/bench/score_compare` measures MB/s with the
peers predicting whole paragraphs (one prediction per CSV row) while stance
splits each paragraph into statements and predicts each. This script keeps
score_compare's input, models and peer code, and adds the comparison on the
same sentences:

1. score_compare's input (20 Newsgroups test paragraphs repeated to --mb MB)
   and its three models (20 Newsgroups train, word 1-2 grams, min_df 2,
   sublinear tf, C = 10), built by score_compare's own functions; or, with
   `--corpus articles`, this repo's data/articles/articles.csv repeated to
   --mb MB (fresh ids) and models trained the same way on data/train.csv
   (topic only, as score_compare's peers predict topic only);
2. `stance score` on the paragraphs, as score_compare runs it (the real job:
   splitting included), then on the statements it produced, one per row;
3. scikit-learn and fastText (score_compare's child script) on those same
   statements, one prediction per statement.

Every figure is one whole process (read CSV, predict, write CSV), timed by
score_compare's `measured`, all in one run. Statements/s = statements / wall.
"""
import argparse
import csv
import importlib.util
import json
import os
import sys
import tempfile
from importlib.machinery import SourceFileLoader

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
BENCH = os.path.normpath(os.path.join(REPO, "..", "shared", "bench"))


def load_script(name):
    """score_compare is a script without a .py suffix; load it as a module."""
    loader = SourceFileLoader(name, os.path.join(BENCH, name))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    loader.exec_module(module)
    return module


def write_statements(scored, path):
    """The statements stance scored, one per row (id = article:sentence), and their count."""
    n = 0
    with open(scored, encoding="utf-8", newline="") as f, \
            open(path, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(["id", "text"])
        for row in csv.DictReader(f):
            w.writerow([f"{row['article_id']}:{row['sentence']}", row["text"]])
            n += 1
    return n


def repeat_articles(path, mb):
    """data/articles/articles.csv repeated (id, text; fresh ids) until the text holds `mb` MB."""
    with open(os.path.join(REPO, "data", "articles", "articles.csv"), encoding="utf-8", newline="") as f:
        texts = [r["text"] for r in csv.DictReader(f)]
    target, size, n = mb * 1_000_000, 0, 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        while size < target:
            for t in texts:
                w.writerow([f"a{n}", t])
                size += len(t.encode("utf-8"))
                n += 1
                if size >= target:
                    break
    return size, n


def count_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/stance")
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--corpus", choices=["20news", "articles"], default="20news")
    ap.add_argument("--peers", default="sklearn,fasttext")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)
    if not os.path.exists(args.bin):
        sys.exit(f"no binary at {args.bin}: build with `cargo build --release` first")
    sc = load_script("score_compare")
    compare = sc.compare
    py = compare.peer_python()
    ds = compare.DATASETS["20news"]
    if args.corpus == "20news":
        train, topic_col = os.path.join(compare.DATA, ds["train"]), "label"
    else:
        train, topic_col = os.path.join(REPO, "data", "train.csv"), "topic"
    res = {"mb": args.mb, "corpus": args.corpus, "systems": {}, "ratios": {}}
    with tempfile.TemporaryDirectory() as tmp:
        paragraphs = os.path.join(tmp, "paragraphs.csv")
        if args.corpus == "20news":
            size, n_paragraphs = sc.make_input(paragraphs, args.mb)
        else:
            size, n_paragraphs = repeat_articles(paragraphs, args.mb)
        model = os.path.join(tmp, "stance.model")
        compare.measured([args.bin, "train", "--data", train, "--out", model, "--topic-col", topic_col,
                          "--ngram-max", "2", "--min-df", "2", "--sublinear-tf", "--c", str(sc.C)])
        scored = os.path.join(tmp, "scored.csv")
        r = compare.measured([args.bin, "score", "--model", model, paragraphs, "--id-col", "id",
                              "--text-col", "text", "--out", scored, "--quiet"])
        sentences = os.path.join(tmp, "sentences.csv")
        n = write_statements(scored, sentences)
        res.update(input_bytes=size, paragraphs=n_paragraphs, statements=n)
        res["systems"]["stance_paragraphs"] = dict(wall_s=r["wall"], statements=n, rss_mb=r["rss"])
        out = os.path.join(tmp, "out.csv")
        r = compare.measured([args.bin, "score", "--model", model, sentences, "--id-col", "id",
                              "--text-col", "text", "--out", out, "--quiet"])
        res["systems"]["stance_sentences"] = dict(wall_s=r["wall"], statements=count_rows(out),
                                                  rss_mb=r["rss"])
        child = os.path.join(tmp, "score_child.py")
        with open(child, "w") as f:
            f.write(sc.SCORE_CHILD)
        for p in [p for p in args.peers.split(",") if p]:
            pm = os.path.join(tmp, p + ".model")
            compare.measured([py, compare.PEER_CHILD, "train", train, pm, "--kind", p, "--text", "text",
                              "--topic", topic_col, "--stance", "", "--c", str(sc.C), "--ft", json.dumps(ds["ft"])])
            r = compare.measured([py, child, p, pm, sentences, out])
            res["systems"][p] = dict(wall_s=r["wall"], statements=count_rows(out), rss_mb=r["rss"])
    s = res["systems"]
    for v in s.values():
        v["statements_per_s"] = v["statements"] / v["wall_s"]
    for p in s:
        if not p.startswith("stance"):
            res["ratios"][p] = {k: s[k]["statements_per_s"] / s[p]["statements_per_s"]
                                for k in ("stance_paragraphs", "stance_sentences")}
    corpus = "20 Newsgroups test" if args.corpus == "20news" else "data/articles"
    print(f"input: {size / 1e6:.1f} MB, {n_paragraphs} paragraphs or articles -> {n} statements "
          f"({corpus}, repeated)")
    for k, v in s.items():
        print(f"{k:18} {v['statements_per_s']:10.0f} statements/s  {v['wall_s']:7.2f} s  "
              f"{v['statements']:8d} statements  peak RSS {v['rss_mb']:5.0f} MB")
    for p, r in res["ratios"].items():
        print(f"stance/{p}: {r['stance_paragraphs']:.2f}x (stance splitting paragraphs), "
              f"{r['stance_sentences']:.2f}x (stance on the sentences)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
