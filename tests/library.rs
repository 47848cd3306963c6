//! The library is the CLI's engine: statements scored through the public API
//! equal what `stance score` writes for the same input, value for value, and
//! `evaluate`'s predictions are `stance score`'s on the same rows (bit for
//! bit against the engine, as written against the CLI).

mod common;

use std::path::{Path, PathBuf};

use common::TempWorkdir;
use serde_json::Value;
use stance::io::rounded;
use stance::io::{read_labelled, Article, Columns, Statement};
use stance::model::StanceModel;
use stance::pipeline::{ScoreOptions, Scorer};

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The texts of the sample articles.
fn sample_articles() -> Vec<String> {
    let mut reader = csv::Reader::from_path(repo("data/articles/articles.csv")).unwrap();
    let text = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "text")
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[text].to_string())
        .collect()
}

/// Writes `texts` as JSON Lines with ids `1`, `2`, ... and runs `stance score` on them.
fn score_with_the_cli(w: &TempWorkdir, texts: &[String], flags: &[&str]) -> Vec<Value> {
    let lines: String = texts
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"id": (i + 1).to_string(), "text": t}).to_string() + "\n")
        .collect();
    let input = w.write("in.jsonl", lines);
    let model = repo("models/default.model");
    let mut args = vec![
        "score",
        input.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--format",
        "jsonl",
        "--quiet",
    ];
    args.extend_from_slice(flags);
    let out = w.run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `{"label": p, ...}` as (label, p) pairs in the written order, or nothing for null.
fn pairs(v: &Value) -> Vec<(String, f64)> {
    match v {
        Value::Object(map) => sorted(
            map.iter()
                .map(|(k, p)| (k.clone(), p.as_f64().unwrap()))
                .collect(),
        ),
        _ => Vec::new(),
    }
}

/// By label (serde_json's maps are sorted; the model's labels are too, but
/// that is not what is tested here).
fn sorted(mut pairs: Vec<(String, f64)>) -> Vec<(String, f64)> {
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs
}

fn terms(v: &Value) -> Vec<(String, f64)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|t| {
                    (
                        t["term"].as_str().unwrap().to_string(),
                        t["contribution"].as_f64().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every field of one library statement against the CLI's JSON line; the
/// library keeps probabilities as computed, the CLI writes them rounded.
fn assert_same(s: &Statement, v: &Value) {
    let round = |pairs: &[(String, f64)]| -> Vec<(String, f64)> {
        pairs
            .iter()
            .map(|(l, p)| (l.clone(), rounded(*p)))
            .collect()
    };
    let round_map = |p: &[(String, f64)]| sorted(round(p));
    assert_eq!(v["article_id"], s.article_id.as_str());
    assert_eq!(v["sentence"], s.sentence);
    assert_eq!(
        (v["start"].as_u64(), v["end"].as_u64()),
        (Some(s.start as u64), Some(s.end as u64))
    );
    assert_eq!(v["text"], s.text.as_str());
    assert_eq!(v["topic"], s.topic.as_str());
    assert_eq!(v["topic_prob"].as_f64(), Some(rounded(s.topic_prob)));
    assert_eq!(v["stance"].as_str(), s.stance.as_deref());
    assert_eq!(v["stance_prob"].as_f64(), s.stance_prob.map(rounded));
    assert_eq!(v["date"].as_str(), s.date.as_deref());
    assert_eq!(v["source"].as_str(), s.source.as_deref());
    assert_eq!(v["best_topic"], s.best_topic.as_str());
    assert_eq!(v["min_confidence"].as_f64(), s.min_confidence);
    assert_eq!(pairs(&v["topic_probs"]), round_map(&s.topic_probs));
    assert_eq!(pairs(&v["stance_probs"]), round_map(&s.stance_probs));
    assert_eq!(terms(&v["topic_terms"]), round(&s.topic_terms));
    assert_eq!(terms(&v["stance_terms"]), round(&s.stance_terms));
}

#[test]
fn a_vec_of_articles_scores_as_the_cli_scores_it() -> stance::Result<()> {
    let articles: Vec<String> = sample_articles();

    // The library, as the crate docs show it.
    let model = StanceModel::load(&repo("models/default.model"))?;
    let options = ScoreOptions::default()
        .min_confidence(0.6)
        .explain(2)
        .check()?;
    let scorer = Scorer::new(model, options)?;
    let statements: Vec<Vec<Statement>> = scorer.score_texts(&articles);

    let w = TempWorkdir::new();
    let cli = score_with_the_cli(
        &w,
        &articles,
        &["--min-confidence", "0.6", "--explain", "2"],
    );
    let ours: Vec<&Statement> = statements.iter().flatten().collect();
    assert_eq!(ours.len(), cli.len());
    assert!(ours.len() > 300, "{} statements", ours.len());
    assert!(ours.iter().any(|s| s.topic == "uncertain"));
    for (s, v) in ours.iter().zip(&cli) {
        assert_same(s, v);
    }
    Ok(())
}

/// `evaluate` scores each labelled row as one statement on the same path as
/// `stance score`: on every row its topics, stances and probabilities are
/// the engine's for the row as one statement (`stance score --unit row`),
/// bit for bit; on the rows of one sentence they are the ones `stance score`
/// writes.
#[test]
fn evaluate_predicts_what_score_writes() -> stance::Result<()> {
    let data = read_labelled(&repo("data/test.csv"), &Columns::default())?;
    let model = StanceModel::load(&repo("models/default.model"))?;
    let scorer = Scorer::new(model, ScoreOptions::default().check()?)?;
    let one_sentence: Vec<usize> = (0..data.texts.len())
        .filter(|&i| stance::analysis::split_sentences(&data.texts[i]).len() == 1)
        .collect();
    assert!(one_sentence.len() > 600, "{} rows", one_sentence.len());
    let texts: Vec<String> = one_sentence
        .iter()
        .map(|&i| data.texts[i].clone())
        .collect();
    let gold: Vec<String> = one_sentence
        .iter()
        .map(|&i| data.topics[i].clone())
        .collect();
    let predicted = stance::eval::predict(&scorer, &texts, &gold);

    // Every row, against the engine's statements for whole texts, bit for bit.
    let all = stance::eval::predict(&scorer, &data.texts, &data.topics);
    let rows: Vec<Article> = data
        .texts
        .iter()
        .enumerate()
        .map(|(i, t)| Article {
            id: (i + 1).to_string(),
            text: t.clone(),
            ..Article::default()
        })
        .collect();
    let whole = scorer.score_articles_whole(&rows);
    assert_eq!(all.len(), whole.len());
    let bits = |p: &[f64]| -> Vec<u64> { p.iter().map(|x| x.to_bits()).collect() };
    for (p, s) in all.iter().zip(&whole) {
        assert_eq!(p.topic, s.best_topic);
        assert_eq!(p.stance, s.stance);
        let topic_probs: Vec<f64> = s.topic_probs.iter().map(|(_, x)| *x).collect();
        assert_eq!(bits(&p.topic_probs), bits(&topic_probs), "{}", s.text);
        let stance_probs: Vec<f64> = s.stance_probs.iter().map(|(_, x)| *x).collect();
        assert_eq!(bits(&p.stance_probs), bits(&stance_probs), "{}", s.text);
    }

    let w = TempWorkdir::new();
    let cli = score_with_the_cli(&w, &texts, &[]);
    assert_eq!(cli.len(), texts.len());
    for (p, v) in predicted.iter().zip(&cli) {
        assert_eq!(v["best_topic"], p.topic.as_str());
        assert_eq!(v["stance"].as_str(), p.stance.as_deref());
        let written: Vec<f64> = pairs(&v["topic_probs"])
            .into_iter()
            .map(|(_, x)| x)
            .collect();
        let ours: Vec<f64> = p.topic_probs.iter().map(|&x| rounded(x)).collect();
        assert_eq!(written, ours);
        let written: Vec<f64> = pairs(&v["stance_probs"])
            .into_iter()
            .map(|(_, x)| x)
            .collect();
        let ours: Vec<f64> = p.stance_probs.iter().map(|&x| rounded(x)).collect();
        assert_eq!(written, ours);
    }
    Ok(())
}
