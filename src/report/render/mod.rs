//! Renderers: the same [`Report`] as terminal table, Markdown, CSV, JSON or HTML.

use std::io::{self, Write};

use super::document::Report;

mod csv_tables;
pub mod grid;
mod html;
mod json;
mod markdown;
pub mod svg;
mod table;

/// An output format for [`render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Aligned plain-text tables for a terminal; the default.
    #[default]
    Table,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// Flat CSV tables, one per section, separated by a blank line.
    Csv,
    /// The documented JSON schema (see [`crate::report::document`]).
    Json,
    /// One self-contained HTML page with inline SVG charts.
    Html,
}

/// Writes `report` in `format`.
pub fn render(report: &Report, format: OutputFormat, w: &mut dyn Write) -> io::Result<()> {
    match format {
        OutputFormat::Table => table::write(report, w),
        OutputFormat::Markdown => markdown::write(report, w),
        OutputFormat::Csv => csv_tables::write(report, w),
        OutputFormat::Json => json::write(report, w),
        OutputFormat::Html => html::write(report, w),
    }
}
