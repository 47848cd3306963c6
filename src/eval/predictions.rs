//! Every evaluated row with its gold labels and the model's predictions, as CSV.
//!
//! Columns (a contract, like `evaluate --json`):
//!
//! ```text
//! line,text,gold_topic,topic,topic_prob,gold_topic_prob,topic_correct
//!   [,gold_stance,stance,stance_prob,stance_correct,stance_given_topic,stance_given_topic_prob]
//! ```
//!
//! `line` is the row's 1-based line in the labelled file; `topic_prob` is the
//! predicted topic's probability and `gold_topic_prob` the probability the
//! model gave the gold topic (empty when the model has no such topic);
//! `*_correct` are `1` or `0`. The stance columns are written when the data
//! has stances and the model has stance heads. Probabilities have
//! [`DECIMALS`](crate::io::DECIMALS) decimals, as in `stance score`.

use std::io::Write;

use super::evaluate::RowPrediction;
use crate::io::{rounded, LabelledData};

/// The header of a predictions file, with or without its stance columns.
pub fn prediction_columns(with_stance: bool) -> Vec<&'static str> {
    let mut h = vec![
        "line",
        "text",
        "gold_topic",
        "topic",
        "topic_prob",
        "gold_topic_prob",
        "topic_correct",
    ];
    if with_stance {
        h.extend([
            "gold_stance",
            "stance",
            "stance_prob",
            "stance_correct",
            "stance_given_topic",
            "stance_given_topic_prob",
        ]);
    }
    h
}

fn num(x: f64) -> String {
    rounded(x).to_string()
}

fn flag(b: bool) -> &'static str {
    if b {
        "1"
    } else {
        "0"
    }
}

/// Writes one CSV row per prediction; `topics` are the model's topic labels,
/// in the order of [`RowPrediction::topic_probs`].
///
/// Stance columns are written when `data` has stances and `with_stance`.
pub fn write_predictions(
    w: impl Write,
    data: &LabelledData,
    preds: &[RowPrediction],
    topics: &[String],
    with_stance: bool,
) -> csv::Result<()> {
    let gold_stances = data.stances.as_deref().filter(|_| with_stance);
    let mut out = csv::Writer::from_writer(w);
    out.write_record(prediction_columns(gold_stances.is_some()))?;
    for (i, p) in preds.iter().enumerate() {
        let gold_topic = &data.topics[i];
        let gold_prob = topics
            .iter()
            .position(|t| t == gold_topic)
            .and_then(|k| p.topic_probs.get(k))
            .map(|x| num(*x))
            .unwrap_or_default();
        let mut row = vec![
            data.lines.get(i).map(u64::to_string).unwrap_or_default(),
            data.texts[i].clone(),
            gold_topic.clone(),
            p.topic.clone(),
            num(p.topic_prob()),
            gold_prob,
            flag(&p.topic == gold_topic).to_string(),
        ];
        if let Some(gold) = gold_stances {
            let stance = p.stance.clone().unwrap_or_default();
            row.extend([
                gold[i].clone(),
                stance.clone(),
                p.stance_prob().map(num).unwrap_or_default(),
                flag(stance == gold[i]).to_string(),
                p.stance_given_topic.clone().unwrap_or_default(),
                p.stance_given_topic_prob.map(num).unwrap_or_default(),
            ]);
        }
        out.write_record(&row)?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> LabelledData {
        LabelledData {
            texts: vec!["a, \"quoted\" text".into(), "b".into()],
            topics: vec!["water".into(), "mars".into()],
            stances: Some(vec!["favor".into(), "against".into()]),
            lines: vec![2, 4],
            sha256: String::new(),
        }
    }

    fn preds() -> Vec<RowPrediction> {
        vec![
            RowPrediction {
                topic: "water".into(),
                topic_probs: vec![0.7, 0.3],
                stance: Some("against".into()),
                stance_probs: vec![0.2, 0.8],
                stance_given_topic: Some("against".into()),
                stance_given_topic_prob: Some(0.8),
            },
            RowPrediction {
                topic: "energy".into(),
                topic_probs: vec![0.45, 0.55],
                stance: Some("against".into()),
                stance_probs: vec![0.4, 0.6],
                stance_given_topic: Some("favor".into()),
                stance_given_topic_prob: Some(0.51),
            },
        ]
    }

    #[test]
    fn one_row_per_prediction_with_gold_and_probabilities() {
        let mut out = Vec::new();
        let topics = ["water".to_string(), "energy".to_string()];
        write_predictions(&mut out, &data(), &preds(), &topics, true).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], prediction_columns(true).join(","));
        assert_eq!(
            lines[1],
            "2,\"a, \"\"quoted\"\" text\",water,water,0.7,0.7,1,favor,against,0.8,0,against,0.8"
        );
        // Note: "mars" is not a model topic, so it has no probability.
        assert_eq!(
            lines[2],
            "4,b,mars,energy,0.55,,0,against,against,0.6,1,favor,0.51"
        );
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn topic_only_has_no_stance_columns() {
        let mut out = Vec::new();
        write_predictions(&mut out, &data(), &preds(), &["water".into()], false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text
            .starts_with("line,text,gold_topic,topic,topic_prob,gold_topic_prob,topic_correct\n"));
        assert!(!text.contains("favor"));
    }
}
