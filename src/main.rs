//! The `stance` binary: parses the command line and reports errors once.

use std::process::ExitCode;

use clap::Parser;

// Note: glibc's malloc serialised the threads: buffers filled by the scoring
// workers are freed by the writer thread, and cross-thread frees contend on
// arena locks (about a tenth of scoring time in futex calls, measured with
// `perf record`). mimalloc frees to the owning thread's heap without a lock.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = stance::cli::Cli::parse();
    match stance::cli::run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes joined by ": ", skipping a cause whose text the
/// message already ends with (the crate's own errors print their source).
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// True when the error is a write to a closed pipe (`stance ... | head`).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
