//! The analyzer: text in, terms (word and character n-grams) out.
//!
//! Pipeline per text: NFKC + lowercase -> UAX #29 words -> drop stop words
//! (optional) -> stem (memoised) -> word n-grams; and, if enabled, character
//! n-grams of every word (unstemmed, stop words included).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

pub use super::memo::MEMO_LIMIT;
use super::memo::{Lookup, TermMemo};
use super::ngrams::{CharNgrams, StemSequence};
use super::recent_ids::{Cached, RecentIds};
use super::stem::{Language, Stemmer};
use super::stopwords::StopWords;
use super::tokenize;
use super::word_ids::{WordIds, UNKNOWN_WORD};
use crate::error::{Error, Result};

/// Put before every character n-gram, so the two feature families never
/// collide in one vocabulary (the word "ab" vs the characters "ab").
///
/// Note: U+0001 cannot come out of tokenisation (it is a control character,
/// never part of a word), so no word n-gram can start with it.
pub const CHAR_NGRAM_PREFIX: &str = "\u{1}";

/// The longest word n-gram a model may use (`--ngram-max`).
///
/// Note: a text of W words has fewer than `n * W` word n-grams of at most n
/// words each, so with n bounded the terms of a text, and the work of
/// hashing and looking them up, grow linearly with its length. Unbounded,
/// one article of W words gave about W^2 / 2 n-grams holding W^3 / 6 words.
pub const MAX_WORD_NGRAM: usize = 6;

/// The longest character n-gram a model may use (`--char-ngrams`' maximum).
///
/// Note: a word of L characters has at most `n * (L + 2)` character n-grams
/// of at most n characters each, so analysis stays linear in the word's
/// length. Unbounded (`--char-ngrams 1-100000` was accepted), a word of L
/// characters gave about L^2 / 2 n-grams holding L^3 / 6 characters, all
/// copied, hashed and looked up: one 20 KB word took minutes to score.
pub const MAX_CHAR_NGRAM: usize = 10;

/// Analyzer settings: plain data stored in the model file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AnalyzerConfig {
    /// Language of the stemmer and stop-word list; default English.
    pub language: Language,
    /// Whether words are stemmed (Snowball); default true.
    pub stem: bool,
    /// Whether the language's stop words are removed; default false.
    ///
    /// Languages without a list (see `stopwords::has_stop_words`) remove nothing.
    pub stop_words: bool,
    /// Word n-grams for n = 1..=`ngram_max`; default 2. 0 means no word terms;
    /// [`AnalyzerConfig::check`] accepts at most [`MAX_WORD_NGRAM`].
    pub ngram_max: usize,
    /// Character n-gram lengths (min, max) per word, like scikit-learn's
    /// `analyzer="char_wb"`; default `None` (off). Example: `Some((2, 5))`.
    /// [`AnalyzerConfig::check`] accepts 1 <= min <= max <= [`MAX_CHAR_NGRAM`].
    pub char_ngrams: Option<(usize, usize)>,
}

impl AnalyzerConfig {
    /// Validates the settings for training and for a loaded model.
    ///
    /// Word n-grams go up to [`MAX_WORD_NGRAM`]; character n-grams, when
    /// on, need 1 <= min <= max <= [`MAX_CHAR_NGRAM`]; and the settings must
    /// produce some terms (`ngram_max` 0 needs character n-grams). Within
    /// these bounds the terms of a text grow linearly with its length.
    pub fn check(&self) -> Result<()> {
        if self.ngram_max > MAX_WORD_NGRAM {
            return Err(Error::InvalidParam {
                name: "ngram_max",
                value: self.ngram_max.to_string(),
                reason: format!(
                    "word n-grams can be at most {MAX_WORD_NGRAM} words long \
                     (the cost of analysing a text grows with it)"
                ),
            });
        }
        match self.char_ngrams {
            Some((min, max)) if !(1 <= min && min <= max && max <= MAX_CHAR_NGRAM) => {
                Err(Error::InvalidParam {
                    name: "char_ngrams",
                    value: format!("{min}-{max}"),
                    reason: format!(
                        "needs 1 <= MIN <= MAX <= {MAX_CHAR_NGRAM} \
                         (the cost of analysing a word grows with MAX)"
                    ),
                })
            }
            None if self.ngram_max == 0 => Err(Error::InvalidParam {
                name: "ngram_max",
                value: "0".into(),
                reason: "without character n-grams the analyzer produces no terms".into(),
            }),
            _ => Ok(()),
        }
    }
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig {
            language: Language::English,
            stem: true,
            stop_words: false,
            ngram_max: 2,
            char_ngrams: None,
        }
    }
}

/// Turns text into terms; owns a memo of stems per distinct surface form. Clone it per thread.
///
/// All buffers live inside the analyzer and are reused from one text to the
/// next, so in steady state analysing a text allocates only when it meets a
/// surface form it has not seen before.
///
/// Terms come out two ways: as strings ([`Analyzer::for_each_term`], for
/// counting a corpus whose terms are not known yet), or, with a word-id
/// dictionary, as word ids plus character n-grams (`for_each_word_id`,
/// crate-internal, for looking terms up in a fitted
/// vocabulary without building n-gram strings).
#[derive(Clone)]
pub struct Analyzer {
    config: AnalyzerConfig,
    stemmer: Option<Stemmer>,
    stop_words: Option<StopWords>,
    /// Shared by clones; the memo caches each word's id in it.
    words: Arc<WordIds>,
    memo: TermMemo,
    /// Ids of the most frequent short forms, in front of the memo for word-id lookups.
    recent: RecentIds,
    normalized: String,
    stems: StemSequence,
    word_spans: Vec<(usize, usize)>,
    char_ngrams: CharNgrams,
}

impl Analyzer {
    /// An analyzer for `config`, with an empty stem memo and an empty word dictionary.
    pub fn new(config: &AnalyzerConfig) -> Analyzer {
        Analyzer::with_word_ids(config, Arc::new(WordIds::new()))
    }

    /// An analyzer that reports words as their ids in `words`.
    pub(crate) fn with_word_ids(config: &AnalyzerConfig, words: Arc<WordIds>) -> Analyzer {
        Analyzer {
            config: config.clone(),
            stemmer: config.stem.then(|| Stemmer::new(config.language)),
            stop_words: Some(StopWords::new(config.language))
                .filter(|set| config.stop_words && !set.is_empty()),
            words,
            memo: TermMemo::new(),
            recent: RecentIds::new(),
            normalized: String::new(),
            stems: StemSequence::new(),
            word_spans: Vec::new(),
            char_ngrams: CharNgrams::new(),
        }
    }

    /// The settings this analyzer was built from.
    pub fn config(&self) -> &AnalyzerConfig {
        &self.config
    }

    /// How many distinct surface forms the memo holds (at most [`MEMO_LIMIT`]).
    pub fn memo_len(&self) -> usize {
        self.memo.len()
    }

    /// The dictionary words are reported in by [`Analyzer::for_each_word_id`].
    pub(crate) fn word_ids(&self) -> &Arc<WordIds> {
        &self.words
    }

    /// Calls `emit` once per term occurrence in `text`, in a fixed order.
    ///
    /// First the word n-grams: n = 1..=`ngram_max` over the stems that remain
    /// after stop-word removal, joined by one space; all unigrams in text
    /// order, then all bigrams, and so on (scikit-learn's order). Then, if
    /// `char_ngrams` is set, the character n-grams of each word in text order
    /// (lowercased, unstemmed, stop words included), each prefixed by
    /// [`CHAR_NGRAM_PREFIX`]; a `char_ngrams` minimum of 0 counts as 1 and a
    /// minimum above the maximum gives no character n-grams.
    ///
    /// Note: scikit-learn's `char_wb` splits on whitespace, so its "words"
    /// keep punctuation ("said," gives " said,"); here the words are the
    /// same UAX #29 words as the word n-grams use ("said").
    pub fn for_each_term(&mut self, text: &str, mut emit: impl FnMut(&str)) {
        tokenize::normalize_into(text, &mut self.normalized);
        self.stems.clear();
        self.word_spans.clear();
        let keep_spans = self.config.char_ngrams.is_some();
        let use_memo = self.stemmer.is_some() || self.stop_words.is_some();
        let (stemmer, stop_words, words) = (self.stemmer.as_ref(), self.stop_words, &*self.words);
        for (offset, word) in tokenize::word_indices(&self.normalized) {
            if keep_spans {
                self.word_spans.push((offset, offset + word.len()));
            }
            if !use_memo {
                self.stems.push(word);
                continue;
            }
            let outcome = self
                .memo
                .get_or_insert_with(word, |word| resolve(word, stemmer, stop_words, words));
            if let Lookup::Term(term, _) = outcome {
                self.stems.push(term);
            }
        }
        self.stems.for_each_ngram(self.config.ngram_max, &mut emit);
        self.emit_char_ngrams(&mut emit);
    }

    /// The same analysis as [`Analyzer::for_each_term`], for a vocabulary lookup.
    ///
    /// Fills `ids` (cleared first) with one id per word that survives
    /// stop-word removal, in text order: the id of its term in this analyzer's
    /// [`WordIds`], or [`UNKNOWN_WORD`]. The word n-grams of the text are then
    /// exactly the windows of `ids` (a window with an unknown word is not in
    /// the vocabulary). Character n-grams, if configured, go to `emit_char`
    /// as in `for_each_term`. Nothing is emitted when `ngram_max` is 0.
    pub(crate) fn for_each_word_id(
        &mut self,
        text: &str,
        ids: &mut Vec<u32>,
        mut emit_char: impl FnMut(&str),
    ) {
        tokenize::normalize_into(text, &mut self.normalized);
        ids.clear();
        self.word_spans.clear();
        let keep_spans = self.config.char_ngrams.is_some();
        let keep_words = self.config.ngram_max > 0;
        let (stemmer, stop_words, words) = (self.stemmer.as_ref(), self.stop_words, &*self.words);
        for (offset, word) in tokenize::word_indices(&self.normalized) {
            if keep_spans {
                self.word_spans.push((offset, offset + word.len()));
            }
            if !keep_words {
                continue;
            }
            // Note: the memo is used even without stemming or stop words, as
            // the cache of each surface form's id; the recent ids in front of
            // it answer the frequent short forms from a few cache lines.
            let cached = match self.recent.get(word) {
                Some(cached) => cached,
                None => {
                    let outcome = self
                        .memo
                        .get_or_insert_with(word, |word| resolve(word, stemmer, stop_words, words));
                    let cached = match outcome {
                        Lookup::Stop => Cached::Stop,
                        Lookup::Term(_, id) => Cached::Id(id),
                    };
                    self.recent.insert(word, cached);
                    cached
                }
            };
            if let Cached::Id(id) = cached {
                ids.push(id);
            }
        }
        self.emit_char_ngrams(&mut emit_char);
    }

    /// Character n-grams of the words whose spans the last analysis kept.
    fn emit_char_ngrams(&mut self, emit: &mut impl FnMut(&str)) {
        if let Some(range) = self.config.char_ngrams {
            for &(start, end) in &self.word_spans {
                if let Some(word) = self.normalized.get(start..end) {
                    self.char_ngrams
                        .for_each_ngram(word, range, CHAR_NGRAM_PREFIX, emit);
                }
            }
        }
    }

    /// Calls `emit(term, surface)` once per word n-gram occurrence in `text`:
    /// the term exactly as [`Analyzer::for_each_term`] makes it, and the
    /// words it was made from as the text wrote them, joined by one space
    /// (stop words between them left out, as in the term).
    ///
    /// Note: ASCII text keeps its byte offsets through normalisation (only
    /// the case changes), so its words come out with their original case
    /// ("Israel"); other text gives its normalised (lowercase) words, as
    /// mapping NFKC offsets back would need a second segmentation.
    /// Character n-grams are not reported: they are not stemmed.
    pub fn for_each_word_ngram_surface(&mut self, text: &str, mut emit: impl FnMut(&str, &str)) {
        tokenize::normalize_into(text, &mut self.normalized);
        let same_offsets = text.is_ascii();
        let (stemmer, stop_words, words) = (self.stemmer.as_ref(), self.stop_words, &*self.words);
        let mut kept: Vec<(String, &str)> = Vec::new();
        for (offset, word) in tokenize::word_indices(&self.normalized) {
            let term = match self
                .memo
                .get_or_insert_with(word, |word| resolve(word, stemmer, stop_words, words))
            {
                Lookup::Stop => continue,
                Lookup::Term(term, _) => term.to_string(),
            };
            let surface = if same_offsets {
                text.get(offset..offset + word.len()).unwrap_or(word)
            } else {
                word
            };
            kept.push((term, surface));
        }
        let (mut term, mut surface) = (String::new(), String::new());
        for n in 1..=self.config.ngram_max.min(kept.len()) {
            for window in kept.windows(n) {
                term.clear();
                surface.clear();
                for (i, (t, w)) in window.iter().enumerate() {
                    if i > 0 {
                        term.push(' ');
                        surface.push(' ');
                    }
                    term.push_str(t);
                    surface.push_str(w);
                }
                emit(&term, &surface);
            }
        }
    }

    /// Convenience for tests: the terms as owned strings.
    pub fn terms(&mut self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_term(text, |term| out.push(term.to_string()));
        out
    }

    /// The normalised word tokens of `text` (NFKC, lowercase), before stop words and stemming.
    pub fn words(text: &str) -> Vec<String> {
        tokenize::words(text)
    }
}

impl fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Analyzer")
            .field("config", &self.config)
            .field("memo_len", &self.memo.len())
            .finish_non_exhaustive()
    }
}

/// What a surface form the memo has not seen becomes: `None` for a stop
/// word, else its term and the term's id in `words`.
fn resolve<'w>(
    word: &'w str,
    stemmer: Option<&Stemmer>,
    stop_words: Option<StopWords>,
    words: &WordIds,
) -> Option<(Cow<'w, str>, u32)> {
    if stop_words.is_some_and(|set| set.contains(word)) {
        return None;
    }
    let term = match stemmer {
        Some(stemmer) => stemmer.stem(word),
        None => Cow::Borrowed(word),
    };
    // Note: an empty dictionary (the analyzer of a corpus being counted)
    // costs nothing to ask.
    let id = if words.is_empty() {
        UNKNOWN_WORD
    } else {
        words.get(&term)
    };
    Some((term, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny inline corpus of wire-style statements reused across tests.
    pub(crate) const WIRE: &[&str] = &[
        "BAGHDAD (Reuters) - U.S. troops will withdraw from Iraq by the end of 2011, officials said.",
        "The senator said he opposes the new climate bill.",
        "Protesters gathered outside parliament on Thursday, 13, 2024.",
    ];

    fn config(edit: impl FnOnce(&mut AnalyzerConfig)) -> AnalyzerConfig {
        let mut config = AnalyzerConfig::default();
        edit(&mut config);
        config
    }

    #[test]
    fn defaults_are_english_stemmed_unigrams_and_bigrams() {
        let config = AnalyzerConfig::default();
        assert_eq!(config.language, Language::English);
        assert!(config.stem);
        assert!(!config.stop_words);
        assert_eq!(config.ngram_max, 2);
        assert_eq!(config.char_ngrams, None);
        assert_eq!(Analyzer::new(&config).config(), &config);
    }

    #[test]
    fn config_round_trips_through_json() {
        let config = config(|c| {
            c.language = Language::German;
            c.char_ngrams = Some((2, 5));
        });
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(
            json,
            r#"{"language":"german","stem":true,"stop_words":false,"ngram_max":2,"char_ngrams":[2,5]}"#
        );
        let back: AnalyzerConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, config);
    }

    #[test]
    fn unigrams_then_bigrams_of_stems() {
        let mut analyzer = Analyzer::new(&AnalyzerConfig::default());
        assert_eq!(
            analyzer.terms("Protesters were marching."),
            ["protest", "were", "march", "protest were", "were march"]
        );
    }

    #[test]
    fn stop_words_are_removed_before_ngrams() {
        let mut analyzer = Analyzer::new(&config(|c| c.stop_words = true));
        assert_eq!(
            analyzer.terms("The state of the art"),
            ["state", "art", "state art"]
        );
    }

    #[test]
    fn unstemmed_terms_are_the_lowercased_words() {
        let mut analyzer = Analyzer::new(&config(|c| {
            c.stem = false;
            c.ngram_max = 1;
        }));
        assert_eq!(
            analyzer.terms("Protesters MARCHED"),
            ["protesters", "marched"]
        );
    }

    #[test]
    fn char_ngrams_follow_word_ngrams_with_the_prefix() {
        let mut analyzer = Analyzer::new(&config(|c| {
            c.ngram_max = 1;
            c.stop_words = true;
            c.char_ngrams = Some((3, 3));
        }));
        let p = CHAR_NGRAM_PREFIX;
        assert_eq!(
            analyzer.terms("The cats"),
            [
                "cat".to_string(),
                format!("{p} th"),
                format!("{p}the"),
                format!("{p}he "),
                format!("{p} ca"),
                format!("{p}cat"),
                format!("{p}ats"),
                format!("{p}ts "),
            ]
        );
    }

    #[test]
    fn char_ngrams_alone_when_ngram_max_is_zero() {
        let mut analyzer = Analyzer::new(&config(|c| {
            c.ngram_max = 0;
            c.char_ngrams = Some((5, 5));
        }));
        let p = CHAR_NGRAM_PREFIX;
        assert_eq!(analyzer.terms("I"), [format!("{p} i ")]);
    }

    #[test]
    fn words_are_normalised_but_not_stemmed() {
        assert_eq!(Analyzer::words("Officials SAID"), ["officials", "said"]);
    }

    #[test]
    fn every_language_analyses_the_corpus() {
        for &language in Language::ALL {
            let mut analyzer = Analyzer::new(&config(|c| {
                c.language = language;
                c.stop_words = true;
                c.char_ngrams = Some((2, 4));
            }));
            for text in WIRE {
                assert!(!analyzer.terms(text).is_empty(), "{language}");
            }
        }
    }

    #[test]
    fn arabic_text_is_stemmed() {
        let mut analyzer = Analyzer::new(&config(|c| {
            c.language = Language::Arabic;
            c.ngram_max = 1;
        }));
        let terms = analyzer.terms("قال المتحدثون");
        assert_eq!(terms.len(), 2);
        assert_ne!(terms[1], "المتحدثون");
    }

    #[test]
    fn clones_give_the_same_terms() {
        let mut analyzer = Analyzer::new(&config(|c| c.char_ngrams = Some((2, 3))));
        let first: Vec<_> = WIRE.iter().map(|t| analyzer.terms(t)).collect();
        let mut clone = analyzer.clone();
        let second: Vec<_> = WIRE.iter().map(|t| clone.terms(t)).collect();
        assert_eq!(first, second);
    }

    #[test]
    fn memo_holds_each_surface_form_once() {
        let mut analyzer = Analyzer::new(&config(|c| c.stop_words = true));
        analyzer.terms("Nations of the nations, national nations");
        // "nations", "of", "the", "national".
        assert_eq!(analyzer.memo_len(), 4);
        assert_eq!(
            analyzer.terms("the Nations"),
            ["nation"],
            "memo hits give the same terms"
        );
        let debug = format!("{analyzer:?}");
        assert!(debug.contains("memo_len: 4"), "{debug}");
    }

    #[test]
    fn greek_input_that_panics_the_stemmer_is_kept_unstemmed() {
        let mut analyzer = Analyzer::new(&config(|c| c.language = Language::Greek));
        let terms = analyzer.terms("ΙΣΑΙΣΑ ισαισα");
        assert_eq!(terms.len(), 3);
        assert_eq!(terms[0], terms[1]);
    }

    #[test]
    fn extreme_ngram_settings_are_safe() {
        let mut analyzer = Analyzer::new(&config(|c| {
            c.ngram_max = usize::MAX;
            c.char_ngrams = Some((usize::MAX, usize::MAX));
        }));
        let terms = analyzer.terms("one two");
        // 2 unigrams, 1 bigram, and each padded word once.
        assert_eq!(terms.len(), 5);
        let mut analyzer = Analyzer::new(&config(|c| c.char_ngrams = Some((1, usize::MAX))));
        assert!(!analyzer.terms("word").is_empty());
    }

    #[test]
    fn check_bounds_the_ngram_ranges() {
        let largest = config(|c| {
            c.ngram_max = MAX_WORD_NGRAM;
            c.char_ngrams = Some((1, MAX_CHAR_NGRAM));
        });
        assert!(largest.check().is_ok());
        assert!(AnalyzerConfig::default().check().is_ok());
        assert!(config(|c| {
            c.ngram_max = 0;
            c.char_ngrams = Some((3, 3));
        })
        .check()
        .is_ok());
        for (bad, name) in [
            (config(|c| c.ngram_max = MAX_WORD_NGRAM + 1), "ngram_max"),
            (config(|c| c.ngram_max = 1_000_000_000), "ngram_max"),
            (config(|c| c.ngram_max = 0), "ngram_max"),
            (
                config(|c| c.char_ngrams = Some((1, 100_000))),
                "char_ngrams",
            ),
            (
                config(|c| c.char_ngrams = Some((1, MAX_CHAR_NGRAM + 1))),
                "char_ngrams",
            ),
            (config(|c| c.char_ngrams = Some((0, 3))), "char_ngrams"),
            (config(|c| c.char_ngrams = Some((4, 3))), "char_ngrams"),
        ] {
            match bad.check() {
                Err(Error::InvalidParam { name: n, .. }) => assert_eq!(n, name, "{bad:?}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }

    /// Term count and total term bytes of `text`.
    fn work(analyzer: &mut Analyzer, text: &str) -> (usize, usize) {
        let (mut terms, mut bytes) = (0, 0);
        analyzer.for_each_term(text, |t| {
            terms += 1;
            bytes += t.len();
        });
        (terms, bytes)
    }

    #[test]
    fn the_largest_accepted_settings_give_terms_linear_in_the_text() {
        // Note: the work of scoring a text (copying, hashing and looking up
        // each term) is proportional to its terms' bytes. With
        // `--char-ngrams 1-100000`, one word of 20,000 characters gave
        // 2e8 terms of 1.3e12 bytes; 40,000 characters four times the terms
        // and eight times the bytes.
        let mut analyzer = Analyzer::new(&config(|c| {
            c.ngram_max = MAX_WORD_NGRAM;
            c.char_ngrams = Some((1, MAX_CHAR_NGRAM));
        }));
        let longest = MAX_CHAR_NGRAM * (1 + CHAR_NGRAM_PREFIX.len());
        let word = |n: usize| "a".repeat(n);
        let words = |n: usize| vec!["troops"; n].join(" ");
        for (what, short, long) in [
            ("one long word", word(20_000), word(40_000)),
            (
                "one long non-ASCII word",
                "é".repeat(10_000),
                "é".repeat(20_000),
            ),
            ("many words", words(3_000), words(6_000)),
        ] {
            let (terms, bytes) = work(&mut analyzer, &short);
            let (terms2, bytes2) = work(&mut analyzer, &long);
            // Twice the text, at most twice the work (plus the ends' few terms).
            assert!(
                terms2 <= 2 * terms + 100,
                "{what}: {terms} then {terms2} terms"
            );
            assert!(
                bytes2 <= 2 * bytes + 1000,
                "{what}: {bytes} then {bytes2} bytes"
            );
            // And a fixed amount of work per byte of text, whatever its length.
            let per_byte = MAX_CHAR_NGRAM + MAX_WORD_NGRAM;
            assert!(
                terms2 <= per_byte * (long.len() + 2),
                "{what}: {terms2} terms"
            );
            assert!(
                bytes2 <= per_byte * longest * (long.len() + 2),
                "{what}: {bytes2} bytes"
            );
        }
    }

    #[test]
    fn analyzers_can_move_to_other_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Analyzer>();
        let mut analyzer = Analyzer::new(&AnalyzerConfig::default());
        let expected = analyzer.terms(WIRE[1]);
        let mut clone = analyzer.clone();
        let handle = std::thread::spawn(move || clone.terms(WIRE[1]));
        assert_eq!(handle.join().unwrap(), expected);
    }

    #[test]
    fn empty_text_gives_no_terms() {
        let mut analyzer = Analyzer::new(&config(|c| c.char_ngrams = Some((2, 5))));
        assert!(analyzer.terms("").is_empty());
        assert!(analyzer.terms(" -- \n ").is_empty());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_config() -> impl Strategy<Value = AnalyzerConfig> {
            (
                proptest::sample::select(Language::ALL),
                any::<bool>(),
                any::<bool>(),
                0usize..4,
                proptest::option::of((0usize..4, 0usize..6)),
            )
                .prop_map(|(language, stem, stop_words, ngram_max, char_ngrams)| {
                    AnalyzerConfig {
                        language,
                        stem,
                        stop_words,
                        ngram_max,
                        char_ngrams,
                    }
                })
        }

        proptest! {
            #[test]
            fn terms_are_deterministic_for_any_text(config in any_config(), text in "\\PC*") {
                let mut analyzer = Analyzer::new(&config);
                let first = analyzer.terms(&text);
                let second = analyzer.terms(&text);
                prop_assert_eq!(first, second);
            }

            #[test]
            fn every_language_survives_arbitrary_bytes(
                bytes in proptest::collection::vec(any::<u8>(), 0..200),
            ) {
                let text = String::from_utf8_lossy(&bytes);
                for &language in Language::ALL {
                    let mut analyzer = Analyzer::new(&AnalyzerConfig {
                        language,
                        char_ngrams: Some((2, 4)),
                        stop_words: true,
                        ..AnalyzerConfig::default()
                    });
                    let first = analyzer.terms(&text);
                    prop_assert_eq!(first, analyzer.terms(&text));
                }
            }

            #[test]
            fn every_language_survives_arbitrary_unicode(text in any::<String>()) {
                for &language in Language::ALL {
                    let mut analyzer = Analyzer::new(&AnalyzerConfig {
                        language,
                        ..AnalyzerConfig::default()
                    });
                    let first = analyzer.terms(&text);
                    prop_assert_eq!(first, analyzer.terms(&text));
                }
            }

            #[test]
            fn unigram_count_matches_kept_words(text in "[a-zA-Z .,']{0,80}") {
                let mut analyzer = Analyzer::new(&AnalyzerConfig {
                    ngram_max: 1,
                    ..AnalyzerConfig::default()
                });
                prop_assert_eq!(analyzer.terms(&text).len(), Analyzer::words(&text).len());
            }
        }
    }
}
