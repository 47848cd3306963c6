//! Writing outputs never destroys anything, in every subcommand:
//!
//! - an output that is one of the run's inputs (by any name: a symbolic or
//!   hard link, `./`, `../`; stdout appended to an input) is refused before
//!   any work;
//! - a device or FIFO at an output path is written in place and its errors
//!   reported; a symbolic link keeps pointing at its target, which is
//!   replaced; a directory is refused as a directory;
//! - a run's outputs move into place together: one that fails leaves every
//!   destination as it was;
//! - SIGINT and SIGTERM remove the temporary files;
//! - a full stdout names stdout.
//!
//! Each case runs the real binary in its own temp dir. Device nodes are made
//! with mknod and the small file system is a tmpfs mounted for the test: both
//! need root (as CI runs); without it those parts say so and are skipped.

mod common;

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::TempWorkdir;

/// Prefix of the temporary files the binary writes beside a destination.
const TMP_PREFIX: &str = ".stance-tmp-";

/// A small labelled set: `--min-df 1 --c 1` trains on it in milliseconds.
const LABELLED: &str = "text,topic,stance
The minister praised the new dam on the river.,water,favor
Farmers condemned the cuts to irrigation canals.,water,against
Officials discussed the water treatment plant.,water,neutral
Residents welcomed the electricity grid upgrade.,energy,favor
The council rejected the oil refinery expansion.,energy,against
A spokesman reported on the gas power station.,energy,neutral
";

const TRAIN: [&str; 5] = ["train", "--data", "labelled.csv", "--min-df", "1"];

fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A temp dir with `articles.csv` (the sample articles), `m.model` (the
/// shipped model), `labelled.csv` and `sc.csv` (the articles scored).
fn workdir() -> TempWorkdir {
    let w = TempWorkdir::new();
    std::fs::copy(
        crate_path("data/articles/articles.csv"),
        w.path("articles.csv"),
    )
    .unwrap();
    std::fs::copy(crate_path("models/default.model"), w.path("m.model")).unwrap();
    w.write("labelled.csv", LABELLED);
    ok(
        &w,
        &[
            "score",
            "--model",
            "m.model",
            "articles.csv",
            "--out",
            "sc.csv",
            "--quiet",
        ],
    );
    w
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `args` (with `--c 1` for train) and fails the test unless it succeeds.
fn ok(w: &TempWorkdir, args: &[&str]) -> Output {
    let o = w.run(&with_c(args));
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    o
}

/// `args`, with `--c 1` added to a `train` (no cross-validation: fast).
fn with_c<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut v = args.to_vec();
    if args.first() == Some(&"train") {
        v.extend(["--c", "1"]);
    }
    v
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(TMP_PREFIX))
        .collect()
}

/// Asserts `stance ARGS` exits 1 with only an error line naming `message`:
/// nothing was read or trained first.
fn refused(w: &TempWorkdir, args: &[&str], message: &str) {
    let o = w.run(&with_c(args));
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {e}");
    assert!(e.contains(message), "{args:?}: {e}");
    assert!(
        e.starts_with("error: ") && e.lines().count() == 1,
        "{args:?}: work began before the refusal:\n{e}"
    );
}

#[test]
fn an_output_that_is_an_input_is_refused_before_any_work() {
    let w = workdir();
    std::fs::create_dir(w.path("sub")).unwrap();
    std::os::unix::fs::symlink("labelled.csv", w.path("link.csv")).unwrap();
    std::fs::hard_link(w.path("labelled.csv"), w.path("hard.csv")).unwrap();
    std::os::unix::fs::symlink("articles.csv", w.path("articles-link.csv")).unwrap();
    std::fs::hard_link(w.path("m.model"), w.path("hard.model")).unwrap();
    let before: Vec<(&str, Vec<u8>)> = ["labelled.csv", "articles.csv", "m.model", "sc.csv"]
        .into_iter()
        .map(|n| (n, w.read_bytes(n)))
        .collect();
    let both = "both an input and an output";

    for out in [
        "labelled.csv",
        "./labelled.csv",
        "sub/../labelled.csv",
        "link.csv",
        "hard.csv",
    ] {
        let mut args = TRAIN.to_vec();
        args.extend(["--out", out]);
        refused(&w, &args, both);
    }
    let score = ["score", "--model", "m.model", "articles.csv", "--quiet"];
    for extra in [
        &["--out", "m.model"][..],
        &["--out", "s.csv", "--articles-out", "articles-link.csv"],
        &["--out", "s.csv", "--report", "hard.model"],
        &["--out", "s.csv", "--rejects", "./articles.csv"],
    ] {
        let mut args = score.to_vec();
        args.extend_from_slice(extra);
        refused(&w, &args, both);
    }
    refused(&w, &["report", "sc.csv", "--out", "sc.csv"], both);
    refused(&w, &["report", "sc.csv", "--out", "sub/../sc.csv"], both);
    refused(
        &w,
        &[
            "report",
            "sc.csv",
            "--model",
            "m.model",
            "--top-terms",
            "3",
            "--out",
            "hard.model",
        ],
        both,
    );

    // stdout appended to an input: `stance evaluate ... >> labelled.csv`.
    for args in [
        &["evaluate", "--model", "m.model", "--data", "labelled.csv"][..],
        &["score", "--model", "m.model", "labelled.csv", "--quiet"],
    ] {
        let append = std::fs::OpenOptions::new()
            .append(true)
            .open(w.path("labelled.csv"))
            .unwrap();
        let o = w.command().args(args).stdout(append).output().unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {e}");
        assert!(
            e.contains("cannot write stdout: it is both"),
            "{args:?}: {e}"
        );
    }

    for (name, bytes) in before {
        assert!(w.read_bytes(name) == bytes, "{name} changed");
    }
    assert!(!w.path("s.csv").exists());
    assert!(temp_files(w.dir.path()).is_empty());
}

/// `mknod PATH c MAJOR MINOR`; false (after saying why) where that is not permitted.
fn mknod(path: &Path, major: u32, minor: u32) -> bool {
    let o = Command::new("mknod")
        .arg(path)
        .args(["c", &major.to_string(), &minor.to_string()])
        .output()
        .unwrap();
    if !o.status.success() {
        eprintln!(
            "skipped: cannot make device nodes here (this part needs root): {}",
            stderr(&o)
        );
    }
    o.status.success()
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// The device number of a character device at `path`; fails the test if it is not one.
fn char_device(path: &Path) -> u64 {
    let m = std::fs::symlink_metadata(path).unwrap();
    assert!(
        m.file_type().is_char_device(),
        "{} was replaced by a {:?}",
        path.display(),
        m.file_type()
    );
    m.rdev()
}

/// The commands that write one output, each with `--out` to come.
fn writers() -> [Vec<&'static str>; 3] {
    [
        vec!["score", "--model", "m.model", "articles.csv", "--quiet"],
        TRAIN.to_vec(),
        vec!["report", "sc.csv"],
    ]
}

#[test]
fn devices_and_fifos_are_written_in_place() {
    let w = workdir();
    let (full, null) = (w.path("full"), w.path("null"));
    if !(mknod(&full, 1, 7) && mknod(&null, 1, 3)) {
        return;
    }
    let (full_dev, null_dev) = (char_device(&full), char_device(&null));
    for args in writers() {
        let mut to_full = args.clone();
        to_full.extend(["--out", "full"]);
        let o = w.run(&with_c(&to_full));
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{to_full:?}: {e}");
        assert!(
            e.contains("full") && e.contains("No space left on device"),
            "{to_full:?}: {e}"
        );
        assert_eq!(char_device(&full), full_dev);

        let mut to_null = args.clone();
        to_null.extend(["--out", "null"]);
        ok(&w, &to_null);
        assert_eq!(char_device(&null), null_dev);

        // A FIFO gets the same bytes a file does.
        let mut to_file = args.clone();
        to_file.extend(["--out", "plain.out"]);
        ok(&w, &to_file);
        let fifo = w.path("out.fifo");
        mkfifo(&fifo);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        let mut to_fifo = args.clone();
        to_fifo.extend(["--out", "out.fifo"]);
        ok(&w, &to_fifo);
        assert!(
            reader.join().unwrap() == w.read_bytes("plain.out"),
            "{to_fifo:?}"
        );
        assert!(std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo());
        std::fs::remove_file(&fifo).unwrap();
    }
    assert!(temp_files(w.dir.path()).is_empty());
}

#[test]
fn a_symbolic_link_keeps_pointing_at_its_replaced_target() {
    let w = workdir();
    std::fs::create_dir(w.path("real")).unwrap();
    for args in writers() {
        w.write("real/target.out", "old");
        let link = w.path("link.out");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink("real/target.out", &link).unwrap();
        let mut to_link = args.clone();
        to_link.extend(["--out", "link.out"]);
        ok(&w, &to_link);
        let mut to_file = args.clone();
        to_file.extend(["--out", "plain.out"]);
        ok(&w, &to_file);
        assert!(
            std::fs::symlink_metadata(&link).unwrap().is_symlink(),
            "{to_link:?} replaced the link"
        );
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            Path::new("real/target.out")
        );
        assert!(
            w.read_bytes("real/target.out") == w.read_bytes("plain.out"),
            "{to_link:?}: the link's target was not written"
        );
        assert!(temp_files(&w.path("real")).is_empty());
    }
}

/// A tmpfs of 4 KiB at `dir/tiny`, unmounted on drop.
struct TinyFs {
    path: PathBuf,
}

impl TinyFs {
    /// Mounts it; `None` (after saying why) where mounting is not permitted.
    fn mount(dir: &Path) -> Option<TinyFs> {
        let path = dir.join("tiny");
        std::fs::create_dir(&path).unwrap();
        let o = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=4k", "tmpfs"])
            .arg(&path)
            .output()
            .unwrap();
        if !o.status.success() {
            eprintln!(
                "skipped: cannot mount a tmpfs here (this part needs root): {}",
                stderr(&o)
            );
            return None;
        }
        Some(TinyFs { path })
    }
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

#[test]
fn one_failed_output_leaves_every_destination_as_it_was() {
    let w = workdir();
    let old = [
        ("a.csv", "old statements\n"),
        ("b.csv", "old articles\n"),
        ("rj.csv", "old rejects\n"),
    ];
    // The report is written last, after the other outputs are complete.
    let run = |report: &str| {
        for (name, text) in old {
            w.write(name, text);
        }
        let o = w.run(&[
            "score",
            "--model",
            "m.model",
            "articles.csv",
            "--out",
            "a.csv",
            "--articles-out",
            "b.csv",
            "--rejects",
            "rj.csv",
            "--report",
            report,
            "--quiet",
        ]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "--report {report}: {e}");
        assert!(
            e.contains(report) && e.contains("No space left on device"),
            "--report {report}: {e}"
        );
        for (name, text) in old {
            assert_eq!(w.read(name), text, "--report {report}: {name} changed");
        }
        assert!(temp_files(w.dir.path()).is_empty());
    };
    if mknod(&w.path("full"), 1, 7) {
        run("full");
    }
    // A file system with room for the others' temporary files but not the report's.
    if let Some(tiny) = TinyFs::mount(w.dir.path()) {
        run("tiny/r.html");
        assert!(std::fs::read_dir(&tiny.path).unwrap().next().is_none());
    }
}

/// Polls until `ready()` holds; fails the test if `child` exits first or 20 s pass.
fn wait_for(child: &mut std::process::Child, what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{what}: exited ({status}) before the moment to interrupt it");
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what}: timed out"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn sigint_and_sigterm_remove_the_temporary_files() {
    use std::os::unix::process::ExitStatusExt;
    let w = workdir();
    // The sample articles 400 times over (about 24 MB): seconds of scoring.
    let sample = w.read("articles.csv");
    let (header, rows) = sample.split_once('\n').unwrap();
    w.write("big.csv", format!("{header}\n{}", rows.repeat(400)));
    for (name, number) in [("TERM", 15), ("INT", 2)] {
        let what = format!("score interrupted by SIG{name}");
        w.write("a.csv", "old statements\n");
        w.write("b.csv", "old articles\n");
        let mut child = w
            .command()
            .args(["score", "--model", "m.model", "big.csv", "--quiet"])
            .args(["--out", "a.csv", "--articles-out", "b.csv"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for(&mut child, &what, || temp_files(w.dir.path()).len() == 2);
        let sent = Command::new("kill")
            .args(["-s", name, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "{what}: kill failed");
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(number), "{what}: {status}");
        assert_eq!(temp_files(w.dir.path()), Vec::<String>::new(), "{what}");
        assert_eq!(w.read("a.csv"), "old statements\n", "{what}");
        assert_eq!(w.read("b.csv"), "old articles\n", "{what}");
    }
}

#[test]
fn an_existing_directory_is_refused_as_a_directory() {
    let w = workdir();
    std::fs::create_dir(w.path("d")).unwrap();
    for args in writers() {
        for out in ["d", "d/", "missing/"] {
            let mut v = args.clone();
            v.extend(["--out", out]);
            refused(&w, &v, &format!("cannot write {out}: "));
            refused(&w, &v, "directory; name a file to write");
        }
    }
    let score = [
        "score",
        "--model",
        "m.model",
        "articles.csv",
        "--out",
        "s.csv",
    ];
    for flag in ["--articles-out", "--rejects", "--report"] {
        let mut v = score.to_vec();
        v.extend([flag, "d"]);
        refused(&w, &v, "cannot write d: it is a directory");
    }
}

#[test]
fn a_full_stdout_names_stdout() {
    let w = workdir();
    for args in [
        &["evaluate", "--model", "m.model", "--data", "labelled.csv"][..],
        &[
            "evaluate",
            "--model",
            "m.model",
            "--data",
            "labelled.csv",
            "--json",
        ],
        &["report", "sc.csv"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = w.command().args(args).stdout(full).output().unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {e}");
        assert!(
            e.contains("stdout") && e.contains("No space left on device"),
            "{args:?}: {e}"
        );
    }
}
