//! The toolbar: its actions in order with their keys, and where each stands in a width: on one
//! line where every label fits, on two where not (80 columns), each action keeping its word;
//! only narrower than two lines can hold are the last labels left out, their keys kept. The
//! drawing, the layout's height and the mouse all use it.

use crate::config::Lang;

/// The toolbar's actions, in order, with their keys.
pub const TOOLBAR: &[(char, crate::i18n::Msg)] = &[
    ('s', crate::i18n::Msg::ActStart),
    ('x', crate::i18n::Msg::ActStop),
    ('n', crate::i18n::Msg::ActNew),
    ('e', crate::i18n::Msg::ActEdit),
    ('t', crate::i18n::Msg::ActTest),
    ('l', crate::i18n::Msg::ActLog),
    ('r', crate::i18n::Msg::ActRuns),
    ('u', crate::i18n::Msg::ActQuarantine),
    ('d', crate::i18n::Msg::ActDelete),
    ('h', crate::i18n::Msg::ActHide),
    ('?', crate::i18n::Msg::ActHelp),
    ('q', crate::i18n::Msg::ActQuit),
];

/// The most lines the toolbar takes.
const MAX_LINES: usize = 2;

/// An item's width: "s Start " (its key, a space, its label, a space), or "? " without a label.
fn item_width(label: &str) -> u16 {
    if label.is_empty() {
        2
    } else {
        unicode_width::UnicodeWidthStr::width(label) as u16 + 3
    }
}

/// The toolbar's lines in a width, each a list of (key, label): every label where two lines
/// hold them, the actions in order, the first line as full as it goes.
pub fn toolbar_lines(lang: Lang, width: u16) -> Vec<Vec<(char, String)>> {
    let full: Vec<(char, String)> = TOOLBAR.iter().map(|(k, m)| (*k, m.get(lang).to_owned())).collect();
    let mut lines: Vec<Vec<(char, String)>> = vec![Vec::new()];
    let mut used = 0u16;
    for item in &full {
        let w = item_width(&item.1);
        if used + w > width && lines.last().is_some_and(|l| !l.is_empty()) {
            lines.push(Vec::new());
            used = 0;
        }
        used += w;
        if let Some(l) = lines.last_mut() {
            l.push(item.clone());
        }
    }
    if lines.len() <= MAX_LINES && lines.iter().all(|l| l.iter().map(|(_, t)| item_width(t)).sum::<u16>() <= width) {
        return lines;
    }
    // Too narrow for two lines of words: one line, the last labels left out.
    let mut items = full;
    let mut total: u16 = items.iter().map(|(_, l)| item_width(l)).sum();
    for i in (0..items.len()).rev() {
        if total <= width {
            break;
        }
        total -= item_width(&items[i].1) - 2;
        items[i].1.clear();
    }
    vec![items]
}

/// How many lines the toolbar takes in a width.
pub fn toolbar_height(lang: Lang, width: u16) -> u16 {
    toolbar_lines(lang, width).len() as u16
}

/// Where the toolbar's actions are in a width: (line, start column, width) of each, in the
/// order of [`TOOLBAR`], for mouse clicks.
pub fn toolbar_spans(lang: Lang, width: u16) -> Vec<(u16, u16, u16)> {
    let mut out = Vec::new();
    for (y, line) in toolbar_lines(lang, width).iter().enumerate() {
        let mut x = 0u16;
        for (_, label) in line {
            let w = item_width(label);
            out.push((y as u16, x, w));
            x += w;
        }
    }
    out
}
