//! Byte tests eight bytes at a time in a `u64` ("SIMD within a register").
//!
//! The hot text loops (sentence tokens and their bit masks, CSV quoting, the
//! stem memo's keys) spend most of their time on short runs of bytes; testing
//! a whole word per step with integer arithmetic beats both a byte loop and a
//! library call's set-up there, and needs no target features. A lane is one
//! byte, lane 0 the first byte in memory ([`load`] is little-endian).
//!
//! The masks returned have the high bit of each flagged lane set and nothing
//! else. Tests marked "lowest lane exact" may also flag lanes above a flagged
//! one (a borrow carries up), so only [`first_lane`] of their result is
//! reliable, which is all a scan needs.

/// `byte` in every lane.
#[inline(always)]
const fn splat(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

const HIGH: u64 = splat(0x80);

/// The 8 bytes from `at` as a little-endian integer, if there are 8.
#[inline(always)]
pub fn load(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk = bytes.get(at..at.checked_add(8)?)?;
    <[u8; 8]>::try_from(chunk).ok().map(u64::from_le_bytes)
}

/// Up to 8 bytes as one integer that, together with the length, determines
/// them (the first 8 bytes of a longer slice, 0 for an empty one).
///
/// Note: fixed-size loads (overlapping for 4 to 7 bytes, as in wyhash) rather
/// than a variable-length copy, which becomes a `memcpy` call.
#[inline(always)]
pub fn load_short(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let load4 = |at: usize| {
        let four = bytes
            .get(at..at + 4)
            .and_then(|c| <[u8; 4]>::try_from(c).ok());
        four.map_or(0, |w| u64::from(u32::from_le_bytes(w)))
    };
    match n {
        0 => 0,
        1..=3 => {
            u64::from(bytes[0]) | (u64::from(bytes[n / 2]) << 8) | (u64::from(bytes[n - 1]) << 16)
        }
        4..=7 => load4(0) | (load4(n - 4) << 32),
        _ => load(bytes, 0).unwrap_or(0),
    }
}

/// The index of the lowest flagged lane of a nonzero mask (8 for 0).
#[inline(always)]
pub fn first_lane(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// Lanes holding `byte` (lowest lane exact).
#[inline(always)]
pub fn eq(word: u64, byte: u8) -> u64 {
    let x = word ^ splat(byte);
    x.wrapping_sub(splat(1)) & !x & HIGH
}

/// Lanes below `limit` (at most 0x80), non-ASCII lanes not included (lowest lane exact).
#[inline(always)]
pub fn below(word: u64, limit: u8) -> u64 {
    word.wrapping_sub(splat(limit)) & !word & HIGH
}

/// Lanes that are not ASCII (exact).
#[inline(always)]
pub fn non_ascii(word: u64) -> u64 {
    word & HIGH
}

/// Lanes holding a byte in `lo..=hi`, for ASCII `word` and `hi` (exact).
///
/// Note: on 7-bit lanes the sums stay within their lane, so no lane's
/// answer leaks into another's (unlike [`below`]).
#[inline(always)]
pub fn ascii_in_range(word: u64, lo: u8, hi: u8) -> u64 {
    let at_least = word.wrapping_add(splat(0x80 - lo));
    let above = word.wrapping_add(splat(0x7f - hi));
    at_least & !above & HIGH
}

/// Lanes holding `byte`, for ASCII `word` (exact).
#[inline(always)]
pub fn ascii_eq(word: u64, byte: u8) -> u64 {
    !(word ^ splat(byte)).wrapping_add(splat(0x7f)) & HIGH
}

/// One bit per lane: bit `i` is set when lane `i` is flagged in `mask`
/// (high bits of lanes only, as the tests here return).
#[inline(always)]
pub fn lane_bits(mask: u64) -> u64 {
    // Note: the multiplier moves lane i's bit (at 8i) to bit 56 + i; the
    // other products land on distinct bits below 56 or above 63, so nothing
    // carries into the result.
    (mask >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The lanes a byte-by-byte test flags.
    fn lanes(bytes: [u8; 8], test: impl Fn(u8) -> bool) -> u64 {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, &b)| test(b))
            .fold(0, |m, (i, _)| m | 0x80 << (8 * i))
    }

    proptest! {
        #[test]
        fn exact_tests_match_a_byte_loop(bytes: [u8; 8]) {
            let word = u64::from_le_bytes(bytes);
            prop_assert_eq!(non_ascii(word), lanes(bytes, |b| b >= 0x80));
        }

        #[test]
        fn ascii_tests_match_a_byte_loop(
            bytes in proptest::array::uniform8(0u8..0x80),
            byte in 0u8..0x80,
            lo in 0u8..0x80,
            hi in 0u8..0x80,
        ) {
            let word = u64::from_le_bytes(bytes);
            prop_assert_eq!(ascii_eq(word, byte), lanes(bytes, |b| b == byte));
            prop_assert_eq!(ascii_in_range(word, lo, hi), lanes(bytes, |b| (lo..=hi).contains(&b)));
        }

        #[test]
        fn lane_bits_gives_one_bit_per_lane(flags: [bool; 8]) {
            let mask = (0..8).filter(|&i| flags[i]).fold(0u64, |m, i| m | 0x80 << (8 * i));
            let bits = (0..8).filter(|&i| flags[i]).fold(0u64, |m, i| m | 1 << i);
            prop_assert_eq!(lane_bits(mask), bits);
        }

        #[test]
        fn scans_find_the_first_matching_byte(bytes: [u8; 8], byte: u8, limit in 0u8..=0x80) {
            let word = u64::from_le_bytes(bytes);
            let first = |test: &dyn Fn(u8) -> bool| bytes.iter().position(|&b| test(b)).unwrap_or(8);
            prop_assert_eq!(first_lane(eq(word, byte)), first(&|b| b == byte));
            prop_assert_eq!(first_lane(below(word, limit)), first(&|b| b < limit));
        }

        #[test]
        fn short_loads_tell_forms_of_one_length_apart(a in proptest::collection::vec(any::<u8>(), 0..=8), b in proptest::collection::vec(any::<u8>(), 0..=8)) {
            if a.len() == b.len() {
                prop_assert_eq!(load_short(&a) == load_short(&b), a == b);
            }
        }

        #[test]
        fn load_reads_eight_bytes_or_none(bytes in proptest::collection::vec(any::<u8>(), 0..20), at in 0usize..24) {
            let expected = bytes.get(at..at + 8).map(|c| u64::from_le_bytes(c.try_into().unwrap()));
            prop_assert_eq!(load(&bytes, at), expected);
        }
    }
}
