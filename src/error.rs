//! The crate's error type: data errors carry the file and a 1-based line or record.

use std::path::PathBuf;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An output cannot be written, or must not be (it is an input, a directory).
    #[error("cannot write {path}: {reason}")]
    Unwritable {
        /// The output as named (`stdout` for standard output).
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Writing an output failed (a full disk, a closed pipe).
    #[error("cannot write {dest}: {source}")]
    Write {
        /// The output's path, or `to stdout`.
        dest: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A CSV record could not be parsed.
    #[error("{path}:{line}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line of the record's start.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A CSV record (or header) longer than the record limit, found after
    /// reading at most the limit of it.
    #[error("{path}:{line}: the record is longer than the limit of {max} bytes")]
    RecordTooLarge {
        /// The file.
        path: PathBuf,
        /// 1-based line where the record starts.
        line: u64,
        /// The limit.
        max: usize,
    },
    /// A required column is not in the header.
    #[error("{path}: no column {column:?}; the header has: {available}")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        column: String,
        /// The header's columns, comma-separated.
        available: String,
    },
    /// A labelled row is unusable (empty text or label).
    #[error("{path}:{line}: {message}")]
    BadRow {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A labelled record given in memory (not read from a file) is unusable.
    #[error("record {record} (1-based) of the labelled data: {message}")]
    BadRecord {
        /// 1-based record (row) number.
        record: usize,
        /// What is wrong.
        message: String,
    },
    /// A model file is not one this version can read.
    #[error("{path}: not a usable model file: {message}")]
    BadModel {
        /// The file.
        path: PathBuf,
        /// Why it was refused.
        message: String,
    },
    /// A model whose parts do not fit together (made in code, not loaded from a file).
    #[error("the model cannot be used: {0}")]
    InconsistentModel(String),
    /// A thread of a run could not start or failed.
    #[error("the {0} thread failed")]
    Thread(&'static str),
    /// A parameter is out of its valid range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParam {
        /// The parameter's name, as in its config struct (`ngram_max`); the CLI
        /// names the flag instead (`--ngram-max`).
        name: &'static str,
        /// The value given.
        value: String,
        /// The valid range.
        reason: String,
    },
    /// Training data cannot produce a model.
    #[error("{0}")]
    Training(String),
    /// The optimiser failed.
    #[error("optimiser: {0}")]
    Optimiser(String),
    /// A file cannot be used as asked (an output that is an input, or belongs to another input).
    #[error("{path}: {message}")]
    Refused {
        /// The file.
        path: PathBuf,
        /// Why, and what to do instead.
        message: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A failed write to `path`, or to stdout when `None`.
    pub fn write(path: Option<&std::path::Path>, source: std::io::Error) -> Error {
        Error::Write {
            dest: path.map_or_else(|| "to stdout".into(), |p| p.display().to_string()),
            source,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
