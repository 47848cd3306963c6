//! Articles in: `.txt` files, CSV, JSON Lines, directories of them and stdin, streamed.
//!
//! One file per step:
//!
//! - `inputs.rs`: [`expand_inputs`] turns the command line's inputs into
//!   [`Source`]s (directories walked in path order), each with its
//!   [`ArticleFormat`];
//! - `preflight.rs`: [`check_inputs`] refuses, before any work, an input
//!   that cannot be used at all (it does not exist, its type is unknown, its
//!   CSV header lacks the id or text column);
//! - `reader.rs`: [`ArticleReader`] reads them one [`Item`] at a time;
//! - `ids.rs`: the ids read so far; a repeated one is rejected;
//! - `parse.rs`: one article out of a CSV record, a JSON line or a text line;
//! - `parquet.rs`: the articles of a Parquet file, a row each, batch by batch;
//! - `crate::io::record_stream`: the bounded line and CSV record reader under them (shared);
//! - `article.rs`: what comes out, an [`Article`] or a [`Rejected`] item that
//!   says where it was and why it could not be used, and the [`ReadOptions`].
//!
//! Apart from `check_inputs`, nothing is fatal here: an unreadable file, a broken record or an oversized
//! line becomes one rejected item and reading goes on with the next.
//!
//! Memory is bounded by the size limit, never by the input: JSON Lines and
//! text lines are read with a byte cap, and CSV is parsed by a small RFC 4180
//! state machine that stops keeping a record's bytes once it passes the cap
//! but still follows its quoting to find where the next record starts.
//!
//! Note: the `csv` crate keeps a whole record in memory before it can say
//! how long it is, and its `Position::line` is off after CRLF line ends (see
//! `io::line_index`), hence the parser here. It accepts what the `csv`
//! crate accepts with its defaults: `,` delimiter, `""` escapes, CR, LF or
//! CRLF line ends, blank lines skipped, a quote inside an unquoted field kept
//! as text, a UTF-8 BOM before the header.

mod article;
mod ids;
mod inputs;
mod parquet;
mod parse;
mod preflight;
mod reader;

pub use article::{Article, ArticleColumns, Item, ReadOptions, Rejected, DEFAULT_MAX_BYTES};
pub use inputs::{expand_inputs, ArticleFormat, Source};
pub use preflight::check_inputs;
pub use reader::ArticleReader;
