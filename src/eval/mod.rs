//! Evaluation: a model against labelled data, and metrics.

mod evaluate;
mod metrics;

pub use evaluate::{evaluate, predict, Evaluation, RowPrediction};
pub use metrics::{ClassScores, Confusion, Metrics};
