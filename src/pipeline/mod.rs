//! The scoring engine: articles in, scored statements out, to any number of sinks.
//!
//! - `options.rs`: [`ScoreOptions`], checked once into [`ValidScoreOptions`];
//! - `scorer.rs`: the [`Scorer`], a trained model in its scoring form with
//!   its options; [`Scorer::score_text`] and friends for texts in memory;
//! - `worker.rs`: one scoring thread's analyzer and buffers, and their pool;
//! - `run.rs`: [`run`] streams [`Items`] from a reader thread ([`Input`])
//!   through the workers to a [`Sink`], in input order and bounded memory;
//! - `sink.rs`: the [`Sink`] and [`Encoder`] traits, and [`Collect`];
//! - `outputs.rs`: the sinks that write statement rows, article rows and
//!   rejected items to files or stdout.
//!
//! `stance score`, `stance evaluate` and the library all score through the
//! same worker, so what one measures is what the others run.

mod options;
mod outputs;
mod run;
mod scorer;
mod sink;
mod worker;

pub use options::{ScoreOptions, Unit, ValidScoreOptions};
pub use outputs::{
    round_statement, ArticleRows, ArticleSink, ArticleTallies, ExtraColumns, NoParts,
    ParquetArticleSink, ParquetStatementSink, RejectSink, RejectsTo, StatementSink,
};
pub use run::{run, Counts, Input, Items, BATCH_BYTES};
pub use scorer::Scorer;
pub use sink::{Collect, Collected, Encoder, Sink, ToStatements};
pub(crate) use worker::{whole_span, Pool};

/// Test helpers shared with other stages' tests.
#[cfg(test)]
pub(crate) mod tests_support {
    pub(crate) use super::scorer::tests::tiny_model;
}
