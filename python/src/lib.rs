//! `stance._stance`: the Rust engine for the `stance` Python package.
//!
//! Conversion only: every computation is a call into the `stance` library,
//! the same code the CLI runs. The GIL is released while Rust works.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use stance::eval::evaluate;
use stance::io::{read_labelled, statements_to_ipc, Article, Columns, LabelledData};
use stance::model::{train, ClassWeight, RoleNames, StanceModel, TrainParams, TrainingSet};
use stance::pipeline::{round_statement, ScoreOptions, Scorer, ValidScoreOptions};

mod report;

create_exception!(
    _stance,
    StanceError,
    PyException,
    "Base class of stance's errors."
);
create_exception!(
    _stance,
    DataError,
    StanceError,
    "Unusable input data (a bad CSV row, a missing column, an empty field)."
);
create_exception!(
    _stance,
    ModelError,
    StanceError,
    "A model file that cannot be used."
);

/// A library error as a Python exception, with the CLI's message.
fn to_py(e: stance::Error) -> PyErr {
    let msg = e.to_string();
    match e {
        stance::Error::InvalidParam { .. } => PyValueError::new_err(msg),
        stance::Error::BadModel { .. } | stance::Error::InconsistentModel(_) => {
            ModelError::new_err(msg)
        }
        stance::Error::Io { .. } => PyOSError::new_err(msg),
        stance::Error::Csv { .. }
        | stance::Error::MissingColumn { .. }
        | stance::Error::BadRow { .. }
        | stance::Error::RecordTooLarge { .. }
        | stance::Error::BadRecord { .. }
        | stance::Error::Training(_) => DataError::new_err(msg),
        _ => StanceError::new_err(msg),
    }
}

/// `predict_raw`'s result: topic probabilities (row-major float64 bytes),
/// best topic index and stance label per text.
type RawPredictions<'py> = (Bound<'py, PyBytes>, Vec<usize>, Vec<Option<String>>);

/// `score`'s result: the statements as an Arrow IPC stream and, when asked
/// for, the rejected articles as (1-based index, id, reason).
type ScoredBytes<'py> = (
    Bound<'py, PyBytes>,
    Option<Vec<(usize, Option<String>, &'static str)>>,
);

/// A loaded or trained model, with a scorer per set of options used.
#[pyclass(frozen, module = "stance._stance")]
struct NativeModel {
    model: StanceModel,
    scorers: Mutex<Vec<(ValidScoreOptions, Arc<Scorer>)>>,
}

impl NativeModel {
    fn new(model: StanceModel) -> NativeModel {
        NativeModel {
            model,
            scorers: Mutex::new(Vec::new()),
        }
    }

    /// The scorer for `options`, built once.
    fn scorer(&self, options: ValidScoreOptions) -> PyResult<Arc<Scorer>> {
        let mut cache = self
            .scorers
            .lock()
            .map_err(|_| StanceError::new_err("scorer cache poisoned"))?;
        if let Some((_, s)) = cache.iter().find(|(o, _)| *o == options) {
            return Ok(s.clone());
        }
        let s = Arc::new(Scorer::new(self.model.clone(), options.clone()).map_err(to_py)?);
        if cache.len() >= 4 {
            cache.remove(0);
        }
        cache.push((options, s.clone()));
        Ok(s)
    }
}

/// Articles scored per batch between checks for Ctrl-C.
const BATCH: usize = 4096;

#[pymethods]
impl NativeModel {
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf, max_model_bytes: u64) -> PyResult<NativeModel> {
        let model = py
            .detach(|| StanceModel::load_with_limit(&path, max_model_bytes))
            .map_err(to_py)?;
        Ok(NativeModel::new(model))
    }

    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.model.save(&path)).map_err(to_py)
    }

    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.model.to_bytes())
    }

    fn topics(&self) -> Vec<String> {
        self.model.topics().to_vec()
    }

    fn stance_labels(&self) -> PyResult<Vec<Vec<String>>> {
        Ok(self
            .scorer(ValidScoreOptions::default())?
            .labels()
            .stances
            .clone())
    }

    /// Labels, analyzer settings and training metadata, as JSON.
    fn info_json(&self) -> PyResult<String> {
        let s = self.scorer(ValidScoreOptions::default())?;
        let v = serde_json::json!({
            "topics": s.labels().topics,
            "stances": s.labels().stances,
            "has_stance": s.has_stance(),
            "analyzer": self.model.vectorizer.config().analyzer,
            "vocabulary_size": self.model.vectorizer.vocabulary().terms().len(),
            "training": self.model.meta,
        });
        Ok(v.to_string())
    }

    /// Scores articles; returns the statements as an Arrow IPC stream.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (texts, ids, dates, sources, titles, split, min_confidence, explain, round, rejects))]
    fn score<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<Option<String>>,
        ids: Option<Vec<Option<String>>>,
        dates: Option<Vec<Option<String>>>,
        sources: Option<Vec<Option<String>>>,
        titles: Option<Vec<Option<String>>>,
        split: bool,
        min_confidence: Option<f64>,
        explain: Option<usize>,
        round: bool,
        rejects: bool,
    ) -> PyResult<ScoredBytes<'py>> {
        let mut options = ScoreOptions::default();
        if let Some(p) = min_confidence {
            options = options.min_confidence(p);
        }
        if let Some(k) = explain {
            options = options.explain(k);
        }
        let options = options.check().map_err(to_py)?;
        let scorer = self.scorer(options)?;
        let n = texts.len();
        for (name, len) in [
            ("ids", ids.as_ref().map(Vec::len)),
            ("dates", dates.as_ref().map(Vec::len)),
            ("sources", sources.as_ref().map(Vec::len)),
            ("titles", titles.as_ref().map(Vec::len)),
        ] {
            if let Some(len) = len.filter(|&l| l != n) {
                return Err(PyValueError::new_err(format!(
                    "{name} has {len} values for {n} articles"
                )));
            }
        }
        let field =
            |v: &Option<Vec<Option<String>>>, i: usize| v.as_ref().and_then(|v| v[i].clone());
        let mut articles = Vec::with_capacity(n);
        let mut rejected: Vec<(usize, Option<String>, &'static str)> = Vec::new();
        for (i, text) in texts.into_iter().enumerate() {
            let id = ids
                .as_ref()
                .map_or_else(|| Some((i + 1).to_string()), |v| v[i].clone());
            let (d, s, t) = (field(&dates, i), field(&sources, i), field(&titles, i));
            // Note: the reasons are those `stance score` gives a JSON line without id or text.
            let article = match (id.as_deref(), text) {
                (None, _) => Err("missing id"),
                (Some(_), None) => Err("missing text"),
                (Some(id), Some(text)) => {
                    Article::from_fields(id, text, d.as_deref(), s.as_deref(), t.as_deref())
                }
            };
            match article {
                Ok(a) => articles.push(a),
                Err(reason) if rejects => {
                    rejected.push((i + 1, id.filter(|v| !v.trim().is_empty()), reason))
                }
                // Note: `stance score` rejects these articles; they give no statements.
                Err("empty text") => {}
                Err(reason) => {
                    return Err(DataError::new_err(format!(
                        "article {} (1-based): {reason}",
                        i + 1
                    )))
                }
            }
        }
        let mut statements = Vec::new();
        for chunk in articles.chunks(BATCH) {
            let scored = py.detach(|| {
                if split {
                    scorer
                        .score_articles(chunk)
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                } else {
                    scorer.score_articles_whole(chunk)
                }
            });
            statements.extend(scored);
            py.check_signals()?;
        }
        let bytes = py
            .detach(|| {
                if round {
                    statements = statements.into_iter().map(round_statement).collect();
                }
                statements_to_ipc(&statements, scorer.labels(), explain.is_some())
            })
            .map_err(|e| StanceError::new_err(e.to_string()))?;
        Ok((PyBytes::new(py, &bytes), rejects.then_some(rejected)))
    }

    /// Each text scored as one statement: topic probabilities (row-major,
    /// float64 little-endian bytes), best topic index, stance label.
    fn predict_raw<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
    ) -> PyResult<RawPredictions<'py>> {
        let scorer = self.scorer(ValidScoreOptions::default())?;
        let articles: Vec<Article> = texts
            .into_iter()
            .map(|text| Article {
                text,
                ..Article::default()
            })
            .collect();
        let mut probs = Vec::new();
        let (mut best, mut stances) = (Vec::new(), Vec::new());
        for chunk in articles.chunks(BATCH) {
            let scored = py.detach(|| scorer.score_articles_whole(chunk));
            for s in scored {
                let mut top = 0;
                for (j, (_, p)) in s.topic_probs.iter().enumerate() {
                    probs.extend_from_slice(&p.to_le_bytes());
                    if *p > s.topic_probs[top].1 {
                        top = j;
                    }
                }
                best.push(
                    scorer
                        .labels()
                        .topics
                        .iter()
                        .position(|t| *t == s.best_topic)
                        .unwrap_or(top),
                );
                stances.push(s.stance);
            }
            py.check_signals()?;
        }
        Ok((PyBytes::new(py, &probs), best, stances))
    }

    /// `stance evaluate --json` on labelled columns.
    fn evaluate_json(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        topics: Vec<String>,
        stances: Option<Vec<String>>,
    ) -> PyResult<String> {
        let data = LabelledData::from_columns(texts, topics, stances, &Columns::default())
            .map_err(to_py)?;
        self.evaluate_data(py, data, "the data")
    }

    /// `stance evaluate --json` on a labelled CSV file.
    fn evaluate_csv(
        &self,
        py: Python<'_>,
        path: PathBuf,
        text: String,
        topic: String,
        stance: String,
    ) -> PyResult<String> {
        let cols = Columns {
            text,
            topic,
            stance,
        };
        let data = py.detach(|| read_labelled(&path, &cols)).map_err(to_py)?;
        self.evaluate_data(py, data, &path.display().to_string())
    }
}

impl NativeModel {
    fn evaluate_data(&self, py: Python<'_>, data: LabelledData, name: &str) -> PyResult<String> {
        if data.texts.is_empty() {
            return Err(DataError::new_err(format!(
                "{name}: no rows to evaluate (only a header)"
            )));
        }
        let scorer = self.scorer(ValidScoreOptions::default())?;
        let ev =
            py.detach(|| evaluate(&scorer, &data.texts, &data.topics, data.stances.as_deref()));
        serde_json::to_string(&ev).map_err(|e| StanceError::new_err(e.to_string()))
    }
}

/// The keywords of `stance.train` that become [`TrainParams`], as
/// `stance train` takes them (the package passes them as one dict).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct TrainKeywords {
    language: String,
    stem: bool,
    stop_words: bool,
    ngram_max: usize,
    char_ngrams: Option<(usize, usize)>,
    min_df: String,
    max_df: String,
    max_features: Option<usize>,
    sublinear_tf: bool,
    c: Option<f64>,
    c_grid: Option<Vec<f64>>,
    cv: usize,
    class_weight: String,
    max_iter: u64,
    tol: f64,
    favor_label: Option<String>,
    against_label: Option<String>,
    neutral_label: Option<String>,
}

impl TrainKeywords {
    /// The library's parameters; [`TrainParams::config`] and training validate the rest.
    fn params(self) -> PyResult<TrainParams> {
        let bad = |name: &str, why: String| PyValueError::new_err(format!("{name}: {why}"));
        if let Some((a, b)) = self.char_ngrams {
            if !(1 <= a && a <= b) {
                return Err(bad(
                    "char_ngrams",
                    format!("\"{a}-{b}\": expected MIN-MAX with 1 <= MIN <= MAX"),
                ));
            }
        }
        // Note: as `stance train`, where --favor-label requires --against-label and back.
        if self.favor_label.is_some() != self.against_label.is_some() {
            let (given, missing) = if self.favor_label.is_some() {
                ("favor_label", "against_label")
            } else {
                ("against_label", "favor_label")
            };
            return Err(bad(
                given,
                format!("needs {missing} too (net stance needs both)"),
            ));
        }
        Ok(TrainParams {
            language: self
                .language
                .parse()
                .map_err(|e: stance::analysis::UnknownLanguage| bad("language", e.to_string()))?,
            stem: self.stem,
            stop_words: self.stop_words,
            ngram_max: self.ngram_max,
            char_ngrams: self.char_ngrams,
            min_df: self.min_df.parse().map_err(|e: String| bad("min_df", e))?,
            max_df: self.max_df.parse().map_err(|e: String| bad("max_df", e))?,
            max_features: self.max_features,
            sublinear_tf: self.sublinear_tf,
            c: self.c,
            class_weight: match self.class_weight.as_str() {
                "none" => ClassWeight::None,
                "balanced" => ClassWeight::Balanced,
                other => {
                    return Err(bad(
                        "class_weight",
                        format!("{other:?}: expected none or balanced"),
                    ))
                }
            },
            c_grid: self.c_grid.unwrap_or_else(|| TrainParams::default().c_grid),
            cv: self.cv,
            max_iter: self.max_iter,
            tol: self.tol,
            // Note: training checks that named labels are stance labels of the
            // data, and unnamed roles are found by name (favor/against/neutral).
            roles: RoleNames {
                favor: self.favor_label,
                against: self.against_label,
                neutral: self.neutral_label,
            },
        })
    }
}

/// Trains a model; `csv` (a path) or the columns give the data.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (csv, texts, topics, stances, text_col, topic_col, stance_col, params))]
fn train_model(
    py: Python<'_>,
    csv: Option<PathBuf>,
    texts: Option<Vec<String>>,
    topics: Option<Vec<String>>,
    stances: Option<Vec<String>>,
    text_col: String,
    topic_col: String,
    stance_col: String,
    params: TrainKeywords,
) -> PyResult<(NativeModel, Vec<String>)> {
    let p = params.params()?;
    let config = p.config().map_err(to_py)?;
    let cols = Columns {
        text: text_col,
        topic: topic_col,
        stance: stance_col,
    };
    let data = match csv {
        Some(path) => py.detach(|| read_labelled(&path, &cols)).map_err(to_py)?,
        None => LabelledData::from_columns(
            texts.unwrap_or_default(),
            topics.unwrap_or_default(),
            stances,
            &cols,
        )
        .map_err(to_py)?,
    };
    let meta = p.meta(
        &data.sha256,
        data.texts.len(),
        &cols.text,
        &cols.topic,
        data.stances.as_ref().map(|_| cols.stance.as_str()),
    );
    let (model, log) = py.detach(|| {
        let mut log = Vec::new();
        let set = TrainingSet {
            texts: &data.texts,
            topics: &data.topics,
            stances: data.stances.as_deref(),
        };
        let m = train(&set, &config, meta, &mut |line| log.push(line.to_string()));
        (m, log)
    });
    Ok((NativeModel::new(model.map_err(to_py)?), log))
}

#[pymodule]
fn _stance(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeModel>()?;
    m.add_function(wrap_pyfunction!(train_model, m)?)?;
    m.add_function(wrap_pyfunction!(report::report, m)?)?;
    m.add_function(wrap_pyfunction!(report::statement_columns_ipc, m)?)?;
    m.add("StanceError", m.py().get_type::<StanceError>())?;
    m.add("DataError", m.py().get_type::<DataError>())?;
    m.add("ModelError", m.py().get_type::<ModelError>())?;
    Ok(())
}
