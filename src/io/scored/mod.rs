//! Scored records: the statement rows `stance score` writes and `stance report`
//! reads back, the per-article rows and the rejects, defined once.
//!
//! One file per concept:
//!
//! - `schema.rs`: the [`RecordFormat`], column names, [`UNCERTAIN`] and the
//!   fixed [`DECIMALS`];
//! - `statement.rs`: one scored statement, borrowed from a scorer
//!   ([`StatementView`]) or owned ([`Statement`]), and the model's [`Labels`];
//! - `statements.rs`, `article_rows.rs`, `rejects.rs`: the writers of statement
//!   rows ([`StatementWriter`]), article rows ([`ArticleWriter`] with its
//!   [`ArticleTally`]) and rejected items;
//! - `encode.rs`: the byte encoders under them (CSV fields, JSON strings, fixed decimals);
//! - `cells.rs`: a row's cells written once for text rows and Arrow columns
//!   ([`ArrowRows`], the Parquet article rows and rejects);
//! - `arrow.rs`: the Arrow schema of statements and their record batches
//!   ([`statement_batch`], [`statements_from_batch`]), for the Python package;
//! - `reader.rs` and `problem.rs`: the streaming [`ScoredReader`] and what is
//!   wrong with a row it cannot use ([`RowProblem`]).
//!
//! Rows are formatted straight into a caller's byte buffer (CSV or JSON
//! Lines, same column names and order), so scoring threads format in
//! parallel and the writer only concatenates.

mod arrow;
mod article_rows;
mod cells;
mod encode;
mod problem;
mod reader;
mod rejects;
mod schema;
mod statement;
mod statements;

pub use arrow::{
    ipc_stream, read_ipc_stream, statement_batch, statement_schema, statements_from_batch,
    statements_from_ipc, statements_to_ipc, ArrowStatementError,
};
pub use article_rows::{ArticleTally, ArticleWriter};
pub use cells::ArrowRows;
pub use problem::{Expected, ProblemKind, RowProblem};
pub use reader::{ReadError, ScoredEntry, ScoredReader};
pub(crate) use rejects::{push_reject, reject_arrow_rows, reject_header, write_reject};
pub use schema::{
    rounded, FileFormat, RecordFormat, DECIMALS, EXPLAIN_COLUMNS, OPTIONAL_COLUMNS, REJECT_COLUMNS,
    STATEMENT_COLUMNS, UNCERTAIN,
};
pub use statement::{Labels, Statement, StatementView};
pub use statements::StatementWriter;
