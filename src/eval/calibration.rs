//! Calibration: does a head's confidence match how often it is right?
//!
//! A row's *confidence* is the probability the head gave its predicted label
//! (the largest of its probabilities); the row is *correct* when that label is
//! the gold one. Confidences are put in [`BINS`] equal-width bins over [0, 1]:
//! bin `m` (0-based) holds confidences in `(m/BINS, (m+1)/BINS]`, and bin 0
//! also holds a confidence of exactly 0. Then, as Guo et al. (2017, "On
//! Calibration of Modern Neural Networks", eq. 3) define it,
//!
//! ```text
//! ECE = sum over bins m of  |B_m| / n * | accuracy(B_m) - mean confidence(B_m) |
//! ```
//!
//! where `n` is the number of rows. A perfectly calibrated head has ECE 0; the
//! reliability diagram plots each non-empty bin's accuracy against its mean
//! confidence.

use serde::Serialize;

/// Number of equal-width confidence bins.
pub const BINS: usize = 10;

/// One confidence bin of a reliability diagram.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityBin {
    /// Lower edge (exclusive, except for the first bin).
    pub lower: f64,
    /// Upper edge (inclusive).
    pub upper: f64,
    /// Rows whose confidence falls in the bin.
    pub count: usize,
    /// Mean confidence of those rows; `None` when the bin is empty.
    pub mean_confidence: Option<f64>,
    /// Fraction of those rows predicted right; `None` when the bin is empty.
    pub accuracy: Option<f64>,
}

/// Expected calibration error and the bins it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Expected calibration error, in [0, 1] (0 when there are no rows).
    pub ece: f64,
    /// [`BINS`] bins, lowest confidence first.
    pub bins: Vec<ReliabilityBin>,
}

/// The bin of confidence `c` (clamped to [0, 1]).
fn bin_of(c: f64) -> usize {
    let c = if c.is_nan() { 0.0 } else { c.clamp(0.0, 1.0) };
    // Note: ceil puts an upper edge in its own bin, (m/B, (m+1)/B], as the definition says.
    ((c * BINS as f64).ceil() as usize).clamp(1, BINS) - 1
}

impl Calibration {
    /// Calibration of rows given as (confidence, correct) pairs.
    pub fn compute(rows: impl IntoIterator<Item = (f64, bool)>) -> Calibration {
        let mut count = [0usize; BINS];
        let mut conf = [0f64; BINS];
        let mut right = [0usize; BINS];
        for (c, ok) in rows {
            let b = bin_of(c);
            count[b] += 1;
            conf[b] += c;
            right[b] += usize::from(ok);
        }
        let n: usize = count.iter().sum();
        let mut ece = 0.0;
        let bins = (0..BINS)
            .map(|m| {
                let (mean_confidence, accuracy) = if count[m] > 0 {
                    let k = count[m] as f64;
                    let (mc, acc) = (conf[m] / k, right[m] as f64 / k);
                    ece += k / n as f64 * (acc - mc).abs();
                    (Some(mc), Some(acc))
                } else {
                    (None, None)
                };
                ReliabilityBin {
                    lower: m as f64 / BINS as f64,
                    upper: (m + 1) as f64 / BINS as f64,
                    count: count[m],
                    mean_confidence,
                    accuracy,
                }
            })
            .collect();
        Calibration { ece, bins }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_belong_to_the_lower_bin() {
        assert_eq!(bin_of(0.0), 0);
        assert_eq!(bin_of(0.1), 0);
        assert_eq!(bin_of(0.100001), 1);
        assert_eq!(bin_of(0.95), 9);
        assert_eq!(bin_of(1.0), 9);
        assert_eq!(bin_of(f64::NAN), 0);
    }

    /// Worked by hand: bin (0.5, 0.6] holds 0.55 (right) and 0.6 (wrong):
    /// accuracy 0.5, confidence 0.575, gap 0.075; bin (0.9, 1] holds 0.95 and
    /// 1.0, both right: gap 0.025. ECE = 2/4 * 0.075 + 2/4 * 0.025 = 0.05.
    #[test]
    fn ece_by_hand() {
        let c = Calibration::compute([(0.55, true), (0.6, false), (0.95, true), (1.0, true)]);
        assert!((c.ece - 0.05).abs() < 1e-12, "{}", c.ece);
        assert_eq!(c.bins.len(), BINS);
        assert_eq!(c.bins[5].count, 2);
        assert_eq!(c.bins[5].accuracy, Some(0.5));
        assert!((c.bins[5].mean_confidence.unwrap() - 0.575).abs() < 1e-12);
        assert_eq!(c.bins[9].count, 2);
        assert_eq!(c.bins[0].accuracy, None);
        assert_eq!(c.bins.iter().map(|b| b.count).sum::<usize>(), 4);
    }

    #[test]
    fn overconfident_head_has_large_ece_and_no_rows_none() {
        let c = Calibration::compute((0..10).map(|i| (0.99, i == 0)));
        assert!((c.ece - (0.99 - 0.1)).abs() < 1e-12);
        assert_eq!(Calibration::compute([]).ece, 0.0);
    }
}
