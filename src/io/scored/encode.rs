//! Byte encoders for scored records: each field straight into a caller's
//! buffer as a CSV value or a JSON `"key":value` pair, probabilities with
//! [`DECIMALS`] fixed digits.

use super::schema::{RecordFormat, DECIMALS, SCALE};
use crate::swar;

/// Appends a CSV header line of `names`.
pub(super) fn csv_header<'a>(
    buf: &mut Vec<u8>,
    names: impl Iterator<Item = &'a (impl AsRef<str> + 'a)>,
) {
    for (i, name) in names.enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_csv(buf, name.as_ref());
    }
    buf.push(b'\n');
}

/// Writes one record's fields as CSV values or JSON `"key":value` pairs.
pub(super) struct Fields<'b> {
    buf: &'b mut Vec<u8>,
    json: bool,
    first: bool,
}

impl<'b> Fields<'b> {
    pub(super) fn start(buf: &'b mut Vec<u8>, format: RecordFormat) -> Fields<'b> {
        let json = format == RecordFormat::Jsonl;
        if json {
            buf.push(b'{');
        }
        Fields {
            buf,
            json,
            first: true,
        }
    }

    fn key(&mut self, key: &str) {
        if !std::mem::replace(&mut self.first, false) {
            self.buf.push(b',');
        }
        if self.json {
            push_json_str(self.buf, key);
            self.buf.push(b':');
        }
    }

    fn null(&mut self) {
        if self.json {
            self.buf.extend_from_slice(b"null");
        }
    }

    pub(super) fn str(&mut self, key: &str, v: &str) {
        self.key(key);
        if self.json {
            push_json_str(self.buf, v);
        } else {
            push_csv(self.buf, v);
        }
    }

    pub(super) fn opt_str(&mut self, key: &str, v: Option<&str>) {
        match v {
            Some(v) => self.str(key, v),
            None => {
                self.key(key);
                self.null();
            }
        }
    }

    /// A preformatted JSON literal or number (empty/null when `None`).
    pub(super) fn raw(&mut self, key: &str, v: Option<&str>) {
        self.key(key);
        match v {
            Some(v) => self.buf.extend_from_slice(v.as_bytes()),
            None => self.null(),
        }
    }

    pub(super) fn uint(&mut self, key: &str, v: u64) {
        self.key(key);
        push_uint(self.buf, v);
    }

    /// A probability; `None` and non-finite values are empty (CSV) or null (JSON).
    pub(super) fn prob(&mut self, key: &str, v: Option<f64>) {
        self.key(key);
        match v.filter(|x| x.is_finite()) {
            Some(x) => push_fixed(self.buf, x, false),
            None => self.null(),
        }
    }

    /// JSON only: `{"label": p, ...}`, or null.
    pub(super) fn prob_map(&mut self, key: &str, map: Option<(&[String], &[f64])>) {
        self.key(key);
        let Some((labels, probs)) = map else {
            self.null();
            return;
        };
        self.buf.push(b'{');
        for (i, (label, &p)) in labels.iter().zip(probs).enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            push_json_str(self.buf, label);
            self.buf.push(b':');
            push_json_number(self.buf, p);
        }
        self.buf.push(b'}');
    }

    /// CSV: `term:+0.1234;term2:-0.0567`; JSON: `[{"term": .., "contribution": ..}]`.
    pub(super) fn terms(&mut self, key: &str, terms: &[(String, f64)]) {
        self.key(key);
        if self.json {
            self.buf.push(b'[');
            for (i, (term, c)) in terms.iter().enumerate() {
                if i > 0 {
                    self.buf.push(b',');
                }
                self.buf.extend_from_slice(b"{\"term\":");
                push_json_str(self.buf, term);
                self.buf.extend_from_slice(b",\"contribution\":");
                push_json_number(self.buf, *c);
                self.buf.push(b'}');
            }
            self.buf.push(b']');
        } else {
            let mut joined = Vec::new();
            for (i, (term, c)) in terms.iter().enumerate() {
                if i > 0 {
                    joined.push(b';');
                }
                joined.extend_from_slice(term.as_bytes());
                joined.push(b':');
                push_fixed(&mut joined, *c, true);
            }
            // Note: terms and numbers are UTF-8, so this never loses anything.
            push_csv(self.buf, &String::from_utf8_lossy(&joined));
        }
    }

    /// CSV: `label:0.7500;label2:0.2000`; JSON: `[{"topic": .., "prob": ..}]` (`name` the key of the label).
    pub(super) fn ranked(&mut self, key: &str, name: &str, items: &[(&str, f64)]) {
        self.key(key);
        if self.json {
            self.buf.push(b'[');
            for (i, (label, p)) in items.iter().enumerate() {
                if i > 0 {
                    self.buf.push(b',');
                }
                self.buf.push(b'{');
                push_json_str(self.buf, name);
                self.buf.push(b':');
                push_json_str(self.buf, label);
                self.buf.extend_from_slice(b",\"prob\":");
                push_json_number(self.buf, *p);
                self.buf.push(b'}');
            }
            self.buf.push(b']');
        } else {
            let mut joined = Vec::new();
            for (i, (label, p)) in items.iter().enumerate() {
                if i > 0 {
                    joined.push(b';');
                }
                joined.extend_from_slice(label.as_bytes());
                joined.push(b':');
                push_fixed(&mut joined, *p, false);
            }
            push_csv(self.buf, &String::from_utf8_lossy(&joined));
        }
    }

    pub(super) fn end(self) {
        if self.json {
            self.buf.push(b'}');
        }
        self.buf.push(b'\n');
    }
}

/// A JSON number with [`DECIMALS`] digits, or null when not finite.
fn push_json_number(buf: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        push_fixed(buf, x, false);
    } else {
        buf.extend_from_slice(b"null");
    }
}

/// Appends the decimal digits of `v`.
pub(crate) fn push_uint(buf: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// Appends `x` with [`DECIMALS`] digits after the point (`0.1235`, `-1.5000`;
/// `+` first for non-negative values when `plus`). Halves round away from zero.
pub(crate) fn push_fixed(buf: &mut Vec<u8>, x: f64, plus: bool) {
    if !(x.is_finite() && x.abs() < 1e14) {
        let text = if plus {
            format!("{x:+.DECIMALS$}")
        } else {
            format!("{x:.DECIMALS$}")
        };
        buf.extend_from_slice(text.as_bytes());
        return;
    }
    let scaled = (x.abs() * SCALE).round() as u64;
    if x < 0.0 && scaled > 0 {
        buf.push(b'-');
    } else if plus {
        buf.push(b'+');
    }
    push_uint(buf, scaled / (SCALE as u64));
    buf.push(b'.');
    let mut digits = [b'0'; DECIMALS];
    let mut rest = scaled % (SCALE as u64);
    for d in digits.iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    buf.extend_from_slice(&digits);
}

/// Appends `s` as one CSV field, quoted only when it holds `,` `"` CR or LF.
pub(crate) fn push_csv(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if !needs_quotes(bytes) {
        buf.extend_from_slice(bytes);
        return;
    }
    buf.push(b'"');
    let mut from = 0;
    for quote in memchr::memchr_iter(b'"', bytes) {
        buf.extend_from_slice(&bytes[from..=quote]);
        buf.push(b'"');
        from = quote + 1;
    }
    buf.extend_from_slice(&bytes[from..]);
    buf.push(b'"');
}

/// Whether a CSV field holds `,` `"` CR or LF.
///
/// Note: every field of every statement row goes through here. A
/// byte-at-a-time scan was 4% of scoring time; two `memchr` calls per field
/// cost about 1,000 instructions per row (callgrind), mostly call and setup
/// overhead on short fields (ids, labels). This tests 8 bytes per step with
/// integer arithmetic instead.
#[inline]
fn needs_quotes(bytes: &[u8]) -> bool {
    let mut at = 0;
    while let Some(word) = swar::load(bytes, at) {
        let special = swar::eq(word, b',') | swar::eq(word, b'"') | swar::eq(word, b'\n');
        if special | swar::eq(word, b'\r') != 0 {
            return true;
        }
        at += 8;
    }
    bytes
        .get(at..)
        .unwrap_or_default()
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

/// Appends `s` as a JSON string literal.
pub(crate) fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf.push(b'"');
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        buf.extend_from_slice(&bytes[run..i]);
        if escape.is_empty() {
            buf.extend_from_slice(b"\\u00");
            buf.push(HEX[usize::from(b >> 4)]);
            buf.push(HEX[usize::from(b & 0xf)]);
        } else {
            buf.extend_from_slice(escape);
        }
        run = i + 1;
    }
    buf.extend_from_slice(&bytes[run..]);
    buf.push(b'"');
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::io::scored::schema::rounded;

    pub(in crate::io::scored) fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut buf = Vec::new();
        f(&mut buf);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn fixed_decimals() {
        let fixed = |x: f64, plus: bool| text(|b| push_fixed(b, x, plus));
        assert_eq!(fixed(0.0, false), "0.0000");
        assert_eq!(fixed(1.0, false), "1.0000");
        assert_eq!(fixed(0.12345678, false), "0.1235");
        assert_eq!(fixed(0.99996, false), "1.0000");
        assert_eq!(fixed(-0.00004, true), "+0.0000");
        assert_eq!(fixed(-1.5, true), "-1.5000");
        assert_eq!(fixed(12.03, true), "+12.0300");
        assert_eq!(fixed(2e15, false), "2000000000000000.0000");
        assert_eq!(fixed(f64::NAN, false), "NaN");
        assert_eq!(text(|b| push_uint(b, 0)), "0");
        assert_eq!(text(|b| push_uint(b, u64::MAX)), u64::MAX.to_string());
        for p in [0.1, 0.33333, 0.5, 0.70715, 0.99999] {
            let written: f64 = fixed(p, false).parse().unwrap();
            assert_eq!(written, rounded(p), "{p}");
        }
    }

    #[test]
    fn csv_and_json_escaping() {
        assert_eq!(text(|b| push_csv(b, "plain text")), "plain text");
        assert_eq!(text(|b| push_csv(b, "a,b")), "\"a,b\"");
        assert_eq!(
            text(|b| push_csv(b, "say \"hi\"\n")),
            "\"say \"\"hi\"\"\n\""
        );
        let json = text(|b| push_json_str(b, "q\"\\\n\t\u{1}é"));
        assert_eq!(json, r#""q\"\\\n\t\u0001é""#);
        let back: String = serde_json::from_str(&json).unwrap();
        assert_eq!(back, "q\"\\\n\t\u{1}é");
    }

    proptest::proptest! {
        /// The csv crate reads back exactly the field `push_csv` wrote.
        #[test]
        fn csv_fields_read_back_exactly(field in "[a\",\r\n \u{e9}]{0,12}|\\PC{0,40}") {
            let mut line = Vec::new();
            push_csv(&mut line, &field);
            line.extend_from_slice(b",end\n");
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&line[..]);
            let record = reader.records().next().unwrap().unwrap();
            proptest::prop_assert_eq!(&record[0], field.as_str());
            proptest::prop_assert_eq!(&record[1], "end");
        }

        /// The 8-bytes-at-a-time test agrees with looking at every byte.
        #[test]
        fn needs_quotes_matches_a_byte_scan(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(vec![b',', b'"', b'\n', b'\r', b'a', b' ', 0, 0x80, 0xff]),
                    proptest::num::u8::ANY,
                ],
                0..40,
            ),
        ) {
            let expected = bytes.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
            proptest::prop_assert_eq!(needs_quotes(&bytes), expected);
        }
    }
}
