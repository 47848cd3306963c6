//! What the integration tests share: a temp dir the `stance` binary runs in.

// Note: each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// A temp dir, removed when dropped; the binary runs with it as its working directory.
pub struct TempWorkdir {
    pub dir: tempfile::TempDir,
}

impl TempWorkdir {
    /// A new empty temp dir.
    pub fn new() -> TempWorkdir {
        TempWorkdir {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `name` inside the dir.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `contents` to `name` (creating its folders) and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// The text of `name`; fails the test if it cannot be read.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// The bytes of `name`; fails the test if it cannot be read.
    pub fn read_bytes(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// The `stance` binary, run in the dir, with the default thread count.
    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_stance"));
        c.current_dir(self.dir.path())
            .env_remove("RAYON_NUM_THREADS");
        c
    }

    /// Runs `stance ARGS...` to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }
}
