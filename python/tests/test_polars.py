"""polars in and out (#16): model.score on a polars Series and DataFrame
gives the rows it gives for pandas; polars.from_arrow reads the result;
train from a polars DataFrame is the CLI's model; report over a polars
DataFrame equals the report over the same pyarrow table."""

import json

import pandas as pd
import polars as pl

import stance
from test_stance import REPO, SHARED, cli

ARTICLES = REPO / "data" / "articles" / "articles.csv"


def test_score_polars_series_and_data_frame():
    m = stance.Model.default()
    arts = pd.read_csv(ARTICLES, dtype=str)
    want = m.score(arts)
    df = pl.read_csv(ARTICLES, infer_schema=False)  # all columns str, as dtype=str
    assert m.score(df).equals(want)
    texts = df["text"].head(10)
    assert m.score(texts).equals(m.score(arts["text"].head(10)))
    out = pl.from_arrow(want)
    assert out.height == want.num_rows == 334
    assert out.columns == want.column_names
    assert out["topic_probs"].dtype == pl.Struct
    assert out["topic"].to_list() == want.column("topic").to_pylist()
    p = m.predict_proba(texts)
    assert p.shape == (10, len(m.topics))
    # report reads a polars DataFrame (string columns as polars stores them).
    assert json.loads(stance.report(out))["topics"] == json.loads(stance.report(want))["topics"]


def test_train_from_a_polars_data_frame_is_the_cli_model(tmp_path):
    df = pl.read_csv(SHARED / "semeval2016_task6" / "train.csv", n_rows=300)
    csv = tmp_path / "train.csv"
    df.select("text", "target", "stance").write_csv(csv)
    out = tmp_path / "cli.model"
    cli("train", "--data", csv, "--out", out, "--topic-col", "target", "--c", "1")
    assert stance.train(df, topic="target", c=1.0).to_bytes() == out.read_bytes()
