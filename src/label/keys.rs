//! Which key gives which label: one key per topic and one per stance label.

use super::label_sets::LabelSets;

/// Keys with a fixed meaning: skip, undo, quit, help.
pub const RESERVED_KEYS: [char; 4] = ['s', 'u', 'q', '?'];

/// The key of every topic and every stance label.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyMap {
    /// (key, topic), in the model's topic order.
    pub topics: Vec<(char, String)>,
    /// (key, stance label), in order of first appearance in the model.
    pub stances: Vec<(char, String)>,
}

impl KeyMap {
    /// Topics get 1–9, 0, then free letters; stance labels their first free letter.
    ///
    /// A stance label takes the first letter of its name that is free (so
    /// `favor`, `against`, `neutral` get f, a, n), else the first free letter
    /// a–z. Topics take the digits, then the lowercase letters, then the
    /// uppercase ones, none of them a reserved key. More labels than keys give
    /// None (more than [`MAX_KEYED_LABELS`] labels).
    pub fn new(sets: &LabelSets) -> Option<KeyMap> {
        let mut used: Vec<char> = RESERVED_KEYS.to_vec();
        let mut stances = Vec::new();
        for s in sets.all_stances() {
            let own = s
                .to_lowercase()
                .chars()
                .filter(char::is_ascii_lowercase)
                .collect::<Vec<_>>();
            let key = take(&mut used, own.into_iter().chain('a'..='z'))?;
            stances.push((key, s));
        }
        let mut topics = Vec::new();
        for t in &sets.topics {
            let key = take(&mut used, "1234567890".chars().chain(KEY_POOL.chars()))?;
            topics.push((key, t.clone()));
        }
        Some(KeyMap { topics, stances })
    }

    /// The topic of a key.
    pub fn topic(&self, key: char) -> Option<&str> {
        find(&self.topics, key)
    }

    /// The stance label of a key.
    pub fn stance(&self, key: char) -> Option<&str> {
        find(&self.stances, key)
    }

    /// The key of a stance label.
    pub fn stance_key(&self, label: &str) -> Option<char> {
        self.stances
            .iter()
            .find(|(_, l)| l == label)
            .map(|(k, _)| *k)
    }
}

/// How many topics and stance labels together can have a key (digits and letters less the reserved keys).
pub const MAX_KEYED_LABELS: usize = 10 + 52 - 3;

/// The letters after the digits.
const KEY_POOL: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The first candidate not used yet, now used.
fn take(used: &mut Vec<char>, mut candidates: impl Iterator<Item = char>) -> Option<char> {
    let c = candidates.find(|c| !used.contains(c))?;
    used.push(c);
    Some(c)
}

fn find(keys: &[(char, String)], key: char) -> Option<&str> {
    keys.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, l)| l.as_str())
}

#[cfg(test)]
mod tests {
    use super::super::label_sets::tests::{sets, topic_only};
    use super::*;

    #[test]
    fn digits_for_topics_initials_for_stances() {
        let k = KeyMap::new(&sets()).unwrap();
        assert_eq!(k.topic('1'), Some("bilateral_ties"));
        assert_eq!(k.topic('3'), Some("palestine"));
        assert_eq!(k.stance('f'), Some("favor"));
        assert_eq!(k.stance('a'), Some("against"));
        assert_eq!(k.stance('n'), Some("neutral"));
        assert_eq!(k.stance_key("neutral"), Some('n'));
        assert_eq!(k.topic('s'), None);
        assert!(KeyMap::new(&topic_only()).unwrap().stances.is_empty());
    }

    #[test]
    fn many_labels_get_distinct_keys_and_never_a_reserved_one() {
        let topics: Vec<String> = (0..40).map(|i| format!("t{i}")).collect();
        let stances = vec![
            "support".into(),
            "query".into(),
            "unrelated".into(),
            "skip".into(),
        ];
        let sets = LabelSets {
            stances: Some(vec![stances; topics.len()]),
            topics,
        };
        let k = KeyMap::new(&sets).unwrap();
        let mut all: Vec<char> = k.topics.iter().chain(&k.stances).map(|(c, _)| *c).collect();
        assert!(all.iter().all(|c| !RESERVED_KEYS.contains(c)), "{all:?}");
        assert_eq!(
            k.stance_key("support"),
            Some('p'),
            "s is skip, so the next letter"
        );
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
        let sets = LabelSets {
            topics: (0..100).map(|i| format!("t{i}")).collect(),
            stances: None,
        };
        assert_eq!(KeyMap::new(&sets), None);
        let sets = LabelSets {
            topics: (0..MAX_KEYED_LABELS).map(|i| format!("t{i}")).collect(),
            stances: None,
        };
        assert_eq!(KeyMap::new(&sets).unwrap().topics.len(), MAX_KEYED_LABELS);
    }
}
