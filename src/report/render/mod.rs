//! Renderers: the same [`Report`] as terminal table, Markdown, CSV, JSON or HTML.

use std::io::{self, Write};
use std::path::Path;

use super::document::Report;

pub use evaluation::{evaluation_html, EvaluationPage};

mod csv_tables;
mod evaluation;
mod grid;
mod html;
mod json;
mod markdown;
mod over_time;
mod svg;
mod table;

/// An output format for [`render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReportFormat {
    /// Aligned plain-text tables for a terminal; the default.
    #[default]
    Table,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// Flat CSV tables, one per section, separated by a blank line.
    Csv,
    /// The documented JSON schema (see `docs/REPORT_FORMAT.md`).
    Json,
    /// One self-contained HTML page with inline SVG charts.
    Html,
}

impl ReportFormat {
    /// The format implied by a file name: `.html`/`.htm`, `.json`, `.csv`,
    /// `.md`/`.markdown`, and a text table for anything else.
    pub fn from_extension(path: &Path) -> ReportFormat {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("html" | "htm") => ReportFormat::Html,
            Some("json") => ReportFormat::Json,
            Some("csv") => ReportFormat::Csv,
            Some("md" | "markdown") => ReportFormat::Markdown,
            _ => ReportFormat::Table,
        }
    }
}

/// Writes `report` in `format`.
pub fn render(report: &Report, format: ReportFormat, w: &mut dyn Write) -> io::Result<()> {
    match format {
        ReportFormat::Table => table::write(report, w),
        ReportFormat::Markdown => markdown::write(report, w),
        ReportFormat::Csv => csv_tables::write(report, w),
        ReportFormat::Json => json::write(report, w),
        ReportFormat::Html => html::write(report, w),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::builder::tests::row;
    use crate::report::{Dimension, ReportBuilder, ReportOptions};

    /// Statements without stances (a topic-only model): no format shows a
    /// stance column, a net stance, a stance chart or a `(none)` column.
    #[test]
    fn topic_only_reports_show_topics_only_in_every_format() {
        let mut b = ReportBuilder::new(ReportOptions {
            breakdown: vec![Dimension::Source],
            ..Default::default()
        })
        .unwrap();
        for (i, topic) in ["water", "water", "energy"].iter().enumerate() {
            let mut r = row(
                &format!("a{i}"),
                topic,
                0.9,
                "",
                Some("2024-01-02"),
                Some("wire"),
            );
            r.stance_prob = None;
            b.add(&r).unwrap();
        }
        let report = b.finish();
        assert!(report.topic_only());
        for format in [
            ReportFormat::Table,
            ReportFormat::Markdown,
            ReportFormat::Csv,
            ReportFormat::Json,
            ReportFormat::Html,
        ] {
            let mut out = Vec::new();
            render(&report, format, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(
                text.contains("water") && text.contains("energy"),
                "{format:?}"
            );
            for stance_word in ["favor", "against", "neutral", "(none)", "p(stance)"] {
                assert!(
                    !text.contains(stance_word),
                    "{format:?} has {stance_word}:\n{text}"
                );
            }
            if format != ReportFormat::Json {
                assert!(!text.to_lowercase().contains("net"), "{format:?}:\n{text}");
            }
        }
    }
}
