//! Statement rows: one CSV row or JSON line per scored statement.

use super::encode::{csv_header, Fields};
use super::schema::{RecordFormat, EXPLAIN_COLUMNS, STATEMENT_COLUMNS};
use super::statement::StatementView;

/// Formats statement rows.
#[derive(Debug, Clone)]
pub struct StatementWriter {
    format: RecordFormat,
    explain: bool,
    /// The threshold as given, for the `min_confidence` column.
    min_confidence: Option<String>,
    /// CSV: one column per topic and per stance label ([`StatementWriter::with_probs`]).
    probs: Option<ProbColumns>,
    /// The `top_topics` column's length ([`StatementWriter::with_top_k`]).
    top_k: Option<usize>,
}

/// The labels of the CSV probability columns.
#[derive(Debug, Clone)]
struct ProbColumns {
    topics: Vec<String>,
    /// Every stance label of any head, in first-seen order.
    stances: Vec<String>,
}

/// The prefix of the CSV topic probability columns (`p_topic:gaza`).
pub const TOPIC_PROB_PREFIX: &str = "p_topic:";
/// The prefix of the CSV stance probability columns (`p_stance:favor`).
pub const STANCE_PROB_PREFIX: &str = "p_stance:";

impl StatementWriter {
    /// A writer; `explain` adds the term columns, `min_confidence` fills that column.
    pub fn new(
        format: RecordFormat,
        explain: bool,
        min_confidence: Option<f64>,
    ) -> StatementWriter {
        StatementWriter {
            format,
            explain,
            min_confidence: min_confidence.map(|p| p.to_string()),
            probs: None,
            top_k: None,
        }
    }

    /// CSV rows also carry every probability: a column `p_topic:LABEL` per
    /// topic of `labels`, then a column `p_stance:LABEL` per stance label of
    /// any head (empty when the statement's head has no such label). JSON
    /// Lines rows carry them anyway (`topic_probs`, `stance_probs`).
    pub fn with_probs(mut self, labels: &super::statement::Labels) -> StatementWriter {
        let mut stances: Vec<String> = Vec::new();
        for l in labels.stances.iter().flatten() {
            if !stances.contains(l) {
                stances.push(l.clone());
            }
        }
        self.probs = Some(ProbColumns {
            topics: labels.topics.clone(),
            stances,
        });
        self
    }

    /// Rows also carry `top_topics`: the `k` most probable topics with their
    /// probabilities, best first (CSV `a:0.7500;b:0.2000`, JSON
    /// `[{"topic":"a","prob":0.75},..]`).
    pub fn with_top_k(mut self, k: usize) -> StatementWriter {
        self.top_k = Some(k);
        self
    }

    /// The format it writes.
    pub fn format(&self) -> RecordFormat {
        self.format
    }

    /// The CSV header line (nothing for JSON Lines).
    pub fn header(&self, buf: &mut Vec<u8>) {
        if self.format == RecordFormat::Csv {
            let mut names: Vec<String> = STATEMENT_COLUMNS.iter().map(|c| c.to_string()).collect();
            if self.explain {
                names.extend(EXPLAIN_COLUMNS.iter().map(|c| c.to_string()));
            }
            if self.top_k.is_some() {
                names.push("top_topics".into());
            }
            if let Some(p) = &self.probs {
                names.extend(p.topics.iter().map(|t| format!("{TOPIC_PROB_PREFIX}{t}")));
                names.extend(p.stances.iter().map(|t| format!("{STANCE_PROB_PREFIX}{t}")));
            }
            csv_header(buf, names.iter());
        }
    }

    /// Appends one statement row to `buf`.
    pub fn write(&self, buf: &mut Vec<u8>, r: &StatementView) {
        let best = r.best_topic_label();
        let mut f = Fields::start(buf, self.format);
        f.str("article_id", &r.article.id);
        f.uint("sentence", r.sentence as u64);
        f.uint("start", r.start as u64);
        f.uint("end", r.end as u64);
        f.str("text", r.text);
        f.str("topic", r.topic_label());
        f.prob("topic_prob", r.topic_prob());
        f.opt_str("stance", r.stance_label());
        f.prob("stance_prob", r.stance_prob());
        f.opt_str("date", r.article.date.as_deref());
        f.opt_str("source", r.article.source.as_deref());
        f.str("best_topic", best);
        f.raw("min_confidence", self.min_confidence.as_deref());
        f.uint("known_terms", r.known_terms as u64);
        f.opt_str("language", r.language);
        if self.format == RecordFormat::Jsonl {
            f.prob_map("topic_probs", Some((&r.labels.topics, r.topic_probs)));
            f.prob_map(
                "stance_probs",
                r.stance.map(|_| (r.stance_labels(), r.stance_probs)),
            );
        }
        if self.explain {
            f.terms("topic_terms", r.topic_terms);
            f.terms("stance_terms", r.stance_terms);
        }
        if let Some(k) = self.top_k {
            let mut ranked: Vec<(&str, f64)> = r
                .labels
                .topics
                .iter()
                .map(String::as_str)
                .zip(r.topic_probs.iter().copied())
                .collect();
            // Note: a stable sort, so equal probabilities keep the model's label order.
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
            ranked.truncate(k);
            f.ranked("top_topics", "topic", &ranked);
        }
        if let (Some(p), RecordFormat::Csv) = (&self.probs, self.format) {
            for (i, t) in p.topics.iter().enumerate() {
                f.prob(t, r.topic_probs.get(i).copied());
            }
            let labels = r.stance_labels();
            for l in &p.stances {
                let at = labels.iter().position(|x| x == l);
                let v = r
                    .stance
                    .and(at)
                    .and_then(|i| r.stance_probs.get(i).copied());
                f.prob(l, v);
            }
        }
        f.end();
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::io::articles::Article;
    use crate::io::scored::article_rows::ArticleWriter;
    use crate::io::scored::encode::tests::text;
    use crate::io::scored::statement::Labels;

    pub(in crate::io::scored) fn labels() -> Labels {
        Labels {
            topics: vec!["gaza".into(), "other".into()],
            stances: vec![
                vec!["against".into(), "favor".into()],
                vec!["neutral".into()],
            ],
        }
    }

    pub(in crate::io::scored) fn article() -> Article {
        Article {
            id: "a,1".into(),
            text: "One. Two, \"three\".".into(),
            date: Some("2024-01-02".into()),
            source: None,
            title: Some("T".into()),
        }
    }

    pub(in crate::io::scored) fn record<'a>(
        labels: &'a Labels,
        a: &'a Article,
        probs: &'a [f64],
        sp: &'a [f64],
        terms: &'a [(String, f64)],
    ) -> StatementView<'a> {
        StatementView {
            labels,
            article: a,
            sentence: 2,
            start: 5,
            end: 18,
            text: &a.text[5..18],
            best_topic: 0,
            topic_probs: probs,
            uncertain: false,
            min_confidence: None,
            stance: Some(1),
            stance_probs: sp,
            topic_terms: terms,
            stance_terms: &[],
            known_terms: 3,
            language: Some("eng"),
        }
    }

    #[test]
    fn statement_rows_in_both_formats() {
        let a = article();
        let terms = vec![
            ("gaza".to_string(), 0.51234),
            ("c:\"ab\"".to_string(), -0.1),
        ];
        let l = labels();
        let r = record(&l, &a, &[0.75, 0.25], &[0.4, 0.6], &terms);
        let csv = StatementWriter::new(RecordFormat::Csv, true, Some(0.6));
        let out = text(|b| {
            csv.header(b);
            csv.write(b, &r);
        });
        assert_eq!(
            out,
            "article_id,sentence,start,end,text,topic,topic_prob,stance,stance_prob,date,source,best_topic,min_confidence,known_terms,language,topic_terms,stance_terms\n\
             \"a,1\",2,5,18,\"Two, \"\"three\"\".\",gaza,0.7500,favor,0.6000,2024-01-02,,gaza,0.6,3,eng,\"gaza:+0.5123;c:\"\"ab\"\":-0.1000\",\n"
        );
        let parsed: Vec<Vec<String>> = csv::Reader::from_reader(out.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(parsed[0][4], "Two, \"three\".");

        let json = StatementWriter::new(RecordFormat::Jsonl, true, None);
        let line = text(|b| {
            json.write(
                b,
                &StatementView {
                    uncertain: true,
                    ..r
                },
            )
        });
        assert!(line.ends_with("}\n"));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["topic"], "uncertain");
        assert_eq!(v["best_topic"], "gaza");
        assert_eq!(v["topic_prob"], 0.75);
        assert_eq!(v["source"], serde_json::Value::Null);
        assert_eq!(v["min_confidence"], serde_json::Value::Null);
        assert_eq!(v["stance_probs"]["favor"], 0.6);
        assert_eq!(v["topic_probs"]["other"], 0.25);
        assert_eq!(v["topic_terms"][1]["term"], "c:\"ab\"");
        assert_eq!(v["topic_terms"][1]["contribution"], -0.1);
        assert_eq!(v["stance_terms"], serde_json::json!([]));
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            (v["known_terms"].as_u64(), v["language"].as_str()),
            (Some(3), Some("eng"))
        );
        assert_eq!(keys.len(), 19);
    }

    #[test]
    fn topic_only_rows_leave_stance_empty() {
        let a = article();
        let l = Labels {
            stances: Vec::new(),
            ..labels()
        };
        let r = StatementView {
            stance: None,
            stance_probs: &[],
            ..record(&l, &a, &[0.75, 0.25], &[], &[])
        };
        let csv = StatementWriter::new(RecordFormat::Csv, false, None);
        let out = text(|b| csv.write(b, &r));
        assert_eq!(
            out,
            "\"a,1\",2,5,18,\"Two, \"\"three\"\".\",gaza,0.7500,,,2024-01-02,,gaza,,3,eng\n"
        );
        let row = r.read_back();
        assert_eq!((row.stance, row.topic.as_str()), (None, "gaza"));
        let json = StatementWriter::new(RecordFormat::Jsonl, false, None);
        let v: serde_json::Value = serde_json::from_str(&text(|b| json.write(b, &r))).unwrap();
        assert_eq!(v["stance"], serde_json::Value::Null);
        assert_eq!(v["stance_probs"], serde_json::Value::Null);
        let w = ArticleWriter::new(RecordFormat::Csv, l.clone(), false);
        assert_eq!(
            w.columns().join(","),
            "article_id,date,source,title,statements,gaza_n,gaza_stance,other_n,other_stance"
        );
        let mut tally = w.tally();
        tally.add(&r);
        assert_eq!(
            text(|b| w.write(b, &a, &tally)),
            "\"a,1\",2024-01-02,,T,1,1,,0,\n"
        );
    }
}
