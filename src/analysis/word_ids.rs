//! A dictionary of the words (stems) a vocabulary is made of, each with a dense id.
//!
//! An [`super::Analyzer`] given one reports every kept word as its id, and
//! remembers the id with the word's stem in its memo, so looking up a word
//! n-gram becomes an index into a table of ids instead of hashing a string
//! built for the occasion.

use rustc_hash::FxHashMap;

/// The id of a word the dictionary does not hold.
pub(crate) const UNKNOWN_WORD: u32 = u32::MAX;

/// Words with dense ids `0..n` (`n` words), in the order they were first added.
#[derive(Debug, Clone, Default)]
pub(crate) struct WordIds {
    ids: FxHashMap<Box<str>, u32>,
}

impl WordIds {
    /// An empty dictionary: every word is [`UNKNOWN_WORD`].
    pub fn new() -> WordIds {
        WordIds::default()
    }

    /// The id of `word`, adding it with the next id if it is new.
    pub fn insert(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        // Note: ids stay below UNKNOWN_WORD because a dictionary of 2^32 - 1
        // distinct words cannot be built in memory from a model file that
        // passed its size checks; saturate rather than wrap just in case.
        let id = u32::try_from(self.ids.len())
            .unwrap_or(UNKNOWN_WORD - 1)
            .min(UNKNOWN_WORD - 1);
        self.ids.insert(word.into(), id);
        id
    }

    /// The id of `word`, or [`UNKNOWN_WORD`].
    #[inline]
    pub fn get(&self, word: &str) -> u32 {
        self.ids.get(word).copied().unwrap_or(UNKNOWN_WORD)
    }

    /// Whether the dictionary is empty.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_in_insertion_order_and_stable() {
        let mut words = WordIds::new();
        assert!(words.is_empty());
        assert_eq!(words.insert("troop"), 0);
        assert_eq!(words.insert("withdraw"), 1);
        assert_eq!(words.insert("troop"), 0);
        assert_eq!(words.ids.len(), 2);
        assert_eq!(words.get("withdraw"), 1);
        assert_eq!(words.get("palestin"), UNKNOWN_WORD);
    }
}
