//! Running tallies of one group of statements, and the statistics they yield.

use std::collections::{HashMap, HashSet};

use super::document::{StanceCount, TopicStats};

/// The stance labels every table shows, in this order, even when unused.
pub const CORE_STANCES: [&str; 3] = ["favor", "against", "neutral"];

/// The stance label shown for statements with an empty stance (topic-only models).
pub const NO_STANCE: &str = "(none)";

/// Numbers the stance labels seen, so each tally stores counts, not strings.
#[derive(Debug, Default, Clone)]
pub struct StanceIndex {
    ids: HashMap<String, usize>,
    names: Vec<String>,
}

impl StanceIndex {
    /// The id of a label; an empty stance is [`NO_STANCE`].
    pub fn id(&mut self, stance: &str) -> usize {
        let label = if stance.is_empty() { NO_STANCE } else { stance };
        if let Some(id) = self.ids.get(label) {
            return *id;
        }
        let id = self.names.len();
        self.ids.insert(label.to_string(), id);
        self.names.push(label.to_string());
        id
    }

    /// Labels in table order (see [`order_stance_labels`]) with their ids, if seen.
    pub fn ordered(&self) -> Vec<(String, Option<usize>)> {
        order_stance_labels(self.names.iter().map(String::as_str))
            .into_iter()
            .map(|label| {
                let id = self.ids.get(&label).copied();
                (label, id)
            })
            .collect()
    }
}

/// Sums over the statements of one group (a topic, or a topic within a breakdown key).
#[derive(Debug, Default, Clone)]
pub struct Tally {
    statements: u64,
    // Note: indexed by `StanceIndex` id; labels are interned once per report
    // so a per-article breakdown doesn't hold one string map per group.
    stances: Vec<u64>,
    topic_prob_sum: f64,
    stance_prob_sum: f64,
    with_stance: u64,
    below_threshold: u64,
    // Note: article ids are interned to u32 by the builder; one set per group
    // is the only per-article state kept while streaming.
    articles: HashSet<u32>,
}

impl Tally {
    /// Adds one statement; `stance` is `None` for an empty stance (topic-only models).
    pub fn add(
        &mut self,
        article: u32,
        stance: (usize, Option<f64>),
        topic_prob: f64,
        below: bool,
    ) {
        let (id, stance_prob) = stance;
        self.statements += 1;
        self.topic_prob_sum += topic_prob;
        if self.stances.len() <= id {
            self.stances.resize(id + 1, 0);
        }
        self.stances[id] += 1;
        if let Some(p) = stance_prob {
            self.stance_prob_sum += p;
            self.with_stance += 1;
        }
        if below {
            self.below_threshold += 1;
        }
        self.articles.insert(article);
    }

    /// Statements added so far.
    pub fn statements(&self) -> u64 {
        self.statements
    }

    fn count(&self, id: Option<usize>) -> u64 {
        id.and_then(|i| self.stances.get(i)).copied().unwrap_or(0)
    }

    /// The statistics of this group.
    ///
    /// `total` is the number of statements `share` is relative to; `labels`
    /// (from [`StanceIndex::ordered`]) fixes which stances are listed and in
    /// what order.
    pub fn stats(&self, topic: &str, total: u64, labels: &[(String, Option<usize>)]) -> TopicStats {
        let n = self.statements;
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let by_label = |name: &str| {
            labels
                .iter()
                .find(|(l, _)| l == name)
                .map_or(0, |(_, id)| self.count(*id))
        };
        let favor = by_label(CORE_STANCES[0]) as f64;
        let against = by_label(CORE_STANCES[1]) as f64;
        TopicStats {
            topic: topic.to_string(),
            statements: n,
            share: ratio(n, total),
            articles: self.articles.len() as u64,
            stances: labels
                .iter()
                .map(|(label, id)| StanceCount {
                    label: label.clone(),
                    count: self.count(*id),
                    share: ratio(self.count(*id), n),
                })
                .collect(),
            net_stance: if n == 0 {
                0.0
            } else {
                (favor - against) / n as f64
            },
            mean_topic_prob: if n == 0 {
                0.0
            } else {
                self.topic_prob_sum / n as f64
            },
            mean_stance_prob: (self.with_stance > 0)
                .then(|| self.stance_prob_sum / self.with_stance as f64),
            below_threshold: self.below_threshold,
        }
    }
}

/// Orders stance labels: favor, against, neutral, then others alphabetically, `(none)` last.
///
/// Statements that all lack a stance (a topic-only model) have no stance
/// labels at all: the report then shows topics only.
pub fn order_stance_labels<'a>(seen: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut has_none = false;
    let mut has_stance = false;
    let mut extra: Vec<&str> = Vec::new();
    for label in seen {
        has_stance |= label != NO_STANCE;
        if label == NO_STANCE {
            has_none = true;
        } else if !CORE_STANCES.contains(&label) {
            extra.push(label);
        }
    }
    if has_none && !has_stance {
        return Vec::new();
    }
    extra.sort_unstable();
    extra.dedup();
    let mut out: Vec<String> = CORE_STANCES
        .iter()
        .chain(&extra)
        .map(|s| s.to_string())
        .collect();
    if has_none {
        out.push(NO_STANCE.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(t: &mut Tally, ix: &mut StanceIndex, article: u32, stance: &str, p: f64, below: bool) {
        let sp = (!stance.is_empty()).then_some(p);
        t.add(article, (ix.id(stance), sp), p, below);
    }

    #[test]
    fn stats_of_a_small_group() {
        let (mut t, mut ix) = (Tally::default(), StanceIndex::default());
        add(&mut t, &mut ix, 0, "favor", 0.9, false);
        add(&mut t, &mut ix, 0, "favor", 0.7, false);
        add(&mut t, &mut ix, 1, "against", 0.4, true);
        add(&mut t, &mut ix, 2, "neutral", 0.6, false);
        let s = t.stats("palestine", 8, &ix.ordered());
        assert_eq!(s.statements, 4);
        assert_eq!(s.share, 0.5);
        assert_eq!(s.articles, 3);
        assert_eq!(s.stances[0].label, "favor");
        assert_eq!(s.stances[0].count, 2);
        assert_eq!(s.stances[0].share, 0.5);
        assert_eq!(s.stances[1].count, 1);
        assert_eq!(s.net_stance, 0.25);
        assert!((s.mean_topic_prob - 0.65).abs() < 1e-12);
        assert!((s.mean_stance_prob.unwrap() - 0.65).abs() < 1e-12);
        assert_eq!(s.below_threshold, 1);
    }

    #[test]
    fn empty_stance_counts_as_none_and_has_no_mean() {
        let (mut t, mut ix) = (Tally::default(), StanceIndex::default());
        add(&mut t, &mut ix, 0, "", 0.9, false);
        let s = t.stats("other", 1, &ix.ordered());
        assert_eq!(s.mean_stance_prob, None);
        // Note: only statements without a stance: topic-only, no stance columns.
        assert!(s.stances.is_empty());
        let mut other = Tally::default();
        add(&mut other, &mut ix, 0, "favor", 0.9, false);
        let s = t.stats("other", 1, &ix.ordered());
        assert_eq!(s.stances.len(), 4);
        assert_eq!(s.stances[3].label, NO_STANCE);
        assert_eq!(s.stances[3].count, 1);
        assert_eq!(s.stances[0].count, 0);
        assert_eq!(s.net_stance, 0.0);
    }

    #[test]
    fn extra_labels_follow_core_ones() {
        assert_eq!(
            order_stance_labels(["support", "against", "(none)", "abstain", "support"]),
            ["favor", "against", "neutral", "abstain", "support", "(none)"]
        );
    }
}
