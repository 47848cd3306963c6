//! Sentence splitting tuned for news prose.
//!
//! The text is cut into runs of non-whitespace ("tokens"); a sentence can only
//! end in the whitespace between two tokens (or, for CJK full stops, right
//! after the stop). Whether it ends there is decided from the token before,
//! the whitespace itself and the token after:
//!
//! - a blank line (two or more line breaks) always ends a sentence;
//! - "?", "!", "؟", "۔", CJK stops and ellipses end one unless the next word
//!   starts lowercase (`"Why?" he asked.`);
//! - "." ends one unless the next word starts lowercase, or the word before is
//!   a known abbreviation ("Mr.", "Inc.", "Jan.", "U.S.", "etc.", initials
//!   like "W."), which ends a sentence only before a typical sentence opener
//!   such as "The" or "He" (titles like "Mr." never do);
//! - closing quotes and brackets after the stop stay with the sentence
//!   (`He said "we will stay." Then ...` ends after the quote);
//! - a single line break after a line with no terminal punctuation (a
//!   headline, a byline) ends a sentence too, unless the line clearly goes on:
//!   it ends in ",", ";", ":" or a dash (datelines such as
//!   "WASHINGTON (Reuters) -"), or the next line starts with a lowercase letter
//!   or a digit (hard-wrapped prose);
//! - outside blank lines, a sentence needs a letter or digit before it can
//!   end, and punctuation set off by a space after it (`stay. "`) stays with
//!   it, so no sentence is a stray "." or quote; a dash after a "." is a
//!   dateline ("BOUCHERVILLE, Que. - Gary Bettman ...") and does not split.
//!
//! Decimals ("3.5"), thousands ("1,000.5"), "U.S.-led" and e-mail addresses
//! never split, because a stop followed by a non-space character is not a
//! sentence end (except for CJK stops, which are written without spaces).

use super::token_ends::AsciiTokenEnds;
use crate::swar;

/// A sentence as a byte range of the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceSpan {
    /// Byte offset of the sentence's first character.
    pub start: usize,
    /// Byte offset just past the sentence's last character.
    pub end: usize,
}

impl SentenceSpan {
    /// The sentence's text within `text` (the string it was split from), or "" if out of range.
    pub fn slice(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// Splits news prose into sentences.
///
/// Spans are trimmed of whitespace, non-empty, in increasing order, do not
/// overlap, start and end on char boundaries, and together cover every
/// non-whitespace character of `text` exactly once. Empty or whitespace-only
/// text gives no span.
pub fn split_sentences(text: &str) -> Vec<SentenceSpan> {
    split(text, text.is_ascii())
}

/// [`split_sentences`], finding the tokens with bit masks when `ascii` (which
/// needs ASCII text) or one by one otherwise.
fn split(text: &str, ascii: bool) -> Vec<SentenceSpan> {
    let mut cutter = Cutter::new(text);
    if ascii {
        // Note: ASCII text (most news wire) finds its candidate tokens with
        // bit masks; a property test checks both ways give the same spans.
        let bytes = text.as_bytes();
        let ends = AsciiTokenEnds::new(bytes);
        let mut previous = None;
        for last in ends.candidates() {
            let decisive = ends.before_break(last)
                || bytes
                    .get(last)
                    .copied()
                    .is_some_and(is_ascii_stop_or_closer);
            if decisive {
                let plain_before = ends.plain_between(previous, last);
                let next = ends.next_token(last);
                cutter.visit(ends.token_start(last), last + 1, next, plain_before);
            } else {
                // Note: with no line break after it and neither a stop nor a
                // closer at its end, no sentence can end after this token
                // (`ends_sentence` gives false); it only counts as a word.
                cutter.pass(|| {
                    ends.plain_between(previous, last)
                        || has_alphanumeric(text.get(ends.token_start(last)..=last).unwrap_or(""))
                });
            }
            previous = Some(last);
        }
    } else {
        let tokens = tokens(text);
        let mut plain_before = false;
        for (index, token) in tokens.iter().enumerate() {
            if token.plain {
                plain_before = true;
                continue;
            }
            let next = tokens.get(index + 1).map(|next| (next.start, next.end));
            cutter.visit(token.start, token.end, next, plain_before);
            plain_before = false;
        }
    }
    cutter.into_spans()
}

/// The cuts between sentences, decided token by token.
struct Cutter<'t> {
    text: &'t str,
    cuts: Vec<usize>,
    /// Whether the sentence so far has a letter or digit.
    ///
    /// Note: a sentence of punctuation alone (a stray "." or ">") is not one;
    /// it runs on until a word arrives, except at a blank line.
    has_word: bool,
    /// Whether the next token opens a sentence.
    next_opens: bool,
}

impl<'t> Cutter<'t> {
    fn new(text: &'t str) -> Cutter<'t> {
        Cutter {
            text,
            // Note: sized for prose (a sentence every ~100 bytes, so this
            // rarely grows); growing from empty cost several reallocations per
            // article.
            cuts: Vec::with_capacity(text.len() / 64 + 1),
            has_word: false,
            next_opens: true,
        }
    }

    /// Decides the cuts in and after the token at `start..end`, which is not
    /// plain; `next` is the token after it, `plain_before` whether plain
    /// tokens came between it and the token visited before.
    ///
    /// Note: a plain token is a word inside a line. It has a letter or digit;
    /// with no line break after it and no terminal punctuation, closer or CJK
    /// stop, no rule below can cut after it (`ends_sentence` gives
    /// `Terminal::None` and 0 breaks), so plain tokens are never visited.
    fn visit(
        &mut self,
        start: usize,
        end: usize,
        next: Option<(usize, usize)>,
        plain_before: bool,
    ) {
        let text = self.text;
        let mut opens = self.next_opens && !plain_before;
        self.next_opens = false;
        if plain_before {
            self.has_word = true;
        }
        // Note: token bounds are char boundaries, so these slices always
        // succeed; `get` keeps even a logic slip from panicking.
        let token = text.get(start..end).unwrap_or_default();
        if !self.has_word {
            self.has_word = has_alphanumeric(token);
        }
        let before = self.cuts.len();
        cjk_cuts(token, |offset| self.cuts.push(start + offset));
        if let Some(&last) = self.cuts.get(before..).and_then(<[usize]>::last) {
            // Note: the token's tail opens a new sentence, so it is not the
            // lone first token of one any more.
            opens = false;
            let tail = text.get(last..end).unwrap_or_default();
            self.has_word = has_alphanumeric(tail);
        }
        let Some((next_start, next_end)) = next else {
            return;
        };
        let gap = text.get(end..next_start).unwrap_or_default();
        let next = text.get(next_start..next_end).unwrap_or_default();
        let breaks = line_breaks(gap);
        let cut = if breaks >= 2 {
            true
        } else {
            // Note: trailing punctuation set off by a space (`stay. "`,
            // `Kiss... ).`) belongs to the sentence it follows.
            self.has_word
                && ends_sentence(token, breaks, next, opens)
                && !next.chars().all(is_trailing)
        };
        if cut {
            self.cuts.push(end);
            self.next_opens = true;
            self.has_word = false;
        }
    }

    /// Passes a token that is not plain but after which no sentence can
    /// end: the same as [`Cutter::visit`] there, cheaper. `has_word` tells
    /// whether the token, or a plain token before it, has a letter or digit.
    fn pass(&mut self, has_word: impl FnOnce() -> bool) {
        self.next_opens = false;
        if !self.has_word {
            self.has_word = has_word();
        }
    }

    /// The sentences between the cuts, trimmed.
    fn into_spans(self) -> Vec<SentenceSpan> {
        let mut spans = Vec::with_capacity(self.cuts.len() + 1);
        let mut from = 0;
        for cut in self
            .cuts
            .into_iter()
            .chain(std::iter::once(self.text.len()))
        {
            if let Some(span) = trimmed(self.text, from, cut) {
                spans.push(span);
            }
            from = cut;
        }
        spans
    }
}

/// A maximal run of non-whitespace characters.
#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    /// ASCII, ending in a letter or digit, and followed by spaces or tabs
    /// only (or by the end of the text): no sentence can end after it.
    plain: bool,
}

/// The text's tokens, in order.
fn tokens(text: &str) -> Vec<Token> {
    // Note: a token and its space average about 6 bytes in English prose;
    // growing from empty cost about 10 reallocations per 20 Newsgroups
    // paragraph (callgrind).
    let mut out: Vec<Token> = Vec::with_capacity(text.len() / 5 + 1);
    let bytes = text.as_bytes();
    let mut at = 0;
    // Note: two tight loops over bytes (skip whitespace, then take the
    // token) rather than `char_indices` with a state per character; only a
    // non-ASCII byte needs its character decoded.
    loop {
        while at < bytes.len() {
            let Some(len) = whitespace_at(text, at) else {
                break;
            };
            if bytes[at] != b' ' && bytes[at] != b'\t' {
                if let Some(last) = out.last_mut() {
                    last.plain = false;
                }
            }
            at += len;
        }
        if at >= bytes.len() {
            return out;
        }
        let start = at;
        let mut ascii = true;
        while at < bytes.len() {
            // Note: 8 bytes per step while none is a control character, a
            // space or non-ASCII (most of a token; callgrind: -260 instructions
            // per 20 Newsgroups statement).
            if let Some(word) = swar::load(bytes, at) {
                let stop = swar::below(word, 0x21) | swar::non_ascii(word);
                if stop == 0 {
                    at += 8;
                    continue;
                }
                at += swar::first_lane(stop);
            }
            let b = bytes[at];
            if b < 0x80 {
                if is_ascii_space(b) {
                    break;
                }
                at += 1;
            } else if whitespace_at(text, at).is_some() {
                break;
            } else {
                ascii = false;
                at += utf8_len(b);
            }
        }
        let end = at.min(bytes.len());
        let plain = ascii && bytes[end - 1].is_ascii_alphanumeric();
        out.push(Token { start, end, plain });
    }
}

/// Whitespace as `char::is_whitespace` has it, for ASCII bytes.
#[inline]
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// The byte length of the whitespace character starting at `at`, if it is one.
#[inline]
fn whitespace_at(text: &str, at: usize) -> Option<usize> {
    let b = *text.as_bytes().get(at)?;
    if b < 0x80 {
        return is_ascii_space(b).then_some(1);
    }
    let c = text.get(at..)?.chars().next()?;
    c.is_whitespace().then(|| c.len_utf8())
}

/// The length of the UTF-8 sequence a leading byte starts (1 for a stray continuation byte).
#[inline]
fn utf8_len(b: u8) -> usize {
    match b {
        0xf0.. => 4,
        0xe0.. => 3,
        0xc0.. => 2,
        _ => 1,
    }
}

/// Whether `token` holds a letter or digit (any script).
fn has_alphanumeric(token: &str) -> bool {
    token.bytes().any(|b| b.is_ascii_alphanumeric())
        || (!token.is_ascii() && token.chars().any(char::is_alphanumeric))
}

/// `text[from..to]` without surrounding whitespace, if anything is left.
fn trimmed(text: &str, from: usize, to: usize) -> Option<SentenceSpan> {
    let piece = text.get(from..to)?;
    let start = from + (piece.len() - piece.trim_start().len());
    let end = from + piece.trim_end().len();
    (start < end).then_some(SentenceSpan { start, end })
}

/// Calls `cut` with the offset right after each CJK full stop (and any
/// closing quotes) that is followed by more of the same token.
fn cjk_cuts(token: &str, mut cut: impl FnMut(usize)) {
    if token.is_ascii() {
        return;
    }
    let mut chars = token.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if !is_cjk_stop(c) {
            continue;
        }
        while let Some(&(_, n)) = chars.peek() {
            if is_cjk_stop(n) || is_closer(n) || is_stop(n) {
                chars.next();
            } else {
                break;
            }
        }
        if let Some(&(offset, _)) = chars.peek() {
            cut(offset);
        }
    }
}

/// Whether a sentence ends between `token` and `next`, separated by
/// whitespace holding `breaks` line breaks (at most one).
fn ends_sentence(token: &str, breaks: usize, next: &str, token_opens_sentence: bool) -> bool {
    // Note: the common case, a token ending in ASCII other than a stop or a
    // closer (a word at the end of a line, "said,", "Subject:"): what
    // `terminal` would find is `Terminal::None`.
    if let Some(&last) = token.as_bytes().last() {
        if last.is_ascii() && !is_ascii_stop_or_closer(last) {
            return breaks == 1 && !line_continues(token, next);
        }
    }
    let core = token.trim_end_matches(is_closer);
    match terminal(core) {
        Terminal::Strong | Terminal::Ellipsis => !starts_lowercase(next),
        Terminal::Period(word) => period_ends_sentence(word, next, token_opens_sentence),
        Terminal::None => breaks == 1 && !line_continues(token, next),
    }
}

/// What a token (closers stripped) ends with.
enum Terminal<'a> {
    /// "?", "!", "؟", "۔", a CJK stop, or a mix with ".".
    Strong,
    /// "..", "...", "…".
    Ellipsis,
    /// One "."; holds the token before it, openers stripped.
    Period(&'a str),
    /// No terminal punctuation.
    None,
}

fn terminal(core: &str) -> Terminal<'_> {
    let body = core.trim_end_matches(is_stop);
    let run = core.get(body.len()..).unwrap_or_default();
    if run.is_empty() {
        Terminal::None
    } else if run == "." {
        Terminal::Period(body.trim_start_matches(is_opener))
    } else if run.chars().all(|c| c == '.' || c == '…') {
        Terminal::Ellipsis
    } else {
        Terminal::Strong
    }
}

/// The rule for a single "." after `word`.
fn period_ends_sentence(word: &str, next: &str, word_opens_sentence: bool) -> bool {
    // Note: a dash right after the stop is a dateline ("BOUCHERVILLE, Que. -").
    if starts_lowercase(next) || next.chars().all(|c| matches!(c, '-' | '–' | '—')) {
        return false;
    }
    // Note: "ex-Gov." and "Gov." are the same abbreviation.
    let last = word.rsplit(['-', '/']).next().unwrap_or(word);
    match abbreviation(last) {
        Abbreviation::Title | Abbreviation::NeverFinal => false,
        Abbreviation::Ambiguous => !next_is_number(next) && starts_with_sentence_opener(next),
        Abbreviation::No => {
            // Note: "1." or "A." alone at the start of a sentence is a list
            // marker, not a sentence.
            let list_marker = word.chars().all(|c| c.is_ascii_digit());
            !(word_opens_sentence && list_marker && !word.is_empty())
        }
    }
}

/// How a word before "." behaves.
enum Abbreviation {
    /// Precedes a name: "Mr.", "Gen.", "Sen.". Never ends a sentence.
    Title,
    /// Mid-sentence by nature: "e.g.", "i.e.", "cf.".
    NeverFinal,
    /// Often mid-sentence, sometimes final: "Inc.", "Jan.", "U.S.", "W.".
    Ambiguous,
    /// An ordinary word.
    No,
}

/// Titles before names; matched when capitalised ("Dr." but not "dr.").
const TITLES: &[&str] = &[
    "adm", "amb", "atty", "brig", "capt", "cmdr", "col", "cpl", "det", "dr", "gen", "gov", "hon",
    "insp", "lt", "maj", "messrs", "mlle", "mme", "mr", "mrs", "ms", "msgr", "pres", "prof", "pvt",
    "rep", "reps", "rev", "sen", "sens", "sgt", "supt",
];

/// Abbreviations that end a sentence only before a sentence opener;
/// matched when capitalised, as in news style ("Inc.", "Jan.", "Calif.").
const CAPITALISED: &[&str] = &[
    // Companies, names, places.
    "assn", "ave", "blvd", "bros", "co", "corp", "ft", "inc", "jr", "llc", "ltd", "mt", "no", "nos",
    "plc", "rd", "sr", "st",
    // Months and days (AP style abbreviates them before a date).
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon",
    "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    // U.S. states in AP style (datelines: "SPRINGFIELD, Ill. (Reuters) -").
    "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "kans",
    "ky", "la", "mass", "md", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore",
    "pa", "tenn", "tex", "va", "vt", "wash", "wis", "wyo", // Canadian provinces.
    "alta", "nfld", "ont", "que", "sask",
];

/// Lowercase abbreviations that end a sentence only before a sentence opener.
const LOWERCASE: &[&str] = &[
    "al", "approx", "dept", "ed", "eds", "est", "etc", "fig", "figs", "govt", "intl", "natl", "p",
    "pp", "univ", "v", "vol", "vols", "vs",
];

/// Abbreviations that never end a sentence, any case.
const NEVER_FINAL: &[&str] = &["cf", "e.g", "eg", "i.e", "ie", "viz"];

fn abbreviation(word: &str) -> Abbreviation {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return Abbreviation::No;
    };
    if word.len() > 8 || !word.is_ascii() {
        // Note: every listed abbreviation is short ASCII; single non-ASCII
        // letters are still initials ("Ö. Yılmaz").
        return if first.is_alphabetic() && chars.next().is_none() {
            Abbreviation::Ambiguous
        } else {
            Abbreviation::No
        };
    }
    let mut lower = [0u8; 8];
    let lower = &mut lower[..word.len()];
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    let lower = std::str::from_utf8(lower).unwrap_or("");
    let capitalised = first.is_ascii_uppercase();
    if NEVER_FINAL.contains(&lower) {
        Abbreviation::NeverFinal
    } else if capitalised && TITLES.contains(&lower) {
        Abbreviation::Title
    } else if (capitalised && CAPITALISED.contains(&lower))
        || LOWERCASE.contains(&word)
        || is_initial_or_acronym(word)
    {
        Abbreviation::Ambiguous
    } else {
        Abbreviation::No
    }
}

/// "W", "U.S", "D.C", "a.m", "Ph.D": letters in groups of one or two between dots.
fn is_initial_or_acronym(word: &str) -> bool {
    word.split('.')
        .all(|part| (1..=2).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphabetic()))
        && (word.len() == 1 || word.contains('.'))
}

/// Words that typically open a sentence and rarely follow an abbreviation
/// inside one (compared lowercased, after stripping quotes and brackets).
const OPENERS: &[&str] = &[
    "a",
    "according",
    "after",
    "all",
    "also",
    "although",
    "an",
    "and",
    "as",
    "at",
    "before",
    "both",
    "but",
    "by",
    "during",
    "earlier",
    "for",
    "from",
    "he",
    "her",
    "his",
    "however",
    "i",
    "if",
    "in",
    "it",
    "its",
    "last",
    "later",
    "many",
    "meanwhile",
    "more",
    "most",
    "my",
    "no",
    "now",
    "on",
    "one",
    "or",
    "our",
    "she",
    "since",
    "so",
    "some",
    "that",
    "the",
    "their",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "to",
    "under",
    "we",
    "what",
    "when",
    "where",
    "while",
    "who",
    "why",
    "with",
    "yet",
    "you",
];

fn starts_with_sentence_opener(next: &str) -> bool {
    let next = next.trim_start_matches(is_opener);
    let Some(first) = next.chars().next() else {
        return false;
    };
    if !first.is_uppercase() {
        return false;
    }
    let word_len = next
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(next.len());
    if word_len == 0 || word_len > 12 {
        return false;
    }
    let mut lower = [0u8; 12];
    let lower = &mut lower[..word_len];
    lower.copy_from_slice(&next.as_bytes()[..word_len]);
    lower.make_ascii_lowercase();
    std::str::from_utf8(lower).is_ok_and(|word| OPENERS.binary_search(&word).is_ok())
}

fn next_is_number(next: &str) -> bool {
    next.trim_start_matches(is_opener)
        .starts_with(|c: char| c.is_ascii_digit())
}

fn starts_lowercase(next: &str) -> bool {
    next.trim_start_matches(is_opener)
        .chars()
        .next()
        .is_some_and(char::is_lowercase)
}

/// Whether a line without terminal punctuation runs on into the next one.
fn line_continues(token: &str, next: &str) -> bool {
    let ends_open = token.ends_with([',', ';', ':', '-', '–', '—', '(', '&', '/']);
    let next_first = next.trim_start_matches(is_opener).chars().next();
    ends_open || next_first.is_some_and(|c| c.is_lowercase() || c.is_ascii_digit())
}

/// Line breaks in a whitespace gap; "\r\n" counts once, U+2029 counts as a paragraph.
fn line_breaks(gap: &str) -> usize {
    // Note: most gaps are one space or one line break.
    if let [b] = gap.as_bytes() {
        return usize::from(matches!(b, b'\n' | b'\r' | 0x0b | 0x0c));
    }
    let mut count = 0;
    let mut previous = ' ';
    for c in gap.chars() {
        count += match c {
            '\n' if previous == '\r' => 0,
            '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' => 1,
            '\u{2029}' => 2,
            _ => 0,
        };
        previous = c;
    }
    count
}

/// Sentence-final punctuation, Latin, Arabic and CJK.
fn is_stop(c: char) -> bool {
    matches!(
        c,
        '.' | '?' | '!' | '…' | '؟' | '۔' | '‼' | '⁇' | '⁈' | '⁉' | '。' | '｡' | '？' | '！'
    )
}

/// Punctuation that can trail a sentence after a space: stops, closers, ",;:".
fn is_trailing(c: char) -> bool {
    is_stop(c) || is_closer(c) || matches!(c, ',' | ';' | ':')
}

/// `is_stop` or `is_closer`, for an ASCII byte.
fn is_ascii_stop_or_closer(b: u8) -> bool {
    matches!(b, b'.' | b'?' | b'!' | b'"' | b'\'' | b')' | b']' | b'}')
}

/// Full stops of scripts written without spaces between sentences.
fn is_cjk_stop(c: char) -> bool {
    matches!(c, '。' | '｡' | '？' | '！')
}

/// Closing quotes and brackets that stay with the sentence they close.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '”'
            | '’'
            | '»'
            | '›'
            | ')'
            | ']'
            | '}'
            | '」'
            | '』'
            | '）'
            | '】'
            | '〕'
            | '〉'
            | '》'
    )
}

/// Opening quotes and brackets that may precede a sentence's first word.
fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '“'
            | '‘'
            | '«'
            | '‹'
            | '('
            | '['
            | '{'
            | '¿'
            | '¡'
            | '「'
            | '『'
            | '（'
            | '【'
            | '〔'
            | '〈'
            | '《'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_tokens_split_these_alike() {
        // Found by the property tests below while testing them: a token
        // without a word before a list marker, a title before a line break.
        for text in [
            "\0\t0.\tAa",
            "{ 0.\nMr",
            "Hi. , 1. Next",
            "Mr.\nSmith left. 2. Go",
        ] {
            assert_eq!(split(text, true), split(text, false), "{text:?}");
        }
    }

    #[test]
    fn ascii_stops_and_closers_are_exactly_the_ascii_ones() {
        // The premise of the shortcuts that skip `terminal` for other bytes.
        for b in 0u8..0x80 {
            let c = char::from(b);
            assert_eq!(
                is_ascii_stop_or_closer(b),
                is_stop(c) || is_closer(c),
                "{b:#04x}"
            );
        }
    }

    fn sentences(text: &str) -> Vec<&str> {
        split_sentences(text)
            .into_iter()
            .map(|span| span.slice(text))
            .collect()
    }

    #[test]
    fn empty_and_blank_text_give_nothing() {
        assert!(split_sentences("").is_empty());
        assert!(split_sentences(" \n\t\u{3000} ").is_empty());
    }

    #[test]
    fn plain_sentences_split_at_stops() {
        assert_eq!(
            sentences("Stocks fell sharply on Monday. Investors fled to bonds! Will the Fed act?"),
            [
                "Stocks fell sharply on Monday.",
                "Investors fled to bonds!",
                "Will the Fed act?"
            ]
        );
    }

    #[test]
    fn spans_are_trimmed_byte_ranges() {
        let text = "  First one.   Second one.  ";
        assert_eq!(
            split_sentences(text),
            [
                SentenceSpan { start: 2, end: 12 },
                SentenceSpan { start: 15, end: 26 }
            ]
        );
    }

    #[test]
    fn titles_never_end_a_sentence() {
        assert_eq!(
            sentences(
                "Mr. Smith met Dr. Jones and Prof. Lee. Gen. Petraeus, Lt. Col. Nagl and \
                 Sen. McCain spoke, as did Rep. Pelosi and Mrs. Clinton."
            ),
            [
                "Mr. Smith met Dr. Jones and Prof. Lee.",
                "Gen. Petraeus, Lt. Col. Nagl and Sen. McCain spoke, as did Rep. Pelosi and Mrs. Clinton."
            ]
        );
    }

    #[test]
    fn country_acronyms_stay_inside_sentences() {
        assert_eq!(
            sentences(
                "U.S. President Barack Obama met U.N. officials and U.K. and E.U. envoys on Friday. \
                 The talks ended late."
            ),
            [
                "U.S. President Barack Obama met U.N. officials and U.K. and E.U. envoys on Friday.",
                "The talks ended late."
            ]
        );
    }

    #[test]
    fn acronym_at_the_end_splits_before_a_sentence_opener() {
        assert_eq!(
            sentences("The delegation flew back to the U.S. The next round is in May."),
            [
                "The delegation flew back to the U.S.",
                "The next round is in May."
            ]
        );
    }

    #[test]
    fn company_suffixes() {
        assert_eq!(
            sentences(
                "Shares of Apple Inc. rose 2 percent. Exxon Mobil Corp. and Samsung Co. Ltd. said \
                 nothing. Analysts were upbeat about Acme Inc. It plans to expand."
            ),
            [
                "Shares of Apple Inc. rose 2 percent.",
                "Exxon Mobil Corp. and Samsung Co. Ltd. said nothing.",
                "Analysts were upbeat about Acme Inc.",
                "It plans to expand."
            ]
        );
    }

    #[test]
    fn initials_are_not_sentence_ends() {
        assert_eq!(
            sentences(
                "President George W. Bush spoke on Tuesday. Author J. K. Rowling was there too."
            ),
            [
                "President George W. Bush spoke on Tuesday.",
                "Author J. K. Rowling was there too."
            ]
        );
    }

    #[test]
    fn numbers_and_decimals_do_not_split() {
        assert_eq!(
            sentences(
                "Growth slowed to 3.5 percent from 4.1 percent. The deficit hit $1,000.5 billion, \
                 up 0.7 pct. Yields rose."
            ),
            [
                "Growth slowed to 3.5 percent from 4.1 percent.",
                "The deficit hit $1,000.5 billion, up 0.7 pct.",
                "Yields rose."
            ]
        );
    }

    #[test]
    fn dates_and_months() {
        assert_eq!(
            sentences(
                "The vote is set for Thursday, Jan. 13, 2024. It was delayed from Sept. 30 and \
                 again from Dec. 2. No. 10 Downing St. declined to comment."
            ),
            [
                "The vote is set for Thursday, Jan. 13, 2024.",
                "It was delayed from Sept. 30 and again from Dec. 2.",
                "No. 10 Downing St. declined to comment."
            ]
        );
        assert_eq!(
            sentences("Protesters gathered on Thursday, 13, 2024. Police watched."),
            [
                "Protesters gathered on Thursday, 13, 2024.",
                "Police watched."
            ]
        );
    }

    #[test]
    fn lowercase_abbreviations() {
        assert_eq!(
            sentences(
                "Imports of oil, gas, coal etc. fell. Texas vs. California is next, e.g. Houston \
                 vs. Los Angeles. Smith et al. disagree."
            ),
            [
                "Imports of oil, gas, coal etc. fell.",
                "Texas vs. California is next, e.g. Houston vs. Los Angeles.",
                "Smith et al. disagree."
            ]
        );
        assert_eq!(
            sentences("They sell tea, coffee, etc. The shop opens at 9 a.m. It closes at 5 p.m."),
            [
                "They sell tea, coffee, etc.",
                "The shop opens at 9 a.m.",
                "It closes at 5 p.m."
            ]
        );
    }

    #[test]
    fn quotes_and_brackets_close_with_the_sentence() {
        assert_eq!(
            sentences(
                "He said \"we will stay.\" Then he left. (The minister declined to comment.) \
                 Aides said \u{201c}nothing has changed.\u{201d} Talks resume Monday."
            ),
            [
                "He said \"we will stay.\"",
                "Then he left.",
                "(The minister declined to comment.)",
                "Aides said \u{201c}nothing has changed.\u{201d}",
                "Talks resume Monday."
            ]
        );
    }

    #[test]
    fn a_question_in_quotes_followed_by_lowercase_goes_on() {
        assert_eq!(
            sentences("\"Why now?\" he asked. \"Because we must!\" she replied."),
            [
                "\"Why now?\" he asked.",
                "\"Because we must!\" she replied."
            ]
        );
    }

    #[test]
    fn ellipses() {
        assert_eq!(
            sentences("We waited... and waited. Then nothing\u{2026} The end... Really?!"),
            [
                "We waited... and waited.",
                "Then nothing\u{2026}",
                "The end...",
                "Really?!"
            ]
        );
    }

    #[test]
    fn datelines_stay_with_the_first_sentence() {
        assert_eq!(
            sentences(
                "BAGHDAD (Reuters) - A car bomb killed 12 people on Sunday. Police said the toll \
                 could rise."
            ),
            [
                "BAGHDAD (Reuters) - A car bomb killed 12 people on Sunday.",
                "Police said the toll could rise."
            ]
        );
        assert_eq!(
            sentences("BAGHDAD, Jan 14 (Tigris Wire) - Parliament met on Monday. It adjourned."),
            [
                "BAGHDAD, Jan 14 (Tigris Wire) - Parliament met on Monday.",
                "It adjourned."
            ]
        );
        assert_eq!(
            sentences(
                "WASHINGTON, D.C. (AP) \u{2014} The Senate passed the bill. SPRINGFIELD, Ill. \
                 (Reuters) - The governor signed it."
            ),
            [
                "WASHINGTON, D.C. (AP) \u{2014} The Senate passed the bill.",
                "SPRINGFIELD, Ill. (Reuters) - The governor signed it."
            ]
        );
        assert_eq!(
            sentences("LONDON (Reuters) -\nBritain's economy grew 0.3 percent."),
            ["LONDON (Reuters) -\nBritain's economy grew 0.3 percent."]
        );
    }

    #[test]
    fn headlines_and_paragraphs_end_sentences() {
        let text = "Senate passes budget deal\nBy Jane Doe\n\nWASHINGTON (Reuters) - The Senate \
                    passed the deal on Friday\n\nThe House votes next week";
        assert_eq!(
            sentences(text),
            [
                "Senate passes budget deal",
                "By Jane Doe",
                "WASHINGTON (Reuters) - The Senate passed the deal on Friday",
                "The House votes next week"
            ]
        );
    }

    #[test]
    fn hard_wrapped_lines_run_on() {
        let text = "Darwin fish bumper stickers and assorted other atheist paraphernalia are\n\
                    available from the Freedom From Religion Foundation in the US.\n\
                    Write to the address below.";
        assert_eq!(
            sentences(text),
            [
                "Darwin fish bumper stickers and assorted other atheist paraphernalia are\n\
                 available from the Freedom From Religion Foundation in the US.",
                "Write to the address below."
            ]
        );
    }

    #[test]
    fn windows_line_endings_and_paragraph_separators() {
        assert_eq!(
            sentences("Markets rallied\r\nOil fell\r\n\r\nGold rose\u{2029}Silver too"),
            ["Markets rallied", "Oil fell", "Gold rose", "Silver too"]
        );
        // One "\r\n" after a full stop and an abbreviation is not a paragraph.
        assert_eq!(
            sentences("He met Mr.\r\nSmith today."),
            ["He met Mr.\r\nSmith today."]
        );
    }

    #[test]
    fn list_markers_do_not_stand_alone() {
        assert_eq!(
            sentences("1. Prices rose. 2. Wages fell."),
            ["1. Prices rose.", "2. Wages fell."]
        );
    }

    #[test]
    fn arabic_punctuation() {
        assert_eq!(
            sentences(
                "قال الوزير إن المحادثات ستستمر. وأضاف أن الوفد سيعود غدا؟ لم يرد أحد۔ انتهى"
            ),
            [
                "قال الوزير إن المحادثات ستستمر.",
                "وأضاف أن الوفد سيعود غدا؟",
                "لم يرد أحد۔",
                "انتهى"
            ]
        );
    }

    #[test]
    fn cjk_stops_split_without_spaces() {
        assert_eq!(
            sentences("会议今天结束。代表们「同意了。」明天再谈？好"),
            ["会议今天结束。", "代表们「同意了。」", "明天再谈？", "好"]
        );
    }

    #[test]
    fn urls_and_emails_do_not_split() {
        assert_eq!(
            sentences("Write to figmo@netcom.com or see www.example.com. Thanks."),
            [
                "Write to figmo@netcom.com or see www.example.com.",
                "Thanks."
            ]
        );
    }

    #[test]
    fn stray_punctuation_joins_a_sentence() {
        assert_eq!(
            sentences("Prices fell in the US. . Then they rose. ... It was over."),
            [
                "Prices fell in the US. .",
                "Then they rose. ...",
                "It was over."
            ]
        );
        assert_eq!(
            sentences("The Ae Fond Kiss... ). Shane Meadows won. \"\n\n. And that was it."),
            [
                "The Ae Fond Kiss... ).",
                "Shane Meadows won. \"",
                ". And that was it."
            ]
        );
        assert_eq!(sentences("> \n> \n> The quote."), ["> \n> \n> The quote."]);
    }

    #[test]
    fn a_blank_line_ends_even_a_sentence_without_words() {
        assert_eq!(
            sentences("* * *\n\nThe story resumed."),
            ["* * *", "The story resumed."]
        );
    }

    #[test]
    fn canadian_datelines() {
        assert_eq!(
            sentences(
                "BOUCHERVILLE, Que. - Gary Bettman denied it. TORONTO, Ont. (CP) - So did he."
            ),
            [
                "BOUCHERVILLE, Que. - Gary Bettman denied it.",
                "TORONTO, Ont. (CP) - So did he."
            ]
        );
    }

    #[test]
    fn slice_is_safe_out_of_range() {
        let span = SentenceSpan { start: 3, end: 99 };
        assert_eq!(span.slice("short"), "");
    }

    /// Checks the span invariants promised by `split_sentences`.
    fn check_spans(text: &str) -> Result<(), String> {
        let spans = split_sentences(text);
        let mut covered_to = 0;
        for span in &spans {
            if span.start < covered_to || span.start >= span.end || span.end > text.len() {
                return Err(format!("bad order or range: {spans:?}"));
            }
            if !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
                return Err(format!("not on char boundaries: {span:?}"));
            }
            let gap = &text[covered_to..span.start];
            if !gap.chars().all(char::is_whitespace) {
                return Err(format!("uncovered text {gap:?}"));
            }
            let body = span.slice(text);
            if body.trim() != body {
                return Err(format!("untrimmed span {body:?}"));
            }
            covered_to = span.end;
        }
        if !text[covered_to..].chars().all(char::is_whitespace) {
            return Err(format!("uncovered tail {:?}", &text[covered_to..]));
        }
        Ok(())
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn spans_cover_any_unicode(text in any::<String>()) {
                prop_assert_eq!(check_spans(&text), Ok(()));
            }

            #[test]
            fn spans_cover_lossy_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
                let text = String::from_utf8_lossy(&bytes);
                prop_assert_eq!(check_spans(&text), Ok(()));
            }

            #[test]
            fn masks_and_tokens_split_ascii_alike(
                text in "([A-Za-z]{1,6}|[0-9]{1,3}\\.?|[A-Z]\\.|[.?!\"'()\\[\\]{},;:>*|-]{1,2}|\n|\r|\r\n|\x0b| {1,3}|\t|Mr\\.|Inc\\.|U\\.S\\.|e\\.g\\.|The|he){0,60}",
            ) {
                prop_assert_eq!(split(&text, true), split(&text, false));
            }

            #[test]
            fn masks_and_tokens_split_any_ascii_alike(text in "[\\x00-\\x7f]{0,200}") {
                prop_assert_eq!(split(&text, true), split(&text, false));
            }

            #[test]
            fn spans_cover_prose_like_text(
                text in "([A-Za-z]{1,6}|[.?!…؟۔。\"'()”“ ,\\-]|\n|\r\n| {1,3}|[0-9]){0,60}",
            ) {
                prop_assert_eq!(check_spans(&text), Ok(()));
            }
        }
    }
}
