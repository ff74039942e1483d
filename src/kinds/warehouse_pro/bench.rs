//! For `make bench` only: the ways obmen worked before the import booked a page at a time and
//! the full export overlapped reading and sending, kept so that each is measured against the
//! other in one run; and how long the parts of the last full export took. Nothing a user sets
//! reaches these: no setting, flag or variable.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The import writes one order a transaction, with its own look-ups (as a page of one).
pub static ORDER_BY_ORDER: AtomicBool = AtomicBool::new(false);
/// The full export reads every good before sending any.
pub static READ_THEN_SEND: AtomicBool = AtomicBool::new(false);
/// The reading of the last full export with [`READ_THEN_SEND`], in milliseconds.
pub static READ_MS: AtomicU64 = AtomicU64::new(0);
/// The sending of the last full export (from the first batch read to the last sent), in
/// milliseconds: with [`READ_THEN_SEND`], the sending alone.
pub static SEND_MS: AtomicU64 = AtomicU64::new(0);

pub(super) fn note(what: &AtomicU64, since: std::time::Instant) {
    what.store(since.elapsed().as_millis() as u64, Ordering::Relaxed);
}

/// How many orders the import writes together.
pub(super) fn page() -> usize {
    if ORDER_BY_ORDER.load(Ordering::Relaxed) {
        1
    } else {
        super::pages::PAGE
    }
}
