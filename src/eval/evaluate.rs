//! A model against held-out labelled data, scored the way `stance score` scores.
//!
//! Each labelled text is scored as one statement through the [`Scorer`]:
//! the same worker, the same topic rows and stance heads as `stance score`,
//! so the metrics measure what users run. A test holds the predictions equal
//! to `stance score`'s, bit for bit.

use rayon::prelude::*;
use serde::Serialize;

use super::calibration::Calibration;
use super::metrics::Metrics;
use crate::analysis::SentenceSpan;
use crate::error::Result;
use crate::model::{article_groups, LinearHead};
use crate::pipeline::{Pool, Scorer};

/// The JSON printed by `stance evaluate --json` (a contract: scripts read these keys).
#[derive(Debug, Serialize)]
pub struct Evaluation {
    /// Rows evaluated.
    pub n: usize,
    /// Topic head.
    pub topic: Metrics,
    /// Stance end to end: the predicted topic's stance head.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance: Option<Metrics>,
    /// Stance given the gold topic's head (as SemEval-2016 scores it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance_given_topic: Option<Metrics>,
    /// Rows with both topic and (end-to-end) stance right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joint_accuracy: Option<f64>,
}

/// One labelled text's predictions, scored as one statement.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowPrediction {
    /// The most probable topic.
    pub topic: String,
    /// Every topic's probability, in the model's label order.
    pub topic_probs: Vec<f64>,
    /// The stance under the predicted topic's head; `None` without stance.
    pub stance: Option<String>,
    /// That head's probabilities, in its label order (empty without stance).
    pub stance_probs: Vec<f64>,
    /// The stance under the gold topic's head (the shared head for a topic
    /// the model does not know, else the end-to-end stance).
    pub stance_given_topic: Option<String>,
    /// The probability that head gave [`RowPrediction::stance_given_topic`].
    pub stance_given_topic_prob: Option<f64>,
}

impl RowPrediction {
    /// The predicted topic's probability (its largest).
    pub fn topic_prob(&self) -> f64 {
        max_prob(&self.topic_probs)
    }

    /// The predicted stance's probability; `None` without stance.
    pub fn stance_prob(&self) -> Option<f64> {
        self.stance.as_ref().map(|_| max_prob(&self.stance_probs))
    }
}

fn max_prob(p: &[f64]) -> f64 {
    p.iter().copied().fold(0.0, f64::max)
}

/// The predictions for `texts` (each scored as one statement, in parallel), with `gold_topics` for
/// [`RowPrediction::stance_given_topic`].
pub fn predict(scorer: &Scorer, texts: &[String], gold_topics: &[String]) -> Vec<RowPrediction> {
    let pool = Pool::new(scorer);
    let topics = &scorer.labels().topics;
    texts
        .par_iter()
        .zip(gold_topics.par_iter())
        .map_init(
            || pool.lease(),
            |lease, (text, gold_topic)| {
                let mut p = RowPrediction::default();
                lease.score_whole(text, |s| {
                    let labels = scorer.labels().stances_of(s.best_topic);
                    let stance = s.stance.and_then(|i| labels.get(i)).cloned();
                    // Note: a gold topic the model doesn't know has no head of its own;
                    // the shared head answers if there is one, else the end-to-end head.
                    let (given, given_prob) = match scorer.stance_head_named(gold_topic) {
                        Some(head) => {
                            let (label, prob) = stance_of(head, s.row);
                            (Some(label), Some(prob))
                        }
                        None => (
                            stance.clone(),
                            stance.as_ref().map(|_| max_prob(s.stance_probs)),
                        ),
                    };
                    p = RowPrediction {
                        topic: topics.get(s.best_topic).cloned().unwrap_or_default(),
                        topic_probs: s.topic_probs.to_vec(),
                        stance,
                        stance_probs: s.stance_probs.to_vec(),
                        stance_given_topic: given,
                        stance_given_topic_prob: given_prob,
                    };
                });
                p
            },
        )
        .collect()
}

/// The predictions for `texts` as statements of their articles (`articles`:
/// each row's article id; an article's rows contiguous and in order, an
/// empty id a statement alone): each article's statements are scored
/// together, exactly as `stance score` scores an article whose sentences
/// they are (in parallel over articles). With a model without a context
/// stage, or for an article of one statement, this is [`predict`].
///
/// Fails when an article's rows are not contiguous (naming the 1-based row).
pub fn predict_in_articles(
    scorer: &Scorer,
    texts: &[String],
    gold_topics: &[String],
    articles: &[String],
) -> Result<Vec<RowPrediction>> {
    let groups = article_groups(articles)?;
    let pool = Pool::new(scorer);
    let topics = &scorer.labels().topics;
    let per_article: Vec<Vec<RowPrediction>> = groups
        .par_iter()
        .map_init(
            || pool.lease(),
            |lease, &(start, end)| {
                // Note: the statements joined by line breaks; only the spans are analysed.
                let mut text = String::new();
                let mut spans = Vec::with_capacity(end - start);
                for t in &texts[start..end] {
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    let from = text.len();
                    text.push_str(t);
                    spans.push(SentenceSpan {
                        start: from,
                        end: text.len(),
                    });
                }
                let mut out = Vec::with_capacity(end - start);
                lease.score_given_spans(&text, &spans, |i, _, s| {
                    let labels = scorer.labels().stances_of(s.best_topic);
                    let stance = s.stance.and_then(|i| labels.get(i)).cloned();
                    let (given, given_prob) = match scorer
                        .stance_head_named(&gold_topics[start + i])
                    {
                        Some(head) => {
                            // Note: in context, under the gold topic's stance stage when it has one.
                            let gold = topics.iter().position(|t| *t == gold_topics[start + i]);
                            let (label, prob) =
                                match gold.and_then(|g| s.stance_in_context(g, head.n_classes())) {
                                    Some(p) => {
                                        let b = LinearHead::argmax(p);
                                        (head.labels.get(b).cloned().unwrap_or_default(), p[b])
                                    }
                                    None => stance_of(head, s.row),
                                };
                            (Some(label), Some(prob))
                        }
                        None => (
                            stance.clone(),
                            stance.as_ref().map(|_| max_prob(s.stance_probs)),
                        ),
                    };
                    out.push(RowPrediction {
                        topic: topics.get(s.best_topic).cloned().unwrap_or_default(),
                        topic_probs: s.topic_probs.to_vec(),
                        stance,
                        stance_probs: s.stance_probs.to_vec(),
                        stance_given_topic: given,
                        stance_given_topic_prob: given_prob,
                    });
                });
                out
            },
        )
        .collect();
    Ok(per_article.into_iter().flatten().collect())
}

/// The label `head` gives the feature row, and its probability.
fn stance_of(head: &LinearHead, row: &crate::features::FeatureRow) -> (String, f64) {
    let mut p = vec![0.0; head.n_classes()];
    head.probabilities(&row.cols, &row.vals, &mut p);
    let best = LinearHead::argmax(&p);
    let label = head.labels.get(best).cloned().unwrap_or_default();
    (label, p.get(best).copied().unwrap_or(0.0))
}

/// Scores `scorer`'s model on texts with gold topics and optional gold stances.
pub fn evaluate(
    scorer: &Scorer,
    texts: &[String],
    topics: &[String],
    stances: Option<&[String]>,
) -> Evaluation {
    score_predictions(scorer, &predict(scorer, texts, topics), topics, stances)
}

/// [`evaluate`] with each text a statement of its article (`articles`: the
/// article id of each row, rows of an article contiguous, an empty id a
/// statement alone), scored in its article's context as `stance score`
/// scores an article ([`predict_in_articles`]).
pub fn evaluate_in_articles(
    scorer: &Scorer,
    texts: &[String],
    topics: &[String],
    stances: Option<&[String]>,
    articles: &[String],
) -> Result<Evaluation> {
    let preds = predict_in_articles(scorer, texts, topics, articles)?;
    Ok(score_predictions(scorer, &preds, topics, stances))
}

/// The metrics of predictions `preds` of rows with gold `topics` and
/// optional gold `stances` (what [`evaluate`] computes once it has predicted).
pub fn score_predictions(
    scorer: &Scorer,
    preds: &[RowPrediction],
    topics: &[String],
    stances: Option<&[String]>,
) -> Evaluation {
    let n = preds.len();
    let pred_topics: Vec<String> = preds.iter().map(|p| p.topic.clone()).collect();
    let topic = Metrics::compute(topics, &pred_topics).with_calibration(Calibration::compute(
        preds
            .iter()
            .zip(topics)
            .map(|(p, g)| (p.topic_prob(), &p.topic == g)),
    ));
    let (mut stance, mut given, mut joint) = (None, None, None);
    if let (Some(gold), true) = (stances, scorer.has_stance()) {
        let e2e: Vec<String> = preds
            .iter()
            .map(|p| p.stance.clone().unwrap_or_default())
            .collect();
        let gt: Vec<String> = preds
            .iter()
            .map(|p| p.stance_given_topic.clone().unwrap_or_default())
            .collect();
        let both = (0..n)
            .filter(|&i| pred_topics[i] == topics[i] && e2e[i] == gold[i])
            .count();
        joint = Some(if n == 0 { 0.0 } else { both as f64 / n as f64 });
        let e2e_conf = preds.iter().map(|p| p.stance_prob().unwrap_or(0.0));
        let gt_conf = preds
            .iter()
            .map(|p| p.stance_given_topic_prob.unwrap_or(0.0));
        stance = Some(
            Metrics::compute_with_roles(gold, &e2e, scorer.roles()).with_calibration(
                Calibration::compute(e2e_conf.zip(e2e.iter().zip(gold).map(|(p, g)| p == g))),
            ),
        );
        given = Some(
            Metrics::compute_with_roles(gold, &gt, scorer.roles()).with_calibration(
                Calibration::compute(gt_conf.zip(gt.iter().zip(gold).map(|(p, g)| p == g))),
            ),
        );
    }
    Evaluation {
        n,
        topic,
        stance,
        stance_given_topic: given,
        joint_accuracy: joint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::split_sentences;
    use crate::pipeline::tests_support::tiny_model;
    use crate::pipeline::ScoreOptions;

    /// Evaluation runs the path `stance score` runs: on texts of one sentence,
    /// its predictions are `Scorer::score_texts`' statements, bit for bit.
    #[test]
    fn predictions_are_what_score_gives() {
        let scorer = Scorer::new(tiny_model(), ScoreOptions::default().check().unwrap()).unwrap();
        let texts: Vec<String> = [
            "Crowds in Baghdad rallied for Gaza.",
            "Coalition troops must leave, the MP said.",
            "  The weather in Basra was hot.  ",
            "Unheard-of words only.",
        ]
        .map(String::from)
        .to_vec();
        assert!(texts.iter().all(|t| split_sentences(t).len() == 1));
        let gold: Vec<String> = ["palestine", "coalition", "sports", "other"]
            .map(String::from)
            .to_vec();
        let predicted = predict(&scorer, &texts, &gold);
        let scored = scorer.score_texts(&texts);
        for (p, s) in predicted.iter().zip(&scored) {
            let s = &s[0];
            assert_eq!(p.topic, s.best_topic);
            let bits = |v: &mut dyn Iterator<Item = f64>| v.map(f64::to_bits).collect::<Vec<_>>();
            assert_eq!(
                bits(&mut p.topic_probs.iter().copied()),
                bits(&mut s.topic_probs.iter().map(|x| x.1))
            );
            assert_eq!(p.stance, s.stance);
            assert_eq!(
                bits(&mut p.stance_probs.iter().copied()),
                bits(&mut s.stance_probs.iter().map(|x| x.1))
            );
        }
        // Note: an unknown gold topic ("sports") falls to the shared head.
        assert!(predicted.iter().all(|p| p.stance_given_topic.is_some()));
    }
}
