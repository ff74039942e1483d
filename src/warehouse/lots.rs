//! How a Warehouse Pro database keeps its stock: one balance row per good and object (the
//! average-price modes), or one row per lot (the lot modes), as its own configuration says.
//!
//! Read as Warehouse Open reads it (`DataProvider.GetItemsManagementType`): the `configuration`
//! row with Key `configkey23` holds the mode's number: 0 average price, 1 last purchase price,
//! 2 FIFO, 3 LIFO, 4 choice, 5 FEFO. No row, or a value that is no number, is average price; 0
//! with `QuickAPPCalc` = true is the quick average price. A number that is none of these is
//! refused rather than guessed at: obmen would not know from which lots to take.
//!
//! In a lot mode an outgoing line takes from the good's lot rows in the mode's order (Warehouse
//! Open's `GetLots`): FIFO and choice by LotOrder rising, LIFO by LotOrder falling, FEFO by the
//! lot's expiry date (`lots.EndDate`) rising. Choice is Warehouse Pro asking the operator; obmen
//! runs unattended and takes the FIFO order there, as Warehouse Open lists the lots for choice.

use super::db::{Params, Result, Warehouse, WarehouseError};
use super::Dialect;

/// The configuration key of the stock mode.
pub const MODE_KEY: &str = "configkey23";
/// The configuration key that turns the average price into the quick average price.
pub const QUICK_AVERAGE_KEY: &str = "QuickAPPCalc";
/// The lot a line carries where no lot applies: the default lot, ID 1. Average-price databases
/// name it ' ' (Warehouse Open's `DisableLots`), lot-mode ones 'NA' (its `EnableLots`).
pub const DEFAULT_LOT_ID: i32 = 1;

/// In which order an outgoing line takes from a good's lots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LotOrder {
    /// First in, first out: LotOrder rising.
    Fifo,
    /// Last in, first out: LotOrder falling.
    Lifo,
    /// First expiring, first out: the lot's EndDate rising (lots without one last).
    Fefo,
    /// The operator chooses in Warehouse Pro; obmen takes the FIFO order.
    Choice,
}

/// How the database keeps stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockMode {
    /// One balance row per good and object, at the average purchase price.
    AveragePrice,
    /// The same rows, at the last purchase price.
    LastPurchasePrice,
    /// The average price, computed the quick way.
    QuickAveragePrice,
    /// One balance row per lot.
    Lots(LotOrder),
}

impl StockMode {
    /// The mode a configuration value names (`None`: no row); `quick` is the QuickAPPCalc value.
    pub fn from_config(value: Option<&str>, quick: Option<&str>) -> std::result::Result<StockMode, String> {
        let Some(n) = value.and_then(|v| v.trim().parse::<i64>().ok()) else { return Ok(StockMode::AveragePrice) };
        Ok(match n {
            0 if quick.is_some_and(|q| q.trim().eq_ignore_ascii_case("true")) => StockMode::QuickAveragePrice,
            0 => StockMode::AveragePrice,
            1 => StockMode::LastPurchasePrice,
            2 => StockMode::Lots(LotOrder::Fifo),
            3 => StockMode::Lots(LotOrder::Lifo),
            4 => StockMode::Lots(LotOrder::Choice),
            5 => StockMode::Lots(LotOrder::Fefo),
            10 => StockMode::QuickAveragePrice,
            other => return Err(format!("the database's stock mode ({MODE_KEY} = {other} in its configuration) is none obmen knows")),
        })
    }

    /// True in the lot modes.
    pub fn uses_lots(self) -> bool {
        matches!(self, StockMode::Lots(_))
    }

    /// The lot order, in the lot modes.
    pub fn lot_order(self) -> Option<LotOrder> {
        match self {
            StockMode::Lots(order) => Some(order),
            _ => None,
        }
    }

    /// The name of the default lot in this mode.
    pub fn default_lot(self) -> &'static str {
        if self.uses_lots() {
            "NA"
        } else {
            " "
        }
    }

    /// A short name for `check`, in the process's language.
    pub fn name(self) -> &'static str {
        use crate::i18n::Msg;
        match self {
            StockMode::AveragePrice => Msg::ModeAverage,
            StockMode::LastPurchasePrice => Msg::ModeLastPurchase,
            StockMode::QuickAveragePrice => Msg::ModeQuickAverage,
            StockMode::Lots(LotOrder::Fifo) => Msg::ModeFifo,
            StockMode::Lots(LotOrder::Lifo) => Msg::ModeLifo,
            StockMode::Lots(LotOrder::Fefo) => Msg::ModeFefo,
            StockMode::Lots(LotOrder::Choice) => Msg::ModeChoice,
        }
        .get(crate::i18n::current())
    }
}

/// A balance row as read for a write: one lot in the lot modes.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreRow {
    /// store.ID.
    pub id: i32,
    /// The quantity now (as read, with the moves applied so far).
    pub qtty: f64,
    /// The lot's purchase price (store.Price).
    pub price: f64,
    /// store.Lot.
    pub lot: String,
    /// store.LotID.
    pub lot_id: i32,
    /// store.LotOrder.
    pub lot_order: i32,
    /// Where the lot's expiry date (lots.EndDate) comes among the rows read, earliest first;
    /// `None` for a lot without one, or outside FEFO mode (where it is not read).
    pub expiry: Option<u32>,
}

/// Sorts a good's rows in the order stock is taken from them: ID order where there are no lots.
pub fn sort_rows(rows: &mut [StoreRow], mode: StockMode) {
    match mode.lot_order() {
        None => rows.sort_by_key(|r| r.id),
        Some(LotOrder::Fifo | LotOrder::Choice) => rows.sort_by_key(|r| (r.lot_order, r.id)),
        Some(LotOrder::Lifo) => rows.sort_by_key(|r| (std::cmp::Reverse(r.lot_order), r.id)),
        Some(LotOrder::Fefo) => rows.sort_by_key(|r| (r.expiry.is_none(), r.expiry, r.lot_order, r.id)),
    }
}

/// The value of a configuration key (parameter: the key); the lowest ID first where there are
/// several.
pub fn configuration_sql(d: Dialect) -> String {
    d.sql("SELECT {Value} FROM {configuration} WHERE {Key} = ? ORDER BY {ID}")
}

impl Warehouse {
    /// How this database keeps stock (read once a connection).
    pub fn stock_mode(&self) -> Result<StockMode> {
        if let Some(mode) = self.stock_mode.get() {
            return Ok(*mode);
        }
        let value = self.configuration(MODE_KEY)?;
        let quick = self.configuration(QUICK_AVERAGE_KEY)?;
        let mode = StockMode::from_config(value.as_deref(), quick.as_deref()).map_err(WarehouseError::Invalid)?;
        let _ = self.stock_mode.set(mode);
        Ok(mode)
    }

    /// A configuration value, if the key has a row.
    pub fn configuration(&self, key: &str) -> Result<Option<String>> {
        let rows = self.query(&configuration_sql(self.dialect()), Params::new().text(key).as_slice(), |r| r.opt_text(1))?;
        Ok(rows.into_iter().next().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_as_warehouse_open_reads_them() {
        assert_eq!(StockMode::from_config(None, None), Ok(StockMode::AveragePrice));
        assert_eq!(StockMode::from_config(Some("x"), None), Ok(StockMode::AveragePrice));
        assert_eq!(StockMode::from_config(Some("0"), Some("True")), Ok(StockMode::QuickAveragePrice));
        assert_eq!(StockMode::from_config(Some("1"), None), Ok(StockMode::LastPurchasePrice));
        assert_eq!(StockMode::from_config(Some(" 2 "), None), Ok(StockMode::Lots(LotOrder::Fifo)));
        assert_eq!(StockMode::from_config(Some("3"), None), Ok(StockMode::Lots(LotOrder::Lifo)));
        assert_eq!(StockMode::from_config(Some("4"), None), Ok(StockMode::Lots(LotOrder::Choice)));
        assert_eq!(StockMode::from_config(Some("5"), None), Ok(StockMode::Lots(LotOrder::Fefo)));
        assert!(StockMode::from_config(Some("7"), None).unwrap_err().contains("configkey23 = 7"));
        assert!(!StockMode::AveragePrice.uses_lots());
        assert_eq!(StockMode::Lots(LotOrder::Fifo).default_lot(), "NA");
    }

    #[test]
    fn lots_are_taken_in_the_modes_order() {
        let row = |id, lot_order, expiry| StoreRow { id, qtty: 1.0, price: 1.0, lot: String::new(), lot_id: id, lot_order, expiry };
        let rows = vec![row(3, 1, Some(7)), row(1, 3, None), row(2, 2, Some(4))];
        let order = |mode| {
            let mut r = rows.clone();
            sort_rows(&mut r, mode);
            r.iter().map(|r| r.id).collect::<Vec<_>>()
        };
        assert_eq!(order(StockMode::AveragePrice), [1, 2, 3]);
        assert_eq!(order(StockMode::Lots(LotOrder::Fifo)), [3, 2, 1]);
        assert_eq!(order(StockMode::Lots(LotOrder::Choice)), [3, 2, 1]);
        assert_eq!(order(StockMode::Lots(LotOrder::Lifo)), [1, 2, 3]);
        assert_eq!(order(StockMode::Lots(LotOrder::Fefo)), [2, 3, 1]);
    }
}
