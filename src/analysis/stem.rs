//! Snowball stemming behind the crate's own [`Language`] enum.
//!
//! `rust_stemmers` never appears in the public API: a model file stores a
//! [`Language`], and [`Stemmer`] is the only place that calls the dependency.

use std::borrow::Cow;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use rust_stemmers::Algorithm;

/// Every Snowball language rust-stemmers supports.
///
/// Serialised as its lowercase English name (`"english"`), the same text as
/// [`Language::name`] and [`fmt::Display`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Arabic.
    Arabic,
    /// Danish.
    Danish,
    /// Dutch.
    Dutch,
    /// English (Porter2).
    English,
    /// Finnish.
    Finnish,
    /// French.
    French,
    /// German.
    German,
    /// Greek.
    Greek,
    /// Hungarian.
    Hungarian,
    /// Italian.
    Italian,
    /// Norwegian (Bokmål).
    Norwegian,
    /// Portuguese.
    Portuguese,
    /// Romanian.
    Romanian,
    /// Russian.
    Russian,
    /// Spanish.
    Spanish,
    /// Swedish.
    Swedish,
    /// Tamil.
    Tamil,
    /// Turkish.
    Turkish,
}

impl Language {
    /// All languages, in alphabetical order.
    pub const ALL: &'static [Language] = &[
        Language::Arabic,
        Language::Danish,
        Language::Dutch,
        Language::English,
        Language::Finnish,
        Language::French,
        Language::German,
        Language::Greek,
        Language::Hungarian,
        Language::Italian,
        Language::Norwegian,
        Language::Portuguese,
        Language::Romanian,
        Language::Russian,
        Language::Spanish,
        Language::Swedish,
        Language::Tamil,
        Language::Turkish,
    ];

    /// The lowercase English name, as accepted by `from_str` and stored in model files.
    pub fn name(self) -> &'static str {
        match self {
            Language::Arabic => "arabic",
            Language::Danish => "danish",
            Language::Dutch => "dutch",
            Language::English => "english",
            Language::Finnish => "finnish",
            Language::French => "french",
            Language::German => "german",
            Language::Greek => "greek",
            Language::Hungarian => "hungarian",
            Language::Italian => "italian",
            Language::Norwegian => "norwegian",
            Language::Portuguese => "portuguese",
            Language::Romanian => "romanian",
            Language::Russian => "russian",
            Language::Spanish => "spanish",
            Language::Swedish => "swedish",
            Language::Tamil => "tamil",
            Language::Turkish => "turkish",
        }
    }

    /// The ISO 639-1 two-letter code (`"en"`), also accepted by `from_str`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Arabic => "ar",
            Language::Danish => "da",
            Language::Dutch => "nl",
            Language::English => "en",
            Language::Finnish => "fi",
            Language::French => "fr",
            Language::German => "de",
            Language::Greek => "el",
            Language::Hungarian => "hu",
            Language::Italian => "it",
            Language::Norwegian => "no",
            Language::Portuguese => "pt",
            Language::Romanian => "ro",
            Language::Russian => "ru",
            Language::Spanish => "es",
            Language::Swedish => "sv",
            Language::Tamil => "ta",
            Language::Turkish => "tr",
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            Language::Arabic => Algorithm::Arabic,
            Language::Danish => Algorithm::Danish,
            Language::Dutch => Algorithm::Dutch,
            Language::English => Algorithm::English,
            Language::Finnish => Algorithm::Finnish,
            Language::French => Algorithm::French,
            Language::German => Algorithm::German,
            Language::Greek => Algorithm::Greek,
            Language::Hungarian => Algorithm::Hungarian,
            Language::Italian => Algorithm::Italian,
            Language::Norwegian => Algorithm::Norwegian,
            Language::Portuguese => Algorithm::Portuguese,
            Language::Romanian => Algorithm::Romanian,
            Language::Russian => Algorithm::Russian,
            Language::Spanish => Algorithm::Spanish,
            Language::Swedish => Algorithm::Swedish,
            Language::Tamil => Algorithm::Tamil,
            Language::Turkish => Algorithm::Turkish,
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Language {
    type Err = UnknownLanguage;

    /// Parses a name (`"English"`, `"english"`) or ISO 639-1 code (`"en"`), ignoring case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Language::ALL
            .iter()
            .copied()
            .find(|l| {
                wanted.eq_ignore_ascii_case(l.name()) || wanted.eq_ignore_ascii_case(l.code())
            })
            .ok_or_else(|| UnknownLanguage {
                name: s.to_string(),
            })
    }
}

/// A language name that is not one of [`Language::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown language {name:?}; expected one of: arabic, danish, dutch, english, finnish, \
     french, german, greek, hungarian, italian, norwegian, portuguese, romanian, russian, \
     spanish, swedish, tamil, turkish"
)]
pub struct UnknownLanguage {
    /// The text that was given.
    pub name: String,
}

/// A Snowball stemmer for one [`Language`].
///
/// Words are expected to be lowercased beforehand (Snowball's own contract).
/// Stemming costs far more than everything else the analyzer does, so
/// [`super::Analyzer`] memoises the results per surface form.
pub struct Stemmer {
    language: Language,
    stemmer: rust_stemmers::Stemmer,
}

impl Stemmer {
    /// A stemmer for `language`.
    pub fn new(language: Language) -> Stemmer {
        Stemmer {
            language,
            stemmer: rust_stemmers::Stemmer::create(language.algorithm()),
        }
    }

    /// The language this stemmer was built for.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The stem of the lowercased `word`; `word` itself if the Snowball code panics.
    pub fn stem<'a>(&self, word: &'a str) -> Cow<'a, str> {
        // Note: panics have been reported upstream for some Greek input; one
        // odd token must not take down a run over 100 MB of text. The default
        // panic hook still prints the message to stderr, which is the visible
        // trace. Under `panic = "abort"` this cannot help, so keep unwinding.
        guarded(word, |word| self.stemmer.stem(word))
    }
}

/// Runs `stem` on `word`, falling back to `word` if it panics or stems it to nothing.
// Note: rust-stemmers' Greek stemmer panics on some words ("ισαισα") and stems
// others to "" ("ετε", found by the analyzer fuzz target); an empty term would
// also make n-grams with an empty part.
fn guarded<'a>(word: &'a str, stem: impl FnOnce(&'a str) -> Cow<'a, str>) -> Cow<'a, str> {
    match catch_unwind(AssertUnwindSafe(|| stem(word))) {
        Ok(s) if !s.is_empty() || word.is_empty() => s,
        _ => Cow::Borrowed(word),
    }
}

impl Clone for Stemmer {
    fn clone(&self) -> Self {
        // Note: rust_stemmers::Stemmer is not Clone, but creating one is only
        // a match on the algorithm.
        Stemmer::new(self.language)
    }
}

impl fmt::Debug for Stemmer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stemmer")
            .field("language", &self.language)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str_and_display() {
        for &language in Language::ALL {
            assert_eq!(language.name().parse::<Language>(), Ok(language));
            assert_eq!(language.code().parse::<Language>(), Ok(language));
            assert_eq!(language.to_string(), language.name());
        }
        assert_eq!("ENGLISH".parse::<Language>(), Ok(Language::English));
        assert_eq!("German".parse::<Language>(), Ok(Language::German));
    }

    #[test]
    fn all_lists_each_language_once_in_order() {
        assert_eq!(Language::ALL.len(), 18);
        for pair in Language::ALL.windows(2) {
            assert!(pair[0].name() < pair[1].name());
        }
    }

    #[test]
    fn unknown_language_lists_the_choices() {
        let err = "klingon".parse::<Language>().unwrap_err();
        assert_eq!(err.name, "klingon");
        let message = err.to_string();
        assert!(message.starts_with("unknown language \"klingon\"; expected one of:"));
        for &language in Language::ALL {
            assert!(message.contains(language.name()), "{message}");
        }
    }

    #[test]
    fn serde_uses_lowercase_names() {
        for &language in Language::ALL {
            let json = serde_json::to_string(&language).unwrap();
            assert_eq!(json, format!("\"{}\"", language.name()));
            let back: Language = serde_json::from_str(&json).unwrap();
            assert_eq!(back, language);
        }
        assert!(serde_json::from_str::<Language>("\"English\"").is_err());
    }

    #[test]
    fn english_stems_match_porter2() {
        let stemmer = Stemmer::new(Language::English);
        assert_eq!(stemmer.stem("running"), "run");
        assert_eq!(stemmer.stem("generously"), "generous");
        assert_eq!(stemmer.stem("protesters"), "protest");
        assert_eq!(stemmer.stem("the"), "the");
    }

    #[test]
    fn other_scripts_stem() {
        let russian = Stemmer::new(Language::Russian);
        assert_eq!(russian.stem("новости"), "новост");
        let german = Stemmer::new(Language::German);
        assert_eq!(german.stem("häuser"), "haus");
        let arabic = Stemmer::new(Language::Arabic);
        assert!(!arabic.stem("والمدرسة").is_empty());
    }

    #[test]
    fn clones_stem_the_same_language() {
        let stemmer = Stemmer::new(Language::French);
        let clone = stemmer.clone();
        assert_eq!(clone.language(), Language::French);
        assert_eq!(clone.stem("nationales"), stemmer.stem("nationales"));
    }

    #[test]
    fn a_panicking_stemmer_keeps_the_word() {
        let stem = guarded("ισαισα", |_| panic!("snowball bug"));
        assert_eq!(stem, "ισαισα");
    }

    #[test]
    fn greek_input_known_to_panic_upstream_is_survived() {
        // snowballstem/snowball#204: "ισαισα" makes the Greek stemmer slice
        // out of bounds; rust-stemmers 1.2 still has the bug.
        let stemmer = Stemmer::new(Language::Greek);
        assert!(!stemmer.stem("ισαισα").is_empty());
        assert_eq!(stemmer.stem("αντιθετ"), stemmer.stem("αντιθετ"));
    }

    #[test]
    fn every_language_stems_odd_input_without_panicking() {
        for &language in Language::ALL {
            let stemmer = Stemmer::new(language);
            for word in ["", "a", "ΐΐΐ", "σσσσσσς", "123", "\u{301}", "ﷺ", "ஂஂ"] {
                let _ = stemmer.stem(word);
            }
        }
    }

    #[test]
    fn a_stem_is_never_empty() {
        // Found by fuzz/fuzz_targets/analyzer.rs (fuzz/regressions/analyzer/).
        let st = Stemmer::new(Language::Greek);
        assert_eq!(st.stem("ετε"), "ετε");
    }
}
