//! Why a scored row was rejected, and where it came from.

use std::fmt;

use crate::io::position::Position;

/// What was wrong with one row.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProblemKind {
    /// A CSV record with a different number of fields than the header.
    #[error("expected {expected} fields like the header, found {found}")]
    FieldCount {
        /// Fields in the header.
        expected: u64,
        /// Fields in this record.
        found: u64,
    },
    /// A line that is not valid UTF-8.
    #[error("not valid UTF-8")]
    NotUtf8,
    /// A CSV record or JSON Lines line longer than the reader's limit; its
    /// bytes were skipped, not kept.
    #[error("too large: record of {size} bytes, above the limit of {max} bytes")]
    TooLarge {
        /// Bytes of the record in the input.
        size: u64,
        /// The limit.
        max: usize,
    },
    /// A quoted CSV field still open at the end of the input.
    #[error("a quoted field is not closed before the end of the input")]
    Unterminated,
    /// A JSON Lines line that is not one JSON object.
    #[error("bad JSON: {0}")]
    BadJson(String),
    /// A required field is absent (JSON Lines) or null.
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    /// A field whose value can't be parsed or is out of range.
    #[error("field `{field}`: {expected} (found {value:?})")]
    BadValue {
        /// The column or key.
        field: &'static str,
        /// The offending value, as found.
        // Note: boxed so `RowProblem` stays under clippy's `result_large_err` limit.
        value: Box<str>,
        /// What was expected instead.
        expected: Expected,
    },
    /// Byte offsets where `end` comes before `start`.
    #[error("end offset {end} is before start offset {start}")]
    EndBeforeStart {
        /// The `start` value.
        start: usize,
        /// The `end` value.
        end: usize,
    },
    /// A topic that the model given with `--model` doesn't know.
    #[error("unknown topic {0:?}: not one of the model's topics")]
    UnknownTopic(String),
}

/// What a field's value should have been.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Expected {
    /// A whole number >= 0.
    #[error("expected a non-negative integer")]
    Integer,
    /// A number.
    #[error("expected a number")]
    Number,
    /// A JSON string.
    #[error("expected a string")]
    Text,
    /// A number in [0, 1].
    #[error("a probability must be in [0, 1]")]
    Probability,
    /// `YYYY-MM-DD`.
    #[error("expected an ISO date YYYY-MM-DD")]
    IsoDate,
    /// Anything but empty.
    #[error("must not be empty")]
    NonEmpty,
    /// A 1-based sentence index.
    #[error("sentences are numbered from 1")]
    FromOne,
}

impl ProblemKind {
    /// A short stable name for the JSON and CSV outputs.
    pub fn code(&self) -> &'static str {
        match self {
            ProblemKind::FieldCount { .. } => "field_count",
            ProblemKind::NotUtf8 => "not_utf8",
            ProblemKind::TooLarge { .. } => "too_large",
            ProblemKind::Unterminated => "unterminated",
            ProblemKind::BadJson(_) => "bad_json",
            ProblemKind::MissingField(_) => "missing_field",
            ProblemKind::BadValue { .. } => "bad_value",
            ProblemKind::EndBeforeStart { .. } => "end_before_start",
            ProblemKind::UnknownTopic(_) => "unknown_topic",
        }
    }
}

/// A rejected row: what was wrong and, when known, where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct RowProblem {
    /// File and line, when the row came from a file.
    pub location: Option<Position>,
    /// The row's article id, when it could be read.
    pub article_id: Option<String>,
    /// The row's sentence index, when it could be read.
    pub sentence: Option<usize>,
    /// What was wrong.
    pub kind: ProblemKind,
}

impl RowProblem {
    /// A problem at a known place in a file, before the row could be read.
    pub fn at(location: Position, kind: ProblemKind) -> RowProblem {
        RowProblem {
            location: Some(location),
            article_id: None,
            sentence: None,
            kind,
        }
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        match (&self.article_id, self.sentence) {
            (Some(a), Some(s)) => write!(f, "article {a:?} sentence {s}: ")?,
            (Some(a), None) => write!(f, "article {a:?}: ")?,
            _ => {}
        }
        write!(f, "{}", self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_file_line_and_article() {
        let p = RowProblem {
            location: Some(Position {
                file: "in.csv".into(),
                line: Some(7),
            }),
            article_id: Some("a1".into()),
            sentence: Some(3),
            kind: ProblemKind::UnknownTopic("sports".into()),
        };
        assert_eq!(
            p.to_string(),
            "in.csv:7: article \"a1\" sentence 3: unknown topic \"sports\": not one of the model's topics"
        );
        assert_eq!(p.kind.code(), "unknown_topic");
    }

    #[test]
    fn message_without_location() {
        let p = RowProblem {
            location: None,
            article_id: None,
            sentence: None,
            kind: ProblemKind::MissingField("topic"),
        };
        assert_eq!(p.to_string(), "missing field `topic`");
    }
}
