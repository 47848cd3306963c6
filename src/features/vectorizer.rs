//! Text to TF-IDF rows: analyzer + vocabulary + idf, fitted together.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::counts::{run_lengths, CountedDocs};
use super::sparse::{CsrBuilder, CsrMatrix};
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
        let v = Vectorizer {
            config: config.clone(),
            vocab,
            tfidf,
        };
        Ok((v, x))
    }

    /// Rebuilds a fitted vectorizer from stored parts.
    pub fn from_parts(config: VectorizerConfig, vocab: Vocabulary, tfidf: Tfidf) -> Vectorizer {
        Vectorizer {
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

    /// A fresh analyzer with this vectorizer's settings (one per thread).
    pub fn analyzer(&self) -> Analyzer {
        Analyzer::new(&self.config.analyzer)
    }

    /// The TF-IDF row of one text, into reusable buffers; unknown terms are dropped.
    pub fn transform_one(&self, analyzer: &mut Analyzer, text: &str, row: &mut Row) {
        row.ids.clear();
        let vocab = &self.vocab;
        let ids = &mut row.ids;
        analyzer.for_each_term(text, |t| {
            if let Some(c) = vocab.get(t) {
                ids.push(c);
            }
        });
        let pairs = run_lengths(std::mem::take(&mut row.ids));
        row.cols.clear();
        row.counts.clear();
        for (c, n) in pairs {
            row.cols.push(c);
            row.counts.push(n);
        }
        self.tfidf.weigh(&row.cols, &row.counts, &mut row.vals);
    }

    /// The TF-IDF rows of many texts, in parallel, in order.
    pub fn transform<S: AsRef<str> + Sync>(&self, texts: &[S]) -> CsrMatrix {
        let parts: Vec<CsrMatrix> = texts
            .par_chunks(CHUNK)
            .map_init(
                || (self.analyzer(), Row::default()),
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

/// Reusable buffers for one sparse row.
#[derive(Debug, Default, Clone)]
pub struct Row {
    ids: Vec<u32>,
    /// Column numbers, increasing.
    pub cols: Vec<u32>,
    counts: Vec<u32>,
    /// TF-IDF weights matching `cols`.
    pub vals: Vec<f64>,
}
