//! Bytes written to a temp file -> `read_labelled_limited` with the default
//! record limit and with a 64-byte one (so the oversized-record paths are
//! reached), and `read_column_limited`: Ok or Err, never a panic; on Ok the
//! columns line up, lines are real (1-based, increasing) and no field is
//! above the limit; an error names a line of the file.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stance::io::{read_column_limited, read_labelled_limited, Columns};
use stance::Error;

fn path() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| std::env::temp_dir().join(format!("stance-fuzz-labelled-{}.csv", std::process::id())))
}

fuzz_target!(|data: &[u8]| {
    let p = path();
    std::fs::write(p, data).expect("write temp file");
    let last_line = 1 + data.iter().filter(|&&b| b == b'\n').count() as u64;
    for max in [16 << 20, 64] {
        match read_labelled_limited(p, &Columns::default(), max) {
            Ok(d) => {
                assert_eq!(d.texts.len(), d.topics.len());
                assert_eq!(d.texts.len(), d.lines.len());
                if let Some(s) = &d.stances {
                    assert_eq!(s.len(), d.texts.len());
                }
                assert_eq!(d.sha256.len(), 64);
                // Note: from 1: a header ended by a bare CR shares line 1 with the first row.
                assert!(d.lines.iter().all(|&l| (1..=last_line).contains(&l)));
                // Note: not strictly: a bare CR ends a record but not a line (lines count LF).
                assert!(d.lines.windows(2).all(|w| w[0] <= w[1]));
                assert!(d.texts.iter().chain(&d.topics).all(|t| !t.is_empty() && t.len() <= max));
                let topics = read_column_limited(p, "topic", max).expect("the column read_labelled read");
                assert_eq!(topics, d.topics);
            }
            Err(Error::Csv { line, .. } | Error::BadRow { line, .. } | Error::RecordTooLarge { line, .. }) => {
                assert!((1..=last_line).contains(&line), "line {line} of {last_line}");
            }
            Err(Error::MissingColumn { .. }) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
});
