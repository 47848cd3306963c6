//! Quality checks on the shipped labelled corpus: the sentence files
//! `data/train.csv` / `data/test.csv` and the labelled articles
//! `data/labelled_articles/train.csv` / `test.csv` (one row per sentence, the
//! rows of an article together and in order). Columns, sizes, label sets and
//! coverage, ids, the articles' structure, and exact and near-duplicates within
//! every file and between every pair of files, so that no held-out row leaks
//! from anything a model is trained on.
//!
//! The definitions are those of `data/tools/near_duplicates.py` (kept in sync
//! by hand, including the `FIXED_NAMES` list, the scopes and the structure
//! rules):
//!
//! * words: the text lowercased, split into maximal runs of alphanumeric
//!   characters (`char::is_alphanumeric`; Python `str.isalnum`);
//! * the multi-word proper names in `FIXED_NAMES` are removed from the word
//!   sequence before shingling, and no shingle spans a removed name;
//! * two texts are near-duplicates when the Jaccard similarity of their
//!   5-gram sets is >= 0.3 (0 when both are empty) or they share an 8-gram;
//! * two texts are exact duplicates when their full word sequences (before
//!   name removal) are identical;
//! * an article file's rows of one article are contiguous, share its date,
//!   source and title, have the ids `ARTICLE-01`, `ARTICLE-02`, ... in order,
//!   number `MIN_SENTENCES` to `MAX_SENTENCES`, and have paragraph numbers
//!   that start at 1 and go up by 0 or 1 from one sentence to the next.
//!
//! Pure Rust: no Python is needed at test time. The four files are read and
//! shingled once per test binary (`corpus()`), so the file runs in about a
//! second in release mode.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::OnceLock;

const SHINGLE: usize = 5;
const LONG_SPAN: usize = 8;
const JACCARD_THRESHOLD: f64 = 0.3;

/// Same list as `FIXED_NAMES` in `data/tools/near_duplicates.py`.
const FIXED_NAMES: &[&str] = &[
    "popular mobilization forces",
    "popular mobilisation forces",
    "islamic resistance in iraq",
    "kurdistan regional government",
    "islamic revolutionary guard corps",
    "supreme national security council",
    "combined joint task force operation inherent resolve",
    "higher military commission",
    "independent high electoral commission",
    "central bank of iraq",
    "international committee of the red cross",
    "general company for ports of iraq",
    "iran iraq chamber of commerce",
    "state of law coalition",
    "asaib ahl al haq",
    "kataib sayyid al shuhada",
    "grand ayatollah ali al sistani",
    "mohammed shia al sudani",
    "sheikh tamim bin hamad al thani",
];

/// Columns the sentence files must have (others are allowed).
const COLUMNS: [&str; 5] = ["id", "text", "topic", "stance", "source"];
/// The exact header of the labelled-article files.
const ARTICLE_COLUMNS: [&str; 9] = [
    "id",
    "article_id",
    "paragraph",
    "date",
    "source",
    "title",
    "text",
    "topic",
    "stance",
];
const TOPICS: [&str; 4] = [
    "palestine",
    "coalition_withdrawal",
    "bilateral_ties",
    "other",
];
const STANCES: [&str; 3] = ["favor", "against", "neutral"];
/// The registers of the sentence files' `source` column (the article files
/// name an outlet there instead).
const SOURCES: [&str; 8] = [
    "wire",
    "official_statement",
    "press_conference",
    "interview",
    "parliament",
    "editorial",
    "tv_report",
    "social_media",
];
/// Sentences per labelled article (the writers' brief: 6 to 16, at most 18).
const MIN_SENTENCES: usize = 6;
const MAX_SENTENCES: usize = 18;

/// The shipped files, by their path under `data/`.
const TRAIN: &str = "train.csv";
const TEST: &str = "test.csv";
const ARTICLES_TRAIN: &str = "labelled_articles/train.csv";
const ARTICLES_TEST: &str = "labelled_articles/test.csv";
const FILES: [(&str, Layout); 4] = [
    (TRAIN, Layout::Sentences),
    (TEST, Layout::Sentences),
    (ARTICLES_TRAIN, Layout::Articles),
    (ARTICLES_TEST, Layout::Articles),
];
/// Cross-file scopes (left ~ right), as `SCOPES` in the Python tool: the left
/// file is the one a pair would be reworded in (the held-out or the newer
/// side). With every file within itself, this is every pair of files.
const SCOPES: [(&str, &str); 6] = [
    (TEST, TRAIN),
    (ARTICLES_TRAIN, TRAIN),
    (ARTICLES_TRAIN, TEST),
    (ARTICLES_TEST, ARTICLES_TRAIN),
    (ARTICLES_TEST, TRAIN),
    (ARTICLES_TEST, TEST),
];

/// Minimum sizes: (file, rows, articles).
const MIN_SIZES: [(&str, usize, usize); 4] = [
    (TRAIN, 3000, 0),
    (TEST, 600, 0),
    (ARTICLES_TRAIN, 3000, 300),
    (ARTICLES_TEST, 500, 50),
];

// ---------------------------------------------------------------------------
// Loading

#[derive(Debug, Clone, Copy, PartialEq)]
enum Layout {
    /// One independent statement per row (`train.csv`, `test.csv`).
    Sentences,
    /// One sentence of an article per row, with its article's fields.
    Articles,
}

/// One row; the article fields are empty in a sentence file.
#[derive(Debug, Clone, Default)]
struct Row {
    /// 1-based line of the record in its file.
    line: u64,
    id: String,
    text: String,
    topic: String,
    stance: String,
    source: String,
    article_id: String,
    paragraph: String,
    date: String,
    title: String,
}

struct Split {
    name: &'static str,
    layout: Layout,
    headers: Vec<String>,
    rows: Vec<Row>,
    shingled: Vec<Shingled>,
}

impl Split {
    fn texts(&self) -> Vec<&str> {
        self.rows.iter().map(|r| r.text.as_str()).collect()
    }

    /// Number of distinct articles (0 in a sentence file).
    fn articles(&self) -> usize {
        if self.layout == Layout::Sentences {
            return 0;
        }
        let ids: HashSet<&str> = self.rows.iter().map(|r| r.article_id.as_str()).collect();
        ids.len()
    }
}

fn data_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(file)
}

fn load(name: &'static str, layout: Layout) -> Split {
    let path = data_path(name);
    let mut reader = csv::Reader::from_path(&path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let headers: Vec<String> = reader
        .headers()
        .unwrap_or_else(|e| panic!("{}: bad header: {e}", path.display()))
        .iter()
        .map(str::to_owned)
        .collect();
    let col = |c: &str| headers.iter().position(|h| h == c);
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.unwrap_or_else(|e| panic!("{}: record {}: {e}", path.display(), n + 1));
        let get = |c: &str| col(c).and_then(|i| record.get(i)).unwrap_or("").to_owned();
        rows.push(Row {
            line: record.position().map_or(0, |p| p.line()),
            id: get("id"),
            text: get("text"),
            topic: get("topic"),
            stance: get("stance"),
            source: get("source"),
            article_id: get("article_id"),
            paragraph: get("paragraph"),
            date: get("date"),
            title: get("title"),
        });
    }
    let shingled = rows.iter().map(|r| Shingled::new(&r.text)).collect();
    Split {
        name,
        layout,
        headers,
        rows,
        shingled,
    }
}

/// The four shipped files, read and shingled once.
fn corpus() -> &'static [Split] {
    static CORPUS: OnceLock<Vec<Split>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        FILES
            .iter()
            .map(|&(name, layout)| load(name, layout))
            .collect()
    })
}

fn split(name: &str) -> &'static Split {
    corpus()
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no file {name} in FILES"))
}

/// Every file on its own, then the cross-file scopes: `(left, right)`, with
/// `right` `None` for a file within itself.
fn scopes() -> Vec<(&'static Split, Option<&'static Split>)> {
    let within = corpus().iter().map(|s| (s, None));
    let across = SCOPES.iter().map(|&(a, b)| (split(a), Some(split(b))));
    within.chain(across).collect()
}

// ---------------------------------------------------------------------------
// Shingling (the definition shared with data/tools/near_duplicates.py)

/// Lowercased maximal runs of letters/digits.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in text.chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() {
            cur.push(ch);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Word sequence with the fixed names removed, split at each removal.
fn segments(text: &str) -> Vec<Vec<String>> {
    let mut names: Vec<Vec<&str>> = FIXED_NAMES.iter().map(|n| n.split(' ').collect()).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let ws = words(text);
    let mut segs: Vec<Vec<String>> = vec![Vec::new()];
    let mut i = 0;
    'outer: while i < ws.len() {
        for name in &names {
            let end = i + name.len();
            if end <= ws.len() && ws[i..end].iter().zip(name).all(|(w, n)| w == n) {
                segs.push(Vec::new());
                i = end;
                continue 'outer;
            }
        }
        segs.last_mut().unwrap().push(ws[i].clone());
        i += 1;
    }
    segs.retain(|s| !s.is_empty());
    segs
}

fn shingles(text: &str, n: usize) -> HashSet<String> {
    let mut out = HashSet::new();
    for seg in segments(text) {
        if seg.len() >= n {
            for w in seg.windows(n) {
                out.insert(w.join(" "));
            }
        }
    }
    out
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    inter as f64 / union as f64
}

/// Shingle sets of one text.
struct Shingled {
    s5: HashSet<String>,
    s8: HashSet<String>,
}

impl Shingled {
    fn new(text: &str) -> Self {
        Shingled {
            s5: shingles(text, SHINGLE),
            s8: shingles(text, LONG_SPAN),
        }
    }
}

/// Why two shingled texts are near-duplicates, or `None` if they are not.
fn near_duplicate_reason(a: &Shingled, b: &Shingled) -> Option<String> {
    let j = jaccard(&a.s5, &b.s5);
    let shared8: BTreeSet<&String> = a.s8.intersection(&b.s8).collect();
    if j >= JACCARD_THRESHOLD || !shared8.is_empty() {
        Some(format!("5-gram jaccard {j:.3}, shared 8-grams {shared8:?}"))
    } else {
        None
    }
}

fn shingle_all(texts: &[&str]) -> Vec<Shingled> {
    texts.iter().map(|t| Shingled::new(t)).collect()
}

fn is_near_duplicate(a: &str, b: &str) -> bool {
    near_duplicate_reason(&Shingled::new(a), &Shingled::new(b)).is_some()
}

/// Near-duplicate pairs `(i, j, reason)` between `left` and `right` shingled
/// texts, or within `left` (pairs with i < j) when `right` is `None`.
/// Candidates come from an inverted index on 5-grams: every near-duplicate
/// pair shares at least one 5-gram (an 8-gram contains four of them).
fn near_duplicate_pairs(
    left: &[Shingled],
    right: Option<&[Shingled]>,
) -> Vec<(usize, usize, String)> {
    let within = right.is_none();
    let (l, r) = (left, right.unwrap_or(left));
    let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, s) in r.iter().enumerate() {
        for g in &s.s5 {
            index.entry(g.as_str()).or_default().push(j);
        }
    }
    let mut out = Vec::new();
    for (i, a) in l.iter().enumerate() {
        let candidates: BTreeSet<usize> =
            a.s5.iter()
                .filter_map(|g| index.get(g.as_str()))
                .flatten()
                .copied()
                .filter(|&j| !within || j > i)
                .collect();
        for j in candidates {
            if let Some(reason) = near_duplicate_reason(a, &r[j]) {
                out.push((i, j, reason));
            }
        }
    }
    out
}

/// Exact-duplicate pairs (same word sequence), within `left` or across.
fn exact_duplicate_pairs(left: &[&str], right: Option<&[&str]>) -> Vec<(usize, usize)> {
    let within = right.is_none();
    let right = right.unwrap_or(left);
    let mut seen: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
    for (j, t) in right.iter().enumerate() {
        seen.entry(words(t)).or_default().push(j);
    }
    let mut out = Vec::new();
    for (i, t) in left.iter().enumerate() {
        for &j in seen.get(&words(t)).map(Vec::as_slice).unwrap_or(&[]) {
            if !within || j > i {
                out.push((i, j));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Article structure (the rules of `article_problems` in the Python tool)

/// Whether `text` is a valid date written `YYYY-MM-DD`.
fn valid_date(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return false;
    }
    let number = |r: std::ops::Range<usize>| text[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

/// Problems with the article structure of one labelled-article file's rows,
/// each naming the file and line.
fn article_problems(name: &str, rows: &[Row]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen: HashMap<&str, u64> = HashMap::new();
    for members in rows.chunk_by(|a, b| a.article_id == b.article_id) {
        let head = &members[0];
        let art = head.article_id.as_str();
        let at = |r: &Row| format!("{name}:{}", r.line);
        if art.trim().is_empty() {
            out.push(format!("{}: empty article_id", at(head)));
        }
        if let Some(first) = seen.get(art) {
            out.push(format!(
                "{}: article {art} starts again (its rows began at line {first}); \
                 rows of an article must be contiguous",
                at(head)
            ));
            continue;
        }
        seen.insert(art, head.line);
        if !(MIN_SENTENCES..=MAX_SENTENCES).contains(&members.len()) {
            out.push(format!(
                "{}: article {art} has {} sentences (want {MIN_SENTENCES} to {MAX_SENTENCES})",
                at(head),
                members.len()
            ));
        }
        if !valid_date(&head.date) {
            out.push(format!(
                "{}: article {art} date {:?} is not a valid YYYY-MM-DD",
                at(head),
                head.date
            ));
        }
        for (field, value) in [("source", &head.source), ("title", &head.title)] {
            if value.trim().is_empty() {
                out.push(format!("{}: article {art} has an empty {field}", at(head)));
            }
        }
        let mut previous = 0;
        for (k, r) in (1..).zip(members) {
            for (field, value, want) in [
                ("date", &r.date, &head.date),
                ("source", &r.source, &head.source),
                ("title", &r.title, &head.title),
            ] {
                if value != want {
                    out.push(format!(
                        "{}: {} {field} {value:?} differs from its article's {want:?} (line {})",
                        at(r),
                        r.id,
                        head.line
                    ));
                }
            }
            let id = format!("{art}-{k:02}");
            if r.id != id {
                out.push(format!(
                    "{}: id {} should be {id} (sentence {k} of article {art})",
                    at(r),
                    r.id
                ));
            }
            let para = match r.paragraph.parse::<u64>() {
                Ok(p) if r.paragraph.bytes().all(|b| b.is_ascii_digit()) => p,
                _ => {
                    out.push(format!(
                        "{}: {} paragraph {:?} is not a number",
                        at(r),
                        r.id,
                        r.paragraph
                    ));
                    continue;
                }
            };
            let ok = if k == 1 {
                para == 1
            } else {
                para == previous || para == previous + 1
            };
            if !ok {
                let want = if k == 1 {
                    "1".to_owned()
                } else {
                    format!("{previous} or {}", previous + 1)
                };
                out.push(format!(
                    "{}: {} paragraph {para}, expected {want}",
                    at(r),
                    r.id
                ));
            }
            previous = para;
        }
    }
    out
}

fn describe(a: &Split, b: &Split, pairs: &[(usize, usize, String)]) -> String {
    pairs
        .iter()
        .take(20)
        .map(|(i, j, why)| {
            format!(
                "\n  {} {} ~ {} {} ({why})\n    {:?}\n    {:?}",
                a.name, a.rows[*i].id, b.name, b.rows[*j].id, a.rows[*i].text, b.rows[*j].text
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Checks on the shipped files

#[test]
fn header_columns_present() {
    for split in corpus() {
        match split.layout {
            Layout::Sentences => {
                for c in COLUMNS {
                    assert!(
                        split.headers.iter().any(|h| h == c),
                        "{}: missing column {c:?} (header {:?})",
                        split.name,
                        split.headers
                    );
                }
            }
            Layout::Articles => {
                assert_eq!(split.headers, ARTICLE_COLUMNS, "{}: header", split.name)
            }
        }
    }
}

#[test]
fn enough_rows_and_articles() {
    for (name, rows, articles) in MIN_SIZES {
        let split = split(name);
        assert!(
            split.rows.len() >= rows,
            "{name} has {} rows, want at least {rows}",
            split.rows.len()
        );
        assert!(
            split.articles() >= articles,
            "{name} has {} articles, want at least {articles}",
            split.articles()
        );
    }
}

#[test]
fn ids_and_texts_nonempty_and_ids_unique_across_files() {
    let mut ids: HashMap<&str, String> = HashMap::new();
    for split in corpus() {
        for r in &split.rows {
            let at = format!("{}:{}", split.name, r.line);
            assert!(!r.id.trim().is_empty(), "{at}: row without id: {r:?}");
            assert!(!r.text.trim().is_empty(), "{at}: {} has empty text", r.id);
            if let Some(first) = ids.insert(&r.id, at.clone()) {
                panic!("{at}: id {} already used at {first}", r.id);
            }
        }
    }
}

#[test]
fn labels_within_allowed_sets() {
    for split in corpus() {
        for r in &split.rows {
            let at = format!("{}:{}", split.name, r.line);
            assert!(
                TOPICS.contains(&r.topic.as_str()),
                "{at}: {} topic {:?}",
                r.id,
                r.topic
            );
            assert!(
                STANCES.contains(&r.stance.as_str()),
                "{at}: {} stance {:?}",
                r.id,
                r.stance
            );
            if split.layout == Layout::Sentences {
                assert!(
                    SOURCES.contains(&r.source.as_str()),
                    "{at}: {} source {:?}",
                    r.id,
                    r.source
                );
            }
        }
    }
}

#[test]
fn every_topic_has_all_stances_and_other_is_neutral() {
    for split in corpus() {
        let mut seen: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for r in &split.rows {
            seen.entry(r.topic.as_str())
                .or_default()
                .insert(r.stance.as_str());
        }
        for topic in TOPICS {
            let got = seen.get(topic).cloned().unwrap_or_default();
            let want: BTreeSet<&str> = if topic == "other" {
                ["neutral"].into()
            } else {
                STANCES.into()
            };
            assert_eq!(got, want, "{}: stances of topic {topic}", split.name);
        }
    }
}

#[test]
fn articles_are_contiguous_numbered_and_consistent() {
    for split in corpus().iter().filter(|s| s.layout == Layout::Articles) {
        let problems = article_problems(split.name, &split.rows);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}

#[test]
fn no_exact_duplicate_texts() {
    let mut problems = Vec::new();
    for (a, b) in scopes() {
        let left = a.texts();
        let pairs = match b {
            None => exact_duplicate_pairs(&left, None),
            Some(b) => exact_duplicate_pairs(&left, Some(&b.texts())),
        };
        let b = b.unwrap_or(a);
        for (i, j) in pairs {
            problems.push(format!(
                "{} {} == {} {}",
                a.name, a.rows[i].id, b.name, b.rows[j].id
            ));
        }
    }
    assert!(problems.is_empty(), "exact duplicates: {problems:#?}");
}

#[test]
fn no_near_duplicates_within_a_file() {
    for (split, _) in scopes().into_iter().filter(|(_, b)| b.is_none()) {
        let pairs = near_duplicate_pairs(&split.shingled, None);
        assert!(
            pairs.is_empty(),
            "{} near-duplicate pairs within {}:{}",
            pairs.len(),
            split.name,
            describe(split, split, &pairs)
        );
    }
}

#[test]
fn no_near_duplicates_between_files() {
    let mut report = String::new();
    for (a, b) in scopes() {
        let Some(b) = b else { continue };
        let pairs = near_duplicate_pairs(&a.shingled, Some(&b.shingled));
        if !pairs.is_empty() {
            report += &format!(
                "\n{} near-duplicate pairs ({} row ~ {} row):{}",
                pairs.len(),
                a.name,
                b.name,
                describe(a, b, &pairs)
            );
        }
    }
    assert!(report.is_empty(), "{report}");
}

// ---------------------------------------------------------------------------
// The checker itself must be able to fail.

mod checker {
    use super::*;

    const TRAIN: &str = "BAGHDAD, Jan 14 (wire) - Two rockets landed inside the perimeter of \
        Ain al-Asad air base in western Anbar late on Tuesday, a security source said.";
    /// Reworded, but keeps an 8-word run from TRAIN.
    const LEAK_8GRAM: &str = "Three rockets landed inside the perimeter of Ain al-Asad air \
        base on Monday evening, the Security Media Cell said, without reporting damage.";
    /// Mostly the same sentence with light edits: high 5-gram overlap.
    const LEAK_JACCARD: &str = "Two rockets landed inside the perimeter of Ain al-Asad air base \
        in western Anbar late Tuesday, a security source told reporters.";
    /// Same event, fully rewritten.
    const CLEAN: &str = "The Security Media Cell said a pair of rockets fell within the fence \
        of the Anbar base that hosts US forces, causing no damage.";

    #[test]
    fn words_split_on_non_alphanumerics_and_lowercase() {
        assert_eq!(
            words("US-led Iraq's  ISIS, 2024!"),
            ["us", "led", "iraq", "s", "isis", "2024"]
        );
    }

    #[test]
    fn shared_8gram_is_caught() {
        let (a, b) = (Shingled::new(TRAIN), Shingled::new(LEAK_8GRAM));
        assert!(
            jaccard(&a.s5, &b.s5) < JACCARD_THRESHOLD,
            "test pair should rely on the 8-gram"
        );
        assert!(is_near_duplicate(LEAK_8GRAM, TRAIN));
    }

    #[test]
    fn high_jaccard_is_caught() {
        let (a, b) = (Shingled::new(TRAIN), Shingled::new(LEAK_JACCARD));
        assert!(jaccard(&a.s5, &b.s5) >= JACCARD_THRESHOLD);
        assert!(is_near_duplicate(LEAK_JACCARD, TRAIN));
    }

    #[test]
    fn jaccard_alone_without_8gram_is_caught() {
        // Short texts sharing 5-grams but no 8-gram: 2 of 4 distinct 5-grams.
        let a = "one two three four five six seven";
        let b = "one two three four five six eight";
        let (sa, sb) = (Shingled::new(a), Shingled::new(b));
        assert!(sa.s8.intersection(&sb.s8).next().is_none());
        assert!(jaccard(&sa.s5, &sb.s5) >= JACCARD_THRESHOLD);
        assert!(is_near_duplicate(a, b));
    }

    #[test]
    fn rewritten_sentence_passes() {
        assert!(!is_near_duplicate(CLEAN, TRAIN));
    }

    #[test]
    fn shared_fixed_name_alone_is_not_a_near_duplicate() {
        let a = "The office of Grand Ayatollah Ali al-Sistani announced the start of Ramadan.";
        let b = "Protesters marched to the office of Grand Ayatollah Ali al-Sistani in Najaf.";
        assert!(!is_near_duplicate(a, b));
        // Without the exemption the 8-word span would count.
        let words_a = words(a).join(" ");
        assert!(words_a.contains("the office of grand ayatollah ali al sistani"));
        // A name shared together with other words still counts.
        let c =
            "The office of Grand Ayatollah Ali al-Sistani announced the start of Ramadan today.";
        assert!(is_near_duplicate(a, c));
    }

    #[test]
    fn pair_search_finds_the_synthetic_leak() {
        let train = [
            CLEAN,
            TRAIN,
            "Unrelated sentence about the weather in Basra this week.",
        ];
        let test = [
            "Another unrelated sentence about football in Erbil.",
            LEAK_8GRAM,
            LEAK_JACCARD,
        ];
        let (test, train) = (shingle_all(&test), shingle_all(&train));
        let pairs = near_duplicate_pairs(&test, Some(&train));
        let found: Vec<(usize, usize)> = pairs.iter().map(|(i, j, _)| (*i, *j)).collect();
        assert_eq!(found, [(1, 1), (2, 1)]);
        let within = near_duplicate_pairs(&test, None);
        assert_eq!(
            within.len(),
            1,
            "LEAK_8GRAM and LEAK_JACCARD share 8-grams: {within:?}"
        );
    }

    #[test]
    fn exact_duplicates_ignore_case_and_punctuation() {
        let train = ["Iraq's cabinet met on Sunday.", "Something else entirely."];
        let test = ["IRAQ'S CABINET MET ON SUNDAY", "A new sentence."];
        assert_eq!(exact_duplicate_pairs(&test, Some(&train)), [(0, 0)]);
        assert_eq!(exact_duplicate_pairs(&train, None), []);
    }

    /// A well-formed article: `n` sentences, two per paragraph.
    fn article(id: &str, n: usize, first_line: u64) -> Vec<Row> {
        (1..=n)
            .map(|k| Row {
                line: first_line + k as u64 - 1,
                id: format!("{id}-{k:02}"),
                text: format!("Sentence {k} of {id}."),
                topic: "other".into(),
                stance: "neutral".into(),
                source: "Reuters".into(),
                article_id: id.into(),
                paragraph: k.div_ceil(2).to_string(),
                date: "2024-02-29".into(),
                title: format!("Headline of {id}"),
            })
            .collect()
    }

    fn two_articles() -> Vec<Row> {
        let mut rows = article("ta-x-001", 7, 2);
        rows.extend(article("ta-x-002", 6, 9));
        rows
    }

    /// The problems `article_problems` finds after `edit`, which must find
    /// nothing before it.
    fn problems_after(edit: impl FnOnce(&mut Vec<Row>)) -> Vec<String> {
        let mut rows = two_articles();
        assert_eq!(article_problems("t.csv", &rows), Vec::<String>::new());
        edit(&mut rows);
        article_problems("t.csv", &rows)
    }

    fn finds(edit: impl FnOnce(&mut Vec<Row>), expected: &str) {
        let problems = problems_after(edit);
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "expected a problem containing {expected:?}, got {problems:#?}"
        );
    }

    #[test]
    fn article_checks_catch_order_faults() {
        finds(
            |r| r.swap(1, 2),
            "t.csv:4: id ta-x-001-03 should be ta-x-001-02",
        );
        finds(
            |r| {
                let moved = r.remove(0);
                r.push(moved);
            },
            "article ta-x-001 starts again (its rows began at line 3)",
        );
    }

    #[test]
    fn article_checks_catch_inconsistent_or_missing_fields() {
        finds(
            |r| r[3].date = "2024-03-01".into(),
            "t.csv:5: ta-x-001-04 date",
        );
        finds(
            |r| r[3].source = "AP".into(),
            "ta-x-001-04 source \"AP\" differs",
        );
        finds(|r| r[3].title = "Other".into(), "ta-x-001-04 title");
        finds(
            |r| {
                r.iter_mut()
                    .take(7)
                    .for_each(|row| row.date = "2023-02-29".into())
            },
            "date \"2023-02-29\" is not a valid YYYY-MM-DD",
        );
        finds(
            |r| r.iter_mut().skip(7).for_each(|row| row.source = " ".into()),
            "article ta-x-002 has an empty source",
        );
    }

    #[test]
    fn article_checks_catch_paragraph_faults() {
        for (row, paragraph, expected) in [
            (7, "2", "ta-x-002-01 paragraph 2, expected 1"),
            (4, "4", "ta-x-001-05 paragraph 4, expected 2 or 3"),
            (4, "1", "ta-x-001-05 paragraph 1, expected 2 or 3"),
            (4, "3a", "paragraph \"3a\" is not a number"),
            (4, "+3", "paragraph \"+3\" is not a number"),
        ] {
            finds(|r| r[row].paragraph = paragraph.into(), expected);
        }
    }

    #[test]
    fn article_checks_catch_too_few_or_too_many_sentences() {
        finds(|r| r.truncate(12), "article ta-x-002 has 5 sentences");
        finds(
            |r| r.extend(article("ta-x-003", MAX_SENTENCES + 1, 20)),
            "article ta-x-003 has 19 sentences",
        );
    }

    #[test]
    fn dates_are_checked_by_the_calendar() {
        for good in ["2024-02-29", "2000-02-29", "2025-12-31", "2023-04-30"] {
            assert!(valid_date(good), "{good}");
        }
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-04-31",
            "2024-13-01",
            "2024-00-10",
            "2024-01-00",
            "2024-1-05",
            "2024/01/05",
            "24-01-2024",
            "2024-01-05 ",
            "",
        ] {
            assert!(!valid_date(bad), "{bad:?}");
        }
    }
}
