//! Choosing the batch: the lowest ranks, with every topic represented, each
//! statement once (near-duplicates too), and at most so many per article.
//!
//! Half the batch is shared out between the topics that have candidates:
//! each gets up to ⌈n / (2 · topics)⌉ statements, taken in turn (its lowest
//! ranks first), so that no topic is crowded out; the rest of the batch goes
//! to the lowest ranks of any topic. A candidate is passed over when its id
//! was chosen already, its article has `per_article` statements chosen, or
//! it is a near-duplicate of one chosen ([`NearDuplicates`]). The batch is
//! returned lowest rank first; ties go to the earlier article and sentence.

use std::collections::HashMap;
use std::collections::HashSet;

use super::candidates::{Candidate, CandidatePool};
use super::near_duplicates::{NearDuplicates, Signature};
use super::options::ValidSuggestOptions;
use crate::analysis::normalized_text;

/// A chosen batch and what was passed over.
#[derive(Debug, Default)]
pub struct Batch {
    /// The statements, lowest rank first.
    pub chosen: Vec<Candidate>,
    /// Candidates passed over as near-duplicates of a chosen one.
    pub near_duplicates: u64,
    /// Candidates passed over because their article had enough.
    pub article_capped: u64,
}

/// What is chosen so far.
struct Chooser {
    n: usize,
    per_article: usize,
    ids: HashSet<String>,
    per_article_count: HashMap<String, usize>,
    near: NearDuplicates,
    batch: Batch,
}

impl Chooser {
    /// Chooses `c` unless it is passed over; true when chosen.
    fn consider(&mut self, c: &Candidate) -> bool {
        if self.batch.chosen.len() >= self.n || self.ids.contains(&c.id) {
            return false;
        }
        if self
            .per_article_count
            .get(&c.article_id)
            .copied()
            .unwrap_or(0)
            >= self.per_article
        {
            self.batch.article_capped += 1;
            return false;
        }
        let sig = Signature::of(&normalized_text(&c.text));
        if self.near.has_near(&sig) {
            self.batch.near_duplicates += 1;
            return false;
        }
        self.near.add(sig);
        self.ids.insert(c.id.clone());
        *self
            .per_article_count
            .entry(c.article_id.clone())
            .or_default() += 1;
        self.batch.chosen.push(c.clone());
        true
    }
}

fn order_key(c: &Candidate) -> (u64, u64, usize) {
    (c.rank.max(0.0).to_bits(), c.order, c.sentence)
}

/// Chooses the batch from the pool (see the module docs).
pub fn select(pool: CandidatePool, options: &ValidSuggestOptions) -> Batch {
    let o = options.get();
    let topics = pool.into_topics();
    let mut chooser = Chooser {
        n: o.n,
        per_article: o.per_article,
        ids: HashSet::new(),
        per_article_count: HashMap::new(),
        near: NearDuplicates::default(),
        batch: Batch::default(),
    };
    let present = topics.iter().filter(|(_, c)| !c.is_empty()).count().max(1);
    let share = o.n.div_ceil(2 * present);
    let mut next = vec![0usize; topics.len()];
    let mut taken = vec![0usize; topics.len()];
    loop {
        let mut any = false;
        for (t, (_, cands)) in topics.iter().enumerate() {
            if taken[t] >= share {
                continue;
            }
            while next[t] < cands.len() {
                let i = next[t];
                next[t] += 1;
                if chooser.consider(&cands[i]) {
                    taken[t] += 1;
                    any = true;
                    break;
                }
            }
        }
        if !any || chooser.batch.chosen.len() >= o.n {
            break;
        }
    }
    // Note: what the turns considered (chosen or passed over) is not considered again.
    let mut rest: Vec<(usize, usize)> = topics
        .iter()
        .enumerate()
        .flat_map(|(t, (_, c))| (next[t]..c.len()).map(move |i| (t, i)))
        .collect();
    rest.sort_by_key(|&(t, i)| order_key(&topics[t].1[i]));
    for (t, i) in rest {
        if chooser.batch.chosen.len() >= o.n {
            break;
        }
        chooser.consider(&topics[t].1[i]);
    }
    let mut batch = chooser.batch;
    batch.chosen.sort_by_key(order_key);
    batch
}

#[cfg(test)]
mod tests {
    use super::super::candidates::tests::candidate;
    use super::super::SuggestOptions;
    use super::*;

    fn options(n: usize, per_article: usize) -> ValidSuggestOptions {
        SuggestOptions {
            n,
            per_article,
            ..SuggestOptions::default()
        }
        .check(&[])
        .unwrap()
    }

    #[test]
    fn every_topic_gets_its_share_then_the_lowest_ranks() {
        let mut pool = CandidatePool::new(100);
        for i in 0..10u64 {
            pool.offer(candidate(
                "big",
                &format!("big statement number {i} about things"),
                0.01 * i as f64,
                i,
            ));
        }
        pool.offer(candidate(
            "small",
            "the only small topic statement here",
            0.9,
            20,
        ));
        let b = select(pool, &options(4, 3));
        let topics: Vec<&str> = b.chosen.iter().map(|c| c.topic.as_str()).collect();
        assert_eq!(topics, ["big", "big", "big", "small"]);
        assert_eq!(b.chosen[0].order, 0);
    }

    #[test]
    fn near_duplicates_and_the_article_cap_are_passed_over() {
        let mut pool = CandidatePool::new(100);
        pool.offer(candidate(
            "t",
            "The minister said coalition troops would leave Iraq by September",
            0.1,
            0,
        ));
        pool.offer(candidate(
            "t",
            "The minister said coalition troops would leave Iraq by September, AFP reported",
            0.2,
            1,
        ));
        let mut same_article = candidate(
            "t",
            "Rain fell on the capital for a third day running",
            0.3,
            0,
        );
        same_article.id = "a0:2".into();
        same_article.sentence = 2;
        pool.offer(same_article);
        pool.offer(candidate(
            "t",
            "Fans filled the stadium in Erbil for the final",
            0.4,
            2,
        ));
        let b = select(pool, &options(10, 1));
        let orders: Vec<u64> = b.chosen.iter().map(|c| c.order).collect();
        assert_eq!(orders, [0, 2]);
        assert_eq!((b.near_duplicates, b.article_capped), (1, 1));
    }
}
