//! Temperature scaling: one number per head that makes its probabilities honest.
//!
//! A head's probabilities `p` become `p^(1/T)` normalised, which is
//! `softmax(z / T)` of its class scores `z`: the ranking (and so every
//! label) is unchanged, only the confidence moves. `T` is fitted by
//! maximising the log-likelihood of out-of-fold predictions (Guo et al.,
//! "On Calibration of Modern Neural Networks", 2017).

use serde::{Deserialize, Serialize};

/// The temperatures a model applies to its heads' probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The topic head's temperature (a statement scored alone).
    pub topic: f64,
    /// Per topic (in the topic head's label order), the temperature of the
    /// stance head used for it (its own, else the shared head's).
    pub stance: Vec<f64>,
    /// The shared stance head's temperature (also for topics the model does not know).
    pub shared_stance: f64,
}

/// The smallest and largest temperature fitted.
const T_RANGE: (f64, f64) = (0.05, 20.0);

/// The smallest probability taken into the log-likelihood.
const FLOOR: f64 = 1e-12;

/// Rescales the probabilities `p` (summing to 1) in place to temperature `t`.
pub fn apply_temperature(p: &mut [f64], t: f64) {
    if t == 1.0 || p.len() < 2 {
        return;
    }
    let inv = 1.0 / t;
    // Note: in log space relative to the largest, so that no power underflows to 0 for all classes.
    let max = p.iter().copied().fold(0.0f64, f64::max).max(FLOOR);
    let mut sum = 0.0;
    for x in p.iter_mut() {
        *x = ((x.max(0.0) / max).ln() * inv).exp();
        sum += *x;
    }
    p.iter_mut().for_each(|x| *x /= sum);
}

/// Mean negative log-likelihood of `gold` under `probs` (rows of `k`) at temperature `t`.
fn nll(probs: &[f64], k: usize, gold: &[usize], t: f64, buf: &mut Vec<f64>) -> f64 {
    let mut total = 0.0;
    for (row, &g) in probs.chunks_exact(k).zip(gold) {
        buf.clear();
        buf.extend_from_slice(row);
        apply_temperature(buf, t);
        total -= buf[g].max(FLOOR).ln();
    }
    total / gold.len().max(1) as f64
}

/// The temperature that maximises the likelihood of `gold` (class indices)
/// under `probs` (one row of `k` probabilities per item); 1 without data.
///
/// Golden-section search on ln T over [0.05, 20] (the likelihood is
/// unimodal in T for a fixed ranking), to 1e-6 in ln T: deterministic.
pub fn fit_temperature(probs: &[f64], k: usize, gold: &[usize]) -> f64 {
    if gold.is_empty() || k < 2 {
        return 1.0;
    }
    let mut buf = Vec::with_capacity(k);
    let mut f = |lt: f64| nll(probs, k, gold, lt.exp(), &mut buf);
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (T_RANGE.0.ln(), T_RANGE.1.ln());
    let mut c = b - phi * (b - a);
    let mut d = a + phi * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    while b - a > 1e-6 {
        if fc <= fd {
            b = d;
            d = c;
            fd = fc;
            c = b - phi * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + phi * (b - a);
            fd = f(d);
        }
    }
    ((a + b) / 2.0).exp()
}

/// Expected calibration error of the top class: rows of `k` probabilities,
/// 10 equal-width bins of the top probability (the top bin includes 1), the
/// mean over items of |accuracy - mean confidence| of their bin.
pub fn expected_calibration_error(probs: &[f64], k: usize, gold: &[usize]) -> f64 {
    let mut count = [0usize; 10];
    let mut conf = [0.0f64; 10];
    let mut right = [0.0f64; 10];
    for (row, &g) in probs.chunks_exact(k).zip(gold) {
        let best = super::LinearHead::argmax(row);
        let bin = ((row[best] * 10.0) as usize).min(9);
        count[bin] += 1;
        conf[bin] += row[best];
        right[bin] += (best == g) as u8 as f64;
    }
    let n = gold.len().max(1) as f64;
    (0..10)
        .filter(|&b| count[b] > 0)
        .map(|b| (right[b] - conf[b]).abs() / n)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_keeps_the_ranking_and_one_is_the_identity() {
        let mut p = vec![0.7, 0.2, 0.1];
        apply_temperature(&mut p, 1.0);
        assert_eq!(p, vec![0.7, 0.2, 0.1]);
        apply_temperature(&mut p, 2.0);
        assert!(p[0] > p[1] && p[1] > p[2] && p[0] < 0.7);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // softmax(z / T) of z = ln p
        let z: Vec<f64> = [0.7f64, 0.2, 0.1].iter().map(|x| x.ln() / 2.0).collect();
        let s: f64 = z.iter().map(|x| x.exp()).sum();
        for (a, b) in p.iter().zip(&z) {
            assert!((a - b.exp() / s).abs() < 1e-12);
        }
    }

    /// Over-confident predictions (right 60% of the time at 0.95) get T > 1,
    /// under-confident ones T < 1.
    #[test]
    fn fitted_temperatures_move_confidence_towards_accuracy() {
        let rows = 100;
        let over: Vec<f64> = (0..rows).flat_map(|_| [0.95, 0.05]).collect();
        let gold: Vec<usize> = (0..rows).map(|i| (i % 5 >= 3) as usize).collect();
        let t = fit_temperature(&over, 2, &gold);
        assert!(t > 1.5, "{t}");
        let mut p = vec![0.95, 0.05];
        apply_temperature(&mut p, t);
        assert!((p[0] - 0.6).abs() < 0.01, "{p:?}");
        let under: Vec<f64> = (0..rows).flat_map(|_| [0.6, 0.4]).collect();
        let all_right = vec![0; rows];
        assert!(fit_temperature(&under, 2, &all_right) < 0.5);
        assert!(expected_calibration_error(&over, 2, &gold) > 0.3);
        assert_eq!(fit_temperature(&[], 2, &[]), 1.0);
    }
}
