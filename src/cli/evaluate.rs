//! `stance evaluate`: a model against held-out labelled data.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::eval_views::{EvalViewArgs, ViewInput};
use super::{ColumnArgs, ModelLimitArgs};
use crate::eval::{predict, predict_in_articles, score_predictions, Evaluation};
use crate::io::{check_outputs, read_column, read_labelled};
use crate::model::article_runs;
use crate::pipeline::{ScoreOptions, Scorer};

/// Arguments of `stance evaluate`.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// The model file.
    #[arg(long)]
    pub model: PathBuf,
    /// Labelled CSV to evaluate on.
    #[arg(long)]
    pub data: PathBuf,
    #[command(flatten)]
    pub cols: ColumnArgs,
    #[command(flatten)]
    pub limit: ModelLimitArgs,
    /// Column of each row's article id (rows of an article contiguous, in
    /// article order): each row is scored in its article's context, as
    /// `score` scores the article; without it, each row alone.
    #[arg(long, value_name = "COL")]
    pub article_col: Option<String>,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub views: EvalViewArgs,
}

/// Runs `stance evaluate`.
pub fn run(args: EvaluateArgs) -> anyhow::Result<ExitCode> {
    check_outputs(&[&args.model, &args.data], &args.views.outputs())?;
    let model = args.limit.load(&args.model)?;
    let scorer = Scorer::new(model, ScoreOptions::default().check()?)
        .with_context(|| format!("model {}", args.model.display()))?;
    let data = read_labelled(&args.data, &args.cols.columns())?;
    if data.texts.is_empty() {
        anyhow::bail!(
            "{}: no rows to evaluate (only a header)",
            args.data.display()
        );
    }
    let preds = match &args.article_col {
        None => predict(&scorer, &data.texts, &data.topics),
        Some(col) => {
            let articles = read_column(&args.data, col)?;
            if let Err(row) = article_runs(&articles) {
                anyhow::bail!(
                    "{}:{}: article {:?} comes back after other articles; \
                     --article-col needs each article's rows together, in article order",
                    args.data.display(),
                    data.lines[row],
                    articles[row]
                );
            }
            predict_in_articles(&scorer, &data.texts, &data.topics, &articles)?
        }
    };
    let has_stance = scorer.has_stance();
    let ev = score_predictions(&scorer, &preds, &data.topics, data.stances.as_deref());
    let input = ViewInput {
        data_path: &args.data,
        model_path: &args.model,
        data: &data,
        preds: &preds,
        topics: &scorer.labels().topics,
        has_stance,
        ev: &ev,
    };
    args.views.write(&input, |out| print(&args, &ev, out))?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the evaluation as tables or (`--json`) one JSON object.
fn print(args: &EvaluateArgs, ev: &Evaluation, out: &mut dyn Write) -> std::io::Result<()> {
    if args.json || args.views.json() {
        writeln!(out, "{}", serde_json::to_string(ev)?)?;
    } else {
        writeln!(out, "{} rows of {}", ev.n, args.data.display())?;
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
