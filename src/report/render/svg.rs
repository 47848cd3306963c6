//! Inline SVG charts drawn in Rust: no scripts, no external resources.
//!
//! Every data string goes through [`escape_html`] before it is written.

use std::fmt::Write as _;

use crate::io::UNCERTAIN;
use crate::report::document::{PeriodCounts, Report};
use crate::report::escape::escape_html;

/// Total width of every chart, in SVG user units (pixels).
pub(super) const WIDTH: f64 = 900.0;
/// Most sources drawn in the per-source chart; the rest are summarized in text.
pub const MAX_SOURCES: usize = 15;
/// Label characters kept before truncation with `…`.
const LABEL_CHARS: usize = 24;

// Note: topics and stances get disjoint palettes: no topic is green, red or
// grey (favor, against, neutral), and the extra stance colors are dark shades
// no topic uses, so a color never means both a topic and a stance.
const TOPIC_COLORS: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#86bcb6",
    "#6b6ecf", "#d4a6c8",
];
const EXTRA_STANCE_COLORS: [&str; 4] = ["#263238", "#827717", "#880e4f", "#004d40"];

/// The fill of a topic, by its rank in `Report::topics`; `uncertain` is grey.
pub fn topic_color(topic: &str, rank: usize) -> &'static str {
    if topic == UNCERTAIN {
        "#c7c7c7"
    } else {
        TOPIC_COLORS[rank % TOPIC_COLORS.len()]
    }
}

/// The fill of a stance label; `extra_rank` numbers labels beyond the usual three.
pub fn stance_color(label: &str, extra_rank: usize) -> &'static str {
    match label {
        "favor" => "#2e7d32",
        "against" => "#c62828",
        "neutral" => "#9e9e9e",
        "(none)" => "#e0e0e0",
        _ => EXTRA_STANCE_COLORS[extra_rank % EXTRA_STANCE_COLORS.len()],
    }
}

/// The fill of each label: by its role (the favor label is green whatever it is called).
pub(super) fn stance_colors(
    labels: &[String],
    roles: &crate::model::StanceRoles,
) -> Vec<&'static str> {
    let mut extra = 0;
    labels
        .iter()
        .map(|l| {
            let is = |role: &Option<String>| role.as_deref() == Some(l.as_str());
            let role = if is(&roles.favor) {
                "favor"
            } else if is(&roles.against) {
                "against"
            } else if is(&roles.neutral) {
                "neutral"
            } else if l == "(none)" {
                "(none)"
            } else {
                extra += 1;
                return stance_color("", extra - 1);
            };
            stance_color(role, extra)
        })
        .collect()
}

fn topic_colors(report: &Report) -> Vec<&'static str> {
    report
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| topic_color(&t.topic, i))
        .collect()
}

/// Shortens a label to `LABEL_CHARS` characters (before escaping).
pub(super) fn short(s: &str) -> String {
    if s.chars().count() > LABEL_CHARS {
        let mut t: String = s.chars().take(LABEL_CHARS - 1).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

pub(super) fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

pub(super) fn open_svg(out: &mut String, height: f64, title: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{WIDTH}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {WIDTH} {height:.0}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        t = escape_html(title)
    );
}

/// Lays out legend entries left to right, wrapping; returns the SVG and its height.
pub(super) fn legend(items: &[(String, &str)], y0: f64) -> (String, f64) {
    let mut out = String::new();
    let (mut x, mut y) = (10.0, y0);
    for (label, color) in items {
        let label = short(label);
        let w = 22.0 + 7.0 * label.chars().count() as f64 + 14.0;
        if x + w > WIDTH - 10.0 && x > 10.0 {
            x = 10.0;
            y += 20.0;
        }
        let _ = write!(
            out,
            "<g class=\"legend\"><rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{color}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            y,
            x + 17.0,
            y + 10.5,
            escape_html(&label)
        );
        x += w;
    }
    (out, y - y0 + 20.0)
}

/// One horizontal 100% bar made of (label, count, color) segments.
struct Bar<'a> {
    name: &'a str,
    total: u64,
    note: String,
    segments: Vec<(&'a str, u64, &'static str)>,
}

/// Horizontal 100%-stacked bars, one per row, with a legend on top.
fn stacked_rows(title: &str, legend_items: &[(String, &str)], bars: &[Bar<'_>]) -> String {
    const LEFT: f64 = 190.0;
    const PLOT: f64 = 540.0;
    const ROW: f64 = 28.0;
    let (legend_svg, legend_h) = legend(legend_items, 8.0);
    let top = 8.0 + legend_h + 8.0;
    let height = top + ROW * bars.len() as f64 + 8.0;
    let mut out = String::new();
    open_svg(&mut out, height, title);
    out.push_str(&legend_svg);
    for (i, bar) in bars.iter().enumerate() {
        let y = top + ROW * i as f64;
        let name = escape_html(bar.name);
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\"><title>{name}</title>{}</text>",
            LEFT - 8.0,
            y + 14.0,
            escape_html(&short(bar.name))
        );
        let mut x = LEFT;
        for (label, count, color) in &bar.segments {
            if *count == 0 || bar.total == 0 {
                continue;
            }
            let share = *count as f64 / bar.total as f64;
            let w = share * PLOT;
            let _ = write!(
                out,
                "<rect class=\"seg\" x=\"{x:.2}\" y=\"{y:.1}\" width=\"{w:.2}\" height=\"20\" fill=\"{color}\">\
                 <title>{name}: {} {count} of {} ({})</title></rect>",
                escape_html(label),
                bar.total,
                pct(share)
            );
            x += w;
        }
        let _ = write!(
            out,
            "<text class=\"note\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            LEFT + PLOT + 8.0,
            y + 14.0,
            escape_html(&bar.note)
        );
    }
    out.push_str("</svg>");
    out
}

/// Stacked bars of the stance mix of each topic.
pub fn stance_by_topic(report: &Report) -> Option<String> {
    if report.topics.is_empty() || report.topic_only() {
        return None;
    }
    let colors = stance_colors(&report.stance_labels, &report.stance_roles);
    let legend_items: Vec<(String, &str)> = report
        .stance_labels
        .iter()
        .cloned()
        .zip(colors.iter().copied())
        .collect();
    let bars: Vec<Bar<'_>> = report
        .topics
        .iter()
        .map(|t| Bar {
            name: &t.topic,
            total: t.statements,
            note: match t.net_stance {
                Some(net) => format!("n={} · net {}", t.statements, super::grid::signed(net)),
                None => format!("n={}", t.statements),
            },
            segments: t
                .stances
                .iter()
                .zip(&colors)
                .map(|(s, c)| (s.label.as_str(), s.count, *c))
                .collect(),
        })
        .collect();
    Some(stacked_rows("Stance by topic", &legend_items, &bars))
}

/// Stacked bars of the topic mix of each source (the largest [`MAX_SOURCES`]).
///
/// `None` when no statement has a source.
pub fn topic_mix_by_source(report: &Report) -> Option<String> {
    if report.sources.iter().all(|s| s.source == "(none)") {
        return None;
    }
    let colors = topic_colors(report);
    let legend_items: Vec<(String, &str)> = report
        .topics
        .iter()
        .map(|t| t.topic.clone())
        .zip(colors.iter().copied())
        .collect();
    let bars: Vec<Bar<'_>> = report
        .sources
        .iter()
        .take(MAX_SOURCES)
        .map(|s| Bar {
            name: &s.source,
            total: s.statements,
            note: format!("n={}", s.statements),
            segments: s
                .topics
                .iter()
                .zip(&colors)
                .map(|(t, c)| (t.topic.as_str(), t.statements, *c))
                .collect(),
        })
        .collect();
    Some(stacked_rows("Topic mix by source", &legend_items, &bars))
}

/// 100%-stacked columns of the topic mix per month; `None` without dated statements.
pub fn topic_share_over_time(report: &Report) -> Option<String> {
    month_columns(report, false)
}

/// Statements per month, stacked by topic in counts (the volume the share
/// chart hides); `None` without dated statements.
pub fn statements_per_month(report: &Report) -> Option<String> {
    month_columns(report, true)
}

/// Stacked columns per month: counts when `absolute`, else shares of the month.
fn month_columns(report: &Report, absolute: bool) -> Option<String> {
    if report.timeline.is_empty() {
        return None;
    }
    const LEFT: f64 = 50.0;
    const RIGHT: f64 = 20.0;
    const PLOT_H: f64 = 240.0;
    let colors = topic_colors(report);
    let legend_items: Vec<(String, &str)> = report
        .topics
        .iter()
        .map(|t| t.topic.clone())
        .zip(colors.iter().copied())
        .collect();
    let (legend_svg, legend_h) = legend(&legend_items, 8.0);
    let top = 8.0 + legend_h + 10.0;
    let bottom = top + PLOT_H;
    let height = bottom + 34.0;
    let slots = month_slots(report);
    let n = slots.len();
    let slot = (WIDTH - LEFT - RIGHT) / n as f64;
    let bar_w = (slot * 0.75).min(48.0);
    let label_every = n.div_ceil(16).max(1);

    let peak = report
        .timeline
        .iter()
        .map(|m| m.statements)
        .max()
        .unwrap_or(0)
        .max(1);
    // Note: the count axis rises to a round step so its gridlines read as whole numbers.
    let step = (peak as f64 / 4.0).ceil().max(1.0);
    let scale = if absolute { step * 4.0 } else { 1.0 };
    let mut out = String::new();
    let title = if absolute {
        "Statements per month"
    } else {
        "Topic share by month"
    };
    open_svg(&mut out, height, title);
    out.push_str(&legend_svg);
    for i in 0..=4 {
        let y = bottom - PLOT_H * f64::from(i) / 4.0;
        let tick = if absolute {
            format!("{}", step as u64 * i as u64)
        } else {
            format!("{}%", i * 25)
        };
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{tick}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
    }
    for (i, (label, month)) in slots.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
        let period = escape_html(label);
        if i % label_every == 0 {
            let _ = write!(
                out,
                "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{period}</text>",
                x + bar_w / 2.0,
                bottom + 16.0
            );
        }
        let Some(month) = month else {
            continue;
        };
        let mut y = bottom;
        for (t, color) in month.topics.iter().zip(&colors) {
            if t.statements == 0 || month.statements == 0 {
                continue;
            }
            let share = t.statements as f64 / month.statements as f64;
            let h = if absolute {
                t.statements as f64 / scale * PLOT_H
            } else {
                share * PLOT_H
            };
            y -= h;
            let _ = write!(
                out,
                "<rect class=\"seg\" x=\"{x:.2}\" y=\"{y:.2}\" width=\"{bar_w:.2}\" height=\"{h:.2}\" fill=\"{color}\">\
                 <title>{period}: {} {} of {} ({})</title></rect>",
                escape_html(&t.topic),
                t.statements,
                month.statements,
                pct(share)
            );
        }
    }
    out.push_str("</svg>");
    Some(out)
}

/// Longest run of months drawn with gaps filled in; longer spans show only months with data.
const MAX_FILLED_MONTHS: i64 = 240;

fn month_index(period: &str) -> Option<i64> {
    let (y, m) = period.split_once('-')?;
    let (y, m): (i64, i64) = (y.parse().ok()?, m.parse().ok()?);
    Some(y * 12 + m - 1)
}

/// One slot per month from the first to the last dated month, `None` for months without statements.
///
/// Note: an empty slot keeps the time axis honest; a gap would otherwise
/// look like two adjacent months.
fn month_slots(report: &Report) -> Vec<(String, Option<&PeriodCounts>)> {
    let present = || {
        report
            .timeline
            .iter()
            .map(|m| (m.period.clone(), Some(m)))
            .collect()
    };
    let (Some(first), Some(last)) = (report.timeline.first(), report.timeline.last()) else {
        return Vec::new();
    };
    let (Some(a), Some(b)) = (month_index(&first.period), month_index(&last.period)) else {
        return present();
    };
    if b < a || b - a >= MAX_FILLED_MONTHS {
        return present();
    }
    let mut by_index = report.timeline.iter().peekable();
    (a..=b)
        .map(|i| {
            let label = format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1);
            match by_index.peek() {
                Some(m) if month_index(&m.period) == Some(i) => (label, by_index.next()),
                _ => (label, None),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::builder::tests::{corpus, row};
    use crate::report::escape::tests::HOSTILE;
    use crate::report::{ReportBuilder, ReportOptions};

    fn report(rows: &[crate::io::Statement]) -> Report {
        let mut b = ReportBuilder::new(ReportOptions::default()).unwrap();
        for r in rows {
            b.add(r).unwrap();
        }
        b.finish()
    }

    #[test]
    fn draws_one_segment_per_nonzero_count() {
        let r = report(&corpus());
        let svg = stance_by_topic(&r).unwrap();
        // palestine: favor + against; bilateral_ties: neutral; uncertain: neutral.
        assert_eq!(svg.matches("<rect class=\"seg\"").count(), 4);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        let time = topic_share_over_time(&r).unwrap();
        assert_eq!(time.matches("<rect class=\"seg\"").count(), 3);
        let volume = statements_per_month(&r).unwrap();
        assert_eq!(volume.matches("<rect class=\"seg\"").count(), 3);
        assert!(volume.contains("Statements per month"));
        assert!(time.contains(">2024-02</text>"));
        let src = topic_mix_by_source(&r).unwrap();
        assert_eq!(src.matches("<rect class=\"seg\"").count(), 4);
    }

    #[test]
    fn charts_are_omitted_without_data() {
        let r = report(&[row("a", "other", 0.9, "neutral", None, None)]);
        assert!(topic_share_over_time(&r).is_none());
        assert!(topic_mix_by_source(&r).is_none());
        assert!(stance_by_topic(&report(&[])).is_none());
    }

    #[test]
    fn hostile_labels_are_inert_in_svg() {
        let rows: Vec<_> = HOSTILE
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let mut r = row(h, h, 0.9, h, Some("2024-01-01"), Some(h));
                r.sentence = i + 1;
                r
            })
            .collect();
        let r = report(&rows);
        for svg in [
            stance_by_topic(&r).unwrap(),
            topic_share_over_time(&r).unwrap(),
            topic_mix_by_source(&r).unwrap(),
        ] {
            assert!(!svg.contains("<script"), "{svg}");
            assert!(!svg.contains("<img"), "{svg}");
            assert_eq!(svg.matches("<svg").count(), 1);
            assert_eq!(svg.matches("</svg>").count(), 1);
            assert!(!svg.contains("<svg onload"));
        }
    }

    #[test]
    fn month_gaps_become_empty_slots() {
        let r = report(&[
            row("a", "other", 0.9, "neutral", Some("2023-11-02"), None),
            row("b", "other", 0.9, "neutral", Some("2024-02-02"), None),
        ]);
        let slots = month_slots(&r);
        let labels: Vec<&str> = slots.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["2023-11", "2023-12", "2024-01", "2024-02"]);
        assert!(slots[1].1.is_none() && slots[3].1.is_some());
        let svg = topic_share_over_time(&r).unwrap();
        assert_eq!(svg.matches("<rect class=\"seg\"").count(), 2);
        assert!(svg.contains(">2024-01</text>"));
    }

    #[test]
    fn topic_and_stance_palettes_are_disjoint() {
        let stances: Vec<&str> = ["favor", "against", "neutral", "(none)"]
            .iter()
            .map(|l| stance_color(l, 0))
            .chain(EXTRA_STANCE_COLORS)
            .collect();
        for (i, t) in TOPIC_COLORS.iter().enumerate() {
            assert!(!stances.contains(t), "{t}");
            assert_ne!(topic_color("x", i), stance_color("favor", 0));
        }
        assert!(!stances.contains(&topic_color(UNCERTAIN, 0)));
        for s in super::super::over_time::SOURCE_COLORS {
            assert!(!stances.contains(&s) && !TOPIC_COLORS.contains(&s), "{s}");
        }
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(
            short("abcdefghijklmnopqrstuvwxyz0123").chars().count(),
            LABEL_CHARS
        );
        assert_eq!(short("short"), "short");
    }
}
