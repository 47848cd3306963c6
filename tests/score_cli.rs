//! `stance score` driven through the real binary, each test in its own temp dir.
//!
//! Every test trains a tiny model first (`stance train --min-df 1 --c 1` on
//! [`TRAIN`], a few milliseconds), then scores inputs written next to it.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::TempWorkdir;

/// A tiny labelled corpus in the shipped domain (topics and stances of LABELING.md).
const TRAIN: &str = "text,topic,stance
Protesters marched in solidarity with the people of Gaza.,palestine,favor
The rally condemned the bombing of Gaza and called for Palestinian statehood.,palestine,favor
Hamas attacks on civilians were condemned by the minister.,palestine,against
The spokesman backed Israel's right to strike Hamas.,palestine,against
Ceasefire talks on Gaza resumed in Cairo on Monday.,palestine,neutral
Aid trucks crossed into Gaza through the Rafah crossing.,palestine,neutral
Lawmakers demanded a timetable for the withdrawal of coalition troops.,coalition_withdrawal,favor
The foreign forces must leave Iraqi soil now said the MP.,coalition_withdrawal,favor
Kurdish leaders warned that a hasty coalition exit would help Islamic State.,coalition_withdrawal,against
The US official said the troops should stay to train Iraqi forces.,coalition_withdrawal,against
The coalition mission talks resumed in Baghdad.,coalition_withdrawal,neutral
A rocket struck the Ain al-Asad base housing coalition advisers.,coalition_withdrawal,neutral
The minister praised strong relations between Baghdad and Tehran.,bilateral_ties,favor
Iraq and Iran signed a memorandum on gas and electricity cooperation.,bilateral_ties,neutral
Critics denounced Iranian interference in Iraqi politics.,bilateral_ties,against
Pilgrims crossed the border from Iran for Arbaeen.,bilateral_ties,neutral
The weather in Basra was hot on Tuesday.,other,neutral
The census counted the population of Iraq.,other,neutral
Parliament passed the budget amendment on oil exports.,other,neutral
The election date was set for November.,other,neutral
";

/// Three articles, seven sentences; quoted commas, quotes and a blank line.
const ARTICLES: &str = "id,date,source,title,text
a1,2024-01-09,Tigris Wire,Troops,\"Lawmakers demanded a timetable for the withdrawal of coalition troops. Kurdish leaders warned that a hasty exit would help Islamic State.

The weather in Basra was hot on Tuesday.\"
a2,2024-02-01,Levant Daily,\"Gaza, rally\",\"Thousands marched in solidarity with Gaza. \"\"Hamas attacks on civilians must end,\"\" the minister said.\"
a3,,,,Iraq and Iran signed a memorandum on gas. Critics denounced Iranian interference.
";

const STATEMENT_HEADER: [&str; 15] = [
    "article_id",
    "sentence",
    "start",
    "end",
    "text",
    "topic",
    "topic_prob",
    "stance",
    "stance_prob",
    "date",
    "source",
    "best_topic",
    "min_confidence",
    "known_terms",
    "language",
];

/// A temp dir with a trained model in it.
struct Workdir {
    base: TempWorkdir,
}

impl std::ops::Deref for Workdir {
    type Target = TempWorkdir;
    fn deref(&self) -> &TempWorkdir {
        &self.base
    }
}

impl Workdir {
    fn new() -> Workdir {
        let w = Workdir {
            base: TempWorkdir::new(),
        };
        w.write("train.csv", TRAIN);
        let out = w.run(&[
            "train",
            "--data",
            "train.csv",
            "--out",
            "m.model",
            "--min-df",
            "1",
            "--c",
            "1",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        w
    }

    /// `stance score --model m.model ARGS...`
    fn score(&self, args: &[&str]) -> Output {
        let mut all = vec!["score", "--model", "m.model"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// Leftover temporary files of an atomic write.
    fn temp_files(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".stance-"))
            .collect()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// CSV text as a header and rows of owned strings.
fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The numbers of the summary line `read N articles, scored M statements from S articles, rejected R`.
fn summary(out: &Output) -> [u64; 4] {
    let text = stderr(out);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with("read "))
        .unwrap_or_else(|| panic!("no summary line in {text:?}"));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    [numbers[0], numbers[1], numbers[2], numbers[3]]
}

/// A probability written with exactly four decimals, in [0, 1].
fn assert_prob(s: &str) {
    let (int, frac) = s.split_once('.').unwrap_or_else(|| panic!("{s:?}"));
    assert!(int == "0" || int == "1", "{s:?}");
    assert_eq!(frac.len(), 4, "{s:?}");
    assert!((0.0..=1.0).contains(&s.parse::<f64>().unwrap()), "{s:?}");
}

#[test]
fn csv_input_gives_one_row_per_sentence_in_order() {
    let w = Workdir::new();
    w.write("articles.csv", ARTICLES);
    let out = w.score(&["articles.csv", "--out", "s.csv"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert_eq!(summary(&out), [3, 7, 3, 0]);
    assert_eq!(
        stderr(&out).trim_end(),
        "read 3 articles, scored 7 statements from 3 articles, rejected 0"
    );
    let (header, rows) = csv_rows(&w.read("s.csv"));
    assert_eq!(header, STATEMENT_HEADER);
    let ids: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("a1", "1"),
            ("a1", "2"),
            ("a1", "3"),
            ("a2", "1"),
            ("a2", "2"),
            ("a3", "1"),
            ("a3", "2")
        ]
    );
    let (_, articles) = csv_rows(ARTICLES);
    for r in &rows {
        let article = articles.iter().find(|a| a[0] == r[0]).unwrap();
        let (start, end): (usize, usize) = (r[2].parse().unwrap(), r[3].parse().unwrap());
        assert_eq!(
            &article[4][start..end],
            r[4],
            "offsets are bytes into the article text"
        );
        assert_eq!(
            (r[9].as_str(), r[10].as_str()),
            (article[1].as_str(), article[2].as_str())
        );
        assert_prob(&r[6]);
        assert_prob(&r[8]);
        assert_eq!(r[5], r[11]);
        assert_eq!(r[12], "");
        assert!(
            ["favor", "against", "neutral"].contains(&r[7].as_str()),
            "{r:?}"
        );
    }
    assert_eq!(
        rows[4][4],
        "\"Hamas attacks on civilians must end,\" the minister said."
    );
    assert!(!w.path("s.csv.rejects.csv").exists());
    assert!(w.temp_files().is_empty());
}

#[test]
fn sample_articles_to_stdout_keep_input_order() {
    let w = Workdir::new();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles/articles.csv");
    let out = w.score(&[sample.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let [read, statements, scored, rejected] = summary(&out);
    assert_eq!((read, scored, rejected), (24, 24, 0));
    let (header, rows) = csv_rows(std::str::from_utf8(&out.stdout).unwrap());
    assert_eq!(header, STATEMENT_HEADER);
    assert_eq!(rows.len() as u64, statements);
    let mut order: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    order.dedup();
    let expected: Vec<String> = (1..=24).map(|i| format!("a-{i:03}")).collect();
    assert_eq!(order, expected);
    assert!(rows.iter().all(|r| !r[9].is_empty() && !r[10].is_empty()));
    assert!(!w.path("stance-rejects.csv").exists());
}

#[test]
fn txt_files_directories_and_jsonl() {
    let w = Workdir::new();
    w.write("in/a.txt", "The census counted the population of Iraq.\n");
    w.write(
        "in/sub/b.txt",
        "Aid trucks crossed into Gaza. The MP said troops must leave.",
    );
    w.write(
        "in/c.jsonl",
        "{\"id\": 7, \"text\": \"Pilgrims crossed from Iran.\", \"source\": \"Gulf Desk\", \"date\": \"2024-05-01\"}\n\n{\"id\": \"j2\", \"text\": \"Gaza talks resumed.\"}\n",
    );
    w.write("in/d.csv", "text,id\nThe election date was set.,d1\n");
    w.write("in/e.pdf", "%PDF-1.4");
    w.write("x.txt", "Iraq and Iran signed a memorandum.");
    let out = w.score(&["in", "x.txt", "--out", "s.csv"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(summary(&out), [7, 7, 6, 1]);
    assert!(
        stderr(&out).contains("rejected 1 (see s.csv.rejects.csv)"),
        "{}",
        stderr(&out)
    );
    let (_, rows) = csv_rows(&w.read("s.csv"));
    let mut ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    ids.dedup();
    assert_eq!(ids, ["a.txt", "7", "j2", "d1", "sub/b.txt", "x.txt"]);
    let seven = rows.iter().find(|r| r[0] == "7").unwrap();
    assert_eq!(
        (seven[9].as_str(), seven[10].as_str()),
        ("2024-05-01", "Gulf Desk")
    );
    let (header, rejects) = csv_rows(&w.read("s.csv.rejects.csv"));
    assert_eq!(header, ["input", "position", "article_id", "reason"]);
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0][0], "in");
    assert_eq!(rejects[0][1], "in/e.pdf");
    assert!(
        rejects[0][3].starts_with("unsupported file type: .pdf"),
        "{:?}",
        rejects[0]
    );
}

/// Runs `score ARGS` with `stdin` as standard input.
fn score_stdin(w: &Workdir, args: &[&str], stdin: &str) -> Output {
    let mut child = w
        .command()
        .args(["score", "--model", "m.model"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

#[test]
fn stdin_in_every_format() {
    let w = Workdir::new();
    let out = score_stdin(&w, &["-", "--input-format", "csv"], ARTICLES);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(summary(&out), [3, 7, 3, 0]);

    let lines = "Gaza talks resumed in Cairo.\n\nThe census counted the population. It rained.\r\n";
    let out = score_stdin(&w, &["-", "--input-format", "txt"], lines);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (_, rows) = csv_rows(std::str::from_utf8(&out.stdout).unwrap());
    let ids: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("1", "Gaza talks resumed in Cairo."),
            ("3", "The census counted the population."),
            ("3", "It rained.")
        ]
    );

    let jsonl = "{\"id\":\"j1\",\"text\":\"Gaza talks resumed.\",\"title\":\"T\"}\n";
    let out = score_stdin(&w, &["-", "--format", "jsonl"], jsonl);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["article_id"], "j1");
}

#[test]
fn jsonl_output_has_numbers_and_probability_maps() {
    let w = Workdir::new();
    w.write("articles.csv", ARTICLES);
    let out = w.score(&["articles.csv", "--out", "s.jsonl"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = w.read("s.jsonl");
    assert_eq!(text.lines().count(), 7);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let mut expected: Vec<&str> = STATEMENT_HEADER.to_vec();
        expected.extend(["topic_probs", "stance_probs"]);
        assert_eq!(v.as_object().unwrap().len(), expected.len());
        // Note: serde_json's map sorts keys, so the written order is checked on the text.
        let at: Vec<usize> = expected
            .iter()
            .map(|k| {
                line.find(&format!("\"{k}\":"))
                    .unwrap_or_else(|| panic!("no {k} in {line}"))
            })
            .collect();
        assert!(at.windows(2).all(|p| p[0] < p[1]), "{line}");
        assert!(v["sentence"].is_u64() && v["start"].is_u64() && v["end"].is_u64());
        let p = v["topic_prob"].as_f64().unwrap();
        let probs = v["topic_probs"].as_object().unwrap();
        assert_eq!(probs.len(), 4);
        assert_eq!(probs[v["topic"].as_str().unwrap()].as_f64(), Some(p));
        let total: f64 = probs.values().map(|x| x.as_f64().unwrap()).sum();
        assert!((total - 1.0).abs() < 1e-3, "{total}");
        let stance = v["stance"].as_str().unwrap();
        assert_eq!(
            v["stance_probs"][stance].as_f64(),
            v["stance_prob"].as_f64()
        );
        assert!(v["min_confidence"].is_null());
    }
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["date"], "2024-01-09");
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert!(last["date"].is_null() && last["source"].is_null());
}

#[test]
fn min_confidence_marks_uncertain_statements() {
    let w = Workdir::new();
    w.write("articles.csv", ARTICLES);
    let out = w.score(&["articles.csv", "--out", "all.csv"]);
    assert_eq!(code(&out), 0);
    let (_, plain) = csv_rows(&w.read("all.csv"));
    let threshold = 0.45;
    let out = w.score(&[
        "articles.csv",
        "--out",
        "s.csv",
        "--min-confidence",
        "0.45",
        "--articles-out",
        "a.csv",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (_, rows) = csv_rows(&w.read("s.csv"));
    let mut uncertain = 0;
    for (r, p) in rows.iter().zip(&plain) {
        assert_eq!(r[12], "0.45");
        assert_eq!(r[11], p[5], "best_topic keeps the raw best guess");
        let prob: f64 = r[6].parse().unwrap();
        if prob < threshold {
            assert_eq!(r[5], "uncertain");
            uncertain += 1;
        } else {
            assert_eq!(r[5], p[5]);
        }
    }
    assert!(
        uncertain > 0 && uncertain < rows.len(),
        "pick a threshold that splits: {uncertain}"
    );
    let (header, articles) = csv_rows(&w.read("a.csv"));
    assert_eq!(header.last().map(String::as_str), Some("uncertain_n"));
    let total: u64 = articles
        .iter()
        .map(|a| a.last().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, uncertain as u64);

    let out = w.score(&["articles.csv", "--min-confidence", "0"]);
    let (_, rows) = csv_rows(std::str::from_utf8(&out.stdout).unwrap());
    assert!(rows.iter().all(|r| r[5] != "uncertain" && r[12] == "0"));
    let out = w.score(&["articles.csv", "--min-confidence", "1.5"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("--min-confidence must be between 0 and 1"));
}

/// (term, contribution) pairs of `term:+0.1234;term2:-0.0567`.
fn explained(field: &str) -> Vec<(String, f64)> {
    field
        .split(';')
        .map(|t| {
            let (term, c) = t.rsplit_once(':').unwrap_or_else(|| panic!("{t:?}"));
            assert!(c.starts_with('+') || c.starts_with('-'), "{t:?}");
            assert_eq!(c.split_once('.').unwrap().1.len(), 4, "{t:?}");
            (term.to_string(), c.parse().unwrap())
        })
        .collect()
}

#[test]
fn explain_lists_the_terms_that_weighed_most() {
    let w = Workdir::new();
    w.write("articles.csv", ARTICLES);
    let out = w.score(&["articles.csv", "--explain", "3", "--out", "s.csv"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (header, rows) = csv_rows(&w.read("s.csv"));
    assert_eq!(&header[15..], ["topic_terms", "stance_terms"]);
    for r in &rows {
        for field in [&r[15], &r[16]] {
            let terms = explained(field);
            assert!(!terms.is_empty() && terms.len() <= 3, "{field:?}");
            assert!(
                terms.windows(2).all(|p| p[0].1.abs() >= p[1].1.abs()),
                "{field:?}"
            );
            assert!(terms.iter().all(|(t, _)| !t.is_empty()));
        }
    }
    let troops = explained(&rows[0][15]);
    assert!(
        troops
            .iter()
            .any(|(t, _)| t.contains("troop") || t.contains("coalit") || t.contains("withdraw")),
        "{troops:?}"
    );

    let out = w.score(&["articles.csv", "--explain", "2", "--format", "jsonl"]);
    assert_eq!(code(&out), 0);
    for line in std::str::from_utf8(&out.stdout).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for key in ["topic_terms", "stance_terms"] {
            let terms = v[key].as_array().unwrap();
            assert!(!terms.is_empty() && terms.len() <= 2);
            assert!(terms[0]["term"].is_string() && terms[0]["contribution"].is_f64());
        }
    }
}

#[test]
fn articles_out_summarises_each_article() {
    let w = Workdir::new();
    w.write("articles.csv", ARTICLES);
    let out = w.score(&["articles.csv", "--out", "s.csv", "--articles-out", "a.csv"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (_, statements) = csv_rows(&w.read("s.csv"));
    let (header, articles) = csv_rows(&w.read("a.csv"));
    assert_eq!(
        &header[..5],
        ["article_id", "date", "source", "title", "statements"]
    );
    let topics = [
        "bilateral_ties",
        "coalition_withdrawal",
        "other",
        "palestine",
    ];
    let mut expected = Vec::new();
    for t in topics {
        expected.push(format!("{t}_n"));
        expected.push(format!("{t}_stance"));
        for s in ["against", "favor", "neutral"] {
            expected.push(format!("{t}_p_{s}"));
        }
    }
    assert_eq!(&header[5..], expected);
    assert_eq!(articles.len(), 3);
    assert_eq!(articles[1][3], "Gaza, rally");
    for a in &articles {
        let mine: Vec<&Vec<String>> = statements.iter().filter(|s| s[0] == a[0]).collect();
        assert_eq!(a[4], mine.len().to_string());
        let mut sum = 0;
        for (i, t) in topics.iter().enumerate() {
            let col = 5 + i * 5;
            let of_topic: Vec<&&Vec<String>> = mine.iter().filter(|s| s[5] == *t).collect();
            let n: usize = a[col].parse().unwrap();
            assert_eq!(n, of_topic.len(), "{t} in {}", a[0]);
            sum += n;
            if n == 0 {
                assert!(a[col + 1..col + 5].iter().all(String::is_empty));
                continue;
            }
            let votes = |label: &str| of_topic.iter().filter(|s| s[7] == label).count();
            let majority = &a[col + 1];
            assert!(["against", "favor", "neutral"]
                .iter()
                .all(|l| votes(majority) >= votes(l)));
            let means: Vec<f64> = a[col + 2..col + 5]
                .iter()
                .map(|p| p.parse().unwrap())
                .collect();
            assert!((means.iter().sum::<f64>() - 1.0).abs() < 1e-3, "{means:?}");
        }
        assert_eq!(sum, mine.len());
    }
}

#[test]
fn bad_input_is_rejected_with_its_position_and_nothing_is_lost() {
    let w = Workdir::new();
    let mut csv = b"id,date,text\n\
                    c1,2024-01-01,Gaza talks resumed.\n\
                    c2,2024-01-01\n\
                    ,2024-01-01,No id here.\n\
                    c4,,\"   \"\n\
                    c5,,\"bad \xff byte\"\n\
                    c6,,\"The census.\n\nIt rained.\"\n"
        .to_vec();
    csv.extend_from_slice(b"c7,,\"never closed\n");
    w.write("bad.csv", csv);
    let long = "x".repeat(3000);
    let mut jsonl = format!(
        "{{\"id\":\"j1\",\"text\":\"Troops must leave.\"}}\n\
         {{\"id\":\"j2\",\"text\":\"Unclosed\n\
         {{\"id\":\"j3\"}}\n\
         {{\"id\":\"j4\",\"text\":\"{long}\"}}\n\
         {{\"id\":\"j5\",\"text\":\"Pilgrims crossed from Iran.\"}}\n"
    )
    .into_bytes();
    jsonl.extend_from_slice(b"{\"id\":\"j6\",\"text\":\"\xc3\x28\"}\n");
    w.write("bad.jsonl", jsonl);
    w.write("big.txt", long.as_bytes());
    w.write("empty.txt", "\n \n");
    let out = w.score(&[
        "bad.csv",
        "bad.jsonl",
        "big.txt",
        "empty.txt",
        "--max-article-bytes",
        "2000",
        "--out",
        "s.csv",
        "--rejects",
        "r.csv",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let [read, _, scored, rejected] = summary(&out);
    assert_eq!((read, scored, rejected), (15, 4, 11));
    assert!(stderr(&out).contains("rejected 11 (see r.csv)"));
    let (_, rows) = csv_rows(&w.read("s.csv"));
    let mut ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    ids.dedup();
    assert_eq!(ids, ["c1", "c6", "j1", "j5"]);
    let (header, rejects) = csv_rows(&w.read("r.csv"));
    assert_eq!(header, ["input", "position", "article_id", "reason"]);
    let got: Vec<(&str, &str, &str)> = rejects
        .iter()
        .map(|r| {
            let reason = r[3].split([':', '(']).next().unwrap_or_default();
            (r[1].as_str(), r[2].as_str(), reason.trim_end())
        })
        .collect();
    assert_eq!(
        got,
        [
            ("bad.csv:3", "c2", "bad CSV record"),
            ("bad.csv:4", "", "missing id"),
            ("bad.csv:5", "c4", "empty text"),
            ("bad.csv:6", "c5", "not UTF-8"),
            ("bad.csv:10", "c7", "bad CSV record"),
            ("bad.jsonl:2", "", "bad JSON"),
            ("bad.jsonl:3", "j3", "missing text"),
            ("bad.jsonl:4", "", "too large"),
            ("bad.jsonl:6", "", "not UTF-8"),
            ("big.txt:1", "big.txt", "too large"),
            ("empty.txt:1", "empty.txt", "empty text"),
        ]
    );
    assert!(rejects
        .iter()
        .all(|r| r[0] == r[1].split(':').next().unwrap()));
    assert!(
        rejects[7][3].contains("line of 3022 bytes, above --max-article-bytes 2000"),
        "{:?}",
        rejects[7]
    );
    assert!(
        rejects[9][3].contains("file of 3000 bytes"),
        "{:?}",
        rejects[9]
    );
}

#[test]
fn exit_codes_and_fatal_errors_before_any_work() {
    let w = Workdir::new();
    w.write("articles.csv", ARTICLES);
    w.write("s.csv", "old\n");
    let out = w.run(&[
        "score",
        "--model",
        "nope.model",
        "articles.csv",
        "--out",
        "s.csv",
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("cannot load model nope.model"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stderr(&out).matches("os error").count(),
        1,
        "the cause is said once: {}",
        stderr(&out)
    );
    assert_eq!(
        w.read("s.csv"),
        "old\n",
        "a failed run leaves the old output"
    );

    // Note: without --model the shipped model is found beside the binary
    // (tests/cli_habits.rs); a model file that is not there is fatal.
    let out = w.run(&["score", "--model", "models/default.model", "articles.csv"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("models/default.model"),
        "{}",
        stderr(&out)
    );

    let out = w.score(&["articles.csv", "--out", "no/such/dir/s.csv"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("cannot write no/such/dir/s.csv: its directory no/such/dir"),
        "{}",
        stderr(&out)
    );
    let out = w.score(&["articles.csv", "--out", "s.csv", "--articles-out", "s.csv"]);
    assert_eq!(code(&out), 1);
    let out = w.score(&["articles.csv", "--out", "articles.csv"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("both an input and an output"),
        "{}",
        stderr(&out)
    );
    assert_eq!(w.read("articles.csv"), ARTICLES);

    let out = w.score(&["articles.csv", "--out", "s.csv", "--rejects", "r.csv"]);
    assert_eq!(code(&out), 0);
    assert_ne!(w.read("s.csv"), "old\n");
    assert_eq!(
        w.read("r.csv"),
        "input,position,article_id,reason\n",
        "an explicit rejects file is always written"
    );
    assert!(w.temp_files().is_empty(), "{:?}", w.temp_files());
}

/// An input that cannot be used at all is a usage error before any work
/// (exit 1, the reason on stderr, no output written), not one reject.
#[test]
fn unusable_inputs_are_usage_errors() {
    let w = Workdir::new();
    w.write("articles.csv", ARTICLES);
    w.write(
        "body.csv",
        "id,body
a,The council approved the budget.
",
    );
    w.write("x.tex", "id\ttext\na\tFine.\n");
    w.write("s.csv", "old\n");
    for (args, message) in [
        (
            vec!["articles.csv", "missing.jsonl"],
            "missing.jsonl: cannot read this input: No such file or directory",
        ),
        (
            vec!["body.csv"],
            "body.csv: no column \"text\"; the header has: id, body",
        ),
        (
            vec!["articles.csv", "--text-col", "body"],
            "articles.csv: no column \"body\"; the header has: id,",
        ),
        (vec!["x.tex"], "x.tex: unsupported file type: .tex"),
    ] {
        let mut argv = args.clone();
        argv.extend(["--out", "s.csv", "--quiet"]);
        let out = w.score(&argv);
        assert_eq!(code(&out), 1, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(w.read("s.csv"), "old\n", "{args:?}");
        assert!(!w.path("s.csv.rejects.csv").exists(), "{args:?}");
        assert!(w.temp_files().is_empty(), "{:?}", w.temp_files());
    }
    // The same CSV through stdin cannot be checked before reading: its rows
    // are rejected as before.
    let out = score_stdin(
        &w,
        &["-", "--input-format", "csv", "--text-col", "body"],
        ARTICLES,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

/// `articles.csv` of the repository, `copies` times over with distinct ids, as CSV.
fn repeated_sample(copies: usize) -> String {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles/articles.csv");
    let (header, rows) = csv_rows(&std::fs::read_to_string(sample).unwrap());
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).unwrap();
    for copy in 0..copies {
        for row in &rows {
            let mut row = row.clone();
            row[0] = format!("{}-{copy}", row[0]);
            out.write_record(&row).unwrap();
        }
    }
    String::from_utf8(out.into_inner().unwrap()).unwrap()
}

#[test]
fn output_bytes_do_not_depend_on_the_thread_count() {
    let w = Workdir::new();
    // Note: about 2.4 MB, more than one reader batch.
    w.write("big.csv", repeated_sample(40));
    w.write(
        "more.jsonl",
        "{\"id\":\"x\",\"text\":\"Gaza talks. Troops stay.\"}\nnot json\n",
    );
    let mut outputs = Vec::new();
    for threads in ["1", "2", "8"] {
        for format in ["csv", "jsonl"] {
            let out = w
                .command()
                .args([
                    "score",
                    "--model",
                    "m.model",
                    "big.csv",
                    "more.jsonl",
                    "--explain",
                    "2",
                ])
                .args([
                    "--min-confidence",
                    "0.4",
                    "--format",
                    format,
                    "--out",
                    "s.out",
                ])
                .args(["--articles-out", "a.csv", "--rejects", "r.csv"])
                .env("RAYON_NUM_THREADS", threads)
                .output()
                .unwrap();
            assert_eq!(code(&out), 2, "{}", stderr(&out));
            assert_eq!(summary(&out)[0], 24 * 40 + 2);
            let files: Vec<Vec<u8>> = ["s.out", "a.csv", "r.csv"]
                .iter()
                .map(|f| std::fs::read(w.path(f)).unwrap())
                .collect();
            outputs.push((threads, format, files));
        }
    }
    for (threads, format, files) in &outputs[2..] {
        let (_, _, reference) = outputs
            .iter()
            .find(|o| o.0 == "1" && o.1 == *format)
            .unwrap();
        assert!(
            files == reference,
            "{threads} threads, {format}: output differs from 1 thread"
        );
    }
}

#[test]
fn closed_stdout_pipe_ends_quietly_with_zero() {
    let w = Workdir::new();
    w.write("big.csv", repeated_sample(40));
    let mut child = w
        .command()
        .args(["score", "--model", "m.model", "big.csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("article_id,"));
    // Note: the reader (and the pipe) is dropped here, like `| head -1`.
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("error"), "{}", stderr(&out));
}

/// Lines of a child's stdout, as they come, through a channel.
fn line_channel(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

fn next_json(rx: &mpsc::Receiver<String>) -> serde_json::Value {
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("no answer from the streaming scorer");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?}: {e}"))
}

fn spawn_stdin(w: &Workdir, args: &[&str]) -> Child {
    w.command()
        .args(["score", "--model", "m.model", "-"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn jsonl_on_stdin_streams_an_answer_per_article() {
    let w = Workdir::new();
    let mut child = spawn_stdin(&w, &["--format", "jsonl", "--rejects", "-"]);
    let mut stdin = child.stdin.take().unwrap();
    let rx = line_channel(child.stdout.take().unwrap());
    // Note: each answer is read before the next line is sent, as a pipe
    // partner (Spark's RDD.pipe, Hadoop streaming) may do.
    stdin
        .write_all(b"{\"id\":\"s1\",\"text\":\"Gaza talks resumed. Troops must leave.\"}\n")
        .unwrap();
    stdin.flush().unwrap();
    let a = next_json(&rx);
    let b = next_json(&rx);
    assert_eq!(
        (&a["article_id"], &a["sentence"], &b["sentence"]),
        (&"s1".into(), &1.into(), &2.into())
    );
    stdin.write_all(b"{\"id\":\"s2\",\"text\":\n").unwrap();
    stdin.flush().unwrap();
    let r = next_json(&rx);
    assert_eq!(r["rejected"], true);
    assert_eq!(r["position"], "-:2");
    assert!(r["reason"].as_str().unwrap().starts_with("bad JSON"));
    stdin
        .write_all(b"{\"id\":3,\"text\":\"Pilgrims crossed from Iran.\"}\n")
        .unwrap();
    stdin.flush().unwrap();
    assert_eq!(next_json(&rx)["article_id"], "3");
    drop(stdin);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2));
    assert!(
        rx.recv_timeout(Duration::from_secs(5)).is_err(),
        "nothing after the last answer"
    );
    assert!(!w.path("stance-rejects.csv").exists());
}

/// Peak resident memory of a running process, in bytes (Linux).
#[cfg(target_os = "linux")]
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

/// Streams `head`, 200 MB of `x`, `tail` into `score - ARGS` and returns
/// (the answers to `tail`, peak RSS while still running).
#[cfg(target_os = "linux")]
fn score_huge_item(
    w: &Workdir,
    args: &[&str],
    head: &[u8],
    tail: &[u8],
) -> (Vec<serde_json::Value>, u64) {
    let mut child = spawn_stdin(w, args);
    let mut stdin = child.stdin.take().unwrap();
    let rx = line_channel(child.stdout.take().unwrap());
    let (head, tail) = (head.to_vec(), tail.to_vec());
    let writer = std::thread::spawn(move || {
        stdin.write_all(&head).unwrap();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..200 {
            stdin.write_all(&chunk).unwrap();
        }
        stdin.write_all(&tail).unwrap();
        stdin.flush().unwrap();
        stdin
    });
    let rejected = next_json(&rx);
    let answer = next_json(&rx);
    // Note: the process is alive (stdin still open), so its high-water mark is readable.
    let stdin = writer.join().unwrap();
    let rss = peak_rss(child.id());
    drop(stdin);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2));
    (vec![rejected, answer], rss)
}

#[cfg(target_os = "linux")]
#[test]
fn a_200_mb_line_or_field_is_rejected_in_bounded_memory() {
    let w = Workdir::new();
    let limit = 100 << 20;
    let (got, rss) = score_huge_item(
        &w,
        &["--format", "jsonl", "--rejects", "-"],
        b"{\"id\":\"huge\",\"text\":\"",
        b"\"}\n{\"id\":\"ok\",\"text\":\"Gaza talks resumed.\"}\n",
    );
    assert_eq!(got[0]["rejected"], true);
    assert_eq!(got[0]["position"], "-:1");
    assert!(
        got[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("too large: line of 209715224 bytes"),
        "{}",
        got[0]
    );
    assert_eq!(got[1]["article_id"], "ok");
    assert!(rss < limit, "peak RSS {} MB for a 200 MB line", rss >> 20);

    let (got, rss) = score_huge_item(
        &w,
        &[
            "--input-format",
            "csv",
            "--format",
            "jsonl",
            "--rejects",
            "-",
        ],
        b"id,text\nhuge,\"",
        b"\"\nok,Gaza talks resumed.\n",
    );
    assert_eq!(got[0]["position"], "-:2");
    assert!(
        got[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("too large: record of"),
        "{}",
        got[0]
    );
    assert_eq!(got[1]["article_id"], "ok");
    assert!(
        rss < limit,
        "peak RSS {} MB for a 200 MB CSV field",
        rss >> 20
    );
}

#[test]
fn report_in_the_same_pass_equals_stance_report() {
    let w = Workdir::new();
    w.write("articles.csv", ARTICLES);
    let out = w.score(&[
        "articles.csv",
        "--out",
        "s.csv",
        "--report",
        "same-pass.json",
        "--min-confidence",
        "0.4",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = w.run(&[
        "report",
        "s.csv",
        "--format",
        "json",
        "--out",
        "after.json",
        "--min-confidence",
        "0.4",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let same = common::report_statistics(&w.read("same-pass.json"));
    let after = common::report_statistics(&w.read("after.json"));
    assert_eq!(same["totals"]["rows_used"], 7);
    assert_eq!(same, after);
    let out = w.score(&["articles.csv", "--report", "r.html", "--quiet"]);
    assert_eq!(code(&out), 0);
    assert!(w.read("r.html").starts_with("<!DOCTYPE html>"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(w.path("r.html"))
            .unwrap()
            .permissions()
            .mode();
        assert_ne!(
            mode & 0o044,
            0,
            "outputs are not private temp files: {mode:o}"
        );
    }
}

#[test]
fn topic_only_models_leave_stance_empty() {
    let w = Workdir::new();
    let topic_only: String = TRAIN
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect();
    w.write("topics.csv", topic_only);
    let out = w.run(&[
        "train",
        "--data",
        "topics.csv",
        "--out",
        "t.model",
        "--min-df",
        "1",
        "--c",
        "1",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    w.write("articles.csv", ARTICLES);
    let out = w.run(&[
        "score",
        "--model",
        "t.model",
        "articles.csv",
        "--out",
        "s.csv",
        "--articles-out",
        "a.csv",
        "--explain",
        "1",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (_, rows) = csv_rows(&w.read("s.csv"));
    assert!(rows
        .iter()
        .all(|r| r[7].is_empty() && r[8].is_empty() && r[16].is_empty() && !r[15].is_empty()));
    let (header, _) = csv_rows(&w.read("a.csv"));
    assert_eq!(header[5..7], ["bilateral_ties_n", "bilateral_ties_stance"]);
    assert_eq!(header.len(), 5 + 2 * 4);
}

/// The default rejects file is written when something is rejected, and a
/// stale one is removed by a run that rejects nothing (or left as it was
/// when that run fails).
#[test]
fn a_stale_default_rejects_file_is_removed_by_a_clean_run() {
    let w = Workdir::new();
    w.write("articles.csv", ARTICLES);
    w.write("bad.csv", "id,text\nb1,\nb2,Troops must leave.\n");
    for (out_args, rejects) in [
        (vec!["--out", "s.csv"], "s.csv.rejects.csv"),
        (vec![], "stance-rejects.csv"),
    ] {
        let with = |input: &str| {
            let mut argv = vec![input, "--quiet"];
            argv.extend(&out_args);
            w.score(&argv)
        };
        let out = with("bad.csv");
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(w.read(rejects).contains("b1"), "{rejects}");
        // A failing run (no such model) leaves it.
        let mut argv = vec!["score", "--model", "nope.model", "articles.csv"];
        argv.extend(&out_args);
        assert_eq!(code(&w.run(&argv)), 1);
        assert!(w.path(rejects).exists(), "{rejects}");
        let out = with("articles.csv");
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert!(!w.path(rejects).exists(), "{rejects} survived a clean run");
        assert!(w.temp_files().is_empty(), "{:?}", w.temp_files());
    }
    // A symbolic link there is not removed (nor what it points to).
    w.write("kept.csv", "kept\n");
    std::os::unix::fs::symlink("kept.csv", w.path("s.csv.rejects.csv")).unwrap();
    let out = w.score(&["articles.csv", "--out", "s.csv", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(w.read("s.csv.rejects.csv"), "kept\n");
}

/// A repeated article id (in one file, across files and formats, or two
/// `.txt` files of one name) is rejected with the first one's position, so
/// `score` and `report` count the same articles.
#[test]
fn a_repeated_article_id_is_rejected_and_score_and_report_agree() {
    let w = Workdir::new();
    w.write("articles.csv", ARTICLES);
    w.write(
        "more.jsonl",
        "{\"id\":\"a2\",\"text\":\"Troops must leave.\"}\n{\"id\":\"j1\",\"text\":\"Troops must leave.\"}\n",
    );
    std::fs::create_dir_all(w.path("d1")).unwrap();
    std::fs::create_dir_all(w.path("d2")).unwrap();
    w.write("d1/n.txt", "Iraq and Iran signed a memorandum.");
    w.write("d2/n.txt", "Critics denounced Iranian interference.");
    w.write("twice.csv", "id,text\nt1,The census.\nt1,It rained.\n");
    let out = w.score(&[
        "articles.csv",
        "more.jsonl",
        "d1",
        "d2",
        "twice.csv",
        "--out",
        "s.csv",
        "--report",
        "same.json",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let [read, _, scored, rejected] = summary(&out);
    assert_eq!((read, scored, rejected), (9, 6, 3));
    let (_, rejects) = csv_rows(&w.read("s.csv.rejects.csv"));
    let got: Vec<(&str, &str, &str)> = rejects
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    let reason = |id: &str, at: &str| {
        format!("duplicate id: \"{id}\" was already read at {at} (ids must be unique across the inputs)")
    };
    let (a2, n, t1) = (
        reason("a2", "articles.csv:5"),
        reason("n.txt", "d1/n.txt"),
        reason("t1", "twice.csv:2"),
    );
    assert_eq!(
        got,
        [
            ("more.jsonl:1", "a2", a2.as_str()),
            ("d2/n.txt", "n.txt", n.as_str()),
            ("twice.csv:3", "t1", t1.as_str()),
        ]
    );
    let out = w.run(&["report", "s.csv", "--format", "json", "--out", "after.json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let same = common::report_statistics(&w.read("same.json"));
    let after = common::report_statistics(&w.read("after.json"));
    assert_eq!(same["totals"]["articles"], serde_json::json!(scored));
    assert_eq!(same, after);
}

/// One rule for dates: `score` keeps an article's date as given, and
/// anything but a real YYYY-MM-DD date is no date in `report` and in
/// `score --report` alike, so `report` accepts every row `score` writes.
#[test]
fn score_output_is_always_accepted_by_report_whatever_the_dates() {
    let w = Workdir::new();
    w.write(
        "dates.csv",
        "id,date,text\n\
         c1,2024-02-30,The council approved the budget.\n\
         c2,99999-01-01,The mayor opposed the plan.\n\
         c3,2024-1-5,Voters backed the tax.\n\
         c4,2024-01-05,Troops must leave.\n",
    );
    w.write(
        "dates.jsonl",
        "{\"id\":\"j1\",\"date\":20240105,\"text\":\"Gaza talks resumed.\"}\n\
         {\"id\":\"j2\",\"date\":2024.5,\"text\":\"Critics denounced Iranian interference.\"}\n\
         {\"id\":\"j3\",\"date\":\"2024-02-29\",\"text\":\"Iraq and Iran signed a memorandum.\"}\n",
    );
    for format in ["csv", "jsonl"] {
        let out_name = format!("s.{format}");
        let out = w.score(&[
            "dates.csv",
            "dates.jsonl",
            "--out",
            &out_name,
            "--report",
            "same.json",
        ]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let out = w.run(&[
            "report",
            &out_name,
            "--format",
            "json",
            "--out",
            "after.json",
        ]);
        assert_eq!(code(&out), 0, "{format}: {}", stderr(&out));
        let same = common::report_statistics(&w.read("same.json"));
        let after = common::report_statistics(&w.read("after.json"));
        assert_eq!(same, after, "{format}");
        let totals = &after["totals"];
        assert_eq!(totals["rows_rejected"], 0, "{format}: {totals}");
        assert_eq!(totals["rows_read"], totals["rows_used"], "{format}");
        assert_eq!(totals["articles"], 7, "{format}");
        // c4 and j3 are dated, one statement each.
        assert_eq!(
            totals["undated_statements"].as_u64().unwrap(),
            totals["rows_used"].as_u64().unwrap() - 2,
            "{format}: {totals}"
        );
    }
    // The dates are written as they were given.
    let (_, rows) = csv_rows(&w.read("s.csv"));
    let dates: Vec<&str> = rows.iter().map(|r| r[9].as_str()).collect();
    assert_eq!(
        dates,
        [
            "2024-02-30",
            "99999-01-01",
            "2024-1-5",
            "2024-01-05",
            "20240105",
            "2024.5",
            "2024-02-29"
        ]
    );
}
