//! What a report computes: breakdowns, period, confidence threshold, model info.

use std::collections::BTreeSet;

use super::period::Period;
use super::provenance::Provenance;
use crate::model::{StanceModel, StanceRoles, TopTerms};

/// A dimension a breakdown groups statements by (besides the topic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// The `source` column; missing sources group as `(none)`.
    Source,
    /// The `date` column, bucketed by [`ReportOptions::period`]; missing dates group as `(none)`.
    Date,
    /// The `article_id` column.
    Article,
}

impl Dimension {
    /// The lowercase name used on the command line and as a column name.
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Source => "source",
            Dimension::Date => "date",
            Dimension::Article => "article",
        }
    }
}

/// The key used for a missing source or date.
pub const NONE_KEY: &str = "(none)";

/// Unchecked report settings; [`ReportBuilder::new`](super::ReportBuilder::new) checks them.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Breakdown dimensions, in key order; empty means no breakdown. Default: empty.
    pub breakdown: Vec<Dimension>,
    /// How `Dimension::Date` buckets dates. Default: month.
    pub period: Period,
    /// Statements with `topic_prob` below this count as low-confidence. Default: 0.5.
    pub min_confidence: f64,
    /// When set (from `--model`), topics outside it are rejected. Default: `None`.
    pub known_topics: Option<BTreeSet<String>>,
    /// Highest-weighted terms to show (from `--model --top-terms`). Default: empty.
    pub top_terms: Vec<TopTerms>,
    /// At most this many problems are kept in the report; all are counted. Default: 1000.
    pub max_listed_problems: usize,
    /// The model's stance roles (from `--model`); when `None` they are found
    /// by name in the data (as `report` does without a model). Default: `None`.
    pub stance_roles: Option<StanceRoles>,
    /// The most confident statements kept per topic and stance; 0 keeps none.
    /// At most [`MAX_EXAMPLES_PER_CELL`]. Default: 3.
    pub examples_per_cell: usize,
    /// What produced the report, copied into it as given. Default: `None`.
    pub provenance: Option<Provenance>,
}

/// The largest [`ReportOptions::examples_per_cell`].
pub const MAX_EXAMPLES_PER_CELL: usize = 100;

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            breakdown: Vec::new(),
            period: Period::Month,
            min_confidence: 0.5,
            known_topics: None,
            top_terms: Vec::new(),
            max_listed_problems: 1000,
            stance_roles: None,
            examples_per_cell: 3,
            provenance: None,
        }
    }
}

/// An invalid [`ReportOptions`] value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptionsError {
    /// `min_confidence` outside [0, 1] or not a number.
    #[error("min confidence must be between 0 and 1, got {0}")]
    MinConfidence(f64),
    /// The same dimension twice in the breakdown.
    #[error("breakdown by {0} given twice")]
    RepeatedDimension(&'static str),
    /// More examples per cell than [`MAX_EXAMPLES_PER_CELL`].
    #[error("at most {MAX_EXAMPLES_PER_CELL} examples per topic and stance, got {0}")]
    TooManyExamples(usize),
}

impl ReportOptions {
    /// Checks the statements against `model`: rows with topics it lacks are
    /// rejected, its stance roles are used, and with `top_terms = Some(k)`
    /// its `k` highest-weighted terms per topic and stance are shown.
    pub fn use_model(&mut self, model: &StanceModel, top_terms: Option<usize>) {
        // Note: `iter()` works whether `topics()` returns `Vec<String>` or `&[String]`.
        self.known_topics = Some(model.topics().iter().map(|t| t.to_string()).collect());
        self.stance_roles = Some(model.roles.clone());
        if let Some(k) = top_terms {
            self.top_terms = model
                .top_terms(k)
                .into_iter()
                .map(|mut t| {
                    t.terms.truncate(k);
                    t
                })
                .collect();
        }
    }

    /// The only place options are validated.
    pub fn check(&self) -> Result<(), OptionsError> {
        if !(0.0..=1.0).contains(&self.min_confidence) {
            return Err(OptionsError::MinConfidence(self.min_confidence));
        }
        if self.examples_per_cell > MAX_EXAMPLES_PER_CELL {
            return Err(OptionsError::TooManyExamples(self.examples_per_cell));
        }
        let mut seen = Vec::new();
        for d in &self.breakdown {
            if seen.contains(d) {
                return Err(OptionsError::RepeatedDimension(d.name()));
            }
            seen.push(*d);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(ReportOptions::default().check(), Ok(()));
    }

    #[test]
    fn rejects_bad_threshold_and_repeats() {
        let o = ReportOptions {
            min_confidence: f64::NAN,
            ..Default::default()
        };
        assert!(matches!(o.check(), Err(OptionsError::MinConfidence(_))));
        let o = ReportOptions {
            min_confidence: 1.5,
            ..Default::default()
        };
        assert_eq!(o.check(), Err(OptionsError::MinConfidence(1.5)));
        let o = ReportOptions {
            breakdown: vec![Dimension::Date, Dimension::Source, Dimension::Date],
            ..Default::default()
        };
        assert_eq!(o.check(), Err(OptionsError::RepeatedDimension("date")));
    }
}
