#!/usr/bin/env python3
"""Quality checks for the shipped stance corpus: exact and near-duplicates
across all its labelled files, and the structure of the labelled articles.

Usage:
    python3 data/tools/near_duplicates.py [TRAIN_CSV [TEST_CSV]]
        [--articles-train CSV] [--articles-test CSV] [--quiet] [--counts]

Defaults to data/train.csv, data/test.csv, data/labelled_articles/train.csv
and data/labelled_articles/test.csv next to this tools/ directory. Standard
library only. Prints a summary (and every problem and offending pair) and
exits with status 1 when any problem, duplicate or near-duplicate remains, 0
otherwise. --counts prints the topic x stance tables of data/README.md
instead (Markdown).

Near-duplicate definition (mirrored exactly by tests/data_quality.rs):

* Words: the text is lowercased and split into maximal runs of letters or
  digits (Python ``str.isalnum``; Rust ``char::is_alphanumeric``). Everything
  else (spaces, punctuation, apostrophes, hyphens) separates words, so
  "US-led" is ``us led`` and "Iraq's" is ``iraq s``.
* Fixed names: the multi-word proper names in ``FIXED_NAMES`` below (e.g.
  "popular mobilization forces", "grand ayatollah ali al sistani"; listed in
  word form, without a leading article) are removed from the word sequence
  before shingling, longest name first. A removed name acts as a break: no
  shingle spans it. This is the only exemption for shared spans made of fixed
  names; shared spans that add any other word (a title, "said", ...) count.
* Shingles: the set of 5-grams (5 consecutive words) of a text, and its set
  of 8-grams (8 consecutive words), both taken after the removal above.
* Two texts are NEAR-DUPLICATES when
    - the Jaccard similarity of their 5-gram sets is >= 0.3
      (|A & B| / |A | B|; defined as 0 when both sets are empty), OR
    - they share at least one 8-gram.
* Two texts are EXACT DUPLICATES when their full word sequences (lowercased,
  before any name removal) are identical, i.e. they differ at most in case,
  punctuation or spacing.

Checked scopes: every file within itself, and every pair of files (``SCOPES``:
each held-out split against everything a model could be trained on, and the
labelled articles' train against the sentence train). Candidate pairs are
found through an inverted index on 5-grams (every near-duplicate shares at
least one 5-gram), so the check is exact, not sampled.

Structure (also in tests/data_quality.rs): every file has its columns; topics
and stances are in ``TOPICS`` and ``STANCES``, ``other`` is always
``neutral``; ids are non-empty and unique across all four files; texts are
non-empty. In the article files (header exactly ``ARTICLE_COLUMNS``, one row
per sentence) the rows of an article are contiguous and share its date,
source and title; a row's id is its article id, a hyphen and its two-digit
position in the article (01, 02, ...); an article has ``MIN_SENTENCES`` to
``MAX_SENTENCES`` sentences; paragraph numbers start at 1 and go up by 0 or
1 from one sentence to the next; dates are valid ``YYYY-MM-DD``.
"""

import argparse
import csv
import datetime
import os
import sys
from collections import Counter, defaultdict

SHINGLE = 5
LONG_SPAN = 8
JACCARD_THRESHOLD = 0.3

# Multi-word fixed names removed before shingling (lowercase, in word form).
# Keep this list short and explicit; tests/data_quality.rs holds the same list.
FIXED_NAMES = [
    "popular mobilization forces",
    "popular mobilisation forces",
    "islamic resistance in iraq",
    "kurdistan regional government",
    "islamic revolutionary guard corps",
    "supreme national security council",
    "combined joint task force operation inherent resolve",
    "higher military commission",
    "independent high electoral commission",
    "central bank of iraq",
    "international committee of the red cross",
    "general company for ports of iraq",
    "iran iraq chamber of commerce",
    "state of law coalition",
    "asaib ahl al haq",
    "kataib sayyid al shuhada",
    "grand ayatollah ali al sistani",
    "mohammed shia al sudani",
    "sheikh tamim bin hamad al thani",
]

# Columns of the sentence files (train.csv, test.csv); other columns are allowed.
REQUIRED_COLUMNS = ["id", "text", "topic", "stance", "source"]
# The exact header of the labelled-article files (one row per sentence).
ARTICLE_COLUMNS = ["id", "article_id", "paragraph", "date", "source", "title", "text",
                   "topic", "stance"]
TOPICS = ["palestine", "coalition_withdrawal", "bilateral_ties", "other"]
STANCES = ["favor", "against", "neutral"]
# Sentences per labelled article (the writers' brief: 6 to 16, at most 18).
MIN_SENTENCES = 6
MAX_SENTENCES = 18

# The shipped files: (name, path under data/, whether it holds articles).
FILES = [
    ("train.csv", "train.csv", False),
    ("test.csv", "test.csv", False),
    ("labelled_articles/train.csv", os.path.join("labelled_articles", "train.csv"), True),
    ("labelled_articles/test.csv", os.path.join("labelled_articles", "test.csv"), True),
]
# Cross-file scopes (left ~ right): the left file is the one a pair would be
# reworded in (the held-out or the newer side). With every file within itself,
# this is every pair of files.
SCOPES = [
    ("test.csv", "train.csv"),
    ("labelled_articles/train.csv", "train.csv"),
    ("labelled_articles/train.csv", "test.csv"),
    ("labelled_articles/test.csv", "labelled_articles/train.csv"),
    ("labelled_articles/test.csv", "train.csv"),
    ("labelled_articles/test.csv", "test.csv"),
]


def words(text):
    """Lowercased maximal runs of letters/digits."""
    out = []
    cur = []
    for ch in text.lower():
        if ch.isalnum():
            cur.append(ch)
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


_NAME_WORDS = sorted((n.split() for n in FIXED_NAMES), key=len, reverse=True)


def segments(text):
    """Word sequence with fixed names removed, split at each removal."""
    ws = words(text)
    segs = [[]]
    i = 0
    while i < len(ws):
        for name in _NAME_WORDS:
            if ws[i:i + len(name)] == name:
                segs.append([])
                i += len(name)
                break
        else:
            segs[-1].append(ws[i])
            i += 1
    return [s for s in segs if s]


def shingles(text, n):
    out = set()
    for seg in segments(text):
        for i in range(len(seg) - n + 1):
            out.add(" ".join(seg[i:i + n]))
    return out


def jaccard(a, b):
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def is_near_duplicate(text_a, text_b):
    """Return (flag, jaccard, shared 8-grams) for two texts."""
    a5, b5 = shingles(text_a, SHINGLE), shingles(text_b, SHINGLE)
    j = jaccard(a5, b5)
    shared8 = shingles(text_a, LONG_SPAN) & shingles(text_b, LONG_SPAN)
    return (j >= JACCARD_THRESHOLD or bool(shared8)), j, shared8


def read_rows(path, columns=REQUIRED_COLUMNS, exact_header=False):
    """Rows of a CSV file as dicts, each with its 1-based physical line as "_line".

    Exits naming the file when a column is missing (or, with exact_header,
    when the header is not exactly `columns`).
    """
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        if exact_header and header != columns:
            sys.exit(f"{path}: header {header} is not {columns}")
        missing = [c for c in columns if c not in header]
        if missing:
            sys.exit(f"{path}: missing columns {missing}")
        rows = []
        line = reader.line_num + 1
        for rec in reader:
            if rec:
                row = dict(zip(header, rec))
                for c in header[len(rec):]:
                    row[c] = ""
                row["_line"] = line
                row["_fields"] = len(rec)
                row["_expected"] = len(header)
                rows.append(row)
            line = reader.line_num + 1
        return rows


def label_problems(name, rows):
    """Problems with the labels and texts of one file's rows."""
    out = []
    for r in rows:
        where = f"{name}:{r['_line']}"
        if r["_fields"] != r["_expected"]:
            out.append(f"{where}: {r['_fields']} fields, expected {r['_expected']}")
        if not r["id"].strip():
            out.append(f"{where}: empty id")
        if not r["text"].strip():
            out.append(f"{where}: {r['id']} has empty text")
        if r["topic"] not in TOPICS:
            out.append(f"{where}: {r['id']} topic {r['topic']!r} not in {TOPICS}")
        if r["stance"] not in STANCES:
            out.append(f"{where}: {r['id']} stance {r['stance']!r} not in {STANCES}")
        if r["topic"] == "other" and r["stance"] != "neutral":
            out.append(f"{where}: {r['id']} is other but {r['stance']} (other is always neutral)")
    return out


def duplicate_id_problems(files):
    """Ids used more than once, within or across files: [(name, rows)]."""
    first = {}
    out = []
    for name, rows in files:
        for r in rows:
            if r["id"] in first:
                out.append(f"{name}:{r['_line']}: id {r['id']} already used at {first[r['id']]}")
            else:
                first[r["id"]] = f"{name}:{r['_line']}"
    return out


def valid_date(text):
    try:
        return datetime.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def article_problems(name, rows):
    """Problems with the article structure of one labelled-article file."""
    out = []
    runs = []  # [(article_id, [rows])] in file order
    for r in rows:
        if runs and runs[-1][0] == r["article_id"]:
            runs[-1][1].append(r)
        else:
            runs.append((r["article_id"], [r]))
    seen = {}
    for art, members in runs:
        head = members[0]
        where = f"{name}:{head['_line']}"
        if not art.strip():
            out.append(f"{where}: empty article_id")
        if art in seen:
            out.append(f"{where}: article {art} starts again (its rows began at line {seen[art]}); "
                       "rows of an article must be contiguous")
            continue
        seen[art] = head["_line"]
        if not (MIN_SENTENCES <= len(members) <= MAX_SENTENCES):
            out.append(f"{where}: article {art} has {len(members)} sentences "
                       f"(want {MIN_SENTENCES} to {MAX_SENTENCES})")
        if not valid_date(head["date"]):
            out.append(f"{where}: article {art} date {head['date']!r} is not a valid YYYY-MM-DD")
        for field in ("source", "title"):
            if not head[field].strip():
                out.append(f"{where}: article {art} has an empty {field}")
        previous = 0
        for k, r in enumerate(members, 1):
            at = f"{name}:{r['_line']}"
            for field in ("date", "source", "title"):
                if r[field] != head[field]:
                    out.append(f"{at}: {r['id']} {field} {r[field]!r} differs from its article's "
                               f"{head[field]!r} (line {head['_line']})")
            if r["id"] != f"{art}-{k:02d}":
                out.append(f"{at}: id {r['id']} should be {art}-{k:02d} "
                           f"(sentence {k} of article {art})")
            para = r["paragraph"]
            if not (para.isdigit() and para.isascii()):
                out.append(f"{at}: {r['id']} paragraph {para!r} is not a number")
                continue
            want = "1" if k == 1 else f"{previous} or {previous + 1}"
            if (k == 1 and int(para) != 1) or (k > 1 and int(para) not in (previous, previous + 1)):
                out.append(f"{at}: {r['id']} paragraph {para}, expected {want}")
            previous = int(para)
    return out


def counts_table(rows):
    """Markdown topic x stance table of rows (the one in data/README.md)."""
    c = Counter((r["topic"], r["stance"]) for r in rows)
    lines = ["| topic | favor | against | neutral | total |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for t in TOPICS:
        cells = [c[(t, s)] for s in STANCES]
        lines.append(f"| `{t}` | " + " | ".join(str(x) for x in cells) + f" | {sum(cells)} |")
    totals = [sum(c[(t, s)] for t in TOPICS) for s in STANCES]
    lines.append("| **total** | " + " | ".join(str(x) for x in totals) + f" | {sum(totals)} |")
    return "\n".join(lines)


class Index:
    def __init__(self, rows):
        self.rows = rows
        self.sh5 = [shingles(r["text"], SHINGLE) for r in rows]
        self.sh8 = [shingles(r["text"], LONG_SPAN) for r in rows]
        self.inv = defaultdict(list)
        for i, s in enumerate(self.sh5):
            for g in s:
                self.inv[g].append(i)

    def candidates(self, sh5):
        cands = set()
        for g in sh5:
            cands.update(self.inv.get(g, ()))
        return cands


def near_pairs(left, right=None):
    """Near-duplicate pairs (i, j, jaccard, shared8) within left, or left x right."""
    same = right is None
    right = left if same else right
    found = []
    for i in range(len(left.rows)):
        for j in sorted(right.candidates(left.sh5[i])):
            if same and j <= i:
                continue
            a5, b5 = left.sh5[i], right.sh5[j]
            jac = jaccard(a5, b5)
            shared8 = left.sh8[i] & right.sh8[j]
            if jac >= JACCARD_THRESHOLD or shared8:
                found.append((i, j, jac, shared8))
    return found


def exact_pairs(left, right=None):
    same = right is None
    right_rows = left if same else right
    seen = defaultdict(list)
    for j, r in enumerate(right_rows):
        seen[tuple(words(r["text"]))].append(j)
    found = []
    for i, r in enumerate(left):
        for j in seen.get(tuple(words(r["text"])), ()):
            if same and j <= i:
                continue
            found.append((i, j))
    return found


def parse_args(argv, data):
    p = argparse.ArgumentParser(description="Quality checks for the shipped stance corpus.")
    p.add_argument("train", nargs="?", default=os.path.join(data, "train.csv"))
    p.add_argument("test", nargs="?", default=os.path.join(data, "test.csv"))
    p.add_argument("--articles-train", default=os.path.join(data, "labelled_articles", "train.csv"))
    p.add_argument("--articles-test", default=os.path.join(data, "labelled_articles", "test.csv"))
    p.add_argument("--quiet", action="store_true", help="counts only, not every pair")
    p.add_argument("--counts", action="store_true", help="print the topic x stance tables and exit")
    return p.parse_args(argv)


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    args = parse_args(argv, os.path.dirname(here))
    paths = [args.train, args.test, args.articles_train, args.articles_test]
    files = []
    for (name, _, articles), path in zip(FILES, paths):
        rows = (read_rows(path, ARTICLE_COLUMNS, exact_header=True) if articles
                else read_rows(path))
        files.append((name, path, articles, rows))
    if args.counts:
        for name, _, articles, rows in files:
            what = f"{len({r['article_id'] for r in rows}):,} articles, " if articles else ""
            print(f"**{name}** ({what}{len(rows):,} rows)\n\n{counts_table(rows)}\n")
        return 0

    problems = duplicate_id_problems([(name, rows) for name, _, _, rows in files])
    for name, _, articles, rows in files:
        problems += label_problems(name, rows)
        if articles:
            problems += article_problems(name, rows)
    for name, path, articles, rows in files:
        what = f", {len({r['article_id'] for r in rows})} articles" if articles else ""
        print(f"{name}: {len(rows)} rows{what} ({path})")
    print(f"structure: {len(problems)} problem(s)")
    for p in problems:
        print(f"  {p}")

    rows_of = {name: rows for name, _, _, rows in files}
    index_of = {name: Index(rows) for name, rows in rows_of.items()}
    scopes = [(name, None) for name, _, _ in FILES] + SCOPES
    total = len(problems)
    print(f"definition: {SHINGLE}-gram Jaccard >= {JACCARD_THRESHOLD} or any shared "
          f"{LONG_SPAN}-gram; {len(FIXED_NAMES)} fixed names removed before shingling")
    for left, right in scopes:
        a, b = rows_of[left], rows_of[right or left]
        if right is None:
            exact, near = exact_pairs(a), near_pairs(index_of[left])
            label = f"within {left}"
        else:
            exact, near = exact_pairs(a, b), near_pairs(index_of[left], index_of[right])
            label = f"{left} ~ {right}"
        total += len(exact) + len(near)
        print(f"{label}: {len(exact)} exact duplicates, {len(near)} near-duplicates")
        if args.quiet:
            continue
        for i, j in exact:
            print(f"  EXACT {a[i]['id']} == {b[j]['id']}: {a[i]['text']!r}")
        for i, j, jac, shared8 in near:
            print(f"  NEAR {a[i]['id']} ~ {b[j]['id']} jaccard={jac:.3f} shared8={len(shared8)}")
            print(f"    {a[i]['id']}: {a[i]['text']}")
            print(f"    {b[j]['id']}: {b[j]['text']}")
            for g in sorted(shared8)[:3]:
                print(f"    shared 8-gram: {g!r}")
    print("OK: no problems, no duplicates" if total == 0
          else f"FAIL: {total} problem(s) or duplicate pair(s) remain")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
