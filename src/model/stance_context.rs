//! The article-context stage for stance: a second logistic layer over the
//! stance heads' probabilities for a statement and its article's statements.
//!
//! Real opposition is often indirect, and a report's neutral sentence sits
//! between its quoted ones: the stance of "He added that the plan was not a
//! withdrawal" is the stance of the paragraph it continues. For a statement
//! given a topic `t`, this stage reads the log-probabilities of `t`'s stance
//! head for the statement, for its previous and next statements and for the
//! two before and after and the rest of the article (each neighbour weighed
//! by its first-stage probability of being about `t`, and shrunk towards
//! uniform when it is not), plus how much the statement and its article are
//! about `t`. One stage per topic whose head has two or more classes, fitted
//! on out-of-fold first-stage predictions of labelled articles (see
//! [`super::refine`]).

use serde::{Deserialize, Serialize};

use super::calibrate::apply_temperature;
use super::softmax::softmax_in_place;

/// The feature layout this build computes (stored in the model; another is refused).
pub const STANCE_CONTEXT_FEATURES: &str = "self,prev,next,window2,article,topic_self,topic_article";

/// Blocks of `c` log-probabilities per statement, before the two topic features.
const BLOCKS: usize = 5;

/// The smallest probability taken into a log.
const FLOOR: f64 = 1e-6;

/// The weight of the uniform distribution mixed into a neighbour's stance
/// (so a neighbour that is not about the topic says little).
const PRIOR: f64 = 0.25;

/// The trained stance context stage for one topic's stance head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StanceStage {
    /// Per stance class (the head's label order), a weight per feature.
    pub weights: Vec<Vec<f64>>,
    /// Per class, the intercept.
    pub intercept: Vec<f64>,
    /// The temperature applied to its output (1 when not calibrated).
    pub temperature: f64,
    /// The C it was fitted with.
    pub c: f64,
}

/// The stance context stages of a model, one per topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StanceContext {
    /// The feature layout, [`STANCE_CONTEXT_FEATURES`].
    pub features: String,
    /// Per topic (the topic head's label order), the stage for the stance
    /// head used for it; None for a head of one class or too few statements.
    pub per_topic: Vec<Option<StanceStage>>,
}

/// Number of features for a head of `c` classes.
pub fn n_stance_features(c: usize) -> usize {
    BLOCKS * c + 2
}

fn ln(p: f64) -> f64 {
    p.max(FLOOR).ln()
}

/// Writes the features of statement `i` under a topic: `stance` holds `n`
/// rows of `c` first-stage stance probabilities (under the topic's head),
/// `about` each statement's first-stage probability of the topic (`n >= 2`).
pub fn stance_features_of(stance: &[f64], c: usize, about: &[f64], i: usize, out: &mut Vec<f64>) {
    let n = about.len();
    let row = |j: usize| &stance[j * c..(j + 1) * c];
    let u = 1.0 / c as f64;
    out.clear();
    out.extend(row(i).iter().map(|&p| ln(p)));
    // A weighted mean of the rows `js`, with PRIOR of the uniform.
    let mix = |js: &mut dyn Iterator<Item = usize>, out: &mut Vec<f64>| {
        let start = out.len();
        out.extend(std::iter::repeat_n(PRIOR * u, c));
        let mut total = PRIOR;
        for j in js {
            total += about[j];
            for (o, &p) in out[start..].iter_mut().zip(row(j)) {
                *o += about[j] * p;
            }
        }
        out[start..].iter_mut().for_each(|o| *o = ln(*o / total));
    };
    mix(&mut i.checked_sub(1).into_iter(), out);
    mix(&mut (i + 1 < n).then_some(i + 1).into_iter(), out);
    mix(
        &mut (i.saturating_sub(2)..(i + 3).min(n)).filter(|&j| j != i),
        out,
    );
    mix(&mut (0..n).filter(|&j| j != i), out);
    out.push(about[i]);
    let rest: f64 = about.iter().sum::<f64>() - about[i];
    out.push(rest / (n - 1) as f64);
}

impl StanceStage {
    /// The stage from a fitted head over `n_stance_features(c)` columns.
    pub fn from_head(head: &super::LinearHead, c: f64) -> StanceStage {
        let k = head.n_classes();
        StanceStage {
            weights: (0..k).map(|j| head.weights.column(j).to_vec()).collect(),
            intercept: head.intercept.to_vec(),
            temperature: 1.0,
            c,
        }
    }

    /// The stance probabilities of statement `i` (see `stance_features_of`) into `out`.
    pub fn apply(
        &self,
        stance: &[f64],
        about: &[f64],
        i: usize,
        f: &mut Vec<f64>,
        out: &mut [f64],
    ) {
        let c = self.intercept.len();
        stance_features_of(stance, c, about, i, f);
        for (j, o) in out.iter_mut().enumerate().take(c) {
            *o = self.intercept[j]
                + self.weights[j]
                    .iter()
                    .zip(f.iter())
                    .map(|(w, x)| w * x)
                    .sum::<f64>();
        }
        softmax_in_place(&mut out[..c]);
        apply_temperature(&mut out[..c], self.temperature);
    }
}

impl StanceContext {
    /// Checks the stages fit a model whose topic `t`'s stance head has
    /// `classes[t]` classes (0 without one).
    pub fn check(&self, classes: &[usize]) -> std::result::Result<(), String> {
        if self.features != STANCE_CONTEXT_FEATURES {
            return Err(format!(
                "stance context features {:?} are not the ones this build computes ({STANCE_CONTEXT_FEATURES:?})",
                self.features
            ));
        }
        if self.per_topic.len() != classes.len() {
            return Err(format!(
                "the stance context stage needs one entry per topic ({})",
                classes.len()
            ));
        }
        let finite = |x: &f64| x.is_finite() && x.abs() <= super::MAX_ABS_WEIGHT;
        for (s, &c) in self.per_topic.iter().zip(classes) {
            let Some(s) = s else { continue };
            let f = n_stance_features(c);
            if c < 2
                || s.weights.len() != c
                || s.intercept.len() != c
                || s.weights.iter().any(|w| w.len() != f)
            {
                return Err(format!(
                    "a stance context stage needs {c} x {f} weights and {c} intercepts (two classes or more)"
                ));
            }
            if !(s.weights.iter().flatten().all(finite)
                && s.intercept.iter().all(finite)
                && s.temperature.is_finite()
                && s.temperature > 0.0)
            {
                return Err(
                    "a stance context stage has a weight or temperature out of range".into(),
                );
            }
        }
        Ok(())
    }

    /// The stage for topic `t`, if any.
    pub fn stage(&self, t: usize) -> Option<&StanceStage> {
        self.per_topic.get(t).and_then(Option::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_count_by_how_much_they_are_about_the_topic() {
        // Three statements, two classes; the middle one is not about the topic.
        let stance = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4];
        let about = [1.0, 0.0, 0.5];
        let mut f = Vec::new();
        stance_features_of(&stance, 2, &about, 1, &mut f);
        assert_eq!(f.len(), n_stance_features(2));
        assert_eq!(f[0], 0.2f64.ln());
        // prev: (0.25 * 0.5 + 1.0 * 0.9) / 1.25
        assert!((f[2] - (1.025f64 / 1.25).ln()).abs() < 1e-12);
        // next: (0.125 + 0.5 * 0.6) / 0.75
        assert!((f[4] - (0.425f64 / 0.75).ln()).abs() < 1e-12);
        assert_eq!(f[10], 0.0);
        assert!((f[11] - 0.75).abs() < 1e-12);
        // the first statement has no previous one: uniform
        stance_features_of(&stance, 2, &about, 0, &mut f);
        assert!((f[2] - 0.5f64.ln()).abs() < 1e-12);
    }
}
