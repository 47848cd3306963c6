//! Writing a batch as a to_label file: the columns `stance label` reads and
//! `stance train` trains on as they are.

use std::io::Write;
use std::path::Path;

use super::candidates::Candidate;
use crate::error::Result;
use crate::io::rounded;
use crate::label::TO_LABEL_COLUMNS;

/// Writes `chosen` (to `path`, named in errors) as CSV with the [`TO_LABEL_COLUMNS`] header; `topic` and
/// `stance` hold the model's guess (`stance` empty for a topic-only model),
/// probabilities and margins are rounded to 4 decimals.
pub fn write_to_label(out: impl Write, path: &Path, chosen: &[Candidate]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let csv_err = |e: csv::Error| crate::Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    w.write_record(TO_LABEL_COLUMNS).map_err(csv_err)?;
    let num = |x: f64| format!("{}", rounded(x));
    for c in chosen {
        let sentence = c.sentence.to_string();
        let (topic_prob, margin) = (num(c.topic_prob), num(c.margin));
        let stance_prob = c.stance_prob.map(num).unwrap_or_default();
        let row: [&str; TO_LABEL_COLUMNS.len()] = [
            &c.id,
            &c.text,
            &c.topic,
            c.stance.as_deref().unwrap_or(""),
            &c.article_id,
            &sentence,
            &c.context_before,
            &c.context_after,
            &topic_prob,
            &stance_prob,
            &margin,
            c.source.as_deref().unwrap_or(""),
            c.date.as_deref().unwrap_or(""),
            c.title.as_deref().unwrap_or(""),
        ];
        w.write_record(row).map_err(csv_err)?;
    }
    w.flush().map_err(|e| crate::Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    Ok(())
}
