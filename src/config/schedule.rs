//! A server's rules, kind-neutral: when each job (import, export) starts ([`StartMode`]), the
//! hours window runs may start in, the weekdays they may start on, and [`Rule::next_start`], the
//! pure function an engine asks when a job runs next. Times are the machine's local wall clock
//! (the hours a shop owner writes), passed in, never read here.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDateTime, NaiveTime, Timelike, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::i18n::{current, Msg};

/// When a job starts, as a server's rules say (Utility Center's "Старт на импорт/експорт").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", content = "minutes", rename_all = "snake_case")]
pub enum StartMode {
    /// Never.
    Never,
    /// Once, when the server starts.
    OnStart,
    /// Once, this many minutes after the server starts.
    Delayed(u32),
    /// Every this many minutes (the first run when the server starts).
    Periodic(u32),
    /// Every this many minutes on the clock: at the multiples of it counted from midnight
    /// (every 120: 00:00, 02:00, 04:00 ...), the first at the first such moment after the start.
    Aligned(u32),
    /// At these times of day.
    At(ClockTimes),
}

/// One job's rule: its start mode, and the window and weekdays it may start in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// When it starts.
    pub mode: StartMode,
    /// Runs start only inside this window of the day.
    pub hours: TimeWindow,
    /// And only on these days.
    pub weekdays: Weekdays,
}

/// A server's rules: one per job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rules {
    /// When orders are imported.
    pub import: Rule,
    /// When goods, partners and quantities are exported.
    pub export: Rule,
}

/// How far ahead [`Rule::next_start`] looks for an allowed moment: past a week every weekday
/// has come round.
const LOOK_AHEAD_DAYS: i64 = 8;

impl Rule {
    /// When the job should start next, or None when it never will again (never; or once, and it
    /// ran). `server_start` is when the server was started; `last_start` and `last_end` are the
    /// job's last run since then (`last_end` before `last_start`, or None, while it runs: a
    /// running job is never started again, so runs cannot overlap). A periodic tick missed while
    /// the machine slept gives `now`, once, not one run per missed tick. The moment returned is
    /// never before `now` and always inside the hours window on an allowed weekday.
    pub fn next_start(
        &self,
        now: NaiveDateTime,
        server_start: NaiveDateTime,
        last_start: Option<NaiveDateTime>,
        last_end: Option<NaiveDateTime>,
    ) -> Option<NaiveDateTime> {
        let running = last_start.is_some_and(|s| last_end.is_none_or(|e| e < s));
        if running {
            return None;
        }
        let due = match (self.mode, last_start) {
            (StartMode::Never, _) => return None,
            (StartMode::OnStart | StartMode::Delayed(_), Some(_)) => return None,
            (StartMode::OnStart, None) => server_start,
            (StartMode::Delayed(min), None) => server_start + Duration::minutes(min.into()),
            (StartMode::Periodic(_), None) => server_start,
            (StartMode::Periodic(min), Some(start)) => {
                // The period counts from the last start, and never ends before the last run did.
                let after = start + Duration::minutes(min.max(1).into());
                last_end.map_or(after, |end| after.max(end))
            }
            // The clock's next tick after the last start (or from the server's start). A tick
            // missed while the machine slept is in the past: it runs once, now, if now is
            // allowed; else the first allowed tick from now.
            (StartMode::Aligned(_) | StartMode::At(_), last) => {
                let from = last.map_or(server_start, |s| s + Duration::seconds(1));
                let due = self.next_tick(from)?;
                if due <= now && self.weekdays.allows(&self.hours, now) {
                    return Some(now);
                }
                return self.next_allowed_tick(due.max(now));
            }
        };
        self.allowed_from(due.max(now))
    }

    /// The minutes of the day a clock-bound mode ticks at.
    fn ticks(&self) -> Vec<u16> {
        match self.mode {
            StartMode::Aligned(min) => (0..1440u16).step_by(min.clamp(1, 1440) as usize).collect(),
            StartMode::At(times) => times.minutes().collect(),
            _ => Vec::new(),
        }
    }

    /// The first tick at or after `t`, allowed or not.
    fn next_tick(&self, t: NaiveDateTime) -> Option<NaiveDateTime> {
        let ticks = self.ticks();
        (0..=1).find_map(|d| {
            let midnight = (t.date() + Duration::days(d)).and_hms_opt(0, 0, 0)?;
            ticks.iter().map(|m| midnight + Duration::minutes((*m).into())).find(|c| *c >= t)
        })
    }

    /// The first tick at or after `t` inside the window on an allowed weekday.
    fn next_allowed_tick(&self, t: NaiveDateTime) -> Option<NaiveDateTime> {
        let ticks = self.ticks();
        (0..=LOOK_AHEAD_DAYS).find_map(|d| {
            let midnight = (t.date() + Duration::days(d)).and_hms_opt(0, 0, 0)?;
            ticks.iter().map(|m| midnight + Duration::minutes((*m).into())).find(|c| *c >= t && self.weekdays.allows(&self.hours, *c))
        })
    }

    /// The first moment at or after `t` inside the window on an allowed weekday.
    pub fn allowed_from(&self, t: NaiveDateTime) -> Option<NaiveDateTime> {
        if self.weekdays.allows(&self.hours, t) {
            return Some(t);
        }
        // Otherwise a window opens: at its start, or (a window spanning midnight) at midnight.
        let opens = [Some(self.hours.start_min), (self.hours.start_min >= self.hours.end_min).then_some(0)];
        (0..=LOOK_AHEAD_DAYS)
            .flat_map(|d| {
                let day = t.date() + Duration::days(d);
                opens.into_iter().flatten().filter_map(move |m| day.and_hms_opt(u32::from(m / 60), u32::from(m % 60), 0))
            })
            .filter(|c| *c >= t && self.weekdays.allows(&self.hours, *c))
            .min()
    }
}

/// Times of day a job starts at ("06:00, 14:30"), as a set of minutes of the day.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ClockTimes([u64; 23]);

impl ClockTimes {
    /// No time.
    pub const NONE: ClockTimes = ClockTimes([0; 23]);

    /// Adds a minute of the day (0..1440).
    pub fn insert(&mut self, minute: u16) {
        if let Some(word) = self.0.get_mut(usize::from(minute / 64)) {
            *word |= 1 << (minute % 64);
        }
    }

    /// The minutes of the day, in order.
    pub fn minutes(&self) -> impl Iterator<Item = u16> + '_ {
        (0..1440u16).filter(|m| self.0.get(usize::from(m / 64)).is_some_and(|w| w & (1 << (m % 64)) != 0))
    }

    /// True when it holds no time.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

impl fmt::Debug for ClockTimes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClockTimes({self})")
    }
}

impl FromStr for ClockTimes {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut times = ClockTimes::NONE;
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let m = parse_hhmm(part, false).ok_or_else(|| Msg::NotClockTimes.with(current(), &[("value", &part)]))?;
            times.insert(m);
        }
        Ok(times)
    }
}

impl fmt::Display for ClockTimes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all: Vec<String> = self.minutes().map(|m| format!("{:02}:{:02}", m / 60, m % 60)).collect();
        f.write_str(&all.join(", "))
    }
}

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
        let bad = || Msg::NotAWindow.with(current(), &[("value", &s)]);
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let start_min = parse_hhmm(a, false).ok_or_else(bad)?;
        let end_min = parse_hhmm(b, true).ok_or_else(bad)?;
        if start_min == end_min || (start_min == 0 && end_min == 0) {
            return Err(Msg::EmptyWindow.with(current(), &[("value", &s)]));
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

/// Each weekday's full names, English then Bulgarian: a day is written as one of these, its
/// usual short form (below), or any start of one at least three letters long (`mon`, `пон`,
/// `понеделник`; Utility Center writes `пон-пет`).
const DAY_NAMES: [[&str; 2]; 7] = [
    ["monday", "понеделник"],
    ["tuesday", "вторник"],
    ["wednesday", "сряда"],
    ["thursday", "четвъртък"],
    ["friday", "петък"],
    ["saturday", "събота"],
    ["sunday", "неделя"],
];

/// Bulgarian's two-letter forms (пн, вт, ср, чт, пт, сб, нд).
const DAY_SHORT_BG: [&str; 7] = ["пн", "вт", "ср", "чт", "пт", "сб", "нд"];

/// The day (0 Monday) a name means, in English or Bulgarian, any case.
fn weekday_index(name: &str) -> Option<usize> {
    let d = name.trim().to_lowercase();
    if let Some(i) = DAY_SHORT_BG.iter().position(|s| *s == d) {
        return Some(i);
    }
    // Compared by characters, never by byte offsets: Cyrillic letters are two bytes.
    if d.chars().count() < 3 {
        return None;
    }
    DAY_NAMES.iter().position(|names| names.iter().any(|full| full.starts_with(d.as_str())))
}

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
        let day = |d: &str| weekday_index(d).ok_or_else(|| Msg::NotAWeekday.with(current(), &[("value", &d.trim())]));
        let mut bits = 0u8;
        for part in s.split(',').map(str::trim) {
            if part.is_empty() {
                return Err(Msg::EmptyWeekdayEntry.with(current(), &[("value", &s)]));
            }
            match part.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (day(a)?, day(b)?);
                    if a > b {
                        return Err(Msg::WeekdaysBackwards.with(current(), &[("value", &part)]));
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

/// Bulgarian's three-letter forms, as Utility Center writes them (`пон-пет`); each is read back
/// as the start of its day's full name.
const DAYS_BG: [&str; 7] = ["пон", "вто", "сря", "чет", "пет", "съб", "нед"];

impl Weekdays {
    /// The days as a person of `lang` writes them: `пон-пет` in Bulgarian, `mon-fri` otherwise
    /// (what the files hold); either is read back.
    pub fn words(&self, lang: crate::config::Lang) -> String {
        let days = match lang {
            crate::config::Lang::Bg => &DAYS_BG,
            _ => &DAYS,
        };
        self.written(days)
    }

    /// Runs of three days or more as ranges (mon-fri, mon-sun), the rest listed.
    fn written(&self, days: &[&str; 7]) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut d = 0;
        while d < 7 {
            if self.0 & (1 << d) == 0 {
                d += 1;
                continue;
            }
            let start = d;
            while d + 1 < 7 && self.0 & (1 << (d + 1)) != 0 {
                d += 1;
            }
            if d - start >= 2 {
                parts.push(format!("{}-{}", days[start], days[d]));
            } else {
                parts.extend((start..=d).map(|x| days[x].to_owned()));
            }
            d += 1;
        }
        parts.join(",")
    }
}

impl fmt::Display for Weekdays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written(&DAYS))
    }
}

/// Serde through the written form (`"08:00-20:00"`, `"mon-fri"`), as server files hold them.
macro_rules! serde_as_text {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
serde_as_text!(TimeWindow);
serde_as_text!(Weekdays);
serde_as_text!(ClockTimes);

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
        assert_eq!(Weekdays::ALL.to_string(), "mon-sun");
        assert_eq!("mon,tue,wed,thu,fri".parse::<Weekdays>().unwrap().to_string(), "mon-fri");
        assert_eq!("mon-wed,fri,sat".parse::<Weekdays>().unwrap().to_string(), "mon-wed,fri,sat");
        for bad in ["", "fri-mon", "mon,,tue", "funday", "mo", "по", "пет-пон", "ж", "🙂🙂🙂", "\u{0}"] {
            assert!(bad.parse::<Weekdays>().is_err(), "{bad}");
        }
        // Utility Center's Bulgarian, written back in one canonical form.
        assert_eq!("пон-пет".parse::<Weekdays>().unwrap().to_string(), "mon-fri");
        assert_eq!("Съб, НЕД".parse::<Weekdays>().unwrap().to_string(), "sat,sun");
        assert_eq!("понеделник,ср,петък".parse::<Weekdays>().unwrap().to_string(), "mon,wed,fri");
        // Shown back in the user's language, and read back as the same days.
        use crate::config::Lang;
        assert_eq!("пон-пет".parse::<Weekdays>().unwrap().words(Lang::Bg), "пон-пет");
        assert_eq!(Weekdays::ALL.words(Lang::Bg), "пон-нед");
        assert_eq!("mon-wed,fri,sat".parse::<Weekdays>().unwrap().words(Lang::Bg), "пон-сря,пет,съб");
        assert_eq!("mon-fri".parse::<Weekdays>().unwrap().words(Lang::En), "mon-fri");
        for bits in 1..=0b111_1111u8 {
            let w = Weekdays(bits);
            assert_eq!(w.words(Lang::Bg).parse::<Weekdays>(), Ok(w), "{}", w.words(Lang::Bg));
        }
    }

    /// 2026-12-01 is a Tuesday.
    fn at(day: u32, h: u32, m: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, day).unwrap().and_hms_opt(h, m, 0).unwrap()
    }

    fn rule(mode: StartMode, hours: &str, days: &str) -> Rule {
        Rule { mode, hours: hours.parse().unwrap(), weekdays: days.parse().unwrap() }
    }

    #[test]
    fn never_never_starts() {
        let r = rule(StartMode::Never, "00:00-24:00", "mon-sun");
        assert_eq!(r.next_start(at(1, 9, 0), at(1, 9, 0), None, None), None);
    }

    #[test]
    fn on_start_runs_once_at_start_or_when_the_window_opens() {
        let r = rule(StartMode::OnStart, "00:00-24:00", "mon-sun");
        assert_eq!(r.next_start(at(1, 9, 0), at(1, 9, 0), None, None), Some(at(1, 9, 0)));
        assert_eq!(r.next_start(at(1, 9, 5), at(1, 9, 0), Some(at(1, 9, 0)), Some(at(1, 9, 1))), None, "once");
        let office = rule(StartMode::OnStart, "08:00-18:00", "mon-fri");
        assert_eq!(office.next_start(at(1, 6, 30), at(1, 6, 30), None, None), Some(at(1, 8, 0)));
        assert_eq!(office.next_start(at(1, 19, 0), at(1, 19, 0), None, None), Some(at(2, 8, 0)), "tomorrow morning");
        // Friday evening: Monday morning.
        assert_eq!(office.next_start(at(4, 19, 0), at(4, 19, 0), None, None), Some(at(7, 8, 0)));
    }

    #[test]
    fn delayed_waits_its_minutes_after_the_server_starts() {
        let r = rule(StartMode::Delayed(15), "00:00-24:00", "mon-sun");
        assert_eq!(r.next_start(at(1, 9, 0), at(1, 9, 0), None, None), Some(at(1, 9, 15)));
        assert_eq!(r.next_start(at(1, 9, 20), at(1, 9, 0), None, None), Some(at(1, 9, 20)), "late: now");
        assert_eq!(r.next_start(at(1, 9, 30), at(1, 9, 0), Some(at(1, 9, 15)), Some(at(1, 9, 16))), None);
        let evening = rule(StartMode::Delayed(30), "00:00-18:00", "mon-sun");
        assert_eq!(evening.next_start(at(1, 17, 50), at(1, 17, 50), None, None), Some(at(2, 0, 0)));
    }

    #[test]
    fn periodic_counts_from_the_last_start_and_never_overlaps() {
        let r = rule(StartMode::Periodic(15), "00:00-24:00", "mon-sun");
        assert_eq!(r.next_start(at(1, 9, 0), at(1, 9, 0), None, None), Some(at(1, 9, 0)), "first at start");
        assert_eq!(r.next_start(at(1, 9, 1), at(1, 9, 0), Some(at(1, 9, 0)), Some(at(1, 9, 1))), Some(at(1, 9, 15)));
        // Running: no next start until it ends.
        assert_eq!(r.next_start(at(1, 9, 20), at(1, 9, 0), Some(at(1, 9, 15)), Some(at(1, 9, 1))), None);
        assert_eq!(r.next_start(at(1, 9, 20), at(1, 9, 0), Some(at(1, 9, 15)), None), None);
        // A run longer than the period: the next starts when it ended, not in the past.
        assert_eq!(r.next_start(at(1, 9, 40), at(1, 9, 0), Some(at(1, 9, 15)), Some(at(1, 9, 40))), Some(at(1, 9, 40)));
    }

    #[test]
    fn a_missed_tick_after_sleep_runs_once_now() {
        let r = rule(StartMode::Periodic(10), "00:00-24:00", "mon-sun");
        // Asleep from 09:05 to 13:00: 24 ticks missed, one run now.
        assert_eq!(r.next_start(at(1, 13, 0), at(1, 9, 0), Some(at(1, 9, 0)), Some(at(1, 9, 5))), Some(at(1, 13, 0)));
    }

    #[test]
    fn windows_that_span_midnight_and_weekdays() {
        let night = rule(StartMode::Periodic(60), "22:00-06:00", "mon-sun");
        assert_eq!(night.next_start(at(1, 12, 0), at(1, 12, 0), None, None), Some(at(1, 22, 0)));
        assert_eq!(night.next_start(at(1, 23, 30), at(1, 22, 0), Some(at(1, 22, 30)), Some(at(1, 22, 31))), Some(at(1, 23, 30)));
        assert_eq!(night.next_start(at(2, 5, 30), at(1, 22, 0), Some(at(2, 5, 0)), Some(at(2, 5, 1))), Some(at(2, 22, 0)), "06:00 closes it");
        // Only on weekends, at night: Tuesday noon waits for Saturday 00:00 (Friday night's part
        // after midnight is Saturday's).
        let weekend_nights = rule(StartMode::Periodic(60), "22:00-06:00", "sat-sun");
        assert_eq!(weekend_nights.next_start(at(1, 12, 0), at(1, 12, 0), None, None), Some(at(5, 0, 0)));
        let mornings = rule(StartMode::Periodic(30), "08:00-09:00", "wed");
        assert_eq!(mornings.next_start(at(1, 8, 30), at(1, 8, 30), None, None), Some(at(2, 8, 0)));
        assert_eq!(
            mornings.next_start(at(2, 8, 45), at(2, 8, 0), Some(at(2, 8, 30)), Some(at(2, 8, 31))),
            Some(at(9, 8, 0)),
            "09:00 is after the window; next Wednesday"
        );
    }

    #[test]
    fn clock_times_start_at_each_time_once_and_a_missed_one_runs_once() {
        let times: ClockTimes = "14:30, 06:00".parse().unwrap();
        assert_eq!(times.to_string(), "06:00, 14:30");
        let r = rule(StartMode::At(times), "00:00-24:00", "mon-sun");
        // Started at 10:00: the 06:00 is past, the next is 14:30.
        assert_eq!(r.next_start(at(1, 10, 0), at(1, 10, 0), None, None), Some(at(1, 14, 30)));
        assert_eq!(r.next_start(at(1, 5, 0), at(1, 5, 0), None, None), Some(at(1, 6, 0)));
        // After the 06:00 run, 14:30; after the 14:30 run, tomorrow's 06:00.
        assert_eq!(r.next_start(at(1, 6, 2), at(1, 5, 0), Some(at(1, 6, 0)), Some(at(1, 6, 1))), Some(at(1, 14, 30)));
        assert_eq!(r.next_start(at(1, 14, 31), at(1, 5, 0), Some(at(1, 14, 30)), Some(at(1, 14, 31))), Some(at(2, 6, 0)));
        // Asleep from 06:01 until 20:00: the 14:30 is run once, now.
        assert_eq!(r.next_start(at(1, 20, 0), at(1, 5, 0), Some(at(1, 6, 0)), Some(at(1, 6, 1))), Some(at(1, 20, 0)));
        // A time outside the weekdays waits for an allowed day.
        let weekdays = rule(StartMode::At("06:00".parse().unwrap()), "00:00-24:00", "mon-fri");
        assert_eq!(weekdays.next_start(at(4, 7, 0), at(4, 7, 0), None, None), Some(at(7, 6, 0)), "Friday 07:00: Monday 06:00");
        for bad in ["6", "25:00", "06:00-07:00", "06:60", "24:00"] {
            assert!(bad.parse::<ClockTimes>().is_err(), "{bad}");
        }
        assert!("".parse::<ClockTimes>().unwrap().is_empty());
    }

    #[test]
    fn aligned_periods_start_on_the_clock() {
        let r = rule(StartMode::Aligned(120), "00:00-24:00", "mon-sun");
        assert_eq!(r.next_start(at(1, 9, 17), at(1, 9, 17), None, None), Some(at(1, 10, 0)));
        assert_eq!(r.next_start(at(1, 10, 5), at(1, 9, 17), Some(at(1, 10, 0)), Some(at(1, 10, 5))), Some(at(1, 12, 0)));
        assert_eq!(r.next_start(at(1, 23, 0), at(1, 9, 17), Some(at(1, 22, 0)), Some(at(1, 22, 1))), Some(at(2, 0, 0)));
        // A run longer than the period skips the ticks it covered: no overlap, no pile-up.
        assert_eq!(r.next_start(at(1, 14, 30), at(1, 9, 17), Some(at(1, 10, 0)), Some(at(1, 14, 30))), Some(at(1, 14, 30)));
        // 45 does not divide the day: 23:15 is the last tick, then 00:00.
        let odd = rule(StartMode::Aligned(45), "00:00-24:00", "mon-sun");
        assert_eq!(odd.next_start(at(1, 23, 20), at(1, 23, 20), None, None), Some(at(2, 0, 0)));
        // Inside a window spanning midnight only.
        let night = rule(StartMode::Aligned(60), "22:00-02:00", "mon-sun");
        assert_eq!(night.next_start(at(1, 12, 10), at(1, 12, 10), None, None), Some(at(1, 22, 0)));
        assert_eq!(night.next_start(at(2, 1, 5), at(1, 22, 0), Some(at(2, 1, 0)), Some(at(2, 1, 5))), Some(at(2, 22, 0)));
    }

    #[test]
    fn text_forms_round_trip_through_serde() {
        let w: TimeWindow = serde_json::from_str("\"22:00-06:00\"").unwrap();
        assert_eq!(serde_json::to_string(&w).unwrap(), "\"22:00-06:00\"");
        assert!(serde_json::from_str::<Weekdays>("\"fri-mon\"").is_err());
    }
}
