//! Evaluation: a model against labelled data, and metrics.

mod audit;
mod calibration;
mod evaluate;
mod metrics;
mod predictions;
mod units;

pub use audit::{audit, Suspect};
pub use calibration::{Calibration, ReliabilityBin, BINS};
pub use evaluate::{
    evaluate, evaluate_in_articles, predict, predict_in_articles, score_predictions, Evaluation,
    RowPrediction,
};
pub use metrics::{ClassScores, Confusion, Metrics};
pub use predictions::{prediction_columns, write_predictions};
pub use units::{split_rows, SentenceRows};
