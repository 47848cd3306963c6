//! The report's tables as rows of display strings, shared by the text,
//! Markdown and HTML renderers (each escapes cells for its own medium).

use crate::report::document::{Report, TopicStats};

/// One table: a header, rows of cells, and which columns are numeric.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as `header`.
    pub rows: Vec<Vec<String>>,
    /// `true` for right-aligned (numeric) columns.
    pub numeric: Vec<bool>,
}

/// A share as a percentage with one decimal: `25.0%`.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A probability with three decimals.
pub fn prob(p: f64) -> String {
    format!("{p:.3}")
}

/// A net stance with an explicit sign: `+0.250`, `-0.100`, `0.000`.
pub fn signed(x: f64) -> String {
    let s = format!("{x:+.3}");
    // Note: -0.0004 would print as "-0.000"; a rounded zero has no sign.
    if s == "+0.000" || s == "-0.000" {
        "0.000".to_string()
    } else {
        s
    }
}

/// The statistics columns; a topic-only report (no `labels`) has no stance columns.
fn stats_header(labels: &[String], net: bool) -> Vec<(String, bool)> {
    let mut h = vec![
        ("topic".to_string(), false),
        ("statements".to_string(), true),
        ("share".to_string(), true),
        ("articles".to_string(), true),
    ];
    if labels.is_empty() {
        h.extend(
            ["mean p(topic)", "low conf."]
                .iter()
                .map(|s| (s.to_string(), true)),
        );
        return h;
    }
    h.extend(labels.iter().map(|l| (l.clone(), true)));
    // Note: without favor/against roles there is no net stance: no column, not zeros.
    let net = ["net stance"].iter().filter(|_| net);
    h.extend(
        net.chain(&["mean p(topic)", "mean p(stance)", "low conf."])
            .map(|s| (s.to_string(), true)),
    );
    h
}

fn stats_cells(s: &TopicStats, topic_only: bool) -> Vec<String> {
    let mut cells = vec![
        s.topic.clone(),
        s.statements.to_string(),
        percent(s.share),
        s.articles.to_string(),
    ];
    if topic_only {
        cells.push(prob(s.mean_topic_prob));
        cells.push(s.below_threshold.to_string());
        return cells;
    }
    cells.extend(
        s.stances
            .iter()
            .map(|c| format!("{} ({})", c.count, percent(c.share))),
    );
    if let Some(net) = s.net_stance {
        cells.push(signed(net));
    }
    cells.push(prob(s.mean_topic_prob));
    cells.push(s.mean_stance_prob.map_or_else(|| "-".to_string(), prob));
    cells.push(s.below_threshold.to_string());
    cells
}

fn grid(columns: Vec<(String, bool)>, rows: Vec<Vec<String>>) -> Grid {
    let (header, numeric) = columns.into_iter().unzip();
    Grid {
        header,
        rows,
        numeric,
    }
}

/// The per-topic table.
pub fn topics(report: &Report) -> Grid {
    grid(
        stats_header(&report.stance_labels, report.stance_roles.has_net_stance()),
        report
            .topics
            .iter()
            .map(|s| stats_cells(s, report.topic_only()))
            .collect(),
    )
}

/// The breakdown table, keys first, if there is a breakdown.
pub fn breakdown(report: &Report) -> Option<Grid> {
    let b = report.breakdown.as_ref()?;
    let mut columns: Vec<(String, bool)> = b
        .dimensions
        .iter()
        .map(|d| (d.to_string(), false))
        .collect();
    columns.extend(stats_header(
        &report.stance_labels,
        report.stance_roles.has_net_stance(),
    ));
    let rows = b
        .rows
        .iter()
        .map(|r| {
            let mut cells = r.key.clone();
            cells.extend(stats_cells(&r.stats, report.topic_only()));
            cells
        })
        .collect();
    Some(grid(columns, rows))
}

/// The top-terms table: one row per head and label.
pub fn top_terms(report: &Report) -> Grid {
    let rows = report
        .top_terms
        .iter()
        .map(|t| {
            let terms = t
                .terms
                .iter()
                .map(|term| format!("{} ({:.3})", term.term, term.weight))
                .collect::<Vec<_>>()
                .join(", ");
            vec![t.head.clone(), t.label.clone(), terms]
        })
        .collect();
    grid(
        vec![
            ("head".into(), false),
            ("label".into(), false),
            ("terms (weight)".into(), false),
        ],
        rows,
    )
}

/// The problems table.
pub fn problems(report: &Report) -> Grid {
    let rows = report
        .problems
        .listed
        .iter()
        .map(|p| {
            vec![
                p.place(),
                p.article_id.clone().unwrap_or_default(),
                p.sentence.map(|s| s.to_string()).unwrap_or_default(),
                p.message.clone(),
            ]
        })
        .collect();
    grid(
        vec![
            ("where".into(), false),
            ("article".into(), false),
            ("sentence".into(), true),
            ("problem".into(), false),
        ],
        rows,
    )
}

/// One line summing up the input: statements, articles, rejected rows.
pub fn summary(report: &Report) -> String {
    let t = &report.totals;
    let mut s = format!(
        "{} statements in {} articles, {} topics",
        t.rows_used,
        t.articles,
        report.topics.len()
    );
    if t.rows_rejected > 0 {
        s.push_str(&format!(
            "; {} of {} rows rejected",
            t.rows_rejected, t.rows_read
        ));
    }
    s.push_str(&format!(
        "; low confidence: topic p < {}",
        report.settings.min_confidence
    ));
    s
}

/// The breakdown's title, e.g. `By source, date (month)`.
pub fn breakdown_title(report: &Report) -> String {
    let dims = report
        .settings
        .by
        .iter()
        .map(|d| {
            if *d == "date" {
                format!("date ({})", report.settings.period)
            } else {
                d.to_string()
            }
        })
        .collect::<Vec<_>>();
    format!("By {}", dims.join(", "))
}

/// The problems section's title, saying how many were listed.
pub fn problems_title(report: &Report) -> String {
    let p = &report.problems;
    if p.not_listed > 0 {
        format!(
            "Problems: {} rows rejected (first {} listed, {} more not listed)",
            p.count,
            p.listed.len(),
            p.not_listed
        )
    } else {
        format!("Problems: {} rows rejected", p.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::builder::tests::corpus;
    use crate::report::{Dimension, ReportBuilder, ReportOptions};

    fn report() -> Report {
        let mut b = ReportBuilder::new(ReportOptions {
            breakdown: vec![Dimension::Source],
            ..Default::default()
        })
        .unwrap();
        for r in corpus() {
            b.add(&r).unwrap();
        }
        b.finish()
    }

    #[test]
    fn number_formats() {
        assert_eq!(percent(0.25), "25.0%");
        assert_eq!(prob(0.81234), "0.812");
        assert_eq!(signed(0.25), "+0.250");
        assert_eq!(signed(-0.1), "-0.100");
        assert_eq!(signed(0.0), "0.000");
        assert_eq!(signed(-0.0004), "0.000");
    }

    #[test]
    fn topic_rows_match_header() {
        let r = report();
        let g = topics(&r);
        assert_eq!(g.header.len(), g.numeric.len());
        assert!(g.rows.iter().all(|row| row.len() == g.header.len()));
        assert_eq!(g.rows[0][0], "palestine");
        assert_eq!(g.rows[0][4], "3 (75.0%)");
        let b = breakdown(&r).unwrap();
        assert_eq!(b.header[0], "source");
        assert!(b.rows.iter().all(|row| row.len() == b.header.len()));
        assert_eq!(breakdown_title(&r), "By source");
    }
}
