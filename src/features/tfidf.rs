//! TF-IDF weights with scikit-learn's TfidfVectorizer definitions.

use std::collections::hash_map::Entry;

use ndarray::Array1;
use rustc_hash::FxHashMap;

/// Inverse document frequencies and the tf variant.
///
/// - smooth idf: `idf(t) = ln((1 + n) / (1 + df(t))) + 1`
/// - tf: the raw count, or `1 + ln(count)` when `sublinear_tf`
/// - each row is scaled to unit L2 norm.
#[derive(Debug, Clone, PartialEq)]
pub struct Tfidf {
    idf: Array1<f64>,
    /// The same idf as small codes into a table of its distinct values, when
    /// there are at most 65,536 of them (see [`Tfidf::weigh`]).
    coded: Option<IdfCodes>,
    sublinear_tf: bool,
}

/// Per column, the index of its idf among the distinct values.
#[derive(Debug, Clone, PartialEq)]
struct IdfCodes {
    distinct: Vec<f64>,
    codes: Vec<u16>,
}

impl IdfCodes {
    /// The codes of `idf`, or `None` if it has more distinct values than a code can tell apart.
    fn of(idf: &[f64]) -> Option<IdfCodes> {
        let mut index: FxHashMap<u64, u16> = FxHashMap::default();
        let mut distinct = Vec::new();
        let mut codes = Vec::with_capacity(idf.len());
        for &v in idf {
            let code = match index.entry(v.to_bits()) {
                Entry::Occupied(e) => *e.get(),
                Entry::Vacant(e) => {
                    let code = u16::try_from(distinct.len()).ok()?;
                    distinct.push(v);
                    *e.insert(code)
                }
            };
            codes.push(code);
        }
        Some(IdfCodes { distinct, codes })
    }
}

impl Tfidf {
    /// Fits the idf from document frequencies over `n_docs` documents.
    pub fn fit(df: &[usize], n_docs: usize, sublinear_tf: bool) -> Tfidf {
        let n = n_docs as f64;
        let idf = df
            .iter()
            .map(|&d| ((1.0 + n) / (1.0 + d as f64)).ln() + 1.0)
            .collect();
        Tfidf::from_parts(idf, sublinear_tf)
    }

    /// Rebuilds from stored parts.
    pub fn from_parts(idf: Array1<f64>, sublinear_tf: bool) -> Tfidf {
        let coded = idf.as_slice().and_then(IdfCodes::of);
        Tfidf {
            idf,
            coded,
            sublinear_tf,
        }
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
        // Note: the idf values are gathered first, in a loop of loads only, so
        // that their cache misses (the idf of a large vocabulary is megabytes)
        // overlap instead of each stalling the arithmetic after it. Idf
        // values are few (one per document frequency), so their codes take a
        // quarter of the cache the values would, and the table of values
        // stays in L1: waiting on the idf took 4% of scoring time with the
        // values (20 Newsgroups, 366,067 columns, a time profile).
        out.clear();
        match &self.coded {
            Some(c) => out.extend(
                cols.iter()
                    .map(|&j| c.distinct[usize::from(c.codes[j as usize])]),
            ),
            None => out.extend(cols.iter().map(|&j| self.idf[j as usize])),
        }
        let mut norm2 = 0.0;
        for (w, &n) in out.iter_mut().zip(counts) {
            // Note: most terms occur once in a sentence, and 1 + ln(1) is
            // exactly 1, so the logarithm is skipped for them.
            let tf = if self.sublinear_tf && n > 1 {
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
        assert!(w[0] / w[1] - 2.0 / (2.0f64.ln() + 1.0) < 1e-12);
    }

    /// `t` without its idf codes, weighing from the values themselves.
    fn uncoded(t: &Tfidf) -> Tfidf {
        Tfidf {
            coded: None,
            ..t.clone()
        }
    }

    #[test]
    fn codes_stand_for_the_distinct_values_and_give_up_past_65536() {
        let t = Tfidf::fit(&[1, 5, 1, 2, 5], 10, true);
        let coded = t.coded.as_ref().unwrap();
        assert_eq!(coded.distinct.len(), 3);
        assert_eq!(coded.codes, [0, 1, 0, 2, 1]);
        let many: Vec<f64> = (0..70_000).map(|i| 1.0 + f64::from(i)).collect();
        assert!(Tfidf::from_parts(Array1::from_vec(many), false)
            .coded
            .is_none());
    }

    proptest::proptest! {
        #[test]
        fn coded_and_plain_idf_weigh_alike(
            df in proptest::collection::vec(1usize..50, 1..200),
            row in proptest::collection::vec((0usize..200, 1u32..5), 0..30),
            sublinear: bool,
        ) {
            let t = Tfidf::fit(&df, 60, sublinear);
            proptest::prop_assert!(t.coded.is_some());
            let mut cols: Vec<u32> = row.iter().map(|&(c, _)| (c % df.len()) as u32).collect();
            cols.sort_unstable();
            cols.dedup();
            let counts: Vec<u32> = row.iter().map(|&(_, n)| n).take(cols.len()).collect();
            let cols = &cols[..counts.len()];
            let (mut coded, mut plain) = (Vec::new(), Vec::new());
            t.weigh(cols, &counts, &mut coded);
            uncoded(&t).weigh(cols, &counts, &mut plain);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(bits(&coded), bits(&plain));
        }
    }
}
