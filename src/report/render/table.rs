//! Plain-text tables aligned for a terminal.

use std::io::{self, Write};

use super::grid::{self, Grid};
use crate::report::document::Report;

/// Longest cell shown before truncation with `…`.
const MAX_CELL: usize = 48;

/// Makes a data string safe and short for a terminal.
///
/// Note: control characters (including ESC, which starts ANSI sequences that
/// could rewrite the screen) become `?`, and line breaks become spaces so one
/// row stays one line.
fn clean(s: &str, limit: Option<usize>) -> String {
    let mut out: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => '?',
            c => c,
        })
        .collect();
    if let Some(limit) = limit {
        if out.chars().count() > limit {
            out = out.chars().take(limit.saturating_sub(1)).collect();
            out.push('…');
        }
    }
    out
}

fn write_grid(w: &mut dyn Write, g: &Grid) -> io::Result<()> {
    let last = g.header.len().saturating_sub(1);
    let limit = |i: usize| (i != last).then_some(MAX_CELL);
    let header: Vec<String> = g
        .header
        .iter()
        .enumerate()
        .map(|(i, h)| clean(h, limit(i)))
        .collect();
    let rows: Vec<Vec<String>> = g
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(i, c)| clean(c, limit(i)))
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            let pad = " ".repeat(width.saturating_sub(c.chars().count()));
            if i > 0 {
                s.push_str("  ");
            }
            if g.numeric.get(i).copied().unwrap_or(false) {
                s.push_str(&pad);
                s.push_str(c);
            } else {
                s.push_str(c);
                if i != last {
                    s.push_str(&pad);
                }
            }
        }
        s.trim_end().to_string()
    };
    writeln!(w, "{}", line(&header))?;
    let rule: Vec<String> = widths.iter().map(|n| "-".repeat(*n)).collect();
    writeln!(w, "{}", line(&rule))?;
    for r in &rows {
        writeln!(w, "{}", line(r))?;
    }
    Ok(())
}

/// Writes the report as aligned text tables.
pub fn write(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "Stance report: {}", clean(&grid::summary(report), None))?;
    writeln!(w)?;
    writeln!(w, "Topics")?;
    if report.topics.is_empty() {
        writeln!(w, "(no statements)")?;
    } else {
        write_grid(w, &grid::topics(report))?;
    }
    if let Some(b) = grid::breakdown(report) {
        writeln!(w)?;
        writeln!(w, "{}", grid::breakdown_title(report))?;
        write_grid(w, &b)?;
    }
    if !report.top_terms.is_empty() {
        writeln!(w)?;
        writeln!(w, "Top terms")?;
        write_grid(w, &grid::top_terms(report))?;
    }
    if report.problems.count > 0 {
        writeln!(w)?;
        writeln!(w, "{}", grid::problems_title(report))?;
        write_grid(w, &grid::problems(report))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_terminal_escapes_and_truncates() {
        assert_eq!(clean("a\u{1b}[31mb\nc", None), "a?[31mb c");
        assert_eq!(clean("abcdef", Some(4)), "abc…");
    }

    #[test]
    fn aligns_columns() {
        let g = Grid {
            header: vec!["name".into(), "n".into()],
            rows: vec![
                vec!["a".into(), "10".into()],
                vec!["longer".into(), "2".into()],
            ],
            numeric: vec![false, true],
        };
        let mut out = Vec::new();
        write_grid(&mut out, &g).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "name     n\n------  --\na       10\nlonger   2\n");
    }
}
