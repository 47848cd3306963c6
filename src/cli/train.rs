//! `stance train`: labelled CSV in, model file out.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::{flag_error, limit_hint, ColumnArgs, RecordLimitArgs};
use crate::analysis::Language;
use crate::eval::audit;
use crate::features::DfBound;
use crate::io::{check_outputs, commit, Output};
use crate::model::DEFAULT_MAX_MODEL_BYTES;
use crate::model::{article_runs, refine, RefineConfig};
use crate::model::{
    train, ClassWeight, DataFile, RoleNames, TrainConfig, TrainParams, TrainingSet, DEFAULT_C_GRID,
};

/// Arguments of `stance train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Labelled CSV (header with text, topic and optionally stance columns);
    /// repeat it to train on several files, read in the order given.
    #[arg(long, required = true)]
    pub data: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub cols: ColumnArgs,
    #[command(flatten)]
    pub record_limit: RecordLimitArgs,
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
    /// Column of each row's article id (an article's rows together, in
    /// order): fits the article-context stage on out-of-fold predictions of
    /// the articles. Files without the column are statements alone.
    #[arg(long, value_name = "COL")]
    pub article_col: Option<String>,
    /// With --article-col, also fit the stance context stage (each
    /// statement's stance from its own and its article's stance probabilities).
    #[arg(long, requires = "article_col")]
    pub stance_context: bool,
    /// Fit a temperature per head on out-of-fold predictions (calibrated probabilities).
    #[arg(long)]
    pub calibrate: bool,
    /// Write the training rows whose out-of-fold prediction confidently
    /// disagrees with their label (suspected label errors) to this CSV.
    #[arg(long, value_name = "FILE")]
    pub audit: Option<PathBuf>,
    /// L-BFGS iteration limit per head.
    #[arg(long, default_value_t = 1000)]
    pub max_iter: u64,
    /// Stop when the largest gradient component is at most this.
    #[arg(long, default_value_t = 1e-4)]
    pub tol: f64,
    /// The stance label meaning "favor" (default: the label named favor or favour, any case).
    #[arg(long, value_name = "LABEL", requires = "against_label")]
    pub favor_label: Option<String>,
    /// The stance label meaning "against" (default: the label named against, any case).
    #[arg(long, value_name = "LABEL", requires = "favor_label")]
    pub against_label: Option<String>,
    /// The stance label meaning "neutral" (default: the label named neutral or none, any case).
    #[arg(long, value_name = "LABEL")]
    pub neutral_label: Option<String>,
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
            roles: RoleNames {
                favor: self.favor_label.clone(),
                against: self.against_label.clone(),
                neutral: self.neutral_label.clone(),
            },
        }
    }

    /// The validated library configuration.
    pub fn config(&self) -> anyhow::Result<TrainConfig> {
        self.params().config().map_err(flag_error)
    }
}

/// The training files, concatenated.
struct Training {
    texts: Vec<String>,
    topics: Vec<String>,
    stances: Option<Vec<String>>,
    /// Each row's article (file number and id; empty for a statement alone), with `--article-col`.
    articles: Option<Vec<String>>,
    /// Each row's file and 1-based line.
    origin: Vec<(usize, u64)>,
    sha256: Vec<String>,
}

fn read_training(args: &TrainArgs) -> anyhow::Result<Training> {
    let mut t = Training {
        texts: Vec::new(),
        topics: Vec::new(),
        stances: None,
        articles: args.article_col.as_ref().map(|_| Vec::new()),
        origin: Vec::new(),
        sha256: Vec::new(),
    };
    for (f, path) in args.data.iter().enumerate() {
        let data = args
            .record_limit
            .read_labelled(path, &args.cols.columns())?;
        if f > 0 && data.stances.is_some() != t.stances.is_some() {
            anyhow::bail!(
                "{}: {} a {:?} column and {} {}: all training files must have stance or none",
                path.display(),
                if data.stances.is_some() {
                    "has"
                } else {
                    "has no"
                },
                args.cols.stance_col,
                args.data[0].display(),
                if t.stances.is_some() {
                    "has"
                } else {
                    "has not"
                },
            );
        }
        if let (Some(col), Some(articles)) = (&args.article_col, t.articles.as_mut()) {
            let ids = match args.record_limit.read_column(path, col) {
                Ok(ids) => ids,
                Err(crate::Error::MissingColumn { .. }) => vec![String::new(); data.texts.len()],
                Err(e) => return Err(limit_hint(e)),
            };
            if let Err(row) = article_runs(&ids) {
                anyhow::bail!(
                    "{}:{}: article {:?} comes back after other articles; \
                     --article-col needs each article's rows together, in article order",
                    path.display(),
                    data.lines[row],
                    ids[row]
                );
            }
            articles.extend(ids.into_iter().map(|id| {
                if id.is_empty() {
                    id
                } else {
                    format!("{f}:{id}")
                }
            }));
        }
        t.origin.extend(data.lines.iter().map(|&l| (f, l)));
        t.texts.extend(data.texts);
        t.topics.extend(data.topics);
        match (t.stances.as_mut(), data.stances) {
            (Some(s), Some(d)) => s.extend(d),
            (None, Some(d)) if f == 0 => t.stances = Some(d),
            _ => {}
        }
        t.sha256.push(data.sha256);
    }
    Ok(t)
}

/// Writes the audit's suspects as CSV: where each row is, its text, the head, label and prediction.
fn write_audit(
    path: &std::path::Path,
    args: &TrainArgs,
    data: &Training,
    suspects: &[crate::eval::Suspect],
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "file",
        "line",
        "head",
        "label",
        "predicted",
        "p_predicted",
        "p_label",
        "text",
    ])?;
    for s in suspects {
        let (f, line) = data.origin[s.row];
        w.write_record([
            args.data[f].display().to_string(),
            line.to_string(),
            s.head.clone(),
            s.label.clone(),
            s.predicted.clone(),
            format!("{:.4}", s.p_predicted),
            format!("{:.4}", s.p_label),
            data.texts[s.row].clone(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = Output::create(path)?;
    out.put(&bytes)?;
    commit(out.finish()?)?;
    Ok(())
}

/// Runs `stance train`.
pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let config = args.config()?;
    let inputs: Vec<&std::path::Path> = args.data.iter().map(PathBuf::as_path).collect();
    let mut outputs: Vec<&std::path::Path> = vec![&args.out];
    outputs.extend(args.audit.as_deref());
    check_outputs(&inputs, &outputs)?;
    // Note: the training date comes only from SOURCE_DATE_EPOCH, never the
    // clock, so that retraining on the same data gives the same bytes.
    let trained_at = super::provenance::source_date_epoch()?.map(crate::report::rfc3339);
    let data = read_training(&args)?;
    let stance_note = if data.stances.is_some() {
        "topic + stance"
    } else {
        "topic only (no stance column)"
    };
    let names: Vec<String> = args.data.iter().map(|p| p.display().to_string()).collect();
    eprintln!(
        "read {} rows from {}: {stance_note}",
        data.texts.len(),
        names.join(", ")
    );
    let mut meta = args.params().meta(
        // Note: one file's hash as before; several files' hashes joined by commas, in order.
        &data.sha256.join(","),
        data.texts.len(),
        &args.cols.text_col,
        &args.cols.topic_col,
        data.stances.as_ref().map(|_| args.cols.stance_col.as_str()),
    );
    meta.trained_at = trained_at;
    // Note: recorded only when given, so models trained without them keep their bytes.
    if let Some(col) = &args.article_col {
        meta.params.push(("article_col".into(), col.clone()));
    }
    if args.calibrate {
        meta.params.push(("calibrate".into(), "true".into()));
    }
    if args.stance_context {
        meta.params.push(("stance_context".into(), "true".into()));
    }
    meta.params.sort();
    // Note: listed only for several files (one file's checksum is data_sha256),
    // so a model trained on one file is the same file whichever interface
    // trained it (the Python package's test compares the bytes).
    if data.sha256.len() > 1 {
        meta.data_files = data
            .sha256
            .iter()
            .enumerate()
            .map(|(f, sha256)| DataFile {
                sha256: sha256.clone(),
                rows: data.origin.iter().filter(|(g, _)| *g == f).count(),
            })
            .collect();
    }
    let set = TrainingSet {
        texts: &data.texts,
        topics: &data.topics,
        stances: data.stances.as_deref(),
    };
    let mut model =
        train(&set, &config, meta, &mut |line| eprintln!("{line}")).map_err(flag_error)?;
    if args.article_col.is_some() || args.calibrate || args.audit.is_some() {
        let refine_config = RefineConfig {
            folds: args.cv.max(2),
            context: args.article_col.is_some(),
            stance_context: args.stance_context,
            calibrate: args.calibrate,
            ..RefineConfig::default()
        };
        let oof = refine(
            &mut model,
            &set,
            data.articles.as_deref(),
            &config,
            &refine_config,
            &mut |line| eprintln!("{line}"),
        )?;
        if let Some(path) = &args.audit {
            let suspects = audit(&model, &oof, &data.topics, data.stances.as_deref());
            write_audit(path, &args, &data, &suspects)
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "audit: {} suspected label errors written to {}",
                suspects.len(),
                path.display()
            );
        }
    }
    if model.stance.is_some() {
        let r = &model.roles;
        let shown = |l: &Option<String>| l.as_deref().unwrap_or("(none)").to_string();
        eprintln!(
            "stance roles: favor {}, against {}, neutral {}{}",
            shown(&r.favor),
            shown(&r.against),
            shown(&r.neutral),
            if r.has_net_stance() {
                ""
            } else {
                " (no favor/against: no net stance or F_avg; name them with --favor-label and --against-label)"
            }
        );
    }
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
