//! The multinomial logistic loss and its gradient over sparse rows: one pure function.

use rayon::prelude::*;

use crate::features::CsrMatrix;

/// A weighted multinomial logistic regression problem over CSR rows.
///
/// Parameters are one flat vector: the weights `W` (features x classes, row-major)
/// followed by the intercepts `b` (classes).
pub struct LossProblem<'a> {
    /// Rows, one per sample.
    pub x: &'a CsrMatrix,
    /// The transpose of `x` (its columns as rows), for the gradient.
    pub xt: &'a CsrMatrix,
    /// Class index per sample.
    pub y: &'a [u32],
    /// Weight per sample.
    pub sample_weight: &'a [f64],
    /// Number of classes.
    pub n_classes: usize,
    /// L2 penalty on `W` (1/C); the intercepts are not penalised.
    pub alpha: f64,
}

/// Rows (forward) and features (backward) per parallel task.
// Note: fixed-size chunks summed in order make every result bit-identical
// whatever the thread count.
const ROW_CHUNK: usize = 512;
const FEATURE_CHUNK: usize = 1024;

impl LossProblem<'_> {
    /// Length of the flat parameter vector.
    pub fn n_params(&self) -> usize {
        (self.x.n_cols() + 1) * self.n_classes
    }

    /// Sum of the sample weights (the objective's scale).
    pub fn total_weight(&self) -> f64 {
        self.sample_weight.iter().sum()
    }

    /// Returns the objective and writes its gradient into `grad`:
    ///
    /// `f(W, b) = [ -sum_i s_i log softmax(x_i W + b)[y_i] + (alpha/2) ||W||^2 ] / sum_i s_i`
    ///
    /// The division by the total sample weight (as scikit-learn's `_linear_loss` does)
    /// changes no minimiser; it makes tolerances independent of the data size.
    pub fn loss_and_gradient(&self, params: &[f64], grad: &mut [f64]) -> f64 {
        let k = self.n_classes;
        let n_feat = self.x.n_cols();
        let n = self.x.n_rows();
        assert_eq!(params.len(), self.n_params());
        assert_eq!(grad.len(), self.n_params());
        let (w, b) = params.split_at(n_feat * k);
        let scale = 1.0 / self.total_weight();

        // Forward: per-row loss and d_i = s_i (softmax(z_i) - onehot(y_i)).
        let mut d = vec![0.0; n * k];
        let chunk_losses: Vec<f64> = d
            .par_chunks_mut(ROW_CHUNK * k)
            .enumerate()
            .map(|(ci, dchunk)| {
                let mut loss = 0.0;
                for (r, drow) in dchunk.chunks_mut(k).enumerate() {
                    let i = ci * ROW_CHUNK + r;
                    drow.copy_from_slice(b);
                    let (cols, vals) = self.x.row(i);
                    for (&j, &v) in cols.iter().zip(vals) {
                        let wj = &w[j as usize * k..(j as usize + 1) * k];
                        for (z, &wjk) in drow.iter_mut().zip(wj) {
                            *z += v * wjk;
                        }
                    }
                    let max = drow.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let yi = self.y[i] as usize;
                    let zy = drow[yi] - max;
                    let mut sum = 0.0;
                    for z in drow.iter_mut() {
                        *z = (*z - max).exp();
                        sum += *z;
                    }
                    let s = self.sample_weight[i];
                    // -log p_y = log(sum_k exp(z_k - max)) - (z_y - max)
                    loss += s * (sum.ln() - zy);
                    for z in drow.iter_mut() {
                        *z = s * (*z / sum);
                    }
                    drow[yi] -= s;
                }
                loss
            })
            .collect();
        let data_loss: f64 = chunk_losses.iter().sum();

        // Backward: grad_W[j,:] = sum_i x_ij d_i + alpha W[j,:], column by column.
        let (gw, gb) = grad.split_at_mut(n_feat * k);
        let penalties: Vec<f64> = gw
            .par_chunks_mut(FEATURE_CHUNK * k)
            .enumerate()
            .map(|(ci, gchunk)| {
                let mut pen = 0.0;
                for (r, grow) in gchunk.chunks_mut(k).enumerate() {
                    let j = ci * FEATURE_CHUNK + r;
                    let wj = &w[j * k..(j + 1) * k];
                    for (g, &wjk) in grow.iter_mut().zip(wj) {
                        *g = self.alpha * wjk;
                        pen += wjk * wjk;
                    }
                    let (rows, vals) = self.xt.row(j);
                    for (&i, &v) in rows.iter().zip(vals) {
                        let di = &d[i as usize * k..(i as usize + 1) * k];
                        for (g, &dik) in grow.iter_mut().zip(di) {
                            *g += v * dik;
                        }
                    }
                    for g in grow.iter_mut() {
                        *g *= scale;
                    }
                }
                pen
            })
            .collect();
        let penalty: f64 = penalties.iter().sum::<f64>() * 0.5 * self.alpha;
        gb.iter_mut().for_each(|g| *g = 0.0);
        for drow in d.chunks(k) {
            for (g, &dik) in gb.iter_mut().zip(drow) {
                *g += dik;
            }
        }
        gb.iter_mut().for_each(|g| *g *= scale);
        (data_loss + penalty) * scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::CsrBuilder;

    fn tiny() -> (CsrMatrix, Vec<u32>, Vec<f64>) {
        let mut b = CsrBuilder::new();
        b.push_row(&[0, 2], &[1.0, 0.5]);
        b.push_row(&[1], &[2.0]);
        b.push_row(&[0, 1, 2], &[0.3, -1.0, 0.7]);
        b.push_row(&[], &[]);
        (b.finish(3), vec![0, 1, 2, 1], vec![1.0, 2.0, 0.5, 1.0])
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let (x, y, sw) = tiny();
        let xt = x.transpose();
        let p = LossProblem {
            x: &x,
            xt: &xt,
            y: &y,
            sample_weight: &sw,
            n_classes: 3,
            alpha: 0.3,
        };
        let params: Vec<f64> = (0..p.n_params())
            .map(|i| ((i * 7 % 5) as f64 - 2.0) * 0.1)
            .collect();
        let mut g = vec![0.0; p.n_params()];
        p.loss_and_gradient(&params, &mut g);
        let mut scratch = vec![0.0; p.n_params()];
        for i in 0..params.len() {
            let h = 1e-6;
            let mut a = params.clone();
            a[i] += h;
            let fa = p.loss_and_gradient(&a, &mut scratch);
            a[i] -= 2.0 * h;
            let fb = p.loss_and_gradient(&a, &mut scratch);
            assert!(((fa - fb) / (2.0 * h) - g[i]).abs() < 1e-7, "param {i}");
        }
    }

    #[test]
    fn loss_at_zero_is_log_k() {
        let (x, y, sw) = tiny();
        let xt = x.transpose();
        let p = LossProblem {
            x: &x,
            xt: &xt,
            y: &y,
            sample_weight: &sw,
            n_classes: 3,
            alpha: 1.0,
        };
        let mut g = vec![0.0; p.n_params()];
        let f = p.loss_and_gradient(&vec![0.0; p.n_params()], &mut g);
        assert!((f - 3.0f64.ln()).abs() < 1e-12);
    }
}
