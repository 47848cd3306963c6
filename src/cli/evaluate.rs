//! `stance evaluate`: a model against held-out labelled data.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;

use super::{ColumnArgs, ModelLimitArgs};
use crate::eval::Metrics;
use crate::features::Row;
use crate::io::{check_outputs, read_labelled};
use crate::model::StanceModel;

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
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// The JSON printed by `--json` (a contract: scripts read these keys).
#[derive(Debug, Serialize)]
pub struct Evaluation {
    /// Rows evaluated.
    pub n: usize,
    /// Topic head.
    pub topic: Metrics,
    /// Stance end to end: the predicted topic's stance head.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance: Option<Metrics>,
    /// Stance given the gold topic's head (as SemEval-2016 scores it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance_given_topic: Option<Metrics>,
    /// Rows with both topic and (end-to-end) stance right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joint_accuracy: Option<f64>,
}

/// One row's predictions.
struct Predicted {
    topic: String,
    stance: Option<String>,
    stance_given_topic: Option<String>,
}

/// Scores `model` on texts with gold topics and optional gold stances.
pub fn evaluate(
    model: &StanceModel,
    texts: &[String],
    topics: &[String],
    stances: Option<&[String]>,
) -> Evaluation {
    let preds: Vec<Predicted> = texts
        .par_iter()
        .zip(topics.par_iter())
        .map_init(
            || (model.vectorizer.analyzer(), Row::default()),
            |(an, row), (text, gold_topic)| {
                let p = model.predict_text(an, text, row);
                // Note: a gold topic the model doesn't know has no head of its own;
                // the shared head answers if there is one, else the end-to-end head.
                let given = model
                    .stance_given(gold_topic, row)
                    .or_else(|| p.stance.clone());
                Predicted {
                    topic: model.topics()[p.topic].clone(),
                    stance: p.stance.map(|s| s.label),
                    stance_given_topic: given.map(|s| s.label),
                }
            },
        )
        .collect();
    let pred_topics: Vec<String> = preds.iter().map(|p| p.topic.clone()).collect();
    let topic = Metrics::compute(topics, &pred_topics);
    let (mut stance, mut given, mut joint) = (None, None, None);
    if let (Some(gold), true) = (stances, model.stance.is_some()) {
        let e2e: Vec<String> = preds
            .iter()
            .map(|p| p.stance.clone().unwrap_or_default())
            .collect();
        let gt: Vec<String> = preds
            .iter()
            .map(|p| p.stance_given_topic.clone().unwrap_or_default())
            .collect();
        let both = (0..texts.len())
            .filter(|&i| pred_topics[i] == topics[i] && e2e[i] == gold[i])
            .count();
        joint = Some(if texts.is_empty() {
            0.0
        } else {
            both as f64 / texts.len() as f64
        });
        stance = Some(Metrics::compute(gold, &e2e));
        given = Some(Metrics::compute(gold, &gt));
    }
    Evaluation {
        n: texts.len(),
        topic,
        stance,
        stance_given_topic: given,
        joint_accuracy: joint,
    }
}

/// Runs `stance evaluate`.
pub fn run(args: EvaluateArgs) -> anyhow::Result<ExitCode> {
    check_outputs(&[&args.model, &args.data], &[Path::new("-")])?;
    let model = args.limit.load(&args.model)?;
    let data = read_labelled(&args.data, &args.cols.columns())?;
    if data.texts.is_empty() {
        anyhow::bail!(
            "{}: no rows to evaluate (only a header)",
            args.data.display()
        );
    }
    let ev = evaluate(&model, &data.texts, &data.topics, data.stances.as_deref());
    // Note: write errors (a closed pipe) come back as values, so main can end quietly.
    print(&args, &ev).context("cannot write the evaluation to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the evaluation on stdout, as tables or (`--json`) one JSON object.
fn print(args: &EvaluateArgs, ev: &Evaluation) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if args.json {
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
