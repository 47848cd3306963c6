//! The streaming CSV / JSON Lines / Parquet reader of statement rows.
//!
//! `stance score` writes these rows; `stance report` reads them back one at a
//! time, so inputs of any size are aggregated without holding them.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use serde_json::Value;

use super::arrow::statements_from_batch;
use super::problem::{Expected, ProblemKind, RowProblem};
use super::schema::{FileFormat, RecordFormat, OPTIONAL_COLUMNS, STATEMENT_COLUMNS};
use super::statement::Statement;
use crate::io::position::Position;
use crate::io::record_stream::{InputStream, RawRecord, BUF_SIZE, DEFAULT_MAX_RECORD_BYTES};

/// Header columns kept; more are counted but not looked at.
const MAX_HEADER_COLUMNS: usize = 1 << 12;

/// How many statement columns a CSV input must have.
const REQUIRED: usize = STATEMENT_COLUMNS.len() - OPTIONAL_COLUMNS.len();

/// The columns a CSV input must have, in [`STATEMENT_COLUMNS`] order.
fn required_columns() -> impl Iterator<Item = &'static str> {
    STATEMENT_COLUMNS
        .into_iter()
        .filter(|c| !OPTIONAL_COLUMNS.contains(c))
}

/// An input that can't be read at all (as opposed to a bad row).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    // Note: the I/O error is part of the message rather than a `#[source]`,
    // so `{:#}` chains don't print it twice.
    #[error("{file}: cannot read: {error}")]
    Io {
        /// The input as named on the command line.
        file: String,
        /// The I/O error.
        error: io::Error,
    },
    /// A Parquet input that cannot be read (not Parquet, truncated, a
    /// column missing or of another type than the statement schema's).
    #[error("{file}: {message}")]
    Parquet {
        /// The input as named on the command line.
        file: String,
        /// What is wrong (the 1-based row where it applies).
        message: String,
    },
    /// A CSV input with no header line at all.
    #[error("{file}: empty input, expected a CSV header line")]
    Empty {
        /// The input as named on the command line.
        file: String,
    },
    /// Stdin (`-`) gave no bytes at all: it is empty, or was closed (a closed
    /// descriptor 0 reads as empty).
    #[error("-: no input on stdin (it is empty or closed)")]
    NoInput,
    /// A CSV header longer than the record limit (read only up to the limit).
    #[error("{file}:1: the header is longer than the limit of {max} bytes")]
    HeaderTooLarge {
        /// The input as named on the command line.
        file: String,
        /// The limit.
        max: usize,
    },
    /// A CSV header that cannot be used: not UTF-8 or with a quote never closed.
    #[error("{file}:{line}: bad header: {kind}")]
    BadHeader {
        /// The input as named on the command line.
        file: String,
        /// 1-based line where the header starts.
        line: u64,
        /// What is wrong with it.
        kind: ProblemKind,
    },
    /// A CSV header lacks required columns.
    #[error("{file}: missing column(s) {}; the header has: {}", missing.join(", "), show_header(header))]
    MissingColumns {
        /// The input as named on the command line.
        file: String,
        /// Required columns not in the header.
        missing: Vec<String>,
        /// The header's columns as found.
        header: Vec<String>,
    },
}

fn show_header(header: &[String]) -> String {
    if header.is_empty() {
        "(no columns)".to_string()
    } else {
        header.join(", ")
    }
}

/// One row read from an input: a statement with its place, or a problem.
// Note: entries are read and used one at a time, nearly all statements;
// boxing the statement would cost an allocation per row for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ScoredEntry {
    /// A row that parsed (its values are not checked beyond their types).
    Statement(Position, Statement),
    /// A row that could not be parsed.
    Problem(RowProblem),
}

/// Streams [`ScoredEntry`]s out of one CSV or JSON Lines input.
pub struct ScoredReader {
    file: String,
    inner: Inner,
    done: bool,
}

type Stream = InputStream<Box<dyn BufRead>>;

// Note: both formats are read by the shared bounded record reader, so a
// record above `max` costs no more memory than the limit, however long.
enum Inner {
    Csv {
        stream: Stream,
        columns: Columns,
        record: RawRecord,
        width: usize,
        max: usize,
    },
    Jsonl {
        stream: Stream,
        buf: Vec<u8>,
        max: usize,
    },
    Parquet {
        reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
        rows: std::vec::IntoIter<Statement>,
        /// 1-based number of the next row.
        next: u64,
    },
}

/// Column indices of a CSV header.
struct Columns {
    required: [usize; REQUIRED],
    date: Option<usize>,
    source: Option<usize>,
    min_confidence: Option<usize>,
    known_terms: Option<usize>,
    language: Option<usize>,
}

impl ScoredReader {
    /// Opens a file, or stdin for `-`.
    ///
    /// The format is `format` if given, else the extension's
    /// (`.csv`, `.jsonl`, `.json`, `.ndjson`), else sniffed: JSON Lines when
    /// the first non-blank byte is `{`, CSV otherwise.
    pub fn open(path: &Path, format: Option<FileFormat>) -> Result<ScoredReader, ReadError> {
        ScoredReader::open_limited(path, format, DEFAULT_MAX_RECORD_BYTES)
    }

    /// [`ScoredReader::open`] with records (CSV records, JSON Lines lines)
    /// limited to `max_record_bytes`: a longer row is a
    /// [`ProblemKind::TooLarge`] problem, skipped without keeping its bytes;
    /// a longer CSV header is a fatal [`ReadError::BadHeader`].
    pub fn open_limited(
        path: &Path,
        format: Option<FileFormat>,
        max_record_bytes: usize,
    ) -> Result<ScoredReader, ReadError> {
        let file = path.display().to_string();
        let format = format.or_else(|| FileFormat::from_extension(path));
        if format == Some(FileFormat::Parquet) {
            return ScoredReader::open_parquet(path);
        }
        let format = match format {
            Some(FileFormat::Text(f)) => Some(f),
            _ => None,
        };
        let io_err = |error| ReadError::Io {
            file: file.clone(),
            error,
        };
        let mut reader: Box<dyn BufRead> = if path == Path::new("-") {
            Box::new(io::stdin().lock())
        } else {
            Box::new(BufReader::with_capacity(
                BUF_SIZE,
                File::open(path).map_err(io_err)?,
            ))
        };
        let format = match format.or_else(|| RecordFormat::from_extension(path)) {
            Some(f) => f,
            None => sniff(&mut reader).map_err(io_err)?,
        };
        ScoredReader::from_reader_limited(&file, reader, format, max_record_bytes)
    }

    /// Opens a Parquet file of statements (columns as
    /// [`statement_schema`](super::statement_schema)'s, the optional ones may be missing).
    fn open_parquet(path: &Path) -> Result<ScoredReader, ReadError> {
        let file = path.display().to_string();
        if path == Path::new("-") {
            return Err(ReadError::Parquet {
                file,
                message: "Parquet is read from files only, not stdin".into(),
            });
        }
        let f = File::open(path).map_err(|error| ReadError::Io {
            file: file.clone(),
            error,
        })?;
        let bad = |e: parquet::errors::ParquetError| ReadError::Parquet {
            file: file.clone(),
            message: format!("bad Parquet: {e}"),
        };
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
            .map_err(bad)?
            .with_batch_size(4096)
            .build()
            .map_err(bad)?;
        Ok(ScoredReader {
            file,
            inner: Inner::Parquet {
                reader,
                rows: Vec::new().into_iter(),
                next: 1,
            },
            done: false,
        })
    }

    fn next_parquet(&mut self) -> Option<Result<ScoredEntry, ReadError>> {
        let Inner::Parquet { reader, rows, next } = &mut self.inner else {
            return None;
        };
        loop {
            if let Some(row) = rows.next() {
                let at = Position {
                    file: self.file.clone(),
                    line: Some(*next),
                };
                *next += 1;
                return Some(Ok(ScoredEntry::Statement(at, row)));
            }
            let batch = match reader.next()? {
                Ok(batch) => batch,
                Err(e) => {
                    return Some(Err(ReadError::Parquet {
                        file: self.file.clone(),
                        message: format!("bad Parquet at row {next}: {e}"),
                    }))
                }
            };
            match statements_from_batch(&batch, *next as usize) {
                Ok(statements) => *rows = statements.into_iter(),
                Err(e) => {
                    return Some(Err(ReadError::Parquet {
                        file: self.file.clone(),
                        message: e.to_string(),
                    }))
                }
            }
        }
    }

    /// Reads from any buffered reader; `name` is used in messages.
    pub fn from_reader(
        name: &str,
        reader: Box<dyn BufRead>,
        format: RecordFormat,
    ) -> Result<ScoredReader, ReadError> {
        ScoredReader::from_reader_limited(name, reader, format, DEFAULT_MAX_RECORD_BYTES)
    }

    /// [`ScoredReader::from_reader`] with records limited to
    /// `max_record_bytes`, as [`ScoredReader::open_limited`].
    pub fn from_reader_limited(
        name: &str,
        mut reader: Box<dyn BufRead>,
        format: RecordFormat,
        max_record_bytes: usize,
    ) -> Result<ScoredReader, ReadError> {
        let max = max_record_bytes;
        let io_err = |error| ReadError::Io {
            file: name.to_string(),
            error,
        };
        if name == "-" && reader.fill_buf().map_err(io_err)?.is_empty() {
            return Err(ReadError::NoInput);
        }
        let mut stream = InputStream::new(reader);
        let inner = match format {
            RecordFormat::Jsonl => Inner::Jsonl {
                stream,
                buf: Vec::new(),
                max,
            },
            RecordFormat::Csv => {
                let mut record = RawRecord::default();
                if !stream
                    .read_record_or_stop(&mut record, max, MAX_HEADER_COLUMNS)
                    .map_err(io_err)?
                {
                    return Err(ReadError::Empty {
                        file: name.to_string(),
                    });
                }
                let bad_header = |kind| ReadError::BadHeader {
                    file: name.to_string(),
                    line: record.line,
                    kind,
                };
                if record.oversized {
                    return Err(ReadError::HeaderTooLarge {
                        file: name.to_string(),
                        max,
                    });
                }
                if record.unterminated {
                    return Err(bad_header(ProblemKind::Unterminated));
                }
                let header = match fields(&record) {
                    Ok(h) => h.into_iter().map(str::to_string).collect::<Vec<_>>(),
                    Err(kind) => return Err(bad_header(kind)),
                };
                let columns = Columns::find(name, &header)?;
                Inner::Csv {
                    stream,
                    columns,
                    width: record.fields,
                    record,
                    max,
                }
            }
        };
        Ok(ScoredReader {
            file: name.to_string(),
            inner,
            done: false,
        })
    }

    fn next_csv(&mut self) -> Option<Result<ScoredEntry, ReadError>> {
        let Inner::Csv {
            stream,
            columns,
            record,
            width,
            max,
        } = &mut self.inner
        else {
            return None;
        };
        match stream.read_record(record, *max, *width + 1) {
            Ok(false) => None,
            Ok(true) => {
                let loc = Position {
                    file: self.file.clone(),
                    line: Some(record.line),
                };
                let parsed = if record.oversized {
                    Err(ProblemKind::TooLarge {
                        size: record.size,
                        max: *max,
                    })
                } else if record.unterminated {
                    Err(ProblemKind::Unterminated)
                } else if record.fields != *width {
                    Err(ProblemKind::FieldCount {
                        expected: *width as u64,
                        found: record.fields as u64,
                    })
                } else {
                    fields(record)
                };
                Some(Ok(match parsed {
                    Err(kind) => ScoredEntry::Problem(RowProblem::at(loc, kind)),
                    Ok(values) => match columns.parse(&values) {
                        Ok(row) => ScoredEntry::Statement(loc, row),
                        Err(mut p) => {
                            p.location = Some(loc);
                            ScoredEntry::Problem(p)
                        }
                    },
                }))
            }
            Err(error) => Some(Err(ReadError::Io {
                file: self.file.clone(),
                error,
            })),
        }
    }

    fn next_jsonl(&mut self) -> Option<Result<ScoredEntry, ReadError>> {
        let Inner::Jsonl { stream, buf, max } = &mut self.inner else {
            return None;
        };
        loop {
            let line = match stream.read_line(buf, *max) {
                Ok(None) => return None,
                Ok(Some(line)) => line,
                Err(error) => {
                    return Some(Err(ReadError::Io {
                        file: self.file.clone(),
                        error,
                    }))
                }
            };
            let loc = Position {
                file: self.file.clone(),
                line: Some(line.number),
            };
            if line.oversized {
                let kind = ProblemKind::TooLarge {
                    size: line.size,
                    max: *max,
                };
                return Some(Ok(ScoredEntry::Problem(RowProblem::at(loc, kind))));
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(Ok(match parse_json_line(buf) {
                Ok(row) => ScoredEntry::Statement(loc, row),
                Err(mut p) => {
                    p.location = Some(loc);
                    ScoredEntry::Problem(p)
                }
            }));
        }
    }
}

/// A CSV record's fields as text, or why they are not.
fn fields(record: &RawRecord) -> Result<Vec<&str>, ProblemKind> {
    (0..record.fields.min(record.ends.len()))
        .map(|i| {
            std::str::from_utf8(record.field(i).unwrap_or_default())
                .map_err(|_| ProblemKind::NotUtf8)
        })
        .collect()
}

impl Iterator for ScoredReader {
    type Item = Result<ScoredEntry, ReadError>;

    /// The next row or problem; after `None` or a fatal error, always `None`.
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = match self.inner {
            Inner::Csv { .. } => self.next_csv(),
            Inner::Jsonl { .. } => self.next_jsonl(),
            Inner::Parquet { .. } => self.next_parquet(),
        };
        if matches!(item, None | Some(Err(_))) {
            self.done = true;
        }
        item
    }
}

/// Peeks at the first non-blank byte (after a UTF-8 BOM) to tell JSON Lines from CSV.
fn sniff(reader: &mut Box<dyn BufRead>) -> io::Result<RecordFormat> {
    let head = reader.fill_buf()?;
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    Ok(match head.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => RecordFormat::Jsonl,
        _ => RecordFormat::Csv,
    })
}

fn bad_value(field: &'static str, value: &str, expected: Expected) -> ProblemKind {
    ProblemKind::BadValue {
        field,
        value: value.into(),
        expected,
    }
}

fn parse_index(field: &'static str, s: &str) -> Result<usize, ProblemKind> {
    s.trim()
        .parse()
        .map_err(|_| bad_value(field, s, Expected::Integer))
}

fn parse_prob(field: &'static str, s: &str) -> Result<f64, ProblemKind> {
    s.trim()
        .parse()
        .map_err(|_| bad_value(field, s, Expected::Number))
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl Columns {
    fn find(file: &str, header: &[String]) -> Result<Columns, ReadError> {
        let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        let index = |name: &str| names.iter().position(|h| h == name);
        let mut required = [0usize; REQUIRED];
        let mut missing = Vec::new();
        for (slot, name) in required.iter_mut().zip(required_columns()) {
            match index(name) {
                Some(i) => *slot = i,
                None => missing.push(name.to_string()),
            }
        }
        if !missing.is_empty() {
            return Err(ReadError::MissingColumns {
                file: file.to_string(),
                missing,
                header: names,
            });
        }
        Ok(Columns {
            required,
            date: index("date"),
            source: index("source"),
            min_confidence: index("min_confidence"),
            known_terms: index("known_terms"),
            language: index("language"),
        })
    }

    fn parse(&self, record: &[&str]) -> Result<Statement, RowProblem> {
        // Note: the reader checks every record has the header's length first.
        let get = |i: usize| record.get(i).copied().unwrap_or("");
        let [article_id, sentence, start, end, text, topic, topic_prob, stance, stance_prob, best_topic] =
            self.required.map(get);
        let article_id = article_id.trim().to_string();
        let sentence_n = sentence.trim().parse().ok();
        let with_context = |kind| RowProblem {
            location: None,
            article_id: Some(article_id.clone()),
            sentence: sentence_n,
            kind,
        };
        let stance = non_empty(stance);
        let row = (|| {
            Ok(Statement {
                article_id: article_id.clone(),
                sentence: parse_index("sentence", sentence)?,
                start: parse_index("start", start)?,
                end: parse_index("end", end)?,
                text: text.to_string(),
                topic: topic.trim().to_string(),
                topic_prob: parse_prob("topic_prob", topic_prob)?,
                stance_prob: if stance.is_none() && stance_prob.trim().is_empty() {
                    None
                } else {
                    Some(parse_prob("stance_prob", stance_prob)?)
                },
                stance,
                date: self.date.and_then(|i| non_empty(get(i))),
                source: self.source.and_then(|i| non_empty(get(i))),
                best_topic: best_topic.trim().to_string(),
                min_confidence: match self.min_confidence.map(get).and_then(non_empty) {
                    None => None,
                    Some(m) => Some(parse_prob("min_confidence", &m)?),
                },
                known_terms: match self.known_terms.map(get).and_then(non_empty) {
                    None => None,
                    Some(k) => Some(parse_index("known_terms", &k)?),
                },
                language: self.language.and_then(|i| non_empty(get(i))),
                ..Statement::default()
            })
        })();
        row.map_err(with_context)
    }
}

/// Parses one JSON Lines line into a row.
fn parse_json_line(line: &[u8]) -> Result<Statement, RowProblem> {
    let plain = |kind| RowProblem {
        location: None,
        article_id: None,
        sentence: None,
        kind,
    };
    let text = std::str::from_utf8(line).map_err(|_| plain(ProblemKind::NotUtf8))?;
    let text = text.trim_end_matches(['\n', '\r']);
    let value: Value = serde_json::from_str(text).map_err(|e| plain(json_error(&e)))?;
    let Value::Object(map) = value else {
        let what = match value {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(plain(ProblemKind::BadJson(format!(
            "expected one JSON object per line (JSON Lines), found {what}"
        ))));
    };
    let article_id = json_string(&map, "article_id").ok().flatten();
    let sentence_n = json_index(&map, "sentence").ok();
    let with_context = |kind| RowProblem {
        location: None,
        article_id: article_id.clone(),
        sentence: sentence_n,
        kind,
    };
    let required = |key: &'static str| -> Result<String, ProblemKind> {
        json_string(&map, key)?.ok_or(ProblemKind::MissingField(key))
    };
    let row = (|| {
        let stance = json_string(&map, "stance")?.unwrap_or_default();
        let stance_prob = match json_number(&map, "stance_prob")? {
            Some(p) => Some(p),
            None if stance.is_empty() => None,
            None => return Err(ProblemKind::MissingField("stance_prob")),
        };
        Ok(Statement {
            article_id: required("article_id")?.trim().to_string(),
            sentence: json_index(&map, "sentence")?,
            start: json_index(&map, "start")?,
            end: json_index(&map, "end")?,
            text: required("text")?,
            topic: required("topic")?.trim().to_string(),
            topic_prob: json_number(&map, "topic_prob")?
                .ok_or(ProblemKind::MissingField("topic_prob"))?,
            stance: non_empty(&stance),
            stance_prob,
            date: json_string(&map, "date")?.as_deref().and_then(non_empty),
            source: json_string(&map, "source")?.as_deref().and_then(non_empty),
            best_topic: required("best_topic")?.trim().to_string(),
            min_confidence: json_number(&map, "min_confidence")?,
            known_terms: match map.get("known_terms") {
                None | Some(Value::Null) => None,
                Some(_) => Some(json_index(&map, "known_terms")?),
            },
            language: json_string(&map, "language")?
                .as_deref()
                .and_then(non_empty),
            ..Statement::default()
        })
    })();
    row.map_err(with_context)
}

/// A JSON syntax error; serde's "line 1" is dropped since the line is known.
fn json_error(e: &serde_json::Error) -> ProblemKind {
    let message = e.to_string();
    let message = match message.rsplit_once(" at line ") {
        Some((what, _)) => format!("{what} at column {}", e.column()),
        None => message,
    };
    ProblemKind::BadJson(message)
}

type JsonMap = serde_json::Map<String, Value>;

/// A string field; numbers are accepted as their decimal text; absent or null is `None`.
fn json_string(map: &JsonMap, key: &'static str) -> Result<Option<String>, ProblemKind> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(bad_value(key, &other.to_string(), Expected::Text)),
    }
}

/// A numeric field; absent, null or `""` is `None`.
fn json_number(map: &JsonMap, key: &'static str) -> Result<Option<f64>, ProblemKind> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) => Ok(Some(f)),
            None => Err(bad_value(key, &n.to_string(), Expected::Number)),
        },
        Some(other) => Err(bad_value(key, &other.to_string(), Expected::Number)),
    }
}

fn json_index(map: &JsonMap, key: &'static str) -> Result<usize, ProblemKind> {
    match map.get(key) {
        None | Some(Value::Null) => Err(ProblemKind::MissingField(key)),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| bad_value(key, &n.to_string(), Expected::Integer)),
        Some(other) => Err(bad_value(key, &other.to_string(), Expected::Integer)),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The writer's rows read back as [`StatementView::read_back`] says, in
    /// both formats, with and without stance and explanations: the format is
    /// one contract for writing and reading.
    #[test]
    fn what_score_writes_reads_back() {
        use crate::io::scored::statement::{Labels, StatementView};
        use crate::io::scored::statements::tests::{article, labels, record};
        use crate::io::scored::StatementWriter;
        let a = article();
        let terms = vec![("gaza".to_string(), 0.5)];
        let with_stance = labels();
        let topic_only = Labels {
            stances: Vec::new(),
            ..labels()
        };
        let views = [
            record(
                &with_stance,
                &a,
                &[0.123456, 0.876544],
                &[0.33333, 0.66667],
                &terms,
            ),
            StatementView {
                stance: None,
                stance_probs: &[],
                uncertain: true,
                min_confidence: Some(0.95),
                ..record(&topic_only, &a, &[0.9, 0.1], &[], &[])
            },
        ];
        for format in [RecordFormat::Csv, RecordFormat::Jsonl] {
            for explain in [false, true] {
                for v in &views {
                    let writer = StatementWriter::new(format, explain, v.min_confidence);
                    let mut bytes = Vec::new();
                    writer.header(&mut bytes);
                    writer.write(&mut bytes, v);
                    let reader: Box<dyn BufRead> = Box::new(io::Cursor::new(bytes));
                    let read: Vec<_> = ScoredReader::from_reader("s", reader, format)
                        .unwrap()
                        .map(|r| r.unwrap())
                        .collect();
                    assert_eq!(read.len(), 1);
                    assert_eq!(row(&read[0]), &v.read_back(), "{format:?} {explain}");
                }
            }
        }
    }

    pub(crate) const HEADER: &str =
        "article_id,sentence,start,end,text,topic,topic_prob,stance,stance_prob,date,source,best_topic,min_confidence";

    fn read(name: &str, text: &str, format: RecordFormat) -> Vec<ScoredEntry> {
        let reader: Box<dyn BufRead> = Box::new(io::Cursor::new(text.as_bytes().to_vec()));
        ScoredReader::from_reader(name, reader, format)
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    fn row(r: &ScoredEntry) -> &Statement {
        match r {
            ScoredEntry::Statement(_, row) => row,
            ScoredEntry::Problem(p) => panic!("unexpected problem {p}"),
        }
    }

    fn problem(r: &ScoredEntry) -> &RowProblem {
        match r {
            ScoredEntry::Problem(p) => p,
            ScoredEntry::Statement(_, row) => panic!("unexpected row {row:?}"),
        }
    }

    #[test]
    fn reads_csv_in_any_column_order() {
        let text = "\u{feff}topic,extra,article_id,sentence,start,end,text,topic_prob,stance,stance_prob,best_topic,source\n\
                    palestine,x,a1,1,0,10,\"Hello, world\",0.9,favor,0.8,palestine,\n";
        let recs = read("in.csv", text, RecordFormat::Csv);
        assert_eq!(recs.len(), 1);
        let r = row(&recs[0]);
        assert_eq!(r.topic, "palestine");
        assert_eq!(r.text, "Hello, world");
        assert_eq!(r.source, None);
        assert_eq!(r.date, None);
        assert_eq!(r.min_confidence, None);
        assert_eq!(r.stance_prob, Some(0.8));
    }

    #[test]
    fn csv_problems_carry_file_and_line() {
        let text = format!(
            "{HEADER}\n\
             a1,1,0,5,\"multi\nline\",other,0.7,neutral,0.6,2024-01-02,wire,other,0.5\n\
             a1,2,6,9,short\n\
             a1,3,9,12,x,other,high,neutral,0.6,,,other,\n\
             a1,4,12,15,x,other,0.7,,,,,other,\n"
        );
        let recs = read("s.csv", &text, RecordFormat::Csv);
        assert_eq!(recs.len(), 4);
        assert_eq!(row(&recs[0]).text, "multi\nline");
        let p = problem(&recs[1]);
        assert_eq!(p.location.as_ref().unwrap().line, Some(4));
        assert!(matches!(
            p.kind,
            ProblemKind::FieldCount {
                expected: 13,
                found: 5
            }
        ));
        let p = problem(&recs[2]);
        assert_eq!(p.to_string(), "s.csv:5: article \"a1\" sentence 3: field `topic_prob`: expected a number (found \"high\")");
        let r = row(&recs[3]);
        assert_eq!((&r.stance, r.stance_prob), (&None, None));
    }

    #[test]
    fn crlf_and_blank_lines_keep_true_line_numbers() {
        let text = format!(
            "{HEADER}\r\na,1,0,1,x,other,0.9,neutral,0.9,,,other,\r\n\r\na,2,0,1,x,other,bad,neutral,0.9,,,other,\r\nshort\r\n"
        );
        let recs = read("w.csv", &text, RecordFormat::Csv);
        let at: Vec<u64> = recs
            .iter()
            .map(|r| match r {
                ScoredEntry::Statement(loc, _) => loc.line.unwrap_or(0),
                ScoredEntry::Problem(p) => p.location.as_ref().and_then(|l| l.line).unwrap_or(0),
            })
            .collect();
        assert_eq!(at, [2, 4, 5]);
    }

    #[test]
    fn empty_csv_is_fatal_but_bad_json_is_per_line() {
        let reader: Box<dyn BufRead> = Box::new(io::Cursor::new(Vec::new()));
        let err = ScoredReader::from_reader("e.csv", reader, RecordFormat::Csv)
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "e.csv: empty input, expected a CSV header line"
        );
        let recs = read("j.jsonl", "{\"bad\r\n", RecordFormat::Jsonl);
        assert_eq!(
            problem(&recs[0]).to_string(),
            "j.jsonl:1: bad JSON: EOF while parsing a string at column 5"
        );
    }

    #[test]
    fn missing_columns_list_the_header() {
        let reader: Box<dyn BufRead> =
            Box::new(io::Cursor::new(b"article_id,topic\na,b\n".to_vec()));
        let err = ScoredReader::from_reader("h.csv", reader, RecordFormat::Csv)
            .err()
            .unwrap();
        let msg = err.to_string();
        assert!(
            msg.starts_with("h.csv: missing column(s) sentence, start"),
            "{msg}"
        );
        assert!(msg.ends_with("the header has: article_id, topic"), "{msg}");
    }

    #[test]
    fn reads_jsonl_and_reports_bad_lines() {
        let text = "{\"article_id\":\"a\",\"sentence\":1,\"start\":0,\"end\":3,\"text\":\"t\",\"topic\":\"other\",\"topic_prob\":0.9,\"stance\":\"neutral\",\"stance_prob\":0.7,\"date\":null,\"source\":\"wire\",\"best_topic\":\"other\",\"min_confidence\":0.5,\"explain\":{}}\n\
                    \n\
                    {not json\n\
                    [1,2]\n\
                    {\"article_id\":7,\"sentence\":2,\"start\":0,\"end\":3,\"text\":\"t\",\"topic\":\"other\",\"topic_prob\":\"0.9\",\"stance\":\"neutral\",\"stance_prob\":0.7,\"best_topic\":\"other\"}\n\
                    {\"article_id\":\"a\",\"sentence\":3,\"start\":0,\"end\":3,\"topic\":\"other\",\"topic_prob\":0.9,\"best_topic\":\"other\"}\n";
        let recs = read("s.jsonl", text, RecordFormat::Jsonl);
        assert_eq!(recs.len(), 5);
        let r = row(&recs[0]);
        assert_eq!(r.source.as_deref(), Some("wire"));
        assert_eq!(r.min_confidence, Some(0.5));
        let p = problem(&recs[1]);
        assert_eq!(p.location.as_ref().unwrap().line, Some(3));
        assert_eq!(p.kind.code(), "bad_json");
        assert!(problem(&recs[2]).to_string().contains("found an array"));
        let p = problem(&recs[3]);
        assert_eq!(p.article_id.as_deref(), Some("7"));
        assert_eq!(p.kind.code(), "bad_value");
        let p = problem(&recs[4]);
        assert_eq!(p.kind, ProblemKind::MissingField("text"));
    }

    #[test]
    fn invalid_utf8_is_a_row_problem_not_fatal() {
        let mut bytes = format!("{HEADER}\n").into_bytes();
        bytes.extend_from_slice(b"a,1,0,1,\xff\xfe,other,0.9,neutral,0.9,,,other,\n");
        bytes.extend_from_slice(b"a,2,0,1,ok,other,0.9,neutral,0.9,,,other,\n");
        let reader: Box<dyn BufRead> = Box::new(io::Cursor::new(bytes));
        let recs: Vec<_> = ScoredReader::from_reader("u.csv", reader, RecordFormat::Csv)
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(problem(&recs[0]).kind, ProblemKind::NotUtf8);
        assert_eq!(row(&recs[1]).sentence, 2);
    }

    #[test]
    fn format_from_extension_and_sniffing() {
        assert_eq!(
            RecordFormat::from_extension(Path::new("a.JSONL")),
            Some(RecordFormat::Jsonl)
        );
        assert_eq!(
            RecordFormat::from_extension(Path::new("a.csv")),
            Some(RecordFormat::Csv)
        );
        assert_eq!(RecordFormat::from_extension(Path::new("a")), None);
        let mut r: Box<dyn BufRead> = Box::new(io::Cursor::new(b"  \n{\"a\":1}".to_vec()));
        assert_eq!(sniff(&mut r).unwrap(), RecordFormat::Jsonl);
        let mut r: Box<dyn BufRead> = Box::new(io::Cursor::new(b"article_id,x".to_vec()));
        assert_eq!(sniff(&mut r).unwrap(), RecordFormat::Csv);
    }
}
