//! Normalised text, its fingerprint, and word shingles: how statements are
//! recognised again (a row already labelled, syndicated copy reprinted).

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// The text as compared for sameness: NFKC, lowercase, its letters and digits
/// in runs separated by single spaces (punctuation, quotes and spacing dropped).
///
/// ```
/// use stance::analysis::normalized_text;
/// assert_eq!(normalized_text("  \u{201C}Troops  must LEAVE,\u{201D} he said. "), "troops must leave he said");
/// ```
pub fn normalized_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfkc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else {
            pending_space = true;
        }
    }
    out
}

/// A 64-bit fingerprint of the normalised text: the first 8 bytes of its SHA-256.
///
/// Note: SHA-256 rather than a std hasher, whose output may change between
/// Rust versions: fingerprints are stored in model files.
pub fn text_fingerprint(text: &str) -> u64 {
    fingerprint_of_normalized(&normalized_text(text))
}

/// [`text_fingerprint`] of a text already normalised.
pub fn fingerprint_of_normalized(normalized: &str) -> u64 {
    let digest = Sha256::digest(normalized.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

/// Words per shingle.
pub const SHINGLE_WORDS: usize = 3;

/// The hashes of the word 3-grams of a normalised text (the whole text when it
/// has fewer words), sorted and without repeats.
pub fn shingles(normalized: &str) -> Vec<u64> {
    let words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out: Vec<u64> = if words.len() <= SHINGLE_WORDS {
        vec![fnv1a(normalized.as_bytes())]
    } else {
        words
            .windows(SHINGLE_WORDS)
            .map(|w| fnv1a(w.join(" ").as_bytes()))
            .collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// FNV-1a, 64 bits: a fixed, fast hash for shingles (never stored).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_words_same_fingerprint() {
        let a = text_fingerprint("Iraq's MPs voted, again.");
        assert_eq!(a, text_fingerprint("iraq s  MPs voted again"));
        assert_ne!(a, text_fingerprint("Iraq's MPs voted again today."));
        assert_eq!(normalized_text("...!"), "");
        assert_eq!(normalized_text("ＡＢＣ déjà"), "abc déjà");
    }

    #[test]
    fn shingles_overlap_for_near_copies() {
        let a = shingles(&normalized_text(
            "The minister said the troops would leave Iraq by September.",
        ));
        let b = shingles(&normalized_text(
            "The minister said the troops would leave Iraq by September, AFP reported.",
        ));
        let common = a.iter().filter(|h| b.contains(h)).count();
        assert_eq!(a.len(), 8);
        assert_eq!(common, 8);
        assert_eq!(shingles("two words").len(), 1);
    }
}
