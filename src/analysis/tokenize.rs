//! Normalisation (NFKC, lowercase) and word segmentation (UAX #29).
//!
//! Words are Unicode word-boundary segments that contain at least one letter
//! or digit (`unicode-segmentation`'s `unicode_words`), so "U.S." gives
//! "u.s", "can't" stays one word, "1,000.5" stays one number, and Arabic,
//! Cyrillic or Greek script is split the same way as Latin.
//!
//! Note: this is not scikit-learn's default `token_pattern` (`\b\w\w+\b`),
//! which drops one-character words and splits "can't" and "3.5"; UAX #29 is
//! the better-defined choice across scripts.

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::{UnicodeSegmentation, UnicodeWordIndices};

/// Writes the NFKC-normalised, lowercased `text` into `out` (cleared first).
///
/// ASCII text skips NFKC (it is already normal) and uses ASCII lowercasing.
/// `out` keeps its capacity, so a reused buffer stops allocating once it has
/// grown to the longest text seen.
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
        return;
    }
    let mut chars = text.nfkc().peekable();
    while let Some(c) = chars.next() {
        if c == 'Σ' {
            // Note: `char::to_lowercase` always gives 'σ'; `str::to_lowercase`
            // gives the final form 'ς' at the end of a word, which is what the
            // Greek Snowball stemmer's suffixes are written with. Approximate
            // its rule: a letter before, and none after.
            let after_letter = out.chars().next_back().is_some_and(char::is_alphabetic);
            let before_letter = chars.peek().is_some_and(|n| n.is_alphabetic());
            out.push(if after_letter && !before_letter {
                'ς'
            } else {
                'σ'
            });
        } else if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// The NFKC-normalised, lowercased `text` (allocating convenience over [`normalize_into`]).
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// The words of already-normalised text with their byte offsets, in order.
///
/// Exactly `unicode-segmentation`'s `unicode_word_indices`; ASCII text takes
/// a hand-written path that applies the same rules about a third faster.
pub fn word_indices(normalized: &str) -> WordIndices<'_> {
    if normalized.is_ascii() {
        WordIndices::Ascii(AsciiWords {
            text: normalized,
            at: 0,
        })
    } else {
        WordIndices::Unicode(normalized.unicode_word_indices())
    }
}

/// Iterator over `(byte offset, word)`, returned by [`word_indices`].
#[derive(Debug)]
pub enum WordIndices<'a> {
    /// The fast path for ASCII text.
    Ascii(AsciiWords<'a>),
    /// The general UAX #29 segmenter.
    Unicode(UnicodeWordIndices<'a>),
}

impl<'a> Iterator for WordIndices<'a> {
    type Item = (usize, &'a str);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            WordIndices::Ascii(words) => words.next(),
            WordIndices::Unicode(words) => words.next(),
        }
    }
}

/// UAX #29 words of ASCII text.
///
/// For ASCII the word-break rules reduce to: letters, digits and "_" join
/// (WB5, WB8-WB10, WB13a-b); a letter, then "." "'" or ":", then a letter
/// join (WB6-7); a digit, then "." "'" "," or ";", then a digit join
/// (WB11-12); everything else breaks. Segments without a letter or digit
/// (runs of "_") are not words. A property test checks this against
/// `unicode-segmentation` on arbitrary ASCII.
#[derive(Debug, Clone)]
pub struct AsciiWords<'a> {
    text: &'a str,
    at: usize,
}

/// Word-break classes of ASCII bytes that matter for words.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Other,
    Letter,
    Digit,
    Underscore,
}

/// The class of every byte value (non-ASCII bytes never reach it).
static CLASS: [Class; 256] = {
    let mut table = [Class::Other; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = match byte as u8 {
            b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
            b'0'..=b'9' => Class::Digit,
            b'_' => Class::Underscore,
            _ => Class::Other,
        };
        byte += 1;
    }
    table
};

#[inline]
fn class(byte: u8) -> Class {
    CLASS[usize::from(byte)]
}

impl<'a> Iterator for AsciiWords<'a> {
    type Item = (usize, &'a str);

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        loop {
            let skipped = bytes
                .get(self.at..)?
                .iter()
                .position(|&b| class(b) != Class::Other)?;
            let start = self.at + skipped;
            let mut end = start + 1;
            loop {
                while end < bytes.len() && class(bytes[end]) != Class::Other {
                    end += 1;
                }
                // A middle character joins only between two letters or two digits.
                let Some(&middle) = bytes.get(end) else {
                    break;
                };
                let before = class(bytes[end - 1]);
                let after = bytes.get(end + 1).map_or(Class::Other, |&b| class(b));
                let joins = match middle {
                    b'.' | b'\'' => before == after && before != Class::Underscore,
                    b':' => before == Class::Letter && after == Class::Letter,
                    b',' | b';' => before == Class::Digit && after == Class::Digit,
                    _ => false,
                };
                if !joins {
                    break;
                }
                end += 2;
            }
            self.at = end;
            let word = &bytes[start..end];
            // Note: only a segment made of "_" alone has no letter or digit.
            if word[0] != b'_' || word.iter().any(|&b| b != b'_') {
                return self.text.get(start..end).map(|word| (start, word));
            }
        }
    }
}

/// The normalised words of `text` as owned strings.
pub fn words(text: &str) -> Vec<String> {
    let normalized = normalize(text);
    word_indices(&normalized)
        .map(|(_, word)| word.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_lowercased_and_split_on_word_boundaries() {
        assert_eq!(
            words("The U.S. said on Thursday it can't back a 3.5% rise, to 1,000.5 units."),
            [
                "the", "u.s", "said", "on", "thursday", "it", "can't", "back", "a", "3.5", "rise",
                "to", "1,000.5", "units"
            ]
        );
    }

    #[test]
    fn punctuation_and_whitespace_only_give_no_words() {
        assert!(words("").is_empty());
        assert!(words("  \n\t -- ... !?").is_empty());
    }

    #[test]
    fn nfkc_folds_compatibility_forms() {
        // Fullwidth letters, the "fi" ligature and a superscript two.
        assert_eq!(
            words("ＲＥＵＴＥＲＳ ﬁnance x²"),
            ["reuters", "finance", "x2"]
        );
        // A decomposed "é" composes to the same word as the precomposed one.
        assert_eq!(words("Caf\u{0065}\u{0301}"), words("Caf\u{00e9}"));
    }

    #[test]
    fn other_scripts_are_segmented() {
        assert_eq!(
            words("قال المتحدث باسم الحكومة، إن الوزير"),
            ["قال", "المتحدث", "باسم", "الحكومة", "إن", "الوزير"]
        );
        assert_eq!(words("Москва ЗАЯВИЛА"), ["москва", "заявила"]);
    }

    #[test]
    fn greek_final_sigma_is_kept() {
        assert_eq!(words("ΟΔΥΣΣΕΥΣ ΣΟΦΟΣ"), ["οδυσσευς", "σοφος"]);
        assert_eq!(words("ΟΔΥΣΣΕΥΣ ΣΟΦΟΣ")[0], "ΟΔΥΣΣΕΥΣ".to_lowercase());
    }

    #[test]
    fn word_indices_point_into_the_normalised_text() {
        let text = normalize("Hello, World");
        let found: Vec<_> = word_indices(&text).collect();
        assert_eq!(found, [(0, "hello"), (7, "world")]);
    }

    #[test]
    fn ascii_path_follows_the_word_break_rules() {
        let cases: &[(&str, &[&str])] = &[
            ("a.b.c", &["a.b.c"]),
            ("3,000.50;1 x", &["3,000.50;1", "x"]),
            ("a:b 1:2 a;b 1;2", &["a:b", "1", "2", "a", "b", "1;2"]),
            ("u.s.-led", &["u.s", "led"]),
            ("it's '90s o'", &["it's", "90s", "o"]),
            ("1.a a.1 a1b2_c3", &["1", "a", "a", "1", "a1b2_c3"]),
            ("__ _a_ __1", &["_a_", "__1"]),
            ("e-mail: me@x.org.", &["e", "mail", "me", "x.org"]),
            ("end.", &["end"]),
        ];
        for (text, expected) in cases {
            let found: Vec<_> = word_indices(text).map(|(_, w)| w).collect();
            assert_eq!(&found, expected, "{text:?}");
            let reference: Vec<_> = text.unicode_words().collect();
            assert_eq!(&reference, expected, "{text:?} (unicode-segmentation)");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn ascii_path_matches_unicode_segmentation(
                text in "[a-zA-Z0-9_.',:; \n\r\t@$-]{0,40}",
            ) {
                let fast: Vec<_> = word_indices(&text).collect();
                let reference: Vec<_> = text.unicode_word_indices().collect();
                prop_assert_eq!(fast, reference);
            }

            #[test]
            fn ascii_path_matches_on_any_ascii(text in "[\\x00-\\x7f]{0,60}") {
                let fast: Vec<_> = word_indices(&text).collect();
                let reference: Vec<_> = text.unicode_word_indices().collect();
                prop_assert_eq!(fast, reference);
            }
        }
    }

    #[test]
    fn normalize_into_reuses_the_buffer() {
        let mut buffer = String::from("stale contents");
        normalize_into("ÀB", &mut buffer);
        assert_eq!(buffer, "àb");
        normalize_into("CD", &mut buffer);
        assert_eq!(buffer, "cd");
    }
}
