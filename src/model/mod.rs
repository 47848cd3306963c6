//! The model: loss, optimiser, fitted heads, training and the model file.

pub mod classifier;
pub mod head;
pub mod idf_rows;
pub mod lbfgs;
pub mod logistic;
pub mod loss;
pub mod persist;
pub mod softmax;
pub mod sparse_dot;
pub mod train;
pub mod vecops;

pub use classifier::{
    Prediction, StanceHead, StanceHeads, StanceModel, StancePrediction, TopTerms, TrainingMeta,
    UNCERTAIN,
};
pub use head::{LinearHead, MAX_ABS_WEIGHT};
pub use idf_rows::IdfRows;
pub use logistic::{ClassWeight, FitReport, LogisticParams};
pub use train::{train, TrainConfig, TrainingSet, DEFAULT_C_GRID};
