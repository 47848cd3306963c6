//! Parquet files out: record batches written in row groups through an
//! [`Output`], so a file appears complete or not at all, like the text outputs.
//!
//! Note: a row group is encoded as it fills and written out when full, so
//! memory holds one row group's encoded columns, never the whole output.

use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::atomic::Staged;
use super::output::Output;
use crate::error::{Error, Result};

/// Rows per row group of the Parquet files written.
pub const ROW_GROUP_ROWS: usize = 64 * 1024;

/// Rows a sink gathers before it hands them to the writer as one batch.
pub const BATCH_ROWS: usize = 8 * 1024;

/// A Parquet file (or stdout) being written, one record batch at a time.
pub struct ParquetOut {
    writer: ArrowWriter<Output>,
    dest: Option<PathBuf>,
}

impl ParquetOut {
    /// A file of `schema` at `dest` (stdout when `None`), written as [`Output::to`] says.
    pub fn create(dest: Option<&Path>, schema: SchemaRef) -> Result<ParquetOut> {
        let out = Output::to(dest)?;
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_compression(Compression::SNAPPY)
            .build();
        let dest = dest.map(Path::to_path_buf);
        let writer = ArrowWriter::try_new(out, schema, Some(props))
            .map_err(|e| parquet_error(dest.as_deref(), e))?;
        Ok(ParquetOut { writer, dest })
    }

    /// Appends the rows of `batch` (of the file's schema).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.writer
            .write(batch)
            .map_err(|e| parquet_error(self.dest.as_deref(), e))
    }

    /// Writes the last row group and the footer; the file is then staged
    /// as [`Output::finish`] says.
    pub fn finish(self) -> Result<Option<Staged>> {
        let dest = self.dest;
        let out = self
            .writer
            .into_inner()
            .map_err(|e| parquet_error(dest.as_deref(), e))?;
        out.finish()
    }
}

/// A Parquet writer's error as a write error on `dest`.
fn parquet_error(dest: Option<&Path>, e: parquet::errors::ParquetError) -> Error {
    let io = match e {
        parquet::errors::ParquetError::External(inner) => {
            match inner.downcast::<std::io::Error>() {
                Ok(io) => *io,
                Err(other) => std::io::Error::other(other.to_string()),
            }
        }
        other => std::io::Error::other(other.to_string()),
    };
    Error::write(dest, io)
}
