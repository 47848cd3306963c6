//! `stance score`: articles in, one scored row per statement out.
//!
//! A reader thread turns the inputs into batches of items (articles or
//! rejects, about [`BATCH_BYTES`] of text each) and sends them over a
//! bounded channel; the main thread scores each batch in parallel with rayon
//! (sentences -> TF-IDF row -> topic head -> that topic's stance head), every
//! article formatted into its own buffer, and writes the buffers in input
//! order. Memory is a few batches whatever the input size, and the output
//! bytes do not depend on the number of threads.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::analysis::{split_sentences, Analyzer};
use crate::features::{display_term, Row};
use crate::io::articles::{
    expand_inputs, ArticleColumns, ArticleReader, InputKind, Item, ReadOptions, Rejected, Source,
};
use crate::io::scored::{
    reject_header, write_reject, ArticleTally, ArticleWriter, Labels, RecordFormat, Sink,
    StatementRecord, StatementWriter,
};
use crate::io::{check_outputs, commit, AtomicFile};
use crate::model::{IdfRows, LinearHead, StanceModel};
use crate::report::{render, OutputFormat, ReportBuilder, ReportOptions, ScoredRow};

/// Arguments of `stance score`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScoreArgs {
    /// Articles: .txt files (one article each), CSV, JSON Lines (.jsonl/.json),
    /// directories of them (walked recursively in path order), or `-` for stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Model file.
    #[arg(long, default_value = "models/default.model", value_name = "MODEL")]
    pub model: PathBuf,

    #[command(flatten)]
    pub model_limit: super::ModelLimitArgs,

    /// Write the statements to FILE (written beside it, renamed when complete) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Statement output format [default: from --out's extension, else csv].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// Also write one row per article: statements, and per topic its count,
    /// majority stance and mean stance probabilities (JSON Lines for .jsonl, else CSV).
    #[arg(long, value_name = "FILE")]
    pub articles_out: Option<PathBuf>,

    /// Rejected items (CSV: input,position,article_id,reason; JSON Lines for .jsonl);
    /// `-` writes them to stdout as JSON lines among the statements
    /// [default: <out>.rejects.csv, or stance-rejects.csv with stdout; only written when needed].
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// Also aggregate a report in the same pass (as `stance report`); format from the
    /// extension: .html, .json, .csv, .md, else a text table.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// CSV column / JSON key of the article id.
    #[arg(long, default_value = "id", value_name = "NAME")]
    pub id_col: String,

    /// CSV column / JSON key of the article text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_col: String,

    /// CSV column / JSON key of the date (optional in the data).
    #[arg(long, default_value = "date", value_name = "NAME")]
    pub date_col: String,

    /// CSV column / JSON key of the source (optional in the data).
    #[arg(long, default_value = "source", value_name = "NAME")]
    pub source_col: String,

    /// CSV column / JSON key of the title (optional in the data).
    #[arg(long, default_value = "title", value_name = "NAME")]
    pub title_col: String,

    /// Format of `-` (default jsonl; with txt every line is one article) and of
    /// files named on the command line (default: by extension).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormatArg>,

    /// Statements whose topic probability is below P get the topic `uncertain`.
    #[arg(long, value_name = "P")]
    pub min_confidence: Option<f64>,

    /// Add the K terms that weighed most in the topic and in the stance decision.
    #[arg(long, value_name = "K")]
    pub explain: Option<usize>,

    /// Reject a .txt file, CSV record or input line larger than this many bytes.
    #[arg(long, default_value_t = crate::io::articles::DEFAULT_MAX_BYTES, value_name = "BYTES")]
    pub max_article_bytes: usize,

    /// No progress bar and no summary line on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `--format` values.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatArg {
    /// CSV with a header.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// `--input-format` values.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormatArg {
    /// CSV with a header.
    Csv,
    /// JSON Lines.
    #[value(alias = "json")]
    Jsonl,
    /// Plain text.
    Txt,
}

impl From<InputFormatArg> for InputKind {
    fn from(f: InputFormatArg) -> Self {
        match f {
            InputFormatArg::Csv => InputKind::Csv,
            InputFormatArg::Jsonl => InputKind::Jsonl,
            InputFormatArg::Txt => InputKind::Txt,
        }
    }
}

/// Text per batch sent from the reader thread.
pub const BATCH_BYTES: usize = 2 << 20;

/// Most items per batch (many tiny articles).
const BATCH_ITEMS: usize = 16 << 10;

/// Batches queued between the reader and the scorer.
const QUEUED_BATCHES: usize = 2;

/// Where rejected items go.
#[derive(Debug, Clone, PartialEq)]
enum RejectsTo {
    /// JSON lines on stdout (`--rejects -`).
    Stdout,
    /// A file; `explicit` when named by `--rejects` (then written even when empty).
    File {
        path: PathBuf,
        format: RecordFormat,
        explicit: bool,
    },
}

/// The checked arguments.
#[derive(Debug, Clone)]
struct Plan {
    out: Option<PathBuf>,
    format: RecordFormat,
    articles_out: Option<(PathBuf, RecordFormat)>,
    rejects: RejectsTo,
    report: Option<(PathBuf, OutputFormat)>,
    read: ReadOptions,
    input_kind: Option<InputKind>,
    min_confidence: Option<f64>,
    explain: Option<usize>,
}

impl Plan {
    /// Every file the run will write.
    fn output_paths(&self) -> Vec<&Path> {
        let mut paths: Vec<&Path> = Vec::new();
        paths.extend(self.out.as_deref());
        paths.extend(self.articles_out.as_ref().map(|(p, _)| p.as_path()));
        if let RejectsTo::File { path, .. } = &self.rejects {
            paths.push(path);
        }
        paths.extend(self.report.as_ref().map(|(p, _)| p.as_path()));
        paths
    }
}

fn report_format(path: &Path) -> OutputFormat {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => OutputFormat::Html,
        Some("json") => OutputFormat::Json,
        Some("csv") => OutputFormat::Csv,
        Some("md" | "markdown") => OutputFormat::Markdown,
        _ => OutputFormat::Table,
    }
}

/// Checks the arguments; the only place they are validated.
fn plan(args: &ScoreArgs) -> anyhow::Result<Plan> {
    if let Some(p) = args.min_confidence {
        if !(0.0..=1.0).contains(&p) {
            bail!("--min-confidence must be between 0 and 1, got {p}");
        }
    }
    if args.explain == Some(0) {
        bail!("--explain must be at least 1");
    }
    if args.max_article_bytes == 0 {
        bail!("--max-article-bytes must be at least 1");
    }
    if args.inputs.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        bail!("`-` (stdin) can be given only once");
    }
    let columns = ArticleColumns {
        id: args.id_col.clone(),
        text: args.text_col.clone(),
        date: args.date_col.clone(),
        source: args.source_col.clone(),
        title: args.title_col.clone(),
    };
    if columns.id == columns.text {
        bail!(
            "--id-col and --text-col must differ (both are {:?})",
            columns.id
        );
    }
    let format = match (args.format, &args.out) {
        (Some(FormatArg::Csv), _) => RecordFormat::Csv,
        (Some(FormatArg::Jsonl), _) => RecordFormat::Jsonl,
        (None, Some(out)) => RecordFormat::from_extension(out).unwrap_or(RecordFormat::Csv),
        (None, None) => RecordFormat::Csv,
    };
    let rejects = match &args.rejects {
        Some(p) if p.as_os_str() == "-" => {
            if args.out.is_none() && format == RecordFormat::Csv {
                bail!("--rejects - writes JSON lines to stdout: use it with --format jsonl, or with --out FILE");
            }
            RejectsTo::Stdout
        }
        Some(p) => RejectsTo::File {
            path: p.clone(),
            format: RecordFormat::from_extension(p).unwrap_or(RecordFormat::Csv),
            explicit: true,
        },
        None => {
            let path = match &args.out {
                Some(out) => {
                    let mut name = out.clone().into_os_string();
                    name.push(".rejects.csv");
                    PathBuf::from(name)
                }
                None => PathBuf::from("stance-rejects.csv"),
            };
            RejectsTo::File {
                path,
                format: RecordFormat::Csv,
                explicit: false,
            }
        }
    };
    let plan = Plan {
        out: args.out.clone(),
        format,
        articles_out: args.articles_out.as_ref().map(|p| {
            (
                p.clone(),
                RecordFormat::from_extension(p).unwrap_or(RecordFormat::Csv),
            )
        }),
        rejects,
        report: args.report.as_ref().map(|p| (p.clone(), report_format(p))),
        read: ReadOptions {
            columns,
            max_bytes: args.max_article_bytes,
        },
        input_kind: args.input_format.map(InputKind::from),
        min_confidence: args.min_confidence,
        explain: args.explain,
    };
    let paths = plan.output_paths();
    for (i, p) in paths.iter().enumerate() {
        if p.as_os_str() == "-" {
            bail!(
                "{} is not a file name; only --rejects accepts `-`",
                p.display()
            );
        }
        if paths[..i].contains(p) {
            bail!("{} is named for two outputs", p.display());
        }
    }
    Ok(plan)
}

/// Everything a scoring thread shares: the model and the row formats.
struct Scorer<'m> {
    model: &'m StanceModel,
    /// The topic head's rows with the idf.
    topic_rows: IdfRows,
    /// Per topic, the stance head used for it.
    heads: Vec<Option<&'m LinearHead>>,
    terms: &'m [String],
    statements: StatementWriter,
    articles: Option<ArticleWriter>,
    min_confidence: Option<f64>,
    explain: Option<usize>,
    report: bool,
}

impl<'m> Scorer<'m> {
    fn new(model: &'m StanceModel, topic_rows: IdfRows, plan: &Plan) -> Scorer<'m> {
        let topics = model.topics().to_vec();
        let heads: Vec<Option<&LinearHead>> = topics.iter().map(|t| model.stance_head(t)).collect();
        let labels = Labels {
            stances: heads
                .iter()
                .map(|h| h.map(|h| h.labels.clone()).unwrap_or_default())
                .collect(),
            topics,
        };
        Scorer {
            model,
            topic_rows,
            heads,
            terms: model.vectorizer.vocabulary().terms(),
            statements: StatementWriter::new(
                plan.format,
                labels.clone(),
                plan.explain.is_some(),
                plan.min_confidence,
            ),
            articles: plan
                .articles_out
                .as_ref()
                .map(|(_, f)| ArticleWriter::new(*f, labels, plan.min_confidence.is_some())),
            min_confidence: plan.min_confidence,
            explain: plan.explain,
            report: plan.report.is_some(),
        }
    }

    /// The `k` terms of `row` that moved `head`'s score for `class` most.
    fn explain(
        &self,
        head: &LinearHead,
        row: &Row,
        class: usize,
        k: usize,
        out: &mut Vec<(String, f64)>,
    ) {
        out.clear();
        out.extend(
            head.contributions(&row.cols, &row.vals, class, k)
                .into_iter()
                .map(|(col, c)| {
                    let term = self.terms.get(col as usize).map_or("?", String::as_str);
                    (display_term(term), c)
                }),
        );
    }
}

/// What scoring one item gives.
enum Outcome {
    /// Formatted rows of a scored article.
    Scored {
        /// Statement rows.
        rows: Vec<u8>,
        /// Its `--articles-out` row, if asked for.
        article_row: Vec<u8>,
        /// How many statements.
        statements: usize,
        /// The statements for `--report`, if asked for.
        report_rows: Vec<ScoredRow>,
    },
    /// Passed through from the reader.
    Rejected(Rejected),
}

/// One thread's analyzer and buffers, kept from batch to batch.
struct Worker {
    analyzer: Analyzer,
    /// The statement being scored.
    row: Row,
    /// The statement after it, analysed ahead.
    next_row: Row,
    topic_probs: Vec<f64>,
    stance_probs: Vec<f64>,
    topic_terms: Vec<(String, f64)>,
    stance_terms: Vec<(String, f64)>,
    tally: Option<ArticleTally>,
}

impl Worker {
    fn new(s: &Scorer) -> Worker {
        Worker {
            analyzer: s.model.vectorizer.analyzer(),
            row: Row::default(),
            next_row: Row::default(),
            topic_probs: vec![0.0; s.model.topic.n_classes()],
            stance_probs: Vec::new(),
            topic_terms: Vec::new(),
            stance_terms: Vec::new(),
            tally: s.articles.as_ref().map(ArticleWriter::tally),
        }
    }

    /// Scores every sentence of an article.
    ///
    /// Note: this is `StanceModel::predict_row` without its per-row allocations
    /// (label clones, probability vectors); the unit test below keeps the two equal.
    fn score(&mut self, s: &Scorer, item: Item) -> Outcome {
        let article = match item {
            Item::Article(a) => a,
            Item::Rejected(r) => return Outcome::Rejected(r),
        };
        let spans = split_sentences(&article.text);
        let mut rows = Vec::with_capacity(article.text.len() + 128 * spans.len());
        let mut report_rows = Vec::new();
        if let Some(t) = &mut self.tally {
            t.clear();
        }
        let vectorizer = &s.model.vectorizer;
        if let Some(first) = spans.first() {
            let text = first.slice(&article.text);
            vectorizer.count_terms(&mut self.analyzer, text, &mut self.row);
        }
        for (i, span) in spans.iter().enumerate() {
            let text = span.slice(&article.text);
            // Note: the next statement is analysed first and its weight rows
            // (with the idf, in `IdfRows`) are prefetched, so they arrive
            // while this statement is weighed, its heads run and its row is
            // written (the rows and the idf of a large model are mostly not
            // in cache: the heads waited on the rows for 12% of the time, the
            // weighing on the idf for 4%).
            if let Some(next) = spans.get(i + 1) {
                let next_text = next.slice(&article.text);
                vectorizer.count_terms(&mut self.analyzer, next_text, &mut self.next_row);
                s.topic_rows.prefetch(&self.next_row.cols);
            }
            let row = &mut self.row;
            s.topic_rows.weigh(&row.cols, &row.counts, &mut row.vals);
            s.topic_rows
                .probabilities(&row.cols, &row.vals, &mut self.topic_probs);
            let best = LinearHead::argmax(&self.topic_probs);
            let head = s.heads.get(best).copied().flatten();
            let stance = head.map(|h| {
                self.stance_probs.resize(h.n_classes(), 0.0);
                h.probabilities(&self.row.cols, &self.row.vals, &mut self.stance_probs);
                LinearHead::argmax(&self.stance_probs)
            });
            if let Some(k) = s.explain {
                s.explain(&s.model.topic, &self.row, best, k, &mut self.topic_terms);
                match head.zip(stance) {
                    Some((h, c)) => s.explain(h, &self.row, c, k, &mut self.stance_terms),
                    None => self.stance_terms.clear(),
                }
            }
            let record = StatementRecord {
                article: &article,
                sentence: i + 1,
                start: span.start,
                end: span.end,
                text,
                best_topic: best,
                topic_probs: &self.topic_probs,
                uncertain: s
                    .min_confidence
                    .is_some_and(|p| self.topic_probs.get(best).is_some_and(|&b| b < p)),
                stance,
                stance_probs: if head.is_some() {
                    &self.stance_probs
                } else {
                    &[]
                },
                topic_terms: &self.topic_terms,
                stance_terms: &self.stance_terms,
            };
            s.statements.write(&mut rows, &record);
            if let Some(t) = &mut self.tally {
                t.add(&record);
            }
            if s.report {
                report_rows.push(record.to_report_row(s.statements.labels(), s.min_confidence));
            }
            std::mem::swap(&mut self.row, &mut self.next_row);
        }
        let mut article_row = Vec::new();
        if let (Some(w), Some(t)) = (&s.articles, &self.tally) {
            w.write(&mut article_row, &article, t);
        }
        Outcome::Scored {
            rows,
            article_row,
            statements: spans.len(),
            report_rows,
        }
    }
}

/// Workers kept between batches, so each thread's analyzer memo stays warm.
struct Pool<'s, 'm> {
    scorer: &'s Scorer<'m>,
    idle: Mutex<Vec<Worker>>,
}

/// A worker on loan from the pool; it goes back when the lease is dropped.
struct Lease<'p, 's, 'm> {
    pool: &'p Pool<'s, 'm>,
    worker: Option<Worker>,
}

impl<'s, 'm> Pool<'s, 'm> {
    fn lease(&self) -> Lease<'_, 's, 'm> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        Lease {
            pool: self,
            worker: Some(idle.unwrap_or_else(|| Worker::new(self.scorer))),
        }
    }
}

impl Lease<'_, '_, '_> {
    fn score(&mut self, item: Item) -> Outcome {
        let scorer = self.pool.scorer;
        self.worker
            .get_or_insert_with(|| Worker::new(scorer))
            .score(scorer, item)
    }
}

impl Drop for Lease<'_, '_, '_> {
    fn drop(&mut self) {
        if let (Some(w), Ok(mut idle)) = (self.worker.take(), self.pool.idle.lock()) {
            idle.push(w);
        }
    }
}

/// Items read together, and how far into the inputs the reader was.
struct Batch {
    items: Vec<Item>,
    bytes_read: u64,
}

/// The reader thread: batches of items until the inputs end or the receiver hangs up.
fn read_batches(mut reader: ArticleReader, tx: SyncSender<Batch>) {
    let mut items = Vec::new();
    let mut text = 0;
    while let Some(item) = reader.next() {
        text += match &item {
            Item::Article(a) => a.text.len(),
            Item::Rejected(_) => 0,
        };
        items.push(item);
        // Note: on stdin a batch also ends when the input has nothing more
        // buffered, so a pipe that waits for answers gets them.
        if text >= BATCH_BYTES || items.len() >= BATCH_ITEMS || reader.waiting_on_stdin() {
            let batch = Batch {
                items: std::mem::take(&mut items),
                bytes_read: reader.bytes_read(),
            };
            if tx.send(batch).is_err() {
                return;
            }
            text = 0;
        }
    }
    if !items.is_empty() {
        let _ = tx.send(Batch {
            items,
            bytes_read: reader.bytes_read(),
        });
    }
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    read: u64,
    scored: u64,
    statements: u64,
    rejected: u64,
}

/// Where rejects are written.
enum RejectSink {
    /// Into the statement output (stdout).
    Statements,
    /// Stdout, while the statements go to a file.
    Stdout(Sink),
    /// A file, created on the first reject (or at the end when named explicitly).
    File {
        path: PathBuf,
        format: RecordFormat,
        explicit: bool,
        sink: Option<Sink>,
    },
}

/// The open outputs.
struct Outputs {
    statements: Sink,
    articles: Option<Sink>,
    rejects: RejectSink,
    report: Option<(ReportBuilder, PathBuf, OutputFormat)>,
    buf: Vec<u8>,
}

fn write_to(sink: &mut Sink, bytes: &[u8]) -> anyhow::Result<()> {
    sink.write_all(bytes).with_context(|| match sink.dest() {
        Some(p) => format!("cannot write {}", p.display()),
        None => "cannot write to stdout".to_string(),
    })
}

impl Outputs {
    fn open(plan: &Plan, scorer: &Scorer) -> anyhow::Result<Outputs> {
        let mut statements = match &plan.out {
            Some(p) => Sink::create(p)?,
            None => Sink::stdout(),
        };
        let mut buf = Vec::new();
        scorer.statements.header(&mut buf);
        write_to(&mut statements, &buf)?;
        let articles = match (&plan.articles_out, &scorer.articles) {
            (Some((p, _)), Some(w)) => {
                let mut sink = Sink::create(p)?;
                buf.clear();
                w.header(&mut buf);
                write_to(&mut sink, &buf)?;
                Some(sink)
            }
            _ => None,
        };
        let rejects = match &plan.rejects {
            RejectsTo::Stdout if plan.out.is_none() => RejectSink::Statements,
            RejectsTo::Stdout => RejectSink::Stdout(Sink::stdout()),
            RejectsTo::File {
                path,
                format,
                explicit,
            } => RejectSink::File {
                path: path.clone(),
                format: *format,
                explicit: *explicit,
                sink: None,
            },
        };
        let report = match &plan.report {
            Some((path, format)) => {
                let options = ReportOptions {
                    min_confidence: plan
                        .min_confidence
                        .unwrap_or(ReportOptions::default().min_confidence),
                    ..ReportOptions::default()
                };
                Some((ReportBuilder::new(options)?, path.clone(), *format))
            }
            None => None,
        };
        Ok(Outputs {
            statements,
            articles,
            rejects,
            report,
            buf,
        })
    }

    fn reject(&mut self, r: &Rejected) -> anyhow::Result<()> {
        self.buf.clear();
        match &mut self.rejects {
            RejectSink::Statements => {
                write_reject(&mut self.buf, RecordFormat::Jsonl, r);
                write_to(&mut self.statements, &self.buf)
            }
            RejectSink::Stdout(sink) => {
                write_reject(&mut self.buf, RecordFormat::Jsonl, r);
                write_to(sink, &self.buf)
            }
            RejectSink::File {
                path, format, sink, ..
            } => {
                let sink = match sink {
                    Some(s) => s,
                    None => {
                        reject_header(&mut self.buf, *format);
                        sink.insert(Sink::create(path)?)
                    }
                };
                write_reject(&mut self.buf, *format, r);
                write_to(sink, &self.buf)
            }
        }
    }

    fn write(&mut self, outcomes: Vec<Outcome>, stats: &mut Stats) -> anyhow::Result<()> {
        for outcome in outcomes {
            stats.read += 1;
            match outcome {
                Outcome::Scored {
                    rows,
                    article_row,
                    statements,
                    report_rows,
                } => {
                    stats.scored += 1;
                    stats.statements += statements as u64;
                    write_to(&mut self.statements, &rows)?;
                    if let Some(sink) = &mut self.articles {
                        write_to(sink, &article_row)?;
                    }
                    if let Some((builder, ..)) = &mut self.report {
                        for row in &report_rows {
                            // Note: a row the report refuses (e.g. a date that is not
                            // ISO) is listed in the report's problems section.
                            let _ = builder.add(row);
                        }
                    }
                }
                Outcome::Rejected(r) => {
                    stats.rejected += 1;
                    self.reject(&r)?;
                }
            }
        }
        Ok(())
    }

    /// Makes what was written so far visible to a reader on the other end of stdout.
    fn flush_stdout(&mut self) -> anyhow::Result<()> {
        if self.statements.dest().is_none() {
            self.statements.flush().context("cannot write to stdout")?;
        }
        if let RejectSink::Stdout(sink) = &mut self.rejects {
            sink.flush().context("cannot write to stdout")?;
        }
        Ok(())
    }

    /// Finishes every output, then moves them all into place together, so
    /// that a failure in any leaves every destination as it was; returns
    /// where rejects went, for the summary.
    fn finish(self) -> anyhow::Result<String> {
        let mut staged = Vec::new();
        staged.extend(self.statements.finish()?);
        if let Some(sink) = self.articles {
            staged.extend(sink.finish()?);
        }
        let rejects = match self.rejects {
            RejectSink::Statements => "stdout".to_string(),
            RejectSink::Stdout(sink) => {
                staged.extend(sink.finish()?);
                "stdout".to_string()
            }
            RejectSink::File {
                path,
                format,
                explicit,
                sink,
            } => {
                match sink {
                    Some(sink) => staged.extend(sink.finish()?),
                    None if explicit => {
                        let mut sink = Sink::create(&path)?;
                        let mut buf = Vec::new();
                        reject_header(&mut buf, format);
                        write_to(&mut sink, &buf)?;
                        staged.extend(sink.finish()?);
                    }
                    None => {}
                }
                path.display().to_string()
            }
        };
        if let Some((builder, path, format)) = self.report {
            let report = builder.finish();
            let mut file = AtomicFile::create(&path)?;
            render(&report, format, &mut file)
                .with_context(|| format!("cannot write {}", path.display()))?;
            staged.push(file.finish()?);
        }
        commit(staged)?;
        Ok(rejects)
    }
}

/// The progress bar on stderr, when it is a terminal.
struct Progress {
    bar: Option<ProgressBar>,
    start: Instant,
}

impl Progress {
    fn new(total_bytes: Option<u64>, quiet: bool) -> Progress {
        let start = Instant::now();
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { bar: None, start };
        }
        let (bar, template) = match total_bytes {
            Some(total) => (
                ProgressBar::new(total),
                "{spinner} {elapsed_precise} [{bar:30}] {bytes}/{total_bytes} ETA {eta} {msg}",
            ),
            None => (
                ProgressBar::new_spinner(),
                "{spinner} {elapsed_precise} {bytes} {msg}",
            ),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress {
            bar: Some(bar),
            start,
        }
    }

    fn update(&self, bytes: u64, stats: &Stats) {
        if let Some(bar) = &self.bar {
            let secs = self.start.elapsed().as_secs_f64().max(1e-9);
            bar.set_position(bytes);
            bar.set_message(format!(
                "{} articles ({:.0}/s), {} statements ({:.0}/s)",
                stats.scored,
                stats.scored as f64 / secs,
                stats.statements,
                stats.statements as f64 / secs
            ));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Runs `stance score`.
///
/// Returns exit code 0 when every item was scored and 2 when some were
/// rejected (they are in the rejects output). An `Err` is fatal (bad
/// arguments, no model, an unwritable output, a write error): the caller
/// prints it and exits with 1, or with 0 for a closed stdout pipe.
pub fn run(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    let plan = plan(&args)?;
    let stdin_kind = plan.input_kind.unwrap_or(InputKind::Jsonl);
    let sources = expand_inputs(&args.inputs, plan.input_kind, stdin_kind);
    let mut inputs = vec![args.model.as_path()];
    inputs.extend(sources.iter().filter_map(|s| match s {
        Source::Stdin(_) => Some(Path::new("-")),
        _ => s.path(),
    }));
    let mut outputs = plan.output_paths();
    if plan.out.is_none() || plan.rejects == RejectsTo::Stdout {
        outputs.push(Path::new("-"));
    }
    check_outputs(&inputs, &outputs)?;
    let total_bytes = sources.iter().map(Source::size).sum::<Option<u64>>();
    // Note: the reader starts before the model loads (a tenth of a second
    // for a large model, partly on one core), so the first batches are ready
    // when scoring can begin. Should loading fail, dropping the receiver
    // ends the reader.
    let (tx, rx) = sync_channel(QUEUED_BATCHES);
    let reader = ArticleReader::new(sources, plan.read.clone());
    let reader_thread = std::thread::Builder::new()
        .name("stance-reader".into())
        .spawn(move || read_batches(reader, tx))
        .context("cannot start the reader thread")?;
    let mut model = args.model_limit.load(&args.model).with_context(|| {
        format!(
            "cannot load model {} (train one with `stance train --data FILE --out MODEL`, or pass --model)",
            args.model.display()
        )
    })?;

    let topic_rows = IdfRows::new(&model.topic, model.vectorizer.tfidf()).with_context(|| {
        format!(
            "model {}: the topic weights do not have one row per vocabulary term",
            args.model.display()
        )
    })?;
    if plan.explain.is_none() {
        // Note: the rows hold the topic weights; without --explain nothing
        // reads the head's own copy, so its memory (58 MB for 20 Newsgroups)
        // is given back rather than held twice.
        model.topic.weights = Default::default();
    }
    let scorer = Scorer::new(&model, topic_rows, &plan);
    let progress = Progress::new(total_bytes, args.quiet);

    let pool = Pool {
        scorer: &scorer,
        idle: Mutex::new(Vec::new()),
    };
    // Note: a writer thread writes batch N while the workers score batch N + 1;
    // writing on the scoring thread left the workers idle (about a third of the
    // wall time on 2 cores). The channel is bounded, so memory stays flat.
    let (done_tx, done_rx) = sync_channel::<(Vec<Outcome>, u64)>(QUEUED_BATCHES);
    // Note: the outputs are opened on the writer thread (a locked stdout cannot
    // move between threads); their paths were checked before the model loaded.
    let (rejects, stats) = std::thread::scope(|scope| -> anyhow::Result<(String, Stats)> {
        let (progress, plan, scorer) = (&progress, &plan, &scorer);
        let writer = scope.spawn(move || -> anyhow::Result<(String, Stats)> {
            let mut outputs = Outputs::open(plan, scorer)?;
            let mut stats = Stats::default();
            for (outcomes, bytes_read) in done_rx {
                outputs.write(outcomes, &mut stats)?;
                outputs.flush_stdout()?;
                progress.update(bytes_read, &stats);
            }
            Ok((outputs.finish()?, stats))
        });
        for batch in rx {
            let outcomes: Vec<Outcome> = batch
                .items
                .into_par_iter()
                .map_init(|| pool.lease(), |lease, item| lease.score(item))
                .collect();
            if done_tx.send((outcomes, batch.bytes_read)).is_err() {
                // The writer stopped on an error; it is reported by join below.
                break;
            }
        }
        drop(done_tx);
        writer
            .join()
            .map_err(|_| anyhow::anyhow!("the output writer failed"))?
    })?;
    // Note: dropping the batch receiver (when the writer failed) ends the reader.
    if reader_thread.join().is_err() {
        bail!("the input reader failed");
    }
    progress.finish();
    if !args.quiet {
        let see = if stats.rejected > 0 {
            format!(" (see {rejects})")
        } else {
            String::new()
        };
        eprintln!(
            "read {} articles, scored {} statements from {} articles, rejected {}{see}",
            stats.read, stats.statements, stats.scored, stats.rejected
        );
    }
    // Note: the process ends right after this; freeing a large model's
    // hundreds of thousands of terms one by one took about 20 ms (callgrind:
    // 65 million instructions for the 20 Newsgroups model), so it is left to
    // the operating system.
    drop(scorer);
    std::mem::forget(model);
    Ok(if stats.rejected > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::articles::Article;
    use crate::model::{train, LogisticParams, TrainConfig, TrainingMeta, TrainingSet, UNCERTAIN};
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        args: ScoreArgs,
    }

    fn parse(argv: &[&str]) -> Result<ScoreArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("score").chain(argv.iter().copied())).map(|c| c.args)
    }

    #[test]
    fn arguments_are_checked_before_any_work() {
        for (argv, message) in [
            (vec!["a.csv", "--min-confidence", "1.5"], "--min-confidence"),
            (vec!["a.csv", "--explain", "0"], "--explain"),
            (
                vec!["a.csv", "--max-article-bytes", "0"],
                "--max-article-bytes",
            ),
            (vec!["-", "-"], "only once"),
            (vec!["a.csv", "--id-col", "text"], "must differ"),
            (vec!["a.csv", "--rejects", "-"], "--format jsonl"),
            (
                vec!["a.csv", "--out", "x.csv", "--articles-out", "x.csv"],
                "two outputs",
            ),
            (vec!["a.csv", "--out", "-"], "not a file name"),
        ] {
            let err = plan(&parse(&argv).unwrap()).unwrap_err();
            assert!(format!("{err:#}").contains(message), "{argv:?}: {err:#}");
        }
        assert!(parse(&[]).is_err());
    }

    #[test]
    fn defaults_follow_the_output() {
        let p = plan(&parse(&["a.csv", "--out", "dir/s.jsonl"]).unwrap()).unwrap();
        assert_eq!(p.format, RecordFormat::Jsonl);
        assert_eq!(
            p.rejects,
            RejectsTo::File {
                path: "dir/s.jsonl.rejects.csv".into(),
                format: RecordFormat::Csv,
                explicit: false
            }
        );
        let p = plan(
            &parse(&[
                "-",
                "--format",
                "jsonl",
                "--rejects",
                "-",
                "--report",
                "r.HTML",
            ])
            .unwrap(),
        )
        .unwrap();
        assert_eq!(p.rejects, RejectsTo::Stdout);
        assert_eq!(p.report.map(|r| r.1), Some(OutputFormat::Html));
        let p = plan(&parse(&["a.csv"]).unwrap()).unwrap();
        assert_eq!(p.format, RecordFormat::Csv);
        assert_eq!(p.output_paths(), vec![Path::new("stance-rejects.csv")]);
    }

    fn tiny_model() -> StanceModel {
        let rows = [
            (
                "Protesters marched for Gaza and Palestinian rights.",
                "palestine",
                "favor",
            ),
            (
                "Hamas attacks were condemned by the minister.",
                "palestine",
                "against",
            ),
            (
                "Talks on a Gaza ceasefire resumed in Cairo.",
                "palestine",
                "neutral",
            ),
            (
                "Lawmakers demanded that coalition troops leave Iraq.",
                "coalition",
                "favor",
            ),
            (
                "Kurdish leaders warned against a hasty coalition exit.",
                "coalition",
                "against",
            ),
            (
                "The coalition mission talks resumed in Baghdad.",
                "coalition",
                "neutral",
            ),
            (
                "The weather in Basra was hot on Tuesday.",
                "other",
                "neutral",
            ),
            ("The census counted the population.", "other", "neutral"),
        ];
        let texts: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
        let topics: Vec<String> = rows.iter().map(|r| r.1.to_string()).collect();
        let stances: Vec<String> = rows.iter().map(|r| r.2.to_string()).collect();
        let mut config = TrainConfig {
            logistic: LogisticParams {
                c: 1.0,
                ..LogisticParams::default()
            },
            c_grid: Vec::new(),
            ..TrainConfig::default()
        };
        config.vectorizer.vocab.min_df = crate::features::DfBound::Count(1);
        let set = TrainingSet {
            texts: &texts,
            topics: &topics,
            stances: Some(&stances),
        };
        train(&set, &config, TrainingMeta::default(), &mut |_| {}).unwrap()
    }

    #[test]
    fn scoring_matches_predict_row() {
        let model = tiny_model();
        let args = parse(&["x.jsonl", "--format", "jsonl", "--min-confidence", "0.5"]).unwrap();
        let topic_rows = IdfRows::new(&model.topic, model.vectorizer.tfidf()).unwrap();
        let scorer = Scorer::new(&model, topic_rows, &plan(&args).unwrap());
        let mut worker = Worker::new(&scorer);
        let text = "Crowds in Baghdad rallied for Gaza. Coalition troops must leave, the MP said.\n\nIt rained.";
        let article = Article {
            id: "a".into(),
            text: text.into(),
            ..Article::default()
        };
        let Outcome::Scored {
            rows, statements, ..
        } = worker.score(&scorer, Item::Article(article))
        else {
            panic!("rejected")
        };
        assert_eq!(statements, 3);
        let mut analyzer = model.vectorizer.analyzer();
        let mut row = Row::default();
        for (line, span) in String::from_utf8(rows)
            .unwrap()
            .lines()
            .zip(split_sentences(text))
        {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let p = model.predict_text(&mut analyzer, span.slice(text), &mut row);
            let best = &model.topics()[p.topic];
            let rounded = |x: f64| (x * 1e4).round() / 1e4;
            assert_eq!(v["best_topic"], best.as_str());
            assert_eq!(
                v["topic_prob"].as_f64(),
                Some(rounded(p.topic_probs[p.topic]))
            );
            let topic = if p.topic_probs[p.topic] < 0.5 {
                UNCERTAIN
            } else {
                best
            };
            assert_eq!(v["topic"], topic);
            let stance = p.stance.unwrap();
            assert_eq!(v["stance"], stance.label.as_str());
            assert_eq!(v["stance_prob"].as_f64(), Some(rounded(stance.prob)));
            assert_eq!(
                (v["start"].as_u64(), v["end"].as_u64()),
                (Some(span.start as u64), Some(span.end as u64))
            );
        }
    }
}
