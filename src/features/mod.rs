//! Features: term counts, vocabulary, TF-IDF weights and sparse rows.

pub mod counts;
mod pair_table;
pub mod sparse;
pub mod term_index;
pub mod tfidf;
pub mod vectorizer;
pub mod vocab;

pub use counts::CountedDocs;
pub use sparse::{CsrBuilder, CsrMatrix};
pub use term_index::TermIndex;
pub use tfidf::{Tfidf, MAX_IDF};
pub use vectorizer::{Row, Vectorizer, VectorizerConfig};
pub use vocab::{display_term, DfBound, VocabConfig, Vocabulary};
