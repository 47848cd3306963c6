//! `stance train`: labelled CSV in, model file out.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::{flag_error, ColumnArgs};
use crate::analysis::Language;
use crate::features::DfBound;
use crate::io::{check_outputs, read_labelled};
use crate::model::DEFAULT_MAX_MODEL_BYTES;
use crate::model::{train, ClassWeight, TrainConfig, TrainParams, TrainingSet, DEFAULT_C_GRID};

/// Arguments of `stance train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Labelled CSV (header with text, topic and optionally stance columns).
    #[arg(long)]
    pub data: PathBuf,
    /// Where to write the model.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub cols: ColumnArgs,
    /// Snowball stemmer and stop-word language.
    #[arg(long, default_value = "english")]
    pub language: Language,
    /// Keep words unstemmed.
    #[arg(long)]
    pub no_stem: bool,
    /// Remove the language's stop words before building n-grams.
    #[arg(long)]
    pub stop_words: bool,
    /// Word n-grams from 1 to this (at most 6).
    #[arg(long, default_value_t = 2)]
    pub ngram_max: usize,
    /// Character n-grams within word boundaries, e.g. 2-5 (off by default; lengths 1 to 10).
    #[arg(long, value_parser = parse_range)]
    pub char_ngrams: Option<(usize, usize)>,
    /// Minimum document frequency: a count (2) or a fraction (0.01).
    #[arg(long, default_value = "2")]
    pub min_df: DfBound,
    /// Maximum document frequency: a count or a fraction.
    #[arg(long, default_value = "1.0")]
    pub max_df: DfBound,
    /// Keep only the N most frequent terms.
    #[arg(long)]
    pub max_features: Option<usize>,
    /// Use 1 + ln(tf) instead of raw term counts.
    #[arg(long)]
    pub sublinear_tf: bool,
    /// Inverse regularisation strength; chosen by cross-validation when omitted.
    #[arg(long, allow_negative_numbers = true)]
    pub c: Option<f64>,
    /// Class weighting: none or balanced.
    #[arg(long, default_value = "none", value_parser = parse_class_weight)]
    pub class_weight: ClassWeight,
    /// The values of C cross-validation chooses from (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_C_GRID.to_vec())]
    pub c_grid: Vec<f64>,
    /// Folds for choosing C by cross-validation.
    #[arg(long, default_value_t = 5)]
    pub cv: usize,
    /// L-BFGS iteration limit per head.
    #[arg(long, default_value_t = 1000)]
    pub max_iter: u64,
    /// Stop when the largest gradient component is at most this.
    #[arg(long, default_value_t = 1e-4)]
    pub tol: f64,
}

fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("{s:?}: expected MIN-MAX, e.g. 2-5"))?;
    let (a, b) = (a.trim().parse::<usize>(), b.trim().parse::<usize>());
    match (a, b) {
        (Ok(a), Ok(b)) if 1 <= a && a <= b => Ok((a, b)),
        _ => Err(format!("{s:?}: expected MIN-MAX with 1 <= MIN <= MAX")),
    }
}

fn parse_class_weight(s: &str) -> Result<ClassWeight, String> {
    match s {
        "none" => Ok(ClassWeight::None),
        "balanced" => Ok(ClassWeight::Balanced),
        _ => Err(format!("{s:?}: expected none or balanced")),
    }
}

impl TrainArgs {
    /// The parameters as the library takes them.
    pub fn params(&self) -> TrainParams {
        TrainParams {
            language: self.language,
            stem: !self.no_stem,
            stop_words: self.stop_words,
            ngram_max: self.ngram_max,
            char_ngrams: self.char_ngrams,
            min_df: self.min_df,
            max_df: self.max_df,
            max_features: self.max_features,
            sublinear_tf: self.sublinear_tf,
            c: self.c,
            class_weight: self.class_weight,
            c_grid: self.c_grid.clone(),
            cv: self.cv,
            max_iter: self.max_iter,
            tol: self.tol,
        }
    }

    /// The validated library configuration.
    pub fn config(&self) -> anyhow::Result<TrainConfig> {
        // Note: the library's older checks already name the flag (`--cv`); the
        // parameters checked by `TrainParams` are named as in the library.
        self.params().config().map_err(|e| {
            if matches!(&e, crate::Error::InvalidParam { name, .. } if !name.starts_with("--")) {
                flag_error(e)
            } else {
                e.into()
            }
        })
    }
}

/// Runs `stance train`.
pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let config = args.config()?;
    check_outputs(&[&args.data], &[&args.out])?;
    let data = read_labelled(&args.data, &args.cols.columns())?;
    let stance_note = if data.stances.is_some() {
        "topic + stance"
    } else {
        "topic only (no stance column)"
    };
    eprintln!(
        "read {} rows from {}: {stance_note}",
        data.texts.len(),
        args.data.display()
    );
    let meta = args.params().meta(
        &data.sha256,
        data.texts.len(),
        &args.cols.text_col,
        &args.cols.topic_col,
        data.stances.as_ref().map(|_| args.cols.stance_col.as_str()),
    );
    let set = TrainingSet {
        texts: &data.texts,
        topics: &data.topics,
        stances: data.stances.as_deref(),
    };
    let model = train(&set, &config, meta, &mut |line| eprintln!("{line}"))?;
    model
        .save(&args.out)
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!("wrote {}", args.out.display());
    let size = std::fs::metadata(&args.out).map_or(0, |m| m.len());
    if size > DEFAULT_MAX_MODEL_BYTES {
        eprintln!(
            "warning: the model has {size} bytes, more than the {DEFAULT_MAX_MODEL_BYTES} that \
             evaluate, score and report load by default: pass them --max-model-bytes {size}"
        );
    }
    Ok(ExitCode::SUCCESS)
}
