//! One fitted linear classifier: labels, weights, intercepts, and how it was fitted.

use ndarray::{Array1, Array2};

use super::logistic::FitReport;
use super::softmax::softmax_in_place;
use super::sparse_dot::add_row_times_weights;

/// The largest |weight| or |intercept| a loaded head may have.
///
/// Note: a class score is `b + sum_j x_j w_j` over a TF-IDF row, which has
/// unit L2 norm, so `sum_j |x_j| <= sqrt(terms) < 2^32` for any vocabulary a
/// file can hold. Within this bound every score (and every partial sum of
/// it) stays below 1e100 * (1 + 2^32) < 1e110, so the softmax's differences
/// of two scores are finite and every probability is a number. A file with
/// finite weights near 1e308 (which fitting never produces: fitted weights
/// are of order C) made scores overflow to infinities, and infinity minus
/// infinity wrote every probability as empty.
pub const MAX_ABS_WEIGHT: f64 = 1e100;

/// A multinomial logistic classifier over the vectorizer's features.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearHead {
    /// Class names; column k of the weights belongs to `labels[k]`.
    pub labels: Vec<String>,
    /// Weights, features x classes.
    pub weights: Array2<f64>,
    /// Intercepts, one per class.
    pub intercept: Array1<f64>,
    /// How the fit ended; None for a head with a single class.
    pub report: Option<FitReport>,
}

impl LinearHead {
    /// A head that always answers `label` with probability 1 (a single-class training set).
    pub fn constant(label: &str, n_features: usize) -> LinearHead {
        LinearHead {
            labels: vec![label.to_string()],
            weights: Array2::zeros((n_features, 1)),
            intercept: Array1::zeros(1),
            report: None,
        }
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.labels.len()
    }

    /// Writes the class probabilities of one sparse row into `out` (length = classes).
    pub fn probabilities(&self, cols: &[u32], vals: &[f64], out: &mut [f64]) {
        let k = self.n_classes();
        debug_assert_eq!(out.len(), k);
        out.iter_mut()
            .zip(self.intercept.iter())
            .for_each(|(o, &b)| *o = b);
        let w = self.weights.as_slice().unwrap_or(&[]);
        add_row_times_weights(w, cols, vals, out);
        softmax_in_place(out);
    }

    /// The index of the most probable class (first on ties).
    pub fn argmax(probs: &[f64]) -> usize {
        let mut best = 0;
        for (i, &p) in probs.iter().enumerate() {
            if p > probs[best] {
                best = i;
            }
        }
        best
    }

    /// Each feature's contribution `x_j * W[j, class]` to the score of `class`,
    /// largest first, at most `k`.
    pub fn contributions(
        &self,
        cols: &[u32],
        vals: &[f64],
        class: usize,
        k: usize,
    ) -> Vec<(u32, f64)> {
        largest(
            cols.iter()
                .zip(vals)
                .map(|(&j, &v)| (j, v * self.weights[[j as usize, class]])),
            k,
        )
    }
}

/// The `k` (feature, contribution) pairs of largest magnitude, largest first
/// (ties to the smaller feature).
pub(crate) fn largest(
    contributions: impl Iterator<Item = (u32, f64)>,
    k: usize,
) -> Vec<(u32, f64)> {
    let mut c: Vec<(u32, f64)> = contributions.collect();
    c.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    c.truncate(k);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_head_is_certain() {
        let h = LinearHead::constant("neutral", 4);
        let mut p = [0.0];
        h.probabilities(&[1, 3], &[0.5, 0.5], &mut p);
        assert_eq!(p, [1.0]);
    }

    #[test]
    fn probabilities_follow_the_weights() {
        let h = LinearHead {
            labels: vec!["a".into(), "b".into()],
            weights: ndarray::array![[1.0, -1.0], [0.0, 2.0]],
            intercept: ndarray::array![0.0, 0.0],
            report: None,
        };
        let mut p = [0.0; 2];
        h.probabilities(&[0], &[1.0], &mut p);
        assert!((p[0] - 1.0 / (1.0 + (-2.0f64).exp())).abs() < 1e-12);
        assert_eq!(LinearHead::argmax(&p), 0);
        assert_eq!(h.contributions(&[0, 1], &[1.0, 1.0], 1, 1), vec![(1, 2.0)]);
    }
}
