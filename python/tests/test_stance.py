"""The package against the CLI (target/release/stance): same statements,
same probabilities to the last printed digit, same model bytes; the
scikit-learn estimator; documented exceptions. Lean: a few seconds."""

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import stance

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("STANCE_BIN", REPO / "target" / "release" / "stance"))
SHARED = REPO.parent / "shared" / "data"
if not SHARED.exists():  # a worktree beside the main checkout
    SHARED = Path("/work/shared/data")


def cli(*args, cwd=None):
    return subprocess.run([str(BIN), *map(str, args)], check=True, capture_output=True, text=True, cwd=cwd)


def cli_statements(articles: pd.DataFrame, tmp_path, *extra):
    src = tmp_path / "articles.jsonl"
    articles.to_json(src, orient="records", lines=True, force_ascii=False)
    out = tmp_path / "scored.jsonl"
    cli("score", "--model", REPO / "models" / "default.model", src, "--out", out, "--format", "jsonl", "--quiet", *extra)
    return [json.loads(line) for line in out.read_text().splitlines()]


def assert_same(py: pa.Table, rows: list):
    """Every column equal; probabilities equal once rounded as the CLI prints them."""
    assert py.num_rows == len(rows)
    py_rows = py.to_pylist()
    for p, c in zip(py_rows, rows):
        assert list(p) == list(c)
        for k, v in c.items():
            got = p[k]
            if k in ("topic_probs", "stance_probs") and got is not None:
                got = {l: round(x, 4) for l, x in got.items() if x is not None}
            elif k in ("topic_terms", "stance_terms"):
                got = [{"term": t["term"], "contribution": round(t["contribution"], 4)} for t in got]
            elif isinstance(got, float) and k != "min_confidence":
                got = round(got, 4)
            assert got == v, (k, got, v)


def test_sample_articles_equal_the_cli(tmp_path):
    arts = pd.read_csv(REPO / "data" / "articles" / "articles.csv", dtype=str)
    rows = cli_statements(arts, tmp_path, "--min-confidence", "0.6", "--explain", "2")
    py = stance.Model.default().score(arts, min_confidence=0.6, explain=2)
    assert py.num_rows == 334
    assert_same(py, rows)


def test_shared_dataset_equals_the_cli(tmp_path):
    news = pd.read_csv(SHARED / "20newsgroups" / "test.csv", nrows=300)
    arts = pd.DataFrame({"id": [str(i) for i in range(len(news))], "text": news["text"].astype(str)})
    arts = arts[arts["text"].str.strip() != ""]
    rows = cli_statements(arts, tmp_path)
    assert_same(stance.Model.default().score(arts), rows)
    # polars-free inputs: a list of str and a pyarrow array give the same rows.
    texts = arts["text"].tolist()[:20]
    a = stance.Model.default().score(texts)
    b = stance.Model.default().score(pa.array(texts))
    assert a.equals(b)


def test_train_from_a_data_frame_is_the_cli_model(tmp_path):
    df = pd.read_csv(SHARED / "semeval2016_task6" / "train.csv", nrows=400)
    csv = tmp_path / "train.csv"
    df[["text", "target", "stance"]].to_csv(csv, index=False)
    out = tmp_path / "cli.model"
    cli("train", "--data", csv, "--out", out, "--topic-col", "target", "--c", "1", "--sublinear-tf")
    m = stance.train(df, topic="target", c=1.0, sublinear_tf=True)
    assert m.to_bytes() == out.read_bytes()
    m.save(tmp_path / "py.model")
    assert (tmp_path / "py.model").read_bytes() == out.read_bytes()
    from_csv = stance.train(csv, topic="target", c=1.0, sublinear_tf=True)
    assert from_csv.to_bytes() == out.read_bytes()
    ev = json.loads(cli("evaluate", "--model", out, "--data", csv, "--topic-col", "target", "--json").stdout)
    assert m.evaluate(df, topic="target") == ev
    assert m.info()["training"]["n_rows"] == 400


def test_predict_matches_score_unsplit():
    m = stance.Model.default()
    texts = ["Protesters marched for Gaza in Baghdad.", "Talks on the coalition's exit resumed. Then more."]
    p = m.predict_proba(texts)
    assert p.shape == (2, len(m.topics))
    assert np.allclose(p.sum(axis=1), 1.0)
    t = m.score(texts, split=False)
    assert t.num_rows == 2
    assert list(m.predict(texts)) == t.column("best_topic").to_pylist()
    assert np.allclose(p[:, 0], [r[m.topics[0]] for r in t.column("topic_probs").to_pylist()])


def test_sklearn_estimator_in_cross_validation_and_grid_search():
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline

    from stance.sklearn import StanceClassifier

    df = pd.read_csv(SHARED / "semeval2016_task6" / "train.csv", nrows=600)
    X, y = df["text"], df["target"]
    est = StanceClassifier(c=1.0, min_df=1)
    scores = cross_val_score(make_pipeline(est), X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.5
    grid = GridSearchCV(StanceClassifier(min_df=1), {"c": [0.3, 3.0]}, cv=2).fit(X, y)
    assert grid.best_params_["c"] in (0.3, 3.0)
    assert clone(est).get_params() == est.get_params()
    proba = grid.predict_proba(X[:5])
    assert proba.shape == (5, len(grid.classes_))
    assert list(grid.classes_) == sorted(set(y))


def test_bad_input_raises_documented_exceptions(tmp_path):
    m = stance.Model.default()
    with pytest.raises(ValueError, match="min_confidence"):
        m.score(["x."], min_confidence=1.5)
    with pytest.raises(stance.DataError, match="missing column 'text'"):
        m.score(pd.DataFrame({"body": ["a"]}))
    bad = tmp_path / "bad.csv"
    bad.write_text('text,topic\n"a",x\n,y\n')
    with pytest.raises(stance.DataError, match=r"bad.csv:3: empty \"text\" field"):
        stance.train(bad)
    with pytest.raises(stance.DataError, match="record 2"):
        stance.train(pd.DataFrame({"text": ["a", " "], "topic": ["x", "y"]}))
    with pytest.raises(stance.DataError, match="missing column"):
        stance.train(tmp_path / "nope.csv") if False else stance.train(pd.DataFrame({"t": ["a"]}))
    with pytest.raises(ValueError, match="ngram.max"):
        stance.train(pd.DataFrame({"text": ["a"], "topic": ["x"]}), ngram_max=0)
    junk = tmp_path / "junk.model"
    junk.write_bytes(b"not a model at all, no")
    with pytest.raises(stance.ModelError, match="not a usable model file"):
        stance.Model.load(junk)
    with pytest.raises(OSError):
        stance.Model.load(tmp_path / "missing.model")


def test_stance_roles_as_keywords_are_the_cli_model(tmp_path):
    """favor_label/against_label/neutral_label are --favor-label etc.: the
    same model bytes, and a label the data lacks is refused with the CLI's message."""
    df = pd.read_csv(SHARED / "semeval2016_task6" / "train.csv", nrows=300)
    df["stance"] = df["stance"].map({"FAVOR": "support", "AGAINST": "deny", "NONE": "comment"})
    csv = tmp_path / "train.csv"
    df[["text", "target", "stance"]].to_csv(csv, index=False)
    out = tmp_path / "cli.model"
    roles = dict(favor_label="support", against_label="deny", neutral_label="comment")
    cli("train", "--data", csv, "--out", out, "--topic-col", "target", "--c", "1",
        "--favor-label", "support", "--against-label", "deny", "--neutral-label", "comment")
    m = stance.train(df, topic="target", c=1.0, **roles)
    assert m.to_bytes() == out.read_bytes()
    # Without them no label has a role: another model.
    assert stance.train(df, topic="target", c=1.0).to_bytes() != out.read_bytes()
    r = subprocess.run([str(BIN), "train", "--data", csv, "--out", tmp_path / "x.model", "--topic-col", "target",
                        "--c", "1", "--favor-label", "SUPPORT", "--against-label", "deny"], capture_output=True, text=True)
    why = r.stderr.split("error: --favor-label SUPPORT: ")[1].strip()
    assert r.returncode == 1 and why.startswith("it is not a stance label of the data (labels: comment, deny, support)")
    with pytest.raises(ValueError, match="favor_label") as e:
        stance.train(df, topic="target", c=1.0, favor_label="SUPPORT", against_label="deny")
    assert str(e.value).endswith(why)
    with pytest.raises(ValueError, match="one label cannot be two of favor, against and neutral"):
        stance.train(df, topic="target", c=1.0, favor_label="deny", against_label="deny")
    with pytest.raises(stance.DataError, match="stance roles were named, but the data has no stance labels"):
        stance.train(df, topic="target", stance=None, c=1.0, favor_label="support", against_label="deny")
    # As the CLI (clap: --favor-label requires --against-label), the two go together.
    r = subprocess.run([str(BIN), "train", "--data", csv, "--out", tmp_path / "x.model", "--favor-label", "support"],
                       capture_output=True, text=True)
    assert r.returncode == 64 and "--against-label" in r.stderr
    with pytest.raises(ValueError, match="favor_label: needs against_label too"):
        stance.train(df, topic="target", favor_label="support")
    with pytest.raises(ValueError, match="favor_label: expected a str"):
        stance.train(df, topic="target", favor_label=1, against_label="deny")


def test_round_and_rejects_are_the_cli(tmp_path):
    """round=True gives the values the CLI's JSON Lines hold; rejects=True the
    articles it rejects, with its reasons."""
    arts = pd.read_csv(REPO / "data" / "articles" / "articles.csv", dtype=str).head(6)
    rows = cli_statements(arts, tmp_path)
    got = stance.Model.default().score(arts, round=True).to_pylist()
    assert len(got) == len(rows)
    for g, c in zip(got, rows):
        g["stance_probs"] = {k: v for k, v in (g["stance_probs"] or {}).items() if v is not None} or None
        assert g == c
    bad = pd.DataFrame({"id": ["a", None, "c", "d"], "text": ["One. Two.", "x", None, "  "]})
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id":"a","text":"One. Two."}\n{"text":"x"}\n{"id":"c"}\n{"id":"d","text":"  "}\n')
    out = subprocess.run([str(BIN), "score", "--model", REPO / "models" / "default.model", src, "--format", "jsonl",
                          "--rejects", "-", "--quiet"], capture_output=True, text=True)
    assert out.returncode == 2, out.stderr
    cli_rejects = [json.loads(l) for l in out.stdout.splitlines() if '"rejected"' in l]
    table, rejects = stance.Model.default().score(bad, rejects=True)
    assert table.column("article_id").to_pylist() == ["a", "a"]
    assert rejects.column("row").to_pylist() == [2, 3, 4]
    assert rejects.column("article_id").to_pylist() == [r.get("article_id") for r in cli_rejects]
    assert rejects.column("reason").to_pylist() == [r["reason"] for r in cli_rejects]
    assert rejects.column("reason").to_pylist() == ["missing id", "missing text", "empty text"]
