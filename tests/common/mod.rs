//! What the integration tests share: a temp dir the `stance` binary runs in,
//! the SemEval-2016 files and a quick model trained on them.

// Note: each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temp dir, removed when dropped; the binary runs with it as its working directory.
pub struct TempWorkdir {
    pub dir: tempfile::TempDir,
}

impl TempWorkdir {
    /// A new empty temp dir.
    pub fn new() -> TempWorkdir {
        TempWorkdir {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `name` inside the dir.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `contents` to `name` (creating its folders) and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// The text of `name`; fails the test if it cannot be read.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// The bytes of `name`; fails the test if it cannot be read.
    pub fn read_bytes(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// The `stance` binary, run in the dir, with the default thread count.
    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_stance"));
        c.current_dir(self.dir.path())
            .env_remove("RAYON_NUM_THREADS");
        c
    }

    /// Runs `stance ARGS...` to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }
}

/// Runs `command` to completion with stdout discarded (its stderr, kept, must
/// be short), killing it and failing the test if it takes longer than `limit`.
///
/// A hang guard, not a timing: `limit` is many times what the command needs.
pub fn output_within(mut command: Command, limit: std::time::Duration) -> Output {
    let mut child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// A JSON report without its `provenance` object (which names the command
/// line and the inputs' checksums, so two runs over different files that must
/// give the same statistics differ there and only there). Fails if the
/// report has no provenance, so the comparison cannot hide its loss.
pub fn report_statistics(json: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    let provenance = v
        .as_object_mut()
        .expect("a JSON report is an object")
        .remove("provenance");
    assert!(
        provenance.is_some_and(|p| p["stance_version"].is_string()),
        "the report has a provenance object"
    );
    v
}

/// A file of SemEval-2016 Task 6 (`../shared/data`, read-only, present in CI).
pub fn semeval(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/semeval2016_task6")
        .join(name);
    assert!(p.exists(), "SemEval-2016 data missing at {}", p.display());
    p
}

/// The stdout of a run that must succeed; fails the test with its stderr otherwise.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A path as a command-line argument.
pub fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

impl TempWorkdir {
    /// Trains `model` in the dir on SemEval-shaped `data` (`--topic-col
    /// target`) with `--c 1` (no cross-validation: about a second) and the
    /// `extra` flags; returns the training log (stderr).
    pub fn train_quick(&self, data: &Path, model: &str, extra: &[&str]) -> String {
        let mut args = vec!["train", "--data", arg(data), "--topic-col", "target"];
        args.extend(["--out", model, "--c", "1"]);
        args.extend(extra);
        let out = self.run(&args);
        ok(&out);
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}
