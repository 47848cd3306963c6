//! The command line: one module and one `run()` per subcommand.

mod eval_views;
mod evaluate;
mod label;
mod report;
mod score;
mod suggest;
mod train;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Topic and stance of every statement in news articles.
#[derive(Debug, Parser)]
#[command(name = "stance", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a model from a labelled CSV.
    Train(train::TrainArgs),
    /// Evaluate a model on labelled data.
    Evaluate(evaluate::EvaluateArgs),
    /// Per-topic statistics over scored statements.
    Report(report::ReportArgs),
    /// Topic and stance of every statement of news articles.
    Score(score::ScoreArgs),
    /// Label statements by hand in the terminal, with the model's guess in front of you.
    Label(label::LabelArgs),
    /// Pick the statements whose labels would teach the model most (a to_label CSV).
    Suggest(suggest::SuggestArgs),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Train(a) => train::run(a),
        Command::Evaluate(a) => evaluate::run(a),
        Command::Report(a) => report::run(a),
        Command::Score(a) => score::run(a),
        Command::Label(a) => label::run(a),
        Command::Suggest(a) => suggest::run(a),
    }
}

/// Values of the flags that name a scored-record format (`score --format`, `report --input-format`).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormatArg {
    /// CSV with a header.
    Csv,
    /// JSON Lines.
    #[value(alias = "json")]
    Jsonl,
}

impl From<RecordFormatArg> for crate::io::RecordFormat {
    fn from(f: RecordFormatArg) -> Self {
        match f {
            RecordFormatArg::Csv => crate::io::RecordFormat::Csv,
            RecordFormatArg::Jsonl => crate::io::RecordFormat::Jsonl,
        }
    }
}

/// Values of `score --input-format`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleFormatArg {
    /// CSV with a header.
    Csv,
    /// JSON Lines.
    #[value(alias = "json")]
    Jsonl,
    /// Plain text.
    Txt,
}

impl From<ArticleFormatArg> for crate::io::ArticleFormat {
    fn from(f: ArticleFormatArg) -> Self {
        match f {
            ArticleFormatArg::Csv => crate::io::ArticleFormat::Csv,
            ArticleFormatArg::Jsonl => crate::io::ArticleFormat::Jsonl,
            ArticleFormatArg::Txt => crate::io::ArticleFormat::Txt,
        }
    }
}

/// A library error about a parameter, told by its command-line flag
/// (`min_confidence` is `--min-confidence`); other errors as they are.
pub(crate) fn flag_error(e: crate::Error) -> anyhow::Error {
    match e {
        crate::Error::InvalidParam {
            name,
            value,
            reason,
        } => {
            let flag = format!("--{}", name.replace('_', "-"));
            if reason.starts_with("must") {
                anyhow::anyhow!("{flag} {reason}, got {value}")
            } else {
                anyhow::anyhow!("{flag} {value}: {reason}")
            }
        }
        other => other.into(),
    }
}

/// Column-name flags shared by `train` and `evaluate`.
#[derive(Debug, Clone, clap::Args)]
pub struct ColumnArgs {
    /// Column holding the statement text.
    #[arg(long, default_value = "text")]
    pub text_col: String,
    /// Column holding the topic label.
    #[arg(long, default_value = "topic")]
    pub topic_col: String,
    /// Column holding the stance label; when absent from the header the data is topic-only.
    #[arg(long, default_value = "stance")]
    pub stance_col: String,
}

impl ColumnArgs {
    /// As the library's column names.
    pub fn columns(&self) -> crate::io::Columns {
        crate::io::Columns {
            text: self.text_col.clone(),
            topic: self.topic_col.clone(),
            stance: self.stance_col.clone(),
        }
    }
}

/// The model-size flag of every subcommand that loads a model.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelLimitArgs {
    /// Refuse a model file larger than this many bytes (default 2 GiB).
    #[arg(long, default_value_t = crate::model::DEFAULT_MAX_MODEL_BYTES, value_name = "BYTES")]
    pub max_model_bytes: u64,
}

impl ModelLimitArgs {
    /// Loads the model at `path` within the limit.
    pub fn load(&self, path: &std::path::Path) -> crate::Result<crate::model::StanceModel> {
        crate::model::StanceModel::load_with_limit(path, self.max_model_bytes)
    }
}

/// The record-size flag of every subcommand that reads labelled or scored
/// files (`report`, `train`, `evaluate`); `score` and `suggest` have
/// `--max-article-bytes`, with the same default.
#[derive(Debug, Clone, clap::Args)]
pub struct RecordLimitArgs {
    /// Refuse a CSV record or JSON Lines line larger than this many bytes
    /// (default 16 MiB): `report` rejects the row, `train` and `evaluate` stop.
    #[arg(long, default_value_t = crate::io::DEFAULT_MAX_RECORD_BYTES, value_name = "BYTES", value_parser = positive_bytes)]
    pub max_record_bytes: usize,
}

/// A byte limit of at least 1.
fn positive_bytes(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}
