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
//! Orders outside the server's chosen statuses are passed over and not read again, as the
//! position moves past them: an order moved into a chosen status later is not seen this way.

use crate::baselinker::client::ORDERS_PAGE;
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

/// The next page of orders from a cursor.
pub async fn page(client: &BaseLinkerClient, cursor: Option<&str>, statuses: &[i64]) -> Result<Page<serde_json::Value>, BaseLinkerError> {
    let from = Position::parse(cursor);
    let raw = client.get_orders(from.second, None).await?;
    let (items, next, has_more) = after(&from, raw, statuses);
    Ok(Page { items, next_cursor: Some(next.cursor()), has_more })
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
}
