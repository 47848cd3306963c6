//! Benchmarks for each pipeline stage, over the committed corpus and model.
//!
//! - `analysis`: [`split_sentences`] and [`Analyzer::for_each_term`] over the
//!   sample articles (`data/articles/articles.csv`) and the training statements;
//! - `vectorize`: [`Vectorizer::fit_transform`] on the training statements and
//!   `transform` of the test statements;
//! - `fit`: the topic head's [`fit`](stance::model::fit) on the training rows, C = 10;
//! - `predict`: [`StanceModel::load`] of `models/default.model`, and the
//!   test statements scored through its [`Scorer`] (`stance::eval::predict`,
//!   one statement per row, the path `stance score` and `evaluate` run).
//!
//! Every timed closure checks its result against numbers computed once before
//! timing, which are themselves checked against independent expectations, so
//! a broken stage fails the benchmark instead of timing fast garbage.
//!
//! Run all with `cargo bench --bench pipeline`, one stage with
//! `cargo bench --bench pipeline -- fit`, and once each, untimed, with
//! `cargo bench --bench pipeline -- --test`.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use stance::analysis::{split_sentences, Analyzer, AnalyzerConfig};
use stance::eval;
use stance::features::{CsrMatrix, DfBound, Vectorizer, VectorizerConfig, VocabConfig};
use stance::io::{read_labelled, Columns, LabelledData};
use stance::model::{ClassWeight, LinearHead, LogisticParams, StanceModel};
use stance::pipeline::{ScoreOptions, Scorer};

/// A path inside the crate, whatever directory `cargo bench` runs from.
fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn labelled(relative: &str) -> LabelledData {
    let path = fixture(relative);
    read_labelled(&path, &Columns::default())
        .unwrap_or_else(|e| panic!("{}: {e:#}", path.display()))
}

/// The statements `models/default.model` was trained on: `data/train.csv`
/// then `data/labelled_articles/train.csv`, in that order (its header's
/// `data_files`), as `stance train --data A --data B` concatenates them.
fn shipped_training_data() -> LabelledData {
    let mut data = labelled("data/train.csv");
    let articles = labelled("data/labelled_articles/train.csv");
    data.texts.extend(articles.texts);
    data.topics.extend(articles.topics);
    if let (Some(stances), Some(more)) = (data.stances.as_mut(), articles.stances) {
        stances.extend(more);
    }
    data.lines.extend(articles.lines);
    data
}

/// The `text` column of the sample articles.
fn article_texts() -> Vec<String> {
    let path = fixture("data/articles/articles.csv");
    let mut reader =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().expect("articles.csv header").clone();
    let text = headers
        .iter()
        .position(|h| h == "text")
        .expect("articles.csv has a text column");
    reader
        .records()
        .map(|r| r.expect("articles.csv record")[text].to_string())
        .collect()
}

fn total_bytes(texts: &[String]) -> u64 {
    texts.iter().map(|t| t.len() as u64).sum()
}

/// The settings `models/default.model` was trained with (see its header), so
/// the vectorize and fit benchmarks time the shipped configuration.
fn default_model_vectorizer() -> VectorizerConfig {
    VectorizerConfig {
        analyzer: AnalyzerConfig::default(),
        vocab: VocabConfig {
            min_df: DfBound::Count(2),
            ..VocabConfig::default()
        },
        sublinear_tf: true,
    }
}

/// Sorted distinct labels, and each label's index in them (as training does).
fn encode(labels: &[String]) -> (Vec<String>, Vec<u32>) {
    let classes: Vec<String> = labels
        .iter()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let y = labels
        .iter()
        .map(|l| classes.binary_search(l).expect("label among classes") as u32)
        .collect();
    (classes, y)
}

fn accuracy(gold: &[String], predicted: &[&str]) -> f64 {
    assert_eq!(gold.len(), predicted.len());
    let hits = gold.iter().zip(predicted).filter(|(g, p)| g == *p).count();
    hits as f64 / gold.len() as f64
}

fn sentence_count(texts: &[String]) -> usize {
    texts.iter().map(|t| split_sentences(t).len()).sum()
}

fn term_count(analyzer: &mut Analyzer, texts: &[String]) -> usize {
    let mut n = 0;
    for text in texts {
        analyzer.for_each_term(text, |term| {
            black_box(term);
            n += 1;
        });
    }
    n
}

/// Unigrams and bigrams of every word, computed from the words alone: a text
/// of w >= 1 words has w + (w - 1) terms (no stop words are removed).
fn expected_unigram_bigram_terms(texts: &[String]) -> usize {
    texts
        .iter()
        .map(|t| Analyzer::words(t).len())
        .map(|w| if w == 0 { 0 } else { 2 * w - 1 })
        .sum()
}

/// Benchmarks sentence splitting and term extraction over one corpus.
fn bench_analysis_of(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    texts: &[String],
) {
    group.throughput(Throughput::Bytes(total_bytes(texts)));

    let sentences = sentence_count(texts);
    group.bench_function(format!("split_sentences/{name}"), |b| {
        b.iter(|| assert_eq!(sentence_count(black_box(texts)), sentences));
    });

    let config = AnalyzerConfig::default();
    assert_eq!(config.ngram_max, 2);
    assert!(!config.stop_words);
    let mut analyzer = Analyzer::new(&config);
    let terms = term_count(&mut analyzer, texts);
    assert_eq!(terms, expected_unigram_bigram_terms(texts));
    // Note: the analyzer is reused across iterations, so this times the
    // steady state: every surface form is already in its stem memo.
    group.bench_function(format!("for_each_term/{name}"), |b| {
        b.iter(|| assert_eq!(term_count(&mut analyzer, black_box(texts)), terms));
    });
}

fn analysis(c: &mut Criterion) {
    let articles = article_texts();
    // 24 articles, about 334 sentences by the approximate counts in
    // data/ARTICLES.md; the splitter must land near that.
    assert_eq!(articles.len(), 24);
    let sentences = sentence_count(&articles);
    assert!(
        (290..=370).contains(&sentences),
        "{sentences} sentences in the sample articles"
    );
    // One statement, one sentence (data/README.md); allow the odd split.
    let train = labelled("data/train.csv");
    let train_sentences = sentence_count(&train.texts);
    assert!(
        train_sentences >= train.texts.len() && train_sentences <= train.texts.len() * 21 / 20,
        "{train_sentences} sentences in {} statements",
        train.texts.len()
    );

    let mut group = c.benchmark_group("analysis");
    bench_analysis_of(&mut group, "articles", &articles);
    bench_analysis_of(&mut group, "train", &train.texts);
    group.finish();
}

/// The shape of a TF-IDF matrix, compared inside the timed loops.
fn shape(x: &CsrMatrix) -> (usize, usize, usize) {
    (x.n_rows(), x.n_cols(), x.nnz())
}

fn vectorize(c: &mut Criterion) {
    let train = shipped_training_data();
    let test = labelled("data/test.csv");
    let config = default_model_vectorizer();
    let (vectorizer, x) = Vectorizer::fit_transform(&config, &train.texts).expect("fit_transform");
    // The shipped model was trained on these files with this configuration.
    let model = StanceModel::load(&fixture("models/default.model")).expect("default model");
    assert_eq!(
        vectorizer.vocabulary().len(),
        model.vectorizer.vocabulary().len(),
        "the vocabulary of models/default.model"
    );
    assert_eq!(
        vectorizer.transform(&train.texts),
        x,
        "transform reproduces fit_transform"
    );
    let train_shape = shape(&x);
    let test_shape = shape(&vectorizer.transform(&test.texts));
    assert_eq!(test_shape.0, test.texts.len());
    assert!(
        test_shape.2 > 10 * test_shape.0,
        "test rows keep known terms"
    );

    let mut group = c.benchmark_group("vectorize");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(total_bytes(&train.texts)));
    group.bench_function("fit_transform/train", |b| {
        b.iter(|| {
            let (v, x) =
                Vectorizer::fit_transform(&config, black_box(&train.texts)).expect("fit_transform");
            assert_eq!(shape(&x), train_shape);
            v
        });
    });
    group.throughput(Throughput::Bytes(total_bytes(&test.texts)));
    group.bench_function("transform/test", |b| {
        b.iter(|| {
            assert_eq!(
                shape(&vectorizer.transform(black_box(&test.texts))),
                test_shape
            )
        });
    });
    group.finish();
}

fn fit(c: &mut Criterion) {
    let train = labelled("data/train.csv");
    let (_, x) = Vectorizer::fit_transform(&default_model_vectorizer(), &train.texts)
        .expect("fit_transform");
    let xt = x.transpose();
    let (classes, y) = encode(&train.topics);
    assert_eq!(classes.len(), 4, "topics in data/train.csv: {classes:?}");
    let params = LogisticParams {
        c: 10.0,
        class_weight: ClassWeight::Balanced,
        ..LogisticParams::default()
    };
    let training_accuracy = |head: &LinearHead| {
        let mut p = vec![0.0; head.n_classes()];
        let predicted: Vec<&str> = (0..x.n_rows())
            .map(|i| {
                let (cols, vals) = x.row(i);
                head.probabilities(cols, vals, &mut p);
                head.labels[LinearHead::argmax(&p)].as_str()
            })
            .collect();
        accuracy(&train.topics, &predicted)
    };

    let mut group = c.benchmark_group("fit");
    group.sample_size(10);
    group.throughput(Throughput::Elements(x.n_rows() as u64));
    group.bench_function("logistic/topic_c10", |b| {
        b.iter(|| {
            let fitted = stance::model::fit(&x, &xt, &y, classes.len(), &params).expect("fit");
            assert!(fitted.report.converged, "{:?}", fitted.report);
            let head = LinearHead {
                labels: classes.clone(),
                weights: fitted.weights,
                intercept: fitted.intercept,
                report: Some(fitted.report),
            };
            let acc = training_accuracy(&head);
            assert!(acc > 0.9, "training accuracy {acc}");
            head
        });
    });
    group.finish();
}

fn predict(c: &mut Criterion) {
    let path = fixture("models/default.model");
    let test = labelled("data/test.csv");
    let n_features = StanceModel::load(&path)
        .expect("default model")
        .vectorizer
        .vocabulary()
        .len();
    let file_len = std::fs::metadata(&path).expect("model file").len();

    let mut group = c.benchmark_group("predict");
    group.throughput(Throughput::Bytes(file_len));
    group.bench_function("load/default_model", |b| {
        b.iter(|| {
            let model = StanceModel::load(black_box(&path)).expect("default model");
            assert_eq!(model.vectorizer.vocabulary().len(), n_features);
            model
        });
    });

    let model = StanceModel::load(&path).expect("default model");
    let options = ScoreOptions::default().check().expect("default options");
    let scorer = Scorer::new(model, options).expect("the default model scores");
    assert!(scorer.has_stance(), "the default model has stance heads");
    group.throughput(Throughput::Elements(test.texts.len() as u64));
    group.bench_function("predict/test", |b| {
        b.iter(|| {
            let predicted = eval::predict(&scorer, black_box(&test.texts), &test.topics);
            let topics: Vec<&str> = predicted.iter().map(|p| p.topic.as_str()).collect();
            assert_eq!(topics.len(), test.texts.len());
            assert!(predicted.iter().all(|p| p.stance.is_some()));
            let acc = accuracy(&test.topics, &topics);
            assert!(acc > 0.9, "topic accuracy on data/test.csv {acc}");
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Note: short runs keep a full `cargo bench` within a few minutes on two
    // cores; the slow benchmarks also lower their sample size.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = analysis, vectorize, fit, predict
}
criterion_main!(benches);
