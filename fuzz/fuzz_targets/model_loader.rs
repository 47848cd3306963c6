//! Bytes -> `StanceModel::load`, never a panic. Each input is tried twice:
//!
//! 1. raw, as the whole model file (magic, version, length, checksum checks);
//! 2. as the *payload*, wrapped in a valid preamble and SHA-256 checksum, so the
//!    fuzzer gets past the integrity checks into the payload parser (header
//!    JSON, vocabulary, idf, weights). Seeds in corpus/model_loader/ include
//!    both a real small model file and its bare payload.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use stance::model::{FORMAT_VERSION, MAGIC};
use stance::model::StanceModel;

fn path() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| std::env::temp_dir().join(format!("stance-fuzz-model-{}.model", std::process::id())))
}

fn check(p: &PathBuf) {
    if let Ok(model) = StanceModel::load(p) {
        // A model that loads must save and load again, and from then on
        // serialize to the same bytes (the header JSON of a fuzzed file may be
        // spelled differently, so only the second round must be identical).
        let bytes = model.to_bytes();
        std::fs::write(p, &bytes).expect("write temp file");
        let again = StanceModel::load(p).expect("a re-serialized model failed to load");
        assert_eq!(bytes, again.to_bytes(), "re-serialized model is not stable");
    }
}

fuzz_target!(|data: &[u8]| {
    let p = path();
    std::fs::write(p, data).expect("write temp file");
    check(p);

    let mut wrapped = Vec::with_capacity(data.len() + 52);
    wrapped.extend_from_slice(MAGIC);
    wrapped.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    wrapped.extend_from_slice(&(data.len() as u64).to_le_bytes());
    wrapped.extend_from_slice(data);
    wrapped.extend_from_slice(&Sha256::digest(data));
    std::fs::write(p, &wrapped).expect("write temp file");
    check(p);
});
