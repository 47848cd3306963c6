//! Fitting multinomial logistic regression on sparse rows with argmin's L-BFGS.

use std::sync::Mutex;

use argmin::core::{
    CostFunction, Error as ArgminError, Executor, Gradient, IterState, Problem, Solver,
    State, TerminationReason, TerminationStatus, KV,
};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use super::loss::LossProblem;
use crate::error::{Error, Result};
use crate::features::CsrMatrix;

/// How per-class weights are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    /// Every sample weighs 1 (the default).
    #[default]
    None,
    /// `n_samples / (n_classes * count(class))`, as scikit-learn's "balanced".
    Balanced,
}

/// Solver settings for one fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticParams {
    /// Inverse regularisation strength; the L2 penalty is alpha = 1/C. Default 1.0.
    pub c: f64,
    /// Class weighting. Default: none.
    pub class_weight: ClassWeight,
    /// Iteration limit. Default 1000.
    pub max_iter: u64,
    /// Stop when the largest gradient component is at most this (scikit-learn's
    /// `tol` for lbfgs, on the objective divided by the total sample weight). Default 1e-4.
    pub tol: f64,
    /// L-BFGS history length. Default 10 (scipy's).
    pub memory: usize,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            c: 1.0,
            class_weight: ClassWeight::None,
            max_iter: 1000,
            tol: 1e-4,
            memory: 10,
        }
    }
}

impl LogisticParams {
    /// Validates the settings; the only place that does.
    pub fn check(&self) -> Result<()> {
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(Error::InvalidParam {
                name: "--c",
                value: self.c.to_string(),
                reason: "must be a positive finite number".into(),
            });
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(Error::InvalidParam {
                name: "tol",
                value: self.tol.to_string(),
                reason: "must be positive".into(),
            });
        }
        if self.memory == 0 || self.max_iter == 0 {
            return Err(Error::InvalidParam {
                name: "memory/max_iter",
                value: format!("{}/{}", self.memory, self.max_iter),
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// How a fit ended; stored in the model and printed by `train`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// The C used.
    pub c: f64,
    /// L-BFGS iterations.
    pub iterations: u64,
    /// Largest absolute gradient component at the end.
    pub grad_max_abs: f64,
    /// Final objective (divided by the total sample weight).
    pub objective: f64,
    /// Whether the tolerance was met.
    pub converged: bool,
    /// Why the solver stopped.
    pub termination: String,
    /// Loss-and-gradient evaluations (line search included).
    pub evaluations: u64,
}

/// Fitted weights (features x classes) and intercepts (classes).
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// Weights, features x classes.
    pub weights: Array2<f64>,
    /// Intercepts, one per class.
    pub intercept: Array1<f64>,
    /// How the fit ended.
    pub report: FitReport,
}

/// Per-sample weights for `y` under `class_weight`.
pub fn sample_weights(y: &[u32], n_classes: usize, class_weight: ClassWeight) -> Vec<f64> {
    match class_weight {
        ClassWeight::None => vec![1.0; y.len()],
        ClassWeight::Balanced => {
            let mut counts = vec![0usize; n_classes];
            y.iter().for_each(|&c| counts[c as usize] += 1);
            let present = counts.iter().filter(|&&c| c > 0).count().max(1);
            y.iter()
                .map(|&c| y.len() as f64 / (present as f64 * counts[c as usize] as f64))
                .collect()
        }
    }
}

/// Fits `n_classes`-way logistic regression of `y` on `x` (with `xt` = transpose of `x`).
pub fn fit(
    x: &CsrMatrix,
    xt: &CsrMatrix,
    y: &[u32],
    n_classes: usize,
    params: &LogisticParams,
) -> Result<Fitted> {
    params.check()?;
    if x.n_rows() == 0 || x.n_rows() != y.len() {
        return Err(Error::Training(format!(
            "cannot fit on {} rows with {} labels",
            x.n_rows(),
            y.len()
        )));
    }
    let sw = sample_weights(y, n_classes, params.class_weight);
    let loss = LossProblem {
        x,
        xt,
        y,
        sample_weight: &sw,
        n_classes,
        alpha: 1.0 / params.c,
    };
    let n_params = loss.n_params();
    let problem = CachedProblem {
        loss,
        cache: Mutex::new(None),
        evaluations: Default::default(),
        loss_nanos: Default::default(),
    };
    let started = std::time::Instant::now();
    let linesearch = MoreThuenteLineSearch::new();
    // Note: argmin's own stopping tests (L2 norm of the gradient, absolute change of
    // the cost) are switched off; `MaxAbsGradient` applies scipy's/scikit-learn's
    // rule instead, so C and tol mean what they mean there.
    let lbfgs = LBFGS::new(linesearch, params.memory)
        .with_tolerance_grad(0.0)
        .and_then(|s| s.with_tolerance_cost(0.0))
        .map_err(|e| Error::Optimiser(e.to_string()))?;
    let solver = MaxAbsGradient {
        inner: lbfgs,
        tol: params.tol,
    };
    let result = Executor::new(problem, solver)
        .configure(|s| s.param(Array1::zeros(n_params)).max_iters(params.max_iter))
        .run()
        .map_err(|e| Error::Optimiser(e.to_string()))?;
    let state = result.state();
    let problem = result.problem.problem.as_ref();
    let evaluations = problem.map(|p| p.evaluations.load(std::sync::atomic::Ordering::Relaxed)).unwrap_or(0);
    let loss_s = problem.map(|p| p.loss_nanos.load(std::sync::atomic::Ordering::Relaxed)).unwrap_or(0) as f64 * 1e-9;
    if std::env::var_os("STANCE_TRACE_FIT").is_some() {
        eprintln!("fit: {evaluations} evaluations, {loss_s:.2} s in the loss, {:.2} s in all", started.elapsed().as_secs_f64());
    }
    let iterations = state.get_iter();
    let termination = state
        .get_termination_reason()
        .map(|r| r.text().to_string())
        .unwrap_or_else(|| "unknown".into());
    let converged = matches!(
        state.get_termination_reason(),
        Some(TerminationReason::SolverConverged)
    );
    let objective = state.get_cost();
    let grad_max_abs = state
        .get_gradient()
        .map(|g| max_abs(g.as_slice().unwrap_or(&[])))
        .unwrap_or(f64::NAN);
    let best = state
        .get_best_param()
        .or_else(|| state.get_param())
        .cloned()
        .ok_or_else(|| Error::Optimiser("no parameters returned".into()))?;
    let n_feat = x.n_cols();
    let flat = best.to_vec();
    let weights = Array2::from_shape_vec((n_feat, n_classes), flat[..n_feat * n_classes].to_vec())
        .map_err(|e| Error::Optimiser(e.to_string()))?;
    let intercept = Array1::from_vec(flat[n_feat * n_classes..].to_vec());
    Ok(Fitted {
        weights,
        intercept,
        report: FitReport {
            c: params.c,
            iterations,
            grad_max_abs,
            objective,
            converged,
            termination,
            evaluations,
        },
    })
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// The loss problem behind argmin's traits; cost and gradient come from one
/// evaluation, cached for the point last asked about.
struct CachedProblem<'a> {
    loss: LossProblem<'a>,
    cache: Mutex<Option<(Array1<f64>, f64, Array1<f64>)>>,
    evaluations: std::sync::atomic::AtomicU64,
    loss_nanos: std::sync::atomic::AtomicU64,
}

impl CachedProblem<'_> {
    fn eval(&self, p: &Array1<f64>) -> (f64, Array1<f64>) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((cp, f, g)) = cache.as_ref() {
            if cp == p {
                return (*f, g.clone());
            }
        }
        let t0 = std::time::Instant::now();
        let mut g = vec![0.0; p.len()];
        let f = match p.as_slice() {
            Some(s) => self.loss.loss_and_gradient(s, &mut g),
            None => self.loss.loss_and_gradient(&p.to_vec(), &mut g),
        };
        let g = Array1::from_vec(g);
        use std::sync::atomic::Ordering::Relaxed;
        self.evaluations.fetch_add(1, Relaxed);
        self.loss_nanos.fetch_add(t0.elapsed().as_nanos() as u64, Relaxed);
        *cache = Some((p.clone(), f, g.clone()));
        (f, g)
    }
}

impl CostFunction for CachedProblem<'_> {
    type Param = Array1<f64>;
    type Output = f64;
    fn cost(&self, p: &Array1<f64>) -> std::result::Result<f64, ArgminError> {
        Ok(self.eval(p).0)
    }
}

impl Gradient for CachedProblem<'_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;
    fn gradient(&self, p: &Array1<f64>) -> std::result::Result<Array1<f64>, ArgminError> {
        Ok(self.eval(p).1)
    }
}

type Lbfgs = LBFGS<MoreThuenteLineSearch<Array1<f64>, Array1<f64>, f64>, Array1<f64>, Array1<f64>, f64>;
type LbfgsState = IterState<Array1<f64>, Array1<f64>, (), (), (), f64>;

/// argmin's L-BFGS with scipy's stopping rule: max |gradient| <= tol, or a relative
/// decrease of the objective below 64 machine epsilons (scikit-learn's ftol).
struct MaxAbsGradient {
    inner: Lbfgs,
    tol: f64,
}

impl<'a> Solver<CachedProblem<'a>, LbfgsState> for MaxAbsGradient {
    fn name(&self) -> &str {
        "L-BFGS (max-abs gradient stop)"
    }

    fn init(
        &mut self,
        problem: &mut Problem<CachedProblem<'a>>,
        state: LbfgsState,
    ) -> std::result::Result<(LbfgsState, Option<KV>), ArgminError> {
        self.inner.init(problem, state)
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<CachedProblem<'a>>,
        state: LbfgsState,
    ) -> std::result::Result<(LbfgsState, Option<KV>), ArgminError> {
        self.inner.next_iter(problem, state)
    }

    fn terminate(&mut self, state: &LbfgsState) -> TerminationStatus {
        if let Some(g) = state.get_gradient() {
            if max_abs(g.as_slice().unwrap_or(&[])) <= self.tol {
                return TerminationStatus::Terminated(TerminationReason::SolverConverged);
            }
        }
        let (prev, cur) = (state.get_prev_cost(), state.get_cost());
        if state.get_iter() > 0 && prev.is_finite() {
            let rel = (prev - cur) / prev.abs().max(cur.abs()).max(1.0);
            if rel <= 64.0 * f64::EPSILON {
                return TerminationStatus::Terminated(TerminationReason::SolverConverged);
            }
        }
        TerminationStatus::NotTerminated
    }
}
