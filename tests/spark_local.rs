//! The Spark job `examples/spark/score_corpus.py` in local mode (`local[2]`)
//! gives the same statements, rejects and per-topic statistics as one
//! `stance score` process on the same input, from JSON Lines and from Parquet,
//! in both modes (`--mode pipe` through the binary, `--mode arrow` through
//! the Python package in `mapInArrow`); a fatal error of the binary fails the job.
//!
//! Needs Java 17 and a Python with pyspark 4, pyarrow and the `stance`
//! package: `.ci/run` installs them into a venv and sets `STANCE_SPARK_PYTHON`
//! to its Python (default `python3`). Without them these tests FAIL rather
//! than passing silently.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use serde_json::{json, Value};

/// How many times the 24 sample articles are repeated: 3,000 articles, 7 MB.
const REPEATS: usize = 125;

/// Lines the binary rejects, each inserted after the given number of good
/// articles (so they land in different partitions). A blank line is skipped.
const BAD_LINES: [(usize, &str); 6] = [
    (0, r#"{"id":"bad-empty","text":""}"#),
    (700, r#"{"id":"bad-no-text","date":"2024-02-01"}"#),
    (1400, r#"{"id":"bad-null-text","text":null}"#),
    (2100, r#"{"id":"bad-json","text":"unterminated"#),
    (2800, ""),
    (3000, r#"{"text":"An article without an id."}"#),
];

/// The `(article_id, start of the reason)` of each rejected line of [`BAD_LINES`], sorted.
const EXPECTED_REJECTS: [(Option<&str>, &str); 5] = [
    (None, "bad JSON"),
    (None, "missing id"),
    (Some("bad-empty"), "empty text"),
    (Some("bad-no-text"), "missing text"),
    (Some("bad-null-text"), "missing text"),
];

/// Copies Parquet statements to JSON lines, keeping null fields; Spark writes
/// doubles so that they parse back to the same f64.
const DUMP_PY: &str = r#"
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
spark.read.parquet(sys.argv[1]).write.option("ignoreNullFields", "false").json(sys.argv[2])
spark.stop()
"#;

/// Writes JSON Lines articles as Parquet, runs the job on that (one Spark
/// session for all three steps, to start one JVM), and dumps the statements.
const PARQUET_PY: &str = r#"
import sys
from pyspark.sql import SparkSession
script, articles, model, stance_bin, mode = sys.argv[1:6]
spark = SparkSession.builder.getOrCreate()
spark.sparkContext.addPyFile(script)  # the executors unpickle the job's functions
import score_corpus
spark.read.json(articles).write.parquet("articles.parquet")
score_corpus.run(spark, score_corpus.parse_args([
    "--input", "articles.parquet", "--output", "out", "--partitions", "3",
    "--model", model, "--stance-bin", stance_bin, "--mode", mode]))
spark.read.parquet("out/statements").write.option("ignoreNullFields", "false").json("statements-json")
spark.stop()
"#;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn model() -> PathBuf {
    repo().join("models/default.model")
}

fn job_script() -> PathBuf {
    repo().join("examples/spark/score_corpus.py")
}

/// The Python with pyspark: `STANCE_SPARK_PYTHON`, else `python3`.
fn python() -> String {
    std::env::var("STANCE_SPARK_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// The pyspark package folder (it holds `bin/spark-submit`), or a failure
/// that says how to get pyspark.
fn spark_home(python: &str) -> PathBuf {
    let out = Command::new(python)
        .args([
            "-c",
            "import os, pyspark; print(os.path.dirname(pyspark.__file__))",
        ])
        .output();
    match out {
        Ok(o) if o.status.success() => PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()),
        other => panic!(
            "this test needs pyspark 4 and Java 17, and `{python}` cannot import pyspark ({}).\n\
             Run `.ci/run` (it installs pyspark into ~/.cache/stance-spark/venv), or set \
             STANCE_SPARK_PYTHON to a Python that has it (pip install pyspark==4.3.0).",
            match other {
                Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
                Err(e) => e.to_string(),
            }
        ),
    }
}

/// `spark-submit --master local[2] SPARK_OPTIONS APP` in `dir`, as the README
/// runs the job; the app's own arguments follow.
fn spark_submit(dir: &Path, spark_options: &[&str], app: &Path) -> Command {
    let python = python();
    let mut cmd = Command::new(spark_home(&python).join("bin/spark-submit"));
    cmd.current_dir(dir)
        .env("PYSPARK_PYTHON", &python)
        .env("PYSPARK_DRIVER_PYTHON", &python)
        // Note: Spark otherwise looks up the host name's address; loopback is all local mode needs.
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .args(["--master", "local[2]"])
        .args(["--conf", "spark.ui.enabled=false"])
        .args(["--conf", "spark.ui.showConsoleProgress=false"])
        .args(spark_options)
        .arg(app);
    cmd
}

/// Runs `cmd`, failing with its output unless it exits with one of `ok_codes`.
fn run(what: &str, cmd: &mut Command, ok_codes: &[i32]) -> Output {
    let start = Instant::now();
    let out = cmd.output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        ok_codes.contains(&code),
        "{what} exited with {code}\n--- stdout\n{}\n--- stderr (end)\n{}",
        String::from_utf8_lossy(&out.stdout),
        tail(&String::from_utf8_lossy(&out.stderr), 6000),
    );
    eprintln!("{what}: {:.1} s", start.elapsed().as_secs_f64());
    out
}

fn tail(s: &str, n: usize) -> &str {
    let mut start = s.len().saturating_sub(n);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// The sample articles as JSON objects, ids suffixed with `-r{rep}`.
fn sample_articles(rep: usize) -> Vec<Value> {
    let mut reader = csv::Reader::from_path(repo().join("data/articles/articles.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let mut article: serde_json::Map<String, Value> = header
                .iter()
                .zip(r.iter())
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect();
            let id = format!("{}-r{rep:03}", article["id"].as_str().unwrap());
            article["id"] = json!(id);
            Value::Object(article)
        })
        .collect()
}

/// Writes the big input: the sample articles [`REPEATS`] times, and [`BAD_LINES`].
fn write_big_input(path: &Path) {
    let mut lines = Vec::new();
    let mut good = 0;
    let mut bad = BAD_LINES.iter().peekable();
    for rep in 0..REPEATS {
        for article in sample_articles(rep) {
            while let Some((_, line)) = bad.next_if(|(after, _)| *after == good) {
                lines.push(line.to_string());
            }
            lines.push(article.to_string());
            good += 1;
        }
    }
    lines.extend(bad.map(|(_, line)| line.to_string()));
    fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// One `stance score` process on `input`: (statements sorted, rejects); exit 2 expected.
fn single_process(input: &Path) -> (Vec<Value>, Vec<Value>) {
    let out = run(
        "single process",
        Command::new(env!("CARGO_BIN_EXE_stance"))
            .args(["score", "--model"])
            .arg(model())
            .arg(input)
            .args(["--format", "jsonl", "--rejects", "-", "--quiet"]),
        &[2],
    );
    let rows = json_lines(&String::from_utf8(out.stdout).unwrap());
    let (rejects, statements) = rows.into_iter().partition(|r| r["rejected"] == json!(true));
    (sorted_statements(statements), rejects)
}

/// Every JSON line of the `part-*` files in a Spark output folder.
fn read_spark_json(dir: &Path) -> Vec<Value> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("part-")
        })
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| json_lines(&fs::read_to_string(f).unwrap()))
        .collect()
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Statements sorted by (article_id, sentence); a duplicate sorts next to its twin.
fn sorted_statements(mut rows: Vec<Value>) -> Vec<Value> {
    rows.sort_by(|a, b| {
        (a["article_id"].as_str(), a["sentence"].as_u64())
            .cmp(&(b["article_id"].as_str(), b["sentence"].as_u64()))
    });
    rows
}

/// Every field of every statement equal (numbers as f64), none lost or duplicated.
fn assert_same_statements(spark: Vec<Value>, single: &[Value]) {
    let spark = sorted_statements(spark);
    for (i, (s, p)) in spark.iter().zip(single).enumerate() {
        assert_eq!(
            s, p,
            "statement {i} (by article_id, sentence): Spark (left) vs single process (right)"
        );
    }
    assert_eq!(
        spark.len(),
        single.len(),
        "Spark wrote {} statements, the single process {}",
        spark.len(),
        single.len()
    );
}

/// `(article_id, reason)` of every reject, sorted.
fn reject_keys(rows: &[Value]) -> Vec<(Option<String>, String)> {
    let mut keys: Vec<_> = rows
        .iter()
        .map(|r| {
            let id = r["article_id"].as_str().map(str::to_string);
            (id, r["reason"].as_str().unwrap().to_string())
        })
        .collect();
    keys.sort();
    keys
}

/// Spark's `topic_stats` against `stance report --format json` on the same statements.
fn assert_same_topic_stats(spark: &[Value], statements: &[Value], dir: &Path) {
    let file = dir.join("single-statements.jsonl");
    let text: Vec<String> = statements.iter().map(Value::to_string).collect();
    fs::write(&file, text.join("\n") + "\n").unwrap();
    let report = run(
        "stance report",
        Command::new(env!("CARGO_BIN_EXE_stance"))
            .arg("report")
            .arg(&file)
            .args(["--format", "json"]),
        &[0],
    );
    let report: Value = serde_json::from_slice(&report.stdout).unwrap();
    let want = report["topics"].as_array().unwrap();
    let topics = |rows: &[Value]| rows.iter().map(|t| t["topic"].clone()).collect::<Vec<_>>();
    assert_eq!(topics(spark), topics(want), "topics, in report order");
    for (got, want) in spark.iter().zip(want) {
        let topic = &want["topic"];
        for key in ["statements", "articles", "below_threshold"] {
            assert_eq!(got[key], want[key], "{topic} {key}");
        }
        let stances: BTreeMap<&str, &Value> = want["stances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["label"].as_str().unwrap(), s))
            .collect();
        for label in ["favor", "against", "neutral"] {
            assert_eq!(got[label], stances[label]["count"], "{topic} {label}");
            let share = format!("{label}_share");
            assert_close(&share, &got[share.as_str()], &stances[label]["share"]);
        }
        for key in ["share", "net_stance", "mean_topic_prob", "mean_stance_prob"] {
            assert_close(&format!("{topic} {key}"), &got[key], &want[key]);
        }
    }
}

/// Means and shares: Spark sums in another order, so equal to 1e-9.
fn assert_close(what: &str, spark: &Value, report: &Value) {
    match (spark.as_f64(), report.as_f64()) {
        (Some(x), Some(y)) => assert!((x - y).abs() <= 1e-9, "{what}: Spark {x}, report {y}"),
        _ => assert!(
            spark.is_null() && report.is_null(),
            "{what}: Spark {spark}, report {report}"
        ),
    }
}

/// 3,000 articles and 5 bad lines as JSON Lines, in 4 partitions; model and
/// binary reach the executors with `spark-submit --files`, as on a cluster.
#[test]
fn spark_jsonl_job_matches_single_process() {
    jsonl_job_matches_single_process("pipe");
}

/// [`spark_jsonl_job_matches_single_process`] with `--mode arrow`: each
/// partition scored in the Python worker through the package.
#[test]
fn spark_arrow_jsonl_job_matches_single_process() {
    jsonl_job_matches_single_process("arrow");
}

fn jsonl_job_matches_single_process(mode: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("articles.jsonl");
    write_big_input(&input);
    let (single_statements, single_rejects) = single_process(&input);
    assert!(single_statements.len() > 10 * 24 * REPEATS);

    // The planted rejects come back from the single process, so comparing with it means something.
    let single_keys = reject_keys(&single_rejects);
    assert_eq!(single_keys.len(), EXPECTED_REJECTS.len(), "{single_keys:?}");
    for ((id, reason), (want_id, want_reason)) in single_keys.iter().zip(EXPECTED_REJECTS) {
        assert_eq!(id.as_deref(), want_id);
        assert!(reason.starts_with(want_reason), "{reason} vs {want_reason}");
    }

    let output = dir.path().join("out");
    let files = format!("{},{}", model().display(), env!("CARGO_BIN_EXE_stance"));
    let job = run(
        &format!("spark-submit score_corpus.py (JSON Lines, --mode {mode})"),
        spark_submit(dir.path(), &["--files", &files], &job_script())
            .arg("--input")
            .arg(&input)
            .arg("--output")
            .arg(&output)
            .args(["--model", "default.model", "--stance-bin", "stance"])
            .args(["--partitions", "4", "--mode", mode]),
        &[0],
    );
    let stdout = String::from_utf8_lossy(&job.stdout);
    eprintln!("{stdout}");
    assert!(stdout.contains("in 4 partitions, rejected 5"), "{stdout}");

    // Statements: Parquet back to JSON lines, then row for row.
    fs::write(dir.path().join("dump.py"), DUMP_PY).unwrap();
    let dumped = dir.path().join("spark-statements");
    run(
        "dump.py",
        spark_submit(dir.path(), &[], &dir.path().join("dump.py"))
            .arg(output.join("statements"))
            .arg(&dumped),
        &[0],
    );
    assert_same_statements(read_spark_json(&dumped), &single_statements);

    // Rejects: the same ids and reasons, each with its partition and line there.
    let spark_rejects = read_spark_json(&output.join("rejects"));
    let mut want = single_keys.clone();
    if mode == "arrow" {
        // Note: in --mode arrow Spark's JSON reader finds the broken line, so
        // the reason is "bad JSON" without the binary's parser detail.
        for (_, reason) in &mut want {
            if reason.starts_with("bad JSON: ") {
                *reason = "bad JSON".into();
            }
        }
    }
    assert_eq!(reject_keys(&spark_rejects), want);
    for r in &spark_rejects {
        assert!(r["partition"].as_u64().is_some_and(|p| p < 4), "{r}");
        assert!(r["line"].as_u64().is_some_and(|l| l >= 1), "{r}");
    }

    let stats = read_spark_json(&output.join("topic_stats"));
    assert_same_topic_stats(&stats, &single_statements, dir.path());
}

/// The sample articles (one with a numeric id, one with a null text) as
/// Parquet, repartitioned from 1 to 3; the job ships model and binary itself.
#[test]
fn spark_parquet_job_matches_single_process() {
    parquet_job_matches_single_process("pipe");
}

/// [`spark_parquet_job_matches_single_process`] with `--mode arrow`.
#[test]
fn spark_arrow_parquet_job_matches_single_process() {
    parquet_job_matches_single_process("arrow");
}

fn parquet_job_matches_single_process(mode: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("articles.jsonl");
    let mut lines: Vec<String> = sample_articles(0).iter().map(Value::to_string).collect();
    lines.push(r#"{"id":7,"date":"2024-03-01","text":"A numeric id. Two sentences."}"#.into());
    lines.push(r#"{"id":"null-text","text":null}"#.into());
    fs::write(&input, lines.join("\n") + "\n").unwrap();
    let (single_statements, single_rejects) = single_process(&input);
    assert_eq!(
        reject_keys(&single_rejects),
        [(Some("null-text".to_string()), "missing text".to_string())]
    );

    fs::write(dir.path().join("parquet.py"), PARQUET_PY).unwrap();
    run(
        "spark-submit parquet.py",
        spark_submit(dir.path(), &[], &dir.path().join("parquet.py"))
            .arg(job_script())
            .arg(&input)
            .arg(model())
            .arg(env!("CARGO_BIN_EXE_stance"))
            .arg(mode),
        &[0],
    );
    assert_same_statements(
        read_spark_json(&dir.path().join("statements-json")),
        &single_statements,
    );
    let spark_rejects = read_spark_json(&dir.path().join("out/rejects"));
    assert_eq!(reject_keys(&spark_rejects), reject_keys(&single_rejects));
    let stats = read_spark_json(&dir.path().join("out/topic_stats"));
    assert_same_topic_stats(&stats, &single_statements, dir.path());
}

/// A fatal error of the binary (exit 1; here an unusable model) fails the
/// Spark job with the binary's message, where exit 2 (rejects) did not.
#[test]
fn spark_job_fails_when_the_binary_fails() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("articles.jsonl");
    fs::write(&input, "{\"id\":\"a\",\"text\":\"One sentence.\"}\n").unwrap();
    let model = dir.path().join("broken.model");
    fs::write(&model, "not a model").unwrap();
    let job = run(
        "spark-submit score_corpus.py (broken model)",
        spark_submit(dir.path(), &[], &job_script())
            .arg("--input")
            .arg(&input)
            .arg("--output")
            .arg(dir.path().join("out"))
            .arg("--model")
            .arg(&model)
            .arg("--stance-bin")
            .arg(env!("CARGO_BIN_EXE_stance")),
        &[1],
    );
    let stderr = String::from_utf8_lossy(&job.stderr);
    assert!(
        stderr.contains("stance score exited with 1") && stderr.contains("not a usable model file"),
        "{}",
        tail(&stderr, 4000)
    );
}
