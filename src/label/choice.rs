//! The labels being chosen for the statement on screen, key by key.
//!
//! It starts at the model's guess (when the label sets allow it). A stance
//! key decides with the chosen topic; a topic key decides at once when the
//! model is topic-only or the topic has a single stance, and otherwise waits
//! for a stance key (or Enter, keeping the guessed stance when the new topic
//! has it); Enter accepts what is chosen.

use super::label_sets::{LabelSets, Labels};
use super::to_label::Statement;

/// The topic and stance chosen so far.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Choice {
    /// The chosen topic.
    pub topic: Option<String>,
    /// The chosen stance.
    pub stance: Option<String>,
    /// True once a topic key changed the topic: the screen asks for a stance.
    pub topic_picked: bool,
}

/// What a key did to the choice.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The statement is decided with these labels.
    Decided(Labels),
    /// Waiting for more keys.
    Pending,
    /// The key cannot be used now; the reason, for the screen.
    Refused(String),
}

impl Choice {
    /// The model's guess of `statement`, as far as `sets` allow it.
    pub fn from_guess(statement: &Statement, sets: &LabelSets) -> Choice {
        let topic = sets
            .topics
            .contains(&statement.topic)
            .then(|| statement.topic.clone());
        let stance = topic.as_ref().and_then(|t| {
            sets.stances_of(t)
                .contains(&statement.stance)
                .then(|| statement.stance.clone())
        });
        Choice {
            topic,
            stance,
            topic_picked: false,
        }
    }

    /// A topic key.
    pub fn pick_topic(&mut self, topic: &str, sets: &LabelSets) -> Step {
        if !sets.topics.iter().any(|t| t == topic) {
            return Step::Refused(format!("{topic:?} is not a topic of the model"));
        }
        let stances = sets.stances_of(topic);
        self.topic = Some(topic.to_string());
        self.topic_picked = true;
        if !sets.has_stance() {
            self.stance = None;
            return self.accept(sets);
        }
        if stances.len() == 1 {
            self.stance = Some(stances[0].clone());
            return self.accept(sets);
        }
        if !self.stance.as_ref().is_some_and(|s| stances.contains(s)) {
            self.stance = None;
        }
        Step::Pending
    }

    /// A stance key.
    pub fn pick_stance(&mut self, stance: &str, sets: &LabelSets) -> Step {
        let Some(topic) = &self.topic else {
            return Step::Refused("no topic chosen: press a topic key first".into());
        };
        if !sets.stances_of(topic).iter().any(|s| s == stance) {
            return Step::Refused(format!("{stance:?} is not a stance of topic {topic:?}"));
        }
        self.stance = Some(stance.to_string());
        self.accept(sets)
    }

    /// Enter: the labels chosen, when they are complete.
    pub fn accept(&self, sets: &LabelSets) -> Step {
        let Some(topic) = &self.topic else {
            return Step::Refused("no guess to accept: press a topic key".into());
        };
        if sets.has_stance() && self.stance.is_none() {
            return Step::Refused(format!("press a stance key for topic {topic:?}"));
        }
        let labels = Labels {
            topic: topic.clone(),
            stance: self.stance.clone(),
        };
        if sets.allows(&labels) {
            Step::Decided(labels)
        } else {
            Step::Refused("these labels are not in the model's label sets".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::label_sets::tests::{sets, topic_only};
    use super::*;

    fn statement(topic: &str, stance: &str) -> Statement {
        Statement {
            topic: topic.into(),
            stance: stance.into(),
            ..Default::default()
        }
    }

    fn decided(topic: &str, stance: Option<&str>) -> Step {
        Step::Decided(Labels {
            topic: topic.into(),
            stance: stance.map(str::to_string),
        })
    }

    #[test]
    fn enter_accepts_the_guess() {
        let c = Choice::from_guess(&statement("palestine", "favor"), &sets());
        assert_eq!(c.accept(&sets()), decided("palestine", Some("favor")));
        let c = Choice::from_guess(&statement("palestine", "favor"), &topic_only());
        assert_eq!(c.accept(&topic_only()), decided("palestine", None));
    }

    #[test]
    fn a_stance_key_decides_with_the_guessed_topic() {
        let mut c = Choice::from_guess(&statement("palestine", "favor"), &sets());
        assert_eq!(
            c.pick_stance("against", &sets()),
            decided("palestine", Some("against"))
        );
        let mut c = Choice::from_guess(&statement("other", "neutral"), &sets());
        assert!(matches!(c.pick_stance("favor", &sets()), Step::Refused(m) if m.contains("other")));
    }

    #[test]
    fn a_topic_key_waits_for_a_stance_unless_there_is_one() {
        let mut c = Choice::from_guess(&statement("other", "neutral"), &sets());
        assert_eq!(c.pick_topic("palestine", &sets()), Step::Pending);
        assert!(c.topic_picked);
        // neutral is a stance of palestine too, so Enter keeps it
        assert_eq!(c.accept(&sets()), decided("palestine", Some("neutral")));
        assert_eq!(
            c.pick_stance("favor", &sets()),
            decided("palestine", Some("favor"))
        );
        let mut c = Choice::from_guess(&statement("palestine", "favor"), &sets());
        assert_eq!(
            c.pick_topic("other", &sets()),
            decided("other", Some("neutral"))
        );
        let mut c = Choice::from_guess(&statement("palestine", "favor"), &topic_only());
        assert_eq!(c.pick_topic("other", &topic_only()), decided("other", None));
        assert!(matches!(c.pick_topic("sports", &sets()), Step::Refused(_)));
    }

    #[test]
    fn guesses_outside_the_model_are_not_accepted() {
        for (t, s) in [
            ("sports", "favor"),
            ("other", "favor"),
            ("", ""),
            ("palestine", ""),
        ] {
            let c = Choice::from_guess(&statement(t, s), &sets());
            assert!(matches!(c.accept(&sets()), Step::Refused(_)), "{t} {s}");
        }
        let mut c = Choice::from_guess(&statement("sports", "favor"), &sets());
        assert!(
            matches!(c.pick_stance("favor", &sets()), Step::Refused(m) if m.contains("topic key"))
        );
        assert_eq!(c.pick_topic("bilateral_ties", &sets()), Step::Pending);
        assert_eq!(
            c.pick_stance("favor", &sets()),
            decided("bilateral_ties", Some("favor"))
        );
    }
}
