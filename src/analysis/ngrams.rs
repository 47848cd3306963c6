//! Word n-grams over a text's stems and character n-grams of single words.
//!
//! Both generators write into buffers they keep, and hand each n-gram to a
//! callback as a `&str`, so producing a term allocates nothing once the
//! buffers have grown.

/// The stems of one text, kept joined by single spaces so that every word
/// n-gram is one contiguous slice and needs no copying.
#[derive(Debug, Clone, Default)]
pub struct StemSequence {
    joined: String,
    starts: Vec<usize>,
    ends: Vec<usize>,
}

impl StemSequence {
    /// An empty sequence.
    pub fn new() -> StemSequence {
        StemSequence::default()
    }

    /// Forgets all stems, keeping the buffers' capacity.
    pub fn clear(&mut self) {
        self.joined.clear();
        self.starts.clear();
        self.ends.clear();
    }

    /// How many stems the sequence holds.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the sequence holds no stem.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Appends one stem, which `write` appends to the buffer it is given.
    pub fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        if !self.starts.is_empty() {
            self.joined.push(' ');
        }
        self.starts.push(self.joined.len());
        write(&mut self.joined);
        self.ends.push(self.joined.len());
    }

    /// Appends one stem.
    pub fn push(&mut self, stem: &str) {
        self.push_with(|buffer| buffer.push_str(stem));
    }

    /// Calls `emit` with every word n-gram for n = 1..=`max_n`, stems joined by one space.
    ///
    /// The order is scikit-learn's `_word_ngrams`: all unigrams in text
    /// order, then all bigrams in text order, and so on. `max_n` = 0 emits
    /// nothing; n-grams longer than the text are skipped.
    pub fn for_each_ngram<F: FnMut(&str)>(&self, max_n: usize, emit: &mut F) {
        let count = self.starts.len();
        for n in 1..=max_n.min(count) {
            for first in 0..=count - n {
                let last = first + n - 1;
                if let Some(ngram) = self.joined.get(self.starts[first]..self.ends[last]) {
                    emit(ngram);
                }
            }
        }
    }
}

/// Character n-grams of single words, padded with one space on each side,
/// exactly like scikit-learn's `analyzer="char_wb"` applied to one word.
#[derive(Debug, Clone, Default)]
pub struct CharNgrams {
    padded: String,
    bounds: Vec<usize>,
    term: String,
}

impl CharNgrams {
    /// A generator with empty buffers.
    pub fn new() -> CharNgrams {
        CharNgrams::default()
    }

    /// Calls `emit` with `prefix` + each character n-gram of `word`, n = `min_n..=max_n`.
    ///
    /// Follows scikit-learn's `_char_wb_ngrams` for one whitespace-free word:
    /// pad to `" word "`; for each n, slide an n-character window by one
    /// character; a padded word no longer than n is emitted whole, once, and
    /// larger n are skipped. Windows count characters, not bytes. A `min_n`
    /// of 0 counts as 1; `min_n > max_n` emits nothing.
    pub fn for_each_ngram<F: FnMut(&str)>(
        &mut self,
        word: &str,
        (min_n, max_n): (usize, usize),
        prefix: &str,
        emit: &mut F,
    ) {
        self.padded.clear();
        self.padded.push(' ');
        self.padded.push_str(word);
        self.padded.push(' ');
        self.bounds.clear();
        if self.padded.is_ascii() {
            // Note: for ASCII every byte is a character, so the bounds are
            // 0..=len and need not be searched for.
            self.bounds.extend(0..=self.padded.len());
        } else {
            self.bounds
                .extend(self.padded.char_indices().map(|(offset, _)| offset));
            self.bounds.push(self.padded.len());
        }
        let chars = self.bounds.len() - 1;
        self.term.clear();
        self.term.push_str(prefix);
        let prefix_len = self.term.len();
        for n in min_n.max(1)..=max_n {
            let mut offset = 0;
            loop {
                let end = self.bounds[(offset + n).min(chars)];
                if let Some(window) = self.padded.get(self.bounds[offset]..end) {
                    self.term.truncate(prefix_len);
                    self.term.push_str(window);
                    emit(&self.term);
                }
                if offset + n >= chars {
                    break;
                }
                offset += 1;
            }
            if offset == 0 {
                // Note: the padded word fits in one window: it was counted
                // once, and every larger n would give the same string again.
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word_ngrams(stems: &[&str], max_n: usize) -> Vec<String> {
        let mut sequence = StemSequence::new();
        for stem in stems {
            sequence.push(stem);
        }
        let mut out = Vec::new();
        sequence.for_each_ngram(max_n, &mut |ngram: &str| out.push(ngram.to_string()));
        out
    }

    fn char_ngrams(word: &str, range: (usize, usize)) -> Vec<String> {
        let mut generator = CharNgrams::new();
        let mut out = Vec::new();
        generator.for_each_ngram(word, range, "", &mut |ngram: &str| {
            out.push(ngram.to_string())
        });
        out
    }

    #[test]
    fn word_ngrams_come_unigrams_first() {
        assert_eq!(
            word_ngrams(&["troop", "withdraw", "iraq"], 3),
            [
                "troop",
                "withdraw",
                "iraq",
                "troop withdraw",
                "withdraw iraq",
                "troop withdraw iraq"
            ]
        );
    }

    #[test]
    fn word_ngrams_longer_than_the_text_are_skipped() {
        assert_eq!(word_ngrams(&["one"], 3), ["one"]);
        assert!(word_ngrams(&[], 2).is_empty());
        assert!(word_ngrams(&["a", "b"], 0).is_empty());
    }

    #[test]
    fn stem_sequence_clears_and_reuses() {
        let mut sequence = StemSequence::new();
        sequence.push_with(|b| b.push_str("alpha"));
        sequence.push("beta");
        assert_eq!(sequence.len(), 2);
        sequence.clear();
        assert!(sequence.is_empty());
        sequence.push("gamma");
        let mut out = Vec::new();
        sequence.for_each_ngram(2, &mut |n: &str| out.push(n.to_string()));
        assert_eq!(out, ["gamma"]);
    }

    // Golden values from scikit-learn 1.9.1:
    // CountVectorizer(analyzer="char_wb", ngram_range=R).build_analyzer()(word)

    #[test]
    fn char_ngrams_match_scikit_learn_for_a_word() {
        assert_eq!(
            char_ngrams("news", (2, 3)),
            [" n", "ne", "ew", "ws", "s ", " ne", "new", "ews", "ws "]
        );
    }

    #[test]
    fn char_ngrams_count_a_short_word_once() {
        // ngram_range=(2, 5) on "a": " a", "a ", " a " and nothing for n = 4, 5.
        assert_eq!(char_ngrams("a", (2, 5)), [" a", "a ", " a "]);
        // ngram_range=(4, 6) on "ab": " ab " once.
        assert_eq!(char_ngrams("ab", (4, 6)), [" ab "]);
        // ngram_range=(5, 6) on "ab": the padded word is shorter than 5.
        assert_eq!(char_ngrams("ab", (5, 6)), [" ab "]);
    }

    #[test]
    fn char_ngrams_count_characters_not_bytes() {
        assert_eq!(char_ngrams("ñé", (3, 3)), [" ñé", "ñé "]);
        assert_eq!(char_ngrams("قال", (4, 4)), [" قال", "قال "]);
    }

    #[test]
    fn char_ngrams_carry_the_prefix_and_odd_ranges_are_safe() {
        let mut generator = CharNgrams::new();
        let mut out = Vec::new();
        generator.for_each_ngram("ab", (1, 1), "#", &mut |n: &str| out.push(n.to_string()));
        assert_eq!(out, ["# ", "#a", "#b", "# "]);
        assert_eq!(char_ngrams("ab", (0, 1)), char_ngrams("ab", (1, 1)));
        assert!(char_ngrams("ab", (3, 2)).is_empty());
        assert_eq!(char_ngrams("", (1, 3)), [" ", " ", "  "]);
    }
}
