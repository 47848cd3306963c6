//! Bytes written to a temp file -> `read_labelled`: Ok or Err, never a panic;
//! on Ok the columns must line up.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stance::io::{read_labelled, Columns};

fn path() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| std::env::temp_dir().join(format!("stance-fuzz-labelled-{}.csv", std::process::id())))
}

fuzz_target!(|data: &[u8]| {
    let p = path();
    std::fs::write(p, data).expect("write temp file");
    if let Ok(d) = read_labelled(p, &Columns::default()) {
        assert_eq!(d.texts.len(), d.topics.len());
        assert_eq!(d.texts.len(), d.lines.len());
        if let Some(s) = &d.stances {
            assert_eq!(s.len(), d.texts.len());
        }
        assert_eq!(d.sha256.len(), 64);
    }
});
