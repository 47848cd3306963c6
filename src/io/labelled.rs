//! Reading labelled CSV: a text column, a topic column and an optional stance column.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

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
    /// 1-based line of each row's start.
    pub lines: Vec<u64>,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
}

/// Reads `path`; every row must have a non-empty text and labels.
pub fn read_labelled(path: &Path, cols: &Columns) -> Result<LabelledData> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(bytes.as_slice());
    let header = rdr.headers().map_err(|e| csv_error(path, &e))?.clone();
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
        let rec = rec.map_err(|e| csv_error(path, &e))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
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

/// A csv error as ours, with the file and 1-based line.
pub fn csv_error(path: &Path, e: &csv::Error) -> Error {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
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
