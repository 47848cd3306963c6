//! Features: term counts, vocabulary, TF-IDF weights and sparse rows.

mod counts;
mod pair_table;
mod sparse;
mod term_index;
mod tfidf;
mod vectorizer;
mod vocab;

pub use counts::CountedDocs;
pub use sparse::{CsrBuilder, CsrMatrix};
pub(crate) use term_index::TermIndex;
pub(crate) use tfidf::weigh_with;
pub use tfidf::{Tfidf, MAX_IDF};
pub use vectorizer::{FeatureRow, Vectorizer, VectorizerConfig};
pub use vocab::{display_term, DfBound, VocabConfig, Vocabulary};
