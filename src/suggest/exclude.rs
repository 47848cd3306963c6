//! Statements never to suggest: rows already labelled (by id and by
//! normalised text) and the model's own training texts.

use std::collections::HashSet;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::analysis::text_fingerprint;
use crate::error::{Error, Result};
use crate::io::{csv_error, CountingReader};
use crate::model::TrainingTexts;

/// Ids and text fingerprints to leave out, plus the model's training texts.
#[derive(Debug, Default, Clone)]
pub struct Exclusions {
    ids: HashSet<String>,
    fingerprints: HashSet<u64>,
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
                self.fingerprints.insert(text_fingerprint(t));
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

    /// Whether the statement with this id and text fingerprint is left out.
    pub fn excludes(&self, id: &str, fingerprint: u64) -> bool {
        self.fingerprints.contains(&fingerprint)
            || self.training.contains(fingerprint)
            || self.ids.contains(id)
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
        assert!(ex.excludes("a1:2", 0));
        assert!(ex.excludes("zz", text_fingerprint("troops go home")));
        assert!(ex.excludes("zz", text_fingerprint("only TEXT")));
        assert!(ex.excludes("zz", text_fingerprint("it rained")));
        assert!(!ex.excludes("a1:3", text_fingerprint("Troops stay.")));
        std::fs::write(&p, "id,body\n1,a\n").unwrap();
        let e = ex.add_file(&p).unwrap_err().to_string();
        assert!(e.contains("done.csv") && e.contains("\"text\""), "{e}");
        std::fs::write(&p, "id,text\n1,a\n2\n").unwrap();
        let e = ex.add_file(&p).unwrap_err().to_string();
        assert!(e.contains("done.csv:3:"), "{e}");
    }
}
