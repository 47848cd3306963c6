//! Choosing the statements worth labelling: what `stance suggest` runs.
//!
//! Statements come from the scoring engine ([`SuggestSink`], a
//! [`Sink`](crate::pipeline::Sink) for [`pipeline::run`](crate::pipeline::run))
//! or from scored JSON Lines ([`feed_scored`]). Each is ranked by how close
//! the model's calls are ([`uncertainty`]: the smaller of the topic margin and,
//! on-topic, the stance margin, pushed back when the model knows few of the
//! statement's terms), unless it is [excluded](Exclusions) (labelled
//! before, by id, normalised text or a near-duplicate of it, or a training text of the model); a
//! [`CandidatePool`] keeps the best few per topic in bounded memory, one per
//! normalised text; [`select`] chooses the batch (every topic represented, no
//! near-duplicates, at most so many per article) and [`write_to_label`]
//! writes it for `stance label` and `stance train`. The same inputs and
//! options give the same file, whatever the thread count.
//!
//! ```
//! use std::sync::Arc;
//! use stance::io::{Article, Item};
//! use stance::model::StanceModel;
//! use stance::pipeline::{run, Input, ScoreOptions, Scorer};
//! use stance::suggest::{select, Exclusions, SuggestOptions, SuggestSink};
//!
//! let scorer = Scorer::new(StanceModel::load("models/default.model".as_ref())?, ScoreOptions::default().check()?)?;
//! let options = SuggestOptions { n: 2, ..SuggestOptions::default() }.check(&scorer.labels().topics)?;
//! let text = "Iraqi MPs voted to end the coalition's mission. Iran's envoy praised the vote. It rained.";
//! let items = vec![Item::Article(Article { id: "a1".into(), text: text.into(), ..Article::default() })];
//! let exclusions = Exclusions::default().with_training(scorer.training().training_texts.clone());
//! let sink = SuggestSink::new(&options, Arc::new(exclusions));
//! let (gathered, _) = run(&scorer, Input::spawn(items.into_iter())?, sink, &|_, _| {})?;
//! let batch = select(gathered.pool, &options);
//! assert_eq!(batch.chosen.len(), 2);
//! assert!(batch.chosen[0].rank <= batch.chosen[1].rank);
//! # Ok::<(), stance::Error>(())
//! ```

mod candidates;
mod exclude;
mod near_duplicates;
mod options;
mod scored;
mod select;
mod sink;
pub mod uncertainty;
mod write;

pub use candidates::{rank, Candidate, CandidatePool, Guess};
pub use exclude::Exclusions;
pub use near_duplicates::{NearDuplicates, Signature, SIMILAR};
pub use options::{Strategy, SuggestOptions, ValidSuggestOptions};
pub use scored::feed_scored;
pub use select::{select, Batch};
pub use sink::{ArticleCandidates, Gathered, SuggestSink, ToCandidates};
pub use write::write_to_label;
