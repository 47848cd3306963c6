//! How statements are scored: options set freely, then checked once.

use crate::error::{Error, Result};

/// How statements are scored, unchecked: set what you need, then [`ScoreOptions::check`].
///
/// What a run produces (statement rows, article rows, a report, a `Vec`) is
/// not an option here: it is the [`Sink`](super::Sink)s it is given.
///
/// ```
/// use stance::pipeline::ScoreOptions;
///
/// let options = ScoreOptions::default().min_confidence(0.6).explain(3).check()?;
/// assert_eq!(options.explain(), Some(3));
/// assert!(ScoreOptions::default().min_confidence(1.5).check().is_err());
/// # Ok::<(), stance::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreOptions {
    min_confidence: Option<f64>,
    explain: Option<usize>,
    unit: Unit,
}

/// What one statement is: a sentence of the text, or the whole text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// Each text is split into sentences, each one statement (news articles).
    #[default]
    Sentence,
    /// Each text is one statement, not split (tweets, headlines, pre-split data).
    Row,
}

impl ScoreOptions {
    /// Statements whose best topic's probability is below `p` get the topic
    /// [`UNCERTAIN`](crate::io::UNCERTAIN) (the guess stays in `best_topic`).
    /// Must be in [0, 1]. Default: no threshold.
    pub fn min_confidence(mut self, p: f64) -> ScoreOptions {
        self.min_confidence = Some(p);
        self
    }

    /// Each statement carries the `k` terms that weighed most in its topic and
    /// in its stance decision, with their exact contributions `x_j * w_j`.
    /// Must be at least 1. Default: no explanations.
    pub fn explain(mut self, k: usize) -> ScoreOptions {
        self.explain = Some(k);
        self
    }

    /// What one statement is. Default: [`Unit::Sentence`].
    pub fn unit(mut self, unit: Unit) -> ScoreOptions {
        self.unit = unit;
        self
    }

    /// Checks the options; the only place that does.
    pub fn check(&self) -> Result<ValidScoreOptions> {
        if let Some(p) = self.min_confidence {
            if !(0.0..=1.0).contains(&p) {
                return Err(Error::InvalidParam {
                    name: "min_confidence",
                    value: p.to_string(),
                    reason: "must be between 0 and 1".into(),
                });
            }
        }
        if self.explain == Some(0) {
            return Err(Error::InvalidParam {
                name: "explain",
                value: "0".into(),
                reason: "must be at least 1".into(),
            });
        }
        Ok(ValidScoreOptions {
            min_confidence: self.min_confidence,
            explain: self.explain,
            unit: self.unit,
        })
    }
}

/// Checked [`ScoreOptions`], what a [`Scorer`](super::Scorer) is built with.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ValidScoreOptions {
    min_confidence: Option<f64>,
    explain: Option<usize>,
    unit: Unit,
}

impl ValidScoreOptions {
    /// The threshold under which a statement's topic is `uncertain`, if any.
    pub fn min_confidence(&self) -> Option<f64> {
        self.min_confidence
    }

    /// How many terms explain each decision, if any.
    pub fn explain(&self) -> Option<usize> {
        self.explain
    }

    /// What one statement is.
    pub fn unit(&self) -> Unit {
        self.unit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_invalid_value_is_named() {
        for (options, name) in [
            (
                ScoreOptions::default().min_confidence(-0.1),
                "min_confidence",
            ),
            (
                ScoreOptions::default().min_confidence(f64::NAN),
                "min_confidence",
            ),
            (ScoreOptions::default().explain(0), "explain"),
        ] {
            match options.check() {
                Err(Error::InvalidParam { name: n, .. }) => assert_eq!(n, name),
                other => panic!("{options:?}: {other:?}"),
            }
        }
        let ok = ScoreOptions::default()
            .min_confidence(1.0)
            .explain(1)
            .check();
        assert_eq!(ok.unwrap().min_confidence(), Some(1.0));
        assert_eq!(
            ScoreOptions::default().check().unwrap(),
            ValidScoreOptions::default()
        );
    }
}
