//! `stance completions SHELL` and `stance man`: the shell completion script
//! and the man page, both generated from the command line's own definition.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::CommandFactory;

/// Shells `stance completions` writes a script for.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellArg {
    /// bash (`source <(stance completions bash)`).
    Bash,
    /// zsh (write it as `_stance` into a folder of `$fpath`).
    Zsh,
    /// fish (write it to `~/.config/fish/completions/stance.fish`).
    Fish,
}

/// Arguments of `stance completions`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: ShellArg,
}

/// Writes the completion script to stdout.
pub fn completions(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    use clap_complete::Shell;
    let shell = match args.shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
    };
    let mut cmd = super::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "stance", &mut out);
    write_stdout(&out)
}

/// Writes the man page (roff, section 1) to stdout: `stance man > stance.1`.
pub fn man() -> anyhow::Result<ExitCode> {
    let mut out = Vec::new();
    clap_mangen::Man::new(super::Cli::command())
        .render(&mut out)
        .context("cannot render the man page")?;
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}
