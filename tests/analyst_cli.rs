//! What an analyst sees through the CLI (#17, the scoring, model and CLI half):
//! stance roles decided at training and used by `report` and `evaluate`.
//!
//! Models are trained on SemEval-2016 Task 6 (`../shared/data`, read-only,
//! present in CI) with `--c 1` (no cross-validation: about a second), or on
//! the tiny inline corpus of each test.

mod common;

use std::path::PathBuf;

use common::{arg as s, ok, semeval, TempWorkdir};

/// SemEval's training CSV with its stance labels renamed (`from` -> `to`).
fn relabelled(w: &TempWorkdir, name: &str, map: &[(&str, &str)]) -> PathBuf {
    let mut reader = csv::Reader::from_path(semeval("train.csv")).unwrap();
    let mut out = csv::Writer::from_path(w.path(name)).unwrap();
    out.write_record(reader.headers().unwrap()).unwrap();
    for r in reader.records() {
        let r = r.unwrap();
        let stance = map
            .iter()
            .find(|(from, _)| *from == &r[2])
            .map_or(&r[2], |(_, to)| *to);
        out.write_record([&r[0], &r[1], stance]).unwrap();
    }
    out.flush().unwrap();
    w.path(name)
}

/// The first `n` test tweets as JSON Lines articles.
fn tweets(w: &TempWorkdir, n: usize) -> PathBuf {
    let mut reader = csv::Reader::from_path(semeval("test.csv")).unwrap();
    let mut text = String::new();
    for (i, r) in reader.records().take(n).enumerate() {
        let r = r.unwrap();
        text.push_str(&serde_json::json!({"id": i.to_string(), "text": &r[0]}).to_string());
        text.push('\n');
    }
    w.write("tweets.jsonl", text)
}

/// Per topic, the net stance (favor - against) / statements counted from a scored CSV.
fn tally(w: &TempWorkdir, scored: &str, favor: &str, against: &str) -> Vec<(String, f64)> {
    let mut reader = csv::Reader::from_path(w.path(scored)).unwrap();
    let h = reader.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (t, st) = (col("topic"), col("stance"));
    let mut by: std::collections::BTreeMap<String, (f64, f64)> = Default::default();
    for r in reader.records() {
        let r = r.unwrap();
        let e = by.entry(r[t].to_string()).or_default();
        e.0 += 1.0;
        e.1 += (r[st] == *favor) as u8 as f64 - (r[st] == *against) as u8 as f64;
    }
    by.into_iter().map(|(k, (n, d))| (k, d / n)).collect()
}

#[test]
fn semeval_upper_case_labels_get_their_roles_in_report_and_evaluate() {
    let w = TempWorkdir::new();
    let log = w.train_quick(&semeval("train.csv"), "sem.model", &[]);
    assert!(
        log.contains("stance roles: favor FAVOR, against AGAINST, neutral NONE"),
        "{log}"
    );
    let input = tweets(&w, 200);
    ok(&w.run(&[
        "score",
        "--model",
        "sem.model",
        s(&input),
        "--out",
        "sc.csv",
    ]));
    let expected = tally(&w, "sc.csv", "FAVOR", "AGAINST");
    assert!(
        expected.iter().any(|(_, net)| net.abs() > 0.2),
        "{expected:?}"
    );
    for with_model in [false, true] {
        let mut args = vec!["report", "sc.csv", "--format", "json"];
        if with_model {
            args.extend(["--model", "sem.model"]);
        }
        let v: serde_json::Value = serde_json::from_str(&ok(&w.run(&args))).unwrap();
        // The data's own labels, no empty lower-case columns beside them.
        assert_eq!(
            v["stance_labels"],
            serde_json::json!(["FAVOR", "AGAINST", "NONE"])
        );
        assert_eq!(v["stance_roles"]["against"], "AGAINST");
        for t in v["topics"].as_array().unwrap() {
            let want = expected
                .iter()
                .find(|(k, _)| k == t["topic"].as_str().unwrap());
            let got = t["net_stance"].as_f64().unwrap();
            assert!((got - want.unwrap().1).abs() < 1e-12, "{t}");
        }
    }
    let table = ok(&w.run(&["report", "sc.csv"]));
    assert!(
        table.contains("net stance") && !table.contains("favor"),
        "{table}"
    );
    let csv = ok(&w.run(&["report", "sc.csv", "--format", "csv"]));
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let first: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let against = header.iter().position(|c| *c == "against").unwrap();
    // Atheism's tweets are mostly AGAINST: the count is in the `against` column.
    assert_ne!(first[against], "0", "{csv}");

    // evaluate: F_avg over FAVOR and AGAINST, from the per-class F1s it prints.
    let e = ok(&w.run(&[
        "evaluate",
        "--model",
        "sem.model",
        "--data",
        s(&semeval("test.csv")),
        "--topic-col",
        "target",
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&e).unwrap();
    for head in ["stance", "stance_given_topic"] {
        let m = &v[head];
        let f1 = |l: &str| m["per_class"][l]["f1"].as_f64().unwrap();
        let f_avg = m["f_avg"].as_f64().unwrap();
        assert!((f_avg - (f1("FAVOR") + f1("AGAINST")) / 2.0).abs() < 1e-12);
    }
}

#[test]
fn other_label_sets_have_no_net_stance_unless_roles_are_named() {
    let w = TempWorkdir::new();
    let map = [
        ("FAVOR", "SUPPORT"),
        ("AGAINST", "DENY"),
        ("NONE", "COMMENT"),
    ];
    let data = relabelled(&w, "relabelled.csv", &map);
    let input = tweets(&w, 120);

    // Found by name: nothing, so no net stance anywhere, not a column of zeros.
    let log = w.train_quick(&data, "plain.model", &[]);
    assert!(log.contains("no net stance"), "{log}");
    ok(&w.run(&[
        "score",
        "--model",
        "plain.model",
        s(&input),
        "--out",
        "plain.csv",
    ]));
    let table = ok(&w.run(&["report", "plain.csv", "--model", "plain.model"]));
    assert!(
        !table.contains("net stance") && table.contains("SUPPORT"),
        "{table}"
    );
    let csv = ok(&w.run(&["report", "plain.csv", "--format", "csv"]));
    assert!(!csv.lines().next().unwrap().contains("net_stance"), "{csv}");
    let json = ok(&w.run(&["report", "plain.csv", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["topics"][0]["net_stance"].is_null(), "{json}");
    let e = ok(&w.run(&[
        "evaluate",
        "--model",
        "plain.model",
        "--data",
        s(&data),
        "--topic-col",
        "target",
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&e).unwrap();
    assert!(v["stance"].get("f_avg").is_none(), "{e}");

    // Named at training: the model carries them to report and evaluate.
    let named = ["--favor-label", "SUPPORT", "--against-label", "DENY"];
    let log = w.train_quick(&data, "named.model", &named);
    assert!(
        log.contains("stance roles: favor SUPPORT, against DENY, neutral (none)"),
        "{log}"
    );
    ok(&w.run(&[
        "score",
        "--model",
        "named.model",
        s(&input),
        "--out",
        "named.csv",
    ]));
    let expected = tally(&w, "named.csv", "SUPPORT", "DENY");
    let json = ok(&w.run(&[
        "report",
        "named.csv",
        "--model",
        "named.model",
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["stance_labels"][0], "SUPPORT");
    for t in v["topics"].as_array().unwrap() {
        let want = expected
            .iter()
            .find(|(k, _)| k == t["topic"].as_str().unwrap());
        assert!((t["net_stance"].as_f64().unwrap() - want.unwrap().1).abs() < 1e-12);
    }
    let html = ok(&w.run(&[
        "report",
        "named.csv",
        "--model",
        "named.model",
        "--format",
        "html",
    ]));
    assert!(
        html.contains("net "),
        "the HTML shows net stance with roles"
    );
    let e = ok(&w.run(&[
        "evaluate",
        "--model",
        "named.model",
        "--data",
        s(&data),
        "--topic-col",
        "target",
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&e).unwrap();
    let m = &v["stance"];
    let f1 = |l: &str| m["per_class"][l]["f1"].as_f64().unwrap();
    let f_avg = m["f_avg"].as_f64().unwrap();
    assert!((f_avg - (f1("SUPPORT") + f1("DENY")) / 2.0).abs() < 1e-12);

    // A label the data does not have is refused before training, by its flag.
    let out = w.run(&[
        "train",
        "--data",
        s(&data),
        "--topic-col",
        "target",
        "--out",
        "bad.model",
        "--favor-label",
        "FAVOR",
        "--against-label",
        "DENY",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--favor-label FAVOR") && err.contains("COMMENT, DENY, SUPPORT"),
        "{err}"
    );
    assert!(!err.contains("features:"), "refused before any work: {err}");
    assert!(!w.path("bad.model").exists());
}

fn default_model() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default.model");
    p.to_str().unwrap().to_string()
}

/// A French article, and an English one ending in an Arabic sentence.
const MIXED: &str = r#"{"id":"fr","text":"Les députés irakiens ont voté dimanche la fin de la présence des troupes étrangères dans le pays. Le gouvernement appliquera cette décision après des discussions avec Washington, a déclaré le porte-parole."}
{"id":"en","text":"Iraqi lawmakers voted on Sunday to end the presence of foreign coalition troops in the country. صوت البرلمان العراقي يوم الأحد على إنهاء وجود القوات"}
"#;

#[test]
fn text_without_known_terms_and_other_languages_are_uncertain() {
    let w = TempWorkdir::new();
    let input = w.write("mixed.jsonl", MIXED);
    let model = default_model();
    // --min-confidence 0: no threshold could make a statement uncertain.
    let args = [
        "score",
        "--model",
        &model,
        s(&input),
        "--min-confidence",
        "0",
    ];
    let out = w.run(&[&args[..], &["--out", "mixed.csv"]].concat());
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("; 1 in another language than the model's (english)"),
        "{err}"
    );
    let mut reader = csv::Reader::from_path(w.path("mixed.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[header.len() - 2..], ["known_terms", "language"]);
    let col = |n: &str| header.iter().position(|c| c == n).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    for r in &rows {
        let known: usize = r[col("known_terms")].parse().unwrap();
        let foreign = &r[0] == "fr";
        assert_eq!(&r[col("language")], if foreign { "fra" } else { "eng" });
        let uncertain = foreign || known == 0;
        assert_eq!(&r[col("topic")] == "uncertain", uncertain, "{r:?}");
        assert!(
            !r[col("best_topic")].is_empty(),
            "the raw guess is kept: {r:?}"
        );
    }
    let arabic = &rows[3];
    assert_eq!(&arabic[col("known_terms")], "0", "{arabic:?}");
    assert!(rows[2][col("known_terms")].parse::<usize>().unwrap() > 5);

    // JSON Lines carries the same keys.
    let jsonl = ok(&w.run(&[&args[..], &["--format", "jsonl", "--quiet"]].concat()));
    let last: serde_json::Value = serde_json::from_str(jsonl.lines().last().unwrap()).unwrap();
    assert_eq!(
        (last["known_terms"].as_u64(), last["language"].as_str()),
        (Some(0), Some("eng"))
    );

    // `report` reads the new file and one written before the two columns alike.
    let old: String = w
        .read("mixed.csv")
        .lines()
        .map(|l| {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(l.as_bytes());
            let rec = r.records().next().unwrap().unwrap();
            let mut wr = csv::Writer::from_writer(Vec::new());
            wr.write_record(rec.iter().take(rec.len() - 2)).unwrap();
            String::from_utf8(wr.into_inner().unwrap()).unwrap()
        })
        .collect();
    assert!(
        old.starts_with("article_id,") && old.lines().next().unwrap().ends_with("min_confidence")
    );
    w.write("old.csv", old);
    let new_report = ok(&w.run(&["report", "mixed.csv", "--format", "json"]));
    let old_report = ok(&w.run(&["report", "old.csv", "--format", "json"]));
    assert_eq!(
        common::report_statistics(&new_report),
        common::report_statistics(&old_report)
    );
    let v: serde_json::Value = serde_json::from_str(&new_report).unwrap();
    let uncertain = v["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["topic"] == "uncertain");
    assert_eq!(uncertain.unwrap()["statements"], 3);
}

/// `other` has a one-class stance head (always neutral): its terms weigh
/// nothing, so `--explain` lists none, where it listed `basra:+0.0000`.
#[test]
fn explain_on_a_one_class_head_lists_no_zero_contributions() {
    let w = TempWorkdir::new();
    let input = w.write(
        "w.csv",
        "id,text\nx,\"The weather in Basra was hot on Tuesday, the census said.\"\n",
    );
    let model = default_model();
    let out = ok(&w.run(&[
        "score",
        "--model",
        &model,
        s(&input),
        "--explain",
        "3",
        "--quiet",
    ]));
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|c| c == n).unwrap();
    let r = reader.records().next().unwrap().unwrap();
    assert_eq!(&r[col("best_topic")], "other", "{out}");
    assert!(!r[col("topic_terms")].is_empty(), "{out}");
    assert_eq!(&r[col("stance_terms")], "", "{out}");
}
