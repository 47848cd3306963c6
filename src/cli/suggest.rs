//! `stance suggest`: the statements worth labelling, as a to_label file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};

use super::{flag_error, ArticleColumnArgs, ArticleFormatArg, ModelLimitArgs};
use crate::io::{
    check_outputs, commit, expand_inputs, ArticleFormat, ArticleReader, AtomicFile, FileFormat,
    ReadOptions, RecordFormat, Source, Staged,
};
use crate::pipeline::{
    run as run_pipeline, Input, RejectSink, RejectsTo, ScoreOptions, Scorer, Sink,
};
use crate::suggest::{
    feed_scored, select, write_to_label, Exclusions, Gathered, Strategy, SuggestOptions,
    SuggestSink,
};

/// Values of `--strategy`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrategyArg {
    /// The smallest combined margin (topic; on-topic also stance) first, statements with few known terms later.
    Margin,
    /// The largest normalised entropy first.
    Entropy,
    /// Random (the baseline), by --seed.
    Random,
}

/// Arguments of `stance suggest`.
#[derive(Debug, Clone, clap::Args)]
pub struct SuggestArgs {
    /// Articles, as `stance score` reads them (or, with --scored, its JSON Lines output).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Model file [default: the shipped model, as for `stance score`; with --scored only to leave out its training texts].
    #[arg(long, value_name = "MODEL")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub model_limit: ModelLimitArgs,
    /// Statements to suggest.
    #[arg(long, default_value_t = 200)]
    pub n: usize,
    /// Where to write them (a to_label CSV).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// How to rank them.
    #[arg(long, value_enum, default_value = "margin")]
    pub strategy: StrategyArg,
    /// At most this many statements per article.
    #[arg(long, default_value_t = 3)]
    pub per_article: usize,
    /// Never suggest the rows of these CSV files (by id and by text): repeat for several.
    #[arg(long, value_name = "FILE")]
    pub exclude: Vec<PathBuf>,
    /// Only statements whose predicted topic is T.
    #[arg(long, value_name = "T")]
    pub topic: Option<String>,
    /// Seed of --strategy random.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The inputs are `stance score --format jsonl` output (with every probability).
    #[arg(long)]
    pub scored: bool,
    /// Format of the article inputs (default: by extension).
    #[arg(long, value_enum)]
    pub input_format: Option<ArticleFormatArg>,
    #[command(flatten)]
    pub columns: ArticleColumnArgs,
    /// Rejected articles (CSV: input,position,article_id,reason; JSON Lines for .jsonl)
    /// [default: <out>.rejects.csv; only written when something is rejected, and an old
    /// one is removed when nothing is].
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Reject an article (with --scored: a scored line) larger than this many bytes.
    #[arg(long, default_value_t = crate::io::DEFAULT_MAX_BYTES, value_name = "BYTES")]
    pub max_article_bytes: usize,
    /// What one statement is, as `stance score --unit` (not with --scored).
    #[arg(
        long,
        value_enum,
        default_value = "sentence",
        conflicts_with = "scored"
    )]
    pub unit: super::UnitArg,
}

/// Runs `stance suggest`.
pub fn run(args: SuggestArgs) -> anyhow::Result<ExitCode> {
    let strategy = match args.strategy {
        StrategyArg::Margin => Strategy::Margin,
        StrategyArg::Entropy => Strategy::Entropy,
        StrategyArg::Random => Strategy::Random,
    };
    let options = SuggestOptions {
        n: args.n,
        strategy,
        per_article: args.per_article,
        topic: args.topic.clone(),
        seed: args.seed,
    };
    // Note: checked without the model's topics first, so that bad numbers are
    // refused before anything loads; --topic is checked once the model is in.
    options.check(&[]).map_err(flag_error)?;
    if args.inputs.iter().any(|p| p.as_os_str() == "-") {
        bail!("suggest reads files, not `-` (stdin)");
    }
    let model_path = match (&args.model, args.scored) {
        (Some(m), _) => Some(m.clone()),
        (None, false) => Some(super::shipped_model()),
        (None, true) => None,
    };
    let mut inputs: Vec<&Path> = args.inputs.iter().map(PathBuf::as_path).collect();
    inputs.extend(args.exclude.iter().map(PathBuf::as_path));
    inputs.extend(model_path.as_deref());
    let (rejects_path, rejects_always) = match &args.rejects {
        Some(p) => (p.clone(), true),
        None => {
            let mut name = args.out.clone().into_os_string();
            name.push(".rejects.csv");
            (PathBuf::from(name), false)
        }
    };
    if rejects_path == args.out {
        bail!("{} is named for two outputs", args.out.display());
    }
    check_outputs(&inputs, &[&args.out, &rejects_path])?;

    let mut exclusions = Exclusions::default();
    for e in &args.exclude {
        exclusions.add_file(e)?;
    }
    let model = match &model_path {
        Some(p) => Some(
            args.model_limit
                .load(p)
                .with_context(|| format!("cannot load model {} (pass --model)", p.display()))?,
        ),
        None => None,
    };
    let trained_on = model.as_ref().map_or(0, |m| m.meta.training_texts.len());
    if let Some(m) = &model {
        exclusions = exclusions.with_training(m.meta.training_texts.clone());
    }
    let topics = model
        .as_ref()
        .map(|m| m.topic.labels.clone())
        .unwrap_or_default();
    let options = options.check(&topics).map_err(flag_error)?;
    let exclusions = Arc::new(exclusions);
    let excluded_rows = exclusions.rows;
    let mut sink = SuggestSink::new(&options, exclusions);

    let (gathered, read) = if args.scored {
        let mut rows = 0;
        for p in &args.inputs {
            rows += feed_scored(p, &mut sink, args.max_article_bytes)?;
        }
        (
            sink.finish_gathering()?,
            format!("read {rows} scored statements"),
        )
    } else {
        let input_format = args.input_format.map(ArticleFormat::from);
        let sources = expand_inputs(&args.inputs, input_format, ArticleFormat::Jsonl);
        let read = ReadOptions {
            columns: args.columns.columns(),
            max_bytes: args.max_article_bytes,
        };
        read.check().map_err(flag_error)?;
        if let Some(s) = sources.iter().find(|s| matches!(s, Source::Stdin(_))) {
            bail!("{s:?}: suggest reads files, not stdin");
        }
        let input = Input::spawn(ArticleReader::new(sources, read))?;
        let model = model.context("no model")?;
        let options = ScoreOptions::default().unit(args.unit.into()).check()?;
        let scorer = Scorer::new(model, options)?;
        let (gathered, counts) = run_pipeline(&scorer, input, sink, &|_, _| {})?;
        (
            gathered,
            format!(
                "read {} articles, scored {} statements from {} articles, rejected {}",
                counts.read, counts.statements, counts.scored, counts.rejected
            ),
        )
    };
    let Gathered {
        pool,
        excluded,
        rejected,
    } = gathered;
    // Note: the rejects file follows score's convention (RejectSink, the same
    // columns); both outputs are staged and committed together.
    let mut rejects = RejectSink::new(RejectsTo::File {
        path: rejects_path.clone(),
        format: FileFormat::from_extension(&rejects_path)
            .unwrap_or(FileFormat::Text(RecordFormat::Csv)),
        always: rejects_always,
    });
    for r in &rejected {
        rejects.reject(r)?;
    }
    let copies = pool.copies;
    let batch = select(pool, &options);
    let mut file = AtomicFile::create(&args.out)?;
    write_to_label(&mut file, &args.out, &batch.chosen)?;
    let mut staged = vec![file.finish()?];
    staged.extend(rejects.finish()?);
    if rejected.is_empty() && !rejects_always {
        staged.push(Staged::removal(&rejects_path));
    }
    commit(staged)?;
    let see = if rejected.is_empty() {
        String::new()
    } else {
        format!(" (see {})", rejects_path.display())
    };
    eprintln!("{read}{see}");
    eprintln!(
        "left out {excluded} statements ({excluded_rows} rows in --exclude files, {trained_on} training texts of the model{}), \
         {copies} repeated texts, {} near-duplicates, {} over --per-article {}",
        options.get().topic.as_ref().map_or(String::new(), |t| format!(", topics other than {t}")),
        batch.near_duplicates,
        batch.article_capped,
        args.per_article,
    );
    eprintln!(
        "wrote {} statements to {}",
        batch.chosen.len(),
        args.out.display()
    );
    Ok(if rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
