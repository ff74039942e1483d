//! The two schedule values of a server's rules: the hours window runs may start in, and the
//! weekdays they may start on.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDateTime, NaiveTime, Timelike, Weekday};

/// "HH:MM-HH:MM": runs start only inside it. A window whose end is before its start spans
/// midnight (22:00-06:00). "00:00-24:00" is the whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    /// Minutes after midnight of the start, 0..=1439.
    pub start_min: u16,
    /// Minutes after midnight of the end, 1..=1440.
    pub end_min: u16,
}

impl TimeWindow {
    /// The whole day.
    pub const ALL_DAY: TimeWindow = TimeWindow { start_min: 0, end_min: 1440 };

    /// True when a run may start at this time of day.
    pub fn contains(&self, t: NaiveTime) -> bool {
        let m = (t.hour() * 60 + t.minute()) as u16;
        if self.start_min < self.end_min {
            (self.start_min..self.end_min).contains(&m)
        } else {
            m >= self.start_min || m < self.end_min
        }
    }
}

fn parse_hhmm(s: &str, allow_24: bool) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    if m >= 60 {
        return None;
    }
    match (h, m) {
        (24, 0) if allow_24 => Some(1440),
        (h, m) if h < 24 => Some(h * 60 + m),
        _ => None,
    }
}

impl FromStr for TimeWindow {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}' is not a time window: write HH:MM-HH:MM, e.g. 08:00-20:00 or 00:00-24:00");
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let start_min = parse_hhmm(a, false).ok_or_else(bad)?;
        let end_min = parse_hhmm(b, true).ok_or_else(bad)?;
        if start_min == end_min || (start_min == 0 && end_min == 0) {
            return Err(format!("'{s}' is an empty time window: the start and the end are the same"));
        }
        Ok(TimeWindow { start_min, end_min: if end_min == 0 { 1440 } else { end_min } })
    }
}

impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}-{:02}:{:02}", self.start_min / 60, self.start_min % 60, self.end_min / 60, self.end_min % 60)
    }
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The weekdays runs may start on, as a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weekdays(
    /// Bit 0 Monday .. bit 6 Sunday.
    pub u8,
);

impl Weekdays {
    /// Every day.
    pub const ALL: Weekdays = Weekdays(0b111_1111);

    /// True when runs may start on this day.
    pub fn contains(&self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// True when runs may start at this local time.
    pub fn allows(&self, window: &TimeWindow, at: NaiveDateTime) -> bool {
        self.contains(at.weekday()) && window.contains(at.time())
    }
}

impl FromStr for Weekdays {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let day = |d: &str| {
            let d = d.trim().to_lowercase();
            DAYS.iter().position(|x| d == *x || (d.len() > 3 && x.starts_with(&d[..3]) && DAYS.contains(&&d[..3])))
                .ok_or_else(|| format!("'{d}' is not a weekday: use mon, tue, wed, thu, fri, sat, sun"))
        };
        let mut bits = 0u8;
        for part in s.split(',').map(str::trim) {
            if part.is_empty() {
                return Err(format!("'{s}' has an empty entry: write e.g. mon-fri or mon,wed,fri"));
            }
            match part.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (day(a)?, day(b)?);
                    if a > b {
                        return Err(format!("'{part}' runs backwards: write the earlier day first (e.g. sat-sun)"));
                    }
                    for d in a..=b {
                        bits |= 1 << d;
                    }
                }
                None => bits |= 1 << day(part)?,
            }
        }
        Ok(Weekdays(bits))
    }
}

impl fmt::Display for Weekdays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days: Vec<&str> = (0..7).filter(|d| self.0 & (1 << d) != 0).map(|d| DAYS[d]).collect();
        f.write_str(&days.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn windows() {
        let all: TimeWindow = "00:00-24:00".parse().unwrap();
        assert_eq!(all, TimeWindow::ALL_DAY);
        assert!(all.contains(t(23, 59)) && all.contains(t(0, 0)));
        let day: TimeWindow = "08:00-20:00".parse().unwrap();
        assert!(day.contains(t(8, 0)) && day.contains(t(19, 59)) && !day.contains(t(20, 0)));
        let night: TimeWindow = "22:00-06:00".parse().unwrap();
        assert!(night.contains(t(23, 0)) && night.contains(t(5, 59)) && !night.contains(t(12, 0)));
        for bad in ["8-20", "08:00", "25:00-26:00", "08:60-09:00", "10:00-10:00", "aa:bb-cc:dd", "00:00-24:01"] {
            assert!(bad.parse::<TimeWindow>().is_err(), "{bad}");
        }
        assert_eq!(day.to_string(), "08:00-20:00");
    }

    #[test]
    fn weekdays() {
        let w: Weekdays = "mon-fri".parse().unwrap();
        assert!(w.contains(Weekday::Mon) && w.contains(Weekday::Fri) && !w.contains(Weekday::Sat));
        assert_eq!("mon-sun".parse::<Weekdays>().unwrap(), Weekdays::ALL);
        assert_eq!("mon,wed, sat-sun".parse::<Weekdays>().unwrap().to_string(), "mon,wed,sat,sun");
        assert_eq!("Monday".parse::<Weekdays>().unwrap().to_string(), "mon");
        for bad in ["", "fri-mon", "mon,,tue", "funday"] {
            assert!(bad.parse::<Weekdays>().is_err(), "{bad}");
        }
    }
}
