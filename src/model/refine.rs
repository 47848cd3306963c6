//! After training: out-of-fold predictions, and what is learnt from them
//! (the article-context stage, the heads' temperatures, suspected label errors).
//!
//! The rows are dealt into folds by article (a statement alone is its own
//! article), so a statement is never predicted by a model that saw its
//! article. Each fold's model is trained as `train` trained the final one:
//! the same vectorizer settings, and each head with the C the final head
//! chose, so no cross-validation runs again.

use super::calibrate::{fit_temperature, Calibration};
use super::classifier::{StanceHead, StanceModel};
use super::context::{article_groups, context_matrix, ArticleContext};
use super::head::LinearHead;
use super::logistic::{fit, LogisticParams};
use super::train::{TrainConfig, TrainingSet};
use crate::error::{Error, Result};
use crate::features::{CsrMatrix, Vectorizer};

/// What to learn after training.
#[derive(Debug, Clone, PartialEq)]
pub struct RefineConfig {
    /// Folds (by article) for the out-of-fold predictions. Default 5.
    pub folds: usize,
    /// Fit the article-context stage (needs articles of two or more statements).
    pub context: bool,
    /// Fit the heads' temperatures.
    pub calibrate: bool,
    /// The values of C the context stage chooses from (by the same folds).
    pub context_c_grid: Vec<f64>,
}

impl Default for RefineConfig {
    fn default() -> Self {
        RefineConfig {
            folds: 5,
            context: true,
            calibrate: true,
            context_c_grid: vec![0.01, 0.1, 1.0, 10.0, 100.0],
        }
    }
}

/// Out-of-fold predictions of the training rows.
#[derive(Debug, Clone, PartialEq)]
pub struct OutOfFold {
    /// Topic probabilities, one row of the model's topics per training row.
    pub topic_probs: Vec<f64>,
    /// Per training row, the stance probabilities under its gold topic's head
    /// (in that head's label order); empty for a topic-only model.
    pub stance_probs: Vec<Vec<f64>>,
    /// The fold of each row.
    pub fold: Vec<usize>,
    /// Article groups as row ranges.
    pub groups: Vec<(usize, usize)>,
}

/// Deals groups into `k` folds: articles of two or more rows first, then
/// the rest, each list shuffled with a fixed seed and dealt round-robin.
fn fold_of_rows(groups: &[(usize, usize)], n: usize, k: usize) -> Vec<usize> {
    let mut fold = vec![0; n];
    let mut state = 0x00c0_47e7_u64;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for long in [true, false] {
        let mut gs: Vec<&(usize, usize)> = groups
            .iter()
            .filter(|(s, e)| (e - s >= 2) == long)
            .collect();
        for i in (1..gs.len()).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            gs.swap(i, j);
        }
        for (g, &&(s, e)) in gs.iter().enumerate() {
            fold[s..e].iter_mut().for_each(|f| *f = g % k);
        }
    }
    fold
}

/// `head`'s probabilities for every row of `x`, rows of its classes.
fn probabilities(head: &LinearHead, x: &CsrMatrix) -> Vec<f64> {
    let k = head.n_classes();
    let mut out = vec![0.0; x.n_rows() * k];
    for (i, o) in out.chunks_exact_mut(k).enumerate() {
        let (c, v) = x.row(i);
        head.probabilities(c, v, o);
    }
    out
}

/// Fits a head with `like`'s labels and C on rows `x` with labels `labels`.
fn fit_like(
    like: &LinearHead,
    x: &CsrMatrix,
    labels: &[&String],
    params: &LogisticParams,
) -> Result<LinearHead> {
    let n = like.n_classes();
    let Some(report) = like.report.as_ref().filter(|_| n > 1) else {
        return Ok(LinearHead::constant(&like.labels[0], x.n_cols()));
    };
    let y: Vec<u32> = labels
        .iter()
        .map(|l| like.labels.binary_search(l).map_or(0, |i| i as u32))
        .collect();
    let params = LogisticParams {
        c: report.c,
        ..params.clone()
    };
    let f = fit(x, &x.transpose(), &y, n, &params)?;
    Ok(LinearHead {
        labels: like.labels.clone(),
        weights: f.weights,
        intercept: f.intercept,
        report: None,
    })
}

/// The out-of-fold predictions of `data` by models trained like `model`.
pub fn out_of_fold(
    model: &StanceModel,
    data: &TrainingSet,
    articles: Option<&[String]>,
    config: &TrainConfig,
    folds: usize,
    log: &mut dyn FnMut(&str),
) -> Result<OutOfFold> {
    let n = data.texts.len();
    let groups = match articles {
        Some(ids) => article_groups(ids)?,
        None => (0..n).map(|i| (i, i + 1)).collect(),
    };
    if folds < 2 || groups.len() < folds {
        return Err(Error::Training(format!(
            "out-of-fold predictions need at least {folds} articles or statements and 2 folds"
        )));
    }
    let fold = fold_of_rows(&groups, n, folds);
    let k = model.topic.n_classes();
    let mut topic_probs = vec![0.0; n * k];
    let mut stance_probs = vec![Vec::new(); n];
    let topic_index = |t: &String| model.topic.labels.iter().position(|l| l == t);
    for f in 0..folds {
        let started = std::time::Instant::now();
        let train: Vec<usize> = (0..n).filter(|&i| fold[i] != f).collect();
        let test: Vec<usize> = (0..n).filter(|&i| fold[i] == f).collect();
        let texts: Vec<&String> = train.iter().map(|&i| &data.texts[i]).collect();
        let (vectorizer, x) = Vectorizer::fit_transform(&config.vectorizer, &texts)?;
        let test_texts: Vec<&String> = test.iter().map(|&i| &data.texts[i]).collect();
        let xt = vectorizer.transform(&test_texts);
        let topics: Vec<&String> = train.iter().map(|&i| &data.topics[i]).collect();
        let head = fit_like(&model.topic, &x, &topics, &config.logistic)?;
        let p = probabilities(&head, &xt);
        for (j, &i) in test.iter().enumerate() {
            topic_probs[i * k..(i + 1) * k].copy_from_slice(&p[j * k..(j + 1) * k]);
        }
        if let (Some(stances), Some(heads)) = (data.stances, model.stance.as_ref()) {
            // Per stance head used by some gold topic of the test rows: fit it on the
            // fold's rows of its topics, predict the test rows of those topics.
            let own = |t: Option<usize>| match t.map(|t| &heads.per_topic[t]) {
                Some(StanceHead::Own(h)) => Some(h.as_ref()),
                _ => None,
            };
            let mut jobs: Vec<(Option<usize>, &LinearHead)> = (0..k)
                .filter_map(|t| own(Some(t)).map(|h| (Some(t), h)))
                .collect();
            if let Some(shared) = heads.shared.as_ref() {
                jobs.push((None, shared));
            }
            for (t, like) in jobs {
                let of_head = |i: usize| match t {
                    Some(t) => topic_index(&data.topics[i]) == Some(t),
                    None => own(topic_index(&data.topics[i])).is_none(),
                };
                // Note: the shared head is trained on every row, as `train` trains it.
                let rows: Vec<usize> = (0..train.len())
                    .filter(|&j| t.is_none() || of_head(train[j]))
                    .collect();
                let tests: Vec<usize> = (0..test.len()).filter(|&j| of_head(test[j])).collect();
                if rows.is_empty() || tests.is_empty() {
                    continue;
                }
                let labels: Vec<&String> = rows.iter().map(|&j| &stances[train[j]]).collect();
                let h = fit_like(like, &x.select_rows(&rows), &labels, &config.logistic)?;
                let p = probabilities(&h, &xt.select_rows(&tests));
                let c = h.n_classes();
                for (r, &j) in tests.iter().enumerate() {
                    stance_probs[test[j]] = p[r * c..(r + 1) * c].to_vec();
                }
            }
        }
        log(&format!(
            "out-of-fold {}/{folds}: {} rows held out ({:.1} s)",
            f + 1,
            test.len(),
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(OutOfFold {
        topic_probs,
        stance_probs,
        fold,
        groups,
    })
}

/// Mean log-likelihood of `gold` under `probs` (rows of `k`).
fn log_likelihood(probs: &[f64], k: usize, gold: &[usize]) -> f64 {
    let total: f64 = probs
        .chunks_exact(k)
        .zip(gold)
        .map(|(p, &g)| p[g].max(1e-12).ln())
        .sum();
    total / gold.len().max(1) as f64
}

/// Fits the context stage on the out-of-fold topic probabilities: C chosen
/// by the same article folds (mean log-likelihood), its temperature fitted
/// on its own out-of-fold outputs. None without articles of two or more rows.
pub fn fit_context(
    model: &StanceModel,
    data: &TrainingSet,
    oof: &OutOfFold,
    config: &TrainConfig,
    refine: &RefineConfig,
    log: &mut dyn FnMut(&str),
) -> Result<Option<ArticleContext>> {
    let k = model.topic.n_classes();
    let (x, index) = context_matrix(&oof.topic_probs, k, &oof.groups);
    if x.n_rows() == 0 {
        log("context: no article of two or more statements; no context stage");
        return Ok(None);
    }
    let labels = &model.topic.labels;
    let y: Vec<u32> = index
        .iter()
        .map(|&i| {
            labels
                .iter()
                .position(|l| *l == data.topics[i])
                .unwrap_or(0) as u32
        })
        .collect();
    let gold: Vec<usize> = y.iter().map(|&c| c as usize).collect();
    let params = |c: f64| LogisticParams {
        c,
        tol: 1e-6,
        ..config.logistic.clone()
    };
    let head_of = |x: &CsrMatrix, y: &[u32], c: f64| -> Result<LinearHead> {
        let f = fit(x, &x.transpose(), y, k, &params(c))?;
        Ok(LinearHead {
            labels: labels.clone(),
            weights: f.weights,
            intercept: f.intercept,
            report: None,
        })
    };
    let row_fold: Vec<usize> = index.iter().map(|&i| oof.fold[i]).collect();
    let cross_fitted = |c: f64| -> Result<Vec<f64>> {
        let mut out = vec![0.0; index.len() * k];
        for f in 0..refine.folds {
            let tr: Vec<usize> = (0..index.len()).filter(|&r| row_fold[r] != f).collect();
            let te: Vec<usize> = (0..index.len()).filter(|&r| row_fold[r] == f).collect();
            if tr.is_empty() || te.is_empty() {
                continue;
            }
            let ytr: Vec<u32> = tr.iter().map(|&r| y[r]).collect();
            let h = head_of(&x.select_rows(&tr), &ytr, c)?;
            let p = probabilities(&h, &x.select_rows(&te));
            for (j, &r) in te.iter().enumerate() {
                out[r * k..(r + 1) * k].copy_from_slice(&p[j * k..(j + 1) * k]);
            }
        }
        Ok(out)
    };
    let mut best: Option<(f64, f64, Vec<f64>)> = None;
    let mut shown = Vec::new();
    for &c in &refine.context_c_grid {
        let p = cross_fitted(c)?;
        let ll = log_likelihood(&p, k, &gold);
        shown.push(format!("C={c}: {ll:.4}"));
        if best.as_ref().is_none_or(|b| ll > b.1) {
            best = Some((c, ll, p));
        }
    }
    let Some((c, _, cross)) = best else {
        return Ok(None);
    };
    let alone = accuracy(&select(&oof.topic_probs, k, &index), k, &gold);
    let with = accuracy(&cross, k, &gold);
    log(&format!(
        "context: {} statements in articles; mean log-likelihood by {} article folds {}; chose C={c}; \
         out-of-fold topic accuracy {alone:.4} alone, {with:.4} in context",
        index.len(),
        refine.folds,
        shown.join(", ")
    ));
    let head = head_of(&x, &y, c)?;
    let mut stage = ArticleContext::from_head(&head, c);
    if refine.calibrate {
        stage.temperature = fit_temperature(&cross, k, &gold);
        log(&format!("context: temperature {:.4}", stage.temperature));
    }
    Ok(Some(stage))
}

fn select(probs: &[f64], k: usize, rows: &[usize]) -> Vec<f64> {
    rows.iter()
        .flat_map(|&i| probs[i * k..(i + 1) * k].iter().copied())
        .collect()
}

fn accuracy(probs: &[f64], k: usize, gold: &[usize]) -> f64 {
    let right = probs
        .chunks_exact(k)
        .zip(gold)
        .filter(|(p, &g)| LinearHead::argmax(p) == g)
        .count();
    right as f64 / gold.len().max(1) as f64
}

/// The heads' temperatures from the out-of-fold predictions.
pub fn fit_calibration(model: &StanceModel, data: &TrainingSet, oof: &OutOfFold) -> Calibration {
    let k = model.topic.n_classes();
    let labels = &model.topic.labels;
    let topic_of: Vec<Option<usize>> = data
        .topics
        .iter()
        .map(|t| labels.iter().position(|l| l == t))
        .collect();
    let gold: Vec<usize> = topic_of.iter().map(|t| t.unwrap_or(0)).collect();
    let topic = fit_temperature(&oof.topic_probs, k, &gold);
    let mut stance = vec![1.0; k];
    let mut shared_stance = 1.0;
    if let (Some(stances), Some(heads)) = (data.stances, model.stance.as_ref()) {
        let fit_head = |head: &LinearHead, rows: &dyn Fn(usize) -> bool| {
            let c = head.n_classes();
            let (mut p, mut g) = (Vec::new(), Vec::new());
            for i in (0..data.texts.len()).filter(|&i| rows(i)) {
                let (Some(j), true) = (
                    head.labels.iter().position(|l| *l == stances[i]),
                    oof.stance_probs[i].len() == c,
                ) else {
                    continue;
                };
                p.extend_from_slice(&oof.stance_probs[i]);
                g.push(j);
            }
            fit_temperature(&p, c, &g)
        };
        let own: Vec<bool> = heads
            .per_topic
            .iter()
            .map(|h| matches!(h, StanceHead::Own(_)))
            .collect();
        if let Some(shared) = heads.shared.as_ref() {
            shared_stance = fit_head(shared, &|i| topic_of[i].is_none_or(|t| !own[t]));
        }
        for (t, h) in heads.per_topic.iter().enumerate() {
            stance[t] = match h {
                StanceHead::Own(h) => fit_head(h, &|i| topic_of[i] == Some(t)),
                StanceHead::Shared => shared_stance,
            };
        }
    }
    Calibration {
        topic,
        stance,
        shared_stance,
    }
}

/// Trains on `data` and, with articles, fits the context stage, and with
/// `refine.calibrate` the temperatures; returns the model and the
/// out-of-fold predictions (for an audit) when they were made.
pub fn refine(
    model: &mut StanceModel,
    data: &TrainingSet,
    articles: Option<&[String]>,
    config: &TrainConfig,
    refine: &RefineConfig,
    log: &mut dyn FnMut(&str),
) -> Result<OutOfFold> {
    let oof = out_of_fold(model, data, articles, config, refine.folds, log)?;
    if refine.context && articles.is_some() {
        model.context = fit_context(model, data, &oof, config, refine, log)?;
    }
    if refine.calibrate {
        let cal = fit_calibration(model, data, &oof);
        log(&format!(
            "calibration: topic temperature {:.4}; stance {}; shared stance {:.4}",
            cal.topic,
            cal.stance
                .iter()
                .map(|t| format!("{t:.4}"))
                .collect::<Vec<_>>()
                .join(", "),
            cal.shared_stance
        ));
        model.calibration = Some(cal);
    }
    Ok(oof)
}
