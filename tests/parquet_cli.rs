//! Parquet through the CLI: `stance score` reads articles from a `.parquet`
//! file and writes statements, article rows and rejects as Parquet, with the
//! same rows as JSON Lines; `stance report` reads the Parquet statements and
//! gives the report of the JSON Lines; a bad row is a reject at its 1-based
//! row, and a truncated or garbage file is a reject (score) or an error
//! naming the file (report), never a panic.
//!
//! The Python side (pyarrow reading these files, equal to the JSONL rows,
//! every column and probability) is in python/tests/test_parquet.py.

mod common;

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::TempWorkdir;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use stance::io::{ScoredEntry, ScoredReader, Statement};

/// A small labelled set: `--min-df 1` trains on it in milliseconds.
const LABELLED: &str = "text,topic,stance
The minister praised the new dam on the river.,water,favor
Farmers condemned the cuts to irrigation canals.,water,against
Officials discussed the water treatment plant.,water,neutral
Residents welcomed the electricity grid upgrade.,energy,favor
The council rejected the oil refinery expansion.,energy,against
A spokesman reported on the gas power station.,energy,neutral
";

/// The repository's sample articles as columns: id, date, source, title, text.
fn sample_articles() -> Vec<[String; 5]> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles/articles.csv");
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let at = |name: &str| h.iter().position(|c| c == name).unwrap();
    let cols = [at("id"), at("date"), at("source"), at("title"), at("text")];
    r.records()
        .map(|rec| cols.map(|i| rec.as_ref().unwrap()[i].to_string()))
        .collect()
}

/// Writes `rows` (id, date, source, title, text; "" for null) to a Parquet file,
/// `per_group` rows per row group, with the given column names.
fn write_articles(path: &Path, names: [&str; 5], rows: &[[String; 5]], per_group: usize) {
    let fields: Vec<Field> = names
        .iter()
        .map(|n| Field::new(*n, DataType::Utf8, true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let columns: Vec<ArrayRef> = (0..5)
        .map(|c| {
            let values: Vec<Option<&str>> = rows
                .iter()
                .map(|r| Some(r[c].as_str()).filter(|s| !s.is_empty()))
                .collect();
            Arc::new(StringArray::from(values)) as ArrayRef
        })
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(per_group))
        .build();
    let mut w = ArrowWriter::try_new(File::create(path).unwrap(), schema, Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

/// The statements of a scored file as `stance report` reads them.
fn statements(path: &Path) -> Vec<Statement> {
    ScoredReader::open(path, None)
        .unwrap()
        .map(|e| match e.unwrap() {
            ScoredEntry::Statement(_, mut s) => {
                s.topic_probs.clear();
                s.stance_probs.clear();
                s
            }
            ScoredEntry::Problem(p) => panic!("{path:?}: {p:?}"),
        })
        .collect()
}

fn ok(out: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// Trains `m.model` in the dir on [`LABELLED`].
fn train_tiny_model(w: &TempWorkdir) {
    w.write("labelled.csv", LABELLED);
    let out = w.run(&[
        "train",
        "--data",
        "labelled.csv",
        "--min-df",
        "1",
        "--out",
        "m.model",
    ]);
    assert!(out.status.success(), "{}", ok(&out));
}

#[test]
fn parquet_round_trip_equals_json_lines() {
    let w = TempWorkdir::new();
    train_tiny_model(&w);
    let mut rows = sample_articles();
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles/articles.csv");
    let n = rows.len();
    assert!(n > 10);
    // Note: two bad rows at the end: an empty text and a repeated id.
    let first_id = rows[0][0].clone();
    rows.push([
        "blank".into(),
        String::new(),
        String::new(),
        String::new(),
        "  ".into(),
    ]);
    rows.push([
        first_id.clone(),
        String::new(),
        String::new(),
        String::new(),
        "Again.".into(),
    ]);
    // Note: other column names, given as for CSV; row groups of 7 rows.
    write_articles(
        &w.path("in.parquet"),
        ["doc", "day", "outlet", "headline", "body"],
        &rows,
        7,
    );
    let cols = [
        "--id-col",
        "doc",
        "--date-col",
        "day",
        "--source-col",
        "outlet",
        "--title-col",
        "headline",
        "--text-col",
        "body",
        "--model",
        "m.model",
    ];
    let mut args = vec!["score", "in.parquet", "--out", "s.parquet"];
    args.extend(["--articles-out", "a.parquet", "--rejects", "r.parquet"]);
    args.extend(cols);
    let out = w.run(&args);
    assert_eq!(out.status.code(), Some(2), "{}", ok(&out));
    let csv = csv.to_str().unwrap();
    let out = w.run(&[
        "score",
        csv,
        "--model",
        "m.model",
        "--out",
        "s.jsonl",
        "--articles-out",
        "a.jsonl",
    ]);
    assert!(out.status.success(), "{}", ok(&out));

    let (pq, jl) = (
        statements(&w.path("s.parquet")),
        statements(&w.path("s.jsonl")),
    );
    assert!(!jl.is_empty());
    assert_eq!(pq, jl);

    // Rejects: 1-based rows of the Parquet file.
    let file = File::open(w.path("r.parquet")).unwrap();
    let batches: Vec<RecordBatch> =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap()
            .map(Result::unwrap)
            .collect();
    let col = |name: &str| -> Vec<Option<String>> {
        batches
            .iter()
            .flat_map(|b| {
                let a = b
                    .column_by_name(name)
                    .unwrap()
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .unwrap()
                    .clone();
                (0..a.len())
                    .map(|i| a.is_valid(i).then(|| a.value(i).to_string()))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let positions: Vec<String> = col("position").into_iter().flatten().collect();
    let in_pq = "in.parquet";
    assert_eq!(
        positions,
        [format!("{in_pq}:{}", n + 1), format!("{in_pq}:{}", n + 2)]
    );
    let reasons: Vec<String> = col("reason").into_iter().flatten().collect();
    assert_eq!(reasons[0], "empty text");
    assert!(reasons[1].starts_with("duplicate id"), "{}", reasons[1]);
    assert_eq!(col("article_id")[1].as_deref(), Some(first_id.as_str()));

    // The report of the Parquet statements is the report of the JSON Lines.
    for (input, report) in [("s.parquet", "r1.json"), ("s.jsonl", "r2.json")] {
        let out = w.run(&[
            "report", input, "--format", "json", "--out", report, "--by", "source",
        ]);
        assert!(out.status.success(), "{input}: {}", ok(&out));
    }
    let (r1, r2) = (w.read("r1.json"), w.read("r2.json"));
    assert!(r1.contains("\"rows_read\""), "{r1}");
    assert_eq!(
        common::report_statistics(&r1),
        common::report_statistics(&r2)
    );
}

#[test]
fn corrupt_parquet_is_rejected_not_a_panic() {
    let w = TempWorkdir::new();
    train_tiny_model(&w);
    let rows = sample_articles();
    write_articles(
        &w.path("good.parquet"),
        ["id", "date", "source", "title", "text"],
        &rows,
        5,
    );
    let good = w.read_bytes("good.parquet");
    let out = w.run(&[
        "score",
        "good.parquet",
        "--model",
        "m.model",
        "--out",
        "s.parquet",
    ]);
    assert!(out.status.success(), "{}", ok(&out));
    let scored = w.read_bytes("s.parquet");
    w.write("half.parquet", &good[..good.len() / 2]);
    w.write(
        "garbage.parquet",
        b"PAR1 this is not a parquet file at all PAR1",
    );
    // Note: the footer kept, a data page overwritten: the damage is found while reading rows.
    let mut damaged = good.clone();
    for b in &mut damaged[4..good.len() / 3] {
        *b = 0xA5;
    }
    w.write("damaged.parquet", &damaged);
    for name in ["half.parquet", "garbage.parquet", "damaged.parquet"] {
        let out = w.run(&[
            "score",
            name,
            "--model",
            "m.model",
            "--out",
            "x.jsonl",
            "--rejects",
            "x.rej.csv",
        ]);
        let stderr = ok(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        let rejects = w.read("x.rej.csv");
        assert!(rejects.contains("bad Parquet"), "{name}: {rejects}");
    }
    w.write("half_s.parquet", &scored[..scored.len() / 2]);
    let out = w.run(&["report", "half_s.parquet"]);
    let stderr = ok(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("half_s.parquet") && stderr.contains("bad Parquet"),
        "{stderr}"
    );

    // A missing text column is an error before any work, listing the columns.
    write_articles(
        &w.path("body.parquet"),
        ["id", "date", "source", "title", "body"],
        &rows,
        5,
    );
    let out = w.run(&["score", "body.parquet", "--model", "m.model"]);
    let stderr = ok(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no column \"text\"") && stderr.contains("id, date, source, title, body"),
        "{stderr}"
    );
}
