//! A run's outputs, checked before any work: each can be written, none is
//! one of the run's inputs, and no two are the same file.

use std::ffi::OsString;
use std::fs;
use std::path::Path;

use super::atomic::{check_destination, follow_links};
use crate::error::{Error, Result};

/// Checks every output of a run against its inputs and against each other, before any work.
///
/// `-` is stdin among the inputs and stdout among the outputs. Files are
/// compared by identity (device and inode), so any other name for the same
/// file is caught: a symbolic or hard link, `./`, `../`. An output that does
/// not exist yet is compared with the other outputs by its directory and
/// name. Only regular files are compared: a terminal, pipe or device can be
/// read and written at once without losing anything.
///
/// Each output that is a file must also pass the destination check the
/// atomic writer runs (a directory, for one, is refused).
pub fn check_outputs(inputs: &[&Path], outputs: &[&Path]) -> Result<()> {
    for out in outputs.iter().filter(|p| !is_dash(p)) {
        check_destination(out)?;
    }
    let inputs: Vec<(&Path, FileId)> = inputs
        .iter()
        .filter_map(|p| Some((*p, FileId::of_input(p)?)))
        .collect();
    let mut seen: Vec<(&Path, OutputKey)> = Vec::new();
    for out in outputs {
        let Some(key) = OutputKey::of(out) else {
            continue;
        };
        if let OutputKey::Existing(id) = &key {
            if let Some((input, _)) = inputs.iter().find(|(_, i)| i == id) {
                let reason = if input == out {
                    "it is both an input and an output".to_string()
                } else {
                    format!(
                        "it is both an input and an output (the same file as {})",
                        shown(input, "stdin")
                    )
                };
                return Err(refuse(out, reason));
            }
        }
        // Note: stdout may carry two outputs (statements and rejects) by design.
        if is_dash(out) {
            continue;
        }
        if let Some((first, _)) = seen.iter().find(|(_, k)| *k == key) {
            let reason = format!("it is named for two outputs (also as {})", first.display());
            return Err(refuse(out, reason));
        }
        seen.push((out, key));
    }
    Ok(())
}

fn is_dash(p: &Path) -> bool {
    p.as_os_str() == "-"
}

/// `path` for messages, or `stream` for `-`.
fn shown(path: &Path, stream: &str) -> String {
    if is_dash(path) {
        stream.to_string()
    } else {
        path.display().to_string()
    }
}

fn refuse(out: &Path, reason: String) -> Error {
    Error::Unwritable {
        path: shown(out, "stdout").into(),
        reason,
    }
}

/// Which file this is: device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// The identity of a regular file; `None` for anything else.
    fn of_regular(m: &fs::Metadata) -> Option<FileId> {
        m.is_file().then(|| FileId::of(m)).flatten()
    }

    #[cfg(unix)]
    fn of(m: &fs::Metadata) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt;
        Some(FileId {
            dev: m.dev(),
            ino: m.ino(),
        })
    }

    // Note: elsewhere std has no stable file identity, so nothing is compared.
    #[cfg(not(unix))]
    fn of(_m: &fs::Metadata) -> Option<FileId> {
        None
    }

    /// An input's identity: the file it names, or stdin for `-`.
    fn of_input(path: &Path) -> Option<FileId> {
        let m = if is_dash(path) {
            stream_metadata(&std::io::stdin())?
        } else {
            fs::metadata(path).ok()?
        };
        FileId::of_regular(&m)
    }
}

/// What an output will write to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum OutputKey {
    /// A file that exists (stdout when `-` names a regular file).
    Existing(FileId),
    /// A file to be made: its directory and name.
    New { dir: FileId, name: OsString },
}

impl OutputKey {
    fn of(out: &Path) -> Option<OutputKey> {
        if is_dash(out) {
            let m = stream_metadata(&std::io::stdout())?;
            return FileId::of_regular(&m).map(OutputKey::Existing);
        }
        match fs::metadata(out) {
            Ok(m) => FileId::of_regular(&m).map(OutputKey::Existing),
            Err(_) => {
                let target = follow_links(out);
                let name = target.file_name()?.to_os_string();
                let dir = match target.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                let dir = FileId::of(&fs::metadata(dir).ok()?)?;
                Some(OutputKey::New { dir, name })
            }
        }
    }
}

/// What stdin or stdout is connected to.
#[cfg(unix)]
fn stream_metadata(stream: &impl std::os::fd::AsFd) -> Option<fs::Metadata> {
    let fd = stream.as_fd().try_clone_to_owned().ok()?;
    fs::File::from(fd).metadata().ok()
}

#[cfg(not(unix))]
fn stream_metadata<T>(_stream: &T) -> Option<fs::Metadata> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_name_for_an_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let input = d.join("in.csv");
        fs::write(&input, "text,topic\n").unwrap();
        fs::create_dir(d.join("sub")).unwrap();
        std::os::unix::fs::symlink("in.csv", d.join("link.csv")).unwrap();
        fs::hard_link(&input, d.join("hard.csv")).unwrap();
        for out in [
            input.clone(),
            d.join("./in.csv"),
            d.join("sub/../in.csv"),
            d.join("link.csv"),
            d.join("hard.csv"),
        ] {
            let e = check_outputs(&[&input], &[&out]).unwrap_err().to_string();
            assert!(e.contains("both an input and an output"), "{e}");
            assert!(e.contains(&out.display().to_string()), "{e}");
        }
        check_outputs(&[&input], &[&d.join("new.csv")]).unwrap();
        assert_eq!(fs::read_to_string(&input).unwrap(), "text,topic\n");
    }

    #[test]
    fn two_names_for_one_output_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir(d.join("sub")).unwrap();
        let a = d.join("a.csv");
        let e = check_outputs(&[], &[&a, &d.join("sub/../a.csv")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("named for two outputs"), "{e}");
        fs::write(&a, "").unwrap();
        std::os::unix::fs::symlink("a.csv", d.join("b.csv")).unwrap();
        let e = check_outputs(&[], &[&a, &d.join("b.csv")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("named for two outputs"), "{e}");
        check_outputs(&[], &[&a, &d.join("c.csv"), Path::new("-"), Path::new("-")]).unwrap();
    }

    #[test]
    fn devices_are_not_compared() {
        let null = Path::new("/dev/null");
        check_outputs(&[null], &[null]).unwrap();
    }
}
