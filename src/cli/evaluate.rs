//! `stance evaluate`: a model against held-out labelled data.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::eval_views::{EvalViewArgs, ViewInput};
use super::{limit_hint, ColumnArgs, ModelLimitArgs, RecordLimitArgs, UnitArg};
use crate::eval::{predict, predict_in_articles, score_predictions, split_rows, Evaluation};
use crate::io::check_outputs;
use crate::model::article_runs;
use crate::pipeline::{ScoreOptions, Scorer};

/// Arguments of `stance evaluate`.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// The model file; repeat to compare several side by side.
    #[arg(long, required = true)]
    pub model: Vec<PathBuf>,
    /// Labelled CSV to evaluate on.
    #[arg(long)]
    pub data: PathBuf,
    #[command(flatten)]
    pub cols: ColumnArgs,
    #[command(flatten)]
    pub limit: ModelLimitArgs,
    #[command(flatten)]
    pub record_limit: RecordLimitArgs,
    /// Column of each row's article id (rows of an article contiguous, in
    /// article order): each row is scored in its article's context, as
    /// `score` scores the article; without it, each row alone.
    #[arg(long, value_name = "COL")]
    pub article_col: Option<String>,
    /// What one statement is: `row` (the default) scores each row whole, as
    /// `stance score --unit row` does; `sentence` splits each row into sentences,
    /// as `stance score` does, each sentence taking its row's labels (the
    /// metrics then count sentences).
    #[arg(long, value_enum, default_value = "row")]
    pub unit: super::UnitArg,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub views: EvalViewArgs,
}

/// Runs `stance evaluate`.
pub fn run(args: EvaluateArgs) -> anyhow::Result<ExitCode> {
    let mut inputs: Vec<&Path> = args.model.iter().map(PathBuf::as_path).collect();
    inputs.push(&args.data);
    check_outputs(&inputs, &args.views.outputs())?;
    let views = &args.views;
    if args.model.len() > 1
        && (views.predictions.is_some() || views.format.is_some() || views.out.is_some())
    {
        anyhow::bail!("--predictions, --format and --out take one --model; give several models without them to compare them side by side");
    }
    let data = args
        .record_limit
        .read_labelled(&args.data, &args.cols.columns())?;
    if data.texts.is_empty() {
        anyhow::bail!(
            "{}: no rows to evaluate (only a header)",
            args.data.display()
        );
    }
    let mut articles = match &args.article_col {
        None => None,
        Some(col) => {
            let articles = args
                .record_limit
                .read_column(&args.data, col)
                .map_err(limit_hint)?;
            if let Err(row) = article_runs(&articles) {
                anyhow::bail!(
                    "{}:{}: article {:?} comes back after other articles; \
                     --article-col needs each article's rows together, in article order",
                    args.data.display(),
                    data.lines[row],
                    articles[row]
                );
            }
            Some(articles)
        }
    };
    let rows = data.texts.len();
    let data = match args.unit {
        UnitArg::Row => data,
        UnitArg::Sentence => {
            let split = split_rows(&data, articles.as_deref());
            articles = Some(split.articles);
            split.data
        }
    };
    let mut evaluations = Vec::new();
    for path in &args.model {
        let model = args.limit.load(path)?;
        let scorer = Scorer::new(model, ScoreOptions::default().check()?)
            .with_context(|| format!("model {}", path.display()))?;
        let preds = match &articles {
            None => predict(&scorer, &data.texts, &data.topics),
            Some(articles) => predict_in_articles(&scorer, &data.texts, &data.topics, articles)?,
        };
        let ev = score_predictions(&scorer, &preds, &data.topics, data.stances.as_deref());
        if let [only] = args.model.as_slice() {
            let input = ViewInput {
                data_path: &args.data,
                model_path: only,
                data: &data,
                preds: &preds,
                topics: &scorer.labels().topics,
                has_stance: scorer.has_stance(),
                ev: &ev,
            };
            args.views
                .write(&input, |out| print(&args, rows, &ev, out))?;
            return Ok(ExitCode::SUCCESS);
        }
        evaluations.push(ev);
    }
    // Note: write errors (a closed pipe) come back as values, so main can end quietly.
    print_side_by_side(&args, rows, &evaluations)
        .context("cannot write the evaluation to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// Prints several models' evaluations side by side (or, with `--json`, one object keyed by model file).
fn print_side_by_side(args: &EvaluateArgs, rows: usize, evs: &[Evaluation]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut by_model = serde_json::Map::new();
        for (path, ev) in args.model.iter().zip(evs) {
            by_model.insert(path.display().to_string(), serde_json::to_value(ev)?);
        }
        writeln!(out, "{}", serde_json::Value::Object(by_model))?;
        return out.flush();
    }
    writeln!(out, "{}", what_was_scored(args, rows, evs[0].n))?;
    let names: Vec<String> = args.model.iter().map(|p| p.display().to_string()).collect();
    let w = names.iter().map(String::len).max().unwrap_or(0).max(8);
    write!(out, "{:34}", "measure")?;
    for n in &names {
        write!(out, " {n:>w$}")?;
    }
    writeln!(out)?;
    type Measure = fn(&Evaluation) -> Option<f64>;
    let measures: [(&str, Measure); 7] = [
        ("topic accuracy", |e| Some(e.topic.accuracy)),
        ("topic macro-F1", |e| Some(e.topic.macro_f1)),
        ("stance macro-F1 (end to end)", |e| {
            e.stance.as_ref().map(|m| m.macro_f1)
        }),
        ("stance F_avg (end to end)", |e| {
            e.stance.as_ref().and_then(|m| m.f_avg)
        }),
        ("stance macro-F1 given the topic", |e| {
            e.stance_given_topic.as_ref().map(|m| m.macro_f1)
        }),
        ("stance F_avg given the topic", |e| {
            e.stance_given_topic.as_ref().and_then(|m| m.f_avg)
        }),
        ("joint accuracy", |e| e.joint_accuracy),
    ];
    for (name, get) in measures {
        let values: Vec<Option<f64>> = evs.iter().map(get).collect();
        if values.iter().all(Option::is_none) {
            continue;
        }
        write!(out, "{name:34}")?;
        for v in values {
            match v {
                Some(v) => write!(out, " {v:>w$.4}")?,
                None => write!(out, " {:>w$}", "-")?,
            }
        }
        writeln!(out)?;
    }
    out.flush()
}

/// Prints the evaluation as tables or (`--json`) one JSON object.
fn print(
    args: &EvaluateArgs,
    rows: usize,
    ev: &Evaluation,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if args.json || args.views.json() {
        writeln!(out, "{}", serde_json::to_string(ev)?)?;
    } else {
        writeln!(out, "{}", what_was_scored(args, rows, ev.n))?;
        write!(out, "{}", ev.topic.to_table("topic"))?;
        if let Some(m) = &ev.stance {
            write!(out, "{}", m.to_table("stance (end to end)"))?;
        }
        if let Some(m) = &ev.stance_given_topic {
            write!(out, "{}", m.to_table("stance given the gold topic"))?;
        }
        if let Some(j) = ev.joint_accuracy {
            writeln!(out, "joint accuracy (topic and stance right): {j:.4}")?;
        }
    }
    out.flush()
}

/// The first line of the tables: how many rows (and, with `--unit sentence`, statements) were scored.
fn what_was_scored(args: &EvaluateArgs, rows: usize, n: usize) -> String {
    match args.unit {
        UnitArg::Row => format!("{n} rows of {}", args.data.display()),
        UnitArg::Sentence => format!("{n} sentences from {rows} rows of {}", args.data.display()),
    }
}
