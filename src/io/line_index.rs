//! True 1-based line numbers for CSV records: the one mechanism every
//! reader built on the `csv` crate uses (`label`'s to-label and appended
//! files, `suggest --exclude`), and its errors as ours. The data inputs
//! (labelled, articles, scored) are read by `record_stream` instead, which
//! counts lines itself.
//!
//! Note: csv 1.x reports the position of the terminator *before* a record
//! when lines end in CRLF or blank lines precede it, so `Position::line()`
//! is one or more too low there (verified with csv 1.4: `"h\r\na\r\n"` gives
//! line 1 for `a`). This module counts line breaks in the bytes the parser
//! actually reads and maps a record's byte offset to the line it starts on.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, BufRead, Read};
use std::path::Path;
use std::rc::Rc;

use crate::error::Error;

/// Line breaks seen but not yet passed, and the lines passed so far.
#[derive(Debug, Default)]
pub struct LineIndex {
    // Note: only `\r`/`\n` bytes within the parser's read-ahead window are
    // kept; `line_at` drops them once passed, so memory stays bounded.
    breaks: VecDeque<(u64, u8)>,
    read: u64,
    lines_passed: u64,
}

impl LineIndex {
    /// The line on which a record reported at byte offset `byte` starts.
    ///
    /// Offsets must not decrease between calls. Line-break bytes at `byte`
    /// and right after it are the preceding record's terminator or blank
    /// lines, so they are passed too.
    pub fn line_at(&mut self, byte: u64) -> u64 {
        let mut cursor = byte;
        while let Some(&(pos, b)) = self.breaks.front() {
            if pos > cursor {
                break;
            }
            if pos == cursor {
                cursor += 1;
            }
            if b == b'\n' {
                self.lines_passed += 1;
            }
            self.breaks.pop_front();
        }
        self.lines_passed + 1
    }

    /// The line of a record, or of an error, the `csv` crate reports at
    /// `position`; without one, the line of the last record asked about.
    ///
    /// Note: never 0, whatever the error: the first line is 1.
    pub fn line_of(&mut self, position: Option<&csv::Position>) -> u64 {
        match position {
            Some(p) => self.line_at(p.byte()),
            None => self.lines_passed + 1,
        }
    }

    fn saw(&mut self, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                self.breaks.push_back((self.read + i as u64, b));
            }
        }
        self.read += bytes.len() as u64;
    }
}

/// A reader that records every line break it passes on into a shared [`LineIndex`].
pub struct CountingReader {
    inner: Box<dyn BufRead>,
    index: Rc<RefCell<LineIndex>>,
}

impl CountingReader {
    /// Wraps `inner`; the returned index answers line queries for what was read.
    pub fn new(inner: Box<dyn BufRead>) -> (CountingReader, Rc<RefCell<LineIndex>>) {
        let index = Rc::new(RefCell::new(LineIndex::default()));
        let reader = CountingReader {
            inner,
            index: Rc::clone(&index),
        };
        (reader, index)
    }
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.index.borrow_mut().saw(&buf[..n]);
        Ok(n)
    }
}

/// A csv error as ours, with the file and its 1-based `line`.
pub(crate) fn csv_error(path: &Path, e: &csv::Error, line: u64) -> Error {
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("record has {len} fields, the header has {expected_len}")
        }
        _ => e.to_string(),
    };
    Error::Csv {
        path: path.to_path_buf(),
        line,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of each record as reported through the index, for `data`.
    fn lines(data: &str) -> Vec<u64> {
        let (reader, index) =
            CountingReader::new(Box::new(io::Cursor::new(data.as_bytes().to_vec())));
        let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let mut record = csv::StringRecord::new();
        let mut out = Vec::new();
        while csv.read_record(&mut record).unwrap_or(false) {
            out.push(index.borrow_mut().line_of(record.position()));
        }
        out
    }

    #[test]
    fn lf_crlf_blank_lines_and_multiline_fields() {
        assert_eq!(lines("h,i\na,1\nb,2\n"), [2, 3]);
        assert_eq!(lines("h,i\r\na,1\r\nb,2\r\n"), [2, 3]);
        assert_eq!(lines("\u{feff}h,i\r\na,1\r\nb,2\r\n"), [2, 3]);
        assert_eq!(lines("h,i\n\n\na,1\r\n\r\nb,2\n"), [4, 6]);
        assert_eq!(lines("h,i\r\na,\"x\r\ny\"\r\nb,2\r\n"), [2, 4]);
    }

    #[test]
    fn memory_is_released_as_lines_pass() {
        let data = "h,i\n".to_string() + &"a,1\n".repeat(10_000);
        let (reader, index) = CountingReader::new(Box::new(io::Cursor::new(data.into_bytes())));
        let mut csv = csv::Reader::from_reader(reader);
        let mut record = csv::StringRecord::new();
        let mut last = 0;
        while csv.read_record(&mut record).unwrap_or(false) {
            let byte = record.position().map_or(0, |p| p.byte());
            last = index.borrow_mut().line_at(byte);
            assert!(index.borrow().breaks.len() < 20_000);
        }
        assert_eq!(last, 10_001);
        assert!(index.borrow().breaks.len() <= 1);
    }
}
