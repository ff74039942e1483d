//! What the views draw with: a server state's look, the progress gauge, the settings grid, the
//! centred boxes of popups and dialogs.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::config::Lang;
use crate::i18n::Msg;
use crate::tui::state::Prop;

/// A state's symbol, word and colour: readable without colour too.
pub fn state_look(state: &str, lang: Lang) -> (&'static str, String, Color) {
    let (symbol, word, colour) = match state {
        "waiting" => ("◷", Msg::StateWaiting, Color::Green),
        "running" => ("▶", Msg::StateRunning, Color::Cyan),
        "failed" => ("✗", Msg::StateFailed, Color::Red),
        "retrying" => ("◌", Msg::StateRetrying, Color::Yellow),
        _ => ("■", Msg::StateStopped, Color::DarkGray),
    };
    (symbol, word.get(lang).to_owned(), colour)
}

/// A gauge `width` cells wide for `done` of `total`: filled cells, then empty ones (readable
/// without colour too).
pub fn gauge(done: u64, total: u64, width: u16) -> Vec<Span<'static>> {
    let filled = (done.min(total) * u64::from(width)).checked_div(total).unwrap_or(0) as usize;
    let empty = usize::from(width) - filled;
    vec![Span::styled("█".repeat(filled), Style::new().fg(Color::Cyan)), Span::styled("░".repeat(empty), Style::new().fg(Color::DarkGray))]
}

/// A server's properties as a grid in its kind's groups: label and value, a required one still
/// unset marked, one validation refused marked with the reason in the help box; the selected
/// one's help below. `keys` is a line of keys above the help (a new server's form).
pub fn grid(f: &mut Frame, lang: Lang, title: String, props: &[Prop], selected: usize, keys: Option<String>, area: Rect) {
    let block = Block::new().borders(Borders::ALL).title(title);
    if props.is_empty() {
        f.render_widget(Paragraph::new(keys.unwrap_or_default()).block(block), area);
        return;
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    let help_h = if keys.is_some() { 5 } else { 3 };
    let [rows_area, help] = Layout::vertical([Constraint::Min(1), Constraint::Length(help_h)]).areas(inner);
    // The labels' column as wide as the longest label, up to three fifths of the grid: a longer
    // label is cut (its whole text is in the help below), so every value starts in one column.
    let label_w = props.iter().map(|p| unicode_width::UnicodeWidthStr::width(p.label.as_str())).max().unwrap_or(10).min(usize::from(rows_area.width) * 11 / 20);
    let mut lines: Vec<Line> = Vec::new();
    let mut last_group = String::new();
    let mut selected_line = 0usize;
    for (i, p) in props.iter().enumerate() {
        if p.group != last_group {
            last_group = p.group.clone();
            lines.push(Line::from(Span::styled(p.group.clone(), Style::new().add_modifier(Modifier::BOLD))));
        }
        if i == selected {
            selected_line = lines.len();
        }
        let style = if i == selected { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
        // Padded by display width: Cyrillic labels line up with Latin ones.
        let label = cut_to(&p.label, label_w);
        let pad = label_w.saturating_sub(unicode_width::UnicodeWidthStr::width(label.as_str()));
        // A set of which exactly one is set: bracketed as one requirement.
        let in_set = |q: Option<&Prop>| q.is_some_and(|q| !p.one_of.is_empty() && q.one_of == p.one_of);
        let bracket = match (in_set(i.checked_sub(1).and_then(|j| props.get(j))), in_set(props.get(i + 1))) {
            _ if p.one_of.is_empty() => None,
            (false, true) => Some("╭"),
            (true, true) => Some("│"),
            (true, false) => Some("╰"),
            (false, false) => None,
        };
        // A set still unset is one requirement, not an error of its first member.
        let set_missing = bracket.is_some() && p.missing && p.value.is_empty();
        let mark = if p.error.is_some() && !set_missing {
            Span::styled("✗", Style::new().fg(Color::Red).add_modifier(Modifier::BOLD))
        } else if let Some(b) = bracket {
            Span::styled(b, Style::new().fg(if p.missing { Color::Yellow } else { Color::Gray }).add_modifier(Modifier::BOLD))
        } else if p.missing {
            Span::styled("*", Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD))
        } else {
            Span::raw(" ")
        };
        let value = if p.missing && p.value.is_empty() && !p.one_of.is_empty() {
            Span::styled(format!("‹{}›", Msg::TuiOneOf.get(lang)), Style::new().fg(Color::Yellow))
        } else if p.missing && p.value.is_empty() {
            Span::styled(format!("‹{}›", Msg::TuiRequired.get(lang)), Style::new().fg(Color::Yellow))
        } else if p.error.is_some() {
            Span::styled(p.value.clone(), Style::new().fg(Color::Red))
        } else {
            Span::raw(p.value.clone())
        };
        lines.push(Line::from(vec![mark, Span::raw(" "), Span::styled(format!("{label}{} ", " ".repeat(pad)), style), value]));
    }
    // Scrolled so the selected property is in view.
    let height = usize::from(rows_area.height);
    let skip = selected_line.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
    f.render_widget(Paragraph::new(lines), rows_area);
    let mut help_lines = Vec::new();
    if let Some(k) = keys {
        help_lines.push(Line::from(Span::styled(k, Style::new().fg(Color::Cyan))));
    }
    if let Some(p) = props.get(selected) {
        // A label cut in the grid, whole.
        if unicode_width::UnicodeWidthStr::width(p.label.as_str()) > label_w {
            help_lines.push(Line::from(Span::styled(p.label.clone(), Style::new().add_modifier(Modifier::BOLD))));
        }
        if let Some(e) = &p.error {
            help_lines.push(Line::from(Span::styled(format!("✗ {e}"), Style::new().fg(Color::Red))));
        }
        if !p.one_of.is_empty() {
            let names: Vec<String> = p.one_of.iter().map(|l| crate::i18n::quoted(l, lang)).collect();
            help_lines.push(Line::from(Span::styled(format!("{}: {}", Msg::ExactlyOneOf.get(lang), names.join(", ")), Style::new().fg(Color::Yellow))));
        }
        help_lines.push(Line::from(Span::styled(p.help.clone(), Style::new().fg(Color::Gray))));
    }
    f.render_widget(Paragraph::new(help_lines).wrap(Wrap { trim: true }).block(Block::new().borders(Borders::TOP).title(Msg::ActHelp.get(lang))), help);
}

/// A text cut to `width` cells, its end marked with `…` where it was cut.
pub fn cut_to(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    if unicode_width::UnicodeWidthStr::width(text) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// A box of text in the middle of the screen (a question, the help).
pub fn popup(f: &mut Frame, title: &str, text: &str) {
    let area = f.area();
    let w = area.width.saturating_sub(8).min(64);
    let h = (text.lines().count() as u16 + 4).min(area.height.saturating_sub(2));
    dialog(f, title.to_owned(), text.lines().map(|l| Line::from(l.to_owned())).collect(), w, h);
}

/// A bordered box of `w` by `h` in the middle of the screen, over what is under it.
pub fn dialog(f: &mut Frame, title: String, lines: Vec<Line>, w: u16, h: u16) {
    let area = f.area();
    let rect = Rect { x: area.x + (area.width.saturating_sub(w)) / 2, y: area.y + (area.height.saturating_sub(h)) / 2, width: w, height: h };
    f.render_widget(Clear, rect);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(Block::new().borders(Borders::ALL).title(title)), rect);
}

/// The connection tests, each a green or red square with what was found or what is wrong.
pub fn checks(f: &mut Frame, server: &str, checks: Option<&[crate::kinds::Check]>, lang: Lang) {
    let area = f.area();
    let w = area.width.saturating_sub(6).min(100);
    let lines: Vec<Line> = match checks {
        None => vec![Line::from(Msg::TuiTesting.get(lang).to_owned())],
        Some(cs) => cs
            .iter()
            .map(|c| {
                let colour = match (c.ok, c.warning) {
                    (true, true) => Color::Yellow,
                    (true, false) => Color::Green,
                    (false, _) => Color::Red,
                };
                Line::from(vec![
                    Span::styled("■ ", Style::new().fg(colour)),
                    Span::styled(format!("{}: ", c.what), Style::new().add_modifier(Modifier::BOLD)),
                    Span::raw(c.detail.clone()),
                ])
            })
            .collect(),
    };
    let h = (lines.len() as u16 * 2 + 3).min(area.height.saturating_sub(2));
    dialog(f, Msg::TuiChecksTitle.with(lang, &[("server", &server)]), lines, w, h);
}

/// A line cut into rows of `width` cells, between words where a row has a space to break at,
/// each row after the first starting `indent` cells in; its styles kept.
pub fn wrap(line: Line<'_>, width: usize, indent: usize) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthChar;
    let cells: Vec<(char, ratatui::style::Style)> = line.spans.iter().flat_map(|s| s.content.chars().map(move |c| (c, s.style))).collect();
    let mut rows: Vec<Vec<(char, ratatui::style::Style)>> = vec![Vec::new()];
    let mut used = 0;
    for cell in cells {
        let w = cell.0.width().unwrap_or(0);
        let row = rows.last_mut().map(std::mem::take).unwrap_or_default();
        let start = if rows.len() > 1 { indent } else { 0 };
        if width > 0 && used + w > width && used > start {
            // A space past the row's end ends it; else back to the last space past the row's
            // start: the word goes down whole.
            if cell.0 == ' ' {
                if let Some(last) = rows.last_mut() {
                    *last = row;
                }
                rows.push(vec![(' ', ratatui::style::Style::new()); indent]);
                used = indent;
                continue;
            }
            let (keep, carry) = match row.iter().rposition(|(c, _)| *c == ' ').filter(|i| *i > start) {
                Some(i) => (row[..i].to_vec(), row[i + 1..].to_vec()),
                None => (row, Vec::new()),
            };
            if let Some(last) = rows.last_mut() {
                *last = keep;
            }
            let mut next: Vec<(char, ratatui::style::Style)> = vec![(' ', ratatui::style::Style::new()); indent];
            next.extend(carry);
            used = next.iter().map(|(c, _)| c.width().unwrap_or(0)).sum();
            rows.push(next);
        } else if let Some(last) = rows.last_mut() {
            *last = row;
        }
        used += w;
        if let Some(last) = rows.last_mut() {
            last.push(cell);
        }
    }
    rows.into_iter()
        .map(|row| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            for (c, style) in row {
                match spans.last_mut() {
                    Some(s) if s.style == style => s.content.to_mut().push(c),
                    _ => spans.push(Span::styled(c.to_string(), style)),
                }
            }
            Line::from(spans)
        })
        .collect()
}
