//! `stance evaluate --format html`: one self-contained page per evaluation.
//!
//! Per head (topic, stance end to end, stance given the gold topic): the
//! confusion matrix as a heat map (each cell shaded by its share of the gold
//! row, i.e. recall), per-class precision/recall/F1 bars, and a reliability
//! diagram (mean confidence vs accuracy per bin) with the expected
//! calibration error. Built from the report renderer's page head, tables and
//! SVG helpers, so the same CSP, escaping and style apply.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::grid::Grid;
use super::html::{page_head, section, write_grid};
use super::svg::{open_svg, pct, short, WIDTH};
use crate::eval::{Evaluation, Metrics};
use crate::report::escape::escape_html;

/// What an evaluation page shows.
#[derive(Debug, Clone, Copy)]
pub struct EvaluationPage<'a> {
    /// The metrics.
    pub ev: &'a Evaluation,
    /// The labelled data evaluated on, as named.
    pub data: &'a str,
    /// The model file, as named.
    pub model: &'a str,
}

/// Fill of precision, recall and F1 bars.
const SCORE_COLORS: [(&str, &str); 3] = [
    ("precision", "#4e79a7"),
    ("recall", "#f28e2b"),
    ("F1", "#59a14f"),
];

/// A heat-map cell's fill for a share in [0, 1]: white to dark blue.
fn heat(share: f64) -> String {
    let s = share.clamp(0.0, 1.0);
    let mix = |from: f64, to: f64| (from + (to - from) * s).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(247.0, 8.0),
        mix(251.0, 69.0),
        mix(255.0, 148.0)
    )
}

/// Labels numbered `1..` for the column axis of a heat map: long names would
/// not fit above columns, so columns carry numbers and the rows name them.
fn numbered(labels: &[String]) -> Vec<String> {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{} {}", i + 1, short(l)))
        .collect()
}

/// The confusion matrix as a heat map: rows gold, columns predicted.
pub fn confusion_heat_map(m: &Metrics, title: &str) -> String {
    const LEFT: f64 = 220.0;
    const TOP: f64 = 46.0;
    let labels = &m.confusion.labels;
    let k = labels.len().max(1);
    let cell = ((WIDTH - LEFT - 20.0) / k as f64).clamp(18.0, 64.0);
    let height = TOP + cell * k as f64 + 30.0;
    let mut out = String::new();
    open_svg(&mut out, height, title);
    let _ = write!(
        out,
        "<text class=\"axis\" x=\"{LEFT}\" y=\"14\">predicted (columns, numbered as the rows) →</text>\
         <text class=\"axis\" x=\"10\" y=\"{:.1}\">gold ↓</text>",
        TOP - 8.0
    );
    for (j, _) in labels.iter().enumerate() {
        let _ = write!(
            out,
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            LEFT + cell * (j as f64 + 0.5),
            TOP - 8.0,
            j + 1
        );
    }
    for (i, (name, row)) in numbered(labels).iter().zip(&m.confusion.matrix).enumerate() {
        let y = TOP + cell * i as f64;
        let gold = escape_html(&labels[i]);
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\"><title>{gold}</title>{}</text>",
            LEFT - 8.0,
            y + cell / 2.0 + 4.0,
            escape_html(name)
        );
        let total: usize = row.iter().sum();
        for (j, &n) in row.iter().enumerate() {
            let share = if total == 0 {
                0.0
            } else {
                n as f64 / total as f64
            };
            let x = LEFT + cell * j as f64;
            let _ = write!(
                out,
                "<rect class=\"cell\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" stroke=\"#fff\">\
                 <title>gold {gold}, predicted {}: {n} of {total} ({})</title></rect>",
                cell,
                cell,
                heat(share),
                escape_html(&labels[j]),
                pct(share)
            );
            if cell >= 24.0 {
                let ink = if share > 0.5 { "#fff" } else { "#222" };
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" style=\"fill:{ink}\">{n}</text>",
                    x + cell / 2.0,
                    y + cell / 2.0 + 4.0
                );
            }
        }
    }
    let _ = write!(
        out,
        "<text class=\"note\" x=\"{LEFT}\" y=\"{:.1}\">shade: share of the gold row (recall); numbers: rows</text>",
        TOP + cell * k as f64 + 20.0
    );
    out.push_str("</svg>");
    out
}

/// Horizontal precision, recall and F1 bars, one group per class.
pub fn class_score_bars(m: &Metrics, title: &str) -> String {
    const LEFT: f64 = 220.0;
    const PLOT: f64 = 560.0;
    const BAR: f64 = 8.0;
    const TOP: f64 = 34.0;
    let group = BAR * 3.0 + 10.0;
    let height = TOP + group * m.per_class.len() as f64 + 24.0;
    let mut out = String::new();
    open_svg(&mut out, height, title);
    let mut x = LEFT;
    for (name, color) in SCORE_COLORS {
        let _ = write!(
            out,
            "<g class=\"legend\"><rect x=\"{x:.1}\" y=\"8\" width=\"12\" height=\"12\" fill=\"{color}\"/>\
             <text x=\"{:.1}\" y=\"18.5\">{name}</text></g>",
            x + 17.0
        );
        x += 100.0;
    }
    for i in 0..=4 {
        let gx = LEFT + PLOT * f64::from(i) / 4.0;
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{gx:.1}\" x2=\"{gx:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>\
             <text class=\"axis\" x=\"{gx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{:.2}</text>",
            TOP - 4.0,
            height - 20.0,
            height - 6.0,
            f64::from(i) / 4.0
        );
    }
    for (g, (label, c)) in m.per_class.iter().enumerate() {
        let y = TOP + group * g as f64;
        let name = escape_html(label);
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\"><title>{name}</title>{}</text>",
            LEFT - 8.0,
            y + BAR * 1.5 + 4.0,
            escape_html(&short(label))
        );
        for (b, (value, (what, color))) in [c.precision, c.recall, c.f1]
            .iter()
            .zip(SCORE_COLORS)
            .enumerate()
        {
            let w = value.clamp(0.0, 1.0) * PLOT;
            let _ = write!(
                out,
                "<rect class=\"bar\" x=\"{LEFT}\" y=\"{:.1}\" width=\"{w:.2}\" height=\"{BAR}\" fill=\"{color}\">\
                 <title>{name}: {what} {value:.3} (support {})</title></rect>",
                y + BAR * b as f64,
                c.support
            );
        }
        let _ = write!(
            out,
            "<text class=\"note\" x=\"{:.1}\" y=\"{:.1}\">F1 {:.3} · n={}</text>",
            LEFT + PLOT + 8.0,
            y + BAR * 1.5 + 4.0,
            c.f1,
            c.support
        );
    }
    out.push_str("</svg>");
    out
}

/// The reliability diagram: per confidence bin, accuracy against mean
/// confidence, with the diagonal of perfect calibration; `None` without bins.
pub fn reliability_diagram(m: &Metrics, title: &str) -> Option<String> {
    let bins = m.reliability.as_ref()?;
    const LEFT: f64 = 60.0;
    const TOP: f64 = 30.0;
    const PLOT: f64 = 320.0;
    let height = TOP + PLOT + 44.0;
    let mut out = String::new();
    open_svg(&mut out, height, title);
    let _ = write!(
        out,
        "<text x=\"{LEFT}\" y=\"18\">ECE {:.4}</text>",
        m.ece.unwrap_or(0.0)
    );
    let sx = |c: f64| LEFT + c * PLOT;
    let sy = |a: f64| TOP + (1.0 - a) * PLOT;
    for i in 0..=5 {
        let v = f64::from(i) / 5.0;
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v:.1}</text>\
             <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{v:.1}</text>",
            sx(1.0),
            LEFT - 6.0,
            sy(v) + 4.0,
            sx(v),
            TOP + PLOT + 16.0,
            y = sy(v)
        );
    }
    let _ = write!(
        out,
        "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">confidence (predicted label's probability)</text>\
         <text class=\"axis\" x=\"14\" y=\"{:.1}\" transform=\"rotate(-90 14 {:.1})\" text-anchor=\"middle\">accuracy</text>",
        sx(0.5),
        TOP + PLOT + 36.0,
        sy(0.5),
        sy(0.5)
    );
    let n: usize = bins.iter().map(|b| b.count).sum();
    for b in bins {
        let (Some(acc), Some(conf)) = (b.accuracy, b.mean_confidence) else {
            continue;
        };
        let (x, w) = (sx(b.lower) + 1.0, (b.upper - b.lower) * PLOT - 2.0);
        let _ = write!(
            out,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"#4e79a7\" fill-opacity=\"0.75\">\
             <title>confidence {:.1}–{:.1}: {} rows ({}), accuracy {acc:.3}, mean confidence {conf:.3}</title></rect>\
             <circle class=\"mark\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#e15759\"/>",
            sy(acc),
            acc * PLOT,
            b.lower,
            b.upper,
            b.count,
            pct(if n == 0 { 0.0 } else { b.count as f64 / n as f64 }),
            sx(conf),
            sy(conf)
        );
    }
    // Note: the diagonal goes over the bars, so a bin below it shows where it falls short.
    let _ = write!(
        out,
        "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>",
        sx(0.0),
        sy(0.0),
        sx(1.0),
        sy(1.0)
    );
    let _ = write!(
        out,
        "<g class=\"legend\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"#4e79a7\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\">accuracy of the bin</text>\
         <circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#e15759\"/><text x=\"{:.1}\" y=\"{:.1}\">its mean confidence</text></g>",
        sx(1.0) + 20.0,
        TOP,
        sx(1.0) + 37.0,
        TOP + 10.5,
        sx(1.0) + 26.0,
        TOP + 26.0,
        sx(1.0) + 37.0,
        TOP + 30.5
    );
    out.push_str("</svg>");
    Some(out)
}

/// Per-class scores as a table.
fn class_table(m: &Metrics) -> Grid {
    let rows = m
        .per_class
        .iter()
        .map(|(l, c)| {
            vec![
                l.clone(),
                format!("{:.4}", c.precision),
                format!("{:.4}", c.recall),
                format!("{:.4}", c.f1),
                c.support.to_string(),
            ]
        })
        .collect();
    Grid {
        header: ["label", "precision", "recall", "F1", "support"]
            .map(String::from)
            .to_vec(),
        rows,
        numeric: vec![false, true, true, true, true],
    }
}

/// One line of a head's headline numbers.
fn headline(m: &Metrics) -> String {
    let mut s = format!("accuracy {:.4} · macro-F1 {:.4}", m.accuracy, m.macro_f1);
    if let Some(f) = m.f_avg {
        s.push_str(&format!(" · F_avg {f:.4}"));
    }
    if let Some(e) = m.ece {
        s.push_str(&format!(" · ECE {e:.4}"));
    }
    s
}

fn head_section(w: &mut dyn Write, title: &str, m: &Metrics) -> io::Result<()> {
    section(w, title)?;
    writeln!(w, "<p class=\"summary\">{}</p>", escape_html(&headline(m)))?;
    writeln!(
        w,
        "{}",
        confusion_heat_map(m, &format!("{title}: confusion"))
    )?;
    writeln!(w, "{}", class_score_bars(m, &format!("{title}: per class")))?;
    write_grid(w, &class_table(m), None)?;
    if let Some(svg) = reliability_diagram(m, &format!("{title}: reliability")) {
        writeln!(w, "{svg}")?;
    }
    Ok(())
}

/// Writes the evaluation as one self-contained HTML page.
pub fn evaluation_html(page: &EvaluationPage<'_>, w: &mut dyn Write) -> io::Result<()> {
    let ev = page.ev;
    page_head(w, "Stance evaluation")?;
    let mut summary = format!("{} rows of {} scored by {}", ev.n, page.data, page.model);
    if let Some(j) = ev.joint_accuracy {
        summary.push_str(&format!("; joint accuracy (topic and stance right) {j:.4}"));
    }
    writeln!(w, "<p class=\"summary\">{}</p>", escape_html(&summary))?;
    head_section(w, "Topic", &ev.topic)?;
    if let Some(m) = &ev.stance {
        head_section(w, "Stance (end to end)", m)?;
    }
    if let Some(m) = &ev.stance_given_topic {
        head_section(w, "Stance given the gold topic", m)?;
    }
    writeln!(
        w,
        "<p class=\"note\">ECE: rows put in 10 equal-width bins of confidence (the predicted \
         label's probability); the mean over bins, weighted by rows, of |accuracy − mean confidence|.</p>"
    )?;
    writeln!(w, "</body></html>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Calibration;
    use crate::report::escape::tests::HOSTILE;

    fn metrics(gold: &[&str], pred: &[&str], conf: &[f64]) -> Metrics {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let (g, p) = (s(gold), s(pred));
        let c = Calibration::compute(
            conf.iter()
                .zip(g.iter().zip(&p))
                .map(|(c, (a, b))| (*c, a == b)),
        );
        Metrics::compute(&g, &p).with_calibration(c)
    }

    fn page(ev: &Evaluation) -> String {
        let mut out = Vec::new();
        let p = EvaluationPage {
            ev,
            data: "test.csv",
            model: "m.model",
        };
        evaluation_html(&p, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn heat_map_has_a_cell_per_pair_and_bars_per_class() {
        let m = metrics(
            &["a", "b", "b", "c"],
            &["a", "b", "c", "c"],
            &[0.9, 0.8, 0.6, 0.95],
        );
        let svg = confusion_heat_map(&m, "t");
        assert_eq!(svg.matches("<rect class=\"cell\"").count(), 9);
        assert!(svg.contains("gold b, predicted c: 1 of 2 (50.0%)"), "{svg}");
        let bars = class_score_bars(&m, "t");
        assert_eq!(bars.matches("<rect class=\"bar\"").count(), 9);
        let rel = reliability_diagram(&m, "t").unwrap();
        // Three non-empty bins: (0.5, 0.6], (0.7, 0.8], (0.8, 0.9] and (0.9, 1].
        assert_eq!(rel.matches("<circle class=\"mark\"").count(), 4);
        assert!(rel.contains(&format!("ECE {:.4}", m.ece.unwrap())));
        assert_eq!(heat(0.0), "#f7fbff");
        assert_eq!(heat(1.0), "#084594");
    }

    #[test]
    fn page_is_self_contained_and_escapes_labels() {
        let labels: Vec<&str> = HOSTILE.to_vec();
        let m = metrics(&labels, &labels, &[0.9; 6]);
        let ev = Evaluation {
            n: 6,
            topic: m.clone(),
            stance: Some(m.clone()),
            stance_given_topic: Some(m),
            joint_accuracy: Some(1.0),
        };
        let html = page(&ev);
        assert!(!html.contains("<script") && !html.contains("<img"));
        assert_eq!(html.matches("<svg ").count(), 9);
        for external in ["https://", "src=\"", "<link", "@import", "url("] {
            assert!(!html.contains(external), "{external}");
        }
        assert!(html.contains("<h2>Stance given the gold topic</h2>"));
    }

    #[test]
    fn long_labels_are_numbered_and_shortened() {
        let long = "Climate Change is a Real Concern".to_string();
        let n = numbered(&[long.clone(), "Atheism".into()]);
        assert_eq!(n[1], "2 Atheism");
        assert!(n[0].starts_with("1 Climate") && n[0].chars().count() <= 26);
    }
}
