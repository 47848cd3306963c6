//! The `stance` binary: parses the command line and reports errors once.

use std::process::ExitCode;

use clap::Parser;

// Note: glibc's malloc serialised the threads: buffers filled by the scoring
// workers are freed by the writer thread, and cross-thread frees contend on
// arena locks (about a tenth of scoring time in futex calls, measured with
// `perf record`). mimalloc frees to the owning thread's heap without a lock.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v3's `mi_option_purge_delay` (`include/mimalloc.h`, enum `mi_option_e`).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// How long freed memory stays with the process before it goes back to the kernel.
const PURGE_DELAY_MS: std::ffi::c_long = 250;

fn main() -> ExitCode {
    // Note: scoring frees a batch's text and output buffers on another thread
    // than the one that allocated them; with mimalloc's default 10 ms purge
    // delay the freed pages went back to the kernel and were faulted in and
    // zeroed again for the next batch (0.7 s of system time per 100 MB,
    // measured with `time`). Never purging (-1) cost that nothing, but peak
    // memory then crept up over a long run (pages freed by one thread sat
    // unused while others were touched): 100 MB of input peaked about 10%
    // above 10 MB. At 250 ms both are flat (187 vs 186 MiB, medians of 5) for
    // 0.08 s more system time per 100 MB.
    // Note: mimalloc is built with `no_thp` (Cargo.toml): with transparent
    // huge pages, training 20 Newsgroups spent 5 more seconds in the kernel
    // (huge-page faults for the L-BFGS history, 11 x 2 vectors of 58 MB);
    // without them training is 0.87x the wall time and scoring is unchanged.
    // SAFETY: sets a plain integer option; any value is valid for this option.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    // Note: a usage error exits with EX_USAGE (64, BSD's sysexits.h), not
    // clap's 2, which `score` and `report` use for "some items rejected".
    let cli = match stance::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(stance::cli::EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // Note: `stance label` writes no temporary files and catches these signals
    // itself, to restore the terminal before it ends.
    if !matches!(cli.command, stance::cli::Command::Label(_)) {
        remove_temporary_files_on_signals();
    }
    match stance::cli::run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            ExitCode::from(1)
        }
    }
}

/// On SIGINT, SIGTERM or SIGHUP, removes the outputs' temporary files, then
/// ends as that signal would have (killed by it, as the shell reports).
///
/// Note: a thread waits for the signal, so the cleanup runs as ordinary code,
/// not inside a signal handler; it waits for a commit in progress to finish.
/// A signal the process was started with ignored (`nohup`, a background job
/// of a script) stays ignored.
#[cfg(unix)]
fn remove_temporary_files_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let watched: Vec<_> = [SIGINT, SIGTERM, SIGHUP]
        .into_iter()
        .filter(|&s| !is_ignored(s))
        .collect();
    let Ok(mut signals) = signal_hook::iterator::Signals::new(watched) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("stance-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                stance::io::remove_temporary_files();
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                // Only reached if the signal could not end the process.
                std::process::exit(128 + signal);
            }
        });
}

/// True when `signal`'s disposition is "ignore".
#[cfg(unix)]
fn is_ignored(signal: std::ffi::c_int) -> bool {
    let mut current = std::mem::MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: with a null new action, sigaction only writes the current one
    // into `current`, which is valid for writes and zero-initialised.
    let read = unsafe { libc::sigaction(signal, std::ptr::null(), current.as_mut_ptr()) };
    // SAFETY: zeroed is a valid `sigaction` (plain integers and pointers),
    // and on success the kernel filled it in.
    read == 0 && unsafe { current.assume_init() }.sa_sigaction == libc::SIG_IGN
}

#[cfg(not(unix))]
fn remove_temporary_files_on_signals() {}

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
