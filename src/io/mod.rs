//! Input and output: labelled CSV, articles to score, scored records, and the files they go to.

pub mod articles;
pub mod atomic;
pub mod labelled;
pub(crate) mod line_index;
mod model_file;
pub mod output_check;
pub mod scored;

pub use articles::{
    expand_inputs, Article, ArticleColumns, ArticleReader, InputKind, Item, ReadOptions, Rejected,
    Source,
};
pub use atomic::{commit, remove_temporary_files, AtomicFile, Staged};
pub use labelled::{read_labelled, Columns, LabelledData};
pub use output_check::check_outputs;
pub use scored::{
    ArticleTally, ArticleWriter, Labels, RecordFormat, Sink, StatementRecord, StatementWriter,
};
