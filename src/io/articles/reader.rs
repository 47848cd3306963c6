//! [`ArticleReader`]: items out of a list of sources, one at a time.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::article::{Article, Item, ReadOptions, Rejected};
use super::ids::SeenIds;
use super::inputs::{ArticleFormat, Source};
use super::parquet::ParquetArticles;
use super::parse::{
    csv_article, json_article, read_header, text_line_article, too_large, CsvHeader,
};
use crate::io::position::Position;
use crate::io::record_stream::{InputStream, RawRecord, BOM, BUF_SIZE};

/// Streams [`Item`]s out of a list of sources, one at a time.
pub struct ArticleReader {
    sources: VecDeque<Source>,
    options: ReadOptions,
    open: Option<Open>,
    /// The Parquet file being read, its origin and size.
    parquet: Option<(Origin, ParquetArticles, u64)>,
    /// Bytes of sources already finished.
    finished: u64,
    /// The article ids read so far.
    seen: SeenIds,
    /// Set when stdin is a source and gives no bytes at all.
    empty_stdin: Arc<AtomicBool>,
}

impl ArticleReader {
    /// A reader over `sources`, in order.
    pub fn new(sources: Vec<Source>, options: ReadOptions) -> ArticleReader {
        ArticleReader {
            sources: sources.into(),
            options,
            open: None,
            parquet: None,
            finished: 0,
            seen: SeenIds::default(),
            empty_stdin: Arc::default(),
        }
    }

    /// A flag that turns true when stdin is a source and gives no bytes at
    /// all (it is empty, or closed: a closed descriptor 0 reads as empty),
    /// readable after the reader has moved to a thread of its own.
    ///
    /// Such a stdin gives no items, in every format (no CSV header is
    /// expected of it): an empty partition piped through is no input, not a
    /// bad one; the caller says so.
    pub fn empty_stdin(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.empty_stdin)
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
                format: ArticleFormat::Txt,
                id,
            } => {
                let origin = Origin {
                    input,
                    file: path.display().to_string(),
                };
                let (item, size) = read_txt_file(&origin, &path, id, max);
                self.finished += size;
                Some(origin.admit(&mut self.seen, item, None))
            }
            Source::File {
                input,
                path,
                format: ArticleFormat::Parquet,
                ..
            } => {
                let origin = Origin {
                    input,
                    file: path.display().to_string(),
                };
                let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                match ParquetArticles::open(&path, &self.options.columns) {
                    Ok(articles) => {
                        self.parquet = Some((origin, articles, size));
                        None
                    }
                    Err(problem) => {
                        self.finished += size;
                        Some(origin.reject(None, None, problem.reason()))
                    }
                }
            }
            Source::Stdin(ArticleFormat::Parquet) => {
                let origin = Origin {
                    input: "-".into(),
                    file: "-".into(),
                };
                let reason = "unreadable: Parquet is read from files only, not stdin";
                Some(origin.reject(None, None, reason.into()))
            }
            Source::File {
                input,
                path,
                format,
                ..
            } => {
                let origin = Origin {
                    input,
                    file: path.display().to_string(),
                };
                match File::open(&path) {
                    Ok(f) => self.open_stream(origin, Box::new(f), format),
                    Err(e) => Some(origin.reject(None, None, format!("unreadable: {e}"))),
                }
            }
            Source::Stdin(format) => {
                let origin = Origin {
                    input: "-".into(),
                    file: "-".into(),
                };
                // Note: the bytes this waits for stay in stdin's own buffer,
                // where the stream below reads them first. An error is left
                // for the stream to report.
                if io::stdin().lock().fill_buf().is_ok_and(|b| b.is_empty()) {
                    self.empty_stdin.store(true, Ordering::Relaxed);
                    return None;
                }
                self.open_stream(origin, Box::new(io::stdin()), format)
            }
        }
    }

    fn open_stream(
        &mut self,
        origin: Origin,
        reader: Box<dyn Read + Send>,
        format: ArticleFormat,
    ) -> Option<Item> {
        let mut stream = InputStream::new(BufReader::with_capacity(BUF_SIZE, reader))
            .with_delimiter(format.delimiter().unwrap_or(b','));
        let format = match format {
            ArticleFormat::Jsonl => Format::Jsonl,
            // Note: Parquet sources never get here (see `start`).
            ArticleFormat::Txt | ArticleFormat::Parquet => Format::TxtLines,
            ArticleFormat::Csv | ArticleFormat::Tsv => {
                match read_header(&mut stream, &self.options) {
                    Ok(header) => Format::Csv(header),
                    Err(problem) => {
                        let (line, reason) = problem.into_reject();
                        self.finished += stream.consumed;
                        return Some(origin.reject(line, None, reason));
                    }
                }
            }
        };
        self.open = Some(Open {
            origin,
            stream,
            format,
            buf: Vec::new(),
            record: RawRecord::default(),
            line: 0,
            done: false,
        });
        None
    }
}

impl Iterator for ArticleReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some((origin, articles, size)) = &mut self.parquet {
                if let Some((row, parsed)) = articles.next_row(&self.options) {
                    let line = Some(row);
                    return Some(match parsed {
                        Ok(article) => origin.admit(&mut self.seen, Item::Article(article), line),
                        Err((id, reason)) => origin.reject(line, id, reason),
                    });
                }
                self.finished += *size;
                self.parquet = None;
            }
            if let Some(open) = &mut self.open {
                if let Some((item, line)) = open.next_item(&self.options) {
                    return Some(open.origin.admit(&mut self.seen, item, line));
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
    /// `item`, or its rejection when it is an article whose id was read before.
    fn admit(&self, seen: &mut SeenIds, item: Item, line: Option<u64>) -> Item {
        match item {
            Item::Article(article) => match seen.admit(&article.id, &self.file, line) {
                Ok(()) => Item::Article(article),
                Err(reason) => self.reject(line, Some(article.id), reason),
            },
            rejected => rejected,
        }
    }

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
    /// 1-based line of the last line read (JSON Lines, text lines).
    line: u64,
    done: bool,
}

enum Format {
    Csv(CsvHeader),
    Jsonl,
    TxtLines,
}

impl Open {
    /// The next item and the line it starts on.
    fn next_item(&mut self, options: &ReadOptions) -> Option<(Item, Option<u64>)> {
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
        let line = match self.format {
            Format::Csv(_) => self.record.line,
            Format::Jsonl | Format::TxtLines => self.line,
        };
        item.map(|item| (item, Some(line)))
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
            self.line = line.number;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::articles::expand_inputs;
    use std::path::PathBuf;

    fn reader_over(
        dir: &Path,
        inputs: &[&str],
        format: Option<ArticleFormat>,
        max: usize,
    ) -> Vec<Item> {
        let paths: Vec<PathBuf> = inputs.iter().map(|p| dir.join(p)).collect();
        let sources = expand_inputs(&paths, format, ArticleFormat::Jsonl);
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
                format!("rejected {d}/notes.pdf unsupported file type: .pdf (expected .txt, .csv, .tsv, .jsonl, .json or .parquet; or give --input-format)"),
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
        let items = reader_over(dir.path(), &["ok.text"], Some(ArticleFormat::Txt), 10);
        assert_eq!(ids(&items), vec!["ok.text".to_string()]);
        let items = reader_over(dir.path(), &["ok.text"], None, 10);
        assert!(ids(&items)[0].contains("unsupported file type: .text"));
    }
}
