//! The sparse classifier as a linfa algorithm.
//!
//! [`CsrMatrix`] rows are linfa [`Records`], [`LogisticParams`] [`Fit`] a
//! `DatasetBase<CsrMatrix, _>` of single targets into a [`LinearHead`], and
//! the head predicts labels ([`PredictInplace`] into `Array1<String>`) or
//! class probabilities (into `Array2<f64>`) for CSR rows:
//!
//! ```
//! use linfa::prelude::*;
//! use ndarray::{array, Array1, Array2};
//! use stance::features::CsrBuilder;
//! use stance::model::{LinearHead, LogisticParams};
//!
//! let mut rows = CsrBuilder::new();
//! for (cols, vals) in [(vec![0], vec![1.0]), (vec![1], vec![1.0]), (vec![0], vec![0.8]), (vec![1], vec![0.9])] {
//!     rows.push_row(&cols, &vals);
//! }
//! let dataset = DatasetBase::new(rows.finish(2), array!["gaza", "iraq", "gaza", "iraq"]);
//! let head: LinearHead = LogisticParams::default().fit(&dataset)?;
//! let labels: Array1<String> = head.predict(&dataset);
//! assert_eq!(labels, array!["gaza", "iraq", "gaza", "iraq"].map(|l| l.to_string()));
//! let probs: Array2<f64> = head.predict(&dataset);
//! assert!(probs[[0, 0]] > 0.5);
//! # Ok::<(), stance::Error>(())
//! ```
//!
//! Note: the fit is the crate's own ([`fit`](super::logistic::fit): sparse
//! rows, in-place L-BFGS); linfa-logistic's, which takes dense matrices
//! only, is its test oracle (`tests/oracle_logistic.rs`).

use std::collections::BTreeSet;
use std::fmt::Display;

use linfa::dataset::{AsSingleTargets, DatasetBase, Label, Records};
use linfa::traits::{Fit, PredictInplace};
use ndarray::{Array1, Array2};

use super::head::LinearHead;
use super::logistic::{fit, LogisticParams};
use crate::error::{Error, Result};
use crate::features::CsrMatrix;

impl Records for CsrMatrix {
    type Elem = f64;

    fn nsamples(&self) -> usize {
        self.n_rows()
    }

    fn nfeatures(&self) -> usize {
        self.n_cols()
    }
}

impl From<linfa::Error> for Error {
    fn from(e: linfa::Error) -> Error {
        Error::Training(e.to_string())
    }
}

impl<L, T> Fit<CsrMatrix, T, Error> for LogisticParams
where
    L: Label + Display,
    T: AsSingleTargets<Elem = L>,
{
    type Object = LinearHead;

    /// Fits multinomial logistic regression of the targets on the rows; the
    /// head's labels are the distinct targets in order (a single one gives
    /// a head that always answers it).
    ///
    /// Per-sample weights are refused (use [`LogisticParams::class_weight`]).
    fn fit(&self, dataset: &DatasetBase<CsrMatrix, T>) -> Result<LinearHead> {
        if dataset.weights().is_some() {
            return Err(Error::Training(
                "per-sample weights are not supported; use class_weight".into(),
            ));
        }
        let x = &dataset.records;
        let targets = dataset.as_single_targets();
        let classes: Vec<L> = targets
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let labels: Vec<String> = classes.iter().map(ToString::to_string).collect();
        if let [only] = labels.as_slice() {
            return Ok(LinearHead::constant(only, x.n_cols()));
        }
        let y: Vec<u32> = targets
            .iter()
            .map(|t| classes.binary_search(t).map_or(0, |i| i as u32))
            .collect();
        let fitted = fit(x, &x.transpose(), &y, classes.len(), self)?;
        Ok(LinearHead {
            labels,
            weights: fitted.weights,
            intercept: fitted.intercept,
            report: Some(fitted.report),
        })
    }
}

impl PredictInplace<CsrMatrix, Array2<f64>> for LinearHead {
    /// Every row's class probabilities, one column per label.
    fn predict_inplace(&self, x: &CsrMatrix, y: &mut Array2<f64>) {
        let mut p = vec![0.0; self.n_classes()];
        for (i, mut out) in y.rows_mut().into_iter().enumerate().take(x.n_rows()) {
            let (cols, vals) = x.row(i);
            self.probabilities(cols, vals, &mut p);
            out.iter_mut().zip(&p).for_each(|(o, &q)| *o = q);
        }
    }

    fn default_target(&self, x: &CsrMatrix) -> Array2<f64> {
        Array2::zeros((x.n_rows(), self.n_classes()))
    }
}

impl PredictInplace<CsrMatrix, Array1<String>> for LinearHead {
    /// Every row's most probable label.
    fn predict_inplace(&self, x: &CsrMatrix, y: &mut Array1<String>) {
        let mut p = vec![0.0; self.n_classes()];
        for (i, out) in y.iter_mut().enumerate().take(x.n_rows()) {
            let (cols, vals) = x.row(i);
            self.probabilities(cols, vals, &mut p);
            *out = self
                .labels
                .get(LinearHead::argmax(&p))
                .cloned()
                .unwrap_or_default();
        }
    }

    fn default_target(&self, x: &CsrMatrix) -> Array1<String> {
        Array1::from_elem(x.n_rows(), String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::CsrBuilder;
    use linfa::traits::Predict;
    use ndarray::array;

    fn rows() -> CsrMatrix {
        let mut b = CsrBuilder::new();
        for (c, v) in [(0, 1.0), (1, 1.0), (0, 0.5), (1, 0.7), (2, 1.0)] {
            b.push_row(&[c], &[v]);
        }
        b.finish(3)
    }

    /// The linfa path is the crate's fit on the same rows, bit for bit.
    #[test]
    fn fit_through_linfa_is_the_crates_fit() {
        let x = rows();
        let dataset = DatasetBase::new(x.clone(), array![2usize, 7, 2, 7, 7]);
        let params = LogisticParams::default();
        let head: LinearHead = params.fit(&dataset).unwrap();
        let direct = fit(&x, &x.transpose(), &[0, 1, 0, 1, 1], 2, &params).unwrap();
        assert_eq!(head.labels, ["2", "7"]);
        assert_eq!(head.weights, direct.weights);
        assert_eq!(head.intercept, direct.intercept);
        let labels: Array1<String> = head.predict(&dataset);
        assert_eq!(
            labels,
            array!["2", "7", "2", "7", "7"].map(|s| s.to_string())
        );
        let probs: Array2<f64> = head.predict(&dataset);
        let mut p = [0.0; 2];
        head.probabilities(&[1], &[0.7], &mut p);
        assert_eq!(probs.row(3).to_vec(), p.to_vec());
    }

    #[test]
    fn one_class_and_sample_weights() {
        let one = DatasetBase::new(rows(), array!["x", "x", "x", "x", "x"]);
        let head = LogisticParams::default().fit(&one).unwrap();
        assert_eq!(head.labels, ["x"]);
        let weighted = DatasetBase::new(rows(), array![0usize, 1, 0, 1, 1])
            .with_weights(array![1.0, 2.0, 1.0, 1.0, 1.0]);
        assert!(LogisticParams::default().fit(&weighted).is_err());
    }
}
