//! Where a BaseLinker server's import stands, and the next page of orders from there: paging by
//! confirmation time (`getOrders` with `date_confirmed_from`), confirmed orders only.
//!
//! The position is the core's opaque cursor, saved after each page's orders are booked:
//! `d:SECOND:ID,ID,…`, the confirmation second to read from and the orders of that second already
//! read. The documentation's way (the next page from the last order's second plus one) would lose
//! the orders of a second cut by a page's end; read from that second again and skipping what was
//! read, each comes once. Only when a whole page shares one second does the position move on by
//! one second (more than a hundred orders confirmed in one second: the rest are not read; see
//! `docs/baselinker.md`).
//!
//! Orders outside the server's chosen statuses are passed over as the position moves past them.
//! An order moved into a chosen status later is found through the order journal
//! (`getJournalList`, where the account has it activated): once paging has caught up, the
//! journal's status changes (type 18) since its saved event id name the orders moved into a
//! chosen status, and those that paging has already passed are read one by one. The journal's
//! position is taken at its end the first time (events before it are in what paging then reads),
//! and saved with the date's: `d:SECOND:ID,…;j:EVENT`. An account without the journal answers
//! it empty: paging alone, as before. Why paging and not the journal finds new orders: see
//! `docs/baselinker.md`.

use crate::baselinker::client::{JOURNAL_PAGE, ORDERS_PAGE};
use crate::baselinker::model;
use crate::baselinker::{BaseLinkerClient, BaseLinkerError};
use crate::kinds::warehouse_pro::shop::Page;

/// Where reading stands: the second to read from, and the orders of that second already read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Position {
    /// Unix seconds.
    pub second: i64,
    /// The ids of the orders confirmed in `second` that were read.
    pub taken: Vec<i64>,
}

impl Position {
    /// The position a cursor names; none or one this kind did not write: the start.
    pub fn parse(cursor: Option<&str>) -> Position {
        let Some(rest) = cursor.and_then(|c| c.strip_prefix("d:")) else { return Position::default() };
        let (second, ids) = rest.split_once(':').unwrap_or((rest, ""));
        let Ok(second) = second.parse::<i64>() else { return Position::default() };
        let taken = ids.split(',').filter_map(|i| i.trim().parse::<i64>().ok()).collect();
        Position { second, taken }
    }

    /// As a cursor.
    pub fn cursor(&self) -> String {
        let ids: Vec<String> = self.taken.iter().map(i64::to_string).collect();
        format!("d:{}:{}", self.second, ids.join(","))
    }
}

fn id_of(o: &serde_json::Value) -> Option<i64> {
    model::whole_number(o, "order_id")
}

/// What a page of `getOrders` from `from` yields: the orders to import (confirmed, not read
/// before, in `statuses` where any are given), the position after it, and whether more follow.
pub fn after(from: &Position, raw: Vec<serde_json::Value>, statuses: &[i64]) -> (Vec<serde_json::Value>, Position, bool) {
    let has_more = raw.len() >= ORDERS_PAGE;
    let mut next = from.clone();
    let mut items = Vec::new();
    for o in raw {
        let second = model::whole_number(&o, "date_confirmed").unwrap_or(0);
        let id = id_of(&o);
        if second > next.second {
            next = Position { second, taken: Vec::new() };
        }
        if let Some(id) = id.filter(|_| second == next.second) {
            if next.taken.contains(&id) {
                continue;
            }
            next.taken.push(id);
        } else if id.is_some_and(|id| second == from.second && from.taken.contains(&id)) {
            continue;
        }
        // An order the journal or a retry might show unconfirmed is never imported here.
        if !model::is_confirmed(&o) {
            continue;
        }
        if !statuses.is_empty() && !model::whole_number(&o, "order_status_id").is_some_and(|s| statuses.contains(&s)) {
            continue;
        }
        items.push(o);
    }
    // A whole page in one second that brought nothing new: move on, or read it for ever.
    if has_more && next == *from {
        next = Position { second: from.second + 1, taken: Vec::new() };
    }
    (items, next, has_more)
}

/// The journal's type for a status change (its object: the new status).
const STATUS_CHANGED: i64 = 18;

/// Where reading stands by date and in the journal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cursor {
    /// By confirmation date.
    pub date: Position,
    /// The last journal event read; none before the journal was first read.
    pub journal: Option<i64>,
    /// True while the journal is read on after paging caught up (its pages were full): the next
    /// page reads the journal only, and paging goes on next run.
    pub in_journal: bool,
}

impl Cursor {
    /// The cursor a saved one names (one without the journal's part: none read yet).
    pub fn parse(cursor: Option<&str>) -> Cursor {
        let Some((date, journal)) = cursor.and_then(|c| c.split_once(';')) else {
            return Cursor { date: Position::parse(cursor), ..Cursor::default() };
        };
        let (journal, in_journal) = match (journal.strip_prefix("j:"), journal.strip_prefix("J:")) {
            (Some(j), _) => (j.trim().parse::<i64>().ok(), false),
            (_, Some(j)) => (j.trim().parse::<i64>().ok(), true),
            _ => (None, false),
        };
        Cursor { date: Position::parse(Some(date)), journal, in_journal: in_journal && journal.is_some() }
    }

    /// As saved.
    pub fn saved(&self) -> String {
        match self.journal {
            Some(j) => format!("{};{}:{j}", self.date.cursor(), if self.in_journal { 'J' } else { 'j' }),
            None => self.date.cursor(),
        }
    }
}

/// The id of the journal's last event: read to its end (a few pages at most, as it keeps three
/// days of events).
async fn journal_end(client: &BaseLinkerClient, mut last: i64) -> Result<i64, BaseLinkerError> {
    loop {
        let events = client.get_journal_list(last, &[STATUS_CHANGED]).await?;
        let Some(end) = events.iter().map(|e| e.id).max().filter(|end| *end > last) else { return Ok(last) };
        last = end;
        if events.len() < JOURNAL_PAGE {
            return Ok(last);
        }
    }
}

/// True when paging by date from `position` still comes to an order confirmed in `second`.
fn ahead(position: &Position, second: i64, id: i64) -> bool {
    second > position.second || (second == position.second && !position.taken.contains(&id))
}

/// The next page of orders from a cursor: by date while pages are full; once paging has caught
/// up, the orders the journal says were moved into a chosen status that paging has passed.
pub async fn page(client: &BaseLinkerClient, cursor: Option<&str>, statuses: &[i64]) -> Result<Page<serde_json::Value>, BaseLinkerError> {
    let mut at = Cursor::parse(cursor);
    // The journal's first read: its end is taken before the first page, so that what happened
    // before it is in what paging reads from here.
    let first = !statuses.is_empty() && at.journal.is_none();
    if statuses.is_empty() {
        // With no chosen statuses, a status change brings no order: no journal.
        at = Cursor { date: at.date, ..Cursor::default() };
    } else if first {
        at.journal = Some(journal_end(client, 0).await?);
        at.in_journal = false;
    }
    let mut items = Vec::new();
    if !at.in_journal {
        let raw = client.get_orders(at.date.second, None).await?;
        let (got, date, more) = after(&at.date, raw, statuses);
        at.date = date;
        items = got;
        if more || first || at.journal.is_none() {
            return Ok(Page { items, next_cursor: Some(at.saved()), has_more: more });
        }
    }
    let Some(journal) = at.journal else { return Ok(Page { items, next_cursor: Some(at.saved()), has_more: false }) };
    let events = client.get_journal_list(journal, &[STATUS_CHANGED]).await?;
    at.in_journal = events.len() >= JOURNAL_PAGE;
    at.journal = Some(events.iter().map(|e| e.id).max().unwrap_or(journal).max(journal));
    let mut moved: Vec<i64> = events.iter().filter(|e| e.log_type == STATUS_CHANGED && statuses.contains(&e.object_id)).map(|e| e.order_id).collect();
    moved.sort_unstable();
    moved.dedup();
    moved.retain(|id| !items.iter().any(|o| id_of(o) == Some(*id)));
    for id in moved {
        let Some(o) = client.get_order(id).await? else { continue };
        let second = model::whole_number(&o, "date_confirmed").unwrap_or(0);
        let chosen = model::whole_number(&o, "order_status_id").is_some_and(|s| statuses.contains(&s));
        // Unconfirmed, moved on again, or still ahead of paging (which brings it): not from here.
        if model::is_confirmed(&o) && chosen && !ahead(&at.date, second, id) {
            items.push(o);
        }
    }
    Ok(Page { items, next_cursor: Some(at.saved()), has_more: at.in_journal })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::baselinker::sim::{Running, SimConfig};
    use crate::kinds::warehouse_pro_baselinker::testing::client;

    /// Reads every page from `cursor`, as the core does, returning the orders by id (how many
    /// times each came) and the cursor it ends at.
    async fn read_all(c: &BaseLinkerClient, mut cursor: Option<String>, statuses: &[i64]) -> (BTreeMap<i64, usize>, Option<String>) {
        let mut seen = BTreeMap::new();
        for _ in 0..50 {
            let p = page(c, cursor.as_deref(), statuses).await.unwrap();
            for o in &p.items {
                *seen.entry(id_of(o).unwrap()).or_default() += 1;
            }
            assert!(!p.has_more || p.next_cursor != cursor, "a page with more after it moves the cursor");
            cursor = p.next_cursor;
            if !p.has_more {
                return (seen, cursor);
            }
        }
        panic!("more than 50 pages");
    }

    #[test]
    fn a_cursor_holds_the_date_and_the_journal_and_a_foreign_one_starts_both() {
        let date = Position { second: 17, taken: vec![3] };
        for c in [
            Cursor { date: date.clone(), journal: None, in_journal: false },
            Cursor { date: date.clone(), journal: Some(0), in_journal: false },
            Cursor { date: date.clone(), journal: Some(812), in_journal: true },
        ] {
            assert_eq!(Cursor::parse(Some(&c.saved())), c, "{}", c.saved());
        }
        assert_eq!(Cursor { date: date.clone(), journal: Some(9), in_journal: true }.saved(), "d:17:3;J:9");
        // A date position alone (saved before the journal was read): the journal not read yet.
        assert_eq!(Cursor::parse(Some("d:17:3")), Cursor { date: date.clone(), journal: None, in_journal: false });
        for foreign in [None, Some(""), Some("d:17:3;x:1"), Some("d:17:3;J:"), Some("abc;j:5")] {
            let c = Cursor::parse(foreign);
            assert!(c.journal.is_none() || c.date == Position::default(), "{foreign:?}: {c:?}");
            assert!(!c.in_journal, "{foreign:?}");
        }
    }

    #[test]
    fn a_position_is_its_cursor_and_a_foreign_cursor_is_the_start() {
        let p = Position { second: 1_796_540_400, taken: vec![5_000_001, 5_000_002] };
        assert_eq!(p.cursor(), "d:1796540400:5000001,5000002");
        assert_eq!(Position::parse(Some(&p.cursor())), p);
        assert_eq!(Position::parse(Some("d:17:")), Position { second: 17, taken: vec![] });
        for foreign in [None, Some(""), Some("abc"), Some("d:x:1"), Some("42")] {
            assert_eq!(Position::parse(foreign), Position::default(), "{foreign:?}");
        }
    }

    /// A second cut by the page's end is read again and its orders come once; a whole page of
    /// one second moves on; unconfirmed orders and those outside the chosen statuses are passed
    /// over.
    #[test]
    fn a_page_moves_the_position_and_yields_each_order_once() {
        let o = |id: i64, second: i64| json!({ "order_id": id, "date_confirmed": second, "confirmed": true, "order_status_id": 1 });
        let from = Position { second: 10, taken: vec![1] };
        let (items, next, more) = after(&from, vec![o(1, 10), o(2, 10), o(3, 11)], &[]);
        assert_eq!(items.iter().filter_map(id_of).collect::<Vec<_>>(), [2, 3]);
        assert_eq!((next, more), (Position { second: 11, taken: vec![3] }, false));
        let (items, next, _) = after(&from, vec![o(1, 10), o(2, 10)], &[]);
        assert_eq!((items.len(), next), (1, Position { second: 10, taken: vec![1, 2] }));
        // Nothing new: the position stays, and the core saves nothing.
        let (items, next, more) = after(&from, vec![o(1, 10)], &[]);
        assert_eq!((items.len(), next.clone(), more), (0, from.clone(), false));
        // A full page of one second, all read before.
        let full: Vec<_> = (0..ORDERS_PAGE as i64).map(|i| o(100 + i, 20)).collect();
        let read = Position { second: 20, taken: (0..ORDERS_PAGE as i64).map(|i| 100 + i).collect() };
        let (items, next, more) = after(&read, full, &[]);
        assert_eq!((items.len(), next, more), (0, Position { second: 21, taken: vec![] }, true));
        // Unconfirmed, and outside the statuses: passed over, but the position moves past them.
        let mut unconfirmed = o(4, 12);
        unconfirmed["confirmed"] = json!(false);
        let mut other = o(5, 12);
        other["order_status_id"] = json!("2");
        let (items, next, _) = after(&Position::default(), vec![unconfirmed, other, o(6, 12)], &[1]);
        assert_eq!(items.iter().filter_map(id_of).collect::<Vec<_>>(), [6]);
        assert_eq!(next, Position { second: 12, taken: vec![4, 5, 6] });
    }

    /// Against the simulator (three orders a second, pages of a hundred): every confirmed order
    /// once; read again from the saved cursor, none; an unconfirmed order never, until it is
    /// confirmed, and then once, with all its products.
    #[tokio::test]
    async fn every_confirmed_order_comes_once_and_an_unconfirmed_one_when_confirmed() {
        let running = Running::start(SimConfig { seed_orders: 250, seed_unconfirmed: 3, requests_per_minute: None, ..SimConfig::new("t") }).await.unwrap();
        let (sim, c) = (&running.sim, client(&running.url, "t", Duration::from_secs(10)));
        let (seen, cursor) = read_all(&c, None, &[]).await;
        assert_eq!(seen.len(), 250);
        assert!(seen.values().all(|n| *n == 1), "{seen:?}");
        let (again, same) = read_all(&c, cursor.clone(), &[]).await;
        assert!(again.is_empty(), "{again:?}");
        assert_eq!(same, cursor);
        let unconfirmed = 5_000_001 + 250;
        assert!(sim.confirm(unconfirmed));
        let (late, _) = read_all(&c, cursor, &[]).await;
        assert_eq!(late.into_iter().collect::<Vec<_>>(), [(unconfirmed, 1)]);
        let order = sim.order(unconfirmed).unwrap();
        assert_eq!(order["products"], order["_all_products"], "confirmed, it holds all its products");
        assert_eq!(sim.stats().confirmed, 251);
    }

    /// With chosen statuses, an order that paging passed over in another status and that is moved
    /// into a chosen one later comes through the journal, once; moved into another status, or
    /// unconfirmed, it does not; a status change before the first read is in what paging reads.
    /// With the journal not activated, such an order is not seen (paging alone), and nothing
    /// else changes. Reading again with nothing new costs two requests.
    #[tokio::test]
    async fn an_order_moved_into_a_chosen_status_comes_through_the_journal_once() {
        for journal in [true, false] {
            let config = SimConfig { seed_orders: 150, seed_unconfirmed: 2, journal, requests_per_minute: None, ..SimConfig::new("t") };
            let running = Running::start(config).await.unwrap();
            let (sim, c) = (&running.sim, client(&running.url, "t", Duration::from_secs(10)));
            // Before the first read: three orders leave the chosen status, one of them returns.
            for id in [5_000_001, 5_000_002, 5_000_003] {
                assert!(sim.move_to_status(id, 1004));
            }
            assert!(sim.move_to_status(5_000_003, 1001));
            let (seen, cursor) = read_all(&c, None, &[1001]).await;
            assert_eq!(seen.len(), 148, "{journal}");
            assert!(!seen.contains_key(&5_000_001) && seen.contains_key(&5_000_003), "{journal}");
            assert!(cursor.as_deref().is_some_and(|c| c.contains(";j:")), "{cursor:?}");

            // Passed over, then moved into the chosen status; another into a status not chosen; an
            // unconfirmed one into the chosen status; the first moved on again before it is read.
            assert!(sim.move_to_status(5_000_001, 1001));
            assert!(sim.move_to_status(5_000_002, 1001));
            assert!(sim.move_to_status(5_000_002, 1004));
            assert!(sim.move_to_status(5_000_010, 1003));
            assert!(sim.move_to_status(5_000_151, 1001));
            let (late, cursor) = read_all(&c, cursor, &[1001]).await;
            let expected: Vec<(i64, usize)> = if journal { vec![(5_000_001, 1)] } else { vec![] };
            assert_eq!(late.into_iter().collect::<Vec<_>>(), expected, "journal {journal}");
            let before = sim.stats().requests.values().sum::<u64>();
            let (again, _) = read_all(&c, cursor, &[1001]).await;
            assert!(again.is_empty(), "{again:?}");
            assert_eq!(sim.stats().requests.values().sum::<u64>() - before, 2, "one page by date, one of the journal");
        }
    }

    /// A cursor saved mid-journal by a server whose chosen statuses were then emptied reads by
    /// date at once: no journal, and no page lost to it.
    #[tokio::test]
    async fn a_cursor_left_in_the_journal_reads_by_date_once_no_status_is_chosen() {
        let running = Running::start(SimConfig { seed_orders: 3, requests_per_minute: None, ..SimConfig::new("t") }).await.unwrap();
        let c = client(&running.url, "t", Duration::from_secs(10));
        let p = page(&c, Some("d:0:;J:5"), &[]).await.unwrap();
        assert_eq!(p.items.len(), 3);
        assert!(p.next_cursor.as_deref().is_some_and(|c| !c.contains(';')), "{:?}", p.next_cursor);
        assert_eq!(running.sim.stats().requests.get("getJournalList"), None);
    }

    /// A journal of more than a page (every booked order moved to the status after import makes
    /// an event) is read on in the pages after paging caught up, without reading by date again.
    #[tokio::test]
    async fn a_long_journal_is_read_on_without_paging_again() {
        let running = Running::start(SimConfig { seed_orders: 3, requests_per_minute: None, ..SimConfig::new("t") }).await.unwrap();
        let (sim, c) = (&running.sim, client(&running.url, "t", Duration::from_secs(10)));
        let (_, cursor) = read_all(&c, None, &[1001]).await;
        for _ in 0..(2 * JOURNAL_PAGE + 10) {
            assert!(sim.move_to_status(5_000_002, 1002));
        }
        assert!(sim.move_to_status(5_000_002, 1001));
        let by_date = sim.stats().requests.get("getOrders").copied().unwrap_or(0);
        let (late, _) = read_all(&c, cursor, &[1001]).await;
        // 5000002 is read by its id once the journal names it: the only getOrders after the first.
        assert_eq!(late.into_iter().collect::<Vec<_>>(), [(5_000_002, 1)]);
        let stats = sim.stats();
        assert_eq!(stats.requests["getOrders"] - by_date, 2, "one page by date, one order by id");
        assert_eq!(stats.requests["getJournalList"], 1 + 3, "the first read's end, then three pages");
    }
}
