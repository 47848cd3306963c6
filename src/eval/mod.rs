//! Evaluation: metrics and cross-validation.

pub mod cv;
pub mod metrics;

pub use metrics::{ClassScores, Confusion, Metrics};
