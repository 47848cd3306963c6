#!/usr/bin/env python3
"""The Python package against scikit-learn and fastText, from Python, in one run (#16).

    ~/.cache/stance-python/venv/bin/python benches/python_score.py [--mb 100]
        [--bin target/release/stance] [--json FILE] [--no-fasttext] [--train-rows N]

Input: 20 Newsgroups (../shared/data/20newsgroups, see its SOURCE.md). The
test texts are split into paragraphs (at blank lines) and repeated to --mb
MB; every system is trained on the train texts with the same settings as
../shared/bench/score_compare: word 1-2 grams, min_df 2, sublinear tf, C = 10
(fastText: lr 1.0, 25 epochs, wordNgrams 2, dim 10).

Measured, wall seconds in this process (perf_counter) unless said:
  train     stance.train, StanceClassifier.fit, and scikit-learn's
            TfidfVectorizer(1,2) + LogisticRegression fit, on the train texts;
  predict   model.predict_proba (one statement per paragraph), scikit-learn's
            predict_proba, fastText's Python predict(k=-1) (in the
            ~/.cache/stance-bench venv that ../shared/bench/compare creates,
            as a child process timing itself; skipped when that venv or its
            fasttext is missing);
  score     model.score (paragraphs split into statements), and the CLI's
            `stance score` on the same paragraphs as a whole process (the
            package's target: within 15% of the CLI's statements/s).

Checked on every run, so the figures cannot come from broken code: every
predict_proba has one row per paragraph summing to 1; stance and
scikit-learn agree on the topic of most paragraphs; model.score and the CLI
give the same number of statements; the test accuracy of both models is
printed. Do NOT read the timings on a loaded machine; `--mb 2 --train-rows
2000` checks that the script works.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

import stance

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
DATA = os.path.normpath(os.path.join(REPO, "..", "shared", "data", "20newsgroups"))
if not os.path.isdir(DATA):
    DATA = "/work/shared/data/20newsgroups"
BENCH_PY = os.path.join(os.environ.get("STANCE_BENCH_HOME", os.path.expanduser("~/.cache/stance-bench")),
                        "venv", "bin", "python")
C = 10.0

# fastText, in the bench venv: train on the train CSV, then time predict on the paragraphs.
FASTTEXT_CHILD = r"""
import csv, json, sys, time, fasttext
train_csv, paragraphs_txt, work = sys.argv[1:4]
csv.field_size_limit(1 << 30)
with open(train_csv, newline="") as f, open(work + "/ft.train", "w") as out:
    for row in csv.DictReader(f):
        out.write("__label__" + row["label"] + " " + " ".join(row["text"].split()) + "\n")
t = time.perf_counter()
m = fasttext.train_supervised(work + "/ft.train", lr=1.0, epoch=25, wordNgrams=2, dim=10, verbose=0)
fit = time.perf_counter() - t
paragraphs = [" ".join(p.split()) for p in open(paragraphs_txt).read().split("\n")]
t = time.perf_counter()
labels, probs = m.predict(paragraphs, k=-1)
wall = time.perf_counter() - t
assert len(labels) == len(paragraphs)
print(json.dumps(dict(fit=fit, predict=wall, n=len(paragraphs))))
"""


def paragraphs_of(texts, mb):
    """Non-blank paragraphs of `texts` (split at blank lines), repeated to `mb` MB."""
    paras = [" ".join(p.split()) for t in texts for p in str(t).split("\n\n")]
    paras = [p for p in paras if p]
    out, size, i = [], 0, 0
    while size < mb * 1e6:
        p = paras[i % len(paras)]
        out.append(p)
        size += len(p.encode()) + 1
        i += 1
    return out


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=100.0, help="MB of paragraphs to predict (default 100)")
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "stance"))
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--no-fasttext", action="store_true")
    ap.add_argument("--train-rows", type=int, help="train on the first N rows only (a quick check; not for figures)")
    args = ap.parse_args()

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from stance.sklearn import StanceClassifier

    train = pd.read_csv(os.path.join(DATA, "train.csv"), nrows=args.train_rows)
    test = pd.read_csv(os.path.join(DATA, "test.csv"))
    train["text"] = train["text"].astype(str)
    paragraphs = paragraphs_of(test["text"], args.mb)
    mb = sum(len(p.encode()) + 1 for p in paragraphs) / 1e6
    print(f"{len(train)} training texts; {len(paragraphs)} paragraphs, {mb:.1f} MB", file=sys.stderr)
    fig = dict(mb=mb, paragraphs=len(paragraphs), train_rows=len(train))

    # Training.
    model, fig["stance_train_s"] = timed(lambda: stance.train(
        train, topic="label", stance=None, c=C, sublinear_tf=True, min_df=2, ngram_max=2))
    est, fig["stance_classifier_fit_s"] = timed(lambda: StanceClassifier(
        c=C, sublinear_tf=True, min_df=2, ngram_max=2).fit(train["text"], train["label"]))
    sk = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                       LogisticRegression(C=C, max_iter=1000))
    _, fig["sklearn_fit_s"] = timed(lambda: sk.fit(train["text"], train["label"]))
    # Note: not the same file bytes (the meta records other column names), the same weights.
    sample = paragraphs[:200]
    assert np.array_equal(est.model_.predict_proba(sample), model.predict_proba(sample)), \
        "StanceClassifier.fit is stance.train"

    # Predict, one statement per paragraph.
    p_stance, fig["stance_predict_proba_s"] = timed(lambda: model.predict_proba(paragraphs))
    p_sk, fig["sklearn_predict_proba_s"] = timed(lambda: sk.predict_proba(paragraphs))
    for name, p in [("stance", p_stance), ("sklearn", p_sk)]:
        assert p.shape[0] == len(paragraphs) and np.allclose(p.sum(axis=1), 1.0), name
    top_stance = np.array(model.topics, dtype=object)[p_stance.argmax(axis=1)]
    top_sk = sk.classes_[p_sk.argmax(axis=1)]
    fig["agreement"] = float((top_stance == top_sk).mean())
    assert fig["agreement"] > 0.6, f"stance and scikit-learn agree on {fig['agreement']:.2f} only"
    fig["stance_test_accuracy"] = float((model.predict(test["text"].astype(str)) == test["label"]).mean())
    fig["sklearn_test_accuracy"] = float((sk.predict(test["text"].astype(str)) == test["label"]).mean())

    with tempfile.TemporaryDirectory() as work:
        # fastText's Python predict, in its own venv.
        if not args.no_fasttext and os.path.exists(BENCH_PY) and subprocess.run(
                [BENCH_PY, "-c", "import fasttext"], capture_output=True).returncode == 0:
            txt = os.path.join(work, "paragraphs.txt")
            with open(txt, "w") as f:
                f.write("\n".join(paragraphs))
            out = subprocess.run([BENCH_PY, "-c", FASTTEXT_CHILD, os.path.join(DATA, "train.csv"), txt, work],
                                 capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"fastText child failed:\n{out.stderr[-3000:]}")
            ft = json.loads(out.stdout.strip().splitlines()[-1])
            assert ft["n"] == len(paragraphs)
            fig["fasttext_fit_s"], fig["fasttext_predict_s"] = ft["fit"], ft["predict"]
        else:
            print(f"fastText skipped (no {BENCH_PY} with fasttext; ../shared/bench/compare creates it)",
                  file=sys.stderr)

        # Score: paragraphs split into statements, package and CLI.
        table, fig["stance_score_s"] = timed(lambda: model.score(paragraphs))
        fig["statements"] = table.num_rows
        model_file = os.path.join(work, "20news.model")
        model.save(model_file)
        arts = os.path.join(work, "paragraphs.csv")
        pd.DataFrame({"id": [str(i + 1) for i in range(len(paragraphs))], "text": paragraphs}).to_csv(arts, index=False)
        out_file = os.path.join(work, "scored.jsonl")
        t = time.perf_counter()
        subprocess.run([args.bin, "score", "--model", model_file, arts, "--out", out_file,
                        "--format", "jsonl", "--quiet"], check=True)
        fig["cli_score_s"] = time.perf_counter() - t
        with open(out_file) as f:
            cli_rows = sum(1 for _ in f)
        assert cli_rows == table.num_rows, f"CLI {cli_rows} statements, package {table.num_rows}"

    n, s = len(paragraphs), fig["statements"]
    rows = [
        ("stance predict_proba", n / fig["stance_predict_proba_s"]),
        ("scikit-learn predict_proba", n / fig["sklearn_predict_proba_s"]),
    ]
    if "fasttext_predict_s" in fig:
        rows.append(("fastText predict", n / fig["fasttext_predict_s"]))
    rows += [("stance model.score (split)", s / fig["stance_score_s"]),
             ("stance score CLI (split, whole process)", s / fig["cli_score_s"])]
    print(f"\n{mb:.1f} MB, {n} paragraphs, {s} statements after splitting\n")
    print("| predict | statements/s |\n|---|---:|")
    for name, rate in rows:
        print(f"| {name} | {rate:,.0f} |")
    print(f"\npredict_proba: stance / scikit-learn = {fig['sklearn_predict_proba_s'] / fig['stance_predict_proba_s']:.1f}x"
          + (f", stance / fastText = {fig['fasttext_predict_s'] / fig['stance_predict_proba_s']:.1f}x"
             if "fasttext_predict_s" in fig else ""))
    print(f"model.score / CLI statements/s = {fig['cli_score_s'] / fig['stance_score_s']:.2f}")
    print("\n| train (20 Newsgroups train) | wall s |\n|---|---:|")
    for name, key in [("stance.train", "stance_train_s"), ("StanceClassifier.fit", "stance_classifier_fit_s"),
                      ("scikit-learn fit", "sklearn_fit_s"), ("fastText train", "fasttext_fit_s")]:
        if key in fig:
            print(f"| {name} | {fig[key]:.2f} |")
    print(f"\nstance.train / scikit-learn fit = {fig['stance_train_s'] / fig['sklearn_fit_s']:.2f}x wall time")
    print(f"test accuracy: stance {fig['stance_test_accuracy']:.4f}, scikit-learn {fig['sklearn_test_accuracy']:.4f};"
          f" topic agreement on the paragraphs {fig['agreement']:.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(fig, f, indent=2)


if __name__ == "__main__":
    main()
