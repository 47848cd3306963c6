//! Text analysis: sentences, words, stems, stop words and n-grams.
//!
//! The pipeline, one file per step:
//!
//! - [`sentence`]: news prose -> sentence byte ranges ([`split_sentences`]);
//! - [`tokenize`]: NFKC + lowercase, then Unicode (UAX #29) words;
//! - [`stopwords`]: optional per-language stop-word removal;
//! - [`stem`]: memoised Snowball stemming behind the crate's [`Language`];
//! - [`ngrams`]: word n-grams over stems, character n-grams of words;
//! - [`analyzer`]: the [`Analyzer`] that runs all of the above for one text
//!   and hands each term to a callback, configured by [`AnalyzerConfig`];
//!   it remembers what each surface form became in a private memo (`memo.rs`);
//! - [`word_ids`]: the dictionary of a vocabulary's words, so that a fitted
//!   vocabulary is looked up by word ids rather than n-gram strings.

pub mod analyzer;
mod memo;
pub mod ngrams;
mod recent_ids;
pub mod sentence;
pub mod stem;
pub mod stopwords;
mod token_ends;
pub mod tokenize;
pub mod word_ids;

pub use analyzer::{Analyzer, AnalyzerConfig, CHAR_NGRAM_PREFIX, MAX_CHAR_NGRAM, MAX_WORD_NGRAM};
pub use sentence::{split_sentences, SentenceSpan};
pub use stem::{Language, UnknownLanguage};
pub use word_ids::{WordIds, UNKNOWN_WORD};
