//! The command line: one module and one `run()` per subcommand.

mod eval_views;
mod evaluate;
mod inspect;
mod label;
mod provenance;
mod report;
mod score;
mod shell;
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
    /// What a model file holds: labels, stance roles, vocabulary, analyzer,
    /// training data checksums, parameters, CV scores, calibration, top terms.
    Inspect(inspect::InspectArgs),
    /// Print a shell completion script (bash, zsh, fish) to stdout.
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff) to stdout: `stance man > stance.1`.
    Man,
}

/// The shipped model's file, built into the binary (`include_bytes!`), for a
/// binary installed without it.
pub const EMBEDDED_MODEL: &[u8] = include_bytes!("../../models/default.model");

/// The path `--model` defaults to when no shipped model file is found: it
/// names the model built into the binary ([`EMBEDDED_MODEL`]).
pub const EMBEDDED_MODEL_NAME: &str = "(built-in models/default.model)";

/// The shipped model: the first file found among `default.model` and
/// `models/default.model` beside the binary, `models/default.model` two
/// folders up (the repository of a `target/release` build), and
/// `models/default.model` in the current directory (the default of old
/// versions); else the model built into the binary ([`EMBEDDED_MODEL_NAME`]).
///
/// Note: not relative to the current directory first, so `stance score`
/// without `--model` works from any directory; a file found first, so a
/// retrained model beside the binary wins over the one it was built with.
/// The built-in one is the file the binary was built from (cargo rebuilds
/// when it changes), which is why the build tree is no longer a candidate.
pub fn shipped_model() -> std::path::PathBuf {
    use std::path::PathBuf;
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.canonicalize().ok())
        .and_then(|e| e.parent().map(PathBuf::from))
    {
        candidates.push(dir.join("default.model"));
        candidates.push(dir.join("models/default.model"));
        if let Some(repo) = dir.parent().and_then(|d| d.parent()) {
            candidates.push(repo.join("models/default.model"));
        }
    }
    candidates.push(PathBuf::from("models/default.model"));
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(EMBEDDED_MODEL_NAME))
}

/// Whether `path` stands for the built-in model: it is [`EMBEDDED_MODEL_NAME`]
/// and no file has that name.
pub fn is_embedded_model(path: &std::path::Path) -> bool {
    path.as_os_str() == EMBEDDED_MODEL_NAME && !path.exists()
}

/// Exit code of a command line clap refuses (an unknown flag, a bad value):
/// EX_USAGE of BSD's `sysexits.h`. 0 is success, 1 a fatal error, 2 "some
/// items were rejected" (`score`, `report`).
pub const EXIT_USAGE: u8 = 64;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Train(a) => train::run(a),
        Command::Evaluate(a) => evaluate::run(a),
        Command::Report(a) => report::run(a),
        Command::Score(a) => score::run(a),
        Command::Label(a) => label::run(a),
        Command::Suggest(a) => suggest::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Completions(a) => shell::completions(a),
        Command::Man => shell::man(),
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
    /// Parquet.
    Parquet,
}

impl From<RecordFormatArg> for crate::io::FileFormat {
    fn from(f: RecordFormatArg) -> Self {
        use crate::io::{FileFormat, RecordFormat};
        match f {
            RecordFormatArg::Csv => FileFormat::Text(RecordFormat::Csv),
            RecordFormatArg::Jsonl => FileFormat::Text(RecordFormat::Jsonl),
            RecordFormatArg::Parquet => FileFormat::Parquet,
        }
    }
}

/// Values of `score --input-format`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleFormatArg {
    /// CSV with a header.
    Csv,
    /// TSV with a header (tab-separated, quoted as CSV).
    Tsv,
    /// JSON Lines.
    #[value(alias = "json")]
    Jsonl,
    /// Plain text.
    Txt,
    /// Parquet (files only, not stdin).
    Parquet,
}

impl From<ArticleFormatArg> for crate::io::ArticleFormat {
    fn from(f: ArticleFormatArg) -> Self {
        match f {
            ArticleFormatArg::Csv => crate::io::ArticleFormat::Csv,
            ArticleFormatArg::Tsv => crate::io::ArticleFormat::Tsv,
            ArticleFormatArg::Jsonl => crate::io::ArticleFormat::Jsonl,
            ArticleFormatArg::Txt => crate::io::ArticleFormat::Txt,
            ArticleFormatArg::Parquet => crate::io::ArticleFormat::Parquet,
        }
    }
}

/// Values of `--unit` (`score`, `evaluate`, `suggest`): what one statement is.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitArg {
    /// Each text is split into sentences, each one statement.
    Sentence,
    /// Each text (an article, a CSV row, a JSON line) is one statement, not split.
    Row,
}

impl From<UnitArg> for crate::pipeline::Unit {
    fn from(u: UnitArg) -> Self {
        match u {
            UnitArg::Sentence => crate::pipeline::Unit::Sentence,
            UnitArg::Row => crate::pipeline::Unit::Row,
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

/// Article column-name flags of `score` and `suggest`.
#[derive(Debug, Clone, clap::Args)]
pub struct ArticleColumnArgs {
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
}

impl ArticleColumnArgs {
    /// As the reader's column names.
    pub fn columns(&self) -> crate::io::ArticleColumns {
        crate::io::ArticleColumns {
            id: self.id_col.clone(),
            text: self.text_col.clone(),
            date: self.date_col.clone(),
            source: self.source_col.clone(),
            title: self.title_col.clone(),
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
    /// Loads the model at `path` within the limit, or the built-in one
    /// when `path` names it ([`is_embedded_model`]).
    pub fn load(&self, path: &std::path::Path) -> crate::Result<crate::model::StanceModel> {
        if is_embedded_model(path) {
            // Note: no size limit: the bytes are part of the binary already.
            return crate::model::StanceModel::from_bytes(EMBEDDED_MODEL, path);
        }
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

impl RecordLimitArgs {
    /// Reads a labelled CSV within the limit.
    pub fn read_labelled(
        &self,
        path: &std::path::Path,
        cols: &crate::io::Columns,
    ) -> anyhow::Result<crate::io::LabelledData> {
        crate::io::read_labelled_limited(path, cols, self.max_record_bytes).map_err(limit_hint)
    }

    /// Reads one column of a labelled CSV within the limit.
    pub fn read_column(&self, path: &std::path::Path, column: &str) -> crate::Result<Vec<String>> {
        crate::io::read_column_limited(path, column, self.max_record_bytes)
    }
}

/// A library error, with how to raise the limit when a record was above it.
pub fn limit_hint(e: crate::Error) -> anyhow::Error {
    if matches!(e, crate::Error::RecordTooLarge { .. }) {
        anyhow::anyhow!("{e} (raise the limit with --max-record-bytes)")
    } else {
        e.into()
    }
}

/// A byte limit of at least 1.
fn positive_bytes(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}
