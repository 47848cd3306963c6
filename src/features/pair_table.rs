//! The bigram columns of a vocabulary, keyed by the pair of their word ids.
//!
//! Every sentence looks up each of its word pairs, most of which are not in
//! the vocabulary, in a table of hundreds of thousands of bigrams (megabytes,
//! out of cache). A `HashMap` probe reads a group of control bytes and then
//! a bucket elsewhere; here key and column share one 16-byte slot, so a
//! probe usually reads one cache line, hit or miss.

/// A slot: the pair's key and its column; [`EMPTY_KEY`] marks a free slot.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(16))]
struct Slot {
    key: u64,
    column: u32,
}

/// No pair has this key: both halves would be `UNKNOWN_WORD`, and word
/// windows holding an unknown word are never looked up.
const EMPTY_KEY: u64 = u64::MAX;

const EMPTY: Slot = Slot {
    key: EMPTY_KEY,
    column: 0,
};

/// A fixed map from pair key to column: open addressing, linear probing,
/// at most half full.
#[derive(Debug, Clone)]
pub struct PairTable {
    /// Power-of-two length.
    slots: Vec<Slot>,
    /// log2 of the length, for the home slot.
    bits: u32,
}

impl PairTable {
    /// A table of `entries` (key, column); a later duplicate key wins.
    ///
    /// Keys equal to [`EMPTY_KEY`] are left out: no lookup asks for them.
    pub fn new(entries: &[(u64, u32)]) -> PairTable {
        let len = (entries.len() * 2).next_power_of_two().max(16);
        let mut table = PairTable {
            slots: vec![EMPTY; len],
            bits: len.trailing_zeros(),
        };
        for &(key, column) in entries.iter().filter(|(key, _)| *key != EMPTY_KEY) {
            let index = table.slot_of(key);
            table.slots[index] = Slot { key, column };
        }
        table
    }

    /// How many pairs the table holds.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.key != EMPTY_KEY).count()
    }

    /// Whether the table holds no pair.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The column of `key`, if present.
    #[inline]
    pub fn get(&self, key: u64) -> Option<u32> {
        let slot = &self.slots[self.slot_of(key)];
        (slot.key == key && key != EMPTY_KEY).then_some(slot.column)
    }

    /// Reads `key`'s home slot and returns its key, so that a caller can start
    /// the cache misses of many lookups at once (see `TermIndex::for_each_column`).
    #[inline]
    pub fn touch(&self, key: u64) -> u64 {
        self.slots
            .get(home(key, self.bits))
            .map_or(0, |slot| slot.key)
    }

    /// The slot holding `key`, or the free slot where it would go.
    #[inline]
    fn slot_of(&self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut index = home(key, self.bits);
        loop {
            let slot = &self.slots[index];
            if slot.key == key || slot.key == EMPTY_KEY {
                return index;
            }
            index = (index + 1) & mask;
        }
    }
}

/// The home slot of a key: the top `bits` bits of a multiplicative hash.
#[inline]
fn home(key: u64, bits: u32) -> usize {
    // Note: Fibonacci hashing; the top bits mix both word ids.
    let mixed = (key ^ (key >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (mixed >> (64 - bits)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn finds_what_it_holds_and_nothing_else() {
        let table = PairTable::new(&[(1 << 32 | 2, 7), (3, 9), (0, 11)]);
        assert_eq!(table.get(1 << 32 | 2), Some(7));
        assert_eq!(table.get(3), Some(9));
        assert_eq!(table.get(0), Some(11));
        assert_eq!(table.get(2 << 32 | 1), None);
        assert_eq!(table.get(EMPTY_KEY), None);
        assert_eq!(table.len(), 3);
        assert!(PairTable::new(&[]).is_empty());
        assert_eq!(PairTable::new(&[]).get(5), None);
    }

    proptest! {
        #[test]
        fn agrees_with_a_hash_map(
            entries in proptest::collection::vec((0u64..64, 0u32..1000), 0..300),
            probes in proptest::collection::vec(0u64..80, 0..100),
        ) {
            // Keys spread over both halves, like word-id pairs.
            let spread = |k: u64| (k % 8) << 32 | (k / 8);
            let entries: Vec<(u64, u32)> = entries.iter().map(|&(k, c)| (spread(k), c)).collect();
            let table = PairTable::new(&entries);
            let map: HashMap<u64, u32> = entries.iter().copied().collect();
            prop_assert_eq!(table.len(), map.len());
            for key in probes.into_iter().map(spread).chain(map.keys().copied()) {
                prop_assert_eq!(table.get(key), map.get(&key).copied());
            }
        }
    }
}
