//! Text analysis: sentences, words, stems, stop words and n-grams.
//!
//! The pipeline, one file per step:
//!
//! - `sentence.rs`: news prose -> sentence byte ranges ([`split_sentences`]);
//! - `tokenize.rs`: NFKC + lowercase, then Unicode (UAX #29) words;
//! - `stopwords.rs`: optional per-language stop-word removal;
//! - `stem.rs`: memoised Snowball stemming behind the crate's [`Language`];
//! - `ngrams.rs`: word n-grams over stems, character n-grams of words;
//! - `analyzer.rs`: the [`Analyzer`] that runs all of the above for one text
//!   and hands each term to a callback, configured by [`AnalyzerConfig`];
//!   it remembers what each surface form became in a private memo (`memo.rs`);
//! - `fingerprint.rs`: normalised text, its fingerprint and word shingles,
//!   to recognise a statement again (labelled before, or reprinted);
//! - `word_ids.rs`: the dictionary of a vocabulary's words, so that a fitted
//!   vocabulary is looked up by word ids rather than n-gram strings.

mod analyzer;
mod fingerprint;
mod language;
mod memo;
// Note: `StemSequence::len` and `is_empty` have no caller (hidden before by
// being `pub`); ngrams.rs is being reworked elsewhere, so they stay for now.
#[allow(dead_code)]
mod ngrams;
mod recent_ids;
mod sentence;
mod stem;
mod stopwords;
mod token_ends;
mod tokenize;
mod word_ids;

pub use analyzer::{
    Analyzer, AnalyzerConfig, CHAR_NGRAM_PREFIX, MAX_CHAR_NGRAM, MAX_WORD_NGRAM, MEMO_LIMIT,
};
pub use fingerprint::{
    fingerprint_of_normalized, normalized_text, shingles, text_fingerprint, SHINGLE_WORDS,
};
pub use language::{detect_language, DetectedLanguage, DETECT_BYTES};
pub use sentence::{split_sentences, SentenceSpan};
pub use stem::{Language, Stemmer, UnknownLanguage};
pub use stopwords::{has_stop_words, stop_words};
pub(crate) use word_ids::{WordIds, UNKNOWN_WORD};
