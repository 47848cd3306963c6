//! The article-context stage: a second logistic layer over the topic head's
//! probabilities for a statement, its neighbours and its article.
//!
//! Many statements carry their topic only through their article ("He added
//! that the talks would resume next week"). The first stage (TF-IDF and the
//! topic head) scores every statement alone; this stage then reads, for each
//! statement of an article with more than one, the log-probabilities of the
//! statement, of the previous and the next one, the mean of the two before
//! and two after, and the mean of the rest of the article, plus where the
//! statement stands, and gives its topic probabilities. It is trained on
//! out-of-fold first-stage predictions of labelled articles (see
//! [`super::refine`]), so it learns how far to trust a statement's own
//! words against its article's.

use serde::{Deserialize, Serialize};

use super::calibrate::apply_temperature;
use super::softmax::softmax_in_place;
use super::stance_context::StanceContext;
use crate::error::{Error, Result};
use crate::features::{CsrBuilder, CsrMatrix};

/// The feature layout this build computes (stored in the model; another is refused).
pub const CONTEXT_FEATURES: &str = "self,prev,next,window2,article,first,last,position";

/// Blocks of `k` log-probabilities per statement, before the three position features.
const BLOCKS: usize = 5;

/// The smallest probability taken into a log.
const FLOOR: f64 = 1e-6;

/// The trained context stage for the topic head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleContext {
    /// The feature layout, [`CONTEXT_FEATURES`].
    pub features: String,
    /// Per topic (the topic head's label order), a weight per feature.
    pub weights: Vec<Vec<f64>>,
    /// Per topic, the intercept.
    pub intercept: Vec<f64>,
    /// The temperature applied to its output (fitted on out-of-fold outputs; 1 when not calibrated).
    pub temperature: f64,
    /// The C it was fitted with.
    pub c: f64,
    /// The stance context stages (absent in older models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stance: Option<StanceContext>,
}

/// Number of context features for `k` topics.
pub fn n_features(k: usize) -> usize {
    BLOCKS * k + 3
}

fn ln(p: f64) -> f64 {
    p.max(FLOOR).ln()
}

/// Writes the context features of statement `i` of an article whose
/// first-stage topic probabilities are `probs` (`n` rows of `k`, `n >= 2`),
/// with `sums` the column sums of `probs`.
pub fn features_of(probs: &[f64], k: usize, sums: &[f64], i: usize, out: &mut Vec<f64>) {
    let n = probs.len() / k;
    let row = |j: usize| &probs[j * k..(j + 1) * k];
    out.clear();
    out.extend(row(i).iter().map(|&p| ln(p)));
    let uniform = ln(1.0 / k as f64);
    match i.checked_sub(1) {
        Some(j) => out.extend(row(j).iter().map(|&p| ln(p))),
        None => out.extend(std::iter::repeat_n(uniform, k)),
    }
    match (i + 1 < n).then_some(i + 1) {
        Some(j) => out.extend(row(j).iter().map(|&p| ln(p))),
        None => out.extend(std::iter::repeat_n(uniform, k)),
    }
    let window: Vec<usize> = (i.saturating_sub(2)..(i + 3).min(n))
        .filter(|&j| j != i)
        .collect();
    for c in 0..k {
        let mean = window.iter().map(|&j| row(j)[c]).sum::<f64>() / window.len() as f64;
        out.push(ln(mean));
    }
    for (s, p) in sums.iter().zip(row(i)) {
        out.push(ln((s - p) / (n - 1) as f64));
    }
    out.push((i == 0) as u8 as f64);
    out.push((i + 1 == n) as u8 as f64);
    out.push(i as f64 / (n - 1) as f64);
}

/// Column sums of `n` rows of `k`.
pub fn column_sums(probs: &[f64], k: usize, sums: &mut Vec<f64>) {
    sums.clear();
    sums.resize(k, 0.0);
    for row in probs.chunks_exact(k) {
        sums.iter_mut().zip(row).for_each(|(s, p)| *s += p);
    }
}

/// The context features of every statement of one article, appended to `rows` as CSR rows.
pub fn push_article_rows(probs: &[f64], k: usize, rows: &mut CsrBuilder) {
    let n = probs.len() / k;
    let mut sums = Vec::new();
    column_sums(probs, k, &mut sums);
    let cols: Vec<u32> = (0..n_features(k) as u32).collect();
    let mut f = Vec::new();
    for i in 0..n {
        features_of(probs, k, &sums, i, &mut f);
        rows.push_row(&cols, &f);
    }
}

impl ArticleContext {
    /// Checks the stage fits a topic head with `k` labels.
    pub fn check(&self, k: usize) -> std::result::Result<(), String> {
        if self.features != CONTEXT_FEATURES {
            return Err(format!(
                "context features {:?} are not the ones this build computes ({CONTEXT_FEATURES:?})",
                self.features
            ));
        }
        let f = n_features(k);
        if self.weights.len() != k
            || self.intercept.len() != k
            || self.weights.iter().any(|w| w.len() != f)
        {
            return Err(format!(
                "the context stage needs {k} x {f} weights and {k} intercepts"
            ));
        }
        let finite = |x: &f64| x.is_finite() && x.abs() <= super::MAX_ABS_WEIGHT;
        if !(self.weights.iter().flatten().all(finite)
            && self.intercept.iter().all(finite)
            && self.temperature.is_finite()
            && self.temperature > 0.0)
        {
            return Err("the context stage has a weight or temperature out of range".into());
        }
        Ok(())
    }

    /// The stage from a fitted head over `n_features(k)` columns (k topics).
    pub fn from_head(head: &super::LinearHead, c: f64) -> ArticleContext {
        let k = head.n_classes();
        ArticleContext {
            features: CONTEXT_FEATURES.to_string(),
            weights: (0..k).map(|c| head.weights.column(c).to_vec()).collect(),
            intercept: head.intercept.to_vec(),
            temperature: 1.0,
            c,
            stance: None,
        }
    }

    /// The topic probabilities of every statement of an article (`first`:
    /// `n` rows of `k` first-stage probabilities, `n >= 2`) into `out`.
    pub fn apply(&self, first: &[f64], k: usize, out: &mut Vec<f64>) {
        let n = first.len() / k;
        let mut sums = Vec::new();
        column_sums(first, k, &mut sums);
        let mut f = Vec::new();
        out.clear();
        out.resize(n * k, 0.0);
        for i in 0..n {
            features_of(first, k, &sums, i, &mut f);
            let o = &mut out[i * k..(i + 1) * k];
            for (c, o) in o.iter_mut().enumerate() {
                *o = self.intercept[c]
                    + self.weights[c]
                        .iter()
                        .zip(&f)
                        .map(|(w, x)| w * x)
                        .sum::<f64>();
            }
            softmax_in_place(o);
            apply_temperature(o, self.temperature);
        }
    }
}

/// The context rows of many articles: `probs` per statement (rows of `k`),
/// `groups` the article of each statement (contiguous), only groups of two
/// or more; returns the matrix and the statement index of each row.
pub fn context_matrix(
    probs: &[f64],
    k: usize,
    groups: &[(usize, usize)],
) -> (CsrMatrix, Vec<usize>) {
    let mut b = CsrBuilder::new();
    let mut index = Vec::new();
    for &(start, end) in groups.iter().filter(|(s, e)| e - s >= 2) {
        push_article_rows(&probs[start * k..end * k], k, &mut b);
        index.extend(start..end);
    }
    (b.finish(n_features(k)), index)
}

/// Contiguous runs of equal, non-empty `ids` as (start, end) row ranges;
/// an empty id is a statement alone. An id that comes back after another
/// is an error naming its 1-based row.
pub fn article_groups(ids: &[String]) -> Result<Vec<(usize, usize)>> {
    article_runs(ids).map_err(|row| {
        Error::Training(format!(
            "article {:?} comes back at row {} after other articles: its rows must be contiguous",
            ids[row],
            row + 1
        ))
    })
}

/// [`article_groups`], failing with the 0-based row where an article comes back.
pub fn article_runs(ids: &[String]) -> std::result::Result<Vec<(usize, usize)>, usize> {
    let mut groups = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut start = 0;
    for i in 1..=ids.len() {
        if i == ids.len() || ids[i].is_empty() || ids[i] != ids[start] {
            if !ids[start].is_empty() && !seen.insert(ids[start].as_str()) {
                return Err(start);
            }
            groups.push((start, i));
            start = i;
        }
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_contiguous_runs_and_empty_ids_stand_alone() {
        let ids: Vec<String> = ["a", "a", "", "", "b", "c", "c"].map(String::from).to_vec();
        assert_eq!(
            article_groups(&ids).unwrap(),
            vec![(0, 2), (2, 3), (3, 4), (4, 5), (5, 7)]
        );
        let back: Vec<String> = ["a", "b", "a"].map(String::from).to_vec();
        assert!(article_groups(&back).is_err());
    }

    #[test]
    fn features_see_the_neighbours_and_the_rest_of_the_article() {
        let probs = [0.9, 0.1, 0.2, 0.8, 0.5, 0.5];
        let mut sums = Vec::new();
        column_sums(&probs, 2, &mut sums);
        let mut f = Vec::new();
        features_of(&probs, 2, &sums, 0, &mut f);
        assert_eq!(f.len(), n_features(2));
        assert_eq!(f[0], 0.9f64.ln());
        assert_eq!(f[2], 0.5f64.ln()); // no previous: uniform
        assert_eq!(f[4], 0.2f64.ln()); // next
        assert!((f[6] - 0.35f64.ln()).abs() < 1e-12); // window: rows 1 and 2
        assert!((f[8] - 0.35f64.ln()).abs() < 1e-12); // rest of the article
        assert_eq!(&f[10..], &[1.0, 0.0, 0.0]);
    }
}
