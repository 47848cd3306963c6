//! The model: loss, optimiser, fitted heads, training and the model file.

mod calibrate;
mod classifier;
mod context;
pub(crate) mod cv;
mod describe;
mod head;
mod idf_rows;
mod lbfgs;
mod linfa_impl;
pub(crate) mod logistic;
mod loss;
mod params;
mod persist;
mod refine;
mod roles;
mod softmax;
mod sparse_dot;
mod stance_context;
mod train;
mod training_texts;
// Note: `axpy`, `diff`, `scale` and `scaled_copy` are used by no caller
// since the L-BFGS has its own serial loops; they were hidden by being `pub`.
// Left to the solver's owner (it is being reworked), not deleted here.
#[allow(dead_code)]
mod vecops;

pub use calibrate::{apply_temperature, expected_calibration_error, fit_temperature, Calibration};
pub use classifier::{
    CvScore, DataFile, Prediction, StanceHead, StanceHeads, StanceModel, StancePrediction,
    TopTerms, TrainingMeta, UNCERTAIN,
};
pub use context::{article_groups, article_runs, ArticleContext, CONTEXT_FEATURES};
pub use describe::{families, fits, Family, HeadFit, ModelDescription, VocabularySize};
pub use head::{LinearHead, MAX_ABS_WEIGHT};
pub(crate) use idf_rows::IdfRows;
pub use logistic::{
    fit, sample_weights, ClassWeight, FitReport, FitTiming, Fitted, LogisticParams,
};
pub use loss::LossProblem;
pub use params::TrainParams;
pub use persist::{DEFAULT_MAX_MODEL_BYTES, FORMAT_VERSION, MAGIC};
pub use refine::{refine, OutOfFold, RefineConfig};
pub use roles::{RoleNames, StanceRoles};
pub use stance_context::{StanceContext, StanceStage, STANCE_CONTEXT_FEATURES};
pub use train::{train, TrainConfig, TrainingSet, DEFAULT_C_GRID};
pub use training_texts::{TrainingTexts, MAX_FINGERPRINTS};
