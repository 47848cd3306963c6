//! The terminal for the labeller: raw mode and the alternate screen, undone on every way out.
//!
//! Dropping the [`Term`] restores the terminal (a normal return, `?` on an
//! error, unwinding from a panic); a panic hook restores it before the panic
//! message is printed; the signals that end a process (SIGHUP when the
//! terminal closes, SIGINT, SIGTERM, SIGQUIT) are caught and end the loop, so
//! the same drop runs. Only `kill -9` skips it, and then the terminal has gone
//! or the shell's `reset` brings it back; no decision depends on it, as each is
//! on disk before the next statement is shown.

use std::io::Stdout;
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};

use crossterm::{cursor, execute, terminal};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

/// A terminal in raw mode on the alternate screen; restored when dropped.
pub(super) struct Term {
    // Note: never dropped: ratatui's drop shows the cursor and, when that fails
    // (the terminal has gone), reports it with eprintln!, which then panics.
    // `restore` shows the cursor instead.
    inner: ManuallyDrop<Terminal<CrosstermBackend<Stdout>>>,
}

impl Term {
    /// Draws one frame.
    pub(super) fn draw(&mut self, f: impl FnOnce(&mut ratatui::Frame)) -> std::io::Result<()> {
        self.inner.draw(f).map(drop)
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        restore();
    }
}

/// Switches the terminal to raw mode and the alternate screen.
pub(super) fn enter() -> std::io::Result<Term> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
    let entered = terminal::enable_raw_mode()
        .and_then(|()| {
            execute!(
                std::io::stdout(),
                terminal::EnterAlternateScreen,
                cursor::Hide
            )
        })
        .and_then(|()| Terminal::new(CrosstermBackend::new(std::io::stdout())));
    match entered {
        Ok(inner) => Ok(Term {
            inner: ManuallyDrop::new(inner),
        }),
        Err(e) => {
            restore();
            Err(e)
        }
    }
}

/// Leaves raw mode and the alternate screen and shows the cursor (each step tried on its own).
pub(super) fn restore() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        std::io::stdout(),
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
}

/// The signals that end the labeller, caught so that the terminal is restored first.
pub(super) struct Signals {
    caught: Arc<AtomicUsize>,
}

impl Signals {
    /// Catches SIGHUP, SIGINT, SIGTERM and SIGQUIT from now on.
    pub(super) fn install() -> std::io::Result<Signals> {
        let caught = Arc::new(AtomicUsize::new(0));
        for sig in [
            signal_hook::consts::SIGHUP,
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGQUIT,
        ] {
            signal_hook::flag::register_usize(sig, Arc::clone(&caught), sig as usize)?;
        }
        Ok(Signals { caught })
    }

    /// The last signal caught, if any.
    pub(super) fn caught(&self) -> Option<i32> {
        match self.caught.load(Ordering::SeqCst) {
            0 => None,
            sig => Some(sig as i32),
        }
    }
}
