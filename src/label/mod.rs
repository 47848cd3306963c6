//! Labelling statements by hand: the session behind `stance label`, without a terminal.
//!
//! [`read_to_label`] reads the statements `stance suggest` picked, with the
//! model's guesses; [`LabelSets`] are the labels a model knows and [`KeyMap`]
//! gives each a key; a [`Choice`] follows the keys pressed for one statement;
//! a [`Session`] appends each decision to the labelled file, flushed to disk,
//! undoes the last one, and resumes where an earlier session stopped.
//!
//! ```
//! use stance::label::{LabelSets, Labels, Session};
//!
//! let dir = tempfile::tempdir()?;
//! let input = dir.path().join("to_label.csv");
//! std::fs::write(&input, "id,text,topic,stance\ns1,Troops must leave.,coalition_withdrawal,favor\ns2,It rained.,other,neutral\n")?;
//! let out = dir.path().join("labelled.csv");
//! let sets = LabelSets {
//!     topics: vec!["coalition_withdrawal".into(), "other".into()],
//!     stances: Some(vec![vec!["against".into(), "favor".into()], vec!["neutral".into()]]),
//! };
//! let mut session = Session::open(&input, &out, sets.clone(), &[])?;
//! session.label(Labels { topic: "coalition_withdrawal".into(), stance: Some("against".into()) })?;
//! session.skip()?;
//! assert_eq!(std::fs::read_to_string(&out)?,
//!     "id,text,topic,stance,decision\ns1,Troops must leave.,coalition_withdrawal,against,corrected\n");
//! drop(session);
//! let mut again = Session::open(&input, &out, sets, &[])?; // resumes: nothing left
//! assert!(again.current().is_none());
//! assert_eq!(again.undo()?.map(|u| u.index), Some(1)); // the skip of s2
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod append_csv;
mod choice;
mod keys;
mod label_sets;
mod session;
mod to_label;

pub use append_csv::{AppendCsv, StoredRow};
pub use choice::{Choice, Step};
pub use keys::{KeyMap, MAX_KEYED_LABELS, RESERVED_KEYS};
pub use label_sets::{LabelSets, Labels};
pub use session::{
    skipped_path, Decision, Progress, Session, Tally, Undone, ACCEPTED, CORRECTED, DECISION_COLUMN,
    SKIPPED, SKIPPED_HEADER,
};
pub use to_label::{read_to_label, Statement, ToLabel, REQUIRED_COLUMNS, TO_LABEL_COLUMNS};
