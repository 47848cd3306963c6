//! CLI habits (#17, "Scoring units, models, and CLI habits"): `--unit`,
//! `--probs`/`--top-k`, `stance inspect`, the embedded model, exit codes,
//! TSV input, completions and the man page.
//!
//! Models are trained here on SemEval-2016 Task 6 (`../shared/data`,
//! read-only, present in CI) with `--c 1` (no cross-validation: about a
//! second); no number of the shipped model is written into these tests.

mod common;

use std::path::PathBuf;

use common::{arg as s, ok, semeval, TempWorkdir};

/// The first `n` SemEval test tweets: (text, target).
fn tweets(n: usize) -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(semeval("test.csv")).unwrap();
    reader
        .records()
        .take(n)
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string())
        })
        .collect()
}

/// The tweets as a labelled CSV (`text,target,stance` as SemEval has it) and as articles (`id,text`).
fn tweet_files(w: &TempWorkdir, n: usize) -> (PathBuf, PathBuf) {
    let mut reader = csv::Reader::from_path(semeval("test.csv")).unwrap();
    let mut labelled = csv::Writer::from_path(w.path("labelled.csv")).unwrap();
    let mut articles = csv::Writer::from_path(w.path("tweets.csv")).unwrap();
    labelled.write_record(reader.headers().unwrap()).unwrap();
    articles.write_record(["id", "text"]).unwrap();
    for (i, r) in reader.records().take(n).enumerate() {
        let r = r.unwrap();
        labelled.write_record(&r).unwrap();
        articles
            .write_record([&(i + 1).to_string(), &r[0]])
            .unwrap();
    }
    labelled.flush().unwrap();
    articles.flush().unwrap();
    (w.path("labelled.csv"), w.path("tweets.csv"))
}

fn train_semeval(w: &TempWorkdir) {
    w.train_quick(&semeval("train.csv"), "sem.model", &[]);
}

/// The rows of a CSV as maps from column name to value.
fn rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let h = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            h.iter()
                .zip(r.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn unit_row_keeps_each_tweet_whole_and_evaluate_scores_what_score_scores() {
    let w = TempWorkdir::new();
    train_semeval(&w);
    let n = 300;
    let (labelled, articles) = tweet_files(&w, n);
    let by_sentence = rows(&ok(&w.run(&[
        "score",
        "--model",
        "sem.model",
        s(&articles),
    ])));
    let by_row = rows(&ok(&w.run(&[
        "score",
        "--model",
        "sem.model",
        "--unit",
        "row",
        s(&articles),
    ])));
    // The issue: many tweets were split into several statements.
    assert!(by_sentence.len() > n, "{}", by_sentence.len());
    assert_eq!(by_row.len(), n);
    let texts = tweets(n);
    for (i, r) in by_row.iter().enumerate() {
        assert_eq!(r["article_id"], (i + 1).to_string());
        assert_eq!(r["sentence"], "1");
        assert_eq!(r["text"], texts[i].0.trim());
    }
    // evaluate's default unit is the row: its predictions are score --unit row's.
    ok(&w.run(&[
        "evaluate",
        "--model",
        "sem.model",
        "--data",
        s(&labelled),
        "--topic-col",
        "target",
        "--predictions",
        "p_row.csv",
    ]));
    let p = rows(&w.read("p_row.csv"));
    assert_eq!(p.len(), n);
    for (pr, sr) in p.iter().zip(&by_row) {
        assert_eq!(pr["topic"], sr["best_topic"], "{pr:?} {sr:?}");
        assert_eq!(pr["stance"], sr["stance"]);
    }
    // --unit sentence: the statements score writes, each with its row's labels.
    let table = ok(&w.run(&[
        "evaluate",
        "--model",
        "sem.model",
        "--data",
        s(&labelled),
        "--topic-col",
        "target",
        "--unit",
        "sentence",
        "--predictions",
        "p_sentence.csv",
    ]));
    assert!(
        table.starts_with(&format!("{} sentences from {n} rows of", by_sentence.len())),
        "{table}"
    );
    let p = rows(&w.read("p_sentence.csv"));
    assert_eq!(p.len(), by_sentence.len());
    for (pr, sr) in p.iter().zip(&by_sentence) {
        assert_eq!(pr["text"], sr["text"]);
        assert_eq!(pr["topic"], sr["best_topic"]);
        assert_eq!(pr["stance"], sr["stance"]);
        let i: usize = sr["article_id"].parse().unwrap();
        assert_eq!(pr["gold_topic"], texts[i - 1].1);
    }
}

#[test]
fn probs_and_top_k_columns_agree_with_the_jsonl_probabilities() {
    let w = TempWorkdir::new();
    train_semeval(&w);
    let (_, articles) = tweet_files(&w, 60);
    let base = [
        "score",
        "--model",
        "sem.model",
        "--unit",
        "row",
        s(&articles),
    ];
    let mut args = base.to_vec();
    args.extend(["--probs", "--top-k", "3", "--out", "p.csv"]);
    ok(&w.run(&args));
    let mut args = base.to_vec();
    args.extend(["--top-k", "2", "--format", "jsonl"]);
    let jsonl = ok(&w.run(&args));
    let csv_rows = rows(&w.read("p.csv"));
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(csv_rows.len(), lines.len());
    let topics: Vec<String> = lines[0]["topic_probs"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(topics.len() >= 3, "{topics:?}");
    for (r, v) in csv_rows.iter().zip(&lines) {
        for t in &topics {
            let want = format!("{:.4}", v["topic_probs"][t].as_f64().unwrap());
            assert_eq!(r[&format!("p_topic:{t}")], want, "{t}: {r:?}");
        }
        for (l, p) in v["stance_probs"].as_object().unwrap() {
            assert_eq!(
                r[&format!("p_stance:{l}")],
                format!("{:.4}", p.as_f64().unwrap())
            );
        }
        // top_topics: best first, the first is best_topic at topic_prob.
        let top: Vec<(&str, f64)> = r["top_topics"]
            .split(';')
            .map(|e| {
                let (l, p) = e.rsplit_once(':').unwrap();
                (l, p.parse().unwrap())
            })
            .collect();
        assert_eq!(top.len(), 3);
        assert_eq!(top[0].0, r["best_topic"]);
        assert_eq!(format!("{:.4}", top[0].1), r["topic_prob"]);
        assert!(top.windows(2).all(|p| p[0].1 >= p[1].1), "{top:?}");
        let json_top = v["top_topics"].as_array().unwrap();
        assert_eq!(json_top.len(), 2);
        assert_eq!(json_top[0]["topic"], r["best_topic"].as_str());
        assert_eq!(json_top[1]["topic"], top[1].0);
    }
    // report reads rows with the extra columns.
    ok(&w.run(&["report", "p.csv"]));
    let bad = w.run(&[
        "score",
        "--model",
        "sem.model",
        "--top-k",
        "0",
        s(&articles),
    ]);
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn report_format_from_out_train_out_checked_first_and_distinct_exit_codes() {
    let w = TempWorkdir::new();
    train_semeval(&w);
    let (labelled, articles) = tweet_files(&w, 40);
    ok(&w.run(&[
        "score",
        "--model",
        "sem.model",
        s(&articles),
        "--out",
        "sc.csv",
    ]));
    for (name, starts) in [
        ("r.html", "<!DOCTYPE html>"),
        ("r.json", "{"),
        ("r.md", "#"),
    ] {
        ok(&w.run(&["report", "sc.csv", "--out", name]));
        let text = w.read(name);
        assert!(
            text.trim_start().starts_with(starts),
            "{name}: {}",
            &text[..80.min(text.len())]
        );
    }
    // --format still wins over the extension.
    ok(&w.run(&["report", "sc.csv", "--out", "r2.html", "--format", "json"]));
    assert!(w.read("r2.html").starts_with('{'));

    // train refuses a directory, an input, or a place it cannot write, before reading any data.
    std::fs::create_dir(w.path("adir")).unwrap();
    for (out, says) in [
        ("adir", "directory"),
        (s(&labelled), "both an input and an output"),
        ("no/such/dir/m.model", "m.model"),
    ] {
        let r = w.run(&[
            "train",
            "--data",
            s(&labelled),
            "--topic-col",
            "target",
            "--out",
            out,
            "--c",
            "1",
        ]);
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(1), "{out}: {err}");
        assert!(
            err.contains(says) && !err.contains("topic + stance"),
            "{out}: {err}"
        );
    }

    // Usage errors exit 64; some items rejected exit 2; fatal errors 1.
    let usage = w.run(&["score", "--no-such-flag", s(&articles)]);
    assert_eq!(usage.status.code(), Some(64));
    let usage = w.run(&["report", "sc.csv", "--format", "pdf"]);
    assert_eq!(usage.status.code(), Some(64));
    w.write(
        "bad.jsonl",
        "{\"id\":\"1\",\"text\":\"Atheism is fine.\"}\nnot json\n",
    );
    let rejected = w.run(&[
        "score",
        "--model",
        "sem.model",
        "bad.jsonl",
        "--out",
        "b.csv",
    ]);
    assert_eq!(rejected.status.code(), Some(2));
    let fatal = w.run(&["score", "--model", "missing.model", s(&articles)]);
    assert_eq!(fatal.status.code(), Some(1));
    assert!(w.run(&["--help"]).status.success());
}

#[test]
fn score_without_model_works_from_any_directory() {
    // The temp dir has no models/ folder: the shipped model is found beside the binary.
    let w = TempWorkdir::new();
    w.write(
        "a.txt",
        "Iraqi MPs voted to end the coalition's mission. It rained.",
    );
    let out = ok(&w.run(&["score", "a.txt"]));
    let shipped = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default.model");
    let want = ok(&w.run(&["score", "--model", s(&shipped), "a.txt"]));
    assert_eq!(out, want);
    assert_eq!(rows(&out).len(), 2);
}

#[test]
fn completions_and_man_page_name_the_subcommands_and_flags() {
    let w = TempWorkdir::new();
    for shell in ["bash", "zsh", "fish"] {
        let script = ok(&w.run(&["completions", shell]));
        // fish writes long flags as `-l top-k`.
        for word in ["score", "evaluate", "unit", "top-k"] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
    }
    let man = ok(&w.run(&["man"]));
    assert!(
        man.starts_with(".ie") || man.contains(".TH stance"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(
        man.contains("score") && man.contains("completions"),
        "{man}"
    );
    assert_eq!(
        w.run(&["completions", "powershell9"]).status.code(),
        Some(64)
    );
}

#[test]
fn inspect_shows_what_the_model_holds() {
    let w = TempWorkdir::new();
    train_semeval(&w);
    let v: serde_json::Value = serde_json::from_str(&ok(&w.run(&[
        "inspect",
        "sem.model",
        "--json",
        "--top-terms",
        "3",
    ])))
    .unwrap();
    let topics: Vec<String> = tweets(1250).into_iter().map(|t| t.1).collect();
    for t in v["topics"].as_array().unwrap() {
        assert!(topics.contains(&t.as_str().unwrap().to_string()), "{t}");
    }
    assert_eq!(v["stance_roles"]["against"], "AGAINST");
    let families: u64 = v["vocabulary"]["families"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["terms"].as_u64().unwrap())
        .sum();
    assert_eq!(families, v["vocabulary"]["terms"].as_u64().unwrap());
    let sha = sha256_hex(&std::fs::read(semeval("train.csv")).unwrap());
    assert_eq!(v["training"]["data_sha256"], sha.as_str());
    assert!(v["top_terms"].as_array().unwrap().iter().all(|h| h["terms"]
        .as_array()
        .unwrap()
        .len()
        <= 3));
    let text = ok(&w.run(&["inspect", "sem.model"]));
    assert!(
        text.contains(&sha) && text.contains("top terms topic"),
        "{text}"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
