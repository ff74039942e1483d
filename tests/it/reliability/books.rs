//! Whether the books are right after a case: every order of the shop booked once or set aside
//! with its reason, nothing booked twice, no document line, payment or reserved number without
//! its document, each booked order told to the shop, and the store's balances exactly the start
//! minus what the booked orders sold.

use std::collections::{HashMap, HashSet};

use obmen::warehouse::{Params, Warehouse};

use crate::exchange::Setup;
use crate::shopiko::API_ID;

/// The store of the target object before a case.
pub struct Before {
    object: i32,
    stock: HashMap<i32, f64>,
}

impl Before {
    /// The object's balances now.
    pub fn take(wh: &Warehouse) -> Before {
        let object = wh.find_object("Централен Склад").unwrap().unwrap().id;
        let stock = wh
            .query(&wh.dialect().sql("SELECT {GoodID}, {Qtty} FROM {store} WHERE {ObjectID} = ?"), &object, |r| Ok((r.i32(1)?, r.f64(2)?)))
            .unwrap()
            .into_iter()
            .collect();
        Before { object, stock }
    }
}

/// What the books say.
#[derive(Debug, Default)]
pub struct Books {
    /// Orders in the shop checked.
    pub documents: u64,
    /// Orders neither booked nor set aside.
    pub lost: u64,
    /// Bookings beyond one per order: documents with no order, orders sharing a document.
    pub duplicated: u64,
    /// Everything else found wrong, in words.
    pub problems: Vec<String>,
}

fn ints(wh: &Warehouse, sql: &str) -> Vec<i32> {
    wh.query(&wh.dialect().sql(sql), (), |r| r.i32(1)).unwrap()
}

/// Checks the books against the shop; `set_aside` are the order ids obmen set aside with a
/// reason (they count as neither lost nor booked); `raw` the orders the shop sent as raw JSON
/// that obmen could read (they count like the others).
pub fn check(setup: &Setup, wh: &Warehouse, before: &Before, set_aside: &HashSet<String>, raw: &[obmen::shopiko::model::Order]) -> Books {
    let mut b = Books::default();
    let mut orders = setup.sim.sim.orders();
    orders.extend(raw.iter().cloned());
    b.documents = orders.len() as u64;
    let imports: Vec<(String, i32)> = wh
        .query(&wh.dialect().sql("SELECT {OrderID}, {Acct} FROM {obmen_imports} WHERE {Source} = ?"), Params::new().text(API_ID).as_slice(), |r| {
            Ok((r.text(1)?, r.i32(2)?))
        })
        .unwrap();
    let booked: HashMap<&str, i32> = imports.iter().map(|(o, a)| (o.as_str(), *a)).collect();
    let accts: HashSet<i32> = imports.iter().map(|(_, a)| *a).collect();
    // Two orders on one document is a mis-booking, counted with the duplicates.
    b.duplicated += (imports.len() - accts.len()) as u64;
    for o in &orders {
        let in_books = booked.contains_key(o.id.as_str());
        if !in_books && !set_aside.contains(&o.id) {
            b.lost += 1;
        }
        let told = o.acknowledged.is_some() || setup.sim.sim.order(&o.id).is_some_and(|s| s.acknowledged.is_some());
        if in_books && !told && !raw.iter().any(|r| r.id == o.id) {
            b.problems.push(format!("order {} is booked but the shop was never told", o.id));
        }
    }
    let docs: HashSet<i32> = ints(wh, "SELECT DISTINCT {Acct} FROM {operations} WHERE {OperType} = 2 AND {Acct} > 0").into_iter().collect();
    b.duplicated += docs.difference(&accts).count() as u64;
    let empty = accts.difference(&docs).count();
    if empty > 0 {
        b.problems.push(format!("{empty} imported orders have no document lines"));
    }
    let paid: HashSet<i32> = ints(wh, "SELECT DISTINCT {Acct} FROM {payments} WHERE {OperType} = 2").into_iter().collect();
    if paid != accts {
        b.problems.push(format!("payments: {} documents paid, {} booked", paid.len(), accts.len()));
    }
    let reserved = ints(wh, "SELECT COUNT(*) FROM {nextacct}")[0] as usize;
    if reserved != imports.len() {
        b.problems.push(format!("{reserved} document numbers reserved for {} documents", imports.len()));
    }
    // Stock: the start minus what the booked orders sold.
    let mut sold: HashMap<String, f64> = HashMap::new();
    for o in orders.iter().filter(|o| booked.contains_key(o.id.as_str())) {
        for l in &o.lines {
            *sold.entry(l.sku.clone()).or_default() += l.quantity.parse::<f64>().unwrap_or(0.0);
        }
    }
    for (sku, qty) in sold {
        let Some(g) = wh.goods_by_code(&sku).unwrap().into_iter().next() else {
            b.problems.push(format!("good {sku} was sold but is not in Warehouse Pro"));
            continue;
        };
        let now = wh.balance(before.object, g.id).unwrap();
        let start = before.stock.get(&g.id).copied().unwrap_or(0.0);
        if (now - (start - qty)).abs() > 1e-6 {
            b.problems.push(format!("good {sku}: the balance is {now}, not {start} - {qty}"));
        }
    }
    b
}

impl Books {
    /// Fails the case with everything found, after its row was written.
    pub fn assert_right(&self, case: &str) {
        assert!(
            self.lost == 0 && self.duplicated == 0 && self.problems.is_empty(),
            "{case}: {} lost, {} duplicated; {:?}",
            self.lost,
            self.duplicated,
            self.problems
        );
    }
}
