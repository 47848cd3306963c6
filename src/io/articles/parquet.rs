//! Articles out of a Parquet file: one per row, the id, text, date, source
//! and title columns by name, read one record batch at a time.
//!
//! Note: only the named columns are read (a projection), in batches of
//! [`BATCH_ROWS`] rows, so memory holds one batch of them and the pages
//! being decoded, never the file. A problem with a row is a reject at its
//! 1-based row number (in the `line` of its [`Position`](crate::io::Position));
//! a file that cannot be read as Parquet at all (truncated, not Parquet, a
//! codec this build lacks) is one reject, as an unreadable file is.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema, TimeUnit};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;

use super::article::{Article, ArticleColumns, ReadOptions};
use super::parse::too_large;

/// A row's article, or the id (if readable) and reason of its reject.
pub(super) type RowResult = Result<Article, (Option<String>, String)>;

/// Rows per record batch read.
const BATCH_ROWS: usize = 1024;

/// Why a Parquet file gives no articles at all: a missing column (the
/// columns it has are listed) or another reason, as the reject says it.
#[derive(Debug)]
pub(super) enum OpenProblem {
    /// The id or text column is not in the file.
    MissingColumn {
        /// The column asked for.
        column: String,
        /// The file's columns.
        names: Vec<String>,
    },
    /// Anything else: the reject's reason.
    Other(String),
}

impl OpenProblem {
    /// The reject's reason.
    pub(super) fn reason(&self) -> String {
        match self {
            OpenProblem::MissingColumn { column, names } => format!(
                "missing column: no {column:?} in the file (it has: {})",
                names.join(", ")
            ),
            OpenProblem::Other(reason) => reason.clone(),
        }
    }
}

/// The open file's column positions in the projected batches.
struct Slots {
    id: usize,
    text: usize,
    date: Option<usize>,
    source: Option<usize>,
    title: Option<usize>,
}

/// The articles of one Parquet file, row by row.
pub(super) struct ParquetArticles {
    reader: ParquetRecordBatchReader,
    slots: Slots,
    batch: Option<RecordBatch>,
    /// Next row of `batch`.
    at: usize,
    /// Rows before `batch`.
    before: u64,
    done: bool,
}

fn bad(e: impl std::fmt::Display) -> OpenProblem {
    OpenProblem::Other(format!("bad Parquet: {e}"))
}

/// Whether a column of this type can be read as text (ids may be integers,
/// dates may be dates or timestamps).
fn readable(ty: &DataType, integers: bool, dates: bool) -> bool {
    matches!(
        ty,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    ) || (integers
        && matches!(
            ty,
            DataType::Int32 | DataType::Int64 | DataType::UInt32 | DataType::UInt64
        ))
        || (dates
            && matches!(
                ty,
                DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _)
            ))
}

/// Finds the named columns in `schema`; the positions of the chosen ones among the file's columns.
fn find(schema: &Schema, columns: &ArticleColumns) -> Result<Vec<(usize, usize)>, OpenProblem> {
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let mut chosen = Vec::new();
    let wanted = [
        (&columns.id, true, true, false),
        (&columns.text, true, false, false),
        (&columns.date, false, false, true),
        (&columns.source, false, false, false),
        (&columns.title, false, false, false),
    ];
    for (slot, (name, required, integers, dates)) in wanted.into_iter().enumerate() {
        match names.iter().position(|n| n == name) {
            Some(i) => {
                let ty = schema.field(i).data_type();
                if !readable(ty, integers, dates) {
                    let also = match (integers, dates) {
                        (true, _) => " or an integer",
                        (_, true) => ", a date or a timestamp",
                        _ => "",
                    };
                    return Err(OpenProblem::Other(format!(
                        "unsupported column type: {name:?} is {ty}, expected a string{also}"
                    )));
                }
                chosen.push((slot, i));
            }
            None if required => {
                return Err(OpenProblem::MissingColumn {
                    column: name.clone(),
                    names,
                })
            }
            None => {}
        }
    }
    Ok(chosen)
}

/// The named columns of the Parquet file at `path`, checked (for the preflight).
pub(super) fn check_columns(path: &Path, columns: &ArticleColumns) -> Result<(), OpenProblem> {
    let file = File::open(path).map_err(|e| OpenProblem::Other(format!("unreadable: {e}")))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(bad)?;
    find(builder.schema(), columns).map(|_| ())
}

impl ParquetArticles {
    /// Opens the file and finds its columns.
    pub(super) fn open(
        path: &Path,
        columns: &ArticleColumns,
    ) -> Result<ParquetArticles, OpenProblem> {
        let file = File::open(path).map_err(|e| OpenProblem::Other(format!("unreadable: {e}")))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(bad)?;
        let chosen = find(builder.schema(), columns)?;
        let mut roots: Vec<usize> = chosen.iter().map(|&(_, i)| i).collect();
        roots.sort_unstable();
        // Note: a projection keeps the file's column order; each slot's
        // position among the projected columns follows from it.
        let at = |slot: usize| {
            chosen
                .iter()
                .find(|&&(s, _)| s == slot)
                .and_then(|&(_, i)| roots.iter().position(|&r| r == i))
        };
        let slots = Slots {
            id: at(0).unwrap_or(0),
            text: at(1).unwrap_or(0),
            date: at(2),
            source: at(3),
            title: at(4),
        };
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots.iter().copied());
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(bad)?;
        Ok(ParquetArticles {
            reader,
            slots,
            batch: None,
            at: 0,
            before: 0,
            done: false,
        })
    }

    /// The next row: its 1-based number and its article, or the id (if
    /// readable) and reason of its reject. A read error ends the file with
    /// a reject at the row it happened on.
    pub(super) fn next_row(&mut self, options: &ReadOptions) -> Option<(u64, RowResult)> {
        loop {
            if self.done {
                return None;
            }
            if let Some(batch) = &self.batch {
                if self.at < batch.num_rows() {
                    let row = self.at;
                    self.at += 1;
                    let number = self.before + row as u64 + 1;
                    return Some((number, article(batch, &self.slots, row, options)));
                }
                self.before += batch.num_rows() as u64;
                self.batch = None;
            }
            match self.reader.next() {
                None => {
                    self.done = true;
                    return None;
                }
                Some(Ok(batch)) => {
                    self.batch = Some(batch);
                    self.at = 0;
                }
                Some(Err(e)) => {
                    self.done = true;
                    return Some((self.before + 1, Err((None, format!("bad Parquet: {e}")))));
                }
            }
        }
    }
}

/// The text of `column` at `row`; `None` for a null.
fn cell(column: &ArrayRef, row: usize) -> Option<String> {
    if column.is_null(row) {
        return None;
    }
    let c = column.as_ref();
    if let Some(a) = c.as_string_opt::<i32>() {
        return Some(a.value(row).to_string());
    }
    if let Some(a) = c.as_string_opt::<i64>() {
        return Some(a.value(row).to_string());
    }
    if let Some(a) = c.as_string_view_opt() {
        return Some(a.value(row).to_string());
    }
    if let Some(a) = c.as_primitive_opt::<Int64Type>() {
        return Some(a.value(row).to_string());
    }
    if let Some(a) = c.as_primitive_opt::<Int32Type>() {
        return Some(a.value(row).to_string());
    }
    if let Some(a) = c.as_primitive_opt::<UInt64Type>() {
        return Some(a.value(row).to_string());
    }
    if let Some(a) = c.as_primitive_opt::<UInt32Type>() {
        return Some(a.value(row).to_string());
    }
    let days = match c.data_type() {
        DataType::Date32 => c.as_primitive_opt::<Date32Type>()?.value(row) as i64,
        DataType::Date64 => c
            .as_primitive_opt::<Date64Type>()?
            .value(row)
            .div_euclid(86_400_000),
        DataType::Timestamp(unit, _) => {
            let per_day: i64 = match unit {
                TimeUnit::Second => 86_400,
                TimeUnit::Millisecond => 86_400_000,
                TimeUnit::Microsecond => 86_400_000_000,
                TimeUnit::Nanosecond => 86_400_000_000_000,
            };
            let v = match unit {
                TimeUnit::Second => c.as_primitive_opt::<TimestampSecondType>()?.value(row),
                TimeUnit::Millisecond => {
                    c.as_primitive_opt::<TimestampMillisecondType>()?.value(row)
                }
                TimeUnit::Microsecond => {
                    c.as_primitive_opt::<TimestampMicrosecondType>()?.value(row)
                }
                TimeUnit::Nanosecond => c.as_primitive_opt::<TimestampNanosecondType>()?.value(row),
            };
            v.div_euclid(per_day)
        }
        _ => return None,
    };
    Some(iso_date(days))
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01 (proleptic Gregorian).
///
/// Note: a timestamp's date is its UTC date (the time zone is not applied).
fn iso_date(days: i64) -> String {
    let (y, m, d) = crate::io::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The article of one row, checked as the CSV reader checks a record.
fn article(batch: &RecordBatch, slots: &Slots, row: usize, options: &ReadOptions) -> RowResult {
    let get = |slot: Option<usize>| slot.and_then(|i| cell(batch.column(i), row));
    let id = get(Some(slots.id));
    let id_kept = id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let Some(text) = get(Some(slots.text)) else {
        return Err((id_kept, "missing text".into()));
    };
    let fields = [get(slots.date), get(slots.source), get(slots.title)];
    let size = (text.len() + fields.iter().flatten().map(String::len).sum::<usize>()) as u64;
    if size > options.max_bytes as u64 {
        return Err((id_kept, too_large("row", size, options.max_bytes)));
    }
    let [date, source, title] = fields;
    Article::from_fields(
        id.as_deref().unwrap_or(""),
        text,
        date.as_deref(),
        source.as_deref(),
        title.as_deref(),
    )
    .map_err(|reason| (id_kept, reason.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_iso_dates() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(19_731), "2024-01-09");
        assert_eq!(iso_date(19_782), "2024-02-29");
        assert_eq!(iso_date(-1), "1969-12-31");
    }
}
