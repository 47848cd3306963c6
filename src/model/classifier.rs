//! The two-headed model: topic, then stance given the topic.

use serde::{Deserialize, Serialize};

use super::calibrate::Calibration;
use super::context::ArticleContext;
use super::head::LinearHead;
use super::roles::StanceRoles;
use super::training_texts::TrainingTexts;
use crate::features::{FeatureRow, SurfaceForms, Vectorizer};

/// The topic given to statements whose best topic was not confident enough.
///
/// Reserved: `train` refuses it as a topic label and loading refuses a model
/// that has it, as `report` counts every statement with it as low-confidence.
pub const UNCERTAIN: &str = "uncertain";

/// The stance classifier used for one topic.
#[derive(Debug, Clone, PartialEq)]
pub enum StanceHead {
    /// Trained on that topic's rows.
    Own(Box<LinearHead>),
    /// Too few rows for the topic: the shared head trained on all rows.
    Shared,
}

/// Stance heads, one per topic (in the topic head's label order), plus the shared fallback.
#[derive(Debug, Clone, PartialEq)]
pub struct StanceHeads {
    /// Per topic, aligned with the topic head's labels.
    pub per_topic: Vec<StanceHead>,
    /// Trained on all rows; present when some topic falls back to it.
    pub shared: Option<LinearHead>,
}

/// Cross-validation result for one value of C.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvScore {
    /// Which head: `"topic"` or `"stance:<topic>"` or `"stance:*"`.
    pub head: String,
    /// The C tried.
    pub c: f64,
    /// The metric maximised: "f_avg" (favor/against labels) or "macro_f1".
    pub metric: String,
    /// Its mean over the folds.
    pub score: f64,
}

/// How the model was made; stored in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TrainingMeta {
    /// SHA-256 of the training data's bytes (the files' bytes concatenated, in order).
    pub data_sha256: String,
    /// Rows trained on.
    pub n_rows: usize,
    /// Column names used: text, topic, stance (empty when topic-only).
    pub columns: Vec<String>,
    /// The training parameters, as given on the command line.
    pub params: Vec<(String, String)>,
    /// Cross-validation scores, when C was chosen by cross-validation.
    pub cv: Vec<CvScore>,
    /// The `stance` version that trained it.
    pub trained_by: String,
    /// When it was trained, RFC 3339 UTC; recorded only when the trainer
    /// gives a date (`stance train` takes `SOURCE_DATE_EPOCH`), absent otherwise
    /// and in older models.
    ///
    /// Note: never the clock by default: the same data and parameters must
    /// give the same bytes (the shipped model is checked byte for byte), so
    /// a date is recorded only when one is fixed from outside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trained_at: Option<String>,
    /// Each training file, in the order its rows were concatenated (absent in
    /// models from before several `--data` files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_files: Vec<DataFile>,
    /// Fingerprints of the training texts, which `suggest` never offers
    /// (absent in older models).
    #[serde(default, skip_serializing_if = "TrainingTexts::is_empty")]
    pub training_texts: TrainingTexts,
}

/// One training file: what `train` read from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DataFile {
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Rows read from it.
    pub rows: usize,
}

/// A trained model: vectorizer, topic head and optional stance heads.
#[derive(Debug, Clone)]
pub struct StanceModel {
    /// Text to features.
    pub vectorizer: Vectorizer,
    /// Topic classifier.
    pub topic: LinearHead,
    /// Stance classifiers; None for a topic-only model.
    pub stance: Option<StanceHeads>,
    /// Which stance labels mean favor, against and neutral (empty for a topic-only model).
    pub roles: StanceRoles,
    /// Provenance.
    pub meta: TrainingMeta,
    /// The article-context stage for the topic head, when trained with articles.
    pub context: Option<ArticleContext>,
    /// The heads' temperatures, when trained with calibration.
    pub calibration: Option<Calibration>,
    /// The words each term was written as most often in the training data
    /// (none in models from before format version 2).
    pub surface: SurfaceForms,
}

/// One statement's prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Index into the topic labels.
    pub topic: usize,
    /// Probability per topic label.
    pub topic_probs: Vec<f64>,
    /// Stance label and probabilities from the predicted topic's head.
    pub stance: Option<StancePrediction>,
}

/// A stance head's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct StancePrediction {
    /// The predicted label.
    pub label: String,
    /// Its probability.
    pub prob: f64,
    /// (label, probability) for every class of the head used.
    pub probs: Vec<(String, f64)>,
}

impl StanceModel {
    /// Topic labels, in the head's order.
    pub fn topics(&self) -> &[String] {
        &self.topic.labels
    }

    /// Every stance label of every head, sorted, each once (empty for a topic-only model).
    pub fn stance_labels(&self) -> Vec<String> {
        let Some(heads) = &self.stance else {
            return Vec::new();
        };
        let mut labels: Vec<String> = heads
            .per_topic
            .iter()
            .filter_map(|h| match h {
                StanceHead::Own(h) => Some(h.labels.iter()),
                StanceHead::Shared => None,
            })
            .chain(heads.shared.iter().map(|h| h.labels.iter()))
            .flatten()
            .cloned()
            .collect();
        labels.sort_unstable();
        labels.dedup();
        labels
    }

    /// The stance head for `topic`, if the model has stance and knows the topic.
    pub fn stance_head(&self, topic: &str) -> Option<&LinearHead> {
        let heads = self.stance.as_ref()?;
        let i = self.topic.labels.iter().position(|t| t == topic);
        match i.map(|i| &heads.per_topic[i]) {
            Some(StanceHead::Own(h)) => Some(h),
            Some(StanceHead::Shared) | None => heads.shared.as_ref(),
        }
    }

    /// Stance of a featurised row under `topic`'s head.
    pub fn stance_given(&self, topic: &str, row: &FeatureRow) -> Option<StancePrediction> {
        let head = self.stance_head(topic)?;
        let mut p = vec![0.0; head.n_classes()];
        head.probabilities(&row.cols, &row.vals, &mut p);
        let best = LinearHead::argmax(&p);
        Some(StancePrediction {
            label: head.labels[best].clone(),
            prob: p[best],
            probs: head.labels.iter().cloned().zip(p).collect(),
        })
    }

    /// Topic and stance of a featurised row.
    pub fn predict_row(&self, row: &FeatureRow) -> Prediction {
        let mut tp = vec![0.0; self.topic.n_classes()];
        self.topic.probabilities(&row.cols, &row.vals, &mut tp);
        let topic = LinearHead::argmax(&tp);
        let stance = self.stance_given(&self.topic.labels[topic], row);
        Prediction {
            topic,
            topic_probs: tp,
            stance,
        }
    }

    /// Topic and stance of a text (analysed with `analyzer`, buffers in `row`).
    pub fn predict_text(
        &self,
        analyzer: &mut crate::analysis::Analyzer,
        text: &str,
        row: &mut FeatureRow,
    ) -> Prediction {
        self.vectorizer.transform_one(analyzer, text, row);
        self.predict_row(row)
    }
}

/// The terms with the largest weights for one class of one head.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopTerms {
    /// `"topic"`, or `"stance:<topic>"` (or `"stance:*"` for the shared head).
    pub head: String,
    /// The class.
    pub label: String,
    /// (term as people wrote it, weight), largest weight first: the term's
    /// most frequent surface form, or the term itself when the model has none.
    pub terms: Vec<(String, f64)>,
    /// The same terms as the model stores them (stems), in the same order.
    pub stems: Vec<String>,
}

impl StanceModel {
    /// For every head and class, the `k` terms with the largest weights.
    pub fn top_terms(&self, k: usize) -> Vec<TopTerms> {
        let mut heads: Vec<(String, &LinearHead)> = vec![("topic".into(), &self.topic)];
        if let Some(s) = &self.stance {
            for (t, h) in self.topic.labels.iter().zip(&s.per_topic) {
                if let StanceHead::Own(h) = h {
                    heads.push((format!("stance:{t}"), h));
                }
            }
            if let Some(h) = &s.shared {
                heads.push(("stance:*".into(), h));
            }
        }
        let terms = self.vectorizer.vocabulary().terms();
        let mut out = Vec::new();
        for (name, head) in heads {
            if head.n_classes() < 2 {
                continue;
            }
            for (c, label) in head.labels.iter().enumerate() {
                let col = head.weights.column(c);
                let mut idx: Vec<usize> = (0..col.len()).collect();
                idx.sort_by(|&a, &b| col[b].total_cmp(&col[a]).then(a.cmp(&b)));
                idx.truncate(k);
                out.push(TopTerms {
                    head: name.clone(),
                    label: label.clone(),
                    terms: idx
                        .iter()
                        .map(|&j| (self.surface.show(j, &terms[j]), col[j]))
                        .collect(),
                    stems: idx
                        .iter()
                        .map(|&j| crate::features::display_term(&terms[j]))
                        .collect(),
                });
            }
        }
        out
    }
}
