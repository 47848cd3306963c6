//! Rejected items: one row per input item that could not be scored, and why.

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
        RecordFormat::Csv => {
            f.str("input", &r.input);
            f.str("position", &position);
            f.opt_str("article_id", r.article_id.as_deref());
            f.str("reason", &r.reason);
        }
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
