//! Evaluation: a model against labelled data, metrics, and cross-validation.

pub mod cv;
mod evaluate;
pub mod metrics;

pub use evaluate::{evaluate, predict, Evaluation, RowPrediction};
pub use metrics::{ClassScores, Confusion, Metrics};
