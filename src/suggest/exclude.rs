//! Statements never to suggest: rows already labelled (by id, by normalised
//! text, and near-duplicates of their texts) and the model's own training texts.
//!
//! Note: a near-duplicate of a labelled row (the same wire story reprinted
//! with a dateline or a credit) teaches the model nothing its label did not,
//! so it is left out as the copy itself is; the test is the one that keeps
//! near-duplicates out of a batch ([`NearDuplicates`], MinHash of word
//! shingles). The model file stores only the fingerprints of its training
//! texts, so near-duplicates of those are left out when the training files
//! are passed as exclude files too (`--exclude data/train.csv`).

use std::collections::HashSet;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::near_duplicates::{NearDuplicates, Signature};
use crate::analysis::{fingerprint_of_normalized, normalized_text};
use crate::error::{Error, Result};
use crate::io::{csv_error, CountingReader};
use crate::model::TrainingTexts;

/// Ids, text fingerprints and near-duplicate signatures to leave out, plus
/// the model's training texts.
#[derive(Debug, Default, Clone)]
pub struct Exclusions {
    ids: HashSet<String>,
    fingerprints: HashSet<u64>,
    near: NearDuplicates,
    training: TrainingTexts,
    /// Rows read from exclude files.
    pub rows: usize,
}

impl Exclusions {
    /// Leaves out the texts a model was trained on.
    pub fn with_training(mut self, training: TrainingTexts) -> Exclusions {
        self.training = training;
        self
    }

    /// Adds every row of a CSV with a header that has a `text` column (and
    /// optionally an `id` column): a labelled file, a to_label file, training data.
    pub fn add_file(&mut self, path: &Path) -> Result<()> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let (counting, lines) = CountingReader::new(Box::new(BufReader::new(file)));
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(counting);
        let line_of = |p: Option<&csv::Position>| lines.borrow_mut().line_of(p);
        let header = match rdr.headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(csv_error(path, &e, line_of(e.position()))),
        };
        let text = header
            .iter()
            .position(|h| h == "text")
            .ok_or_else(|| Error::MissingColumn {
                path: path.to_path_buf(),
                column: "text".into(),
                available: header.iter().collect::<Vec<_>>().join(", "),
            })?;
        let id = header.iter().position(|h| h == "id");
        for rec in rdr.records() {
            let rec = rec.map_err(|e| csv_error(path, &e, line_of(e.position())))?;
            self.rows += 1;
            if let Some(t) = rec.get(text).map(str::trim).filter(|t| !t.is_empty()) {
                let normalized = normalized_text(t);
                if self
                    .fingerprints
                    .insert(fingerprint_of_normalized(&normalized))
                {
                    self.near.add(Signature::of(&normalized));
                }
            }
            if let Some(i) = id
                .and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|i| !i.is_empty())
            {
                self.ids.insert(i.to_string());
            }
        }
        Ok(())
    }

    /// Whether the statement with this id and normalised text (see
    /// [`normalized_text`]) is left out: its id or text was labelled, it is a
    /// near-duplicate of a labelled text, or the model was trained on it.
    pub fn excludes(&self, id: &str, normalized: &str) -> bool {
        let fingerprint = fingerprint_of_normalized(normalized);
        self.fingerprints.contains(&fingerprint)
            || self.training.contains(fingerprint)
            || self.ids.contains(id)
            || (!self.near.is_empty() && self.near.has_near(&Signature::of(normalized)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_id_by_text_and_by_training_text() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("done.csv");
        std::fs::write(
            &p,
            "id,text,topic\na1:2,\"Troops, go home!\",x\n,Only text.,y\n",
        )
        .unwrap();
        let mut ex = Exclusions::default().with_training(TrainingTexts::of(&["It rained.".into()]));
        ex.add_file(&p).unwrap();
        assert_eq!(ex.rows, 2);
        let excludes = |id: &str, text: &str| ex.excludes(id, &normalized_text(text));
        assert!(excludes("a1:2", "anything"));
        assert!(excludes("zz", "troops go home"));
        assert!(excludes("zz", "only TEXT"));
        assert!(excludes("zz", "it rained"));
        assert!(!excludes("a1:3", "Troops stay."));
    }

    #[test]
    fn near_duplicates_of_labelled_texts() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("done.csv");
        std::fs::write(
            &p,
            "text,topic
The minister said on Tuesday that coalition troops would leave Iraq by September.,x
",
        )
        .unwrap();
        let mut ex = Exclusions::default();
        ex.add_file(&p).unwrap();
        let excludes = |text: &str| ex.excludes("zz", &normalized_text(text));
        assert!(excludes(
            "The minister said Tuesday that coalition troops would leave Iraq by September, AFP reported."
        ));
        assert!(!excludes(
            "The minister said on Monday that the talks with Tehran went well."
        ));
        // Nothing labelled: nothing near.
        assert!(!Exclusions::default().excludes("zz", &normalized_text("It rained.")));
    }

    #[test]
    fn bad_exclude_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("done.csv");
        let mut ex = Exclusions::default();
        std::fs::write(&p, "id,body\n1,a\n").unwrap();
        let e = ex.add_file(&p).unwrap_err().to_string();
        assert!(e.contains("done.csv") && e.contains("\"text\""), "{e}");
        std::fs::write(&p, "id,text\n1,a\n2\n").unwrap();
        let e = ex.add_file(&p).unwrap_err().to_string();
        assert!(e.contains("done.csv:3:"), "{e}");
    }
}
