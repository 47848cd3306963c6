//! The finished report that every renderer reads; its serde form is the JSON output.
//!
//! # JSON schema (`"schema": "stance-report/1"`)
//!
//! Field names and nesting are stable within a schema version; new fields may
//! be added, nothing is renamed or removed without bumping the version.
//! Shares and probabilities are numbers in [0, 1], counts are integers.
//!
//! ```text
//! {
//!   "schema": "stance-report/1",
//!   "settings": { "by": ["source", "date"],       // breakdown dimensions, in key order
//!                 "period": "month",               // "day" | "week" | "month"
//!                 "min_confidence": 0.5 },
//!   "totals": { "rows_read": 120,                  // rows_used + rows_rejected
//!               "rows_used": 118, "rows_rejected": 2,
//!               "articles": 14, "undated_statements": 3 },
//!   "stance_labels": ["favor", "against", "neutral", ...],  // role labels, extra labels sorted, "(none)" last
//!   "stance_roles": { "favor": "FAVOR", "against": "AGAINST", "neutral": "NONE" },  // each key optional
//!                                                // [] when no statement has a stance (topic-only)
//!   "topics": [ TopicStats, ... ],               // by statements desc, "uncertain" last
//!   "breakdown": null | { "dimensions": ["source", "date"],
//!                         "rows": [ { "key": ["wire", "2024-01"], ...TopicStats }, ... ] },
//!   "timeline": [ { "period": "2024-01", "statements": 40,   // monthly, dated rows only
//!                   "topics": [ { "topic": "palestine", "statements": 12 }, ... ] }, ... ],
//!   "sources": [ { "source": "wire", "statements": 60,       // statements desc, "(none)" last
//!                  "topics": [ { "topic": "palestine", "statements": 20 }, ... ] }, ... ],
//!   "top_terms": [ { "head": "topic" | "stance:<topic>", "label": "palestine",
//!                    "terms": [ { "term": "Gaza", "stem": "gaza", "weight": 1.25 }, ... ] }, ... ],
//!                                                   // "term": most frequent surface form; "stem" only when it differs
//!   "problems": { "count": 2, "not_listed": 0,
//!                 "listed": [ { "file": "in.csv" | null, "line": 7 | null,
//!                               "article_id": "a1" | null, "sentence": 3 | null,
//!                               "code": "bad_value", "message": "..." } ] },
//!   "stance_over_time": { "period": "month",        // the report's period (`--period`, `--by week`, ...)
//!                         "by_source": true,        // per-source series too (`--by source`)
//!                         "series": [ { "topic": "palestine", "source": null | "wire",
//!                                       "points": [ { "period": "2024-01", ...TopicStats }, ... ] }, ... ] },
//!                                                   // per topic: all sources (null) first, then each source
//!   "examples": [ { "topic": "palestine", "stance": "favor" | null,
//!                   "statements": [ { "article_id": "a1", "sentence": 3, "source": "wire" | null,
//!                                     "date": "2024-01-05" | null, "text": "...",
//!                                     "topic_prob": 0.93, "stance_prob": 0.88 | null }, ... ] }, ... ],
//!                                                   // most confident (topic_prob * stance_prob) first
//!   "provenance": null | { "stance_version": "0.1.0", "generated_at": "2024-05-01T12:00:00Z",
//!                          "command_line": ["stance", "report", ...],
//!                          "model": null | { "path": "models/default.model", "sha256": "...", "bytes": 123,
//!                                            "trained_by": "0.1.0", "training_rows": 5000,
//!                                            "training_data_sha256": "...",
//!                                            "training_files": [ { "sha256": "...", "rows": 3000 } ],
//!                                            "trained_at": "2024-04-30T09:00:00Z" | null, "file_modified": "2024-04-30T09:00:00Z" | null },
//!                          "inputs": [ { "path": "s.csv", "bytes": 1234 | null, "sha256": "..." | null } ] }
//! }
//!
//! TopicStats = { "topic": "palestine",
//!                "statements": 40, "share": 0.33,   // of all statements, or of the breakdown key's
//!                "articles": 9,                     // distinct article ids
//!                "stances": [ { "label": "favor", "count": 10, "share": 0.25 }, ... ],
//!                                                   // one entry per stance_labels entry, same order
//!                "net_stance": -0.1 | null,         // (favor - against) / statements; null without favor/against roles (and topic-only)
//!                "mean_topic_prob": 0.81,
//!                "mean_stance_prob": 0.7 | null,    // null when no statement has a stance
//!                "below_threshold": 4 }             // topic_prob < min_confidence, or "uncertain"
//! ```
//!
//! In `stance_over_time`, a point's `share` is the topic's share of that
//! period's statements (of that source); periods without statements of the
//! topic are left out. `examples` has one cell per (topic, stance) with
//! statements, `uncertain` excluded, at most `examples_per_cell` statements each.
//!
//! Missing sources and dates appear as the key `"(none)"`. `timeline` and
//! `sources` entries list every topic of `topics` (zero counts included);
//! `breakdown` has rows only for (key, topic) pairs with statements.

use serde::Serialize;

use super::provenance::Provenance;
use crate::io::RowProblem;
use crate::model::StanceRoles;

/// The schema identifier written into every JSON report.
pub const SCHEMA: &str = "stance-report/1";

/// A finished report: per-topic statistics, breakdowns, chart data, problems.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The settings the report was computed with.
    pub settings: Settings,
    /// Row and article counts.
    pub totals: Totals,
    /// Every stance label, in table order: the roles' labels first; empty
    /// when no statement has a stance (a topic-only model: see [`Report::topic_only`]).
    pub stance_labels: Vec<String>,
    /// Which stance labels the net stance and the favor/against/neutral
    /// columns count: the model's (`--model`, `score --report`), else found
    /// by name in the data.
    pub stance_roles: StanceRoles,
    /// One entry per topic, by statements descending, `uncertain` last.
    pub topics: Vec<TopicStats>,
    /// The `--by` breakdown, if any.
    pub breakdown: Option<Breakdown>,
    /// Topic counts per month (dated statements only), in date order.
    pub timeline: Vec<PeriodCounts>,
    /// Topic counts per source, by statements descending, `(none)` last.
    pub sources: Vec<SourceCounts>,
    /// Highest-weighted model terms, when asked for.
    pub top_terms: Vec<TermList>,
    /// Rejected rows.
    pub problems: Problems,
    /// Counts and net stance per topic and period, overall and per source.
    pub stance_over_time: StanceOverTime,
    /// The most confident statements per topic and stance.
    pub examples: Vec<ExampleCell>,
    /// What produced the report; `None` (JSON `null`) when the caller gave nothing.
    pub provenance: Option<Provenance>,
}

/// Settings echoed into the report.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Breakdown dimensions (`source`, `date`, `article`), in key order.
    pub by: Vec<&'static str>,
    /// Date bucketing for a `date` breakdown.
    pub period: &'static str,
    /// The low-confidence threshold for `topic_prob`.
    pub min_confidence: f64,
}

/// Row and article counts.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    /// Rows seen: used plus rejected.
    pub rows_read: u64,
    /// Rows aggregated into the statistics.
    pub rows_used: u64,
    /// Rows rejected (see `problems`).
    pub rows_rejected: u64,
    /// Distinct article ids among used rows.
    pub articles: u64,
    /// Used rows without a date.
    pub undated_statements: u64,
}

/// Statistics of one topic, overall or within one breakdown key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicStats {
    /// The topic (`uncertain` for low-confidence statements).
    pub topic: String,
    /// Statements with this topic.
    pub statements: u64,
    /// `statements` over all statements (overall) or over the key's statements (breakdown).
    pub share: f64,
    /// Distinct articles with at least one such statement.
    pub articles: u64,
    /// Count and share of each stance label, in `Report::stance_labels` order.
    pub stances: Vec<StanceCount>,
    /// (favor - against) / statements, in [-1, 1], over the stance roles'
    /// favor and against labels; `None` (JSON `null`) when the labels have no favor/against.
    pub net_stance: Option<f64>,
    /// Mean `topic_prob`.
    pub mean_topic_prob: f64,
    /// Mean `stance_prob` over statements with a stance; `None` if there are none.
    pub mean_stance_prob: Option<f64>,
    /// Statements with `topic_prob` below the threshold (all of `uncertain`).
    pub below_threshold: u64,
}

impl Report {
    /// Whether no statement has a stance (a topic-only model): renderers then
    /// show topics only, with no stance columns, net stance or stance charts.
    pub fn topic_only(&self) -> bool {
        self.stance_labels.is_empty()
    }
}

impl TopicStats {
    /// The count of one stance label (0 if absent).
    pub fn stance_count(&self, label: &str) -> u64 {
        self.stances
            .iter()
            .find(|s| s.label == label)
            .map_or(0, |s| s.count)
    }
}

/// How many statements of a group have one stance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StanceCount {
    /// The stance label.
    pub label: String,
    /// Statements with it.
    pub count: u64,
    /// `count` over the group's statements.
    pub share: f64,
}

/// Statistics per (key..., topic).
#[derive(Debug, Clone, Serialize)]
pub struct Breakdown {
    /// Dimension names, one per key component.
    pub dimensions: Vec<&'static str>,
    /// Rows ordered by key (`(none)` last), then topic in `Report::topics` order.
    pub rows: Vec<BreakdownRow>,
}

/// One (key..., topic) row of a breakdown.
#[derive(Debug, Clone, Serialize)]
pub struct BreakdownRow {
    /// One value per dimension, e.g. `["wire", "2024-01"]`.
    pub key: Vec<String>,
    /// Statistics; `share` is relative to the key's statements.
    #[serde(flatten)]
    pub stats: TopicStats,
}

/// Statements of one topic within a period or source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicCount {
    /// The topic.
    pub topic: String,
    /// Statements.
    pub statements: u64,
}

/// Topic counts within one month.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodCounts {
    /// `YYYY-MM`.
    pub period: String,
    /// All statements of the month.
    pub statements: u64,
    /// Every topic of the report, in `Report::topics` order.
    pub topics: Vec<TopicCount>,
}

/// Topic counts within one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceCounts {
    /// The source, or `(none)`.
    pub source: String,
    /// All statements of the source.
    pub statements: u64,
    /// Every topic of the report, in `Report::topics` order.
    pub topics: Vec<TopicCount>,
}

/// Stance per topic and period (dated statements only).
#[derive(Debug, Clone, Serialize)]
pub struct StanceOverTime {
    /// How dates are grouped: `day`, `week` or `month` (the report's period).
    pub period: &'static str,
    /// Whether per-source series are included (a `source` breakdown was asked for).
    pub by_source: bool,
    /// Per topic (in `Report::topics` order): the series over all sources
    /// first, then one per source (by statements descending, `(none)` last).
    pub series: Vec<StanceSeries>,
}

/// One topic's stance per period, over all sources or within one.
#[derive(Debug, Clone, Serialize)]
pub struct StanceSeries {
    /// The topic.
    pub topic: String,
    /// The source, or `None` (JSON `null`) for all sources together.
    pub source: Option<String>,
    /// Periods with statements of this topic (and source), in date order.
    pub points: Vec<SeriesPoint>,
}

/// One period of a [`StanceSeries`].
#[derive(Debug, Clone, Serialize)]
pub struct SeriesPoint {
    /// `2024-01`, `2024-W03` or `2024-01-15`.
    pub period: String,
    /// Statistics; `share` is the topic's share of the period's statements
    /// (of the series' source).
    #[serde(flatten)]
    pub stats: TopicStats,
}

/// The most confident statements of one topic and stance.
#[derive(Debug, Clone, Serialize)]
pub struct ExampleCell {
    /// The topic.
    pub topic: String,
    /// The stance label; `None` (JSON `null`) for statements without one.
    pub stance: Option<String>,
    /// Most confident first: by `topic_prob * stance_prob`, then article id and sentence.
    pub statements: Vec<Example>,
}

/// One example statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    /// Its article.
    pub article_id: String,
    /// 1-based sentence index in the article.
    pub sentence: usize,
    /// The article's source, if any.
    pub source: Option<String>,
    /// The article's date as given, if any.
    pub date: Option<String>,
    /// The statement's text.
    pub text: String,
    /// Probability of its topic.
    pub topic_prob: f64,
    /// Probability of its stance, if it has one.
    pub stance_prob: Option<f64>,
}

impl Example {
    /// The confidence examples are ranked by: `topic_prob * stance_prob`
    /// (`topic_prob` alone without a stance).
    pub fn confidence(&self) -> f64 {
        self.topic_prob * self.stance_prob.unwrap_or(1.0)
    }
}

/// The highest-weighted terms of one label of one model head.
#[derive(Debug, Clone, Serialize)]
pub struct TermList {
    /// `topic` or `stance:<topic>`.
    pub head: String,
    /// A topic or stance label.
    pub label: String,
    /// Terms, largest weight first.
    pub terms: Vec<Term>,
}

/// A term and its model weight.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    /// The term as people wrote it most often in the training data (or the
    /// stem, for a model without surface forms).
    pub term: String,
    /// The term as the model stores it (a stem or n-gram), when it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stem: Option<String>,
    /// Its weight in the model.
    pub weight: f64,
}

/// Rejected rows: all counted, the first few listed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Problems {
    /// All rejected rows.
    pub count: u64,
    /// Rejected rows beyond the listing limit.
    pub not_listed: u64,
    /// The first rejected rows, in input order.
    pub listed: Vec<ProblemEntry>,
}

/// One rejected row as listed in the report.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemEntry {
    /// The input file (`-` for stdin), if known.
    pub file: Option<String>,
    /// 1-based line, if known.
    pub line: Option<u64>,
    /// The row's article id, if it could be read.
    pub article_id: Option<String>,
    /// The row's sentence index, if it could be read.
    pub sentence: Option<usize>,
    /// Stable short code, e.g. `bad_value`, `unknown_topic`.
    pub code: &'static str,
    /// Human-readable reason.
    pub message: String,
}

impl From<&RowProblem> for ProblemEntry {
    fn from(p: &RowProblem) -> Self {
        ProblemEntry {
            file: p.location.as_ref().map(|l| l.file.clone()),
            line: p.location.as_ref().and_then(|l| l.line),
            article_id: p.article_id.clone(),
            sentence: p.sentence,
            code: p.kind.code(),
            message: p.kind.to_string(),
        }
    }
}

impl ProblemEntry {
    /// `file:line` or `-` when unknown.
    pub fn place(&self) -> String {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => format!("{f}:{l}"),
            (Some(f), None) => f.clone(),
            _ => "-".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::Position;
    use crate::io::ProblemKind;

    #[test]
    fn problem_entry_keeps_place_and_code() {
        let p = RowProblem::at(
            Position {
                file: "a.csv".into(),
                line: Some(3),
            },
            ProblemKind::NotUtf8,
        );
        let e = ProblemEntry::from(&p);
        assert_eq!(e.place(), "a.csv:3");
        assert_eq!(e.code, "not_utf8");
        assert_eq!(e.message, "not valid UTF-8");
    }

    #[test]
    fn breakdown_row_flattens_stats_in_json() {
        let row = BreakdownRow {
            key: vec!["wire".into()],
            stats: TopicStats {
                topic: "t".into(),
                statements: 1,
                share: 1.0,
                articles: 1,
                stances: vec![],
                net_stance: None,
                mean_topic_prob: 0.5,
                mean_stance_prob: None,
                below_threshold: 0,
            },
        };
        let v = serde_json::to_value(&row).unwrap();
        assert_eq!(v["key"][0], "wire");
        assert_eq!(v["topic"], "t");
        assert!(v["mean_stance_prob"].is_null());
    }
}
