//! The one escaping function for every data string put into HTML or SVG.

/// Escapes `& < > " '` so a string is inert in HTML text, quoted attributes and inline SVG.
///
/// Note: the same five entities are safe in all three contexts because the
/// report only ever places data inside element content or double-quoted
/// attribute values, never in tag names, unquoted attributes, URLs, `<style>`
/// or `<script>`. Control characters other than tab and newline are replaced
/// by U+FFFD so they can't confuse parsers or terminals viewing the source.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Strings that would run script or break out of their context if unescaped.
    pub(crate) const HOSTILE: [&str; 6] = [
        "<script>console.error('xss-script')</script>",
        "\"><img src=x onerror=\"console.error('xss-img')\">",
        "</svg><svg onload=console.error('xss-svg')>",
        "' onmouseover='console.error(1)",
        "</title></text></rect><script>alert(1)</script>",
        "&amp; <!-- -->\u{1b}[31m\0",
    ];

    #[test]
    fn hostile_strings_come_out_inert() {
        for s in HOSTILE {
            let e = escape_html(s);
            for forbidden in ['<', '>', '"', '\'', '\u{1b}', '\0'] {
                assert!(!e.contains(forbidden), "{forbidden:?} in {e}");
            }
        }
    }

    #[test]
    fn escapes_each_special_character_once() {
        assert_eq!(
            escape_html(r#"a&b<c>d"e'f"#),
            "a&amp;b&lt;c&gt;d&quot;e&#39;f"
        );
        assert_eq!(escape_html("&amp;"), "&amp;amp;");
        assert_eq!(escape_html("Ünïcode – ok\n"), "Ünïcode – ok\n");
    }
}
