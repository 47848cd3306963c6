//! [`SeenIds`]: the article ids read so far, so that a repeated one is
//! rejected with the position of its first use.
//!
//! Note: statements are grouped into articles by id downstream (`report`
//! counts distinct ids), so two articles with one id would be counted as two
//! by `score` and as one by `report`. A repeated id is therefore rejected at
//! reading; the first article with it is scored. This keeps every id seen, in
//! memory that grows with the ids (their bytes and about 50 more each), the
//! one cost of a run that grows with the number of articles.

use std::collections::HashMap;

/// The ids read so far and where each was first read.
#[derive(Debug, Default)]
pub(super) struct SeenIds {
    /// Files the ids were read from, in order (one entry per file in a row).
    files: Vec<String>,
    /// Each id, with its file (an index into `files`) and line.
    first: HashMap<Box<str>, (usize, Option<u64>)>,
}

impl SeenIds {
    /// Records `id`, read in `file` at `line`; when it was read before, the
    /// reason to reject this article.
    pub(super) fn admit(&mut self, id: &str, file: &str, line: Option<u64>) -> Result<(), String> {
        if let Some(&(f, first_line)) = self.first.get(id) {
            let at = match first_line {
                Some(l) => format!("{}:{l}", self.files[f]),
                None => self.files[f].clone(),
            };
            return Err(format!(
                "duplicate id: {id:?} was already read at {at} (ids must be unique across the inputs)"
            ));
        }
        if self.files.last().map(String::as_str) != Some(file) {
            self.files.push(file.to_string());
        }
        self.first.insert(id.into(), (self.files.len() - 1, line));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_id_names_its_first_position() {
        let mut seen = SeenIds::default();
        assert_eq!(seen.admit("a", "x.csv", Some(2)), Ok(()));
        assert_eq!(seen.admit("b", "x.csv", Some(3)), Ok(()));
        assert_eq!(seen.admit("c.txt", "d/c.txt", None), Ok(()));
        assert_eq!(
            seen.admit("a", "y.jsonl", Some(1)),
            Err("duplicate id: \"a\" was already read at x.csv:2 (ids must be unique across the inputs)".into())
        );
        assert!(seen
            .admit("c.txt", "e/c.txt", None)
            .unwrap_err()
            .contains("at d/c.txt ("));
        assert_eq!(seen.files, ["x.csv", "d/c.txt"]);
    }
}
