//! A full disk is a clear error that loses nothing: `score` and `train` on a
//! filesystem with no room fail with "No space left on device", exit 1, and leave
//! an existing file at the destination as it was; a full stdout (`/dev/full`) too.
//!
//! The small filesystem is a 64 KiB tmpfs mounted for the test (needs root, as
//! the project's machines and CI run). Each command runs in an empty temporary
//! directory and names the committed data by absolute path, so nothing (a
//! rejects file, say) can be written into the repository.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The binary, run in `dir` (an empty temporary directory).
fn bin(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stance"));
    c.current_dir(dir);
    c
}

/// A committed file or directory, by absolute path.
fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// `score` of the sample articles with the shipped model.
fn score_samples(dir: &Path) -> Command {
    let mut c = bin(dir);
    c.arg("score")
        .arg(repo("data/articles/"))
        .arg("--model")
        .arg(repo("models/default.model"))
        .arg("--quiet");
    c
}

/// A tmpfs of 64 KiB, unmounted on drop.
struct TinyFs {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl TinyFs {
    fn mount() -> TinyFs {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tiny");
        std::fs::create_dir(&path).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(&path)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            ok,
            "cannot mount a tmpfs at {} (this test needs root)",
            path.display()
        );
        TinyFs { _dir: dir, path }
    }
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn score_on_a_full_disk_fails_clearly_and_keeps_the_old_output() {
    let fs = TinyFs::mount();
    let out = fs.path.join("scored.csv");
    std::fs::write(&out, "old content\n").unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let o = score_samples(cwd.path())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old content\n");
    assert_eq!(
        files_in(&fs.path),
        vec!["scored.csv"],
        "a temporary file was left behind"
    );
}

#[test]
fn train_on_a_full_disk_fails_clearly_and_keeps_the_old_model() {
    let fs = TinyFs::mount();
    let model = fs.path.join("m.model");
    std::fs::write(&model, "old model").unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let o = bin(cwd.path())
        .arg("train")
        .arg("--data")
        .arg(repo("data/train.csv"))
        .args(["--c", "1", "--out"])
        .arg(&model)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&model).unwrap(), "old model");
    assert_eq!(
        files_in(&fs.path),
        vec!["m.model"],
        "a temporary file was left behind"
    );
}

#[test]
fn a_full_stdout_is_a_clear_error() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let o = score_samples(cwd.path()).stdout(full).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert_eq!(
        files_in(cwd.path()),
        Vec::<String>::new(),
        "the run left files in its directory"
    );
}
