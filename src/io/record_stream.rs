//! A buffered input read in bounded memory: lines with a byte cap, and CSV
//! records by a small RFC 4180 state machine that stops keeping a record's
//! bytes once it passes the cap but still follows its quoting to find where
//! the next record starts.
//!
//! The one record reader of every input: articles (`score`), scored
//! statements (`report`, `suggest`) and labelled data (`train`, `evaluate`),
//! so one limit ([`DEFAULT_MAX_RECORD_BYTES`]) bounds the memory of a record
//! everywhere, and line numbers are counted one way.

use std::io::{self, BufRead, BufReader, Read};

pub(crate) type Input = BufReader<Box<dyn Read + Send>>;

/// The default cap on one record (a CSV record, a JSON Lines line, a text
/// file) in every reader: 16 MiB.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 << 20;

/// Read-buffer size for files and stdin.
pub(crate) const BUF_SIZE: usize = 256 << 10;

/// A UTF-8 byte order mark.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A buffered input that counts lines and bytes, read by capped lines or CSV records.
pub(crate) struct InputStream<R = Input> {
    pub(crate) reader: R,
    /// Line breaks (`\n`) consumed so far.
    pub(crate) line: u64,
    /// Bytes consumed so far.
    pub(crate) consumed: u64,
    /// Still at the very start (a BOM may follow).
    at_start: bool,
    /// The field delimiter of CSV records: `,`, or a tab for TSV.
    delimiter: u8,
}

/// A line read by [`InputStream::read_line`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    /// 1-based line number.
    pub(crate) number: u64,
    /// Bytes in the input, line end included.
    pub(crate) size: u64,
    /// Longer than the cap: its bytes were not kept.
    pub(crate) oversized: bool,
}

/// One CSV record's fields, reused from record to record.
#[derive(Debug, Default)]
pub(crate) struct RawRecord {
    pub(crate) bytes: Vec<u8>,
    /// End offset of each kept field in `bytes`.
    pub(crate) ends: Vec<usize>,
    /// Fields in the record (more than `ends` holds when there are too many).
    pub(crate) fields: usize,
    /// 1-based line where the record starts.
    pub(crate) line: u64,
    /// Bytes of the record in the input.
    pub(crate) size: u64,
    /// Its fields hold more than the cap; `bytes` was dropped.
    pub(crate) oversized: bool,
    /// The input ended inside a quoted field.
    pub(crate) unterminated: bool,
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

    pub(crate) fn field(&self, i: usize) -> Option<&[u8]> {
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

impl<R: BufRead> InputStream<R> {
    pub(crate) fn new(reader: R) -> InputStream<R> {
        InputStream {
            reader,
            line: 0,
            consumed: 0,
            at_start: true,
            delimiter: b',',
        }
    }

    /// The same stream reading CSV records whose fields `delimiter`
    /// separates (a tab for TSV); quoting is CSV's.
    pub(crate) fn with_delimiter(mut self, delimiter: u8) -> InputStream<R> {
        self.delimiter = delimiter;
        self
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
    pub(crate) fn read_line(&mut self, buf: &mut Vec<u8>, max: usize) -> io::Result<Option<Line>> {
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
    pub(crate) fn read_record(
        &mut self,
        rec: &mut RawRecord,
        max: usize,
        max_fields: usize,
    ) -> io::Result<bool> {
        self.read_record_until(rec, max, max_fields, false)
    }

    /// [`InputStream::read_record`], but an oversized record ends the read
    /// as soon as it passes `max` (its `size` is then what was read of it):
    /// for a header, where the input cannot be used anyway and may never end
    /// (`/dev/zero`). The stream is left inside the record.
    pub(crate) fn read_record_or_stop(
        &mut self,
        rec: &mut RawRecord,
        max: usize,
        max_fields: usize,
    ) -> io::Result<bool> {
        self.read_record_until(rec, max, max_fields, true)
    }

    fn read_record_until(
        &mut self,
        rec: &mut RawRecord,
        max: usize,
        max_fields: usize,
        stop_when_oversized: bool,
    ) -> io::Result<bool> {
        self.skip_bom()?;
        rec.clear();
        let mut state = CsvState::StartRecord;
        let mut start = 0u64;
        let delimiter = self.delimiter;
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
                        d if d == delimiter => {
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
                        let run =
                            memchr::memchr3(delimiter, b'\n', b'\r', &buf[i..]).unwrap_or(n - i);
                        rec.push(&buf[i..i + run], max);
                        i += run;
                        if i < n {
                            rec.end_field(max_fields);
                            if buf[i] == delimiter {
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
                        d if d == delimiter => {
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
            if done || (stop_when_oversized && rec.oversized) {
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
    fn an_oversized_record_can_stop_the_read_early() {
        // An endless header (as /dev/zero gives) ends the read once past the cap.
        let endless = io::repeat(0).take(1 << 30);
        let reader: Box<dyn Read + Send> = Box::new(endless);
        let mut s = InputStream::new(BufReader::with_capacity(64, reader));
        let mut rec = RawRecord::default();
        assert!(s.read_record_or_stop(&mut rec, 100, 10).unwrap());
        assert!(rec.oversized);
        assert!(rec.size > 100 && rec.size <= 164, "{}", rec.size);
        assert!(s.consumed < 1000);
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
}
