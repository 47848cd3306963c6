//! Multinomial logistic regression against three references:
//!
//! - linfa-logistic 0.8.1 (`MultiLogisticRegression`): same minimiser on a dense problem,
//!   ours fitted through linfa's own traits (`DatasetBase` of CSR rows, `Fit`, `Predict`);
//! - argmin 0.11's L-BFGS (More-Thuente line search) run on our own `LossProblem`
//!   through an adapter: same solution as our in-place solver on a sparse,
//!   class-weighted problem;
//! - scikit-learn 1.9.1's `LinearModelLoss`: loss and gradient at fixed parameters,
//!   from `tests/fixtures/loss_sklearn.json` (written by
//!   `tests/fixtures/make_loss_fixture.py`; no Python at test time).
//!
//! Every comparison is paired with a check that a changed setting moves the
//! answer by far more than the tolerance, so the test can fail.

use std::path::PathBuf;

use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};
use serde::Deserialize;
use stance::features::{CsrBuilder, CsrMatrix};
use stance::model::LinearHead;
use stance::model::LossProblem;
use stance::model::{fit, sample_weights, ClassWeight, Fitted, LogisticParams};

/// SplitMix64: a tiny deterministic generator, so the problems need no data files.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A class drawn from softmax(scores): labels are noisy, so the classes overlap.
    fn draw(&mut self, scores: &[f64]) -> u32 {
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
        let total: f64 = exp.iter().sum();
        let p: Vec<f64> = exp.iter().map(|e| e / total).collect();
        let u = self.uniform();
        let mut acc = 0.0;
        for (k, pk) in p.iter().enumerate() {
            acc += pk;
            if u < acc {
                return k as u32;
            }
        }
        (p.len() - 1) as u32
    }
}

fn csr_from_dense(x: &Array2<f64>) -> CsrMatrix {
    let mut b = CsrBuilder::new();
    for row in x.rows() {
        let (cols, vals): (Vec<u32>, Vec<f64>) = row
            .iter()
            .enumerate()
            .filter(|(_, &v)| v != 0.0)
            .map(|(j, &v)| (j as u32, v))
            .unzip();
        b.push_row(&cols, &vals);
    }
    b.finish(x.ncols())
}

/// Class probabilities of every row of `x` under weights `w` (features x classes) and `b`.
fn probabilities(x: &CsrMatrix, w: &Array2<f64>, b: &Array1<f64>) -> Array2<f64> {
    let k = b.len();
    let head = LinearHead {
        labels: (0..k).map(|c| c.to_string()).collect(),
        weights: w.as_standard_layout().into_owned(),
        intercept: b.clone(),
        report: None,
    };
    let mut p = Array2::zeros((x.n_rows(), k));
    let mut out = vec![0.0; k];
    for i in 0..x.n_rows() {
        let (cols, vals) = x.row(i);
        head.probabilities(cols, vals, &mut out);
        p.row_mut(i).assign(&Array1::from_vec(out.clone()));
    }
    p
}

fn max_abs_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    assert_eq!(a.dim(), b.dim());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn fit_ours(x: &CsrMatrix, y: &[u32], k: usize, params: &LogisticParams) -> Fitted {
    let f = fit(x, &x.transpose(), y, k, params).expect("fit");
    assert!(
        f.report.converged,
        "our fit did not converge: {:?}",
        f.report
    );
    f
}

fn tight(c: f64, class_weight: ClassWeight) -> LogisticParams {
    LogisticParams {
        c,
        class_weight,
        tol: 1e-8,
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------
// a. linfa-logistic

/// 60 rows x 8 features of uniform(-1, 1), 3 classes drawn from a softmax model.
fn dense_problem() -> (Array2<f64>, Vec<u32>) {
    let (n, d, k) = (60, 8, 3);
    let mut rng = Rng(7);
    let w_true: Vec<f64> = (0..d * k).map(|_| 3.0 * (rng.uniform() - 0.5)).collect();
    let x = Array2::from_shape_fn((n, d), |_| 2.0 * rng.uniform() - 1.0);
    let y: Vec<u32> = x
        .rows()
        .into_iter()
        .map(|row| {
            let scores: Vec<f64> = (0..k)
                .map(|c| (0..d).map(|j| row[j] * w_true[j * k + c]).sum())
                .collect();
            rng.draw(&scores)
        })
        .collect();
    for c in 0..k as u32 {
        assert!(
            y.iter().filter(|&&v| v == c).count() >= 10,
            "class {c} too rare"
        );
    }
    (x, y)
}

/// linfa-logistic 0.8.1 (`multi_logistic_loss` / `multi_logistic_grad` in its
/// `lib.rs`) minimises, with `fit_intercept` (the default) and labels sorted
/// (0, 1, 2 here, matching our class indices):
///
/// `g(W, b) = -sum_i log softmax(x_i W + b)[y_i] + (alpha/2) ||W||^2`
///
/// a plain sum over samples, the intercept row not penalised, no sample weights.
/// Ours with unit weights is `f = [same sum + (1/(2C)) ||W||^2] / n`, so with
/// `alpha = 1/C` we have `g = n f`: the same minimiser. Its L-BFGS stops on the
/// L2 norm of g's gradient (n times ours) or an absolute cost change below
/// f64::EPSILON; it returns its best parameters even when out of iterations.
///
/// Note: linfa's log-sum-exp subtracts one maximum over the whole score matrix,
/// not per row, and clamps each row's sum at 1e-15 before the log; harmless on
/// this well-scaled problem, but its loss would be wrong where one row's scores
/// sit ~35 below another's.
#[test]
fn probabilities_match_linfa_logistic() {
    let (xd, y) = dense_problem();
    let x = csr_from_dense(&xd);
    let c = 0.5;
    let targets: Array1<usize> = y.iter().map(|&v| v as usize).collect();
    let dataset = Dataset::new(xd.clone(), targets.clone());
    let linfa = MultiLogisticRegression::default()
        .alpha(1.0 / c)
        .with_intercept(true)
        .gradient_tolerance(1e-10)
        .max_iterations(1000)
        .fit(&dataset)
        .expect("linfa fit");
    let theirs = linfa.predict_probabilities(&xd);

    // Ours through linfa's traits: the CSR rows as a dataset, our params' `Fit`,
    // the fitted head's `PredictInplace`.
    let sparse = DatasetBase::new(x.clone(), targets);
    let fit_linfa = |params: LogisticParams| -> (LinearHead, Array2<f64>) {
        let head: LinearHead = params.fit(&sparse).expect("fit");
        assert!(
            head.report.as_ref().unwrap().converged,
            "our fit did not converge: {:?}",
            head.report
        );
        let p: Array2<f64> = head.predict(&sparse);
        (head, p)
    };
    let (ours, p) = fit_linfa(tight(c, ClassWeight::None));
    assert_eq!(ours.labels, ["0", "1", "2"]);
    let report = ours.report.as_ref().unwrap();
    let diff = max_abs_diff(&p, &theirs);
    let w_diff = max_abs_diff(&ours.weights, linfa.params());
    println!(
        "linfa: max |prob diff| {diff:.1e}, max |weight diff| {w_diff:.1e}; ours: {} iterations ({}), max |grad| {:.1e}",
        report.iterations, report.termination, report.grad_max_abs
    );
    assert!(
        diff <= 1e-4,
        "probabilities differ from linfa-logistic by {diff:e}"
    );

    // Can fail: doubling C moves the probabilities far beyond the tolerance.
    let (_, other) = fit_linfa(tight(2.0 * c, ClassWeight::None));
    let moved = max_abs_diff(&other, &theirs);
    println!("linfa: C doubled moves probabilities by {moved:.1e}");
    assert!(
        moved > 1e-2,
        "C barely matters ({moved:e}); the comparison is too weak"
    );
}

// ---------------------------------------------------------------------------
// b. argmin's L-BFGS on our loss

/// Our `LossProblem` as an argmin problem over `Array1<f64>` parameters.
struct ArgminLoss<'a>(LossProblem<'a>);

impl ArgminLoss<'_> {
    fn eval(&self, p: &Array1<f64>) -> (f64, Array1<f64>) {
        let mut g = vec![0.0; self.0.n_params()];
        let f = match p.as_slice() {
            Some(s) => self.0.loss_and_gradient(s, &mut g),
            None => self.0.loss_and_gradient(&p.to_vec(), &mut g),
        };
        (f, Array1::from_vec(g))
    }
}

impl CostFunction for ArgminLoss<'_> {
    type Param = Array1<f64>;
    type Output = f64;

    fn cost(&self, p: &Array1<f64>) -> Result<f64, argmin::core::Error> {
        Ok(self.eval(p).0)
    }
}

impl Gradient for ArgminLoss<'_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;

    fn gradient(&self, p: &Array1<f64>) -> Result<Array1<f64>, argmin::core::Error> {
        Ok(self.eval(p).1)
    }
}

/// 200 rows x 50 features, ~6 non-negative entries a row (like TF-IDF rows),
/// 4 imbalanced classes drawn from a softmax model.
fn sparse_problem() -> (CsrMatrix, Vec<u32>) {
    let (n, d, k) = (200, 50, 4);
    let mut rng = Rng(42);
    let w_true: Vec<f64> = (0..d * k).map(|_| 6.0 * (rng.uniform() - 0.5)).collect();
    let bias = [1.2, 0.4, -0.4, -1.2];
    let mut b = CsrBuilder::new();
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let mut cols: Vec<u32> = (0..6).map(|_| (rng.next_u64() % d as u64) as u32).collect();
        cols.sort_unstable();
        cols.dedup();
        let vals: Vec<f64> = cols.iter().map(|_| 0.1 + rng.uniform()).collect();
        let scores: Vec<f64> = (0..k)
            .map(|c| {
                bias[c]
                    + cols
                        .iter()
                        .zip(&vals)
                        .map(|(&j, v)| v * w_true[j as usize * k + c])
                        .sum::<f64>()
            })
            .collect();
        y.push(rng.draw(&scores));
        b.push_row(&cols, &vals);
    }
    let counts: Vec<usize> = (0..k as u32)
        .map(|c| y.iter().filter(|&&v| v == c).count())
        .collect();
    assert!(counts.iter().all(|&c| c >= 15), "class counts {counts:?}");
    assert!(
        counts[0] > 2 * counts[3],
        "classes not imbalanced: {counts:?}"
    );
    (b.finish(d), y)
}

#[test]
fn fit_matches_argmin_lbfgs() {
    let (x, y) = sparse_problem();
    let xt = x.transpose();
    let k = 4;
    let c = 4.0;
    let sw = sample_weights(&y, k, ClassWeight::Balanced);
    let problem = LossProblem {
        x: &x,
        xt: &xt,
        y: &y,
        sample_weight: &sw,
        n_classes: k,
        alpha: 1.0 / c,
    };
    let n_params = problem.n_params();
    // Note: the cost tolerance is argmin's absolute change in f; 0 disables it so
    // only the gradient norm (or the iteration limit) stops the run.
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(1e-10)
        .and_then(|s| s.with_tolerance_cost(0.0))
        .expect("solver settings");
    let adapter = ArgminLoss(problem);
    let res = Executor::new(adapter, solver)
        .configure(|s| s.param(Array1::zeros(n_params)).max_iters(2000))
        .run()
        .expect("argmin run");
    let state = res.state();
    let best = state
        .get_best_param()
        .expect("argmin found no point")
        .clone();
    let (f_argmin, g_argmin) = res.problem.problem.as_ref().expect("problem").eval(&best);
    let g_max = g_argmin.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    let n_feat = x.n_cols();
    let w_argmin =
        Array2::from_shape_vec((n_feat, k), best.slice(ndarray::s![..n_feat * k]).to_vec())
            .expect("shape");
    let b_argmin = best.slice(ndarray::s![n_feat * k..]).to_owned();
    let p_argmin = probabilities(&x, &w_argmin, &b_argmin);

    let ours = fit_ours(&x, &y, k, &tight(c, ClassWeight::Balanced));
    let p_ours = probabilities(&x, &ours.weights, &ours.intercept);
    let p_diff = max_abs_diff(&p_ours, &p_argmin);
    let f_diff = (ours.report.objective - f_argmin).abs();
    println!(
        "argmin: {} iterations ({:?}), max |grad| {g_max:.1e}; ours: {} iterations ({}), max |grad| {:.1e}",
        state.get_iter(),
        state.get_termination_reason(),
        ours.report.iterations,
        ours.report.termination,
        ours.report.grad_max_abs
    );
    println!("argmin: max |prob diff| {p_diff:.1e}, |objective diff| {f_diff:.1e} (objective {f_argmin:.12})");
    assert!(
        g_max <= 1e-6,
        "argmin stopped short of the optimum: max |grad| {g_max:e}"
    );
    assert!(
        p_diff <= 1e-5,
        "probabilities differ from argmin's by {p_diff:e}"
    );
    assert!(f_diff <= 1e-8, "objectives differ by {f_diff:e}");

    // Can fail: without the balanced weights the solution moves far.
    let unweighted = fit_ours(&x, &y, k, &tight(c, ClassWeight::None));
    let moved = max_abs_diff(
        &probabilities(&x, &unweighted.weights, &unweighted.intercept),
        &p_argmin,
    );
    println!("argmin: dropping class weights moves probabilities by {moved:.1e}");
    assert!(moved > 1e-2, "class weights barely matter ({moved:e})");
}

// ---------------------------------------------------------------------------
// c. scikit-learn's loss and gradient

#[derive(Deserialize)]
struct LossFixture {
    sklearn_version: String,
    n_classes: usize,
    x: Vec<Vec<f64>>,
    y: Vec<u32>,
    cases: Vec<LossCase>,
}

#[derive(Deserialize)]
struct LossCase {
    name: String,
    alpha: f64,
    l2_reg_strength: f64,
    sample_weight: Vec<f64>,
    /// scikit-learn's layout: classes x (features + intercept).
    coef_sklearn: Vec<Vec<f64>>,
    /// `coef_sklearn.ravel(order="F")`: our flat layout.
    params: Vec<f64>,
    loss: f64,
    gradient: Vec<f64>,
}

/// The fixture's loss is `LinearModelLoss(HalfMultinomialLoss(3), fit_intercept=True)
/// .loss_gradient(coef, X, y, sample_weight, l2_reg_strength)`, which is
/// `(1/S) sum_i s_i CE_i + (l2_reg_strength/2) ||W||^2` with `S = sum_i s_i`; with
/// `l2_reg_strength = alpha / S` (what LogisticRegression passes for C = 1/alpha)
/// it is exactly our objective. Parameter mapping: `coef[k][j] = W[j][k]` for the
/// features and `coef[k][n_features] = b[k]`; its F-order ravel is our flat vector.
#[test]
fn loss_and_gradient_match_scikit_learn() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/loss_sklearn.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let fx: LossFixture =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        fx.sklearn_version, "1.9.1",
        "fixture from an unexpected scikit-learn"
    );
    let (n, d, k) = (fx.x.len(), fx.x[0].len(), fx.n_classes);
    let xd = Array2::from_shape_fn((n, d), |(i, j)| fx.x[i][j]);
    let x = csr_from_dense(&xd);
    let xt = x.transpose();
    assert!(x.nnz() < n * d, "the fixture should exercise sparse rows");
    let mut worst = 0.0f64;
    for case in &fx.cases {
        for (kk, row) in case.coef_sklearn.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                assert_eq!(
                    case.params[j * k + kk],
                    v,
                    "{}: layout at class {kk}, column {j}",
                    case.name
                );
            }
        }
        let total: f64 = case.sample_weight.iter().sum();
        assert!((case.l2_reg_strength - case.alpha / total).abs() <= 1e-15 * case.alpha.max(1.0));
        let problem = LossProblem {
            x: &x,
            xt: &xt,
            y: &fx.y,
            sample_weight: &case.sample_weight,
            n_classes: k,
            alpha: case.alpha,
        };
        let mut grad = vec![0.0; problem.n_params()];
        let f = problem.loss_and_gradient(&case.params, &mut grad);
        assert_eq!(
            grad.len(),
            case.gradient.len(),
            "{}: gradient length",
            case.name
        );
        let f_diff = (f - case.loss).abs();
        let g_diff = grad
            .iter()
            .zip(&case.gradient)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        println!(
            "sklearn loss {:<26} loss {:<20} |loss diff| {f_diff:.1e}  max |grad diff| {g_diff:.1e}",
            case.name, case.loss
        );
        assert!(f_diff <= 1e-10, "{}: loss differs by {f_diff:e}", case.name);
        assert!(
            g_diff <= 1e-10,
            "{}: gradient differs by {g_diff:e}",
            case.name
        );
        worst = worst.max(f_diff).max(g_diff);

        // Can fail: a slightly different penalty is visible in the loss.
        if case.alpha > 0.0 {
            let off = LossProblem {
                alpha: case.alpha * 1.01,
                ..problem
            };
            let f_off = off.loss_and_gradient(&case.params, &mut grad);
            assert!(
                (f_off - case.loss).abs() > 1e-6,
                "{}: alpha has no visible effect",
                case.name
            );
        }
    }
    println!("sklearn loss: worst difference {worst:.1e}");
}
