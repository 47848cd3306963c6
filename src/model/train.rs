//! Training the two-headed model from labelled texts.

use std::collections::BTreeSet;

use super::classifier::{CvScore, StanceHead, StanceHeads, StanceModel, TrainingMeta, UNCERTAIN};
use super::cv::{cross_validate, CvMetric};
use super::head::LinearHead;
use super::logistic::{fit, LogisticParams};
use super::roles::{RoleNames, StanceRoles};
use super::training_texts::TrainingTexts;
use crate::error::{Error, Result};
use crate::features::{CsrMatrix, SurfaceForms, Vectorizer, VectorizerConfig};

/// Everything `train` needs besides the data.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Text to features.
    pub vectorizer: VectorizerConfig,
    /// Solver settings; `c` is used when `c_grid` is empty.
    pub logistic: LogisticParams,
    /// When non-empty, C is chosen per head by stratified k-fold CV over this grid.
    pub c_grid: Vec<f64>,
    /// Folds for cross-validation. Default 5.
    pub cv_folds: usize,
    /// A topic with fewer rows than this uses the shared stance head. Default 30.
    pub min_stance_rows: usize,
    /// Stance labels named for the favor, against and neutral roles; roles
    /// not named are found by name ([`StanceRoles::decide`]). Default: none named.
    pub roles: RoleNames,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            vectorizer: VectorizerConfig::default(),
            logistic: LogisticParams::default(),
            c_grid: Vec::new(),
            cv_folds: 5,
            min_stance_rows: 30,
            roles: RoleNames::default(),
        }
    }
}

impl TrainConfig {
    /// Validates the settings before any work: the solver's, the folds, and
    /// the analyzer's n-gram ranges (see [`AnalyzerConfig::check`]).
    ///
    /// [`AnalyzerConfig::check`]: crate::analysis::AnalyzerConfig::check
    pub fn check(&self) -> Result<()> {
        self.logistic.check()?;
        if self.cv_folds < 2 && !self.c_grid.is_empty() {
            return Err(Error::InvalidParam {
                name: "cv",
                value: self.cv_folds.to_string(),
                reason: "cross-validation needs at least 2 folds".into(),
            });
        }
        self.vectorizer.analyzer.check()
    }
}

/// The C grid used when `--c` is not given.
pub const DEFAULT_C_GRID: [f64; 8] = [0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0];

/// Labelled texts to learn from.
pub struct TrainingSet<'a> {
    /// Statement texts.
    pub texts: &'a [String],
    /// Topic per text.
    pub topics: &'a [String],
    /// Stance per text, when the data has stance.
    pub stances: Option<&'a [String]>,
}

/// Trains the model; `log` receives one line per fitted head.
pub fn train(
    data: &TrainingSet,
    config: &TrainConfig,
    meta: TrainingMeta,
    log: &mut dyn FnMut(&str),
) -> Result<StanceModel> {
    config.check()?;
    if data.texts.is_empty() {
        return Err(Error::Training("no training rows".into()));
    }
    if let Some(row) = data.topics.iter().position(|t| t == UNCERTAIN) {
        return Err(Error::Training(format!(
            "the topic {UNCERTAIN:?} (first in data row {}) is reserved: `score --min-confidence` \
             and `report` use it for low-confidence statements; rename that topic in the data",
            row + 1
        )));
    }
    // Note: the roles are decided before any fitting, so a misnamed
    // `favor_label` fails at once rather than after minutes of training.
    let roles = match data.stances {
        Some(stances) => {
            let labels: Vec<String> = stances
                .iter()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            StanceRoles::decide(&labels, &config.roles)?
        }
        None if config.roles != RoleNames::default() => {
            return Err(Error::Training(
                "stance roles were named, but the data has no stance labels".into(),
            ))
        }
        None => StanceRoles::default(),
    };
    let started = std::time::Instant::now();
    let (vectorizer, x) = Vectorizer::fit_transform(&config.vectorizer, data.texts)?;
    log(&format!(
        "features: {} terms, {} rows, {} non-zeros ({:.1} s)",
        vectorizer.vocabulary().len(),
        x.n_rows(),
        x.nnz(),
        started.elapsed().as_secs_f64()
    ));
    let surface = SurfaceForms::collect(
        data.texts,
        &config.vectorizer.analyzer,
        vectorizer.vocabulary(),
    );
    let mut cv = Vec::new();
    let no_roles = StanceRoles::default();
    let topic = fit_head("topic", &x, data.topics, &no_roles, config, &mut cv, log)?;
    let stance = match data.stances {
        None => None,
        Some(stances) => {
            let mut per_topic = Vec::new();
            let mut need_shared = false;
            for t in &topic.labels {
                let rows: Vec<usize> = (0..data.topics.len())
                    .filter(|&i| &data.topics[i] == t)
                    .collect();
                if rows.len() < config.min_stance_rows {
                    log(&format!(
                        "stance:{t}: {} rows (< {}), uses the shared stance head",
                        rows.len(),
                        config.min_stance_rows
                    ));
                    need_shared = true;
                    per_topic.push(StanceHead::Shared);
                    continue;
                }
                let xt = x.select_rows(&rows);
                let yt: Vec<String> = rows.iter().map(|&i| stances[i].clone()).collect();
                per_topic.push(StanceHead::Own(Box::new(fit_head(
                    &format!("stance:{t}"),
                    &xt,
                    &yt,
                    &roles,
                    config,
                    &mut cv,
                    log,
                )?)));
            }
            let shared = if need_shared {
                Some(fit_head(
                    "stance:*", &x, stances, &roles, config, &mut cv, log,
                )?)
            } else {
                None
            };
            Some(StanceHeads { per_topic, shared })
        }
    };
    Ok(StanceModel {
        vectorizer,
        topic,
        stance,
        roles,
        meta: TrainingMeta {
            cv,
            training_texts: TrainingTexts::of(data.texts),
            ..meta
        },
        context: None,
        calibration: None,
        surface,
    })
}

/// Fits one head on rows `x` with labels `labels`, choosing C by CV when asked.
fn fit_head(
    name: &str,
    x: &CsrMatrix,
    labels: &[String],
    roles: &StanceRoles,
    config: &TrainConfig,
    cv: &mut Vec<CvScore>,
    log: &mut dyn FnMut(&str),
) -> Result<LinearHead> {
    let names: Vec<String> = labels
        .iter()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if names.len() == 1 {
        log(&format!(
            "{name}: one class ({:?}), constant head",
            names[0]
        ));
        return Ok(LinearHead::constant(&names[0], x.n_cols()));
    }
    let y: Vec<u32> = labels
        .iter()
        .map(|l| names.binary_search(l).map(|i| i as u32).unwrap_or(0))
        .collect();
    let mut params = config.logistic.clone();
    if !config.c_grid.is_empty() {
        let smallest = names
            .iter()
            .map(|n| labels.iter().filter(|l| *l == n).count())
            .min()
            .unwrap_or(0);
        let folds = config.cv_folds.min(smallest.max(2));
        let metric = CvMetric::for_roles(&names, roles);
        let outcome = cross_validate(x, &y, &names, &config.c_grid, folds, &params)?;
        for &(c, s) in &outcome.scores {
            cv.push(CvScore {
                head: name.to_string(),
                c,
                metric: metric.key().to_string(),
                score: s,
            });
        }
        params.c = outcome.best_c;
        let shown: Vec<String> = outcome
            .scores
            .iter()
            .map(|(c, s)| format!("C={c}: {s:.4}"))
            .collect();
        let skipped = if outcome.skipped.is_empty() {
            String::new()
        } else {
            let cs: Vec<String> = outcome.skipped.iter().map(|c| c.to_string()).collect();
            format!(" (past the peak, not evaluated: C={})", cs.join(", "))
        };
        log(&format!(
            "{name}: {folds}-fold CV {} {}{skipped}; chose C={}",
            metric.display(),
            shown.join(", "),
            params.c
        ));
    }
    let fitted = fit(x, &x.transpose(), &y, names.len(), &params)?;
    let r = &fitted.report;
    log(&format!(
        "{name}: {} classes, C={}, {} iterations ({} evaluations, {:.1} s, {:.1} s of it in the loss), max |gradient| {:.3e}, {}",
        names.len(),
        r.c,
        r.iterations,
        r.evaluations,
        fitted.timing.seconds,
        fitted.timing.loss_seconds,
        r.grad_max_abs,
        if r.converged { "converged".to_string() } else { format!("NOT converged ({})", r.termination) }
    ));
    if !r.converged {
        log(&format!(
            "warning: {name} did not converge ({}, {} of at most {} iterations); \
             raise --max-iter or lower C",
            r.termination, r.iterations, params.max_iter
        ));
    }
    Ok(LinearHead {
        labels: names,
        weights: fitted.weights,
        intercept: fitted.intercept,
        report: Some(fitted.report),
    })
}
