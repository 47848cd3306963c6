//! The training parameters as a user gives them (`stance train`'s flags, the
//! Python package's keywords), turned into a [`TrainConfig`] and recorded in
//! the model file the same way by every interface.

use super::classifier::TrainingMeta;
use super::logistic::{ClassWeight, LogisticParams};
use super::roles::RoleNames;
use super::train::{TrainConfig, DEFAULT_C_GRID};
use crate::analysis::{AnalyzerConfig, Language};
use crate::error::{Error, Result};
use crate::features::{DfBound, VectorizerConfig, VocabConfig};

/// Training parameters as given: what `stance train` and `stance.train` take
/// besides the data.
///
/// Note: one type for both, so that the same parameters give the same
/// [`TrainConfig`] and the same recorded parameters, hence the same model
/// file bytes, whichever interface trained it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams {
    /// Snowball stemmer and stop-word language. Default english.
    pub language: Language,
    /// Stem words. Default true.
    pub stem: bool,
    /// Remove the language's stop words before building n-grams. Default false.
    pub stop_words: bool,
    /// Word n-grams from 1 to this (at most 6). Default 2.
    pub ngram_max: usize,
    /// Character n-grams within word boundaries (lengths 1 to 10). Default off.
    pub char_ngrams: Option<(usize, usize)>,
    /// Minimum document frequency. Default 2.
    pub min_df: DfBound,
    /// Maximum document frequency. Default 1.0.
    pub max_df: DfBound,
    /// Keep only the N most frequent terms. Default all.
    pub max_features: Option<usize>,
    /// Use 1 + ln(tf) instead of raw counts. Default false.
    pub sublinear_tf: bool,
    /// A fixed C; `None` chooses C per head by cross-validation over `c_grid`. Default `None`.
    pub c: Option<f64>,
    /// Class weighting. Default none.
    pub class_weight: ClassWeight,
    /// The values of C cross-validation chooses from. Default [`DEFAULT_C_GRID`].
    pub c_grid: Vec<f64>,
    /// Folds for choosing C. Default 5.
    pub cv: usize,
    /// L-BFGS iteration limit per head. Default 1000.
    pub max_iter: u64,
    /// Stop when the largest gradient component is at most this. Default 1e-4.
    pub tol: f64,
    /// Stance labels named for the favor/against/neutral roles; unnamed roles
    /// are found by name, ignoring case. Default none named.
    pub roles: RoleNames,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            language: Language::English,
            stem: true,
            stop_words: false,
            ngram_max: 2,
            char_ngrams: None,
            min_df: DfBound::Count(2),
            max_df: DfBound::Fraction(1.0),
            max_features: None,
            sublinear_tf: false,
            c: None,
            class_weight: ClassWeight::None,
            c_grid: DEFAULT_C_GRID.to_vec(),
            cv: 5,
            max_iter: 1000,
            tol: 1e-4,
            roles: RoleNames::default(),
        }
    }
}

impl TrainParams {
    /// The checked library configuration; each invalid value is an
    /// [`Error::InvalidParam`] naming its parameter.
    pub fn config(&self) -> Result<TrainConfig> {
        if self.ngram_max == 0 {
            return Err(Error::InvalidParam {
                name: "ngram_max",
                value: "0".into(),
                reason: "must be at least 1".into(),
            });
        }
        if let Some(bad) = self.c_grid.iter().find(|c| !(c.is_finite() && **c > 0.0)) {
            return Err(Error::InvalidParam {
                name: "c_grid",
                value: bad.to_string(),
                reason: "is not a positive finite number".into(),
            });
        }
        if self.c.is_none() && self.c_grid.is_empty() {
            return Err(Error::InvalidParam {
                name: "c_grid",
                value: String::new(),
                reason: "is empty; give values or a fixed C".into(),
            });
        }
        let config = TrainConfig {
            vectorizer: VectorizerConfig {
                analyzer: AnalyzerConfig {
                    language: self.language,
                    stem: self.stem,
                    stop_words: self.stop_words,
                    ngram_max: self.ngram_max,
                    char_ngrams: self.char_ngrams,
                },
                vocab: VocabConfig {
                    min_df: self.min_df,
                    max_df: self.max_df,
                    max_features: self.max_features,
                },
                sublinear_tf: self.sublinear_tf,
            },
            logistic: LogisticParams {
                c: self.c.unwrap_or(1.0),
                class_weight: self.class_weight,
                max_iter: self.max_iter,
                tol: self.tol,
                ..LogisticParams::default()
            },
            c_grid: if self.c.is_some() {
                Vec::new()
            } else {
                self.c_grid.clone()
            },
            cv_folds: self.cv,
            roles: self.roles.clone(),
            ..TrainConfig::default()
        };
        config.check()?;
        Ok(config)
    }

    /// The parameters as recorded in the model file, sorted by name.
    pub fn recorded(&self) -> Vec<(String, String)> {
        let mut p = vec![
            ("language".into(), self.language.to_string()),
            ("stem".into(), self.stem.to_string()),
            ("stop_words".into(), self.stop_words.to_string()),
            ("ngram_max".into(), self.ngram_max.to_string()),
            (
                "char_ngrams".into(),
                self.char_ngrams
                    .map(|(a, b)| format!("{a}-{b}"))
                    .unwrap_or_else(|| "off".into()),
            ),
            ("min_df".into(), self.min_df.to_string()),
            ("max_df".into(), self.max_df.to_string()),
            (
                "max_features".into(),
                self.max_features
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "all".into()),
            ),
            ("sublinear_tf".into(), self.sublinear_tf.to_string()),
            (
                "c".into(),
                self.c.map(|c| c.to_string()).unwrap_or_else(|| {
                    let grid: Vec<String> = self.c_grid.iter().map(|c| c.to_string()).collect();
                    format!("cv over {}", grid.join(","))
                }),
            ),
            (
                "class_weight".into(),
                format!("{:?}", self.class_weight).to_lowercase(),
            ),
            ("cv".into(), self.cv.to_string()),
            ("max_iter".into(), self.max_iter.to_string()),
            ("tol".into(), self.tol.to_string()),
        ];
        p.sort();
        p
    }

    /// The training metadata of a model trained with these parameters on
    /// `n_rows` rows whose data hashes to `data_sha256`, from the columns
    /// `text`, `topic` and `stance` (`None` for topic-only data).
    pub fn meta(
        &self,
        data_sha256: &str,
        n_rows: usize,
        text: &str,
        topic: &str,
        stance: Option<&str>,
    ) -> TrainingMeta {
        TrainingMeta {
            data_sha256: data_sha256.to_string(),
            n_rows,
            columns: vec![
                text.to_string(),
                topic.to_string(),
                stance.unwrap_or("").to_string(),
            ],
            params: self.recorded(),
            cv: Vec::new(),
            trained_by: format!("stance {}", env!("CARGO_PKG_VERSION")),
            ..TrainingMeta::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_cli_defaults_and_bad_values_are_named() {
        let p = TrainParams::default();
        let c = p.config().unwrap();
        assert_eq!(c.c_grid, DEFAULT_C_GRID.to_vec());
        assert_eq!(c.vectorizer.analyzer.ngram_max, 2);
        let rec = p.recorded();
        assert!(rec.windows(2).all(|w| w[0] <= w[1]));
        assert!(rec.contains(&("min_df".into(), "2".into())));
        for (bad, name) in [
            (
                TrainParams {
                    ngram_max: 0,
                    ..TrainParams::default()
                },
                "ngram_max",
            ),
            (
                TrainParams {
                    c_grid: vec![1.0, -1.0],
                    ..TrainParams::default()
                },
                "c_grid",
            ),
            (
                TrainParams {
                    c_grid: vec![],
                    ..TrainParams::default()
                },
                "c_grid",
            ),
        ] {
            match bad.config() {
                Err(Error::InvalidParam { name: n, .. }) => assert_eq!(n, name),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        let fixed = TrainParams {
            c: Some(3.0),
            c_grid: vec![],
            ..TrainParams::default()
        };
        assert!(fixed.config().unwrap().c_grid.is_empty());
    }
}
