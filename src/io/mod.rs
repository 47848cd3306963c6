//! Input and output: labelled CSV.

pub mod labelled;

pub use labelled::{read_labelled, Columns, LabelledData};
