//! `stance report`: per-topic statistics of scored statements.
//!
//! Turns the arguments into checked [`ReportOptions`] before reading
//! anything, streams every input through one [`ReportBuilder`], prints each
//! rejected row on stderr, and writes the report in the chosen format.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};

use super::provenance::provenance;
use super::RecordFormatArg;
use crate::io::{check_outputs, commit, AtomicFile, FileFormat, ScoredEntry, ScoredReader};
use crate::io::{ProblemKind, RowProblem};
use crate::report::{
    render, Dimension, Period, ReportBuilder, ReportFormat, ReportOptions, MAX_EXAMPLES_PER_CELL,
};

/// Arguments of `stance report`.
#[derive(clap::Args, Debug, Clone)]
pub struct ReportArgs {
    /// Scored statements (CSV or JSON Lines) written by `stance score`; `-` reads stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Output format [default: from --out's extension (.html, .json, .csv, .md, as
    /// `score --report`), else table].
    #[arg(long, value_enum)]
    pub format: Option<ReportFormatArg>,

    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Break statistics down by this too; repeat to combine (`--by source --by date`).
    /// `day`, `week` and `month` mean `date` with that period.
    #[arg(long, value_enum, value_name = "DIMENSION")]
    pub by: Vec<ByArg>,

    /// How `--by date` groups dates [default: month].
    #[arg(long, value_enum)]
    pub period: Option<PeriodArg>,

    /// Statements with topic_prob below this count as low-confidence.
    #[arg(long, default_value_t = 0.5, value_name = "P")]
    pub min_confidence: f64,

    /// Show the K highest-weighted model terms per topic and stance (needs --model).
    #[arg(long, value_name = "K")]
    pub top_terms: Option<usize>,

    /// Model file: its topics are checked against the data; needed for --top-terms.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,

    #[command(flatten)]
    pub model_limit: super::ModelLimitArgs,
    #[command(flatten)]
    pub record_limit: super::RecordLimitArgs,

    /// Show the N most confident statements per topic and stance (HTML, JSON, CSV); 0 shows none.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub examples: usize,

    /// Input format, instead of guessing from the extension (.csv, .jsonl, .json).
    #[arg(long, value_enum)]
    pub input_format: Option<RecordFormatArg>,
}

/// `--format` values.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormatArg {
    /// Aligned text for a terminal.
    Table,
    /// Markdown tables.
    Markdown,
    /// Flat CSV tables.
    Csv,
    /// JSON (schema `stance-report/1`).
    Json,
    /// Self-contained HTML with charts.
    Html,
}

/// `--by` values.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByArg {
    /// The article's source.
    Source,
    /// The article's date, grouped by `--period`.
    Date,
    /// The article id.
    Article,
    /// Date, by day.
    Day,
    /// Date, by ISO week.
    Week,
    /// Date, by month.
    Month,
}

/// `--period` values.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodArg {
    /// Calendar day.
    Day,
    /// ISO 8601 week (`2024-W03`).
    Week,
    /// Calendar month.
    Month,
}

impl From<ReportFormatArg> for ReportFormat {
    fn from(f: ReportFormatArg) -> Self {
        match f {
            ReportFormatArg::Table => ReportFormat::Table,
            ReportFormatArg::Markdown => ReportFormat::Markdown,
            ReportFormatArg::Csv => ReportFormat::Csv,
            ReportFormatArg::Json => ReportFormat::Json,
            ReportFormatArg::Html => ReportFormat::Html,
        }
    }
}

impl From<PeriodArg> for Period {
    fn from(p: PeriodArg) -> Self {
        match p {
            PeriodArg::Day => Period::Day,
            PeriodArg::Week => Period::Week,
            PeriodArg::Month => Period::Month,
        }
    }
}

/// Most problems printed on stderr; all are counted, and listed in the report up to the same limit.
const MAX_PRINTED_PROBLEMS: usize = 1000;

/// Breakdown dimensions and period from `--by` and `--period`.
fn breakdown(by: &[ByArg], period: Option<PeriodArg>) -> anyhow::Result<(Vec<Dimension>, Period)> {
    let mut dims = Vec::new();
    let mut chosen: Option<(Period, &'static str)> = period.map(|p| (p.into(), "--period"));
    for b in by {
        let (dim, implied) = match b {
            ByArg::Source => (Dimension::Source, None),
            ByArg::Article => (Dimension::Article, None),
            ByArg::Date => (Dimension::Date, None),
            ByArg::Day => (Dimension::Date, Some((Period::Day, "--by day"))),
            ByArg::Week => (Dimension::Date, Some((Period::Week, "--by week"))),
            ByArg::Month => (Dimension::Date, Some((Period::Month, "--by month"))),
        };
        if let Some((p, flag)) = implied {
            match chosen {
                Some((q, other)) if q != p => {
                    bail!("{flag} conflicts with {other} {}", q.name())
                }
                _ => chosen = Some((p, flag)),
            }
        }
        // Note: `--by date --by month` names one dimension twice; keep it once.
        if !dims.contains(&dim) {
            dims.push(dim);
        }
    }
    if period.is_some() && !dims.contains(&Dimension::Date) {
        bail!("--period only applies with --by date (or --by day|week|month)");
    }
    Ok((dims, chosen.map_or(Period::Month, |(p, _)| p)))
}

/// Checks the arguments and loads the model, before any input is read.
fn options(args: &ReportArgs) -> anyhow::Result<ReportOptions> {
    let (breakdown, period) = breakdown(&args.by, args.period)?;
    let stdin_count = args.inputs.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 1 {
        bail!("`-` (stdin) can be given only once");
    }
    let mut options = ReportOptions {
        breakdown,
        period,
        min_confidence: args.min_confidence,
        max_listed_problems: MAX_PRINTED_PROBLEMS,
        examples_per_cell: args.examples,
        ..ReportOptions::default()
    };
    if args.examples > MAX_EXAMPLES_PER_CELL {
        bail!(
            "--examples must be at most {MAX_EXAMPLES_PER_CELL}, got {}",
            args.examples
        );
    }
    options.check()?;
    if args.top_terms == Some(0) {
        bail!("--top-terms must be at least 1");
    }
    match (&args.model, args.top_terms) {
        (None, Some(_)) => bail!("--top-terms needs --model FILE"),
        (None, None) => options.provenance = Some(provenance(&args.inputs, None)?),
        (Some(path), k) => {
            let model = args
                .model_limit
                .load(path)
                .with_context(|| format!("cannot load model {}", path.display()))?;
            options.use_model(&model, k);
            options.provenance = Some(provenance(&args.inputs, Some((path, &model.meta)))?);
        }
    }
    Ok(options)
}

/// Prints rejected rows on stderr, up to a limit.
struct ProblemPrinter {
    printed: usize,
}

impl ProblemPrinter {
    fn print(&mut self, problem: &RowProblem) {
        // Note: topics the model lacks are one mismatch, reported once after reading (see `run`).
        if matches!(problem.kind, ProblemKind::UnknownTopic(_)) {
            return;
        }
        if self.printed < MAX_PRINTED_PROBLEMS {
            eprintln!("warning: rejected row: {problem}");
        } else if self.printed == MAX_PRINTED_PROBLEMS {
            eprintln!("warning: more rejected rows are counted but not printed");
        }
        self.printed += 1;
    }
}

/// Streams one input into the builder.
fn read_input(
    path: &Path,
    format: Option<FileFormat>,
    max_record_bytes: usize,
    builder: &mut ReportBuilder,
    printer: &mut ProblemPrinter,
) -> anyhow::Result<()> {
    let reader =
        ScoredReader::open_limited(path, format, max_record_bytes).map_err(with_limit_hint)?;
    for record in reader {
        match record? {
            ScoredEntry::Statement(at, row) => {
                if let Err(problem) = builder.add_at(&row, at) {
                    printer.print(&problem);
                }
            }
            ScoredEntry::Problem(problem) => {
                printer.print(&problem);
                builder.add_problem(problem);
            }
        }
    }
    Ok(())
}

/// A fatal reader error, with how to raise the limit when the header was above it.
fn with_limit_hint(e: crate::io::ReadError) -> anyhow::Error {
    let too_large = matches!(&e, crate::io::ReadError::HeaderTooLarge { .. });
    if too_large {
        anyhow::anyhow!("{e} (raise the limit with --max-record-bytes)")
    } else {
        e.into()
    }
}

/// One error when the statements have topics the model lacks: they were
/// scored with another model, and every such row would be rejected.
fn mismatch(builder: &ReportBuilder, inputs: &[PathBuf], model: &Path) -> anyhow::Result<()> {
    let Some((rows, labels)) = builder.unknown_topic_summary() else {
        return Ok(());
    };
    let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    bail!(
        "{}: {rows} statements have topics that model {} lacks: {labels}; were they scored with another model?",
        names.join(", "),
        model.display(),
    )
}

/// Runs `stance report`.
///
/// Returns exit code 0 when every row was used and 2 when some were rejected
/// (they are listed on stderr and in the report). An `Err` is fatal (bad
/// arguments, unreadable input, missing columns, unwritable output): the
/// caller prints it and exits with 1.
pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let mut inputs: Vec<&Path> = args.inputs.iter().map(PathBuf::as_path).collect();
    inputs.extend(args.model.as_deref());
    check_outputs(&inputs, &[args.out.as_deref().unwrap_or(Path::new("-"))])?;
    let options = options(&args)?;
    let mut builder = ReportBuilder::new(options)?;
    let mut printer = ProblemPrinter { printed: 0 };
    let format = args.input_format.map(FileFormat::from);
    for path in &args.inputs {
        read_input(
            path,
            format,
            args.record_limit.max_record_bytes,
            &mut builder,
            &mut printer,
        )?;
    }
    if let Some(model) = &args.model {
        mismatch(&builder, &args.inputs, model)?;
    }
    let report = builder.finish();
    let code = if report.totals.rows_rejected > 0 {
        eprintln!(
            "stance report: {} of {} rows rejected (see the problems section)",
            report.totals.rows_rejected, report.totals.rows_read
        );
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    };

    let format = match (args.format, &args.out) {
        (Some(f), _) => ReportFormat::from(f),
        (None, Some(out)) => ReportFormat::from_extension(out),
        (None, None) => ReportFormat::Table,
    };
    match &args.out {
        Some(path) => {
            let mut file = AtomicFile::create(path)?;
            render(&report, format, &mut file)
                .with_context(|| format!("cannot write {}", path.display()))?;
            commit([file.finish()?])?;
        }
        None => {
            let stdout = io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            match render(&report, format, &mut w).and_then(|()| w.flush()) {
                Ok(()) => {}
                // Note: `stance report ... | head` closes the pipe early; that is not a failure.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(e).context("cannot write the report to stdout"),
            }
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        args: ReportArgs,
    }

    fn parse(argv: &[&str]) -> Result<ReportArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("report").chain(argv.iter().copied())).map(|c| c.args)
    }

    const HEADER: &str = "article_id,sentence,start,end,text,topic,topic_prob,stance,stance_prob,date,source,best_topic,min_confidence";

    fn write_input(dir: &Path, name: &str, rows: &[&str]) -> PathBuf {
        let path = dir.join(name);
        let mut text = format!("{HEADER}\n");
        for r in rows {
            text.push_str(r);
            text.push('\n');
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    const GOOD: [&str; 3] = [
        "a1,1,0,10,Hello.,palestine,0.9,favor,0.8,2024-01-05,wire,palestine,0.5",
        "a1,2,11,20,More.,palestine,0.6,against,0.7,2024-01-05,wire,palestine,0.5",
        "a2,1,0,10,Other.,uncertain,0.3,neutral,0.6,2024-02-01,,other,0.5",
    ];

    #[test]
    fn by_shorthands_and_conflicts() {
        let a = parse(&["x.csv", "--by", "source", "--by", "week"]).unwrap();
        assert_eq!(
            breakdown(&a.by, a.period).unwrap(),
            (vec![Dimension::Source, Dimension::Date], Period::Week)
        );
        let a = parse(&[
            "x.csv", "--by", "date", "--by", "month", "--period", "month",
        ])
        .unwrap();
        assert_eq!(
            breakdown(&a.by, a.period).unwrap(),
            (vec![Dimension::Date], Period::Month)
        );
        let a = parse(&["x.csv", "--by", "day", "--period", "week"]).unwrap();
        assert!(breakdown(&a.by, a.period).is_err());
        let a = parse(&["x.csv", "--period", "week"]).unwrap();
        assert!(breakdown(&a.by, a.period).is_err());
        assert!(parse(&["x.csv", "--by", "topic"]).is_err());
        assert!(parse(&[]).is_err());
    }

    #[test]
    fn argument_checks_happen_before_reading() {
        for argv in [
            vec!["missing.csv", "--top-terms", "3"],
            vec!["missing.csv", "--min-confidence", "1.5"],
            vec!["-", "-"],
            vec![
                "missing.csv",
                "--model",
                "no-such-model",
                "--top-terms",
                "0",
            ],
        ] {
            let err = run(parse(&argv).unwrap()).unwrap_err();
            assert!(!format!("{err:#}").contains("missing.csv"), "{err:#}");
        }
    }

    #[test]
    fn clean_input_exits_zero_and_writes_json() {
        let dir = tempfile::tempdir().unwrap();
        let input = write_input(dir.path(), "s.csv", &GOOD);
        let out = dir.path().join("r.json");
        let args = parse(&[
            input.to_str().unwrap(),
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
            "--by",
            "source",
        ])
        .unwrap();
        assert_eq!(run(args).unwrap(), ExitCode::SUCCESS);
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(v["totals"]["rows_used"], 3);
        assert_eq!(v["topics"][1]["topic"], "uncertain");
        assert_eq!(v["breakdown"]["rows"][0]["key"][0], "wire");
        assert_eq!(v["breakdown"]["rows"][1]["key"][0], "(none)");
    }

    #[test]
    fn bad_rows_exit_two_and_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        let input = write_input(
            dir.path(),
            "s.csv",
            &[
                GOOD[0],
                "a1,2,11,20,More.,palestine,oops,against,0.7,2024-01-05,wire,palestine,0.5",
                "short,row",
            ],
        );
        let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default.model");
        let out = dir.path().join("r.json");
        let args = parse(&[
            input.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--top-terms",
            "2",
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ])
        .unwrap();
        assert_eq!(run(args).unwrap(), ExitCode::from(2));
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(v["totals"]["rows_used"], 1);
        assert_eq!(v["problems"]["count"], 2);
        let listed = v["problems"]["listed"].as_array().unwrap();
        let lines: Vec<_> = listed.iter().map(|p| p["line"].as_u64().unwrap()).collect();
        assert_eq!(lines, [3, 4]);
        assert!(listed[0]["file"].as_str().unwrap().ends_with("s.csv"));
        assert_eq!(v["top_terms"][0]["terms"].as_array().unwrap().len(), 2);
    }

    /// Statements scored with another model: one error naming the topics the
    /// model lacks (each once, with its row count), and no report written.
    #[test]
    fn rows_scored_with_another_model_are_one_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows = vec![GOOD[0].to_string()];
        for i in 0..40 {
            let topic = ["Business", "Sports", "World"][i % 3];
            rows.push(format!(
                "b{i},1,0,4,x,{topic},0.9,neutral,0.9,,,{topic},0.5"
            ));
        }
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        let input = write_input(dir.path(), "ag.csv", &rows);
        // The shipped model knows palestine but none of AG News' topics.
        let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default.model");
        let out = dir.path().join("r.md");
        let args = parse(&[
            input.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .unwrap();
        let msg = format!("{:#}", run(args).unwrap_err());
        assert!(msg.contains("ag.csv"), "{msg}");
        assert!(
            msg.contains("40 statements have topics that model"),
            "{msg}"
        );
        assert!(
            msg.contains("Business (14), Sports (13), World (13)"),
            "{msg}"
        );
        assert!(!msg.contains("palestine"), "{msg}");
        assert!(!out.exists());
    }

    #[test]
    fn missing_columns_are_fatal_and_name_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.csv");
        std::fs::write(&path, "article_id,topic\na,b\n").unwrap();
        let err = run(parse(&[path.to_str().unwrap()]).unwrap()).unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("missing column(s) sentence"), "{msg}");
        assert!(msg.contains("the header has: article_id, topic"), "{msg}");
    }

    #[test]
    fn jsonl_input_and_every_format_render() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.data");
        std::fs::write(
            &path,
            "{\"article_id\":\"a\",\"sentence\":1,\"start\":0,\"end\":1,\"text\":\"t\",\"topic\":\"other\",\"topic_prob\":0.9,\"stance\":\"neutral\",\"stance_prob\":0.9,\"date\":\"2024-05-01\",\"source\":\"s\",\"best_topic\":\"other\",\"min_confidence\":0.5}\n",
        )
        .unwrap();
        for format in ["table", "markdown", "csv", "json", "html"] {
            let out = dir.path().join(format!("r.{format}"));
            let args = parse(&[
                path.to_str().unwrap(),
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
                "--by",
                "week",
            ])
            .unwrap();
            assert_eq!(run(args).unwrap(), ExitCode::SUCCESS, "{format}");
            let text = std::fs::read_to_string(&out).unwrap();
            assert!(text.contains("other"), "{format}: {text}");
            assert!(text.contains("2024-W18"), "{format}: {text}");
        }
    }
}
