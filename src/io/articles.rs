//! Articles in: `.txt` files, CSV, JSON Lines, directories of them and stdin, streamed.
//!
//! [`expand_inputs`] turns the command line's inputs into [`Source`]s
//! (directories walked in path order); [`ArticleReader`] then reads them one
//! item at a time: an [`Article`], or a [`Rejected`] item that says where it
//! was and why it could not be used. Nothing is fatal here: an unreadable
//! file, a broken record or an oversized line becomes one rejected item and
//! reading goes on with the next.
//!
//! Memory is bounded by the size limit, never by the input: JSON Lines and
//! text lines are read with a byte cap, and CSV is parsed by a small RFC 4180
//! state machine that stops keeping a record's bytes once it passes the cap
//! but still follows its quoting to find where the next record starts.
//!
//! Note: the `csv` crate keeps a whole record in memory before it can say
//! how long it is, and its `Position::line` is off after CRLF line ends (see
//! `io::line_index`), hence the parser here. It accepts what the `csv`
//! crate accepts with its defaults: `,` delimiter, `""` escapes, CR, LF or
//! CRLF line ends, blank lines skipped, a quote inside an unquoted field kept
//! as text, a UTF-8 BOM before the header.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// One article to score.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Article {
    /// Identifier, trimmed and not empty.
    pub id: String,
    /// The body; sentence offsets refer to these bytes. Never blank.
    pub text: String,
    /// Publication date as given (ISO `YYYY-MM-DD` expected downstream), if any.
    pub date: Option<String>,
    /// Where it came from, if known.
    pub source: Option<String>,
    /// Headline, if known.
    pub title: Option<String>,
}

/// Names of the fields that hold each part of an article (CSV columns, JSON keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleColumns {
    /// Identifier. Default "id".
    pub id: String,
    /// Body text. Default "text".
    pub text: String,
    /// Date. Default "date"; optional in the data.
    pub date: String,
    /// Source. Default "source"; optional in the data.
    pub source: String,
    /// Title. Default "title"; optional in the data.
    pub title: String,
}

impl Default for ArticleColumns {
    fn default() -> Self {
        ArticleColumns {
            id: "id".into(),
            text: "text".into(),
            date: "date".into(),
            source: "source".into(),
            title: "title".into(),
        }
    }
}

/// How an input is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Plain text: a file is one article; on stdin, every non-blank line is one.
    Txt,
    /// CSV with a header row, one article per record.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl InputKind {
    /// The kind implied by a file name's extension: `.txt`, `.csv`, `.jsonl`, `.json`, `.ndjson`.
    pub fn from_extension(path: &Path) -> Option<InputKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(InputKind::Txt),
            "csv" => Some(InputKind::Csv),
            "jsonl" | "json" | "ndjson" => Some(InputKind::Jsonl),
            _ => None,
        }
    }
}

/// Where a rejected item was: a file (`-` for stdin) and, when it applies, a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The file as found (inside a directory input: the file's own path).
    pub file: String,
    /// 1-based line where the record starts; `None` for whole-file problems.
    pub line: Option<u64>,
}

impl fmt::Display for Position {
    /// `file:line`, or `file` alone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// An item that could not be scored, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The input as named on the command line (a directory for files found in it).
    pub input: String,
    /// Where in it.
    pub position: Position,
    /// The article's id, when it could be read.
    pub article_id: Option<String>,
    /// What is wrong; starts with a fixed phrase (`too large:`, `not UTF-8:`,
    /// `bad CSV record:`, `bad JSON:`, `missing id`, `missing text`, `empty text`,
    /// `missing column:`, `unreadable:`, `unsupported file type:`).
    pub reason: String,
}

/// One thing read from the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// An article to score.
    Article(Article),
    /// Something that could not be used.
    Rejected(Rejected),
}

/// One input to read, after directories are expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input, in this format.
    Stdin(InputKind),
    /// A file.
    File {
        /// As named on the command line.
        input: String,
        /// The file.
        path: PathBuf,
        /// How to read it.
        kind: InputKind,
        /// The article id if it is a `.txt` file: its name, or its path
        /// relative to the directory input it was found in.
        id: String,
    },
    /// Something that can't be read as articles; it becomes one rejected item.
    Unusable {
        /// As named on the command line.
        input: String,
        /// The path in question.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl Source {
    /// The file's size when this is a regular file, for progress; `None` for stdin.
    pub fn size(&self) -> Option<u64> {
        match self {
            Source::Stdin(_) => None,
            Source::File { path, .. } => std::fs::metadata(path)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len()),
            Source::Unusable { .. } => Some(0),
        }
    }

    /// The file this source reads, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::File { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// Turns command-line inputs into sources, in order.
///
/// `-` is stdin in `stdin_kind`. A directory is walked recursively, entries
/// sorted by name (so files come in path order); its files are read by
/// extension and anything else becomes an [`Source::Unusable`].
/// A file named on the command line is read as `kind` when given, else by
/// its extension. Symbolic links are followed; a directory reached twice is
/// rejected the second time rather than walked in a loop.
pub fn expand_inputs(
    inputs: &[PathBuf],
    kind: Option<InputKind>,
    stdin_kind: InputKind,
) -> Vec<Source> {
    let mut out = Vec::new();
    let mut seen_dirs = HashSet::new();
    for path in inputs {
        let input = path.display().to_string();
        if path.as_os_str() == "-" {
            out.push(Source::Stdin(kind.unwrap_or(stdin_kind)));
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) => out.push(Source::Unusable {
                input,
                path: path.clone(),
                reason: format!("unreadable: {e}"),
            }),
            Ok(m) if m.is_dir() => walk(&input, path, path, &mut seen_dirs, &mut out),
            Ok(_) => {
                let id = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| input.clone());
                out.push(file_source(input, path.clone(), kind, id));
            }
        }
    }
    out
}

fn file_source(input: String, path: PathBuf, kind: Option<InputKind>, id: String) -> Source {
    match kind.or_else(|| InputKind::from_extension(&path)) {
        Some(kind) => Source::File {
            input,
            path,
            kind,
            id,
        },
        None => {
            let ext = path
                .extension()
                .map(|e| format!(".{}", e.to_string_lossy()))
                .unwrap_or_else(|| "no extension".into());
            Source::Unusable {
                input,
                path,
                reason: format!(
                    "unsupported file type: {ext} (expected .txt, .csv, .jsonl or .json; or give --input-format)"
                ),
            }
        }
    }
}

/// Appends the files under `dir` to `out`, depth first, entries sorted by name.
fn walk(input: &str, root: &Path, dir: &Path, seen: &mut HashSet<PathBuf>, out: &mut Vec<Source>) {
    let unusable = |path: &Path, reason: String| Source::Unusable {
        input: input.to_string(),
        path: path.to_path_buf(),
        reason,
    };
    if let Ok(canonical) = dir.canonicalize() {
        if !seen.insert(canonical) {
            out.push(unusable(
                dir,
                "unreadable: directory already read (a symbolic link loop?)".into(),
            ));
            return;
        }
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd.collect::<Result<Vec<_>, _>>(),
        Err(e) => Err(e),
    };
    let mut entries = match entries {
        Ok(e) => e,
        Err(e) => {
            out.push(unusable(dir, format!("unreadable: {e}")));
            return;
        }
    };
    // Note: sorting each directory by name and descending depth first is
    // the same order as sorting all paths, since `Path` compares by component.
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        match std::fs::metadata(&path) {
            Err(e) => out.push(unusable(&path, format!("unreadable: {e}"))),
            Ok(m) if m.is_dir() => walk(input, root, &path, seen, out),
            Ok(m) if !m.is_file() => {
                out.push(unusable(&path, "unreadable: not a regular file".into()))
            }
            Ok(_) => {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let id = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push(file_source(input.to_string(), path, None, id));
            }
        }
    }
}

/// Reading limits and field names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Field names.
    pub columns: ArticleColumns,
    /// A `.txt` file, CSV record or JSON/text line above this many bytes is rejected. Default 16 MiB.
    pub max_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            columns: ArticleColumns::default(),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// The default of [`ReadOptions::max_bytes`]: 16 MiB.
pub const DEFAULT_MAX_BYTES: usize = 16 << 20;

/// Most columns a CSV header may have.
const MAX_HEADER_FIELDS: usize = 1 << 16;

type Input = BufReader<Box<dyn Read + Send>>;

/// Read-buffer size for files and stdin.
const BUF_SIZE: usize = 256 << 10;

/// Streams [`Item`]s out of a list of sources, one at a time.
pub struct ArticleReader {
    sources: VecDeque<Source>,
    options: ReadOptions,
    open: Option<Open>,
    /// Bytes of sources already finished.
    finished: u64,
}

impl ArticleReader {
    /// A reader over `sources`, in order.
    pub fn new(sources: Vec<Source>, options: ReadOptions) -> ArticleReader {
        ArticleReader {
            sources: sources.into(),
            options,
            open: None,
            finished: 0,
        }
    }

    /// Input bytes consumed so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.finished + self.open.as_ref().map_or(0, |o| o.stream.consumed)
    }

    /// True when reading on would wait for stdin: what was sent so far has been read.
    ///
    /// Note: a streaming caller (a pipe that sends a line and waits for the
    /// answer) must get the answer before this reader blocks again.
    pub fn waiting_on_stdin(&self) -> bool {
        self.open
            .as_ref()
            .is_some_and(|o| o.origin.file == "-" && o.stream.reader.buffer().is_empty())
    }

    fn start(&mut self, source: Source) -> Option<Item> {
        let max = self.options.max_bytes;
        match source {
            Source::Unusable {
                input,
                path,
                reason,
            } => Some(Item::Rejected(Rejected {
                input,
                position: Position {
                    file: path.display().to_string(),
                    line: None,
                },
                article_id: None,
                reason,
            })),
            Source::File {
                input,
                path,
                kind: InputKind::Txt,
                id,
            } => {
                let origin = Origin {
                    input,
                    file: path.display().to_string(),
                };
                let (item, size) = read_txt_file(&origin, &path, id, max);
                self.finished += size;
                Some(item)
            }
            Source::File {
                input, path, kind, ..
            } => {
                let origin = Origin {
                    input,
                    file: path.display().to_string(),
                };
                match File::open(&path) {
                    Ok(f) => self.open_stream(origin, Box::new(f), kind),
                    Err(e) => Some(origin.reject(None, None, format!("unreadable: {e}"))),
                }
            }
            Source::Stdin(kind) => {
                let origin = Origin {
                    input: "-".into(),
                    file: "-".into(),
                };
                self.open_stream(origin, Box::new(io::stdin()), kind)
            }
        }
    }

    fn open_stream(
        &mut self,
        origin: Origin,
        reader: Box<dyn Read + Send>,
        kind: InputKind,
    ) -> Option<Item> {
        let mut stream = InputStream::new(BufReader::with_capacity(BUF_SIZE, reader));
        let format = match kind {
            InputKind::Jsonl => Format::Jsonl,
            InputKind::Txt => Format::TxtLines,
            InputKind::Csv => match read_header(&mut stream, &self.options) {
                Ok(header) => Format::Csv(header),
                Err((line, reason)) => {
                    self.finished += stream.consumed;
                    return Some(origin.reject(line, None, reason));
                }
            },
        };
        self.open = Some(Open {
            origin,
            stream,
            format,
            buf: Vec::new(),
            record: RawRecord::default(),
            done: false,
        });
        None
    }
}

impl Iterator for ArticleReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(open) = &mut self.open {
                if let Some(item) = open.next_item(&self.options) {
                    return Some(item);
                }
                self.finished += open.stream.consumed;
                self.open = None;
            }
            let source = self.sources.pop_front()?;
            if let Some(item) = self.start(source) {
                return Some(item);
            }
        }
    }
}

/// The input and file names used in rejects.
struct Origin {
    input: String,
    file: String,
}

impl Origin {
    fn reject(&self, line: Option<u64>, article_id: Option<String>, reason: String) -> Item {
        Item::Rejected(Rejected {
            input: self.input.clone(),
            position: Position {
                file: self.file.clone(),
                line,
            },
            article_id,
            reason,
        })
    }
}

/// A source being read record by record.
struct Open {
    origin: Origin,
    stream: InputStream,
    format: Format,
    buf: Vec<u8>,
    record: RawRecord,
    done: bool,
}

enum Format {
    Csv(CsvHeader),
    Jsonl,
    TxtLines,
}

fn too_large(what: &str, size: u64, max: usize) -> String {
    format!("too large: {what} of {size} bytes, above --max-article-bytes {max}")
}

impl Open {
    fn next_item(&mut self, options: &ReadOptions) -> Option<Item> {
        if self.done {
            return None;
        }
        let item = match &self.format {
            Format::Csv(_) => self.next_csv(options),
            Format::Jsonl | Format::TxtLines => self.next_line(options),
        };
        if item.is_none() {
            self.done = true;
        }
        item
    }

    /// An I/O error ends the source; what was read before it stands.
    fn read_error(
        done: &mut bool,
        origin: &Origin,
        stream: &InputStream,
        e: io::Error,
    ) -> Option<Item> {
        *done = true;
        let line = stream.line + 1;
        Some(origin.reject(Some(line), None, format!("unreadable: {e}")))
    }

    fn next_line(&mut self, options: &ReadOptions) -> Option<Item> {
        let max = options.max_bytes;
        loop {
            let line = match self.stream.read_line(&mut self.buf, max) {
                Ok(Some(line)) => line,
                Ok(None) => return None,
                Err(e) => return Self::read_error(&mut self.done, &self.origin, &self.stream, e),
            };
            let at = Some(line.number);
            if line.oversized {
                return Some(
                    self.origin
                        .reject(at, None, too_large("line", line.size, max)),
                );
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let parsed = match self.format {
                Format::TxtLines => text_line_article(&self.buf, line.number),
                _ => json_article(&self.buf, &options.columns),
            };
            return Some(match parsed {
                Ok(article) => Item::Article(article),
                Err((id, reason)) => self.origin.reject(at, id, reason),
            });
        }
    }

    fn next_csv(&mut self, options: &ReadOptions) -> Option<Item> {
        let Format::Csv(header) = &self.format else {
            return None;
        };
        let max = options.max_bytes;
        let rec = &mut self.record;
        match self.stream.read_record(rec, max, header.len + 1) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => return Self::read_error(&mut self.done, &self.origin, &self.stream, e),
        }
        let at = Some(rec.line);
        if rec.oversized {
            return Some(
                self.origin
                    .reject(at, None, too_large("record", rec.size, max)),
            );
        }
        let id = rec
            .field(header.id)
            .and_then(|f| std::str::from_utf8(f).ok())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        if rec.unterminated {
            let reason = "bad CSV record: a quoted field is not closed before the end of the input";
            return Some(self.origin.reject(at, id, reason.into()));
        }
        if rec.fields != header.len {
            let reason = format!(
                "bad CSV record: {} fields, the header has {}",
                rec.fields, header.len
            );
            return Some(self.origin.reject(at, id, reason));
        }
        Some(match csv_article(rec, header, id.clone()) {
            Ok(article) => Item::Article(article),
            Err(reason) => self.origin.reject(at, id, reason),
        })
    }
}

/// Column positions in a CSV header.
struct CsvHeader {
    len: usize,
    id: usize,
    text: usize,
    date: Option<usize>,
    source: Option<usize>,
    title: Option<usize>,
}

/// Reads and checks the header; on failure, the line and reason to reject the whole file with.
fn read_header(
    stream: &mut InputStream,
    options: &ReadOptions,
) -> Result<CsvHeader, (Option<u64>, String)> {
    let mut rec = RawRecord::default();
    let max = options.max_bytes;
    match stream.read_record(&mut rec, max, MAX_HEADER_FIELDS) {
        Ok(true) => {}
        Ok(false) => {
            return Err((
                None,
                "bad CSV record: empty input, expected a header".into(),
            ))
        }
        Err(e) => return Err((Some(stream.line + 1), format!("unreadable: {e}"))),
    }
    let at = Some(rec.line);
    if rec.oversized {
        return Err((at, too_large("header", rec.size, max)));
    }
    if rec.fields > MAX_HEADER_FIELDS {
        return Err((
            at,
            format!("bad CSV record: header of more than {MAX_HEADER_FIELDS} columns"),
        ));
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
        find(name).ok_or_else(|| {
            (
                at,
                format!(
                    "missing column: no {name:?} in the header (it has: {})",
                    names.join(", ")
                ),
            )
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
fn csv_article(rec: &RawRecord, header: &CsvHeader, id: Option<String>) -> Result<Article, String> {
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
fn text_line_article(line: &[u8], number: u64) -> Result<Article, (Option<String>, String)> {
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
fn json_article(line: &[u8], cols: &ArticleColumns) -> Result<Article, (Option<String>, String)> {
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

/// Reads a `.txt` file as one article; returns it (or the reject) and the bytes it counts for.
fn read_txt_file(origin: &Origin, path: &Path, id: String, max: usize) -> (Item, u64) {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return (origin.reject(None, Some(id), format!("unreadable: {e}")), 0),
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > max as u64 {
        return (
            origin.reject(Some(1), Some(id), too_large("file", size, max)),
            size,
        );
    }
    let mut bytes = Vec::new();
    // Note: the size check above can be stale (a growing file, a FIFO), so
    // reading is capped too.
    if let Err(e) = file.take(max as u64 + 1).read_to_end(&mut bytes) {
        return (
            origin.reject(None, Some(id), format!("unreadable: {e}")),
            size,
        );
    }
    let read = bytes.len() as u64;
    if bytes.len() > max {
        return (
            origin.reject(Some(1), Some(id), too_large("file", read, max)),
            read,
        );
    }
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let bytes = e.as_bytes();
            let valid = e.utf8_error().valid_up_to();
            let line = 1 + bytes[..valid].iter().filter(|&&b| b == b'\n').count() as u64;
            return (
                origin.reject(Some(line), Some(id), "not UTF-8: invalid byte".into()),
                read,
            );
        }
    };
    if text.trim().is_empty() {
        return (origin.reject(Some(1), Some(id), "empty text".into()), read);
    }
    let article = Article {
        id,
        text,
        ..Article::default()
    };
    (Item::Article(article), read)
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A buffered input that counts lines and bytes, read by capped lines or CSV records.
struct InputStream {
    reader: Input,
    /// Line breaks (`\n`) consumed so far.
    line: u64,
    /// Bytes consumed so far.
    consumed: u64,
    /// Still at the very start (a BOM may follow).
    at_start: bool,
}

/// A line read by [`InputStream::read_line`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Line {
    /// 1-based line number.
    number: u64,
    /// Bytes in the input, line end included.
    size: u64,
    /// Longer than the cap: its bytes were not kept.
    oversized: bool,
}

/// One CSV record's fields, reused from record to record.
#[derive(Debug, Default)]
struct RawRecord {
    bytes: Vec<u8>,
    /// End offset of each kept field in `bytes`.
    ends: Vec<usize>,
    /// Fields in the record (more than `ends` holds when there are too many).
    fields: usize,
    /// 1-based line where the record starts.
    line: u64,
    /// Bytes of the record in the input.
    size: u64,
    /// Its fields hold more than the cap; `bytes` was dropped.
    oversized: bool,
    /// The input ended inside a quoted field.
    unterminated: bool,
}

impl RawRecord {
    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
        self.fields = 0;
        self.size = 0;
        self.oversized = false;
        self.unterminated = false;
    }

    fn field(&self, i: usize) -> Option<&[u8]> {
        if self.oversized {
            return None;
        }
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { *self.ends.get(i - 1)? };
        self.bytes.get(start..end)
    }

    fn push(&mut self, bytes: &[u8], max: usize) {
        if self.oversized {
            return;
        }
        if self.bytes.len() + bytes.len() > max {
            self.oversized = true;
            self.bytes.clear();
            self.ends.clear();
            return;
        }
        self.bytes.extend_from_slice(bytes);
    }

    fn end_field(&mut self, max_fields: usize) {
        self.fields += 1;
        if !self.oversized && self.ends.len() < max_fields {
            self.ends.push(self.bytes.len());
        }
    }
}

/// Where the CSV parser is within a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvState {
    /// Between records: line ends here are blank lines.
    StartRecord,
    StartField,
    InField,
    InQuoted,
    /// A quote inside a quoted field: the field's end or the first of `""`.
    QuoteInQuoted,
}

impl InputStream {
    fn new(reader: Input) -> InputStream {
        InputStream {
            reader,
            line: 0,
            consumed: 0,
            at_start: true,
        }
    }

    fn consume(&mut self, n: usize) {
        self.reader.consume(n);
        self.consumed += n as u64;
    }

    /// Drops a UTF-8 BOM at the start of the input.
    fn skip_bom(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.at_start) && self.reader.fill_buf()?.starts_with(BOM) {
            self.consume(BOM.len());
        }
        Ok(())
    }

    /// Reads one line into `buf` (without its `\n` or `\r\n`), keeping at most
    /// `max` bytes: a longer line is consumed to its end and reported oversized
    /// with `buf` empty. `None` at the end of the input.
    fn read_line(&mut self, buf: &mut Vec<u8>, max: usize) -> io::Result<Option<Line>> {
        self.skip_bom()?;
        buf.clear();
        let (mut size, mut oversized, mut any) = (0u64, false, false);
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                break;
            }
            any = true;
            let (take, newline) = match available.iter().position(|&b| b == b'\n') {
                Some(p) => (p + 1, true),
                None => (available.len(), false),
            };
            // Note: two bytes of slack for the line end, stripped below.
            if !oversized && buf.len() + take > max.saturating_add(2) {
                oversized = true;
                buf.clear();
                buf.shrink_to(max.min(BUF_SIZE));
            }
            if !oversized {
                buf.extend_from_slice(&available[..take]);
            }
            size += take as u64;
            self.consume(take);
            if newline {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        let number = self.line + 1;
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        if !oversized && buf.len() > max {
            oversized = true;
            buf.clear();
        }
        // Note: an oversized line's end was consumed too; it counts as one line.
        self.line += 1;
        Ok(Some(Line {
            number,
            size,
            oversized,
        }))
    }

    /// Reads the next CSV record into `rec`, keeping at most `max` bytes of
    /// fields and `max_fields` field bounds; `false` at the end of the input.
    fn read_record(
        &mut self,
        rec: &mut RawRecord,
        max: usize,
        max_fields: usize,
    ) -> io::Result<bool> {
        self.skip_bom()?;
        rec.clear();
        let mut state = CsvState::StartRecord;
        let mut start = 0u64;
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                match state {
                    CsvState::StartRecord => return Ok(false),
                    CsvState::InQuoted => rec.unterminated = true,
                    _ => {}
                }
                rec.end_field(max_fields);
                rec.size = self.consumed - start;
                return Ok(true);
            }
            let (mut i, n) = (0, buf.len());
            let mut done = false;
            let mut lines = 0;
            while i < n && !done {
                match state {
                    CsvState::StartRecord => match buf[i] {
                        b'\n' => {
                            lines += 1;
                            i += 1;
                        }
                        b'\r' => i += 1,
                        _ => {
                            rec.line = self.line + lines + 1;
                            start = self.consumed + i as u64;
                            state = CsvState::StartField;
                        }
                    },
                    CsvState::StartField => match buf[i] {
                        b'"' => {
                            state = CsvState::InQuoted;
                            i += 1;
                        }
                        b',' => {
                            rec.end_field(max_fields);
                            i += 1;
                        }
                        b'\n' | b'\r' => {
                            rec.end_field(max_fields);
                            done = true;
                        }
                        _ => state = CsvState::InField,
                    },
                    CsvState::InField => {
                        // Note: memchr's SIMD search; a byte loop here was
                        // most of the reader thread's time.
                        let run = memchr::memchr3(b',', b'\n', b'\r', &buf[i..]).unwrap_or(n - i);
                        rec.push(&buf[i..i + run], max);
                        i += run;
                        if i < n {
                            rec.end_field(max_fields);
                            if buf[i] == b',' {
                                state = CsvState::StartField;
                                i += 1;
                            } else {
                                done = true;
                            }
                        }
                    }
                    CsvState::InQuoted => {
                        let run = memchr::memchr2(b'"', b'\n', &buf[i..]).unwrap_or(n - i);
                        rec.push(&buf[i..i + run], max);
                        i += run;
                        if i < n {
                            if buf[i] == b'"' {
                                state = CsvState::QuoteInQuoted;
                            } else {
                                rec.push(b"\n", max);
                                lines += 1;
                            }
                            i += 1;
                        }
                    }
                    CsvState::QuoteInQuoted => match buf[i] {
                        b'"' => {
                            rec.push(b"\"", max);
                            state = CsvState::InQuoted;
                            i += 1;
                        }
                        b',' => {
                            rec.end_field(max_fields);
                            state = CsvState::StartField;
                            i += 1;
                        }
                        b'\n' | b'\r' => {
                            rec.end_field(max_fields);
                            done = true;
                        }
                        // Note: like the `csv` crate, text after a closing quote is kept.
                        _ => state = CsvState::InField,
                    },
                }
            }
            let end = self.consumed + i as u64;
            if done {
                // Note: the line end is consumed with the record, so a streaming
                // caller sees the input run dry right after a complete record.
                if buf.get(i) == Some(&b'\r') {
                    i += 1;
                }
                if buf.get(i) == Some(&b'\n') {
                    i += 1;
                    lines += 1;
                }
            }
            self.line += lines;
            self.consume(i);
            if done {
                rec.size = end - start;
                return Ok(true);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(data: &[u8]) -> InputStream {
        let reader: Box<dyn Read + Send> = Box::new(io::Cursor::new(data.to_vec()));
        InputStream::new(BufReader::with_capacity(7, reader))
    }

    /// (line, fields) of every record, parsed through a tiny buffer to exercise chunk edges.
    fn records(data: &str) -> Vec<(u64, Vec<String>)> {
        let mut s = stream(data.as_bytes());
        let mut rec = RawRecord::default();
        let mut out = Vec::new();
        while s.read_record(&mut rec, 1000, 100).unwrap() {
            let fields = (0..rec.fields)
                .map(|i| String::from_utf8(rec.field(i).unwrap().to_vec()).unwrap())
                .collect();
            out.push((rec.line, fields));
        }
        out
    }

    fn f(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn csv_quotes_line_ends_and_blank_lines() {
        assert_eq!(
            records("\u{feff}h,i\r\na,\"x,\"\"y\"\"\r\nz\"\r\n\r\n\nb,\r\n,c"),
            vec![
                (1, f(&["h", "i"])),
                (2, f(&["a", "x,\"y\"\r\nz"])),
                (6, f(&["b", ""])),
                (7, f(&["", "c"])),
            ]
        );
        assert_eq!(records("a\"b,\"c\"d\n"), vec![(1, f(&["a\"b", "cd"]))]);
        assert_eq!(records("x\ry\n"), vec![(1, f(&["x"])), (1, f(&["y"]))]);
        assert!(records("").is_empty());
        assert!(records("\n\r\n").is_empty());
    }

    #[test]
    fn csv_unterminated_and_oversized_records() {
        let mut s = stream(b"a,\"open\nstill\n");
        let mut rec = RawRecord::default();
        assert!(s.read_record(&mut rec, 100, 10).unwrap());
        assert!(rec.unterminated);
        assert!(!s.read_record(&mut rec, 100, 10).unwrap());

        let big = format!("h,t\n1,\"{}\"\n2,ok\n", "x\n".repeat(50));
        let mut s = stream(big.as_bytes());
        assert!(s.read_record(&mut rec, 20, 10).unwrap());
        assert!(s.read_record(&mut rec, 20, 10).unwrap());
        assert!(rec.oversized);
        assert_eq!((rec.line, rec.size), (2, 104));
        assert_eq!(rec.field(0), None);
        assert!(s.read_record(&mut rec, 20, 10).unwrap());
        assert_eq!((rec.line, rec.field(1)), (53, Some(&b"ok"[..])));
    }

    #[test]
    fn csv_records_take_their_line_end() {
        let mut s = stream(b"a,b\r\nc,d\n");
        let mut rec = RawRecord::default();
        assert!(s.read_record(&mut rec, 100, 10).unwrap());
        assert!(s.read_record(&mut rec, 100, 10).unwrap());
        assert_eq!((rec.line, rec.size, s.line), (2, 3, 2));
        assert!(s.reader.buffer().is_empty());
    }

    #[test]
    fn csv_field_bounds_are_capped() {
        let mut s = stream(b"a,b,c,d,e\n");
        let mut rec = RawRecord::default();
        assert!(s.read_record(&mut rec, 100, 2).unwrap());
        assert_eq!(rec.fields, 5);
        assert_eq!(rec.ends.len(), 2);
    }

    #[test]
    fn lines_are_capped_and_numbered() {
        let data = format!("short\r\n{}\nlast", "y".repeat(40));
        let mut s = stream(data.as_bytes());
        let mut buf = Vec::new();
        let a = s.read_line(&mut buf, 10).unwrap().unwrap();
        assert_eq!(
            (a.number, a.oversized, buf.as_slice()),
            (1, false, &b"short"[..])
        );
        let b = s.read_line(&mut buf, 10).unwrap().unwrap();
        assert_eq!((b.number, b.size, b.oversized), (2, 41, true));
        assert!(buf.is_empty());
        let c = s.read_line(&mut buf, 10).unwrap().unwrap();
        assert_eq!((c.number, buf.as_slice()), (3, &b"last"[..]));
        assert_eq!(s.read_line(&mut buf, 10).unwrap(), None);
        assert_eq!(s.consumed, data.len() as u64);
    }

    #[test]
    fn exactly_max_bytes_is_allowed() {
        let mut s = stream(b"0123456789\r\n0123456789x\n");
        let mut buf = Vec::new();
        assert!(!s.read_line(&mut buf, 10).unwrap().unwrap().oversized);
        assert!(s.read_line(&mut buf, 10).unwrap().unwrap().oversized);
    }

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

    fn reader_over(dir: &Path, inputs: &[&str], kind: Option<InputKind>, max: usize) -> Vec<Item> {
        let paths: Vec<PathBuf> = inputs.iter().map(|p| dir.join(p)).collect();
        let sources = expand_inputs(&paths, kind, InputKind::Jsonl);
        let options = ReadOptions {
            max_bytes: max,
            ..ReadOptions::default()
        };
        ArticleReader::new(sources, options).collect()
    }

    fn ids(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                Item::Article(a) => a.id.clone(),
                Item::Rejected(r) => format!("rejected {} {}", r.position, r.reason),
            })
            .collect()
    }

    #[test]
    fn directories_are_walked_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("in");
        std::fs::create_dir_all(d.join("b")).unwrap();
        std::fs::write(d.join("b/z.txt"), "Zed.").unwrap();
        std::fs::write(d.join("a.txt"), "Aye.").unwrap();
        std::fs::write(
            d.join("c.jsonl"),
            "{\"id\":\"j1\",\"text\":\"J.\"}\n\n{\"id\":\"j2\",\"text\":\"K.\"}\n",
        )
        .unwrap();
        std::fs::write(d.join("b.csv"), "id,text\nc1,\"C.\"\n").unwrap();
        std::fs::write(d.join("notes.pdf"), "%PDF").unwrap();
        let items = reader_over(dir.path(), &["in"], None, 1000);
        let d = d.display();
        assert_eq!(
            ids(&items),
            vec![
                "a.txt".to_string(),
                "b/z.txt".into(),
                "c1".into(),
                "j1".into(),
                "j2".into(),
                format!("rejected {d}/notes.pdf unsupported file type: .pdf (expected .txt, .csv, .jsonl or .json; or give --input-format)"),
            ]
        );
    }

    #[test]
    fn csv_problems_are_rejected_with_lines() {
        let dir = tempfile::tempdir().unwrap();
        let csv = b"\xEF\xBB\xBFid,date,text\r\n\
                    a,2024-01-01,\"Good.\"\r\n\
                    b,2024-01-01\r\n\
                    ,2024-01-01,No id.\r\n\
                    c,,\"  \"\r\n\
                    d,,\"bad \xff byte\"\r\n\
                    e,,\"multi\nline\"\r\n\
                    f,,\"open\n";
        std::fs::write(dir.path().join("x.csv"), csv).unwrap();
        std::fs::write(dir.path().join("y.csv"), "id,body\n1,x\n").unwrap();
        std::fs::write(dir.path().join("empty.csv"), "").unwrap();
        let items = reader_over(dir.path(), &["x.csv", "y.csv", "empty.csv"], None, 1000);
        let x = dir.path().join("x.csv").display().to_string();
        let y = dir.path().join("y.csv").display().to_string();
        let e = dir.path().join("empty.csv").display().to_string();
        assert_eq!(
            ids(&items),
            vec![
                "a".to_string(),
                format!("rejected {x}:3 bad CSV record: 2 fields, the header has 3"),
                format!("rejected {x}:4 missing id"),
                format!("rejected {x}:5 empty text"),
                format!("rejected {x}:6 not UTF-8: column text, byte 5"),
                "e".into(),
                format!("rejected {x}:9 bad CSV record: a quoted field is not closed before the end of the input"),
                format!("rejected {y}:1 missing column: no \"text\" in the header (it has: id, body)"),
                format!("rejected {e} bad CSV record: empty input, expected a header"),
            ]
        );
        let Item::Article(a) = &items[0] else {
            panic!()
        };
        assert_eq!(a.date.as_deref(), Some("2024-01-01"));
    }

    #[test]
    fn txt_files_oversized_invalid_and_empty() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big.txt"), "x".repeat(21)).unwrap();
        std::fs::write(dir.path().join("bad.txt"), b"ok\nstill ok\n\xff").unwrap();
        std::fs::write(dir.path().join("blank.txt"), " \n").unwrap();
        std::fs::write(dir.path().join("ok.text"), "Fine.").unwrap();
        let items = reader_over(
            dir.path(),
            &["big.txt", "bad.txt", "blank.txt", "missing.txt"],
            None,
            20,
        );
        let p = |n: &str| dir.path().join(n).display().to_string();
        let got = ids(&items);
        assert_eq!(
            got[0],
            format!(
                "rejected {}:1 too large: file of 21 bytes, above --max-article-bytes 20",
                p("big.txt")
            )
        );
        assert_eq!(
            got[1],
            format!("rejected {}:3 not UTF-8: invalid byte", p("bad.txt"))
        );
        assert_eq!(got[2], format!("rejected {}:1 empty text", p("blank.txt")));
        assert!(
            got[3].starts_with(&format!("rejected {} unreadable: ", p("missing.txt"))),
            "{}",
            got[3]
        );
        let items = reader_over(dir.path(), &["ok.text"], Some(InputKind::Txt), 10);
        assert_eq!(ids(&items), vec!["ok.text".to_string()]);
        let items = reader_over(dir.path(), &["ok.text"], None, 10);
        assert!(ids(&items)[0].contains("unsupported file type: .text"));
    }

    #[test]
    fn position_display() {
        let p = Position {
            file: "a.csv".into(),
            line: Some(3),
        };
        assert_eq!(p.to_string(), "a.csv:3");
        let p = Position {
            file: "dir".into(),
            line: None,
        };
        assert_eq!(p.to_string(), "dir");
    }
}
