//! The labeller's keys and screen without a terminal (ratatui's test backend).

use std::ffi::OsStr;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;

use super::screen::{self, Look};
use super::*;

/// The shipped model's label sets (its topics, three stances each, `other` neutral only).
fn shipped_sets() -> LabelSets {
    let three = vec!["against".to_string(), "favor".into(), "neutral".into()];
    LabelSets {
        topics: vec![
            "bilateral_ties".into(),
            "coalition_withdrawal".into(),
            "other".into(),
            "palestine".into(),
        ],
        stances: Some(vec![
            three.clone(),
            three.clone(),
            vec!["neutral".into()],
            three,
        ]),
    }
}

const LONG: &str =
    "Kurdish leaders warned that a hasty exit would help Islamic State, and that the \
    timetable agreed in the Higher Military Commission should be respected by all sides, a \
    spokesman for the regional government said in Erbil.";

fn input() -> String {
    format!(
        "id,text,topic,stance,article_id,sentence,context_before,context_after,topic_prob,stance_prob,margin,source,date,title\n\
         a1-2,\"{LONG}\",coalition_withdrawal,against,a1,2,\"{LONG} {LONG}\",\"{LONG} {LONG}\",0.61,0.55,0.08,Tigris Wire,2024-01-09,Troops debate heats up in Baghdad\n\
         a2-1,Thousands marched in solidarity with Gaza.,palestine,favor,a2,1,,,0.93,0.71,0.4,Levant Daily,2024-02-01,\"Gaza, rally\"\n\
         a3-1,\"Evil \x1b[2J text\",sports,favor,,,,,,,,,,\n"
    )
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(input: &str) -> Fixture {
        let f = Fixture {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::write(f.path("to_label.csv"), input).unwrap();
        f
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn app(&self, sets: LabelSets, look: Look) -> App {
        let session = Session::open(
            &self.path("to_label.csv"),
            &self.path("labelled.csv"),
            sets.clone(),
            &[],
        )
        .unwrap();
        App::new(session, KeyMap::new(&sets).unwrap(), look)
    }
    fn rows(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.path("labelled.csv")).unwrap();
        text.lines().skip(1).map(str::to_string).collect()
    }
}

fn colour() -> Look {
    Look::from_env(None, Some(OsStr::new("xterm-256color")))
}

fn render(app: &App, width: u16, height: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|f| screen::draw(f, app)).unwrap();
    t.backend().buffer().clone()
}

fn text_of(b: &Buffer) -> Vec<String> {
    (0..b.area.height)
        .map(|y| (0..b.area.width).map(|x| b[(x, y)].symbol()).collect())
        .collect()
}

/// All words of the screen's lines, so wrapped text can be found whole.
fn words(lines: &[String]) -> String {
    lines
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn enter() -> KeyEvent {
    KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)
}

#[test]
fn an_80x24_screen_shows_everything_needed() {
    let f = Fixture::new(&input());
    let app = f.app(shipped_sets(), colour());
    let lines = text_of(&render(&app, 80, 24));
    let all = words(&lines);
    let screen = lines.join("\n");
    for needed in [
        "0/3 done",
        "Troops debate heats up in Baghdad",
        "Source Tigris Wire",
        "Date 2024-01-09",
        "Article a1, sentence 2",
        "Id a1-2",
        "Guess coalition_withdrawal 0.61 / against 0.55 · margin 0.08",
        "Choice coalition_withdrawal / against [Enter] saves it",
        "[1] bilateral_ties [2] coalition_withdrawal [3] other [4] palestine",
        "[a] against [f] favor [n] neutral",
        "[Enter] accept [s] skip [u] undo [Esc] guess [?] help [q] quit",
        "So far no labels yet",
    ] {
        assert!(all.contains(needed), "missing {needed:?} in\n{screen}");
    }
    // the whole statement, marked, with the end of the context before and the start of the one after
    let marked: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with(" ▌ "))
        .collect();
    let shown = words(
        &marked
            .iter()
            .map(|&i| lines[i].replace('▌', ""))
            .collect::<Vec<_>>(),
    );
    assert_eq!(shown, words(&[LONG.to_string()]), "{screen}");
    let (first, last) = (marked[0], marked[marked.len() - 1]);
    assert!(
        lines[4].starts_with("   …") && lines[first - 1].trim_end().ends_with("Erbil."),
        "{screen}"
    );
    let body_end = (4..lines.len())
        .find(|&i| lines[i].starts_with("───"))
        .unwrap();
    assert!(
        lines[last + 1].starts_with("   Kurdish") && lines[body_end - 1].trim_end().ends_with('…'),
        "{screen}"
    );
}

#[test]
fn many_long_topics_still_fit_80x24() {
    let topics: Vec<String> = [
        "alt.atheism",
        "comp.graphics",
        "comp.os.ms-windows.misc",
        "comp.sys.ibm.pc.hardware",
        "comp.sys.mac.hardware",
        "comp.windows.x",
        "misc.forsale",
        "rec.autos",
        "rec.motorcycles",
        "rec.sport.baseball",
        "rec.sport.hockey",
        "sci.crypt",
        "sci.electronics",
        "sci.med",
        "sci.space",
        "soc.religion.christian",
        "talk.politics.guns",
        "talk.politics.mideast",
        "talk.politics.misc",
        "talk.religion.misc",
    ]
    .map(String::from)
    .to_vec();
    let sets = LabelSets {
        topics,
        stances: None,
    };
    let f = Fixture::new(&input().replace("coalition_withdrawal,against", "sci.space,"));
    let app = f.app(sets.clone(), colour());
    let lines = text_of(&render(&app, 80, 24));
    let all = words(&lines);
    for (k, t) in &app.keys.topics {
        assert!(
            all.contains(&format!("[{k}] {t}")),
            "missing {t} in\n{}",
            lines.join("\n")
        );
    }
    assert!(
        all.contains("Guess sci.space 0.61 · margin"),
        "{}",
        lines.join("\n")
    );
    assert!(
        all.contains("[q] quit") && all.contains("So far"),
        "{}",
        lines.join("\n")
    );
    assert!(
        lines.iter().any(|l| l.starts_with(" ▌ Kurdish leaders")),
        "{}",
        lines.join("\n")
    );
    assert!(
        !all.contains("Stance"),
        "a topic-only model has no stance keys"
    );
}

#[test]
fn plain_terminals_get_text_without_styles() {
    let f = Fixture::new(&input());
    let cells = |look: Look| {
        let app = f.app(shipped_sets(), look);
        let b = render(&app, 80, 24);
        b.content().to_vec()
    };
    let coloured = cells(colour());
    assert!(
        coloured.iter().any(|c| c.fg != Color::Reset),
        "the colour look has colours"
    );
    let no_color = cells(Look::from_env(
        Some(OsStr::new("1")),
        Some(OsStr::new("xterm")),
    ));
    assert!(no_color
        .iter()
        .all(|c| c.fg == Color::Reset && c.bg == Color::Reset));
    assert!(
        no_color.iter().any(|c| c.modifier.contains(Modifier::BOLD)),
        "attributes stay"
    );
    for term in [Some(OsStr::new("dumb")), None] {
        let dumb = cells(Look::from_env(None, term));
        assert!(dumb
            .iter()
            .all(|c| c.fg == Color::Reset && c.modifier.is_empty()));
        let text: String = dumb.iter().map(|c| c.symbol()).collect();
        assert!(text.is_ascii(), "{text}");
        assert!(
            text.contains("> Kurdish leaders"),
            "the statement is marked in text"
        );
    }
    // an empty NO_COLOR is as good as none
    assert_eq!(
        Look::from_env(Some(OsStr::new("")), Some(OsStr::new("xterm"))),
        colour()
    );
}

#[test]
fn keys_drive_the_session_and_each_decision_is_saved_at_once() {
    let f = Fixture::new(&input());
    let mut app = f.app(shipped_sets(), colour());
    assert!(!app.handle(enter()));
    assert_eq!(f.rows().len(), 1);
    assert!(f.rows()[0].starts_with("a1-2,") && f.rows()[0].ends_with(",accepted"));
    // a topic key waits for the stance, Esc goes back to the guess
    assert!(!app.handle(key('2')));
    assert_eq!(app.choice.topic.as_deref(), Some("coalition_withdrawal"));
    assert_eq!(f.rows().len(), 1);
    assert!(!app.handle(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    assert_eq!(app.choice.topic.as_deref(), Some("palestine"));
    // a stance key saves with the guessed topic
    assert!(!app.handle(key('a')));
    assert!(f.rows()[1].contains(",palestine,against,") && f.rows()[1].ends_with(",corrected"));
    // the foreign guess is not accepted; a single-stance topic saves on its key
    assert!(!app.handle(enter()));
    assert_eq!(f.rows().len(), 2);
    assert!(matches!(&app.status, Status::Warn(m) if m.contains("topic key")));
    assert!(!app.handle(key('3')));
    assert!(f.rows()[2].contains(",other,neutral,"), "{:?}", f.rows());
    let all = words(&text_of(&render(&app, 80, 24)));
    assert!(all.contains("All 3 statements are decided"), "{all}");
    assert!(
        all.contains("So far coalition_withdrawal 1 (a1) · other 1 (n1) · palestine 1 (a1)"),
        "{all}"
    );
    // undo, skip, help
    assert!(!app.handle(key('u')));
    assert_eq!(f.rows().len(), 2);
    assert!(!app.handle(key('s')));
    let skipped = std::fs::read_to_string(f.path("labelled.csv.skipped.csv")).unwrap();
    assert_eq!(skipped, "id,labelled_before,decision\na3-1,2,skipped\n");
    assert!(!app.handle(key('?')));
    assert!(app.help);
    assert!(words(&text_of(&render(&app, 80, 24))).contains("Any key closes this help."));
    assert!(!app.handle(key('u')), "the key only closes the help");
    assert!(!app.help);
    assert_eq!(
        std::fs::read_to_string(f.path("labelled.csv.skipped.csv")).unwrap(),
        skipped
    );
    assert!(app.handle(key('q')));
    assert!(app.handle(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)));
    assert_eq!(
        app.summary(),
        format!(
            "labelled 2 and skipped 1 of 3 statements, 0 to go: {} (skips in {})",
            f.path("labelled.csv").display(),
            f.path("labelled.csv.skipped.csv").display()
        )
    );
}

#[test]
fn text_cannot_send_escape_sequences() {
    let f = Fixture::new(&input());
    let mut app = f.app(shipped_sets(), colour());
    app.handle(key('s'));
    app.handle(key('s'));
    let text: String = text_of(&render(&app, 80, 24)).concat();
    assert!(text.contains("Evil \u{FFFD}[2J text"), "{text}");
    assert!(!text.contains('\x1b'));
}

#[test]
fn a_small_terminal_asks_for_room() {
    let f = Fixture::new(&input());
    let app = f.app(shipped_sets(), colour());
    let all = words(&text_of(&render(&app, 30, 10)));
    assert!(all.contains("The terminal is 30x10"), "{all}");
}

#[test]
fn refuses_without_a_terminal() {
    assert!(refuse_without_terminal(true, true).is_ok());
    let e = refuse_without_terminal(false, true)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("interactive") && e.contains("standard input is not a terminal"),
        "{e}"
    );
    let e = refuse_without_terminal(true, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("standard output is not a terminal"), "{e}");
}
