//! The toolbar: its actions in order with their keys, and where each stands on its line in a
//! width (shorter labels where they do not all fit), which both the drawing and the mouse use.

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

/// The toolbar's items as shown in a width: "s Start " each, and where they do not all fit, the
/// last ones as their key alone ("? "), so that every action keeps its place on the line.
pub fn toolbar_items(lang: Lang, width: u16) -> Vec<(char, String)> {
    let full: Vec<(char, String)> = TOOLBAR.iter().map(|(k, m)| (*k, m.get(lang).to_owned())).collect();
    let w = |label: &str| unicode_width::UnicodeWidthStr::width(label) as u16 + 3;
    let mut total: u16 = full.iter().map(|(_, l)| w(l)).sum();
    let mut items = full;
    for i in (0..items.len()).rev() {
        if total <= width {
            break;
        }
        total -= w(&items[i].1) - 2;
        items[i].1.clear();
    }
    items
}

/// Where the toolbar's actions are on its line in a width: (start column, width) of each, for
/// mouse clicks.
pub fn toolbar_spans(lang: Lang, width: u16) -> Vec<(u16, u16)> {
    let mut x = 0u16;
    toolbar_items(lang, width)
        .iter()
        .map(|(_, label)| {
            let w = if label.is_empty() { 2 } else { unicode_width::UnicodeWidthStr::width(label.as_str()) as u16 + 3 };
            let span = (x, w);
            x += w;
            span
        })
        .collect()
}
