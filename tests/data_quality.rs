//! Quality checks on the shipped labelled corpus, `data/train.csv` and
//! `data/test.csv`: columns, sizes, label sets and coverage, exact duplicates
//! and near-duplicates (including test rows that leak from train).
//!
//! The near-duplicate definition is the one of `data/tools/near_duplicates.py`
//! (kept in sync by hand, including the `FIXED_NAMES` list):
//!
//! * words: the text lowercased, split into maximal runs of alphanumeric
//!   characters (`char::is_alphanumeric`; Python `str.isalnum`);
//! * the multi-word proper names in `FIXED_NAMES` are removed from the word
//!   sequence before shingling, and no shingle spans a removed name;
//! * two texts are near-duplicates when the Jaccard similarity of their
//!   5-gram sets is >= 0.3 (0 when both are empty) or they share an 8-gram;
//! * two texts are exact duplicates when their full word sequences (before
//!   name removal) are identical.
//!
//! Pure Rust: no Python is needed at test time.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

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

const COLUMNS: [&str; 5] = ["id", "text", "topic", "stance", "source"];
const TOPICS: [&str; 4] = [
    "palestine",
    "coalition_withdrawal",
    "bilateral_ties",
    "other",
];
const STANCES: [&str; 3] = ["favor", "against", "neutral"];
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
const MIN_TRAIN_ROWS: usize = 3000;
const MIN_TEST_ROWS: usize = 600;

// ---------------------------------------------------------------------------
// Loading

#[derive(Debug, Clone)]
struct Row {
    id: String,
    text: String,
    topic: String,
    stance: String,
    source: String,
}

struct Split {
    name: &'static str,
    headers: Vec<String>,
    rows: Vec<Row>,
}

fn data_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(file)
}

fn load(name: &'static str) -> Split {
    let path = data_path(&format!("{name}.csv"));
    let mut reader = csv::Reader::from_path(&path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let headers: Vec<String> = reader
        .headers()
        .unwrap_or_else(|e| panic!("{}: bad header: {e}", path.display()))
        .iter()
        .map(str::to_owned)
        .collect();
    let col = |c: &str| headers.iter().position(|h| h == c);
    let idx: Vec<Option<usize>> = COLUMNS.iter().map(|c| col(c)).collect();
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.unwrap_or_else(|e| panic!("{}: record {}: {e}", path.display(), n + 1));
        let get = |k: usize| idx[k].and_then(|i| record.get(i)).unwrap_or("").to_owned();
        rows.push(Row {
            id: get(0),
            text: get(1),
            topic: get(2),
            stance: get(3),
            source: get(4),
        });
    }
    Split {
        name,
        headers,
        rows,
    }
}

fn splits() -> (Split, Split) {
    (load("train"), load("test"))
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

fn is_near_duplicate(a: &str, b: &str) -> bool {
    near_duplicate_reason(&Shingled::new(a), &Shingled::new(b)).is_some()
}

/// Near-duplicate pairs `(i, j, reason)` between `left` and `right` texts,
/// or within `left` (pairs with i < j) when `right` is `None`.
/// Candidates come from an inverted index on 5-grams: every near-duplicate
/// pair shares at least one 5-gram (an 8-gram contains four of them).
fn near_duplicate_pairs(left: &[&str], right: Option<&[&str]>) -> Vec<(usize, usize, String)> {
    let within = right.is_none();
    let right = right.unwrap_or(left);
    let l: Vec<Shingled> = left.iter().map(|t| Shingled::new(t)).collect();
    let r: Vec<Shingled> = right.iter().map(|t| Shingled::new(t)).collect();
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

fn texts(split: &Split) -> Vec<&str> {
    split.rows.iter().map(|r| r.text.as_str()).collect()
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
    let (train, test) = splits();
    for split in [&train, &test] {
        for c in COLUMNS {
            assert!(
                split.headers.iter().any(|h| h == c),
                "{}.csv: missing column {c:?} (header {:?})",
                split.name,
                split.headers
            );
        }
    }
}

#[test]
fn enough_rows() {
    let (train, test) = splits();
    assert!(
        train.rows.len() >= MIN_TRAIN_ROWS,
        "train has {} rows",
        train.rows.len()
    );
    assert!(
        test.rows.len() >= MIN_TEST_ROWS,
        "test has {} rows",
        test.rows.len()
    );
}

#[test]
fn ids_and_texts_nonempty_and_ids_unique() {
    let (train, test) = splits();
    let mut ids = HashSet::new();
    for split in [&train, &test] {
        for r in &split.rows {
            assert!(
                !r.id.trim().is_empty(),
                "{}: row without id: {r:?}",
                split.name
            );
            assert!(
                !r.text.trim().is_empty(),
                "{}: {} has empty text",
                split.name,
                r.id
            );
            assert!(
                ids.insert(r.id.clone()),
                "{}: duplicate id {}",
                split.name,
                r.id
            );
        }
    }
}

#[test]
fn labels_within_allowed_sets() {
    let (train, test) = splits();
    for split in [&train, &test] {
        for r in &split.rows {
            assert!(
                TOPICS.contains(&r.topic.as_str()),
                "{}: {} topic {:?}",
                split.name,
                r.id,
                r.topic
            );
            assert!(
                STANCES.contains(&r.stance.as_str()),
                "{}: {} stance {:?}",
                split.name,
                r.id,
                r.stance
            );
            assert!(
                SOURCES.contains(&r.source.as_str()),
                "{}: {} source {:?}",
                split.name,
                r.id,
                r.source
            );
        }
    }
}

#[test]
fn every_topic_has_all_stances_and_other_is_neutral() {
    let (train, test) = splits();
    for split in [&train, &test] {
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
            assert_eq!(got, want, "{}.csv: stances of topic {topic}", split.name);
        }
    }
}

#[test]
fn no_exact_duplicate_texts() {
    let (train, test) = splits();
    let (tr, te) = (texts(&train), texts(&test));
    let mut problems = Vec::new();
    for (a, b, pairs) in [
        (&train, &train, exact_duplicate_pairs(&tr, None)),
        (&test, &test, exact_duplicate_pairs(&te, None)),
        (&test, &train, exact_duplicate_pairs(&te, Some(&tr))),
    ] {
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
fn no_test_row_near_duplicates_a_train_row() {
    let (train, test) = splits();
    let pairs = near_duplicate_pairs(&texts(&test), Some(&texts(&train)));
    assert!(
        pairs.is_empty(),
        "{} near-duplicate pairs (test row ~ train row):{}",
        pairs.len(),
        describe(&test, &train, &pairs)
    );
}

#[test]
fn no_near_duplicates_within_a_split() {
    let (train, test) = splits();
    for split in [&train, &test] {
        let pairs = near_duplicate_pairs(&texts(split), None);
        assert!(
            pairs.is_empty(),
            "{} near-duplicate pairs within {}:{}",
            pairs.len(),
            split.name,
            describe(split, split, &pairs)
        );
    }
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
}
