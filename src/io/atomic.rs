//! Output files that appear complete or not at all: the one writer of models, outputs and reports.
//!
//! What [`AtomicFile::create`] does depends on what the destination is, after
//! following symbolic links to the file they name (a link stays a link):
//!
//! - a regular file, or a name not taken yet: the bytes go to a hidden
//!   temporary file (`.stance-tmp-*`) in the same directory, and [`commit`]
//!   moves it into place once complete. Until then the destination keeps its
//!   old content, and a file dropped without a commit (an error) leaves
//!   nothing behind.
//! - a character device, FIFO or socket (`/dev/null`, `/dev/full`, a named
//!   pipe, `/dev/stdout` on a pipe or terminal): written in place, as a
//!   shell's `>` would, since replacing it would destroy it; its write errors
//!   are reported like any other.
//! - a directory: refused.
//!
//! A run with several outputs finishes each of them (every byte written, see
//! [`AtomicFile::finish`]) before [`commit`] moves any into place, so a
//! failure in one leaves every destination as it was.
//!
//! Nothing but a regular file is ever removed: a temporary file this process
//! created, the old file at a destination it replaces, or a stale output a
//! run asks to remove ([`Staged::removal`]).
//!
//! Every temporary file is registered while it exists, and
//! [`remove_temporary_files`] deletes them all: the binary calls it on
//! SIGINT, SIGTERM and SIGHUP, so only a kill that cannot be caught
//! (SIGKILL) can leave one behind.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::error::{Error, Result};

/// Prefix of the temporary files written beside a destination.
pub const TEMP_PREFIX: &str = ".stance-tmp-";

/// Write-buffer size.
const WRITE_BUF: usize = 256 << 10;

/// Most symbolic links followed from one destination (Linux's own limit).
const MAX_LINKS: usize = 40;

/// A file being written; see the module documentation for where the bytes go.
pub struct AtomicFile {
    writer: BufWriter<File>,
    /// The destination as named, for messages.
    dest: PathBuf,
    /// The temporary file; `None` when the destination is written in place.
    temp: Option<Temporary>,
}

/// A file whose bytes are all written, waiting for [`commit`] to move it into place.
#[must_use = "a staged file reaches its destination only through `commit`"]
pub struct Staged {
    dest: PathBuf,
    temp: Option<Temporary>,
    /// Remove the regular file at `dest` instead (see [`Staged::removal`]).
    remove: bool,
}

impl Staged {
    /// The removal of a stale file at `dest`, done by [`commit`] with the
    /// run's other outputs: a regular file there is removed; a symbolic
    /// link, device, FIFO or directory is left as it is, as is a missing file.
    ///
    /// Note: for an output written only when there is something to write (the
    /// default rejects file), so that an old one does not survive a run that
    /// has nothing to put in it.
    pub fn removal(dest: &Path) -> Staged {
        Staged {
            dest: dest.to_path_buf(),
            temp: None,
            remove: true,
        }
    }
}

impl AtomicFile {
    /// Opens `dest` for writing: a temporary file beside it, or the device or FIFO itself.
    pub fn create(dest: &Path) -> Result<AtomicFile> {
        let (file, temp) = match Destination::of(dest)? {
            Destination::InPlace => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(dest)
                    .map_err(|e| Error::io(dest, e))?;
                (file, None)
            }
            Destination::Replace(target) => {
                let (file, temp) = Temporary::create(dest, target)?;
                (file, Some(temp))
            }
        };
        Ok(AtomicFile {
            writer: BufWriter::with_capacity(WRITE_BUF, file),
            dest: dest.to_path_buf(),
            temp,
        })
    }

    /// The destination as named.
    pub fn path(&self) -> &Path {
        &self.dest
    }

    /// Writes out what is buffered; the file is then complete and ready for [`commit`].
    ///
    /// Note: no fsync: this guards against interrupted runs, not power loss,
    /// and syncing hundreds of megabytes of re-creatable output costs more
    /// than it is worth. See [`AtomicFile::finish_durably`].
    pub fn finish(self) -> Result<Staged> {
        self.finish_with(false)
    }

    /// As [`AtomicFile::finish`], and waits until the disk holds the bytes
    /// (fsync), for files that are costly to make again, such as models.
    pub fn finish_durably(self) -> Result<Staged> {
        self.finish_with(true)
    }

    fn finish_with(self, sync: bool) -> Result<Staged> {
        let AtomicFile { writer, dest, temp } = self;
        let file = writer
            .into_inner()
            .map_err(|e| Error::io(&dest, e.into_error()))?;
        if sync && temp.is_some() {
            file.sync_all().map_err(|e| Error::io(&dest, e))?;
        }
        Ok(Staged {
            dest,
            temp,
            remove: false,
        })
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Moves every staged file into place, in order; call it once all of a run's outputs are finished.
///
/// A SIGINT or SIGTERM handler that calls [`remove_temporary_files`] waits
/// for this to end, so an interrupted run leaves all of these destinations
/// old or all new. Should one move fail (the directory was made read-only
/// during the run, say), the ones before it stay moved and the rest are
/// removed.
pub fn commit(files: impl IntoIterator<Item = Staged>) -> Result<()> {
    let _committing = lock(&COMMITTING);
    for file in files {
        if let Some(temp) = file.temp {
            temp.replace_target(&file.dest)?;
        } else if file.remove {
            if lock(&TEMPORARIES).closed {
                return Err(interrupted(&file.dest));
            }
            match fs::symlink_metadata(&file.dest) {
                Ok(m) if m.is_file() => {
                    fs::remove_file(&file.dest).map_err(|e| Error::io(&file.dest, e))?
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Deletes every temporary file of this process and refuses new ones; for a
/// signal handler that ends the process next.
///
/// A [`commit`] in progress is finished first, so no destination is left
/// missing or half-moved.
pub fn remove_temporary_files() {
    let _committing = lock(&COMMITTING);
    let mut registry = lock(&TEMPORARIES);
    registry.closed = true;
    for path in registry.paths.drain(..) {
        let _ = fs::remove_file(path);
    }
}

/// Checks, before any work, that [`AtomicFile::create`] will take `dest`: it
/// is not a directory, and a file it replaces can have a temporary file beside it.
pub fn check_destination(dest: &Path) -> Result<()> {
    match Destination::of(dest)? {
        Destination::InPlace => Ok(()),
        Destination::Replace(target) => Temporary::create(dest, target).map(drop),
    }
}

/// The file a destination's symbolic links lead to (the destination itself when it is none).
///
/// A link that points nowhere yet is followed too, so writing through it
/// creates the file it names, as a shell's `>` would.
pub(crate) fn follow_links(dest: &Path) -> PathBuf {
    let mut path = dest.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::read_link(&path) {
            Ok(target) => {
                path = match path.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                }
            }
            // Not a link (or nothing there): this is the file.
            Err(_) => break,
        }
    }
    path
}

/// How a destination is written.
enum Destination {
    /// Through a temporary file renamed over this path (the destination with its links followed).
    Replace(PathBuf),
    /// Opened and written as it is.
    InPlace,
}

impl Destination {
    fn of(dest: &Path) -> Result<Destination> {
        let refuse = |reason: &str| Error::Unwritable {
            path: dest.to_path_buf(),
            reason: reason.to_string(),
        };
        match fs::metadata(dest) {
            Ok(m) if m.is_dir() => Err(refuse("it is a directory; name a file to write")),
            Ok(m) if m.is_file() => {
                let target = follow_links(dest);
                // Note: a link the kernel resolves itself, such as
                // `/dev/stdout` -> `/proc/self/fd/1` when that is a file,
                // may not lead to a path that names the same file; such a
                // destination is written in place, like a device.
                match fs::symlink_metadata(&target) {
                    Ok(t) if same_file(&t, &m) => Ok(Destination::Replace(target)),
                    _ => Ok(Destination::InPlace),
                }
            }
            Ok(_) => Ok(Destination::InPlace),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if dest.as_os_str().as_encoded_bytes().ends_with(b"/") {
                    return Err(refuse(
                        "a name ending in `/` is a directory; name a file to write",
                    ));
                }
                Ok(Destination::Replace(follow_links(dest)))
            }
            Err(e) => Err(Error::Unwritable {
                path: dest.to_path_buf(),
                reason: e.to_string(),
            }),
        }
    }
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.is_file() && b.is_file()
}

/// The temporary files that exist, and whether new ones may still be made.
struct Registry {
    paths: Vec<PathBuf>,
    closed: bool,
}

static TEMPORARIES: Mutex<Registry> = Mutex::new(Registry {
    paths: Vec::new(),
    closed: false,
});

/// Held while staged files are moved into place.
static COMMITTING: Mutex<()> = Mutex::new(());

fn lock<T>(mutex: &'static Mutex<T>) -> MutexGuard<'static, T> {
    // Note: the data stays consistent whatever a panicking holder did (a
    // list of paths, a flag), so a poisoned lock is used as it is.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A registered temporary file; removed when dropped, unless it was moved into place.
struct Temporary {
    path: PathBuf,
    /// The file it will replace (the destination with its links followed).
    target: PathBuf,
    moved: bool,
}

impl Temporary {
    /// A new empty temporary file in `target`'s directory.
    fn create(dest: &Path, target: PathBuf) -> Result<(File, Temporary)> {
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // Note: the lock is held from creation to registration, so a signal
        // in between cannot miss the file.
        let mut registry = lock(&TEMPORARIES);
        if registry.closed {
            return Err(interrupted(dest));
        }
        let (file, path) = new_file_in(&dir).map_err(|e| Error::Unwritable {
            path: dest.to_path_buf(),
            reason: format!(
                "its directory {} does not accept new files ({e})",
                dir.display()
            ),
        })?;
        registry.paths.push(path.clone());
        let temp = Temporary {
            path,
            target,
            moved: false,
        };
        Ok((file, temp))
    }

    /// Puts the temporary file's bytes at the target.
    fn replace_target(mut self, dest: &Path) -> Result<()> {
        if lock(&TEMPORARIES).closed {
            return Err(interrupted(dest));
        }
        match fs::symlink_metadata(&self.target) {
            Ok(m) if m.is_file() => {
                // Note: renaming over an existing file made ext4
                // (`auto_da_alloc`) write the whole new file back to disk
                // inside the rename: 0.09-0.15 s of a 2.9 s run scoring
                // 100 MB. Exchanging the two names does not (100 MB, median
                // of 9: rename over 0.071 s, exchange and unlink 0.025 s,
                // remove and rename 0.026 s), and the destination is never
                // missing, as it was between the remove and the rename;
                // dropping `self` then removes the old file from the
                // temporary name. Where the file system cannot exchange, a
                // plain rename gives the same result.
                if exchange(&self.path, &self.target).is_ok() {
                    return Ok(());
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Ok(_) => {
                return Err(Error::Unwritable {
                    path: dest.to_path_buf(),
                    reason: "it stopped being a regular file during the run; left as it is".into(),
                })
            }
            Err(e) => return Err(Error::io(dest, e)),
        }
        fs::rename(&self.path, &self.target).map_err(|e| Error::io(dest, e))?;
        self.moved = true;
        Ok(())
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        let mut registry = lock(&TEMPORARIES);
        // Note: a path no longer registered was removed by `remove_temporary_files`.
        if let Some(i) = registry.paths.iter().position(|p| *p == self.path) {
            registry.paths.swap_remove(i);
            if !self.moved {
                let _ = fs::remove_file(&self.path);
            }
        }
    }
}

/// A new empty file with an unused name in `dir`, and that name.
fn new_file_in(dir: &Path) -> io::Result<(File, PathBuf)> {
    let mut options = OpenOptions::new();
    // Note: `create_new` never opens what is already there (nor follows a
    // link planted under the name).
    options.write(true).create_new(true);
    // Note: outputs get the usual 0666 less umask.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o666);
    for _ in 0..100 {
        let path = dir.join(format!("{TEMP_PREFIX}{:016x}", random_u64()));
        match options.open(&path) {
            Ok(file) => return Ok((file, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::ErrorKind::AlreadyExists.into())
}

/// 64 random bits (std's per-process random hash keys).
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

fn interrupted(dest: &Path) -> Error {
    Error::Unwritable {
        path: dest.to_path_buf(),
        reason: "interrupted".into(),
    }
}

/// Swaps two paths' files in one step (`renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn write(dest: &Path, bytes: &[u8]) -> Result<()> {
        let mut file = AtomicFile::create(dest)?;
        file.write_all(bytes).map_err(|e| Error::io(dest, e))?;
        commit([file.finish()?])
    }

    #[test]
    fn appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.csv");
        let mut file = AtomicFile::create(&dest).unwrap();
        file.write_all(b"partial").unwrap();
        file.flush().unwrap();
        assert!(!dest.exists());
        drop(file);
        assert!(names(dir.path()).is_empty());

        fs::write(&dest, "old\n").unwrap();
        let mut file = AtomicFile::create(&dest).unwrap();
        file.write_all(b"new\n").unwrap();
        assert_eq!(file.path(), dest);
        let staged = file.finish().unwrap();
        assert_eq!(fs::read_to_string(&dest).unwrap(), "old\n");
        drop(staged);
        assert_eq!(fs::read_to_string(&dest).unwrap(), "old\n");
        assert_eq!(names(dir.path()), ["out.csv"]);

        write(&dest, b"whole\n").unwrap();
        assert_eq!(fs::read_to_string(&dest).unwrap(), "whole\n");
        assert_eq!(names(dir.path()), ["out.csv"]);
    }

    #[test]
    fn several_files_move_only_when_all_are_complete() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::write(&a, "old a").unwrap();
        let mut fa = AtomicFile::create(&a).unwrap();
        let mut fb = AtomicFile::create(&b).unwrap();
        fa.write_all(b"new a").unwrap();
        fb.write_all(b"new b").unwrap();
        let staged = vec![fa.finish().unwrap(), fb.finish().unwrap()];
        assert_eq!(fs::read_to_string(&a).unwrap(), "old a");
        assert!(!b.exists());
        commit(staged).unwrap();
        assert_eq!(fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(fs::read_to_string(&b).unwrap(), "new b");
        assert_eq!(names(dir.path()), ["a", "b"]);
    }

    #[test]
    fn symbolic_links_stay_and_their_targets_are_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        let target = sub.join("real.csv");
        fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("sub/real.csv", &link).unwrap();
        let chain = dir.path().join("chain.csv");
        std::os::unix::fs::symlink("link.csv", &chain).unwrap();
        write(&chain, b"new").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
        assert!(fs::symlink_metadata(&chain).unwrap().is_symlink());
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(names(&sub), ["real.csv"]);

        // A link to nothing yet creates the file it names.
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink("sub/made.csv", &dangling).unwrap();
        write(&dangling, b"made").unwrap();
        assert_eq!(fs::read_to_string(sub.join("made.csv")).unwrap(), "made");
        assert!(fs::symlink_metadata(&dangling).unwrap().is_symlink());
    }

    #[test]
    fn a_removal_removes_only_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let (stale, kept) = (dir.path().join("stale.csv"), dir.path().join("kept.csv"));
        fs::write(&stale, "old").unwrap();
        fs::write(&kept, "kept").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("kept.csv", &link).unwrap();
        let staged = Staged::removal(&stale);
        assert!(stale.exists(), "nothing happens before the commit");
        commit([
            staged,
            Staged::removal(&link),
            Staged::removal(&dir.path().join("none.csv")),
            Staged::removal(dir.path()),
        ])
        .unwrap();
        assert_eq!(names(dir.path()), ["kept.csv", "link.csv"]);
        assert_eq!(fs::read_to_string(&link).unwrap(), "kept");
    }

    #[test]
    fn fifos_are_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        write(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert!(std::os::unix::fs::FileTypeExt::is_fifo(
            &fs::symlink_metadata(&fifo).unwrap().file_type()
        ));
        assert_eq!(names(dir.path()), ["pipe"]);
    }

    #[test]
    fn directories_are_refused_before_anything_is_made() {
        let dir = tempfile::tempdir().unwrap();
        for dest in [dir.path().to_path_buf(), dir.path().join("missing/")] {
            let e = check_destination(&dest).unwrap_err().to_string();
            assert!(e.contains("directory"), "{e}");
            let e = AtomicFile::create(&dest).err().unwrap().to_string();
            assert!(e.contains("directory"), "{e}");
        }
        let e = check_destination(&dir.path().join("no/such/x.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not accept new files"), "{e}");
        check_destination(&dir.path().join("x.csv")).unwrap();
        assert!(names(dir.path()).is_empty());
    }
}
