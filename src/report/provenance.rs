//! What produced a report: the model, the inputs, the command line, the
//! `stance` version and the time, so a page or JSON file found later says
//! where its numbers came from.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::TrainingMeta;

/// Inputs larger than this are listed with their size but not hashed.
///
/// Note: "checksums where cheap": hashing reads the file a second time, which
/// is noise next to scoring up to a few hundred MB and a real cost past that.
pub const MAX_HASHED_BYTES: u64 = 256 * 1024 * 1024;

/// Provenance of a report (JSON `provenance`; `null` when the caller gave none).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// The `stance` version that wrote the report.
    pub stance_version: String,
    /// When the report was generated, RFC 3339 UTC (`2024-05-01T12:00:00Z`).
    pub generated_at: String,
    /// The command line, one argument per entry (lossy UTF-8).
    pub command_line: Vec<String>,
    /// The model the statements were scored or checked with, if one was given.
    pub model: Option<ModelProvenance>,
    /// The input files, in the order given.
    pub inputs: Vec<InputFile>,
}

/// A model file and what its meta says about its training.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelProvenance {
    /// The path as given.
    pub path: String,
    /// SHA-256 of the model file's bytes (lowercase hex).
    pub sha256: String,
    /// Size of the model file.
    pub bytes: u64,
    /// The `stance` version that trained it (from the model's meta).
    pub trained_by: String,
    /// Rows it was trained on.
    pub training_rows: usize,
    /// SHA-256 of all training data (the files' bytes concatenated, in order).
    pub training_data_sha256: String,
    /// Each training file's SHA-256 and rows, when the model records them.
    pub training_files: Vec<TrainingFile>,
    /// The training date from the model's meta (RFC 3339 UTC); `None` when
    /// the model records none (trained without `SOURCE_DATE_EPOCH`, or older).
    pub trained_at: Option<String>,
    /// The model file's modification time (RFC 3339 UTC), shown in place of
    /// the training date when the model records none; `None` if unavailable.
    pub file_modified: Option<String>,
}

/// One training file as the model's meta records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingFile {
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Rows read from it.
    pub rows: usize,
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputFile {
    /// The path as given (`-` for stdin).
    pub path: String,
    /// Its size, when it is a regular file.
    pub bytes: Option<u64>,
    /// SHA-256 of its bytes, for regular files up to `MAX_HASHED_BYTES` (256 MiB).
    pub sha256: Option<String>,
}

impl Provenance {
    /// Provenance generated at `epoch_seconds` (Unix time, UTC) by `command_line`.
    pub fn new(epoch_seconds: i64, command_line: Vec<String>) -> Provenance {
        Provenance {
            stance_version: env!("CARGO_PKG_VERSION").to_string(),
            generated_at: rfc3339(epoch_seconds),
            command_line,
            model: None,
            inputs: Vec::new(),
        }
    }
}

impl ModelProvenance {
    /// The model file whose bytes are `bytes` (one built into a binary, say),
    /// named `name`, with the training facts of `meta`.
    pub fn of_bytes(name: &str, bytes: &[u8], meta: &TrainingMeta) -> ModelProvenance {
        ModelProvenance {
            path: name.to_string(),
            sha256: format!("{:x}", Sha256::digest(bytes)),
            bytes: bytes.len() as u64,
            trained_by: meta.trained_by.clone(),
            training_rows: meta.n_rows,
            training_data_sha256: meta.data_sha256.clone(),
            training_files: training_files(meta),
            trained_at: meta.trained_at.clone(),
            file_modified: None,
        }
    }

    /// Hashes the model file at `path` and copies the training facts of `meta`.
    pub fn of_file(path: &Path, meta: &TrainingMeta) -> io::Result<ModelProvenance> {
        let (sha256, bytes) = sha256_of(path)?;
        let file_modified = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_secs()).ok())
            .map(rfc3339);
        Ok(ModelProvenance {
            path: path.display().to_string(),
            sha256,
            bytes,
            trained_by: meta.trained_by.clone(),
            training_rows: meta.n_rows,
            training_data_sha256: meta.data_sha256.clone(),
            training_files: training_files(meta),
            trained_at: meta.trained_at.clone(),
            file_modified,
        })
    }
}

impl InputFile {
    /// Size and (for regular files up to `MAX_HASHED_BYTES`) checksum of
    /// the input at `path`; stdin (`-`) and pipes get neither.
    pub fn of_path(path: &Path) -> io::Result<InputFile> {
        let mut file = InputFile {
            path: path.display().to_string(),
            bytes: None,
            sha256: None,
        };
        if path.as_os_str() == "-" {
            return Ok(file);
        }
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Ok(file);
        }
        file.bytes = Some(meta.len());
        if meta.len() <= MAX_HASHED_BYTES {
            file.sha256 = Some(sha256_of(path)?.0);
        }
        Ok(file)
    }
}

/// The training files `meta` records.
fn training_files(meta: &TrainingMeta) -> Vec<TrainingFile> {
    meta.data_files
        .iter()
        .map(|f| TrainingFile {
            sha256: f.sha256.clone(),
            rows: f.rows,
        })
        .collect()
}

/// SHA-256 (lowercase hex) and length of a file's bytes.
fn sha256_of(path: &Path) -> io::Result<(String, u64)> {
    let mut f = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((format!("{:x}", hasher.finalize()), total))
}

/// Unix seconds as RFC 3339 UTC, `1970-01-01T00:00:00Z`.
pub fn rfc3339(epoch_seconds: i64) -> String {
    let days = epoch_seconds.div_euclid(86_400);
    let secs = epoch_seconds.rem_euclid(86_400);
    let (year, month, day) = crate::io::civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Note: expected strings from GNU `date -u -d @N +%Y-%m-%dT%H:%M:%SZ`.
    #[test]
    fn rfc3339_matches_gnu_date() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_714_564_800), "2024-05-01T12:00:00Z");
        assert_eq!(rfc3339(1_735_689_599), "2024-12-31T23:59:59Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn inputs_are_hashed_and_stdin_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.csv");
        std::fs::write(&p, b"abc").unwrap();
        let f = InputFile::of_path(&p).unwrap();
        assert_eq!(f.bytes, Some(3));
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            f.sha256.as_deref(),
            Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        let stdin = InputFile::of_path(Path::new("-")).unwrap();
        assert_eq!((stdin.bytes, stdin.sha256), (None, None));
        assert!(InputFile::of_path(&dir.path().join("missing")).is_err());
    }
}
