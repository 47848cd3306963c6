//! `stance.report`: the library's report over statements from Python.
//!
//! The statements arrive as an Arrow IPC stream (any table Python has,
//! cast to the statement schema's scalar types by the package); they go
//! through the same [`ReportBuilder`] and [`render`] as `stance report`.

use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use stance::io::{
    ipc_stream, statement_schema, statements_from_ipc, Labels, Position, STATEMENT_COLUMNS,
};
use stance::report::{
    render, Dimension, ModelProvenance, Period, Provenance, ReportBuilder, ReportFormat,
    ReportOptions,
};

use crate::{DataError, NativeModel, StanceError};

/// The file name problems are reported under; their "line" is the 1-based row.
const TABLE: &str = "statements";

/// An empty Arrow IPC stream with the statement columns' schema (the
/// scalar columns; the probability structs are model-specific), so the
/// package casts tables to the types the report reads.
#[pyfunction]
pub(crate) fn statement_columns_ipc(py: Python<'_>) -> PyResult<Bound<'_, PyBytes>> {
    let labels = Labels {
        topics: Vec::new(),
        stances: Vec::new(),
    };
    let full = statement_schema(&labels, false);
    let scalar: Vec<usize> = (0..full.fields().len())
        .filter(|&i| STATEMENT_COLUMNS.contains(&full.field(i).name().as_str()))
        .collect();
    let err = |e: stance::io::ArrowStatementError| StanceError::new_err(e.to_string());
    let schema = std::sync::Arc::new(full.project(&scalar).map_err(|e| err(e.into()))?);
    let bytes = ipc_stream(&schema, &[]).map_err(|e| StanceError::new_err(e.to_string()))?;
    Ok(PyBytes::new(py, &bytes))
}

/// A `by` name as a dimension.
fn dimension(name: &str) -> PyResult<Dimension> {
    match name {
        "source" => Ok(Dimension::Source),
        "date" => Ok(Dimension::Date),
        "article" => Ok(Dimension::Article),
        other => Err(PyValueError::new_err(format!(
            "by: {other:?}: expected source, date or article"
        ))),
    }
}

/// A `format` name as a report format.
fn format(name: &str) -> PyResult<ReportFormat> {
    match name {
        "table" => Ok(ReportFormat::Table),
        "md" | "markdown" => Ok(ReportFormat::Markdown),
        "csv" => Ok(ReportFormat::Csv),
        "json" => Ok(ReportFormat::Json),
        "html" => Ok(ReportFormat::Html),
        other => Err(PyValueError::new_err(format!(
            "format: {other:?}: expected json, html, md, csv or table"
        ))),
    }
}

/// Seconds since the Unix epoch, now.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The report of the statements in `ipc`, rendered; with the rows rejected and read.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (ipc, by, period, min_confidence, examples, model, model_path, top_terms, fmt, command_line))]
pub(crate) fn report(
    py: Python<'_>,
    ipc: &[u8],
    by: Vec<String>,
    period: Option<String>,
    min_confidence: f64,
    examples: usize,
    model: Option<PyRef<'_, NativeModel>>,
    model_path: Option<PathBuf>,
    top_terms: Option<usize>,
    fmt: &str,
    command_line: Vec<String>,
) -> PyResult<(String, u64, u64)> {
    let format = format(fmt)?;
    let breakdown = by
        .iter()
        .map(|b| dimension(b))
        .collect::<PyResult<Vec<_>>>()?;
    let period = match period.as_deref() {
        None => Period::Month,
        Some(_) if !breakdown.contains(&Dimension::Date) => {
            return Err(PyValueError::new_err(
                "period only applies with a breakdown by date (by=\"date\")",
            ))
        }
        Some("day") => Period::Day,
        Some("week") => Period::Week,
        Some("month") => Period::Month,
        Some(other) => {
            return Err(PyValueError::new_err(format!(
                "period: {other:?}: expected day, week or month"
            )))
        }
    };
    if top_terms == Some(0) {
        return Err(PyValueError::new_err("top_terms must be at least 1"));
    }
    let mut options = ReportOptions {
        breakdown,
        period,
        min_confidence,
        examples_per_cell: examples,
        ..ReportOptions::default()
    };
    let mut provenance = Provenance::new(now(), command_line);
    match (&model, top_terms) {
        (None, Some(_)) => {
            return Err(PyValueError::new_err("top_terms needs model=..."));
        }
        (None, None) => {}
        (Some(m), k) => {
            let m = &m.model;
            options.use_model(m, k);
            let path = model_path.unwrap_or_else(|| PathBuf::from("(in memory)"));
            // Note: a model trained in memory has no file; its meta describes it.
            provenance.model = Some(ModelProvenance::of_file(&path, &m.meta).unwrap_or_else(
                |_| ModelProvenance {
                    path: path.display().to_string(),
                    sha256: String::new(),
                    bytes: 0,
                    trained_by: m.meta.trained_by.clone(),
                    training_rows: m.meta.n_rows,
                    training_data_sha256: m.meta.data_sha256.clone(),
                    training_files: Vec::new(),
                    trained_at: None,
                    file_modified: None,
                },
            ));
        }
    }
    options.provenance = Some(provenance);
    let mut builder =
        ReportBuilder::new(options).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let (text, rejected, read) = py.detach(|| -> PyResult<_> {
        let statements =
            statements_from_ipc(ipc).map_err(|e| DataError::new_err(format!("{TABLE}: {e}")))?;
        for (i, s) in statements.iter().enumerate() {
            let at = Position {
                file: TABLE.into(),
                line: Some(i as u64 + 1),
            };
            // Note: a rejected row is recorded in the report's problems; the package warns.
            let _ = builder.add_at(s, at);
        }
        if let Some((rows, labels)) = builder.unknown_topic_summary() {
            return Err(DataError::new_err(format!(
                "{TABLE}: {rows} statements have topics that the model lacks: {labels}; were they scored with another model?"
            )));
        }
        let report = builder.finish();
        let mut out = Vec::new();
        render(&report, format, &mut out).map_err(|e| StanceError::new_err(e.to_string()))?;
        let text = String::from_utf8(out).map_err(|e| StanceError::new_err(e.to_string()))?;
        Ok((text, report.totals.rows_rejected, report.totals.rows_read))
    })?;
    Ok((text, rejected, read))
}
