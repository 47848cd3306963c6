//! What an analyst sees (#17), through the real binary: surface forms in
//! `--explain`, `inspect` and `report --top-terms`; the training date and
//! the optimiser's convergence in `inspect`; the model built into the
//! binary; TSV input; a report's provenance.
//!
//! Models are trained here on `data/test.csv` (700 statements) with `--c 1`
//! (no cross-validation: about a second); no number of a model is written
//! into these tests.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;

use common::{arg, ok, TempWorkdir};
use sha2::Digest;
use stance::analysis::{Analyzer, AnalyzerConfig};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", sha2::Sha256::digest(bytes))
}

/// Runs `stance ARGS...` in `w` with `SOURCE_DATE_EPOCH` set to `epoch`, or unset.
fn run_at(w: &TempWorkdir, epoch: Option<&str>, args: &[&str]) -> Output {
    let mut c = w.command();
    match epoch {
        Some(e) => c.env("SOURCE_DATE_EPOCH", e),
        None => c.env_remove("SOURCE_DATE_EPOCH"),
    };
    c.args(args).output().unwrap()
}

/// Trains `name` on `data/test.csv` with `--c 1`.
fn train(w: &TempWorkdir, epoch: Option<&str>, name: &str) {
    let data = root().join("data/test.csv");
    ok(&run_at(
        w,
        epoch,
        &["train", "--data", arg(&data), "--c", "1", "--out", name],
    ));
}

/// The rows of a CSV text, by column name.
fn rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The terms of `text` as the model's (default) analyzer makes them.
fn terms(text: &str) -> Vec<String> {
    Analyzer::new(&AnalyzerConfig::default()).terms(text)
}

/// The term of all the words of `text`: its last term (all unigrams come
/// first, then bigrams, ...).
fn last_term(text: &str) -> String {
    terms(text).pop().unwrap_or_default()
}

const ARTICLES: &str = "id,text\n\
a1,\"Iraqi MPs voted to end the coalition's mission. Hamas fighters attacked Israel, officials said.\"\n\
a2,\"Iran and Iraq signed an electricity deal in Baghdad. The Palestinian people deserve a state.\"\n";

#[test]
fn explanations_and_top_terms_show_the_words_people_wrote() {
    let w = TempWorkdir::new();
    train(&w, None, "m.model");
    w.write("a.csv", ARTICLES);
    ok(&w.run(&[
        "score",
        "--model",
        "m.model",
        "a.csv",
        "--explain",
        "3",
        "--out",
        "s.csv",
    ]));
    let mut rewritten = 0;
    for row in rows(&w.read("s.csv")) {
        let sentence: Vec<String> = terms(&row["text"]);
        for col in ["topic_terms", "stance_terms"] {
            for item in row[col].split(';').filter(|t| !t.is_empty()) {
                let (shown, _) = item.rsplit_once(':').unwrap();
                // The shown words analyse back to a term the sentence has.
                let back = terms(shown);
                let stem = back.last().unwrap();
                assert!(
                    sentence.contains(stem),
                    "{shown:?} -> {back:?} in {sentence:?}"
                );
                rewritten += usize::from(back.len() == 1 && back[0] != shown);
            }
        }
    }
    // Note: "coalition", "Hamas", "Israel" and the like are shown, not their stems.
    assert!(rewritten > 0, "no explained term differs from its stem");

    let v: serde_json::Value = serde_json::from_str(&ok(&w.run(&[
        "inspect",
        "m.model",
        "--json",
        "--top-terms",
        "5",
    ])))
    .unwrap();
    let mut differ = 0;
    for h in v["top_terms"].as_array().unwrap() {
        let shown = h["terms"].as_array().unwrap();
        let stems = h["stems"].as_array().unwrap();
        assert_eq!(shown.len(), stems.len());
        for (t, stem) in shown.iter().zip(stems) {
            let (t, stem) = (t[0].as_str().unwrap(), stem.as_str().unwrap());
            assert_eq!(last_term(t), stem, "{t:?} is not a form of {stem:?}");
            differ += usize::from(t != stem);
        }
    }
    assert!(differ > 0);
    let text = ok(&w.run(&["inspect", "m.model", "--top-terms", "5"]));
    let first = &v["top_terms"][0]["terms"][0][0];
    assert!(text.contains(first.as_str().unwrap()), "{text}");

    // The report's top terms carry the stem beside the shown form when they differ.
    let report = ok(&w.run(&[
        "report",
        "s.csv",
        "--model",
        "m.model",
        "--top-terms",
        "5",
        "--format",
        "json",
    ]));
    let r: serde_json::Value = serde_json::from_str(&report).unwrap();
    let listed: Vec<&serde_json::Value> = r["top_terms"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["terms"].as_array().unwrap())
        .collect();
    assert!(!listed.is_empty());
    for t in &listed {
        let term = t["term"].as_str().unwrap();
        let stem = t["stem"].as_str().unwrap_or(term);
        assert_eq!(last_term(term), stem);
    }
    assert!(listed.iter().any(|t| t["stem"].is_string()));
}

#[test]
fn the_training_date_comes_from_source_date_epoch_and_never_the_clock() {
    let w = TempWorkdir::new();
    train(&w, None, "a.model");
    train(&w, None, "b.model");
    assert!(w.read_bytes("a.model") == w.read_bytes("b.model"));
    let v: serde_json::Value =
        serde_json::from_str(&ok(&w.run(&["inspect", "a.model", "--json"]))).unwrap();
    assert!(
        v["training"].get("trained_at").is_none(),
        "{}",
        v["training"]
    );
    assert!(ok(&w.run(&["inspect", "a.model"])).contains("trained at: not recorded"));

    // 86400 s after the epoch: 1970-01-02, as `date -u -d @86400` prints it.
    train(&w, Some("86400"), "d.model");
    let v: serde_json::Value =
        serde_json::from_str(&ok(&w.run(&["inspect", "d.model", "--json"]))).unwrap();
    assert_eq!(v["training"]["trained_at"], "1970-01-02T00:00:00Z");
    assert!(ok(&w.run(&["inspect", "d.model"])).contains("trained at: 1970-01-02T00:00:00Z"));
    // The optimiser's end, per head: topic first, then the stance heads.
    let fits = v["fits"].as_array().unwrap();
    assert_eq!(fits[0]["head"], "topic");
    assert!(fits.len() > 1, "{fits:?}");
    for f in fits {
        assert!(f["converged"].is_boolean() && f["iterations"].as_u64().unwrap() > 0);
    }
    assert!(ok(&w.run(&["inspect", "d.model"])).contains("  fit topic C=1.0: converged after"));

    let bad = run_at(
        &w,
        Some("yesterday"),
        &["train", "--data", "x", "--out", "e.model"],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("SOURCE_DATE_EPOCH=\"yesterday\" is not a whole number of seconds"),
        "{}",
        stderr(&bad)
    );
    assert!(!w.path("e.model").exists());
}

#[test]
fn a_report_says_what_produced_it() {
    let w = TempWorkdir::new();
    train(&w, Some("86400"), "m.model");
    let input = w.write("a.csv", ARTICLES);
    // 1714564800 = 2024-05-01T12:00:00Z (`date -u -d @1714564800`).
    let out = run_at(
        &w,
        Some("1714564800"),
        &[
            "score", "--model", "m.model", "a.csv", "--out", "s.csv", "--report", "r.json",
        ],
    );
    ok(&out);
    let r: serde_json::Value = serde_json::from_str(&w.read("r.json")).unwrap();
    let p = &r["provenance"];
    assert_eq!(p["generated_at"], "2024-05-01T12:00:00Z");
    assert_eq!(p["stance_version"], env!("CARGO_PKG_VERSION"));
    let argv: Vec<&str> = p["command_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        &argv[1..],
        ["score", "--model", "m.model", "a.csv", "--out", "s.csv", "--report", "r.json"]
    );
    let m = &p["model"];
    assert_eq!(m["path"], "m.model");
    assert_eq!(m["sha256"], sha256_hex(&w.read_bytes("m.model")).as_str());
    assert_eq!(m["bytes"], w.read_bytes("m.model").len() as u64);
    assert_eq!(m["trained_at"], "1970-01-02T00:00:00Z");
    let data = std::fs::read(root().join("data/test.csv")).unwrap();
    assert_eq!(m["training_data_sha256"], sha256_hex(&data).as_str());
    assert_eq!(p["inputs"][0]["path"], "a.csv");
    assert_eq!(
        p["inputs"][0]["sha256"],
        sha256_hex(&std::fs::read(&input).unwrap()).as_str()
    );

    // `report` over the scored file names that file as its input, and the
    // HTML page shows the same checksums and the training date.
    let out = run_at(
        &w,
        Some("1714564800"),
        &["report", "s.csv", "--model", "m.model", "--out", "r.html"],
    );
    ok(&out);
    let html = w.read("r.html");
    for needle in [
        sha256_hex(&w.read_bytes("s.csv")),
        sha256_hex(&w.read_bytes("m.model")),
        "1970-01-02T00:00:00Z".to_string(),
        "2024-05-01T12:00:00Z".to_string(),
    ] {
        assert!(html.contains(&needle), "no {needle} in the page");
    }
    // A SOURCE_DATE_EPOCH that is not a number is an error, and no report is written.
    let bad = run_at(&w, Some("soon"), &["report", "s.csv", "--out", "q.json"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(!w.path("q.json").exists());
}

#[test]
fn an_installed_binary_without_the_model_file_uses_the_built_in_one() {
    let w = TempWorkdir::new();
    // The binary alone in a folder of its own, run from another one.
    let bin = w.path("bin/stance");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_stance"), &bin).unwrap();
    w.write("work/a.csv", ARTICLES);
    let run = |args: &[&str]| {
        std::process::Command::new(&bin)
            .current_dir(w.path("work"))
            .env_remove("RAYON_NUM_THREADS")
            .env_remove("SOURCE_DATE_EPOCH")
            .args(args)
            .output()
            .unwrap()
    };
    let built_in = ok(&run(&["score", "a.csv", "--report", "r.json"]));
    let shipped = root().join("models/default.model");
    let from_file = ok(&run(&["score", "--model", arg(&shipped), "a.csv"]));
    assert_eq!(built_in, from_file);
    assert_eq!(rows(&built_in).len(), 4);
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.path("work/r.json")).unwrap()).unwrap();
    let m = &r["provenance"]["model"];
    assert_eq!(m["path"], "(built-in models/default.model)");
    assert_eq!(
        m["sha256"],
        sha256_hex(&std::fs::read(&shipped).unwrap()).as_str()
    );
    let text = ok(&run(&["inspect", "(built-in models/default.model)"]));
    assert!(text.contains("topics: "), "{text}");
    // --model still wins, and a missing one is an error, not the built-in model.
    let missing = run(&["score", "--model", "none.model", "a.csv"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("none.model"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn tsv_input_is_read_as_csv_with_tabs() {
    let w = TempWorkdir::new();
    let model = root().join("models/default.model");
    // A quoted field with a tab, a comma, a quote and a line break inside.
    let text = "Iraqi MPs voted,\tagain, to end the \"mission\".\nHamas attacked Israel.";
    let mut csv_w = csv::Writer::from_path(w.path("a.csv")).unwrap();
    let mut tsv_w = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .from_path(w.path("a.tsv"))
        .unwrap();
    for wr in [&mut csv_w, &mut tsv_w] {
        wr.write_record(["id", "source", "text"]).unwrap();
        wr.write_record(["a1", "wire, agency", text]).unwrap();
        wr.write_record(["a2", "tv", "Iran and Iraq signed a deal."])
            .unwrap();
        wr.flush().unwrap();
    }
    drop((csv_w, tsv_w));
    assert!(w.read("a.tsv").contains("a2\ttv\t"));
    let from_csv = ok(&w.run(&["score", "--model", arg(&model), "a.csv"]));
    let from_tsv = ok(&w.run(&["score", "--model", arg(&model), "a.tsv"]));
    assert_eq!(from_csv, from_tsv);
    let scored = rows(&from_tsv);
    assert_eq!(scored[0]["source"], "wire, agency");
    assert!(scored.iter().any(|r| r["text"].contains('\t')));
    // Standard input with --input-format tsv.
    let mut child = w
        .command()
        .args([
            "score",
            "--model",
            arg(&model),
            "-",
            "--input-format",
            "tsv",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&w.read_bytes("a.tsv"))
        .unwrap();
    let piped = child.wait_with_output().unwrap();
    assert_eq!(ok(&piped), from_csv);
    // A TSV without the text column is refused before scoring, naming the file.
    w.write("b.tsv", "id\tbody\na\tFine.\n");
    let out = w.run(&["score", "--model", arg(&model), "b.tsv", "--out", "o.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("b.tsv: no column \"text\"; the header has: id, body"),
        "{}",
        stderr(&out)
    );
    // A row with too few fields is rejected with its file and line.
    w.write("c.tsv", "id\ttext\na\tFine.\nb\n");
    let out = w.run(&["score", "--model", arg(&model), "c.tsv", "--out", "o.csv"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let rejects = w.read("o.csv.rejects.csv");
    assert!(rejects.contains("c.tsv,c.tsv:3,b,"), "{rejects}");
}
