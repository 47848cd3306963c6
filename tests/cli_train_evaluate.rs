//! `stance train` and `stance evaluate` driven through the real binary, each test
//! in its own temp dir.
//!
//! The data is [`corpus`]: a small generated labelled set (72 rows, three topics,
//! three stances) where one topic has too few rows for its own stance head, so
//! both per-topic heads and the shared head are trained.

mod common;

use std::path::Path;
use std::process::Output;

use common::TempWorkdir;

use serde_json::Value;

/// (topic, rows, objects the statements are about).
const TOPICS: [(&str, usize, [&str; 4]); 3] = [
    (
        "water",
        30,
        [
            "the new dam on the river",
            "irrigation canals for farmers",
            "the water treatment plant",
            "drinking water pipelines",
        ],
    ),
    (
        "energy",
        30,
        [
            "the gas power station",
            "the electricity grid upgrade",
            "solar panels on rooftops",
            "the oil refinery expansion",
        ],
    ),
    (
        "schools",
        12,
        [
            "the school building programme",
            "higher teacher salaries",
            "the new curriculum for pupils",
            "free textbooks in classrooms",
        ],
    ),
];

/// (stance, verbs expressing it).
const STANCES: [(&str, [&str; 4]); 3] = [
    (
        "favor",
        ["strongly supported", "welcomed", "praised", "backed"],
    ),
    (
        "against",
        ["condemned", "rejected", "strongly opposed", "denounced"],
    ),
    (
        "neutral",
        [
            "discussed",
            "reported on",
            "held a meeting about",
            "published figures on",
        ],
    ),
];

const SUBJECTS: [&str; 5] = [
    "The minister",
    "Local officials",
    "A spokesman",
    "The council",
    "Residents",
];

const TAILS: [&str; 4] = [
    "on Monday",
    "in a statement",
    "during the session",
    "at a press conference",
];

/// One row of the generated corpus.
struct Row {
    text: String,
    topic: &'static str,
    stance: &'static str,
}

/// The generated corpus; `shift` varies the wording (0 for training, 1 for held-out).
fn corpus(shift: usize) -> Vec<Row> {
    let mut rows = Vec::new();
    for (t, &(topic, n, objects)) in TOPICS.iter().enumerate() {
        for i in 0..n {
            let (stance, verbs) = STANCES[i % 3];
            let j = i + shift + t;
            rows.push(Row {
                text: format!(
                    "{} {} {}, {}.",
                    SUBJECTS[j % SUBJECTS.len()],
                    verbs[(i / 3 + shift) % verbs.len()],
                    objects[(i / 2 + shift) % objects.len()],
                    TAILS[j % TAILS.len()]
                ),
                topic,
                stance,
            });
        }
    }
    rows
}

/// The corpus as CSV with header `id,text,topic,stance` (texts contain commas, so quoted).
fn labelled_csv(shift: usize) -> String {
    let mut s = String::from("id,text,topic,stance\n");
    for (i, r) in corpus(shift).iter().enumerate() {
        s += &format!("{i},\"{}\",{},{}\n", r.text, r.topic, r.stance);
    }
    s
}

/// A temp dir the binary runs in.
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
    /// An empty temp dir with `train.csv` and `test.csv` written into it.
    fn new() -> Workdir {
        let w = Workdir {
            base: TempWorkdir::new(),
        };
        w.write("train.csv", labelled_csv(0));
        w.write("test.csv", labelled_csv(1));
        w
    }

    /// Runs `args` and fails the test (showing stderr) unless it succeeds.
    fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "stance {args:?} failed:\n{}",
            stderr(&out)
        );
        out
    }

    /// `stance train --data DATA --out OUT --c 1 --min-df 1 EXTRA...`
    fn train(&self, data: &str, out: &str, extra: &[&str]) -> Output {
        let mut args = vec![
            "train", "--data", data, "--out", out, "--c", "1", "--min-df", "1",
        ];
        args.extend_from_slice(extra);
        self.ok(&args)
    }

    /// `stance evaluate --model MODEL --data DATA --json EXTRA...`, parsed.
    fn evaluate_json(&self, model: &str, data: &str, extra: &[&str]) -> Value {
        let mut args = vec!["evaluate", "--model", model, "--data", data, "--json"];
        args.extend_from_slice(extra);
        single_json_object(&stdout(&self.ok(&args)))
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the command failed cleanly (exit 1, or 64 for a usage error clap refuses; no panic) and returns its stderr.
fn failed(out: &Output) -> String {
    let err = stderr(out);
    assert!(
        matches!(out.status.code(), Some(1) | Some(64)),
        "expected exit 1 or 64, got {:?}\n{err}",
        out.status
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.starts_with("error"), "{err}");
    err
}

/// Parses `s` as exactly one JSON object followed by one newline.
fn single_json_object(s: &str) -> Value {
    assert!(s.ends_with('\n') && !s.ends_with("\n\n"), "{s:?}");
    let values: Vec<Value> = serde_json::Deserializer::from_str(s)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("not JSON ({e}): {s}"));
    assert_eq!(values.len(), 1, "expected one JSON value: {s}");
    assert!(values[0].is_object(), "{s}");
    values.into_iter().next().unwrap()
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    k.sort_unstable();
    k
}

fn fraction(v: &Value, what: &str) -> f64 {
    let x = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"));
    assert!((0.0..=1.0).contains(&x), "{what} = {x} is not in [0, 1]");
    x
}

/// Checks one metrics object against the `evaluate --json` schema and its own
/// arithmetic, and returns its labels.
fn check_metrics(m: &Value, n: usize, has_f_avg: bool) -> Vec<String> {
    let mut expected = vec![
        "accuracy",
        "confusion",
        "ece",
        "macro_f1",
        "per_class",
        "reliability",
    ];
    if has_f_avg {
        expected.push("f_avg");
    }
    expected.sort_unstable();
    assert_eq!(keys(m), expected, "{m}");
    let accuracy = fraction(&m["accuracy"], "accuracy");
    check_calibration(m, n, accuracy);
    let macro_f1 = fraction(&m["macro_f1"], "macro_f1");
    let labels: Vec<String> = m["confusion"]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys(&m["confusion"]), ["labels", "matrix"]);
    let matrix: Vec<Vec<u64>> = m["confusion"]["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(matrix.len(), labels.len(), "{m}");
    assert!(matrix.iter().all(|r| r.len() == labels.len()), "{m}");
    let total: u64 = matrix.iter().flatten().sum();
    assert_eq!(total, n as u64, "confusion counts {m}");
    let diagonal: u64 = (0..labels.len()).map(|i| matrix[i][i]).sum();
    assert!((accuracy - diagonal as f64 / n as f64).abs() < 1e-12, "{m}");

    let per_class = m["per_class"].as_object().unwrap();
    let mut per_class_labels: Vec<&String> = per_class.keys().collect();
    per_class_labels.sort_unstable();
    let mut sorted_labels: Vec<&String> = labels.iter().collect();
    sorted_labels.sort_unstable();
    assert_eq!(per_class_labels, sorted_labels, "{m}");
    let mut f1_sum = 0.0;
    for (i, l) in labels.iter().enumerate() {
        let c = &per_class[l];
        assert_eq!(
            keys(c),
            ["f1", "precision", "recall", "support"],
            "{l}: {c}"
        );
        fraction(&c["precision"], "precision");
        fraction(&c["recall"], "recall");
        f1_sum += fraction(&c["f1"], "f1");
        let support = c["support"].as_u64().expect("support is a count");
        assert_eq!(
            support,
            matrix[i].iter().sum::<u64>(),
            "{l}: support is the gold row sum"
        );
    }
    assert!(
        (macro_f1 - f1_sum / labels.len() as f64).abs() < 1e-12,
        "{m}"
    );
    if has_f_avg {
        let f1_of = |name: &str| {
            let l = labels
                .iter()
                .find(|l| l.eq_ignore_ascii_case(name))
                .unwrap();
            per_class[l]["f1"].as_f64().unwrap()
        };
        let f_avg = fraction(&m["f_avg"], "f_avg");
        assert!((f_avg - (f1_of("favor") + f1_of("against")) / 2.0).abs() < 1e-12);
    }
    labels
}

/// Checks `ece` against its reliability bins: ten equal-width bins holding
/// every row, and ECE the count-weighted mean gap between accuracy and confidence.
fn check_calibration(m: &Value, n: usize, accuracy: f64) {
    let ece = fraction(&m["ece"], "ece");
    let bins = m["reliability"].as_array().expect("reliability bins");
    assert_eq!(bins.len(), 10, "{m}");
    let (mut rows, mut gap, mut right) = (0u64, 0.0, 0.0);
    for (i, b) in bins.iter().enumerate() {
        assert!((b["lower"].as_f64().unwrap() - i as f64 / 10.0).abs() < 1e-12);
        assert!((b["upper"].as_f64().unwrap() - (i + 1) as f64 / 10.0).abs() < 1e-12);
        let count = b["count"].as_u64().unwrap();
        rows += count;
        if count == 0 {
            assert!(
                b["accuracy"].is_null() && b["mean_confidence"].is_null(),
                "{b}"
            );
            continue;
        }
        let acc = fraction(&b["accuracy"], "bin accuracy");
        let conf = fraction(&b["mean_confidence"], "bin confidence");
        assert!(
            conf >= b["lower"].as_f64().unwrap() - 1e-12
                && conf <= b["upper"].as_f64().unwrap() + 1e-12,
            "{b}"
        );
        gap += count as f64 * (acc - conf).abs();
        right += count as f64 * acc;
    }
    assert_eq!(rows, n as u64, "every row in one bin: {m}");
    assert!((ece - gap / n as f64).abs() < 1e-9, "{m}");
    assert!(
        (accuracy - right / n as f64).abs() < 1e-9,
        "bins' accuracy is the head's: {m}"
    );
}

/// Checks a full topic + stance evaluation and returns the topic accuracy.
fn check_topic_and_stance(v: &Value, n: usize) -> f64 {
    assert_eq!(
        keys(v),
        [
            "joint_accuracy",
            "n",
            "stance",
            "stance_given_topic",
            "topic"
        ]
    );
    assert_eq!(v["n"].as_u64(), Some(n as u64));
    let topics = check_metrics(&v["topic"], n, false);
    assert_eq!(topics, ["energy", "schools", "water"]);
    for head in ["stance", "stance_given_topic"] {
        let labels = check_metrics(&v[head], n, true);
        assert_eq!(labels.len(), 3, "{head}: {labels:?}");
    }
    let joint = fraction(&v["joint_accuracy"], "joint_accuracy");
    let topic_acc = v["topic"]["accuracy"].as_f64().unwrap();
    let stance_acc = v["stance"]["accuracy"].as_f64().unwrap();
    assert!(joint <= topic_acc.min(stance_acc) + 1e-12, "{v}");
    topic_acc
}

#[test]
fn train_then_evaluate_json_has_the_documented_schema() {
    let w = Workdir::new();
    let out = w.train("train.csv", "m.model", &[]);
    let err = stderr(&out);
    assert!(
        err.contains("read 72 rows from train.csv: topic + stance"),
        "{err}"
    );
    for needle in ["iterations", "gradient", "converged", "wrote m.model"] {
        assert!(err.contains(needle), "no {needle:?} in stderr:\n{err}");
    }
    assert!(!err.contains("NOT converged"), "{err}");
    // Note: 12 `schools` rows are below the 30 needed for an own stance head.
    assert!(err.contains("stance:schools: 12 rows"), "{err}");
    assert!(err.contains("stance:*:"), "{err}");
    assert!(stdout(&out).is_empty(), "train writes nothing to stdout");

    let v = w.evaluate_json("m.model", "test.csv", &[]);
    check_topic_and_stance(&v, 72);
    // Note: the training rows themselves are separable; a regression to chance
    // (one third) would show here.
    let v = w.evaluate_json("m.model", "train.csv", &[]);
    let topic_acc = check_topic_and_stance(&v, 72);
    assert!(topic_acc >= 0.9, "training-set topic accuracy {topic_acc}");
}

#[test]
fn evaluate_without_json_prints_tables() {
    let w = Workdir::new();
    w.train("train.csv", "m.model", &[]);
    let out = w.ok(&["evaluate", "--model", "m.model", "--data", "test.csv"]);
    let text = stdout(&out);
    assert!(!text.trim_start().starts_with('{'), "{text}");
    for needle in [
        "72 rows of test.csv",
        "topic: accuracy",
        "macro-F1",
        "precision",
        "recall",
        "support",
        "confusion (rows gold, columns predicted)",
        "stance (end to end): accuracy",
        "stance given the gold topic: accuracy",
        "F_avg",
        ", ECE 0.",
        "joint accuracy (topic and stance right):",
        "water",
        "against",
    ] {
        assert!(text.contains(needle), "no {needle:?} in:\n{text}");
    }
}

#[test]
fn topic_only_data_gives_a_topic_only_model() {
    let w = Workdir::new();
    let mut csv = String::from("text,topic\n");
    for r in corpus(0) {
        csv += &format!("\"{}\",{}\n", r.text, r.topic);
    }
    w.write("topics.csv", csv);
    let out = w.train("topics.csv", "t.model", &[]);
    let err = stderr(&out);
    assert!(err.contains("topic only (no stance column)"), "{err}");
    assert!(
        !err.contains("stance:"),
        "no stance head is trained:\n{err}"
    );

    // Evaluated on data that has a stance column, a topic-only model still
    // reports topic only.
    for data in ["topics.csv", "test.csv"] {
        let v = w.evaluate_json("t.model", data, &[]);
        assert_eq!(keys(&v), ["n", "topic"], "{data}: {v}");
        check_metrics(&v["topic"], 72, false);
        let text = stdout(&w.ok(&["evaluate", "--model", "t.model", "--data", data]));
        assert!(text.contains("topic: accuracy"), "{text}");
        assert!(!text.contains("stance"), "{text}");
        assert!(!text.contains("joint accuracy"), "{text}");
    }

    // A topic + stance model on topic-only data: no stance keys either.
    w.train("train.csv", "m.model", &[]);
    let v = w.evaluate_json("m.model", "topics.csv", &[]);
    assert_eq!(keys(&v), ["n", "topic"], "{v}");
}

#[test]
fn custom_column_names_and_upper_case_stances() {
    let w = Workdir::new();
    // Note: columns in another order, an extra column, and SemEval's upper-case
    // labels, for which F_avg must still be computed (case-insensitive).
    let rename = |shift: usize| {
        let mut s = String::from("label,target,source,body\n");
        for r in corpus(shift) {
            s += &format!(
                "{},{},wire,\"{}\"\n",
                r.stance.to_uppercase(),
                r.topic,
                r.text
            );
        }
        s
    };
    w.write("custom_train.csv", rename(0));
    w.write("custom_test.csv", rename(1));
    let cols = [
        "--text-col",
        "body",
        "--topic-col",
        "target",
        "--stance-col",
        "label",
    ];
    let err = stderr(&w.train("custom_train.csv", "c.model", &cols));
    assert!(err.contains("topic + stance"), "{err}");
    let v = w.evaluate_json("c.model", "custom_test.csv", &cols);
    check_topic_and_stance(&v, 72);
    assert_eq!(
        v["stance"]["confusion"]["labels"],
        serde_json::json!(["AGAINST", "FAVOR", "NEUTRAL"])
    );

    // Without the flags the default column names are missing.
    let e = failed(&w.run(&[
        "train",
        "--data",
        "custom_train.csv",
        "--out",
        "x.model",
        "--c",
        "1",
    ]));
    assert!(e.contains("no column \"text\""), "{e}");
    assert!(e.contains("label, target, source, body"), "{e}");
}

#[test]
fn training_without_c_chooses_it_by_cross_validation() {
    let w = Workdir::new();
    let out = w.ok(&[
        "train",
        "--data",
        "train.csv",
        "--out",
        "cv.model",
        "--min-df",
        "1",
    ]);
    let err = stderr(&out);
    // The topic head is scored by macro-F1, the stance heads (favor, against,
    // neutral) by SemEval's F_avg; the line names the metric actually used.
    for (head, metric) in [
        ("topic", "macro-F1"),
        ("stance:water", "F_avg"),
        ("stance:energy", "F_avg"),
        ("stance:*", "F_avg"),
    ] {
        let line = err
            .lines()
            .find(|l| l.starts_with(&format!("{head}: ")) && l.contains("-fold CV "))
            .unwrap_or_else(|| panic!("no CV line for {head}:\n{err}"));
        assert!(line.contains(&format!("-fold CV {metric} ")), "{line}");
        assert!(line.contains("chose C="), "{line}");
        for c in ["C=0.03:", "C=0.1:", "C=0.3:"] {
            assert!(line.contains(c), "{line}");
        }
        // Every grid value is either scored or named as skipped past the peak.
        assert!(
            line.contains("C=100:") || line.contains("not evaluated: C="),
            "{line}"
        );
    }
    assert!(w.path("cv.model").exists());
    // The model it wrote evaluates like any other.
    let v = w.evaluate_json("cv.model", "test.csv", &[]);
    check_topic_and_stance(&v, 72);
}

/// The 1-based line of the first line of `data` containing `needle`.
fn line_of(data: &str, needle: &str) -> usize {
    data.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_row_with_the_wrong_field_count_names_file_and_line() {
    let w = Workdir::new();
    // Note: a quoted newline in an earlier row makes the line differ from the
    // record number, so a record count would be caught.
    let mut data = labelled_csv(0);
    data.insert_str(
        data.find('\n').unwrap() + 1,
        "100,\"A statement\nover two lines about the dam.\",water,neutral\n",
    );
    data += "101,Residents welcomed the dam,water\n";
    data += "102,Residents welcomed the grid,energy,favor\n";
    w.write("bad.csv", &data);
    let line = line_of(&data, "101,");
    assert_eq!(line, 76);
    let e = failed(&w.run(&["train", "--data", "bad.csv", "--out", "x.model", "--c", "1"]));
    assert!(e.contains(&format!("bad.csv:{line}:")), "{e}");
    assert!(e.contains("record has 3 fields, the header has 4"), "{e}");
    assert!(!w.path("x.model").exists(), "no model is written on error");

    w.train("train.csv", "m.model", &[]);
    let e = failed(&w.run(&["evaluate", "--model", "m.model", "--data", "bad.csv"]));
    assert!(e.contains(&format!("bad.csv:{line}:")), "{e}");
}

#[test]
fn crlf_files_name_the_physical_line() {
    let w = Workdir::new();
    w.train("train.csv", "m.model", &[]);
    // Lines 1-9: header, a row, a blank line, a row over two lines, a row, a
    // blank line, two rows; the bad row is on line 10, the csv crate's count
    // says 9 or less.
    let start = "id,text,topic,stance\r\n\
                 1,The council praised the dam,water,favor\r\n\
                 \r\n\
                 2,\"Residents welcomed\r\nthe grid\",energy,favor\r\n\
                 3,A spokesman discussed the dam,water,neutral\r\n\
                 \r\n\
                 4,The minister rejected the grid,energy,against\r\n\
                 5,Officials praised the school,schools,favor\r\n";
    for (row, message) in [
        ("6,  ,water,favor", "empty \"text\" field"),
        ("6,The dam,water", "record has 3 fields, the header has 4"),
    ] {
        let data = format!("{start}{row}\r\n7,The grid,energy,neutral\r\n");
        assert_eq!(data.split('\n').position(|l| l.starts_with("6,")), Some(9));
        w.write("crlf.csv", &data);
        for args in [
            &[
                "train", "--data", "crlf.csv", "--out", "x.model", "--c", "1",
            ][..],
            &["evaluate", "--model", "m.model", "--data", "crlf.csv"],
        ] {
            let e = failed(&w.run(args));
            assert!(
                e.contains("crlf.csv:10:") && e.contains(message),
                "{args:?}: {e}"
            );
        }
    }
}

#[test]
fn a_missing_column_lists_the_header() {
    let w = Workdir::new();
    w.write(
        "cols.csv",
        "id,statement,topic,stance\n1,Hello there,water,favor\n",
    );
    let e = failed(&w.run(&[
        "train", "--data", "cols.csv", "--out", "x.model", "--c", "1",
    ]));
    assert!(e.contains("cols.csv"), "{e}");
    assert!(e.contains("no column \"text\""), "{e}");
    assert!(e.contains("id, statement, topic, stance"), "{e}");

    let e = failed(&w.run(&[
        "train",
        "--data",
        "train.csv",
        "--out",
        "x.model",
        "--c",
        "1",
        "--topic-col",
        "subject",
    ]));
    assert!(e.contains("no column \"subject\""), "{e}");
    assert!(e.contains("id, text, topic, stance"), "{e}");
    assert!(!w.path("x.model").exists());
}

#[test]
fn an_empty_text_field_names_file_and_line() {
    let w = Workdir::new();
    let mut data = labelled_csv(0);
    data += "200,  ,water,favor\n";
    w.write("empty_text.csv", &data);
    let line = line_of(&data, "200,");
    let e = failed(&w.run(&[
        "train",
        "--data",
        "empty_text.csv",
        "--out",
        "x.model",
        "--c",
        "1",
    ]));
    assert!(e.contains(&format!("empty_text.csv:{line}:")), "{e}");
    assert!(e.contains("empty \"text\" field"), "{e}");

    let mut data = labelled_csv(0);
    data += "201,The council praised the dam,,favor\n";
    w.write("empty_topic.csv", &data);
    let line = line_of(&data, "201,");
    let e = failed(&w.run(&[
        "train",
        "--data",
        "empty_topic.csv",
        "--out",
        "x.model",
        "--c",
        "1",
    ]));
    assert!(e.contains(&format!("empty_topic.csv:{line}:")), "{e}");
    assert!(e.contains("empty \"topic\" field"), "{e}");
}

/// Asserts `stance train --out OUT` fails before reading the data or training.
fn fails_before_training(w: &Workdir, out: &Path) -> String {
    let o = w.run(&[
        "train",
        "--data",
        "train.csv",
        "--out",
        out.to_str().unwrap(),
        "--c",
        "1",
    ]);
    let e = failed(&o);
    assert!(
        e.contains(&format!("cannot write {}", out.display())),
        "the message names the --out path: {e}"
    );
    assert!(!e.contains("read 72 rows"), "the data was read first:\n{e}");
    assert!(!e.contains("iterations"), "a head was trained first:\n{e}");
    e
}

#[test]
fn an_unwritable_out_directory_fails_before_training() {
    let w = Workdir::new();
    let e = fails_before_training(&w, &w.path("no/such/dir/m.model"));
    assert!(e.contains("no/such/dir"), "{e}");

    // A regular file where the directory should be.
    w.write("plain_file", "x");
    let e = fails_before_training(&w, &w.path("plain_file/m.model"));
    assert!(e.contains("plain_file"), "{e}");

    // A read-only directory; root writes there anyway, so only checked when
    // the permission actually holds.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = w.path("read_only");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(ro.join("probe"), "x").is_err() {
            let e = fails_before_training(&w, &ro.join("m.model"));
            assert!(e.contains("read_only"), "{e}");
        }
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn invalid_parameters_are_rejected() {
    let w = Workdir::new();
    let base = ["train", "--data", "train.csv", "--out", "x.model"];
    let reject = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let e = failed(&w.run(&args));
        assert!(!w.path("x.model").exists(), "{extra:?} wrote a model");
        e
    };
    for bad in ["5-2", "0-3", "3", "abc", "2-", "2-5-7"] {
        let e = reject(&["--char-ngrams", bad]);
        assert!(e.contains("--char-ngrams"), "{bad}: {e}");
    }
    // Note: `--c -1` is refused by the argument parser ('-1' looks like a flag);
    // `--c=-1` reaches the parameter check and its message.
    reject(&["--c", "-1"]);
    for bad in ["-1", "0", "NaN", "inf"] {
        let e = reject(&[&format!("--c={bad}")]);
        assert!(
            e.contains("--c must be a positive finite number"),
            "{bad}: {e}"
        );
    }
    let e = reject(&["--c", "one"]);
    assert!(e.contains("--c"), "{e}");
    let e = reject(&["--ngram-max", "0"]);
    assert!(e.contains("--ngram-max"), "{e}");
}

#[test]
fn same_data_and_parameters_give_byte_identical_models() {
    let w = Workdir::new();
    w.train("train.csv", "a.model", &[]);
    w.train("train.csv", "b.model", &[]);
    assert!(
        w.read_bytes("a.model") == w.read_bytes("b.model"),
        "two runs differ"
    );
    // A different parameter gives a different file (the comparison can fail).
    w.train("train.csv", "c.model", &["--sublinear-tf"]);
    assert!(w.read_bytes("a.model") != w.read_bytes("c.model"));
}

#[test]
fn thread_count_does_not_change_the_model() {
    let w = Workdir::new();
    // Note: the shipped test split (700 real sentences) rather than the generated
    // corpus, so the parallel parts (counting, CV folds, gradients) have work to
    // split; C by cross-validation exercises the parallel CV path too.
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/test.csv");
    let mut reference: Option<Vec<u8>> = None;
    for threads in ["1", "2", "8"] {
        let name = format!("t{threads}.model");
        let out = w
            .command()
            .env("RAYON_NUM_THREADS", threads)
            .args(["train", "--data"])
            .arg(&data)
            .args(["--out", &name, "--cv", "3", "--sublinear-tf"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{threads} threads: {}", stderr(&out));
        let bytes = w.read_bytes(&name);
        match &reference {
            None => reference = Some(bytes),
            Some(r) => assert!(
                *r == bytes,
                "{threads} threads: model differs from 1 thread"
            ),
        }
    }
}

#[test]
fn closed_stdout_pipe_ends_quietly_with_zero() {
    let w = Workdir::new();
    // Note: 200 topics make a confusion matrix far larger than a pipe's buffer,
    // so the write meets the closed pipe however late the reader closes it.
    let mut csv = String::from("text,topic\n");
    for t in 0..200 {
        for j in 0..2 {
            csv += &format!("Statement {j} about subject{t} and matter{t},topic{t}\n");
        }
    }
    w.write("many.csv", csv);
    w.train("many.csv", "many.model", &[]);
    for json in [false, true] {
        let mut cmd = w.command();
        cmd.args(["evaluate", "--model", "many.model", "--data", "many.csv"]);
        if json {
            cmd.arg("--json");
        }
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 1];
        std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
        // Note: the reader (and the pipe) is dropped here, like `| head -c 1`.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "json {json}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

/// `evaluate --article-col` scores the shipped model's held-out articles in
/// context (the context stage changes predictions, so the numbers differ
/// from rows alone), and refuses an article whose rows are not together,
/// naming the file and line.
#[test]
fn evaluate_in_article_context_and_refuse_scattered_articles() {
    let w = Workdir::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = root.join("models/default.model");
    let data = root.join("data/labelled_articles/test.csv");
    let (model, data) = (model.to_str().unwrap(), data.to_str().unwrap());
    let alone = w.evaluate_json(model, data, &[]);
    let in_context = w.evaluate_json(model, data, &["--article-col", "article_id"]);
    assert_eq!(in_context["n"], 619);
    assert_ne!(alone["topic"]["accuracy"], in_context["topic"]["accuracy"]);
    w.write(
        "scattered.csv",
        "article_id,text,topic,stance\na,Gaza talks resumed.,palestine,neutral\nb,It rained.,other,neutral\na,The census ended.,other,neutral\n",
    );
    let err = failed(&w.run(&[
        "evaluate",
        "--model",
        model,
        "--data",
        "scattered.csv",
        "--article-col",
        "article_id",
    ]));
    assert!(
        err.contains("scattered.csv:4") && err.contains("\"a\""),
        "{err}"
    );
    let err = failed(&w.run(&[
        "evaluate",
        "--model",
        model,
        "--data",
        "scattered.csv",
        "--article-col",
        "nope",
    ]));
    assert!(err.contains("nope"), "{err}");
}

/// `train --article-col --calibrate --audit` on articles made of the test
/// corpus: the model has a context stage and temperatures, and the audit
/// file has its header and only rows of the training data.
#[test]
fn train_with_articles_calibration_and_audit() {
    let w = Workdir::new();
    let mut csv = String::from("article_id,text,topic,stance\n");
    for (i, r) in corpus(0).iter().enumerate() {
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        csv.push_str(&format!(
            "art{},{},{},{}\n",
            i / 3,
            quote(&r.text),
            r.topic,
            r.stance
        ));
    }
    w.write("articles.csv", &csv);
    let out = w.train(
        "articles.csv",
        "m.model",
        &[
            "--article-col",
            "article_id",
            "--calibrate",
            "--audit",
            "audit.csv",
        ],
    );
    let err = stderr(&out);
    assert!(
        err.contains("context:") && err.contains("calibration:"),
        "{err}"
    );
    let model = stance::model::StanceModel::load(&w.path("m.model")).unwrap();
    assert!(model.context.is_some() && model.calibration.is_some());
    let audit = w.read("audit.csv");
    assert!(
        audit.starts_with("file,line,head,label,predicted,p_predicted,p_label,text\n"),
        "{audit}"
    );
    assert!(
        audit
            .lines()
            .skip(1)
            .all(|l| l.starts_with("articles.csv,")),
        "{audit}"
    );
}

/// `train --article-col --stance-context` adds a stance stage per topic with
/// a stance head of two or more classes; the file loads back to the same
/// bytes, and `evaluate --article-col` uses it (every row scored).
#[test]
fn train_with_a_stance_context_stage() {
    let w = Workdir::new();
    let mut csv = String::from("article_id,text,topic,stance\n");
    for (i, r) in corpus(0).iter().enumerate() {
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        csv.push_str(&format!(
            "art{},{},{},{}\n",
            i / 3,
            quote(&r.text),
            r.topic,
            r.stance
        ));
    }
    w.write("articles.csv", &csv);
    let out = w.train(
        "articles.csv",
        "m.model",
        &["--article-col", "article_id", "--stance-context"],
    );
    assert!(stderr(&out).contains("stance context:"), "{}", stderr(&out));
    let model = stance::model::StanceModel::load(&w.path("m.model")).unwrap();
    let stages = model
        .context
        .as_ref()
        .and_then(|c| c.stance.as_ref())
        .expect("a stance context stage");
    assert_eq!(stages.per_topic.len(), model.topics().len());
    assert!(stages.per_topic.iter().any(Option::is_some));
    assert_eq!(model.to_bytes(), std::fs::read(w.path("m.model")).unwrap());
    let v = w.evaluate_json("m.model", "articles.csv", &["--article-col", "article_id"]);
    assert_eq!(v["n"], corpus(0).len());
    let err = failed(&w.run(&[
        "train",
        "--data",
        "articles.csv",
        "--out",
        "n.model",
        "--stance-context",
    ]));
    assert!(err.contains("--article-col"), "{err}");
}

/// `--predictions` writes every row with gold and predicted labels; its rows
/// agree with the `--json` metrics printed by the same run (the confusion
/// diagonal and the ECE recomputed from the written probabilities).
#[test]
fn predictions_file_lists_every_row_and_agrees_with_the_metrics() {
    let w = Workdir::new();
    w.train("train.csv", "m.model", &[]);
    let v = w.evaluate_json("m.model", "test.csv", &["--predictions", "p.csv"]);
    let mut rdr = csv::Reader::from_path(w.path("p.csv")).expect("p.csv");
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "line",
            "text",
            "gold_topic",
            "topic",
            "topic_prob",
            "gold_topic_prob",
            "topic_correct",
            "gold_stance",
            "stance",
            "stance_prob",
            "stance_correct",
            "stance_given_topic",
            "stance_given_topic_prob"
        ]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 72);
    let test = labelled_csv(1);
    let corpus = corpus(1);
    let (mut topic_right, mut stance_right) = (0, 0);
    let mut topic_conf = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(&r[1], corpus[i].text, "row {i} in input order");
        assert_eq!(
            r[0].parse::<usize>().unwrap(),
            line_of(&test, &corpus[i].text)
        );
        assert_eq!(&r[2], corpus[i].topic);
        assert_eq!(&r[7], corpus[i].stance);
        let right = r[2] == r[3];
        assert_eq!(&r[6], if right { "1" } else { "0" });
        topic_right += usize::from(right);
        stance_right += usize::from(&r[10] == "1");
        topic_conf.push((r[4].parse::<f64>().unwrap(), right));
    }
    let acc = |head: &str| v[head]["accuracy"].as_f64().unwrap();
    assert!((acc("topic") - topic_right as f64 / 72.0).abs() < 1e-12);
    assert!((acc("stance") - stance_right as f64 / 72.0).abs() < 1e-12);
    // ECE from the file's rounded probabilities: bins of 0.1, weighted gaps.
    let mut bins = [(0usize, 0.0f64, 0usize); 10];
    for (c, right) in topic_conf {
        let b = ((c * 10.0).ceil() as usize).clamp(1, 10) - 1;
        bins[b].0 += 1;
        bins[b].1 += c;
        bins[b].2 += usize::from(right);
    }
    let ece: f64 = bins
        .iter()
        .filter(|b| b.0 > 0)
        .map(|(_, c, r)| (*r as f64 - c).abs() / 72.0)
        .sum();
    let reported = v["topic"]["ece"].as_f64().unwrap();
    assert!((ece - reported).abs() < 1e-3, "{ece} vs {reported}");

    // An input is never an output.
    let before = std::fs::read(w.path("test.csv")).unwrap();
    let e = failed(&w.run(&[
        "evaluate",
        "--model",
        "m.model",
        "--data",
        "test.csv",
        "--predictions",
        "test.csv",
    ]));
    assert!(
        e.contains("test.csv") && e.contains("both an input and an output"),
        "{e}"
    );
    assert_eq!(std::fs::read(w.path("test.csv")).unwrap(), before);
}

/// `--format html --out` writes one self-contained page with a heat map,
/// per-class bars and a reliability diagram per head; stdout stays empty.
#[test]
fn html_evaluation_page() {
    let w = Workdir::new();
    w.train("train.csv", "m.model", &[]);
    let out = w.ok(&[
        "evaluate",
        "--model",
        "m.model",
        "--data",
        "test.csv",
        "--format",
        "html",
        "--out",
        "eval.html",
    ]);
    assert!(stdout(&out).is_empty());
    let html = std::fs::read_to_string(w.path("eval.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Content-Security-Policy"));
    assert!(!html.contains("<script"));
    assert_eq!(html.matches("<svg ").count(), 9, "3 charts x 3 heads");
    // 3 topics and 3 stances: one heat-map cell per (gold, predicted) pair.
    assert_eq!(html.matches("<rect class=\"cell\"").count(), 9 * 3);
    assert!(html.contains("ECE 0."));
    let e = failed(&w.run(&[
        "evaluate", "--model", "m.model", "--data", "test.csv", "--json", "--format", "html",
    ]));
    assert!(e.contains("--json") && e.contains("--format"), "{e}");
}
