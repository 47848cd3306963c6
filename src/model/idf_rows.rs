//! A head's weight rows with each feature's idf beside its weights, for scoring.
//!
//! Scoring a statement reads, for each of its features, the feature's idf (to
//! weigh it) and its row of topic weights (for the head). In a large model
//! both are megabytes and mostly out of cache, so each feature cost a cache
//! miss for the idf on top of those for its row. Here a row is padded to
//! whole 64-byte lines with the idf in the padding: prefetching the row
//! brings the idf along. Weighing and the head's probabilities are computed
//! exactly as [`Tfidf::weigh`] and [`LinearHead::probabilities`] do.

use super::head::{largest, LinearHead};
use super::softmax::softmax_in_place;
use super::sparse_dot::{add_row_times_strided_weights, prefetch_rows};
use crate::features::{weigh_with, Tfidf};

/// f64 values per cache line.
const LINE: usize = 8;

/// One head's weights and the idf, row by row.
#[derive(Debug, Clone)]
pub(crate) struct IdfRows {
    /// Classes: a row holds `k` weights, then the idf.
    k: usize,
    /// Values from one row to the next: `k + 1` rounded up to whole lines.
    stride: usize,
    /// The rows, starting at `start` (the first 64-byte boundary of `data`).
    data: Vec<f64>,
    start: usize,
    intercept: Vec<f64>,
    sublinear_tf: bool,
}

impl IdfRows {
    /// `head`'s rows with `tfidf`'s idf; `None` when they do not have one row per feature each.
    pub fn new(head: &LinearHead, tfidf: &Tfidf) -> Option<IdfRows> {
        let k = head.n_classes();
        let idf = tfidf.idf();
        let weights = head.weights.as_slice()?;
        if head.weights.ncols() != k || head.weights.nrows() != idf.len() {
            return None;
        }
        let stride = (k + 1).div_ceil(LINE) * LINE;
        // Note: one line more than the rows need, to start them on a line.
        let mut data = vec![0.0; (idf.len() * stride).checked_add(LINE)?];
        let start = (LINE - (data.as_ptr() as usize % 64) / 8) % LINE;
        for ((row, w), &f) in data[start..]
            .chunks_exact_mut(stride)
            .zip(weights.chunks_exact(k.max(1)))
            .zip(idf)
        {
            row[..k].copy_from_slice(&w[..k]);
            row[k] = f;
        }
        Some(IdfRows {
            k,
            stride,
            data,
            start,
            intercept: head.intercept.to_vec(),
            sublinear_tf: tfidf.sublinear_tf(),
        })
    }

    fn rows(&self) -> &[f64] {
        self.data.get(self.start..).unwrap_or_default()
    }

    /// Starts loading the rows of `cols` into the cache, idf included.
    pub fn prefetch(&self, cols: &[u32]) {
        prefetch_rows(self.rows(), self.stride, cols);
    }

    /// [`Tfidf::weigh`], reading the idf from the rows.
    pub fn weigh(&self, cols: &[u32], counts: &[u32], out: &mut Vec<f64>) {
        let rows = self.rows();
        let idf = |c: usize| rows.get(c * self.stride + self.k).copied().unwrap_or(0.0);
        weigh_with(idf, self.sublinear_tf, cols, counts, out);
    }

    /// [`LinearHead::contributions`] of the head these rows came from.
    pub fn contributions(
        &self,
        cols: &[u32],
        vals: &[f64],
        class: usize,
        k: usize,
    ) -> Vec<(u32, f64)> {
        let rows = self.rows();
        let weight = |j: u32| {
            rows.get(j as usize * self.stride + class)
                .copied()
                .unwrap_or(0.0)
        };
        largest(cols.iter().zip(vals).map(|(&j, &v)| (j, v * weight(j))), k)
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.k
    }

    /// [`LinearHead::probabilities`] of the head these rows came from.
    pub fn probabilities(&self, cols: &[u32], vals: &[f64], out: &mut [f64]) {
        debug_assert_eq!(out.len(), self.k);
        out.copy_from_slice(&self.intercept);
        add_row_times_strided_weights(self.rows(), self.stride, cols, vals, out);
        softmax_in_place(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2};
    use proptest::prelude::*;

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    proptest! {
        #[test]
        fn weigh_and_score_as_the_tfidf_and_the_head_do(
            k in 1usize..30,
            n in 1usize..40,
            seed in proptest::collection::vec(-3.0f64..3.0, 30 * 40 + 30),
            df in proptest::collection::vec(1usize..50, 40),
            row in proptest::collection::vec((0u32..40, 1u32..4), 0..15),
            sublinear: bool,
        ) {
            let head = LinearHead {
                labels: (0..k).map(|c| format!("c{c}")).collect(),
                weights: Array2::from_shape_vec((n, k), seed[..n * k].to_vec()).unwrap(),
                intercept: Array1::from_vec(seed[n * k..n * k + k].to_vec()),
                report: None,
            };
            let tfidf = Tfidf::fit(&df[..n], 60, sublinear);
            let rows = IdfRows::new(&head, &tfidf).unwrap();
            prop_assert_eq!(rows.rows().as_ptr() as usize % 64, 0);
            let mut cols: Vec<u32> = row.iter().map(|&(c, _)| c % n as u32).collect();
            cols.sort_unstable();
            cols.dedup();
            let counts: Vec<u32> = row.iter().map(|&(_, m)| m).take(cols.len()).collect();
            let cols = &cols[..counts.len()];
            let (mut vals, mut expected_vals) = (Vec::new(), Vec::new());
            rows.weigh(cols, &counts, &mut vals);
            tfidf.weigh(cols, &counts, &mut expected_vals);
            prop_assert_eq!(bits(&vals), bits(&expected_vals));
            let (mut p, mut expected) = (vec![0.0; k], vec![0.0; k]);
            rows.prefetch(cols);
            rows.probabilities(cols, &vals, &mut p);
            head.probabilities(cols, &vals, &mut expected);
            prop_assert_eq!(bits(&p), bits(&expected));
            for class in 0..k {
                let (ours, theirs) = (rows.contributions(cols, &vals, class, 5), head.contributions(cols, &vals, class, 5));
                prop_assert_eq!(ours.len(), theirs.len());
                for ((a, x), (b, y)) in ours.into_iter().zip(theirs) {
                    prop_assert_eq!((a, x.to_bits()), (b, y.to_bits()));
                }
            }
        }
    }

    #[test]
    fn refuses_a_head_and_idf_of_different_sizes() {
        let head = LinearHead::constant("x", 3);
        assert!(IdfRows::new(&head, &Tfidf::fit(&[1, 1], 2, false)).is_none());
        assert!(IdfRows::new(&head, &Tfidf::fit(&[1, 1, 2], 2, false)).is_some());
    }
}
