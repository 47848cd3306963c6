//! Text to TF-IDF rows: analyzer + vocabulary + idf, fitted together.

use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::counts::CountedDocs;
use super::sparse::{CsrBuilder, CsrMatrix};
use super::term_index::TermIndex;
use super::tfidf::Tfidf;
use super::vocab::{VocabConfig, Vocabulary};
use crate::analysis::{Analyzer, AnalyzerConfig};
use crate::error::Result;

/// Everything that decides how text becomes a feature row; stored in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct VectorizerConfig {
    /// Tokenising, stemming and n-gram settings.
    pub analyzer: AnalyzerConfig,
    /// Vocabulary pruning.
    pub vocab: VocabConfig,
    /// Use `1 + ln(tf)` instead of the raw count. Default: false.
    pub sublinear_tf: bool,
}

/// A fitted vectorizer.
#[derive(Debug, Clone)]
pub struct Vectorizer {
    config: VectorizerConfig,
    vocab: Vocabulary,
    /// The vocabulary's word n-grams by word ids, for [`Vectorizer::transform_one`].
    index: Arc<TermIndex>,
    tfidf: Tfidf,
}

/// Rows analysed per parallel task when transforming.
const CHUNK: usize = 256;

impl Vectorizer {
    /// Learns vocabulary and idf from `texts` and returns their rows.
    pub fn fit_transform<S: AsRef<str> + Sync>(
        config: &VectorizerConfig,
        texts: &[S],
    ) -> Result<(Vectorizer, CsrMatrix)> {
        let counted = CountedDocs::from_texts(texts, &Analyzer::new(&config.analyzer));
        Self::fit_counted(config, &counted)
    }

    /// Learns vocabulary and idf from counted documents and returns their rows.
    pub fn fit_counted(
        config: &VectorizerConfig,
        counted: &CountedDocs,
    ) -> Result<(Vectorizer, CsrMatrix)> {
        let n_docs = counted.docs.len();
        let (df, total) = counted.frequencies();
        let (vocab, column) = Vocabulary::fit(&counted.terms, &df, &total, n_docs, &config.vocab)?;
        let mut kept_df = vec![0usize; vocab.len()];
        for (i, c) in column.iter().enumerate() {
            if let Some(c) = c {
                kept_df[*c as usize] = df[i];
            }
        }
        let tfidf = Tfidf::fit(&kept_df, n_docs, config.sublinear_tf);
        let mut rows = CsrBuilder::new();
        let (mut cols, mut counts, mut w) = (Vec::new(), Vec::new(), Vec::new());
        for doc in &counted.docs {
            let mut pairs: Vec<(u32, u32)> = doc
                .iter()
                .filter_map(|&(id, n)| column[id as usize].map(|c| (c, n)))
                .collect();
            pairs.sort_unstable();
            cols.clear();
            counts.clear();
            for (c, n) in pairs {
                cols.push(c);
                counts.push(n);
            }
            tfidf.weigh(&cols, &counts, &mut w);
            rows.push_row(&cols, &w);
        }
        let x = rows.finish(vocab.len());
        Ok((Vectorizer::from_parts(config.clone(), vocab, tfidf), x))
    }

    /// Rebuilds a fitted vectorizer from stored parts.
    pub fn from_parts(config: VectorizerConfig, vocab: Vocabulary, tfidf: Tfidf) -> Vectorizer {
        let index = TermIndex::new(&vocab);
        Vectorizer::from_indexed_parts(config, vocab, index, tfidf)
    }

    /// [`Vectorizer::from_parts`] with the index already built from `vocab`.
    pub(crate) fn from_indexed_parts(
        config: VectorizerConfig,
        vocab: Vocabulary,
        index: TermIndex,
        tfidf: Tfidf,
    ) -> Vectorizer {
        Vectorizer {
            index: Arc::new(index),
            config,
            vocab,
            tfidf,
        }
    }

    /// The settings it was fitted with.
    pub fn config(&self) -> &VectorizerConfig {
        &self.config
    }

    /// The features.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }

    /// The idf and tf settings.
    pub fn tfidf(&self) -> &Tfidf {
        &self.tfidf
    }

    /// A fresh analyzer with this vectorizer's settings and word ids (one per thread).
    pub fn analyzer(&self) -> Analyzer {
        Analyzer::with_word_ids(&self.config.analyzer, Arc::clone(self.index.words()))
    }

    /// The TF-IDF row of one text, into reusable buffers; unknown terms are dropped.
    ///
    /// `analyzer` is one from [`Vectorizer::analyzer`] (or a clone of one);
    /// any other is first replaced by one, with an empty memo (see
    /// [`Vectorizer::count_terms`]).
    pub fn transform_one(&self, analyzer: &mut Analyzer, text: &str, row: &mut FeatureRow) {
        self.count_terms(analyzer, text, row);
        self.tfidf.weigh(&row.cols, &row.counts, &mut row.vals);
    }

    /// The first half of [`Vectorizer::transform_one`]: `row`'s columns and
    /// their counts, not yet weighed (its `vals` are left as they were).
    ///
    /// Word n-grams are looked up by the word ids of this vectorizer's
    /// dictionary, which only an analyzer from [`Vectorizer::analyzer`]
    /// reports; any other `analyzer` (another vectorizer's, or one from
    /// [`Analyzer::new`]) is replaced by one from [`Vectorizer::analyzer`]
    /// first, so there is one way to count and it is the fast one.
    pub fn count_terms(&self, analyzer: &mut Analyzer, text: &str, row: &mut FeatureRow) {
        if !Arc::ptr_eq(analyzer.word_ids(), self.index.words()) {
            // Note: its memo holds ids of another dictionary, so it cannot be kept.
            *analyzer = self.analyzer();
        }
        row.ids.clear();
        let vocab = &self.vocab;
        let ids = &mut row.ids;
        analyzer.for_each_word_id(text, &mut row.words, |t| {
            if let Some(c) = vocab.get(t) {
                ids.push(c);
            }
        });
        let max_n = self.config.analyzer.ngram_max;
        self.index
            .for_each_column(&row.words, max_n, |c| ids.push(c));
        // Note: counted in place, so that a reused row allocates nothing.
        row.ids.sort_unstable();
        row.cols.clear();
        row.counts.clear();
        for &c in &row.ids {
            match (row.cols.last(), row.counts.last_mut()) {
                (Some(&last), Some(n)) if last == c => *n += 1,
                _ => {
                    row.cols.push(c);
                    row.counts.push(1);
                }
            }
        }
    }

    /// The TF-IDF rows of many texts, in parallel, in order.
    pub fn transform<S: AsRef<str> + Sync>(&self, texts: &[S]) -> CsrMatrix {
        let parts: Vec<CsrMatrix> = texts
            .par_chunks(CHUNK)
            .map_init(
                || (self.analyzer(), FeatureRow::default()),
                |(an, row), chunk| {
                    let mut b = CsrBuilder::new();
                    for t in chunk {
                        self.transform_one(an, t.as_ref(), row);
                        b.push_row(&row.cols, &row.vals);
                    }
                    b.finish(self.vocab.len())
                },
            )
            .collect();
        let mut all = CsrBuilder::new();
        for p in &parts {
            all.extend(p);
        }
        all.finish(self.vocab.len())
    }
}

/// One text's feature row (its columns, term counts and TF-IDF weights),
/// in buffers reused from text to text.
#[derive(Debug, Default, Clone)]
pub struct FeatureRow {
    /// Word ids of the text, from the analyzer.
    words: Vec<u32>,
    /// Column of every term occurrence.
    ids: Vec<u32>,
    /// Column numbers, increasing.
    pub cols: Vec<u32>,
    /// How often each column's term occurs.
    pub counts: Vec<u32>,
    /// TF-IDF weights matching `cols`.
    pub vals: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Language;
    use crate::features::DfBound;
    use proptest::prelude::*;

    /// Words that stem, stop words, numbers, non-ASCII and punctuation.
    const POOL: &[&str] = &[
        "troops",
        "troop",
        "withdrawal",
        "withdraw",
        "the",
        "of",
        "Iraq",
        "Iraqi",
        "coalition",
        "forces",
        "1,000.5",
        "U.S.",
        "can't",
        "Palästina",
        "новости",
        "قال",
        ".",
        ",",
        "\"",
    ];

    fn text(picks: &[usize]) -> String {
        picks
            .iter()
            .map(|&i| POOL[i % POOL.len()])
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn config() -> impl Strategy<Value = VectorizerConfig> {
        (
            any::<bool>(),
            any::<bool>(),
            0usize..5,
            proptest::option::of((1usize..3, 2usize..5)),
            1usize..3,
            proptest::option::of(1usize..40),
        )
            .prop_map(
                |(stem, stop_words, ngram_max, char_ngrams, min_df, max_features)| {
                    VectorizerConfig {
                        analyzer: AnalyzerConfig {
                            language: Language::English,
                            stem,
                            stop_words,
                            ngram_max,
                            char_ngrams,
                        },
                        vocab: VocabConfig {
                            min_df: DfBound::Count(min_df),
                            max_features,
                            ..VocabConfig::default()
                        },
                        sublinear_tf: false,
                    }
                },
            )
    }

    /// The row of `text` the way training counts a corpus: every term as an
    /// n-gram string, looked up in the vocabulary.
    fn string_row(v: &Vectorizer, analyzer: &mut Analyzer, text: &str) -> (Vec<u32>, Vec<f64>) {
        let mut counts = std::collections::BTreeMap::<u32, u32>::new();
        analyzer.for_each_term(text, |t| {
            if let Some(c) = v.vocabulary().get(t) {
                *counts.entry(c).or_default() += 1;
            }
        });
        let (cols, counts): (Vec<u32>, Vec<u32>) = counts.into_iter().unzip();
        let mut vals = Vec::new();
        v.tfidf().weigh(&cols, &counts, &mut vals);
        (cols, vals)
    }

    proptest! {
        /// The word-id lookup and the n-gram-string lookup give the same row,
        /// whatever the settings, pruning, unknown words and punctuation.
        #[test]
        fn word_id_rows_equal_string_rows(
            config in config(),
            corpus in proptest::collection::vec(proptest::collection::vec(0usize..40, 0..12), 2..12),
            queries in proptest::collection::vec(proptest::collection::vec(0usize..40, 0..16), 1..8),
        ) {
            let corpus: Vec<String> = corpus.iter().map(|p| text(p)).collect();
            // Note: a pruned-away vocabulary is a training error, not a case here.
            let Ok((v, _)) = Vectorizer::fit_transform(&config, &corpus) else {
                return Ok(());
            };
            let (mut by_ids, mut by_strings) = (v.analyzer(), Analyzer::new(&config.analyzer));
            let mut row = FeatureRow::default();
            for q in queries.iter().map(|p| text(p)).chain(corpus.iter().cloned()) {
                v.transform_one(&mut by_ids, &q, &mut row);
                let (cols, vals) = string_row(&v, &mut by_strings, &q);
                prop_assert_eq!(&row.cols, &cols, "{:?}", q);
                prop_assert_eq!(&row.vals, &vals, "{:?}", q);
            }
        }
    }

    #[test]
    fn any_analyzer_is_replaced_by_the_vectorizers_own() {
        let corpus = [
            "Troops withdraw from Iraq.",
            "The coalition troops stay in Iraq.",
        ];
        let config = VectorizerConfig {
            vocab: VocabConfig {
                min_df: DfBound::Count(1),
                ..VocabConfig::default()
            },
            ..VectorizerConfig::default()
        };
        let (v, x) = Vectorizer::fit_transform(&config, &corpus).unwrap();
        let (other, _) = Vectorizer::fit_transform(&config, &corpus[..1]).unwrap();
        for mut analyzer in [Analyzer::new(&config.analyzer), other.analyzer()] {
            let mut row = FeatureRow::default();
            v.transform_one(&mut analyzer, corpus[1], &mut row);
            assert!(Arc::ptr_eq(analyzer.word_ids(), v.analyzer().word_ids()));
            assert_eq!(x.row(1), (&row.cols[..], &row.vals[..]));
        }
    }
}
