//! Article rows: one row per scored article, with per-topic counts, the
//! majority stance and mean stance probabilities.

use std::sync::Arc;

use super::cells::{ArrowRows, Cells};
use super::encode::{csv_header, Fields};
use super::schema::{RecordFormat, UNCERTAIN};
use super::statement::{Labels, StatementView};
use crate::io::articles::Article;

/// Per-topic counts and stance probabilities of one article's statements.
#[derive(Debug, Clone)]
pub struct ArticleTally {
    statements: u64,
    uncertain: u64,
    /// Per topic: statements.
    n: Vec<u64>,
    /// Per topic and stance label (topic `t`'s at `offsets[t]..offsets[t + 1]`):
    /// statements with that stance.
    votes: Vec<u64>,
    /// Laid out as `votes`: sum of the label's probability.
    sums: Vec<f64>,
    /// Where each topic's labels start in `votes` and `sums`, and the end.
    // Note: flat and shared, so a tally (one per article) is three allocations.
    offsets: Arc<[usize]>,
}

impl ArticleTally {
    /// Counts one statement; `uncertain` ones only count as such.
    pub fn add(&mut self, r: &StatementView) {
        self.statements += 1;
        if r.uncertain {
            self.uncertain += 1;
            return;
        }
        let t = r.best_topic;
        if let Some(n) = self.n.get_mut(t) {
            *n += 1;
        }
        let range = self.range(t);
        if let (Some(s), Some(votes)) = (r.stance, self.votes.get_mut(range.clone())) {
            if let Some(v) = votes.get_mut(s) {
                *v += 1;
            }
        }
        if let Some(sums) = self.sums.get_mut(range) {
            for (sum, p) in sums.iter_mut().zip(r.stance_probs) {
                *sum += p;
            }
        }
    }

    /// Where topic `t`'s labels are in `votes` and `sums` (empty if unknown).
    fn range(&self, t: usize) -> std::ops::Range<usize> {
        match (self.offsets.get(t), self.offsets.get(t + 1)) {
            (Some(&a), Some(&b)) => a..b,
            _ => 0..0,
        }
    }

    /// Forgets everything, keeping the shape.
    pub fn clear(&mut self) {
        self.statements = 0;
        self.uncertain = 0;
        self.n.iter_mut().for_each(|n| *n = 0);
        self.votes.iter_mut().for_each(|v| *v = 0);
        self.sums.iter_mut().for_each(|s| *s = 0.0);
    }
}

/// Formats per-article rows: id, date, source, title, statements, then per topic
/// `<topic>_n`, `<topic>_stance` (majority stance) and `<topic>_p_<label>`
/// (mean probability of each stance label), and `uncertain_n` with a threshold.
#[derive(Debug, Clone)]
pub struct ArticleWriter {
    format: RecordFormat,
    labels: Labels,
    with_uncertain: bool,
    columns: Vec<String>,
    /// The tallies' layout (see [`ArticleTally`]).
    offsets: Arc<[usize]>,
}

impl ArticleWriter {
    /// A writer for `labels`; `with_uncertain` adds the `uncertain_n` column.
    pub fn new(format: RecordFormat, labels: Labels, with_uncertain: bool) -> ArticleWriter {
        let mut columns: Vec<String> = ["article_id", "date", "source", "title", "statements"]
            .iter()
            .map(|c| c.to_string())
            .collect();
        for (t, topic) in labels.topics.iter().enumerate() {
            columns.push(format!("{topic}_n"));
            columns.push(format!("{topic}_stance"));
            for label in labels.stances_of(t) {
                columns.push(format!("{topic}_p_{label}"));
            }
        }
        if with_uncertain {
            columns.push(format!("{UNCERTAIN}_n"));
        }
        let mut offsets = vec![0];
        for t in 0..labels.topics.len() {
            offsets.push(offsets[t] + labels.stances_of(t).len());
        }
        ArticleWriter {
            format,
            labels,
            with_uncertain,
            columns,
            offsets: offsets.into(),
        }
    }

    /// Column names, in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// An empty tally shaped for these labels.
    pub fn tally(&self) -> ArticleTally {
        let labels = self.offsets.last().copied().unwrap_or(0);
        ArticleTally {
            statements: 0,
            uncertain: 0,
            n: vec![0; self.labels.topics.len()],
            votes: vec![0; labels],
            sums: vec![0.0; labels],
            offsets: Arc::clone(&self.offsets),
        }
    }

    /// The CSV header line (nothing for JSON Lines).
    pub fn header(&self, buf: &mut Vec<u8>) {
        if self.format == RecordFormat::Csv {
            csv_header(buf, self.columns.iter());
        }
    }

    /// Appends the row of `article` with its `tally`.
    pub fn write(&self, buf: &mut Vec<u8>, article: &Article, tally: &ArticleTally) {
        let mut f = Fields::start(buf, self.format);
        self.cells(&mut f, article, tally);
        f.end();
    }

    /// Empty Arrow columns shaped for these rows (Parquet output).
    pub fn arrow_rows(&self) -> ArrowRows {
        ArrowRows::shaped_by(|r| self.cells(r, &Article::default(), &self.tally()))
    }

    /// Appends the row of `article` with its `tally` to Arrow columns from [`ArticleWriter::arrow_rows`].
    pub fn push_arrow(&self, rows: &mut ArrowRows, article: &Article, tally: &ArticleTally) {
        self.cells(rows, article, tally);
        rows.end_row();
    }

    /// The row's cells, in column order.
    fn cells(&self, f: &mut impl Cells, article: &Article, tally: &ArticleTally) {
        let mut names = self.columns.iter().map(String::as_str);
        let mut name = || names.next().unwrap_or_default();
        f.str(name(), &article.id);
        f.opt_str(name(), article.date.as_deref());
        f.opt_str(name(), article.source.as_deref());
        f.opt_str(name(), article.title.as_deref());
        f.uint(name(), tally.statements);
        for t in 0..self.labels.topics.len() {
            let labels = self.labels.stances_of(t);
            let n = tally.n.get(t).copied().unwrap_or(0);
            let range = tally.range(t);
            let votes = tally.votes.get(range.clone()).unwrap_or_default();
            let sums = tally.sums.get(range).unwrap_or_default();
            f.uint(name(), n);
            let majority = (n > 0).then(|| majority(votes, sums)).flatten();
            f.opt_str(
                name(),
                majority.and_then(|k| labels.get(k)).map(String::as_str),
            );
            for k in 0..labels.len() {
                let mean = (n > 0).then(|| sums.get(k).map(|s| s / n as f64)).flatten();
                f.prob(name(), mean);
            }
        }
        if self.with_uncertain {
            f.uint(name(), tally.uncertain);
        }
    }
}

/// The stance with most votes; ties go to the larger probability sum, then the first label.
fn majority(votes: &[u64], sums: &[f64]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for k in 0..votes.len() {
        let better = match best {
            None => true,
            Some(b) => {
                let sum = |i: usize| sums.get(i).copied().unwrap_or(0.0);
                (votes[k], sum(k)) > (votes[b], sum(b))
            }
        };
        if better {
            best = Some(k);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::scored::encode::tests::text;
    use crate::io::scored::statements::tests::{article, labels, record};

    #[test]
    fn article_rows_tally_topics_and_stances() {
        let a = article();
        let w = ArticleWriter::new(RecordFormat::Csv, labels(), true);
        assert_eq!(
            w.columns().join(","),
            "article_id,date,source,title,statements,gaza_n,gaza_stance,gaza_p_against,gaza_p_favor,other_n,other_stance,other_p_neutral,uncertain_n"
        );
        let mut tally = w.tally();
        let l = labels();
        let base = record(&l, &a, &[0.9, 0.1], &[0.3, 0.7], &[]);
        tally.add(&base);
        tally.add(&StatementView {
            stance: Some(0),
            stance_probs: &[0.6, 0.4],
            ..base
        });
        tally.add(&StatementView {
            stance: Some(0),
            stance_probs: &[0.9, 0.1],
            uncertain: true,
            ..base
        });
        let out = text(|b| w.write(b, &a, &tally));
        // Note: one vote each; favor wins on the larger probability sum (1.1 > 0.9).
        assert_eq!(out, "\"a,1\",2024-01-02,,T,3,2,favor,0.4500,0.5500,0,,,1\n");
        tally.clear();
        let out = text(|b| w.write(b, &a, &tally));
        assert_eq!(out, "\"a,1\",2024-01-02,,T,0,0,,,,0,,,0\n");
        let j = ArticleWriter::new(RecordFormat::Jsonl, labels(), false);
        let v: serde_json::Value =
            serde_json::from_str(&text(|b| j.write(b, &a, &j.tally()))).unwrap();
        assert_eq!(v["gaza_n"], 0);
        assert_eq!(v["gaza_stance"], serde_json::Value::Null);
        assert_eq!(v["title"], "T");
    }
}
