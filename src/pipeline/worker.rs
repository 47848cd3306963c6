//! One scoring thread's analyzer and buffers, and the pool that keeps them between batches.

use std::sync::Mutex;

use super::options::Unit;
use super::scorer::Scorer;
use super::sink::Encoder;
use crate::analysis::{detect_language, split_sentences, Analyzer, SentenceSpan};
use crate::features::FeatureRow;
use crate::io::{Article, Item, Rejected, StatementView};
use crate::model::{apply_temperature, ArticleContext, LinearHead, StanceContext};

/// What scoring one item gives.
pub(crate) enum Scored<P> {
    /// A scored article's part, and how many statements it had.
    Article {
        /// What the encoder made of it.
        part: P,
        /// Its statements.
        statements: usize,
        /// Its language was detected, and is not the model's.
        other_language: bool,
    },
    /// Passed through from the reader.
    Rejected(Rejected),
}

/// One statement's scores, borrowed from a worker's buffers.
pub(crate) struct Scores<'a> {
    /// Its feature row (TF-IDF weighed).
    pub(crate) row: &'a FeatureRow,
    pub(crate) best_topic: usize,
    pub(crate) topic_probs: &'a [f64],
    pub(crate) uncertain: bool,
    pub(crate) stance: Option<usize>,
    pub(crate) stance_probs: &'a [f64],
    pub(crate) topic_terms: &'a [(String, f64)],
    pub(crate) stance_terms: &'a [(String, f64)],
    /// Distinct vocabulary terms in the row.
    pub(crate) known_terms: usize,
    /// In an article scored in context: per topic, every statement's stance
    /// probabilities in context (empty for a topic without a stance stage),
    /// and this statement's index.
    pub(crate) context_stance: Option<(&'a [Vec<f64>], usize)>,
}

impl Scores<'_> {
    /// The statement's stance probabilities in its article's context under
    /// the topic at `topic`, when the model has a stance stage for it.
    pub(crate) fn stance_in_context(&self, topic: usize, classes: usize) -> Option<&[f64]> {
        let (all, i) = self.context_stance?;
        let probs = all.get(topic)?;
        probs.get(i * classes..(i + 1) * classes)
    }
}

/// One thread's analyzer and buffers, kept from batch to batch.
pub(crate) struct Worker {
    analyzer: Analyzer,
    /// The statement being scored.
    row: FeatureRow,
    /// The statement after it, analysed ahead.
    next_row: FeatureRow,
    topic_probs: Vec<f64>,
    stance_probs: Vec<f64>,
    topic_terms: Vec<(String, f64)>,
    stance_terms: Vec<(String, f64)>,
    /// An article's rows, when it is scored in context.
    rows: Vec<FeatureRow>,
    /// Its statements' first-stage topic probabilities.
    first_probs: Vec<f64>,
    /// And the context stage's.
    context_probs: Vec<f64>,
    /// Per topic, its statements' first-stage stance probabilities under the topic's head.
    first_stance: Vec<Vec<f64>>,
    /// Per topic, their stance probabilities in context (empty without a stance stage).
    context_stance: Vec<Vec<f64>>,
}

/// A worker's per-statement output buffers.
struct Outputs<'w> {
    stance_probs: &'w mut Vec<f64>,
    topic_terms: &'w mut Vec<(String, f64)>,
    stance_terms: &'w mut Vec<(String, f64)>,
}

impl Outputs<'_> {
    /// The stance and explanations of a statement with feature row `row`
    /// and (final) topic probabilities `topic_probs`, handed to `each`.
    fn finish(
        &mut self,
        s: &Scorer,
        row: &FeatureRow,
        topic_probs: &[f64],
        context_stance: Option<(&[Vec<f64>], usize)>,
        each: impl FnOnce(&Scores<'_>),
    ) {
        let best = LinearHead::argmax(topic_probs);
        let head = s.head_of(best);
        let stance = head.map(|h| {
            let c = h.n_classes();
            self.stance_probs.resize(c, 0.0);
            let in_context = context_stance
                .and_then(|(all, i)| all.get(best).and_then(|p| p.get(i * c..(i + 1) * c)));
            match in_context {
                Some(p) => self.stance_probs.copy_from_slice(p),
                None => {
                    h.probabilities(&row.cols, &row.vals, self.stance_probs);
                    apply_temperature(self.stance_probs, s.stance_temperature_of(best));
                }
            }
            LinearHead::argmax(self.stance_probs)
        });
        if let Some(k) = s.options.explain() {
            s.explain(None, row, best, k, self.topic_terms);
            match head.zip(stance) {
                Some((h, c)) => s.explain(Some(h), row, c, k, self.stance_terms),
                None => self.stance_terms.clear(),
            }
        }
        let scores = Scores {
            row,
            best_topic: best,
            topic_probs,
            // Note: with no known term the probabilities are the intercepts
            // alone (Arabic text scored `other 0.9059`): nothing to go on.
            uncertain: row.cols.is_empty()
                || s.options
                    .min_confidence()
                    .is_some_and(|p| topic_probs.get(best).is_some_and(|&b| b < p)),
            stance,
            stance_probs: if head.is_some() {
                self.stance_probs
            } else {
                &[]
            },
            topic_terms: self.topic_terms,
            stance_terms: self.stance_terms,
            known_terms: row.cols.len(),
            context_stance,
        };
        each(&scores);
    }
}

impl Worker {
    pub(crate) fn new(s: &Scorer) -> Worker {
        Worker {
            analyzer: s.vectorizer.analyzer(),
            row: FeatureRow::default(),
            next_row: FeatureRow::default(),
            topic_probs: vec![0.0; s.topic_rows.n_classes()],
            stance_probs: Vec::new(),
            topic_terms: Vec::new(),
            stance_terms: Vec::new(),
            rows: Vec::new(),
            first_probs: Vec::new(),
            context_probs: Vec::new(),
            first_stance: Vec::new(),
            context_stance: Vec::new(),
        }
    }

    /// Scores the `spans` of `text` in order, handing each statement's scores to `each`.
    ///
    /// Note: the next statement is analysed first and its weight rows (with
    /// the idf, in `IdfRows`) are prefetched, so they arrive while this
    /// statement is weighed, its heads run and its row is written (the rows
    /// and the idf of a large model are mostly not in cache: the heads waited
    /// on the rows for 12% of the time, the weighing on the idf for 4%).
    pub(crate) fn score_spans(
        &mut self,
        s: &Scorer,
        text: &str,
        spans: &[SentenceSpan],
        mut each: impl FnMut(usize, &SentenceSpan, &Scores<'_>),
    ) {
        if let (Some(context), true) = (s.context.as_ref(), spans.len() > 1) {
            return self.score_in_context(s, context, text, spans, each);
        }
        let vectorizer = &s.vectorizer;
        if let Some(first) = spans.first() {
            vectorizer.count_terms(&mut self.analyzer, first.slice(text), &mut self.row);
        }
        for (i, span) in spans.iter().enumerate() {
            if let Some(next) = spans.get(i + 1) {
                vectorizer.count_terms(&mut self.analyzer, next.slice(text), &mut self.next_row);
                s.topic_rows.prefetch(&self.next_row.cols);
            }
            let row = &mut self.row;
            s.topic_rows.weigh(&row.cols, &row.counts, &mut row.vals);
            s.topic_rows
                .probabilities(&row.cols, &row.vals, &mut self.topic_probs);
            apply_temperature(&mut self.topic_probs, s.topic_temperature);
            let mut out = Outputs {
                stance_probs: &mut self.stance_probs,
                topic_terms: &mut self.topic_terms,
                stance_terms: &mut self.stance_terms,
            };
            out.finish(s, &self.row, &self.topic_probs, None, |scores| {
                each(i, span, scores)
            });
            std::mem::swap(&mut self.row, &mut self.next_row);
        }
    }

    /// [`Worker::score_spans`] for an article of two or more statements and
    /// a model with a context stage: every statement's topic probabilities
    /// first, then the context stage over them, then each statement's stance
    /// under its topic in context.
    ///
    /// Note: the rows of the whole article are kept (memory bounded by the
    /// article's size, as the spans are), so no statement is analysed twice.
    fn score_in_context(
        &mut self,
        s: &Scorer,
        context: &ArticleContext,
        text: &str,
        spans: &[SentenceSpan],
        mut each: impl FnMut(usize, &SentenceSpan, &Scores<'_>),
    ) {
        let k = s.topic_rows.n_classes();
        let n = spans.len();
        if self.rows.len() < n {
            self.rows.resize_with(n, FeatureRow::default);
        }
        self.first_probs.clear();
        self.first_probs.resize(n * k, 0.0);
        for (i, span) in spans.iter().enumerate() {
            let row = &mut self.rows[i];
            s.vectorizer
                .count_terms(&mut self.analyzer, span.slice(text), row);
            s.topic_rows.weigh(&row.cols, &row.counts, &mut row.vals);
            s.topic_rows.probabilities(
                &row.cols,
                &row.vals,
                &mut self.first_probs[i * k..(i + 1) * k],
            );
        }
        context.apply(&self.first_probs, k, &mut self.context_probs);
        let stance_stages = context.stance.as_ref();
        if let Some(sc) = stance_stages {
            self.stance_in_context(s, sc, k, n);
        }
        for (i, span) in spans.iter().enumerate() {
            let mut out = Outputs {
                stance_probs: &mut self.stance_probs,
                topic_terms: &mut self.topic_terms,
                stance_terms: &mut self.stance_terms,
            };
            let probs = &self.context_probs[i * k..(i + 1) * k];
            let cs = stance_stages.map(|_| (self.context_stance.as_slice(), i));
            out.finish(s, &self.rows[i], probs, cs, |scores| each(i, span, scores));
        }
    }

    /// Every statement's stance probabilities in context under every topic
    /// with a stance stage, into `context_stance` (from the article's `n`
    /// rows and first-stage topic probabilities).
    fn stance_in_context(&mut self, s: &Scorer, sc: &StanceContext, k: usize, n: usize) {
        self.first_stance.resize_with(k, Vec::new);
        self.context_stance.resize_with(k, Vec::new);
        let mut about = Vec::with_capacity(n);
        let mut f = Vec::new();
        for t in 0..k {
            self.context_stance[t].clear();
            let (Some(stage), Some(head)) = (sc.stage(t), s.head_of(t)) else {
                continue;
            };
            let c = head.n_classes();
            let first = &mut self.first_stance[t];
            first.clear();
            first.resize(n * c, 0.0);
            for (i, row) in self.rows[..n].iter().enumerate() {
                head.probabilities(&row.cols, &row.vals, &mut first[i * c..(i + 1) * c]);
            }
            about.clear();
            about.extend((0..n).map(|i| self.first_probs[i * k + t]));
            let out = &mut self.context_stance[t];
            out.resize(n * c, 0.0);
            for i in 0..n {
                stage.apply(first, &about, i, &mut f, &mut out[i * c..(i + 1) * c]);
            }
        }
    }

    /// Scores every sentence of `article` into `encoder`'s part; also says
    /// whether the article's language is detected and is not the model's
    /// (its statements are then all `uncertain`).
    pub(crate) fn score_article<E: Encoder>(
        &mut self,
        s: &Scorer,
        encoder: &E,
        article: &Article,
    ) -> (E::Part, usize, bool) {
        let spans = match s.options.unit() {
            Unit::Sentence => split_sentences(&article.text),
            Unit::Row => whole_span(&article.text).into_iter().collect(),
        };
        self.score_article_spans(s, encoder, article, &spans)
    }

    /// Scores the `spans` of `article` as its statements into `encoder`'s part
    /// (and says, as [`Worker::score_article`] does, whether its language is another).
    pub(crate) fn score_article_spans<E: Encoder>(
        &mut self,
        s: &Scorer,
        encoder: &E,
        article: &Article,
        spans: &[SentenceSpan],
    ) -> (E::Part, usize, bool) {
        let language = detect_language(&article.text);
        let other_language = language.is_some_and(|l| l.code != s.language_code());
        let mut part = encoder.start(article, spans.len());
        let text = article.text.as_str();
        self.score_spans(s, text, spans, |i, span, scores| {
            let view = StatementView {
                labels: &s.labels,
                article,
                sentence: i + 1,
                start: span.start,
                end: span.end,
                text: span.slice(text),
                best_topic: scores.best_topic,
                topic_probs: scores.topic_probs,
                uncertain: scores.uncertain || other_language,
                min_confidence: s.options.min_confidence(),
                stance: scores.stance,
                stance_probs: scores.stance_probs,
                topic_terms: scores.topic_terms,
                stance_terms: scores.stance_terms,
                known_terms: scores.known_terms,
                language: language.map(|l| l.code),
            };
            encoder.statement(&mut part, &view);
        });
        encoder.end(&mut part, article);
        (part, spans.len(), other_language)
    }

    /// Scores one item: an article into `encoder`'s part, a reject passed through.
    pub(crate) fn score_item<E: Encoder>(
        &mut self,
        s: &Scorer,
        encoder: &E,
        item: Item,
    ) -> Scored<E::Part> {
        match item {
            Item::Article(article) => {
                let (part, statements, other_language) = self.score_article(s, encoder, &article);
                Scored::Article {
                    part,
                    statements,
                    other_language,
                }
            }
            Item::Rejected(r) => Scored::Rejected(r),
        }
    }
}

/// The whole of `text` as one statement, without the white space around it;
/// none when it is all white space (as [`split_sentences`] finds no sentence in it).
pub(crate) fn whole_span(text: &str) -> Option<SentenceSpan> {
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    (start < end).then_some(SentenceSpan { start, end })
}

/// Workers kept between batches, so each thread's analyzer memo stays warm.
pub(crate) struct Pool<'s> {
    scorer: &'s Scorer,
    idle: Mutex<Vec<Worker>>,
}

/// A worker on loan from the pool; it goes back when the lease is dropped.
pub(crate) struct Lease<'p, 's> {
    pool: &'p Pool<'s>,
    worker: Option<Worker>,
}

impl<'s> Pool<'s> {
    pub(crate) fn new(scorer: &'s Scorer) -> Pool<'s> {
        Pool {
            scorer,
            idle: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn lease(&self) -> Lease<'_, 's> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        Lease {
            pool: self,
            worker: Some(idle.unwrap_or_else(|| Worker::new(self.scorer))),
        }
    }
}

impl Lease<'_, '_> {
    fn worker(&mut self) -> &mut Worker {
        let scorer = self.pool.scorer;
        self.worker.get_or_insert_with(|| Worker::new(scorer))
    }

    pub(crate) fn score_item<E: Encoder>(&mut self, encoder: &E, item: Item) -> Scored<E::Part> {
        let scorer = self.pool.scorer;
        self.worker().score_item(scorer, encoder, item)
    }

    pub(crate) fn score_article<E: Encoder>(
        &mut self,
        encoder: &E,
        article: &Article,
    ) -> (E::Part, usize, bool) {
        let scorer = self.pool.scorer;
        self.worker().score_article(scorer, encoder, article)
    }

    /// Scores the given `spans` of `text` as one article's statements, in order.
    pub(crate) fn score_given_spans(
        &mut self,
        text: &str,
        spans: &[SentenceSpan],
        each: impl FnMut(usize, &SentenceSpan, &Scores<'_>),
    ) {
        let scorer = self.pool.scorer;
        self.worker().score_spans(scorer, text, spans, each);
    }

    /// Scores the whole text of `article` as its one statement (not split into sentences).
    pub(crate) fn score_article_whole<E: Encoder>(
        &mut self,
        encoder: &E,
        article: &Article,
    ) -> (E::Part, usize, bool) {
        let scorer = self.pool.scorer;
        let whole = [SentenceSpan {
            start: 0,
            end: article.text.len(),
        }];
        self.worker()
            .score_article_spans(scorer, encoder, article, &whole)
    }

    /// Scores `text` as one statement (not split into sentences), handing its scores to `each`.
    pub(crate) fn score_whole(&mut self, text: &str, mut each: impl FnMut(&Scores<'_>)) {
        let scorer = self.pool.scorer;
        let whole = [SentenceSpan {
            start: 0,
            end: text.len(),
        }];
        self.worker()
            .score_spans(scorer, text, &whole, |_, _, scores| each(scores));
    }
}

impl Drop for Lease<'_, '_> {
    fn drop(&mut self) {
        if let (Some(w), Ok(mut idle)) = (self.worker.take(), self.pool.idle.lock()) {
            idle.push(w);
        }
    }
}
