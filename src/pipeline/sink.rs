//! Where scored articles go: the [`Sink`] trait, its [`Encoder`], and a `Vec` collector.
//!
//! A sink has two halves, because scoring is parallel and writing is not:
//! its [`Encoder`] turns each article's statements into a part on the
//! scoring threads (formatted rows, a tally, owned statements), and the sink
//! itself takes the parts in input order on one writer thread. Sinks
//! combine: a pair `(A, B)` of sinks is a sink that feeds both, and an
//! `Option<S>` one that may be absent.

use crate::error::Result;
use crate::io::{Article, Rejected, Statement, StatementView};

/// Turns one article's statements into a part, on a scoring thread.
///
/// Each method sees one article only, so articles can be encoded in any
/// order and in parallel; the sink gets the parts in input order.
pub trait Encoder: Sync {
    /// What one article becomes.
    type Part: Send;

    /// Starts the part of `article`, which has `statements` statements.
    fn start(&self, article: &Article, statements: usize) -> Self::Part;

    /// Adds one statement (they come in order).
    fn statement(&self, part: &mut Self::Part, statement: &StatementView<'_>);

    /// Ends the part after its last statement.
    fn end(&self, part: &mut Self::Part, article: &Article) {
        let _ = (part, article);
    }
}

/// Takes the scored articles and rejected items of a run, in input order, on one thread.
pub trait Sink: Send {
    /// The half that runs on the scoring threads.
    type Encoder: Encoder;
    /// What [`Sink::finish`] gives back.
    type Output: Send;

    /// The encoder for this sink's parts (made once per run).
    fn encoder(&self) -> Self::Encoder;

    /// Takes one article's part.
    fn write(&mut self, part: <Self::Encoder as Encoder>::Part) -> Result<()>;

    /// Takes an item that could not be scored.
    fn reject(&mut self, rejected: &Rejected) -> Result<()> {
        let _ = rejected;
        Ok(())
    }

    /// After each batch of items: makes what was written visible to a reader
    /// on the other end of a pipe, which may be waiting for it.
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }

    /// Ends the run's output.
    fn finish(self) -> Result<Self::Output>;
}

impl<A: Encoder, B: Encoder> Encoder for (A, B) {
    type Part = (A::Part, B::Part);

    fn start(&self, article: &Article, statements: usize) -> Self::Part {
        (
            self.0.start(article, statements),
            self.1.start(article, statements),
        )
    }

    fn statement(&self, part: &mut Self::Part, statement: &StatementView<'_>) {
        self.0.statement(&mut part.0, statement);
        self.1.statement(&mut part.1, statement);
    }

    fn end(&self, part: &mut Self::Part, article: &Article) {
        self.0.end(&mut part.0, article);
        self.1.end(&mut part.1, article);
    }
}

impl<A: Sink, B: Sink> Sink for (A, B) {
    type Encoder = (A::Encoder, B::Encoder);
    type Output = (A::Output, B::Output);

    fn encoder(&self) -> Self::Encoder {
        (self.0.encoder(), self.1.encoder())
    }

    fn write(&mut self, part: <Self::Encoder as Encoder>::Part) -> Result<()> {
        self.0.write(part.0)?;
        self.1.write(part.1)
    }

    fn reject(&mut self, rejected: &Rejected) -> Result<()> {
        self.0.reject(rejected)?;
        self.1.reject(rejected)
    }

    fn flush(&mut self) -> Result<()> {
        self.0.flush()?;
        self.1.flush()
    }

    fn finish(self) -> Result<Self::Output> {
        Ok((self.0.finish()?, self.1.finish()?))
    }
}

impl<E: Encoder> Encoder for Option<E> {
    type Part = Option<E::Part>;

    fn start(&self, article: &Article, statements: usize) -> Self::Part {
        self.as_ref().map(|e| e.start(article, statements))
    }

    fn statement(&self, part: &mut Self::Part, statement: &StatementView<'_>) {
        if let (Some(e), Some(p)) = (self, part) {
            e.statement(p, statement);
        }
    }

    fn end(&self, part: &mut Self::Part, article: &Article) {
        if let (Some(e), Some(p)) = (self, part) {
            e.end(p, article);
        }
    }
}

impl<S: Sink> Sink for Option<S> {
    type Encoder = Option<S::Encoder>;
    type Output = Option<S::Output>;

    fn encoder(&self) -> Self::Encoder {
        self.as_ref().map(Sink::encoder)
    }

    fn write(&mut self, part: <Self::Encoder as Encoder>::Part) -> Result<()> {
        match (self, part) {
            (Some(s), Some(p)) => s.write(p),
            _ => Ok(()),
        }
    }

    fn reject(&mut self, rejected: &Rejected) -> Result<()> {
        self.as_mut().map_or(Ok(()), |s| s.reject(rejected))
    }

    fn flush(&mut self) -> Result<()> {
        self.as_mut().map_or(Ok(()), Sink::flush)
    }

    fn finish(self) -> Result<Self::Output> {
        self.map(Sink::finish).transpose()
    }
}

/// Collects every statement, owned: one `Vec` per scored article, in input
/// order; the rejected items beside them.
///
/// A stream of articles scored into a `Vec`, as `stance score` scores them:
///
/// ```
/// # fn main() -> stance::Result<()> {
/// use stance::io::{Article, Item};
/// use stance::model::StanceModel;
/// use stance::pipeline::{run, Collect, Input, ScoreOptions, Scorer};
///
/// let model = StanceModel::load("models/default.model".as_ref())?;
/// let scorer = Scorer::new(model, ScoreOptions::default().check()?)?;
/// let texts = ["Iraqi MPs voted to end the coalition's mission. It rained.", "Talks resumed."];
/// let items: Vec<Item> = texts
///     .iter()
///     .enumerate()
///     .map(|(i, t)| Item::Article(Article { id: format!("a{i}"), text: t.to_string(), ..Article::default() }))
///     .collect();
/// let input = Input::spawn(items.into_iter())?;
/// let (collected, counts) = run(&scorer, input, Collect::default(), &|_bytes, _counts| {})?;
/// assert_eq!((counts.scored, counts.statements), (2, 3));
/// assert_eq!(collected.articles[0][0].topic, "coalition_withdrawal");
/// assert_eq!(collected.articles[1][0].article_id, "a1");
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct Collect {
    articles: Vec<Vec<Statement>>,
    rejected: Vec<Rejected>,
}

/// What a [`Collect`] gathered.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Collected {
    /// Per scored article, its statements with every value as computed.
    pub articles: Vec<Vec<Statement>>,
    /// The items that could not be scored.
    pub rejected: Vec<Rejected>,
}

/// The [`Encoder`] of [`Collect`]: every statement as an owned [`Statement`].
#[derive(Debug, Default, Clone, Copy)]
pub struct ToStatements;

impl Encoder for ToStatements {
    type Part = Vec<Statement>;

    fn start(&self, _article: &Article, statements: usize) -> Vec<Statement> {
        Vec::with_capacity(statements)
    }

    fn statement(&self, part: &mut Vec<Statement>, statement: &StatementView<'_>) {
        part.push(statement.to_statement());
    }
}

impl Sink for Collect {
    type Encoder = ToStatements;
    type Output = Collected;

    fn encoder(&self) -> ToStatements {
        ToStatements
    }

    fn write(&mut self, part: Vec<Statement>) -> Result<()> {
        self.articles.push(part);
        Ok(())
    }

    fn reject(&mut self, rejected: &Rejected) -> Result<()> {
        self.rejected.push(rejected.clone());
        Ok(())
    }

    fn finish(self) -> Result<Collected> {
        Ok(Collected {
            articles: self.articles,
            rejected: self.rejected,
        })
    }
}
