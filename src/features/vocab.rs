//! The vocabulary: which terms become features, chosen by document frequency and count.

use std::str::FromStr;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A document-frequency bound: an absolute count of documents or a fraction of them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DfBound {
    /// At least / at most this many documents.
    Count(usize),
    /// At least / at most this fraction of the documents, in [0, 1].
    Fraction(f64),
}

impl DfBound {
    /// The bound as a document count for a corpus of `n_docs` (scikit-learn's rounding).
    pub fn docs(self, n_docs: usize, upper: bool) -> usize {
        match self {
            DfBound::Count(c) => c,
            DfBound::Fraction(f) if upper => (f * n_docs as f64).floor() as usize,
            DfBound::Fraction(f) => (f * n_docs as f64).ceil() as usize,
        }
    }
}

impl FromStr for DfBound {
    type Err = String;
    /// "2" is a count; "0.5" or "1.0" is a fraction (as in scikit-learn, int vs float).
    fn from_str(s: &str) -> Result<DfBound, String> {
        if let Ok(c) = s.parse::<usize>() {
            return Ok(DfBound::Count(c));
        }
        match s.parse::<f64>() {
            Ok(f) if (0.0..=1.0).contains(&f) => Ok(DfBound::Fraction(f)),
            _ => Err(format!(
                "{s:?} is neither a document count nor a fraction in [0, 1]"
            )),
        }
    }
}

impl std::fmt::Display for DfBound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DfBound::Count(c) => write!(f, "{c}"),
            DfBound::Fraction(x) => write!(f, "{x:?}"),
        }
    }
}

/// How the vocabulary is pruned; scikit-learn's `min_df`, `max_df`, `max_features`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VocabConfig {
    /// Drop terms in fewer documents than this. Default: 1 document.
    pub min_df: DfBound,
    /// Drop terms in more documents than this. Default: 100%.
    pub max_df: DfBound,
    /// Keep only this many terms, those with the largest total count. Default: all.
    pub max_features: Option<usize>,
}

impl Default for VocabConfig {
    fn default() -> Self {
        VocabConfig {
            min_df: DfBound::Count(1),
            max_df: DfBound::Fraction(1.0),
            max_features: None,
        }
    }
}

/// Terms in lexicographic order; a term's position is its feature column.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    terms: Vec<String>,
    /// Column by term, built on the first [`Vocabulary::get`].
    ///
    /// Note: scoring looks word n-grams up through a `TermIndex`, so for a
    /// model without character n-grams this map is never needed; building it
    /// eagerly cost tens of milliseconds of every load of a large model.
    index: OnceLock<FxHashMap<String, u32>>,
}

/// Two vocabularies are equal when their terms are (whether or not a lookup built the index).
impl PartialEq for Vocabulary {
    fn eq(&self, other: &Vocabulary) -> bool {
        self.terms == other.terms
    }
}

impl Vocabulary {
    /// A vocabulary of `terms`, which must be sorted and distinct.
    pub fn from_sorted_terms(terms: Vec<String>) -> Result<Vocabulary, String> {
        if terms.windows(2).any(|w| w[0] >= w[1]) {
            return Err("vocabulary terms are not sorted and distinct".into());
        }
        Ok(Vocabulary {
            terms,
            index: OnceLock::new(),
        })
    }

    /// Chooses the features among `terms` with document frequencies `df` and total
    /// counts `total` over `n_docs` documents. Returns the vocabulary and, for each
    /// input term, its column (None when pruned).
    ///
    /// Order as in scikit-learn: min_df / max_df first, then max_features keeps the
    /// terms with the largest total count, ties going to the lexicographically smaller term.
    pub fn fit(
        terms: &[String],
        df: &[usize],
        total: &[u64],
        n_docs: usize,
        config: &VocabConfig,
    ) -> Result<(Vocabulary, Vec<Option<u32>>)> {
        let min = config.min_df.docs(n_docs, false);
        let max = config.max_df.docs(n_docs, true);
        if max < min {
            return Err(Error::InvalidParam {
                name: "max_df",
                value: config.max_df.to_string(),
                reason: format!(
                    "allows at most {max} of {n_docs} documents, fewer than the {min} min_df asks for"
                ),
            });
        }
        let mut kept: Vec<usize> = (0..terms.len())
            .filter(|&i| df[i] >= min && df[i] <= max)
            .collect();
        if let Some(limit) = config.max_features {
            if kept.len() > limit {
                kept.sort_by(|&a, &b| {
                    total[b]
                        .cmp(&total[a])
                        .then_with(|| terms[a].cmp(&terms[b]))
                });
                kept.truncate(limit);
            }
        }
        if kept.is_empty() {
            return Err(Error::Training(format!(
                "no terms left after pruning {} distinct terms of {n_docs} documents \
                 (min_df={}, max_df={}); lower min_df or raise max_df",
                terms.len(),
                config.min_df,
                config.max_df
            )));
        }
        kept.sort_by(|&a, &b| terms[a].cmp(&terms[b]));
        let mut column = vec![None; terms.len()];
        for (col, &i) in kept.iter().enumerate() {
            column[i] = Some(col as u32);
        }
        let vocab = Vocabulary::from_sorted_terms(kept.iter().map(|&i| terms[i].clone()).collect())
            .map_err(Error::Training)?;
        Ok((vocab, column))
    }

    /// The column of `term`, if it is a feature.
    pub fn get(&self, term: &str) -> Option<u32> {
        let index = self.index.get_or_init(|| {
            self.terms
                .iter()
                .enumerate()
                .map(|(i, t)| (t.clone(), i as u32))
                .collect()
        });
        index.get(term).copied()
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True when there are no features.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The terms in column order.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }
}

/// A term as shown to people: character n-grams as `c:"ngram"`, word n-grams as they are.
pub fn display_term(term: &str) -> String {
    match term.strip_prefix(crate::analysis::CHAR_NGRAM_PREFIX) {
        Some(ngram) => format!("c:{ngram:?}"),
        None => term.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn df_bounds_parse_like_scikit_learn() {
        assert_eq!("2".parse::<DfBound>(), Ok(DfBound::Count(2)));
        assert_eq!("1.0".parse::<DfBound>(), Ok(DfBound::Fraction(1.0)));
        assert!("1.5".parse::<DfBound>().is_err());
        assert_eq!(DfBound::Fraction(0.5).docs(5, true), 2);
        assert_eq!(DfBound::Fraction(0.5).docs(5, false), 3);
    }

    #[test]
    fn max_features_ties_go_to_the_smaller_term() {
        let terms = s(&["b", "a", "c", "d"]);
        let cfg = VocabConfig {
            max_features: Some(2),
            ..Default::default()
        };
        let (v, col) = Vocabulary::fit(&terms, &[1, 1, 1, 1], &[5, 3, 3, 1], 4, &cfg).unwrap();
        assert_eq!(v.terms(), &s(&["a", "b"])[..]);
        assert_eq!(col, vec![Some(1), Some(0), None, None]);
    }

    #[test]
    fn empty_vocabulary_names_the_knob() {
        let err = Vocabulary::fit(
            &s(&["a"]),
            &[1],
            &[1],
            3,
            &VocabConfig {
                min_df: DfBound::Count(2),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("lower min_df"), "{err}");
    }
}
