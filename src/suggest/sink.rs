//! The [`Sink`] that feeds scored articles into a [`CandidatePool`].

use std::sync::Arc;

use super::candidates::{rank, Candidate, CandidatePool, Guess};
use super::exclude::Exclusions;
use super::options::{Strategy, ValidSuggestOptions};
use crate::analysis::{fingerprint_of_normalized, normalized_text};
use crate::error::Result;
use crate::io::{Article, Rejected, StatementView};
use crate::pipeline::{Encoder, Sink};

/// Collects the candidates of a [`pipeline::run`](crate::pipeline::run) in
/// bounded memory ([`ValidSuggestOptions::kept_per_topic`] per topic), and
/// the items that could not be scored.
#[derive(Debug)]
pub struct SuggestSink {
    encoder: ToCandidates,
    pool: CandidatePool,
    articles: u64,
    excluded: u64,
    rejected: Vec<Rejected>,
}

/// What a [`SuggestSink`] gathered.
#[derive(Debug)]
pub struct Gathered {
    /// The candidates kept.
    pub pool: CandidatePool,
    /// Statements left out by the exclusions or the topic filter.
    pub excluded: u64,
    /// The items that could not be scored.
    pub rejected: Vec<Rejected>,
}

/// The encoder of [`SuggestSink`]: one article's statements as candidates.
#[derive(Debug, Clone)]
pub struct ToCandidates {
    exclusions: Arc<Exclusions>,
    strategy: Strategy,
    seed: u64,
    topic: Option<String>,
}

/// One article's candidates, and its sentences for their context.
#[derive(Debug, Default)]
pub struct ArticleCandidates {
    sentences: Vec<String>,
    candidates: Vec<Candidate>,
    excluded: u64,
}

impl ToCandidates {
    /// The encoder for these options and exclusions.
    pub fn new(options: &ValidSuggestOptions, exclusions: Arc<Exclusions>) -> ToCandidates {
        let o = options.get();
        ToCandidates {
            exclusions,
            strategy: o.strategy,
            seed: o.seed,
            topic: o.topic.clone(),
        }
    }

    /// The candidate for one statement, or `None` when it is left out.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn candidate(
        &self,
        article_id: &str,
        sentence: usize,
        text: &str,
        topic: &str,
        stance: Option<(&str, f64)>,
        topic_prob: f64,
        guess: Guess<'_>,
    ) -> Option<Candidate> {
        if self.topic.as_deref().is_some_and(|t| t != topic) {
            return None;
        }
        let id = format!("{article_id}:{sentence}");
        let normalized = normalized_text(text);
        let fingerprint = fingerprint_of_normalized(&normalized);
        if self.exclusions.excludes(&id, &normalized) {
            return None;
        }
        let (margin, rank) = rank(guess, fingerprint, self.strategy, self.seed);
        Some(Candidate {
            id,
            text: text.trim().to_string(),
            topic: topic.to_string(),
            stance: stance.map(|s| s.0.to_string()),
            article_id: article_id.to_string(),
            sentence,
            context_before: String::new(),
            context_after: String::new(),
            topic_prob,
            stance_prob: stance.map(|s| s.1),
            margin,
            rank,
            source: None,
            date: None,
            title: None,
            fingerprint,
            order: 0,
        })
    }
}

/// Fills each candidate's context from the article's sentences (1-based).
fn fill_context(candidates: &mut [Candidate], sentences: &[String]) {
    for c in candidates {
        let i = c.sentence.saturating_sub(1);
        if i >= 1 {
            c.context_before = sentences.get(i - 1).cloned().unwrap_or_default();
        }
        c.context_after = sentences.get(i + 1).cloned().unwrap_or_default();
    }
}

impl Encoder for ToCandidates {
    type Part = ArticleCandidates;

    fn start(&self, _article: &Article, statements: usize) -> ArticleCandidates {
        ArticleCandidates {
            sentences: Vec::with_capacity(statements),
            ..ArticleCandidates::default()
        }
    }

    fn statement(&self, part: &mut ArticleCandidates, s: &StatementView<'_>) {
        part.sentences.push(s.text.trim().to_string());
        let stance = s.stance.map(|i| {
            let labels = s.labels.stances_of(s.best_topic);
            (
                labels.get(i).map_or("", String::as_str),
                s.stance_probs.get(i).copied().unwrap_or(0.0),
            )
        });
        let guess = Guess {
            topic_probs: s.topic_probs,
            stance_probs: s.stance_probs,
            known_terms: Some(s.known_terms),
        };
        let topic_prob = s.topic_probs.get(s.best_topic).copied().unwrap_or(0.0);
        match self.candidate(
            &s.article.id,
            s.sentence,
            s.text,
            s.best_topic_label(),
            stance,
            topic_prob,
            guess,
        ) {
            Some(c) => part.candidates.push(c),
            None => part.excluded += 1,
        }
    }

    fn end(&self, part: &mut ArticleCandidates, article: &Article) {
        fill_context(&mut part.candidates, &part.sentences);
        for c in &mut part.candidates {
            c.source.clone_from(&article.source);
            c.date.clone_from(&article.date);
            c.title.clone_from(&article.title);
        }
        part.sentences = Vec::new();
    }
}

impl ArticleCandidates {
    /// Adds a candidate.
    pub(super) fn push(&mut self, c: Candidate) {
        self.candidates.push(c);
    }

    /// Counts a statement left out.
    pub(super) fn exclude(&mut self) {
        self.excluded += 1;
    }

    /// Fills the candidates' context from the article's sentences.
    pub(super) fn fill(&mut self, sentences: &[String]) {
        fill_context(&mut self.candidates, sentences);
    }
}

impl SuggestSink {
    /// What it gathered (as [`Sink::finish`], for candidates fed directly).
    pub fn finish_gathering(self) -> Result<Gathered> {
        Sink::finish(self)
    }

    /// Its encoder.
    pub(super) fn encoder_ref(&self) -> &ToCandidates {
        &self.encoder
    }

    /// A sink for these options and exclusions.
    pub fn new(options: &ValidSuggestOptions, exclusions: Arc<Exclusions>) -> SuggestSink {
        SuggestSink {
            encoder: ToCandidates::new(options, exclusions),
            pool: CandidatePool::new(options.kept_per_topic()),
            articles: 0,
            excluded: 0,
            rejected: Vec::new(),
        }
    }

    /// Takes one article's candidates, numbered as the next article of the inputs.
    pub(super) fn take(&mut self, part: ArticleCandidates) {
        for mut c in part.candidates {
            c.order = self.articles;
            self.pool.offer(c);
        }
        self.articles += 1;
        self.excluded += part.excluded;
    }
}

impl Sink for SuggestSink {
    type Encoder = ToCandidates;
    type Output = Gathered;

    fn encoder(&self) -> ToCandidates {
        self.encoder.clone()
    }

    fn write(&mut self, part: ArticleCandidates) -> Result<()> {
        self.take(part);
        Ok(())
    }

    fn reject(&mut self, rejected: &Rejected) -> Result<()> {
        self.rejected.push(rejected.clone());
        Ok(())
    }

    fn finish(self) -> Result<Gathered> {
        Ok(Gathered {
            pool: self.pool,
            excluded: self.excluded,
            rejected: self.rejected,
        })
    }
}
