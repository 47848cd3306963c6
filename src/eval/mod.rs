//! Evaluation: a model against labelled data, and metrics.

mod audit;
mod evaluate;
mod metrics;

pub use audit::{audit, Suspect};
pub use evaluate::{
    evaluate, evaluate_in_articles, predict, predict_in_articles, Evaluation, RowPrediction,
};
pub use metrics::{ClassScores, Confusion, Metrics};
