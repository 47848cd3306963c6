#!/usr/bin/env python3
"""Exact- and near-duplicate check for the shipped stance corpus.

Usage:
    python3 data/tools/near_duplicates.py [TRAIN_CSV [TEST_CSV]] [--quiet]

Defaults to data/train.csv and data/test.csv next to this tools/ directory.
Standard library only. Prints a summary (and every offending pair) and exits
with status 1 when any duplicate or near-duplicate remains, 0 otherwise.

Definition (mirrored exactly by tests/data_quality.rs):

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

Checked scopes: within train, within test, and every test row against every
train row. Candidate pairs are found through an inverted index on 5-grams
(every near-duplicate shares at least one 5-gram), so the check is exact,
not sampled.
"""

import csv
import os
import sys
from collections import defaultdict

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

REQUIRED_COLUMNS = ["id", "text", "topic", "stance", "source"]


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


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            sys.exit(f"{path}: missing columns {missing}")
        return list(reader)


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


def main(argv):
    quiet = "--quiet" in argv
    args = [a for a in argv if a != "--quiet"]
    here = os.path.dirname(os.path.abspath(__file__))
    data = os.path.dirname(here)
    train_path = args[0] if len(args) > 0 else os.path.join(data, "train.csv")
    test_path = args[1] if len(args) > 1 else os.path.join(data, "test.csv")
    train, test = read_rows(train_path), read_rows(test_path)
    tr_idx, te_idx = Index(train), Index(test)

    scopes = [
        ("train-train", train, train, exact_pairs(train), near_pairs(tr_idx)),
        ("test-test", test, test, exact_pairs(test), near_pairs(te_idx)),
        ("test-train", test, train, exact_pairs(test, train), near_pairs(te_idx, tr_idx)),
    ]
    total = 0
    print(f"train: {len(train)} rows ({train_path})")
    print(f"test:  {len(test)} rows ({test_path})")
    print(f"definition: {SHINGLE}-gram Jaccard >= {JACCARD_THRESHOLD} or any shared "
          f"{LONG_SPAN}-gram; {len(FIXED_NAMES)} fixed names removed before shingling")
    for name, a, b, exact, near in scopes:
        total += len(exact) + len(near)
        print(f"{name}: {len(exact)} exact duplicates, {len(near)} near-duplicates")
        if quiet:
            continue
        for i, j in exact:
            print(f"  EXACT {a[i]['id']} == {b[j]['id']}: {a[i]['text']!r}")
        for i, j, jac, shared8 in near:
            print(f"  NEAR {a[i]['id']} ~ {b[j]['id']} jaccard={jac:.3f} shared8={len(shared8)}")
            print(f"    {a[i]['id']}: {a[i]['text']}")
            print(f"    {b[j]['id']}: {b[j]['text']}")
            for g in sorted(shared8)[:3]:
                print(f"    shared 8-gram: {g!r}")
    print("OK: no duplicates" if total == 0 else f"FAIL: {total} duplicate pair(s) remain")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
