//! Where a run's rows go: stdout, or a file that appears complete or not at all.

use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::atomic::{AtomicFile, Staged};
use crate::error::{Error, Result};

/// Where records go: stdout, or an [`AtomicFile`] that appears complete or not at all.
pub struct Output {
    inner: Inner,
}

// Note: stdout unlocked (locked per buffer flush), so an `Output` can move to a writer thread.
enum Inner {
    Stdout(BufWriter<io::Stdout>),
    File(AtomicFile),
}

/// Write-buffer size of stdout.
const WRITE_BUF: usize = 256 << 10;

impl Output {
    /// Standard output.
    pub fn stdout() -> Output {
        Output {
            inner: Inner::Stdout(BufWriter::with_capacity(WRITE_BUF, io::stdout())),
        }
    }

    /// A file written as [`AtomicFile::create`] says.
    pub fn create(dest: &Path) -> Result<Output> {
        Ok(Output {
            inner: Inner::File(AtomicFile::create(dest)?),
        })
    }

    /// Standard output when `dest` is `None`, else the file.
    pub fn to(dest: Option<&Path>) -> Result<Output> {
        match dest {
            Some(path) => Output::create(path),
            None => Ok(Output::stdout()),
        }
    }

    /// The destination file; `None` for stdout.
    pub fn dest(&self) -> Option<&Path> {
        match &self.inner {
            Inner::Stdout(_) => None,
            Inner::File(file) => Some(file.path()),
        }
    }

    /// Writes all of `bytes`; an error names the destination.
    pub fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.write_all(bytes).map_err(|e| self.error(e))
    }

    /// Makes what was written so far visible on stdout (a pipe may wait for
    /// it); files are left to [`Output::finish`].
    pub fn flush_stdout(&mut self) -> Result<()> {
        match &mut self.inner {
            Inner::Stdout(w) => w.flush().map_err(|e| Error::write(None, e)),
            Inner::File(_) => Ok(()),
        }
    }

    fn error(&self, e: io::Error) -> Error {
        Error::write(self.dest(), e)
    }

    /// Flushes stdout, or finishes the file, which [`commit`](super::atomic::commit) then moves into place.
    pub fn finish(self) -> Result<Option<Staged>> {
        match self.inner {
            Inner::Stdout(mut w) => w.flush().map(|()| None).map_err(|e| Error::io("stdout", e)),
            Inner::File(file) => file.finish().map(Some),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            Inner::Stdout(w) => w.write(buf),
            Inner::File(f) => f.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.inner {
            Inner::Stdout(w) => w.write_all(buf),
            Inner::File(f) => f.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Inner::Stdout(w) => w.flush(),
            Inner::File(f) => f.flush(),
        }
    }
}
