//! Bytes -> the article readers (`ArticleReader` over a file source) in each
//! format: CSV, JSON Lines and plain text. Nothing may panic, every item is an
//! article or a rejection, and articles keep their documented invariants.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stance::io::{ArticleReader, ArticleFormat, Item, ReadOptions, Source};

fn path() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| std::env::temp_dir().join(format!("stance-fuzz-articles-{}", std::process::id())))
}

fuzz_target!(|data: &[u8]| {
    let p = path();
    std::fs::write(p, data).expect("write temp file");
    for (format, max_bytes) in [
        (ArticleFormat::Csv, 16 << 20),
        (ArticleFormat::Jsonl, 16 << 20),
        (ArticleFormat::Txt, 16 << 20),
        // A small cap too, so the oversized-record paths are reached.
        (ArticleFormat::Csv, 64),
        (ArticleFormat::Jsonl, 64),
        (ArticleFormat::Txt, 64),
    ] {
        let source = Source::File {
            input: "fuzz".into(),
            path: p.clone(),
            format,
            id: "fuzz.txt".into(),
        };
        let reader = ArticleReader::new(
            vec![source],
            ReadOptions {
                max_bytes,
                ..ReadOptions::default()
            },
        );
        let mut n = 0usize;
        for item in reader {
            n += 1;
            // Each record is at least one byte (or one line), so the item
            // count is bounded by the input.
            assert!(n <= data.len() + 2, "{format:?}: more items than input bytes");
            match item {
                Item::Article(a) => {
                    assert!(!a.id.is_empty() && a.id.trim() == a.id, "{format:?}: bad id {:?}", a.id);
                    assert!(!a.text.trim().is_empty(), "{format:?}: blank text");
                    assert!(a.text.len() <= max_bytes, "{format:?}: text over max_bytes");
                }
                Item::Rejected(r) => {
                    assert!(!r.reason.is_empty(), "{format:?}: rejection without reason");
                }
            }
        }
    }
});
