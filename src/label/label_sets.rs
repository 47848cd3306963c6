//! The labels a statement may get: the model's topics and, per topic, its stance labels.

use crate::error::{Error, Result};
use crate::model::StanceModel;

use super::to_label::ToLabel;

/// Topics, and per topic the stance labels of the head that scores it.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelSets {
    /// Topic labels, in the model's order.
    pub topics: Vec<String>,
    /// Per topic (aligned with `topics`), its stance labels; None for a topic-only model.
    pub stances: Option<Vec<Vec<String>>>,
}

/// The chosen labels of one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// The topic.
    pub topic: String,
    /// The stance; None exactly when the label sets are topic-only.
    pub stance: Option<String>,
}

impl LabelSets {
    /// The label sets of a model (`path` names it in errors).
    pub fn from_model(model: &StanceModel, path: &std::path::Path) -> Result<LabelSets> {
        let topics = model.topics().to_vec();
        let stances = match model.stance {
            None => None,
            Some(_) => {
                let mut per_topic = Vec::with_capacity(topics.len());
                for t in &topics {
                    let labels = model
                        .stance_head(t)
                        .map(|h| h.labels.clone())
                        .unwrap_or_default();
                    if labels.is_empty() {
                        return Err(Error::BadModel {
                            path: path.to_path_buf(),
                            message: format!("no stance labels for topic {t:?}"),
                        });
                    }
                    per_topic.push(labels);
                }
                Some(per_topic)
            }
        };
        Ok(LabelSets { topics, stances })
    }

    /// True when every statement gets a stance as well as a topic.
    pub fn has_stance(&self) -> bool {
        self.stances.is_some()
    }

    /// The stance labels allowed with `topic` (empty for a topic-only model or an unknown topic).
    pub fn stances_of(&self, topic: &str) -> &[String] {
        let i = self.topics.iter().position(|t| t == topic);
        match (&self.stances, i) {
            (Some(s), Some(i)) => &s[i],
            _ => &[],
        }
    }

    /// Every stance label of any topic, each once, in order of first appearance.
    pub fn all_stances(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in self.stances.iter().flatten().flatten() {
            if !out.contains(s) {
                out.push(s.clone());
            }
        }
        out
    }

    /// True when `labels` can be given: a known topic and, for a stance model, one of its stances.
    pub fn allows(&self, labels: &Labels) -> bool {
        self.topics.contains(&labels.topic)
            && match (&labels.stance, self.has_stance()) {
                (Some(s), true) => self.stances_of(&labels.topic).contains(s),
                (None, false) => true,
                _ => false,
            }
    }

    /// The model's guess of a statement as labels these sets allow, if it is one.
    pub fn guess(&self, topic: &str, stance: &str) -> Option<Labels> {
        let labels = Labels {
            topic: topic.to_string(),
            stance: self.has_stance().then(|| stance.to_string()),
        };
        self.allows(&labels).then_some(labels)
    }

    /// One line per kind of guess in `input` that these sets do not allow (empty guesses aside).
    pub fn foreign_guesses(&self, input: &ToLabel) -> Vec<String> {
        let (mut topics, mut stances) = (Vec::new(), Vec::new());
        for s in &input.statements {
            if s.topic.is_empty() {
                continue;
            }
            if !self.topics.contains(&s.topic) {
                topics.push((s.line, s.topic.as_str()));
            } else if self.has_stance()
                && !s.stance.is_empty()
                && !self.stances_of(&s.topic).contains(&s.stance)
            {
                stances.push((s.line, s.stance.as_str(), s.topic.as_str()));
            }
        }
        let path = input.path.display();
        let mut out = Vec::new();
        if let Some((line, t)) = topics.first() {
            out.push(format!(
                "{path}: guessed topics the model does not have: {} (first: line {line}, {t:?}); \
                 those statements show no guess to accept: choose with the keys",
                topics.len()
            ));
        }
        if let Some((line, s, t)) = stances.first() {
            out.push(format!(
                "{path}: guessed stances the model does not have for their topic: {} (first: line {line}, {s:?} for {t:?}); \
                 those statements show no guess to accept: choose with the keys",
                stances.len()
            ));
        }
        if !self.has_stance() && input.statements.iter().any(|s| !s.stance.is_empty()) {
            out.push(format!(
                "{path}: the model is topic-only: the guessed stances are not shown and the labelled file has no stance column"
            ));
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Two topics with three stances, one with a single stance.
    pub(crate) fn sets() -> LabelSets {
        let three = vec!["against".to_string(), "favor".into(), "neutral".into()];
        LabelSets {
            topics: vec!["bilateral_ties".into(), "other".into(), "palestine".into()],
            stances: Some(vec![three.clone(), vec!["neutral".into()], three]),
        }
    }

    /// The same topics without stance.
    pub(crate) fn topic_only() -> LabelSets {
        LabelSets {
            stances: None,
            ..sets()
        }
    }

    #[test]
    fn allows_only_the_model_labels() {
        let s = sets();
        let l = |t: &str, st: Option<&str>| Labels {
            topic: t.into(),
            stance: st.map(str::to_string),
        };
        assert!(s.allows(&l("palestine", Some("favor"))));
        assert!(!s.allows(&l("other", Some("favor"))));
        assert!(!s.allows(&l("sports", Some("neutral"))));
        assert!(!s.allows(&l("palestine", None)));
        assert!(topic_only().allows(&l("palestine", None)));
        assert!(!topic_only().allows(&l("palestine", Some("favor"))));
        assert_eq!(s.all_stances(), ["against", "favor", "neutral"]);
        assert_eq!(
            s.guess("other", "neutral"),
            Some(l("other", Some("neutral")))
        );
        assert_eq!(s.guess("other", ""), None);
        assert_eq!(topic_only().guess("other", "favor"), Some(l("other", None)));
    }

    #[test]
    fn foreign_guesses_are_counted_once_per_kind() {
        let st = |line: u64, topic: &str, stance: &str| super::super::Statement {
            line,
            topic: topic.into(),
            stance: stance.into(),
            ..Default::default()
        };
        let input = ToLabel {
            path: "t.csv".into(),
            header: vec![],
            statements: vec![
                st(2, "palestine", "favor"),
                st(3, "sports", "favor"),
                st(4, "sports", ""),
                st(5, "other", "favor"),
                st(6, "", "favor"),
            ],
        };
        let w = sets().foreign_guesses(&input);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].contains("topics the model does not have: 2")
                && w[0].contains("line 3, \"sports\""),
            "{w:?}"
        );
        assert!(
            w[1].contains("for their topic: 1") && w[1].contains("line 5"),
            "{w:?}"
        );
        let w = topic_only().foreign_guesses(&input);
        assert!(w.iter().any(|m| m.contains("topic-only")), "{w:?}");
    }
}
