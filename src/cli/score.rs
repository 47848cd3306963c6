//! `stance score`: articles in, one scored row per statement out.
//!
//! Turns the arguments into checked library configs (the scoring options,
//! the reading options, the outputs and their formats) before any work,
//! starts the reader, loads the model, and runs the engine
//! ([`pipeline::run`](crate::pipeline::run)) into the sinks the outputs ask
//! for; then commits the outputs together and prints the summary line.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{flag_error, ArticleFormatArg, RecordFormatArg};
use crate::io::{
    check_inputs, check_outputs, commit, expand_inputs, ArticleFormat, ArticleReader, AtomicFile,
    FileFormat, ReadOptions, RecordFormat, Source, Staged,
};
use crate::pipeline::{
    run as run_pipeline, ArticleSink, Counts, ExtraColumns, Input, ParquetArticleSink,
    ParquetStatementSink, RejectSink, RejectsTo, ScoreOptions, Scorer, StatementSink,
    ValidScoreOptions,
};
use crate::report::{render, ReportBuilder, ReportFormat, ReportOptions, ReportSink};

/// Arguments of `stance score`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScoreArgs {
    /// Articles: .txt files (one article each), CSV, JSON Lines (.jsonl/.json),
    /// Parquet (.parquet), directories of them (walked recursively in path order), or `-` for stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Model file [default: the shipped model, `default.model` or
    /// `models/default.model` beside the binary, else in the repository it was built from,
    /// else the copy built into the binary].
    // Note: not `default_value_os_t = shipped_model()`: clap would print the
    // path found on this machine in `--help` and the man page.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<PathBuf>,

    #[command(flatten)]
    pub model_limit: super::ModelLimitArgs,

    /// Write the statements to FILE (written beside it, renamed when complete) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Statement output format [default: from --out's extension, else csv].
    #[arg(long, value_enum)]
    pub format: Option<RecordFormatArg>,

    /// Also write one row per article: statements, and per topic its count,
    /// majority stance and mean stance probabilities (JSON Lines for .jsonl, Parquet
    /// for .parquet, else CSV).
    #[arg(long, value_name = "FILE")]
    pub articles_out: Option<PathBuf>,

    /// Rejected items (CSV: input,position,article_id,reason; JSON Lines for .jsonl,
    /// Parquet for .parquet, where a Parquet input's position is file:row, 1-based);
    /// `-` writes them to stdout as JSON lines among the statements
    /// [default: <out>.rejects.csv, or stance-rejects.csv with stdout; only written when
    /// something is rejected, and an old one is removed when nothing is].
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// Also aggregate a report in the same pass (as `stance report`); format from the
    /// extension: .html, .json, .csv, .md, else a text table.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    #[command(flatten)]
    pub columns: super::ArticleColumnArgs,

    /// Format of `-` (default jsonl; with txt every line is one article) and of
    /// files named on the command line (default: by extension).
    #[arg(long, value_enum)]
    pub input_format: Option<ArticleFormatArg>,

    /// What one statement is: `sentence` splits each text into sentences; `row` scores
    /// each text (a .txt file, CSV record or JSON line) whole, for tweets, headlines
    /// and pre-split data.
    #[arg(long, value_enum, default_value = "sentence")]
    pub unit: super::UnitArg,

    /// Statements whose topic probability is below P get the topic `uncertain`.
    #[arg(long, value_name = "P")]
    pub min_confidence: Option<f64>,

    /// Add the K terms that weighed most in the topic and in the stance decision.
    #[arg(long, value_name = "K")]
    pub explain: Option<usize>,

    /// CSV: also a column per topic (`p_topic:LABEL`) and per stance label
    /// (`p_stance:LABEL`) with every probability (JSON Lines rows have them
    /// anyway, as `topic_probs` and `stance_probs`).
    #[arg(long)]
    pub probs: bool,

    /// Also a `top_topics` column: the K most probable topics with their
    /// probabilities, best first (`a:0.7500;b:0.2000`; a JSON array in JSON Lines).
    #[arg(long, value_name = "K")]
    pub top_k: Option<usize>,

    /// Reject a .txt file, CSV record or input line larger than this many bytes.
    #[arg(long, default_value_t = crate::io::DEFAULT_MAX_BYTES, value_name = "BYTES")]
    pub max_article_bytes: usize,

    /// No progress bar and no summary line on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The checked arguments: library configs and the outputs.
#[derive(Debug, Clone)]
struct Plan {
    options: ValidScoreOptions,
    read: ReadOptions,
    input_format: Option<ArticleFormat>,
    out: Option<PathBuf>,
    format: FileFormat,
    articles_out: Option<(PathBuf, FileFormat)>,
    /// Rejected items go among the statements on stdout (`--rejects -` without `--out`).
    rejects_inline: bool,
    rejects: RejectsTo,
    report: Option<(PathBuf, ReportFormat)>,
    extra: ExtraColumns,
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

    /// Whether anything goes to stdout.
    fn writes_stdout(&self) -> bool {
        self.out.is_none() || self.rejects == RejectsTo::Stdout
    }
}

/// The format implied by an output file's name, CSV when it implies none.
fn record_format(path: &Path) -> FileFormat {
    FileFormat::from_extension(path).unwrap_or(FileFormat::Text(RecordFormat::Csv))
}

/// Checks the arguments (through the library's checks) before any work.
fn plan(args: &ScoreArgs) -> anyhow::Result<Plan> {
    let mut options = ScoreOptions::default().unit(args.unit.into());
    if let Some(p) = args.min_confidence {
        options = options.min_confidence(p);
    }
    if let Some(k) = args.explain {
        options = options.explain(k);
    }
    let options = options.check().map_err(flag_error)?;
    let read = ReadOptions {
        columns: args.columns.columns(),
        max_bytes: args.max_article_bytes,
    };
    read.check().map_err(flag_error)?;
    if args.inputs.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        bail!("`-` (stdin) can be given only once");
    }
    let format = match (args.format, &args.out) {
        (Some(f), _) => f.into(),
        (None, Some(out)) => record_format(out),
        (None, None) => FileFormat::Text(RecordFormat::Csv),
    };
    let (rejects, rejects_inline) = match &args.rejects {
        Some(p) if p.as_os_str() == "-" => {
            if args.out.is_none() && format != FileFormat::Text(RecordFormat::Jsonl) {
                bail!("--rejects - writes JSON lines to stdout: use it with --format jsonl, or with --out FILE");
            }
            match args.out {
                Some(_) => (RejectsTo::Stdout, false),
                None => (RejectsTo::Elsewhere, true),
            }
        }
        Some(p) => (
            RejectsTo::File {
                path: p.clone(),
                format: record_format(p),
                always: true,
            },
            false,
        ),
        None => {
            let path = match &args.out {
                Some(out) => {
                    let mut name = out.clone().into_os_string();
                    name.push(".rejects.csv");
                    PathBuf::from(name)
                }
                None => PathBuf::from("stance-rejects.csv"),
            };
            let to = RejectsTo::File {
                path,
                format: FileFormat::Text(RecordFormat::Csv),
                always: false,
            };
            (to, false)
        }
    };
    let plan = Plan {
        options,
        read,
        input_format: args.input_format.map(ArticleFormat::from),
        out: args.out.clone(),
        format,
        articles_out: args
            .articles_out
            .as_ref()
            .map(|p| (p.clone(), record_format(p))),
        rejects_inline,
        rejects,
        report: args
            .report
            .as_ref()
            .map(|p| (p.clone(), ReportFormat::from_extension(p))),
        extra: ExtraColumns {
            probs: args.probs,
            top_k: args.top_k,
        },
    };
    plan.extra.check().map_err(flag_error)?;
    // Note: the Parquet writer has no `top_topics` column; a flag it would
    // silently drop is refused instead (`topic_probs` holds every topic).
    if plan.format == FileFormat::Parquet && plan.extra.top_k.is_some() {
        bail!("--top-k adds a column to CSV and JSON Lines, not to Parquet (its topic_probs has every topic's probability)");
    }
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

    fn update(&self, bytes: u64, counts: &Counts) {
        if let Some(bar) = &self.bar {
            let secs = self.start.elapsed().as_secs_f64().max(1e-9);
            bar.set_position(bytes);
            bar.set_message(format!(
                "{} articles ({:.0}/s), {} statements ({:.0}/s)",
                counts.scored,
                counts.scored as f64 / secs,
                counts.statements,
                counts.statements as f64 / secs
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
    let model_path = args.model.clone().unwrap_or_else(super::shipped_model);
    let stdin_format = plan.input_format.unwrap_or(ArticleFormat::Jsonl);
    let sources = expand_inputs(&args.inputs, plan.input_format, stdin_format);
    let mut inputs = vec![model_path.as_path()];
    inputs.extend(sources.iter().filter_map(|s| match s {
        Source::Stdin(_) => Some(Path::new("-")),
        _ => s.path(),
    }));
    let mut outputs = plan.output_paths();
    if plan.writes_stdout() {
        outputs.push(Path::new("-"));
    }
    check_outputs(&inputs, &outputs)?;
    check_inputs(&args.inputs, plan.input_format, &plan.read)?;
    let total_bytes = sources.iter().map(Source::size).sum::<Option<u64>>();
    // Note: the reader starts before the model loads, so the first batches
    // are ready when scoring can begin.
    let reader = ArticleReader::new(sources, plan.read.clone());
    let empty_stdin = reader.empty_stdin();
    let input = Input::spawn(reader)?;
    let model = args.model_limit.load(&model_path).with_context(|| {
        format!(
            "cannot load model {} (train one with `stance train --data FILE --out MODEL`, or pass --model)",
            model_path.display()
        )
    })?;
    // Note: the report's provenance is taken before the scorer owns the model.
    let provenance = match &plan.report {
        Some(_) => Some(super::provenance::provenance(
            &args.inputs,
            Some((&model_path, &model.meta)),
        )?),
        None => None,
    };
    let scorer = Scorer::new(model, plan.options.clone())
        .map_err(flag_error)
        .with_context(|| format!("model {}", model_path.display()))?;
    let progress = Progress::new(total_bytes, args.quiet);

    // Note: the output paths were checked before the model loaded.
    let statements = match plan.format {
        FileFormat::Text(format) => {
            let mut sink =
                StatementSink::create_with(&scorer, format, plan.out.as_deref(), &plan.extra)?;
            if plan.rejects_inline {
                sink = sink.with_rejects();
            }
            (Some(sink), None)
        }
        FileFormat::Parquet => (
            None,
            Some(ParquetStatementSink::create(&scorer, plan.out.as_deref())?),
        ),
    };
    let articles = match &plan.articles_out {
        Some((path, FileFormat::Text(format))) => {
            (Some(ArticleSink::create(&scorer, *format, path)?), None)
        }
        Some((path, FileFormat::Parquet)) => {
            (None, Some(ParquetArticleSink::create(&scorer, path)?))
        }
        None => (None, None),
    };
    let rejects = RejectSink::new(plan.rejects.clone());
    let report = match &plan.report {
        Some(_) => {
            let options = ReportOptions {
                min_confidence: plan
                    .options
                    .min_confidence()
                    .unwrap_or(ReportOptions::default().min_confidence),
                stance_roles: Some(scorer.roles().clone()),
                provenance,
                ..ReportOptions::default()
            };
            Some(ReportSink::new(ReportBuilder::new(options)?))
        }
        None => None,
    };
    let sinks = (statements, (articles, (rejects, report)));
    let update = |bytes: u64, counts: &Counts| progress.update(bytes, counts);
    let ((statements, (articles, (rejects, report))), counts) =
        run_pipeline(&scorer, input, sinks, &update)?;
    // Note: every output is finished before any is moved into place, so that
    // a failure in any leaves every destination as it was.
    let mut staged: Vec<_> = [
        statements.0.flatten(),
        statements.1.flatten(),
        articles.0.flatten(),
        articles.1.flatten(),
        rejects,
    ]
    .into_iter()
    .flatten()
    .collect();
    // Note: the default rejects file is written only when something is
    // rejected; an old one would otherwise survive a clean run and mislead.
    if let RejectsTo::File {
        path,
        always: false,
        ..
    } = &plan.rejects
    {
        if counts.rejected == 0 {
            staged.push(Staged::removal(path));
        }
    }
    if let (Some(report), Some((path, format))) = (report, &plan.report) {
        let mut file = AtomicFile::create(path)?;
        render(&report, *format, &mut file)
            .with_context(|| format!("cannot write {}", path.display()))?;
        staged.push(file.finish()?);
    }
    commit(staged)?;
    progress.finish();
    // Note: shown with --quiet too: it is a warning, not the summary.
    if empty_stdin.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!("warning: -: no input on stdin (it is empty or closed)");
    }
    if !args.quiet {
        let see = match &plan.rejects {
            _ if counts.rejected == 0 => String::new(),
            RejectsTo::File { path, .. } => format!(" (see {})", path.display()),
            _ => " (see stdout)".to_string(),
        };
        eprintln!(
            "read {} articles, scored {} statements from {} articles, rejected {}{see}{}",
            counts.read,
            counts.statements,
            counts.scored,
            counts.rejected,
            match counts.other_language {
                0 => String::new(),
                n => format!(
                    "; {n} in another language than the model's ({}): their statements are uncertain",
                    scorer.vectorizer().config().analyzer.language
                ),
            }
        );
    }
    // Note: the process ends right after this; the scorer is left to it.
    scorer.leave_to_exit();
    Ok(if counts.rejected > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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
            (vec!["a.csv", "--top-k", "0"], "--top-k"),
            (
                vec!["a.csv", "--out", "s.parquet", "--top-k", "2"],
                "not to Parquet",
            ),
        ] {
            let err = plan(&parse(&argv).unwrap()).unwrap_err();
            assert!(format!("{err:#}").contains(message), "{argv:?}: {err:#}");
        }
        assert!(parse(&[]).is_err());
    }

    /// The help names no path of this machine (the man page is made from it).
    #[test]
    fn help_is_the_same_on_every_machine() {
        use clap::CommandFactory;
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("the shipped model"), "{help}");
        assert!(!help.contains(env!("CARGO_MANIFEST_DIR")), "{help}");
        assert_eq!(parse(&["a.csv"]).unwrap().model, None);
    }

    #[test]
    fn defaults_follow_the_output() {
        let p = plan(&parse(&["a.csv", "--out", "dir/s.jsonl"]).unwrap()).unwrap();
        assert_eq!(p.format, FileFormat::Text(RecordFormat::Jsonl));
        assert_eq!(
            p.rejects,
            RejectsTo::File {
                path: "dir/s.jsonl.rejects.csv".into(),
                format: FileFormat::Text(RecordFormat::Csv),
                always: false
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
        assert_eq!(
            (&p.rejects, p.rejects_inline),
            (&RejectsTo::Elsewhere, true)
        );
        assert_eq!(p.report.map(|r| r.1), Some(ReportFormat::Html));
        let p = plan(&parse(&["-", "--out", "s.csv", "--rejects", "-"]).unwrap()).unwrap();
        assert_eq!((&p.rejects, p.rejects_inline), (&RejectsTo::Stdout, false));
        let p = plan(&parse(&["a.csv"]).unwrap()).unwrap();
        assert_eq!(p.format, FileFormat::Text(RecordFormat::Csv));
        assert_eq!(p.output_paths(), vec![Path::new("stance-rejects.csv")]);
        let p =
            plan(&parse(&["a.csv", "--out", "s.parquet", "--rejects", "r.pq"]).unwrap()).unwrap();
        assert_eq!(p.format, FileFormat::Parquet);
        assert!(matches!(
            p.rejects,
            RejectsTo::File {
                format: FileFormat::Parquet,
                ..
            }
        ));
    }
}
