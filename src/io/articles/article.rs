//! What reading articles gives: an [`Article`], or a [`Rejected`] item that
//! says where it was and why it could not be used, and the options that say
//! how to read them.

use crate::error::{Error, Result};
use crate::io::position::Position;

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

impl Article {
    /// An article from its fields as given in memory (a data frame's row),
    /// checked as the CSV and JSON Lines readers check theirs: the id and the
    /// optional fields trimmed (blank ones are none); `Err` with the reader's
    /// reason (`missing id`, `empty text`) for what they would reject.
    pub fn from_fields(
        id: &str,
        text: String,
        date: Option<&str>,
        source: Option<&str>,
        title: Option<&str>,
    ) -> std::result::Result<Article, &'static str> {
        let non_empty = |s: Option<&str>| {
            s.map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        };
        let id = id.trim();
        if id.is_empty() {
            return Err("missing id");
        }
        if text.trim().is_empty() {
            return Err("empty text");
        }
        Ok(Article {
            id: id.to_string(),
            text,
            date: non_empty(date),
            source: non_empty(source),
            title: non_empty(title),
        })
    }
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
    /// `missing column:`, `unreadable:`, `unsupported file type:`, `duplicate id:`).
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
pub const DEFAULT_MAX_BYTES: usize = crate::io::DEFAULT_MAX_RECORD_BYTES;

impl ReadOptions {
    /// Checks the options; the only place that does.
    pub fn check(&self) -> Result<()> {
        if self.max_bytes == 0 {
            return Err(Error::InvalidParam {
                name: "max_article_bytes",
                value: "0".into(),
                reason: "must be at least 1".into(),
            });
        }
        let c = &self.columns;
        if c.id == c.text {
            return Err(Error::InvalidParam {
                name: "id_col",
                value: format!("{:?}", c.id),
                reason: "the id and text columns must differ".into(),
            });
        }
        Ok(())
    }
}
