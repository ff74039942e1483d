//! The engine's clock: the machine's local wall clock, or, for tests, one that follows tokio's
//! (pausable) time from a chosen moment and can be made to jump, as a machine's clock does when
//! it wakes from sleep while tokio's monotonic time stood still.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Local, NaiveDateTime, TimeZone};

/// Where the engine reads the time.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// The machine's local time.
    #[default]
    System,
    /// A test's time.
    Manual(Arc<Manual>),
}

/// A clock that starts at `base` and moves with tokio's time, plus any jumps.
#[derive(Debug)]
pub struct Manual {
    base: NaiveDateTime,
    start: tokio::time::Instant,
    jumped_secs: AtomicI64,
}

/// The longest the engine sleeps before it looks at the wall clock again: a machine that slept
/// (monotonic time stands still, the wall clock does not) is noticed within this.
pub const MAX_NAP: Duration = Duration::from_secs(30);

impl Clock {
    /// A test clock from this local moment (call inside a tokio runtime).
    pub fn manual(base: NaiveDateTime) -> (Clock, Arc<Manual>) {
        let m = Arc::new(Manual { base, start: tokio::time::Instant::now(), jumped_secs: AtomicI64::new(0) });
        (Clock::Manual(m.clone()), m)
    }

    /// The local wall-clock time now.
    pub fn now(&self) -> NaiveDateTime {
        match self {
            Clock::System => Local::now().naive_local(),
            Clock::Manual(m) => {
                let elapsed = chrono::Duration::from_std(m.start.elapsed()).unwrap_or_default();
                m.base + elapsed + chrono::Duration::seconds(m.jumped_secs.load(Ordering::Relaxed))
            }
        }
    }

    /// A local time with its zone, for people and the API (None in a gap of a DST change).
    pub fn zoned(t: NaiveDateTime) -> Option<DateTime<Local>> {
        Local.from_local_datetime(&t).earliest()
    }

    /// Sleeps until `t` or for [`MAX_NAP`], whichever is sooner.
    pub async fn nap_until(&self, t: Option<NaiveDateTime>) {
        let now = self.now();
        let wait = t.map_or(MAX_NAP, |t| (t - now).to_std().unwrap_or(Duration::ZERO).min(MAX_NAP));
        tokio::time::sleep(wait).await;
    }
}

impl Manual {
    /// The wall clock jumps ahead (a machine waking from sleep); tokio's time does not.
    pub fn jump(&self, by: chrono::Duration) {
        self.jumped_secs.fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}
