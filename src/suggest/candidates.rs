//! Candidates: statements with their guesses and ranks, kept in bounded
//! memory while the inputs stream by.

use std::collections::{BTreeMap, HashMap};

use super::options::Strategy;
use super::uncertainty::{combined_margin, entropy_rank, informed_margin};

/// A statement that may be suggested, with what the labeller is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// `article_id:sentence`.
    pub id: String,
    /// The statement.
    pub text: String,
    /// The model's best topic.
    pub topic: String,
    /// The model's stance toward it; `None` for a topic-only model.
    pub stance: Option<String>,
    /// The article it comes from.
    pub article_id: String,
    /// Its 1-based sentence number in the article.
    pub sentence: usize,
    /// The previous sentence of the article (empty for the first).
    pub context_before: String,
    /// The next sentence of the article (empty for the last).
    pub context_after: String,
    /// The best topic's probability.
    pub topic_prob: f64,
    /// The stance's probability.
    pub stance_prob: Option<f64>,
    /// The combined margin ([`combined_margin`]), whatever the strategy.
    pub margin: f64,
    /// What the strategy ranks by, in [0, 1], smallest first (for margin, the
    /// [`informed_margin`](super::uncertainty::informed_margin)).
    pub rank: f64,
    /// The article's source.
    pub source: Option<String>,
    /// The article's date.
    pub date: Option<String>,
    /// The article's title.
    pub title: Option<String>,
    /// [`text_fingerprint`](crate::analysis::text_fingerprint) of the text.
    pub fingerprint: u64,
    /// The article's 0-based place among the inputs' articles.
    pub order: u64,
}

/// The probabilities a candidate is ranked by.
#[derive(Debug, Clone, Copy)]
pub struct Guess<'a> {
    /// Every topic's probability.
    pub topic_probs: &'a [f64],
    /// The best topic's stance head's probabilities (empty without stance).
    pub stance_probs: &'a [f64],
    /// Vocabulary terms the model found in the statement (`None`: not recorded).
    pub known_terms: Option<usize>,
}

/// SplitMix64's finaliser.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The margin and the rank of a statement under `strategy`.
///
/// Note: the random rank hashes the text's fingerprint with the seed, so it
/// depends on neither the input order nor the thread count.
pub fn rank(guess: Guess<'_>, fingerprint: u64, strategy: Strategy, seed: u64) -> (f64, f64) {
    let margin = combined_margin(guess.topic_probs, guess.stance_probs);
    let rank = match strategy {
        Strategy::Margin => informed_margin(margin, guess.known_terms),
        Strategy::Entropy => entropy_rank(guess.topic_probs, guess.stance_probs),
        Strategy::Random => (mix(fingerprint ^ mix(seed)) >> 11) as f64 / (1u64 << 53) as f64,
    };
    (margin, rank)
}

/// Sort key: rank (non-negative, so its bits order as the number), article, sentence.
type Key = (u64, u64, usize);

fn key(c: &Candidate) -> Key {
    (c.rank.max(0.0).to_bits(), c.order, c.sentence)
}

/// One topic's best candidates, at most `kept`, one per normalised text.
#[derive(Debug, Default)]
struct Kept {
    by_rank: BTreeMap<Key, Candidate>,
    by_text: HashMap<u64, Key>,
}

/// The best candidates of each topic seen so far, in bounded memory.
///
/// Each topic keeps its `kept` lowest-ranked candidates; of statements with
/// the same normalised text only the first is kept (a copy has the same
/// probabilities, so the same rank, and comes later).
#[derive(Debug)]
pub struct CandidatePool {
    kept: usize,
    topics: BTreeMap<String, Kept>,
    /// Exact copies (same normalised text) set aside.
    pub copies: u64,
    /// Candidates offered.
    pub offered: u64,
}

impl CandidatePool {
    /// A pool that keeps `kept` candidates per topic.
    pub fn new(kept: usize) -> CandidatePool {
        CandidatePool {
            kept: kept.max(1),
            topics: BTreeMap::new(),
            copies: 0,
            offered: 0,
        }
    }

    /// Offers a candidate.
    pub fn offer(&mut self, c: Candidate) {
        self.offered += 1;
        let k = key(&c);
        let fp = c.fingerprint;
        let topic = self.topics.entry(c.topic.clone()).or_default();
        if let Some(&old) = topic.by_text.get(&fp) {
            if old <= k {
                self.copies += 1;
                return;
            }
            topic.by_rank.remove(&old);
            self.copies += 1;
        }
        topic.by_rank.insert(k, c);
        topic.by_text.insert(fp, k);
        if topic.by_rank.len() > self.kept {
            if let Some((worst, dropped)) = topic.by_rank.pop_last() {
                if topic.by_text.get(&dropped.fingerprint) == Some(&worst) {
                    topic.by_text.remove(&dropped.fingerprint);
                }
            }
        }
    }

    /// Per topic (by name), its candidates, lowest rank first.
    pub fn into_topics(self) -> Vec<(String, Vec<Candidate>)> {
        self.topics
            .into_iter()
            .map(|(t, k)| (t, k.by_rank.into_values().collect()))
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A candidate with this topic, text, rank and article order.
    pub(crate) fn candidate(topic: &str, text: &str, rank: f64, order: u64) -> Candidate {
        Candidate {
            id: format!("a{order}:1"),
            text: text.into(),
            topic: topic.into(),
            stance: None,
            article_id: format!("a{order}"),
            sentence: 1,
            context_before: String::new(),
            context_after: String::new(),
            topic_prob: 0.5,
            stance_prob: None,
            margin: rank,
            rank,
            source: None,
            date: None,
            title: None,
            fingerprint: crate::analysis::text_fingerprint(text),
            order,
        }
    }

    #[test]
    fn keeps_the_lowest_ranks_once_per_text() {
        let mut pool = CandidatePool::new(2);
        pool.offer(candidate("t", "a b", 0.5, 0));
        pool.offer(candidate("t", "c d", 0.1, 1));
        pool.offer(candidate("t", "A, b!", 0.5, 2)); // a copy of the first
        pool.offer(candidate("t", "e f", 0.9, 3)); // beyond the two kept
        pool.offer(candidate("u", "g h", 0.7, 4));
        pool.offer(candidate("t", "i j", 0.3, 5)); // evicts "a b"
        pool.offer(candidate("t", "a b", 0.5, 6)); // its text was evicted: comes back, then goes
        let topics = pool.into_topics();
        let t: Vec<(&str, u64)> = topics[0]
            .1
            .iter()
            .map(|c| (c.text.as_str(), c.order))
            .collect();
        assert_eq!(t, [("c d", 1), ("i j", 5)]);
        assert_eq!(topics[1].0, "u");
    }

    #[test]
    fn random_ranks_follow_the_seed_not_the_order() {
        let g = Guess {
            topic_probs: &[0.6, 0.4],
            stance_probs: &[],
            known_terms: Some(40),
        };
        let (m, r1) = rank(g, 42, Strategy::Random, 1);
        assert!((m - 0.2).abs() < 1e-12);
        assert_eq!(rank(g, 42, Strategy::Random, 1).1, r1);
        assert_ne!(rank(g, 42, Strategy::Random, 2).1, r1);
        assert!((0.0..1.0).contains(&r1));
        // Margin ranks by the informed margin: 40 known terms is fully informed.
        let informed = super::super::uncertainty::informed_margin(m, Some(40));
        assert!((informed - m / 1.5).abs() < 1e-12);
        assert_eq!(rank(g, 42, Strategy::Margin, 1).1, informed);
    }
}
