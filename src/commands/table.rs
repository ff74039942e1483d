//! Plain-text tables for the terminal: columns padded by the width text takes on screen
//! (unicode-width), so that Cyrillic and wide characters line up like ASCII.

use unicode_width::UnicodeWidthStr;

/// The rows under their headers, each column but the last padded to its widest cell, two spaces
/// between columns, no trailing spaces.
pub(super) fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let columns = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(cell.width());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate().take(columns) {
            line.push_str(cell);
            if i + 1 < columns {
                line.push_str(&" ".repeat(widths[i] - cell.width() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_and_wide_text_line_up() {
        let t = render(&["NAME", "KIND"], &[vec!["Магазин София".into(), "a".into()], vec!["Shop".into(), "b".into()], vec!["店".into(), "c".into()]]);
        let starts: Vec<usize> = t.lines().map(|l| l.find(['a', 'b', 'c', 'K']).and_then(|b| l.get(..b)).map(|s| s.width()).unwrap_or(0)).collect();
        assert_eq!(starts, [15, 15, 15, 15], "{t}");
    }
}
