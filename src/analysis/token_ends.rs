//! Where the tokens of an ASCII text end, from bit masks of its bytes.
//!
//! Sentence splitting cuts text into tokens (maximal runs of non-whitespace)
//! and decides, after each token, whether a sentence ends there. In prose
//! three tokens in four are plain words after which no sentence can end (see
//! `sentence::Token::plain`). Here the bytes are classified eight at a time
//! into one bit each, and the tokens that need a decision are found with bit
//! operations over those masks, so a plain token costs no branch of its own.
//!
//! Bit `i` of word `k` of every mask stands for byte `64 k + i`.

use crate::swar;

/// Whitespace, letters and digits, and line breaks among 64 ASCII bytes, one bit each.
#[inline(always)]
fn classify(block: &[u8]) -> (u64, u64, u64) {
    let (mut space, mut alnum, mut breaks) = (0u64, 0u64, 0u64);
    for (j, eight) in block.chunks_exact(8).enumerate() {
        let word = swar::load(eight, 0).unwrap_or(0);
        let line_break = swar::ascii_in_range(word, b'\n', b'\r');
        let blank = swar::ascii_eq(word, b' ') | swar::ascii_eq(word, b'\t');
        let letter = swar::ascii_in_range(word | 0x2020_2020_2020_2020, b'a', b'z');
        let digit = swar::ascii_in_range(word, b'0', b'9');
        space |= swar::lane_bits(line_break | blank) << (8 * j);
        alnum |= swar::lane_bits(letter | digit) << (8 * j);
        breaks |= swar::lane_bits(line_break) << (8 * j);
    }
    (space, alnum, breaks)
}

/// The last bytes of tokens among 64 bytes whose whitespace mask is `space`:
/// non-whitespace followed by whitespace, the byte after bit 63 being
/// whitespace when `next_space` (the next 64 bytes' mask) has its bit 0 set.
#[inline(always)]
fn token_ends(space: u64, next_space: u64) -> u64 {
    !space & ((space >> 1) | (next_space << 63))
}

/// The token ends of one ASCII text.
///
/// Four masks of `words` words each, in one allocation:
/// - space: whitespace bytes (`\t` to `\r` and space); positions past the
///   end count as whitespace;
/// - ends: the last byte of every token;
/// - candidates: the last byte of every token that is not plain: it ends in
///   a byte other than a letter or digit, or a line break follows it;
/// - before break: the last byte of every token that a line break (`\n`,
///   `\v`, `\f`, `\r`) follows before the next token.
pub struct AsciiTokenEnds {
    len: usize,
    words: usize,
    masks: Vec<u64>,
}

impl AsciiTokenEnds {
    /// Classifies `text`, which must be ASCII (other bytes give wrong masks, never a panic).
    pub fn new(text: &[u8]) -> AsciiTokenEnds {
        // Note: one word more than the bytes need, so that the position just
        // past the end always has a bit (whitespace), which ends the last token.
        let n_words = text.len() / 64 + 1;
        let mut masks = vec![0u64; 4 * n_words];
        let (space, rest) = masks.split_at_mut(n_words);
        let (ends, rest) = rest.split_at_mut(n_words);
        let (candidates, before_break) = rest.split_at_mut(n_words);
        let mut last_end = None;
        let mut previous: Option<(u64, u64)> = None;
        for k in 0..n_words {
            let (s, a, mut l) = match text.get(64 * k..64 * k + 64) {
                Some(block) => classify(block),
                None => {
                    // Note: the tail is padded with spaces (whitespace, as
                    // past the end is).
                    let mut padded = [b' '; 64];
                    let tail = text.get(64 * k..).unwrap_or_default();
                    padded[..tail.len()].copy_from_slice(tail);
                    classify(&padded)
                }
            };
            space[k] = s;
            // Note: a token's end needs the next word's first bit, so each
            // word's ends are settled when the next word has been classified.
            if let Some((prev_s, prev_a)) = previous {
                let e = token_ends(prev_s, s);
                ends[k - 1] = e;
                candidates[k - 1] |= e & !prev_a;
                if e != 0 {
                    last_end = Some(64 * (k - 1) + 63 - e.leading_zeros() as usize);
                }
            }
            // Note: the token before a line break is a candidate, wherever in
            // the whitespace after it the break falls (possibly a word later).
            // Ends below a break in this word need no bit of the next word.
            let own_ends = token_ends(s, 0);
            while l != 0 {
                let bit = l.trailing_zeros();
                l &= l - 1;
                let below = own_ends & ((1u64 << bit) - 1);
                let end = if below != 0 {
                    Some(64 * k + 63 - below.leading_zeros() as usize)
                } else {
                    last_end
                };
                if let Some(end) = end {
                    before_break[end / 64] |= 1 << (end % 64);
                    candidates[end / 64] |= 1 << (end % 64);
                }
            }
            previous = Some((s, a));
        }
        if let Some((prev_s, prev_a)) = previous {
            // Note: past the end is whitespace.
            let e = token_ends(prev_s, 1);
            ends[n_words - 1] = e;
            candidates[n_words - 1] |= e & !prev_a;
        }
        AsciiTokenEnds {
            len: text.len(),
            words: n_words,
            masks,
        }
    }

    fn space(&self) -> &[u64] {
        self.masks.get(..self.words).unwrap_or_default()
    }

    fn ends(&self) -> &[u64] {
        self.masks
            .get(self.words..2 * self.words)
            .unwrap_or_default()
    }

    fn candidate_mask(&self) -> &[u64] {
        self.masks
            .get(2 * self.words..3 * self.words)
            .unwrap_or_default()
    }

    fn before_break_mask(&self) -> &[u64] {
        self.masks.get(3 * self.words..).unwrap_or_default()
    }

    /// Whether a line break follows the token whose last byte is `last`.
    pub fn before_break(&self, last: usize) -> bool {
        self.before_break_mask()
            .get(last / 64)
            .is_some_and(|w| w >> (last % 64) & 1 == 1)
    }

    /// The last byte of each candidate token, in order.
    pub fn candidates(&self) -> impl Iterator<Item = usize> + '_ {
        self.candidate_mask()
            .iter()
            .enumerate()
            .flat_map(|(k, &word)| {
                std::iter::successors(Some(word), |w| Some(w & w.wrapping_sub(1)))
                    .take_while(|&w| w != 0)
                    .map(move |w| 64 * k + w.trailing_zeros() as usize)
            })
    }

    /// Whether a plain token ends after `after` (or from the start, for
    /// `None`) and before `before`.
    pub fn plain_between(&self, after: Option<usize>, before: usize) -> bool {
        let (from, to) = (after.map_or(0, |a| a + 1), before);
        if from >= to {
            return false;
        }
        let (first, last) = (from / 64, (to - 1) / 64);
        (first..=last).any(|k| {
            let mut word = self.ends()[k] & !self.candidate_mask()[k];
            if k == first {
                word &= !0u64 << (from % 64);
            }
            if k == last {
                word &= !0u64 >> (63 - (to - 1) % 64);
            }
            word != 0
        })
    }

    /// The first byte of the token whose last byte is `last`.
    pub fn token_start(&self, last: usize) -> usize {
        let mut k = last / 64;
        let mut word = self.space()[k] & ((1u64 << (last % 64)) - 1);
        loop {
            if word != 0 {
                return 64 * k + 64 - word.leading_zeros() as usize;
            }
            if k == 0 {
                return 0;
            }
            k -= 1;
            word = self.space()[k];
        }
    }

    /// The token after the one whose last byte is `last`, as a byte range.
    pub fn next_token(&self, last: usize) -> Option<(usize, usize)> {
        let start = self.first_set(last + 1, |k| !self.space()[k])?;
        let end = self.first_set(start, |k| self.ends()[k])? + 1;
        (start < self.len).then_some((start, end))
    }

    /// The first position at or after `from` whose bit is set in `mask(word)`.
    fn first_set(&self, from: usize, mask: impl Fn(usize) -> u64) -> Option<usize> {
        let mut k = from / 64;
        let mut word = mask(k) & (!0u64 << (from % 64));
        loop {
            if word != 0 {
                return Some(64 * k + word.trailing_zeros() as usize);
            }
            k += 1;
            if k >= self.words {
                return None;
            }
            word = mask(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn is_space(b: u8) -> bool {
        matches!(b, b'\t'..=b'\r' | b' ')
    }

    /// Each token's byte range, and whether a line break follows it, byte by byte.
    fn scan(text: &[u8]) -> Vec<(usize, usize, bool)> {
        let mut tokens = Vec::new();
        let mut at = 0;
        while at < text.len() {
            if is_space(text[at]) {
                at += 1;
                continue;
            }
            let start = at;
            while at < text.len() && !is_space(text[at]) {
                at += 1;
            }
            let gap_end = (at..text.len())
                .find(|&i| !is_space(text[i]))
                .unwrap_or(text.len());
            let breaks = text[at..gap_end]
                .iter()
                .any(|&b| matches!(b, b'\n'..=b'\r'));
            tokens.push((start, at, breaks));
        }
        tokens
    }

    fn check(text: &str) -> Result<(), TestCaseError> {
        let bytes = text.as_bytes();
        let ends = AsciiTokenEnds::new(bytes);
        let tokens = scan(bytes);
        let plain = |&(_, end, breaks): &(usize, usize, bool)| {
            bytes[end - 1].is_ascii_alphanumeric() && !breaks
        };
        let expected: Vec<usize> = tokens
            .iter()
            .filter(|t| !plain(t))
            .map(|t| t.1 - 1)
            .collect();
        prop_assert_eq!(ends.candidates().collect::<Vec<_>>(), expected.clone());
        for (i, &(start, end, breaks)) in tokens.iter().enumerate() {
            prop_assert_eq!(ends.token_start(end - 1), start);
            prop_assert_eq!(ends.before_break(end - 1), breaks);
            let next = tokens.get(i + 1).map(|&(s, e, _)| (s, e));
            prop_assert_eq!(ends.next_token(end - 1), next);
        }
        let mut previous = None;
        for &last in &expected {
            let from = previous.map_or(0, |p: usize| p + 1);
            let between = tokens
                .iter()
                .any(|t| t.1 > from && t.1 - 1 < last && plain(t));
            prop_assert_eq!(ends.plain_between(previous, last), between);
            previous = Some(last);
        }
        Ok(())
    }

    #[test]
    fn an_example() {
        let text = "Hi, there.\nNew  line\r\n\r\n>end x";
        let ends = AsciiTokenEnds::new(text.as_bytes());
        // "Hi,", "there." (both punctuation), "line" (a break follows), ">end" is plain.
        assert_eq!(ends.candidates().collect::<Vec<_>>(), [2, 9, 19]);
        assert_eq!(ends.token_start(19), 16);
        assert_eq!(ends.next_token(19), Some((24, 28)));
        assert!(ends.plain_between(Some(9), 19));
        assert!(!ends.plain_between(Some(2), 9));
        check(text).unwrap();
    }

    proptest! {
        #[test]
        fn masks_match_a_byte_by_byte_scan(text in "[\\x00-\\x7f]{0,300}") {
            check(&text)?;
        }

        #[test]
        fn masks_match_on_spaced_words(text in "([a-z]{1,70}|[ .,\n\r\t]{1,3}){0,40}") {
            check(&text)?;
        }
    }
}
