//! A small cache of the word ids of recently seen short surface forms, in
//! front of the analyzer's memo when scoring.
//!
//! The memo holds every distinct form (about 100,000 for 20 Newsgroups) in
//! 5 MiB of slots plus an arena, more than a core's 2 MiB L2 cache, so a
//! lookup usually waits on two cache misses (slot, then key): in a time
//! profile its lookup took 14% of scoring for about 5% of the instructions. Word
//! frequencies are Zipfian: a few thousand forms make up most of the text.
//! This cache keeps those in 256 KiB, with the key in the entry, so a hit
//! touches one cache line that is usually already in L2.

use crate::swar;

/// Buckets of [`WAYS`] entries: 4,096 x 64 bytes = 256 KiB.
const BUCKETS: usize = 1 << 12;
const WAYS: usize = 2;
/// Forms longer than this are not cached (they are rare and go to the memo).
pub const MAX_LEN: usize = 16;

/// What a cached form resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cached {
    /// A stop word.
    Stop,
    /// The id of the form's term.
    Id(u32),
}

/// A form of at most [`MAX_LEN`] bytes as two integers and its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Key {
    head: u64,
    tail: u64,
    /// Length in bytes; 0 marks an empty entry (forms are never empty).
    len: u32,
}

impl Key {
    /// The key of `word`, if it is short enough; distinct forms give distinct keys.
    #[inline]
    fn of(word: &[u8]) -> Option<Key> {
        let n = word.len();
        // Note: with the length, the first and last 8 bytes (overlapping)
        // determine a form of up to 16 bytes.
        let (head, tail) = match n {
            1..=8 => (swar::load_short(word), 0),
            9..=MAX_LEN => (swar::load(word, 0)?, swar::load(word, n - 8)?),
            _ => return None,
        };
        Some(Key {
            head,
            tail,
            len: n as u32,
        })
    }

    #[inline]
    fn bucket(&self) -> usize {
        const SEED: u64 = 0x9e37_79b9_7f4a_7c15;
        let mixed =
            (self.head ^ self.tail.rotate_left(29) ^ u64::from(self.len)).wrapping_mul(SEED);
        (mixed >> 40) as usize & (BUCKETS - 1)
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    key: Key,
    /// `u32::MAX` for a stop word, else the id.
    value: u32,
}

const STOP: u32 = u32::MAX;

/// One cache line: the most recently used entry first.
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(64))]
struct Bucket([Entry; WAYS]);

/// A fixed-size, two-way, least-recently-used cache from short forms to [`Cached`].
///
/// Its contents never go stale: a form's id depends only on the form and the
/// analyzer's fixed dictionary.
#[derive(Debug, Clone, Default)]
pub struct RecentIds {
    /// [`BUCKETS`] long once anything was stored (empty before).
    buckets: Vec<Bucket>,
}

impl RecentIds {
    /// An empty cache (it allocates on the first insert).
    pub fn new() -> RecentIds {
        RecentIds::default()
    }

    /// What `word` resolved to, if it is cached.
    #[inline]
    pub fn get(&mut self, word: &str) -> Option<Cached> {
        let key = Key::of(word.as_bytes())?;
        let bucket = self.buckets.get_mut(key.bucket())?;
        let way = bucket.0.iter().position(|e| e.key == key)?;
        // Note: most recently used first, so the other way is the one to evict.
        bucket.0[..=way].rotate_right(1);
        let value = bucket.0[0].value;
        Some(if value == STOP {
            Cached::Stop
        } else {
            Cached::Id(value)
        })
    }

    /// Remembers what `word` resolved to (forms longer than [`MAX_LEN`] are skipped).
    ///
    /// An id of `u32::MAX` cannot be told from a stop word, so it is not cached.
    pub fn insert(&mut self, word: &str, cached: Cached) {
        let Some(key) = Key::of(word.as_bytes()) else {
            return;
        };
        let value = match cached {
            Cached::Stop => STOP,
            Cached::Id(STOP) => return,
            Cached::Id(id) => id,
        };
        if self.buckets.is_empty() {
            self.buckets = vec![Bucket::default(); BUCKETS];
        }
        if let Some(bucket) = self.buckets.get_mut(key.bucket()) {
            bucket.0.rotate_right(1);
            bucket.0[0] = Entry { key, value };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn remembers_ids_and_stop_words() {
        let mut cache = RecentIds::new();
        assert_eq!(cache.get("the"), None);
        cache.insert("the", Cached::Stop);
        cache.insert("withdrawal", Cached::Id(7));
        assert_eq!(cache.get("the"), Some(Cached::Stop));
        assert_eq!(cache.get("withdrawal"), Some(Cached::Id(7)));
        assert_eq!(cache.get("withdrawals"), None);
    }

    #[test]
    fn skips_long_forms_and_the_stop_marker() {
        let mut cache = RecentIds::new();
        cache.insert("internationalisation", Cached::Id(3));
        assert_eq!(cache.get("internationalisation"), None);
        cache.insert("x", Cached::Id(u32::MAX));
        assert_eq!(cache.get("x"), None);
    }

    #[test]
    fn keeps_the_two_most_recent_forms_of_a_bucket() {
        let mut cache = RecentIds::new();
        let words: Vec<String> = (0..100_000).map(|i| format!("w{i}")).collect();
        let bucket = Key::of(b"w0").map(|k| k.bucket());
        let same: Vec<&String> = words
            .iter()
            .filter(|w| Key::of(w.as_bytes()).map(|k| k.bucket()) == bucket)
            .take(3)
            .collect();
        assert_eq!(same.len(), 3);
        cache.insert(same[0], Cached::Id(0));
        cache.insert(same[1], Cached::Id(1));
        // A hit makes the first the most recent, so the third evicts the second.
        assert_eq!(cache.get(same[0]), Some(Cached::Id(0)));
        cache.insert(same[2], Cached::Id(2));
        assert_eq!(cache.get(same[0]), Some(Cached::Id(0)));
        assert_eq!(cache.get(same[1]), None);
        assert_eq!(cache.get(same[2]), Some(Cached::Id(2)));
    }

    proptest! {
        #[test]
        fn never_answers_wrong(
            ops in proptest::collection::vec(("[a-c\\x00é]{1,18}", 0u32..1000), 1..300),
        ) {
            let mut cache = RecentIds::new();
            let mut truth = HashMap::new();
            for (word, id) in ops {
                let cached = truth.entry(word.clone()).or_insert(if id % 7 == 0 { Cached::Stop } else { Cached::Id(id) });
                match cache.get(&word) {
                    Some(found) => prop_assert_eq!(found, *cached),
                    None => cache.insert(&word, *cached),
                }
            }
        }
    }
}
