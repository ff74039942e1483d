//! What the shop was last told of every good's stock: the export's snapshot, one document in
//! obmen's state (postcard), so that an export compares every good's available quantity against
//! it without reading a row per good, and sends only what moved.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::i18n::Msg;
use crate::kinds::{Events, NoteLevel, RunError};

/// The stock levels the shop was last left with, and what they were read against: one document
/// in obmen's state, so that an export compares every good's quantity against it without
/// reading a row per good.
#[derive(Debug, Default)]
pub(super) struct StockSnapshot {
    /// The goods' signature, links and settings of the last full export; empty when that export
    /// did not finish or the shop refused something (the next export is a full one).
    pub(super) signature: String,
    /// When the last full export ran (Unix seconds).
    pub(super) full_at: i64,
    /// The checksum of the balance rows and open orders the levels were read after; empty when
    /// the export did not finish or the shop refused something.
    pub(super) quantities: String,
    /// Every good the last export considered, by ID.
    pub(super) goods: HashMap<i32, Level>,
}

/// What the shop was told of one good's stock.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Level {
    /// The SKU it goes by in the shop (empty: it does not go to the shop).
    pub(super) sku: String,
    /// The quantity in thousandths, as sent (never below zero).
    pub(super) milli: i64,
    /// True once the shop took it.
    pub(super) sent: bool,
    /// True when the SKU is a link's (else it is the good's code).
    pub(super) linked: bool,
}

impl StoredSnapshot {
    /// True when this snapshot may serve an export by quantities: a finished export less than a
    /// day ago, with the links it was made with.
    pub(super) fn may_serve(&self, now: i64, links: &HashMap<i64, String>) -> bool {
        !self.signature.is_empty() && now - self.full_at < FULL_EXPORT_EVERY_SECS && links_agree(self, links)
    }

    /// True when some level the shop should have was not taken yet.
    pub(super) fn waiting(&self) -> bool {
        (0..self.ids.len()).any(|i| self.flags[i] & SENT == 0 && !self.sku(i).is_empty())
    }
}

/// The snapshot as stored: columns sorted by good ID, and the SKUs as one text with their ends,
/// so that reading it makes a handful of allocations rather than one per good (100,000 of them
/// cost more than the database's scans). A run in which nothing moved never builds the map.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct StoredSnapshot {
    /// As [`StockSnapshot::signature`].
    pub(super) signature: String,
    /// As [`StockSnapshot::full_at`].
    pub(super) full_at: i64,
    /// As [`StockSnapshot::quantities`].
    pub(super) quantities: String,
    /// The goods' IDs, ascending.
    pub(super) ids: Vec<i32>,
    /// Each good's quantity as sent, in thousandths.
    pub(super) milli: Vec<i64>,
    /// Each good's flags: 1 sent, 2 linked.
    pub(super) flags: Vec<u8>,
    /// Every good's SKU, one after another.
    pub(super) skus: String,
    /// Where each good's SKU ends in `skus`.
    pub(super) sku_ends: Vec<u32>,
}

pub(super) const SENT: u8 = 1;
pub(super) const LINKED: u8 = 2;

impl StoredSnapshot {
    pub(super) fn of(s: &StockSnapshot) -> StoredSnapshot {
        let mut goods: Vec<(&i32, &Level)> = s.goods.iter().collect();
        goods.sort_unstable_by_key(|(id, _)| **id);
        let mut out = StoredSnapshot { signature: s.signature.clone(), full_at: s.full_at, quantities: s.quantities.clone(), ..StoredSnapshot::default() };
        for (id, l) in goods {
            out.ids.push(*id);
            out.milli.push(l.milli);
            out.flags.push(if l.sent { SENT } else { 0 } | if l.linked { LINKED } else { 0 });
            out.skus.push_str(&l.sku);
            out.sku_ends.push(out.skus.len() as u32);
        }
        out
    }

    /// True when the columns are as long as each other and the SKUs' ends fall inside their text
    /// on character boundaries: a stored snapshot that is not is read as none.
    pub(super) fn is_whole(&self) -> bool {
        let n = self.ids.len();
        [self.milli.len(), self.flags.len(), self.sku_ends.len()].iter().all(|l| *l == n)
            && self.sku_ends.windows(2).all(|w| w[0] <= w[1])
            && self.sku_ends.iter().all(|e| self.skus.is_char_boundary(*e as usize))
    }

    pub(super) fn sku(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.sku_ends[i - 1] as usize };
        // The ends are checked to be character boundaries when the snapshot is read.
        self.skus.get(start..self.sku_ends[i] as usize).unwrap_or_default()
    }

    /// The record of one good, if the snapshot has it.
    pub(super) fn level(&self, id: i32) -> Option<Level> {
        let i = self.ids.binary_search(&id).ok()?;
        let f = self.flags[i];
        Some(Level { sku: self.sku(i).to_owned(), milli: self.milli[i], sent: f & SENT != 0, linked: f & LINKED != 0 })
    }

    /// These records written over the snapshot's: in place where the good is there with the same
    /// SKU, else (a new good, a changed SKU) by building the columns anew.
    pub(super) fn merge(mut self, changed: HashMap<i32, Level>) -> StoredSnapshot {
        let mut rebuild = Vec::new();
        for (id, l) in changed {
            match self.ids.binary_search(&id) {
                Ok(i) if self.sku(i) == l.sku => {
                    self.milli[i] = l.milli;
                    self.flags[i] = if l.sent { SENT } else { 0 } | if l.linked { LINKED } else { 0 };
                }
                _ => rebuild.push((id, l)),
            }
        }
        if rebuild.is_empty() {
            return self;
        }
        let mut whole = self.into_snapshot();
        whole.goods.extend(rebuild);
        StoredSnapshot::of(&whole)
    }

    pub(super) fn into_snapshot(self) -> StockSnapshot {
        let goods = (0..self.ids.len())
            .map(|i| {
                let f = self.flags[i];
                (self.ids[i], Level { sku: self.sku(i).to_owned(), milli: self.milli[i], sent: f & SENT != 0, linked: f & LINKED != 0 })
            })
            .collect();
        StockSnapshot { signature: self.signature, full_at: self.full_at, quantities: self.quantities, goods }
    }
}

/// True when the links give every good the SKU the snapshot has for it: a link made since that
/// names a good by its own code changes nothing, any other change of links needs every good read.
pub(super) fn links_agree(snapshot: &StoredSnapshot, links: &HashMap<i64, String>) -> bool {
    let linked_now =
        links.iter().all(|(id, sku)| i32::try_from(*id).ok().and_then(|id| snapshot.ids.binary_search(&id).ok()).is_none_or(|i| snapshot.sku(i) == sku));
    let still_linked = snapshot.ids.iter().zip(&snapshot.flags).all(|(id, f)| f & LINKED == 0 || links.contains_key(&(*id as i64)));
    linked_now && still_linked
}

/// The goods whose available quantity is not what the snapshot says the shop was told, by one
/// pass over the two sorted lists: goods new to the snapshot, goods whose quantity moved, and
/// goods whose last balance row went away (now at zero) while the shop was told otherwise.
pub(super) fn moved_goods(snapshot: &StoredSnapshot, available: &[(i32, f64)]) -> Vec<i32> {
    let mut moved = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < available.len() || j < snapshot.ids.len() {
        match (available.get(i), snapshot.ids.get(j)) {
            (Some((id, a)), Some(sid)) if id == sid => {
                if snapshot.milli[j] != milli(*a) {
                    moved.push(*id);
                }
                i += 1;
                j += 1;
            }
            (Some((id, _)), Some(sid)) if id < sid => {
                moved.push(*id);
                i += 1;
            }
            (None, Some(sid)) | (Some(_), Some(sid)) => {
                if snapshot.milli[j] != 0 {
                    moved.push(*sid);
                }
                j += 1;
            }
            (Some((id, _)), None) => {
                moved.push(*id);
                i += 1;
            }
            (None, None) => break,
        }
    }
    moved
}

/// The goods' links and the last export's snapshot, from obmen's state.
pub(super) fn read_snapshot(
    state: &crate::state::State,
    rt: &tokio::runtime::Handle,
    server: &str,
    events: &Events,
) -> Result<(HashMap<i64, String>, StoredSnapshot), RunError> {
    let links: HashMap<i64, String> = rt.block_on(state.links(server, "good"))?;
    let snapshot = match rt.block_on(state.snapshot(server, SNAPSHOT_KIND))? {
        Some(data) => match postcard::from_bytes::<StoredSnapshot>(&data) {
            Ok(s) if s.is_whole() => s,
            Ok(_) | Err(_) => {
                events.say(NoteLevel::Warn, Msg::SnapshotUnreadable.get(crate::i18n::current()));
                StoredSnapshot::default()
            }
        },
        None => StoredSnapshot::default(),
    };
    Ok((links, snapshot))
}

/// The snapshot's name in obmen's state (the stored form changed from "stock": an older
/// snapshot is simply not read, and the next export reads every good once).
pub(super) const SNAPSHOT_KIND: &str = "stock_levels";

/// The longest an export goes by its snapshot before reading every good again (catching what no
/// signature sees, such as an edit of a name that keeps its length on SQLite or Access).
pub(super) const FULL_EXPORT_EVERY_SECS: i64 = 24 * 3600;

/// A quantity as the shop is told it, in thousandths: never below zero.
pub(super) fn milli(available: f64) -> i64 {
    (available.max(0.0) * 1000.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::warehouse_pro::shop::StockLevel;

    fn snapshot(levels: &[(i32, &str, i64, bool)]) -> StockSnapshot {
        StockSnapshot {
            signature: "sig".into(),
            full_at: 7,
            quantities: "q".into(),
            goods: levels.iter().map(|(id, sku, milli, sent)| (*id, Level { sku: (*sku).into(), milli: *milli, sent: *sent, linked: *id == 3 })).collect(),
        }
    }

    #[test]
    fn the_stored_snapshot_gives_back_what_it_was_given() {
        let s = snapshot(&[(5, "Б-5", 1000, true), (2, "", 0, false), (3, "LINK-3", 2500, true), (9, "Ж", 0, true)]);
        let stored = StoredSnapshot::of(&s);
        assert_eq!(stored.ids, vec![2, 3, 5, 9], "sorted by ID");
        let bytes = postcard::to_stdvec(&stored).unwrap();
        let read: StoredSnapshot = postcard::from_bytes(&bytes).unwrap();
        assert!(read.is_whole());
        assert_eq!(read.sku(2), "Б-5");
        let back = read.into_snapshot();
        assert_eq!((back.signature.as_str(), back.full_at, back.quantities.as_str()), ("sig", 7, "q"));
        assert_eq!(back.goods, s.goods);
        let mut broken = StoredSnapshot::of(&s);
        broken.sku_ends[0] = 3;
        broken.sku_ends[1] = 1;
        assert!(!broken.is_whole(), "ends out of order are refused");
        let mut torn = StoredSnapshot::of(&s);
        let b = torn.skus.find('Б').unwrap();
        torn.sku_ends[2] = (b + 1) as u32;
        torn.sku_ends[3] = torn.skus.len() as u32;
        assert!(!torn.is_whole(), "an end inside a character is refused");
    }

    #[test]
    fn moved_goods_are_found_in_one_pass() {
        let stored = StoredSnapshot::of(&snapshot(&[(1, "A", 1000, true), (2, "B", 2000, true), (4, "D", 0, true), (6, "F", 500, true)]));
        // 1 same, 2 moved, 3 new, 4 still gone (0), 5 new, 6 gone (its row went away while the shop has 0.5).
        let available = vec![(1, 1.0), (2, 2.5), (3, 0.0), (5, 1.0)];
        assert_eq!(moved_goods(&stored, &available), vec![2, 3, 5, 6]);
        assert!(moved_goods(&stored, &[(1, 1.0), (2, 2.0), (6, 0.5)]).is_empty());
        assert_eq!(moved_goods(&StoredSnapshot::default(), &[(1, 1.0)]), vec![1]);
    }

    fn qty(thousandths: i64) -> String {
        StockLevel { sku: String::new(), thousandths }.quantity()
    }

    #[test]
    fn quantities_go_in_thousandths_never_below_zero() {
        assert_eq!(qty(milli(12.5)), "12.500");
        assert_eq!(qty(milli(0.0004)), "0.000");
        assert_eq!(qty(milli(0.0006)), "0.001");
        assert_eq!(qty(milli(-3.0)), "0.000");
        assert_eq!(qty(milli(1234.0675)), "1234.068");
    }
}
