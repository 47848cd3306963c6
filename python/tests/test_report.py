"""stance.report against `stance report` (#16): the same statements give the
same JSON report, whether they come from the CLI's JSON Lines (read by
pandas), its Parquet (read by pyarrow) or model.score; every format renders;
bad rows are listed with their row; bad options raise."""

import json
import warnings

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import stance
from test_stance import REPO, cli

MODEL = REPO / "models" / "default.model"
ARTICLES = REPO / "data" / "articles" / "articles.csv"


def stats(report_json: str) -> dict:
    """The report without its provenance (command line, time, inputs differ by design)."""
    v = json.loads(report_json)
    assert v["provenance"] is not None
    v.pop("provenance")
    return v


def cli_report(path, *args):
    return stats(cli("report", path, "--format", "json", *args).stdout)


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    d = tmp_path_factory.mktemp("scored")
    cli("score", "--model", MODEL, ARTICLES, "--out", d / "s.jsonl", "--format", "jsonl", "--quiet")
    cli("score", "--model", MODEL, ARTICLES, "--out", d / "s.parquet", "--quiet")
    return d


OPTIONS = [
    ([], dict()),
    (["--by", "source", "--by", "date", "--period", "week", "--examples", "2"],
     dict(by=["source", "date"], period="week", examples=2)),
    (["--model", MODEL, "--top-terms", "3", "--min-confidence", "0.7", "--by", "article"],
     dict(model=stance.Model.load(MODEL), top_terms=3, min_confidence=0.7, by="article")),
]


@pytest.mark.parametrize("cli_args,kw", OPTIONS)
def test_json_equals_the_cli(scored, cli_args, kw):
    want = cli_report(scored / "s.jsonl", *cli_args)
    # Note: pandas parses the date column into timestamps (the package writes
    # them back as dates); precise_float, or its parser is off in the last bit.
    df = pd.read_json(scored / "s.jsonl", lines=True, dtype={"article_id": str}, precise_float=True)
    got = stats(stance.report(df, format="json", **kw))
    assert got == want
    got = stats(stance.report(pq.read_table(scored / "s.parquet"), **kw))
    assert got == cli_report(scored / "s.parquet", *cli_args) == want


def test_model_score_table_equals_the_cli(scored):
    """The package's own table; rounded as the CLI prints, it is the CLI's statements."""
    arts = pd.read_csv(ARTICLES, dtype=str)
    table = stance.Model.default().score(arts)
    for name in ("topic_prob", "stance_prob"):
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, pc.round(table.column(name), 4))
    want = cli_report(scored / "s.jsonl", "--by", "source")
    assert stats(stance.report(table, by="source")) == want
    # Unrounded, the counts are the same (only means may differ in the last digits).
    raw = json.loads(stance.report(stance.Model.default().score(arts)))
    assert raw["totals"] == want["totals"]


def test_every_format_renders(scored):
    table = pq.read_table(scored / "s.parquet")
    for fmt, flag in [("html", "html"), ("md", "markdown"), ("csv", "csv"), ("table", "table")]:
        text = stance.report(table, format=fmt, by="date", examples=1)
        assert "palestine" in text, fmt
        out = cli("report", scored / "s.parquet", "--format", flag, "--by", "date", "--examples", "1").stdout
        if fmt == "html":
            # Note: the CLI's provenance table has a row per input file; the package's has none.
            assert text.startswith("<!DOCTYPE html>") and text.count("<svg") == out.count("<svg")
        else:
            assert text == out, fmt


def test_bad_rows_are_listed_with_their_row(scored):
    df = pd.read_json(scored / "s.jsonl", lines=True, dtype={"article_id": str}, precise_float=True).head(5)
    df.loc[2, "topic_prob"] = 1.5
    with pytest.warns(UserWarning, match="1 of 5 rows rejected"):
        v = json.loads(stance.report(df))
    assert v["totals"]["rows_used"] == 4
    [p] = v["problems"]["listed"]
    assert (p["file"], p["line"]) == ("statements", 3)


def test_bad_input_and_options_raise(scored):
    table = pq.read_table(scored / "s.parquet")
    with pytest.raises(stance.DataError, match="missing column \"topic\""):
        stance.report(table.drop_columns(["topic"]))
    with pytest.raises(stance.DataError, match="row 2 \\(1-based\\): \"text\" is null"):
        stance.report(pa.Table.from_pylist([dict(r, text=None if i == 1 else r["text"])
                                            for i, r in enumerate(table.slice(0, 3).to_pylist())]))
    with pytest.raises(stance.DataError, match="column 'sentence'"):
        stance.report(table.set_column(1, "sentence", pa.array(["x"] * table.num_rows)))
    with pytest.raises(ValueError, match="by: \"topic\""):
        stance.report(table, by="topic")
    with pytest.raises(ValueError, match="period only applies"):
        stance.report(table, period="week")
    with pytest.raises(ValueError, match="min confidence"):
        stance.report(table, min_confidence=1.5)
    with pytest.raises(ValueError, match="top_terms needs model"):
        stance.report(table, top_terms=2)
    with pytest.raises(ValueError, match="format"):
        stance.report(table, format="pdf")
    other = table.set_column(table.schema.get_field_index("topic"), "topic", pa.array(["Sports"] * table.num_rows))
    with pytest.raises(stance.DataError, match=f"{table.num_rows} statements have topics that the model lacks: Sports"):
        stance.report(other, model=stance.Model.default())
