//! Saving a model: its bytes ([`StanceModel::to_bytes`]) through the atomic writer.
//!
//! Note: the model stage makes the bytes and io writes files; an inherent
//! method here keeps `model.save(path)` without the model stage importing io.

use std::io::Write;
use std::path::Path;

use super::atomic::{commit, AtomicFile};
use crate::error::{Error, Result};
use crate::model::StanceModel;

impl StanceModel {
    /// Writes the model to `path` as [`AtomicFile`] does (a temporary file
    /// beside it, synced to disk, then moved into place; a device in place).
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut file = AtomicFile::create(path)?;
        file.write_all(&self.to_bytes())
            .map_err(|e| Error::io(path, e))?;
        commit([file.finish_durably()?])
    }
}
