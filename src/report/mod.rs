//! `stance report`: per-topic statistics of scored statements.
//!
//! The pipeline: [`ScoredReader`] streams rows (CSV or JSON Lines) ->
//! [`ReportBuilder`] aggregates them as they come -> [`Report`] -> [`render`]
//! writes it as a table, Markdown, CSV, JSON or self-contained HTML.
//!
//! `stance score --report` can feed its rows to a [`ReportBuilder`] directly:
//!
//! ```
//! use stance::report::{render, OutputFormat, ReportBuilder, ReportOptions, ScoredRow};
//!
//! let mut builder = ReportBuilder::new(ReportOptions::default())?;
//! for (i, topic) in ["palestine", "palestine", "other"].iter().enumerate() {
//!     let row = ScoredRow {
//!         article_id: "a1".into(),
//!         sentence: i + 1,
//!         topic: topic.to_string(),
//!         topic_prob: 0.9,
//!         stance: "neutral".into(),
//!         stance_prob: 0.7,
//!         ..ScoredRow::default()
//!     };
//!     if let Err(problem) = builder.add(&row) {
//!         eprintln!("warning: {problem}");
//!     }
//! }
//! let report = builder.finish();
//! let mut out = Vec::new();
//! render(&report, OutputFormat::Json, &mut out)?;
//! assert_eq!(report.topics[0].topic, "palestine");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod builder;
pub mod document;
pub mod escape;
pub mod options;
pub mod period;
pub mod problem;
pub mod render;
pub mod row;
pub mod stats;

pub use builder::ReportBuilder;
pub use document::Report;
pub use escape::escape_html;
pub use options::{Dimension, OptionsError, ReportOptions};
pub use period::Period;
pub use problem::{Expected, Location, ProblemKind, RowProblem};
pub use render::{render, OutputFormat};
pub use row::{InputFormat, ReadError, Record, ScoredReader, ScoredRow};
