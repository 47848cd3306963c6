//! Candidates from statements scored before: `stance score --format jsonl`
//! output, which carries every probability.

use std::path::Path;

use super::candidates::Guess;
use super::sink::{ArticleCandidates, SuggestSink};
use crate::error::{Error, Result};
use crate::io::{FileFormat, ReadError, RecordFormat, ScoredEntry, ScoredReader, Statement};

/// Feeds the statements of a scored JSON Lines file into `sink`, article by
/// article (an article's rows are consecutive, as `score` writes them).
///
/// A row without `topic_probs` (CSV, or a file from elsewhere) or one that
/// cannot be read (or is longer than `max_record_bytes`) is an error naming
/// the file and line.
pub fn feed_scored(path: &Path, sink: &mut SuggestSink, max_record_bytes: usize) -> Result<u64> {
    let refused = |e: ReadError| {
        let message = e.to_string();
        let prefix = format!("{}: ", path.display());
        Error::Refused {
            path: path.to_path_buf(),
            message: message
                .strip_prefix(&prefix)
                .unwrap_or(&message)
                .to_string(),
        }
    };
    let reader = ScoredReader::open_limited(
        path,
        Some(FileFormat::Text(RecordFormat::Jsonl)),
        max_record_bytes,
    )
    .map_err(refused)?;
    let mut article: Vec<Statement> = Vec::new();
    let mut rows = 0;
    for entry in reader {
        let entry = entry.map_err(refused)?;
        let (position, s) = match entry {
            ScoredEntry::Statement(p, s) => (p, s),
            ScoredEntry::Problem(p) => {
                return Err(Error::BadRow {
                    path: path.to_path_buf(),
                    line: p.location.as_ref().and_then(|l| l.line).unwrap_or(0),
                    message: p.kind.to_string(),
                })
            }
        };
        if s.topic_probs.is_empty() {
            return Err(Error::BadRow {
                path: path.to_path_buf(),
                line: position.line.unwrap_or(0),
                message:
                    "no topic_probs: suggest reads the JSON Lines of `stance score --format jsonl`"
                        .into(),
            });
        }
        rows += 1;
        if article.last().is_some_and(|l| l.article_id != s.article_id) {
            take_article(sink, std::mem::take(&mut article));
        }
        article.push(s);
    }
    if !article.is_empty() {
        take_article(sink, article);
    }
    Ok(rows)
}

/// One article's scored statements as candidates.
fn take_article(sink: &mut SuggestSink, statements: Vec<Statement>) {
    let mut part = ArticleCandidates::default();
    let mut sentences =
        vec![String::new(); statements.iter().map(|s| s.sentence).max().unwrap_or(0)];
    for s in &statements {
        if let Some(slot) = s.sentence.checked_sub(1).and_then(|i| sentences.get_mut(i)) {
            *slot = s.text.trim().to_string();
        }
    }
    for s in statements {
        let topic_probs: Vec<f64> = s.topic_probs.iter().map(|p| p.1).collect();
        let stance_probs: Vec<f64> = s.stance_probs.iter().map(|p| p.1).collect();
        let guess = Guess {
            topic_probs: &topic_probs,
            stance_probs: &stance_probs,
            known_terms: s.known_terms,
        };
        let topic_prob = s
            .topic_probs
            .iter()
            .find(|p| p.0 == s.best_topic)
            .map_or(s.topic_prob, |p| p.1);
        let stance = s
            .stance
            .as_deref()
            .map(|l| (l, s.stance_prob.unwrap_or(0.0)));
        match sink.encoder_ref().candidate(
            &s.article_id,
            s.sentence,
            &s.text,
            &s.best_topic,
            stance,
            topic_prob,
            guess,
        ) {
            Some(mut c) => {
                c.source = s.source.clone();
                c.date = s.date.clone();
                part.push(c);
            }
            None => part.exclude(),
        }
    }
    part.fill(&sentences);
    sink.take(part);
}
