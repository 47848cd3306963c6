//! TF-IDF weights with scikit-learn's TfidfVectorizer definitions.

use ndarray::Array1;

/// The largest idf a loaded model may have.
///
/// Note: the smooth idf of a term found in at least one of n documents is at
/// most `ln((1 + n) / 2) + 1`, below 45 for any n a `u64` holds, so no fitted
/// model comes near this. The bound keeps `idf * tf` and its square finite
/// (tf is at most 2^32), so the L2 norm of a row is a number: an idf near
/// 1e308 made a term seen twice weigh infinity, and infinity times the
/// row's zero scale gave NaN.
pub const MAX_IDF: f64 = 100.0;

/// Inverse document frequencies and the tf variant.
///
/// - smooth idf: `idf(t) = ln((1 + n) / (1 + df(t))) + 1`
/// - tf: the raw count, or `1 + ln(count)` when `sublinear_tf`
/// - each row is scaled to unit L2 norm.
#[derive(Debug, Clone, PartialEq)]
pub struct Tfidf {
    idf: Array1<f64>,
    sublinear_tf: bool,
}

impl Tfidf {
    /// Fits the idf from document frequencies over `n_docs` documents.
    pub fn fit(df: &[usize], n_docs: usize, sublinear_tf: bool) -> Tfidf {
        let n = n_docs as f64;
        let idf = df
            .iter()
            .map(|&d| ((1.0 + n) / (1.0 + d as f64)).ln() + 1.0)
            .collect();
        Tfidf { idf, sublinear_tf }
    }

    /// Rebuilds from stored parts.
    pub fn from_parts(idf: Array1<f64>, sublinear_tf: bool) -> Tfidf {
        Tfidf { idf, sublinear_tf }
    }

    /// The idf per column.
    pub fn idf(&self) -> &Array1<f64> {
        &self.idf
    }

    /// Whether tf is `1 + ln(count)`.
    pub fn sublinear_tf(&self) -> bool {
        self.sublinear_tf
    }

    /// Writes the L2-normalised weights of one row given its columns and counts.
    pub fn weigh(&self, cols: &[u32], counts: &[u32], out: &mut Vec<f64>) {
        weigh_with(|c| self.idf[c], self.sublinear_tf, cols, counts, out);
    }
}

/// [`Tfidf::weigh`] with the idf of column `c` given by `idf(c)`, for callers
/// that keep the idf elsewhere (`model::IdfRows`).
#[inline(always)]
pub fn weigh_with(
    idf: impl Fn(usize) -> f64,
    sublinear_tf: bool,
    cols: &[u32],
    counts: &[u32],
    out: &mut Vec<f64>,
) {
    // Note: the idf values are gathered first, in a loop of loads only, so
    // that their cache misses (the idf of a large vocabulary is megabytes)
    // overlap instead of each stalling the arithmetic after it.
    out.clear();
    out.extend(cols.iter().map(|&c| idf(c as usize)));
    let mut norm2 = 0.0;
    for (w, &n) in out.iter_mut().zip(counts) {
        // Note: most terms occur once in a sentence, and 1 + ln(1) is
        // exactly 1, so the logarithm is skipped for them.
        let tf = if sublinear_tf && n > 1 {
            1.0 + f64::from(n).ln()
        } else {
            f64::from(n)
        };
        *w *= tf;
        norm2 += *w * *w;
    }
    if norm2 > 0.0 {
        let inv = 1.0 / norm2.sqrt();
        out.iter_mut().for_each(|w| *w *= inv);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idf_is_smooth_and_rows_unit_length() {
        let t = Tfidf::fit(&[3, 1], 3, false);
        assert!((t.idf()[0] - 1.0).abs() < 1e-15);
        assert!((t.idf()[1] - (2.0f64.ln() + 1.0)).abs() < 1e-15);
        let mut w = Vec::new();
        t.weigh(&[0, 1], &[2, 1], &mut w);
        assert!((w.iter().map(|x| x * x).sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((w[0] / w[1] - 2.0 / (2.0f64.ln() + 1.0)).abs() < 1e-12);
    }
}
