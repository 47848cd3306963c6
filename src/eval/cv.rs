//! Stratified k-fold cross-validation, used to choose C.

use crate::error::Result;
use crate::eval::metrics::Metrics;
use crate::features::CsrMatrix;
use crate::model::logistic::{fit, LogisticParams};
use crate::model::{LinearHead, StanceRoles};

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

/// The score cross-validation maximises: SemEval-2016's F_avg when `labels`
/// include the favor and against labels of `roles`, else macro-F1.
pub fn cv_metric(labels: &[String], roles: &StanceRoles) -> &'static str {
    if roles.has_net_stance() && roles.all_in(labels) {
        "f_avg"
    } else {
        "macro_f1"
    }
}

/// Mean [`cv_metric`] over `k` stratified folds for each C in `grid`; returns all scores.
/// Rows are `x`; labels `y` index `labels`.
pub fn cross_validate(
    x: &CsrMatrix,
    y: &[u32],
    labels: &[String],
    roles: &StanceRoles,
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
                gold.push(labels[y[i] as usize].clone());
                pred.push(labels[LinearHead::argmax(&p)].clone());
            }
            let m = Metrics::compute_with_roles(&gold, &pred, roles);
            total += match cv_metric(labels, roles) {
                "f_avg" => m.f_avg.unwrap_or(0.0),
                _ => m.macro_f1,
            };
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
