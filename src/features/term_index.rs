//! A fitted vocabulary's word n-grams, indexed by the ids of their words.
//!
//! Scoring looks up every word n-gram of every sentence. Building each n-gram
//! as a string, hashing it and comparing it byte by byte took about a fifth
//! of scoring time (profile in BENCHMARKS.md). Here each word of the
//! vocabulary gets an id once, when the model is loaded; the analyzer reports
//! words as ids (its memo caches them); a unigram is then an array index and
//! a bigram one hash probe on a pair of integers.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::pair_table::PairTable;
use super::vocab::Vocabulary;
use crate::analysis::{WordIds, CHAR_NGRAM_PREFIX, UNKNOWN_WORD};

/// No column.
const NONE: u32 = u32::MAX;

/// Word n-gram columns keyed by word ids.
#[derive(Debug, Clone)]
pub(crate) struct TermIndex {
    words: Arc<WordIds>,
    /// Column of each word's unigram, by word id, or [`NONE`].
    unigrams: Vec<u32>,
    /// Column of each bigram, keyed by its two word ids.
    bigrams: PairTable,
    /// Column of each longer n-gram, keyed by its word ids.
    longer: FxHashMap<Box<[u32]>, u32>,
    /// The longest word n-gram in the vocabulary.
    max_n: usize,
}

impl TermIndex {
    /// Indexes every word n-gram of `vocab`; character n-grams are left to the vocabulary.
    ///
    /// Note: a word n-gram is its words joined by single spaces, and words
    /// never contain whitespace (they are UAX #29 words of NFKC text), so
    /// splitting on ' ' recovers them. A term that is not such a join (an
    /// empty word from a doubled space, say) gets ids that no text produces,
    /// exactly as no text produces the string.
    pub fn new(vocab: &Vocabulary) -> TermIndex {
        let mut words = WordIds::new();
        let mut unigrams = Vec::new();
        let mut bigrams = Vec::new();
        let mut longer = FxHashMap::default();
        let mut max_n = 0;
        let mut ids = Vec::new();
        // Note: the terms are sorted, so runs of them share their first word
        // ("war crime", "war on"); its id is looked up once per run.
        let mut first: (&str, u32) = ("", UNKNOWN_WORD);
        for (column, term) in vocab.terms().iter().enumerate() {
            if term.starts_with(CHAR_NGRAM_PREFIX) {
                continue;
            }
            let column = column as u32;
            ids.clear();
            for (i, word) in term.split(' ').enumerate() {
                ids.push(match i {
                    0 if word == first.0 && first.1 != UNKNOWN_WORD => first.1,
                    0 => {
                        first = (word, words.insert(word));
                        first.1
                    }
                    _ => words.insert(word),
                });
            }
            max_n = max_n.max(ids.len());
            match ids[..] {
                [word] => {
                    let at = word as usize;
                    if unigrams.len() <= at {
                        unigrams.resize(at + 1, NONE);
                    }
                    unigrams[at] = column;
                }
                [first, second] => bigrams.push((pair(first, second), column)),
                _ => {
                    longer.insert(ids.clone().into_boxed_slice(), column);
                }
            }
        }
        TermIndex {
            words: Arc::new(words),
            unigrams,
            bigrams: PairTable::new(&bigrams),
            longer,
            max_n,
        }
    }

    /// The dictionary an analyzer needs to report words in ids this index knows.
    pub fn words(&self) -> &Arc<WordIds> {
        &self.words
    }

    /// Calls `emit` with the column of every word n-gram (n = 1..=`max_n`) of
    /// the word ids `ids` that is in the vocabulary.
    ///
    /// The order is not scikit-learn's term order (callers count columns, so
    /// it does not matter); windows holding [`UNKNOWN_WORD`] are skipped.
    pub fn for_each_column(&self, ids: &[u32], max_n: usize, mut emit: impl FnMut(u32)) {
        let max_n = max_n.min(self.max_n);
        if max_n >= 1 {
            for &id in ids {
                if let Some(&column) = self.unigrams.get(id as usize) {
                    if column != NONE {
                        emit(column);
                    }
                }
            }
        }
        if max_n >= 2 {
            let pairs = || {
                ids.windows(2)
                    .filter(|w| !w.contains(&UNKNOWN_WORD))
                    .map(|w| pair(w[0], w[1]))
            };
            // Note: a first pass only reads each pair's home slot. Those
            // loads depend on no branch, so their cache misses overlap; the
            // lookups below then mostly hit the cache instead of waiting on
            // one miss after another behind each hit-or-miss branch.
            let touched = pairs().fold(0, |acc, key| acc ^ self.bigrams.touch(key));
            std::hint::black_box(touched);
            for column in pairs().filter_map(|key| self.bigrams.get(key)) {
                emit(column);
            }
        }
        if self.longer.is_empty() {
            return;
        }
        for n in 3..=max_n {
            for window in ids.windows(n) {
                if window.contains(&UNKNOWN_WORD) {
                    continue;
                }
                if let Some(&column) = self.longer.get(window) {
                    emit(column);
                }
            }
        }
    }
}

/// The key of a bigram.
#[inline]
fn pair(first: u32, second: u32) -> u64 {
    (u64::from(first) << 32) | u64::from(second)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab(terms: &[&str]) -> Vocabulary {
        let mut terms: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
        terms.sort();
        Vocabulary::from_sorted_terms(terms).unwrap()
    }

    fn columns(index: &TermIndex, words: &[&str], max_n: usize) -> Vec<u32> {
        let ids: Vec<u32> = words.iter().map(|w| index.words().get(w)).collect();
        let mut out = Vec::new();
        index.for_each_column(&ids, max_n, |c| out.push(c));
        out.sort_unstable();
        out
    }

    #[test]
    fn finds_unigrams_bigrams_and_trigrams_by_word_ids() {
        let v = vocab(&["troop", "withdraw", "troop withdraw", "us troop withdraw"]);
        let index = TermIndex::new(&v);
        let col = |t: &str| v.get(t).unwrap();
        let mut expected = vec![
            col("troop"),
            col("withdraw"),
            col("troop withdraw"),
            col("us troop withdraw"),
        ];
        expected.sort_unstable();
        assert_eq!(columns(&index, &["us", "troop", "withdraw"], 3), expected);
        // max_n limits the windows.
        let mut two = vec![col("troop"), col("withdraw"), col("troop withdraw")];
        two.sort_unstable();
        assert_eq!(columns(&index, &["us", "troop", "withdraw"], 2), two);
    }

    #[test]
    fn unknown_words_break_windows() {
        let v = vocab(&["troop withdraw"]);
        let index = TermIndex::new(&v);
        assert!(columns(&index, &["troop", "nato", "withdraw"], 2).is_empty());
        assert_eq!(columns(&index, &["troop", "withdraw"], 2), [0]);
    }

    #[test]
    fn character_ngrams_are_not_indexed() {
        let v = vocab(&["\u{1} tr", "troop"]);
        let index = TermIndex::new(&v);
        assert_eq!(index.words().get("\u{1} tr"), crate::analysis::UNKNOWN_WORD);
        assert_ne!(index.words().get("troop"), crate::analysis::UNKNOWN_WORD);
        assert_eq!(columns(&index, &["troop"], 1), [v.get("troop").unwrap()]);
    }
}
