//! Classification metrics: accuracy, per-class precision/recall/F1, macro-F1,
//! confusion matrix and SemEval-2016's F_avg.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::calibration::{Calibration, ReliabilityBin};
use crate::model::StanceRoles;

/// Widest confusion table [`Metrics::to_table`] draws with label names as columns.
const TABLE_COLUMNS: usize = 100;

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassScores {
    /// TP / (TP + FP); 0 when nothing was predicted as the class.
    pub precision: f64,
    /// TP / (TP + FN); 0 when the class has no gold rows.
    pub recall: f64,
    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub f1: f64,
    /// Gold rows of the class.
    pub support: usize,
}

/// A confusion matrix: `matrix[gold][predicted]` over `labels`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confusion {
    /// Labels in row/column order (sorted).
    pub labels: Vec<String>,
    /// Counts, gold rows x predicted columns.
    pub matrix: Vec<Vec<usize>>,
}

/// All metrics of one labelling task (the JSON schema of `stance evaluate --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// Fraction of rows predicted right.
    pub accuracy: f64,
    /// Unweighted mean F1 over the labels seen in gold or predictions (scikit-learn's macro).
    pub macro_f1: f64,
    /// (F1 favor + F1 against) / 2, when the stance roles name both labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub f_avg: Option<f64>,
    /// Per label.
    pub per_class: BTreeMap<String, ClassScores>,
    /// Confusion matrix.
    pub confusion: Confusion,
    /// Expected calibration error of the head's confidence (see [`Calibration`]);
    /// `None` when no probabilities were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ece: Option<f64>,
    /// The reliability-diagram bins `ece` was computed from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reliability: Option<Vec<ReliabilityBin>>,
}

impl Metrics {
    /// Compares `pred` with `gold` (same length); F_avg uses the roles found
    /// by name among the labels ([`StanceRoles::find`]).
    pub fn compute(gold: &[String], pred: &[String]) -> Metrics {
        let roles = StanceRoles::find(gold.iter().chain(pred).map(String::as_str));
        Metrics::compute_with_roles(gold, pred, &roles)
    }

    /// Compares `pred` with `gold` (same length); F_avg is over the favor
    /// and against labels of `roles`, when it names both.
    pub fn compute_with_roles(gold: &[String], pred: &[String], roles: &StanceRoles) -> Metrics {
        assert_eq!(
            gold.len(),
            pred.len(),
            "gold and predictions differ in length"
        );
        let labels: Vec<String> = gold
            .iter()
            .chain(pred)
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let pos: BTreeMap<&str, usize> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i))
            .collect();
        let k = labels.len();
        let mut matrix = vec![vec![0usize; k]; k];
        for (g, p) in gold.iter().zip(pred) {
            matrix[pos[g.as_str()]][pos[p.as_str()]] += 1;
        }
        let correct: usize = (0..k).map(|i| matrix[i][i]).sum();
        let mut per_class = BTreeMap::new();
        for (i, l) in labels.iter().enumerate() {
            let tp = matrix[i][i] as f64;
            let support: usize = matrix[i].iter().sum();
            let predicted: usize = (0..k).map(|r| matrix[r][i]).sum();
            let precision = if predicted > 0 {
                tp / predicted as f64
            } else {
                0.0
            };
            let recall = if support > 0 {
                tp / support as f64
            } else {
                0.0
            };
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            per_class.insert(
                l.clone(),
                ClassScores {
                    precision,
                    recall,
                    f1,
                    support,
                },
            );
        }
        let macro_f1 = if k > 0 {
            per_class.values().map(|c| c.f1).sum::<f64>() / k as f64
        } else {
            0.0
        };
        // Note: a role label absent from gold and predictions has F1 0, as
        // SemEval-2016's scorer counts it.
        let f1_of = |label: &Option<String>| {
            label
                .as_ref()
                .map(|l| per_class.get(l).map_or(0.0, |c| c.f1))
        };
        let f_avg = match (f1_of(&roles.favor), f1_of(&roles.against)) {
            (Some(f), Some(a)) => Some((f + a) / 2.0),
            _ => None,
        };
        Metrics {
            accuracy: if gold.is_empty() {
                0.0
            } else {
                correct as f64 / gold.len() as f64
            },
            macro_f1,
            f_avg,
            per_class,
            confusion: Confusion { labels, matrix },
            ece: None,
            reliability: None,
        }
    }

    /// These metrics with the head's calibration added (`ece`, `reliability`).
    pub fn with_calibration(mut self, c: Calibration) -> Metrics {
        self.ece = Some(c.ece);
        self.reliability = Some(c.bins);
        self
    }

    /// A readable table of the per-class scores and the confusion matrix.
    pub fn to_table(&self, title: &str) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let w = self
            .confusion
            .labels
            .iter()
            .map(|l| l.len())
            .max()
            .unwrap_or(5)
            .max(9);
        let _ = writeln!(
            s,
            "{title}: accuracy {:.4}, macro-F1 {:.4}{}{}",
            self.accuracy,
            self.macro_f1,
            self.f_avg
                .map(|f| format!(", F_avg {f:.4}"))
                .unwrap_or_default(),
            self.ece
                .map(|e| format!(", ECE {e:.4}"))
                .unwrap_or_default()
        );
        let _ = writeln!(
            s,
            "  {:w$} {:>9} {:>9} {:>9} {:>9}",
            "label", "precision", "recall", "f1", "support"
        );
        for (l, c) in &self.per_class {
            let _ = writeln!(
                s,
                "  {l:w$} {:9.4} {:9.4} {:9.4} {:9}",
                c.precision, c.recall, c.f1, c.support
            );
        }
        let labels = &self.confusion.labels;
        // Note: a column per label as wide as the longest label makes 30-character
        // labels (SemEval's targets) a 170-column table; past TABLE_COLUMNS the
        // columns are numbered and the rows say which number is which label.
        let wide = 2 + w + (w + 1) * labels.len() > TABLE_COLUMNS;
        let cw = if wide {
            labels
                .iter()
                .zip(&self.confusion.matrix)
                .flat_map(|(_, row)| row.iter().map(|n| n.to_string().len()))
                .chain([labels.len().to_string().len() + 2])
                .max()
                .unwrap_or(3)
        } else {
            w
        };
        let names: Vec<String> = if wide {
            (1..=labels.len()).map(|i| format!("[{i}]")).collect()
        } else {
            labels.clone()
        };
        let rows: Vec<String> = if wide {
            let iw = labels.len().to_string().len() + 2;
            labels
                .iter()
                .enumerate()
                .map(|(i, l)| format!("{:<iw$} {l}", format!("[{}]", i + 1)))
                .collect()
        } else {
            labels.clone()
        };
        let rw = rows
            .iter()
            .map(|r| r.chars().count())
            .max()
            .unwrap_or(0)
            .max(w);
        if wide {
            let _ = writeln!(
                s,
                "  confusion (rows gold, columns predicted, numbered as the rows):"
            );
        } else {
            let _ = writeln!(s, "  confusion (rows gold, columns predicted):");
        }
        let _ = write!(s, "  {:rw$}", "");
        for l in &names {
            let _ = write!(s, " {l:>cw$}");
        }
        let _ = writeln!(s);
        for (l, row) in rows.iter().zip(&self.confusion.matrix) {
            let _ = write!(s, "  {l:rw$}");
            for n in row {
                let _ = write!(s, " {n:>cw$}");
            }
            let _ = writeln!(s);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(x: &[&str]) -> Vec<String> {
        x.iter().map(|s| s.to_string()).collect()
    }

    /// Expected values computed by scikit-learn 1.9.1:
    /// `precision_recall_fscore_support(gold, pred)`, `f1_score(..., average="macro")`.
    #[test]
    fn matches_scikit_learn_on_a_small_case() {
        let gold = v(&["FAVOR", "AGAINST", "NONE", "FAVOR", "AGAINST", "AGAINST"]);
        let pred = v(&["FAVOR", "FAVOR", "NONE", "NONE", "AGAINST", "AGAINST"]);
        let m = Metrics::compute(&gold, &pred);
        assert!((m.accuracy - 4.0 / 6.0).abs() < 1e-12);
        let a = &m.per_class["AGAINST"];
        assert!((a.precision - 1.0).abs() < 1e-12 && (a.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((a.f1 - 0.8).abs() < 1e-12);
        let f = &m.per_class["FAVOR"];
        assert!((f.f1 - 0.5).abs() < 1e-12);
        assert!((m.per_class["NONE"].f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.macro_f1 - (0.8 + 0.5 + 2.0 / 3.0) / 3.0).abs() < 1e-12);
        assert!((m.f_avg.unwrap() - 0.65).abs() < 1e-12);
        assert_eq!(
            m.confusion.matrix,
            vec![vec![2, 1, 0], vec![0, 1, 1], vec![0, 0, 1]]
        );
    }

    /// Five 30-character labels fit in 100 columns: the confusion columns are numbered.
    #[test]
    fn long_labels_do_not_make_a_wide_table() {
        let names = [
            "Atheism",
            "Climate Change is a Real Concern",
            "Feminist Movement",
            "Hillary Clinton",
            "Legalization of Abortion",
        ];
        let gold = v(&names);
        let mut pred = gold.clone();
        pred.rotate_left(1);
        let table = Metrics::compute(&gold, &pred).to_table("topic");
        let widest = table.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest <= TABLE_COLUMNS, "{widest} columns:\n{table}");
        assert!(
            table.contains("[2] Climate Change is a Real Concern"),
            "{table}"
        );
        assert!(table.contains("numbered as the rows"), "{table}");
        // Short labels keep their names as columns.
        let short = Metrics::compute(&v(&["a", "b"]), &v(&["a", "a"])).to_table("t");
        assert!(!short.contains("[1]"), "{short}");
    }

    #[test]
    fn no_f_avg_without_favor_and_against() {
        let m = Metrics::compute(&v(&["a", "b"]), &v(&["a", "a"]));
        assert!(m.f_avg.is_none());
        assert_eq!(m.per_class["b"].precision, 0.0);
    }

    /// Cross-validation scores folds with `model::CvMetric` on class indices;
    /// it must give exactly (bit for bit) what these metrics give on the names.
    #[test]
    fn cross_validation_metric_equals_these_metrics() {
        use crate::model::cv::CvMetric;
        let label_sets = [v(&["AGAINST", "FAVOR", "NONE"]), v(&["a", "b", "c", "d"])];
        let mut state = 0x1234_5678_u64;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % n as u64) as u32
        };
        for labels in &label_sets {
            let metric = CvMetric::for_labels(labels);
            for trial in 0..200 {
                let n = 1 + trial % 17;
                // Note: some trials use only part of the classes, so classes absent
                // from gold and predictions (and an absent favor) are covered.
                let used = 1 + trial % labels.len();
                let gold: Vec<u32> = (0..n).map(|_| next(used)).collect();
                let pred: Vec<u32> = (0..n).map(|_| next(labels.len())).collect();
                let names = |ix: &[u32]| -> Vec<String> {
                    ix.iter().map(|&i| labels[i as usize].clone()).collect()
                };
                let m = Metrics::compute(&names(&gold), &names(&pred));
                let want = match metric {
                    CvMetric::FAvg { .. } => m.f_avg.unwrap_or(0.0),
                    CvMetric::MacroF1 => m.macro_f1,
                };
                let got = metric.score(&gold, &pred, labels.len());
                assert_eq!(
                    got.to_bits(),
                    want.to_bits(),
                    "{labels:?} {gold:?} {pred:?}"
                );
            }
        }
    }
}
