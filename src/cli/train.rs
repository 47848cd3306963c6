//! `stance train`: labelled CSV in, model file out.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::ColumnArgs;
use crate::analysis::{AnalyzerConfig, Language};
use crate::features::{DfBound, VectorizerConfig, VocabConfig};
use crate::io::{check_outputs, read_labelled_files};
use crate::model::DEFAULT_MAX_MODEL_BYTES;
use crate::model::{
    train, ClassWeight, LogisticParams, TrainConfig, TrainingMeta, TrainingSet, DEFAULT_C_GRID,
};

/// Arguments of `stance train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Labelled CSV (header with text, topic and optionally stance columns);
    /// repeat for several files with the same columns, their rows concatenated in order.
    #[arg(long, required = true)]
    pub data: Vec<PathBuf>,
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
    /// The validated library configuration.
    pub fn config(&self) -> anyhow::Result<TrainConfig> {
        if self.ngram_max == 0 {
            anyhow::bail!("--ngram-max must be at least 1");
        }
        let logistic = LogisticParams {
            c: self.c.unwrap_or(1.0),
            class_weight: self.class_weight,
            max_iter: self.max_iter,
            tol: self.tol,
            ..LogisticParams::default()
        };
        if let Some(bad) = self.c_grid.iter().find(|c| !(c.is_finite() && **c > 0.0)) {
            anyhow::bail!("--c-grid: {bad} is not a positive finite number");
        }
        if self.c.is_none() && self.c_grid.is_empty() {
            anyhow::bail!("--c-grid is empty; give values or --c");
        }
        let config = TrainConfig {
            vectorizer: VectorizerConfig {
                analyzer: AnalyzerConfig {
                    language: self.language,
                    stem: !self.no_stem,
                    stop_words: self.stop_words,
                    ngram_max: self.ngram_max,
                    char_ngrams: self.char_ngrams,
                },
                vocab: VocabConfig {
                    min_df: self.min_df,
                    max_df: self.max_df,
                    max_features: self.max_features,
                },
                sublinear_tf: self.sublinear_tf,
            },
            logistic,
            c_grid: if self.c.is_some() {
                Vec::new()
            } else {
                self.c_grid.clone()
            },
            cv_folds: self.cv,
            ..TrainConfig::default()
        };
        config.check()?;
        Ok(config)
    }

    /// The parameters as recorded in the model file.
    fn recorded(&self) -> Vec<(String, String)> {
        let mut p = vec![
            ("language".into(), self.language.to_string()),
            ("stem".into(), (!self.no_stem).to_string()),
            ("stop_words".into(), self.stop_words.to_string()),
            ("ngram_max".into(), self.ngram_max.to_string()),
            (
                "char_ngrams".into(),
                self.char_ngrams
                    .map(|(a, b)| format!("{a}-{b}"))
                    .unwrap_or_else(|| "off".into()),
            ),
            ("min_df".into(), self.min_df.to_string()),
            ("max_df".into(), self.max_df.to_string()),
            (
                "max_features".into(),
                self.max_features
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "all".into()),
            ),
            ("sublinear_tf".into(), self.sublinear_tf.to_string()),
            (
                "c".into(),
                self.c.map(|c| c.to_string()).unwrap_or_else(|| {
                    let grid: Vec<String> = self.c_grid.iter().map(|c| c.to_string()).collect();
                    format!("cv over {}", grid.join(","))
                }),
            ),
            (
                "class_weight".into(),
                format!("{:?}", self.class_weight).to_lowercase(),
            ),
            ("cv".into(), self.cv.to_string()),
            ("max_iter".into(), self.max_iter.to_string()),
            ("tol".into(), self.tol.to_string()),
        ];
        p.sort();
        p
    }
}

/// Runs `stance train`.
pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let config = args.config()?;
    let paths: Vec<&std::path::Path> = args.data.iter().map(PathBuf::as_path).collect();
    check_outputs(&paths, &[&args.out])?;
    let (data, data_files) = read_labelled_files(&paths, &args.cols.columns())?;
    let stance_note = if data.stances.is_some() {
        "topic + stance"
    } else {
        "topic only (no stance column)"
    };
    let names: Vec<String> = args.data.iter().map(|p| p.display().to_string()).collect();
    eprintln!(
        "read {} rows from {}: {stance_note}",
        data.texts.len(),
        names.join(" + ")
    );
    let meta = TrainingMeta {
        data_sha256: data.sha256.clone(),
        n_rows: data.texts.len(),
        columns: vec![
            args.cols.text_col.clone(),
            args.cols.topic_col.clone(),
            if data.stances.is_some() {
                args.cols.stance_col.clone()
            } else {
                String::new()
            },
        ],
        params: args.recorded(),
        cv: Vec::new(),
        trained_by: format!("stance {}", env!("CARGO_PKG_VERSION")),
        data_files,
        ..TrainingMeta::default()
    };
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
