//! The model file refuses what it can't trust: truncation, corruption, newer
//! formats, wrong magic, and crafted lengths that would make a naive reader
//! allocate terabytes. Each case goes through both `StanceModel::load` and
//! `stance evaluate --model` (the real binary, in a temp dir).
//!
//! Layout (see `src/model/persist.rs`): magic "STANCE\0M", u32 version, u64
//! payload length, payload (u64 JSON header length + JSON header, vocabulary,
//! idf, weights), SHA-256 of the payload.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::TempWorkdir;
use serde_json::Value;
use sha2::{Digest, Sha256};
use stance::features::FeatureRow;
use stance::model::{train, StanceModel, TrainConfig, TrainingMeta, TrainingSet, FORMAT_VERSION};

const MAGIC: &[u8; 8] = b"STANCE\0M";
const PREAMBLE: usize = 8 + 4 + 8;
const CHECKSUM: usize = 32;

/// A hang guard, not a speed goal: refusing reads at most the file, in well
/// under a second; 60 s still fails a refusal gone pathological (quadratic in
/// the 2 million labels would take hours) without failing under CI load.
const QUICK: Duration = Duration::from_secs(60);

/// A labelled corpus: (text, topic, stance). Two topics with enough rows for an
/// own stance head and one that uses the shared head, so every part of the
/// payload is present.
fn corpus() -> Vec<(String, String, String)> {
    let topics: [(&str, usize, [&str; 3]); 3] = [
        (
            "water",
            30,
            [
                "the dam on the river",
                "irrigation canals",
                "the water plant",
            ],
        ),
        (
            "energy",
            30,
            [
                "the gas power station",
                "the electricity grid",
                "solar panels",
            ],
        ),
        (
            "schools",
            12,
            ["the school programme", "teacher salaries", "the curriculum"],
        ),
    ];
    let stances: [(&str, [&str; 3]); 3] = [
        ("favor", ["welcomed", "praised", "backed"]),
        ("against", ["condemned", "rejected", "opposed"]),
        (
            "neutral",
            ["discussed", "reported on", "published figures on"],
        ),
    ];
    let subjects = [
        "The minister",
        "Local officials",
        "A spokesman",
        "The council",
    ];
    let mut rows = Vec::new();
    for (topic, n, objects) in topics {
        for i in 0..n {
            let (stance, verbs) = stances[i % 3];
            let text = format!(
                "{} {} {} on Monday.",
                subjects[i % 4],
                verbs[(i / 3) % 3],
                objects[(i / 2) % 3]
            );
            rows.push((text, topic.to_string(), stance.to_string()));
        }
    }
    rows
}

fn corpus_csv() -> String {
    let mut s = String::from("text,topic,stance\n");
    for (text, topic, stance) in corpus() {
        s += &format!("{text},{topic},{stance}\n");
    }
    s
}

/// A model trained with the library on [`corpus`], and its file's bytes.
fn model() -> &'static (StanceModel, Vec<u8>) {
    static MODEL: OnceLock<(StanceModel, Vec<u8>)> = OnceLock::new();
    MODEL.get_or_init(|| {
        let rows = corpus();
        let texts: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let topics: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
        let stances: Vec<String> = rows.iter().map(|r| r.2.clone()).collect();
        let set = TrainingSet {
            texts: &texts,
            topics: &topics,
            stances: Some(&stances),
        };
        let m = train(
            &set,
            &TrainConfig::default(),
            TrainingMeta::default(),
            &mut |_| {},
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.model");
        m.save(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        (m, bytes)
    })
}

fn bytes() -> &'static [u8] {
    &model().1
}

/// The payload of a model file.
fn payload(file: &[u8]) -> &[u8] {
    &file[PREAMBLE..file.len() - CHECKSUM]
}

/// A well-formed file around `payload`: right length and checksum.
fn assemble(version: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&Sha256::digest(payload));
    out
}

/// The payload's JSON header and the bytes after it.
fn split_header(payload: &[u8]) -> (Value, &[u8]) {
    let n = u64::from_le_bytes(payload[..8].try_into().unwrap()) as usize;
    let header = serde_json::from_slice(&payload[8..8 + n]).unwrap();
    (header, &payload[8 + n..])
}

/// A payload with header JSON `header` followed by `rest`.
fn join_header(header: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut p = (header.len() as u64).to_le_bytes().to_vec();
    p.extend_from_slice(header);
    p.extend_from_slice(rest);
    p
}

/// A valid-checksum file whose header was changed by `edit`.
fn with_header(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let (mut header, rest) = split_header(payload(bytes()));
    edit(&mut header);
    assemble(
        FORMAT_VERSION,
        &join_header(&serde_json::to_vec(&header).unwrap(), rest),
    )
}

/// A valid-checksum file whose payload after the JSON header was changed by `edit`.
fn with_body(edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let p = payload(bytes());
    let n = u64::from_le_bytes(p[..8].try_into().unwrap()) as usize;
    let mut body = p[8 + n..].to_vec();
    edit(&mut body);
    assemble(FORMAT_VERSION, &join_header(&p[8..8 + n], &body))
}

/// Peak resident set size of this process in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A temp dir with a labelled CSV to evaluate on.
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
        w.write("data.csv", corpus_csv());
        w
    }

    /// `stance evaluate --model MODEL --data data.csv --json` under a 512 MiB
    /// address-space limit (`ulimit -v`), so that reserving what a crafted file
    /// claims aborts instead of passing unnoticed thanks to overcommit.
    fn evaluate(&self, model: &Path) -> Output {
        self.evaluate_capped(model, 512 << 10)
    }

    /// `stance evaluate --model MODEL --data data.csv --json` with at most
    /// `cap_kib` KiB of address space.
    fn evaluate_capped(&self, model: &Path, cap_kib: u64) -> Output {
        // Note: a fixed thread count keeps the address space of rayon's
        // threads well inside the limit on machines with many cores.
        Command::new("sh")
            .current_dir(self.dir.path())
            .env("RAYON_NUM_THREADS", "2")
            .args(["-c", &format!("ulimit -v {cap_kib} && exec \"$0\" \"$@\"")])
            .arg(env!("CARGO_BIN_EXE_stance"))
            .args(["evaluate", "--model"])
            .arg(model)
            .args(["--data", "data.csv", "--json"])
            .output()
            .unwrap()
    }
}

/// Asserts that `out` is a clean refusal (exit 1, no panic, no output) with
/// `message` as its error.
fn refused_by_the_cli(what: &str, out: &Output, message: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what}: {:?}\n{err}",
        out.status
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(out.stdout.is_empty(), "{what}: printed a result");
    assert!(err.contains(message), "{what}: no {message:?} in:\n{err}");
}

/// Asserts that `file` is refused by the library and by the CLI, quickly, with
/// a message naming the file and containing every one of `needles`.
fn refused(what: &str, file: &[u8], needles: &[&str]) {
    let w = Workdir::new();
    let path = w.path("bad.model");
    std::fs::write(&path, file).unwrap();

    let rss_before = peak_rss_kib();
    let started = Instant::now();
    let result = StanceModel::load(&path);
    let took = started.elapsed();
    let rss_after = peak_rss_kib();
    let e = match result {
        Ok(_) => panic!("{what}: the library loaded it"),
        Err(e) => e.to_string(),
    };
    assert!(
        took < QUICK,
        "{what}: the library took {took:?} to refuse it"
    );
    if let (Some(a), Some(b)) = (rss_before, rss_after) {
        // Note: other tests run in parallel threads of this process, but none
        // comes near this; a loader that filled what a crafted file claims would.
        let grew = b.saturating_sub(a);
        assert!(grew < 256 * 1024, "{what}: peak RSS grew by {grew} KiB");
    }
    assert!(
        e.contains("bad.model: not a usable model file:"),
        "{what}: {e}"
    );
    for n in needles {
        assert!(
            e.contains(n),
            "{what}: no {n:?} in the library's message: {e}"
        );
    }

    let started = Instant::now();
    let out = w.evaluate(&path);
    let took = started.elapsed();
    refused_by_the_cli(what, &out, &e);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end(), format!("error: {e}"), "{what}");
    assert!(took < QUICK, "{what}: the CLI took {took:?} to refuse it");
}

#[test]
fn the_intact_file_loads_under_the_same_limits() {
    // The control for every test below: what they refuse, they refuse because
    // of the damage, not the memory limit or the data.
    let w = Workdir::new();
    let path = w.path("good.model");
    std::fs::write(&path, bytes()).unwrap();
    StanceModel::load(&path).unwrap();
    let out = w.evaluate(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["n"], 72);
}

#[test]
fn an_empty_file_is_refused() {
    refused("empty", b"", &["only 0 bytes", "too short"]);
}

#[test]
fn truncated_files_are_refused() {
    let b = bytes();
    let json_len = u64::from_le_bytes(b[PREAMBLE..PREAMBLE + 8].try_into().unwrap()) as usize;
    let payload_end = b.len() - CHECKSUM;
    for (what, at) in [
        ("inside the magic", 5),
        ("after the magic", 8),
        ("inside the version", 10),
        ("inside the length", 15),
    ] {
        refused(what, &b[..at], &[&format!("only {at} bytes"), "too short"]);
    }
    for (what, at) in [
        ("after the preamble", PREAMBLE),
        ("inside the header length", PREAMBLE + 4),
        ("mid-header", PREAMBLE + 8 + json_len / 2),
        ("after the header", PREAMBLE + 8 + json_len),
        ("mid-payload", PREAMBLE + (payload_end - PREAMBLE) / 2),
        ("one byte short of the payload", payload_end - 1),
        ("without the checksum", payload_end),
        ("half the checksum", payload_end + CHECKSUM / 2),
        ("one byte short", b.len() - 1),
    ] {
        refused(
            what,
            &b[..at],
            &[&format!("but the file has {at} bytes"), "truncated"],
        );
    }
    // A byte too many is as wrong as one too few.
    let mut longer = b.to_vec();
    longer.push(0);
    refused("one byte too many", &longer, &["truncated or corrupted"]);
}

#[test]
fn a_flipped_byte_anywhere_in_the_payload_fails_the_checksum() {
    let b = bytes();
    let json_len = u64::from_le_bytes(b[PREAMBLE..PREAMBLE + 8].try_into().unwrap()) as usize;
    let payload_end = b.len() - CHECKSUM;
    let vocabulary = PREAMBLE + 8 + json_len;
    for (what, at) in [
        ("first payload byte", PREAMBLE),
        ("header length", PREAMBLE + 3),
        ("JSON header", PREAMBLE + 8 + json_len / 2),
        ("vocabulary count", vocabulary),
        ("first term", vocabulary + 8 + 4),
        ("mid-payload", (PREAMBLE + payload_end) / 2),
        ("weights", payload_end - 100),
        ("last payload byte", payload_end - 1),
        ("checksum", payload_end + 7),
    ] {
        for mask in [0x01, 0x80] {
            let mut f = b.to_vec();
            f[at] ^= mask;
            refused(what, &f, &["checksum mismatch"]);
        }
    }
}

#[test]
fn a_newer_format_version_is_refused_as_newer() {
    for version in [FORMAT_VERSION + 1, 7, u32::MAX] {
        let mut f = bytes().to_vec();
        f[8..12].copy_from_slice(&version.to_le_bytes());
        refused(
            &format!("version {version}"),
            &f,
            &[&format!("format version {version}"), "newer"],
        );
    }
    let mut f = bytes().to_vec();
    f[8..12].copy_from_slice(&0u32.to_le_bytes());
    refused("version 0", &f, &["version 0"]);
}

#[test]
fn wrong_magic_is_refused() {
    let mut f = bytes().to_vec();
    f[7] = b'X';
    refused(
        "last magic byte",
        &f,
        &["wrong magic", "not a stance model"],
    );
    refused(
        "a CSV file",
        corpus_csv().as_bytes(),
        &["wrong magic", "not a stance model"],
    );
    refused("zeros", &[0u8; 4096], &["wrong magic"]);
}

#[test]
fn a_payload_length_beyond_the_file_is_refused_before_allocating() {
    for (what, claim) in [
        ("2^60", 1u64 << 60),
        ("u64::MAX", u64::MAX),
        ("u64::MAX - 20", u64::MAX - PREAMBLE as u64),
        ("zero", 0),
    ] {
        let mut f = bytes().to_vec();
        f[12..20].copy_from_slice(&claim.to_le_bytes());
        refused(
            what,
            &f,
            &[
                &format!("claims a {claim}-byte payload"),
                "truncated or corrupted",
            ],
        );
    }
}

#[test]
fn a_crafted_enormous_vocabulary_is_refused_quickly() {
    const HUGE: u64 = 1_000_000_000_000;
    // The header alone claims it: it disagrees with the vocabulary's count.
    let f = with_header(|h| h["n_features"] = HUGE.into());
    refused("header n_features", &f, &["header says 1000000000000"]);
    // Header and vocabulary agree on it; the bytes can't hold it.
    let f = with_header(|h| h["n_features"] = HUGE.into());
    let (header, rest) = split_header(payload(&f));
    let mut body = rest.to_vec();
    body[..8].copy_from_slice(&HUGE.to_le_bytes());
    let f = assemble(
        1,
        &join_header(&serde_json::to_vec(&header).unwrap(), &body),
    );
    refused(
        "vocabulary count",
        &f,
        &["1000000000000 terms", "more than the file can hold"],
    );
    // Both claim usize::MAX.
    let f = with_header(|h| h["n_features"] = u64::MAX.into());
    let (header, rest) = split_header(payload(&f));
    let mut body = rest.to_vec();
    body[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    let f = assemble(
        1,
        &join_header(&serde_json::to_vec(&header).unwrap(), &body),
    );
    refused(
        "vocabulary count u64::MAX",
        &f,
        &["more than the file can hold"],
    );
}

#[test]
fn crafted_lengths_inside_the_payload_are_refused_quickly() {
    // The JSON header's own length.
    let p = payload(bytes());
    for claim in [1u64 << 60, u64::MAX, p.len() as u64] {
        let mut q = p.to_vec();
        q[..8].copy_from_slice(&claim.to_le_bytes());
        refused(
            &format!("header length {claim}"),
            &assemble(FORMAT_VERSION, &q),
            &["more bytes"],
        );
    }
    // The first term's length.
    let f = with_body(|b| b[8..12].copy_from_slice(&u32::MAX.to_le_bytes()));
    refused("term length", &f, &["needs 4294967295 more bytes"]);
    // A payload that ends early (fewer weights than the heads need).
    let f = with_body(|b| b.truncate(b.len() - 8));
    refused("short weights", &f, &["more bytes"]);
    // Bytes after the last head.
    let f = with_body(|b| b.extend_from_slice(&[0; 8]));
    refused(
        "trailing bytes",
        &f,
        &["8 unexpected bytes after the last head"],
    );
    // A surface-form count that is neither 0 nor one per term, and a form
    // longer than the bytes left.
    let header = split_header(p).0;
    let f = with_body(|b| {
        let at = arrays(&header, b).1.last().unwrap()[1].end;
        b[at..at + 8].copy_from_slice(&3u64.to_le_bytes());
    });
    refused("surface form count", &f, &["3 surface forms for"]);
    let f = with_body(|b| {
        let at = arrays(&header, b).1.last().unwrap()[1].end;
        b[at + 8..at + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    });
    refused("surface form length", &f, &["needs 4294967295 more bytes"]);
    // A term that is not UTF-8.
    let f = with_body(|b| b[12] = 0xff);
    refused("term not UTF-8", &f, &["not UTF-8"]);
    // A header that is not JSON, or not the expected JSON.
    let rest = split_header(p).1;
    refused(
        "header not JSON",
        &assemble(FORMAT_VERSION, &join_header(b"{not json", rest)),
        &["header:"],
    );
    refused(
        "header without n_features",
        &with_header(|h| {
            h.as_object_mut().unwrap().remove("n_features");
        }),
        &["header:", "n_features"],
    );
}

#[test]
fn a_json_header_above_32_mib_is_refused() {
    // Valid JSON, padded with spaces to one byte over the limit.
    let (header, rest) = split_header(payload(bytes()));
    let mut json = serde_json::to_vec(&header).unwrap();
    json.resize((32 << 20) + 1, b' ');
    refused(
        "33 MiB header",
        &assemble(FORMAT_VERSION, &join_header(&json, rest)),
        &["the JSON header claims 33554433 bytes, more than the 33554432"],
    );
}

#[test]
fn crafted_huge_label_lists_are_refused_quickly() {
    // Note: 2 million labels claim 2e6 x n_terms x 8 bytes of weights (gigabytes);
    // the JSON holding them is about 20 MB, which is what reading it may cost.
    let many: Vec<Value> = (0..2_000_000)
        .map(|i| Value::from(format!("l{i}")))
        .collect();
    let f = with_header(|h| h["topic"]["labels"] = Value::Array(many.clone()));
    refused("topic labels", &f, &["more bytes"]);
    let f = with_header(|h| h["stance"]["shared"]["labels"] = Value::Array(many.clone()));
    refused("shared stance labels", &f, &["more bytes"]);
    let f = with_header(|h| h["stance"]["per_topic"][0]["labels"] = Value::Array(many));
    refused("own stance labels", &f, &["more bytes"]);
    // Per-topic stance heads that don't match the topics.
    let nones = vec![Value::Null; 2_000_000];
    let f = with_header(|h| h["stance"]["per_topic"] = Value::Array(nones));
    refused(
        "per-topic list",
        &f,
        &["stance heads do not match the topics"],
    );
    // An empty label list.
    let f = with_header(|h| h["topic"]["labels"] = Value::Array(Vec::new()));
    refused("no topic labels", &f, &["no labels"]);
}

#[test]
fn save_and_load_round_trip_exactly() {
    let (trained, file) = model();
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.model");
    std::fs::write(&first, file).unwrap();
    let loaded = StanceModel::load(&first).unwrap();
    assert!(
        loaded.to_bytes() == *file,
        "loaded model serialises differently"
    );
    let second = dir.path().join("second.model");
    loaded.save(&second).unwrap();
    assert!(
        std::fs::read(&second).unwrap() == *file,
        "re-saved file differs"
    );

    assert_eq!(loaded.topics(), trained.topics());
    assert_eq!(loaded.meta, trained.meta);
    let again = StanceModel::load(&second).unwrap();
    let mut texts: Vec<String> = corpus().into_iter().map(|r| r.0).collect();
    texts.push("Completely unseen words: zebra quantum.".into());
    texts.push(String::new());
    for m in [&loaded, &again] {
        let (mut a1, mut a2) = (trained.vectorizer.analyzer(), m.vectorizer.analyzer());
        let (mut r1, mut r2) = (FeatureRow::default(), FeatureRow::default());
        for t in &texts {
            trained.vectorizer.transform_one(&mut a1, t, &mut r1);
            m.vectorizer.transform_one(&mut a2, t, &mut r2);
            assert_eq!(r1.cols, r2.cols, "{t:?}");
            assert_eq!(r1.vals, r2.vals, "{t:?}");
        }
        let options = stance::pipeline::ScoreOptions::default()
            .explain(3)
            .check()
            .unwrap();
        let ours = stance::pipeline::Scorer::new(trained.clone(), options.clone()).unwrap();
        let theirs = stance::pipeline::Scorer::new(m.clone(), options).unwrap();
        assert_eq!(ours.score_texts(&texts), theirs.score_texts(&texts));
    }

    // The CLI's evaluation of the file is the library's evaluation of the
    // model as trained, to the last digit.
    let w = Workdir::new();
    let out = w.evaluate(&second);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = corpus();
    let texts: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let topics: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    let stances: Vec<String> = rows.iter().map(|r| r.2.clone()).collect();
    let scorer = stance::pipeline::Scorer::new(
        trained.clone(),
        stance::pipeline::ScoreOptions::default().check().unwrap(),
    )
    .unwrap();
    let ev = stance::eval::evaluate(&scorer, &texts, &topics, Some(&stances));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        serde_json::to_string(&ev).unwrap() + "\n"
    );
}

/// A sparse file of `size` bytes that starts with a preamble agreeing with
/// its size, and holds zeros after it.
fn sparse_model(path: &Path, size: u64) {
    let mut f = std::fs::File::create(path).unwrap();
    let payload = size - (PREAMBLE + CHECKSUM) as u64;
    for part in [&MAGIC[..], &1u32.to_le_bytes(), &payload.to_le_bytes()] {
        std::io::Write::write_all(&mut f, part).unwrap();
    }
    f.set_len(size).unwrap();
}

#[test]
fn a_file_above_the_size_limit_is_refused_before_reading() {
    // The file: a length that agrees with a 50 GB (sparse) file. A
    // loader that believed it asked for 50 GB, and aborted under the cap.
    let w = Workdir::new();
    let path = w.path("sparse.model");
    let size = 50u64 << 30;
    sparse_model(&path, size);
    let e = StanceModel::load(&path).unwrap_err().to_string();
    let message = format!(
        "sparse.model: not a usable model file: the file has {size} bytes, \
         more than the limit of 2147483648 bytes for a model"
    );
    assert!(e.contains(&message), "{e}");
    assert!(e.contains("--max-model-bytes"), "{e}");
    let out = w.evaluate_capped(&path, 2 << 20);
    refused_by_the_cli("50 GB under a 2 GiB cap", &out, &message);
}

#[test]
fn a_crafted_file_within_the_limit_is_read_in_bounded_memory() {
    // 768 MiB of zeros after a preamble that agrees with them: a reader that
    // holds the payload needs 768 MiB, more than the 512 MiB cap; one that
    // reads it a chunk at a time refuses it as corrupted.
    let w = Workdir::new();
    let path = w.path("zeros.model");
    let size = 768u64 << 20;
    sparse_model(&path, size);
    let message = "zeros.model: not a usable model file: checksum mismatch";
    refused_by_the_cli("768 MiB of zeros", &w.evaluate(&path), message);
    let before = peak_rss_kib();
    let e = StanceModel::load(&path).unwrap_err().to_string();
    assert!(e.contains(message), "{e}");
    if let (Some(a), Some(b)) = (before, peak_rss_kib()) {
        let grew = b.saturating_sub(a);
        assert!(grew < 256 * 1024, "peak RSS grew by {grew} KiB");
    }
}

#[test]
fn every_subcommand_that_loads_a_model_takes_max_model_bytes() {
    let w = Workdir::new();
    let model = w.write("good.model", bytes());
    let size = bytes().len();
    w.write(
        "a.txt",
        "The minister welcomed the dam on the river on Monday.",
    );
    let scored = w.run(&["score", "--model", "good.model", "a.txt", "--out", "s.csv"]);
    assert!(scored.status.success(), "{scored:?}");
    let commands: [&[&str]; 3] = [
        &["evaluate", "--model", "good.model", "--data", "data.csv"],
        &["score", "--model", "good.model", "a.txt", "--out", "t.csv"],
        &["report", "s.csv", "--model", "good.model"],
    ];
    let over = format!(
        "good.model: not a usable model file: the file has {size} bytes, \
         more than the limit of {} bytes",
        size - 1
    );
    for args in commands {
        let limit = |bytes: usize| {
            let mut a = args.to_vec();
            let bytes = bytes.to_string();
            a.extend(["--max-model-bytes", &bytes]);
            w.run(&a)
        };
        refused_by_the_cli(&format!("{args:?}"), &limit(size - 1), &over);
        let out = limit(size);
        assert!(out.status.success(), "{args:?}: {out:?}");
    }
    assert!(StanceModel::load_with_limit(&model, size as u64).is_ok());
}

#[test]
fn a_directory_is_refused_as_a_directory() {
    let w = Workdir::new();
    std::fs::create_dir(w.path("models")).unwrap();
    let message = "models: not a usable model file: it is a directory";
    let e = StanceModel::load(&w.path("models"))
        .unwrap_err()
        .to_string();
    assert!(e.contains(message), "{e}");
    refused_by_the_cli("evaluate", &w.evaluate(&w.path("models")), message);
    w.write("a.txt", "Some text.");
    let out = w.run(&["score", "--model", "models", "a.txt", "--out", "s.csv"]);
    refused_by_the_cli("score", &out, message);
}

/// A valid-checksum file whose analyzer setting `key` is `value`.
fn with_analyzer(key: &str, value: Value) -> Vec<u8> {
    with_header(|h| h["vectorizer"]["analyzer"][key] = value)
}

#[test]
fn ngram_ranges_beyond_the_maximum_are_refused_at_load() {
    use serde_json::json;
    for (key, value, needle) in [
        (
            "char_ngrams",
            json!([1, 1_000_000_000]),
            "char_ngrams 1-1000000000",
        ),
        ("char_ngrams", json!([1, 11]), "char_ngrams 1-11"),
        ("char_ngrams", json!([0, 3]), "char_ngrams 0-3"),
        ("char_ngrams", json!([4, 3]), "char_ngrams 4-3"),
        ("ngram_max", json!(1_000_000_000), "ngram_max 1000000000"),
        ("ngram_max", json!(7), "ngram_max 7"),
        ("ngram_max", json!(0), "ngram_max 0"),
    ] {
        let f = with_analyzer(key, value);
        refused(needle, &f, &["analyzer settings out of range", needle]);
    }
    // `score` spent minutes on one 20 KB word with the first of them (the
    // time grew with the cube of the word's length); now it refuses it at
    // once. The limit is a hang guard, not a timing.
    let w = Workdir::new();
    w.write(
        "c.model",
        with_analyzer("char_ngrams", json!([1, 1_000_000_000])),
    );
    w.write("word.txt", "a".repeat(20_000));
    let mut score = w.command();
    score.args(["score", "--model", "c.model", "word.txt", "--out", "s.csv"]);
    let out = common::output_within(score, Duration::from_secs(120));
    refused_by_the_cli("score", &out, "char_ngrams 1-1000000000");
}

#[test]
fn a_model_with_the_reserved_topic_is_refused() {
    let f = with_header(|h| h["topic"]["labels"][2] = "uncertain".into());
    refused(
        "topic uncertain",
        &f,
        &["topic named \"uncertain\"", "reserved"],
    );
}

/// Where the f64 arrays of a payload's body (after the JSON header) are:
/// the idf, then each head's weights and intercepts, in file order.
fn arrays(
    header: &Value,
    body: &[u8],
) -> (std::ops::Range<usize>, Vec<[std::ops::Range<usize>; 2]>) {
    let n = u64::from_le_bytes(body[..8].try_into().unwrap()) as usize;
    let mut at = 8;
    for _ in 0..n {
        at += 4 + u32::from_le_bytes(body[at..at + 4].try_into().unwrap()) as usize;
    }
    let idf = at..at + 8 * n;
    at = idf.end;
    let stance = &header["stance"];
    let classes = std::iter::once(&header["topic"])
        .chain(stance["per_topic"].as_array().into_iter().flatten())
        .chain(std::iter::once(&stance["shared"]))
        .filter_map(|h| h["labels"].as_array().map(Vec::len));
    let mut heads = Vec::new();
    for k in classes {
        let weights = at..at + 8 * n * k;
        let intercepts = weights.end..weights.end + 8 * k;
        at = intercepts.end;
        heads.push([weights, intercepts]);
    }
    // The surface forms (format version 2): a count, then length-prefixed strings.
    let forms = u64::from_le_bytes(body[at..at + 8].try_into().unwrap()) as usize;
    at += 8;
    for _ in 0..forms {
        at += 4 + u32::from_le_bytes(body[at..at + 4].try_into().unwrap()) as usize;
    }
    assert_eq!(at, body.len(), "the layout accounts for every byte");
    (idf, heads)
}

/// A valid-checksum file whose arrays were changed by `edit(idf, heads)`.
fn with_arrays(
    edit: impl FnOnce(&mut [u8], &[[std::ops::Range<usize>; 2]], std::ops::Range<usize>),
) -> Vec<u8> {
    let header = split_header(payload(bytes())).0;
    with_body(|body| {
        let (idf, heads) = arrays(&header, body);
        edit(body, &heads, idf);
    })
}

/// Sets every f64 in `range` of `body` to `value(i)`.
fn fill(body: &mut [u8], range: std::ops::Range<usize>, value: impl Fn(usize) -> f64) {
    for (i, c) in body[range].chunks_exact_mut(8).enumerate() {
        c.copy_from_slice(&value(i).to_le_bytes());
    }
}

/// +x and -x in turn.
fn alternating(x: f64) -> impl Fn(usize) -> f64 {
    move |i| if i % 2 == 0 { x } else { -x }
}

#[test]
fn finite_but_huge_weights_are_refused() {
    // Scores of about 1e308 overflow to infinities, and every probability
    // was written empty.
    let needles = ["within ±1e100", "class scores could overflow"];
    for x in [1e308, 1e200, 1.000_000_1e100] {
        let f = with_arrays(|b, heads, _| fill(b, heads[0][0].clone(), alternating(x)));
        refused(&format!("topic weights {x:e}"), &f, &needles);
        let f = with_arrays(|b, heads, _| {
            let last = heads.last().unwrap()[1].clone();
            fill(b, last.start..last.start + 8, |_| -x)
        });
        refused(&format!("one intercept -{x:e}"), &f, &needles);
    }
    // A huge idf makes a term that occurs twice weigh infinity, and its
    // row NaN once normalised.
    let f = with_arrays(|b, _, idf| fill(b, idf, |_| 1e308));
    refused(
        "idf 1e308",
        &f,
        &["an idf value is not a number in [1, 100]"],
    );
}

#[test]
fn weights_at_the_bound_give_every_statement_its_probabilities() {
    // The largest weights and intercepts a model may have, with signs in
    // turn so that scores are as far apart as they can be.
    let f = with_arrays(|b, heads, _| {
        for [w, i] in heads {
            fill(b, w.clone(), alternating(1e100));
            fill(b, i.clone(), alternating(1e100));
        }
    });
    let w = Workdir::new();
    w.write("edge.model", f);
    let text: Vec<String> = corpus().into_iter().map(|r| r.0).collect();
    w.write("a.txt", text.join(" ") + " The dam, the dam and the grid.");
    let out = w.run(&[
        "score",
        "--model",
        "edge.model",
        "a.txt",
        "--out",
        "s.jsonl",
    ]);
    assert!(out.status.success(), "{out:?}");
    let scored = w.read("s.jsonl");
    let mut statements = 0;
    for line in scored.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for key in ["topic_prob", "stance_prob"] {
            assert!(v[key].as_f64().is_some_and(f64::is_finite), "{key}: {line}");
        }
        for key in ["topic_probs", "stance_probs"] {
            let probs = v[key].as_object().unwrap();
            let sum: f64 = probs.values().map(|p| p.as_f64().unwrap()).sum();
            assert!((sum - 1.0).abs() < 1e-3, "{key}: {line}");
        }
        statements += 1;
    }
    assert_eq!(statements, corpus().len() + 1);
    let report = w.run(&["report", "s.jsonl"]);
    assert_eq!(report.status.code(), Some(0), "{report:?}");
}
