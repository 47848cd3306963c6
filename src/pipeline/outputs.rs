//! The sinks that write files or stdout: statement rows, article rows, rejected items.
//!
//! Each writes through an [`Output`] (stdout, or a file that appears
//! complete or not at all) and finishes with the file staged, not yet moved
//! into place: the caller [`commit`](crate::io::commit)s every output of a
//! run together, so a failure in any leaves every destination as it was.

use std::path::{Path, PathBuf};

use super::scorer::Scorer;
use super::sink::{Encoder, Sink, ToStatements};
use crate::error::{Error, Result};
use crate::io::{push_reject, reject_arrow_rows, reject_header, write_reject};
use crate::io::{
    rounded, statement_batch, ArrowRows, Article, ArticleTally, ArticleWriter, FileFormat, Labels,
    Output, ParquetOut, RecordFormat, Rejected, Staged, Statement, StatementView, StatementWriter,
    BATCH_ROWS,
};

/// Statement rows (CSV or JSON Lines) to stdout or a file.
pub struct StatementSink {
    writer: StatementWriter,
    out: Output,
    /// Rejected items go into the same output, as JSON lines.
    rejects_inline: bool,
    buf: Vec<u8>,
}

impl StatementSink {
    /// Rows in `format` to `dest` (stdout when `None`), with the columns
    /// `scorer`'s options call for; the CSV header is written at once.
    pub fn create(
        scorer: &Scorer,
        format: RecordFormat,
        dest: Option<&Path>,
    ) -> Result<StatementSink> {
        Self::create_with(scorer, format, dest, &ExtraColumns::default())
    }

    /// [`StatementSink::create`] with the `extra` columns.
    pub fn create_with(
        scorer: &Scorer,
        format: RecordFormat,
        dest: Option<&Path>,
        extra: &ExtraColumns,
    ) -> Result<StatementSink> {
        extra.check()?;
        let options = scorer.options();
        let mut writer = StatementWriter::new(
            format,
            options.explain().is_some(),
            options.min_confidence(),
        );
        if extra.probs {
            writer = writer.with_probs(scorer.labels());
        }
        if let Some(k) = extra.top_k {
            writer = writer.with_top_k(k);
        }
        let mut out = Output::to(dest)?;
        let mut buf = Vec::new();
        writer.header(&mut buf);
        out.put(&buf)?;
        Ok(StatementSink {
            writer,
            out,
            rejects_inline: false,
            buf,
        })
    }

    /// Also writes each rejected item among the statements, as a JSON line
    /// (`stance score - --format jsonl --rejects -`).
    pub fn with_rejects(mut self) -> StatementSink {
        self.rejects_inline = true;
        self
    }
}

/// Columns a statement sink may add to the rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtraColumns {
    /// Every topic and stance probability as CSV columns ([`StatementWriter::with_probs`]).
    pub probs: bool,
    /// The K most probable topics ([`StatementWriter::with_top_k`]); K must be at least 1.
    pub top_k: Option<usize>,
}

impl ExtraColumns {
    /// Checks the columns asked for; [`StatementSink::create_with`] refuses what this refuses.
    pub fn check(&self) -> Result<()> {
        if self.top_k == Some(0) {
            return Err(Error::InvalidParam {
                name: "top_k",
                value: "0".into(),
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

impl Encoder for StatementWriter {
    type Part = Vec<u8>;

    fn start(&self, article: &Article, statements: usize) -> Vec<u8> {
        Vec::with_capacity(article.text.len() + 128 * statements)
    }

    fn statement(&self, part: &mut Vec<u8>, statement: &StatementView<'_>) {
        self.write(part, statement);
    }
}

impl Sink for StatementSink {
    type Encoder = StatementWriter;
    type Output = Option<Staged>;

    fn encoder(&self) -> StatementWriter {
        self.writer.clone()
    }

    fn write(&mut self, part: Vec<u8>) -> Result<()> {
        self.out.put(&part)
    }

    fn reject(&mut self, rejected: &Rejected) -> Result<()> {
        if self.rejects_inline {
            self.buf.clear();
            write_reject(&mut self.buf, RecordFormat::Jsonl, rejected);
            self.out.put(&self.buf)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.out.flush_stdout()
    }

    fn finish(self) -> Result<Option<Staged>> {
        self.out.finish()
    }
}

/// One row per article (`--articles-out`): its statements, and per topic
/// their count, majority stance and mean stance probabilities.
pub struct ArticleSink {
    writer: ArticleWriter,
    out: Output,
}

impl ArticleSink {
    /// Rows in `format` to the file `dest`; the CSV header is written at once.
    pub fn create(scorer: &Scorer, format: RecordFormat, dest: &Path) -> Result<ArticleSink> {
        let writer = ArticleWriter::new(
            format,
            scorer.labels().clone(),
            scorer.options().min_confidence().is_some(),
        );
        let mut out = Output::create(dest)?;
        let mut buf = Vec::new();
        writer.header(&mut buf);
        out.put(&buf)?;
        Ok(ArticleSink { writer, out })
    }
}

/// The [`Encoder`] of [`ArticleSink`]: tallies an article's statements, then writes its row.
#[derive(Debug, Clone)]
pub struct ArticleRows(ArticleWriter);

impl Encoder for ArticleRows {
    type Part = (ArticleTally, Vec<u8>);

    fn start(&self, _article: &Article, _statements: usize) -> Self::Part {
        (self.0.tally(), Vec::new())
    }

    fn statement(&self, part: &mut Self::Part, statement: &StatementView<'_>) {
        part.0.add(statement);
    }

    fn end(&self, part: &mut Self::Part, article: &Article) {
        self.0.write(&mut part.1, article, &part.0);
    }
}

impl Sink for ArticleSink {
    type Encoder = ArticleRows;
    type Output = Option<Staged>;

    fn encoder(&self) -> ArticleRows {
        ArticleRows(self.writer.clone())
    }

    fn write(&mut self, part: (ArticleTally, Vec<u8>)) -> Result<()> {
        self.out.put(&part.1)
    }

    fn finish(self) -> Result<Option<Staged>> {
        self.out.finish()
    }
}

/// Statements as a Parquet file (or stdout), columns as
/// [`statement_schema`](crate::io::statement_schema), written in row groups.
///
/// Probabilities are rounded as the text formats print them, so the file
/// holds the same values a reader of `--format jsonl` gets.
pub struct ParquetStatementSink {
    out: ParquetOut,
    labels: Labels,
    explain: bool,
    rows: Vec<Statement>,
}

impl ParquetStatementSink {
    /// A Parquet file at `dest` (stdout when `None`) with the columns `scorer`'s options call for.
    pub fn create(scorer: &Scorer, dest: Option<&Path>) -> Result<ParquetStatementSink> {
        let explain = scorer.options().explain().is_some();
        let labels = scorer.labels().clone();
        let schema = crate::io::statement_schema(&labels, explain);
        Ok(ParquetStatementSink {
            out: ParquetOut::create(dest, schema)?,
            labels,
            explain,
            rows: Vec::with_capacity(BATCH_ROWS),
        })
    }

    fn write_rows(&mut self) -> Result<()> {
        let batch = statement_batch(&self.rows, &self.labels, self.explain)
            .map_err(|e| Error::write(None, std::io::Error::other(e.to_string())))?;
        self.rows.clear();
        self.out.write(&batch)
    }
}

/// A statement's probabilities and contributions as the text formats print
/// them (4 decimals), as the Parquet sink writes them.
pub fn round_statement(mut s: Statement) -> Statement {
    s.topic_prob = rounded(s.topic_prob);
    s.stance_prob = s.stance_prob.map(rounded);
    for (_, p) in s
        .topic_probs
        .iter_mut()
        .chain(s.stance_probs.iter_mut())
        .chain(s.topic_terms.iter_mut())
        .chain(s.stance_terms.iter_mut())
    {
        *p = rounded(*p);
    }
    s
}

impl Sink for ParquetStatementSink {
    type Encoder = ToStatements;
    type Output = Option<Staged>;

    fn encoder(&self) -> ToStatements {
        ToStatements
    }

    fn write(&mut self, part: Vec<Statement>) -> Result<()> {
        self.rows.extend(part.into_iter().map(round_statement));
        if self.rows.len() >= BATCH_ROWS {
            self.write_rows()?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Option<Staged>> {
        if !self.rows.is_empty() {
            self.write_rows()?;
        }
        self.out.finish()
    }
}

/// Article rows (`--articles-out x.parquet`) as a Parquet file: the columns of [`ArticleSink`].
pub struct ParquetArticleSink {
    writer: ArticleWriter,
    rows: ArrowRows,
    out: ParquetOut,
}

impl ParquetArticleSink {
    /// A Parquet file at `dest`.
    pub fn create(scorer: &Scorer, dest: &Path) -> Result<ParquetArticleSink> {
        let writer = ArticleWriter::new(
            RecordFormat::Csv,
            scorer.labels().clone(),
            scorer.options().min_confidence().is_some(),
        );
        let rows = writer.arrow_rows();
        let out = ParquetOut::create(Some(dest), rows.schema())?;
        Ok(ParquetArticleSink { writer, rows, out })
    }

    fn write_rows(&mut self) -> Result<()> {
        let batch = self
            .rows
            .take_batch()
            .map_err(|e| Error::write(None, std::io::Error::other(e.to_string())))?;
        self.out.write(&batch)
    }
}

/// The [`Encoder`] of [`ParquetArticleSink`]: tallies an article's statements
/// and keeps its fields but the text.
#[derive(Debug, Clone)]
pub struct ArticleTallies(ArticleWriter);

impl Encoder for ArticleTallies {
    type Part = (ArticleTally, Article);

    fn start(&self, _article: &Article, _statements: usize) -> Self::Part {
        (self.0.tally(), Article::default())
    }

    fn statement(&self, part: &mut Self::Part, statement: &StatementView<'_>) {
        part.0.add(statement);
    }

    fn end(&self, part: &mut Self::Part, article: &Article) {
        part.1 = Article {
            id: article.id.clone(),
            text: String::new(),
            date: article.date.clone(),
            source: article.source.clone(),
            title: article.title.clone(),
        };
    }
}

impl Sink for ParquetArticleSink {
    type Encoder = ArticleTallies;
    type Output = Option<Staged>;

    fn encoder(&self) -> ArticleTallies {
        ArticleTallies(self.writer.clone())
    }

    fn write(&mut self, part: (ArticleTally, Article)) -> Result<()> {
        self.writer.push_arrow(&mut self.rows, &part.1, &part.0);
        if self.rows.len() >= BATCH_ROWS {
            self.write_rows()?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Option<Staged>> {
        if !self.rows.is_empty() {
            self.write_rows()?;
        }
        self.out.finish()
    }
}

/// Where a [`RejectSink`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectsTo {
    /// Nowhere: another sink takes them (see [`StatementSink::with_rejects`]).
    Elsewhere,
    /// JSON lines on stdout.
    Stdout,
    /// A file, created at the first rejected item; when `always`, also
    /// created (with just its header) if there is none.
    File {
        /// The file.
        path: PathBuf,
        /// Its format.
        format: FileFormat,
        /// Written even when nothing is rejected.
        always: bool,
    },
}

/// Rejected items: input, position, article id when known, and the reason.
pub struct RejectSink {
    to: RejectsTo,
    out: Option<RejectsOut>,
    buf: Vec<u8>,
}

/// The open rejects output.
enum RejectsOut {
    Text(Output),
    Parquet(Box<(ParquetOut, ArrowRows)>),
}

impl RejectSink {
    /// Rejects to `to`; nothing is opened until needed.
    pub fn new(to: RejectsTo) -> RejectSink {
        RejectSink {
            to,
            out: None,
            buf: Vec::new(),
        }
    }

    /// The format written; `None` when rejects go elsewhere.
    fn format(&self) -> Option<FileFormat> {
        match &self.to {
            RejectsTo::Elsewhere => None,
            RejectsTo::Stdout => Some(FileFormat::Text(RecordFormat::Jsonl)),
            RejectsTo::File { format, .. } => Some(*format),
        }
    }

    /// Appends `rejected` (after the header, the first time) to the output, opening it if needed.
    fn put(&mut self, rejected: Option<&Rejected>) -> Result<()> {
        let Some(format) = self.format() else {
            return Ok(());
        };
        self.buf.clear();
        if self.out.is_none() {
            let path = match &self.to {
                RejectsTo::File { path, .. } => Some(path.as_path()),
                _ => None,
            };
            self.out = Some(match format {
                FileFormat::Text(format) => {
                    reject_header(&mut self.buf, format);
                    RejectsOut::Text(Output::to(path)?)
                }
                FileFormat::Parquet => {
                    let rows = reject_arrow_rows();
                    RejectsOut::Parquet(Box::new((ParquetOut::create(path, rows.schema())?, rows)))
                }
            });
        }
        match (&mut self.out, format) {
            (Some(RejectsOut::Text(out)), FileFormat::Text(format)) => {
                if let Some(r) = rejected {
                    write_reject(&mut self.buf, format, r);
                }
                out.put(&self.buf)
            }
            (Some(RejectsOut::Parquet(parquet)), _) => {
                let (out, rows) = &mut **parquet;
                if let Some(r) = rejected {
                    push_reject(rows, r);
                }
                if rows.len() >= BATCH_ROWS {
                    write_reject_rows(out, rows)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

fn write_reject_rows(out: &mut ParquetOut, rows: &mut ArrowRows) -> Result<()> {
    let batch = rows
        .take_batch()
        .map_err(|e| Error::write(None, std::io::Error::other(e.to_string())))?;
    out.write(&batch)
}

/// Rejected items need no encoding: articles give no part.
#[derive(Debug, Clone, Copy)]
pub struct NoParts;

impl Encoder for NoParts {
    type Part = ();

    fn start(&self, _article: &Article, _statements: usize) {}

    fn statement(&self, _part: &mut (), _statement: &StatementView<'_>) {}
}

impl Sink for RejectSink {
    type Encoder = NoParts;
    type Output = Option<Staged>;

    fn encoder(&self) -> NoParts {
        NoParts
    }

    fn write(&mut self, _part: ()) -> Result<()> {
        Ok(())
    }

    fn reject(&mut self, rejected: &Rejected) -> Result<()> {
        self.put(Some(rejected))
    }

    fn flush(&mut self) -> Result<()> {
        match &mut self.out {
            Some(RejectsOut::Text(out)) => out.flush_stdout(),
            _ => Ok(()),
        }
    }

    fn finish(mut self) -> Result<Option<Staged>> {
        if let (RejectsTo::File { always: true, .. }, None) = (&self.to, &self.out) {
            self.put(None)?;
        }
        match self.out {
            Some(RejectsOut::Text(out)) => out.finish(),
            Some(RejectsOut::Parquet(parquet)) => {
                let (mut out, mut rows) = *parquet;
                if !rows.is_empty() {
                    write_reject_rows(&mut out, &mut rows)?;
                }
                out.finish()
            }
            None => Ok(None),
        }
    }
}
