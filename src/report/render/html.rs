//! One self-contained HTML page: inline CSS, inline SVG charts, the tables.
//!
//! No scripts, fonts, stylesheets or images are loaded; a Content Security
//! Policy forbids them anyway. Every data string passes through
//! [`escape_html`].

use std::io::{self, Write};

use super::grid::{self, Grid};
use super::svg;
use crate::report::document::Report;
use crate::report::escape::escape_html;

pub(super) const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:24px auto;max-width:1280px;padding:0 16px;color:#222;background:#fff}\
h1{font-size:1.6em;margin-bottom:4px}h2{font-size:1.2em;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}\
p.summary{color:#555;margin-top:0}p.note{color:#666;font-size:.9em}\
.tablewrap{overflow-x:auto}\
table{border-collapse:collapse;font-size:.85em;margin:8px 0}\
th,td{border-bottom:1px solid #e4e4e4;padding:3px 6px;text-align:left;vertical-align:top}\
th{background:#f5f5f5;font-weight:600;white-space:normal}td{white-space:nowrap}td.wrap{white-space:normal;min-width:18em;overflow-wrap:anywhere}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:normal}\
svg.chart{display:block;max-width:100%;height:auto;margin:8px 0}\
svg.chart text{font-size:12px;fill:#333;font-family:system-ui,'DejaVu Sans',sans-serif}\
svg.chart text.note,svg.chart text.axis{fill:#666;font-size:11px}\
svg.chart line.grid{stroke:#e0e0e0;stroke-width:1}\
td.problem{color:#a00;white-space:normal;min-width:18em;overflow-wrap:anywhere}";

/// Content Security Policy: nothing but inline styles; no scripts, no network.
pub(super) const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

pub(super) fn write_grid(w: &mut dyn Write, g: &Grid, cell_class: Option<&str>) -> io::Result<()> {
    write!(w, "<div class=\"tablewrap\"><table><thead><tr>")?;
    for (h, num) in g.header.iter().zip(&g.numeric) {
        let class = if *num { " class=\"num\"" } else { "" };
        write!(w, "<th{class}>{}</th>", escape_html(h))?;
    }
    writeln!(w, "</tr></thead><tbody>")?;
    for row in &g.rows {
        write!(w, "<tr>")?;
        for (i, c) in row.iter().enumerate() {
            let class = if g.numeric.get(i).copied().unwrap_or(false) {
                " class=\"num\"".to_string()
            } else if i + 1 == row.len() {
                cell_class
                    .map(|c| format!(" class=\"{c}\""))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            write!(w, "<td{class}>{}</td>", escape_html(c))?;
        }
        writeln!(w, "</tr>")?;
    }
    writeln!(w, "</tbody></table></div>")
}

pub(super) fn section(w: &mut dyn Write, title: &str) -> io::Result<()> {
    writeln!(w, "<h2>{}</h2>", escape_html(title))
}

/// Opens a self-contained page: doctype, CSP, inline style, `<title>` and `<h1>`.
pub(super) fn page_head(w: &mut dyn Write, title: &str) -> io::Result<()> {
    writeln!(w, "<!DOCTYPE html>")?;
    writeln!(w, "<html lang=\"en\"><head><meta charset=\"utf-8\">")?;
    writeln!(
        w,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
    )?;
    writeln!(
        w,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    let title = escape_html(title);
    writeln!(
        w,
        "<title>{title}</title><style>{STYLE}</style></head><body>"
    )?;
    writeln!(w, "<h1>{title}</h1>")
}

/// Writes the report as one self-contained HTML page.
pub fn write(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    page_head(w, "Stance report")?;
    writeln!(
        w,
        "<p class=\"summary\">{}</p>",
        escape_html(&grid::summary(report))
    )?;

    if report.topics.is_empty() {
        writeln!(w, "<p class=\"note\">No statements.</p>")?;
    }
    if let Some(chart) = svg::stance_by_topic(report) {
        section(w, "Stance by topic")?;
        writeln!(w, "{chart}")?;
    }
    if let Some(chart) = svg::statements_per_month(report) {
        section(w, "Statements per month")?;
        writeln!(w, "{chart}")?;
    }
    if let Some(chart) = svg::topic_share_over_time(report) {
        section(w, "Topic share by month")?;
        writeln!(w, "{chart}")?;
        if report.totals.undated_statements > 0 {
            writeln!(
                w,
                "<p class=\"note\">{} statements without a date are not shown.</p>",
                report.totals.undated_statements
            )?;
        }
    }
    if let Some(chart) = svg::topic_mix_by_source(report) {
        section(w, "Topic mix by source")?;
        writeln!(w, "{chart}")?;
        let hidden = report.sources.len().saturating_sub(svg::MAX_SOURCES);
        if hidden > 0 {
            writeln!(
                w,
                "<p class=\"note\">{hidden} smaller sources are not shown; see the tables.</p>"
            )?;
        }
    }

    if !report.topics.is_empty() {
        section(w, "Topics")?;
        write_grid(w, &grid::topics(report), None)?;
    }
    if let Some(b) = grid::breakdown(report) {
        section(w, &grid::breakdown_title(report))?;
        write_grid(w, &b, None)?;
    }
    if !report.top_terms.is_empty() {
        section(w, "Top terms")?;
        write_grid(w, &grid::top_terms(report), Some("wrap"))?;
    }
    if report.problems.count > 0 {
        section(w, &grid::problems_title(report))?;
        write_grid(w, &grid::problems(report), Some("problem"))?;
    }
    writeln!(w, "</body></html>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::Position;
    use crate::io::{ProblemKind, RowProblem};
    use crate::model::TopTerms;
    use crate::report::builder::tests::{corpus, row};
    use crate::report::escape::tests::HOSTILE;
    use crate::report::{Dimension, ReportBuilder, ReportOptions};

    fn hostile_report() -> Report {
        let mut b = ReportBuilder::new(ReportOptions {
            breakdown: vec![Dimension::Source, Dimension::Article],
            top_terms: HOSTILE
                .iter()
                .map(|h| TopTerms {
                    head: h.to_string(),
                    label: h.to_string(),
                    terms: vec![(h.to_string(), 1.0)],
                })
                .collect(),
            ..Default::default()
        })
        .unwrap();
        for r in corpus() {
            b.add(&r).unwrap();
        }
        for h in HOSTILE {
            b.add(&row(h, h, 0.9, h, Some("2024-03-01"), Some(h)))
                .unwrap();
            b.add_problem(RowProblem {
                location: Some(Position {
                    file: h.to_string(),
                    line: Some(1),
                }),
                article_id: Some(h.to_string()),
                sentence: None,
                kind: ProblemKind::BadJson(h.to_string()),
            });
        }
        b.finish()
    }

    fn render(r: &Report) -> String {
        let mut out = Vec::new();
        write(r, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn hostile_strings_are_inert_everywhere() {
        let html = render(&hostile_report());
        assert!(!html.contains("<script"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<svg onload"));
        assert!(!html.contains("'xss"));
        assert_eq!(html.matches("<svg ").count(), 4);
        assert_eq!(html.matches("</svg>").count(), 4);
        // Every hostile string appears, escaped, in the tables.
        for h in HOSTILE {
            assert!(html.contains(&escape_html(h)), "{h}");
        }
    }

    #[test]
    fn self_contained_page() {
        let html = render(&hostile_report());
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("Content-Security-Policy"));
        for external in ["http://", "https://", "src=\"", "<link", "@import", "url("] {
            let outside_svg_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
            assert!(!outside_svg_ns.contains(external), "{external}");
        }
        assert!(html.contains("<h2>Top terms</h2>"));
        assert!(html.contains("<h2>Problems: 6 rows rejected</h2>"));
    }

    #[test]
    fn empty_report_renders() {
        let r = ReportBuilder::new(ReportOptions::default())
            .unwrap()
            .finish();
        let html = render(&r);
        assert!(html.contains("No statements."));
        assert!(html.trim_end().ends_with("</html>"));
    }
}
