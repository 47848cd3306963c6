//! Reading labelled CSV: a text column, a topic column and an optional stance column.

use std::io::Cursor;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::line_index::CountingReader;
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
pub fn read_labelled(path: &Path, cols: &Columns) -> Result<LabelledData> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_labelled(path, bytes, cols)
}

/// Reads several files with the same columns, their rows concatenated in
/// order; `sha256` is then the SHA-256 of the files' bytes concatenated, and
/// the second value lists each file's own checksum and rows.
///
/// A file with the stance column among files without it (or the other way
/// round) is an error naming it. `lines` are each row's line in its own file.
pub fn read_labelled_files(
    paths: &[&Path],
    cols: &Columns,
) -> Result<(LabelledData, Vec<DataFile>)> {
    let mut all: Option<LabelledData> = None;
    let mut files = Vec::new();
    let mut hasher = Sha256::new();
    for &path in paths {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        hasher.update(&bytes);
        let d = parse_labelled(path, bytes, cols)?;
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

/// Parses the bytes of the labelled CSV read from `path`.
fn parse_labelled(path: &Path, bytes: Vec<u8>, cols: &Columns) -> Result<LabelledData> {
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let (counting, lines) = CountingReader::new(Box::new(Cursor::new(bytes)));
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(counting);
    let line_of = |position: Option<&csv::Position>| lines.borrow_mut().line_of(position);
    let header = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(csv_error(path, &e, line_of(e.position()))),
    };
    let find = |name: &str| header.iter().position(|h| h == name);
    let available = header.iter().collect::<Vec<_>>().join(", ");
    let missing = |column: &str| Error::MissingColumn {
        path: path.to_path_buf(),
        column: column.to_string(),
        available: available.clone(),
    };
    let text_i = find(&cols.text).ok_or_else(|| missing(&cols.text))?;
    let topic_i = find(&cols.topic).ok_or_else(|| missing(&cols.topic))?;
    let stance_i = find(&cols.stance);
    let mut data = LabelledData {
        texts: Vec::new(),
        topics: Vec::new(),
        stances: stance_i.map(|_| Vec::new()),
        lines: Vec::new(),
        sha256,
    };
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(path, &e, line_of(e.position())))?;
        let line = line_of(rec.position());
        let bad = |message: String| Error::BadRow {
            path: path.to_path_buf(),
            line,
            message,
        };
        let field = |i: usize, name: &str| -> Result<String> {
            let v = rec.get(i).unwrap_or("").trim();
            if v.is_empty() {
                return Err(bad(format!("empty {name:?} field")));
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
    Ok(data)
}

/// One more column of a labelled file, row by row as [`read_labelled`]
/// reads its rows (empty fields kept, trimmed): e.g. the article id of each
/// statement. A missing column is an error listing the header's columns.
pub fn read_column(path: &Path, column: &str) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let (counting, lines) = CountingReader::new(Box::new(Cursor::new(bytes)));
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(counting);
    let line_of = |position: Option<&csv::Position>| lines.borrow_mut().line_of(position);
    let header = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(csv_error(path, &e, line_of(e.position()))),
    };
    let i = header
        .iter()
        .position(|h| h == column)
        .ok_or_else(|| Error::MissingColumn {
            path: path.to_path_buf(),
            column: column.to_string(),
            available: header.iter().collect::<Vec<_>>().join(", "),
        })?;
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(path, &e, line_of(e.position())))?;
        out.push(rec.get(i).unwrap_or("").trim().to_string());
    }
    Ok(out)
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
                    proptest::prop_assert!(d.lines.iter().all(|&l| (2..=last).contains(&l)));
                    proptest::prop_assert!(d.lines.windows(2).all(|w| w[0] < w[1]));
                }
                Err(Error::Csv { line, .. } | Error::BadRow { line, .. }) => {
                    proptest::prop_assert!((1..=last).contains(&line), "line {} of {}", line, last);
                }
                Err(e) => proptest::prop_assert!(false, "{e}"),
            }
        }
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
