//! `kill -9` in the middle of `stance train` or `stance score` never leaves a
//! partial file at a destination, and a file already there stays intact.
//!
//! Each test runs the real binary in its own temp dir and sends it SIGKILL
//! (`Child::kill` on Unix) at a chosen moment. A process killed that way cannot
//! clean up, so its hidden temporary files (`.stance-tmp-*`, created beside the
//! destination and renamed over it when complete) may remain: they are the only
//! leftovers allowed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// Prefix of the temporary files the binary writes beside a destination.
const TMP_PREFIX: &str = ".stance-tmp-";

/// A tiny labelled corpus: `--min-df 1 --c 1` trains on it in milliseconds.
const SMALL_TRAIN: &str = "text,topic,stance
Protesters marched in solidarity with the people of Gaza.,palestine,favor
Hamas attacks on civilians were condemned by the minister.,palestine,against
Ceasefire talks on Gaza resumed in Cairo on Monday.,palestine,neutral
Lawmakers demanded a timetable for the withdrawal of coalition troops.,coalition_withdrawal,favor
Kurdish leaders warned that a hasty coalition exit would help Islamic State.,coalition_withdrawal,against
The coalition mission talks resumed in Baghdad.,coalition_withdrawal,neutral
The minister praised strong relations between Baghdad and Tehran.,bilateral_ties,favor
Critics denounced Iranian interference in Iraqi politics.,bilateral_ties,against
Iraq and Iran signed a memorandum on gas and electricity cooperation.,bilateral_ties,neutral
The weather in Basra was hot on Tuesday.,other,neutral
The census counted the population of Iraq.,other,neutral
";

fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// 20 Newsgroups training set: about 22 MB, `--c 10` fits it in tens of seconds.
fn newsgroups() -> PathBuf {
    crate_path("../shared/data/20newsgroups/train.csv")
}

fn stance(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stance"));
    c.current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    stance(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .args(args)
        .output()
        .unwrap()
}

/// Polls `child` until `ready()` holds, then SIGKILLs it and reaps it.
///
/// Panics when the child exits first: the moment the test meant to interrupt
/// never came, so the test would prove nothing.
fn kill_when(child: &mut Child, what: &str, mut ready: impl FnMut() -> bool) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "{what}: exited ({status}) after {:?}, before the kill",
                start.elapsed()
            );
        }
        if ready() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap()
}

/// Kills `child` once `after` has passed since `start`.
fn kill_after(child: &mut Child, what: &str, start: Instant, after: Duration) {
    let status = kill_when(child, what, || start.elapsed() >= after);
    assert_killed(status, what);
}

fn assert_killed(status: ExitStatus, what: &str) {
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        Some(9),
        "{what}: not killed by SIGKILL: {status}"
    );
}

/// Names of the entries of `dir`.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn has_temp_file(dir: &Path) -> bool {
    entries(dir).iter().any(|n| n.starts_with(TMP_PREFIX))
}

/// Asserts that `dir` holds nothing but `expected` and hidden temporary files.
fn assert_only(dir: &Path, expected: &[&str], what: &str) {
    let stray: Vec<String> = entries(dir)
        .into_iter()
        .filter(|n| !expected.contains(&n.as_str()) && !n.starts_with(TMP_PREFIX))
        .collect();
    assert!(
        stray.is_empty(),
        "{what}: unexpected files left: {stray:?} (all: {:?})",
        entries(dir)
    );
}

/// Removes the temporary files a killed run left, so the next run starts clean.
fn remove_temp_files(dir: &Path) {
    for name in entries(dir) {
        if name.starts_with(TMP_PREFIX) {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
    }
}

#[test]
fn killed_train_leaves_the_existing_model_intact() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::write(dir.join("small.csv"), SMALL_TRAIN).unwrap();
    let small = [
        "train",
        "--data",
        "small.csv",
        "--out",
        "m.model",
        "--min-df",
        "1",
        "--c",
        "1",
    ];
    let out = run(dir, &small);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let old = std::fs::read(dir.join("m.model")).unwrap();
    assert!(!old.is_empty());

    let data = newsgroups();
    let data = data.to_str().unwrap();
    let long = |extra: &[&'static str]| {
        let mut args = vec![
            "train",
            "--data",
            data,
            "--out",
            "m.model",
            "--topic-col",
            "label",
            "--c",
            "10",
        ];
        args.extend_from_slice(extra);
        stance(dir).args(&args).spawn().unwrap()
    };

    // Note: reading and building features take about 2 s on the 22 MB input,
    // the fit tens of seconds; 0.3 s is while reading, 3 s and 6 s during the fit.
    for after_ms in [300, 3_000, 6_000] {
        let what = format!("train killed after {after_ms} ms");
        let start = Instant::now();
        let mut child = long(&[]);
        kill_after(&mut child, &what, start, Duration::from_millis(after_ms));
        assert!(
            std::fs::read(dir.join("m.model")).unwrap() == old,
            "{what}: the existing model changed"
        );
        assert_only(dir, &["small.csv", "m.model"], &what);
        remove_temp_files(dir);
    }

    // The moment of writing: a few L-BFGS iterations still give a full-size
    // model (tens of MB); kill as soon as its temporary file appears, or as soon
    // as the destination changes, which an in-place write would do instead.
    let what = "train killed while writing the model";
    let mut child = long(&["--max-iter", "3"]);
    let dest = dir.join("m.model");
    let old_meta = std::fs::metadata(&dest).unwrap();
    let status = kill_when(&mut child, what, || {
        let meta = std::fs::metadata(&dest).unwrap();
        has_temp_file(dir)
            || meta.len() != old_meta.len()
            || meta.modified().unwrap() != old_meta.modified().unwrap()
    });
    assert_killed(status, what);
    assert!(
        std::fs::read(&dest).unwrap() == old,
        "{what}: the existing model changed"
    );
    assert_only(dir, &["small.csv", "m.model"], what);
}

/// Writes `big.csv`: the rows of `data/articles/articles.csv` repeated with
/// unique ids to `copies` times, one empty-text article (a reject) per copy.
fn write_big_csv(dir: &Path, copies: usize) -> PathBuf {
    let mut reader = csv::Reader::from_path(crate_path("data/articles/articles.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let id = header.iter().position(|h| h == "id").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let path = dir.join("big.csv");
    let mut writer = csv::Writer::from_path(&path).unwrap();
    writer.write_record(&header).unwrap();
    for copy in 0..copies {
        for row in &rows {
            let fields = row.iter().enumerate().map(|(i, f)| {
                if i == id {
                    format!("{f}-{copy}")
                } else {
                    f.to_string()
                }
            });
            writer.write_record(fields).unwrap();
        }
        let empty = (0..header.len()).map(|i| {
            if i == id {
                format!("empty-{copy}")
            } else {
                String::new()
            }
        });
        writer.write_record(empty).unwrap();
    }
    writer.flush().unwrap();
    path
}

/// Starts `stance score` on a ~60 MB input (a few seconds of work), kills it
/// after 0.6 s (asserting it had not finished).
fn score_and_kill(dir: &Path, args: &[&str], what: &str) {
    let model = crate_path("models/default.model");
    let start = Instant::now();
    let mut child = stance(dir)
        .arg("score")
        .arg("--model")
        .arg(&model)
        .arg("big.csv")
        .args(args)
        .arg("--quiet")
        .spawn()
        .unwrap();
    kill_after(&mut child, what, start, Duration::from_millis(600));
}

#[test]
fn killed_score_leaves_no_partial_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write_big_csv(dir, 1000);
    let what = "score killed, no outputs before";
    score_and_kill(
        dir,
        &["--out", "out.csv", "--articles-out", "articles.csv"],
        what,
    );
    for name in ["out.csv", "articles.csv", "out.csv.rejects.csv"] {
        assert!(
            !dir.join(name).exists(),
            "{what}: {name} exists after the kill"
        );
    }
    assert_only(dir, &["big.csv"], what);
}

#[test]
fn killed_score_leaves_existing_outputs_intact() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write_big_csv(dir, 1000);
    let old = [
        ("out.csv", "old statements\n"),
        ("articles.csv", "old articles\n"),
        ("rejects.csv", "old rejects\n"),
    ];
    for (name, contents) in old {
        std::fs::write(dir.join(name), contents).unwrap();
    }
    let what = "score killed, outputs there before";
    score_and_kill(
        dir,
        &[
            "--out",
            "out.csv",
            "--articles-out",
            "articles.csv",
            "--rejects",
            "rejects.csv",
        ],
        what,
    );
    for (name, contents) in old {
        assert_eq!(
            std::fs::read_to_string(dir.join(name)).unwrap(),
            contents,
            "{what}: {name} changed"
        );
    }
    assert_only(
        dir,
        &["big.csv", "out.csv", "articles.csv", "rejects.csv"],
        what,
    );
}

#[test]
fn score_to_an_unwritable_directory_fails_before_reading_input() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // Note: a FIFO with no writer blocks whoever opens it for reading, so a
    // run that touched the input before checking --out would hang here.
    let fifo = dir.join("input.csv");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo failed");
    let model = crate_path("models/default.model");
    let start = Instant::now();
    let mut child = stance(dir)
        .stderr(Stdio::piped())
        .arg("score")
        .arg("--model")
        .arg(&model)
        .arg("input.csv")
        .args(["--out", "/nonexistent-dir/x.csv", "--quiet"])
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("score still running after 10 s: it opened the input before checking --out");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("/nonexistent-dir/x.csv"), "{stderr}");
    assert!(!Path::new("/nonexistent-dir").exists());
}
