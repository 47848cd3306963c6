//! TF-IDF against scikit-learn: on the token-list corpus of
//! `tests/fixtures/tfidf_sklearn.json`, given the same tokens, our vocabulary
//! equals scikit-learn's and every idf and matrix value is within 1e-9 of it.
//!
//! The fixture was produced by `tests/fixtures/make_tfidf_fixture.py` with
//! scikit-learn 1.9.1 (`TfidfVectorizer(analyzer=lambda doc: doc, ...)`); its
//! docstring says how to regenerate it. No Python is needed at test time.
//!
//! Note: scikit-learn breaks ties in total count at the `max_features` cut with
//! numpy's unstable argsort (no fixed order on AVX-512 machines), so the fixture
//! has no tie at any cut and our own tie rule is tested on its own below.

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;
use stance::features::{
    CountedDocs, CsrMatrix, DfBound, Vectorizer, VectorizerConfig, VocabConfig,
};

const TOL: f64 = 1e-9;

#[derive(Deserialize)]
struct Fixture {
    sklearn_version: String,
    documents: Vec<Vec<String>>,
    configs: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    params: Params,
    vocabulary: Vec<String>,
    idf: Vec<f64>,
    /// Documents x vocabulary.
    matrix: Vec<Vec<f64>>,
}

/// scikit-learn's keyword arguments; `min_df` / `max_df` keep its int-vs-float meaning.
#[derive(Deserialize)]
struct Params {
    min_df: Value,
    max_df: Value,
    max_features: Option<usize>,
    sublinear_tf: bool,
}

fn fixture() -> Fixture {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tfidf_sklearn.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A JSON integer is a document count, a JSON float a fraction (as in scikit-learn).
fn df_bound(v: &Value) -> DfBound {
    match (v.as_u64(), v.as_f64()) {
        (Some(c), _) => DfBound::Count(usize::try_from(c).expect("document count")),
        (None, Some(f)) => DfBound::Fraction(f),
        _ => panic!("not a df bound: {v}"),
    }
}

fn config(p: &Params) -> VectorizerConfig {
    VectorizerConfig {
        vocab: VocabConfig {
            min_df: df_bound(&p.min_df),
            max_df: df_bound(&p.max_df),
            max_features: p.max_features,
        },
        sublinear_tf: p.sublinear_tf,
        ..Default::default()
    }
}

fn fit(docs: &[Vec<String>], cfg: &VectorizerConfig) -> (Vectorizer, CsrMatrix) {
    Vectorizer::fit_counted(cfg, &CountedDocs::from_term_lists(docs)).expect("fit")
}

/// Largest |ours - theirs| over a dense matrix, after checking the shapes agree.
fn max_matrix_diff(ours: &CsrMatrix, theirs: &[Vec<f64>]) -> f64 {
    let dense = ours.to_dense();
    assert_eq!(dense.nrows(), theirs.len(), "rows");
    let mut worst = 0.0f64;
    for (i, row) in theirs.iter().enumerate() {
        assert_eq!(dense.ncols(), row.len(), "columns of row {i}");
        for (j, &t) in row.iter().enumerate() {
            worst = worst.max((dense[[i, j]] - t).abs());
        }
    }
    worst
}

#[test]
fn tfidf_matches_scikit_learn() {
    let fx = fixture();
    assert_eq!(
        fx.sklearn_version, "1.9.1",
        "fixture from an unexpected scikit-learn"
    );
    assert!(fx.configs.len() >= 7, "fixture lost configurations");
    let mut worst = 0.0f64;
    for case in &fx.configs {
        let (v, x) = fit(&fx.documents, &config(&case.params));
        assert_eq!(
            v.vocabulary().terms(),
            &case.vocabulary[..],
            "{}: vocabulary",
            case.name
        );
        let idf = v.tfidf().idf();
        assert_eq!(idf.len(), case.idf.len(), "{}: idf length", case.name);
        let idf_diff = idf
            .iter()
            .zip(&case.idf)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let x_diff = max_matrix_diff(&x, &case.matrix);
        println!(
            "{:<22} {:>2} terms  max |idf diff| {idf_diff:.1e}  max |matrix diff| {x_diff:.1e}",
            case.name,
            case.vocabulary.len()
        );
        assert!(
            idf_diff <= TOL,
            "{}: idf differs by {idf_diff:e}",
            case.name
        );
        assert!(x_diff <= TOL, "{}: matrix differs by {x_diff:e}", case.name);
        worst = worst.max(idf_diff).max(x_diff);
    }
    println!("worst difference over all configurations: {worst:.1e}");
}

/// The comparison can fail: the settings change the answer by far more than the
/// tolerance, so a setting we ignored would not go unnoticed.
#[test]
fn the_comparison_tells_settings_apart() {
    let fx = fixture();
    let case = |name: &str| {
        fx.configs
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("fixture has no {name}"))
    };
    let (_, plain) = fit(&fx.documents, &config(&case("defaults").params));
    let sublinear = case("sublinear_tf");
    assert_eq!(plain.n_cols(), sublinear.vocabulary.len());
    assert!(max_matrix_diff(&plain, &sublinear.matrix) > 1e-3);
    for name in [
        "min_df_2",
        "min_df_fraction_0.2",
        "max_df_0.5",
        "max_df_2",
        "max_features_5",
        "combined",
    ] {
        assert_ne!(
            case(name).vocabulary,
            case("defaults").vocabulary,
            "{name} prunes nothing"
        );
    }
}

fn terms(v: &[&str]) -> Vec<String> {
    v.iter().map(|t| t.to_string()).collect()
}

/// Our rule where scikit-learn has none: ties in total count at the
/// `max_features` cut go to the lexicographically (code point) smaller term,
/// whatever order the documents introduce the terms in.
#[test]
fn max_features_ties_go_to_the_smaller_term() {
    // Totals: "the" 4; "b", "a", "ب", "z", "Z" 2 each; "c" 1. Four kept: "the"
    // and three of the five tied at 2: "Z" < "a" < "b" < "z" < "ب" by code point.
    let docs = vec![
        terms(&["the", "ب", "z", "b"]),
        terms(&["the", "ب", "a", "Z"]),
        terms(&["the", "z", "b", "c"]),
        terms(&["the", "a", "Z"]),
    ];
    let cfg = VectorizerConfig {
        vocab: VocabConfig {
            max_features: Some(4),
            ..Default::default()
        },
        ..Default::default()
    };
    let (v, x) = fit(&docs, &cfg);
    assert_eq!(v.vocabulary().terms(), &terms(&["Z", "a", "b", "the"])[..]);
    assert_eq!(x.n_cols(), 4);

    let reversed: Vec<Vec<String>> = docs
        .iter()
        .rev()
        .map(|d| d.iter().rev().cloned().collect())
        .collect();
    let (v, _) = fit(&reversed, &cfg);
    assert_eq!(v.vocabulary().terms(), &terms(&["Z", "a", "b", "the"])[..]);
}
