//! Aggregates scored rows one at a time into a [`Report`].

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use super::document::{
    Breakdown, BreakdownRow, PeriodCounts, ProblemEntry, Problems, Report, SeriesPoint, Settings,
    SourceCounts, StanceOverTime, StanceSeries, Term, TermList, TopicCount, Totals, SCHEMA,
};
use super::examples::ExampleKeeper;
use super::options::{Dimension, OptionsError, ReportOptions, NONE_KEY};
use super::period::{Date, Period};
use super::stats::{roles_of_data, StanceIndex, Tally, NO_STANCE};
use crate::io::Position;
use crate::io::{Expected, ProblemKind, RowProblem, Statement, UNCERTAIN};

/// Streams rows into per-topic statistics; `finish` yields the [`Report`].
///
/// Memory grows with the number of topics, breakdown keys and distinct
/// articles, never with the number of rows.
///
/// ```
/// use stance::io::Statement;
/// use stance::report::{ReportBuilder, ReportOptions};
///
/// let mut builder = ReportBuilder::new(ReportOptions::default())?;
/// let mut statement = Statement::default();
/// statement.article_id = "a1".into();
/// statement.sentence = 1;
/// statement.topic = "palestine".into();
/// statement.topic_prob = 0.9;
/// statement.stance = Some("favor".into());
/// statement.stance_prob = Some(0.8);
/// builder.add(&statement).expect("a valid statement");
/// let report = builder.finish();
/// assert_eq!(report.topics[0].statements, 1);
/// # Ok::<(), stance::report::OptionsError>(())
/// ```
#[derive(Debug)]
pub struct ReportBuilder {
    options: ReportOptions,
    // Note: article ids, topics and stances are interned once; the per-group
    // state is then plain counters indexed by topic id, so even a breakdown
    // by article stays small.
    articles: HashMap<String, u32>,
    topics: HashMap<String, usize>,
    topic_names: Vec<String>,
    stances: StanceIndex,
    overall: Vec<Tally>,
    groups: BTreeMap<Vec<String>, Vec<(usize, Tally)>>,
    months: BTreeMap<String, Vec<u64>>,
    sources: BTreeMap<String, Vec<u64>>,
    rows_used: u64,
    undated: u64,
    problem_count: u64,
    problems: Vec<RowProblem>,
    unknown_topics: BTreeMap<String, u64>,
    // Note: keyed by (source, period), `None` for all sources together; the
    // same `Tally` as the breakdown, so a point's net stance is computed
    // exactly as a table row's.
    series: BTreeMap<SeriesKey, Vec<(usize, Tally)>>,
    examples: ExampleKeeper,
}

/// A stance-over-time series point's key: (source or `None` for all, period).
type SeriesKey = (Option<String>, String);

/// Adds one to `counts[i]`, growing `counts` as needed.
fn bump(counts: &mut Vec<u64>, i: usize) {
    if counts.len() <= i {
        counts.resize(i + 1, 0);
    }
    counts[i] += 1;
}

impl ReportBuilder {
    /// A builder for checked options.
    pub fn new(options: ReportOptions) -> Result<ReportBuilder, OptionsError> {
        options.check()?;
        Ok(ReportBuilder {
            articles: HashMap::new(),
            topics: HashMap::new(),
            topic_names: Vec::new(),
            stances: StanceIndex::default(),
            overall: Vec::new(),
            groups: BTreeMap::new(),
            months: BTreeMap::new(),
            sources: BTreeMap::new(),
            rows_used: 0,
            undated: 0,
            problem_count: 0,
            problems: Vec::new(),
            unknown_topics: BTreeMap::new(),
            series: BTreeMap::new(),
            examples: ExampleKeeper::new(options.examples_per_cell),
            options,
        })
    }

    /// Adds one statement, or rejects it when a value is out of range (a
    /// probability, a date, an empty label).
    ///
    /// A rejected row is already recorded in the report's problems; the
    /// returned copy is for the caller to show (e.g. on stderr).
    pub fn add(&mut self, row: &Statement) -> Result<(), RowProblem> {
        self.add_from(row, None)
    }

    /// Like [`add`](Self::add), for a row read at a known file and line.
    pub fn add_at(&mut self, row: &Statement, at: Position) -> Result<(), RowProblem> {
        self.add_from(row, Some(at))
    }

    /// Records a row that could not even be parsed (it counts as rejected).
    pub fn add_problem(&mut self, problem: RowProblem) {
        self.problem_count += 1;
        if self.problems.len() < self.options.max_listed_problems {
            self.problems.push(problem);
        }
    }

    /// Rows rejected so far.
    pub fn rejected(&self) -> u64 {
        self.problem_count
    }

    /// Topics of rejected rows that are not among `known_topics`, with their
    /// row counts: statements scored with another model show up here once
    /// per topic, however many rows they have.
    pub fn unknown_topics(&self) -> &BTreeMap<String, u64> {
        &self.unknown_topics
    }

    /// [`unknown_topics`](Self::unknown_topics) in one line, `None` when there
    /// are none: their row count and `topic (rows), ...`, for the one error
    /// that says the statements were scored with another model.
    pub fn unknown_topic_summary(&self) -> Option<(u64, String)> {
        if self.unknown_topics.is_empty() {
            return None;
        }
        let rows = self.unknown_topics.values().sum();
        let labels: Vec<String> = self
            .unknown_topics
            .iter()
            .map(|(t, n)| format!("{t} ({n})"))
            .collect();
        Some((rows, labels.join(", ")))
    }

    fn add_from(&mut self, row: &Statement, location: Option<Position>) -> Result<(), RowProblem> {
        let checked = check(row).and_then(|date| match &self.options.known_topics {
            Some(known) if row.topic != UNCERTAIN && !known.contains(&row.topic) => {
                Err(ProblemKind::UnknownTopic(row.topic.clone()))
            }
            _ => Ok(date),
        });
        let date = match checked {
            Ok(date) => date,
            Err(kind) => {
                if let ProblemKind::UnknownTopic(topic) = &kind {
                    *self.unknown_topics.entry(topic.clone()).or_default() += 1;
                }
                let problem = RowProblem {
                    location,
                    article_id: Some(row.article_id.clone()),
                    sentence: Some(row.sentence),
                    kind,
                };
                self.add_problem(problem.clone());
                return Err(problem);
            }
        };

        let article = match self.articles.get(&row.article_id) {
            Some(id) => *id,
            None => {
                // Note: u32 ids cap a report at 4 billion articles; past that, ids are
                // shared, which only makes article counts too low.
                let id = u32::try_from(self.articles.len()).unwrap_or(u32::MAX);
                self.articles.insert(row.article_id.clone(), id);
                id
            }
        };
        let topic = match self.topics.get(&row.topic) {
            Some(id) => *id,
            None => {
                let id = self.topic_names.len();
                self.topics.insert(row.topic.clone(), id);
                self.topic_names.push(row.topic.clone());
                self.overall.push(Tally::default());
                id
            }
        };
        let below = row.topic == UNCERTAIN || row.topic_prob < self.options.min_confidence;
        let stance_prob = row.stance.as_ref().and(row.stance_prob);
        let stance = (
            self.stances.id(row.stance.as_deref().unwrap_or_default()),
            stance_prob,
        );

        self.overall[topic].add(article, stance, row.topic_prob, below);
        if !self.options.breakdown.is_empty() {
            let period = self.options.period;
            let key = self
                .options
                .breakdown
                .iter()
                .map(|d| match d {
                    Dimension::Source => row.source.clone().unwrap_or_else(|| NONE_KEY.into()),
                    Dimension::Date => {
                        date.map_or_else(|| NONE_KEY.to_string(), |d| d.bucket(period))
                    }
                    Dimension::Article => row.article_id.clone(),
                })
                .collect::<Vec<_>>();
            let group = self.groups.entry(key).or_default();
            let index = match group.iter().position(|(t, _)| *t == topic) {
                Some(i) => i,
                None => {
                    group.push((topic, Tally::default()));
                    group.len() - 1
                }
            };
            group[index].1.add(article, stance, row.topic_prob, below);
        }
        match date {
            Some(d) => {
                bump(
                    self.months.entry(d.bucket(Period::Month)).or_default(),
                    topic,
                );
                let period = d.bucket(self.options.period);
                let by_source = self.options.breakdown.contains(&Dimension::Source);
                let source = row.source.clone().unwrap_or_else(|| NONE_KEY.into());
                let keys = [Some(None), by_source.then_some(Some(source))];
                for key in keys.into_iter().flatten() {
                    let group = self.series.entry((key, period.clone())).or_default();
                    let index = match group.iter().position(|(t, _)| *t == topic) {
                        Some(i) => i,
                        None => {
                            group.push((topic, Tally::default()));
                            group.len() - 1
                        }
                    };
                    group[index].1.add(article, stance, row.topic_prob, below);
                }
            }
            None => self.undated += 1,
        }
        if row.topic != UNCERTAIN {
            self.examples.offer(topic, stance.0, row);
        }
        let source = row.source.as_deref().unwrap_or(NONE_KEY);
        match self.sources.get_mut(source) {
            Some(counts) => bump(counts, topic),
            None => {
                let mut counts = Vec::new();
                bump(&mut counts, topic);
                self.sources.insert(source.to_string(), counts);
            }
        }
        self.rows_used += 1;
        Ok(())
    }

    /// The finished report.
    pub fn finish(self) -> Report {
        let roles = match &self.options.stance_roles {
            Some(roles) => roles.clone(),
            None => roles_of_data(self.stances.seen()),
        };
        let labels = self.stances.ordered(&roles);
        let total = self.rows_used;
        let names = &self.topic_names;

        // Topic ids in report order: statements descending, name, `uncertain` last.
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|&a, &b| {
            (names[a] == UNCERTAIN)
                .cmp(&(names[b] == UNCERTAIN))
                .then(
                    self.overall[b]
                        .statements()
                        .cmp(&self.overall[a].statements()),
                )
                .then(names[a].cmp(&names[b]))
        });
        let mut rank = vec![0; names.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id] = r;
        }
        let topics = order
            .iter()
            .map(|&id| self.overall[id].stats(&names[id], total, &labels, &roles))
            .collect::<Vec<_>>();
        let counts = |c: &Vec<u64>| -> Vec<TopicCount> {
            order
                .iter()
                .map(|&id| TopicCount {
                    topic: names[id].clone(),
                    statements: c.get(id).copied().unwrap_or(0),
                })
                .collect()
        };

        let breakdown = (!self.options.breakdown.is_empty()).then(|| {
            let mut keys: Vec<&Vec<String>> = self.groups.keys().collect();
            keys.sort_by(|a, b| compare_keys(a, b));
            let mut rows = Vec::new();
            for key in keys {
                let Some(group) = self.groups.get(key) else {
                    continue;
                };
                let key_total: u64 = group.iter().map(|(_, t)| t.statements()).sum();
                let mut in_group: Vec<&(usize, Tally)> = group.iter().collect();
                in_group.sort_by_key(|(id, _)| rank[*id]);
                rows.extend(in_group.into_iter().map(|(id, tally)| BreakdownRow {
                    key: key.clone(),
                    stats: tally.stats(&names[*id], key_total, &labels, &roles),
                }));
            }
            Breakdown {
                dimensions: self.options.breakdown.iter().map(|d| d.name()).collect(),
                rows,
            }
        });

        let timeline = self
            .months
            .iter()
            .map(|(period, c)| PeriodCounts {
                period: period.clone(),
                statements: c.iter().sum(),
                topics: counts(c),
            })
            .collect();
        let mut sources: Vec<SourceCounts> = self
            .sources
            .iter()
            .map(|(source, c)| SourceCounts {
                source: source.clone(),
                statements: c.iter().sum(),
                topics: counts(c),
            })
            .collect();
        sources.sort_by(|a, b| {
            (a.source == NONE_KEY)
                .cmp(&(b.source == NONE_KEY))
                .then(b.statements.cmp(&a.statements))
                .then(a.source.cmp(&b.source))
        });

        let by_source = self.options.breakdown.contains(&Dimension::Source);
        let mut series_keys: Vec<Option<&str>> = vec![None];
        if by_source {
            series_keys.extend(sources.iter().map(|s| Some(s.source.as_str())));
        }
        let mut series = Vec::new();
        for &id in &order {
            for source in &series_keys {
                let points: Vec<SeriesPoint> = self
                    .series
                    .iter()
                    .filter(|((s, _), _)| s.as_deref() == *source)
                    .filter_map(|((_, period), group)| {
                        let tally = group.iter().find(|(t, _)| *t == id)?;
                        let period_total = group.iter().map(|(_, t)| t.statements()).sum();
                        Some(SeriesPoint {
                            period: period.clone(),
                            stats: tally.1.stats(&names[id], period_total, &labels, &roles),
                        })
                    })
                    .collect();
                if !points.is_empty() {
                    series.push(StanceSeries {
                        topic: names[id].clone(),
                        source: source.map(str::to_string),
                        points,
                    });
                }
            }
        }
        let stance_over_time = StanceOverTime {
            period: self.options.period.name(),
            by_source,
            series,
        };
        let example_topics: Vec<(usize, &str)> =
            order.iter().map(|&id| (id, names[id].as_str())).collect();
        let example_stances: Vec<(usize, Option<String>)> = labels
            .iter()
            .filter_map(|(label, id)| Some(((*id)?, label)))
            .map(|(id, label)| (id, (label != NO_STANCE).then(|| label.clone())))
            .collect();
        let example_stances = if labels.is_empty() {
            // Note: topic-only: every statement has the empty stance.
            self.stances
                .seen()
                .iter()
                .enumerate()
                .map(|(id, _)| (id, None))
                .collect()
        } else {
            example_stances
        };
        let examples = self.examples.finish(&example_topics, &example_stances);

        let top_terms = self
            .options
            .top_terms
            .into_iter()
            .map(|t| TermList {
                head: t.head,
                label: t.label,
                terms: t
                    .terms
                    .into_iter()
                    .zip(t.stems.into_iter().map(Some).chain(std::iter::repeat(None)))
                    .map(|((term, weight), stem)| Term {
                        stem: stem.filter(|s| *s != term),
                        term,
                        weight,
                    })
                    .collect(),
            })
            .collect();

        Report {
            schema: SCHEMA,
            settings: Settings {
                by: self.options.breakdown.iter().map(|d| d.name()).collect(),
                period: self.options.period.name(),
                min_confidence: self.options.min_confidence,
            },
            totals: Totals {
                rows_read: self.rows_used + self.problem_count,
                rows_used: self.rows_used,
                rows_rejected: self.problem_count,
                articles: self.articles.len() as u64,
                undated_statements: self.undated,
            },
            stance_labels: labels.into_iter().map(|(label, _)| label).collect(),
            stance_roles: roles,
            topics,
            breakdown,
            timeline,
            sources,
            top_terms,
            problems: Problems {
                count: self.problem_count,
                not_listed: self
                    .problem_count
                    .saturating_sub(self.problems.len() as u64),
                listed: self.problems.iter().map(ProblemEntry::from).collect(),
            },
            stance_over_time,
            examples,
            provenance: self.options.provenance,
        }
    }
}

/// Checks the values of a statement that parsing alone can't: ranges, dates, empty labels.
///
/// Returns the parsed date so callers don't parse it twice.
pub(crate) fn check(row: &Statement) -> Result<Option<Date>, ProblemKind> {
    let bad = |field: &'static str, value: String, expected| ProblemKind::BadValue {
        field,
        value: value.into(),
        expected,
    };
    if row.article_id.trim().is_empty() {
        return Err(bad(
            "article_id",
            row.article_id.clone(),
            Expected::NonEmpty,
        ));
    }
    if row.topic.trim().is_empty() {
        return Err(bad("topic", row.topic.clone(), Expected::NonEmpty));
    }
    if row.sentence == 0 {
        return Err(bad("sentence", "0".into(), Expected::FromOne));
    }
    if row.start > row.end {
        return Err(ProblemKind::EndBeforeStart {
            start: row.start,
            end: row.end,
        });
    }
    let prob = |field: &'static str, p: f64| {
        if (0.0..=1.0).contains(&p) {
            Ok(())
        } else {
            Err(bad(field, p.to_string(), Expected::Probability))
        }
    };
    prob("topic_prob", row.topic_prob)?;
    if let (Some(_), Some(p)) = (&row.stance, row.stance_prob) {
        prob("stance_prob", p)?;
    }
    if let Some(m) = row.min_confidence {
        prob("min_confidence", m)?;
    }
    // Note: one rule for dates everywhere: `score` carries an article's date
    // through as it was given, and anything but a real `YYYY-MM-DD` date
    // (2024-02-30, 2024-1-5, 99999-01-01, a JSON number) counts as no date
    // here, so every row `score` writes is accepted and `score --report`
    // agrees with `report`. Such rows are counted as undated.
    Ok(row.date.as_deref().and_then(Date::parse))
}

/// Component-wise key order with `(none)` after every real value.
fn compare_keys(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = (x == NONE_KEY).cmp(&(y == NONE_KEY)).then_with(|| x.cmp(y));
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::document::TopicStats;

    /// A valid row for tests.
    pub(crate) fn row(
        article: &str,
        topic: &str,
        prob: f64,
        stance: &str,
        date: Option<&str>,
        source: Option<&str>,
    ) -> Statement {
        Statement {
            article_id: article.into(),
            sentence: 1,
            start: 0,
            end: 5,
            text: "text".into(),
            topic: topic.into(),
            topic_prob: prob,
            stance: (!stance.is_empty()).then(|| stance.into()),
            stance_prob: (!stance.is_empty()).then_some(0.8),
            date: date.map(Into::into),
            source: source.map(Into::into),
            best_topic: topic.into(),
            min_confidence: Some(0.5),
            ..Statement::default()
        }
    }

    /// A small report with two sources, two months and one uncertain row.
    pub(crate) fn corpus() -> Vec<Statement> {
        vec![
            row(
                "a1",
                "palestine",
                0.9,
                "favor",
                Some("2024-01-03"),
                Some("wire"),
            ),
            row(
                "a1",
                "palestine",
                0.8,
                "against",
                Some("2024-01-03"),
                Some("wire"),
            ),
            row(
                "a1",
                "palestine",
                0.4,
                "favor",
                Some("2024-01-03"),
                Some("wire"),
            ),
            row(
                "a2",
                "bilateral_ties",
                0.7,
                "neutral",
                Some("2024-02-10"),
                Some("tv"),
            ),
            row(
                "a2",
                "uncertain",
                0.3,
                "neutral",
                Some("2024-02-10"),
                Some("tv"),
            ),
            row("a3", "palestine", 0.95, "favor", None, None),
        ]
    }

    fn build(options: ReportOptions, rows: &[Statement]) -> Report {
        let mut b = ReportBuilder::new(options).unwrap();
        for r in rows {
            let _ = b.add(r);
        }
        b.finish()
    }

    fn topic<'a>(r: &'a Report, name: &str) -> &'a TopicStats {
        r.topics.iter().find(|t| t.topic == name).unwrap()
    }

    #[test]
    fn overall_statistics() {
        let r = build(ReportOptions::default(), &corpus());
        let names: Vec<_> = r.topics.iter().map(|t| t.topic.as_str()).collect();
        assert_eq!(names, ["palestine", "bilateral_ties", "uncertain"]);
        let p = topic(&r, "palestine");
        assert_eq!(p.statements, 4);
        assert!((p.share - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(p.articles, 2);
        assert_eq!(p.stance_count("favor"), 3);
        assert_eq!(p.net_stance, Some(0.5));
        assert_eq!(p.below_threshold, 1);
        assert_eq!(topic(&r, "uncertain").below_threshold, 1);
        assert_eq!(r.totals.articles, 3);
        assert_eq!(r.totals.undated_statements, 1);
        assert_eq!(r.totals.rows_read, 6);
        assert!(r.breakdown.is_none());
    }

    #[test]
    fn uncertain_is_below_threshold_whatever_its_probability() {
        let rows = [row("a", "uncertain", 0.9, "", None, None)];
        let r = build(ReportOptions::default(), &rows);
        assert_eq!(r.topics[0].below_threshold, 1);
        // Note: no statement has a stance, so the report is topic-only.
        assert!(r.stance_labels.is_empty() && r.topics[0].stances.is_empty());
    }

    #[test]
    fn combined_breakdown_by_source_and_week() {
        let options = ReportOptions {
            breakdown: vec![Dimension::Source, Dimension::Date],
            period: Period::Week,
            ..Default::default()
        };
        let r = build(options, &corpus());
        let b = r.breakdown.unwrap();
        assert_eq!(b.dimensions, ["source", "date"]);
        let keys: Vec<String> = b
            .rows
            .iter()
            .map(|row| format!("{}|{}", row.key.join("/"), row.stats.topic))
            .collect();
        assert_eq!(
            keys,
            [
                "tv/2024-W06|bilateral_ties",
                "tv/2024-W06|uncertain",
                "wire/2024-W01|palestine",
                "(none)/(none)|palestine",
            ]
        );
        assert_eq!(b.rows[0].stats.share, 0.5);
        assert_eq!(b.rows[2].stats.statements, 3);
    }

    #[test]
    fn timeline_and_sources_feed_the_charts() {
        let r = build(ReportOptions::default(), &corpus());
        let periods: Vec<_> = r.timeline.iter().map(|p| p.period.as_str()).collect();
        assert_eq!(periods, ["2024-01", "2024-02"]);
        assert_eq!(r.timeline[0].topics[0].statements, 3);
        assert_eq!(r.timeline[1].topics.len(), 3);
        let sources: Vec<_> = r.sources.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(sources, ["wire", "tv", "(none)"]);
    }

    #[test]
    fn rejected_rows_are_counted_listed_and_located() {
        let options = ReportOptions {
            known_topics: Some(["palestine".to_string()].into_iter().collect()),
            max_listed_problems: 1,
            ..Default::default()
        };
        let mut b = ReportBuilder::new(options).unwrap();
        let at = |line| Position {
            file: "in.csv".into(),
            line: Some(line),
        };
        assert!(b
            .add_at(&row("a", "palestine", 0.9, "favor", None, None), at(2))
            .is_ok());
        assert!(b
            .add_at(&row("a", "uncertain", 0.1, "favor", None, None), at(3))
            .is_ok());
        let err = b
            .add_at(&row("a", "sports", 0.9, "favor", None, None), at(4))
            .unwrap_err();
        assert_eq!(err.to_string(), "in.csv:4: article \"a\" sentence 1: unknown topic \"sports\": not one of the model's topics");
        let mut bad = row("a", "palestine", 0.9, "favor", None, None);
        bad.topic_prob = 7.0;
        assert!(b.add(&bad).is_err());
        let r = b.finish();
        assert_eq!(r.totals.rows_used, 2);
        assert_eq!(r.totals.rows_rejected, 2);
        assert_eq!(r.problems.count, 2);
        assert_eq!(r.problems.listed.len(), 1);
        assert_eq!(r.problems.not_listed, 1);
        assert_eq!(r.problems.listed[0].place(), "in.csv:4");
    }

    #[test]
    fn empty_input_gives_an_empty_report() {
        let r = build(ReportOptions::default(), &[]);
        assert!(r.topics.is_empty());
        assert_eq!(r.totals.rows_read, 0);
    }

    #[test]
    fn check_rejects_out_of_range_values() {
        let ok = Statement {
            article_id: "a".into(),
            sentence: 1,
            topic: "other".into(),
            topic_prob: 0.5,
            stance: Some("neutral".into()),
            stance_prob: Some(1.0),
            date: Some("2024-02-29".into()),
            ..Statement::default()
        };
        assert!(check(&ok).unwrap().is_some());
        let cases = [
            Statement {
                topic_prob: 1.5,
                ..ok.clone()
            },
            Statement {
                topic_prob: f64::NAN,
                ..ok.clone()
            },
            Statement {
                stance_prob: Some(-0.1),
                ..ok.clone()
            },
            Statement {
                topic: " ".into(),
                ..ok.clone()
            },
            Statement {
                sentence: 0,
                ..ok.clone()
            },
            Statement {
                start: 5,
                end: 2,
                ..ok.clone()
            },
            Statement {
                min_confidence: Some(2.0),
                ..ok.clone()
            },
        ];
        for c in cases {
            assert!(check(&c).is_err(), "{c:?}");
        }
        for date in ["2024-02-30", "2024-1-5", "99999-01-01", "20240105", "soon"] {
            let c = Statement {
                date: Some(date.into()),
                ..ok.clone()
            };
            assert_eq!(check(&c), Ok(None), "{date} is no date");
        }
        let topic_only = Statement {
            stance: None,
            stance_prob: Some(f64::NAN),
            ..ok
        };
        assert!(check(&topic_only).is_ok());
    }

    #[test]
    fn none_keys_sort_last() {
        let a = vec!["(none)".to_string()];
        let b = vec!["zzz".to_string()];
        assert_eq!(compare_keys(&a, &b), Ordering::Greater);
    }
}
