//! `stance`: which topic each statement of a news article is about, and which side it takes.
//!
//! The crate is the pipeline, one module per stage, each using only the
//! stages before it:
//!
//! 1. [`analysis`]: text -> sentences ([`analysis::split_sentences`]) ->
//!    words -> stems -> word and character n-grams ([`analysis::Analyzer`]);
//! 2. [`features`]: terms -> vocabulary, TF-IDF and sparse rows
//!    ([`features::Vectorizer`]);
//! 3. [`model`]: rows -> multinomial logistic heads, a topic head and a stance
//!    head per topic, trained ([`model::train`]) and stored
//!    ([`model::StanceModel`]); the classifier is also a linfa algorithm;
//! 4. [`io`]: labelled CSV, articles in ([`io::ArticleReader`]), scored
//!    records out and back in ([`io::Statement`]), files written atomically;
//! 5. [`pipeline`]: the scoring engine ([`pipeline::Scorer`],
//!    [`pipeline::run`] and its [`pipeline::Sink`]s), what `stance score` runs;
//! 6. [`eval`] (a model against labelled data, scored through the engine) and
//!    [`report`] (per-topic statistics of scored statements);
//! 7. [`label`]: labelling statements by hand, one decision at a time
//!    (the session behind `stance label`);
//! 8. [`suggest`]: choosing the statements worth labelling (the batch behind
//!    `stance suggest`), scored through [`pipeline`];
//! 9. [`cli`]: the `stance` command line, a thin shell over the above.
//!
//! # Example
//!
//! Train on a tiny corpus, score two short articles, read each statement's
//! topic, stance and probabilities (exactly what `stance score` would write
//! for them):
//!
//! ```
//! use stance::features::DfBound;
//! use stance::model::{train, TrainConfig, TrainingMeta, TrainingSet};
//! use stance::pipeline::{ScoreOptions, Scorer};
//!
//! let corpus = [
//!     ("Protesters marched for Gaza and Palestinian rights.", "palestine", "favor"),
//!     ("Hamas attacks were condemned by the minister.", "palestine", "against"),
//!     ("Talks on a Gaza ceasefire resumed in Cairo.", "palestine", "neutral"),
//!     ("Lawmakers demanded that coalition troops leave Iraq.", "coalition", "favor"),
//!     ("Kurdish leaders warned against a hasty coalition exit.", "coalition", "against"),
//!     ("The coalition mission talks resumed in Baghdad.", "coalition", "neutral"),
//! ];
//! let texts: Vec<String> = corpus.iter().map(|r| r.0.to_string()).collect();
//! let topics: Vec<String> = corpus.iter().map(|r| r.1.to_string()).collect();
//! let stances: Vec<String> = corpus.iter().map(|r| r.2.to_string()).collect();
//! let data = TrainingSet { texts: &texts, topics: &topics, stances: Some(&stances) };
//! let mut config = TrainConfig::default();
//! config.vectorizer.vocab.min_df = DfBound::Count(1);
//! let model = train(&data, &config, TrainingMeta::default(), &mut |line| println!("{line}"))?;
//!
//! let scorer = Scorer::new(model, ScoreOptions::default().check()?)?;
//! let articles = vec![
//!     "Crowds marched for Gaza in Baghdad. The minister condemned Hamas attacks.".to_string(),
//!     "MPs demanded that coalition troops leave Iraq.".to_string(),
//! ];
//! let scored = scorer.score_texts(&articles);
//! assert_eq!((scored[0].len(), scored[1].len()), (2, 1));
//! for statement in scored.iter().flatten() {
//!     println!(
//!         "{} #{}: {} ({:.2}), {:?} ({:.2?}): {}",
//!         statement.article_id,
//!         statement.sentence,
//!         statement.topic,
//!         statement.topic_prob,
//!         statement.stance,
//!         statement.stance_prob,
//!         statement.text,
//!     );
//! }
//! assert_eq!(scored[0][0].topic, "palestine");
//! assert_eq!(scored[1][0].topic, "coalition");
//! let sum: f64 = scored[1][0].topic_probs.iter().map(|(_, p)| p).sum();
//! assert!((sum - 1.0).abs() < 1e-9);
//! # Ok::<(), stance::Error>(())
//! ```
//!
//! Streams of articles of any size go through [`pipeline::run`] (a reader
//! thread, the scoring threads, a writer thread) into any [`pipeline::Sink`]:
//! the statement, article and reject writers, a report, a `Vec`, or pairs of
//! them.

#![warn(missing_docs)]

pub mod analysis;
pub mod cli;
mod error;
pub mod eval;
pub mod features;
pub mod io;
pub mod label;
pub mod model;
pub mod pipeline;
mod prefetch;
pub mod report;
pub mod suggest;
mod swar;

pub use error::{Error, Result};
