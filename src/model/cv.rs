//! Stratified k-fold cross-validation, used by training to choose C.
//!
//! Note: this lives in `model` (not `eval`) because training drives it; the
//! fold score it needs is computed here on class indices ([`CvMetric`]), with
//! the same definitions as `eval::Metrics` (a test there holds them equal).

use rayon::prelude::*;

use super::head::LinearHead;
use super::logistic::{fit_from, LogisticParams};
use crate::error::Result;
use crate::features::{CsrBuilder, CsrMatrix};

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

    /// F_avg over the roles' favor and against labels when `labels` has both,
    /// else macro-F1: the metric of a head whose stance roles were decided at training.
    pub fn for_roles(labels: &[String], roles: &crate::model::StanceRoles) -> CvMetric {
        let find = |role: &Option<String>| {
            role.as_ref()
                .and_then(|r| labels.iter().position(|l| l == r))
        };
        match (find(&roles.favor), find(&roles.against)) {
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

/// What cross-validation found for one head.
#[derive(Debug, Clone, PartialEq)]
pub struct CvOutcome {
    /// `(C, mean fold score)` for every C evaluated, in increasing C.
    pub scores: Vec<(f64, f64)>,
    /// The grid's values not evaluated because the score had peaked (increasing).
    pub skipped: Vec<f64>,
    /// The chosen C (the best score; the smaller C on ties).
    pub best_c: f64,
    /// Out-of-fold class probabilities at `best_c`, rows x classes (row-major):
    /// each row's probabilities from the fit that did not see it.
    pub out_of_fold: Vec<f64>,
}

/// Candidates scoring clearly below the best so far (by more than
/// [`CLEAR_DROP`]) after which the rest of the grid is skipped.
// Note: two, not one: fold scores of small data are noisy, and one dip after a
// plateau is common; two past the peak is where the curve has turned.
pub const PATIENCE: usize = 2;

/// How far below the best a score must be to count towards [`PATIENCE`];
/// ties and smaller dips never stop the grid.
// Note: SemEval's small stance heads start on a plateau (every fold predicts
// the majority class for small C, e.g. 0.3721 three times) and then rise;
// counting ties or 0.0003 dips stopped them at C = 0.03.
pub const CLEAR_DROP: f64 = 0.005;

/// Fold fits run side by side (one per core) when their parameter vectors are at
/// most this long; larger problems run the folds one after another, each fit
/// using every core inside the loss.
// Note: each fit holds about 2 x memory + 4 parameter-sized vectors (L-BFGS
// history and work); five folds of 20 Newsgroups at once would be ~7 GB.
const PARALLEL_FOLDS_MAX_PARAMS: usize = 1 << 21;

/// One fold's data in its own compact column space: only the columns that
/// occur in its training rows are kept.
///
/// Note: a column absent from every training row has zero gradient from the
/// zero start and stays exactly zero (L-BFGS directions are combinations of
/// gradients), so dropping it changes nothing but the vector lengths; for a
/// topic's stance head most of the vocabulary is such columns.
struct Fold {
    x: CsrMatrix,
    xt: CsrMatrix,
    y: Vec<u32>,
    /// Held-out rows (their row numbers in the head's data) in compact columns;
    /// columns unseen in training are dropped (their weights are zero).
    test_rows: Vec<usize>,
    test_x: CsrMatrix,
    /// The solution at the previous C: the next fit's start.
    start: Option<Vec<f64>>,
}

impl Fold {
    fn new(x: &CsrMatrix, y: &[u32], train: &[usize], test: Vec<usize>) -> Fold {
        let mut map = vec![u32::MAX; x.n_cols()];
        let mut used = 0u32;
        for &i in train {
            for &j in x.row(i).0 {
                if map[j as usize] == u32::MAX {
                    map[j as usize] = 0;
                }
            }
        }
        for m in map.iter_mut() {
            if *m != u32::MAX {
                *m = used;
                used += 1;
            }
        }
        let remap = |rows: &[usize]| {
            let mut b = CsrBuilder::new();
            let (mut cols, mut vals) = (Vec::new(), Vec::new());
            for &i in rows {
                cols.clear();
                vals.clear();
                let (c, v) = x.row(i);
                for (&j, &x) in c.iter().zip(v) {
                    let m = map[j as usize];
                    if m != u32::MAX {
                        cols.push(m);
                        vals.push(x);
                    }
                }
                b.push_row(&cols, &vals);
            }
            b.finish(used as usize)
        };
        let xf = remap(train);
        Fold {
            xt: xf.transpose(),
            x: xf,
            y: train.iter().map(|&i| y[i]).collect(),
            test_x: remap(&test),
            test_rows: test,
            start: None,
        }
    }

    /// Fits at `c` from the previous solution and returns the held-out rows'
    /// probabilities (rows x classes).
    fn fit_and_predict(
        &mut self,
        labels: &[String],
        params: &LogisticParams,
        c: f64,
    ) -> Result<Vec<f64>> {
        let k = labels.len();
        let params = LogisticParams {
            c,
            ..params.clone()
        };
        let fitted = fit_from(&self.x, &self.xt, &self.y, k, &params, self.start.take())?;
        let head = LinearHead {
            labels: labels.to_vec(),
            weights: fitted.weights,
            intercept: fitted.intercept,
            report: None,
        };
        let mut probs = vec![0.0; self.test_rows.len() * k];
        for (r, p) in probs.chunks_mut(k).enumerate() {
            let (cols, vals) = self.test_x.row(r);
            head.probabilities(cols, vals, p);
        }
        let mut start = head.weights.into_raw_vec_and_offset().0;
        start.extend(head.intercept.iter());
        self.start = Some(start);
        Ok(probs)
    }
}

/// Mean [`CvMetric`] over `k` stratified folds for C along `grid`, from the
/// smallest C (most regularised) up. Rows are `x`; labels `y` index `labels`.
///
/// Each fold's fit at a C starts from its solution at the previous C (a warm
/// start: the same optimum within the tolerance, in fewer iterations); the
/// folds run in parallel where they fit in memory; and once [`PATIENCE`]
/// candidates score clearly below the best, the larger C values are skipped.
/// Every fold's matrices are built once, not once per C. The folds are the
/// same for any thread count, and so are the results.
pub fn cross_validate(
    x: &CsrMatrix,
    y: &[u32],
    labels: &[String],
    grid: &[f64],
    k: usize,
    params: &LogisticParams,
) -> Result<CvOutcome> {
    let n_classes = labels.len();
    let metric = CvMetric::for_labels(labels);
    let mut grid: Vec<f64> = grid.to_vec();
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    let assignment = stratified_folds(y, k, 0x5eed);
    let fold_rows = |f: usize, held_out: bool| -> Vec<usize> {
        (0..y.len())
            .filter(|&i| (assignment[i] == f) == held_out)
            .collect()
    };
    let mut folds: Vec<Fold> = (0..k)
        .into_par_iter()
        .map(|f| Fold::new(x, y, &fold_rows(f, false), fold_rows(f, true)))
        .collect();
    let parallel = folds
        .iter()
        .all(|f| (f.x.n_cols() + 1) * n_classes <= PARALLEL_FOLDS_MAX_PARAMS);
    let mut scores = Vec::with_capacity(grid.len());
    let mut best: Option<(f64, f64)> = None;
    let mut out_of_fold = vec![0.0; y.len() * n_classes];
    let mut below = 0;
    let mut evaluated = 0;
    for &c in &grid {
        let probs: Vec<Vec<f64>> = if parallel {
            folds
                .par_iter_mut()
                .map(|f| f.fit_and_predict(labels, params, c))
                .collect::<Result<_>>()?
        } else {
            folds
                .iter_mut()
                .map(|f| f.fit_and_predict(labels, params, c))
                .collect::<Result<_>>()?
        };
        let mut total = 0.0;
        for (fold, p) in folds.iter().zip(&probs) {
            let gold: Vec<u32> = fold.test_rows.iter().map(|&i| y[i]).collect();
            let pred: Vec<u32> = p
                .chunks(n_classes)
                .map(|p| LinearHead::argmax(p) as u32)
                .collect();
            total += metric.score(&gold, &pred, n_classes);
        }
        let score = total / k as f64;
        scores.push((c, score));
        evaluated += 1;
        if best.is_none_or(|(_, b)| score > b) {
            best = Some((c, score));
            below = 0;
            for (fold, p) in folds.iter().zip(&probs) {
                for (&i, row) in fold.test_rows.iter().zip(p.chunks(n_classes)) {
                    out_of_fold[i * n_classes..(i + 1) * n_classes].copy_from_slice(row);
                }
            }
        } else if best.is_some_and(|(_, b)| score < b - CLEAR_DROP) {
            below += 1;
            if below >= PATIENCE {
                break;
            }
        }
    }
    Ok(CvOutcome {
        scores,
        skipped: grid[evaluated..].to_vec(),
        best_c: best.map_or(params.c, |(c, _)| c),
        out_of_fold,
    })
}

/// Out-of-fold class probabilities at one `c` (rows x classes, row-major) over
/// the same `k` stratified folds [`cross_validate`] uses: each row's
/// probabilities come from the fit on the other folds. For calibration.
// Note: no caller yet; offered to the probability calibration work, which
// needs out-of-fold predictions (after C is chosen, `CvOutcome::out_of_fold`
// holds them for free).
#[allow(dead_code)]
pub fn out_of_fold_probabilities(
    x: &CsrMatrix,
    y: &[u32],
    labels: &[String],
    c: f64,
    k: usize,
    params: &LogisticParams,
) -> Result<Vec<f64>> {
    Ok(cross_validate(x, y, labels, &[c], k, params)?.out_of_fold)
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
}
