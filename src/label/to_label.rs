//! Reading the statements to label (`to_label.csv`, as `stance suggest` writes it).
//!
//! UTF-8 CSV with a header (RFC 4180). Required columns: `id`, `text`, `topic`,
//! `stance` (the model's guess; either may be empty). Optional, shown to the
//! labeller: `article_id`, `sentence`, `context_before`, `context_after`,
//! `topic_prob`, `stance_prob`, `margin` (decimals), `source`, `date`, `title`.
//! Every other column is kept and passed through to the labelled file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::{csv_error, CountingReader};

/// The columns every to_label file has.
pub const REQUIRED_COLUMNS: [&str; 4] = ["id", "text", "topic", "stance"];

/// Every column this module knows, in the order `stance suggest` writes them:
/// the [`REQUIRED_COLUMNS`], then the optional ones shown to the labeller.
pub const TO_LABEL_COLUMNS: [&str; 14] = [
    "id",
    "text",
    "topic",
    "stance",
    "article_id",
    "sentence",
    "context_before",
    "context_after",
    "topic_prob",
    "stance_prob",
    "margin",
    "source",
    "date",
    "title",
];

/// One statement to label, with what the labeller is shown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Statement {
    /// 1-based line of the record's start in the to_label file.
    pub line: u64,
    /// Unique id (how resuming finds the statements already decided).
    pub id: String,
    /// The statement.
    pub text: String,
    /// The model's topic guess; empty when there is none.
    pub topic: String,
    /// The model's stance guess; empty when there is none.
    pub stance: String,
    /// The article it comes from; empty when not given.
    pub article_id: String,
    /// Its sentence number in the article, as given; empty when not given.
    pub sentence: String,
    /// The sentence before it in the article; empty when not given.
    pub context_before: String,
    /// The sentence after it in the article; empty when not given.
    pub context_after: String,
    /// The guessed topic's probability.
    pub topic_prob: Option<f64>,
    /// The guessed stance's probability.
    pub stance_prob: Option<f64>,
    /// The margin `suggest` ranked it by.
    pub margin: Option<f64>,
    /// The article's source; empty when not given.
    pub source: String,
    /// The article's date; empty when not given.
    pub date: String,
    /// The article's title; empty when not given.
    pub title: String,
    /// Every field of the record, in the header's order (passed through on output).
    pub fields: Vec<String>,
}

/// A to_label file, read whole.
#[derive(Debug, Clone)]
pub struct ToLabel {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its header.
    pub header: Vec<String>,
    /// Its statements, in file order.
    pub statements: Vec<Statement>,
}

impl ToLabel {
    /// The index of the statement with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.statements.iter().position(|s| s.id == id)
    }
}

/// Reads a to_label file: every row needs a unique non-empty id and a non-empty text.
pub fn read_to_label(path: &Path) -> Result<ToLabel> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let (counting, lines) = CountingReader::new(Box::new(std::io::Cursor::new(bytes)));
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(counting);
    let line_of = |position: Option<&csv::Position>| lines.borrow_mut().line_of(position);
    let header: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => return Err(csv_error(path, &e, line_of(e.position()))),
    };
    let columns = Columns::find(path, &header)?;
    let mut statements: Vec<Statement> = Vec::new();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(path, &e, line_of(e.position())))?;
        let line = line_of(rec.position());
        let statement = columns
            .statement(&header, &rec, line)
            .and_then(|s| match first_line_of.get(&s.id) {
                Some(first) => Err(format!(
                    "id {:?} repeats line {first}; ids must be unique",
                    s.id
                )),
                None => Ok(s),
            })
            .map_err(|message| Error::BadRow {
                path: path.to_path_buf(),
                line,
                message,
            })?;
        first_line_of.insert(statement.id.clone(), line);
        statements.push(statement);
    }
    if statements.is_empty() {
        return Err(Error::Refused {
            path: path.to_path_buf(),
            message: "no statements to label (only a header)".into(),
        });
    }
    Ok(ToLabel {
        path: path.to_path_buf(),
        header,
        statements,
    })
}

/// Where each known column is in the header.
struct Columns {
    id: usize,
    text: usize,
    topic: usize,
    stance: usize,
    article_id: Option<usize>,
    sentence: Option<usize>,
    context_before: Option<usize>,
    context_after: Option<usize>,
    topic_prob: Option<usize>,
    stance_prob: Option<usize>,
    margin: Option<usize>,
    source: Option<usize>,
    date: Option<usize>,
    title: Option<usize>,
}

impl Columns {
    /// Finds the columns; a required one missing, or any column named twice, is an error.
    fn find(path: &Path, header: &[String]) -> Result<Columns> {
        for (i, name) in header.iter().enumerate() {
            if header[..i].contains(name) {
                return Err(Error::Csv {
                    path: path.to_path_buf(),
                    line: 1,
                    message: format!("the header names column {name:?} twice"),
                });
            }
        }
        let find = |name: &str| header.iter().position(|h| h == name);
        let required = |name: &str| {
            find(name).ok_or_else(|| Error::MissingColumn {
                path: path.to_path_buf(),
                column: name.to_string(),
                available: header.join(", "),
            })
        };
        Ok(Columns {
            id: required("id")?,
            text: required("text")?,
            topic: required("topic")?,
            stance: required("stance")?,
            article_id: find("article_id"),
            sentence: find("sentence"),
            context_before: find("context_before"),
            context_after: find("context_after"),
            topic_prob: find("topic_prob"),
            stance_prob: find("stance_prob"),
            margin: find("margin"),
            source: find("source"),
            date: find("date"),
            title: find("title"),
        })
    }
}

impl Columns {
    /// The statement of one record (at 1-based `line`), or what is wrong with it.
    fn statement(
        &self,
        header: &[String],
        rec: &csv::StringRecord,
        line: u64,
    ) -> std::result::Result<Statement, String> {
        let text_of = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("").trim();
        let number = |i: Option<usize>,
                      probability: bool|
         -> std::result::Result<Option<f64>, String> {
            let raw = text_of(i);
            if raw.is_empty() {
                return Ok(None);
            }
            let name = i.map_or("", |i| header[i].as_str());
            match raw.parse::<f64>() {
                Ok(x) if x.is_finite() && (!probability || (0.0..=1.0).contains(&x)) => Ok(Some(x)),
                _ if probability => Err(format!(
                    "{name} {raw:?} is not a probability (a decimal from 0 to 1)"
                )),
                _ => Err(format!("{name} {raw:?} is not a decimal number")),
            }
        };
        let id = text_of(Some(self.id));
        if id.is_empty() {
            return Err("empty \"id\" field".into());
        }
        let text = text_of(Some(self.text));
        if text.is_empty() {
            return Err("empty \"text\" field".into());
        }
        Ok(Statement {
            line,
            id: id.to_string(),
            text: text.to_string(),
            topic: text_of(Some(self.topic)).to_string(),
            stance: text_of(Some(self.stance)).to_string(),
            article_id: text_of(self.article_id).to_string(),
            sentence: text_of(self.sentence).to_string(),
            context_before: text_of(self.context_before).to_string(),
            context_after: text_of(self.context_after).to_string(),
            topic_prob: number(self.topic_prob, true)?,
            stance_prob: number(self.stance_prob, true)?,
            margin: number(self.margin, false)?,
            source: text_of(self.source).to_string(),
            date: text_of(self.date).to_string(),
            title: text_of(self.title).to_string(),
            fields: rec.iter().map(str::to_string).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> Result<ToLabel> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("to_label.csv");
        std::fs::write(&p, body).unwrap();
        read_to_label(&p)
    }

    fn error(body: &str) -> String {
        read(body).unwrap_err().to_string()
    }

    #[test]
    fn reads_required_optional_and_extra_columns() {
        let t = read(
            "id,text,topic,stance,title,topic_prob,margin,note\n\
             s1,\"Gaza, again\",palestine,favor,\"A \"\"title\"\"\",0.93,-0.5,keep me\n\
             s2,  Troops left.  ,,,,,,\n",
        )
        .unwrap();
        assert_eq!(t.header.len(), 8);
        let s = &t.statements[0];
        assert_eq!(
            (s.line, s.id.as_str(), s.text.as_str()),
            (2, "s1", "Gaza, again")
        );
        assert_eq!(
            (s.topic.as_str(), s.stance.as_str()),
            ("palestine", "favor")
        );
        assert_eq!(s.title, "A \"title\"");
        assert_eq!(
            (s.topic_prob, s.stance_prob, s.margin),
            (Some(0.93), None, Some(-0.5))
        );
        assert_eq!(s.fields[7], "keep me");
        let s = &t.statements[1];
        assert_eq!(
            (s.text.as_str(), s.topic.as_str(), s.stance.as_str()),
            ("Troops left.", "", "")
        );
        assert_eq!(s.source, "");
        assert_eq!(t.position("s2"), Some(1));
    }

    #[test]
    fn the_column_list_is_the_one_read() {
        assert_eq!(TO_LABEL_COLUMNS[..4], REQUIRED_COLUMNS);
        let values = [
            "s1",
            "a",
            "t",
            "favor",
            "a1",
            "2",
            "b",
            "c",
            "0.5",
            "0.6",
            "0.1",
            "w",
            "2024-01-01",
            "h",
        ];
        let t = read(&format!(
            "{}\n{}\n",
            TO_LABEL_COLUMNS.join(","),
            values.join(",")
        ))
        .unwrap();
        let s = &t.statements[0];
        let seen = [
            s.id.clone(),
            s.text.clone(),
            s.topic.clone(),
            s.stance.clone(),
            s.article_id.clone(),
            s.sentence.clone(),
            s.context_before.clone(),
            s.context_after.clone(),
            format!("{:?}", s.topic_prob),
            format!("{:?}", s.stance_prob),
            format!("{:?}", s.margin),
            s.source.clone(),
            s.date.clone(),
            s.title.clone(),
        ];
        let want: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if (8..11).contains(&i) {
                    format!("Some({v})")
                } else {
                    v.to_string()
                }
            })
            .collect();
        assert_eq!(seen.to_vec(), want);
    }

    #[test]
    fn refuses_what_resuming_could_not_trust() {
        let e = error("id,text,topic\ns1,a,x\n");
        assert!(
            e.contains("\"stance\"") && e.contains("id, text, topic"),
            "{e}"
        );
        let e = error("id,text,topic,stance\ns1,a,,\ns1,b,,\n");
        assert!(
            e.contains("to_label.csv:3:") && e.contains("repeats line 2"),
            "{e}"
        );
        let e = error("id,text,topic,stance\n ,a,,\n");
        assert!(e.contains(":2:") && e.contains("\"id\""), "{e}");
        let e = error("id,text,topic,stance\ns1,  ,,\n");
        assert!(e.contains(":2:") && e.contains("\"text\""), "{e}");
        let e = error("id,text,topic,stance,topic_prob\ns1,a,,,1.5\n");
        assert!(e.contains(":2:") && e.contains("topic_prob \"1.5\""), "{e}");
        let e = error("id,text,topic,stance,margin\ns1,a,,,NaN\n");
        assert!(e.contains("margin \"NaN\""), "{e}");
        let e = error("id,text,topic,stance,text\ns1,a,,,b\n");
        assert!(e.contains("twice"), "{e}");
        let e = error("id,text,topic,stance\ns1,a,,\ns2,b\n");
        assert!(e.contains(":3:") && e.contains("fields"), "{e}");
        let e = error("id,text,topic,stance\n");
        assert!(e.contains("no statements"), "{e}");
    }

    #[test]
    fn lines_are_the_editor_lines_with_crlf_and_blank_lines() {
        let t = read("id,text,topic,stance\r\n\r\ns1,\"a\r\nb\",,\r\ns2,c,,\r\n").unwrap();
        let lines: Vec<u64> = t.statements.iter().map(|s| s.line).collect();
        assert_eq!(lines, [3, 5]);
        let e = error("id,text,topic,stance\r\ns1,a,,\r\n\r\ns1,b,,\r\n");
        assert!(
            e.contains("to_label.csv:4:") && e.contains("repeats line 2"),
            "{e}"
        );
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, b"id,text,topic,stance\ns1,a,,\ns2,\xff,,\n").unwrap();
        let e = read_to_label(&p).unwrap_err().to_string();
        assert!(e.contains("t.csv:3:") && e.contains("UTF-8"), "{e}");
    }
}
