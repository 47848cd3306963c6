//! The labeller's screen: the statement in its context, the guess, the keys, the counts.
//!
//! Laid out for 80x24 and up (the statement and its context take the rows left
//! over). Everything that matters is in the text itself (`[k]` before each
//! key, a bar before the statement's lines), so a terminal without colours or
//! attributes shows it all; colours are left out with `NO_COLOR`, and every
//! attribute and non-ASCII line drawing with `TERM=dumb` (or no `TERM`).

use std::ffi::OsStr;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthChar;

use super::{App, Status};
use crate::label::{Progress, Statement};

/// Below this size the screen asks for a larger terminal.
const MIN_WIDTH: usize = 40;
/// Below this size the screen asks for a larger terminal.
const MIN_HEIGHT: usize = 14;

/// How the screen may look on this terminal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Look {
    /// Colours allowed.
    colour: bool,
    /// Bold, dim and reverse allowed.
    attributes: bool,
    /// ASCII only for lines and markers.
    ascii: bool,
}

/// The parts of the screen that are styled.
#[derive(Debug, Clone, Copy)]
enum Part {
    Header,
    Statement,
    Bar,
    Context,
    Key,
    Chosen,
    Warn,
    Plain,
}

impl Look {
    /// From `NO_COLOR` and `TERM`: no colours when `NO_COLOR` is set and not
    /// empty; plain ASCII text without attributes when `TERM` is `dumb` or unset.
    pub(super) fn from_env(no_color: Option<&OsStr>, term: Option<&OsStr>) -> Look {
        let dumb = term.is_none_or(|t| t.is_empty() || t == "dumb");
        Look {
            colour: !dumb && no_color.is_none_or(OsStr::is_empty),
            attributes: !dumb,
            ascii: dumb,
        }
    }

    fn style(&self, part: Part) -> Style {
        if !self.attributes {
            return Style::default();
        }
        let (modifier, colour) = match part {
            Part::Header => (Modifier::REVERSED | Modifier::BOLD, None),
            Part::Statement => (Modifier::BOLD, None),
            Part::Bar => (Modifier::BOLD, Some(Color::Cyan)),
            Part::Context => (Modifier::DIM, None),
            Part::Key => (Modifier::BOLD, Some(Color::Cyan)),
            Part::Chosen => (Modifier::BOLD, Some(Color::Green)),
            Part::Warn => (Modifier::BOLD, Some(Color::Yellow)),
            Part::Plain => (Modifier::empty(), None),
        };
        let style = Style::default().add_modifier(modifier);
        match colour {
            Some(c) if self.colour => style.fg(c),
            _ => style,
        }
    }

    fn span(&self, text: impl Into<String>, part: Part) -> Span<'static> {
        Span::styled(text.into(), self.style(part))
    }

    fn rule(&self, width: usize) -> Line<'static> {
        Line::from(if self.ascii { "-" } else { "─" }.repeat(width))
    }

    fn ellipsis(&self) -> &'static str {
        if self.ascii {
            "..."
        } else {
            "…"
        }
    }

    fn bar(&self) -> &'static str {
        if self.ascii {
            "> "
        } else {
            "▌ "
        }
    }

    fn dot(&self) -> &'static str {
        if self.ascii {
            " | "
        } else {
            " · "
        }
    }
}

/// Draws the whole screen.
pub(super) fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let lines = screen_lines(app, area.width as usize, area.height as usize);
    frame.render_widget(Paragraph::new(lines), area);
}

/// The screen, line by line, for a terminal of `width` x `height`.
fn screen_lines(app: &App, width: usize, height: usize) -> Vec<Line<'static>> {
    let look = &app.look;
    if width < MIN_WIDTH || height < MIN_HEIGHT {
        let text = format!(
            "The terminal is {width}x{height}; stance label needs {MIN_WIDTH}x{MIN_HEIGHT} (80x24 shows everything). \
             Enlarge it, or press q to quit (every decision is saved)."
        );
        return wrap(&text, width.max(1))
            .into_iter()
            .map(Line::from)
            .collect();
    }
    let progress = app.session.progress();
    let current = app.session.current().map(|(_, s)| s);
    let mut top = vec![header(app, &progress, width)];
    if let (Some(s), false) = (current, app.help) {
        top.push(field_line(look, "Title  ", &or_dash(&s.title), width));
        top.push(field_line(look, "       ", &article_line(look, s), width));
    }
    top.push(look.rule(width));
    let mut bottom = vec![look.rule(width)];
    if let (Some(s), false) = (current, app.help) {
        bottom.push(guess_line(app, s, width));
        bottom.push(choice_line(app, width));
        bottom.push(look.rule(width));
    }
    bottom.extend(key_lines(app, width));
    bottom.push(so_far_line(app, &progress, width));
    bottom.extend(status_lines(app, width));
    let rows = height.saturating_sub(top.len() + bottom.len());
    let body = match (app.help, current) {
        (true, _) => help_lines(app, width),
        (false, Some(s)) => statement_lines(look, s, width, rows),
        (false, None) => done_lines(app, &progress, width),
    };
    let mut lines = top;
    lines.extend(body.into_iter().take(rows));
    while lines.len() + bottom.len() < height {
        lines.push(Line::default());
    }
    lines.extend(bottom);
    lines
}

fn header(app: &App, p: &Progress, width: usize) -> Line<'static> {
    let look = &app.look;
    let text = format!(
        " stance label{dot}{}/{} done{dot}{} labelled{dot}{} skipped{dot}[?] help",
        p.done(),
        p.total,
        p.labelled,
        p.skipped,
        dot = look.dot()
    );
    let mut text = fit(&text, width, look.ellipsis());
    let pad = width.saturating_sub(display_width(&text));
    text.push_str(&" ".repeat(pad));
    Line::from(look.span(text, Part::Header))
}

/// "Id i · Source x · Date y · Article a, sentence n", leaving out what is not given.
fn article_line(look: &Look, s: &Statement) -> String {
    let mut parts = vec![format!("Id {}", s.id)];
    if !s.source.is_empty() {
        parts.push(format!("Source {}", s.source));
    }
    if !s.date.is_empty() {
        parts.push(format!("Date {}", s.date));
    }
    match (s.article_id.is_empty(), s.sentence.is_empty()) {
        (false, false) => parts.push(format!("Article {}, sentence {}", s.article_id, s.sentence)),
        (false, true) => parts.push(format!("Article {}", s.article_id)),
        (true, false) => parts.push(format!("Sentence {}", s.sentence)),
        (true, true) => {}
    }
    parts.join(look.dot())
}

fn field_line(look: &Look, name: &str, value: &str, width: usize) -> Line<'static> {
    let value = fit(
        &clean(value),
        width.saturating_sub(name.len() + 1),
        look.ellipsis(),
    );
    Line::from(vec![
        look.span(format!(" {name}"), Part::Plain),
        look.span(value, Part::Plain),
    ])
}

/// The context before (its end), the statement (whole when it fits), the context after (its start).
fn statement_lines(look: &Look, s: &Statement, width: usize, rows: usize) -> Vec<Line<'static>> {
    let text_width = width.saturating_sub(3).max(1);
    let mut statement = wrap(&clean(&s.text), text_width);
    let mut before = wrap(&clean(&s.context_before), text_width);
    let mut after = wrap(&clean(&s.context_after), text_width);
    if statement.len() > rows {
        statement.truncate(rows);
        if let Some(last) = statement.last_mut() {
            *last = fit(
                &format!("{last}{}", look.ellipsis()),
                text_width,
                look.ellipsis(),
            );
        }
    }
    let spare = rows - statement.len();
    let n_after = after.len().min(spare / 2);
    let n_before = before.len().min(spare - n_after);
    let n_after = after.len().min(spare - n_before);
    if n_before < before.len() {
        before.drain(..before.len() - n_before);
        if let Some(first) = before.first_mut() {
            *first = format!("{}{first}", look.ellipsis());
        }
    }
    if n_after < after.len() {
        after.truncate(n_after);
        if let Some(last) = after.last_mut() {
            *last = fit(
                &format!("{last}{}", look.ellipsis()),
                text_width,
                look.ellipsis(),
            );
        }
    }
    let context = |t: String| Line::from(vec![Span::raw("   "), look.span(t, Part::Context)]);
    let gaps = rows >= statement.len() + before.len() + after.len() + 2;
    let gap = |lines: &[String]| gaps && !lines.is_empty();
    let (gap_before, gap_after) = (gap(&before), gap(&after));
    let mut out: Vec<Line<'static>> = before.into_iter().map(context).collect();
    if gap_before {
        out.push(Line::default());
    }
    out.extend(statement.into_iter().map(|t| {
        Line::from(vec![
            Span::raw(" "),
            look.span(look.bar(), Part::Bar),
            look.span(t, Part::Statement),
        ])
    }));
    if gap_after {
        out.push(Line::default());
    }
    out.extend(after.into_iter().map(context));
    out
}

fn guess_line(app: &App, s: &Statement, width: usize) -> Line<'static> {
    let look = &app.look;
    let sets = app.session.sets();
    let prob = |p: Option<f64>| p.map(|p| format!(" {p:.2}")).unwrap_or_default();
    let mut text = if s.topic.is_empty() {
        "none".to_string()
    } else {
        format!("{}{}", clean(&s.topic), prob(s.topic_prob))
    };
    if sets.has_stance() && !s.stance.is_empty() {
        text.push_str(&format!(" / {}{}", clean(&s.stance), prob(s.stance_prob)));
    }
    if let Some(m) = s.margin {
        text.push_str(&format!("{}margin {m:.2}", look.dot()));
    }
    let foreign = !s.topic.is_empty() && sets.guess(&s.topic, &s.stance).is_none();
    let mut spans = vec![look.span(" Guess  ", Part::Plain)];
    spans.push(look.span(text, Part::Plain));
    if foreign {
        spans.push(look.span(
            "  (not the model's labels: choose with the keys)",
            Part::Warn,
        ));
    }
    fit_line(spans, width, look)
}

fn choice_line(app: &App, width: usize) -> Line<'static> {
    let look = &app.look;
    let c = &app.choice;
    let has_stance = app.session.sets().has_stance();
    let mut spans = vec![look.span(" Choice ", Part::Plain)];
    match &c.topic {
        None => spans.push(look.span("none: press a topic key", Part::Warn)),
        Some(t) => {
            let labels = match (&c.stance, has_stance) {
                (Some(s), _) => format!("{t} / {s}"),
                (None, true) => format!("{t} / ?"),
                (None, false) => t.clone(),
            };
            spans.push(look.span(labels, Part::Chosen));
            let hint = if has_stance && c.stance.is_none() {
                "  press a stance key"
            } else if c.topic_picked {
                "  a stance key, or [Enter] saves it"
            } else {
                "  [Enter] saves it"
            };
            spans.push(look.span(hint, Part::Plain));
        }
    }
    fit_line(spans, width, look)
}

/// The topic keys (as many lines as they take), the stance keys of the chosen topic, the commands.
fn key_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let look = &app.look;
    let sets = app.session.sets();
    let topics: Vec<(char, String, bool)> = app
        .keys
        .topics
        .iter()
        .map(|(k, t)| (*k, t.clone(), app.choice.topic.as_deref() == Some(t)))
        .collect();
    let mut out = packed(look, " Topic  ", &topics, width);
    if sets.has_stance() {
        let allowed: Vec<String> = match &app.choice.topic {
            Some(t) => sets.stances_of(t).to_vec(),
            None => sets.all_stances(),
        };
        let stances: Vec<(char, String, bool)> = app
            .keys
            .stances
            .iter()
            .filter(|(_, s)| allowed.contains(s))
            .map(|(k, s)| (*k, s.clone(), app.choice.stance.as_deref() == Some(s)))
            .collect();
        out.extend(packed(look, " Stance ", &stances, width));
    }
    let commands: Vec<(String, &str)> = vec![
        ("Enter".into(), "accept"),
        ("s".into(), "skip"),
        ("u".into(), "undo"),
        ("Esc".into(), "guess"),
        ("?".into(), "help"),
        ("q".into(), "quit"),
    ];
    let mut spans = vec![look.span("        ", Part::Plain)];
    for (i, (k, what)) in commands.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(look.span(format!("[{k}]"), Part::Key));
        spans.push(look.span(format!(" {what}"), Part::Plain));
    }
    out.push(fit_line(spans, width, look));
    out
}

/// `[k] label` items after `title`, packed into as few lines as fit in `width`.
fn packed(
    look: &Look,
    title: &str,
    items: &[(char, String, bool)],
    width: usize,
) -> Vec<Line<'static>> {
    let indent = " ".repeat(title.len());
    let mut lines = Vec::new();
    let mut spans = vec![look.span(title, Part::Plain)];
    let mut used = title.len();
    for (k, label, chosen) in items {
        let label = clean(label);
        let item_width = 4 + display_width(&label);
        let sep = if used > title.len() { 2 } else { 0 };
        if used + sep + item_width > width && used > title.len() {
            lines.push(Line::from(std::mem::take(&mut spans)));
            spans.push(look.span(indent.clone(), Part::Plain));
            used = indent.len();
        } else if sep > 0 {
            spans.push(Span::raw("  "));
            used += 2;
        }
        spans.push(look.span(format!("[{k}]"), Part::Key));
        let part = if *chosen { Part::Chosen } else { Part::Plain };
        spans.push(look.span(format!(" {label}"), part));
        used += item_width;
    }
    lines.push(Line::from(spans));
    lines
}

/// "So far  palestine 4 (f2 a1) · other 3 (n3)": stance labels by their keys.
fn so_far_line(app: &App, p: &Progress, width: usize) -> Line<'static> {
    let look = &app.look;
    let tallies: Vec<String> = p
        .topics
        .iter()
        .map(|t| {
            let stances: Vec<String> = t
                .stances
                .iter()
                .map(|(s, n)| match app.keys.stance_key(s) {
                    Some(k) => format!("{k}{n}"),
                    None => format!("{} {n}", clean(s)),
                })
                .collect();
            if stances.is_empty() {
                format!("{} {}", clean(&t.topic), t.count)
            } else {
                format!("{} {} ({})", clean(&t.topic), t.count, stances.join(" "))
            }
        })
        .collect();
    let text = if tallies.is_empty() {
        "no labels yet".to_string()
    } else {
        tallies.join(look.dot())
    };
    fit_line(
        vec![
            look.span(" So far ", Part::Plain),
            look.span(text, Part::Plain),
        ],
        width,
        look,
    )
}

/// The status message, on at most two lines.
fn status_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let look = &app.look;
    let (text, part) = match &app.status {
        Status::Info(t) => (t, Part::Plain),
        Status::Warn(t) => (t, Part::Warn),
    };
    let text_width = width.saturating_sub(1).max(1);
    let mut lines = wrap(&clean(text), text_width);
    if lines.len() > 2 {
        lines.truncate(2);
        lines[1] = fit(
            &format!("{}{}", lines[1], look.ellipsis()),
            text_width,
            look.ellipsis(),
        );
    }
    lines
        .into_iter()
        .map(|l| Line::from(vec![Span::raw(" "), look.span(l, part)]))
        .collect()
}

fn done_lines(app: &App, p: &Progress, width: usize) -> Vec<Line<'static>> {
    let text = format!(
        "All {} statements are decided: {} labelled, {} skipped. [u] takes the last decision back; [q] quits. \
         The labels are in {} (stance train --data reads it as it is).",
        p.total,
        p.labelled,
        p.skipped,
        app.session.out_path().display()
    );
    wrap(&text, width.saturating_sub(2).max(1))
        .into_iter()
        .map(|l| Line::from(format!(" {l}")))
        .collect()
}

fn help_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let topic_keys = key_range(app.keys.topics.iter().map(|(k, _)| *k).collect());
    let stance_keys = key_range(app.keys.stances.iter().map(|(k, _)| *k).collect());
    let mut items = vec![
        format!(
            "{topic_keys} a topic: saves at once when the topic has one stance (or the model none), else waits for a stance key"
        ),
    ];
    if !stance_keys.is_empty() {
        items.push(format!(
            "{stance_keys} a stance: saves it with the chosen topic"
        ));
    }
    items.extend([
        "[Enter] saves the choice; it starts as the model's guess".to_string(),
        "[Esc] back to the guess   [s] skip: not labelled, not shown again".to_string(),
        "[u] undo the last decision (also one of an earlier session)".to_string(),
        "[q] or Ctrl-C: quit. Each decision is on disk before the next statement shows; the same command resumes".to_string(),
        format!("Labels: {}", app.session.out_path().display()),
        format!(
            "Skips: {} (delete it to see the skipped statements again)",
            app.session.skipped_path().display()
        ),
        "Any key closes this help.".to_string(),
    ]);
    items
        .iter()
        .flat_map(|t| wrap(t, width.saturating_sub(2).max(1)))
        .map(|l| Line::from(format!(" {l}")))
        .collect()
}

/// "[1] [2] [3]", or "[1]..[9]" for more than three keys.
fn key_range(keys: Vec<char>) -> String {
    match keys.as_slice() {
        [first, .., last] if keys.len() > 3 => format!("[{first}]..[{last}]"),
        _ => keys
            .iter()
            .map(|k| format!("[{k}]"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Spans cut to `width` columns, with an ellipsis where something was cut.
fn fit_line(spans: Vec<Span<'static>>, width: usize, look: &Look) -> Line<'static> {
    let mut out = Vec::new();
    let mut left = width;
    let total: usize = spans.iter().map(|s| display_width(&s.content)).sum();
    if total <= width {
        return Line::from(spans);
    }
    let room = width.saturating_sub(display_width(look.ellipsis()));
    left = left.min(room);
    for s in spans {
        let w = display_width(&s.content);
        if w <= left {
            left -= w;
            out.push(s);
            continue;
        }
        out.push(Span::styled(cut(&s.content, left), s.style));
        break;
    }
    out.push(Span::raw(look.ellipsis()));
    Line::from(out)
}

/// `text` in at most `width` columns, ending in `ellipsis` when cut.
fn fit(text: &str, width: usize, ellipsis: &str) -> String {
    if display_width(text) <= width {
        return text.to_string();
    }
    let mut s = cut(text, width.saturating_sub(display_width(ellipsis)));
    s.push_str(ellipsis);
    s
}

/// The longest start of `text` at most `width` columns wide.
fn cut(text: &str, width: usize) -> String {
    let mut used = 0;
    text.chars()
        .take_while(|c| {
            used += c.width().unwrap_or(0);
            used <= width
        })
        .collect()
}

fn display_width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `text` broken into lines of at most `width` columns.
fn wrap(text: &str, width: usize) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    textwrap::wrap(text, textwrap::Options::new(width))
        .into_iter()
        .map(|l| l.into_owned())
        .collect()
}

/// Control characters (line breaks, tabs, escapes) as spaces or U+FFFD, so text cannot move the cursor.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "-".into()
    } else {
        text.to_string()
    }
}
