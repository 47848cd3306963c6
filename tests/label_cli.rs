//! `stance label` driven through a pseudo-terminal (80x24), each test in its own temp dir.
//!
//! Every test trains a tiny model with the real `stance train` (`--min-df 1 --c 1`,
//! milliseconds), starts `stance label` on a pty, types keys, and after each key
//! checks what is on disk; the screen is rebuilt from the output by a VT100 parser.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::TempWorkdir;
use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

/// A tiny corpus in the shipped domain: four topics, three stances.
const CORPUS: &str = "text,topic,stance
Crowds in Basra rallied for the people of Gaza.,palestine,favor
The cleric praised the Palestinian resistance in Friday prayers.,palestine,favor
The envoy condemned the Hamas rocket fire on Israeli towns.,palestine,against
Officials criticised the militant raids from Gaza.,palestine,against
Mediators met in Doha to discuss a Gaza truce.,palestine,neutral
Fuel convoys entered Gaza after the border reopened.,palestine,neutral
MPs voted to demand that American troops leave Iraq.,coalition_withdrawal,favor
The bloc said foreign soldiers must go home this year.,coalition_withdrawal,favor
A Kurdish minister said the coalition should stay to fight remnants.,coalition_withdrawal,against
The general warned that leaving early would embolden insurgents.,coalition_withdrawal,against
A joint committee reviewed the schedule of the troop drawdown.,coalition_withdrawal,neutral
Drones were seen over the Ain al-Asad airbase.,coalition_withdrawal,neutral
The premier hailed the brotherly ties with Tehran.,bilateral_ties,favor
Baghdad and Tehran agreed to link their power grids.,bilateral_ties,neutral
Protesters denounced Tehran's meddling in Iraqi affairs.,bilateral_ties,against
Visitors from Iran crossed at Mehran for the pilgrimage.,bilateral_ties,neutral
The Tigris ran low after a dry winter.,other,neutral
The ministry counted the new school buildings.,other,neutral
The cabinet approved the wheat purchase price.,other,neutral
Football fans filled the stadium in Erbil.,other,neutral
";

/// Six statements to label, with the optional columns and one extra column.
const TO_LABEL: &str = "id,text,topic,stance,article_id,sentence,context_before,context_after,topic_prob,stance_prob,margin,source,date,title,batch
a1-1,Crowds rallied for Gaza in Basra.,palestine,favor,a1,1,,MPs met later.,0.91,0.80,0.50,Tigris Wire,2024-01-09,\"Rally, and more\",b7
a1-2,MPs voted that American troops leave.,coalition_withdrawal,against,a1,2,Crowds rallied for Gaza in Basra.,,0.70,0.40,0.10,Tigris Wire,2024-01-09,\"Rally, and more\",b7
a2-1,The premier hailed ties with Tehran.,bilateral_ties,favor,a2,1,,,0.88,0.75,0.30,Levant Daily,2024-02-01,Ties,b7
a2-2,The Tigris ran low.,other,neutral,a2,2,,,0.95,0.99,0.80,Levant Daily,2024-02-01,Ties,b7
a3-1,\"Officials criticised the \"\"raids\"\" from Gaza.\",palestine,against,a3,1,,,0.60,0.50,0.05,,,,b8
a3-2,Drones flew over the airbase.,coalition_withdrawal,neutral,a3,2,,,0.55,0.45,0.02,,,,b8
";

/// `stance label to_label.csv --out labelled.csv --model m.model`.
const LABEL_ARGS: [&str; 6] = [
    "label",
    "to_label.csv",
    "--out",
    "labelled.csv",
    "--model",
    "m.model",
];

/// How long any one wait may take before the test fails (the binary answers in milliseconds).
const PATIENCE: Duration = Duration::from_secs(20);

/// A temp dir with `m.model` trained on `corpus` and `to_label.csv`.
fn workdir(corpus: &str) -> TempWorkdir {
    let w = TempWorkdir::new();
    w.write("corpus.csv", corpus);
    w.write("to_label.csv", TO_LABEL);
    train(&w, "corpus.csv", "m.model");
    w
}

/// The real `stance train` on `data`, with the tiny-model settings; fails the test if it fails.
fn train(w: &TempWorkdir, data: &str, out: &str) -> String {
    let o = w.run(&[
        "train", "--data", data, "--out", out, "--min-df", "1", "--c", "1",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "train --data {data}: {stderr}");
    stderr
}

/// `stance label to_label.csv --out labelled.csv --model m.model` on an 80x24 pty.
fn label(w: &TempWorkdir, env: &[(&str, &str)]) -> Labeller {
    Labeller::spawn(w.dir.path(), &LABEL_ARGS, env)
}

/// The header and rows of a CSV file, parsed strictly (every row must have the header's fields).
fn csv_file(w: &TempWorkdir, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(w.path(name)).unwrap();
    let owned = |rec: &csv::StringRecord| rec.iter().map(str::to_string).collect();
    let header = owned(r.headers().unwrap());
    let rows = r
        .records()
        .map(|rec| owned(&rec.unwrap_or_else(|e| panic!("{name}: {e}"))))
        .collect();
    (header, rows)
}

fn rows(w: &TempWorkdir, name: &str) -> Vec<Vec<String>> {
    csv_file(w, name).1
}

/// Waits until `name` has `n` data rows, and returns them.
fn wait_rows(w: &TempWorkdir, name: &str, n: usize, labeller: &Labeller) -> Vec<Vec<String>> {
    let start = Instant::now();
    loop {
        let rows = rows(w, name);
        if rows.len() == n {
            return rows;
        }
        if start.elapsed() > PATIENCE {
            panic!(
                "{name} has {} rows, not {n}; screen:\n{}",
                rows.len(),
                labeller.screen()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `stance` running on a pseudo-terminal, its screen kept by a VT100 parser.
struct Labeller {
    child: Box<dyn Child + Send + Sync>,
    writer: Option<Box<dyn Write + Send>>,
    /// The terminal's device (for `stty -F`).
    tty: std::path::PathBuf,
    /// Tells the reader, which holds the terminal's other ends, to close them.
    hang_up: Arc<AtomicBool>,
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Labeller {
    fn spawn(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Labeller {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_stance"));
        cmd.args(args);
        cmd.cwd(dir);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let master: Box<dyn MasterPty + Send> = pair.master;
        let tty = master.tty_name().unwrap();
        let mut reader = master.try_clone_reader().unwrap();
        let writer = master.take_writer().unwrap();
        let size = |n| std::num::NonZeroU16::new(n).unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(size(24), size(80), 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let hang_up = Arc::new(AtomicBool::new(false));
        let (s, r, h) = (Arc::clone(&screen), Arc::clone(&raw), Arc::clone(&hang_up));
        // Note: the thread owns the master's ends; the labeller draws a frame every
        // 200 ms, so the read returns and the flag is seen within that.
        std::thread::spawn(move || {
            let _master = master;
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || h.load(Ordering::SeqCst) {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Labeller {
            child,
            writer: Some(writer),
            tty,
            hang_up,
            screen,
            raw,
        }
    }

    fn screen(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// Waits until the screen shows `text`.
    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        while !self.screen().contains(text) {
            if start.elapsed() > PATIENCE {
                panic!("the screen never showed {text:?}:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Types `keys`.
    fn send(&mut self, keys: &str) {
        let w = self.writer.as_mut().unwrap();
        w.write_all(keys.as_bytes()).unwrap();
        w.flush().unwrap();
    }

    fn pid(&self) -> String {
        self.child.process_id().unwrap().to_string()
    }

    /// Sends a signal with `kill`.
    fn signal(&self, name: &str) {
        let ok = std::process::Command::new("kill")
            .args([format!("-{name}"), self.pid()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name}");
    }

    /// Waits for the process to end; its exit code (None when a signal ended it).
    fn wait_exit(&mut self) -> Option<u32> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.signal().is_none().then(|| status.exit_code());
            }
            if start.elapsed() > PATIENCE {
                let _ = self.child.kill();
                let raw = self.raw();
                let tail =
                    String::from_utf8_lossy(&raw[raw.len().saturating_sub(600)..]).into_owned();
                panic!(
                    "stance label did not exit; screen:\n{}\nlast output: {tail:?}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `stty -a` of the pty (while it is still open), to see whether raw mode was undone.
    fn stty(&self) -> String {
        let o = std::process::Command::new("stty")
            .arg("-F")
            .arg(&self.tty)
            .arg("-a")
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Closes the terminal, as closing its window does (the kernel then sends SIGHUP).
    fn hang_up(&mut self) {
        self.writer = None;
        self.hang_up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Labeller {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The row `stance label` writes for a to_label row with these labels.
fn row(to_label_row: usize, topic: &str, stance: &str, decision: &str) -> Vec<String> {
    let mut r = csv::Reader::from_reader(TO_LABEL.as_bytes());
    let rec = r.records().nth(to_label_row).unwrap().unwrap();
    let mut out: Vec<String> = rec.iter().map(str::to_string).collect();
    out[2] = topic.into();
    out[3] = stance.into();
    out.push(decision.into());
    out
}

#[test]
fn keys_in_rows_out_undo_and_resume_then_train_reads_the_file() {
    let w = workdir(CORPUS);
    let mut l = label(&w, &[]);
    l.wait_for("0/6 done");
    l.wait_for("Crowds rallied for Gaza in Basra.");
    let mut header = csv_file(&w, "to_label.csv").0;
    header.push("decision".into());
    assert_eq!(
        csv_file(&w, "labelled.csv").0,
        header,
        "the header from the first moment"
    );
    assert!(rows(&w, "labelled.csv").is_empty());
    assert_eq!(
        std::fs::read_to_string(w.path("labelled.csv.skipped.csv")).unwrap(),
        "id,labelled_before,decision\n"
    );

    // Enter accepts the guess
    l.send("\r");
    let first = row(0, "palestine", "favor", "accepted");
    assert_eq!(
        wait_rows(&w, "labelled.csv", 1, &l),
        std::slice::from_ref(&first)
    );
    l.wait_for("1/6 done");
    // topic key, then stance key (keys: 1 bilateral_ties, 2 coalition_withdrawal, 3 other, 4 palestine; a/f/n)
    l.send("2");
    l.wait_for("press a stance key, or Enter to keep against");
    assert_eq!(
        rows(&w, "labelled.csv").len(),
        1,
        "a topic key alone saves nothing"
    );
    l.send("f");
    let second = row(1, "coalition_withdrawal", "favor", "corrected");
    assert_eq!(
        wait_rows(&w, "labelled.csv", 2, &l),
        [first.clone(), second.clone()]
    );
    // skip, then undo the skip
    l.wait_for("Id a2-1");
    l.send("s");
    assert_eq!(
        wait_rows(&w, "labelled.csv.skipped.csv", 1, &l),
        [strings(&["a2-1", "2", "skipped"])]
    );
    l.wait_for("Id a2-2");
    l.send("u");
    wait_rows(&w, "labelled.csv.skipped.csv", 0, &l);
    l.wait_for("undone: a2-1 (was skipped)");
    l.wait_for("Id a2-1");
    // a stance key alone keeps the guessed topic
    l.send("n");
    let third = row(2, "bilateral_ties", "neutral", "corrected");
    assert_eq!(
        wait_rows(&w, "labelled.csv", 3, &l),
        [first.clone(), second.clone(), third.clone()]
    );
    l.wait_for("So far bilateral_ties 1 (n1) · coalition_withdrawal 1 (f1) · palestine 1 (f1)");
    l.send("q");
    assert_eq!(l.wait_exit(), Some(0));
    l.wait_for("labelled 3 and skipped 0 of 6 statements, 3 to go: labelled.csv");
    let raw = String::from_utf8_lossy(&l.raw()).into_owned();
    assert!(
        raw.contains("\x1b[1m") && raw.contains("\x1b[38;"),
        "bold and colours on a colour terminal"
    );

    // reopening resumes after the last decision, and undo reaches the earlier session
    let mut l = label(&w, &[]);
    l.wait_for("3/6 done");
    l.wait_for("Id a2-2");
    l.send("u");
    assert_eq!(
        wait_rows(&w, "labelled.csv", 2, &l),
        [first.clone(), second.clone()]
    );
    l.wait_for("undone: a2-1 (was bilateral_ties / neutral)");
    l.wait_for("Id a2-1");
    l.send("s");
    wait_rows(&w, "labelled.csv.skipped.csv", 1, &l);
    l.wait_for("Id a2-2");
    l.send("\r");
    let fourth = row(3, "other", "neutral", "accepted");
    assert_eq!(
        wait_rows(&w, "labelled.csv", 3, &l),
        [first, second, fourth]
    );
    l.send("q");
    assert_eq!(l.wait_exit(), Some(0));

    // a second resume does not show the skipped statement again
    let mut l = label(&w, &[]);
    l.wait_for("4/6 done");
    l.wait_for("Id a3-1");
    l.send("q");
    assert_eq!(l.wait_exit(), Some(0));

    // the real `stance train` reads the labelled file as it is
    let said = train(&w, "labelled.csv", "again.model");
    assert!(
        said.contains("read 3 rows from labelled.csv: topic + stance"),
        "{said}"
    );
}

#[test]
fn kill_9_loses_nothing_already_answered() {
    let w = workdir(CORPUS);
    let mut done = 0;
    // three rounds: answer one statement and wait for it on disk, then type the next
    // answer and kill -9 at once (that one may or may not make it), and reopen
    for _ in 0..3 {
        let mut l = label(&w, &[]);
        l.wait_for(&format!("{done}/6 done"));
        l.send("\r");
        done += 1;
        wait_rows(&w, "labelled.csv", done, &l);
        l.wait_for(&format!("{done}/6 done"));
        let answered = w.read_bytes("labelled.csv");
        l.send("\r");
        l.signal("KILL");
        assert_eq!(l.wait_exit(), None, "ended by the signal");
        let after = w.read_bytes("labelled.csv");
        assert!(after.starts_with(&answered), "an answer on disk was lost");
        // reopening keeps every whole row (it would remove a row the kill cut short)
        let l = label(&w, &[]);
        l.wait_for("/6 done");
        let kept = rows(&w, "labelled.csv");
        assert!(kept.len() == done || kept.len() == done + 1, "{kept:?}");
        done = kept.len();
        let repaired = w.read_bytes("labelled.csv");
        assert!(
            after.starts_with(&repaired),
            "reopening only removes an unfinished last row"
        );
    }
}

#[test]
fn signals_and_a_closed_terminal_restore_it_and_keep_every_answer() {
    let w = workdir(CORPUS);
    // the flags raw mode turns off, as `stty -a` prints them when on
    let cooked = [" isig ", " icanon ", " echo ", " icrnl ", " opost "];
    let mut l = label(&w, &[]);
    l.wait_for("0/6 done");
    let raw_mode = l.stty();
    assert!(cooked.iter().all(|f| !raw_mode.contains(f)), "{raw_mode}");
    l.send("\r");
    wait_rows(&w, "labelled.csv", 1, &l);
    l.signal("TERM");
    assert_eq!(l.wait_exit(), Some(128 + 15));
    let restored = l.stty().replace('\n', " ");
    assert!(cooked.iter().all(|f| restored.contains(f)), "{restored}");
    // the summary is printed after the screen is restored: once it is read, all is
    l.wait_for("labelled 1 and skipped 0 of 6");
    let raw = l.raw();
    assert!(
        raw.windows(8).any(|b| b == b"\x1b[?1049l"),
        "left the alternate screen"
    );
    assert_eq!(rows(&w, "labelled.csv").len(), 1);

    // the terminal closes (SIGHUP): the process ends and the answers stay
    let mut l = label(&w, &[]);
    l.wait_for("1/6 done");
    l.send("\r");
    wait_rows(&w, "labelled.csv", 2, &l);
    l.wait_for("2/6 done");
    l.hang_up();
    assert_eq!(l.wait_exit(), Some(128 + 1), "ended by its SIGHUP handler");
    assert_eq!(rows(&w, "labelled.csv").len(), 2);
}

#[test]
fn refuses_without_a_terminal_and_writes_nothing() {
    let w = workdir(CORPUS);
    let o = w
        .command()
        .args(LABEL_ARGS)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("stance label is interactive and neither standard input nor standard output is a terminal"), "{stderr}");
    assert!(!w.path("labelled.csv").exists() && !w.path("labelled.csv.skipped.csv").exists());
}

#[test]
fn a_topic_only_model_on_a_plain_terminal() {
    let corpus: String = CORPUS
        .lines()
        .map(|l| l.rsplit_once(',').map_or(l, |(rest, _)| rest).to_string() + "\n")
        .collect();
    let w = workdir(&corpus);
    let mut l = label(&w, &[("TERM", "dumb")]);
    l.wait_for("0/6 done");
    l.wait_for("> Crowds rallied for Gaza in Basra.");
    assert!(
        !l.screen().contains("Stance ["),
        "no stance keys:\n{}",
        l.screen()
    );
    l.send("\r");
    wait_rows(&w, "labelled.csv", 1, &l);
    l.send("3");
    let rows = wait_rows(&w, "labelled.csv", 2, &l);
    assert_eq!(
        (rows[0][2].as_str(), rows[1][2].as_str()),
        ("palestine", "other")
    );
    l.send("q");
    assert_eq!(l.wait_exit(), Some(0));
    l.wait_for("labelled 2 and skipped 0 of 6");
    let header = csv_file(&w, "labelled.csv").0;
    assert!(!header.contains(&"stance".to_string()), "{header:?}");
    // no colour or attribute was sent: SGR sequences other than a reset
    let raw = String::from_utf8_lossy(&l.raw()).into_owned();
    for sgr in ["\x1b[1m", "\x1b[2m", "\x1b[7m", "\x1b[36m", "\x1b[38;"] {
        assert!(!raw.contains(sgr), "{sgr:?} sent to a dumb terminal");
    }
    let said = train(&w, "labelled.csv", "again.model");
    assert!(
        said.contains("read 2 rows from labelled.csv: topic only"),
        "{said}"
    );
}

/// Articles as JSON Lines for the whole loop: `a2` reprints `a1`'s first sentence.
const ARTICLES: &str = r#"{"id":"a1","title":"Vote in Baghdad","source":"Tigris Wire","date":"2024-01-09","text":"MPs in Baghdad voted on Tuesday to demand that American troops leave Iraq this year. Crowds rallied for Gaza in Basra. The Tigris ran low. Officials criticised the raids from Gaza."}
{"id":"a2","title":"Vote, again","source":"Levant Daily","date":"2024-01-10","text":"MPs in Baghdad voted on Tuesday to demand that American troops leave Iraq this year, AFP reported. The cleric praised the resistance. A committee reviewed the drawdown."}
{"id":"a3","title":"Envoys","source":"Levant Daily","date":"2024-01-11","text":"The envoy condemned the rocket fire. The ministry counted schools. Mediators met in Doha about Gaza. The bloc said soldiers must go home."}
{"id":"a4","title":"Ties","source":"Tigris Wire","date":"2024-01-12","text":"A Kurdish minister said the coalition should stay. The premier praised the ties with Tehran. Fans filled the stadium in Erbil."}
"#;

/// The keys (shown on the labeller's screen) of the model trained on `CORPUS`.
fn topic_key(topic: &str) -> &'static str {
    match topic {
        "bilateral_ties" => "1",
        "coalition_withdrawal" => "2",
        "other" => "3",
        "palestine" => "4",
        t => panic!("no key for topic {t}"),
    }
}

/// The whole loop on a small corpus, through the real binary: `suggest` writes the
/// batch, `label` on a pty takes scripted keys (each answer checked on disk), `train`
/// reads the corpus and the answers as two `--data` files, and `evaluate` compares the
/// two models on the answers (the old model's accuracy there is the share of guesses kept).
#[test]
fn the_whole_loop_suggest_label_train_evaluate() {
    let w = TempWorkdir::new();
    w.write("corpus.csv", CORPUS);
    w.write("articles.jsonl", ARTICLES);
    train(&w, "corpus.csv", "m.model");
    let o = w.run(&[
        "suggest",
        "articles.jsonl",
        "--model",
        "m.model",
        "--n",
        "5",
        "--per-article",
        "2",
        "--out",
        "to_label.csv",
    ]);
    let said = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{said}");
    assert!(
        said.contains("wrote 5 statements to to_label.csv"),
        "{said}"
    );
    let (header, batch) = csv_file(&w, "to_label.csv");
    assert_eq!(header, stance::label::TO_LABEL_COLUMNS);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (topic, stance, title) = (col("topic"), col("stance"), col("title"));

    // answers: accept, correct, skip, correct, accept; a correction is never the guess
    let correction = |r: &[String]| match r[topic].as_str() {
        "palestine" => ("coalition_withdrawal", "favor"),
        _ => ("palestine", "against"),
    };
    let mut l = label(&w, &[]);
    l.wait_for("0/5 done");
    let mut expected: Vec<Vec<String>> = Vec::new();
    let mut kept_guesses = 0;
    for (i, r) in batch.iter().enumerate() {
        l.wait_for(&format!("Id {}", r[0]));
        l.wait_for(&r[title]);
        let mut out = r.clone();
        match i {
            2 => {
                l.send("s");
                wait_rows(&w, "labelled.csv.skipped.csv", 1, &l);
                continue;
            }
            1 | 3 => {
                let (t, s) = correction(r);
                l.send(topic_key(t));
                l.send(&s[..1]);
                (out[topic], out[stance]) = (t.to_string(), s.to_string());
                out.push("corrected".into());
            }
            _ => {
                l.send("\r");
                kept_guesses += 1;
                out.push("accepted".into());
            }
        }
        expected.push(out);
        assert_eq!(
            wait_rows(&w, "labelled.csv", expected.len(), &l),
            expected,
            "after answer {}",
            i + 1
        );
    }
    l.wait_for("5/5 done");
    l.send("q");
    assert_eq!(l.wait_exit(), Some(0));
    l.wait_for("labelled 4 and skipped 1 of 5 statements, 0 to go");

    // retrain on the corpus and the answers, as two --data files
    let o = w.run(&[
        "train",
        "--data",
        "corpus.csv",
        "--data",
        "labelled.csv",
        "--out",
        "m2.model",
        "--min-df",
        "1",
        "--c",
        "1",
    ]);
    let said = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{said}");
    assert!(
        said.contains("read 24 rows from corpus.csv, labelled.csv"),
        "{said}"
    );
    let model = stance::model::StanceModel::load(&w.path("m2.model")).unwrap();
    let files: Vec<usize> = model.meta.data_files.iter().map(|f| f.rows).collect();
    assert_eq!(files, [20, 4]);

    // both models side by side on the answers
    let o = w.run(&[
        "evaluate",
        "--model",
        "m.model",
        "--model",
        "m2.model",
        "--data",
        "labelled.csv",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["m.model"]["n"], 4);
    assert_eq!(v["m2.model"]["n"], 4);
    let old = v["m.model"]["topic"]["accuracy"].as_f64().unwrap();
    assert!(
        (old - kept_guesses as f64 / 4.0).abs() < 1e-9,
        "the old model's topic accuracy on the answers is the share of its guesses kept: {old}"
    );
    let table = w.run(&[
        "evaluate",
        "--model",
        "m.model",
        "--model",
        "m2.model",
        "--data",
        "labelled.csv",
    ]);
    let table = String::from_utf8_lossy(&table.stdout).into_owned();
    let line = table
        .lines()
        .find(|l| l.starts_with("topic accuracy"))
        .unwrap_or_else(|| panic!("{table}"));
    assert_eq!(line.split_whitespace().count(), 4, "{table}");
}
