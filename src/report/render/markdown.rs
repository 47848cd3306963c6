//! GitHub-flavoured Markdown: headings and pipe tables.

use std::io::{self, Write};

use super::grid::{self, Grid};
use crate::report::document::Report;

/// Makes a data string literal inside a Markdown table cell.
///
/// Note: Markdown renderers pass raw HTML through, so `<`, `>` and `&` are
/// backslash-escaped like the other Markdown punctuation (CommonMark lets any
/// ASCII punctuation be escaped): the raw text stays readable, with no HTML
/// entities, and data can't create tags, entities, links, emphasis or extra
/// cells; line breaks become spaces.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' | '>' | '&' | '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn write_grid(w: &mut dyn Write, g: &Grid) -> io::Result<()> {
    let row = |cells: &[String]| {
        format!(
            "| {} |",
            cells
                .iter()
                .map(|c| cell(c))
                .collect::<Vec<_>>()
                .join(" | ")
        )
    };
    writeln!(w, "{}", row(&g.header))?;
    let rule: Vec<&str> = g
        .numeric
        .iter()
        .map(|n| if *n { "---:" } else { "---" })
        .collect();
    writeln!(w, "| {} |", rule.join(" | "))?;
    for r in &g.rows {
        writeln!(w, "{}", row(r))?;
    }
    Ok(())
}

/// Writes the report as Markdown.
pub fn write(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "# Stance report")?;
    writeln!(w)?;
    writeln!(w, "{}", cell(&grid::summary(report)))?;
    writeln!(w)?;
    writeln!(w, "## Topics")?;
    writeln!(w)?;
    if report.topics.is_empty() {
        writeln!(w, "No statements.")?;
    } else {
        write_grid(w, &grid::topics(report))?;
    }
    if let Some(b) = grid::breakdown(report) {
        writeln!(w)?;
        writeln!(w, "## {}", grid::breakdown_title(report))?;
        writeln!(w)?;
        write_grid(w, &b)?;
    }
    if !report.top_terms.is_empty() {
        writeln!(w)?;
        writeln!(w, "## Top terms")?;
        writeln!(w)?;
        write_grid(w, &grid::top_terms(report))?;
    }
    if report.problems.count > 0 {
        writeln!(w)?;
        writeln!(w, "## {}", grid::problems_title(report))?;
        writeln!(w)?;
        write_grid(w, &grid::problems(report))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("<script>x</script>"), "\\<script\\>x\\</script\\>");
        assert_eq!(cell("AT&T &amp;"), "AT\\&T \\&amp;");
        assert_eq!(cell("[x](javascript:1)"), "\\[x\\](javascript:1)");
        assert_eq!(cell("two\nlines"), "two lines");
    }

    #[test]
    fn table_has_alignment_row() {
        let g = Grid {
            header: vec!["topic".into(), "n".into()],
            rows: vec![vec!["a_b".into(), "1".into()]],
            numeric: vec![false, true],
        };
        let mut out = Vec::new();
        write_grid(&mut out, &g).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "| topic | n |\n| --- | ---: |\n| a\\_b | 1 |\n"
        );
    }
}
