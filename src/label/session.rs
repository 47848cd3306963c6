//! One labelling session: the statements in order, each decision on disk, undo and resume.
//!
//! Files (beside each other):
//! - `--out` (e.g. `labelled.csv`): one row per labelled statement, the
//!   to_label file's columns with the chosen `topic` and `stance`, plus a last
//!   column `decision` (`accepted`: the model's guess, `corrected`: other
//!   labels). `stance train --data` reads it as it is. A topic-only model
//!   writes no `stance` column.
//! - `<out>.skipped.csv`: one row per skipped statement, `id,labelled_before,decision`
//!   (`labelled_before`: the rows `--out` had then, which orders the two files'
//!   decisions for undo; `decision` is `skipped`). Train never reads it; deleting
//!   it brings the skipped statements back.
//!
//! Reopening the same files resumes: decided statements are not shown again,
//! and undo goes on back through the earlier sessions' decisions.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::append_csv::AppendCsv;
use super::label_sets::{LabelSets, Labels};
use super::to_label::{read_to_label, Statement, ToLabel};

/// The last column of `--out`.
pub const DECISION_COLUMN: &str = "decision";
/// `decision` of a statement labelled with the model's guess.
pub const ACCEPTED: &str = "accepted";
/// `decision` of a statement labelled otherwise.
pub const CORRECTED: &str = "corrected";
/// `decision` of a skipped statement (in the skipped file).
pub const SKIPPED: &str = "skipped";
/// The skipped file's header.
pub const SKIPPED_HEADER: [&str; 3] = ["id", "labelled_before", DECISION_COLUMN];

/// Where the skips of `--out` go: `<out>.skipped.csv`.
pub fn skipped_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".skipped.csv");
    PathBuf::from(name)
}

/// What was decided for a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Labelled, with these labels.
    Labelled(Labels),
    /// Skipped.
    Skipped,
}

/// A decision taken back by undo.
#[derive(Debug, Clone, PartialEq)]
pub struct Undone {
    /// The statement's index; it is the current statement again.
    pub index: usize,
    /// What it had been.
    pub was: Decision,
}

/// How many statements have a label, per topic and stance.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// The topic.
    pub topic: String,
    /// Statements labelled with it.
    pub count: usize,
    /// (stance, statements) among them; empty for a topic-only model.
    pub stances: Vec<(String, usize)>,
}

/// Where the session stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Statements in the to_label file.
    pub total: usize,
    /// Labelled so far (this session and earlier ones).
    pub labelled: usize,
    /// Skipped so far.
    pub skipped: usize,
    /// Labels so far, in the model's topic order (labels it lacks last).
    pub topics: Vec<Tally>,
}

impl Progress {
    /// Statements decided (labelled or skipped).
    pub fn done(&self) -> usize {
        self.labelled + self.skipped
    }
}

/// Where a column of `--out` takes its value from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum OutColumn {
    Input(usize),
    Topic,
    Stance,
    Decision,
}

/// An open session over a to_label file and its `--out`.
#[derive(Debug)]
pub struct Session {
    input: ToLabel,
    sets: LabelSets,
    out: AppendCsv,
    skips: AppendCsv,
    out_columns: Vec<OutColumn>,
    decided: Vec<Option<Decision>>,
    /// Statement indices in the order they were decided.
    history: Vec<usize>,
    current: Option<usize>,
    notes: Vec<String>,
}

impl Session {
    /// Opens (or resumes) labelling `to_label` into `out` with `sets`.
    ///
    /// `out` and its skipped file must not be `to_label` or any of `other_inputs`
    /// ([`crate::io::check_outputs`]: by device and inode), and an existing `out`
    /// must hold only ids of `to_label`, with the same texts.
    pub fn open(
        to_label: &Path,
        out: &Path,
        sets: LabelSets,
        other_inputs: &[&Path],
    ) -> Result<Session> {
        let input = read_to_label(to_label)?;
        let skipped = skipped_path(out);
        let inputs: Vec<&Path> = std::iter::once(to_label)
            .chain(other_inputs.iter().copied())
            .collect();
        crate::io::check_outputs(&inputs, &[out, skipped.as_path()])?;
        // Note: a refusal found while reading the files back leaves no file it created.
        let new_files: Vec<PathBuf> = [out, skipped.as_path()]
            .into_iter()
            .filter(|p| !p.exists())
            .map(Path::to_path_buf)
            .collect();
        let opened = Session::open_files(input, out, &skipped, sets);
        if opened.is_err() {
            for p in &new_files {
                let _ = std::fs::remove_file(p);
            }
        }
        opened
    }

    /// Opens `--out` and the skipped file and reads their decisions back.
    fn open_files(input: ToLabel, out: &Path, skipped: &Path, sets: LabelSets) -> Result<Session> {
        let (out_header, out_columns) = out_layout(&input.header, sets.has_stance());
        let is_decision = |s: &str| s == ACCEPTED || s == CORRECTED;
        let (out_file, out_note) = AppendCsv::open(out, &out_header, &is_decision)?;
        let skip_header = SKIPPED_HEADER.map(str::to_string);
        let (skip_file, skip_note) = AppendCsv::open(skipped, &skip_header, &|s| s == SKIPPED)?;
        let mut notes: Vec<String> = out_note.into_iter().chain(skip_note).collect();
        notes.extend(sets.foreign_guesses(&input));
        let mut session = Session {
            decided: vec![None; input.statements.len()],
            input,
            sets,
            out: out_file,
            skips: skip_file,
            out_columns,
            history: Vec::new(),
            current: None,
            notes,
        };
        session.resume(&out_header)?;
        session.current = session.first_pending();
        Ok(session)
    }

    /// Reads the decisions already on disk back into the session.
    fn resume(&mut self, out_header: &[String]) -> Result<()> {
        let index_of: HashMap<&str, usize> = self
            .input
            .statements
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let col = |name: &str| out_header.iter().position(|h| h == name);
        let (id_col, text_col, topic_col) = (col("id"), col("text"), col("topic"));
        let stance_col = col("stance").filter(|_| self.sets.has_stance());
        let input_path = self.input.path.display().to_string();
        let mut first_line: Vec<Option<(u64, &'static str)>> = vec![None; self.decided.len()];
        let mut labelled_order = Vec::new();
        for row in self.out.rows() {
            let field =
                |c: Option<usize>| c.and_then(|c| row.fields.get(c)).map_or("", |s| s.trim());
            let refuse = |message: String| Error::Refused {
                path: self.out.path().to_path_buf(),
                message: format!("line {}: {message}", row.line),
            };
            let id = field(id_col);
            let Some(&i) = index_of.get(id) else {
                return Err(refuse(format!(
                    "id {id:?} is not in {input_path}: this file holds the labels of another \
                     to_label file; give another --out (or the to_label file it was made from)"
                )));
            };
            let statement = &self.input.statements[i];
            if field(text_col) != statement.text {
                return Err(refuse(format!(
                    "id {id:?} has another text than line {} of {input_path}: this file holds \
                     the labels of another to_label file; give another --out",
                    statement.line
                )));
            }
            if let Some((line, _)) = first_line[i] {
                return Err(refuse(format!(
                    "id {id:?} is labelled twice (also line {line})"
                )));
            }
            first_line[i] = Some((row.line, "labelled"));
            self.decided[i] = Some(Decision::Labelled(Labels {
                topic: field(topic_col).to_string(),
                stance: stance_col.map(|c| field(Some(c)).to_string()),
            }));
            labelled_order.push(i);
        }
        let mut skip_order = Vec::new();
        let skipped_path = self.skips.path().to_path_buf();
        for row in self.skips.rows() {
            let refuse = |message: String| Error::Refused {
                path: skipped_path.clone(),
                message: format!("line {}: {message}", row.line),
            };
            let id = row.fields[0].trim();
            let Some(&i) = index_of.get(id) else {
                return Err(refuse(format!(
                    "id {id:?} is not in {input_path}: this file holds the skips of another to_label file"
                )));
            };
            if let Some((line, what)) = first_line[i] {
                let file = if what == "labelled" {
                    self.out.path().display().to_string()
                } else {
                    "this file".into()
                };
                return Err(refuse(format!(
                    "id {id:?} is also {what} (line {line} of {file})"
                )));
            }
            let before: usize = row.fields[1].trim().parse().map_err(|_| {
                refuse(format!(
                    "labelled_before {:?} is not a row count",
                    row.fields[1]
                ))
            })?;
            first_line[i] = Some((row.line, "skipped"));
            self.decided[i] = Some(Decision::Skipped);
            skip_order.push((before, i));
        }
        // Note: each file's rows keep their order, so the last decision is always the
        // last row of its file and undo can cut it off.
        let mut skips = skip_order.into_iter().peekable();
        for (n, i) in labelled_order.into_iter().enumerate() {
            while let Some((_, s)) = skips.next_if(|(before, _)| *before <= n) {
                self.history.push(s);
            }
            self.history.push(i);
        }
        self.history.extend(skips.map(|(_, s)| s));
        Ok(())
    }

    /// The statement on screen: its index and the statement; None when all are decided.
    pub fn current(&self) -> Option<(usize, &Statement)> {
        self.current.map(|i| (i, &self.input.statements[i]))
    }

    /// Every statement of the to_label file.
    pub fn statements(&self) -> &[Statement] {
        &self.input.statements
    }

    /// The label sets.
    pub fn sets(&self) -> &LabelSets {
        &self.sets
    }

    /// What was decided for statement `index`, if anything.
    pub fn decision(&self, index: usize) -> Option<&Decision> {
        self.decided.get(index).and_then(Option::as_ref)
    }

    /// Warnings from opening: repaired files, guesses outside the label sets.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The labelled file.
    pub fn out_path(&self) -> &Path {
        self.out.path()
    }

    /// The skipped file.
    pub fn skipped_path(&self) -> &Path {
        self.skips.path()
    }

    /// The to_label file.
    pub fn input_path(&self) -> &Path {
        &self.input.path
    }

    /// Labels the current statement: one row appended to `--out` and on disk before this returns.
    pub fn label(&mut self, labels: Labels) -> Result<()> {
        let i = self.current_or_refuse()?;
        if !self.sets.allows(&labels) {
            return Err(Error::Refused {
                path: self.out.path().to_path_buf(),
                message: format!(
                    "topic {:?} with stance {:?} is not in the model's label sets",
                    labels.topic, labels.stance
                ),
            });
        }
        let statement = &self.input.statements[i];
        let accepted = labels.topic == statement.topic
            && labels
                .stance
                .as_ref()
                .is_none_or(|s| *s == statement.stance);
        let row: Vec<String> = self
            .out_columns
            .iter()
            .map(|c| match c {
                OutColumn::Input(j) => statement.fields[*j].clone(),
                OutColumn::Topic => labels.topic.clone(),
                OutColumn::Stance => labels.stance.clone().unwrap_or_default(),
                OutColumn::Decision => (if accepted { ACCEPTED } else { CORRECTED }).to_string(),
            })
            .collect();
        self.out.append(&row)?;
        self.decided_now(i, Decision::Labelled(labels));
        Ok(())
    }

    /// Skips the current statement: one row appended to the skipped file, on disk before this returns.
    pub fn skip(&mut self) -> Result<()> {
        let i = self.current_or_refuse()?;
        let row = vec![
            self.input.statements[i].id.clone(),
            self.out.rows().len().to_string(),
            SKIPPED.to_string(),
        ];
        self.skips.append(&row)?;
        self.decided_now(i, Decision::Skipped);
        Ok(())
    }

    /// Takes the last decision back (its row is cut off its file); that statement is shown again.
    pub fn undo(&mut self) -> Result<Option<Undone>> {
        let Some(&i) = self.history.last() else {
            return Ok(None);
        };
        let file = match self.decided[i] {
            Some(Decision::Skipped) => &mut self.skips,
            _ => &mut self.out,
        };
        file.pop()?;
        self.history.pop();
        let was = self.decided[i].take().unwrap_or(Decision::Skipped);
        self.current = Some(i);
        Ok(Some(Undone { index: i, was }))
    }

    /// Counts of what is decided so far.
    pub fn progress(&self) -> Progress {
        let mut topics: Vec<Tally> = self
            .sets
            .topics
            .iter()
            .map(|t| Tally {
                topic: t.clone(),
                count: 0,
                stances: Vec::new(),
            })
            .collect();
        let stance_order = self.sets.all_stances();
        let (mut labelled, mut skipped) = (0, 0);
        for d in self.decided.iter().flatten() {
            let Decision::Labelled(l) = d else {
                skipped += 1;
                continue;
            };
            labelled += 1;
            let t = match topics.iter().position(|t| t.topic == l.topic) {
                Some(t) => t,
                None => {
                    topics.push(Tally {
                        topic: l.topic.clone(),
                        count: 0,
                        stances: Vec::new(),
                    });
                    topics.len() - 1
                }
            };
            let tally = &mut topics[t];
            tally.count += 1;
            if let Some(s) = &l.stance {
                match tally.stances.iter_mut().find(|(name, _)| name == s) {
                    Some((_, n)) => *n += 1,
                    None => tally.stances.push((s.clone(), 1)),
                }
            }
        }
        topics.retain(|t| t.count > 0);
        for t in &mut topics {
            t.stances.sort_by_key(|(s, _)| {
                stance_order
                    .iter()
                    .position(|o| o == s)
                    .unwrap_or(usize::MAX)
            });
        }
        Progress {
            total: self.decided.len(),
            labelled,
            skipped,
            topics,
        }
    }

    fn current_or_refuse(&self) -> Result<usize> {
        self.current.ok_or_else(|| Error::Refused {
            path: self.out.path().to_path_buf(),
            message: "every statement is decided".into(),
        })
    }

    fn decided_now(&mut self, i: usize, decision: Decision) {
        self.decided[i] = Some(decision);
        self.history.push(i);
        self.current = self.first_pending();
    }

    fn first_pending(&self) -> Option<usize> {
        self.decided.iter().position(Option::is_none)
    }
}

/// The columns of `--out` for an input header: the input's, less `decision` (and
/// `stance` for a topic-only model), then `decision`.
fn out_layout(input_header: &[String], has_stance: bool) -> (Vec<String>, Vec<OutColumn>) {
    let mut header = Vec::new();
    let mut columns = Vec::new();
    for (j, name) in input_header.iter().enumerate() {
        let column = match name.as_str() {
            DECISION_COLUMN => continue,
            "stance" if !has_stance => continue,
            "stance" => OutColumn::Stance,
            "topic" => OutColumn::Topic,
            _ => OutColumn::Input(j),
        };
        header.push(name.clone());
        columns.push(column);
    }
    header.push(DECISION_COLUMN.to_string());
    columns.push(OutColumn::Decision);
    (header, columns)
}

#[cfg(test)]
mod tests {
    use super::super::label_sets::tests::{sets, topic_only};
    use super::*;

    const INPUT: &str = "id,text,topic,stance,title,note
s1,\"Gaza, again.\",palestine,favor,\"A \"\"title\"\"\",keep
s2,Ties are warm.,bilateral_ties,favor,,
s3,It rained.,other,neutral,,x
s4,Who knows.,,,,
";

    struct Files {
        dir: tempfile::TempDir,
    }

    impl Files {
        fn new(input: &str) -> Files {
            let f = Files {
                dir: tempfile::tempdir().unwrap(),
            };
            std::fs::write(f.input(), input).unwrap();
            f
        }
        fn input(&self) -> PathBuf {
            self.dir.path().join("to_label.csv")
        }
        fn out(&self) -> PathBuf {
            self.dir.path().join("labelled.csv")
        }
        fn open(&self) -> Result<Session> {
            Session::open(&self.input(), &self.out(), sets(), &[])
        }
        fn out_text(&self) -> String {
            std::fs::read_to_string(self.out()).unwrap()
        }
        fn skipped_text(&self) -> String {
            std::fs::read_to_string(skipped_path(&self.out())).unwrap()
        }
    }

    fn labels(topic: &str, stance: &str) -> Labels {
        Labels {
            topic: topic.into(),
            stance: Some(stance.into()),
        }
    }

    fn current_id(s: &Session) -> Option<&str> {
        s.current().map(|(_, st)| st.id.as_str())
    }

    const HEADER: &str = "id,text,topic,stance,title,note,decision\n";
    const ROW1: &str = "s1,\"Gaza, again.\",palestine,favor,\"A \"\"title\"\"\",keep,accepted\n";
    const ROW2: &str = "s2,Ties are warm.,bilateral_ties,against,,,corrected\n";

    #[test]
    fn each_decision_is_on_disk_when_it_returns() {
        let f = Files::new(INPUT);
        let mut s = f.open().unwrap();
        assert_eq!(f.out_text(), HEADER, "the header from the first moment");
        assert_eq!(f.skipped_text(), "id,labelled_before,decision\n");
        assert_eq!(current_id(&s), Some("s1"));
        s.label(labels("palestine", "favor")).unwrap();
        assert_eq!(f.out_text(), [HEADER, ROW1].concat());
        s.label(labels("bilateral_ties", "against")).unwrap();
        assert_eq!(f.out_text(), [HEADER, ROW1, ROW2].concat());
        s.skip().unwrap();
        assert_eq!(
            f.skipped_text(),
            "id,labelled_before,decision\ns3,2,skipped\n"
        );
        assert_eq!(f.out_text(), [HEADER, ROW1, ROW2].concat());
        assert_eq!(current_id(&s), Some("s4"));
        let p = s.progress();
        assert_eq!((p.total, p.labelled, p.skipped, p.done()), (4, 2, 1, 3));
        assert_eq!(
            p.topics,
            vec![
                Tally {
                    topic: "bilateral_ties".into(),
                    count: 1,
                    stances: vec![("against".into(), 1)]
                },
                Tally {
                    topic: "palestine".into(),
                    count: 1,
                    stances: vec![("favor".into(), 1)]
                },
            ]
        );
        // train reads it as a labelled CSV as it is
        let d = crate::io::read_labelled(&f.out(), &crate::io::Columns::default()).unwrap();
        assert_eq!(d.topics, ["palestine", "bilateral_ties"]);
        assert_eq!(d.stances.unwrap(), ["favor", "against"]);
        assert!(
            s.label(labels("sports", "favor")).is_err(),
            "not a label of the model"
        );
        assert_eq!(f.out_text(), [HEADER, ROW1, ROW2].concat());
    }

    #[test]
    fn undo_cuts_the_last_decision_off_its_file() {
        let f = Files::new(INPUT);
        let mut s = f.open().unwrap();
        assert_eq!(s.undo().unwrap(), None, "nothing to undo");
        s.label(labels("palestine", "favor")).unwrap();
        s.skip().unwrap();
        let u = s.undo().unwrap().unwrap();
        assert_eq!((u.index, u.was), (1, Decision::Skipped));
        assert_eq!(f.skipped_text(), "id,labelled_before,decision\n");
        assert_eq!(current_id(&s), Some("s2"));
        s.label(labels("bilateral_ties", "against")).unwrap();
        assert_eq!(f.out_text(), [HEADER, ROW1, ROW2].concat());
        assert_eq!(
            s.undo().unwrap().unwrap().was,
            Decision::Labelled(labels("bilateral_ties", "against"))
        );
        assert_eq!(s.undo().unwrap().unwrap().index, 0);
        assert_eq!(f.out_text(), HEADER);
        assert_eq!(current_id(&s), Some("s1"));
        assert_eq!(s.progress().done(), 0);
    }

    #[test]
    fn reopening_resumes_and_undo_goes_back_through_earlier_sessions() {
        let f = Files::new(INPUT);
        let mut s = f.open().unwrap();
        s.skip().unwrap(); // s1
        s.label(labels("bilateral_ties", "against")).unwrap(); // s2
        s.skip().unwrap(); // s3
        s.label(labels("other", "neutral")).unwrap(); // s4
        assert_eq!(current_id(&s), None);
        drop(s);
        let mut s = f.open().unwrap();
        assert_eq!(current_id(&s), None, "all decided");
        assert_eq!(s.progress().done(), 4);
        assert!(s.notes().is_empty(), "{:?}", s.notes());
        let order: Vec<usize> = std::iter::from_fn(|| s.undo().unwrap().map(|u| u.index)).collect();
        assert_eq!(order, [3, 2, 1, 0]);
        assert_eq!(f.out_text(), HEADER);
        assert_eq!(f.skipped_text(), "id,labelled_before,decision\n");
        // resuming shows the first statement not decided, in file order
        s.label(labels("palestine", "favor")).unwrap();
        s.label(labels("bilateral_ties", "against")).unwrap();
        s.skip().unwrap();
        drop(s);
        let s = f.open().unwrap();
        assert_eq!(current_id(&s), Some("s4"));
        assert_eq!(s.decision(2), Some(&Decision::Skipped));
        assert_eq!(
            s.decision(0),
            Some(&Decision::Labelled(labels("palestine", "favor")))
        );
    }

    #[test]
    fn deleting_the_skipped_file_brings_the_skips_back() {
        let f = Files::new(INPUT);
        let mut s = f.open().unwrap();
        s.skip().unwrap();
        s.label(labels("bilateral_ties", "favor")).unwrap();
        drop(s);
        std::fs::remove_file(skipped_path(&f.out())).unwrap();
        let s = f.open().unwrap();
        assert_eq!(current_id(&s), Some("s1"));
        assert_eq!(s.progress().labelled, 1);
    }

    #[test]
    fn an_unfinished_last_row_is_removed_and_asked_again() {
        let f = Files::new(INPUT);
        let mut s = f.open().unwrap();
        s.label(labels("palestine", "favor")).unwrap();
        drop(s);
        let mut bytes = std::fs::read(f.out()).unwrap();
        bytes.extend_from_slice(&ROW2.as_bytes()[..20]);
        std::fs::write(f.out(), bytes).unwrap();
        let s = f.open().unwrap();
        assert_eq!(current_id(&s), Some("s2"));
        assert!(s.notes()[0].contains("line 3"), "{:?}", s.notes());
        assert_eq!(f.out_text(), [HEADER, ROW1].concat());
    }

    #[test]
    fn refuses_an_out_of_another_to_label_file() {
        let f = Files::new(INPUT);
        let mut s = f.open().unwrap();
        s.label(labels("palestine", "favor")).unwrap();
        drop(s);
        let before = f.out_text();
        std::fs::write(f.input(), INPUT.replace("s1,", "t1,")).unwrap();
        let e = f.open().unwrap_err().to_string();
        assert!(
            e.contains("labelled.csv: line 2: id \"s1\" is not in"),
            "{e}"
        );
        std::fs::write(f.input(), INPUT.replace("Gaza, again.", "Gaza, once more.")).unwrap();
        let e = f.open().unwrap_err().to_string();
        assert!(e.contains("another text than line 2"), "{e}");
        std::fs::write(f.input(), INPUT.replace(",title,", ",headline,")).unwrap();
        let e = f.open().unwrap_err().to_string();
        assert!(
            e.contains("has the columns [id, text, topic, stance, title"),
            "{e}"
        );
        assert_eq!(f.out_text(), before, "left as it was");
        // a skipped file of another input, or one that skipped a labelled statement
        std::fs::write(f.input(), INPUT).unwrap();
        std::fs::write(
            skipped_path(&f.out()),
            "id,labelled_before,decision\nzz,0,skipped\n",
        )
        .unwrap();
        let fresh = f.dir.path().join("fresh.csv");
        std::fs::hard_link(skipped_path(&f.out()), skipped_path(&fresh)).unwrap();
        assert!(Session::open(&f.input(), &fresh, sets(), &[]).is_err());
        assert!(!fresh.exists(), "a refused open leaves no file it created");
        for (skipped_id, said) in [
            ("zz", "skipped.csv: line 2: id \"zz\""),
            ("s1", "also labelled (line 2 of"),
        ] {
            let body = format!("id,labelled_before,decision\n{skipped_id},0,skipped\n");
            std::fs::write(skipped_path(&f.out()), body).unwrap();
            let e = f.open().unwrap_err().to_string();
            assert!(e.contains(said), "{e}");
        }
    }

    #[test]
    fn refuses_an_out_that_is_an_input() {
        let f = Files::new(INPUT);
        let input = f.input();
        let model = f.dir.path().join("m.model");
        std::fs::write(&model, "model bytes").unwrap();
        let link = f.dir.path().join("hard.csv");
        std::fs::hard_link(&input, &link).unwrap();
        let sym = f.dir.path().join("sym.csv");
        std::os::unix::fs::symlink(&model, &sym).unwrap();
        for out in [input.clone(), link, sym, model.clone()] {
            let e = Session::open(&input, &out, sets(), &[&model])
                .unwrap_err()
                .to_string();
            assert!(e.contains("it is both an input and an output"), "{e}");
        }
        let skip_of = f.dir.path().join("x");
        std::fs::hard_link(&input, skipped_path(&skip_of)).unwrap();
        let e = Session::open(&input, &skip_of, sets(), &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("x.skipped.csv") && e.contains("both an input and an output"),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(&input).unwrap(), INPUT);
        assert_eq!(std::fs::read_to_string(&model).unwrap(), "model bytes");
        assert!(!f.dir.path().join("x").exists(), "nothing created");
    }

    #[test]
    fn topic_only_models_write_no_stance_column() {
        let f = Files::new(INPUT);
        let mut s = Session::open(&f.input(), &f.out(), topic_only(), &[]).unwrap();
        assert!(s.notes().iter().any(|n| n.contains("topic-only")));
        s.label(Labels {
            topic: "palestine".into(),
            stance: None,
        })
        .unwrap();
        s.label(Labels {
            topic: "other".into(),
            stance: None,
        })
        .unwrap();
        assert_eq!(
            f.out_text(),
            "id,text,topic,title,note,decision\ns1,\"Gaza, again.\",palestine,\"A \"\"title\"\"\",keep,accepted\ns2,Ties are warm.,other,,,corrected\n"
        );
        let d = crate::io::read_labelled(&f.out(), &crate::io::Columns::default()).unwrap();
        assert!(d.stances.is_none());
        drop(s);
        let s = Session::open(&f.input(), &f.out(), topic_only(), &[]).unwrap();
        assert_eq!(
            s.decision(1),
            Some(&Decision::Labelled(Labels {
                topic: "other".into(),
                stance: None
            }))
        );
    }

    #[test]
    fn relabelling_a_labelled_file_keeps_one_decision_column() {
        let f = Files::new("id,text,topic,stance,decision,src\ns1,a,other,neutral,corrected,w\n");
        let mut s = f.open().unwrap();
        s.label(labels("other", "neutral")).unwrap();
        assert_eq!(
            f.out_text(),
            "id,text,topic,stance,src,decision\ns1,a,other,neutral,w,accepted\n"
        );
    }
}
