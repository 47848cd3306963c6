//! What a model file holds, for people: labels and roles, vocabulary per
//! feature family, analyzer settings, training facts, CV scores and top terms
//! (`stance inspect` prints it).

use serde::Serialize;

use super::calibrate::Calibration;
use super::classifier::{StanceHead, StanceModel, TopTerms, TrainingMeta};
use super::head::LinearHead;
use super::logistic::FitReport;
use super::roles::StanceRoles;
use crate::analysis::{AnalyzerConfig, CHAR_NGRAM_PREFIX};

/// A model's description; [`ModelDescription::to_json`] is `stance inspect --json`.
#[derive(Debug, Clone, Serialize)]
pub struct ModelDescription {
    /// The model file as given.
    pub model: String,
    /// Topic labels.
    pub topics: Vec<String>,
    /// Stance labels over all heads (empty for a topic-only model).
    pub stance_labels: Vec<String>,
    /// Which stance labels mean favor, against and neutral.
    pub stance_roles: StanceRoles,
    /// Vocabulary size, in all and per feature family.
    pub vocabulary: VocabularySize,
    /// The analyzer settings.
    pub analyzer: AnalyzerConfig,
    /// The training metadata as stored.
    pub training: TrainingMeta,
    /// The heads' temperatures, when calibrated.
    pub calibration: Option<Calibration>,
    /// Whether the model has an article-context stage.
    pub context_stage: bool,
    /// The highest-weighted terms per head and class.
    pub top_terms: Vec<TopTerms>,
    /// How each head's optimiser ended (heads trained before fit reports
    /// were stored, and one-class heads, are left out).
    pub fits: Vec<HeadFit>,
}

/// How one head's fit ended.
#[derive(Debug, Clone, Serialize)]
pub struct HeadFit {
    /// `topic`, `stance:<topic>` or `stance:*` (the shared head).
    pub head: String,
    /// The optimiser's report.
    #[serde(flatten)]
    pub report: FitReport,
}

/// The fit report of every head that has one, topic head first.
pub fn fits(model: &StanceModel) -> Vec<HeadFit> {
    let mut heads: Vec<(String, &LinearHead)> = vec![("topic".into(), &model.topic)];
    if let Some(s) = &model.stance {
        for (t, h) in model.topic.labels.iter().zip(&s.per_topic) {
            if let StanceHead::Own(h) = h {
                heads.push((format!("stance:{t}"), h));
            }
        }
        if let Some(h) = &s.shared {
            heads.push(("stance:*".into(), h));
        }
    }
    heads
        .into_iter()
        .filter_map(|(head, h)| h.report.clone().map(|report| HeadFit { head, report }))
        .collect()
}

/// Vocabulary size, in all and per feature family.
#[derive(Debug, Clone, Serialize)]
pub struct VocabularySize {
    /// All terms.
    pub terms: usize,
    /// Per family (word n-grams by n, then character n-grams).
    pub families: Vec<Family>,
}

/// One feature family and its term count.
#[derive(Debug, Clone, Serialize)]
pub struct Family {
    /// `word 1-grams`, `word 2-grams`, ..., `char n-grams`.
    pub family: String,
    /// Terms in it.
    pub terms: usize,
}

/// Vocabulary size per feature family: word n-grams by n, then character n-grams.
pub fn families(model: &StanceModel) -> Vec<Family> {
    let mut words: Vec<usize> = Vec::new();
    let mut chars = 0;
    for t in model.vectorizer.vocabulary().terms() {
        if t.starts_with(CHAR_NGRAM_PREFIX) {
            chars += 1;
        } else {
            let n = t.split(' ').count();
            if words.len() < n {
                words.resize(n, 0);
            }
            words[n - 1] += 1;
        }
    }
    let mut out: Vec<Family> = words
        .iter()
        .enumerate()
        .map(|(i, &c)| Family {
            family: format!("word {}-grams", i + 1),
            terms: c,
        })
        .collect();
    if chars > 0 {
        out.push(Family {
            family: "char n-grams".into(),
            terms: chars,
        });
    }
    out
}

impl ModelDescription {
    /// The description of `model` (loaded from the file named `path`), with
    /// `k` top terms per head and class.
    pub fn of(model: &StanceModel, path: &str, k: usize) -> ModelDescription {
        ModelDescription {
            model: path.to_string(),
            topics: model.topic.labels.clone(),
            stance_labels: model.stance_labels(),
            stance_roles: model.roles.clone(),
            vocabulary: VocabularySize {
                terms: model.vectorizer.vocabulary().len(),
                families: families(model),
            },
            analyzer: model.vectorizer.config().analyzer.clone(),
            training: model.meta.clone(),
            calibration: model.calibration.clone(),
            context_stage: model.context.is_some(),
            top_terms: model.top_terms(k),
            fits: fits(model),
        }
    }

    /// The description as one JSON value (object keys sorted).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}
