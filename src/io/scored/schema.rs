//! The scored-record format: its encodings, columns and fixed decimals, for
//! writing (`stance score`) and reading back (`stance report`) alike.

use std::path::Path;

/// How scored records (statements, article rows, rejects) are encoded, written or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// A header row, then comma-separated values (RFC 4180 quoting).
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl RecordFormat {
    /// The format implied by a file name: `.jsonl`, `.json`, `.ndjson` are JSON Lines, `.csv` is CSV.
    pub fn from_extension(path: &Path) -> Option<RecordFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(RecordFormat::Csv),
            "jsonl" | "json" | "ndjson" => Some(RecordFormat::Jsonl),
            _ => None,
        }
    }
}

/// How a file of scored records is encoded: text rows, or Parquet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// CSV or JSON Lines.
    Text(RecordFormat),
    /// A Parquet file (columns as [`statement_schema`](super::statement_schema)
    /// for statements; article rows and rejects with their text columns).
    Parquet,
}

impl FileFormat {
    /// The format implied by a file name: `.parquet` or `.pq` is Parquet, else as [`RecordFormat::from_extension`].
    pub fn from_extension(path: &Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "parquet" | "pq" => Some(FileFormat::Parquet),
            _ => RecordFormat::from_extension(path).map(FileFormat::Text),
        }
    }
}

/// Digits after the decimal point of probabilities and term contributions.
pub const DECIMALS: usize = 4;

/// 10^[`DECIMALS`].
pub(super) const SCALE: f64 = 10_000.0;

/// The topic given to statements whose best topic was not confident enough
/// (reserved: no model has a topic of that name).
pub use crate::model::UNCERTAIN;

/// The columns of a statement row, in order (CSV header, JSON keys).
pub const STATEMENT_COLUMNS: [&str; 15] = [
    "article_id",
    "sentence",
    "start",
    "end",
    "text",
    "topic",
    "topic_prob",
    "stance",
    "stance_prob",
    "date",
    "source",
    "best_topic",
    "min_confidence",
    "known_terms",
    "language",
];

/// The statement columns a reader may do without (the others are required).
///
/// Note: `known_terms` and `language` came later (#17): files written before
/// them are read as they are.
pub const OPTIONAL_COLUMNS: [&str; 5] = [
    "date",
    "source",
    "min_confidence",
    "known_terms",
    "language",
];

/// Extra columns with `--explain`.
pub const EXPLAIN_COLUMNS: [&str; 2] = ["topic_terms", "stance_terms"];

/// The columns of a rejects file.
pub const REJECT_COLUMNS: [&str; 4] = ["input", "position", "article_id", "reason"];

/// `x` as it is written with [`DECIMALS`] digits, read back.
///
/// Note: `n / 10^4` with integer `n` is correctly rounded, so this is the
/// same `f64` a reader gets by parsing the written text.
pub fn rounded(x: f64) -> f64 {
    if x.is_finite() && x.abs() < 1e14 {
        (x * SCALE).round() / SCALE
    } else {
        x
    }
}
