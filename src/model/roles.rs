//! Which stance label plays which part: favor, against, neutral.
//!
//! Decided once, when the model is trained, and stored in the model file, so
//! that `report`'s net stance, `evaluate`'s F_avg and training's choice of C
//! agree on them whatever the labels are called (SemEval's `FAVOR`,
//! `AGAINST`, `NONE`; a project's `SUPPORT`, `DENY`).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The stance labels that mean favor, against and neutral; any may be absent.
///
/// Net stance and F_avg exist only when both favor and against have a label
/// ([`StanceRoles::has_net_stance`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StanceRoles {
    /// The label meaning "in favour of the topic".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub favor: Option<String>,
    /// The label meaning "against the topic".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against: Option<String>,
    /// The label meaning "takes no side".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neutral: Option<String>,
}

/// The names each role is found by, ignoring case, in order of preference.
const FAVOR_NAMES: [&str; 2] = ["favor", "favour"];
const AGAINST_NAMES: [&str; 1] = ["against"];
const NEUTRAL_NAMES: [&str; 2] = ["neutral", "none"];

/// The labels of one role given by name (`train --favor-label` and friends).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleNames {
    /// The favor label, else found by name.
    pub favor: Option<String>,
    /// The against label, else found by name.
    pub against: Option<String>,
    /// The neutral label, else found by name.
    pub neutral: Option<String>,
}

impl StanceRoles {
    /// The roles found among `labels` by name, ignoring case: favor (or
    /// favour), against, neutral (or none, as SemEval-2016 calls it).
    ///
    /// Note: when two labels differ only in case (`favor`, `FAVOR`), the
    /// exact lowercase one wins, then the first in `labels`.
    pub fn find<'a>(labels: impl IntoIterator<Item = &'a str> + Clone) -> StanceRoles {
        let pick = |names: &[&str]| -> Option<String> {
            for name in names {
                let mut first = None;
                for l in labels.clone() {
                    if l == *name {
                        return Some(l.to_string());
                    }
                    if first.is_none() && l.eq_ignore_ascii_case(name) {
                        first = Some(l.to_string());
                    }
                }
                if first.is_some() {
                    return first;
                }
            }
            None
        };
        StanceRoles {
            favor: pick(&FAVOR_NAMES),
            against: pick(&AGAINST_NAMES),
            neutral: pick(&NEUTRAL_NAMES),
        }
    }

    /// The roles for `labels`: those `named` (each must be one of `labels`,
    /// exactly), the others found by name ([`StanceRoles::find`]).
    ///
    /// Fails when a named label is not in `labels`, or one label is given two roles.
    pub fn decide(labels: &[String], named: &RoleNames) -> Result<StanceRoles> {
        let found = StanceRoles::find(labels.iter().map(String::as_str));
        let check = |param: &'static str, given: &Option<String>, found: Option<String>| match given
        {
            None => Ok(found),
            Some(l) if labels.contains(l) => Ok(Some(l.clone())),
            Some(l) => Err(Error::InvalidParam {
                name: param,
                value: l.clone(),
                reason: format!(
                    "it is not a stance label of the data (labels: {})",
                    labels.join(", ")
                ),
            }),
        };
        let mut roles = StanceRoles {
            favor: check("favor_label", &named.favor, found.favor)?,
            against: check("against_label", &named.against, found.against)?,
            neutral: check("neutral_label", &named.neutral, found.neutral)?,
        };
        // Note: a label named for one role is not also found by name for another.
        let given: Vec<&String> = [&named.favor, &named.against, &named.neutral]
            .into_iter()
            .flatten()
            .collect();
        for (slot, was_named) in [
            (&mut roles.favor, named.favor.is_some()),
            (&mut roles.against, named.against.is_some()),
            (&mut roles.neutral, named.neutral.is_some()),
        ] {
            if !was_named && slot.as_ref().is_some_and(|l| given.contains(&l)) {
                *slot = None;
            }
        }
        let all = roles.labels();
        if let Some(l) = all
            .iter()
            .enumerate()
            .find_map(|(i, l)| all[..i].contains(l).then_some(l))
        {
            return Err(Error::InvalidParam {
                name: "stance roles",
                value: l.to_string(),
                reason: "one label cannot be two of favor, against and neutral".into(),
            });
        }
        Ok(roles)
    }

    /// Whether both favor and against have a label (net stance and F_avg are defined).
    pub fn has_net_stance(&self) -> bool {
        self.favor.is_some() && self.against.is_some()
    }

    /// Whether no role has a label.
    pub fn is_empty(&self) -> bool {
        self.favor.is_none() && self.against.is_none() && self.neutral.is_none()
    }

    /// The labels with a role, in the order favor, against, neutral.
    pub fn labels(&self) -> Vec<&str> {
        [&self.favor, &self.against, &self.neutral]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect()
    }

    /// Every role's label is one of `labels`.
    pub fn all_in(&self, labels: &[String]) -> bool {
        self.labels().iter().all(|l| labels.iter().any(|x| x == l))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(x: &[&str]) -> Vec<String> {
        x.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn roles_are_found_ignoring_case() {
        let r = StanceRoles::find(["AGAINST", "FAVOR", "NONE"]);
        assert_eq!(r.favor.as_deref(), Some("FAVOR"));
        assert_eq!(r.against.as_deref(), Some("AGAINST"));
        assert_eq!(r.neutral.as_deref(), Some("NONE"));
        assert!(r.has_net_stance());
        let r = StanceRoles::find(["deny", "support", "query"]);
        assert!(r.is_empty() && !r.has_net_stance());
        assert_eq!(
            StanceRoles::find(["Favor", "favor"]).favor.as_deref(),
            Some("favor")
        );
    }

    #[test]
    fn named_roles_must_be_labels() {
        let labels = v(&["comment", "deny", "query", "support"]);
        let named = RoleNames {
            favor: Some("support".into()),
            against: Some("deny".into()),
            neutral: Some("comment".into()),
        };
        let r = StanceRoles::decide(&labels, &named).unwrap();
        assert_eq!(r.labels(), ["support", "deny", "comment"]);
        let bad = RoleNames {
            favor: Some("SUPPORT".into()),
            ..RoleNames::default()
        };
        match StanceRoles::decide(&labels, &bad) {
            Err(Error::InvalidParam { name, value, .. }) => {
                assert_eq!((name, value.as_str()), ("favor_label", "SUPPORT"))
            }
            other => panic!("{other:?}"),
        }
        let twice = RoleNames {
            favor: Some("deny".into()),
            against: Some("deny".into()),
            ..RoleNames::default()
        };
        assert!(StanceRoles::decide(&labels, &twice).is_err());
    }

    #[test]
    fn a_label_named_for_one_role_is_not_found_for_another() {
        // `none` would be found as neutral; named as against, it is only that.
        let labels = v(&["favor", "none"]);
        let named = RoleNames {
            against: Some("none".into()),
            ..RoleNames::default()
        };
        let r = StanceRoles::decide(&labels, &named).unwrap();
        assert_eq!(r.labels(), ["favor", "none"]);
        assert_eq!(r.neutral, None);
    }
}
