//! Reading labelled CSV: a text column, a topic column and an optional stance column.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::record_stream::{InputStream, RawRecord, BUF_SIZE, DEFAULT_MAX_RECORD_BYTES};
use crate::error::{Error, Result};
use crate::model::DataFile;

/// Which columns hold what.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// The statement text. Default "text".
    pub text: String,
    /// The topic label. Default "topic".
    pub topic: String,
    /// The stance label. Default "stance"; when the header lacks it the data is topic-only.
    pub stance: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            text: "text".into(),
            topic: "topic".into(),
            stance: "stance".into(),
        }
    }
}

/// A labelled CSV file, read whole.
#[derive(Debug, Clone)]
pub struct LabelledData {
    /// Statement texts.
    pub texts: Vec<String>,
    /// Topic labels.
    pub topics: Vec<String>,
    /// Stance labels, when the header has the stance column.
    pub stances: Option<Vec<String>>,
    /// 1-based physical line of each row's start (CRLF, blank lines and
    /// line breaks inside quoted fields counted as an editor counts them).
    pub lines: Vec<u64>,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
}

/// Reads `path`; every row must have a non-empty text and labels.
///
/// Records are limited to [`DEFAULT_MAX_RECORD_BYTES`], as
/// [`read_labelled_limited`] limits them.
pub fn read_labelled(path: &Path, cols: &Columns) -> Result<LabelledData> {
    read_labelled_limited(path, cols, DEFAULT_MAX_RECORD_BYTES)
}

/// [`read_labelled`] with each CSV record (the header too) limited to
/// `max_record_bytes` of fields: a longer one is an
/// [`Error::RecordTooLarge`] naming its line, found after reading at most
/// that many bytes of it, so memory per record stays bounded whatever the
/// file holds (`/dev/zero`, a 1 GB line).
pub fn read_labelled_limited(
    path: &Path,
    cols: &Columns,
    max_record_bytes: usize,
) -> Result<LabelledData> {
    parse_labelled(LabelledCsv::open(path, max_record_bytes, None)?, cols)
}

/// Reads several files with the same columns, their rows concatenated in
/// order; `sha256` is then the SHA-256 of the files' bytes concatenated, and
/// the second value lists each file's own checksum and rows.
///
/// A file with the stance column among files without it (or the other way
/// round) is an error naming it. `lines` are each row's line in its own file.
/// Records are limited as [`read_labelled`] limits them.
pub fn read_labelled_files(
    paths: &[&Path],
    cols: &Columns,
) -> Result<(LabelledData, Vec<DataFile>)> {
    let mut all: Option<LabelledData> = None;
    let mut files = Vec::new();
    let mut hasher = Sha256::new();
    for &path in paths {
        let csv = LabelledCsv::open(path, DEFAULT_MAX_RECORD_BYTES, Some(&mut hasher))?;
        let d = parse_labelled(csv, cols)?;
        files.push(DataFile {
            sha256: d.sha256.clone(),
            rows: d.texts.len(),
        });
        let Some(so_far) = all.as_mut() else {
            all = Some(d);
            continue;
        };
        match (so_far.stances.as_mut(), d.stances) {
            (Some(s), Some(more)) => s.extend(more),
            (None, None) => {}
            (had, _) => {
                return Err(Error::Csv {
                    path: path.to_path_buf(),
                    line: 1,
                    message: if had.is_some() {
                        format!(
                            "no stance column {:?}, which the first data file has",
                            cols.stance
                        )
                    } else {
                        format!(
                            "a stance column {:?}, which the first data file lacks",
                            cols.stance
                        )
                    },
                })
            }
        }
        so_far.texts.extend(d.texts);
        so_far.topics.extend(d.topics);
        so_far.lines.extend(d.lines);
    }
    let mut data = all.ok_or_else(|| Error::Training("no data files".into()))?;
    if paths.len() > 1 {
        data.sha256 = format!("{:x}", hasher.finalize());
    }
    Ok((data, files))
}

/// Reads the rows of an open labelled CSV, to its end.
fn parse_labelled(mut csv: LabelledCsv<'_>, cols: &Columns) -> Result<LabelledData> {
    let text_i = csv.column(&cols.text)?;
    let topic_i = csv.column(&cols.topic)?;
    let stance_i = csv.column(&cols.stance).ok();
    let mut data = LabelledData {
        texts: Vec::new(),
        topics: Vec::new(),
        stances: stance_i.map(|_| Vec::new()),
        lines: Vec::new(),
        sha256: String::new(),
    };
    let path = csv.path;
    while let Some((line, rec)) = csv.next_row()? {
        let field = |i: usize, name: &str| -> Result<String> {
            let v = rec.get(i).copied().unwrap_or("").trim();
            if v.is_empty() {
                return Err(Error::BadRow {
                    path: path.to_path_buf(),
                    line,
                    message: format!("empty {name:?} field"),
                });
            }
            Ok(v.to_string())
        };
        data.texts.push(field(text_i, &cols.text)?);
        data.topics.push(field(topic_i, &cols.topic)?);
        if let (Some(i), Some(s)) = (stance_i, data.stances.as_mut()) {
            s.push(field(i, &cols.stance)?);
        }
        data.lines.push(line);
    }
    data.sha256 = csv.finish();
    Ok(data)
}

/// One more column of a labelled file, row by row as [`read_labelled`]
/// reads its rows (empty fields kept, trimmed): e.g. the article id of each
/// statement. A missing column is an error listing the header's columns.
pub fn read_column(path: &Path, column: &str) -> Result<Vec<String>> {
    read_column_limited(path, column, DEFAULT_MAX_RECORD_BYTES)
}

/// [`read_column`] with records limited as [`read_labelled_limited`] limits them.
pub fn read_column_limited(
    path: &Path,
    column: &str,
    max_record_bytes: usize,
) -> Result<Vec<String>> {
    let mut csv = LabelledCsv::open(path, max_record_bytes, None)?;
    let i = csv.column(column)?;
    let mut out = Vec::new();
    while let Some((_, rec)) = csv.next_row()? {
        out.push(rec.get(i).copied().unwrap_or("").trim().to_string());
    }
    Ok(out)
}

/// Most columns a labelled CSV header may have.
// Note: a bound on the header's field offsets, which the byte limit alone
// would let grow to eight times the limit (a header of commas).
const MAX_COLUMNS: usize = 1 << 16;

/// A labelled CSV file read record by record through the bounded record
/// reader, hashing its bytes as they are read.
struct LabelledCsv<'a> {
    path: &'a Path,
    stream: InputStream<BufReader<Hashing<'a>>>,
    record: RawRecord,
    header: Vec<String>,
    max: usize,
}

/// A file whose bytes are hashed as they are read: into its own checksum,
/// and into `all` (several files' concatenation) when given.
struct Hashing<'a> {
    file: File,
    own: Sha256,
    all: Option<&'a mut Sha256>,
}

impl Read for Hashing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.own.update(&buf[..n]);
        if let Some(all) = self.all.as_mut() {
            all.update(&buf[..n]);
        }
        Ok(n)
    }
}

impl<'a> LabelledCsv<'a> {
    /// Opens `path` and reads its header (an empty file has no columns).
    fn open(path: &'a Path, max: usize, all: Option<&'a mut Sha256>) -> Result<LabelledCsv<'a>> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let hashing = Hashing {
            file,
            own: Sha256::new(),
            all,
        };
        let mut csv = LabelledCsv {
            path,
            stream: InputStream::new(BufReader::with_capacity(BUF_SIZE, hashing)),
            record: RawRecord::default(),
            header: Vec::new(),
            max,
        };
        // Note: a header past the limit stops the read there: the file is
        // unusable, and may never end.
        let found = csv
            .stream
            .read_record_or_stop(&mut csv.record, max, MAX_COLUMNS)
            .map_err(|e| Error::io(path, e))?;
        if found {
            if csv.record.fields > MAX_COLUMNS {
                return Err(csv.error(format!(
                    "the header has {} columns, more than {MAX_COLUMNS}",
                    csv.record.fields
                )));
            }
            csv.header = csv.fields()?.into_iter().map(str::to_string).collect();
        }
        Ok(csv)
    }

    /// The index of the header's first column named `name`; an error listing the header when none is.
    fn column(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::MissingColumn {
                path: self.path.to_path_buf(),
                column: name.to_string(),
                available: self.header.join(", "),
            })
    }

    /// The next row's line and fields, `None` at the end of the file.
    fn next_row(&mut self) -> Result<Option<(u64, Vec<&str>)>> {
        // Note: at most one field more than the header is kept, enough to tell the count is wrong.
        let found = self
            .stream
            .read_record_or_stop(&mut self.record, self.max, self.header.len() + 1)
            .map_err(|e| Error::io(self.path, e))?;
        if !found {
            return Ok(None);
        }
        let (fields, width) = (self.record.fields, self.header.len());
        if !self.record.oversized && !self.record.unterminated && fields != width {
            return Err(self.error(format!(
                "record has {fields} fields, the header has {width}"
            )));
        }
        Ok(Some((self.record.line, self.fields()?)))
    }

    /// The fields of the record just read, which must be complete, within the limit and UTF-8.
    fn fields(&self) -> Result<Vec<&str>> {
        let rec = &self.record;
        if rec.oversized {
            return Err(Error::RecordTooLarge {
                path: self.path.to_path_buf(),
                line: rec.line,
                max: self.max,
            });
        }
        if rec.unterminated {
            return Err(self.error("a quoted field is never closed".into()));
        }
        (0..rec.fields.min(rec.ends.len()))
            .map(|i| {
                std::str::from_utf8(rec.field(i).unwrap_or_default())
                    .map_err(|_| self.error("invalid UTF-8".into()))
            })
            .collect()
    }

    /// An error at the record just read.
    fn error(&self, message: String) -> Error {
        Error::Csv {
            path: self.path.to_path_buf(),
            line: self.record.line.max(1),
            message,
        }
    }

    /// The SHA-256 of the file's bytes, once every record has been read.
    fn finish(self) -> String {
        let hashing = self.stream.reader.into_inner();
        format!("{:x}", hashing.own.finalize())
    }
}

impl LabelledData {
    /// Labelled data given in memory as columns (a data frame's), checked as
    /// [`read_labelled`] checks a file's rows: every text and label non-empty
    /// after trimming, the columns of one length.
    ///
    /// `sha256` is that of the CSV file with the header `cols.text,
    /// cols.topic[,cols.stance]` and these rows, as the `csv` crate writes
    /// it (quoting only where needed, `\n` line ends), so a model trained on
    /// the columns records the same data hash, and is the same file, as one
    /// trained by `stance train` on that CSV. `lines` are the rows' lines in it
    /// when no field holds a line break.
    pub fn from_columns(
        texts: Vec<String>,
        topics: Vec<String>,
        stances: Option<Vec<String>>,
        cols: &Columns,
    ) -> Result<LabelledData> {
        let n = texts.len();
        let lengths_differ = topics.len() != n || stances.as_ref().is_some_and(|s| s.len() != n);
        if lengths_differ {
            return Err(Error::BadRecord {
                record: n.min(topics.len()) + 1,
                message: format!(
                    "the columns have different lengths ({} texts, {} topics{})",
                    n,
                    topics.len(),
                    stances
                        .as_ref()
                        .map_or(String::new(), |s| format!(", {} stances", s.len()))
                ),
            });
        }
        let mut csv = csv::WriterBuilder::new().from_writer(Vec::new());
        let header: Vec<&str> = [cols.text.as_str(), cols.topic.as_str()]
            .into_iter()
            .chain(stances.as_ref().map(|_| cols.stance.as_str()))
            .collect();
        let csv_failed = |e: csv::Error| Error::Training(format!("cannot encode the data: {e}"));
        csv.write_record(&header).map_err(csv_failed)?;
        let mut data = LabelledData {
            texts: Vec::with_capacity(n),
            topics: Vec::with_capacity(n),
            stances: stances.as_ref().map(|_| Vec::with_capacity(n)),
            lines: Vec::with_capacity(n),
            sha256: String::new(),
        };
        for i in 0..n {
            let stance = stances.as_ref().map(|s| s[i].as_str());
            let row = [texts[i].as_str(), topics[i].as_str()];
            csv.write_record(row.iter().copied().chain(stance))
                .map_err(csv_failed)?;
            let field = |v: &str, name: &str| -> Result<String> {
                let v = v.trim();
                if v.is_empty() {
                    return Err(Error::BadRecord {
                        record: i + 1,
                        message: format!("empty {name:?} field"),
                    });
                }
                Ok(v.to_string())
            };
            data.texts.push(field(row[0], &cols.text)?);
            data.topics.push(field(row[1], &cols.topic)?);
            if let (Some(s), Some(out)) = (stance, data.stances.as_mut()) {
                out.push(field(s, &cols.stance)?);
            }
            data.lines.push(i as u64 + 2);
        }
        let bytes = csv
            .into_inner()
            .map_err(|e| Error::Training(format!("cannot encode the data: {e}")))?;
        data.sha256 = format!("{:x}", Sha256::digest(&bytes));
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::super::record_stream::BOM;
    use super::*;

    fn write(dir: &tempfile::TempDir, body: &str) -> std::path::PathBuf {
        let p = dir.path().join("d.csv");
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn reads_rows_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "id,text,topic,stance\n1,\"a\nb\",x,favor\n2,c,y,neutral\n",
        );
        let d = read_labelled(&p, &Columns::default()).unwrap();
        assert_eq!(d.texts, vec!["a\nb", "c"]);
        assert_eq!(d.lines, vec![2, 4]);
        assert_eq!(d.stances.unwrap(), vec!["favor", "neutral"]);
    }

    #[test]
    fn columns_hash_as_the_csv_file_they_make() {
        let dir = tempfile::tempdir().unwrap();
        let body = "text,topic,stance\n\"a, \"\"b\"\"\",x,favor\nc,y,neutral\n";
        let p = write(&dir, body);
        let file = read_labelled(&p, &Columns::default()).unwrap();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let mem = LabelledData::from_columns(
            s(&["a, \"b\"", "c"]),
            s(&["x", "y"]),
            Some(s(&["favor", "neutral"])),
            &Columns::default(),
        )
        .unwrap();
        assert_eq!(mem.sha256, file.sha256);
        assert_eq!((mem.texts, mem.lines), (file.texts, file.lines));
        let e =
            LabelledData::from_columns(s(&["a", " "]), s(&["x", "y"]), None, &Columns::default())
                .unwrap_err()
                .to_string();
        assert!(e.contains("record 2") && e.contains("\"text\""), "{e}");
        let e = LabelledData::from_columns(s(&["a"]), s(&["x", "y"]), None, &Columns::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("different lengths"), "{e}");
    }

    #[test]
    fn several_files_concatenate_and_name_the_odd_one() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        let b = dir.path().join("b.csv");
        std::fs::write(&a, "text,topic,stance\nx,t,favor\n").unwrap();
        std::fs::write(&b, "id,stance,topic,text\n1,neutral,u,y\n2,against,t,z\n").unwrap();
        let (d, files) = read_labelled_files(&[&a, &b], &Columns::default()).unwrap();
        assert_eq!(d.texts, vec!["x", "y", "z"]);
        assert_eq!(d.stances.unwrap(), vec!["favor", "neutral", "against"]);
        assert_eq!(d.lines, vec![2, 2, 3]);
        assert_eq!(files.iter().map(|f| f.rows).collect::<Vec<_>>(), [1, 2]);
        let both = [std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap()].concat();
        assert_eq!(d.sha256, format!("{:x}", Sha256::digest(&both)));
        assert_eq!(
            files[0].sha256,
            read_labelled(&a, &Columns::default()).unwrap().sha256
        );
        let (one, _) = read_labelled_files(&[&a], &Columns::default()).unwrap();
        assert_eq!(one.sha256, files[0].sha256);
        std::fs::write(&b, "text,topic\ny,u\n").unwrap();
        let e = read_labelled_files(&[&a, &b], &Columns::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("b.csv:1:") && e.contains("stance"), "{e}");
        std::fs::write(&b, "text,topic,stance\ny,u,favor\n,u,favor\n").unwrap();
        let e = read_labelled_files(&[&a, &b], &Columns::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("b.csv:3:") && e.contains("empty"), "{e}");
    }

    #[test]
    fn missing_column_lists_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "id,body,topic\n1,a,x\n");
        let e = read_labelled(&p, &Columns::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"text\"") && e.contains("id, body, topic"),
            "{e}"
        );
    }

    /// A CRLF file with blank lines and a quoted line break, then `last` on physical line 10.
    fn crlf_with_line_10(last: &str) -> String {
        "text,topic\r\na,x\r\n\r\n\"b\r\nc\",y\r\nd,x\r\n\r\ne,x\r\nf,y\r\n".to_string()
            + last
            + "\r\ng,x\r\n"
    }

    #[test]
    fn crlf_and_blank_lines_give_physical_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, &crlf_with_line_10("h,y"));
        let d = read_labelled(&p, &Columns::default()).unwrap();
        assert_eq!(d.texts, vec!["a", "b\r\nc", "d", "e", "f", "h", "g"]);
        assert_eq!(d.lines, vec![2, 4, 6, 8, 9, 10, 11]);
        // A bare CR ends a record (as in the csv crate) but not a line: lines count LF.
        let p = write(&dir, "text,topic\na,x\rb,y\nc,x\n");
        assert_eq!(
            read_labelled(&p, &Columns::default()).unwrap().lines,
            [2, 2, 3]
        );
        for (last, message) in [(",y", "empty"), ("h", "record has 1 fields")] {
            let p = write(&dir, &crlf_with_line_10(last));
            let e = read_labelled(&p, &Columns::default())
                .unwrap_err()
                .to_string();
            assert!(e.contains("d.csv:10:") && e.contains(message), "{e}");
        }
        std::fs::write(&p, b"text,topic\r\n\r\na,x\r\nb,\xff\r\n").unwrap();
        let e = read_labelled(&p, &Columns::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("d.csv:4:") && e.contains("UTF-8"), "{e}");
    }

    proptest::proptest! {
        /// Rows and errors always name a line that exists, never line 0.
        #[test]
        fn lines_are_never_zero_nor_past_the_end(
            body in proptest::collection::vec(
                proptest::sample::select(vec!["a", ",", "\"", "\r", "\n", "\r\n", " "]),
                0..40,
            ),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let text = "text,topic\r\n".to_string() + &body.concat();
            let p = write(&dir, &text);
            let last = 1 + text.matches('\n').count() as u64;
            match read_labelled(&p, &Columns::default()) {
                Ok(d) => {
                    // Note: from 1: a header ended by a bare CR shares its line with the first row.
                    proptest::prop_assert!(d.lines.iter().all(|&l| (1..=last).contains(&l)));
                    // Note: not strictly: a bare CR ends a record, not a line.
                    proptest::prop_assert!(d.lines.windows(2).all(|w| w[0] <= w[1]));
                }
                Err(Error::Csv { line, .. } | Error::BadRow { line, .. }) => {
                    proptest::prop_assert!((1..=last).contains(&line), "line {} of {}", line, last);
                }
                Err(e) => proptest::prop_assert!(false, "{e}"),
            }
        }
    }

    /// The reader this one replaced, on the `csv` crate: the oracle for valid files.
    fn csv_crate_rows(bytes: &[u8]) -> std::result::Result<(Vec<Vec<String>>, Vec<u64>), u64> {
        use crate::io::CountingReader;
        let (counting, lines) = CountingReader::new(Box::new(std::io::Cursor::new(bytes.to_vec())));
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(counting);
        let line_of = |p: Option<&csv::Position>| lines.borrow_mut().line_of(p);
        let header = rdr.headers().map_err(|e| line_of(e.position()))?.clone();
        let mut rows = vec![header.iter().map(str::to_string).collect()];
        let mut at = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| line_of(e.position()))?;
            at.push(line_of(rec.position()));
            rows.push(rec.iter().map(str::to_string).collect());
        }
        Ok((rows, at))
    }

    /// Every record of `bytes` (header first) and the rows' lines, by this reader.
    fn stream_rows(
        dir: &tempfile::TempDir,
        bytes: &[u8],
        max: usize,
    ) -> Result<(Vec<Vec<String>>, Vec<u64>)> {
        let p = dir.path().join("d.csv");
        std::fs::write(&p, bytes).unwrap();
        let mut csv = LabelledCsv::open(&p, max, None)?;
        let mut rows = vec![csv.header.clone()];
        let mut at = Vec::new();
        while let Some((line, rec)) = csv.next_row()? {
            at.push(line);
            rows.push(rec.iter().map(|f| f.to_string()).collect());
        }
        Ok((rows, at))
    }

    proptest::proptest! {
        /// The same records, fields and lines as the `csv` crate reader it
        /// replaced, and an error on the same line, except that a quote never
        /// closed is now an error (the `csv` crate took the rest of the file
        /// as the field).
        #[test]
        fn reads_as_the_csv_crate_did(
            body in proptest::collection::vec(
                proptest::sample::select(vec!["a", "b c", ",", "\"", "\r", "\n", "\r\n", " ", "\u{e9}", "\u{feff}"]),
                0..40,
            ),
            bom in proptest::bool::ANY,
            bad_byte in proptest::option::of(0..40usize),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut bytes = if bom { BOM.to_vec() } else { Vec::new() };
            bytes.extend_from_slice(b"text,topic\r\n");
            bytes.extend_from_slice(body.concat().as_bytes());
            if let Some(i) = bad_byte {
                let i = i.min(bytes.len());
                bytes.insert(i, 0xff);
            }
            let old = csv_crate_rows(&bytes);
            match stream_rows(&dir, &bytes, 1000) {
                Ok(new) => proptest::prop_assert_eq!(Ok(new), old),
                Err(Error::Csv { line, message, .. }) => match old {
                    Err(old_line) => proptest::prop_assert_eq!(line, old_line, "{}", message),
                    Ok(_) => proptest::prop_assert!(message.contains("never closed"), "{}", message),
                },
                Err(e) => proptest::prop_assert!(false, "{e}"),
            }
        }
    }

    #[test]
    fn an_unclosed_quote_is_an_error_at_its_record() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "text,topic\na,x\n\nb,\"y\nc,x\n");
        let e = read_labelled(&p, &Columns::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("d.csv:4:") && e.contains("never closed"), "{e}");
    }

    #[test]
    fn records_over_the_limit_name_their_line_and_stop_the_read() {
        let dir = tempfile::tempdir().unwrap();
        let long = "x".repeat(100);
        let p = write(
            &dir,
            &format!("text,topic\r\na,x\r\n\r\n\"{long}\",y\r\nb,x\r\n"),
        );
        let at_limit = read_labelled_limited(&p, &Columns::default(), 102).unwrap();
        assert_eq!(at_limit.lines, vec![2, 4, 5]);
        for read in [
            |p: &Path| read_labelled_limited(p, &Columns::default(), 100).map(|_| ()),
            |p: &Path| read_column_limited(p, "topic", 100).map(|_| ()),
        ] {
            match read(&p) {
                Err(
                    e @ Error::RecordTooLarge {
                        line: 4, max: 100, ..
                    },
                ) => {
                    assert!(
                        e.to_string().starts_with(&format!("{}:4: ", p.display())),
                        "{e}"
                    )
                }
                other => panic!("{other:?}"),
            }
        }
        // A header past the limit is found after reading about the limit, of an endless file.
        assert!(matches!(
            LabelledCsv::open(Path::new("/dev/zero"), 1000, None),
            Err(Error::RecordTooLarge { line: 1, .. })
        ));
        let p = write(&dir, &",".repeat(MAX_COLUMNS));
        let e = read_labelled(&p, &Columns::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("d.csv:1:") && e.contains("columns"), "{e}");
    }

    #[test]
    fn the_checksum_is_of_the_file_bytes_bom_included() {
        let dir = tempfile::tempdir().unwrap();
        let body = b"\xEF\xBB\xBFtext,topic\na,x\n";
        let p = write(&dir, std::str::from_utf8(body).unwrap());
        let d = read_labelled(&p, &Columns::default()).unwrap();
        assert_eq!(d.sha256, format!("{:x}", Sha256::digest(body)));
        assert_eq!(d.texts, vec!["a"]);
    }

    #[test]
    fn bad_rows_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "text,topic\na,x\nb\n");
        let e = read_labelled(&p, &Columns::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("d.csv:3:"), "{e}");
        let p = write(&dir, "text,topic\na,x\n,y\n");
        let e = read_labelled(&p, &Columns::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("d.csv:3:") && e.contains("empty"), "{e}");
    }
}
