//! Reading log files from the end: the newest lines that pass a [`Filter`], found by reading
//! blocks backwards from the end of the newest file (a first screen of a 500 MB log reads one
//! block), and [`Follow`], which hands out lines as they are appended and moves on to the next
//! day's file at midnight.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Local};

use super::{day_file, files, Level, Line};

/// The size of one block read backwards.
const BLOCK: u64 = 64 * 1024;

/// Which lines to show.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// At least this level.
    pub level: Option<Level>,
    /// Not older than this.
    pub since: Option<DateTime<FixedOffset>>,
    /// Holding this text, any case.
    pub grep: Option<String>,
    /// Of this run.
    pub run: Option<i64>,
}

impl Filter {
    /// True when the line passes.
    pub fn passes(&self, line: &Line) -> bool {
        self.level.is_none_or(|l| line.level >= l)
            && self.since.is_none_or(|s| line.ts >= s)
            && self.run.is_none_or(|r| line.run == Some(r))
            && self.grep.as_ref().is_none_or(|g| {
                let g = g.to_lowercase();
                line.msg.to_lowercase().contains(&g) || line.event.to_lowercase().contains(&g)
            })
    }
}

/// Reads one file's complete lines from its end backwards, a block at a time.
struct Backwards {
    file: File,
    pos: u64,
    carry: Vec<u8>,
    ready: Vec<Vec<u8>>,
    first: bool,
}

impl Backwards {
    fn open(path: &Path) -> std::io::Result<Backwards> {
        let file = File::open(path)?;
        let pos = file.metadata()?.len();
        Ok(Backwards { file, pos, carry: Vec::new(), ready: Vec::new(), first: true })
    }

    /// The previous complete line, or None at the start of the file.
    fn prev(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(line) = self.ready.pop() {
                return Ok(Some(line));
            }
            if self.pos == 0 {
                if self.carry.is_empty() {
                    return Ok(None);
                }
                return Ok(Some(std::mem::take(&mut self.carry)));
            }
            let start = self.pos.saturating_sub(BLOCK);
            let mut block = vec![0u8; usize::try_from(self.pos - start).unwrap_or(0)];
            self.file.seek(SeekFrom::Start(start))?;
            self.file.read_exact(&mut block)?;
            self.pos = start;
            block.extend_from_slice(&self.carry);
            let mut parts: Vec<&[u8]> = block.split(|b| *b == b'\n').collect();
            // The last part has no newline after it: at the file's end a line still being
            // written (left for `Follow`), otherwise empty.
            let last = parts.pop().unwrap_or_default();
            if !self.first && !last.is_empty() {
                // Cannot happen: carry always ends where a newline began.
                parts.push(last);
            }
            self.first = false;
            // The first part may begin before this block: keep it for the next.
            self.carry = if parts.is_empty() { Vec::new() } else { parts.remove(0).to_vec() };
            self.ready = parts.into_iter().filter(|p| !p.is_empty()).map(<[u8]>::to_vec).collect();
            if self.pos == 0 && !self.carry.is_empty() {
                self.ready.insert(0, std::mem::take(&mut self.carry));
            }
        }
    }
}

/// The newest `n` lines of a server's log (or the daemon's, with None) that pass the filter,
/// oldest first. Lines that are not obmen's JSON are skipped.
pub fn read(dir: &Path, server: Option<&str>, filter: &Filter, n: usize) -> std::io::Result<Vec<Line>> {
    let mut out = Vec::new();
    'files: for path in files(dir, server).into_iter().rev() {
        let mut back = match Backwards::open(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        while let Some(raw) = back.prev()? {
            let Ok(line) = serde_json::from_slice::<Line>(&raw) else { continue };
            if filter.since.is_some_and(|s| line.ts < s) {
                break 'files;
            }
            if filter.passes(&line) {
                out.push(line);
                if out.len() >= n {
                    break 'files;
                }
            }
        }
    }
    out.reverse();
    Ok(out)
}

/// Follows a server's log as it grows: each [`Follow::poll`] gives the complete lines appended
/// since the last, and at midnight moves to the new day's file after finishing the old one.
#[derive(Debug)]
pub struct Follow {
    dir: PathBuf,
    server: Option<String>,
    path: PathBuf,
    offset: u64,
    partial: Vec<u8>,
}

impl Follow {
    /// Follows from the current end of today's file.
    pub fn from_end(dir: &Path, server: Option<&str>) -> Follow {
        let path = day_file(dir, server, Local::now().date_naive());
        let offset = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        Follow { dir: dir.to_owned(), server: server.map(str::to_owned), path, offset, partial: Vec::new() }
    }

    /// The lines appended since the last call.
    pub fn poll(&mut self) -> std::io::Result<Vec<Line>> {
        self.poll_on(Local::now().date_naive())
    }

    /// [`Follow::poll`] on a given day: the rest of the file followed so far, then the day's own.
    pub fn poll_on(&mut self, day: chrono::NaiveDate) -> std::io::Result<Vec<Line>> {
        let mut out = self.drain()?;
        let today = day_file(&self.dir, self.server.as_deref(), day);
        if today != self.path && today.exists() {
            self.path = today;
            self.offset = 0;
            self.partial.clear();
            out.extend(self.drain()?);
        }
        Ok(out)
    }

    fn drain(&mut self) -> std::io::Result<Vec<Line>> {
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let len = file.metadata()?.len();
        if len < self.offset {
            // Moved aside under its cap: the new file starts from nothing.
            self.offset = 0;
            self.partial.clear();
        }
        file.seek(SeekFrom::Start(self.offset))?;
        let mut buf = Vec::new();
        file.take(len - self.offset).read_to_end(&mut buf)?;
        self.offset += buf.len() as u64;
        self.partial.extend_from_slice(&buf);
        let mut lines = Vec::new();
        while let Some(i) = self.partial.iter().position(|b| *b == b'\n') {
            let raw: Vec<u8> = self.partial.drain(..=i).collect();
            if let Ok(line) = serde_json::from_slice::<Line>(&raw) {
                lines.push(line);
            }
        }
        Ok(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Limits, Logs};
    use super::*;

    #[test]
    fn the_newest_lines_come_from_the_end_across_blocks_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let logs = Logs::new(dir.path().to_owned(), Limits::default());
        // Yesterday's file, written by hand; today's by the writer, with lines longer than a block.
        let yesterday = Local::now().date_naive() - chrono::Duration::days(1);
        std::fs::create_dir_all(dir.path().join("S")).unwrap();
        let mut old = String::new();
        for i in 0..10 {
            let mut l = Line::now(Level::Info, Some("S"), Some(1), "old", format!("old {i}"));
            l.ts -= chrono::Duration::days(1);
            old.push_str(&serde_json::to_string(&l).unwrap());
            old.push('\n');
        }
        old.push_str("not json\n");
        std::fs::write(day_file(dir.path(), Some("S"), yesterday), old).unwrap();
        for i in 0..3000 {
            let level = if i % 100 == 0 { Level::Error } else { Level::Info };
            let msg = if i == 1500 { "Ж".repeat(40_000) } else { format!("new {i}") };
            logs.write(&Line::now(level, Some("S"), Some(2), "new", msg));
        }
        let last = read(dir.path(), Some("S"), &Filter::default(), 5).unwrap();
        assert_eq!(last.iter().map(|l| l.msg.as_str()).collect::<Vec<_>>(), ["new 2995", "new 2996", "new 2997", "new 2998", "new 2999"]);
        let all = read(dir.path(), Some("S"), &Filter::default(), 100_000).unwrap();
        assert_eq!(all.len(), 3010, "every line once, across files, the one not JSON left out");
        assert_eq!(all[0].msg, "old 0");
        assert_eq!(all[1510].msg.chars().count(), 40_000);
        let errors = read(dir.path(), Some("S"), &Filter { level: Some(Level::Error), ..Filter::default() }, 100).unwrap();
        assert_eq!(errors.len(), 30);
        let run1 = read(dir.path(), Some("S"), &Filter { run: Some(1), ..Filter::default() }, 100).unwrap();
        assert_eq!(run1.len(), 10);
        let grep = read(dir.path(), Some("S"), &Filter { grep: Some("NEW 299".into()), ..Filter::default() }, 100).unwrap();
        assert_eq!(grep.len(), 11);
        let since = Local::now().fixed_offset() - chrono::Duration::hours(1);
        let recent = read(dir.path(), Some("S"), &Filter { since: Some(since), ..Filter::default() }, 100_000).unwrap();
        assert_eq!(recent.len(), 3000);
    }

    #[test]
    fn follow_gives_appended_lines_once_and_waits_for_a_line_to_end() {
        let dir = tempfile::tempdir().unwrap();
        let logs = Logs::new(dir.path().to_owned(), Limits::default());
        logs.write(&Line::now(Level::Info, Some("S"), None, "a", "before"));
        let mut follow = Follow::from_end(dir.path(), Some("S"));
        assert!(follow.poll().unwrap().is_empty());
        logs.write(&Line::now(Level::Info, Some("S"), None, "a", "one"));
        logs.write(&Line::now(Level::Info, Some("S"), None, "a", "two"));
        let got = follow.poll().unwrap();
        assert_eq!(got.iter().map(|l| l.msg.as_str()).collect::<Vec<_>>(), ["one", "two"]);
        // Half a line: held until its newline comes.
        let path = day_file(dir.path(), Some("S"), Local::now().date_naive());
        let text = serde_json::to_string(&Line::now(Level::Info, Some("S"), None, "a", "three")).unwrap();
        let (a, b) = text.split_at(10);
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(a.as_bytes()).unwrap();
        assert!(follow.poll().unwrap().is_empty());
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(format!("{b}\n").as_bytes()).unwrap();
        assert_eq!(follow.poll().unwrap()[0].msg, "three");
        // Midnight: the rest of the old day's file, then the new day's from its start.
        logs.write(&Line::now(Level::Info, Some("S"), None, "a", "last of the day"));
        let tomorrow = Local::now().date_naive() + chrono::Duration::days(1);
        let next = day_file(dir.path(), Some("S"), tomorrow);
        std::fs::write(&next, format!("{}\n", serde_json::to_string(&Line::now(Level::Info, Some("S"), None, "a", "first of the next")).unwrap())).unwrap();
        let got = follow.poll_on(tomorrow).unwrap();
        assert_eq!(got.iter().map(|l| l.msg.as_str()).collect::<Vec<_>>(), ["last of the day", "first of the next"]);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&next)
            .unwrap()
            .write_all(format!("{}\n", serde_json::to_string(&Line::now(Level::Info, Some("S"), None, "a", "more")).unwrap()).as_bytes())
            .unwrap();
        assert_eq!(follow.poll_on(tomorrow).unwrap()[0].msg, "more");
    }

    use std::io::Write;
}
