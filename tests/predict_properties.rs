//! Property tests on the shipped model: any text scores without panicking,
//! every probability is a distribution, and scoring twice gives the same answer.

use std::path::Path;

use proptest::prelude::*;
use stance::io::Statement;
use stance::model::StanceModel;
use stance::pipeline::{ScoreOptions, Scorer};

fn scorer() -> &'static Scorer {
    static SCORER: std::sync::OnceLock<Scorer> = std::sync::OnceLock::new();
    SCORER.get_or_init(|| {
        let model =
            StanceModel::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default.model"))
                .expect("the shipped model loads");
        Scorer::new(model, ScoreOptions::default().explain(3).check().unwrap()).unwrap()
    })
}

/// Scores every sentence of `text`, as `stance score` does.
fn score(text: &str) -> Vec<Statement> {
    scorer().score_text(text)
}

fn check(text: &str) -> Result<(), TestCaseError> {
    let first = score(text);
    for s in &first {
        let probs: Vec<f64> = s.topic_probs.iter().map(|(_, p)| *p).collect();
        prop_assert!(s.topic_probs.iter().any(|(t, _)| *t == s.best_topic));
        prop_assert!(text.get(s.start..s.end) == Some(s.text.as_str()));
        let sum: f64 = probs.iter().sum();
        prop_assert!(
            (sum - 1.0).abs() < 1e-9,
            "topic probabilities sum to {}",
            sum
        );
        prop_assert!(probs
            .iter()
            .all(|p| p.is_finite() && (0.0..=1.0).contains(p)));
        let stance_sum: f64 = s.stance_probs.iter().map(|(_, p)| p).sum();
        prop_assert!(
            (stance_sum - 1.0).abs() < 1e-9,
            "stance probabilities sum to {}",
            stance_sum
        );
        let p = s.stance_prob.unwrap_or(f64::NAN);
        prop_assert!(p.is_finite() && (0.0..=1.0).contains(&p));
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
