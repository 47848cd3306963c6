//! Surface forms: for each vocabulary term, the words people wrote most often for it.
//!
//! Note: recorded at training, once per term, and stored in the model file
//! (format version 2), rather than collected at score time: `stance inspect`
//! and `report --top-terms` have no text to collect them from, and one form
//! per term keeps `--explain`, the report and `inspect` showing the same word
//! for the same feature. Models from before (version 1) have none and show
//! their stems.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::vocab::{display_term, Vocabulary};
use crate::analysis::{Analyzer, AnalyzerConfig};

/// Texts analysed per parallel task.
const CHUNK: usize = 256;

/// The most frequent surface form of each vocabulary term, by term id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurfaceForms {
    /// Per term: its most frequent form, or empty when none was recorded or
    /// the form is the term itself.
    forms: Vec<String>,
}

impl SurfaceForms {
    /// No forms recorded (every term shows as itself).
    pub fn none() -> SurfaceForms {
        SurfaceForms::default()
    }

    /// Counts, over `texts` analysed with `config`, the words each word
    /// n-gram of `vocab` was made from, and keeps the most frequent (ties
    /// to the smallest string, so the result does not depend on the order
    /// or the thread count).
    pub fn collect<S: AsRef<str> + Sync>(
        texts: &[S],
        config: &AnalyzerConfig,
        vocab: &Vocabulary,
    ) -> SurfaceForms {
        let analyzer = Analyzer::new(config);
        let counts = texts
            .par_chunks(CHUNK)
            .map_init(
                || analyzer.clone(),
                |an, chunk| {
                    let mut counts: FxHashMap<(u32, String), u64> = FxHashMap::default();
                    for text in chunk {
                        an.for_each_word_ngram_surface(text.as_ref(), |term, surface| {
                            if let Some(id) = vocab.get(term) {
                                *counts.entry((id, surface.to_string())).or_default() += 1;
                            }
                        });
                    }
                    counts
                },
            )
            .reduce(FxHashMap::default, |mut a, b| {
                for (k, n) in b {
                    *a.entry(k).or_default() += n;
                }
                a
            });
        let mut best: Vec<Option<(u64, String)>> = vec![None; vocab.len()];
        for ((id, surface), n) in counts {
            let slot = &mut best[id as usize];
            let better = match slot {
                None => true,
                Some((m, s)) => n > *m || (n == *m && surface < *s),
            };
            if better {
                *slot = Some((n, surface));
            }
        }
        let terms = vocab.terms();
        SurfaceForms {
            forms: best
                .into_iter()
                .zip(terms)
                .map(|(b, term)| match b {
                    Some((_, s)) if s != *term => s,
                    _ => String::new(),
                })
                .collect(),
        }
    }

    /// Forms as stored: one per term, empty for "as the term".
    pub fn from_forms(forms: Vec<String>) -> SurfaceForms {
        SurfaceForms { forms }
    }

    /// The stored forms, one per term (empty when none were recorded).
    pub fn forms(&self) -> &[String] {
        &self.forms
    }

    /// Whether no form was recorded (a model from before surface forms).
    pub fn is_empty(&self) -> bool {
        self.forms.iter().all(String::is_empty)
    }

    /// Term `id` (whose stored string is `term`) as shown to people: its
    /// surface form when one was recorded, else [`display_term`].
    pub fn show(&self, id: usize, term: &str) -> String {
        match self.forms.get(id) {
            Some(form) if !form.is_empty() => form.clone(),
            _ => display_term(term),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{Vectorizer, VectorizerConfig};

    const TEXTS: &[&str] = &[
        "The coalition troops will withdraw, the Coalition said.",
        "The coalition's troops withdrew from Israel's border.",
        "Israel said the coalition troops would stay.",
    ];

    fn forms() -> (Vectorizer, SurfaceForms) {
        let config = VectorizerConfig::default();
        let (v, _) = Vectorizer::fit_transform(&config, TEXTS).unwrap();
        let f = SurfaceForms::collect(TEXTS, &config.analyzer, v.vocabulary());
        (v, f)
    }

    fn shown(v: &Vectorizer, f: &SurfaceForms, term: &str) -> String {
        let id = v
            .vocabulary()
            .get(term)
            .unwrap_or_else(|| panic!("{term:?} not in {:?}", v.vocabulary().terms()))
            as usize;
        f.show(id, term)
    }

    #[test]
    fn the_most_frequent_form_is_shown_with_its_case() {
        let (v, f) = forms();
        assert_eq!(shown(&v, &f, "coalit"), "coalition");
        assert_eq!(shown(&v, &f, "troop"), "troops");
        assert_eq!(shown(&v, &f, "israel"), "Israel");
        assert_eq!(shown(&v, &f, "coalit troop"), "coalition troops");
        // A term written only as itself stores nothing.
        let id = v.vocabulary().get("said").unwrap() as usize;
        assert_eq!(f.forms()[id], "");
        assert_eq!(f.show(id, "said"), "said");
    }

    #[test]
    fn the_result_does_not_depend_on_the_text_order() {
        let config = VectorizerConfig::default();
        let (v, _) = Vectorizer::fit_transform(&config, TEXTS).unwrap();
        let mut reversed = TEXTS.to_vec();
        reversed.reverse();
        let a = SurfaceForms::collect(TEXTS, &config.analyzer, v.vocabulary());
        let b = SurfaceForms::collect(&reversed, &config.analyzer, v.vocabulary());
        assert_eq!(a, b);
    }

    #[test]
    fn no_forms_show_the_terms() {
        let f = SurfaceForms::none();
        assert!(f.is_empty());
        assert_eq!(f.show(0, "coalit"), "coalit");
    }
}
