//! Running tallies of one group of statements, and the statistics they yield.

use std::collections::{HashMap, HashSet};

use super::document::{StanceCount, TopicStats};
use crate::model::StanceRoles;

/// The role names, as the labels of data whose roles are not given (see [`roles_of_data`]).
const CORE_STANCES: [&str; 3] = ["favor", "against", "neutral"];

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

    /// Every label seen (an empty stance as [`NO_STANCE`]), in the order first seen.
    pub fn seen(&self) -> &[String] {
        &self.names
    }

    /// Labels in table order (see [`order_stance_labels`]) with their ids, if seen.
    pub fn ordered(&self, roles: &StanceRoles) -> Vec<(String, Option<usize>)> {
        order_stance_labels(self.names.iter().map(String::as_str), roles)
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
    /// what order; the net stance is over the favor and against labels of
    /// `roles` (none when it lacks either).
    pub fn stats(
        &self,
        topic: &str,
        total: u64,
        labels: &[(String, Option<usize>)],
        roles: &StanceRoles,
    ) -> TopicStats {
        let n = self.statements;
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let by_label = |name: &str| {
            labels
                .iter()
                .find(|(l, _)| l == name)
                .map_or(0, |(_, id)| self.count(*id))
        };
        let net_stance = match (&roles.favor, &roles.against) {
            (Some(f), Some(a)) if n > 0 => {
                Some((by_label(f) as f64 - by_label(a) as f64) / n as f64)
            }
            (Some(_), Some(_)) => Some(0.0),
            _ => None,
        };
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
            net_stance,
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

/// Orders stance labels: the labels of `roles` (favor, against, neutral;
/// listed even when unseen), then the others alphabetically, `(none)` last.
///
/// Statements that all lack a stance (a topic-only model) have no stance
/// labels at all: the report then shows topics only.
pub fn order_stance_labels<'a>(
    seen: impl IntoIterator<Item = &'a str>,
    roles: &StanceRoles,
) -> Vec<String> {
    let first = roles.labels();
    let mut has_none = false;
    let mut has_stance = false;
    let mut extra: Vec<&str> = Vec::new();
    for label in seen {
        has_stance |= label != NO_STANCE;
        if label == NO_STANCE {
            has_none = true;
        } else if !first.contains(&label) {
            extra.push(label);
        }
    }
    if has_none && !has_stance {
        return Vec::new();
    }
    extra.sort_unstable();
    extra.dedup();
    let mut out: Vec<String> = first.iter().chain(&extra).map(|s| s.to_string()).collect();
    if has_none {
        out.push(NO_STANCE.to_string());
    }
    out
}

/// The roles of stance labels seen in data whose model's roles are not known.
///
/// Found by name, ignoring case ([`StanceRoles::find`]); when some role is
/// found, the roles not seen get their own name in the same case (`favor`,
/// or `FAVOR` beside `AGAINST`), so that scored data which happens to lack
/// one label still has a net stance. No role is found in `support`/`deny`
/// data or topic-only data: those have no net stance.
pub fn roles_of_data(seen: &[String]) -> StanceRoles {
    let labels = seen.iter().map(String::as_str).filter(|l| *l != NO_STANCE);
    let mut roles = StanceRoles::find(labels);
    if roles.is_empty() {
        return roles;
    }
    let upper = roles
        .labels()
        .iter()
        .all(|l| l.chars().all(|c| !c.is_lowercase()));
    let fill = |slot: &mut Option<String>, name: &str| {
        if slot.is_none() {
            *slot = Some(if upper {
                name.to_uppercase()
            } else {
                name.to_string()
            });
        }
    };
    fill(&mut roles.favor, CORE_STANCES[0]);
    fill(&mut roles.against, CORE_STANCES[1]);
    if !upper {
        // Note: upper-case data is SemEval's, whose neutral label is NONE
        // (found when seen); a NEUTRAL column would be invented.
        fill(&mut roles.neutral, CORE_STANCES[2]);
    }
    roles
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
        let roles = roles_of_data(ix.seen());
        let s = t.stats("palestine", 8, &ix.ordered(&roles), &roles);
        assert_eq!(s.statements, 4);
        assert_eq!(s.share, 0.5);
        assert_eq!(s.articles, 3);
        assert_eq!(s.stances[0].label, "favor");
        assert_eq!(s.stances[0].count, 2);
        assert_eq!(s.stances[0].share, 0.5);
        assert_eq!(s.stances[1].count, 1);
        assert_eq!(s.net_stance, Some(0.25));
        assert!((s.mean_topic_prob - 0.65).abs() < 1e-12);
        assert!((s.mean_stance_prob.unwrap() - 0.65).abs() < 1e-12);
        assert_eq!(s.below_threshold, 1);
    }

    #[test]
    fn empty_stance_counts_as_none_and_has_no_mean() {
        let (mut t, mut ix) = (Tally::default(), StanceIndex::default());
        add(&mut t, &mut ix, 0, "", 0.9, false);
        let roles = roles_of_data(ix.seen());
        let s = t.stats("other", 1, &ix.ordered(&roles), &roles);
        assert_eq!(s.mean_stance_prob, None);
        // Note: only statements without a stance: topic-only, no stance
        // columns and no net stance.
        assert!(s.stances.is_empty());
        assert_eq!(s.net_stance, None);
    }

    #[test]
    fn extra_labels_follow_role_ones() {
        let seen = ["support", "against", "(none)", "abstain", "support"];
        let roles = roles_of_data(&seen.map(String::from));
        assert_eq!(
            order_stance_labels(seen, &roles),
            ["favor", "against", "neutral", "abstain", "support", "(none)"]
        );
    }

    #[test]
    fn upper_case_roles_are_found_and_filled_in_their_case() {
        let roles = roles_of_data(&["NONE".to_string(), "AGAINST".to_string()]);
        assert_eq!(roles.labels(), ["FAVOR", "AGAINST", "NONE"]);
        let roles = roles_of_data(&["support".to_string(), "deny".to_string()]);
        assert!(roles.is_empty());
        assert_eq!(
            order_stance_labels(["support", "deny"], &roles),
            ["deny", "support"]
        );
    }
}
