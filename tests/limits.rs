//! The documented limits and reserved names, through the real binary in a
//! temp dir: n-gram ranges at training, the topic name `uncertain`, and
//! evaluation data without rows. (Model files beyond the limits, crafted:
//! `model_file.rs`.)

mod common;

use std::process::Output;
use std::time::Duration;

use common::TempWorkdir;

/// A labelled CSV: two topics, three stances, 48 rows.
fn labelled(topic_names: [&str; 2]) -> String {
    let mut csv = String::from("text,topic,stance\n");
    let objects = [
        [
            "the dam on the river",
            "irrigation canals",
            "the water plant",
        ],
        [
            "the gas power station",
            "the electricity grid",
            "solar panels",
        ],
    ];
    let verbs = [
        ("favor", "welcomed"),
        ("against", "condemned"),
        ("neutral", "discussed"),
    ];
    for (topic, objects) in topic_names.iter().zip(objects) {
        for i in 0..24 {
            let (stance, verb) = verbs[i % 3];
            let object = objects[(i / 3) % 3];
            csv += &format!("The council {verb} {object} on day {i}.,{topic},{stance}\n");
        }
    }
    csv
}

/// Asserts a clean failure (exit 1, no panic) and returns stderr.
fn failed(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{:?}\n{err}", out.status);
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn train(w: &TempWorkdir, extra: &[&str]) -> Output {
    let mut args = vec![
        "train", "--data", "t.csv", "--out", "m.model", "--c", "1", "--min-df", "1",
    ];
    args.extend_from_slice(extra);
    w.run(&args)
}

#[test]
fn train_refuses_ngram_ranges_beyond_the_maximum() {
    let w = TempWorkdir::new();
    w.write("t.csv", labelled(["water", "energy"]));
    for (extra, needle) in [
        (["--char-ngrams", "1-100000"], "--char-ngrams 1-100000:"),
        (["--char-ngrams", "2-11"], "--char-ngrams 2-11:"),
        (["--ngram-max", "7"], "--ngram-max 7:"),
        (["--ngram-max", "1000000000"], "--ngram-max 1000000000:"),
    ] {
        let e = failed(&train(&w, &extra));
        assert!(e.contains(needle), "{extra:?}: {e}");
        assert!(
            e.contains("at most") || e.contains("<= 10"),
            "{extra:?}: {e}"
        );
        assert!(
            !e.contains("read 48 rows"),
            "{extra:?}: read the data first: {e}"
        );
        assert!(!w.path("m.model").exists(), "{extra:?} wrote a model");
    }
}

#[test]
fn the_largest_accepted_ranges_score_a_long_word() {
    // One 1 MiB word with the longest n-grams train accepts. The work is
    // linear in the word's length (the analyzer's unit tests count it); the
    // limit here is only a hang guard.
    let w = TempWorkdir::new();
    w.write("t.csv", labelled(["water", "energy"]));
    let out = train(&w, &["--char-ngrams", "1-10", "--ngram-max", "6"]);
    assert!(out.status.success(), "{out:?}");
    w.write("word.txt", "a".repeat(1 << 20));
    let mut score = w.command();
    score.args(["score", "--model", "m.model", "word.txt", "--out", "s.csv"]);
    score.args(["--max-article-bytes", "2000000", "--quiet"]);
    let out = common::output_within(score, Duration::from_secs(300));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        w.read("s.csv").lines().count(),
        2,
        "a header and one statement"
    );
}

#[test]
fn train_refuses_the_reserved_topic_name() {
    let w = TempWorkdir::new();
    w.write("t.csv", labelled(["water", "uncertain"]));
    let e = failed(&train(&w, &[]));
    assert!(e.contains("\"uncertain\""), "{e}");
    assert!(e.contains("reserved"), "{e}");
    assert!(e.contains("data row 25"), "{e}");
    assert!(!w.path("m.model").exists());
}

#[test]
fn evaluate_on_no_rows_is_an_error() {
    let w = TempWorkdir::new();
    w.write("t.csv", labelled(["water", "energy"]));
    assert!(train(&w, &[]).status.success());
    w.write("empty.csv", "text,topic,stance\n");
    for json in [false, true] {
        let mut args = vec!["evaluate", "--model", "m.model", "--data", "empty.csv"];
        if json {
            args.push("--json");
        }
        let out = w.run(&args);
        let e = failed(&out);
        assert!(e.contains("empty.csv: no rows to evaluate"), "{e}");
        assert!(out.stdout.is_empty(), "printed metrics");
    }
}
