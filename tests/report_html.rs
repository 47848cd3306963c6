//! The HTML report in a real browser: hostile strings stay inert, the page
//! loads without a console message, and the charts are drawn.
//!
//! Needs Debian's `chromium` (`.ci/run` installs it); without it this test
//! FAILS rather than passing silently. Set `STANCE_SCREENSHOT_DIR` to keep a
//! copy of the screenshot for a look; by default it stays in a temp dir.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stance::io::{Position, Statement};
use stance::io::{ProblemKind, RowProblem};
use stance::model::TopTerms;
use stance::report::{render, Dimension, ReportBuilder, ReportFormat, ReportOptions};

/// Strings that would run script or break out of their context if unescaped.
const HOSTILE: [&str; 4] = [
    "<script>console.error('xss-script')</script>",
    "\"><img src=x onerror=\"console.error('xss-img')\">",
    "</svg><svg onload=\"console.error('xss-svg')\"><rect width=\"999\"/>",
    "</title></text><style>*{display:none}</style>",
];

/// Colors the charts use for favor and against (see `report::render::svg`).
const FAVOR: [u8; 3] = [0x2e, 0x7d, 0x32];
const AGAINST: [u8; 3] = [0xc6, 0x28, 0x28];

fn row(
    article: &str,
    sentence: usize,
    topic: &str,
    stance: &str,
    date: &str,
    source: &str,
) -> Statement {
    let mut s = Statement::default();
    s.article_id = article.to_string();
    s.sentence = sentence;
    s.start = sentence * 10;
    s.end = sentence * 10 + 9;
    s.text = format!("Statement {sentence} of {article}.");
    s.topic = topic.to_string();
    s.topic_prob = 0.55 + (sentence % 4) as f64 * 0.1;
    s.stance = Some(stance.to_string());
    s.stance_prob = Some(0.6 + (sentence % 3) as f64 * 0.1);
    s.date = Some(date.to_string());
    s.source = Some(source.to_string());
    s.best_topic = topic.to_string();
    s.min_confidence = Some(0.5);
    s
}

/// A report over three months and three sources, with hostile strings as
/// topic, stance, source, article id, file name, problem text and model term.
fn hostile_report_html() -> String {
    let topics = [
        "palestine",
        "coalition_withdrawal",
        "bilateral_ties",
        "other",
    ];
    let stances = ["favor", "against", "neutral", "favor", "against"];
    let sources = ["wire", "state_tv", HOSTILE[1]];
    let dates = ["2024-01-10", "2024-02-14", "2024-03-20"];
    let mut known: std::collections::BTreeSet<String> =
        topics.iter().map(|t| t.to_string()).collect();
    known.insert(HOSTILE[0].to_string());
    let mut builder = ReportBuilder::new(ReportOptions {
        breakdown: vec![Dimension::Source, Dimension::Date],
        known_topics: Some(known),
        top_terms: vec![TopTerms {
            head: "topic".to_string(),
            label: HOSTILE[3].to_string(),
            terms: vec![(HOSTILE[2].to_string(), 1.5), ("Gaza".to_string(), 1.2)],
            stems: vec![HOSTILE[2].to_string(), "gaza".to_string()],
        }],
        ..ReportOptions::default()
    })
    .expect("valid options");
    let mut n = 0;
    for (a, date) in dates.iter().enumerate() {
        for (s, source) in sources.iter().enumerate() {
            for (t, topic) in topics.iter().enumerate() {
                for k in 0..(2 + (a + s + t) % 4) {
                    n += 1;
                    let article = format!("art-{a}-{s}");
                    let stance = if *topic == "other" {
                        "neutral"
                    } else {
                        stances[(n + k) % 5]
                    };
                    builder
                        .add(&row(&article, n, topic, stance, date, source))
                        .expect("valid row");
                }
            }
        }
    }
    builder
        .add(&row(
            HOSTILE[2],
            1,
            HOSTILE[0],
            HOSTILE[3],
            "2024-03-01",
            HOSTILE[2],
        ))
        .expect("a hostile but valid row");
    let unknown = row("a", 2, HOSTILE[2], "favor", "2024-03-01", "wire");
    let at = Position {
        file: HOSTILE[1].to_string(),
        line: Some(7),
    };
    assert!(
        builder.add_at(&unknown, at).is_err(),
        "unknown topic must be rejected"
    );
    builder.add_problem(RowProblem::at(
        Position {
            file: "in.jsonl".to_string(),
            line: Some(9),
        },
        ProblemKind::BadJson(HOSTILE[0].to_string()),
    ));
    let report = builder.finish();
    let mut out = Vec::new();
    render(&report, ReportFormat::Html, &mut out).expect("render to memory");
    String::from_utf8(out).expect("HTML is UTF-8")
}

/// The chromium binary, or a failure that says how to get it.
fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "chromium is not installed, so the HTML report can't be checked in a browser: \
         run `.ci/run` (which installs it), or `apt-get update && apt-get install -y chromium`"
    );
}

/// Output of one headless chromium run.
struct Run {
    stdout: Vec<u8>,
    stderr: String,
}

/// Runs headless chromium on `page` with `extra` flags, a fresh profile, and a time limit.
fn run_chromium(page: &Path, extra: &[String], work: &Path) -> Run {
    let profile = tempfile::tempdir_in(work).expect("profile dir");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let mut stdout_pipe = child.stdout.take().expect("stdout pipe");
    let mut stderr_pipe = child.stderr.take().expect("stderr pipe");
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout_pipe.read_to_end(&mut buf);
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = String::new();
        let _ = stderr_pipe.read_to_string(&mut buf);
        buf
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let run = Run {
        stdout: out_thread.join().expect("stdout reader"),
        stderr: err_thread.join().expect("stderr reader"),
    };
    assert!(
        status.success(),
        "chromium failed ({status}):\n{}",
        run.stderr
    );
    run
}

/// Console messages (logs, errors, CSP violations, uncaught exceptions) from chromium's log.
///
/// Note: the report has no script at all, so any console line means
/// something ran or was blocked, both failures.
fn console_messages(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

fn write_page(dir: &Path, name: &str, html: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, html).expect("write page");
    path
}

#[test]
fn console_check_can_fail() {
    let work = tempfile::tempdir().expect("temp dir");
    let page = write_page(
        work.path(),
        "broken.html",
        "<!DOCTYPE html><html><body><script>console.error('deliberate')</script></body></html>",
    );
    let run = run_chromium(&page, &["--dump-dom".to_string()], work.path());
    let messages = console_messages(&run.stderr);
    assert!(
        messages.iter().any(|m| m.contains("deliberate")),
        "the console check missed a deliberate error; log:\n{}",
        run.stderr
    );
}

#[test]
fn hostile_report_loads_cleanly_with_charts() {
    let html = hostile_report_html();
    let work = tempfile::tempdir().expect("temp dir");
    let page = write_page(work.path(), "report.html", &html);

    // The DOM as the browser built it: the hostile strings are text, not elements.
    let run = run_chromium(&page, &["--dump-dom".to_string()], work.path());
    let messages = console_messages(&run.stderr);
    assert!(
        messages.is_empty(),
        "console messages:\n{}",
        messages.join("\n")
    );
    let dom = String::from_utf8_lossy(&run.stdout);
    assert!(dom.contains("</html>"), "no DOM dumped:\n{}", run.stderr);
    assert!(!dom.contains("<script"), "a script element was created");
    assert!(!dom.contains("<img"), "an img element was created");
    assert!(
        !dom.contains("<style>*"),
        "a hostile style element was created"
    );
    assert_eq!(dom.matches("<svg ").count(), 5, "five charts expected");
    assert_eq!(dom.matches("</svg>").count(), 5, "an svg was closed early");
    let segments = dom.matches("<rect class=\"seg\"").count();
    assert!(segments >= 30, "only {segments} chart segments in the DOM");
    assert!(
        dom.contains("&lt;script&gt;console.error("),
        "hostile text not shown as text"
    );

    // The pixels: the stance colors are really painted.
    let shot = work.path().join("report.png");
    run_chromium(
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1100,1500".to_string(),
        ],
        work.path(),
    );
    if let Some(dir) = std::env::var_os("STANCE_SCREENSHOT_DIR") {
        let _ = std::fs::copy(&shot, Path::new(&dir).join("report_html.png"));
    }
    let image = png::decode(&std::fs::read(&shot).expect("screenshot written")).expect("a PNG");
    assert_eq!((image.width, image.height), (1100, 1500));
    let near = |p: &[u8; 4], c: [u8; 3]| p.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= 6);
    let favor = image.pixels.iter().filter(|p| near(p, FAVOR)).count();
    let against = image.pixels.iter().filter(|p| near(p, AGAINST)).count();
    let non_white = image
        .pixels
        .iter()
        .filter(|p| p[..3].iter().any(|c| *c < 240))
        .count();
    assert!(favor > 1000, "favor bars not drawn ({favor} px)");
    assert!(against > 1000, "against bars not drawn ({against} px)");
    assert!(
        non_white * 20 > image.pixels.len(),
        "screenshot is nearly blank ({non_white} of {} px)",
        image.pixels.len()
    );
}

/// Just enough PNG decoding (8-bit gray/RGB/RGBA, non-interlaced) to count pixel colors.
mod png {
    /// Decoded pixels as RGBA, row by row.
    pub struct Image {
        pub width: usize,
        pub height: usize,
        pub pixels: Vec<[u8; 4]>,
    }

    fn be32(b: &[u8]) -> Result<usize, String> {
        let arr: [u8; 4] = b
            .get(..4)
            .and_then(|s| s.try_into().ok())
            .ok_or("truncated PNG")?;
        Ok(u32::from_be_bytes(arr) as usize)
    }

    pub fn decode(bytes: &[u8]) -> Result<Image, String> {
        if bytes.get(..8) != Some(b"\x89PNG\r\n\x1a\n".as_slice()) {
            return Err("not a PNG".into());
        }
        let (mut pos, mut header, mut idat) = (8, None, Vec::new());
        while pos + 8 <= bytes.len() {
            let len = be32(&bytes[pos..])?;
            let kind = &bytes[pos + 4..pos + 8];
            let data = bytes.get(pos + 8..pos + 8 + len).ok_or("truncated chunk")?;
            match kind {
                b"IHDR" => {
                    header = Some((be32(data)?, be32(&data[4..])?, data[8], data[9], data[12]))
                }
                b"IDAT" => idat.extend_from_slice(data),
                b"IEND" => break,
                _ => {}
            }
            pos += 12 + len;
        }
        let (width, height, depth, color, interlace) = header.ok_or("no IHDR")?;
        let channels = match color {
            0 => 1,
            2 => 3,
            4 => 2,
            6 => 4,
            _ => return Err(format!("unsupported color type {color}")),
        };
        if depth != 8 || interlace != 0 {
            return Err(format!("unsupported depth {depth} / interlace {interlace}"));
        }
        let raw = inflate(idat.get(2..).ok_or("empty zlib stream")?)?;
        let stride = width * channels;
        if raw.len() < height * (stride + 1) {
            return Err("too little image data".into());
        }
        let mut prev = vec![0u8; stride];
        let mut pixels = Vec::with_capacity(width * height);
        for y in 0..height {
            let line = &raw[y * (stride + 1)..(y + 1) * (stride + 1)];
            let mut cur = line[1..].to_vec();
            for i in 0..stride {
                let a = if i >= channels { cur[i - channels] } else { 0 };
                let b = prev[i];
                let c = if i >= channels { prev[i - channels] } else { 0 };
                let add = match line[0] {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => ((a as u16 + b as u16) / 2) as u8,
                    4 => {
                        let p = a as i16 + b as i16 - c as i16;
                        let (pa, pb, pc) = (
                            (p - a as i16).abs(),
                            (p - b as i16).abs(),
                            (p - c as i16).abs(),
                        );
                        if pa <= pb && pa <= pc {
                            a
                        } else if pb <= pc {
                            b
                        } else {
                            c
                        }
                    }
                    f => return Err(format!("bad filter {f}")),
                };
                cur[i] = cur[i].wrapping_add(add);
            }
            for px in cur.chunks(channels) {
                pixels.push(match channels {
                    1 => [px[0], px[0], px[0], 255],
                    2 => [px[0], px[0], px[0], px[1]],
                    3 => [px[0], px[1], px[2], 255],
                    _ => [px[0], px[1], px[2], px[3]],
                });
            }
            prev = cur;
        }
        Ok(Image {
            width,
            height,
            pixels,
        })
    }

    struct Bits<'a> {
        data: &'a [u8],
        bit: usize,
    }

    impl Bits<'_> {
        fn get(&mut self, n: u32) -> Result<usize, String> {
            let mut v = 0;
            for i in 0..n {
                let byte = *self
                    .data
                    .get(self.bit / 8)
                    .ok_or("deflate stream ended early")?;
                v |= (((byte >> (self.bit % 8)) & 1) as usize) << i;
                self.bit += 1;
            }
            Ok(v)
        }
    }

    /// Canonical Huffman code: counts per length and symbols in code order.
    struct Huffman {
        counts: [usize; 16],
        symbols: Vec<usize>,
    }

    impl Huffman {
        fn new(lengths: &[usize]) -> Huffman {
            let mut counts = [0; 16];
            for &l in lengths {
                counts[l] += 1;
            }
            counts[0] = 0;
            let mut offsets = [0; 16];
            for l in 1..16 {
                offsets[l] = offsets[l - 1] + counts[l - 1];
            }
            let mut symbols = vec![0; lengths.len()];
            for (s, &l) in lengths.iter().enumerate() {
                if l != 0 {
                    symbols[offsets[l]] = s;
                    offsets[l] += 1;
                }
            }
            Huffman { counts, symbols }
        }

        fn decode(&self, bits: &mut Bits<'_>) -> Result<usize, String> {
            let (mut code, mut first, mut index) = (0usize, 0usize, 0usize);
            for len in 1..16 {
                code |= bits.get(1)?;
                let count = self.counts[len];
                if code < first + count {
                    return self
                        .symbols
                        .get(index + code - first)
                        .copied()
                        .ok_or("bad code".into());
                }
                index += count;
                first = (first + count) << 1;
                code <<= 1;
            }
            Err("bad Huffman code".into())
        }
    }

    const LEN_BASE: [usize; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ];
    const LEN_EXTRA: [u32; 29] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];
    const DIST_BASE: [usize; 30] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
        2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ];
    const DIST_EXTRA: [u32; 30] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
        13, 13,
    ];

    /// Raw DEFLATE (RFC 1951), after the zlib header.
    fn inflate(data: &[u8]) -> Result<Vec<u8>, String> {
        let mut bits = Bits { data, bit: 0 };
        let mut out = Vec::new();
        loop {
            let last = bits.get(1)?;
            match bits.get(2)? {
                0 => {
                    bits.bit = bits.bit.div_ceil(8) * 8;
                    let len = bits.get(16)?;
                    bits.get(16)?;
                    let start = bits.bit / 8;
                    out.extend_from_slice(
                        data.get(start..start + len)
                            .ok_or("stored block too long")?,
                    );
                    bits.bit += len * 8;
                }
                1 => {
                    let mut lengths = [0usize; 288];
                    for (i, l) in lengths.iter_mut().enumerate() {
                        *l = match i {
                            0..=143 => 8,
                            144..=255 => 9,
                            256..=279 => 7,
                            _ => 8,
                        };
                    }
                    block(
                        &mut bits,
                        &mut out,
                        &Huffman::new(&lengths),
                        &Huffman::new(&[5; 30]),
                    )?;
                }
                2 => {
                    let (hlit, hdist, hclen) =
                        (bits.get(5)? + 257, bits.get(5)? + 1, bits.get(4)? + 4);
                    const ORDER: [usize; 19] = [
                        16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
                    ];
                    let mut cl = [0usize; 19];
                    for &o in &ORDER[..hclen] {
                        cl[o] = bits.get(3)?;
                    }
                    let clh = Huffman::new(&cl);
                    let mut lengths = Vec::with_capacity(hlit + hdist);
                    while lengths.len() < hlit + hdist {
                        let sym = clh.decode(&mut bits)?;
                        let (value, repeat) = match sym {
                            0..=15 => (sym, 1),
                            16 => (
                                *lengths.last().ok_or("repeat with no length")?,
                                3 + bits.get(2)?,
                            ),
                            17 => (0, 3 + bits.get(3)?),
                            _ => (0, 11 + bits.get(7)?),
                        };
                        lengths.extend(std::iter::repeat_n(value, repeat));
                    }
                    let lit = Huffman::new(&lengths[..hlit]);
                    let dist = Huffman::new(&lengths[hlit..hlit + hdist]);
                    block(&mut bits, &mut out, &lit, &dist)?;
                }
                _ => return Err("bad block type".into()),
            }
            if last == 1 {
                return Ok(out);
            }
        }
    }

    fn block(
        bits: &mut Bits<'_>,
        out: &mut Vec<u8>,
        lit: &Huffman,
        dist: &Huffman,
    ) -> Result<(), String> {
        loop {
            let sym = lit.decode(bits)?;
            match sym {
                0..=255 => out.push(sym as u8),
                256 => return Ok(()),
                _ => {
                    let i = sym - 257;
                    let len = LEN_BASE.get(i).ok_or("bad length code")? + bits.get(LEN_EXTRA[i])?;
                    let d = dist.decode(bits)?;
                    let back =
                        DIST_BASE.get(d).ok_or("bad distance code")? + bits.get(DIST_EXTRA[d])?;
                    let start = out.len().checked_sub(back).ok_or("distance too far back")?;
                    for k in 0..len {
                        out.push(out[start + k]);
                    }
                }
            }
        }
    }
}

/// At 800 and 1280 px: the page does not scroll sideways, no table or other
/// element scrolls inside, and the stance-over-time marks are in the DOM.
///
/// Note: the report forbids scripts, so the measurement runs in a copy of it
/// with the CSP removed and one measuring script appended, which writes the
/// widths into the DOM that `--dump-dom` prints.
#[test]
fn report_fits_at_800_and_1280_px() {
    let html = hostile_report_html();
    assert!(
        html.contains("<circle class=\"netpt\""),
        "no stance-over-time dots"
    );
    assert!(html.contains("<h2>Most confident statements</h2>"));
    let start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .expect("a CSP");
    let end = start + html[start..].find('>').expect("meta closes") + 1;
    let probe = format!(
        "{}{}",
        &html[..start],
        html[end..].replace(
            "</body>",
            "<script>var d=document.documentElement,bad=[];\
             document.querySelectorAll('*').forEach(function(e){\
             if(e.clientWidth>0&&e.scrollWidth>e.clientWidth+1&&getComputedStyle(e).overflowX!='visible')\
             bad.push(e.tagName+'.'+e.className+' '+e.scrollWidth+'>'+e.clientWidth)});\
             document.body.insertAdjacentHTML('beforeend','<pre>MEASURE '+d.scrollWidth+' '+d.clientWidth+' ['+bad.join(';')+']</pre>')</script></body>"
        )
    );
    let work = tempfile::tempdir().expect("temp dir");
    let page = write_page(work.path(), "probe.html", &probe);
    for width in [800, 1280] {
        let run = run_chromium(
            &page,
            &[
                "--dump-dom".to_string(),
                format!("--window-size={width},1000"),
            ],
            work.path(),
        );
        let dom = String::from_utf8_lossy(&run.stdout);
        let line = dom
            .lines()
            .flat_map(|l| l.split("<pre>MEASURE ").skip(1))
            .find(|m| m.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or_else(|| panic!("no measurement at {width} px:\n{}", run.stderr));
        let fields: Vec<&str> = line.split(' ').collect();
        let (scroll, client): (u32, u32) = (fields[0].parse().unwrap(), fields[1].parse().unwrap());
        assert!(
            scroll <= client,
            "page scrolls sideways at {width} px: {line}"
        );
        // Note: the hostile strings are unbreakable runs of 40-70
        // characters, in the examples' article and source cells too; those
        // cells wrap anywhere, so no table needs to scroll.
        assert!(
            line.contains("[]</pre>"),
            "an element scrolls at {width} px: {line}"
        );
        assert!(
            dom.matches("<circle class=\"netpt\"").count() >= 10,
            "{width} px"
        );
    }
}
