//! Labelled rows split into sentence statements, for evaluating `--unit sentence`.

use crate::analysis::split_sentences;
use crate::io::LabelledData;
use crate::pipeline::whole_span;

/// Labelled rows split into their sentences, each sentence a statement with its row's labels.
#[derive(Debug, Clone)]
pub struct SentenceRows {
    /// The sentences, as labelled data (`lines`: the line of the row each came from).
    pub data: LabelledData,
    /// Each sentence's article: the row's article id when given (and not
    /// empty), else one article per row, so that a row's sentences are scored
    /// together as `stance score --unit sentence` scores the row.
    pub articles: Vec<String>,
    /// For each sentence, the index of its row.
    pub rows: Vec<usize>,
}

/// Splits each row of `data` into sentences as `stance score` splits a text;
/// a row in which no sentence is found stays one statement (so every row is
/// evaluated). `articles`: each row's article id, if the data has them.
pub fn split_rows(data: &LabelledData, articles: Option<&[String]>) -> SentenceRows {
    let mut out = LabelledData {
        texts: Vec::new(),
        topics: Vec::new(),
        stances: data.stances.as_ref().map(|_| Vec::new()),
        lines: Vec::new(),
        sha256: data.sha256.clone(),
    };
    let (mut ids, mut rows) = (Vec::new(), Vec::new());
    for (i, text) in data.texts.iter().enumerate() {
        let mut spans = split_sentences(text);
        if spans.is_empty() {
            spans.extend(whole_span(text));
        }
        if spans.is_empty() {
            spans.push(crate::analysis::SentenceSpan {
                start: 0,
                end: text.len(),
            });
        }
        // Note: a control character cannot be in a CSV id the user wrote by
        // accident, so a row's own article never merges with a neighbour's.
        let id = match articles.map(|a| a[i].as_str()) {
            Some(a) if !a.is_empty() => a.to_string(),
            _ => format!("\u{1}row{i}"),
        };
        for span in spans {
            out.texts.push(span.slice(text).to_string());
            out.topics.push(data.topics[i].clone());
            if let (Some(s), Some(from)) = (out.stances.as_mut(), data.stances.as_ref()) {
                s.push(from[i].clone());
            }
            out.lines.push(data.lines[i]);
            ids.push(id.clone());
            rows.push(i);
        }
    }
    SentenceRows {
        data: out,
        articles: ids,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sentence_keeps_its_rows_labels_and_line() {
        let data = LabelledData {
            texts: vec![
                "First one. Second one here.".into(),
                "Alone".into(),
                "A. B? C!".into(),
            ],
            topics: vec!["t1".into(), "t2".into(), "t3".into()],
            stances: Some(vec!["favor".into(), "against".into(), "neutral".into()]),
            lines: vec![2, 3, 5],
            sha256: String::new(),
        };
        let split = split_rows(&data, None);
        assert_eq!(split.data.texts.len(), split.rows.len());
        assert!(split.data.texts.len() > 3, "{:?}", split.data.texts);
        for (j, &i) in split.rows.iter().enumerate() {
            assert!(data.texts[i].contains(split.data.texts[j].as_str()));
            assert_eq!(split.data.topics[j], data.topics[i]);
            assert_eq!(split.data.lines[j], data.lines[i]);
            assert_eq!(
                split.data.stances.as_ref().unwrap()[j],
                data.stances.as_ref().unwrap()[i]
            );
        }
        // every row is there, in order, and rows' articles differ
        let mut seen: Vec<usize> = split.rows.clone();
        seen.dedup();
        assert_eq!(seen, vec![0, 1, 2]);
        assert_ne!(split.articles[0], split.articles[split.articles.len() - 1]);
        let ids = vec!["a".to_string(), "a".to_string(), String::new()];
        let with = split_rows(&data, Some(&ids));
        assert!(
            with.articles
                .iter()
                .take_while(|_| true)
                .filter(|a| *a == "a")
                .count()
                >= 3
        );
    }
}
