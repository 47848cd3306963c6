//! CSV: one flat table per section, separated by a blank line.
//!
//! Every table's first column is `table`, naming it (`topics`, `breakdown`,
//! `stance_over_time`, `examples`, `top_terms`, `problems`), so one section can be picked out with `grep`.
//! Columns are fixed: stance columns are always `favor`, `against`,
//! `neutral` and `other_stance` (the sum of any other labels, including
//! statements without a stance). Numbers are unformatted. A topic-only report
//! (no statement has a stance) has no stance columns: `net_stance`,
//! `mean_stance_prob` and the stance counts and shares are left out.
//! Without favor/against roles `net_stance` is left out too.

use std::io::{self, Write};

use crate::model::StanceRoles;
use crate::report::document::{Report, TopicStats};

const STATS_COLUMNS: [&str; 16] = [
    "topic",
    "statements",
    "share",
    "articles",
    "favor",
    "favor_share",
    "against",
    "against_share",
    "neutral",
    "neutral_share",
    "other_stance",
    "other_stance_share",
    "net_stance",
    "mean_topic_prob",
    "mean_stance_prob",
    "below_threshold",
];

/// The stats columns, without `net_stance` when the roles have no favor/against.
fn stats_columns(roles: &StanceRoles) -> Vec<&'static str> {
    STATS_COLUMNS
        .into_iter()
        .filter(|c| *c != "net_stance" || roles.has_net_stance())
        .collect()
}

fn stats_fields(s: &TopicStats, roles: &StanceRoles) -> Vec<String> {
    let share = |n: u64| {
        if s.statements == 0 {
            0.0
        } else {
            n as f64 / s.statements as f64
        }
    };
    let mut out = vec![
        s.topic.clone(),
        s.statements.to_string(),
        s.share.to_string(),
        s.articles.to_string(),
    ];
    let mut core = 0;
    for label in [&roles.favor, &roles.against, &roles.neutral] {
        let n = label.as_deref().map_or(0, |l| s.stance_count(l));
        core += n;
        out.push(n.to_string());
        out.push(share(n).to_string());
    }
    let other: u64 = s
        .stances
        .iter()
        .map(|c| c.count)
        .sum::<u64>()
        .saturating_sub(core);
    out.push(other.to_string());
    out.push(share(other).to_string());
    if let Some(net) = s.net_stance {
        out.push(net.to_string());
    }
    out.push(s.mean_topic_prob.to_string());
    out.push(
        s.mean_stance_prob
            .map(|p| p.to_string())
            .unwrap_or_default(),
    );
    out.push(s.below_threshold.to_string());
    out
}

/// Whether a stats column is about stance.
fn is_stance_column(name: &str) -> bool {
    matches!(
        name,
        "favor"
            | "favor_share"
            | "against"
            | "against_share"
            | "neutral"
            | "neutral_share"
            | "other_stance"
            | "other_stance_share"
            | "net_stance"
            | "mean_stance_prob"
    )
}

/// `fields` (laid out as `columns`) without the stance columns when `topic_only`.
fn keep<T>(columns: &[&str], fields: Vec<T>, topic_only: bool) -> Vec<T> {
    fields
        .into_iter()
        .zip(columns)
        .filter(|(_, c)| !(topic_only && is_stance_column(c)))
        .map(|(f, _)| f)
        .collect()
}

fn to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

fn table(
    w: &mut dyn Write,
    header: Vec<String>,
    rows: impl Iterator<Item = Vec<String>>,
) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(&header).map_err(to_io)?;
    for r in rows {
        out.write_record(&r).map_err(to_io)?;
    }
    out.flush()
}

fn named(name: &str, mut fields: Vec<String>) -> Vec<String> {
    fields.insert(0, name.to_string());
    fields
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Writes the report as CSV tables.
pub fn write(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    let roles = &report.stance_roles;
    let only = report.topic_only();
    let columns = stats_columns(roles);
    table(
        w,
        named("table", keep(&columns, strings(&columns), only)),
        report
            .topics
            .iter()
            .map(|s| named("topics", keep(&columns, stats_fields(s, roles), only))),
    )?;
    if let Some(b) = &report.breakdown {
        writeln!(w)?;
        let mut header = strings(&b.dimensions);
        header.extend(keep(&columns, strings(&columns), only));
        table(
            w,
            named("table", header),
            b.rows.iter().map(|r| {
                let mut fields = r.key.clone();
                fields.extend(keep(&columns, stats_fields(&r.stats, roles), only));
                named("breakdown", fields)
            }),
        )?;
    }
    if !report.stance_over_time.series.is_empty() {
        writeln!(w)?;
        let mut header = strings(&["source", "period"]);
        header.extend(keep(&columns, strings(&columns), only));
        table(
            w,
            named("table", header),
            report.stance_over_time.series.iter().flat_map(|s| {
                s.points.iter().map(|p| {
                    // Note: the series over all sources has an empty source.
                    let mut fields = vec![s.source.clone().unwrap_or_default(), p.period.clone()];
                    fields.extend(keep(&columns, stats_fields(&p.stats, roles), only));
                    named("stance_over_time", fields)
                })
            }),
        )?;
    }
    if !report.examples.is_empty() {
        writeln!(w)?;
        table(
            w,
            strings(&[
                "table",
                "topic",
                "stance",
                "rank",
                "article_id",
                "sentence",
                "source",
                "date",
                "topic_prob",
                "stance_prob",
                "text",
            ]),
            report.examples.iter().flat_map(|c| {
                c.statements.iter().enumerate().map(|(i, e)| {
                    named(
                        "examples",
                        vec![
                            c.topic.clone(),
                            c.stance.clone().unwrap_or_default(),
                            (i + 1).to_string(),
                            e.article_id.clone(),
                            e.sentence.to_string(),
                            e.source.clone().unwrap_or_default(),
                            e.date.clone().unwrap_or_default(),
                            e.topic_prob.to_string(),
                            e.stance_prob.map(|p| p.to_string()).unwrap_or_default(),
                            e.text.clone(),
                        ],
                    )
                })
            }),
        )?;
    }
    if !report.top_terms.is_empty() {
        writeln!(w)?;
        table(
            w,
            strings(&["table", "head", "label", "rank", "term", "weight"]),
            report.top_terms.iter().flat_map(|t| {
                t.terms.iter().enumerate().map(|(i, term)| {
                    named(
                        "top_terms",
                        vec![
                            t.head.clone(),
                            t.label.clone(),
                            (i + 1).to_string(),
                            term.term.clone(),
                            term.weight.to_string(),
                        ],
                    )
                })
            }),
        )?;
    }
    if report.problems.count > 0 {
        writeln!(w)?;
        table(
            w,
            strings(&[
                "table",
                "file",
                "line",
                "article_id",
                "sentence",
                "code",
                "message",
            ]),
            report.problems.listed.iter().map(|p| {
                named(
                    "problems",
                    vec![
                        p.file.clone().unwrap_or_default(),
                        p.line.map(|l| l.to_string()).unwrap_or_default(),
                        p.article_id.clone().unwrap_or_default(),
                        p.sentence.map(|s| s.to_string()).unwrap_or_default(),
                        p.code.to_string(),
                        p.message.clone(),
                    ],
                )
            }),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::builder::tests::{corpus, row};
    use crate::report::{Dimension, ReportBuilder, ReportOptions};

    #[test]
    fn sections_with_fixed_columns() {
        let mut b = ReportBuilder::new(ReportOptions {
            breakdown: vec![Dimension::Date],
            ..Default::default()
        })
        .unwrap();
        for r in corpus() {
            b.add(&r).unwrap();
        }
        b.add(&row("a9", "other", 0.9, "", None, Some("x,\"y\"")))
            .unwrap();
        let mut bad = row("a9", "other", 0.9, "", None, None);
        bad.topic_prob = 2.0;
        assert!(b.add(&bad).is_err());
        let mut out = Vec::new();
        write(&b.finish(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let sections: Vec<&str> = text.split("\n\n").collect();
        assert_eq!(sections.len(), 5);
        let named_section = |name: &str| {
            *sections
                .iter()
                .find(|s| s.lines().nth(1).is_some_and(|l| l.starts_with(name)))
                .unwrap_or_else(|| panic!("no {name} section in\n{text}"))
        };
        assert!(sections[0].starts_with("table,topic,statements,share,articles,favor,favor_share"));
        assert!(sections[0]
            .contains("\ntopics,palestine,4,0.5714285714285714,2,3,0.75,1,0.25,0,0,0,0,0.5,"));
        assert!(sections[0].contains("\ntopics,other,1,"));
        assert!(sections[1].starts_with("table,date,topic,"));
        assert!(sections[1].contains("\nbreakdown,2024-01,palestine,3,1,1,"));
        assert!(named_section("problems,").starts_with(
            "table,file,line,article_id,sentence,code,message\nproblems,,,a9,1,bad_value,"
        ));
        // January's palestine statements: 2 favor, 1 against, all of the month's 3.
        let over_time = named_section("stance_over_time,");
        assert!(over_time.starts_with("table,source,period,topic,statements,share,"));
        assert!(
            over_time.contains("\nstance_over_time,,2024-01,palestine,3,1,1,2,"),
            "{over_time}"
        );
        assert!(
            over_time.contains(&format!(",{},", 1.0 / 3.0)),
            "{over_time}"
        );
        let examples = named_section("examples,");
        assert!(examples.starts_with(
            "table,topic,stance,rank,article_id,sentence,source,date,topic_prob,stance_prob,text\n\
             examples,palestine,favor,1,a3,1,,,0.95,0.8,text\n"
        ));
        // other_stance counts the statement without a stance.
        let other_row = sections[0]
            .lines()
            .find(|l| l.starts_with("topics,other,"))
            .unwrap();
        let fields: Vec<&str> = other_row.split(',').collect();
        assert_eq!(fields[11], "1");
    }
}
