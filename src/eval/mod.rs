//! Evaluation: a model against labelled data, metrics, and cross-validation.

mod calibration;
pub(crate) mod cv;
mod evaluate;
mod metrics;
mod predictions;

pub use calibration::{Calibration, ReliabilityBin, BINS};
pub use evaluate::{evaluate, predict, score_predictions, Evaluation, RowPrediction};
pub use metrics::{ClassScores, Confusion, Metrics};
pub use predictions::{prediction_columns, write_predictions};
