//! A CSV file that grows one durable row at a time and shrinks from the end.
//!
//! Each row is written with one `write` and flushed to disk (`fdatasync`)
//! before `append` returns; `pop` truncates the last row away. The file has
//! its header from the moment it is created. The last column of every row is
//! a marker word the caller recognises, so a row cut short by `kill -9` or a
//! power loss during its write (which can only be the last row) is told apart
//! when the file is opened again: it has too few fields, or its last field is
//! not a whole marker. Opening removes such a row, and adds a missing final
//! line end after a complete one.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::{csv_error, CountingReader};

/// One row of the file and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRow {
    /// Byte offset of the row's start.
    pub start: u64,
    /// 1-based line of the row's start.
    pub line: u64,
    /// Its fields, in the header's order.
    pub fields: Vec<String>,
}

/// An open append-only CSV file, locked against a second writer.
#[derive(Debug)]
pub struct AppendCsv {
    path: PathBuf,
    file: File,
    rows: Vec<StoredRow>,
    /// The file's length in bytes.
    len: u64,
    /// Line breaks in the file.
    newlines: u64,
}

impl AppendCsv {
    /// Opens `path` (creating it with `header` when missing or empty) and reads its rows back.
    ///
    /// `is_marker` says whether a last field is a whole marker word. Returns
    /// the file and, when it was repaired, what was done.
    pub fn open(
        path: &Path,
        header: &[String],
        is_marker: &dyn Fn(&str) -> bool,
    ) -> Result<(AppendCsv, Option<String>)> {
        let io = |e| Error::io(path, e);
        let existed = path.exists();
        if existed && !std::fs::metadata(path).map_err(io)?.is_file() {
            // Note: a device such as /dev/zero would be read for ever.
            return Err(Error::Refused {
                path: path.to_path_buf(),
                message: "is not a regular file".into(),
            });
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        if let Err(std::fs::TryLockError::WouldBlock) = file.try_lock() {
            return Err(Error::Refused {
                path: path.to_path_buf(),
                message: "is open in another `stance label`; finish there first".into(),
            });
        }
        // Note: a file system without locks (some network ones) is used unlocked.
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let mut out = AppendCsv {
            path: path.to_path_buf(),
            file,
            rows: Vec::new(),
            len: bytes.len() as u64,
            newlines: memchr::memchr_iter(b'\n', &bytes).count() as u64,
        };
        let header_line = csv_line(path, header)?;
        if !bytes.contains(&b'\n') && header_line.starts_with(&bytes) {
            // A new file, or one whose header write was cut short.
            out.truncate(0, 0)?;
            out.write_durably(&header_line)?;
            if !existed {
                sync_parent_dir(path);
            }
            return Ok((out, None));
        }
        let note = out.read_rows(&bytes, header, is_marker)?;
        Ok((out, note))
    }

    /// The rows after the header, in file order.
    pub fn rows(&self) -> &[StoredRow] {
        &self.rows
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one row and flushes it to disk before returning.
    pub fn append(&mut self, fields: &[String]) -> Result<()> {
        let bytes = csv_line(&self.path, fields)?;
        let (start, line) = (self.len, self.newlines + 1);
        self.write_durably(&bytes)?;
        self.rows.push(StoredRow {
            start,
            line,
            fields: fields.to_vec(),
        });
        Ok(())
    }

    /// Removes the last row from the file (flushed to disk) and returns it.
    pub fn pop(&mut self) -> Result<Option<StoredRow>> {
        let Some(last) = self.rows.last() else {
            return Ok(None);
        };
        let (start, line) = (last.start, last.line);
        self.truncate(start, line.saturating_sub(1))?;
        Ok(self.rows.pop())
    }

    /// Parses the existing bytes, repairing an unfinished last row.
    fn read_rows(
        &mut self,
        bytes: &[u8],
        header: &[String],
        is_marker: &dyn Fn(&str) -> bool,
    ) -> Result<Option<String>> {
        let path = self.path.clone();
        let (counting, lines) = CountingReader::new(Box::new(std::io::Cursor::new(bytes.to_vec())));
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(counting);
        let line_of = |position: Option<&csv::Position>| lines.borrow_mut().line_of(position);
        let mut records = Vec::new();
        let mut rec = csv::ByteRecord::new();
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {
                    // Note: after a CRLF the csv crate may report the "\n" before the
                    // record as its start; no record starts with a line break.
                    let mut start = rec.position().map_or(0, |p| p.byte() as usize);
                    while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
                        start += 1;
                    }
                    records.push((start as u64, line_of(rec.position()), rec.clone()));
                }
                Ok(false) => break,
                Err(e) => return Err(csv_error(&path, &e, line_of(e.position()))),
            }
        }
        let refuse = |found: String| Error::Refused {
            path: path.clone(),
            message: format!(
                "has the columns [{found}] where stance label writes [{}] here: it belongs to \
                 another to_label file or was not written by stance label; give another --out",
                header.join(", ")
            ),
        };
        let Some((_, _, first)) = records.first() else {
            return Err(refuse(String::new()));
        };
        if first.iter().ne(header.iter().map(String::as_bytes)) {
            let found: Vec<String> = first
                .iter()
                .map(|f| String::from_utf8_lossy(f).into())
                .collect();
            return Err(refuse(found.join(", ")));
        }
        let mut note = None;
        if let Some((start, line, last)) = records.last().filter(|_| records.len() > 1) {
            let whole = last.len() == header.len()
                && last
                    .get(header.len() - 1)
                    .and_then(|f| std::str::from_utf8(f).ok())
                    .is_some_and(is_marker);
            if !whole {
                self.truncate(*start, line.saturating_sub(1))?;
                note = Some(format!(
                    "{}: removed the unfinished row at line {line}, left by an interrupted write \
                     (that statement was not saved and is asked again)",
                    path.display()
                ));
                records.pop();
            } else if bytes.last() != Some(&b'\n') {
                self.write_durably(b"\n")?;
                note = Some(format!(
                    "{}: added the missing line end after line {line}",
                    path.display()
                ));
            }
        }
        for (start, line, rec) in records.into_iter().skip(1) {
            if rec.len() != header.len() {
                return Err(Error::Csv {
                    path: path.clone(),
                    line,
                    message: format!(
                        "record has {} fields, the header has {}",
                        rec.len(),
                        header.len()
                    ),
                });
            }
            let fields = rec
                .iter()
                .map(|f| String::from_utf8(f.to_vec()))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|_| Error::Csv {
                    path: path.clone(),
                    line,
                    message: "invalid UTF-8".into(),
                })?;
            self.rows.push(StoredRow {
                start,
                line,
                fields,
            });
        }
        Ok(note)
    }

    /// Writes `bytes` at the end with one call and flushes them; on failure cuts them off again.
    fn write_durably(&mut self, bytes: &[u8]) -> Result<()> {
        let before = self.len;
        let written = self
            .file
            .write_all(bytes)
            .and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            // Note: a full disk can take part of the row; cutting it off keeps the file whole.
            let _ = self
                .file
                .set_len(before)
                .and_then(|()| self.file.sync_data());
            return Err(Error::io(&self.path, e));
        }
        self.len += bytes.len() as u64;
        self.newlines += memchr::memchr_iter(b'\n', bytes).count() as u64;
        Ok(())
    }

    /// Cuts the file to `len` bytes (with `newlines` line breaks before), flushed to disk.
    fn truncate(&mut self, len: u64, newlines: u64) -> Result<()> {
        self.file
            .set_len(len)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| Error::io(&self.path, e))?;
        self.len = len;
        self.newlines = newlines;
        Ok(())
    }
}

/// One CSV line (RFC 4180 quoting, `\n` at the end).
fn csv_line(path: &Path, fields: &[String]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let io = |e: csv::Error| Error::io(path, std::io::Error::other(e));
    w.write_record(fields).map_err(io)?;
    w.into_inner()
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))
}

/// Flushes the directory entry of a new file (best effort: not every file system can).
fn sync_parent_dir(path: &Path) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn header() -> Vec<String> {
        strings(&["id", "text", "decision"])
    }

    fn is_marker(s: &str) -> bool {
        s == "accepted"
    }

    fn open(path: &Path) -> Result<(AppendCsv, Option<String>)> {
        AppendCsv::open(path, &header(), &is_marker)
    }

    /// A row with quotes, commas, a line break and multi-byte characters.
    fn awkward() -> Vec<String> {
        strings(&["s2", "\"Hé\", said\nthe mañana", "accepted"])
    }

    #[test]
    fn rows_are_on_disk_after_append_and_gone_after_pop() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.csv");
        let (mut f, note) = open(&p).unwrap();
        assert_eq!(note, None);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "id,text,decision\n");
        f.append(&strings(&["s1", "a", "accepted"])).unwrap();
        f.append(&awkward()).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(
            text,
            "id,text,decision\ns1,a,accepted\ns2,\"\"\"Hé\"\", said\nthe mañana\",accepted\n"
        );
        assert_eq!(f.pop().unwrap().unwrap().fields, awkward());
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "id,text,decision\ns1,a,accepted\n"
        );
        f.append(&awkward()).unwrap();
        f.append(&strings(&["s3", "c", "accepted"])).unwrap();
        drop(f);
        let (f, note) = open(&p).unwrap();
        assert_eq!(note, None);
        let lines: Vec<u64> = f.rows().iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 3, 5]);
        assert_eq!(f.rows()[1].fields, awkward());
        let starts: Vec<u64> = f.rows().iter().map(|r| r.start).collect();
        assert_eq!(starts[0], "id,text,decision\n".len() as u64);
    }

    #[test]
    fn a_row_cut_anywhere_is_removed_and_a_whole_one_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.csv");
        let head = "id,text,decision\ns1,a,accepted\n";
        let row = csv_line(&p, &awkward()).unwrap();
        for cut in 0..=row.len() {
            let mut bytes = head.as_bytes().to_vec();
            bytes.extend_from_slice(&row[..cut]);
            std::fs::write(&p, &bytes).unwrap();
            let (mut f, note) = open(&p).unwrap();
            let kept = f.rows().len();
            let on_disk = std::fs::read(&p).unwrap();
            if cut + 1 >= row.len() {
                // the whole row, with or without its line end
                assert_eq!(kept, 2, "cut {cut}");
                assert_eq!(f.rows()[1].fields, awkward(), "cut {cut}");
                assert_eq!(on_disk, [head.as_bytes(), &row].concat(), "cut {cut}");
                assert_eq!(note.is_some(), cut + 1 == row.len(), "cut {cut}");
            } else {
                assert_eq!(kept, 1, "cut {cut}");
                assert_eq!(on_disk, head.as_bytes(), "cut {cut}");
                assert_eq!(note.is_some(), cut > 0, "cut {cut}: {note:?}");
            }
            // appending after the repair gives a file that reads back whole
            f.append(&strings(&["s9", "z", "accepted"])).unwrap();
            drop(f);
            let (f, note) = open(&p).unwrap();
            assert_eq!(note, None, "cut {cut}");
            assert_eq!(f.rows().last().unwrap().fields[0], "s9");
        }
    }

    #[test]
    fn rows_an_editor_saved_with_crlf_are_cut_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.csv");
        let head = "id,text,decision\r\ns1,\"a\r\nb\",accepted\r\n";
        std::fs::write(&p, format!("{head}\r\ns2,c,accepted\r\n")).unwrap();
        let (mut f, _) = open(&p).unwrap();
        let lines: Vec<u64> = f.rows().iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 5]);
        f.pop().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), format!("{head}\r\n"));
        f.append(&strings(&["s3", "d", "accepted"])).unwrap();
        drop(f);
        let (f, note) = open(&p).unwrap();
        assert_eq!(note, None);
        assert_eq!(f.rows()[1].fields, strings(&["s3", "d", "accepted"]));
        assert_eq!(f.rows()[1].line, 5);
    }

    #[test]
    fn a_cut_header_is_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.csv");
        std::fs::write(&p, "id,te").unwrap();
        let (f, _) = open(&p).unwrap();
        assert!(f.rows().is_empty());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "id,text,decision\n");
    }

    #[test]
    fn refuses_other_files_and_broken_rows() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.csv");
        for body in ["text,topic\na,b\n", "id,text\n", "something else"] {
            std::fs::write(&p, body).unwrap();
            let e = open(&p).unwrap_err().to_string();
            assert!(e.contains("another --out"), "{e}");
            assert_eq!(std::fs::read_to_string(&p).unwrap(), body, "left as it was");
        }
        std::fs::write(&p, "id,text,decision\ns1,a\ns2,b,accepted\n").unwrap();
        let e = open(&p).unwrap_err().to_string();
        assert!(e.contains("l.csv:2:") && e.contains("2 fields"), "{e}");
        std::fs::write(&p, b"id,text,decision\ns1,\xff,accepted\ns2,b,accepted\n").unwrap();
        let e = open(&p).unwrap_err().to_string();
        assert!(e.contains("l.csv:2:") && e.contains("UTF-8"), "{e}");
    }

    #[test]
    fn only_regular_files_are_opened() {
        let e = open(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(e.contains("/dev/zero: is not a regular file"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let e = open(dir.path()).unwrap_err().to_string();
        assert!(e.contains("is not a regular file"), "{e}");
    }

    #[test]
    fn a_second_writer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.csv");
        let (_first, _) = open(&p).unwrap();
        let e = open(&p).unwrap_err().to_string();
        assert!(e.contains("another `stance label`"), "{e}");
    }
}
