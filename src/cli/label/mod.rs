//! `stance label`: a keyboard-driven terminal labeller over a to_label file.
//!
//! The session (files, queue, undo, resume) is [`crate::label`]; this module
//! only turns keys into its calls and draws the screen (`screen.rs`) in a
//! terminal it restores on every way out (`terminal.rs`).

mod screen;
mod terminal;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::label::{Choice, Decision, KeyMap, LabelSets, Labels, Session, Step, MAX_KEYED_LABELS};

use screen::Look;

/// Arguments of `stance label`.
#[derive(Debug, Clone, clap::Args)]
pub struct LabelArgs {
    /// Statements to label: CSV with id, text, topic, stance (the model's guess), as `stance suggest` writes it.
    #[arg(value_name = "TO_LABEL")]
    pub input: PathBuf,
    /// Labelled CSV to append each decision to (created, or resumed when it exists); skips go to FILE.skipped.csv.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Model whose topics and stance labels are offered [default: the shipped
    /// model, as for `stance score`].
    // Note: not `default_value_os_t = shipped_model()`: clap would print the
    // path found on this machine in `--help` and the man page.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub model_limit: super::ModelLimitArgs,
}

/// How often the loop looks for a caught signal while it waits for a key.
const SIGNAL_POLL: Duration = Duration::from_millis(200);

/// Runs `stance label`.
pub fn run(args: LabelArgs) -> anyhow::Result<ExitCode> {
    refuse_without_terminal(
        std::io::stdin().is_terminal(),
        std::io::stdout().is_terminal(),
    )?;
    let model_path = args.model.clone().unwrap_or_else(crate::cli::shipped_model);
    let model = args.model_limit.load(&model_path)?;
    let sets = LabelSets::from_model(&model, &model_path)?;
    drop(model);
    let keys = KeyMap::new(&sets).with_context(|| {
        format!(
            "{}: {} topics and {} stance labels; stance label has a key each for at most {MAX_KEYED_LABELS} labels",
            model_path.display(),
            sets.topics.len(),
            sets.all_stances().len()
        )
    })?;
    let session = Session::open(&args.input, &args.out, sets, &[model_path.as_path()])?;
    let signals = terminal::Signals::install().context("installing signal handlers")?;
    let look = Look::from_env(
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    );
    let mut app = App::new(session, keys, look);
    let ended = {
        let mut term = terminal::enter().context("setting up the terminal")?;
        app.run(&mut term, &signals)
    };
    // The terminal is restored here (the guard is dropped), so these lines stay on screen.
    // Note: written without eprintln!, which panics when the terminal has gone.
    let mut stderr = std::io::stderr().lock();
    for note in app.session.notes() {
        let _ = writeln!(stderr, "warning: {note}");
    }
    let _ = writeln!(stderr, "{}", app.summary());
    match ended {
        Ok(End::Quit) => Ok(ExitCode::SUCCESS),
        Ok(End::Signal(sig)) => Ok(ExitCode::from(128u8.saturating_add(sig as u8))),
        Err(e) => Err(e),
    }
}

/// The message for a non-interactive start, if it is one.
fn refuse_without_terminal(stdin: bool, stdout: bool) -> anyhow::Result<()> {
    let which = match (stdin, stdout) {
        (true, true) => return Ok(()),
        (false, true) => "standard input is not a terminal",
        (true, false) => "standard output is not a terminal",
        (false, false) => "neither standard input nor standard output is a terminal",
    };
    anyhow::bail!(
        "stance label is interactive and {which}; run it in a terminal, \
         or edit the topic and stance columns of the to_label file in an editor and train on that"
    )
}

/// How the loop ended.
#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    /// `q` or Ctrl-C.
    Quit,
    /// A signal (its number).
    Signal(i32),
}

/// What the status line says.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    Info(String),
    Warn(String),
}

/// The labeller's state: the session and what is on screen.
struct App {
    session: Session,
    keys: KeyMap,
    choice: Choice,
    status: Status,
    help: bool,
    look: Look,
}

impl App {
    fn new(session: Session, keys: KeyMap, look: Look) -> App {
        let status = match session.notes().first() {
            Some(note) => Status::Warn(format!("warning: {note}")),
            None => Status::Info("? shows every key; each decision is saved at once".into()),
        };
        let mut app = App {
            session,
            keys,
            choice: Choice::default(),
            status,
            help: false,
            look,
        };
        app.reset_choice();
        app
    }

    /// Draws and handles keys until `q`, Ctrl-C or a signal.
    fn run(
        &mut self,
        term: &mut terminal::Term,
        signals: &terminal::Signals,
    ) -> anyhow::Result<End> {
        loop {
            if let Some(sig) = signals.caught() {
                return Ok(End::Signal(sig));
            }
            let drawn = term.draw(|f| screen::draw(f, self));
            let key = drawn.and_then(|_| next_key(signals));
            let key = match key {
                Ok(Some(key)) => key,
                Ok(None) => continue,
                // Note: a closed terminal fails the next read or write; its SIGHUP decides the exit.
                Err(_) if signals.caught().is_some() => continue,
                Err(e) => return Err(e).context("terminal"),
            };
            if self.handle(key) {
                return Ok(End::Quit);
            }
        }
    }

    /// Acts on one key; true to quit.
    fn handle(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            return true;
        }
        if self.help {
            self.help = false;
            return false;
        }
        if ctrl || key.modifiers.contains(KeyModifiers::ALT) {
            return false;
        }
        match key.code {
            KeyCode::Char('q') => return true,
            KeyCode::Char('?') => self.help = true,
            KeyCode::Char('u') => self.undo(),
            _ if self.session.current().is_none() => {
                self.status = Status::Info(
                    "every statement is decided: u undoes the last decision, q quits".into(),
                );
            }
            KeyCode::Char('s') => {
                let id = self.current_id();
                match self.session.skip() {
                    Ok(()) => self.saved(format!("skipped {id} (saved)")),
                    Err(e) => self.not_saved(&e),
                }
            }
            KeyCode::Enter => {
                let step = self.choice.accept(self.session.sets());
                self.step(step);
            }
            KeyCode::Esc => {
                self.reset_choice();
                self.status = Status::Info("back to the model's guess".into());
            }
            KeyCode::Char(c) => {
                let step = if let Some(t) = self.keys.topic(c) {
                    self.choice.pick_topic(t, self.session.sets())
                } else if let Some(s) = self.keys.stance(c) {
                    self.choice.pick_stance(s, self.session.sets())
                } else {
                    Step::Refused(format!("{c:?} is not a key here; ? shows the keys"))
                };
                self.step(step);
            }
            _ => {}
        }
        false
    }

    fn step(&mut self, step: Step) {
        match step {
            Step::Decided(labels) => {
                let id = self.current_id();
                let said = format!("saved {id}: {}", labels_text(&labels));
                match self.session.label(labels) {
                    Ok(()) => self.saved(said),
                    Err(e) => self.not_saved(&e),
                }
            }
            Step::Pending => {
                let topic = self.choice.topic.clone().unwrap_or_default();
                self.status = Status::Info(match &self.choice.stance {
                    Some(s) => format!("topic {topic}: press a stance key, or Enter to keep {s}"),
                    None => format!("topic {topic}: press a stance key (Esc: back to the guess)"),
                });
            }
            Step::Refused(why) => self.status = Status::Warn(why),
        }
    }

    fn undo(&mut self) {
        match self.session.undo() {
            Ok(Some(u)) => {
                let id = &self.session.statements()[u.index].id;
                let was = match &u.was {
                    Decision::Labelled(l) => labels_text(l),
                    Decision::Skipped => "skipped".into(),
                };
                self.status = Status::Info(format!("undone: {id} (was {was})"));
                self.reset_choice();
            }
            Ok(None) => self.status = Status::Warn("nothing to undo".into()),
            Err(e) => self.not_saved(&e),
        }
    }

    fn saved(&mut self, said: String) {
        self.status = Status::Info(said);
        self.reset_choice();
    }

    fn not_saved(&mut self, e: &crate::Error) {
        self.status = Status::Warn(format!("not saved: {e}"));
    }

    fn reset_choice(&mut self) {
        self.choice = match self.session.current() {
            Some((_, s)) => Choice::from_guess(s, self.session.sets()),
            None => Choice::default(),
        };
    }

    fn current_id(&self) -> String {
        self.session
            .current()
            .map(|(_, s)| s.id.clone())
            .unwrap_or_default()
    }

    /// The line printed after the screen is gone.
    fn summary(&self) -> String {
        let p = self.session.progress();
        let skipped = if p.skipped > 0 {
            format!(" (skips in {})", self.session.skipped_path().display())
        } else {
            String::new()
        };
        format!(
            "labelled {} and skipped {} of {} statements, {} to go: {}{skipped}",
            p.labelled,
            p.skipped,
            p.total,
            p.total - p.done(),
            self.session.out_path().display()
        )
    }
}

/// "topic / stance", or the topic alone.
fn labels_text(l: &Labels) -> String {
    match &l.stance {
        Some(s) => format!("{} / {s}", l.topic),
        None => l.topic.clone(),
    }
}

/// Waits up to [`SIGNAL_POLL`] for a key press (other events, such as a resize, give None).
fn next_key(signals: &terminal::Signals) -> std::io::Result<Option<KeyEvent>> {
    if signals.caught().is_some() || !event::poll(SIGNAL_POLL)? {
        return Ok(None);
    }
    Ok(match event::read()? {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(k),
        _ => None,
    })
}

#[cfg(test)]
mod tests;
