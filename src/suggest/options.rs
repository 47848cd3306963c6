//! What to suggest: the options, set freely, then checked once.

use crate::error::{Error, Result};

/// How statements are ranked (the smallest value first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// The combined margin, weighted by how much of the statement the model
    /// knows ([`uncertainty`](super::uncertainty)): the closest informed calls first.
    #[default]
    Margin,
    /// The larger of the topic's and (on-topic) the stance's normalised entropy, highest first.
    Entropy,
    /// A uniform random order given by the seed (the baseline).
    Random,
}

/// What to suggest, unchecked: set what you need, then [`SuggestOptions::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestOptions {
    /// Statements to suggest. Default 200.
    pub n: usize,
    /// How they are ranked. Default [`Strategy::Margin`].
    pub strategy: Strategy,
    /// At most this many statements per article. Default 3.
    pub per_article: usize,
    /// Only statements whose best topic is this one. Default: every topic.
    pub topic: Option<String>,
    /// Seed of [`Strategy::Random`]. Default 0.
    pub seed: u64,
}

impl Default for SuggestOptions {
    fn default() -> Self {
        SuggestOptions {
            n: 200,
            strategy: Strategy::Margin,
            per_article: 3,
            topic: None,
            seed: 0,
        }
    }
}

impl SuggestOptions {
    /// Checks the options against the model's `topics`; the only place that does.
    pub fn check(&self, topics: &[String]) -> Result<ValidSuggestOptions> {
        if self.n == 0 {
            return Err(Error::InvalidParam {
                name: "n",
                value: "0".into(),
                reason: "must be at least 1".into(),
            });
        }
        if self.per_article == 0 {
            return Err(Error::InvalidParam {
                name: "per_article",
                value: "0".into(),
                reason: "must be at least 1".into(),
            });
        }
        if let Some(t) = &self.topic {
            if !topics.is_empty() && !topics.contains(t) {
                return Err(Error::InvalidParam {
                    name: "topic",
                    value: t.clone(),
                    reason: format!("not a topic of the model ({})", topics.join(", ")),
                });
            }
        }
        Ok(ValidSuggestOptions(self.clone()))
    }
}

/// Checked [`SuggestOptions`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSuggestOptions(pub(super) SuggestOptions);

impl ValidSuggestOptions {
    /// The options as given.
    pub fn get(&self) -> &SuggestOptions {
        &self.0
    }

    /// Candidates kept per topic while the inputs stream by: enough for the
    /// batch after duplicates and the per-article cap are set aside.
    pub fn kept_per_topic(&self) -> usize {
        self.0.n.saturating_mul(4).saturating_add(100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_invalid_value_is_named() {
        let topics = vec!["a".to_string(), "b".to_string()];
        let bad = [
            (
                SuggestOptions {
                    n: 0,
                    ..SuggestOptions::default()
                },
                "n",
            ),
            (
                SuggestOptions {
                    per_article: 0,
                    ..SuggestOptions::default()
                },
                "per_article",
            ),
            (
                SuggestOptions {
                    topic: Some("c".into()),
                    ..SuggestOptions::default()
                },
                "topic",
            ),
        ];
        for (o, name) in bad {
            match o.check(&topics) {
                Err(Error::InvalidParam { name: n, .. }) => assert_eq!(n, name),
                other => panic!("{o:?}: {other:?}"),
            }
        }
        let ok = SuggestOptions {
            topic: Some("b".into()),
            ..SuggestOptions::default()
        };
        assert_eq!(ok.check(&topics).unwrap().get().topic.as_deref(), Some("b"));
    }
}
