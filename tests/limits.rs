//! The documented limits and reserved names, through the real binary in a
//! temp dir: n-gram ranges at training, the topic name `uncertain`,
//! evaluation data without rows, the record limit (`--max-record-bytes`) of
//! `train`, `evaluate` and `report` under an address-space cap, and
//! `report`'s unusable headers and empty stdin. (Model files beyond the
//! limits, crafted: `model_file.rs`.)

mod common;

use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};
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

/// A 1.2 GB record: more than the address-space cap below allows to hold.
const HUGE: u64 = 1_200_000_000;

/// The address-space cap of the runs that meet a huge record: 1 GiB, below
/// the record's size, so a run passes only if it never holds the record
/// (before the record limit, `train` read the whole file and aborted, exit
/// 134, or failed with "out of memory").
const ADDRESS_SPACE: u64 = 1 << 30;

/// `prefix`, then NUL bytes up to [`HUGE`] bytes in all, as a sparse file (no disk used).
fn sparse(w: &TempWorkdir, name: &str, prefix: &str) -> String {
    let path = w.write(name, prefix);
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(HUGE).unwrap();
    name.to_string()
}

/// `stance ARGS...` under the [`ADDRESS_SPACE`] cap, stdin closed; it must end within a minute.
fn capped(w: &TempWorkdir, args: &[&str]) -> Output {
    let mut command = w.command();
    // Note: a fixed thread count keeps the address space of rayon's threads
    // well inside the cap on machines with many cores.
    command.args(args).env("RAYON_NUM_THREADS", "2");
    // SAFETY: only setrlimit, which is async-signal-safe, runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let cap = libc::rlimit {
                rlim_cur: ADDRESS_SPACE,
                rlim_max: ADDRESS_SPACE,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &cap) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    common::output_within(command, Duration::from_secs(60))
}

#[test]
fn train_and_evaluate_stop_at_a_record_over_the_limit() {
    let w = TempWorkdir::new();
    w.write("t.csv", labelled(["water", "energy"]));
    assert!(train(&w, &[]).status.success());
    let header = sparse(&w, "header.csv", "");
    let row = sparse(&w, "row.csv", "text,topic,stance\r\n\r\nok,water,favor\r\n");
    for (data, line) in [(&header, 1), (&row, 4), (&"/dev/zero".to_string(), 1)] {
        let runs = [
            vec!["train", "--data", data, "--out", "new.model", "--c", "1"],
            vec!["evaluate", "--model", "m.model", "--data", data],
            vec![
                "evaluate",
                "--model",
                "m.model",
                "--data",
                data,
                "--article-col",
                "text",
            ],
        ];
        for args in runs {
            let e = failed(&capped(&w, &args));
            let expected = format!(
                "{data}:{line}: the record is longer than the limit of 16777216 bytes \
                 (raise the limit with --max-record-bytes)"
            );
            assert!(e.contains(&expected), "{args:?}: {e}");
        }
        assert!(!w.path("new.model").exists());
    }
    // The limit counts a record's field bytes (not its commas or quotes):
    // this row's are 9 + 5 + 5 = 19, so 19 passes and 18 fails.
    w.write("one.csv", "text,topic,stance\n\"water dam\",water,favor\n");
    let evaluate = |limit: &str| {
        let args = ["evaluate", "--model", "m.model", "--data", "one.csv"];
        w.run(&[&args[..], &["--max-record-bytes", limit]].concat())
    };
    let out = evaluate("19");
    assert!(out.status.success(), "{out:?}");
    let e = failed(&evaluate("18"));
    assert!(
        e.contains("one.csv:2: the record is longer than the limit of 18 bytes"),
        "{e}"
    );
}

/// Scored statements of `t.csv`'s first rows, by `score --unit row` with the model `m.model`.
fn scored(w: &TempWorkdir, format: &str) -> String {
    let articles: String = std::iter::once("id,text\n".to_string())
        .chain((0..3).map(|i| format!("a{i},The council welcomed the dam on the river.\n")))
        .collect();
    w.write("articles.csv", articles);
    let out = format!("s.{format}");
    let run = w.run(&[
        "score",
        "--model",
        "m.model",
        "articles.csv",
        "--out",
        &out,
        "--quiet",
    ]);
    assert!(run.status.success(), "{run:?}");
    w.read(&out)
}

#[test]
fn report_rejects_a_row_over_the_limit_and_stops_at_such_a_header() {
    let w = TempWorkdir::new();
    w.write("t.csv", labelled(["water", "energy"]));
    assert!(train(&w, &[]).status.success());
    for format in ["csv", "jsonl"] {
        let good = scored(&w, format);
        let rows = good.lines().count() - usize::from(format == "csv");
        let name = format!("big.{format}");
        sparse(&w, &name, &good);
        let out = capped(
            &w,
            &["report", &name, "--format", "json", "--out", "r.json"],
        );
        let e = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{format}: {e}");
        let line = good.lines().count() + 1;
        assert!(e.contains(&format!("{name}:{line}:")), "{format}: {e}");
        let report: serde_json::Value = serde_json::from_str(&w.read("r.json")).unwrap();
        assert_eq!(report["totals"]["rows_rejected"], 1, "{format}");
        assert_eq!(report["totals"]["rows_used"], rows as u64, "{format}");
    }
    let header = sparse(&w, "header.csv", "");
    for args in [
        vec!["report", &header, "--out", "r.html"],
        vec![
            "report",
            "--input-format",
            "csv",
            "/dev/zero",
            "--out",
            "r.html",
        ],
    ] {
        let e = failed(&capped(&w, &args));
        assert!(
            e.contains(":1: the header is longer than the limit of 16777216 bytes"),
            "{args:?}: {e}"
        );
        assert!(e.contains("--max-record-bytes"), "{args:?}: {e}");
    }
}

#[test]
fn report_names_a_header_that_is_not_utf8_and_stdin_without_input() {
    let w = TempWorkdir::new();
    w.write("bad.csv", b"id,te\xffxt\n1,a\n");
    let e = failed(&w.run(&["report", "bad.csv", "--out", "r.html"]));
    assert!(e.contains("bad.csv:1: bad header: not valid UTF-8"), "{e}");
    assert!(
        !e.contains("Utf8 {") && !e.contains("Position"),
        "a Debug struct: {e}"
    );
    for stdin in [
        Stdio::null(),
        Stdio::from(std::fs::File::open("/dev/null").unwrap()),
    ] {
        let out = w
            .command()
            .args(["report", "-", "--out", "r.html"])
            .stdin(stdin)
            .output()
            .unwrap();
        let e = failed(&out);
        assert!(
            e.contains("-: no input on stdin (it is empty or closed)"),
            "{e}"
        );
    }
    // A closed descriptor 0, not only an empty one.
    let mut report = Command::new(env!("CARGO_BIN_EXE_stance"));
    report
        .current_dir(w.dir.path())
        .args(["report", "-", "--out", "r.html"]);
    // SAFETY: only close, which is async-signal-safe, runs between fork and exec.
    unsafe {
        report.pre_exec(|| {
            libc::close(0);
            Ok(())
        });
    }
    let e = failed(&report.stdin(Stdio::inherit()).output().unwrap());
    assert!(e.contains("no input on stdin"), "{e}");
    assert!(!w.path("r.html").exists());
}

#[test]
fn score_warns_of_empty_or_closed_stdin_and_succeeds() {
    let w = TempWorkdir::new();
    w.write("t.csv", labelled(["water", "energy"]));
    assert!(train(&w, &[]).status.success());
    let score = |format: &str, quiet: bool| {
        let mut c = w.command();
        c.args(["score", "--model", "m.model", "--input-format", format, "-"]);
        if quiet {
            c.arg("--quiet");
        }
        c
    };
    for format in ["jsonl", "csv", "txt"] {
        let mut empty = score(format, true);
        let mut closed = score(format, false);
        // SAFETY: only close, which is async-signal-safe, runs between fork and exec.
        unsafe {
            closed.pre_exec(|| {
                libc::close(0);
                Ok(())
            });
        }
        for (what, out) in [
            ("empty", empty.stdin(Stdio::null()).output().unwrap()),
            ("closed", closed.stdin(Stdio::inherit()).output().unwrap()),
        ] {
            let e = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{format} {what}: {e}");
            assert!(
                e.contains("warning: -: no input on stdin (it is empty or closed)"),
                "{format} {what}: {e}"
            );
            assert!(
                e.contains("rejected 0") || what == "empty",
                "{format} {what}: {e}"
            );
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                stdout.lines().count(),
                1,
                "{format} {what}: only the header: {stdout}"
            );
        }
    }
    // Input on stdin is all read, the bytes the emptiness check waited for included.
    let mut c = score("jsonl", true);
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let line = "{\"id\":\"a1\",\"text\":\"The council welcomed the dam on the river.\"}\n";
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), line.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("no input"),
        "{out:?}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("a1,1,0,")),
        "{stdout}"
    );
}
