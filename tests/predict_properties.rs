//! Property tests on the shipped model: any text scores without panicking,
//! every probability is a distribution, and scoring twice gives the same answer.

use std::path::Path;

use proptest::prelude::*;
use stance::analysis::split_sentences;
use stance::features::FeatureRow;
use stance::model::StanceModel;

fn model() -> &'static StanceModel {
    static MODEL: std::sync::OnceLock<StanceModel> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| {
        StanceModel::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default.model"))
            .expect("the shipped model loads")
    })
}

/// One sentence's topic index, topic probabilities and stance (label, probability).
type Scored = (usize, Vec<f64>, Option<(String, f64)>);

/// Scores every sentence of `text` and returns the predictions' labels and probabilities.
fn score(text: &str) -> Vec<Scored> {
    let m = model();
    let mut analyzer = m.vectorizer.analyzer();
    let mut row = FeatureRow::default();
    split_sentences(text)
        .iter()
        .map(|s| {
            let p = m.predict_text(&mut analyzer, &text[s.start..s.end], &mut row);
            (p.topic, p.topic_probs, p.stance.map(|s| (s.label, s.prob)))
        })
        .collect()
}

fn check(text: &str) -> Result<(), TestCaseError> {
    let first = score(text);
    for (topic, probs, stance) in &first {
        prop_assert!(*topic < probs.len());
        let sum: f64 = probs.iter().sum();
        prop_assert!(
            (sum - 1.0).abs() < 1e-9,
            "topic probabilities sum to {}",
            sum
        );
        prop_assert!(probs
            .iter()
            .all(|p| p.is_finite() && (0.0..=1.0).contains(p)));
        if let Some((_, p)) = stance {
            prop_assert!(p.is_finite() && (0.0..=1.0).contains(p));
        }
    }
    prop_assert_eq!(first, score(text));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_unicode_scores_deterministically(text in "\\PC{0,400}") {
        check(&text)?;
    }

    #[test]
    fn arbitrary_bytes_score_deterministically(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn news_like_text_scores_deterministically(
        words in proptest::collection::vec(
            prop_oneof![
                Just("Gaza"), Just("coalition"), Just("Tehran"), Just("U.S."), Just("Mr."),
                Just("said"), Just("\"withdrawal\""), Just("3.5"), Just("(Reuters)"), Just("-"),
                Just("البرلمان"), Just("\n\n"), Just("."), Just("?"), Just("troops"),
            ],
            0..80,
        )
    ) {
        check(&words.join(" "))?;
    }
}
