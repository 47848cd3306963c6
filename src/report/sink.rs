//! A report in the same pass as scoring (`stance score --report`).

use super::builder::ReportBuilder;
use super::document::Report;
use crate::error::Result;
use crate::io::{Article, Statement, StatementView};
use crate::pipeline::{Encoder, Sink};

/// Feeds a run's statements to a [`ReportBuilder`], each as `stance report`
/// reads it back from the written rows (probabilities rounded as written),
/// so the report equals `stance report` of the scored file.
#[derive(Debug)]
pub struct ReportSink {
    builder: ReportBuilder,
}

impl ReportSink {
    /// A sink feeding `builder`.
    pub fn new(builder: ReportBuilder) -> ReportSink {
        ReportSink { builder }
    }
}

/// The [`Encoder`] of [`ReportSink`]: each statement as read back.
#[derive(Debug, Clone, Copy)]
pub struct ReadBack;

impl Encoder for ReadBack {
    type Part = Vec<Statement>;

    fn start(&self, _article: &Article, statements: usize) -> Vec<Statement> {
        Vec::with_capacity(statements)
    }

    fn statement(&self, part: &mut Vec<Statement>, statement: &StatementView<'_>) {
        part.push(statement.read_back());
    }
}

impl Sink for ReportSink {
    type Encoder = ReadBack;
    type Output = Report;

    fn encoder(&self) -> ReadBack {
        ReadBack
    }

    fn write(&mut self, part: Vec<Statement>) -> Result<()> {
        for statement in &part {
            // Note: a statement the report refuses (e.g. a date that is not
            // ISO) is listed in the report's problems section.
            let _ = self.builder.add(statement);
        }
        Ok(())
    }

    fn finish(self) -> Result<Report> {
        Ok(self.builder.finish())
    }
}
