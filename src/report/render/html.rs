//! One self-contained HTML page: inline CSS, inline SVG charts, the tables.
//!
//! No scripts, fonts, stylesheets or images are loaded; a Content Security
//! Policy forbids them anyway. Every data string passes through
//! [`escape_html`].

use std::io::{self, Write};

use super::grid::{self, Grid};
use super::{over_time, svg};
use crate::report::document::Report;
use crate::report::escape::escape_html;

pub(super) const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:24px auto;max-width:1280px;padding:0 16px;color:#222;background:#fff}\
h1{font-size:1.6em;margin-bottom:4px}h2{font-size:1.2em;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}\
p.summary{color:#555;margin-top:0}p.note{color:#666;font-size:.9em}\
.tablewrap{overflow-x:auto}\
table{border-collapse:collapse;font-size:.85em;margin:8px 0}\
th,td{border-bottom:1px solid #e4e4e4;padding:3px 5px;text-align:left;vertical-align:top}\
tr.key th{background:#eaf0f6;font-weight:600}h3{font-size:1em;margin:18px 0 4px}\
td.text{white-space:normal;min-width:14em;max-width:44em}td.hash{white-space:normal;overflow-wrap:anywhere;font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:.9em}\
th{background:#f5f5f5;font-weight:600;white-space:normal;overflow-wrap:anywhere}td{white-space:nowrap}td:first-child,td.text{white-space:normal;overflow-wrap:anywhere}td.wrap{white-space:normal;min-width:18em;overflow-wrap:anywhere}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:normal}\
svg.chart{display:block;max-width:100%;height:auto;margin:8px 0}\
svg.chart text{font-size:12px;fill:#333;font-family:system-ui,'DejaVu Sans',sans-serif}\
svg.chart text.note,svg.chart text.axis{fill:#666;font-size:11px}\
svg.chart line.grid{stroke:#e0e0e0;stroke-width:1}\
td.problem{color:#a00;white-space:normal;min-width:18em;overflow-wrap:anywhere}\
td.id{white-space:normal;overflow-wrap:anywhere;min-width:5em;max-width:16em}th.label,td.label{min-width:5em}\
@media (max-width:960px){table{font-size:.75em}th,td{padding:2px 3px}td.text{min-width:10em}}";

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

/// A breakdown table with its first `keys` columns pulled out into one
/// heading row per key (`wire · 2024-05`), so that the table is as wide as
/// the topics table and fits the page at 800 px.
pub(super) fn write_grouped(w: &mut dyn Write, g: &Grid, keys: usize) -> io::Result<()> {
    let span = g.header.len().saturating_sub(keys);
    write!(w, "<div class=\"tablewrap\"><table><thead><tr>")?;
    for (h, num) in g.header.iter().zip(&g.numeric).skip(keys) {
        let class = if *num { " class=\"num\"" } else { "" };
        write!(w, "<th{class}>{}</th>", escape_html(h))?;
    }
    writeln!(w, "</tr></thead><tbody>")?;
    let mut current: Option<&[String]> = None;
    for row in &g.rows {
        let key = &row[..keys.min(row.len())];
        if current != Some(key) {
            let label = g
                .header
                .iter()
                .zip(key)
                .map(|(h, k)| format!("{h} {k}"))
                .collect::<Vec<_>>()
                .join(" · ");
            writeln!(
                w,
                "<tr class=\"key\"><th colspan=\"{span}\">{}</th></tr>",
                escape_html(&label)
            )?;
            current = Some(key);
        }
        write!(w, "<tr>")?;
        for (i, c) in row.iter().enumerate().skip(keys) {
            let class = if g.numeric.get(i).copied().unwrap_or(false) {
                " class=\"num\""
            } else {
                ""
            };
            write!(w, "<td{class}>{}</td>", escape_html(c))?;
        }
        writeln!(w, "</tr>")?;
    }
    writeln!(w, "</tbody></table></div>")
}

/// Characters of a statement shown on the page (the JSON has all of it).
const EXAMPLE_CHARS: usize = 400;

/// The most confident statements: one table per topic, rows by stance.
fn write_examples(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let mut topic: Option<&str> = None;
    for cell in &report.examples {
        if topic != Some(cell.topic.as_str()) {
            if topic.is_some() {
                writeln!(w, "</tbody></table></div>")?;
            }
            writeln!(w, "<h3>{}</h3>", escape_html(&cell.topic))?;
            write!(w, "<div class=\"tablewrap\"><table><thead><tr>")?;
            if !report.topic_only() {
                write!(
                    w,
                    "<th class=\"label\">stance</th><th class=\"num label\">p(stance)</th>"
                )?;
            }
            writeln!(
                w,
                "<th class=\"num label\">p(topic)</th><th>statement</th><th>article</th><th>source</th><th>date</th></tr></thead><tbody>"
            )?;
            topic = Some(cell.topic.as_str());
        }
        for e in &cell.statements {
            let mut text: String = e.text.chars().take(EXAMPLE_CHARS).collect();
            if e.text.chars().count() > EXAMPLE_CHARS {
                text.push('…');
            }
            write!(w, "<tr>")?;
            if !report.topic_only() {
                write!(
                    w,
                    "<td class=\"label\">{}</td><td class=\"num\">{}</td>",
                    escape_html(cell.stance.as_deref().unwrap_or("(none)")),
                    e.stance_prob.map_or_else(|| "-".to_string(), grid::prob)
                )?;
            }
            writeln!(
                w,
                "<td class=\"num\">{}</td><td class=\"text\">{}</td><td class=\"id\">{}</td><td class=\"id\">{}</td><td>{}</td></tr>",
                grid::prob(e.topic_prob),
                escape_html(&text),
                escape_html(&format!("{} #{}", e.article_id, e.sentence)),
                escape_html(e.source.as_deref().unwrap_or("")),
                escape_html(e.date.as_deref().unwrap_or(""))
            )?;
        }
    }
    if topic.is_some() {
        writeln!(w, "</tbody></table></div>")?;
    }
    Ok(())
}

/// The provenance table: what produced the report.
fn write_provenance(w: &mut dyn Write, p: &crate::report::Provenance) -> io::Result<()> {
    let mut rows: Vec<(String, String, bool)> = vec![
        ("generated at".into(), p.generated_at.clone(), false),
        ("stance version".into(), p.stance_version.clone(), false),
        ("command line".into(), p.command_line.join(" "), true),
    ];
    if let Some(m) = &p.model {
        rows.push((
            "model".into(),
            format!("{} ({} bytes)", m.path, m.bytes),
            true,
        ));
        rows.push(("model SHA-256".into(), m.sha256.clone(), true));
        rows.push((
            "trained by".into(),
            format!("stance {}", m.trained_by),
            false,
        ));
        rows.push((
            "trained at".into(),
            m.trained_at.clone().unwrap_or_else(|| {
                format!(
                    "not recorded in the model (file modified {})",
                    m.file_modified.as_deref().unwrap_or("unknown")
                )
            }),
            false,
        ));
        rows.push((
            "training data SHA-256".into(),
            format!("{} ({} rows)", m.training_data_sha256, m.training_rows),
            true,
        ));
        for (i, f) in m.training_files.iter().enumerate() {
            rows.push((
                format!("training file {}", i + 1),
                format!("{} ({} rows)", f.sha256, f.rows),
                true,
            ));
        }
    }
    for f in &p.inputs {
        let mut v = f.path.clone();
        if let Some(b) = f.bytes {
            v.push_str(&format!(" ({b} bytes)"));
        }
        if let Some(sha) = &f.sha256 {
            v.push_str(&format!(" SHA-256 {sha}"));
        }
        rows.push(("input".into(), v, true));
    }
    writeln!(w, "<div class=\"tablewrap\"><table><tbody>")?;
    for (k, v, hash) in rows {
        let class = if hash { " class=\"hash\"" } else { "" };
        writeln!(
            w,
            "<tr><th>{}</th><td{class}>{}</td></tr>",
            escape_html(&k),
            escape_html(&v)
        )?;
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
    if let Some(chart) = over_time::stance_over_time(report) {
        let sot = &report.stance_over_time;
        let per_source = if sot.by_source {
            ", over all sources and per source (the largest ones)"
        } else {
            ""
        };
        let period = escape_html(sot.period);
        if report.topic_only() {
            section(w, "Statements per topic over time")?;
            writeln!(
                w,
                "<p class=\"note\">Per topic: its statements per {period}.</p>"
            )?;
        } else if report.stance_roles.has_net_stance() {
            section(w, "Stance over time")?;
            writeln!(
                w,
                "<p class=\"note\">Per topic and {period}: the net stance (favor minus against, \
                 over the period's statements of the topic){per_source}, above the period's \
                 statements by stance. Hover a dot or bar for its numbers.</p>"
            )?;
        } else {
            section(w, "Stance over time")?;
            writeln!(
                w,
                "<p class=\"note\">Per topic: its statements per {period} by stance.</p>"
            )?;
        }
        writeln!(w, "{chart}")?;
        let hidden = over_time::hidden_panels(report);
        if hidden > 0 {
            writeln!(
                w,
                "<p class=\"note\">{hidden} smaller topics are not drawn; see the JSON or CSV.</p>"
            )?;
        }
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
        let keys = report.breakdown.as_ref().map_or(0, |b| b.dimensions.len());
        write_grouped(w, &b, keys)?;
    }
    if !report.examples.is_empty() {
        section(w, "Most confident statements")?;
        write_examples(w, report)?;
    }
    if !report.top_terms.is_empty() {
        section(w, "Top terms")?;
        write_grid(w, &grid::top_terms(report), Some("wrap"))?;
    }
    if report.problems.count > 0 {
        section(w, &grid::problems_title(report))?;
        write_grid(w, &grid::problems(report), Some("problem"))?;
    }
    if let Some(p) = &report.provenance {
        section(w, "Provenance")?;
        write_provenance(w, p)?;
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
                    stems: vec![h.to_string()],
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
        assert_eq!(html.matches("<svg ").count(), 5);
        assert_eq!(html.matches("</svg>").count(), 5);
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
