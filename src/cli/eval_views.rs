//! `stance evaluate`'s outputs beyond the stdout tables: `--predictions FILE`
//! (every row, gold and predicted) and `--format html|json|table --out FILE`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::eval::{write_predictions, Evaluation, RowPrediction};
use crate::io::{commit, AtomicFile, LabelledData, Output};
use crate::report::{evaluation_html, EvaluationPage};

/// The evaluation's output flags.
#[derive(Debug, Clone, clap::Args)]
pub struct EvalViewArgs {
    /// Write every row with its gold and predicted topic and stance and their probabilities (CSV).
    #[arg(long, value_name = "FILE")]
    pub predictions: Option<PathBuf>,
    /// Output format of the evaluation [default: table; `--json` is `--format json`].
    #[arg(long, value_enum, conflicts_with = "json")]
    pub format: Option<EvalFormatArg>,
    /// Write the evaluation to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `evaluate --format` values.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalFormatArg {
    /// Tables for a terminal.
    Table,
    /// One JSON object.
    Json,
    /// A self-contained HTML page with heat maps, bars and a reliability diagram.
    Html,
}

/// What the views need of one evaluation run.
pub struct ViewInput<'a> {
    /// The labelled file, for messages and the page.
    pub data_path: &'a Path,
    /// The model file, for the page.
    pub model_path: &'a Path,
    /// The rows read.
    pub data: &'a LabelledData,
    /// One prediction per row.
    pub preds: &'a [RowPrediction],
    /// The model's topics, in `topic_probs` order.
    pub topics: &'a [String],
    /// Whether the model has stance heads.
    pub has_stance: bool,
    /// The metrics.
    pub ev: &'a Evaluation,
}

impl EvalViewArgs {
    /// The files these flags write (stdout as `-` when the evaluation goes there).
    pub fn outputs(&self) -> Vec<&Path> {
        let mut v = vec![self.out.as_deref().unwrap_or(Path::new("-"))];
        v.extend(self.predictions.as_deref());
        v
    }

    /// Whether `--format json` was asked for (as `--json` is).
    pub fn json(&self) -> bool {
        self.format == Some(EvalFormatArg::Json)
    }

    /// Writes the predictions file and the evaluation (HTML here, tables and
    /// JSON by `print`), to stdout or `--out`; files are committed together
    /// once all are complete.
    pub fn write(
        &self,
        input: &ViewInput<'_>,
        print: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> anyhow::Result<()> {
        let mut staged = Vec::new();
        if let Some(path) = &self.predictions {
            let mut file = AtomicFile::create(path)?;
            write_predictions(
                &mut file,
                input.data,
                input.preds,
                input.topics,
                input.has_stance,
            )
            .with_context(|| format!("cannot write {}", path.display()))?;
            staged.push(file.finish()?);
        }
        let page = EvaluationPage {
            ev: input.ev,
            data: &input.data_path.display().to_string(),
            model: &input.model_path.display().to_string(),
        };
        let mut out = Output::to(self.out.as_deref())?;
        let written = if self.format == Some(EvalFormatArg::Html) {
            evaluation_html(&page, &mut out)
        } else {
            print(&mut out)
        };
        // Note: write errors (a closed pipe) come back as values, so main can end quietly.
        written.with_context(|| {
            let to = self
                .out
                .as_ref()
                .map_or("stdout".into(), |p| p.display().to_string());
            format!("cannot write the evaluation to {to}")
        })?;
        staged.extend(out.finish()?);
        commit(staged)?;
        Ok(())
    }
}
