//! Documents: a numbered set of operation lines with its stock moves and payments, written the
//! Warehouse Pro way.
//!
//! - The number (Acct) is MAX(Acct) + 1 over the operation type's sequence (sale and consignment
//!   sale share one), optionally per object, reserved by inserting prefix+number into `nextacct`;
//!   a duplicate key there means another writer took it, and the next number is tried.
//! - Each stock-moving line changes the store balance at (object, good); an outgoing line that
//!   would go below zero is refused unless negative stock is allowed.
//! - A sale writes one due payment (Mode -1) for its total and one paid row (Mode 1) per payment
//!   made.
//!
//! [`Warehouse::insert_document`] does all of it on the caller's transaction, so that more (the
//! record that a shop order was imported) can commit with it; [`Warehouse::write_document`] wraps
//! it in a transaction of its own.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;

use super::bulk::BulkValue;
use super::db::{Params, Result, Warehouse, WarehouseError};
use super::dialect::{Dialect, Table};
use super::lots::{StockMode, StoreRow, DEFAULT_LOT_ID};
use super::SERVICE_ID;

/// A payment's method (payments.Type = paymenttypes.ID), as Warehouse Pro's own rows have them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentType;

impl PaymentType {
    /// Cash, cash on delivery among it.
    pub const CASH: i32 = 1;
    /// Bank transfer.
    pub const BANK: i32 = 2;
    /// Card.
    pub const CARD: i32 = 3;
    /// Voucher.
    pub const VOUCHER: i32 = 4;
}

/// An operation type (operations.OperType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OperType(pub i32);

impl OperType {
    /// Purchase / delivery (Доставка).
    pub const DELIVERY: OperType = OperType(1);
    /// Sale (Продажба).
    pub const SALE: OperType = OperType(2);
    /// Waste (Брак).
    pub const WASTE: OperType = OperType(3);
    /// Write-off (Отписване).
    pub const WRITE_OFF: OperType = OperType(11);
    /// Purchase order (Заявка).
    pub const PURCHASE_ORDER: OperType = OperType(12);
    /// Consignment sale, sharing the sale's numbers.
    pub const CONSIGNMENT_SALE: OperType = OperType(16);
    /// Sales order (Поръчка): no stock effect, reduces the available quantity.
    pub const SALES_ORDER: OperType = OperType(19);

    /// How a line moves stock: -1 out, 0 none, +1 in.
    pub fn sign(self) -> i32 {
        match self.0 {
            2 | 3 | 11 | 15 | 26 | 39 => -1,
            12 | 13 | 14 | 16 | 19 | 22 | 23 | 33 => 0,
            _ => 1,
        }
    }

    /// True for sales-side types, which carry their amounts in PriceOut/VATOut.
    pub fn is_sales_side(self) -> bool {
        matches!(self.0, 2 | 4 | 14 | 15 | 16 | 17 | 19 | 26 | 27 | 34)
    }

    /// The operation types that share this one's number sequence.
    pub fn sequence(self) -> Vec<i32> {
        match self.0 {
            2 | 16 => vec![2, 16],
            n => vec![n],
        }
    }

    /// The prefix of this type's numbers in `nextacct`.
    pub fn prefix(self) -> &'static str {
        match self.0 {
            1 => "D",
            2 | 16 => "S",
            7 | 8 => "T",
            11 => "WO",
            13 => "OF",
            14 => "P",
            19 => "OR",
            26 => "DN",
            27 => "CN",
            _ => "",
        }
    }

    /// The sign of this type's payments: +1 money comes in (sales side), -1 it goes out.
    pub fn payment_sign(self) -> i32 {
        if self.is_sales_side() {
            1
        } else {
            -1
        }
    }
}

/// Where document numbers count from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Numbering {
    /// One sequence per operation type across all objects (Warehouse Pro's default).
    #[default]
    Global,
    /// One sequence per operation type and object.
    PerObject,
}

/// One line of a new document.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLine {
    /// goods.ID.
    pub good_id: i32,
    /// Quantity in the good's base measure; above zero.
    pub qtty: f64,
    /// Unit price without VAT, after the discount.
    pub price: f64,
    /// VAT per unit.
    pub vat: f64,
    /// Discount percent (the price is already after it).
    pub discount: f64,
    /// Unit purchase price (cost), stored in PriceIn on sales-side lines.
    pub price_in: f64,
    /// Whether this line moves stock (false for non-inventory goods and service lines).
    pub moves_stock: bool,
    /// The line's note (operations.Note).
    pub note: String,
}

/// A payment made, written as a paid row (Mode 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Paid {
    /// The amount paid.
    pub amount: f64,
    /// paymenttypes.ID: 1 cash, 2 bank, 3 card, 4 voucher.
    pub payment_type: i32,
    /// The shop's transaction reference (payments.TransactionNumber).
    pub transaction: String,
}

/// A document to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDocument {
    /// The operation type.
    pub oper_type: OperType,
    /// objects.ID where it is written.
    pub object_id: i32,
    /// partners.ID.
    pub partner_id: i32,
    /// users.ID of the operator (1: the service user).
    pub user_id: i32,
    /// Document date.
    pub date: NaiveDateTime,
    /// Lines, in order; at least one.
    pub lines: Vec<NewLine>,
    /// Write the due payment (Mode -1) for the total, payable by this date.
    pub due: Option<NaiveDateTime>,
    /// Payments made (Mode 1 rows).
    pub paid: Vec<Paid>,
    /// currencies.ID (1: BGN).
    pub currency_id: i32,
    /// The currency's rate.
    pub currency_rate: f64,
    /// Let outgoing lines take the balance below zero.
    pub allow_negative_stock: bool,
    /// Where numbers count from.
    pub numbering: Numbering,
}

impl NewDocument {
    /// The document's total with VAT, to the cent.
    pub fn total(&self) -> f64 {
        round2(self.lines.iter().map(|l| (l.price + l.vat) * l.qtty).sum())
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenDocument {
    /// The operation type.
    pub oper_type: OperType,
    /// The document number.
    pub acct: i32,
    /// Total with VAT.
    pub total: f64,
}

/// A line of a document as stored, for reading documents back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredLine {
    /// operations.ID.
    pub id: i32,
    /// goods.ID.
    pub good_id: i32,
    /// partners.ID.
    pub partner_id: i32,
    /// objects.ID.
    pub object_id: i32,
    /// Quantity.
    pub qtty: f64,
    /// Sign.
    pub sign: i32,
    /// PriceIn.
    pub price_in: f64,
    /// PriceOut.
    pub price_out: f64,
    /// VATIn.
    pub vat_in: f64,
    /// VATOut.
    pub vat_out: f64,
    /// Discount percent.
    pub discount: f64,
    /// Note.
    pub note: String,
}

/// A payment row as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPayment {
    /// Amount.
    pub qtty: f64,
    /// -1 due, 1 paid.
    pub mode: i32,
    /// Sign.
    pub sign: i32,
    /// paymenttypes.ID.
    pub payment_type: i32,
    /// partners.ID.
    pub partner_id: i32,
}

/// The store balances of goods at one object, as read by [`Warehouse::lock_stock`], with the moves
/// of documents applied in memory until [`Warehouse::insert_documents`] writes them: each changed
/// row once, however many documents moved it.
///
/// In a lot-mode database ([`StockMode::uses_lots`]) each row is one lot: an outgoing line takes
/// from the good's lots in the mode's order and is written as one operations row per lot taken,
/// each with its lot and the lot's purchase price; a lot that reaches zero is deleted; and no line
/// takes stock below zero, as Warehouse Pro allows negative stock only without lots.
#[derive(Debug, Clone)]
pub struct Stock {
    object_id: i32,
    /// How the database keeps stock; set by [`Warehouse::lock_stock`].
    mode: StockMode,
    /// The balance rows read, by good, in the order stock is taken from them. A good read with
    /// no rows at the object has an empty list.
    rows: HashMap<i32, Vec<StoreRow>>,
    /// What was added to each row (negative: taken), by store.ID.
    changes: BTreeMap<i32, f64>,
    /// Goods with no row at the object, and the quantity of the row to make.
    new_rows: BTreeMap<i32, f64>,
    /// What open sales and restaurant orders hold of each good read (Warehouse Open's count):
    /// stock they hold cannot be sold.
    reserved: HashMap<i32, f64>,
}

/// What one line took from (or put into) one balance row.
#[derive(Debug, Clone, PartialEq)]
pub struct Take {
    /// The quantity, above zero.
    pub qtty: f64,
    /// The row's lot (store.Lot, store.LotID) and purchase price (store.Price); `None` for a row
    /// made by this write.
    pub lot: Option<(String, i32, f64)>,
}

/// Below this a quantity counts as zero (Warehouse Open's own tolerance for emptied lots).
const ZERO_QTTY: f64 = 0.000_000_1;

impl Stock {
    /// Nothing read yet, at this object.
    pub fn new(object_id: i32) -> Stock {
        Stock { object_id, mode: StockMode::AveragePrice, rows: HashMap::new(), changes: BTreeMap::new(), new_rows: BTreeMap::new(), reserved: HashMap::new() }
    }

    /// How the database keeps stock, as read with the rows.
    pub fn mode(&self) -> StockMode {
        self.mode
    }

    /// The balance of a good now: as read, with the moves applied so far. A good not read
    /// counts as having no rows (a good made in this transaction).
    pub fn balance(&self, good_id: i32) -> f64 {
        self.rows.get(&good_id).map(|rows| rows.iter().map(|r| r.qtty).sum()).unwrap_or(0.0) + self.new_rows.get(&good_id).copied().unwrap_or(0.0)
    }

    /// Applies one document's stock moves, all or none: a document whose outgoing line would take
    /// a balance below zero, where that is not allowed, is refused
    /// ([`WarehouseError::InsufficientStock`], the good named by ID) and changes nothing.
    pub fn apply(&mut self, doc: &NewDocument) -> Result<()> {
        self.apply_lines(doc).map(drop)
    }

    /// [`Stock::apply`], saying what each line took: one list a line, in order, empty for a line
    /// that moves no stock.
    fn apply_lines(&mut self, doc: &NewDocument) -> Result<Vec<Vec<Take>>> {
        let sign = doc.oper_type.sign();
        if sign == 0 {
            return Ok(vec![Vec::new(); doc.lines.len()]);
        }
        let mut per_good: Vec<(i32, f64)> = Vec::new();
        for line in doc.lines.iter().filter(|l| l.moves_stock) {
            match per_good.iter_mut().find(|(g, _)| *g == line.good_id) {
                Some((_, q)) => *q += line.qtty,
                None => per_good.push((line.good_id, line.qtty)),
            }
        }
        for (good_id, qtty) in &per_good {
            self.check(*good_id, sign as f64 * qtty, doc.allow_negative_stock)?;
        }
        Ok(doc.lines.iter().map(|line| if line.moves_stock { self.move_good(line.good_id, sign as f64 * line.qtty) } else { Vec::new() }).collect())
    }

    fn check(&self, good_id: i32, delta: f64, allow_negative: bool) -> Result<()> {
        // Available, as Warehouse Open refuses by: the balance less what orders hold.
        let available = self.balance(good_id) - self.reserved.get(&good_id).copied().unwrap_or(0.0);
        // Lots cannot go below zero: Warehouse Pro allows negative stock only without them.
        let allow_negative = allow_negative && !self.mode.uses_lots();
        // A hair of tolerance for doubles read back rounded (SQLite ODBC rounds to 15 digits).
        if delta < 0.0 && available + 1e-9 < -delta && !allow_negative {
            return Err(WarehouseError::InsufficientStock { good_id, good: format!("#{good_id}"), object_id: self.object_id, available, wanted: -delta });
        }
        Ok(())
    }

    /// Moves a balance, taking from rows in their order (lots in the mode's order); what is left
    /// goes to the first row (below zero only when that was allowed). Says what was taken from
    /// (or put into) which row.
    fn move_good(&mut self, good_id: i32, delta: f64) -> Vec<Take> {
        let rows = self.rows.entry(good_id).or_default();
        let changes = &mut self.changes;
        let mut takes: Vec<Take> = Vec::new();
        let mut add = |rows: &mut Vec<StoreRow>, i: usize, amount: f64| {
            let row = &mut rows[i];
            row.qtty += amount;
            *changes.entry(row.id).or_insert(0.0) += amount;
            let lot = Some((row.lot.clone(), row.lot_id, row.price));
            match takes.iter_mut().find(|t| t.lot == lot) {
                Some(t) => t.qtty += amount.abs(),
                None => takes.push(Take { qtty: amount.abs(), lot }),
            }
        };
        if rows.is_empty() {
            *self.new_rows.entry(good_id).or_insert(0.0) += delta;
            return vec![Take { qtty: delta.abs(), lot: None }];
        }
        if delta >= 0.0 {
            add(rows, 0, delta);
            return takes;
        }
        let mut remaining = -delta;
        for i in 0..rows.len() {
            if remaining <= 0.0 {
                break;
            }
            let take = remaining.min(rows[i].qtty.max(0.0));
            if take > 0.0 {
                add(rows, i, -take);
                remaining -= take;
            }
        }
        if remaining > 1e-12 {
            add(rows, 0, -remaining);
        }
        takes
    }

    /// The rows this write empties, in a lot-mode database: they are deleted.
    fn emptied_lots(&self) -> Vec<i32> {
        if !self.mode.uses_lots() {
            return Vec::new();
        }
        let mut out: Vec<i32> = self.rows.values().flatten().filter(|r| self.changes.contains_key(&r.id) && r.qtty.abs() < ZERO_QTTY).map(|r| r.id).collect();
        out.sort_unstable();
        out
    }
}

/// Rounds to the cent.
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// How many numbers past MAX(Acct) are tried before giving up.
const ACCT_TRIES: i32 = 1000;

impl Warehouse {
    /// The next `n` free document numbers of the type's sequence, in order, reserved in
    /// `nextacct`. Call inside a transaction: the reservations commit or roll back with the
    /// documents. The numbers after
    /// MAX(Acct) are reserved in one statement; if somebody holds one of them, they are reserved
    /// one by one, skipping the taken ones.
    pub fn allocate_accts(&self, oper_type: OperType, object_id: i32, numbering: Numbering, n: usize) -> Result<Vec<i32>> {
        self.ensure_writable()?;
        if n == 0 {
            return Ok(Vec::new());
        }
        let d = self.dialect();
        let (sql, params) = acct_max_sql(d, oper_type, object_id, numbering);
        let max = self.scalar_i64(&sql, params.as_slice())?.unwrap_or(0).max(0);
        let number = |k: i64| i32::try_from(max + k).map_err(|_| WarehouseError::Invalid(format!("document numbers of type {} have run out", oper_type.0)));
        let key = |acct: i32| format!("{}{acct}", oper_type.prefix());
        if n > 1 && n <= d.rows_per_insert(1) {
            let accts = (1..=n as i64).map(number).collect::<Result<Vec<i32>>>()?;
            let rows = accts.iter().map(|a| Params::new().text(&key(*a))).collect();
            match self.insert_many(Table::NextAcct, &["NextAcct"], rows) {
                Ok(()) => return Ok(accts),
                // One statement: a duplicate leaves none of its rows behind.
                Err(e) if e.is_duplicate_key() => {}
                Err(e) => return Err(e),
            }
        }
        let insert = d.insert(Table::NextAcct, &["NextAcct"]);
        let mut accts = Vec::with_capacity(n);
        let mut tried = 0;
        let mut k = 0;
        while accts.len() < n {
            k += 1;
            let acct = number(k)?;
            match self.exec(&insert, Params::new().text(&key(acct)).as_slice()) {
                Ok(_) => accts.push(acct),
                Err(e) if e.is_duplicate_key() => {
                    tried += 1;
                    if tried >= ACCT_TRIES {
                        return Err(WarehouseError::Invalid(format!(
                            "no free document number of type {} among the {ACCT_TRIES} after {max}: nextacct is full of reservations",
                            oper_type.0
                        )));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(accts)
    }

    /// Writes a document (number, lines, stock moves, payments) on the current transaction. A
    /// line that would take stock below zero, where that is not allowed, refuses the document
    /// ([`WarehouseError::InsufficientStock`]) before anything is written.
    pub fn insert_document(&self, doc: &NewDocument) -> Result<WrittenDocument> {
        let stock = Stock::new(doc.object_id);
        match self.insert_documents(std::slice::from_ref(doc), stock) {
            Ok(mut written) => Ok(written.remove(0)),
            Err(WarehouseError::InsufficientStock { good_id, object_id, available, wanted, .. }) => {
                let good = self.good(good_id)?.map(|g| format!("'{}' {}", g.code, g.name)).unwrap_or_else(|| format!("#{good_id}"));
                Err(WarehouseError::InsufficientStock { good_id, good, object_id, available, wanted })
            }
            Err(e) => Err(e),
        }
    }

    /// Writes several documents at one object on the current transaction, in order: numbers
    /// reserved together, every line in as few INSERTs as the parameter limit allows, the same
    /// for payments, and each changed store row updated once. `stock` holds the balances read so
    /// far (the goods it does not cover are read and locked here); each document's moves are
    /// applied to it in turn, and one that would go below zero where that is not allowed fails
    /// the whole call before anything is written. Callers that want to set such documents aside
    /// try them first on a clone of `stock` ([`Stock::apply`]).
    pub fn insert_documents(&self, docs: &[NewDocument], mut stock: Stock) -> Result<Vec<WrittenDocument>> {
        self.ensure_writable()?;
        for doc in docs {
            validate(doc)?;
            if doc.object_id != stock.object_id {
                return Err(WarehouseError::Invalid(format!("documents at object {} and {} cannot be written together", stock.object_id, doc.object_id)));
            }
        }
        let moving: Vec<i32> =
            docs.iter().filter(|d| d.oper_type.sign() != 0).flat_map(|d| d.lines.iter().filter(|l| l.moves_stock).map(|l| l.good_id)).collect();
        self.lock_stock(&mut stock, moving)?;
        let mut takes = Vec::with_capacity(docs.len());
        for doc in docs {
            takes.push(stock.apply_lines(doc)?);
        }
        // Numbers: one reservation per sequence (and object, where numbering is per object).
        let mut accts = vec![0; docs.len()];
        // (the sequence's types, the object where numbering is per object) -> documents.
        type Sequence = (Vec<i32>, Option<i32>);
        let mut groups: Vec<(Sequence, Vec<usize>)> = Vec::new();
        for (i, doc) in docs.iter().enumerate() {
            let key = (doc.oper_type.sequence(), (doc.numbering == Numbering::PerObject).then_some(doc.object_id));
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(i),
                None => groups.push((key, vec![i])),
            }
        }
        for (_, members) in &groups {
            let first = &docs[members[0]];
            let numbers = self.allocate_accts(first.oper_type, first.object_id, first.numbering, members.len())?;
            for (i, acct) in members.iter().zip(numbers) {
                accts[*i] = acct;
            }
        }
        let now = chrono::Local::now().naive_local();
        self.write_stock(&stock)?;
        self.insert_lines(docs, &accts, &takes, stock.mode, now)?;
        self.insert_payments(docs, &accts, now)?;
        Ok(docs.iter().zip(accts).map(|(doc, acct)| WrittenDocument { oper_type: doc.oper_type, acct, total: doc.total() }).collect())
    }

    /// Writes a document in a transaction of its own.
    pub fn write_document(&mut self, doc: &NewDocument) -> Result<WrittenDocument> {
        self.transaction(|wh| wh.insert_document(doc))
    }

    /// The operations rows of the documents: one a line, or in a lot-mode database one per lot
    /// an outgoing line took, each with the lot and the lot's purchase price.
    fn insert_lines(&self, docs: &[NewDocument], accts: &[i32], takes: &[Vec<Vec<Take>>], mode: StockMode, now: NaiveDateTime) -> Result<()> {
        // (document, acct, line, quantity, purchase price, lot, lot ID)
        let mut rows: Vec<(&NewDocument, i32, &NewLine, f64, f64, &str, i32)> = Vec::new();
        for ((doc, &acct), doc_takes) in docs.iter().zip(accts).zip(takes) {
            for (line, line_takes) in doc.lines.iter().zip(doc_takes) {
                self.check_text(Table::Operations, "Note", &line.note, || format!("the note of a line of document {acct}"))?;
                // (quantity, lot, lot ID, purchase price) of each lot taken.
                let lots: Vec<(f64, &str, i32, f64)> = if mode.uses_lots() {
                    line_takes.iter().filter_map(|t| t.lot.as_ref().map(|(lot, id, price)| (t.qtty, lot.as_str(), *id, *price))).collect()
                } else {
                    Vec::new()
                };
                if lots.is_empty() {
                    rows.push((doc, acct, line, line.qtty, line.price_in, mode.default_lot(), DEFAULT_LOT_ID));
                }
                for (qtty, lot, lot_id, price) in lots {
                    self.check_text(Table::Operations, "Lot", lot, || format!("the lot of a line of document {acct}"))?;
                    rows.push((doc, acct, line, qtty, price, lot, lot_id));
                }
            }
        }
        self.insert_rows(Table::Operations, &LINE_COLUMNS, rows.len(), |i, row| {
            let (doc, acct, line, qtty, cost, lot, lot_id) = rows[i];
            let (price_in, price_out, vat_in, vat_out) = if doc.oper_type == OperType::SALES_ORDER {
                // Warehouse Open reads a sales order's amounts from PriceIn/VATIn, obmen's own
                // reading (and the export's) from PriceOut/VATOut: both carry the order's amounts,
                // so either reading gives them.
                (line.price, line.price, line.vat, line.vat)
            } else if doc.oper_type.is_sales_side() {
                (cost, line.price, 0.0, line.vat)
            } else {
                (line.price, 0.0, line.vat, 0.0)
            };
            use BulkValue::{Int, Num, Text, Time};
            row.extend([
                Int(doc.oper_type.0),
                Int(acct),
                Int(line.good_id),
                Int(doc.partner_id),
                Int(doc.object_id),
                Int(doc.user_id),
                Num(qtty),
                Int(doc.oper_type.sign()),
                Num(price_in),
                Num(price_out),
                Num(vat_in),
                Num(vat_out),
                Num(line.discount),
                Int(doc.currency_id),
                Num(doc.currency_rate),
                Time(doc.date),
                Text(lot),
                Int(lot_id),
                Text(&line.note),
                Int(0),
                Int(doc.user_id),
                Time(now),
            ]);
        })
    }

    fn insert_payments(&self, docs: &[NewDocument], accts: &[i32], now: NaiveDateTime) -> Result<()> {
        // (document, acct, amount, mode, payment type, transaction, end date)
        let mut rows: Vec<(&NewDocument, i32, f64, i32, i32, &str, NaiveDateTime)> = Vec::new();
        for (doc, &acct) in docs.iter().zip(accts) {
            if let Some(due) = doc.due {
                let payment_type = doc.paid.first().map(|p| p.payment_type).unwrap_or(1);
                rows.push((doc, acct, doc.total(), -1, payment_type, "", due));
            }
            for p in &doc.paid {
                self.check_text(Table::Payments, "TransactionNumber", &p.transaction, || format!("the transaction reference of a payment of document {acct}"))?;
                rows.push((doc, acct, p.amount, 1, p.payment_type, &p.transaction, doc.date));
            }
        }
        self.insert_rows(Table::Payments, &PAYMENT_COLUMNS, rows.len(), |i, row| {
            let (doc, acct, amount, mode, payment_type, transaction, end) = rows[i];
            use BulkValue::{Int, Num, Text, Time};
            row.extend([
                Int(acct),
                Int(doc.oper_type.0),
                Int(doc.partner_id),
                Int(doc.object_id),
                Num(round2(amount)),
                Int(mode),
                Int(doc.oper_type.payment_sign()),
                Time(doc.date),
                Int(doc.user_id),
                Time(now),
                Int(payment_type),
                Text(transaction),
                Time(end),
            ]);
        })
    }

    /// Reads the balance rows of these goods at the stock's object into it, where it does not
    /// cover them yet; inside a transaction they stay locked until it ends.
    pub fn lock_stock(&self, stock: &mut Stock, goods: impl IntoIterator<Item = i32>) -> Result<()> {
        let mut missing: Vec<i32> = goods.into_iter().filter(|g| !stock.rows.contains_key(g)).collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        let d = self.dialect();
        let object_id = stock.object_id;
        stock.mode = self.stock_mode()?;
        let fefo = stock.mode.lot_order() == Some(super::lots::LotOrder::Fefo);
        let mut position = 0u32;
        let rows = self.query_in(
            |marks| store_rows_sql(d, marks, fefo),
            || Params::new().int(object_id),
            &missing,
            |p, g| p.int(*g),
            |r| {
                let good = r.i32(2)?;
                let row = StoreRow {
                    id: r.i32(1)?,
                    qtty: r.opt_f64(3)?.unwrap_or(0.0),
                    price: r.opt_f64(4)?.unwrap_or(0.0),
                    lot: r.opt_text(5)?.unwrap_or_default(),
                    lot_id: r.opt_i32(6)?.unwrap_or(DEFAULT_LOT_ID),
                    lot_order: r.opt_i32(7)?.unwrap_or(0),
                    // The rows come in expiry order in FEFO mode; those without a date first.
                    expiry: if fefo && r.opt_text(8)?.is_some() { Some(position) } else { None },
                };
                position += 1;
                Ok((good, row))
            },
        )?;
        let missing_goods = missing.clone();
        for g in missing {
            stock.rows.insert(g, Vec::new());
        }
        for (good, row) in rows {
            stock.rows.entry(good).or_default().push(row);
        }
        for good in &missing_goods {
            if let Some(rows) = stock.rows.get_mut(good) {
                super::lots::sort_rows(rows, stock.mode);
            }
        }
        let held = self.query_in(
            |marks| reserved_sql(d, marks),
            || Params::new().int(object_id).int(object_id),
            &missing_goods,
            |p, g| p.int(*g),
            |r| Ok((r.i32(1)?, r.opt_f64(2)?.unwrap_or(0.0))),
        )?;
        stock.reserved.extend(held);
        Ok(())
    }

    /// Writes what [`Stock::apply`] changed: each changed balance row updated once (several in
    /// one statement), and new rows for goods that had none at the object.
    fn write_stock(&self, stock: &Stock) -> Result<()> {
        let d = self.dialect();
        let changes: Vec<(i32, f64)> = stock.changes.iter().map(|(id, delta)| (*id, *delta)).filter(|(_, delta)| *delta != 0.0).collect();
        if d == Dialect::Access {
            let sql = store_add_sql(d);
            for (id, delta) in &changes {
                self.exec(&sql, Params::new().num(*delta).int(*id).as_slice())?;
            }
        } else {
            let per_statement = d.rows_per_statement(3, 0);
            for chunk in changes.chunks(per_statement) {
                let params = chunk.iter().fold(Params::new(), |p, (id, delta)| p.int(*id).num(*delta));
                let params = chunk.iter().fold(params, |p, (id, _)| p.int(*id));
                self.exec(&store_add_many_sql(d, chunk.len()), params.as_slice())?;
            }
        }
        let emptied = stock.emptied_lots();
        for chunk in emptied.chunks(d.rows_per_statement(1, 0)) {
            let params = chunk.iter().fold(Params::new(), |p, id| p.int(*id));
            self.exec(&delete_empty_lots_sql(d, &Dialect::marks(chunk.len())), params.as_slice())?;
        }
        let new_rows: Vec<(i32, f64)> = stock.new_rows.iter().map(|(good, qtty)| (*good, *qtty)).collect();
        let lot = stock.mode.default_lot();
        self.insert_rows(Table::Store, &STORE_COLUMNS, new_rows.len(), |i, row| {
            use BulkValue::{Int, Num, Text};
            row.extend([Int(stock.object_id), Int(new_rows[i].0), Num(new_rows[i].1), Num(0.0), Text(lot), Int(DEFAULT_LOT_ID), Int(1)]);
        })
    }

    /// Moves the balance of a good at an object by `delta` (negative: out), on the current
    /// transaction. An outgoing move that would go below zero is refused unless `allow_negative`.
    /// With several balance rows (lots), stock is taken from them in the stock mode's order.
    pub fn move_stock(&self, object_id: i32, good_id: i32, delta: f64, allow_negative: bool) -> Result<()> {
        self.ensure_writable()?;
        let mut stock = Stock::new(object_id);
        self.lock_stock(&mut stock, [good_id])?;
        stock.check(good_id, delta, allow_negative)?;
        stock.move_good(good_id, delta);
        self.write_stock(&stock)
    }

    /// The store balance of a good at an object (all its rows).
    pub fn balance(&self, object_id: i32, good_id: i32) -> Result<f64> {
        let sql = balance_sql(self.dialect());
        Ok(self.query_one(&sql, Params::new().int(object_id).int(good_id).as_slice(), |r| r.f64(1))?.unwrap_or(0.0))
    }

    /// The available quantity of a good at an object: the balance minus open sales orders.
    pub fn available(&self, object_id: i32, good_id: i32) -> Result<f64> {
        let sql = open_orders_sql(self.dialect());
        let ordered = self.query_one(&sql, Params::new().int(object_id).int(object_id).int(good_id).as_slice(), |r| r.opt_f64(1))?.flatten().unwrap_or(0.0);
        Ok(self.balance(object_id, good_id)? - ordered)
    }

    /// The lines of a document, in ID order.
    pub fn document_lines(&self, oper_type: OperType, acct: i32) -> Result<Vec<StoredLine>> {
        let sql = document_lines_sql(self.dialect());
        self.query(&sql, Params::new().int(oper_type.0).int(acct).as_slice(), |r| {
            Ok(StoredLine {
                id: r.i32(1)?,
                good_id: r.i32(2)?,
                partner_id: r.i32(3)?,
                object_id: r.i32(4)?,
                qtty: r.f64(5)?,
                sign: r.i32(6)?,
                price_in: r.f64(7)?,
                price_out: r.f64(8)?,
                vat_in: r.f64(9)?,
                vat_out: r.f64(10)?,
                discount: r.f64(11)?,
                note: r.text(12)?,
            })
        })
    }

    /// The payment rows of a document, in ID order.
    pub fn document_payments(&self, oper_type: OperType, acct: i32) -> Result<Vec<StoredPayment>> {
        let sql = document_payments_sql(self.dialect());
        self.query(&sql, Params::new().int(oper_type.0).int(acct).as_slice(), |r| {
            Ok(StoredPayment { qtty: r.f64(1)?, mode: r.i32(2)?, sign: r.i32(3)?, payment_type: r.i32(4)?, partner_id: r.i32(5)? })
        })
    }
}

/// The columns of an operations row, in the order lines are inserted.
pub const LINE_COLUMNS: [&str; 22] = [
    "OperType",
    "Acct",
    "GoodID",
    "PartnerID",
    "ObjectID",
    "OperatorID",
    "Qtty",
    "Sign",
    "PriceIn",
    "PriceOut",
    "VATIn",
    "VATOut",
    "Discount",
    "CurrencyID",
    "CurrencyRate",
    "Date",
    "Lot",
    "LotID",
    "Note",
    "SrcDocID",
    "UserID",
    "UserRealTime",
];

/// The columns of a payments row, in the order payments are inserted.
pub const PAYMENT_COLUMNS: [&str; 13] =
    ["Acct", "OperType", "PartnerID", "ObjectID", "Qtty", "Mode", "Sign", "Date", "UserID", "UserRealTime", "Type", "TransactionNumber", "EndDate"];

/// The columns of a new store row.
pub const STORE_COLUMNS: [&str; 7] = ["ObjectID", "GoodID", "Qtty", "Price", "Lot", "LotID", "LotOrder"];

/// The balance rows of some goods at an object, with their lots, locked until the transaction
/// ends (parameters: object ID, then the goods' IDs for `marks`). With `expiry` (FEFO mode), each
/// row's lot expiry date too, the rows in its order.
pub fn store_rows_sql(d: Dialect, marks: &str, expiry: bool) -> String {
    let (hint, suffix) = d.lock_rows();
    let columns = "{store}.{ID}, {store}.{GoodID}, {store}.{Qtty}, {store}.{Price}, {store}.{Lot}, {store}.{LotID}, {store}.{LotOrder}";
    let condition = format!("{{store}}.{{ObjectID}} = ? AND {{store}}.{{GoodID}} IN ({marks})");
    if expiry {
        d.sql(&format!(
            "SELECT {columns}, {{lots}}.{{EndDate}} FROM {{store}}{hint} LEFT JOIN {{lots}} ON {{lots}}.{{ID}} = {{store}}.{{LotID}} \
             WHERE {condition} ORDER BY {{lots}}.{{EndDate}}{suffix}"
        ))
    } else {
        d.sql(&format!("SELECT {columns} FROM {{store}}{hint} WHERE {condition}{suffix}"))
    }
}

/// Deletes emptied lots (parameters: the rows' IDs for `marks`): only those still at zero.
pub fn delete_empty_lots_sql(d: Dialect, marks: &str) -> String {
    d.sql(&format!("DELETE FROM {{store}} WHERE {{ID}} IN ({marks}) AND {{Qtty}} < {ZERO_QTTY} AND {{Qtty}} > -{ZERO_QTTY}"))
}

/// Adds to one balance row (parameters: the quantity, negative to take; the row's ID).
pub fn store_add_sql(d: Dialect) -> String {
    d.sql("UPDATE {store} SET {Qtty} = {Qtty} + ? WHERE {ID} = ?")
}

/// Adds to `rows` balance rows at once (parameters: row ID and quantity for each row, then the
/// row IDs again for the WHERE). Not for Access, which has no CASE.
pub fn store_add_many_sql(d: Dialect, rows: usize) -> String {
    let whens = vec!["WHEN ? THEN ?"; rows.max(1)].join(" ");
    d.sql(&format!("UPDATE {{store}} SET {{Qtty}} = {{Qtty}} + CASE {{ID}} {whens} END WHERE {{ID}} IN ({})", Dialect::marks(rows)))
}

/// The balance of a good at an object (parameters: object ID, good ID).
pub fn balance_sql(d: Dialect) -> String {
    d.sql("SELECT SUM({Qtty}) FROM {store} WHERE {ObjectID} = ? AND {GoodID} = ?")
}

/// The quantity of a good in open sales orders at an object (parameters: object ID, good ID).
pub fn open_orders_sql(d: Dialect) -> String {
    d.sql(&format!("SELECT SUM({{Qtty}}) FROM ({}) {{x}} WHERE {{GoodID}} = ?", super::goods::RESERVING_ROWS))
}

/// What the reserving rows hold of some goods at an object (parameters: the object's ID twice,
/// then the goods for `marks`).
pub fn reserved_sql(d: Dialect, marks: &str) -> String {
    d.sql(&format!("SELECT {{GoodID}}, SUM({{Qtty}}) FROM ({}) {{x}} WHERE {{GoodID}} IN ({marks}) GROUP BY {{GoodID}}", super::goods::RESERVING_ROWS))
}

/// A document's lines (parameters: OperType, Acct).
pub fn document_lines_sql(d: Dialect) -> String {
    d.sql(
        "SELECT {ID}, {GoodID}, {PartnerID}, {ObjectID}, {Qtty}, {Sign}, {PriceIn}, {PriceOut}, {VATIn}, \
         {VATOut}, {Discount}, {Note} FROM {operations} WHERE {OperType} = ? AND {Acct} = ? ORDER BY {ID}",
    )
}

/// A document's payment rows (parameters: OperType, Acct).
pub fn document_payments_sql(d: Dialect) -> String {
    d.sql("SELECT {Qtty}, {Mode}, {Sign}, {Type}, {PartnerID} FROM {payments} WHERE {OperType} = ? AND {Acct} = ? ORDER BY {ID}")
}

/// The query for the highest number in a type's sequence (placeholders with start numbers count).
/// One MAX per type, combined: a MAX under `OperType IN (...)` can make the database walk every
/// line of those types, where a MAX under one type is a single look-up in (OperType, Acct).
pub fn acct_max_sql(d: Dialect, oper_type: OperType, object_id: i32, numbering: Numbering) -> (String, Params) {
    let mut parts = Vec::new();
    let mut params = Params::new();
    for t in oper_type.sequence() {
        let mut part = format!("SELECT MAX({{Acct}}) AS {{m}} FROM {{operations}} WHERE {{OperType}} = {t}");
        if numbering == Numbering::PerObject {
            part.push_str(" AND {ObjectID} = ?");
            params = params.int(object_id);
        }
        parts.push(part);
    }
    let sql = if parts.len() == 1 { parts.remove(0) } else { format!("SELECT MAX({{m}}) FROM ({}) {{x}}", parts.join(" UNION ALL ")) };
    (d.sql(&sql), params)
}

fn validate(doc: &NewDocument) -> Result<()> {
    let bad = |why: String| Err(WarehouseError::Invalid(format!("the document cannot be written: {why}")));
    if doc.lines.is_empty() {
        return bad("it has no lines".into());
    }
    if doc.object_id == SERVICE_ID || doc.object_id <= 0 {
        return bad("no object was chosen".into());
    }
    for (i, l) in doc.lines.iter().enumerate() {
        let n = i + 1;
        if !(l.qtty.is_finite() && l.qtty > 0.0) {
            return bad(format!("line {n} has quantity {}, which is not above zero", l.qtty));
        }
        for (what, v) in [("price", l.price), ("VAT", l.vat), ("discount", l.discount), ("purchase price", l.price_in)] {
            if !v.is_finite() {
                return bad(format!("line {n} has a {what} that is not a number"));
            }
        }
        if l.price < 0.0 && l.moves_stock {
            return bad(format!("line {n} has a negative price"));
        }
    }
    for p in &doc.paid {
        if !(p.amount.is_finite() && p.amount >= 0.0) {
            return bad(format!("a payment of {} is not a valid amount", p.amount));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_sides() {
        assert_eq!(OperType::SALE.sign(), -1);
        assert_eq!(OperType::SALES_ORDER.sign(), 0);
        assert_eq!(OperType::DELIVERY.sign(), 1);
        assert!(OperType::SALE.is_sales_side());
        assert!(!OperType::DELIVERY.is_sales_side());
        assert_eq!(OperType::CONSIGNMENT_SALE.sequence(), vec![2, 16]);
        assert_eq!(OperType::SALES_ORDER.prefix(), "OR");
    }

    #[test]
    fn acct_query_per_object() {
        let (sql, p) = acct_max_sql(Dialect::Mysql, OperType::SALE, 3, Numbering::PerObject);
        assert_eq!(
            sql,
            "SELECT MAX(`m`) FROM (SELECT MAX(`Acct`) AS `m` FROM `operations` WHERE `OperType` = 2 AND `ObjectID` = ? \
             UNION ALL SELECT MAX(`Acct`) AS `m` FROM `operations` WHERE `OperType` = 16 AND `ObjectID` = ?) `x`"
        );
        assert_eq!(p.len(), 2);
        let (sql, _) = acct_max_sql(Dialect::Mysql, OperType::SALES_ORDER, 3, Numbering::Global);
        assert_eq!(sql, "SELECT MAX(`Acct`) AS `m` FROM `operations` WHERE `OperType` = 19");
    }
}
