//! `stance suggest`, `train` with several `--data` and `evaluate` with several
//! `--model`, through the real binary in a temp dir, on a tiny model and a
//! small corpus of articles written here (with a syndicated copy).

mod common;

use std::collections::{HashMap, HashSet};

use common::TempWorkdir;

/// Tiny training data (the tiny-model settings: `--min-df 1 --c 1`).
const CORPUS: &str = "text,topic,stance
Crowds in Basra rallied for the people of Gaza.,palestine,favor
The cleric praised the Palestinian resistance in Friday prayers.,palestine,favor
The envoy condemned the Hamas rocket fire on Israeli towns.,palestine,against
Officials criticised the militant raids from Gaza.,palestine,against
Mediators met in Doha to discuss a Gaza truce.,palestine,neutral
MPs voted to demand that American troops leave Iraq.,coalition_withdrawal,favor
The bloc said foreign soldiers must go home this year.,coalition_withdrawal,favor
A Kurdish minister said the coalition should stay to fight remnants.,coalition_withdrawal,against
A joint committee reviewed the schedule of the troop drawdown.,coalition_withdrawal,neutral
The Tigris ran low after a dry winter.,other,neutral
The ministry counted the new school buildings.,other,neutral
Football fans filled the stadium in Erbil.,other,neutral
";

/// Articles as JSON Lines: `a2` reprints `a1`'s first sentence with a tag.
fn articles() -> String {
    let bodies = [
        ("a1", "MPs in Baghdad voted on Tuesday to demand that American troops leave Iraq this year. Crowds rallied for Gaza in Basra. The Tigris ran low. Officials criticised the raids from Gaza. Fans filled the stadium."),
        ("a2", "MPs in Baghdad voted on Tuesday to demand that American troops leave Iraq this year, AFP reported. The cleric praised the resistance. A committee reviewed the drawdown."),
        ("a3", "The envoy condemned the rocket fire. The ministry counted schools. Mediators met in Doha about Gaza. The bloc said soldiers must go home."),
        ("a4", "A Kurdish minister said the coalition should stay. The Tigris ran low after a dry winter. Football fans filled the stadium in Erbil."),
    ];
    bodies
        .iter()
        .map(|(id, text)| format!("{{\"id\":\"{id}\",\"text\":\"{text}\",\"source\":\"Wire\",\"date\":\"2024-01-0{}\"}}\n", &id[1..]))
        .collect()
}

fn workdir() -> TempWorkdir {
    let w = TempWorkdir::new();
    w.write("corpus.csv", CORPUS);
    w.write("articles.jsonl", articles());
    ok(
        &w,
        &[
            "train",
            "--data",
            "corpus.csv",
            "--out",
            "m.model",
            "--min-df",
            "1",
            "--c",
            "1",
        ],
    );
    w
}

fn ok(w: &TempWorkdir, args: &[&str]) -> String {
    let o = w.run(args);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "stance {args:?}: {stderr}");
    String::from_utf8_lossy(&o.stdout).into_owned() + &stderr
}

fn rows(w: &TempWorkdir, name: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(w.path(name)).unwrap();
    r.deserialize().map(|rec| rec.unwrap()).collect()
}

fn suggest(w: &TempWorkdir, out: &str, extra: &[&str]) -> Vec<HashMap<String, String>> {
    let mut args = vec![
        "suggest",
        "articles.jsonl",
        "--model",
        "m.model",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    ok(w, &args);
    rows(w, out)
}

#[test]
fn deterministic_diverse_capped_and_excluding() {
    let w = workdir();
    let all = suggest(&w, "s1.csv", &["--n", "100", "--per-article", "2"]);
    suggest(&w, "s2.csv", &["--n", "100", "--per-article", "2"]);
    assert_eq!(
        w.read_bytes("s1.csv"),
        w.read_bytes("s2.csv"),
        "not deterministic"
    );
    // The header is label's column list.
    let header = w.read("s1.csv").lines().next().unwrap().to_string();
    assert_eq!(header, stance::label::TO_LABEL_COLUMNS.join(","));
    // Per-article cap; never a training text; the reprint of a1's first sentence at most once.
    let mut per_article: HashMap<&str, usize> = HashMap::new();
    for r in &all {
        *per_article.entry(&r["article_id"]).or_default() += 1;
    }
    assert!(per_article.values().all(|&n| n <= 2), "{per_article:?}");
    assert_eq!(per_article.len(), 4);
    let trained: HashSet<&str> = CORPUS
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert!(
        all.iter().all(|r| !trained.contains(r["text"].as_str())),
        "a training text was suggested"
    );
    assert!(!all
        .iter()
        .any(|r| r["text"] == "The Tigris ran low after a dry winter."));
    let reprints = all
        .iter()
        .filter(|r| r["text"].starts_with("MPs in Baghdad voted"))
        .count();
    assert_eq!(reprints, 1, "near-duplicates in one batch");
    // Context comes from the article.
    let a1_2 = all.iter().find(|r| r["id"] == "a1:2");
    if let Some(r) = a1_2 {
        assert!(
            r["context_before"].starts_with("MPs in Baghdad")
                && r["context_after"] == "The Tigris ran low."
        );
    }
    // Every margin a number in [0, 1] (the order is the informed margin's,
    // which also weighs the known terms: see the unit tests of `uncertainty`).
    let margins: Vec<f64> = all.iter().map(|r| r["margin"].parse().unwrap()).collect();
    assert!(margins.iter().all(|m| (0.0..=1.0).contains(m)));

    // --exclude: by id, and by text under another id.
    let first = &all[0];
    w.write(
        "done.csv",
        format!(
            "id,text,topic\n{},x,other\nz9,\"{}\",other\n",
            first["id"], all[1]["text"]
        ),
    );
    let rest = suggest(
        &w,
        "s3.csv",
        &["--n", "100", "--per-article", "2", "--exclude", "done.csv"],
    );
    assert!(rest
        .iter()
        .all(|r| r["id"] != first["id"] && r["text"] != all[1]["text"]));
    assert!(!rest.is_empty());
    // Random differs from margin, and by seed.
    let r1 = suggest(
        &w,
        "r1.csv",
        &["--n", "3", "--strategy", "random", "--seed", "1"],
    );
    let r1b = suggest(
        &w,
        "r1b.csv",
        &["--n", "3", "--strategy", "random", "--seed", "1"],
    );
    assert_eq!(r1, r1b);
    // Bad flags are named.
    let o = w.run(&[
        "suggest",
        "articles.jsonl",
        "--model",
        "m.model",
        "--out",
        "x.csv",
        "--topic",
        "sports",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--topic sports"));
    assert!(!w.path("x.csv").exists());
}

#[test]
fn near_duplicates_of_labelled_rows_are_never_suggested() {
    let w = workdir();
    let wide = ["--n", "100", "--per-article", "10"];
    let starts = |rows: &[HashMap<String, String>], prefix: &str| {
        rows.iter()
            .filter(|r| r["text"].starts_with(prefix))
            .count()
    };
    // Without exclusions: the reprint (once) and a near-copy of a training row.
    let all = suggest(&w, "all.csv", &wide);
    assert_eq!(starts(&all, "MPs in Baghdad voted"), 1);
    assert_eq!(starts(&all, "A Kurdish minister said"), 1);
    // a1's first sentence was labelled: a2's reprint of it (", AFP reported") is not suggested.
    w.write(
        "done.csv",
        "id,text,topic
a1:1,MPs in Baghdad voted on Tuesday to demand that American troops leave Iraq this year.,coalition_withdrawal
",
    );
    let mut args = wide.to_vec();
    args.extend(["--exclude", "done.csv"]);
    let rest = suggest(&w, "rest.csv", &args);
    assert_eq!(starts(&rest, "MPs in Baghdad voted"), 0, "{rest:?}");
    assert_eq!(rest.len(), all.len() - 1);
    // The training file as an exclude file: a4's near-copy of a training row goes too.
    args.extend(["--exclude", "corpus.csv"]);
    let rest = suggest(&w, "rest2.csv", &args);
    assert_eq!(starts(&rest, "A Kurdish minister said"), 0, "{rest:?}");
    assert_eq!(
        starts(&rest, "Crowds rallied for Gaza in Basra."),
        1,
        "no shingle in common with a training row"
    );
}

#[test]
fn the_batch_trains_as_it_is_with_two_data_files_and_two_models_compare() {
    let w = workdir();
    suggest(&w, "to_label.csv", &["--n", "8"]);
    let log = ok(
        &w,
        &[
            "train",
            "--data",
            "corpus.csv",
            "--data",
            "to_label.csv",
            "--out",
            "m2.model",
            "--min-df",
            "1",
            "--c",
            "1",
        ],
    );
    assert!(
        log.contains("read 20 rows from corpus.csv, to_label.csv"),
        "{log}"
    );
    let model = stance::model::StanceModel::load(&w.path("m2.model")).unwrap();
    let rows: Vec<usize> = model.meta.data_files.iter().map(|f| f.rows).collect();
    assert_eq!(rows, [12, 8]);
    assert_eq!(model.meta.n_rows, 20);
    // A bad row in the second file names it and its line.
    w.write(
        "bad.csv",
        "text,topic,stance\nfine,other,neutral\n,other,neutral\n",
    );
    let o = w.run(&[
        "train",
        "--data",
        "corpus.csv",
        "--data",
        "bad.csv",
        "--out",
        "m3.model",
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.csv:3:"));
    // Evaluate: one model prints as before, two side by side.
    let one = ok(
        &w,
        &["evaluate", "--model", "m.model", "--data", "corpus.csv"],
    );
    assert!(one.contains("topic: accuracy"));
    let two = ok(
        &w,
        &[
            "evaluate",
            "--model",
            "m.model",
            "--model",
            "m2.model",
            "--data",
            "corpus.csv",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(two.lines().next().unwrap()).unwrap();
    assert_eq!(v["m.model"]["n"], 12);
    assert_eq!(v["m2.model"]["n"], 12);
    let table = ok(
        &w,
        &[
            "evaluate",
            "--model",
            "m.model",
            "--model",
            "m2.model",
            "--data",
            "corpus.csv",
        ],
    );
    let line = table
        .lines()
        .find(|l| l.starts_with("topic accuracy"))
        .unwrap();
    assert_eq!(line.split_whitespace().count(), 4, "{table}");
}

#[test]
fn article_column_flags_and_a_rejects_file_as_score_writes_it() {
    let w = workdir();
    // A CSV with other column names, and one record without its text.
    w.write(
        "articles.csv",
        "doc,body,outlet,day,headline\n\
         b1,MPs voted that American troops leave Iraq. Crowds rallied for Gaza in Basra.,Wire,2024-01-02,Vote\n\
         b2,,Wire,2024-01-03,Empty\n\
         b3,The envoy condemned the rocket fire. The Tigris ran low.,Daily,2024-01-04,Envoy\n",
    );
    let cols = [
        "--id-col",
        "doc",
        "--text-col",
        "body",
        "--source-col",
        "outlet",
        "--date-col",
        "day",
        "--title-col",
        "headline",
    ];
    let mut args = vec![
        "suggest",
        "articles.csv",
        "--model",
        "m.model",
        "--out",
        "b.csv",
    ];
    args.extend(cols);
    let o = w.run(&args);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("rejected 1 (see b.csv.rejects.csv)"),
        "{stderr}"
    );
    let got = rows(&w, "b.csv");
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(|r| r["article_id"] != "b2"));
    let b1 = got.iter().find(|r| r["article_id"] == "b1").unwrap();
    assert_eq!(
        (
            b1["source"].as_str(),
            b1["date"].as_str(),
            b1["title"].as_str()
        ),
        ("Wire", "2024-01-02", "Vote")
    );
    // The rejects file has score's columns and names the record.
    let rejects = w.read("b.csv.rejects.csv");
    let mut lines = rejects.lines();
    assert_eq!(lines.next(), Some("input,position,article_id,reason"));
    let line = lines.next().unwrap();
    assert!(
        line.starts_with("articles.csv,") && line.contains("b2"),
        "{rejects}"
    );
    assert_eq!(lines.next(), None);
    // Without the flags the id column is missing: the file is rejected, and named.
    let o = w.run(&[
        "suggest",
        "articles.csv",
        "--model",
        "m.model",
        "--out",
        "c.csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let rejects = w.read("c.csv.rejects.csv");
    assert!(rejects.contains("missing column"), "{rejects}");
    assert_eq!(rejects.lines().count(), 2, "{rejects}");
    // A clean run removes an old default rejects file; an explicit --rejects is always written.
    w.write(
        "articles.csv",
        w.read("articles.csv")
            .replace("b2,,", "b2,Fans filled the stadium.,"),
    );
    args.extend(["--rejects", "r.csv"]);
    ok(&w, &args);
    assert_eq!(w.read("r.csv"), "input,position,article_id,reason\n");
    args.truncate(args.len() - 2);
    ok(&w, &args);
    assert!(!w.path("b.csv.rejects.csv").exists());
    // The rejects file may not be an input or the --out file.
    let mut same = args.clone();
    same.extend(["--rejects", "b.csv"]);
    let o = w.run(&same);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("named for two outputs"));
}
