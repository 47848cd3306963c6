//! [`check_inputs`]: the problems that make an input named on the command
//! line unusable as a whole, found before any work.
//!
//! Note: rejects are for bad items inside readable inputs. An input that does
//! not exist, a file whose type is unknown, or a CSV file whose header lacks
//! the id or text column would give nothing but one reject (and an empty
//! output with a "rejected 1" summary); they are arguments to correct, so
//! they are errors before the model loads or any output is opened.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use super::article::ReadOptions;
use super::inputs::{unsupported, ArticleFormat};
use super::parquet::{check_columns, OpenProblem};
use super::parse::{read_header, HeaderProblem};
use crate::error::{Error, Result};
use crate::io::record_stream::{InputStream, BUF_SIZE};

/// Checks the inputs as named on the command line (`-` is stdin, not checked).
///
/// Refuses a path that does not exist (or cannot be looked up), a file that
/// is read by extension and has none of the known ones, and a regular CSV
/// file whose header lacks `options`' id or text column (the error lists the
/// header's columns). A directory's files, stdin and other problems of a
/// named file (an empty or oversized header, invalid UTF-8, an unreadable
/// file) are left to the reader, which rejects them as items.
pub fn check_inputs(
    inputs: &[PathBuf],
    format: Option<ArticleFormat>,
    options: &ReadOptions,
) -> Result<()> {
    for path in inputs {
        if path.as_os_str() == "-" {
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|e| Error::Refused {
            path: path.clone(),
            message: format!("cannot read this input: {e}"),
        })?;
        if meta.is_dir() {
            continue;
        }
        let Some(format) = format.or_else(|| ArticleFormat::from_extension(path)) else {
            return Err(Error::Refused {
                path: path.clone(),
                message: unsupported(path),
            });
        };
        if let (Some(delimiter), true) = (format.delimiter(), meta.is_file()) {
            check_header(path, delimiter, options)?;
        }
        if format == ArticleFormat::Parquet && meta.is_file() {
            // Note: a file that is not Parquet at all is left to the reader (one reject).
            if let Err(OpenProblem::MissingColumn { column, names }) =
                check_columns(path, &options.columns)
            {
                return Err(Error::MissingColumn {
                    path: path.to_path_buf(),
                    column,
                    available: names.join(", "),
                });
            }
        }
    }
    Ok(())
}

/// Refuses a CSV file whose header lacks a required column.
fn check_header(path: &Path, delimiter: u8, options: &ReadOptions) -> Result<()> {
    let Ok(file) = File::open(path) else {
        return Ok(());
    };
    let file: Box<dyn std::io::Read + Send> = Box::new(file);
    let mut stream =
        InputStream::new(BufReader::with_capacity(BUF_SIZE, file)).with_delimiter(delimiter);
    match read_header(&mut stream, options) {
        Err(HeaderProblem::MissingColumn { column, names, .. }) => Err(Error::MissingColumn {
            path: path.to_path_buf(),
            column,
            available: names.join(", "),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_inputs_are_errors_and_bad_items_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        std::fs::write(p("ok.csv"), "id,text\na,Fine.\n").unwrap();
        std::fs::write(p("body.csv"), "\u{feff}id,body\na,Fine.\n").unwrap();
        std::fs::write(p("x.parquet"), "PAR1").unwrap();
        std::fs::write(p("empty.csv"), "").unwrap();
        std::fs::create_dir(p("d")).unwrap();
        std::fs::write(p("d/body.csv"), "id,body\n").unwrap();
        let options = ReadOptions::default();
        let check = |names: &[&str], format| {
            let paths: Vec<PathBuf> = names
                .iter()
                .map(|&n| if n == "-" { n.into() } else { p(n) })
                .collect();
            check_inputs(&paths, format, &options).map_err(|e| e.to_string())
        };
        assert_eq!(check(&["ok.csv", "empty.csv", "d", "-"], None), Ok(()));
        let err = check(&["ok.csv", "missing.csv"], None).unwrap_err();
        assert!(
            err.contains("missing.csv: cannot read this input: No such file"),
            "{err}"
        );
        let err = check(&["body.csv"], None).unwrap_err();
        assert!(
            err.ends_with("body.csv: no column \"text\"; the header has: id, body"),
            "{err}"
        );
        // Note: not Parquet inside: left to the reader, which rejects it.
        assert_eq!(check(&["x.parquet"], None), Ok(()));
        std::fs::write(p("x.pdf"), "%PDF").unwrap();
        let err = check(&["x.pdf"], None).unwrap_err();
        assert!(err.contains("unsupported file type: .pdf"), "{err}");
        assert_eq!(check(&["x.pdf"], Some(ArticleFormat::Txt)), Ok(()));
    }
}
