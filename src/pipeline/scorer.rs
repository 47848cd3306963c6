//! The scorer: a trained model in its scoring form, with checked options.

use rayon::prelude::*;

use super::options::ValidScoreOptions;
use super::sink::ToStatements;
use super::worker::Pool;
use crate::error::{Error, Result};
use crate::features::{FeatureRow, SurfaceForms, Vectorizer};
use crate::io::{Article, Labels, Statement, UNCERTAIN};
use crate::model::{
    ArticleContext, IdfRows, LinearHead, StanceHead, StanceHeads, StanceModel, StanceRoles,
    TrainingMeta,
};

/// A trained model in the form scoring reads, with checked options: what
/// `stance score` runs, for one text, many, or a stream (see [`run`](super::run)).
///
/// Built from a [`StanceModel`], which it takes apart: the topic weights go
/// into rows padded to cache lines with each feature's idf (the model's `IdfRows`), the
/// stance heads stay as they are. Scoring only reads it, so one `Scorer` is
/// shared by every scoring thread.
///
/// ```
/// # fn main() -> stance::Result<()> {
/// use stance::model::StanceModel;
/// use stance::pipeline::{ScoreOptions, Scorer};
///
/// let model = StanceModel::load("models/default.model".as_ref())?;
/// let scorer = Scorer::new(model, ScoreOptions::default().check()?)?;
/// let statements = scorer.score_text("Iraqi MPs voted to end the coalition's mission. It rained.");
/// assert_eq!(statements.len(), 2);
/// assert_eq!(statements[0].topic, "coalition_withdrawal");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Scorer {
    pub(super) vectorizer: Vectorizer,
    /// The topic head's weights with the idf, row by row.
    pub(super) topic_rows: IdfRows,
    /// Every stance head, each once.
    stance_heads: Vec<LinearHead>,
    /// Per topic, the index in `stance_heads` of the head used for it.
    head_of_topic: Vec<Option<usize>>,
    /// The head for topics without their own (and for unknown ones).
    shared_head: Option<usize>,
    /// Whether the model has stance heads.
    has_stance: bool,
    pub(super) labels: Labels,
    pub(super) options: ValidScoreOptions,
    roles: StanceRoles,
    meta: TrainingMeta,
    /// The article-context stage, used on articles of two or more statements.
    pub(super) context: Option<ArticleContext>,
    /// The topic head's temperature (1 when the model is not calibrated).
    pub(super) topic_temperature: f64,
    /// Per entry of `stance_heads`, its temperature.
    stance_temperatures: Vec<f64>,
    /// How terms are shown in explanations.
    surface: SurfaceForms,
}

impl Scorer {
    /// The scorer of `model` with `options`.
    ///
    /// Fails when the model's topic weights do not have one row per feature,
    /// or when a threshold is set and a topic is named `uncertain` (it could
    /// not be told from a low-confidence statement).
    pub fn new(model: StanceModel, options: ValidScoreOptions) -> Result<Scorer> {
        let StanceModel {
            vectorizer,
            topic,
            stance,
            roles,
            meta,
            context,
            calibration,
            surface,
        } = model;
        if let Some(p) = options.min_confidence() {
            if topic.labels.iter().any(|t| t == UNCERTAIN) {
                return Err(Error::InvalidParam {
                    name: "min_confidence",
                    value: p.to_string(),
                    reason: format!(
                        "the model has a topic named {UNCERTAIN:?}, which a threshold would confuse with low confidence"
                    ),
                });
            }
        }
        let topic_rows = IdfRows::new(&topic, vectorizer.tfidf()).ok_or_else(|| {
            Error::InconsistentModel(
                "the topic weights do not have one row per vocabulary term".into(),
            )
        })?;
        let has_stance = stance.is_some();
        let mut stance_heads = Vec::new();
        let mut stance_temperatures = Vec::new();
        let (mut head_of_topic, mut shared_head) = (Vec::new(), None);
        let cal = calibration.as_ref();
        if let Some(StanceHeads { per_topic, shared }) = stance {
            shared_head = shared.map(|h| {
                stance_heads.push(h);
                stance_temperatures.push(cal.map_or(1.0, |c| c.shared_stance));
                stance_heads.len() - 1
            });
            for (t, h) in per_topic.into_iter().enumerate() {
                head_of_topic.push(match h {
                    StanceHead::Own(h) => {
                        stance_heads.push(*h);
                        stance_temperatures
                            .push(cal.and_then(|c| c.stance.get(t).copied()).unwrap_or(1.0));
                        Some(stance_heads.len() - 1)
                    }
                    StanceHead::Shared => shared_head,
                });
            }
        }
        head_of_topic.resize(topic.labels.len(), shared_head);
        let labels = Labels {
            stances: head_of_topic
                .iter()
                .map(|h| h.map_or_else(Vec::new, |h| stance_heads[h].labels.clone()))
                .collect(),
            topics: topic.labels,
        };
        // Note: the topic head's own weights are dropped here: the rows hold
        // them too (58 MB for 20 Newsgroups would otherwise be held twice).
        Ok(Scorer {
            vectorizer,
            topic_rows,
            stance_heads,
            head_of_topic,
            shared_head,
            has_stance,
            labels,
            options,
            roles,
            meta,
            context,
            topic_temperature: calibration.as_ref().map_or(1.0, |c| c.topic),
            stance_temperatures,
            surface,
        })
    }

    /// The model's labels: topics, and per topic the stance labels of its head.
    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    /// Whether the model has stance heads (else it is topic-only).
    pub fn has_stance(&self) -> bool {
        self.has_stance
    }

    /// Which stance labels mean favor, against and neutral.
    pub fn roles(&self) -> &StanceRoles {
        &self.roles
    }

    /// The options it scores with.
    pub fn options(&self) -> &ValidScoreOptions {
        &self.options
    }

    /// How the model was trained.
    pub fn training(&self) -> &TrainingMeta {
        &self.meta
    }

    /// Text to features, as the model was trained.
    pub fn vectorizer(&self) -> &Vectorizer {
        &self.vectorizer
    }

    /// The model's language as [`detect_language`](crate::analysis::detect_language) names it.
    pub(super) fn language_code(&self) -> &'static str {
        self.vectorizer.config().analyzer.language.iso639_3()
    }

    /// The stance head used for the topic at `topic` (its index in the labels).
    pub(super) fn head_of(&self, topic: usize) -> Option<&LinearHead> {
        let i = self.head_of_topic.get(topic).copied().flatten()?;
        self.stance_heads.get(i)
    }

    /// The temperature of the stance head used for the topic at `topic`.
    pub(super) fn stance_temperature_of(&self, topic: usize) -> f64 {
        self.head_of_topic
            .get(topic)
            .copied()
            .flatten()
            .and_then(|i| self.stance_temperatures.get(i).copied())
            .unwrap_or(1.0)
    }

    /// Whether the model scores articles of two or more statements in context.
    pub fn has_context(&self) -> bool {
        self.context.is_some()
    }

    /// The stance head for a topic given by name: its own, else the shared
    /// one (also for a topic the model does not know); `None` without stance.
    pub fn stance_head_named(&self, topic: &str) -> Option<&LinearHead> {
        match self.labels.topics.iter().position(|t| t == topic) {
            Some(i) => self.head_of(i),
            None => self.shared_head.and_then(|i| self.stance_heads.get(i)),
        }
    }

    /// The `k` terms of `row` that moved the score of `class` most: the
    /// topic head's when `head` is `None`, else `head`'s.
    pub(super) fn explain(
        &self,
        head: Option<&LinearHead>,
        row: &FeatureRow,
        class: usize,
        k: usize,
        out: &mut Vec<(String, f64)>,
    ) {
        let contributions = match head {
            Some(h) => h.contributions(&row.cols, &row.vals, class, k),
            None => self
                .topic_rows
                .contributions(&row.cols, &row.vals, class, k),
        };
        let terms = self.vectorizer.vocabulary().terms();
        out.clear();
        // Note: a one-class head (`other` is always neutral) has no weights:
        // its terms contributed nothing and are not listed.
        out.extend(
            contributions
                .into_iter()
                .filter(|(_, c)| *c != 0.0)
                .map(|(col, c)| {
                    let term = terms.get(col as usize).map_or("?", String::as_str);
                    (self.surface.show(col as usize, term), c)
                }),
        );
    }

    /// The statements of one text, as `stance score` writes them for an
    /// article with this text and the id `1` (the first line of
    /// `stance score - --input-format txt`); none for a blank text.
    pub fn score_text(&self, text: &str) -> Vec<Statement> {
        self.score_texts(&[text]).pop().unwrap_or_default()
    }

    /// The statements of each text, in parallel, in order; the article ids are
    /// the texts' 1-based positions (`"1"`, `"2"`, ...), as
    /// `stance score - --input-format txt` numbers lines.
    pub fn score_texts<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Vec<Statement>> {
        let pool = Pool::new(self);
        texts
            .par_iter()
            .enumerate()
            .map_init(
                || pool.lease(),
                |lease, (i, text)| {
                    let article = Article {
                        id: (i + 1).to_string(),
                        text: text.as_ref().to_string(),
                        ..Article::default()
                    };
                    lease.score_article(&ToStatements, &article).0
                },
            )
            .collect()
    }

    /// The statements of each article (id, date and source carried through), in parallel, in order.
    pub fn score_articles(&self, articles: &[Article]) -> Vec<Vec<Statement>> {
        let pool = Pool::new(self);
        articles
            .par_iter()
            .map_init(
                || pool.lease(),
                |lease, article| lease.score_article(&ToStatements, article).0,
            )
            .collect()
    }

    /// Each article's whole text scored as one statement (not split into
    /// sentences: `sentence` 1, `start` 0, `end` the text's length), in
    /// parallel, in order: one statement per article, also for a blank text.
    pub fn score_articles_whole(&self, articles: &[Article]) -> Vec<Statement> {
        let pool = Pool::new(self);
        articles
            .par_iter()
            .map_init(
                || pool.lease(),
                |lease, article| {
                    let (mut part, _, _) = lease.score_article_whole(&ToStatements, article);
                    part.pop().unwrap_or_default()
                },
            )
            .collect()
    }

    /// Ends the scorer without freeing its memory: for a process about to exit.
    ///
    /// Note: freeing a large model's hundreds of thousands of terms one by one
    /// took about 20 ms (callgrind: 65 million instructions for the 20
    /// Newsgroups model); the operating system takes it back at once.
    pub(crate) fn leave_to_exit(self) {
        std::mem::forget(self);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::split_sentences;
    use crate::io::{Item, Position, Rejected};
    use crate::model::{train, LogisticParams, TrainConfig, TrainingSet};
    use crate::pipeline::{run, Collect, Input, ScoreOptions};

    /// A tiny model: `palestine` and `coalition` with their own stance heads,
    /// `other` (two rows) with the shared one.
    pub(crate) fn tiny_model() -> StanceModel {
        let rows = [
            (
                "Protesters marched for Gaza and Palestinian rights.",
                "palestine",
                "favor",
            ),
            (
                "Hamas attacks were condemned by the minister.",
                "palestine",
                "against",
            ),
            (
                "Talks on a Gaza ceasefire resumed in Cairo.",
                "palestine",
                "neutral",
            ),
            (
                "Lawmakers demanded that coalition troops leave Iraq.",
                "coalition",
                "favor",
            ),
            (
                "Kurdish leaders warned against a hasty coalition exit.",
                "coalition",
                "against",
            ),
            (
                "The coalition mission talks resumed in Baghdad.",
                "coalition",
                "neutral",
            ),
            (
                "The weather in Basra was hot on Tuesday.",
                "other",
                "neutral",
            ),
            ("The census counted the population.", "other", "neutral"),
        ];
        let texts: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
        let topics: Vec<String> = rows.iter().map(|r| r.1.to_string()).collect();
        let stances: Vec<String> = rows.iter().map(|r| r.2.to_string()).collect();
        let mut config = TrainConfig {
            logistic: LogisticParams {
                c: 1.0,
                ..LogisticParams::default()
            },
            c_grid: Vec::new(),
            min_stance_rows: 3,
            ..TrainConfig::default()
        };
        config.vectorizer.vocab.min_df = crate::features::DfBound::Count(1);
        let set = TrainingSet {
            texts: &texts,
            topics: &topics,
            stances: Some(&stances),
        };
        train(&set, &config, TrainingMeta::default(), &mut |_| {}).unwrap()
    }

    const TEXT: &str = "Crowds in Baghdad rallied for Gaza. Coalition troops must leave, the MP said.\n\nThe weather in Basra was hot. The census counted it.";

    /// The scorer's padded rows, prefetching and buffers give, bit for bit,
    /// what the model's plain heads give for each sentence.
    #[test]
    fn scoring_matches_the_plain_heads() {
        let model = tiny_model();
        let options = ScoreOptions::default().min_confidence(0.5).explain(3);
        let scorer = Scorer::new(model.clone(), options.check().unwrap()).unwrap();
        let statements = scorer.score_text(TEXT);
        let spans = split_sentences(TEXT);
        assert_eq!(statements.len(), 4);
        let mut analyzer = model.vectorizer.analyzer();
        let mut row = FeatureRow::default();
        let mut heads_seen = std::collections::BTreeSet::new();
        for (s, span) in statements.iter().zip(&spans) {
            let p = model.predict_text(&mut analyzer, span.slice(TEXT), &mut row);
            let best = &model.topics()[p.topic];
            assert_eq!(
                (s.start, s.end, s.text.as_str()),
                (span.start, span.end, span.slice(TEXT))
            );
            assert_eq!(&s.best_topic, best);
            let probs: Vec<u64> = s.topic_probs.iter().map(|(_, p)| p.to_bits()).collect();
            let expected: Vec<u64> = p.topic_probs.iter().map(|p| p.to_bits()).collect();
            assert_eq!(probs, expected);
            assert_eq!(s.topic_prob.to_bits(), p.topic_probs[p.topic].to_bits());
            let uncertain = p.topic_probs[p.topic] < 0.5;
            assert_eq!(s.topic, if uncertain { UNCERTAIN } else { best.as_str() });
            let stance = p.stance.unwrap();
            assert_eq!(s.stance.as_deref(), Some(stance.label.as_str()));
            assert_eq!(s.stance_prob.map(f64::to_bits), Some(stance.prob.to_bits()));
            let stance_probs: Vec<(String, u64)> = s
                .stance_probs
                .iter()
                .map(|(l, p)| (l.clone(), p.to_bits()))
                .collect();
            let expected: Vec<(String, u64)> = stance
                .probs
                .iter()
                .map(|(l, p)| (l.clone(), p.to_bits()))
                .collect();
            assert_eq!(stance_probs, expected);
            let terms = model.vectorizer.vocabulary().terms();
            let explained: Vec<(String, u64)> = model
                .topic
                .contributions(&row.cols, &row.vals, p.topic, 3)
                .into_iter()
                .map(|(c, x)| {
                    (
                        model.surface.show(c as usize, &terms[c as usize]),
                        x.to_bits(),
                    )
                })
                .collect();
            let got: Vec<(String, u64)> = s
                .topic_terms
                .iter()
                .map(|(t, x)| (t.clone(), x.to_bits()))
                .collect();
            assert_eq!(got, explained);
            let head = model.stance_head(best).unwrap();
            let class = head.labels.iter().position(|l| *l == stance.label).unwrap();
            let explained: Vec<(String, u64)> = head
                .contributions(&row.cols, &row.vals, class, 3)
                .into_iter()
                .map(|(c, x)| {
                    (
                        model.surface.show(c as usize, &terms[c as usize]),
                        x.to_bits(),
                    )
                })
                .collect();
            let got: Vec<(String, u64)> = s
                .stance_terms
                .iter()
                .map(|(t, x)| (t.clone(), x.to_bits()))
                .collect();
            assert_eq!(got, explained);
            heads_seen.insert(best.clone());
        }
        // Note: the text reaches an own head and the shared one (`other`'s).
        assert!(heads_seen.contains("other"), "{heads_seen:?}");
        assert!(heads_seen.len() >= 2, "{heads_seen:?}");
    }

    /// A run through a `Vec` collector gives what `score_articles` gives, in
    /// input order, with the rejects passed through and counted.
    #[test]
    fn a_run_collects_what_score_articles_gives() {
        let scorer = Scorer::new(tiny_model(), ScoreOptions::default().check().unwrap()).unwrap();
        let articles: Vec<Article> = (0..40)
            .map(|i| Article {
                id: format!("a{i}"),
                text: TEXT.repeat(i % 3 + 1),
                date: Some("2024-01-02".into()),
                ..Article::default()
            })
            .collect();
        let rejected = Rejected {
            input: "in.csv".into(),
            position: Position {
                file: "in.csv".into(),
                line: Some(3),
            },
            article_id: None,
            reason: "missing id".into(),
        };
        let mut items: Vec<Item> = articles.iter().cloned().map(Item::Article).collect();
        items.insert(7, Item::Rejected(rejected.clone()));
        let input = Input::spawn(items.into_iter()).unwrap();
        let (collected, counts) = run(&scorer, input, Collect::default(), &|_, _| {}).unwrap();
        assert_eq!(collected.articles, scorer.score_articles(&articles));
        assert_eq!(collected.rejected, vec![rejected]);
        assert_eq!((counts.read, counts.scored, counts.rejected), (41, 40, 1));
        let statements: usize = collected.articles.iter().map(Vec::len).sum();
        assert_eq!(counts.statements, statements as u64);
        assert_eq!(collected.articles[0][0].date.as_deref(), Some("2024-01-02"));
    }

    #[test]
    fn a_topic_named_uncertain_refuses_only_a_threshold() {
        let mut model = tiny_model();
        model.topic.labels[2] = UNCERTAIN.to_string();
        let plain = ScoreOptions::default().check().unwrap();
        assert!(Scorer::new(model.clone(), plain).is_ok());
        let threshold = ScoreOptions::default().min_confidence(0.5).check().unwrap();
        match Scorer::new(model, threshold) {
            Err(Error::InvalidParam { name, .. }) => assert_eq!(name, "min_confidence"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn texts_are_numbered_from_one_and_blank_ones_have_no_statements() {
        let scorer = Scorer::new(tiny_model(), ScoreOptions::default().check().unwrap()).unwrap();
        let scored = scorer.score_texts(&["Gaza talks resumed.", " \n", "It rained. It snowed."]);
        let ids: Vec<Vec<&str>> = scored
            .iter()
            .map(|s| s.iter().map(|s| s.article_id.as_str()).collect())
            .collect();
        assert_eq!(ids, vec![vec!["1"], vec![], vec!["3", "3"]]);
        assert_eq!(scorer.score_text("Gaza talks resumed."), scored[0]);
    }
}
