//! Near-duplicate statements (syndicated copy reprinted with small edits):
//! MinHash signatures of word shingles, indexed by LSH bands.
//!
//! Two statements are near-duplicates when the estimated Jaccard similarity
//! of their word 3-gram sets ([`shingles`]) is at least [`SIMILAR`]. With 64
//! hashes in 32 bands of 2, a pair at that similarity shares a band (and is
//! compared) with probability 1 − (1 − 0.4²)³² ≈ 0.996.

use std::collections::HashMap;

use crate::analysis::shingles;

/// Hashes per signature.
const HASHES: usize = 64;

/// Hashes per LSH band.
const ROWS: usize = 2;

/// The estimated Jaccard similarity from which two statements are near-duplicates.
pub const SIMILAR: f64 = 0.4;

/// A MinHash signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature([u64; HASHES]);

/// SplitMix64's finaliser: a fixed, well-mixed permutation of u64.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Signature {
    /// The signature of a normalised text (see [`normalized_text`](crate::analysis::normalized_text)).
    pub fn of(normalized: &str) -> Signature {
        let mut sig = [u64::MAX; HASHES];
        for s in shingles(normalized) {
            for (i, slot) in sig.iter_mut().enumerate() {
                let h = mix(s ^ mix(i as u64 + 1));
                *slot = (*slot).min(h);
            }
        }
        Signature(sig)
    }

    /// The estimated Jaccard similarity of the two shingle sets.
    pub fn similarity(&self, other: &Signature) -> f64 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f64 / HASHES as f64
    }

    fn bands(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.0
            .chunks(ROWS)
            .enumerate()
            .map(|(b, rows)| (b, rows.iter().fold(0u64, |acc, &h| mix(acc ^ h))))
    }
}

/// A set of signatures (the statements chosen so far, or the labelled
/// texts), indexed by band.
#[derive(Debug, Default, Clone)]
pub struct NearDuplicates {
    signatures: Vec<Signature>,
    buckets: HashMap<(usize, u64), Vec<usize>>,
}

impl NearDuplicates {
    /// Whether `sig` is a near-duplicate of one already added.
    pub fn has_near(&self, sig: &Signature) -> bool {
        sig.bands().any(|key| {
            self.buckets.get(&key).is_some_and(|ids| {
                ids.iter()
                    .any(|&i| self.signatures[i].similarity(sig) >= SIMILAR)
            })
        })
    }

    /// Whether no signature was added.
    pub fn is_empty(&self) -> bool {
        self.signatures.is_empty()
    }

    /// Adds a signature.
    pub fn add(&mut self, sig: Signature) {
        let i = self.signatures.len();
        for key in sig.bands() {
            self.buckets.entry(key).or_default().push(i);
        }
        self.signatures.push(sig);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalized_text;

    fn sig(text: &str) -> Signature {
        Signature::of(&normalized_text(text))
    }

    #[test]
    fn reprints_are_near_and_other_statements_are_not() {
        let mut index = NearDuplicates::default();
        index.add(sig(
            "The minister said on Tuesday that coalition troops would leave Iraq by September.",
        ));
        assert!(index.has_near(&sig(
            "The minister said Tuesday that coalition troops would leave Iraq by September, AFP reported."
        )));
        assert!(index.has_near(&sig(
            "THE MINISTER SAID ON TUESDAY THAT COALITION TROOPS WOULD LEAVE IRAQ BY SEPTEMBER"
        )));
        assert!(!index.has_near(&sig(
            "Protesters in Basra rallied for Gaza after Friday prayers."
        )));
        assert!(!index.has_near(&sig(
            "The minister said on Monday that the talks with Tehran went well."
        )));
    }
}
