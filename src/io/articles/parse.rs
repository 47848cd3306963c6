//! Articles out of one record of each format: a CSV record, a JSON Lines
//! line, a line of text; each failure is the reason to reject the record.

use serde_json::Value;

use super::article::{Article, ArticleColumns, ReadOptions};
use crate::io::record_stream::{InputStream, RawRecord};

/// Most columns a CSV header may have.
const MAX_HEADER_FIELDS: usize = 1 << 16;

/// The reason for a record above the size limit.
pub(super) fn too_large(what: &str, size: u64, max: usize) -> String {
    format!("too large: {what} of {size} bytes, above --max-article-bytes {max}")
}

/// Column positions in a CSV header.
pub(super) struct CsvHeader {
    pub(super) len: usize,
    pub(super) id: usize,
    pub(super) text: usize,
    pub(super) date: Option<usize>,
    pub(super) source: Option<usize>,
    pub(super) title: Option<usize>,
}

/// Why a CSV header cannot be used.
pub(super) enum HeaderProblem {
    /// The file cannot be read as CSV: the line (if known) and reason to reject it with.
    Unreadable(Option<u64>, String),
    /// The header lacks a required column (the columns asked for do not fit this file).
    MissingColumn {
        /// 1-based line of the header.
        line: u64,
        /// The column asked for.
        column: String,
        /// The header's columns.
        names: Vec<String>,
    },
}

impl HeaderProblem {
    /// The line and reason to reject the whole file with.
    pub(super) fn into_reject(self) -> (Option<u64>, String) {
        match self {
            HeaderProblem::Unreadable(line, reason) => (line, reason),
            HeaderProblem::MissingColumn {
                line,
                column,
                names,
            } => (
                Some(line),
                format!(
                    "missing column: no {column:?} in the header (it has: {})",
                    names.join(", ")
                ),
            ),
        }
    }
}

/// Reads and checks the header.
pub(super) fn read_header(
    stream: &mut InputStream,
    options: &ReadOptions,
) -> Result<CsvHeader, HeaderProblem> {
    let mut rec = RawRecord::default();
    let max = options.max_bytes;
    let unreadable = |line, reason| Err(HeaderProblem::Unreadable(line, reason));
    match stream.read_record(&mut rec, max, MAX_HEADER_FIELDS) {
        Ok(true) => {}
        Ok(false) => {
            return unreadable(
                None,
                "bad CSV record: empty input, expected a header".into(),
            )
        }
        Err(e) => return unreadable(Some(stream.line + 1), format!("unreadable: {e}")),
    }
    let at = Some(rec.line);
    if rec.oversized {
        return unreadable(at, too_large("header", rec.size, max));
    }
    if rec.fields > MAX_HEADER_FIELDS {
        return unreadable(
            at,
            format!("bad CSV record: header of more than {MAX_HEADER_FIELDS} columns"),
        );
    }
    let names: Vec<String> = (0..rec.fields)
        .map(|i| {
            String::from_utf8_lossy(rec.field(i).unwrap_or_default())
                .trim()
                .to_string()
        })
        .collect();
    let find = |name: &str| names.iter().position(|h| h == name);
    let cols = &options.columns;
    let required = |name: &str| {
        find(name).ok_or_else(|| HeaderProblem::MissingColumn {
            line: rec.line,
            column: name.to_string(),
            names: names.clone(),
        })
    };
    Ok(CsvHeader {
        len: rec.fields,
        id: required(&cols.id)?,
        text: required(&cols.text)?,
        date: find(&cols.date),
        source: find(&cols.source),
        title: find(&cols.title),
    })
}

/// An article from a CSV record whose shape was checked; the error is the reason to reject it.
pub(super) fn csv_article(
    rec: &RawRecord,
    header: &CsvHeader,
    id: Option<String>,
) -> Result<Article, String> {
    let field = |i: usize, name: &str| -> Result<&str, String> {
        std::str::from_utf8(rec.field(i).unwrap_or_default())
            .map_err(|e| format!("not UTF-8: column {name}, byte {}", e.valid_up_to() + 1))
    };
    let optional = |i: Option<usize>, name: &str| -> Result<Option<String>, String> {
        match i {
            None => Ok(None),
            Some(i) => Ok(non_empty(field(i, name)?)),
        }
    };
    let Some(id) = id else {
        field(header.id, "id")?;
        return Err("missing id".into());
    };
    let text = field(header.text, "text")?;
    if text.trim().is_empty() {
        return Err("empty text".into());
    }
    Ok(Article {
        id,
        text: text.to_string(),
        date: optional(header.date, "date")?,
        source: optional(header.source, "source")?,
        title: optional(header.title, "title")?,
    })
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// An article from one line of text (stdin `--input-format txt`): its id is the line number.
pub(super) fn text_line_article(
    line: &[u8],
    number: u64,
) -> Result<Article, (Option<String>, String)> {
    let id = number.to_string();
    match std::str::from_utf8(line) {
        Ok(text) => Ok(Article {
            id,
            text: text.to_string(),
            ..Article::default()
        }),
        Err(e) => Err((
            Some(id),
            format!("not UTF-8: invalid byte at column {}", e.valid_up_to() + 1),
        )),
    }
}

/// An article from one JSON Lines line; the error carries the id if it was found.
pub(super) fn json_article(
    line: &[u8],
    cols: &ArticleColumns,
) -> Result<Article, (Option<String>, String)> {
    let text = std::str::from_utf8(line).map_err(|e| {
        (
            None,
            format!("not UTF-8: invalid byte at column {}", e.valid_up_to() + 1),
        )
    })?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| (None, format!("bad JSON: {}", json_message(&e))))?;
    let Value::Object(mut map) = value else {
        return Err((None, "bad JSON: expected one object per line".into()));
    };
    let id = match map.get(&cols.id) {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => String::new(),
        Some(_) => {
            return Err((
                None,
                format!("bad JSON: {:?} must be a string or a number", cols.id),
            ))
        }
    };
    if id.is_empty() {
        return Err((None, "missing id".into()));
    }
    let optional = |name: &str| -> Result<Option<String>, String> {
        match map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(non_empty(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(format!("bad JSON: {name:?} must be a string")),
        }
    };
    let date = optional(&cols.date).map_err(|r| (Some(id.clone()), r))?;
    let source = optional(&cols.source).map_err(|r| (Some(id.clone()), r))?;
    let title = optional(&cols.title).map_err(|r| (Some(id.clone()), r))?;
    let text = match map.remove(&cols.text) {
        Some(Value::String(s)) => s,
        None | Some(Value::Null) => return Err((Some(id), "missing text".into())),
        Some(_) => {
            return Err((
                Some(id),
                format!("bad JSON: {:?} must be a string", cols.text),
            ))
        }
    };
    if text.trim().is_empty() {
        return Err((Some(id), "empty text".into()));
    }
    Ok(Article {
        id,
        text,
        date,
        source,
        title,
    })
}

/// serde's message without its "line 1", since the position column has the line.
fn json_message(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rsplit_once(" at line ") {
        Some((what, _)) => format!("{what} at column {}", e.column()),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_articles_and_their_problems() {
        let cols = ArticleColumns::default();
        let a = json_article(
            br#"{"id": 7, "text": "Body.", "date": "2024-01-02", "source": null, "extra": [1]}"#,
            &cols,
        )
        .unwrap();
        assert_eq!((a.id.as_str(), a.text.as_str()), ("7", "Body."));
        assert_eq!(
            (a.date.as_deref(), a.source, a.title),
            (Some("2024-01-02"), None, None)
        );
        let reason = |line: &[u8]| json_article(line, &cols).unwrap_err();
        assert_eq!(reason(br#"{"text": "x"}"#), (None, "missing id".into()));
        assert_eq!(
            reason(br#"{"id": "a"}"#),
            (Some("a".into()), "missing text".into())
        );
        assert_eq!(
            reason(br#"{"id": "a", "text": " \n"}"#),
            (Some("a".into()), "empty text".into())
        );
        assert!(reason(br#"{"id": "a", "#)
            .1
            .starts_with("bad JSON: EOF while parsing"));
        assert_eq!(reason(b"[1]").1, "bad JSON: expected one object per line");
        assert_eq!(
            reason(b"{\"id\": \"\xff\"}").1,
            "not UTF-8: invalid byte at column 9"
        );
    }
}
