//! A run: items streamed from a reader thread, scored in parallel, written in input order.
//!
//! A reader thread turns the items into batches (about [`BATCH_BYTES`] of
//! text each) and sends them over a bounded channel; the calling thread
//! scores each batch in parallel with rayon (sentences -> TF-IDF row ->
//! topic head -> that topic's stance head), every article encoded into its
//! own part; a writer thread hands the parts to the sink in input order.
//! Memory is a few batches whatever the input size, and what the sink gets
//! does not depend on the number of threads.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use rayon::prelude::*;

use super::scorer::Scorer;
use super::sink::{Encoder, Sink};
use super::worker::{Pool, Scored};
use crate::error::{Error, Result};
use crate::io::{ArticleReader, Item};

/// Text per batch sent from the reader thread.
pub const BATCH_BYTES: usize = 2 << 20;

/// Most items per batch (many tiny articles).
const BATCH_ITEMS: usize = 16 << 10;

/// Batches queued between the reader and the scorer, and between the scorer and the writer.
const QUEUED_BATCHES: usize = 2;

/// Items to score, read on a thread of their own: an [`ArticleReader`], or
/// any iterator of [`Item`]s (`Vec<Item>`'s, say).
pub trait Items: Iterator<Item = Item> + Send + 'static {
    /// Input bytes consumed so far, for progress; 0 if unknown.
    fn bytes_read(&self) -> u64 {
        0
    }

    /// True when reading on would wait for more input (a pipe): the batch so
    /// far is sent first, so a caller waiting for answers gets them.
    fn waiting(&self) -> bool {
        false
    }
}

impl Items for ArticleReader {
    fn bytes_read(&self) -> u64 {
        ArticleReader::bytes_read(self)
    }

    fn waiting(&self) -> bool {
        self.waiting_on_stdin()
    }
}

impl Items for std::vec::IntoIter<Item> {}

/// Items read together, and how far into the inputs the reader was.
struct Batch {
    items: Vec<Item>,
    bytes_read: u64,
}

/// The input of a run: a reader thread already reading.
///
/// Note: started before the model loads (a tenth of a second for a large
/// model, partly on one core), so the first batches are ready when scoring
/// can begin. Dropped without [`run`], it ends the reader at its next batch.
pub struct Input {
    batches: Receiver<Batch>,
    reader: JoinHandle<()>,
}

impl Input {
    /// Starts reading `items` on a thread of their own.
    pub fn spawn<I: Items>(items: I) -> Result<Input> {
        let (tx, batches) = sync_channel(QUEUED_BATCHES);
        let reader = std::thread::Builder::new()
            .name("stance-reader".into())
            .spawn(move || read_batches(items, tx))
            .map_err(|_| Error::Thread("reader"))?;
        Ok(Input { batches, reader })
    }
}

/// The reader thread: batches of items until the inputs end or the receiver hangs up.
fn read_batches<I: Items>(mut items: I, tx: SyncSender<Batch>) {
    let mut batch = Vec::new();
    let mut text = 0;
    while let Some(item) = items.next() {
        text += match &item {
            Item::Article(a) => a.text.len(),
            Item::Rejected(_) => 0,
        };
        batch.push(item);
        if text >= BATCH_BYTES || batch.len() >= BATCH_ITEMS || items.waiting() {
            let full = Batch {
                items: std::mem::take(&mut batch),
                bytes_read: items.bytes_read(),
            };
            if tx.send(full).is_err() {
                return;
            }
            text = 0;
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(Batch {
            items: batch,
            bytes_read: items.bytes_read(),
        });
    }
}

/// What a run read and scored.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Items read: articles and rejected items.
    pub read: u64,
    /// Articles scored.
    pub scored: u64,
    /// Statements in them.
    pub statements: u64,
    /// Items rejected.
    pub rejected: u64,
    /// Articles scored whose detected language is not the model's (their statements are `uncertain`).
    pub other_language: u64,
}

/// Scores every item of `input` with `scorer` into `sink`, in input order;
/// `progress` is called after each batch with the input bytes read so far.
///
/// Returns what the sink finished with and the counts (read = scored +
/// rejected). An error from the sink ends the run.
pub fn run<S: Sink>(
    scorer: &Scorer,
    input: Input,
    sink: S,
    progress: &(dyn Fn(u64, &Counts) + Sync),
) -> Result<(S::Output, Counts)> {
    let Input { batches, reader } = input;
    let encoder = sink.encoder();
    let pool = Pool::new(scorer);
    // Note: a writer thread writes batch N while the workers score batch N + 1;
    // writing on the scoring thread left the workers idle (about a third of the
    // wall time on 2 cores). The channel is bounded, so memory stays flat.
    type Done<P> = (Vec<Scored<P>>, u64);
    let (done_tx, done_rx) = sync_channel::<Done<<S::Encoder as Encoder>::Part>>(QUEUED_BATCHES);
    let finished = std::thread::scope(|scope| -> Result<(S::Output, Counts)> {
        let writer = std::thread::Builder::new()
            .name("stance-writer".into())
            .spawn_scoped(scope, move || -> Result<(S::Output, Counts)> {
                let mut sink = sink;
                let mut counts = Counts::default();
                for (scored, bytes_read) in done_rx {
                    for item in scored {
                        counts.read += 1;
                        match item {
                            Scored::Article {
                                part,
                                statements,
                                other_language,
                            } => {
                                counts.scored += 1;
                                counts.other_language += other_language as u64;
                                counts.statements += statements as u64;
                                sink.write(part)?;
                            }
                            Scored::Rejected(r) => {
                                counts.rejected += 1;
                                sink.reject(&r)?;
                            }
                        }
                    }
                    sink.flush()?;
                    progress(bytes_read, &counts);
                }
                Ok((sink.finish()?, counts))
            })
            .map_err(|_| Error::Thread("writer"))?;
        for batch in batches {
            let scored: Vec<_> = batch
                .items
                .into_par_iter()
                .map_init(
                    || pool.lease(),
                    |lease, item| lease.score_item(&encoder, item),
                )
                .collect();
            if done_tx.send((scored, batch.bytes_read)).is_err() {
                // The writer stopped on an error; it is reported by join below.
                break;
            }
        }
        drop(done_tx);
        writer.join().map_err(|_| Error::Thread("writer"))?
    })?;
    // Note: the batch receiver is gone (the loop above took it), so a reader
    // still running ends at its next send.
    reader.join().map_err(|_| Error::Thread("reader"))?;
    Ok(finished)
}
