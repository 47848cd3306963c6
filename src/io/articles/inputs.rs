//! The inputs named on a command line, as sources of articles: files by
//! format, directories walked in path order, stdin.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How an input is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleFormat {
    /// Plain text: a file is one article; on stdin, every non-blank line is one.
    Txt,
    /// CSV with a header row, one article per record.
    Csv,
    /// TSV: CSV with tabs between the fields (quoting as in CSV).
    Tsv,
    /// One JSON object per line.
    Jsonl,
    /// A Parquet file, one article per row (files only: not stdin).
    Parquet,
}

impl ArticleFormat {
    /// The field delimiter of a delimited format (CSV, TSV).
    pub(crate) fn delimiter(self) -> Option<u8> {
        match self {
            ArticleFormat::Csv => Some(b','),
            ArticleFormat::Tsv => Some(b'\t'),
            _ => None,
        }
    }

    /// The format implied by a file name's extension: `.txt`, `.csv`, `.tsv`, `.jsonl`, `.json`, `.ndjson`, `.parquet`, `.pq`.
    pub fn from_extension(path: &Path) -> Option<ArticleFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(ArticleFormat::Txt),
            "csv" => Some(ArticleFormat::Csv),
            "tsv" => Some(ArticleFormat::Tsv),
            "jsonl" | "json" | "ndjson" => Some(ArticleFormat::Jsonl),
            "parquet" | "pq" => Some(ArticleFormat::Parquet),
            _ => None,
        }
    }
}

/// One input to read, after directories are expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input, in this format.
    Stdin(ArticleFormat),
    /// A file.
    File {
        /// As named on the command line.
        input: String,
        /// The file.
        path: PathBuf,
        /// How to read it.
        format: ArticleFormat,
        /// The article id if it is a `.txt` file: its name, or its path
        /// relative to the directory input it was found in.
        id: String,
    },
    /// Something that can't be read as articles; it becomes one rejected item.
    Unusable {
        /// As named on the command line.
        input: String,
        /// The path in question.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl Source {
    /// The file's size when this is a regular file, for progress; `None` for stdin.
    pub fn size(&self) -> Option<u64> {
        match self {
            Source::Stdin(_) => None,
            Source::File { path, .. } => std::fs::metadata(path)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len()),
            Source::Unusable { .. } => Some(0),
        }
    }

    /// The file this source reads, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::File { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// Turns command-line inputs into sources, in order.
///
/// `-` is stdin in `stdin_format`. A directory is walked recursively, entries
/// sorted by name (so files come in path order); its files are read by
/// extension and anything else becomes an [`Source::Unusable`].
/// A file named on the command line is read as `format` when given, else by
/// its extension. Symbolic links are followed; a directory reached twice is
/// rejected the second time rather than walked in a loop.
pub fn expand_inputs(
    inputs: &[PathBuf],
    format: Option<ArticleFormat>,
    stdin_format: ArticleFormat,
) -> Vec<Source> {
    let mut out = Vec::new();
    let mut seen_dirs = HashSet::new();
    for path in inputs {
        let input = path.display().to_string();
        if path.as_os_str() == "-" {
            out.push(Source::Stdin(format.unwrap_or(stdin_format)));
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) => out.push(Source::Unusable {
                input,
                path: path.clone(),
                reason: format!("unreadable: {e}"),
            }),
            Ok(m) if m.is_dir() => walk(&input, path, path, &mut seen_dirs, &mut out),
            Ok(_) => {
                let id = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| input.clone());
                out.push(file_source(input, path.clone(), format, id));
            }
        }
    }
    out
}

fn file_source(input: String, path: PathBuf, format: Option<ArticleFormat>, id: String) -> Source {
    match format.or_else(|| ArticleFormat::from_extension(&path)) {
        Some(format) => Source::File {
            input,
            path,
            format,
            id,
        },
        None => Source::Unusable {
            reason: unsupported(&path),
            input,
            path,
        },
    }
}

/// The reason a file whose extension names no format cannot be read.
pub(super) fn unsupported(path: &Path) -> String {
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_else(|| "no extension".into());
    format!(
        "unsupported file type: {ext} (expected .txt, .csv, .tsv, .jsonl, .json or .parquet; or give --input-format)"
    )
}

/// Appends the files under `dir` to `out`, depth first, entries sorted by name.
fn walk(input: &str, root: &Path, dir: &Path, seen: &mut HashSet<PathBuf>, out: &mut Vec<Source>) {
    let unusable = |path: &Path, reason: String| Source::Unusable {
        input: input.to_string(),
        path: path.to_path_buf(),
        reason,
    };
    if let Ok(canonical) = dir.canonicalize() {
        if !seen.insert(canonical) {
            out.push(unusable(
                dir,
                "unreadable: directory already read (a symbolic link loop?)".into(),
            ));
            return;
        }
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd.collect::<Result<Vec<_>, _>>(),
        Err(e) => Err(e),
    };
    let mut entries = match entries {
        Ok(e) => e,
        Err(e) => {
            out.push(unusable(dir, format!("unreadable: {e}")));
            return;
        }
    };
    // Note: sorting each directory by name and descending depth first is
    // the same order as sorting all paths, since `Path` compares by component.
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        match std::fs::metadata(&path) {
            Err(e) => out.push(unusable(&path, format!("unreadable: {e}"))),
            Ok(m) if m.is_dir() => walk(input, root, &path, seen, out),
            Ok(m) if !m.is_file() => {
                out.push(unusable(&path, "unreadable: not a regular file".into()))
            }
            Ok(_) => {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let id = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push(file_source(input.to_string(), path, None, id));
            }
        }
    }
}
