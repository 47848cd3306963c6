//! The provenance a report carries: the clock, the command line and the
//! inputs as the CLI sees them, handed to the library.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::model::TrainingMeta;
use crate::report::{InputFile, ModelProvenance, Provenance};

/// The environment variable that fixes the generated-at time (Unix seconds),
/// as in <https://reproducible-builds.org/specs/source-date-epoch/>.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// `SOURCE_DATE_EPOCH` (Unix seconds) when set; an error names a value that is not one.
pub fn source_date_epoch() -> anyhow::Result<Option<i64>> {
    match std::env::var(SOURCE_DATE_EPOCH) {
        Ok(v) => match v.trim().parse::<i64>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => bail!("{SOURCE_DATE_EPOCH}={v:?} is not a whole number of seconds"),
        },
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("{SOURCE_DATE_EPOCH} is not valid UTF-8")
        }
        Err(std::env::VarError::NotPresent) => Ok(None),
    }
}

/// The report's generation time: `SOURCE_DATE_EPOCH` when set, else now.
fn generated_at() -> anyhow::Result<i64> {
    Ok(source_date_epoch()?.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    }))
}

/// Provenance of a report over `inputs` (as given on the command line),
/// with the model file at `model` when there is one.
pub fn provenance(
    inputs: &[PathBuf],
    model: Option<(&Path, &TrainingMeta)>,
) -> anyhow::Result<Provenance> {
    let command_line = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut p = Provenance::new(generated_at()?, command_line);
    p.model = model.map(|(path, meta)| {
        if super::is_embedded_model(path) {
            return ModelProvenance::of_bytes(
                &path.display().to_string(),
                super::EMBEDDED_MODEL,
                meta,
            );
        }
        // Note: a model file that loaded but cannot be read again (removed
        // since) is described by its meta alone, without a checksum.
        ModelProvenance::of_file(path, meta).unwrap_or_else(|_| ModelProvenance {
            path: path.display().to_string(),
            sha256: String::new(),
            bytes: 0,
            trained_by: meta.trained_by.clone(),
            training_rows: meta.n_rows,
            training_data_sha256: meta.data_sha256.clone(),
            training_files: Vec::new(),
            trained_at: meta.trained_at.clone(),
            file_modified: None,
        })
    });
    for input in inputs {
        p.inputs.push(
            InputFile::of_path(input)
                .with_context(|| format!("cannot read {}", input.display()))?,
        );
    }
    Ok(p)
}
