//! Features: term counts, vocabulary, TF-IDF weights, sparse rows, and the
//! surface forms the vocabulary's terms were written as.

mod counts;
mod pair_table;
mod sparse;
mod surface;
mod term_index;
mod tfidf;
mod vectorizer;
mod vocab;

pub use counts::CountedDocs;
pub use sparse::{CsrBuilder, CsrMatrix};
pub use surface::SurfaceForms;
pub(crate) use term_index::TermIndex;
pub(crate) use tfidf::weigh_with;
pub use tfidf::{Tfidf, MAX_IDF};
pub use vectorizer::{FeatureRow, Vectorizer, VectorizerConfig};
pub use vocab::{display_term, DfBound, VocabConfig, Vocabulary};
