//! `stance`: which topic each statement of a news article is about, and which side it takes.
//!
//! The pipeline, one module per stage:
//! text -> [`analysis`] (sentences, words, stems, n-grams) -> [`features`] (vocabulary,
//! TF-IDF, sparse rows) -> [`model`] (loss, L-BFGS, fitted heads, model file) ->
//! [`io`] (labelled CSV) -> [`eval`] (metrics, cross-validation) -> [`label`] (labelling
//! statements by hand) -> [`cli`].

pub mod analysis;
pub mod cli;
pub mod error;
pub mod eval;
pub mod features;
pub mod io;
pub mod label;
pub mod model;
pub mod prefetch;
pub mod report;
pub mod swar;

pub use error::{Error, Result};
