//! Compressed sparse rows over ndarray arrays.

use ndarray::Array1;

/// A sparse matrix in CSR form: row `i` holds `indices[indptr[i]..indptr[i+1]]`
/// (strictly increasing column numbers) with the matching `data`.
#[derive(Debug, Clone, PartialEq)]
pub struct CsrMatrix {
    n_cols: usize,
    indptr: Array1<usize>,
    indices: Array1<u32>,
    data: Array1<f64>,
}

/// Builds a [`CsrMatrix`] one row at a time.
#[derive(Debug, Default)]
pub struct CsrBuilder {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<f64>,
}

impl CsrBuilder {
    /// An empty builder.
    pub fn new() -> CsrBuilder {
        CsrBuilder {
            indptr: vec![0],
            indices: Vec::new(),
            data: Vec::new(),
        }
    }

    /// Appends a row; `cols` must be strictly increasing.
    pub fn push_row(&mut self, cols: &[u32], vals: &[f64]) {
        debug_assert_eq!(cols.len(), vals.len());
        debug_assert!(cols.windows(2).all(|w| w[0] < w[1]));
        self.indices.extend_from_slice(cols);
        self.data.extend_from_slice(vals);
        self.indptr.push(self.indices.len());
    }

    /// Appends every row of `other`.
    pub fn extend(&mut self, other: &CsrMatrix) {
        for i in 0..other.n_rows() {
            let (c, v) = other.row(i);
            self.push_row(c, v);
        }
    }

    /// The finished matrix with `n_cols` columns.
    pub fn finish(self, n_cols: usize) -> CsrMatrix {
        CsrMatrix {
            n_cols,
            indptr: Array1::from_vec(self.indptr),
            indices: Array1::from_vec(self.indices),
            data: Array1::from_vec(self.data),
        }
    }
}

impl CsrMatrix {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Number of stored values.
    pub fn nnz(&self) -> usize {
        self.data.len()
    }

    /// Row `i` as (column numbers, values).
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (
            &self.indices.as_slice().expect("contiguous")[a..b],
            &self.data.as_slice().expect("contiguous")[a..b],
        )
    }

    /// The rows listed in `rows`, in that order.
    pub fn select_rows(&self, rows: &[usize]) -> CsrMatrix {
        let mut b = CsrBuilder::new();
        for &i in rows {
            let (c, v) = self.row(i);
            b.push_row(c, v);
        }
        b.finish(self.n_cols)
    }

    /// The transpose, also in CSR form (i.e. this matrix's CSC form).
    pub fn transpose(&self) -> CsrMatrix {
        let mut counts = vec![0usize; self.n_cols + 1];
        for &c in self.indices.iter() {
            counts[c as usize + 1] += 1;
        }
        for j in 0..self.n_cols {
            counts[j + 1] += counts[j];
        }
        let indptr = counts.clone();
        let mut next = counts;
        let mut indices = vec![0u32; self.nnz()];
        let mut data = vec![0f64; self.nnz()];
        for i in 0..self.n_rows() {
            let (c, v) = self.row(i);
            for (&j, &x) in c.iter().zip(v) {
                let slot = &mut next[j as usize];
                indices[*slot] = i as u32;
                data[*slot] = x;
                *slot += 1;
            }
        }
        CsrMatrix {
            n_cols: self.n_rows(),
            indptr: Array1::from_vec(indptr),
            indices: Array1::from_vec(indices),
            data: Array1::from_vec(data),
        }
    }

    /// A dense copy (tests and tiny problems only).
    pub fn to_dense(&self) -> ndarray::Array2<f64> {
        let mut d = ndarray::Array2::zeros((self.n_rows(), self.n_cols));
        for i in 0..self.n_rows() {
            let (c, v) = self.row(i);
            for (&j, &x) in c.iter().zip(v) {
                d[[i, j as usize]] = x;
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CsrMatrix {
        let mut b = CsrBuilder::new();
        b.push_row(&[0, 2], &[1.0, 2.0]);
        b.push_row(&[], &[]);
        b.push_row(&[1, 2], &[3.0, 4.0]);
        b.finish(3)
    }

    #[test]
    fn transpose_matches_dense_transpose() {
        let m = sample();
        assert_eq!(m.transpose().to_dense(), m.to_dense().t());
        assert_eq!(m.transpose().transpose(), m);
    }

    #[test]
    fn select_rows_reorders() {
        let m = sample().select_rows(&[2, 0]);
        assert_eq!(m.row(0), (&[1u32, 2][..], &[3.0, 4.0][..]));
        assert_eq!(m.row(1), (&[0u32, 2][..], &[1.0, 2.0][..]));
    }
}
