//! Input and output: labelled CSV, articles to score, scored records.

pub mod articles;
pub mod labelled;
pub(crate) mod line_index;
pub mod scored;

pub use articles::{
    expand_inputs, Article, ArticleColumns, ArticleReader, InputKind, Item, ReadOptions, Rejected,
    Source,
};
pub use labelled::{read_labelled, Columns, LabelledData};
pub use scored::{
    ArticleTally, ArticleWriter, Labels, RecordFormat, Sink, StatementRecord, StatementWriter,
};
