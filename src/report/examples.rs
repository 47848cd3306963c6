//! The most confident statements per (topic, stance), kept while streaming.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::document::{Example, ExampleCell};
use crate::io::Statement;

/// Keeps at most `per_cell` statements per (topic id, stance id): the most
/// confident ones, ties broken by article id and sentence so the choice
/// does not depend on input order.
#[derive(Debug, Default)]
pub struct ExampleKeeper {
    per_cell: usize,
    cells: HashMap<(usize, usize), Vec<Example>>,
}

/// Most confident first; equal confidence by article id, then sentence.
fn rank(a: &Example, b: &Example) -> Ordering {
    b.confidence()
        .total_cmp(&a.confidence())
        .then_with(|| a.article_id.cmp(&b.article_id))
        .then(a.sentence.cmp(&b.sentence))
}

impl ExampleKeeper {
    /// A keeper of `per_cell` statements per cell (0 keeps none).
    pub fn new(per_cell: usize) -> ExampleKeeper {
        ExampleKeeper {
            per_cell,
            cells: HashMap::new(),
        }
    }

    /// Offers one checked statement of topic `topic` and stance `stance` (ids).
    pub fn offer(&mut self, topic: usize, stance: usize, row: &Statement) {
        if self.per_cell == 0 {
            return;
        }
        let stance_prob = row.stance.as_ref().and(row.stance_prob);
        let cell = self.cells.entry((topic, stance)).or_default();
        let confidence = row.topic_prob * stance_prob.unwrap_or(1.0);
        // Note: a full cell is only touched (and the text only copied) when
        // the statement could displace its least confident entry.
        if cell.len() == self.per_cell {
            let worst = &cell[cell.len() - 1];
            let better = match confidence.total_cmp(&worst.confidence()) {
                Ordering::Greater => true,
                Ordering::Less => false,
                Ordering::Equal => {
                    (row.article_id.as_str(), row.sentence)
                        < (worst.article_id.as_str(), worst.sentence)
                }
            };
            if !better {
                return;
            }
            cell.pop();
        }
        let example = Example {
            article_id: row.article_id.clone(),
            sentence: row.sentence,
            source: row.source.clone(),
            date: row.date.clone(),
            text: row.text.clone(),
            topic_prob: row.topic_prob,
            stance_prob,
        };
        let at = cell
            .binary_search_by(|e| rank(e, &example))
            .unwrap_or_else(|i| i);
        cell.insert(at, example);
    }

    /// The cells of `topics` (id, name) in that order, each topic's stances
    /// in the order of `stances` (id, label; `None` for no stance).
    pub fn finish(
        mut self,
        topics: &[(usize, &str)],
        stances: &[(usize, Option<String>)],
    ) -> Vec<ExampleCell> {
        let mut out = Vec::new();
        for (topic_id, topic) in topics {
            for (stance_id, stance) in stances {
                if let Some(statements) = self.cells.remove(&(*topic_id, *stance_id)) {
                    out.push(ExampleCell {
                        topic: topic.to_string(),
                        stance: stance.clone(),
                        statements,
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(article: &str, sentence: usize, topic_prob: f64, stance_prob: f64) -> Statement {
        Statement {
            article_id: article.into(),
            sentence,
            text: format!("{article} {sentence}"),
            topic_prob,
            stance: Some("favor".into()),
            stance_prob: Some(stance_prob),
            ..Statement::default()
        }
    }

    #[test]
    fn keeps_the_most_confident_whatever_the_order() {
        let rows = [
            st("a", 1, 0.9, 0.5),
            st("b", 1, 0.99, 0.99),
            st("c", 1, 0.6, 0.6),
            st("d", 1, 0.8, 0.9),
            st("a", 2, 0.9, 0.5),
        ];
        let mut orders = Vec::new();
        for reverse in [false, true] {
            let mut k = ExampleKeeper::new(3);
            let it: Vec<&Statement> = if reverse {
                rows.iter().rev().collect()
            } else {
                rows.iter().collect()
            };
            for r in it {
                k.offer(0, 0, r);
            }
            let cells = k.finish(&[(0, "t")], &[(0, Some("favor".into()))]);
            let texts: Vec<String> = cells[0].statements.iter().map(|e| e.text.clone()).collect();
            orders.push(texts);
        }
        assert_eq!(orders[0], ["b 1", "d 1", "a 1"]);
        assert_eq!(orders[0], orders[1]);
    }

    #[test]
    fn zero_keeps_nothing() {
        let mut k = ExampleKeeper::new(0);
        k.offer(0, 0, &st("a", 1, 0.9, 0.9));
        assert!(k.finish(&[(0, "t")], &[(0, None)]).is_empty());
    }
}
