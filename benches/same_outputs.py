#!/usr/bin/env python3
"""Byte-for-byte comparison of two `stance` binaries' outputs on the same inputs.

    python3 benches/same_outputs.py --old OLD_BIN --new NEW_BIN [--work DIR] [--quick]

For refactors that must not change behaviour: both binaries run the same
commands in their own empty directories and every file they write, their
stdout, stderr and exit code must be identical.

Inputs: the sample articles (`data/articles/`, a directory) and articles made
from the shared datasets in `../shared/data` (written to the work directory,
never into the repository): 20 Newsgroups test, AG News test, BBC News test,
SemEval-2016 test and FNC-1 bodies, as CSV with id, text, date, source and
title columns, the SemEval and AG ones also as JSON Lines, plus a small file
of broken records (rejects). Models: the shipped one, and three trained by the
old binary (a topic-only BBC model, a SemEval model with a stance head per
target, a SemEval model with a shared stance head).

Commands per input and model: `score` as CSV and JSON Lines, each plain, with
`--explain 3`, with `--min-confidence 0.6`, with both; `--articles-out` (CSV
and JSON Lines); `--report` in every format; rejects to the default file, a
named file and stdout; stdin; then `report` over the scored files in every
format and with breakdowns, and `evaluate` (table and --json) on labelled data.
`--quick` keeps the sample articles, SemEval and the rejects file.
"""
import argparse
import csv
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
DATA = os.path.normpath(os.path.join(REPO, "..", "shared", "data"))
csv.field_size_limit(1 << 30)


def read_rows(name):
    with open(os.path.join(DATA, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_articles(path, rows, text, title=None, source=None):
    """CSV (or JSON Lines for .jsonl) with id, date, source, title, text."""
    out = []
    for i, r in enumerate(rows):
        out.append({
            "id": f"r{i + 1}",
            # Note: dates over two years, so reports have months and weeks.
            "date": f"20{23 + i % 2}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "source": r[source] if source else "",
            "title": r[title] if title else "",
            "text": r[text],
        })
    with open(path, "w", encoding="utf-8", newline="") as f:
        if path.endswith(".jsonl"):
            for o in out:
                f.write(json.dumps(o, ensure_ascii=False) + "\n")
        else:
            w = csv.DictWriter(f, fieldnames=["id", "date", "source", "title", "text"])
            w.writeheader()
            w.writerows(out)


BROKEN = (
    "id,date,source,text\r\n"
    "ok1,2024-01-02,wire,\"The coalition must leave Iraq, the MP said. Talks resumed.\"\r\n"
    "short,2024-01-02\r\n"
    ",2024-01-02,wire,No id here.\r\n"
    "blank,2024-01-03,wire,\"   \"\r\n"
    "bad-date,yesterday,wire,Gaza talks resumed in Cairo.\r\n"
    "ok2,,,\"Multi\nline \"\"quoted\"\" text about Tehran and Baghdad.\"\r\n"
    "open,2024-01-04,wire,\"never closed\n"
)


def make_inputs(work, quick):
    d = os.path.join(work, "inputs")
    os.makedirs(d)
    inputs = {"articles": [os.path.join(REPO, "data", "articles")]}
    sem = read_rows("semeval2016_task6/test.csv")
    write_articles(os.path.join(d, "semeval.jsonl"), sem, "text", source="target")
    inputs["semeval"] = [os.path.join(d, "semeval.jsonl")]
    broken = os.path.join(d, "broken.csv")
    with open(broken, "w", encoding="utf-8", newline="") as f:
        f.write(BROKEN)
    inputs["broken"] = [broken, os.path.join(d, "missing.csv"), os.path.join(d, "notes.pdf")]
    with open(os.path.join(d, "notes.pdf"), "w") as f:
        f.write("%PDF")
    if not quick:
        write_articles(os.path.join(d, "20news.csv"), read_rows("20newsgroups/test.csv"),
                       "text", source="label")
        write_articles(os.path.join(d, "ag.csv"), read_rows("ag_news/test.csv"),
                       "description", title="title", source="label")
        write_articles(os.path.join(d, "ag.jsonl"), read_rows("ag_news/test.csv"),
                       "description", title="title", source="label")
        write_articles(os.path.join(d, "bbc.csv"), read_rows("bbc_news/test.csv"),
                       "text", source="label")
        write_articles(os.path.join(d, "fnc1.csv"), read_rows("fnc1/competition_test_bodies.csv"),
                       "text")
        write_articles(os.path.join(d, "semeval.csv"), sem, "text", source="target")
        inputs["20news"] = [os.path.join(d, "20news.csv")]
        inputs["ag"] = [os.path.join(d, "ag.csv"), os.path.join(d, "ag.jsonl")]
        inputs["bbc"] = [os.path.join(d, "bbc.csv")]
        inputs["fnc1"] = [os.path.join(d, "fnc1.csv")]
        inputs["semeval-csv"] = [os.path.join(d, "semeval.csv")]
    return inputs


def run(binary, cwd, args, stdin=None):
    p = subprocess.run([binary] + args, cwd=cwd, input=stdin, capture_output=True)
    return p.returncode, p.stdout, p.stderr


def make_models(old, work):
    d = os.path.join(work, "models")
    os.makedirs(d)
    models = {"default": os.path.join(REPO, "models", "default.model")}
    train = [
        ("bbc-topic", ["--data", os.path.join(DATA, "bbc_news/train.csv"), "--topic-col", "label",
                       "--c", "1", "--sublinear-tf"]),
        ("semeval-own", ["--data", os.path.join(DATA, "semeval2016_task6/train.csv"),
                         "--topic-col", "target", "--c", "1", "--min-df", "1"]),
        # Note: one row per target is far below 30, so every target uses the shared head.
        ("semeval-shared", ["--data", os.path.join(DATA, "semeval2016_task6/test.csv"),
                            "--topic-col", "target", "--c", "1", "--char-ngrams", "2-3",
                            "--stop-words"]),
    ]
    for name, args in train:
        path = os.path.join(d, name + ".model")
        code, _, err = run(old, d, ["train", "--out", path] + args)
        if code != 0:
            sys.exit(f"training {name} failed: {err.decode()}")
        models[name] = path
    return models


def score_variants():
    """(name, arguments after the inputs); file outputs are relative to the run directory."""
    v = []
    for fmt in ["csv", "jsonl"]:
        for extra_name, extra in [("plain", []), ("explain", ["--explain", "3"]),
                                  ("minconf", ["--min-confidence", "0.6"]),
                                  ("both", ["--explain", "2", "--min-confidence", "0.9"])]:
            v.append((f"{fmt}-{extra_name}", ["--out", f"s.{fmt}"] + extra))
    v.append(("stdout-csv", []))
    v.append(("stdout-jsonl-rejects", ["--format", "jsonl", "--rejects", "-"]))
    v.append(("articles-csv", ["--out", "s.csv", "--articles-out", "a.csv"]))
    v.append(("articles-jsonl-minconf", ["--out", "s.jsonl", "--articles-out", "a.jsonl",
                                         "--min-confidence", "0.7"]))
    v.append(("rejects-named", ["--out", "s.csv", "--rejects", "rj.jsonl"]))
    v.append(("rejects-stdout", ["--out", "s.jsonl", "--rejects", "-"]))
    for ext in ["html", "json", "csv", "md", "txt"]:
        v.append((f"report-{ext}", ["--out", "s.csv", "--report", f"r.{ext}"]))
    v.append(("report-minconf-all", ["--out", "s.jsonl", "--articles-out", "a.csv",
                                     "--report", "r.html", "--min-confidence", "0.55",
                                     "--explain", "1"]))
    return v


REPORT_VARIANTS = [
    ["--format", "table"],
    ["--format", "markdown", "--by", "source"],
    ["--format", "csv", "--by", "month"],
    ["--format", "json", "--by", "source", "--by", "week", "--min-confidence", "0.7"],
    ["--format", "html", "--by", "article"],
]


def compare_dirs(a, b):
    """Names of files that differ or exist on one side only."""
    diffs = []
    names = set()
    for root in (a, b):
        for dirpath, _, files in os.walk(root):
            for f in files:
                names.add(os.path.relpath(os.path.join(dirpath, f), root))
    for n in sorted(names):
        pa, pb = os.path.join(a, n), os.path.join(b, n)
        if not (os.path.exists(pa) and os.path.exists(pb)) or not filecmp.cmp(pa, pb, shallow=False):
            diffs.append(n)
    return diffs


class Checker:
    def __init__(self, old, new, work):
        self.old, self.new, self.work = old, new, work
        self.runs, self.files, self.bytes, self.failures = 0, 0, 0, []

    def same(self, name, args, stdin=None):
        """Runs both binaries in fresh directories and compares everything they produce."""
        results = []
        dirs = []
        for side, binary in (("old", self.old), ("new", self.new)):
            d = os.path.join(self.work, "runs", side, name)
            os.makedirs(d)
            results.append(run(binary, d, args, stdin))
            dirs.append(d)
        self.runs += 1
        (ca, oa, ea), (cb, ob, eb) = results
        problems = []
        if ca != cb:
            problems.append(f"exit {ca} vs {cb}")
        if oa != ob:
            problems.append("stdout differs")
        if ea != eb:
            problems.append("stderr differs")
        diffs = compare_dirs(*dirs)
        problems += [f"{f} differs" for f in diffs]
        for dirpath, _, files in os.walk(dirs[0]):
            for f in files:
                self.files += 1
                self.bytes += os.path.getsize(os.path.join(dirpath, f))
        self.bytes += len(oa)
        if problems:
            self.failures.append((name, args, problems))
            print(f"DIFFERENT {name}: {'; '.join(problems)}", flush=True)
        return dirs[0], oa


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--work", help="work directory (default: a fresh temporary one, removed)")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    old, new = os.path.abspath(a.old), os.path.abspath(a.new)
    work = a.work or tempfile.mkdtemp(prefix="stance-same-")
    os.makedirs(work, exist_ok=True)
    try:
        inputs = make_inputs(work, a.quick)
        models = make_models(old, work)
        c = Checker(old, new, work)
        for model_name, model in models.items():
            for input_name, paths in inputs.items():
                if model_name != "default" and input_name not in ("articles", "semeval", "broken"):
                    continue
                for variant, extra in score_variants():
                    name = f"score-{model_name}-{input_name}-{variant}"
                    run_dir, _ = c.same(name, ["score", "--model", model] + paths + extra)
                    scored = [f for f in ("s.csv", "s.jsonl") if os.path.exists(os.path.join(run_dir, f))]
                    if variant in ("csv-both", "jsonl-minconf") and scored:
                        for i, rv in enumerate(REPORT_VARIANTS):
                            c.same(f"report-{name}-{i}",
                                   ["report", os.path.join(run_dir, scored[0])] + rv)
                        c.same(f"report-{name}-top-terms",
                               ["report", os.path.join(run_dir, scored[0]), "--model", model,
                                "--top-terms", "3", "--format", "json"])
                # stdin, JSON Lines in and out, as a pipe would use it
                if input_name == "semeval":
                    with open(paths[0], "rb") as f:
                        body = f.read()
                    c.same(f"stdin-{model_name}", ["score", "--model", model, "-", "--format", "jsonl",
                                                   "--explain", "2"], stdin=body)
        labelled = [
            ("default-test", models["default"], [os.path.join(REPO, "data/test.csv")]),
            ("semeval-own", models["semeval-own"],
             [os.path.join(DATA, "semeval2016_task6/test.csv"), "--topic-col", "target"]),
            ("semeval-shared", models["semeval-shared"],
             [os.path.join(DATA, "semeval2016_task6/train.csv"), "--topic-col", "target"]),
            ("bbc-topic", models["bbc-topic"],
             [os.path.join(DATA, "bbc_news/test.csv"), "--topic-col", "label"]),
        ]
        for name, model, data in labelled:
            for json_flag in ([], ["--json"]):
                c.same(f"evaluate-{name}{'-json' if json_flag else ''}",
                       ["evaluate", "--model", model, "--data"] + data + json_flag)
        print(f"{c.runs} command pairs, {c.files} files and stdout, {c.bytes / 1e6:.1f} MB per side; "
              f"{len(c.failures)} different")
        sys.exit(1 if c.failures else 0)
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
