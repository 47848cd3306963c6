//! The shipped default model, `models/default.model`: reproducible byte for byte
//! from the committed data with the documented command, and meeting the product
//! targets on the held-out split.
//!
//! Both tests run the real binary with the crate root as working directory (so
//! the documented relative paths are the ones used) and write only into a temp dir.

use std::path::Path;
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

/// Product targets for the default model on `data/test.csv`, from the issue
/// that asked for it: not tuned to the current numbers.
const TOPIC_MACRO_F1_TARGET: f64 = 0.90;
const JOINT_ACCURACY_TARGET: f64 = 0.75;

/// The shipped model's training date (`SOURCE_DATE_EPOCH`, Unix seconds):
/// the last commit of its training data, 2026-12-06T02:15:39Z, from
/// `git log -1 --format=%ct -- data/train.csv data/labelled_articles/train.csv`.
const TRAINED_AT: &str = "1796523339";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run from the crate root.
fn stance(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_stance"))
        .current_dir(root())
        .env_remove("RAYON_NUM_THREADS")
        // Note: the training date is part of the file; `train` takes it
        // only from SOURCE_DATE_EPOCH (it has no effect on `evaluate`).
        .env("SOURCE_DATE_EPOCH", TRAINED_AT)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stance {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn sha256_of(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    format!("{:x}", Sha256::digest(bytes))
}

#[test]
fn the_default_model_is_reproducible_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("default.model");
    // The documented command (the one that made the committed file), with only
    // --out redirected to the temp dir.
    stance(&[
        "train",
        "--data",
        "data/train.csv",
        "--data",
        "data/labelled_articles/train.csv",
        "--article-col",
        "article_id",
        "--calibrate",
        "--out",
        out.to_str().unwrap(),
        "--class-weight",
        "balanced",
        "--sublinear-tf",
    ]);
    assert_eq!(
        sha256_of(&out),
        sha256_of(&root().join("models/default.model")),
        "retraining gives a different file: rerun the command above into \
         models/default.model if the change is intended"
    );
}

#[test]
fn the_default_model_meets_the_targets_on_the_test_split() {
    let out = stance(&[
        "evaluate",
        "--model",
        "models/default.model",
        "--data",
        "data/test.csv",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["n"], 700);
    let topic_f1 = v["topic"]["macro_f1"].as_f64().unwrap();
    let joint = v["joint_accuracy"].as_f64().unwrap();
    assert!(
        topic_f1 >= TOPIC_MACRO_F1_TARGET,
        "topic macro-F1 {topic_f1:.4} < {TOPIC_MACRO_F1_TARGET}"
    );
    assert!(
        joint >= JOINT_ACCURACY_TARGET,
        "joint accuracy {joint:.4} < {JOINT_ACCURACY_TARGET}"
    );
}
