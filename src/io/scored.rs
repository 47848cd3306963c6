//! Scored records out: one row per statement, per article, per rejected item.
//!
//! Rows are formatted straight into a caller's byte buffer (CSV or JSON
//! Lines, same column names and order), so scoring threads format in
//! parallel and the writer only concatenates. Probabilities have a fixed
//! [`DECIMALS`] digits; [`Sink`] puts the bytes on stdout or in an
//! [`AtomicFile`].

use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::articles::{Article, Rejected};
use super::atomic::{AtomicFile, Staged};
use crate::error::{Error, Result};
use crate::report::row::UNCERTAIN;
use crate::report::ScoredRow;
use crate::swar;

/// How records are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// A header row, then comma-separated values (RFC 4180 quoting).
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl RecordFormat {
    /// The format implied by a file name: `.jsonl`, `.json`, `.ndjson` are JSON Lines, `.csv` is CSV.
    pub fn from_extension(path: &Path) -> Option<RecordFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(RecordFormat::Csv),
            "jsonl" | "json" | "ndjson" => Some(RecordFormat::Jsonl),
            _ => None,
        }
    }
}

/// Digits after the decimal point of probabilities and term contributions.
pub const DECIMALS: usize = 4;

const SCALE: f64 = 10_000.0;

/// The columns of a statement row, in order (CSV header, JSON keys).
pub const STATEMENT_COLUMNS: [&str; 13] = [
    "article_id",
    "sentence",
    "start",
    "end",
    "text",
    "topic",
    "topic_prob",
    "stance",
    "stance_prob",
    "date",
    "source",
    "best_topic",
    "min_confidence",
];

/// Extra columns with `--explain`.
pub const EXPLAIN_COLUMNS: [&str; 2] = ["topic_terms", "stance_terms"];

/// The columns of a rejects file.
pub const REJECT_COLUMNS: [&str; 4] = ["input", "position", "article_id", "reason"];

/// The model's labels as the writers need them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labels {
    /// Topic labels, in the model's order.
    pub topics: Vec<String>,
    /// Per topic, the labels of the stance head used for it; empty for a topic-only model.
    pub stances: Vec<Vec<String>>,
}

impl Labels {
    fn stances_of(&self, topic: usize) -> &[String] {
        self.stances.get(topic).map_or(&[], Vec::as_slice)
    }
}

/// One scored statement, borrowed from the scorer's buffers.
#[derive(Debug, Clone, Copy)]
pub struct StatementRecord<'a> {
    /// The article it belongs to.
    pub article: &'a Article,
    /// 1-based index in the article.
    pub sentence: usize,
    /// Byte offset of its start in the article text.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// The sentence.
    pub text: &'a str,
    /// Index of the most probable topic.
    pub best_topic: usize,
    /// Probability of every topic, in label order.
    pub topic_probs: &'a [f64],
    /// The best topic's probability is below the threshold: written as `uncertain`.
    pub uncertain: bool,
    /// Index of the stance among the best topic's stance labels; `None` for a topic-only model.
    pub stance: Option<usize>,
    /// Probability of every stance label of the best topic's head.
    pub stance_probs: &'a [f64],
    /// With `--explain`: (term, contribution) for the topic decision.
    pub topic_terms: &'a [(String, f64)],
    /// With `--explain`: (term, contribution) for the stance decision.
    pub stance_terms: &'a [(String, f64)],
}

impl StatementRecord<'_> {
    /// The same statement as `stance report` reads it back (probabilities rounded as written).
    pub fn to_report_row(&self, labels: &Labels, min_confidence: Option<f64>) -> ScoredRow {
        let best = labels
            .topics
            .get(self.best_topic)
            .cloned()
            .unwrap_or_default();
        let stance = self
            .stance
            .and_then(|s| labels.stances_of(self.best_topic).get(s));
        ScoredRow {
            article_id: self.article.id.clone(),
            sentence: self.sentence,
            start: self.start,
            end: self.end,
            text: self.text.to_string(),
            topic: if self.uncertain {
                UNCERTAIN.to_string()
            } else {
                best.clone()
            },
            topic_prob: rounded(
                self.topic_probs
                    .get(self.best_topic)
                    .copied()
                    .unwrap_or(0.0),
            ),
            stance: stance.cloned().unwrap_or_default(),
            stance_prob: rounded(
                self.stance
                    .and_then(|s| self.stance_probs.get(s).copied())
                    .unwrap_or(0.0),
            ),
            date: self.article.date.clone(),
            source: self.article.source.clone(),
            best_topic: best,
            min_confidence,
        }
    }
}

/// `x` rounded as [`push_fixed`] writes it.
///
/// Note: `n / 10^4` with integer `n` is correctly rounded, so this is the
/// same `f64` a reader gets by parsing the written text.
fn rounded(x: f64) -> f64 {
    if x.is_finite() && x.abs() < 1e14 {
        (x * SCALE).round() / SCALE
    } else {
        x
    }
}

/// Formats statement rows.
#[derive(Debug, Clone)]
pub struct StatementWriter {
    format: RecordFormat,
    labels: Labels,
    explain: bool,
    /// The threshold as given, for the `min_confidence` column.
    min_confidence: Option<String>,
}

impl StatementWriter {
    /// A writer; `explain` adds the term columns, `min_confidence` fills that column.
    pub fn new(
        format: RecordFormat,
        labels: Labels,
        explain: bool,
        min_confidence: Option<f64>,
    ) -> StatementWriter {
        StatementWriter {
            format,
            labels,
            explain,
            min_confidence: min_confidence.map(|p| p.to_string()),
        }
    }

    /// The labels it writes.
    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    /// The CSV header line (nothing for JSON Lines).
    pub fn header(&self, buf: &mut Vec<u8>) {
        if self.format == RecordFormat::Csv {
            let extra: &[&str] = if self.explain { &EXPLAIN_COLUMNS } else { &[] };
            csv_header(buf, STATEMENT_COLUMNS.iter().chain(extra));
        }
    }

    /// Appends one statement row to `buf`.
    pub fn write(&self, buf: &mut Vec<u8>, r: &StatementRecord) {
        let best = self
            .labels
            .topics
            .get(r.best_topic)
            .map_or("", String::as_str);
        let stance_labels = self.labels.stances_of(r.best_topic);
        let stance = r
            .stance
            .and_then(|s| stance_labels.get(s))
            .map(String::as_str);
        let stance_prob = r.stance.and_then(|s| r.stance_probs.get(s).copied());
        let mut f = Fields::start(buf, self.format);
        f.str("article_id", &r.article.id);
        f.uint("sentence", r.sentence as u64);
        f.uint("start", r.start as u64);
        f.uint("end", r.end as u64);
        f.str("text", r.text);
        f.str("topic", if r.uncertain { UNCERTAIN } else { best });
        f.prob("topic_prob", r.topic_probs.get(r.best_topic).copied());
        f.opt_str("stance", stance);
        f.prob("stance_prob", stance_prob);
        f.opt_str("date", r.article.date.as_deref());
        f.opt_str("source", r.article.source.as_deref());
        f.str("best_topic", best);
        f.raw("min_confidence", self.min_confidence.as_deref());
        if self.format == RecordFormat::Jsonl {
            f.prob_map("topic_probs", Some((&self.labels.topics, r.topic_probs)));
            f.prob_map(
                "stance_probs",
                r.stance.map(|_| (stance_labels, r.stance_probs)),
            );
        }
        if self.explain {
            f.terms("topic_terms", r.topic_terms);
            f.terms("stance_terms", r.stance_terms);
        }
        f.end();
    }
}

/// Per-topic counts and stance probabilities of one article's statements.
#[derive(Debug, Clone, Default)]
pub struct ArticleTally {
    statements: u64,
    uncertain: u64,
    /// Per topic: statements.
    n: Vec<u64>,
    /// Per topic and stance label: statements with that stance.
    votes: Vec<Vec<u64>>,
    /// Per topic and stance label: sum of the label's probability.
    sums: Vec<Vec<f64>>,
}

impl ArticleTally {
    /// Counts one statement; `uncertain` ones only count as such.
    pub fn add(&mut self, r: &StatementRecord) {
        self.statements += 1;
        if r.uncertain {
            self.uncertain += 1;
            return;
        }
        let t = r.best_topic;
        if let Some(n) = self.n.get_mut(t) {
            *n += 1;
        }
        if let (Some(s), Some(votes)) = (r.stance, self.votes.get_mut(t)) {
            if let Some(v) = votes.get_mut(s) {
                *v += 1;
            }
        }
        if let Some(sums) = self.sums.get_mut(t) {
            for (sum, p) in sums.iter_mut().zip(r.stance_probs) {
                *sum += p;
            }
        }
    }

    /// Forgets everything, keeping the shape.
    pub fn clear(&mut self) {
        self.statements = 0;
        self.uncertain = 0;
        self.n.iter_mut().for_each(|n| *n = 0);
        self.votes.iter_mut().flatten().for_each(|v| *v = 0);
        self.sums.iter_mut().flatten().for_each(|s| *s = 0.0);
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
        ArticleWriter {
            format,
            labels,
            with_uncertain,
            columns,
        }
    }

    /// Column names, in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// An empty tally shaped for these labels.
    pub fn tally(&self) -> ArticleTally {
        let topics = self.labels.topics.len();
        let shape = |t: usize| self.labels.stances_of(t).len();
        ArticleTally {
            n: vec![0; topics],
            votes: (0..topics).map(|t| vec![0; shape(t)]).collect(),
            sums: (0..topics).map(|t| vec![0.0; shape(t)]).collect(),
            ..ArticleTally::default()
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
        let mut names = self.columns.iter().map(String::as_str);
        let mut name = || names.next().unwrap_or_default();
        let mut f = Fields::start(buf, self.format);
        f.str(name(), &article.id);
        f.opt_str(name(), article.date.as_deref());
        f.opt_str(name(), article.source.as_deref());
        f.opt_str(name(), article.title.as_deref());
        f.uint(name(), tally.statements);
        for t in 0..self.labels.topics.len() {
            let labels = self.labels.stances_of(t);
            let n = tally.n.get(t).copied().unwrap_or(0);
            let votes = tally.votes.get(t).map_or(&[][..], Vec::as_slice);
            let sums = tally.sums.get(t).map_or(&[][..], Vec::as_slice);
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
        f.end();
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

/// The header line of a rejects file (nothing for JSON Lines).
pub fn reject_header(buf: &mut Vec<u8>, format: RecordFormat) {
    if format == RecordFormat::Csv {
        csv_header(buf, REJECT_COLUMNS.iter());
    }
}

/// Appends one rejected item: CSV columns [`REJECT_COLUMNS`], or a JSON line
/// `{"article_id", "rejected": true, "reason", "input", "position"}`.
pub fn write_reject(buf: &mut Vec<u8>, format: RecordFormat, r: &Rejected) {
    let position = r.position.to_string();
    let mut f = Fields::start(buf, format);
    match format {
        RecordFormat::Csv => {
            f.str("input", &r.input);
            f.str("position", &position);
            f.opt_str("article_id", r.article_id.as_deref());
            f.str("reason", &r.reason);
        }
        RecordFormat::Jsonl => {
            f.opt_str("article_id", r.article_id.as_deref());
            f.raw("rejected", Some("true"));
            f.str("reason", &r.reason);
            f.str("input", &r.input);
            f.str("position", &position);
        }
    }
    f.end();
}

fn csv_header<'a>(buf: &mut Vec<u8>, names: impl Iterator<Item = &'a (impl AsRef<str> + 'a)>) {
    for (i, name) in names.enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_csv(buf, name.as_ref());
    }
    buf.push(b'\n');
}

/// Writes one record's fields as CSV values or JSON `"key":value` pairs.
struct Fields<'b> {
    buf: &'b mut Vec<u8>,
    json: bool,
    first: bool,
}

impl<'b> Fields<'b> {
    fn start(buf: &'b mut Vec<u8>, format: RecordFormat) -> Fields<'b> {
        let json = format == RecordFormat::Jsonl;
        if json {
            buf.push(b'{');
        }
        Fields {
            buf,
            json,
            first: true,
        }
    }

    fn key(&mut self, key: &str) {
        if !std::mem::replace(&mut self.first, false) {
            self.buf.push(b',');
        }
        if self.json {
            push_json_str(self.buf, key);
            self.buf.push(b':');
        }
    }

    fn null(&mut self) {
        if self.json {
            self.buf.extend_from_slice(b"null");
        }
    }

    fn str(&mut self, key: &str, v: &str) {
        self.key(key);
        if self.json {
            push_json_str(self.buf, v);
        } else {
            push_csv(self.buf, v);
        }
    }

    fn opt_str(&mut self, key: &str, v: Option<&str>) {
        match v {
            Some(v) => self.str(key, v),
            None => {
                self.key(key);
                self.null();
            }
        }
    }

    /// A preformatted JSON literal or number (empty/null when `None`).
    fn raw(&mut self, key: &str, v: Option<&str>) {
        self.key(key);
        match v {
            Some(v) => self.buf.extend_from_slice(v.as_bytes()),
            None => self.null(),
        }
    }

    fn uint(&mut self, key: &str, v: u64) {
        self.key(key);
        push_uint(self.buf, v);
    }

    /// A probability; `None` and non-finite values are empty (CSV) or null (JSON).
    fn prob(&mut self, key: &str, v: Option<f64>) {
        self.key(key);
        match v.filter(|x| x.is_finite()) {
            Some(x) => push_fixed(self.buf, x, false),
            None => self.null(),
        }
    }

    /// JSON only: `{"label": p, ...}`, or null.
    fn prob_map(&mut self, key: &str, map: Option<(&[String], &[f64])>) {
        self.key(key);
        let Some((labels, probs)) = map else {
            self.null();
            return;
        };
        self.buf.push(b'{');
        for (i, (label, &p)) in labels.iter().zip(probs).enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            push_json_str(self.buf, label);
            self.buf.push(b':');
            push_json_number(self.buf, p);
        }
        self.buf.push(b'}');
    }

    /// CSV: `term:+0.1234;term2:-0.0567`; JSON: `[{"term": .., "contribution": ..}]`.
    fn terms(&mut self, key: &str, terms: &[(String, f64)]) {
        self.key(key);
        if self.json {
            self.buf.push(b'[');
            for (i, (term, c)) in terms.iter().enumerate() {
                if i > 0 {
                    self.buf.push(b',');
                }
                self.buf.extend_from_slice(b"{\"term\":");
                push_json_str(self.buf, term);
                self.buf.extend_from_slice(b",\"contribution\":");
                push_json_number(self.buf, *c);
                self.buf.push(b'}');
            }
            self.buf.push(b']');
        } else {
            let mut joined = Vec::new();
            for (i, (term, c)) in terms.iter().enumerate() {
                if i > 0 {
                    joined.push(b';');
                }
                joined.extend_from_slice(term.as_bytes());
                joined.push(b':');
                push_fixed(&mut joined, *c, true);
            }
            // Note: terms and numbers are UTF-8, so this never loses anything.
            push_csv(self.buf, &String::from_utf8_lossy(&joined));
        }
    }

    fn end(self) {
        if self.json {
            self.buf.push(b'}');
        }
        self.buf.push(b'\n');
    }
}

/// A JSON number with [`DECIMALS`] digits, or null when not finite.
fn push_json_number(buf: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        push_fixed(buf, x, false);
    } else {
        buf.extend_from_slice(b"null");
    }
}

/// Appends the decimal digits of `v`.
pub fn push_uint(buf: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// Appends `x` with [`DECIMALS`] digits after the point (`0.1235`, `-1.5000`;
/// `+` first for non-negative values when `plus`). Halves round away from zero.
pub fn push_fixed(buf: &mut Vec<u8>, x: f64, plus: bool) {
    if !(x.is_finite() && x.abs() < 1e14) {
        let text = if plus {
            format!("{x:+.DECIMALS$}")
        } else {
            format!("{x:.DECIMALS$}")
        };
        buf.extend_from_slice(text.as_bytes());
        return;
    }
    let scaled = (x.abs() * SCALE).round() as u64;
    if x < 0.0 && scaled > 0 {
        buf.push(b'-');
    } else if plus {
        buf.push(b'+');
    }
    push_uint(buf, scaled / SCALE as u64);
    buf.push(b'.');
    let mut digits = [b'0'; DECIMALS];
    let mut rest = scaled % SCALE as u64;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    buf.extend_from_slice(&digits);
}

/// Appends `s` as one CSV field, quoted only when it holds `,` `"` CR or LF.
pub fn push_csv(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if !needs_quotes(bytes) {
        buf.extend_from_slice(bytes);
        return;
    }
    buf.push(b'"');
    let mut from = 0;
    for quote in memchr::memchr_iter(b'"', bytes) {
        buf.extend_from_slice(&bytes[from..=quote]);
        buf.push(b'"');
        from = quote + 1;
    }
    buf.extend_from_slice(&bytes[from..]);
    buf.push(b'"');
}

/// Whether a CSV field holds `,` `"` CR or LF.
///
/// Note: every field of every statement row goes through here. A
/// byte-at-a-time scan was 4% of scoring time; two `memchr` calls per field
/// cost about 1,000 instructions per row (callgrind), mostly call and setup
/// overhead on short fields (ids, labels). This tests 8 bytes per step with
/// integer arithmetic instead.
#[inline]
fn needs_quotes(bytes: &[u8]) -> bool {
    let mut at = 0;
    while let Some(word) = swar::load(bytes, at) {
        let special = swar::eq(word, b',') | swar::eq(word, b'"') | swar::eq(word, b'\n');
        if special | swar::eq(word, b'\r') != 0 {
            return true;
        }
        at += 8;
    }
    bytes
        .get(at..)
        .unwrap_or_default()
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

/// Appends `s` as a JSON string literal.
pub fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf.push(b'"');
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        buf.extend_from_slice(&bytes[run..i]);
        if escape.is_empty() {
            buf.extend_from_slice(b"\\u00");
            buf.push(HEX[usize::from(b >> 4)]);
            buf.push(HEX[usize::from(b & 0xf)]);
        } else {
            buf.extend_from_slice(escape);
        }
        run = i + 1;
    }
    buf.extend_from_slice(&bytes[run..]);
    buf.push(b'"');
}

/// Where records go: stdout, or an [`AtomicFile`] that appears complete or not at all.
pub struct Sink {
    inner: SinkInner,
}

enum SinkInner {
    Stdout(BufWriter<io::StdoutLock<'static>>),
    File(AtomicFile),
}

/// Write-buffer size of stdout.
const WRITE_BUF: usize = 256 << 10;

impl Sink {
    /// Standard output.
    pub fn stdout() -> Sink {
        Sink {
            inner: SinkInner::Stdout(BufWriter::with_capacity(WRITE_BUF, io::stdout().lock())),
        }
    }

    /// A file written as [`AtomicFile::create`] says.
    pub fn create(dest: &Path) -> Result<Sink> {
        Ok(Sink {
            inner: SinkInner::File(AtomicFile::create(dest)?),
        })
    }

    /// The destination file; `None` for stdout.
    pub fn dest(&self) -> Option<&Path> {
        match &self.inner {
            SinkInner::Stdout(_) => None,
            SinkInner::File(file) => Some(file.path()),
        }
    }

    /// Flushes stdout, or finishes the file, which [`commit`](super::atomic::commit) then moves into place.
    pub fn finish(self) -> Result<Option<Staged>> {
        match self.inner {
            SinkInner::Stdout(mut w) => {
                w.flush().map(|()| None).map_err(|e| Error::io("stdout", e))
            }
            SinkInner::File(file) => file.finish().map(Some),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            SinkInner::Stdout(w) => w.write(buf),
            SinkInner::File(f) => f.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.inner {
            SinkInner::Stdout(w) => w.write_all(buf),
            SinkInner::File(f) => f.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            SinkInner::Stdout(w) => w.flush(),
            SinkInner::File(f) => f.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::articles::Position;

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut buf = Vec::new();
        f(&mut buf);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn fixed_decimals() {
        let fixed = |x: f64, plus: bool| text(|b| push_fixed(b, x, plus));
        assert_eq!(fixed(0.0, false), "0.0000");
        assert_eq!(fixed(1.0, false), "1.0000");
        assert_eq!(fixed(0.12345678, false), "0.1235");
        assert_eq!(fixed(0.99996, false), "1.0000");
        assert_eq!(fixed(-0.00004, true), "+0.0000");
        assert_eq!(fixed(-1.5, true), "-1.5000");
        assert_eq!(fixed(12.03, true), "+12.0300");
        assert_eq!(fixed(2e15, false), "2000000000000000.0000");
        assert_eq!(fixed(f64::NAN, false), "NaN");
        assert_eq!(text(|b| push_uint(b, 0)), "0");
        assert_eq!(text(|b| push_uint(b, u64::MAX)), u64::MAX.to_string());
        for p in [0.1, 0.33333, 0.5, 0.70715, 0.99999] {
            let written: f64 = fixed(p, false).parse().unwrap();
            assert_eq!(written, rounded(p), "{p}");
        }
    }

    #[test]
    fn csv_and_json_escaping() {
        assert_eq!(text(|b| push_csv(b, "plain text")), "plain text");
        assert_eq!(text(|b| push_csv(b, "a,b")), "\"a,b\"");
        assert_eq!(
            text(|b| push_csv(b, "say \"hi\"\n")),
            "\"say \"\"hi\"\"\n\""
        );
        let json = text(|b| push_json_str(b, "q\"\\\n\t\u{1}é"));
        assert_eq!(json, r#""q\"\\\n\t\u0001é""#);
        let back: String = serde_json::from_str(&json).unwrap();
        assert_eq!(back, "q\"\\\n\t\u{1}é");
    }

    proptest::proptest! {
        /// The csv crate reads back exactly the field `push_csv` wrote.
        #[test]
        fn csv_fields_read_back_exactly(field in "[a\",\r\n \u{e9}]{0,12}|\\PC{0,40}") {
            let mut line = Vec::new();
            push_csv(&mut line, &field);
            line.extend_from_slice(b",end\n");
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&line[..]);
            let record = reader.records().next().unwrap().unwrap();
            proptest::prop_assert_eq!(&record[0], field.as_str());
            proptest::prop_assert_eq!(&record[1], "end");
        }

        /// The 8-bytes-at-a-time test agrees with looking at every byte.
        #[test]
        fn needs_quotes_matches_a_byte_scan(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(vec![b',', b'"', b'\n', b'\r', b'a', b' ', 0, 0x80, 0xff]),
                    proptest::num::u8::ANY,
                ],
                0..40,
            ),
        ) {
            let expected = bytes.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
            proptest::prop_assert_eq!(needs_quotes(&bytes), expected);
        }
    }

    fn labels() -> Labels {
        Labels {
            topics: vec!["gaza".into(), "other".into()],
            stances: vec![
                vec!["against".into(), "favor".into()],
                vec!["neutral".into()],
            ],
        }
    }

    fn article() -> Article {
        Article {
            id: "a,1".into(),
            text: "One. Two, \"three\".".into(),
            date: Some("2024-01-02".into()),
            source: None,
            title: Some("T".into()),
        }
    }

    fn record<'a>(
        a: &'a Article,
        probs: &'a [f64],
        sp: &'a [f64],
        terms: &'a [(String, f64)],
    ) -> StatementRecord<'a> {
        StatementRecord {
            article: a,
            sentence: 2,
            start: 5,
            end: 18,
            text: &a.text[5..18],
            best_topic: 0,
            topic_probs: probs,
            uncertain: false,
            stance: Some(1),
            stance_probs: sp,
            topic_terms: terms,
            stance_terms: &[],
        }
    }

    #[test]
    fn statement_rows_in_both_formats() {
        let a = article();
        let terms = vec![
            ("gaza".to_string(), 0.51234),
            ("c:\"ab\"".to_string(), -0.1),
        ];
        let r = record(&a, &[0.75, 0.25], &[0.4, 0.6], &terms);
        let csv = StatementWriter::new(RecordFormat::Csv, labels(), true, Some(0.6));
        let out = text(|b| {
            csv.header(b);
            csv.write(b, &r);
        });
        assert_eq!(
            out,
            "article_id,sentence,start,end,text,topic,topic_prob,stance,stance_prob,date,source,best_topic,min_confidence,topic_terms,stance_terms\n\
             \"a,1\",2,5,18,\"Two, \"\"three\"\".\",gaza,0.7500,favor,0.6000,2024-01-02,,gaza,0.6,\"gaza:+0.5123;c:\"\"ab\"\":-0.1000\",\n"
        );
        let parsed: Vec<Vec<String>> = csv::Reader::from_reader(out.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(parsed[0][4], "Two, \"three\".");

        let json = StatementWriter::new(RecordFormat::Jsonl, labels(), true, None);
        let line = text(|b| {
            json.write(
                b,
                &StatementRecord {
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
        assert_eq!(keys.len(), 17);
    }

    #[test]
    fn topic_only_rows_leave_stance_empty() {
        let a = article();
        let r = StatementRecord {
            stance: None,
            stance_probs: &[],
            ..record(&a, &[0.75, 0.25], &[], &[])
        };
        let l = Labels {
            stances: Vec::new(),
            ..labels()
        };
        let csv = StatementWriter::new(RecordFormat::Csv, l.clone(), false, None);
        let out = text(|b| csv.write(b, &r));
        assert_eq!(
            out,
            "\"a,1\",2,5,18,\"Two, \"\"three\"\".\",gaza,0.7500,,,2024-01-02,,gaza,\n"
        );
        let row = r.to_report_row(&l, None);
        assert_eq!((row.stance.as_str(), row.topic.as_str()), ("", "gaza"));
        let json = StatementWriter::new(RecordFormat::Jsonl, l.clone(), false, None);
        let v: serde_json::Value = serde_json::from_str(&text(|b| json.write(b, &r))).unwrap();
        assert_eq!(v["stance"], serde_json::Value::Null);
        assert_eq!(v["stance_probs"], serde_json::Value::Null);
        let w = ArticleWriter::new(RecordFormat::Csv, l, false);
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

    #[test]
    fn article_rows_tally_topics_and_stances() {
        let a = article();
        let w = ArticleWriter::new(RecordFormat::Csv, labels(), true);
        assert_eq!(
            w.columns().join(","),
            "article_id,date,source,title,statements,gaza_n,gaza_stance,gaza_p_against,gaza_p_favor,other_n,other_stance,other_p_neutral,uncertain_n"
        );
        let mut tally = w.tally();
        let base = record(&a, &[0.9, 0.1], &[0.3, 0.7], &[]);
        tally.add(&base);
        tally.add(&StatementRecord {
            stance: Some(0),
            stance_probs: &[0.6, 0.4],
            ..base
        });
        tally.add(&StatementRecord {
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

    #[test]
    fn rejects_in_both_formats() {
        let r = Rejected {
            input: "dir".into(),
            position: Position {
                file: "dir/a.csv".into(),
                line: Some(4),
            },
            article_id: None,
            reason: "bad CSV record: 2 fields, the header has 3".into(),
        };
        let out = text(|b| {
            reject_header(b, RecordFormat::Csv);
            write_reject(b, RecordFormat::Csv, &r);
        });
        assert_eq!(
            out,
            "input,position,article_id,reason\ndir,dir/a.csv:4,,\"bad CSV record: 2 fields, the header has 3\"\n"
        );
        let line = text(|b| write_reject(b, RecordFormat::Jsonl, &r));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["rejected"], true);
        assert_eq!(v["article_id"], serde_json::Value::Null);
        assert_eq!(v["position"], "dir/a.csv:4");
    }
}
