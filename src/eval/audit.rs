//! Suspected label errors: training rows whose out-of-fold prediction
//! confidently disagrees with their label (cleanlab's confident learning).
//!
//! For each head, a class's threshold is the mean out-of-fold probability of
//! that class over the rows labelled with it (how sure the model is, on
//! average, of rows that really are that class). A row is suspect when its
//! most probable class is not its label, that class's probability reaches
//! the class's threshold and its label's probability stays below its own
//! (Northcutt et al., "Confident Learning", 2021, the off-diagonal of the
//! confident joint). Suspects are ordered by how much more probable the
//! predicted class is than the label.

use crate::model::{LinearHead, OutOfFold, StanceModel};

/// One suspected label error.
#[derive(Debug, Clone, PartialEq)]
pub struct Suspect {
    /// The row (0-based, over all training rows).
    pub row: usize,
    /// "topic" or `"stance:<gold topic>"`.
    pub head: String,
    /// Its label.
    pub label: String,
    /// The out-of-fold prediction.
    pub predicted: String,
    /// Its probability.
    pub p_predicted: f64,
    /// The label's probability.
    pub p_label: f64,
}

/// Suspects of one head: `probs` rows of `labels.len()` (or empty rows, skipped), `gold` label per row.
fn suspects_of(
    head: &str,
    labels: &[String],
    rows: &[(usize, &[f64], &str)],
    out: &mut Vec<Suspect>,
) {
    let k = labels.len();
    let index = |l: &str| labels.iter().position(|x| x == l);
    let (mut sum, mut count) = (vec![0.0; k], vec![0usize; k]);
    for &(_, p, g) in rows {
        if let Some(g) = index(g) {
            sum[g] += p[g];
            count[g] += 1;
        }
    }
    let threshold: Vec<f64> = (0..k)
        .map(|c| {
            if count[c] > 0 {
                sum[c] / count[c] as f64
            } else {
                1.0
            }
        })
        .collect();
    for &(row, p, g) in rows {
        let Some(gi) = index(g) else { continue };
        let best = LinearHead::argmax(p);
        if best != gi && p[best] >= threshold[best] && p[gi] < threshold[gi] {
            out.push(Suspect {
                row,
                head: head.to_string(),
                label: g.to_string(),
                predicted: labels[best].clone(),
                p_predicted: p[best],
                p_label: p[gi],
            });
        }
    }
}

/// The suspected label errors of the training rows (`topics`, `stances`)
/// from their out-of-fold predictions, most confident first (ties by row).
pub fn audit(
    model: &StanceModel,
    oof: &OutOfFold,
    topics: &[String],
    stances: Option<&[String]>,
) -> Vec<Suspect> {
    let k = model.topic.n_classes();
    let mut out = Vec::new();
    let rows: Vec<(usize, &[f64], &str)> = (0..topics.len())
        .map(|i| (i, &oof.topic_probs[i * k..(i + 1) * k], topics[i].as_str()))
        .collect();
    suspects_of("topic", &model.topic.labels, &rows, &mut out);
    if let Some(stances) = stances {
        let mut heads: Vec<&String> = model.topic.labels.iter().collect();
        heads.sort();
        for t in heads {
            let Some(head) = model.stance_head(t) else {
                continue;
            };
            let rows: Vec<(usize, &[f64], &str)> = (0..topics.len())
                .filter(|&i| topics[i] == *t && oof.stance_probs[i].len() == head.n_classes())
                .map(|i| (i, oof.stance_probs[i].as_slice(), stances[i].as_str()))
                .collect();
            suspects_of(&format!("stance:{t}"), &head.labels, &rows, &mut out);
        }
    }
    out.sort_by(|a, b| {
        let margin = |s: &Suspect| s.p_predicted - s.p_label;
        margin(b).total_cmp(&margin(a)).then(a.row.cmp(&b.row))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confident_disagreement_is_suspect_and_an_unsure_one_is_not() {
        let labels: Vec<String> = ["a", "b"].map(String::from).to_vec();
        let p = [
            [0.9, 0.1],
            [0.8, 0.2],
            [0.2, 0.8],
            [0.1, 0.9],
            [0.95, 0.05],
            [0.55, 0.45],
        ];
        let gold = ["a", "a", "b", "b", "b", "b"];
        let rows: Vec<(usize, &[f64], &str)> = (0..6).map(|i| (i, &p[i][..], gold[i])).collect();
        let mut out = Vec::new();
        suspects_of("topic", &labels, &rows, &mut out);
        // threshold a = 0.85: row 4 (0.95 for a, labelled b) is suspect; row 5 (0.55) is not.
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].row, out[0].predicted.as_str()), (4, "a"));
    }
}
