//! Statements as Arrow columns: the one Arrow schema of a statement, for the
//! Python package (and Parquet files) alike.
//!
//! The columns are those of `stance score --format jsonl`, in its order:
//! [`STATEMENT_COLUMNS`], then `topic_probs` (a struct with one `float64`
//! field per topic, in the model's order) and `stance_probs` (a struct with a
//! field per stance label of any head, in order of first appearance; `null`
//! for a label the statement's head does not have, and the whole value `null`
//! without stance), then with explanations [`EXPLAIN_COLUMNS`], each a list of
//! `{term, contribution}`.
//!
//! Note: to add a column, add it to [`STATEMENT_COLUMNS`] and give it an arm
//! in [`scalar_column`] (its Arrow type and values) and in
//! [`statements_from_batch`] (reading it back, if a reader needs it); the
//! test below fails until both exist.

use std::io::Cursor;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, StringBuilder, UInt64Builder};
use arrow_array::{
    Array, ArrayRef, Float64Array, ListArray, RecordBatch, StringArray, StructArray, UInt64Array,
};
use arrow_schema::{ArrowError, DataType, Field, Fields, Schema, SchemaRef};

use super::schema::{EXPLAIN_COLUMNS, OPTIONAL_COLUMNS, STATEMENT_COLUMNS};
use super::statement::{Labels, Statement};

/// What an Arrow conversion of statements failed on.
#[derive(Debug, thiserror::Error)]
pub enum ArrowStatementError {
    /// The Arrow library refused the columns or bytes.
    #[error("arrow: {0}")]
    Arrow(#[from] ArrowError),
    /// A required column is not in the table.
    #[error("missing column {column:?}; the table has: {available}")]
    MissingColumn {
        /// The column required.
        column: String,
        /// The table's columns, comma-separated.
        available: String,
    },
    /// A column has another type than the schema's.
    #[error("column {column:?} is {found}, expected {expected}")]
    WrongType {
        /// The column.
        column: String,
        /// Its type.
        found: String,
        /// The schema's type.
        expected: String,
    },
    /// A required value is null.
    #[error("row {row} (1-based): {column:?} is null")]
    Null {
        /// 1-based row of the table.
        row: usize,
        /// The column.
        column: String,
    },
}

/// The stance labels of any head, in order of first appearance.
fn stance_fields(labels: &Labels) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in labels.stances.iter().flatten() {
        if !out.contains(l) {
            out.push(l.clone());
        }
    }
    out
}

/// The Arrow type of one scalar statement column.
fn scalar_type(name: &str) -> DataType {
    match name {
        "sentence" | "start" | "end" | "known_terms" => DataType::UInt64,
        "topic_prob" | "stance_prob" | "min_confidence" => DataType::Float64,
        _ => DataType::Utf8,
    }
}

/// Whether a scalar column can be null.
fn scalar_nullable(name: &str) -> bool {
    matches!(name, "stance" | "stance_prob") || OPTIONAL_COLUMNS.contains(&name)
}

/// The `{term, contribution}` list type of the explanation columns.
fn terms_type() -> DataType {
    let item = Fields::from(vec![
        Field::new("term", DataType::Utf8, false),
        Field::new("contribution", DataType::Float64, false),
    ]);
    DataType::List(Arc::new(Field::new("item", DataType::Struct(item), false)))
}

/// A struct type with one nullable `float64` field per name.
fn probs_type(names: &[String]) -> DataType {
    DataType::Struct(
        names
            .iter()
            .map(|n| Field::new(n, DataType::Float64, true))
            .collect(),
    )
}

/// The schema of statement tables for a model with `labels`; `explain` adds the term columns.
pub fn statement_schema(labels: &Labels, explain: bool) -> SchemaRef {
    let mut fields: Vec<Field> = STATEMENT_COLUMNS
        .iter()
        .map(|&c| Field::new(c, scalar_type(c), scalar_nullable(c)))
        .collect();
    fields.push(Field::new("topic_probs", probs_type(&labels.topics), false));
    fields.push(Field::new(
        "stance_probs",
        probs_type(&stance_fields(labels)),
        true,
    ));
    if explain {
        for c in EXPLAIN_COLUMNS {
            fields.push(Field::new(c, terms_type(), false));
        }
    }
    Arc::new(Schema::new(fields))
}

/// One scalar column of `rows`.
fn scalar_column(name: &str, rows: &[Statement]) -> ArrayRef {
    let strs = |f: &dyn Fn(&Statement) -> Option<&str>| -> ArrayRef {
        let mut b = StringBuilder::with_capacity(rows.len(), 0);
        rows.iter().for_each(|r| b.append_option(f(r)));
        Arc::new(b.finish())
    };
    let uints = |f: &dyn Fn(&Statement) -> usize| -> ArrayRef {
        let mut b = UInt64Builder::with_capacity(rows.len());
        rows.iter().for_each(|r| b.append_value(f(r) as u64));
        Arc::new(b.finish())
    };
    let floats = |f: &dyn Fn(&Statement) -> Option<f64>| -> ArrayRef {
        let mut b = Float64Builder::with_capacity(rows.len());
        rows.iter().for_each(|r| b.append_option(f(r)));
        Arc::new(b.finish())
    };
    match name {
        "article_id" => strs(&|r| Some(&r.article_id)),
        "sentence" => uints(&|r| r.sentence),
        "start" => uints(&|r| r.start),
        "end" => uints(&|r| r.end),
        "text" => strs(&|r| Some(&r.text)),
        "topic" => strs(&|r| Some(&r.topic)),
        "topic_prob" => floats(&|r| Some(r.topic_prob)),
        "stance" => strs(&|r| r.stance.as_deref()),
        "stance_prob" => floats(&|r| r.stance_prob),
        "date" => strs(&|r| r.date.as_deref()),
        "source" => strs(&|r| r.source.as_deref()),
        "best_topic" => strs(&|r| Some(&r.best_topic)),
        "min_confidence" => floats(&|r| r.min_confidence),
        "known_terms" => {
            let mut b = UInt64Builder::with_capacity(rows.len());
            rows.iter()
                .for_each(|r| b.append_option(r.known_terms.map(|k| k as u64)));
            Arc::new(b.finish())
        }
        "language" => strs(&|r| r.language.as_deref()),
        // Note: a column of STATEMENT_COLUMNS without an arm here is all null;
        // the test below catches it.
        _ => arrow_array::new_null_array(&scalar_type(name), rows.len()),
    }
}

/// A struct column of probabilities: field `names[j]` is the probability of
/// that label in `probs(row)`, null where the row has none; the whole value
/// null where `probs(row)` is `None`.
fn probs_column(
    names: &[String],
    rows: &[Statement],
    probs: impl Fn(&Statement) -> Option<&[(String, f64)]>,
) -> ArrayRef {
    let DataType::Struct(fields) = probs_type(names) else {
        unreachable!("probs_type is a struct")
    };
    let columns: Vec<ArrayRef> = names
        .iter()
        .map(|name| {
            let mut b = Float64Builder::with_capacity(rows.len());
            for r in rows {
                b.append_option(
                    probs(r).and_then(|p| p.iter().find(|(l, _)| l == name).map(|(_, x)| *x)),
                );
            }
            Arc::new(b.finish()) as ArrayRef
        })
        .collect();
    let valid: Vec<bool> = rows.iter().map(|r| probs(r).is_some()).collect();
    let nulls = valid
        .iter()
        .any(|v| !v)
        .then(|| arrow_buffer::NullBuffer::from(valid));
    if fields.is_empty() {
        return Arc::new(StructArray::new_empty_fields(rows.len(), nulls));
    }
    Arc::new(StructArray::new(fields, columns, nulls))
}

/// A `{term, contribution}` list column.
fn terms_column(rows: &[Statement], terms: impl Fn(&Statement) -> &[(String, f64)]) -> ArrayRef {
    let DataType::List(item) = terms_type() else {
        unreachable!("terms_type is a list")
    };
    let DataType::Struct(fields) = item.data_type().clone() else {
        unreachable!("terms are structs")
    };
    let (mut t, mut c) = (StringBuilder::new(), Float64Builder::new());
    let mut offsets = vec![0i32];
    for r in rows {
        for (term, contribution) in terms(r) {
            t.append_value(term);
            c.append_value(*contribution);
        }
        offsets.push(offsets.last().copied().unwrap_or(0) + terms(r).len() as i32);
    }
    let values = StructArray::new(
        fields,
        vec![Arc::new(t.finish()), Arc::new(c.finish())],
        None,
    );
    Arc::new(ListArray::new(
        item,
        arrow_buffer::OffsetBuffer::new(offsets.into()),
        Arc::new(values),
        None,
    ))
}

/// `rows` as one record batch of [`statement_schema`]`(labels, explain)`.
///
/// Probabilities are as the statements hold them (from a scorer: as
/// computed; `stance score` prints them rounded to 4 decimals).
pub fn statement_batch(
    rows: &[Statement],
    labels: &Labels,
    explain: bool,
) -> Result<RecordBatch, ArrowStatementError> {
    let schema = statement_schema(labels, explain);
    let mut columns: Vec<ArrayRef> = STATEMENT_COLUMNS
        .iter()
        .map(|c| scalar_column(c, rows))
        .collect();
    columns.push(probs_column(&labels.topics, rows, |r| {
        Some(r.topic_probs.as_slice())
    }));
    columns.push(probs_column(&stance_fields(labels), rows, |r| {
        r.stance.as_ref().map(|_| r.stance_probs.as_slice())
    }));
    if explain {
        columns.push(terms_column(rows, |r| &r.topic_terms));
        columns.push(terms_column(rows, |r| &r.stance_terms));
    }
    Ok(RecordBatch::try_new(schema, columns)?)
}

/// Record batches as the bytes of one Arrow IPC stream (what
/// `pyarrow.ipc.open_stream` reads).
pub fn ipc_stream(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Vec<u8>, ArrowError> {
    let mut w = arrow_ipc::writer::StreamWriter::try_new(Vec::new(), schema)?;
    for b in batches {
        w.write(b)?;
    }
    w.finish()?;
    w.into_inner()
}

/// The record batches of an Arrow IPC stream.
pub fn read_ipc_stream(bytes: &[u8]) -> Result<Vec<RecordBatch>, ArrowError> {
    arrow_ipc::reader::StreamReader::try_new(Cursor::new(bytes), None)?.collect()
}

/// The statements of a batch with the statement columns (as `stance
/// report` reads them: the probability maps and terms are left empty);
/// `first_row` is the 1-based number of its first row, for errors.
///
/// Required are the columns that [`ScoredReader`](super::ScoredReader)
/// requires of a CSV file; [`OPTIONAL_COLUMNS`] may be missing. Other
/// columns are ignored.
pub fn statements_from_batch(
    batch: &RecordBatch,
    first_row: usize,
) -> Result<Vec<Statement>, ArrowStatementError> {
    let schema = batch.schema();
    let available = || {
        schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let column = |name: &str| -> Result<Option<&ArrayRef>, ArrowStatementError> {
        let Some(c) = batch.column_by_name(name) else {
            if OPTIONAL_COLUMNS.contains(&name) {
                return Ok(None);
            }
            return Err(ArrowStatementError::MissingColumn {
                column: name.into(),
                available: available(),
            });
        };
        let expected = scalar_type(name);
        if c.data_type() != &expected {
            return Err(ArrowStatementError::WrongType {
                column: name.into(),
                found: c.data_type().to_string(),
                expected: expected.to_string(),
            });
        }
        Ok(Some(c))
    };
    let strs = |name: &str| -> Result<Option<&StringArray>, ArrowStatementError> {
        Ok(column(name)?.and_then(|c| c.as_any().downcast_ref::<StringArray>()))
    };
    let uints = |name: &str| -> Result<Option<&UInt64Array>, ArrowStatementError> {
        Ok(column(name)?.and_then(|c| c.as_any().downcast_ref::<UInt64Array>()))
    };
    let floats = |name: &str| -> Result<Option<&Float64Array>, ArrowStatementError> {
        Ok(column(name)?.and_then(|c| c.as_any().downcast_ref::<Float64Array>()))
    };
    let (article_id, text, topic, best_topic) = (
        strs("article_id")?,
        strs("text")?,
        strs("topic")?,
        strs("best_topic")?,
    );
    let (stance, date, source) = (strs("stance")?, strs("date")?, strs("source")?);
    let (sentence, start, end) = (uints("sentence")?, uints("start")?, uints("end")?);
    let (known_terms, language) = (uints("known_terms")?, strs("language")?);
    let (topic_prob, stance_prob, min_confidence) = (
        floats("topic_prob")?,
        floats("stance_prob")?,
        floats("min_confidence")?,
    );
    let opt_str = |a: Option<&StringArray>, i: usize| {
        a.filter(|a| a.is_valid(i)).map(|a| a.value(i).to_string())
    };
    let opt_f64 =
        |a: Option<&Float64Array>, i: usize| a.filter(|a| a.is_valid(i)).map(|a| a.value(i));
    let opt_u64 =
        |a: Option<&UInt64Array>, i: usize| a.filter(|a| a.is_valid(i)).map(|a| a.value(i));
    let mut out = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        let row = first_row + i;
        let null = |column: &str| ArrowStatementError::Null {
            row,
            column: column.into(),
        };
        let need_str =
            |a: Option<&StringArray>, name: &str| opt_str(a, i).ok_or_else(|| null(name));
        let need_u64 = |a: Option<&UInt64Array>, name: &str| {
            opt_u64(a, i).map(|v| v as usize).ok_or_else(|| null(name))
        };
        out.push(Statement {
            article_id: need_str(article_id, "article_id")?,
            sentence: need_u64(sentence, "sentence")?,
            start: need_u64(start, "start")?,
            end: need_u64(end, "end")?,
            text: need_str(text, "text")?,
            topic: need_str(topic, "topic")?,
            topic_prob: opt_f64(topic_prob, i).ok_or_else(|| null("topic_prob"))?,
            stance: opt_str(stance, i),
            stance_prob: opt_f64(stance_prob, i),
            date: opt_str(date, i),
            source: opt_str(source, i),
            best_topic: need_str(best_topic, "best_topic")?,
            min_confidence: opt_f64(min_confidence, i),
            known_terms: opt_u64(known_terms, i).map(|v| v as usize),
            language: opt_str(language, i),
            ..Statement::default()
        });
    }
    Ok(out)
}

/// `rows` as the bytes of an Arrow IPC stream of one [`statement_batch`].
pub fn statements_to_ipc(
    rows: &[Statement],
    labels: &Labels,
    explain: bool,
) -> Result<Vec<u8>, ArrowStatementError> {
    let batch = statement_batch(rows, labels, explain)?;
    Ok(ipc_stream(
        batch.schema_ref(),
        std::slice::from_ref(&batch),
    )?)
}

/// The statements of an Arrow IPC stream (see [`statements_from_batch`]).
pub fn statements_from_ipc(bytes: &[u8]) -> Result<Vec<Statement>, ArrowStatementError> {
    let mut out = Vec::new();
    for batch in read_ipc_stream(bytes)? {
        out.extend(statements_from_batch(&batch, out.len() + 1)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Labels {
        Labels {
            topics: vec!["gaza".into(), "other".into()],
            stances: vec![
                vec!["against".into(), "favor".into()],
                vec!["neutral".into()],
            ],
        }
    }

    fn statement(i: usize) -> Statement {
        Statement {
            article_id: format!("a{i}"),
            sentence: i + 1,
            start: 3 * i,
            end: 3 * i + 2,
            text: format!("s{i}"),
            topic: "gaza".into(),
            topic_prob: 0.75,
            stance: i.is_multiple_of(2).then(|| "favor".into()),
            stance_prob: i.is_multiple_of(2).then_some(0.6),
            date: Some("2024-01-02".into()),
            source: None,
            best_topic: "gaza".into(),
            min_confidence: Some(0.5),
            topic_probs: vec![("gaza".into(), 0.75), ("other".into(), 0.25)],
            stance_probs: if i.is_multiple_of(2) {
                vec![("against".into(), 0.4), ("favor".into(), 0.6)]
            } else {
                vec![]
            },
            topic_terms: vec![("gaza".into(), 0.5)],
            stance_terms: vec![],
            known_terms: Some(i + 3),
            language: Some("eng".into()),
        }
    }

    #[test]
    fn every_column_has_a_value_and_reads_back() {
        let rows: Vec<Statement> = (0..3).map(statement).collect();
        let batch = statement_batch(&rows, &labels(), true).unwrap();
        let names: Vec<&str> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        let mut expected: Vec<&str> = STATEMENT_COLUMNS.to_vec();
        expected.extend(["topic_probs", "stance_probs"]);
        expected.extend(EXPLAIN_COLUMNS);
        assert_eq!(names, expected);
        // A required column left without its arm in `scalar_column` would be all null.
        for c in STATEMENT_COLUMNS {
            if !scalar_nullable(c) {
                assert_eq!(batch.column_by_name(c).unwrap().null_count(), 0, "{c}");
            }
        }
        let bytes = ipc_stream(batch.schema_ref(), std::slice::from_ref(&batch)).unwrap();
        let back = read_ipc_stream(&bytes).unwrap();
        assert_eq!(back, vec![batch.clone()]);
        let read = statements_from_batch(&back[0], 1).unwrap();
        for (r, w) in read.iter().zip(&rows) {
            let plain = Statement {
                topic_probs: vec![],
                stance_probs: vec![],
                topic_terms: vec![],
                stance_terms: vec![],
                ..w.clone()
            };
            assert_eq!(r, &plain);
        }
        let sp = batch
            .column_by_name("stance_probs")
            .unwrap()
            .as_any()
            .downcast_ref::<StructArray>()
            .unwrap();
        assert!(sp.is_null(1) && sp.is_valid(0));
        let favor = sp.column_by_name("favor").unwrap();
        let neutral = sp.column_by_name("neutral").unwrap();
        assert!(favor.is_valid(0) && neutral.is_null(0));
    }

    #[test]
    fn a_missing_or_mistyped_column_is_named() {
        let rows: Vec<Statement> = (0..2).map(statement).collect();
        let batch = statement_batch(&rows, &labels(), false).unwrap();
        let without = batch.project(&[0, 1, 2, 3, 5, 6]).unwrap();
        let e = statements_from_batch(&without, 1).unwrap_err().to_string();
        assert!(
            e.contains("\"text\"") && e.contains("article_id, sentence"),
            "{e}"
        );
        let mut fields: Vec<Field> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| (**f).clone())
            .collect();
        fields[1] = Field::new("sentence", DataType::Utf8, false);
        let mut cols = batch.columns().to_vec();
        cols[1] = Arc::new(StringArray::from(vec!["1", "2"]));
        let bad = RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).unwrap();
        let e = statements_from_batch(&bad, 1).unwrap_err().to_string();
        assert!(e.contains("\"sentence\" is Utf8, expected UInt64"), "{e}");
    }
}
