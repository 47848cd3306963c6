//! A model on real and held-out articles: sentences alone and in their
//! article's context (issue #19's measurement).
//!
//! `cargo bench --bench real_articles -- [--model models/default.model]`
//!
//! Sets: `data/test.csv` (single sentences: alone only), the held-out
//! labelled articles `data/labelled_articles/test.csv` and the real
//! development articles `../shared/data/realnews_dev/labels.csv` (read in
//! place, never copied), each scored row by row alone (`stance evaluate`)
//! and, for the article sets, in context (`stance evaluate --article-col
//! article_id`, through the same library calls).
//!
//! Columns: topic accuracy; stance accuracy under the gold topic's head;
//! joint accuracy (topic and end-to-end stance right); F1 of `against` end
//! to end; topic ECE. ECE here: the expected calibration error of the top
//! topic, with 10 equal-width bins of its probability ([0, 0.1), ...,
//! [0.9, 1.0], the last closed), the sum over bins of
//! |right - sum of top probabilities| / n. Not a timed benchmark: it
//! prints a Markdown table and asserts only that every row was scored.

use std::path::{Path, PathBuf};

use stance::eval::{evaluate, evaluate_in_articles, predict, predict_in_articles, RowPrediction};
use stance::io::{read_column, read_labelled, Columns};
use stance::model::StanceModel;
use stance::pipeline::{ScoreOptions, Scorer};

/// Expected calibration error of the top topic (see the module doc).
fn topic_ece(preds: &[RowPrediction], gold: &[String], topics: &[String]) -> f64 {
    let (mut count, mut conf, mut right) = ([0usize; 10], [0.0f64; 10], [0.0f64; 10]);
    for (p, g) in preds.iter().zip(gold) {
        let best =
            p.topic_probs
                .iter()
                .enumerate()
                .fold(0, |b, (i, &x)| if x > p.topic_probs[b] { i } else { b });
        let top = p.topic_probs[best];
        let bin = ((top * 10.0) as usize).min(9);
        count[bin] += 1;
        conf[bin] += top;
        right[bin] += (topics[best] == *g) as u8 as f64;
    }
    let n = preds.len().max(1) as f64;
    (0..10).map(|b| (right[b] - conf[b]).abs() / n).sum()
}

fn row(name: &str, scorer: &Scorer, path: &Path, article_col: Option<&str>) {
    let data = read_labelled(path, &Columns::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let stances = data.stances.as_deref();
    let (ev, preds) = match article_col {
        None => (
            evaluate(scorer, &data.texts, &data.topics, stances),
            predict(scorer, &data.texts, &data.topics),
        ),
        Some(col) => {
            let articles = read_column(path, col).unwrap();
            (
                evaluate_in_articles(scorer, &data.texts, &data.topics, stances, &articles)
                    .unwrap(),
                predict_in_articles(scorer, &data.texts, &data.topics, &articles).unwrap(),
            )
        }
    };
    assert_eq!(ev.n, data.texts.len());
    let stance = ev.stance.as_ref().expect("a model with stance");
    let given = ev.stance_given_topic.as_ref().expect("a model with stance");
    let against = stance.per_class.get("against").map_or(0.0, |c| c.f1);
    let ece = topic_ece(&preds, &data.topics, &scorer.labels().topics);
    println!(
        "| {name} | {} | {} | {:.3} | {:.3} | {:.3} | {against:.3} | {ece:.3} |",
        ev.n,
        if article_col.is_some() {
            "in context"
        } else {
            "alone"
        },
        ev.topic.accuracy,
        given.accuracy,
        ev.joint_accuracy.unwrap_or(0.0),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model_path = args
        .iter()
        .position(|a| a == "--model")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("models/default.model"));
    let model = StanceModel::load(&model_path).unwrap();
    let context = model.context.is_some();
    let calibrated = model.calibration.is_some();
    let scorer = Scorer::new(model, ScoreOptions::default().check().unwrap()).unwrap();
    println!(
        "model {} (context stage: {context}, calibrated: {calibrated})\n",
        model_path.display()
    );
    println!("| set | rows | scored | topic acc | stance acc given topic | joint | against F1 | topic ECE |");
    println!("|---|---:|---|---:|---:|---:|---:|---:|");
    let held_out = root.join("data/labelled_articles/test.csv");
    let dev = root.join("../shared/data/realnews_dev/labels.csv");
    row("data/test.csv", &scorer, &root.join("data/test.csv"), None);
    row("held-out articles", &scorer, &held_out, None);
    row("held-out articles", &scorer, &held_out, Some("article_id"));
    row("realnews_dev", &scorer, &dev, None);
    row("realnews_dev", &scorer, &dev, Some("article_id"));
}
