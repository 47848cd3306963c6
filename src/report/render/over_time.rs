//! "Stance over time": one small panel per topic with the net stance per
//! period (a line over all sources, one per source with `--by source`) above
//! the period's statement counts stacked by stance.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::svg::{legend, open_svg, short, stance_colors, WIDTH};
use crate::io::UNCERTAIN;
use crate::report::document::{Report, SeriesPoint, StanceSeries};
use crate::report::escape::escape_html;

/// Most topics drawn; the rest are in the JSON and CSV.
pub const MAX_PANELS: usize = 12;
/// Most per-source lines per panel (the largest sources).
pub const MAX_SOURCE_LINES: usize = 6;
/// The line over all sources.
const ALL_COLOR: &str = "#222222";
// Note: source lines get a third palette, disjoint from the topic and
// stance palettes (see the test in `svg`), so a line is never read as a topic.
pub(super) const SOURCE_COLORS: [&str; MAX_SOURCE_LINES] = [
    "#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#5d4037",
];
/// Longest run of months drawn with gaps filled in.
const MAX_FILLED_MONTHS: i64 = 240;

const LEFT: f64 = 60.0;
const RIGHT: f64 = 20.0;
const NET_H: f64 = 90.0;
const VOL_H: f64 = 50.0;
const PANEL_H: f64 = 24.0 + NET_H + 10.0 + VOL_H + 30.0;

fn month_index(period: &str) -> Option<i64> {
    let (y, m) = period.split_once('-')?;
    let (y, m): (i64, i64) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some(y * 12 + m - 1)
}

/// The x axis: every period with statements; months from the first to the
/// last with empty months filled in, so a gap reads as a gap.
pub(super) fn period_slots(report: &Report) -> Vec<String> {
    let mut periods: Vec<&str> = report
        .stance_over_time
        .series
        .iter()
        .filter(|s| s.source.is_none())
        .flat_map(|s| s.points.iter().map(|p| p.period.as_str()))
        .collect();
    periods.sort_unstable();
    periods.dedup();
    let present = || periods.iter().map(|p| p.to_string()).collect();
    if report.stance_over_time.period != "month" {
        return present();
    }
    let (Some(a), Some(b)) = (
        periods.first().and_then(|p| month_index(p)),
        periods.last().and_then(|p| month_index(p)),
    ) else {
        return present();
    };
    if b < a || b - a >= MAX_FILLED_MONTHS || periods.iter().any(|p| month_index(p).is_none()) {
        return present();
    }
    (a..=b)
        .map(|i| format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1))
        .collect()
}

/// The panels' topics: the report's topics with dated statements, `uncertain` left out.
fn panel_series(report: &Report) -> Vec<(&StanceSeries, Vec<&StanceSeries>)> {
    let all = &report.stance_over_time.series;
    report
        .topics
        .iter()
        .filter(|t| t.topic != UNCERTAIN)
        .filter_map(|t| {
            let overall = all
                .iter()
                .find(|s| s.topic == t.topic && s.source.is_none())?;
            let sources = all
                .iter()
                .filter(|s| s.topic == t.topic && s.source.is_some())
                .take(MAX_SOURCE_LINES)
                .collect();
            Some((overall, sources))
        })
        .collect()
}

/// Topics with dated statements beyond [`MAX_PANELS`] (not drawn).
pub fn hidden_panels(report: &Report) -> usize {
    panel_series(report).len().saturating_sub(MAX_PANELS)
}

/// The chart, or `None` without dated statements of a real topic.
pub fn stance_over_time(report: &Report) -> Option<String> {
    let panels = panel_series(report);
    if panels.is_empty() {
        return None;
    }
    let slots = period_slots(report);
    let slot_of: HashMap<&str, usize> = slots
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    let n = slots.len().max(1);
    let slot_w = (WIDTH - LEFT - RIGHT) / n as f64;
    let bar_w = (slot_w * 0.7).clamp(1.0, 40.0);
    let label_every = n.div_ceil(12).max(1);
    let x_of = |i: usize| LEFT + slot_w * (i as f64 + 0.5);
    let has_net = report.stance_roles.has_net_stance() && !report.topic_only();

    // Legend: the lines (all sources, then the sources drawn), then the stance colors.
    let mut source_names: Vec<&str> = Vec::new();
    for (_, sources) in &panels {
        for s in sources {
            let name = s.source.as_deref().unwrap_or_default();
            if !source_names.contains(&name) {
                source_names.push(name);
            }
        }
    }
    let source_color = |name: &str| {
        let i = source_names.iter().position(|s| *s == name).unwrap_or(0);
        SOURCE_COLORS[i % SOURCE_COLORS.len()]
    };
    let stance_fill = stance_colors(&report.stance_labels, &report.stance_roles);
    let mut items: Vec<(String, &str)> = Vec::new();
    if has_net {
        items.push(("net stance, all sources".to_string(), ALL_COLOR));
        items.extend(
            source_names
                .iter()
                .map(|s| (format!("net stance, {s}"), source_color(s))),
        );
    }
    if report.topic_only() {
        items.push(("statements".to_string(), "#4e79a7"));
    } else {
        items.extend(
            report
                .stance_labels
                .iter()
                .cloned()
                .zip(stance_fill.iter().copied()),
        );
    }
    let (legend_svg, legend_h) = legend(&items, 8.0);
    let drawn = panels.len().min(MAX_PANELS);
    let top0 = 8.0 + legend_h + 6.0;
    let height = top0 + PANEL_H * drawn as f64;
    let mut out = String::new();
    open_svg(&mut out, height, "Stance over time by topic");
    out.push_str(&legend_svg);

    for (k, (overall, sources)) in panels.iter().take(MAX_PANELS).enumerate() {
        let top = top0 + PANEL_H * k as f64;
        let total: u64 = overall.points.iter().map(|p| p.stats.statements).sum();
        let _ = write!(
            out,
            "<text class=\"panel\" x=\"10\" y=\"{:.1}\" font-weight=\"600\"><title>{t}</title>{} \
             <tspan class=\"note\">· {total} dated statements</tspan></text>",
            top + 14.0,
            escape_html(&short(&overall.topic)),
            t = escape_html(&overall.topic)
        );
        let net_top = top + 24.0;
        let y_net = |net: f64| net_top + (1.0 - net) / 2.0 * NET_H;
        if has_net {
            for (v, label) in [(1.0, "+1"), (0.0, "0"), (-1.0, "\u{2212}1")] {
                let y = y_net(v);
                let _ = write!(
                    out,
                    "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\"{}/>\
                     <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text>",
                    WIDTH - RIGHT,
                    if v == 0.0 { " stroke-dasharray=\"4 3\"" } else { "" },
                    LEFT - 6.0,
                    y + 4.0
                );
            }
            let _ = write!(
                out,
                "<text class=\"axis\" x=\"10\" y=\"{:.1}\">net</text>",
                y_net(0.0) + 4.0
            );
        }

        // Volume: stacked stance counts of all sources per period.
        let vol_top = net_top + NET_H + 10.0;
        let vol_bottom = vol_top + VOL_H;
        let peak = overall
            .points
            .iter()
            .map(|p| p.stats.statements)
            .max()
            .unwrap_or(1)
            .max(1);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{vol_bottom:.1}\" y2=\"{vol_bottom:.1}\"/>\
             <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{peak}</text>\
             <text class=\"axis\" x=\"10\" y=\"{:.1}\">n</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            vol_top + 8.0,
            vol_bottom - 4.0
        );
        for p in &overall.points {
            let Some(&i) = slot_of.get(p.period.as_str()) else {
                continue;
            };
            let x = x_of(i) - bar_w / 2.0;
            let period = escape_html(&p.period);
            let topic = escape_html(&overall.topic);
            let mut y = vol_bottom;
            let segments: Vec<(&str, u64, &str)> = if report.topic_only() {
                vec![("statements", p.stats.statements, "#4e79a7")]
            } else {
                p.stats
                    .stances
                    .iter()
                    .zip(&stance_fill)
                    .map(|(s, c)| (s.label.as_str(), s.count, *c))
                    .collect()
            };
            for (label, count, color) in segments {
                if count == 0 {
                    continue;
                }
                let h = count as f64 / peak as f64 * VOL_H;
                y -= h;
                let _ = write!(
                    out,
                    "<rect class=\"vol\" x=\"{x:.2}\" y=\"{y:.2}\" width=\"{bar_w:.2}\" height=\"{h:.2}\" fill=\"{color}\">\
                     <title>{topic} {period}: {} {count} of {}</title></rect>",
                    escape_html(label),
                    p.stats.statements
                );
            }
        }
        for (i, label) in slots.iter().enumerate() {
            if i % label_every == 0 {
                let _ = write!(
                    out,
                    "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                    x_of(i),
                    vol_bottom + 14.0,
                    escape_html(label)
                );
            }
        }

        if has_net {
            // Sources first, so the line over all sources is drawn on top.
            for s in sources {
                let name = s.source.as_deref().unwrap_or_default();
                line(
                    &mut out,
                    s,
                    name,
                    source_color(name),
                    1.5,
                    &slot_of,
                    &x_of,
                    &y_net,
                );
            }
            line(
                &mut out,
                overall,
                "all sources",
                ALL_COLOR,
                2.5,
                &slot_of,
                &x_of,
                &y_net,
            );
        }
    }
    out.push_str("</svg>");
    Some(out)
}

/// One net-stance line: segments between adjacent periods only (a period
/// without statements breaks it), a dot with a tooltip at every point.
#[allow(clippy::too_many_arguments)]
fn line(
    out: &mut String,
    series: &StanceSeries,
    name: &str,
    color: &str,
    width: f64,
    slot_of: &HashMap<&str, usize>,
    x_of: &dyn Fn(usize) -> f64,
    y_net: &dyn Fn(f64) -> f64,
) {
    let points: Vec<(usize, f64, &SeriesPoint)> = series
        .points
        .iter()
        .filter_map(|p| Some((*slot_of.get(p.period.as_str())?, p.stats.net_stance?, p)))
        .collect();
    for pair in points.windows(2) {
        let ((i, a, _), (j, b, _)) = (pair[0], pair[1]);
        if j == i + 1 {
            let _ = write!(
                out,
                "<line class=\"net\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{color}\" stroke-width=\"{width}\"/>",
                x_of(i),
                y_net(a),
                x_of(j),
                y_net(b)
            );
        }
    }
    for (i, net, p) in points {
        let _ = write!(
            out,
            "<circle class=\"netpt\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"{}\" fill=\"{color}\">\
             <title>{} · {} · {}: net {} (n={})</title></circle>",
            x_of(i),
            y_net(net),
            width + 1.0,
            escape_html(&series.topic),
            escape_html(name),
            escape_html(&p.period),
            super::grid::signed(net),
            p.stats.statements
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::builder::tests::row;
    use crate::report::{Dimension, ReportBuilder, ReportOptions};

    fn report(by: Vec<Dimension>) -> Report {
        let mut b = ReportBuilder::new(ReportOptions {
            breakdown: by,
            ..Default::default()
        })
        .unwrap();
        let rows = [
            ("w", "favor", "2024-01-03", "wire"),
            ("w", "against", "2024-01-09", "tv"),
            ("w", "against", "2024-03-01", "tv"),
            ("o", "neutral", "2024-03-02", "wire"),
        ];
        for (i, (topic, stance, date, source)) in rows.iter().enumerate() {
            let mut r = row(
                &format!("a{i}"),
                topic,
                0.9,
                stance,
                Some(date),
                Some(source),
            );
            r.sentence = i + 1;
            b.add(&r).unwrap();
        }
        b.finish()
    }

    #[test]
    fn a_panel_per_topic_with_gaps_kept() {
        let r = report(vec![]);
        assert_eq!(period_slots(&r), ["2024-01", "2024-02", "2024-03"]);
        let svg = stance_over_time(&r).unwrap();
        // w: two periods, o: one; one line each (no per-source lines).
        assert_eq!(svg.matches("<circle class=\"netpt\"").count(), 3);
        // w's Jan and Mar are not adjacent: no segment crosses the empty February.
        assert_eq!(svg.matches("<line class=\"net\"").count(), 0);
        // Jan: favor + against, Mar: against; o Mar: neutral.
        assert_eq!(svg.matches("<rect class=\"vol\"").count(), 4);
        assert!(svg.contains("w · all sources · 2024-01: net 0.000 (n=2)"));
        assert!(svg.contains("w · all sources · 2024-03: net -1.000 (n=1)"));
    }

    #[test]
    fn by_source_adds_a_line_per_source() {
        let r = report(vec![Dimension::Source]);
        let svg = stance_over_time(&r).unwrap();
        assert!(svg.contains("w · wire · 2024-01: net +1.000 (n=1)"));
        assert!(svg.contains("w · tv · 2024-01: net -1.000 (n=1)"));
        assert!(svg.contains("net stance, tv"));
        // all (3 points) + wire (w Jan, o Mar) + tv (w Jan, w Mar) = 7 dots.
        assert_eq!(svg.matches("<circle class=\"netpt\"").count(), 7);
    }

    #[test]
    fn no_chart_without_dates() {
        let mut b = ReportBuilder::new(ReportOptions::default()).unwrap();
        b.add(&row("a", "w", 0.9, "favor", None, None)).unwrap();
        assert!(stance_over_time(&b.finish()).is_none());
    }
}
