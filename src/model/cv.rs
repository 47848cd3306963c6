//! Stratified k-fold cross-validation, used by training to choose C.
//!
//! Note: this lives in `model` (not `eval`) because training drives it; the
//! fold score it needs is computed here on class indices ([`CvMetric`]), with
//! the same definitions as `eval::Metrics` (a test there holds them equal).

use super::head::LinearHead;
use super::logistic::{fit, LogisticParams};
use crate::error::Result;
use crate::features::CsrMatrix;

/// Assigns each row a fold in `0..k`, keeping class proportions: rows of each
/// class are shuffled with a fixed seed and dealt round-robin.
pub fn stratified_folds(y: &[u32], k: usize, seed: u64) -> Vec<usize> {
    let n_classes = y.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut fold = vec![0; y.len()];
    let mut rng = SplitMix64(seed);
    let mut next = 0usize;
    for c in 0..n_classes {
        let mut rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] as usize == c).collect();
        for i in (1..rows.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            rows.swap(i, j);
        }
        for r in rows {
            fold[r] = next % k;
            next += 1;
        }
    }
    fold
}

/// A small deterministic generator (Steele et al.'s SplitMix64).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The score cross-validation maximises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CvMetric {
    /// SemEval-2016's F_avg = (F1 favor + F1 against) / 2.
    FAvg {
        /// Index of the favor class.
        favor: usize,
        /// Index of the against class.
        against: usize,
    },
    /// Unweighted mean F1 over the classes present in gold or predictions.
    MacroF1,
}

impl CvMetric {
    /// F_avg when the labels include favor and against (case-insensitive, the
    /// first such label in order, as `eval::Metrics` finds them), else macro-F1.
    pub fn for_labels(labels: &[String]) -> CvMetric {
        let find = |n: &str| labels.iter().position(|l| l.eq_ignore_ascii_case(n));
        match (find("favor"), find("against")) {
            (Some(favor), Some(against)) => CvMetric::FAvg { favor, against },
            _ => CvMetric::MacroF1,
        }
    }

    /// The name recorded in the model file (`f_avg`, `macro_f1`).
    pub fn key(&self) -> &'static str {
        match self {
            CvMetric::FAvg { .. } => "f_avg",
            CvMetric::MacroF1 => "macro_f1",
        }
    }

    /// The name shown to people (`F_avg`, `macro-F1`).
    pub fn display(&self) -> &'static str {
        match self {
            CvMetric::FAvg { .. } => "F_avg",
            CvMetric::MacroF1 => "macro-F1",
        }
    }

    /// The score of predictions `pred` against `gold` (class indices below `n_classes`).
    ///
    /// Per class: precision TP / predicted (0 when none predicted), recall TP /
    /// support (0 when no gold rows), F1 their harmonic mean (0 when both are 0).
    /// F_avg is 0 when favor or against occurs in neither gold nor predictions
    /// (as `eval::Metrics` gives no F_avg then).
    pub fn score(&self, gold: &[u32], pred: &[u32], n_classes: usize) -> f64 {
        let mut tp = vec![0usize; n_classes];
        let mut support = vec![0usize; n_classes];
        let mut predicted = vec![0usize; n_classes];
        for (&g, &p) in gold.iter().zip(pred) {
            support[g as usize] += 1;
            predicted[p as usize] += 1;
            if g == p {
                tp[g as usize] += 1;
            }
        }
        let seen = |c: usize| support[c] + predicted[c] > 0;
        let f1 = |c: usize| {
            let t = tp[c] as f64;
            let precision = if predicted[c] > 0 {
                t / predicted[c] as f64
            } else {
                0.0
            };
            let recall = if support[c] > 0 {
                t / support[c] as f64
            } else {
                0.0
            };
            if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            }
        };
        match *self {
            CvMetric::FAvg { favor, against } if seen(favor) && seen(against) => {
                (f1(favor) + f1(against)) / 2.0
            }
            CvMetric::FAvg { .. } => 0.0,
            CvMetric::MacroF1 => {
                let present: Vec<usize> = (0..n_classes).filter(|&c| seen(c)).collect();
                if present.is_empty() {
                    0.0
                } else {
                    present.iter().map(|&c| f1(c)).sum::<f64>() / present.len() as f64
                }
            }
        }
    }
}

/// Mean [`CvMetric`] over `k` stratified folds for each C in `grid`; returns all scores.
/// Rows are `x`; labels `y` index `labels`.
pub fn cross_validate(
    x: &CsrMatrix,
    y: &[u32],
    labels: &[String],
    grid: &[f64],
    k: usize,
    params: &LogisticParams,
) -> Result<Vec<(f64, f64)>> {
    let folds = stratified_folds(y, k, 0x5eed);
    let mut scores = Vec::with_capacity(grid.len());
    for &c in grid {
        let mut total = 0.0;
        for f in 0..k {
            let train: Vec<usize> = (0..y.len()).filter(|&i| folds[i] != f).collect();
            let test: Vec<usize> = (0..y.len()).filter(|&i| folds[i] == f).collect();
            let xtr = x.select_rows(&train);
            let ytr: Vec<u32> = train.iter().map(|&i| y[i]).collect();
            let fitted = fit(
                &xtr,
                &xtr.transpose(),
                &ytr,
                labels.len(),
                &LogisticParams {
                    c,
                    ..params.clone()
                },
            )?;
            let head = LinearHead {
                labels: labels.to_vec(),
                weights: fitted.weights,
                intercept: fitted.intercept,
                report: None,
            };
            let mut p = vec![0.0; labels.len()];
            let (mut gold, mut pred) = (Vec::new(), Vec::new());
            for &i in &test {
                let (cols, vals) = x.row(i);
                head.probabilities(cols, vals, &mut p);
                gold.push(y[i]);
                pred.push(LinearHead::argmax(&p) as u32);
            }
            total += CvMetric::for_labels(labels).score(&gold, &pred, labels.len());
        }
        scores.push((c, total / k as f64));
    }
    Ok(scores)
}

/// The C with the best score (the smaller C on ties: more regularisation).
pub fn best_c(scores: &[(f64, f64)]) -> Option<f64> {
    scores
        .iter()
        .fold(None, |best: Option<(f64, f64)>, &(c, s)| match best {
            Some((_, bs)) if bs >= s => best,
            _ => Some((c, s)),
        })
        .map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stratified_and_deterministic() {
        let y: Vec<u32> = (0..30).map(|i| (i % 3 == 0) as u32).collect();
        let f = stratified_folds(&y, 5, 1);
        assert_eq!(f, stratified_folds(&y, 5, 1));
        for fold in 0..5 {
            let pos = (0..30).filter(|&i| f[i] == fold && y[i] == 1).count();
            assert_eq!(pos, 2, "fold {fold}");
        }
    }

    #[test]
    fn best_c_prefers_smaller_on_ties() {
        assert_eq!(best_c(&[(0.1, 0.5), (1.0, 0.7), (10.0, 0.7)]), Some(1.0));
        assert_eq!(best_c(&[]), None);
    }
}
