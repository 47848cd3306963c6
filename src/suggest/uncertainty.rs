//! How much a label would teach the model: margins and entropies of its guesses.
//!
//! A statement is as uncertain as its least certain decision. The **topic
//! margin** is p(best topic) − p(second topic). A statement is **on-topic**
//! when its best topic's stance head has two or more labels; its **stance
//! margin** is p(best stance) − p(second stance) under that head. The
//! **combined margin** is the topic margin for off-topic statements and the
//! smaller of the two margins for on-topic ones: a statement whose topic is
//! clear but whose stance is a coin toss is as worth labelling as one whose
//! topic is a coin toss. It is in [0, 1]; 0 is the closest call.
//!
//! With [`Strategy::Margin`](super::Strategy::Margin) the rank is the
//! **informed margin**: (combined margin + W · (1 − min(known, K) / K)) /
//! (1 + W), with W = [`UNINFORMED_WEIGHT`] and K = [`INFORMED_TERMS`], where
//! `known` is the number of vocabulary terms the model found in the
//! statement. It is in [0, 1] too, and equals the combined margin for a
//! statement with K or more known terms.
//!
//! Note: plain uncertainty sampling picks the statements the model knows
//! nothing about first (a byline, a four-word headline: no known terms, so
//! probabilities near the prior and a margin near 0), and one label on such
//! a statement teaches the model little. The weighting passes them over
//! unless their call is much closer than that of a statement the model can
//! read. Measured with `benches/active_learning.py` (BENCHMARKS.md): W and K
//! were chosen there (on AG News W 0.2, 0.3, 0.5 and 10, K 20 and 30 all
//! beat plain margin, a prototype with 3 seeds). With 5 seeds, K 10 reaches
//! random's 1,500-label accuracy with 900 labels on AG News (plain margin:
//! 1,200) and 1,100 on SemEval tweets (plain margin: 800; K 30: 1,200, as
//! tweets have few terms and a large K pushes most of them back).
//!
//! With [`Strategy::Entropy`](super::Strategy::Entropy) the same "least
//! certain decision" rule uses the entropy divided by ln(labels) (in [0, 1])
//! instead: the rank is 1 − max(topic entropy, stance entropy when on-topic).

/// How much a statement without known terms is pushed back in the margin rank.
pub const UNINFORMED_WEIGHT: f64 = 0.5;

/// Known terms from which a statement counts as fully informed.
pub const INFORMED_TERMS: usize = 10;

/// The informed margin of a statement (see the module docs); `known_terms`
/// `None` (not recorded) counts as fully informed.
pub fn informed_margin(combined_margin: f64, known_terms: Option<usize>) -> f64 {
    let informed = known_terms.map_or(1.0, |k| {
        k.min(INFORMED_TERMS) as f64 / INFORMED_TERMS as f64
    });
    ((combined_margin + UNINFORMED_WEIGHT * (1.0 - informed)) / (1.0 + UNINFORMED_WEIGHT))
        .clamp(0.0, 1.0)
}

/// The two largest of `probs` (0 for a missing one).
fn two_best(probs: &[f64]) -> (f64, f64) {
    let (mut a, mut b) = (0.0f64, 0.0f64);
    for &p in probs {
        if p > a {
            b = a;
            a = p;
        } else if p > b {
            b = p;
        }
    }
    (a, b)
}

/// p(best) − p(second best); 1 for a single label.
pub fn margin(probs: &[f64]) -> f64 {
    if probs.len() < 2 {
        return 1.0;
    }
    let (a, b) = two_best(probs);
    (a - b).clamp(0.0, 1.0)
}

/// Entropy divided by ln(labels), in [0, 1]; 0 for a single label.
pub fn normalized_entropy(probs: &[f64]) -> f64 {
    if probs.len() < 2 {
        return 0.0;
    }
    let h: f64 = probs
        .iter()
        .filter(|&&p| p > 0.0)
        .map(|&p| -p * p.ln())
        .sum();
    (h / (probs.len() as f64).ln()).clamp(0.0, 1.0)
}

/// The combined margin of a statement (see the module docs); `stance_probs`
/// are its best topic's head's, empty without stance.
pub fn combined_margin(topic_probs: &[f64], stance_probs: &[f64]) -> f64 {
    let topic = margin(topic_probs);
    if stance_probs.len() >= 2 {
        topic.min(margin(stance_probs))
    } else {
        topic
    }
}

/// 1 − the larger normalised entropy of the topic and (on-topic) the stance.
pub fn entropy_rank(topic_probs: &[f64], stance_probs: &[f64]) -> f64 {
    let mut u = normalized_entropy(topic_probs);
    if stance_probs.len() >= 2 {
        u = u.max(normalized_entropy(stance_probs));
    }
    1.0 - u
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_certain_decision_counts() {
        assert!((margin(&[0.2, 0.5, 0.3]) - 0.2).abs() < 1e-12);
        assert_eq!(margin(&[1.0]), 1.0);
        // Clear topic, split stance: the stance margin.
        assert!((combined_margin(&[0.9, 0.1], &[0.45, 0.4, 0.15]) - 0.05).abs() < 1e-12);
        // Off-topic (one stance label): the topic margin.
        assert!((combined_margin(&[0.6, 0.4], &[1.0]) - 0.2).abs() < 1e-12);
        assert!((normalized_entropy(&[0.5, 0.5]) - 1.0).abs() < 1e-12);
        assert_eq!(normalized_entropy(&[1.0, 0.0]), 0.0);
        assert!(entropy_rank(&[0.5, 0.5], &[]) < 1e-12);
        assert!(entropy_rank(&[0.99, 0.01], &[0.34, 0.33, 0.33]) < 0.01);
        // A coin toss on a statement with no known terms ranks after a fairly
        // close call on a statement the model can read.
        assert!((informed_margin(0.0, Some(0)) - 1.0 / 3.0).abs() < 1e-12);
        assert!((informed_margin(0.3, Some(10)) - 0.2).abs() < 1e-12);
        assert_eq!(informed_margin(0.3, Some(90)), informed_margin(0.3, None));
        assert!(informed_margin(0.3, Some(10)) < informed_margin(0.0, Some(0)));
    }
}
