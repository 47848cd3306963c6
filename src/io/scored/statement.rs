//! One scored statement: borrowed from a scorer's buffers ([`StatementView`])
//! while its rows are formatted, or owned ([`Statement`]) by a library user or
//! a reader of the written rows.

use super::schema::{rounded, UNCERTAIN};
use crate::io::articles::Article;

/// The model's labels as the writers need them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labels {
    /// Topic labels, in the model's order.
    pub topics: Vec<String>,
    /// Per topic, the labels of the stance head used for it; empty for a topic-only model.
    pub stances: Vec<Vec<String>>,
}

impl Labels {
    /// The stance labels of the head used for topic `topic` (empty without stance).
    pub fn stances_of(&self, topic: usize) -> &[String] {
        self.stances.get(topic).map_or(&[], Vec::as_slice)
    }
}

/// One scored statement, borrowed from the scorer's buffers.
#[derive(Debug, Clone, Copy)]
pub struct StatementView<'a> {
    /// The model's labels, which the indices below refer to.
    pub labels: &'a Labels,
    /// The article it belongs to.
    pub article: &'a Article,
    /// 1-based index in the article.
    pub sentence: usize,
    /// Byte offset of its start in the article text.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// The sentence.
    pub text: &'a str,
    /// Index of the most probable topic.
    pub best_topic: usize,
    /// Probability of every topic, in label order.
    pub topic_probs: &'a [f64],
    /// The best topic's probability is below the threshold: written as `uncertain`.
    pub uncertain: bool,
    /// The threshold for `uncertain`, if one was set.
    pub min_confidence: Option<f64>,
    /// Index of the stance among the best topic's stance labels; `None` for a topic-only model.
    pub stance: Option<usize>,
    /// Probability of every stance label of the best topic's head (empty without stance).
    pub stance_probs: &'a [f64],
    /// With explanations: (term, contribution) for the topic decision.
    pub topic_terms: &'a [(String, f64)],
    /// With explanations: (term, contribution) for the stance decision.
    pub stance_terms: &'a [(String, f64)],
    /// Distinct vocabulary terms found in the statement (0: nothing to go on, so `uncertain`).
    pub known_terms: usize,
    /// The article's language (ISO 639-3), when detected with confidence.
    pub language: Option<&'a str>,
}

impl<'a> StatementView<'a> {
    /// The most probable topic's label.
    pub fn best_topic_label(&self) -> &'a str {
        self.labels
            .topics
            .get(self.best_topic)
            .map_or("", String::as_str)
    }

    /// The topic written: the best topic's label, or [`UNCERTAIN`].
    pub fn topic_label(&self) -> &'a str {
        if self.uncertain {
            UNCERTAIN
        } else {
            self.best_topic_label()
        }
    }

    /// The best topic's probability.
    pub fn topic_prob(&self) -> Option<f64> {
        self.topic_probs.get(self.best_topic).copied()
    }

    /// The stance labels of the head used (empty without stance).
    pub fn stance_labels(&self) -> &'a [String] {
        self.labels.stances_of(self.best_topic)
    }

    /// The stance's label, if the model has stance.
    pub fn stance_label(&self) -> Option<&'a str> {
        let labels = self.stance_labels();
        self.stance.and_then(|s| labels.get(s)).map(String::as_str)
    }

    /// The stance's probability, if the model has stance.
    pub fn stance_prob(&self) -> Option<f64> {
        self.stance.and_then(|s| self.stance_probs.get(s).copied())
    }

    /// The same statement, owned, with every value as computed.
    pub fn to_statement(&self) -> Statement {
        let pairs = |labels: &[String], probs: &[f64]| -> Vec<(String, f64)> {
            labels.iter().cloned().zip(probs.iter().copied()).collect()
        };
        Statement {
            topic_prob: self.topic_prob().unwrap_or(0.0),
            stance_prob: self.stance_label().and(self.stance_prob()),
            topic_probs: pairs(&self.labels.topics, self.topic_probs),
            stance_probs: match self.stance {
                Some(_) => pairs(self.stance_labels(), self.stance_probs),
                None => Vec::new(),
            },
            topic_terms: self.topic_terms.to_vec(),
            stance_terms: self.stance_terms.to_vec(),
            ..self.read_back()
        }
    }

    /// The statement as a reader of the written row gets it back
    /// ([`ScoredReader`](super::ScoredReader)): probabilities rounded to
    /// [`DECIMALS`](super::DECIMALS) digits, and no probability maps or terms.
    pub fn read_back(&self) -> Statement {
        let article = self.article;
        Statement {
            article_id: article.id.clone(),
            sentence: self.sentence,
            start: self.start,
            end: self.end,
            text: self.text.to_string(),
            topic: self.topic_label().to_string(),
            topic_prob: rounded(self.topic_prob().unwrap_or(0.0)),
            stance: self.stance_label().map(str::to_string),
            stance_prob: self.stance_label().and(self.stance_prob()).map(rounded),
            date: article.date.clone(),
            source: article.source.clone(),
            best_topic: self.best_topic_label().to_string(),
            min_confidence: self.min_confidence,
            known_terms: Some(self.known_terms),
            language: self.language.map(str::to_string),
            topic_probs: Vec::new(),
            stance_probs: Vec::new(),
            topic_terms: Vec::new(),
            stance_terms: Vec::new(),
        }
    }
}

/// One scored statement (a sentence of an article): what `stance score
/// --format jsonl` writes for it, owned.
///
/// From a [`Scorer`](crate::pipeline::Scorer) the probabilities are as computed
/// (written, they are rounded to [`DECIMALS`](super::DECIMALS) digits); read
/// back from a file by [`ScoredReader`](super::ScoredReader) they are as
/// written, and the probability maps and terms, which `stance report` does not
/// use, are left empty.
///
/// Note: `#[non_exhaustive]` so that fields can be added (a new column of
/// the output) without breaking code that reads these; outside this crate,
/// start from [`Statement::default`] to make one.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Statement {
    /// The article it belongs to.
    pub article_id: String,
    /// 1-based index of the sentence in its article.
    pub sentence: usize,
    /// Byte offset where the sentence starts in the article text.
    pub start: usize,
    /// Byte offset just past the sentence.
    pub end: usize,
    /// The sentence itself.
    pub text: String,
    /// The topic: the best topic, or [`UNCERTAIN`] when its probability was below the threshold.
    pub topic: String,
    /// Probability of the best topic, in [0, 1].
    pub topic_prob: f64,
    /// The stance toward the best topic; `None` for a topic-only model.
    pub stance: Option<String>,
    /// Its probability, in [0, 1].
    pub stance_prob: Option<f64>,
    /// The article's publication date, ISO `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Where the article came from.
    pub source: Option<String>,
    /// The best topic, even when `topic` is [`UNCERTAIN`].
    pub best_topic: String,
    /// The threshold under which the topic is [`UNCERTAIN`], if one was set.
    pub min_confidence: Option<f64>,
    /// Distinct vocabulary terms found in the statement; a statement with
    /// none is [`UNCERTAIN`] whatever the threshold. `None` when read from a
    /// file written before the column existed.
    pub known_terms: Option<usize>,
    /// The article's language as detected (ISO 639-3: `eng`, `fra`, `ara`),
    /// when the detector was confident. An article in another language than
    /// the model's has every statement [`UNCERTAIN`].
    pub language: Option<String>,
    /// Every topic's probability, in the model's label order.
    pub topic_probs: Vec<(String, f64)>,
    /// Every stance label's probability under the best topic's head (empty without stance).
    pub stance_probs: Vec<(String, f64)>,
    /// With explanations: the (term, contribution) pairs that weighed most in the topic decision.
    pub topic_terms: Vec<(String, f64)>,
    /// With explanations: the same for the stance decision.
    pub stance_terms: Vec<(String, f64)>,
}
