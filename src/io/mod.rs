//! Input and output: labelled CSV, articles to score, scored records, and the files they go to.

mod articles;
mod atomic;
mod calendar;
mod labelled;
mod line_index;
mod model_file;
mod output;
mod output_check;
mod parquet_out;
mod position;
mod record_stream;
mod scored;

pub use articles::{
    check_inputs, expand_inputs, Article, ArticleColumns, ArticleFormat, ArticleReader, Item,
    ReadOptions, Rejected, Source, DEFAULT_MAX_BYTES,
};
pub use atomic::{commit, remove_temporary_files, AtomicFile, Staged};
pub use calendar::civil_from_days;
pub use labelled::{
    read_column, read_column_limited, read_labelled, read_labelled_files, read_labelled_limited,
    Columns, LabelledData,
};
pub(crate) use line_index::{csv_error, CountingReader};
pub use output::Output;
pub use output_check::check_outputs;
pub use parquet_out::{ParquetOut, BATCH_ROWS, ROW_GROUP_ROWS};
pub use position::Position;
pub use record_stream::DEFAULT_MAX_RECORD_BYTES;
pub use scored::{
    ipc_stream, read_ipc_stream, statement_batch, statement_schema, statements_from_batch,
    statements_from_ipc, statements_to_ipc, ArrowStatementError,
};
pub(crate) use scored::{push_reject, reject_arrow_rows, reject_header, write_reject};
pub use scored::{
    rounded, ArrowRows, ArticleTally, ArticleWriter, Expected, FileFormat, Labels, ProblemKind,
    ReadError, RecordFormat, RowProblem, ScoredEntry, ScoredReader, Statement, StatementView,
    StatementWriter, DECIMALS, EXPLAIN_COLUMNS, OPTIONAL_COLUMNS, REJECT_COLUMNS,
    STATEMENT_COLUMNS, UNCERTAIN,
};
