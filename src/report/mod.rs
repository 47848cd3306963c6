//! `stance report`: per-topic statistics of scored statements.
//!
//! The pipeline: [`Statement`](crate::io::Statement)s (read back by
//! [`ScoredReader`](crate::io::ScoredReader), or straight from scoring) ->
//! [`ReportBuilder`] aggregates them as they come -> [`Report`] -> [`render`]
//! writes it as a table, Markdown, CSV, JSON or self-contained HTML.
//!
//! `stance score --report` feeds its statements to a [`ReportBuilder`] directly
//! ([`ReportSink`]); anything else that has statements can too:
//!
//! ```
//! use stance::io::Statement;
//! use stance::report::{render, ReportBuilder, ReportFormat, ReportOptions};
//!
//! let mut builder = ReportBuilder::new(ReportOptions::default())?;
//! for (i, topic) in ["palestine", "palestine", "other"].iter().enumerate() {
//!     let mut statement = Statement::default();
//!     statement.article_id = "a1".into();
//!     statement.sentence = i + 1;
//!     statement.topic = topic.to_string();
//!     statement.topic_prob = 0.9;
//!     statement.stance = Some("neutral".into());
//!     statement.stance_prob = Some(0.7);
//!     if let Err(problem) = builder.add(&statement) {
//!         eprintln!("warning: {problem}");
//!     }
//! }
//! let report = builder.finish();
//! let mut out = Vec::new();
//! render(&report, ReportFormat::Json, &mut out)?;
//! assert_eq!(report.topics[0].topic, "palestine");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod builder;
mod document;
mod escape;
mod examples;
mod options;
mod period;
mod provenance;
mod render;
mod sink;
mod stats;

pub use builder::ReportBuilder;
pub use document::{
    Breakdown, BreakdownRow, Example, ExampleCell, PeriodCounts, ProblemEntry, Problems, Report,
    SeriesPoint, Settings, SourceCounts, StanceCount, StanceOverTime, StanceSeries, Term, TermList,
    TopicCount, TopicStats, Totals, SCHEMA,
};
pub use options::{Dimension, OptionsError, ReportOptions, MAX_EXAMPLES_PER_CELL};
pub use period::Period;
pub use provenance::{rfc3339, InputFile, ModelProvenance, Provenance, TrainingFile};
pub use render::{evaluation_html, render, EvaluationPage, ReportFormat};
pub use sink::{ReadBack, ReportSink};
