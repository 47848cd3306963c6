"""stance: which topic each statement of a news article is about, and which side it takes.

The same Rust engine as the ``stance`` command line; this package only
converts Python data to it and back. Errors: :class:`DataError` (bad input
data), :class:`ModelError` (unusable model file), ``ValueError`` (a parameter
out of range), ``OSError`` (a file), all with the CLI's messages.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import numpy as np
import pyarrow as pa

from . import _stance
from ._stance import DataError, ModelError, StanceError

__all__ = ["Model", "train", "report", "DataError", "ModelError", "StanceError", "DEFAULT_MAX_MODEL_BYTES"]

DEFAULT_MAX_MODEL_BYTES = 2 * 1024**3

_ARTICLE_FIELDS = ("id", "text", "date", "source", "title")


def _strings(values: Any, what: str) -> list:
    """A column (list, pandas/polars Series, pyarrow array) as a list of str or None."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = values.to_pylist()
    elif hasattr(values, "to_list"):  # pandas, polars
        values = values.to_list()
    elif isinstance(values, str):
        raise TypeError(f"{what}: expected a sequence of str, got one str")
    out = []
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and v != v):
            out.append(None)
        elif isinstance(v, str):
            out.append(v)
        else:
            raise TypeError(f"{what}: value {i + 1} (1-based) is {type(v).__name__}, expected str")
    return out


def _columns(data: Any) -> Optional[dict]:
    """A table (pyarrow Table, pandas/polars DataFrame) as {name: column}, else None."""
    if isinstance(data, pa.Table):
        return {n: data.column(n) for n in data.column_names}
    if hasattr(data, "columns") and hasattr(data, "__getitem__") and not isinstance(data, (list, tuple)):
        return {str(n): data[n] for n in data.columns}
    return None


def _texts(texts: Any) -> list:
    cols = _columns(texts)
    if cols is not None:
        if "text" not in cols:
            raise DataError(f"missing column 'text'; the table has: {', '.join(cols)}")
        texts = cols["text"]
    out = _strings(texts, "texts")
    return ["" if t is None else t for t in out]


class Model:
    """A trained stance model: a topic head and a stance head per topic."""

    def __init__(self, native: "_stance.NativeModel", path: Optional[str] = None):
        self._native = native
        # The file it was loaded from, for the provenance of reports.
        self._path = path

    @staticmethod
    def load(path: "str | os.PathLike", *, max_model_bytes: int = DEFAULT_MAX_MODEL_BYTES) -> "Model":
        """Loads a model file (refuses damaged, newer-format or too large files: ModelError)."""
        return Model(_stance.NativeModel.load(os.fspath(path), max_model_bytes), os.fspath(path))

    @staticmethod
    def default() -> "Model":
        """The shipped model (news about Iran-Iraq relations, Palestine, the coalition's withdrawal)."""
        return Model.load(Path(__file__).with_name("default.model"))

    def save(self, path: "str | os.PathLike") -> None:
        """Writes the model file atomically (same bytes as ``stance train`` writes)."""
        self._native.save(os.fspath(path))

    def to_bytes(self) -> bytes:
        """The model file's bytes."""
        return self._native.to_bytes()

    @property
    def topics(self) -> list:
        """The topic labels, in the model's order (the columns of predict_proba)."""
        return self._native.topics()

    @property
    def stance_labels(self) -> dict:
        """Per topic, the labels of its stance head (empty for a topic-only model)."""
        return dict(zip(self.topics, self._native.stance_labels()))

    def info(self) -> dict:
        """Labels, analyzer settings, vocabulary size and training metadata."""
        return json.loads(self._native.info_json())

    def score(
        self,
        articles: Any,
        *,
        ids: Optional[Sequence[str]] = None,
        split: bool = True,
        min_confidence: Optional[float] = None,
        explain: int = 0,
        round: bool = False,
        rejects: bool = False,
    ) -> "pa.Table | tuple[pa.Table, pa.Table]":
        """Scores articles; returns a pyarrow.Table with one row per statement.

        ``articles``: a list of str, a pandas/polars Series, a pyarrow array,
        or a table (pyarrow Table, pandas/polars DataFrame) with ``text`` and
        optionally ``id``, ``date``, ``source``, ``title`` columns. Without
        ids the articles are numbered "1", "2", ... as ``stance score -
        --input-format txt`` numbers lines. Articles with a blank text give no
        statements (``stance score`` rejects them).

        The columns are exactly those of ``stance score --format jsonl``:
        article_id, sentence, start, end, text, topic, topic_prob, stance,
        stance_prob, date, source, best_topic, min_confidence, topic_probs
        (struct: one field per topic), stance_probs (struct: a field per
        stance label; null for labels the head lacks), and with
        ``explain=K`` topic_terms and stance_terms (lists of {term,
        contribution}). Probabilities are as computed; the CLI prints them
        rounded to 4 decimals; ``round=True`` rounds them so (the values a
        reader of ``stance score --format jsonl`` or ``--out x.parquet``
        gets). ``split=False`` scores each text as one statement.

        ``rejects=True`` returns ``(statements, rejects)``: rejects is a
        table of the articles ``stance score`` would reject (``row``, the
        1-based index; ``article_id``; ``reason``: "missing id", "missing
        text", "empty text"). Without it a blank text gives no statements and
        a missing id raises DataError.
        """
        fields = {}
        cols = _columns(articles)
        if cols is not None:
            if "text" not in cols:
                raise DataError(f"missing column 'text'; the table has: {', '.join(cols)}")
            for f in _ARTICLE_FIELDS:
                if f in cols:
                    fields[f] = _strings(cols[f], f) if f != "id" else _ids(cols[f])
        else:
            fields["text"] = _strings(articles, "articles")
        texts = fields["text"]
        if ids is not None:
            fields["id"] = _ids(ids)
        id_list = fields.get("id")
        if explain < 0:
            raise ValueError(f"explain must be at least 0, got {explain}")
        raw, rejected = self._native.score(
            texts,
            id_list,
            fields.get("date"),
            fields.get("source"),
            fields.get("title"),
            bool(split),
            None if min_confidence is None else float(min_confidence),
            int(explain) if explain else None,
            bool(round),
            bool(rejects),
        )
        table = pa.ipc.open_stream(pa.py_buffer(raw)).read_all()
        if not rejects:
            return table
        rows, ids_, reasons = zip(*rejected) if rejected else ((), (), ())
        return table, pa.table({"row": pa.array(rows, pa.uint64()), "article_id": pa.array(ids_, pa.string()),
                                "reason": pa.array(reasons, pa.string())})

    def predict_proba(self, texts: Any) -> np.ndarray:
        """Topic probabilities of each text scored as one statement: shape (n, len(topics))."""
        raw, _, _ = self._native.predict_raw(_texts(texts))
        return np.frombuffer(raw, dtype="<f8").reshape(-1, len(self.topics)).copy()

    def predict(self, texts: Any, *, stance: bool = False):
        """The topic of each text scored as one statement (numpy array of str);
        with ``stance=True`` a pair (topics, stances), stances None without a stance head."""
        _, best, stances = self._native.predict_raw(_texts(texts))
        topics = np.array(self.topics, dtype=object)[np.asarray(best, dtype=np.intp)] if best else np.array([], dtype=object)
        if stance:
            return topics, np.array(stances, dtype=object)
        return topics

    def evaluate(self, data: Any, *, text: str = "text", topic: str = "topic", stance: str = "stance") -> dict:
        """Scores the model on labelled data (a DataFrame, pyarrow Table or CSV path):
        exactly the object ``stance evaluate --json`` prints."""
        if isinstance(data, (str, os.PathLike)):
            return json.loads(self._native.evaluate_csv(os.fspath(data), text, topic, stance))
        t, tp, st = _labelled(data, text, topic, stance)
        return json.loads(self._native.evaluate_json(t, tp, st))


def _ids(values: Any) -> list:
    """Article ids as str (numbers as their text), missing ones (None, NaN) as None."""
    return [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in _plain(values)]


def _plain(values: Any) -> list:
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values.to_pylist()
    if hasattr(values, "to_list"):
        return values.to_list()
    return list(values)


def _labelled(data: Any, text: str, topic: str, stance: Optional[str]):
    cols = _columns(data)
    if cols is None:
        raise TypeError("data: expected a pandas/polars DataFrame, a pyarrow Table or a CSV path")
    for name in (text, topic):
        if name not in cols:
            raise DataError(f"missing column {name!r}; the table has: {', '.join(cols)}")

    def col(name):
        return ["" if v is None else v for v in _strings(cols[name], name)]

    st = col(stance) if stance is not None and stance in cols else None
    return col(text), col(topic), st


def train(
    data: Any,
    *,
    text: str = "text",
    topic: str = "topic",
    stance: Optional[str] = "stance",
    language: str = "english",
    stem: bool = True,
    stop_words: bool = False,
    ngram_max: int = 2,
    char_ngrams: "Optional[tuple[int, int] | str]" = None,
    min_df: "int | float" = 2,
    max_df: "int | float" = 1.0,
    max_features: Optional[int] = None,
    sublinear_tf: bool = False,
    c: Optional[float] = None,
    c_grid: Optional[Sequence[float]] = None,
    cv: int = 5,
    class_weight: Optional[str] = None,
    max_iter: int = 1000,
    tol: float = 1e-4,
    favor_label: Optional[str] = None,
    against_label: Optional[str] = None,
    neutral_label: Optional[str] = None,
    verbose: bool = False,
) -> Model:
    """Trains a model, as ``stance train`` does with the same parameters.

    ``data``: a pandas/polars DataFrame, a pyarrow Table, or the path of a
    labelled CSV. Without a ``stance`` column (or ``stance=None``) the model
    is topic-only. The model file is byte-identical to ``stance train``'s on
    a CSV of the same rows (for a DataFrame: the CSV of its text, topic and
    stance columns, e.g. ``df[[text, topic, stance]].to_csv(index=False)``).
    ``favor_label``, ``against_label``, ``neutral_label`` name the stance
    labels with those roles (``stance train --favor-label`` etc.); each must
    be a stance label of the data, exactly, and one label cannot have two
    roles. Unnamed roles are found by name (favor or favour, against,
    neutral or none, any case).

    Raises DataError for unusable rows (naming the record, or the file and
    line), ValueError for a parameter out of range.
    """
    if isinstance(char_ngrams, str):
        a, _, b = char_ngrams.partition("-")
        try:
            char_ngrams = (int(a), int(b))
        except ValueError:
            raise ValueError(f"char_ngrams: {char_ngrams!r}: expected MIN-MAX, e.g. 2-5") from None
    def df_bound(name, v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"{name}: expected an int (count) or a float (fraction), got {v!r}")
        return str(v) if isinstance(v, int) else repr(float(v))
    def label(name, v):
        if v is not None and not isinstance(v, str):
            raise ValueError(f"{name}: expected a str (a stance label) or None, got {v!r}")
        return v
    params = dict(
        language=language,
        stem=bool(stem),
        stop_words=bool(stop_words),
        ngram_max=int(ngram_max),
        char_ngrams=None if char_ngrams is None else (int(char_ngrams[0]), int(char_ngrams[1])),
        min_df=df_bound("min_df", min_df),
        max_df=df_bound("max_df", max_df),
        max_features=max_features,
        sublinear_tf=bool(sublinear_tf),
        c=None if c is None else float(c),
        c_grid=None if c_grid is None else [float(x) for x in c_grid],
        cv=int(cv),
        class_weight="none" if class_weight is None else str(class_weight),
        max_iter=int(max_iter),
        tol=float(tol),
        favor_label=label("favor_label", favor_label),
        against_label=label("against_label", against_label),
        neutral_label=label("neutral_label", neutral_label),
    )
    cols = (text, topic, stance if stance is not None else "\0no stance column")
    if isinstance(data, (str, os.PathLike)):
        native, log = _stance.train_model(os.fspath(data), None, None, None, *cols, params)
    else:
        t, tp, st = _labelled(data, text, topic, stance)
        native, log = _stance.train_model(None, t, tp, st, *cols, params)
    if verbose:
        for line in log:
            print(line)
    return Model(native)


_REPORT_FORMATS = ("json", "html", "md", "markdown", "csv", "table")


def _table(data: Any) -> pa.Table:
    """Statements (pyarrow Table or RecordBatch, pandas/polars DataFrame, list of dicts) as a pyarrow Table."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if hasattr(data, "to_arrow"):  # polars
        return data.to_arrow()
    if hasattr(data, "columns") and hasattr(data, "to_dict"):  # pandas
        return pa.Table.from_pandas(data, preserve_index=False)
    if isinstance(data, list):
        return pa.Table.from_pylist(data)
    raise TypeError("statements: expected a pyarrow Table, a pandas/polars DataFrame or a list of dicts")


def _statement_columns(table: pa.Table) -> pa.Table:
    """The table's statement columns, cast to the types the report reads
    (the library's statement schema); dates as YYYY-MM-DD text."""
    import pyarrow.compute as pc

    schema = pa.ipc.open_stream(pa.py_buffer(_stance.statement_columns_ipc())).schema
    names, arrays = [], []
    for field in schema:
        if field.name not in table.column_names:
            continue  # the report names a missing required column
        col = table.column(field.name)
        if col.type != field.type:
            try:
                if pa.types.is_date(col.type) or pa.types.is_timestamp(col.type):
                    col = pc.strftime(col, format="%Y-%m-%d")
                col = col.cast(field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
                raise DataError(f"statements: column {field.name!r} is {col.type}, expected {field.type}: {e}") from None
        names.append(field.name)
        arrays.append(col)
    return pa.table(arrays, names=names)


def report(
    statements: Any,
    *,
    by: "str | Sequence[str]" = (),
    period: Optional[str] = None,
    min_confidence: float = 0.5,
    examples: int = 3,
    model: Optional[Model] = None,
    top_terms: Optional[int] = None,
    format: str = "json",
) -> str:
    """The report of scored statements, as ``stance report`` writes it.

    ``statements``: what :meth:`Model.score` returns, or any table with its
    columns (pyarrow Table, pandas/polars DataFrame, e.g. read from the CSV,
    JSON Lines or Parquet files ``stance score`` writes). ``by``: break the
    statistics down by ``"source"``, ``"date"`` and/or ``"article"``;
    ``period``: ``"day"``, ``"week"`` or ``"month"`` (the default) for the
    date. ``model``: check the topics against it and use its stance roles;
    ``top_terms=K`` shows its K highest-weighted terms. ``format``: ``"json"``
    (the ``stance-report/1`` schema of ``stance report --format json``),
    ``"html"``, ``"md"``, ``"csv"`` or ``"table"``.

    Returns the report's text. Rows with a value out of range are rejected:
    listed in the report's problems (file ``statements``, line = 1-based
    row) and a ``UserWarning`` says how many. Raises DataError for a missing
    column, a null required value, or topics the model lacks; ValueError for
    an option out of range.
    """
    if format not in _REPORT_FORMATS:
        raise ValueError(f"format: {format!r}: expected one of {', '.join(_REPORT_FORMATS)}")
    if isinstance(by, str):
        by = [by]
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 0:
        raise ValueError(f"examples must be a whole number at least 0, got {examples!r}")
    if top_terms is not None and (isinstance(top_terms, bool) or not isinstance(top_terms, int) or top_terms < 0):
        raise ValueError(f"top_terms must be a whole number at least 1, got {top_terms!r}")
    if model is not None and not isinstance(model, Model):
        raise TypeError(f"model: expected a stance.Model, got {type(model).__name__}")
    table = _statement_columns(_table(statements))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    import sys

    text, rejected, read = _stance.report(
        sink.getvalue().to_pybytes(),
        [str(b) for b in by],
        period,
        float(min_confidence),
        examples,
        None if model is None else model._native,
        None if model is None else model._path,
        top_terms,
        format,
        ["python", *sys.argv],
    )
    if rejected:
        import warnings

        warnings.warn(f"stance.report: {rejected} of {read} rows rejected (see the problems section)", stacklevel=2)
    return text
