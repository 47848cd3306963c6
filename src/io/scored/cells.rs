//! A row of scored-record cells, written one field at a time: the same calls
//! format a CSV/JSON row ([`Fields`](super::encode)) or append to Arrow
//! columns ([`ArrowRows`], for Parquet), so article rows and rejects have one
//! definition of their columns for every format.

use std::sync::Arc;

use arrow_array::builder::{Float64Builder, StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

use super::encode::Fields;
use super::schema::rounded;

/// One row's cells, in column order.
pub(crate) trait Cells {
    /// A string that is always there.
    fn str(&mut self, key: &str, v: &str);
    /// A string that may be missing.
    fn opt_str(&mut self, key: &str, v: Option<&str>);
    /// A count.
    fn uint(&mut self, key: &str, v: u64);
    /// A probability; `None` and non-finite values are missing.
    fn prob(&mut self, key: &str, v: Option<f64>);
}

impl Cells for Fields<'_> {
    fn str(&mut self, key: &str, v: &str) {
        Fields::str(self, key, v)
    }
    fn opt_str(&mut self, key: &str, v: Option<&str>) {
        Fields::opt_str(self, key, v)
    }
    fn uint(&mut self, key: &str, v: u64) {
        Fields::uint(self, key, v)
    }
    fn prob(&mut self, key: &str, v: Option<f64>) {
        Fields::prob(self, key, v)
    }
}

enum Builder {
    Str(StringBuilder),
    UInt(UInt64Builder),
    Float(Float64Builder),
}

impl Builder {
    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Str(b) => Arc::new(b.finish()),
            Builder::UInt(b) => Arc::new(b.finish()),
            Builder::Float(b) => Arc::new(b.finish()),
        }
    }
}

/// Rows of cells as Arrow columns: the first row's calls fix the columns
/// (names, types, nullability); later rows must make the same calls.
///
/// Probabilities are kept as the text formats print them: rounded to
/// [`DECIMALS`](super::DECIMALS) digits.
#[derive(Default)]
pub struct ArrowRows {
    fields: Vec<Field>,
    builders: Vec<Builder>,
    /// The next column of the current row.
    at: usize,
    /// Rows ended so far (since the last batch).
    rows: usize,
}

impl ArrowRows {
    /// Rows whose columns are those of `row`'s calls (a dry run on any row).
    pub(crate) fn shaped_by(row: impl FnOnce(&mut ArrowRows)) -> ArrowRows {
        let mut rows = ArrowRows::default();
        row(&mut rows);
        rows.at = 0;
        // Note: the dry run's values are dropped, its columns stay.
        for b in &mut rows.builders {
            b.finish();
        }
        rows
    }

    /// The columns' schema.
    pub fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(self.fields.clone()))
    }

    /// Ends the current row.
    pub fn end_row(&mut self) {
        self.at = 0;
        self.rows += 1;
    }

    /// Rows ended since the last batch.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no row was ended since the last batch.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The rows so far as one batch; the columns start empty again.
    pub fn take_batch(&mut self) -> Result<RecordBatch, ArrowError> {
        let columns = self.builders.iter_mut().map(Builder::finish).collect();
        self.rows = 0;
        RecordBatch::try_new(self.schema(), columns)
    }

    fn cell(&mut self, key: &str, ty: DataType, nullable: bool) -> Option<&mut Builder> {
        let i = self.at;
        self.at += 1;
        if i == self.builders.len() {
            self.fields.push(Field::new(key, ty.clone(), nullable));
            self.builders.push(match ty {
                DataType::UInt64 => Builder::UInt(UInt64Builder::new()),
                DataType::Float64 => Builder::Float(Float64Builder::new()),
                _ => Builder::Str(StringBuilder::new()),
            });
        }
        self.builders.get_mut(i)
    }
}

impl Cells for ArrowRows {
    fn str(&mut self, key: &str, v: &str) {
        if let Some(Builder::Str(b)) = self.cell(key, DataType::Utf8, false) {
            b.append_value(v);
        }
    }
    fn opt_str(&mut self, key: &str, v: Option<&str>) {
        if let Some(Builder::Str(b)) = self.cell(key, DataType::Utf8, true) {
            b.append_option(v);
        }
    }
    fn uint(&mut self, key: &str, v: u64) {
        if let Some(Builder::UInt(b)) = self.cell(key, DataType::UInt64, false) {
            b.append_value(v);
        }
    }
    fn prob(&mut self, key: &str, v: Option<f64>) {
        if let Some(Builder::Float(b)) = self.cell(key, DataType::Float64, true) {
            b.append_option(v.filter(|x| x.is_finite()).map(rounded));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, Float64Array, StringArray};

    #[test]
    fn first_row_fixes_the_columns() {
        let row = |r: &mut ArrowRows, id: &str, p: Option<f64>| {
            r.str("id", id);
            r.opt_str("note", None);
            r.uint("n", 3);
            r.prob("p", p);
        };
        let mut rows = ArrowRows::shaped_by(|r| row(r, "x", None));
        assert!(rows.is_empty());
        row(&mut rows, "a", Some(0.123456));
        rows.end_row();
        row(&mut rows, "b", Some(f64::NAN));
        rows.end_row();
        let batch = rows.take_batch().unwrap();
        assert_eq!(batch.num_rows(), 2);
        let s = batch.schema();
        let names: Vec<_> = s.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["id", "note", "n", "p"]);
        assert!(!s.field(0).is_nullable() && s.field(1).is_nullable());
        let id = batch
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        assert_eq!(id.value(1), "b");
        let p = batch
            .column(3)
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        assert_eq!((p.value(0), p.is_null(1)), (0.1235, true));
        assert_eq!(rows.take_batch().unwrap().num_rows(), 0);
    }
}
