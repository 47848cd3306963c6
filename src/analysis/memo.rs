//! The analyzer's memo: what each distinct lowercased surface form becomes
//! (its term, and the term's id in a [`super::WordIds`] dictionary).
//!
//! Stemming dominates analysis time, and natural text repeats a small
//! vocabulary, so every surface form is stemmed once and looked up after.
//! The lookup is on the hot path of every token, and a realistic vocabulary
//! (about 100,000 forms for 20 Newsgroups) does not fit in cache, so the
//! table is laid out to touch little memory: an open-addressing table of
//! 20-byte slots pointing into one string arena where each key is directly
//! followed by its stem. A hit touches one slot and one arena spot, where a
//! `HashMap<Box<str>, Box<str>>` touches control bytes, a bucket and two heap
//! strings.

use crate::swar;

/// Slots in the table: a fixed 5 MiB (20 bytes each), allocated in full on
/// first use.
///
/// Note: a fixed size keeps a scoring thread's memory the same whether it has
/// seen 10 MB of text or 10 GB; a table that doubled with the vocabulary
/// made peak memory grow with the input (the 10 MB and 100 MB
/// `score_compare` inputs hold 82,000 and 93,000 distinct forms, a
/// 2^17-slot table for one and 2^18 for the other, per thread).
const SLOTS: usize = 1 << 18;

/// Past this many distinct surface forms (half the slots) the memo is cleared.
///
/// Note: clearing (rather than evicting one by one) keeps the hot path to a
/// single lookup; after a clear the memo simply refills with the words that
/// come next. 20 Newsgroups (about 100,000 forms, with every e-mail address
/// and number) stays below it.
pub const MEMO_LIMIT: usize = SLOTS / 2;

/// Past this many bytes of keys and stems the memo is cleared too, so that
/// junk tokens (base64, hex dumps) cannot grow it without bound.
const ARENA_LIMIT: usize = 8 << 20;

/// What a surface form becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// A stop word: dropped.
    Stop,
    /// This term (the stem, or the word itself) and the id it was resolved with.
    Term(&'a str, u32),
}

/// How a slot's term is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stop,
    /// The term is the key itself.
    Unchanged,
    /// The term follows the key in the arena.
    Stem,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Low 32 bits of the key's hash, to skip most key comparisons.
    hash: u32,
    /// Arena offset of the key; its term (if stored) follows it.
    start: u32,
    /// Key length in bytes; 0 marks an empty slot (keys are never empty).
    key_len: u16,
    term_len: u16,
    kind: Kind,
    /// The term's id, as `resolve` gave it.
    id: u32,
}

const EMPTY: Slot = Slot {
    hash: 0,
    start: 0,
    key_len: 0,
    term_len: 0,
    kind: Kind::Stop,
    id: 0,
};

/// A bounded map from surface form to [`Lookup`].
#[derive(Debug, Clone, Default)]
pub struct TermMemo {
    /// [`SLOTS`] long once anything was stored (empty before), at most half full.
    slots: Vec<Slot>,
    arena: String,
    len: usize,
    /// The term of the last word too long to store.
    unstored: String,
}

impl TermMemo {
    /// An empty memo.
    pub fn new() -> TermMemo {
        TermMemo::default()
    }

    /// How many surface forms are remembered.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Forgets everything, keeping the allocations.
    pub fn clear(&mut self) {
        self.slots.fill(EMPTY);
        self.arena.clear();
        self.len = 0;
    }

    /// What `word` becomes, computing it with `resolve` on the first sight.
    ///
    /// `resolve` returns `None` for a stop word, otherwise the term and its id.
    /// Words too long to remember (64 KiB and up) are resolved every time.
    pub fn get_or_insert_with<'m>(
        &'m mut self,
        word: &'m str,
        resolve: impl FnOnce(&str) -> Option<(std::borrow::Cow<'_, str>, u32)>,
    ) -> Lookup<'m> {
        let hash = fx_hash(word.as_bytes());
        if let Some(index) = self.find(word, hash) {
            return self.outcome(word, self.slots[index]);
        }
        let resolved = resolve(word);
        let term_len = resolved.as_ref().map_or(0, |(term, _)| term.len());
        let too_long = word.is_empty()
            || word.len() > usize::from(u16::MAX)
            || term_len > usize::from(u16::MAX);
        if too_long {
            // Note: a slot cannot hold it; hand the term out of a scratch
            // buffer instead and resolve it again next time.
            return match resolved {
                None => Lookup::Stop,
                Some((term, id)) => {
                    self.unstored.clear();
                    self.unstored.push_str(&term);
                    Lookup::Term(&self.unstored, id)
                }
            };
        }
        if self.len >= MEMO_LIMIT || self.arena.len() + word.len() + term_len > ARENA_LIMIT {
            self.clear();
        }
        if self.slots.is_empty() {
            self.slots = vec![EMPTY; SLOTS];
        }
        let start = self.arena.len();
        self.arena.push_str(word);
        let (kind, id) = match &resolved {
            None => (Kind::Stop, 0),
            Some((term, id)) if term == word => (Kind::Unchanged, *id),
            Some((term, id)) => {
                self.arena.push_str(term);
                (Kind::Stem, *id)
            }
        };
        // Note: both lengths were checked against u16::MAX and the arena
        // against ARENA_LIMIT above, so these conversions cannot fail.
        let slot = Slot {
            hash: hash as u32,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            key_len: u16::try_from(word.len()).unwrap_or(0),
            term_len: u16::try_from(term_len).unwrap_or(0),
            kind,
            id,
        };
        let index = self.free_slot(hash);
        self.slots[index] = slot;
        self.len += 1;
        self.outcome(word, slot)
    }

    fn outcome<'m>(&'m self, word: &'m str, slot: Slot) -> Lookup<'m> {
        match slot.kind {
            Kind::Stop => Lookup::Stop,
            Kind::Unchanged => Lookup::Term(word, slot.id),
            Kind::Stem => {
                let from = slot.start as usize + usize::from(slot.key_len);
                let to = from + usize::from(slot.term_len);
                Lookup::Term(self.arena.get(from..to).unwrap_or(word), slot.id)
            }
        }
    }

    /// The slot holding `word`, if any.
    #[inline]
    fn find(&self, word: &str, hash: u64) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut index = home(hash, mask);
        loop {
            let slot = self.slots[index];
            if slot.key_len == 0 {
                return None;
            }
            if slot.hash == hash as u32 && usize::from(slot.key_len) == word.len() {
                let start = slot.start as usize;
                let key = self.arena.as_bytes().get(start..start + word.len());
                if key.is_some_and(|key| same_bytes(key, word.as_bytes())) {
                    return Some(index);
                }
            }
            index = (index + 1) & mask;
        }
    }

    /// The first empty slot on `hash`'s probe sequence (the table is never full).
    fn free_slot(&self, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut index = home(hash, mask);
        while self.slots[index].key_len != 0 {
            index = (index + 1) & mask;
        }
        index
    }
}

/// The home slot of a hash: its top bits (Fx's low bits mix poorly).
#[inline]
fn home(hash: u64, mask: usize) -> usize {
    (hash >> 32) as usize & mask
}

/// The Fx hash (rustc's), fast for short keys.
///
/// Note: Fx gives up resistance to deliberately colliding keys; the memo is
/// bounded and fed news text, so that is an acceptable trade for speed.
#[inline]
fn fx_hash(bytes: &[u8]) -> u64 {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let add = |hash: u64, word: u64| (hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    let mut hash = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        hash = add(hash, swar::load_short(chunk));
    }
    hash = add(hash, swar::load_short(chunks.remainder()));
    // Note: one more round so the top bits, used for the home slot, depend
    // on the last bytes too; the length keeps "a" and "a\0" apart.
    add(hash, bytes.len() as u64)
}

/// Whether two byte strings are equal, without a `memcmp` call for short ones.
///
/// Note: the memo compares a key on every hit; with news vocabularies the
/// `memcmp` calls were 5% of scoring time (`perf record`).
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0..=8 => swar::load_short(a) == swar::load_short(b),
        9..=16 => {
            let last8 = |s: &[u8]| swar::load_short(s.get(n - 8..).unwrap_or_default());
            swar::load_short(a) == swar::load_short(b) && last8(a) == last8(b)
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    /// Terms carry their length as the id, so tests see ids survive too.
    fn upper(word: &str) -> Option<(Cow<'_, str>, u32)> {
        Some((Cow::Owned(word.to_uppercase()), word.len() as u32))
    }

    fn never(_: &str) -> Option<(Cow<'_, str>, u32)> {
        panic!("resolved a word the memo should know")
    }

    fn first_three(word: &str) -> Option<(Cow<'_, str>, u32)> {
        Some((Cow::Owned(word.chars().take(3).collect()), 3))
    }

    #[test]
    fn remembers_terms_stop_words_and_unchanged_words() {
        let mut memo = TermMemo::new();
        assert_eq!(memo.len(), 0);
        assert_eq!(
            memo.get_or_insert_with("cats", upper),
            Lookup::Term("CATS", 4)
        );
        assert_eq!(memo.get_or_insert_with("the", |_| None), Lookup::Stop);
        assert_eq!(
            memo.get_or_insert_with("run", |w| Some((Cow::Borrowed(w), 7))),
            Lookup::Term("run", 7)
        );
        // Hits do not call `resolve` again.
        assert_eq!(
            memo.get_or_insert_with("cats", never),
            Lookup::Term("CATS", 4)
        );
        assert_eq!(memo.get_or_insert_with("the", never), Lookup::Stop);
        assert_eq!(
            memo.get_or_insert_with("run", never),
            Lookup::Term("run", 7)
        );
        assert_eq!(memo.len(), 3);
    }

    #[test]
    fn keeps_many_keys() {
        let mut memo = TermMemo::new();
        let words: Vec<String> = (0..50_000).map(|i| format!("w{i}")).collect();
        for word in &words {
            memo.get_or_insert_with(word, upper);
        }
        assert_eq!(memo.len(), words.len());
        for word in &words {
            let expected = word.to_uppercase();
            assert_eq!(
                memo.get_or_insert_with(word, never),
                Lookup::Term(&expected, word.len() as u32)
            );
        }
        assert!(memo.slots.len() >= 2 * memo.len());
    }

    #[test]
    fn stays_at_its_fixed_size_past_the_limit() {
        let mut memo = TermMemo::new();
        let words: Vec<String> = (0..MEMO_LIMIT + 1000).map(|i| format!("w{i}")).collect();
        for word in &words {
            memo.get_or_insert_with(word, upper);
        }
        // Cleared once, at the limit; the table never grew.
        assert_eq!(memo.len(), 1000);
        assert_eq!(memo.slots.len(), SLOTS);
        // Words from before the clear are resolved again, and correctly.
        assert_eq!(
            memo.get_or_insert_with(&words[0], upper),
            Lookup::Term("W0", 2)
        );
        let last = words.last().unwrap();
        let expected = last.to_uppercase();
        assert_eq!(
            memo.get_or_insert_with(last, never),
            Lookup::Term(&expected, last.len() as u32)
        );
    }

    #[test]
    fn clearing_forgets_but_keeps_working() {
        let mut memo = TermMemo::new();
        memo.get_or_insert_with("a", upper);
        memo.clear();
        assert_eq!(memo.len(), 0);
        assert_eq!(memo.get_or_insert_with("a", |_| None), Lookup::Stop);
    }

    #[test]
    fn huge_words_are_resolved_but_not_stored() {
        let mut memo = TermMemo::new();
        let huge = "x".repeat(70_000);
        let expected = huge.to_uppercase();
        assert_eq!(
            memo.get_or_insert_with(&huge, upper),
            Lookup::Term(expected.as_str(), 70_000)
        );
        assert_eq!(memo.get_or_insert_with(&huge, |_| None), Lookup::Stop);
        assert_eq!(memo.get_or_insert_with("", upper), Lookup::Term("", 0));
        assert_eq!(memo.len(), 0);
    }

    #[test]
    fn non_ascii_keys_and_stems() {
        let mut memo = TermMemo::new();
        assert_eq!(
            memo.get_or_insert_with("новости", first_three),
            Lookup::Term("нов", 3)
        );
        assert_eq!(
            memo.get_or_insert_with("الحكومة", first_three),
            Lookup::Term("الح", 3)
        );
        assert_eq!(
            memo.get_or_insert_with("новости", first_three),
            Lookup::Term("нов", 3)
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn reverse_or_stop(word: &str) -> Option<(Cow<'_, str>, u32)> {
            let id = word.chars().count() as u32;
            match word.len() % 3 {
                0 => None,
                1 => Some((Cow::Borrowed(word), id)),
                _ => Some((Cow::Owned(word.chars().rev().collect()), id)),
            }
        }

        proptest! {
            #[test]
            fn memo_agrees_with_resolving_every_time(
                words in proptest::collection::vec(
                    prop_oneof![
                        "[abcé]{1,4}",
                        proptest::collection::vec(any::<char>(), 1..4)
                            .prop_map(String::from_iter),
                    ],
                    0..200,
                ),
            ) {
                let mut memo = TermMemo::new();
                for word in &words {
                    let expected = match reverse_or_stop(word) {
                        None => Lookup::Stop,
                        Some((term, id)) => {
                            Lookup::Term(Box::leak(term.into_owned().into_boxed_str()), id)
                        }
                    };
                    prop_assert_eq!(memo.get_or_insert_with(word, reverse_or_stop), expected);
                }
                let distinct: std::collections::HashSet<_> = words.iter().collect();
                prop_assert_eq!(memo.len(), distinct.len());
            }
        }
    }

    #[test]
    fn short_byte_strings_compare_exactly() {
        let words: Vec<Vec<u8>> = (0..=20)
            .flat_map(|n| {
                let base: Vec<u8> = (0..n as u8).map(|i| b'a' + i).collect();
                // The word, and the word with each single byte changed.
                let mut variants = vec![base.clone()];
                for i in 0..n {
                    let mut v = base.clone();
                    v[i] = b'Z';
                    variants.push(v);
                }
                variants
            })
            .collect();
        for a in &words {
            for b in &words {
                assert_eq!(same_bytes(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn fx_hash_separates_short_keys() {
        assert_ne!(fx_hash(b"a"), fx_hash(b"a\0"));
        assert_ne!(fx_hash(b"ab"), fx_hash(b"ba"));
        assert_ne!(fx_hash(b"abcdefgh"), fx_hash(b"abcdefgh\0"));
        assert_ne!(fx_hash(b""), fx_hash(b"\0"));
    }
}
