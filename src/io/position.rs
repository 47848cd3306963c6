//! Where an item or a row was in the inputs: a file and, when it applies, a 1-based line.

use std::fmt;

/// Where an item or a row was: a file (`-` for stdin) and, when it applies, a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The file as found (inside a directory input: the file's own path).
    pub file: String,
    /// 1-based line where the record starts; `None` for whole-file problems.
    pub line: Option<u64>,
}

impl fmt::Display for Position {
    /// `file:line`, or `file` alone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_display() {
        let p = Position {
            file: "a.csv".into(),
            line: Some(3),
        };
        assert_eq!(p.to_string(), "a.csv:3");
        let p = Position {
            file: "dir".into(),
            line: None,
        };
        assert_eq!(p.to_string(), "dir");
    }
}
