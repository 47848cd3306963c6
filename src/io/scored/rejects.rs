//! Rejected items: one row per input item that could not be scored, and why.

use super::cells::{ArrowRows, Cells};
use super::encode::{csv_header, Fields};
use super::schema::{RecordFormat, REJECT_COLUMNS};
use crate::io::articles::Rejected;

/// The header line of a rejects file (nothing for JSON Lines).
pub fn reject_header(buf: &mut Vec<u8>, format: RecordFormat) {
    if format == RecordFormat::Csv {
        csv_header(buf, REJECT_COLUMNS.iter());
    }
}

/// Appends one rejected item: CSV columns [`REJECT_COLUMNS`], or a JSON line
/// `{"article_id", "rejected": true, "reason", "input", "position"}`.
pub fn write_reject(buf: &mut Vec<u8>, format: RecordFormat, r: &Rejected) {
    let position = r.position.to_string();
    let mut f = Fields::start(buf, format);
    match format {
        RecordFormat::Csv => reject_cells(&mut f, r, &position),
        RecordFormat::Jsonl => {
            f.opt_str("article_id", r.article_id.as_deref());
            f.raw("rejected", Some("true"));
            f.str("reason", &r.reason);
            f.str("input", &r.input);
            f.str("position", &position);
        }
    }
    f.end();
}

/// The cells of a rejects row, [`REJECT_COLUMNS`].
fn reject_cells(f: &mut impl Cells, r: &Rejected, position: &str) {
    f.str("input", &r.input);
    f.str("position", position);
    f.opt_str("article_id", r.article_id.as_deref());
    f.str("reason", &r.reason);
}

/// Empty Arrow columns of rejects, [`REJECT_COLUMNS`] (Parquet output).
pub fn reject_arrow_rows() -> ArrowRows {
    let r = Rejected {
        input: String::new(),
        position: crate::io::position::Position {
            file: String::new(),
            line: None,
        },
        article_id: None,
        reason: String::new(),
    };
    ArrowRows::shaped_by(|rows| reject_cells(rows, &r, ""))
}

/// Appends one rejected item to columns from [`reject_arrow_rows`].
pub fn push_reject(rows: &mut ArrowRows, r: &Rejected) {
    reject_cells(rows, r, &r.position.to_string());
    rows.end_row();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::position::Position;
    use crate::io::scored::encode::tests::text;

    #[test]
    fn rejects_in_both_formats() {
        let r = Rejected {
            input: "dir".into(),
            position: Position {
                file: "dir/a.csv".into(),
                line: Some(4),
            },
            article_id: None,
            reason: "bad CSV record: 2 fields, the header has 3".into(),
        };
        let out = text(|b| {
            reject_header(b, RecordFormat::Csv);
            write_reject(b, RecordFormat::Csv, &r);
        });
        assert_eq!(
            out,
            "input,position,article_id,reason\ndir,dir/a.csv:4,,\"bad CSV record: 2 fields, the header has 3\"\n"
        );
        let line = text(|b| write_reject(b, RecordFormat::Jsonl, &r));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["rejected"], true);
        assert_eq!(v["article_id"], serde_json::Value::Null);
        assert_eq!(v["position"], "dir/a.csv:4");
    }
}
