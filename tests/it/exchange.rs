//! The exchange of a "WarehousePro Import Export X" kind against real MariaDB and SQLite through
//! ODBC and its shop's simulator over HTTP on loopback: every kind of order, exactly once, the
//! quarantine, sales orders, and dry runs that change nothing anywhere. The tests reach the shop
//! only through the shop harness ([`crate::harness::ShopHarness`]), in the core's neutral
//! records, so that every kind's simulator runs them: Shopiko's and BaseLinker's.

use std::collections::HashMap;
use std::path::Path;

use obmen::config::{Home, ServerFile};
use obmen::kinds::warehouse_pro::shop::{CustomerType, Order};
use obmen::kinds::warehouse_pro::Report;
use obmen::kinds::{Details, Events, Job, RunContext, RunSummary, Server};
use obmen::shopiko::sim::SimConfig;
use obmen::state::{Outcome, State};
use obmen::warehouse::{Dialect, NewDocument, NewLine, Numbering, OperType, Params, Warehouse};
use odbc_api::{Cursor, ResultSetMetadata};
use sha2::{Digest, Sha256};

use crate::harness::{seed, BlShop, ShopHarness};
use crate::shopiko::{start_sim, RunningSim, KEY};
use crate::support::TestDb;

/// The import log's source of the Shopiko shop the tests of Shopiko's own cases use.
const SOURCE: &str = crate::shopiko::API_ID;

/// This kind's report of a run.
pub trait KindReport {
    fn report(&self) -> Report;
}

impl KindReport for RunSummary {
    fn report(&self) -> Report {
        match &self.details {
            Details::WarehouseProShopiko(r) | Details::WarehouseProBaselinker(r) => (**r).clone(),
            Details::None => Report::default(),
        }
    }
}

/// A Warehouse Pro database, a shop of some kind (Shopiko's unless said), and a server joining
/// them.
pub struct Setup<H: ShopHarness = RunningSim> {
    pub db: TestDb,
    pub home: tempfile::TempDir,
    pub sim: H,
    pub rt: tokio::runtime::Runtime,
}

impl Setup<RunningSim> {
    pub fn new(d: Dialect, goods: usize, shop: SimConfig, sets: &[(&str, &str)]) -> Setup {
        Setup::on(TestDb::with_demo(d, goods), shop, sets)
    }

    /// A shop and a server on this database.
    pub fn on(db: TestDb, shop: SimConfig, sets: &[(&str, &str)]) -> Setup {
        Setup::with(db, |rt| rt.block_on(start_sim(shop)), sets)
    }
}

impl Setup<BlShop> {
    /// A BaseLinker account with `orders` confirmed orders in euro, and a server joining it to a
    /// demo database of `goods` goods (40 at least: the account's seed sells the demo's first 40).
    pub fn baselinker(d: Dialect, goods: usize, orders: usize, sets: &[(&str, &str)]) -> Setup<BlShop> {
        Setup::with(TestDb::with_demo(d, goods.max(40)), |rt| rt.block_on(BlShop::start(orders)), sets)
    }
}

impl<H: ShopHarness> Setup<H> {
    /// The shop `start` starts on the setup's runtime, and a server on this database.
    pub fn with(db: TestDb, start: impl FnOnce(&tokio::runtime::Runtime) -> H, sets: &[(&str, &str)]) -> Setup<H> {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let sim = start(&rt);
        let home = tempfile::tempdir().unwrap();
        let setup = Setup { db, home, sim, rt };
        setup.write_server(sets);
        setup
    }

    /// The shop, as the exchange tests reach it.
    pub fn shop(&self) -> &dyn ShopHarness {
        &self.sim
    }

    pub fn home(&self) -> Home {
        Home { root: self.home.path().to_owned() }
    }

    /// Writes servers/Shop.toml with these settings over the defaults.
    pub fn write_server(&self, sets: &[(&str, &str)]) {
        let mut rules: HashMap<&str, String> = HashMap::new();
        rules.insert("object", "\"Централен Склад\"".into());
        rules.extend(self.shop().rules());
        for (k, v) in sets {
            rules.insert(k, v.to_string());
        }
        let rules: String = rules.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
        let text = format!(
            "name = \"Shop\"\nkind = \"{}\"\n\n[database]\ndialect = \"{}\"\nconnection = \"{}\"\n\n[rules]\n{rules}\n{}",
            self.shop().kind(),
            self.db.dialect,
            self.db.connection.replace('\\', "\\\\").replace('"', "\\\""),
            self.shop().section()
        );
        let dir = self.home.path().join("servers");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("Shop.toml"), text).unwrap();
    }

    pub fn server(&self) -> ServerFile {
        ServerFile::load(&self.home.path().join("servers/Shop.toml")).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn run(&self, dry_run: bool) -> RunSummary {
        self.run_job(Job { import: true, export: false, dry_run, full: false })
    }

    /// Runs a job through the Kind API, as the command line does.
    pub fn run_job(&self, job: Job) -> RunSummary {
        self.run_with(job, tokio_util::sync::CancellationToken::new(), Events::none())
    }

    /// Runs a job with this token and these events.
    pub fn run_with(&self, job: Job, cancel: tokio_util::sync::CancellationToken, events: Events) -> RunSummary {
        let server = Server::load(&self.server()).unwrap_or_else(|e| panic!("{e}"));
        let ctx = RunContext { home: self.home(), state: self.state(), cancel, events };
        self.rt.block_on(server.run(ctx, job))
    }

    pub fn state(&self) -> State {
        self.rt.block_on(State::open(&self.home.path().join("state.db"))).unwrap()
    }
}

on_both!(sqlite, mysql;
    amounts_no_shop_reaches_are_set_aside_and_nothing_is_booked,
    imports_every_kind_of_order_exactly_once,
    baselinker_imports_every_kind_of_order_exactly_once,
    bad_orders_are_set_aside_and_the_rest_go_on,
    a_page_that_fails_together_is_written_order_by_order_and_says_so,
    many_writers_on_one_database_make_each_partner_and_good_once,
    two_shops_sharing_customers_and_goods_book_into_one_database_each_made_once,
    a_dry_run_changes_nothing_anywhere,
    baselinker_bad_orders_are_set_aside_and_the_rest_go_on,
    baselinker_a_dry_run_changes_nothing_anywhere,
);

/// A sales order of one line at an object: it holds stock without moving it.
fn sales_order(object_id: i32, good_id: i32, qtty: f64) -> NewDocument {
    NewDocument {
        oper_type: OperType::SALES_ORDER,
        object_id,
        partner_id: 2,
        user_id: 1,
        date: chrono::Local::now().naive_local(),
        lines: vec![NewLine { good_id, qtty, price: 1.0, vat: 0.2, discount: 0.0, price_in: 1.0, moves_stock: true, note: String::new() }],
        due: None,
        paid: vec![],
        currency_id: 1,
        currency_rate: 1.0,
        allow_negative_stock: false,
        numbering: Numbering::Global,
    }
}

fn count(wh: &Warehouse, table: &str) -> i64 {
    wh.scalar_i64(&wh.dialect().sql(&format!("SELECT COUNT(*) FROM {{{table}}}")), ()).unwrap().unwrap_or(0)
}

fn money(s: &str) -> f64 {
    s.parse().unwrap()
}

/// The acct of an imported order.
fn acct_of(wh: &Warehouse, source: &str, order_id: &str) -> i32 {
    wh.imported(source, order_id).unwrap().unwrap_or_else(|| panic!("order {order_id} is not in the import log")).acct
}

fn imports_every_kind_of_order_exactly_once(d: Dialect) {
    every_kind_of_order_exactly_once(&Setup::new(d, 50, seed(40, 40), &[]));
}

fn baselinker_imports_every_kind_of_order_exactly_once(d: Dialect) {
    every_kind_of_order_exactly_once(&Setup::baselinker(d, 50, 40, &[]));
}

/// Forty orders of every sort the shop's seed makes (lines with discounts, vouchers and promo
/// codes, shipping, guests, companies and persons, paid and unpaid), each booked once as a sale
/// whose lines, notes, payments and partner say what the order did, the shop told of each, and
/// stock moved by what was sold; a second run books nothing, and three new orders later, just
/// those.
fn every_kind_of_order_exactly_once<H: ShopHarness>(s: &Setup<H>) {
    let (source, name) = (s.shop().source(), s.shop().name());
    let wh = s.db.open();
    let object = wh.find_object("Централен Склад").unwrap().unwrap();
    let before: HashMap<String, f64> = (1..=40)
        .map(|i| obmen::warehouse::demo::good(i).code)
        .map(|c| {
            let g = wh.goods_by_code(&c).unwrap().remove(0);
            (c, wh.balance(object.id, g.id).unwrap())
        })
        .collect();

    let summary = s.run(false);
    assert_eq!(summary.outcome, Outcome::Ok, "{summary:#?}");
    let report = summary.report().import.unwrap();
    assert_eq!(report.imported.len(), 40);
    assert_eq!(s.shop().acknowledged(), 40);

    let ids = s.shop().order_ids();
    assert_eq!(ids.len(), 40, "{ids:?}");
    let orders: Vec<Order> = ids.iter().map(|id| s.shop().order(id).unwrap()).collect();
    let mut sold: HashMap<String, f64> = HashMap::new();
    let (mut seen_voucher, mut seen_promo, mut seen_ship, mut seen_guest, mut seen_paid, mut seen_unpaid) = (false, false, false, false, false, false);
    let (mut seen_company, mut seen_person) = (false, false);
    for o in &orders {
        let acct = acct_of(&wh, &source, &o.id);
        assert_eq!(o.acknowledged_as.clone().unwrap(), format!("{acct:010}"));
        let lines = wh.document_lines(OperType::SALE, acct).unwrap();
        let expected_lines = o.lines.len() + o.discounts.len() + usize::from(o.shipping.is_some());
        assert_eq!(lines.len(), expected_lines, "order {}", o.number);
        let total: f64 = lines.iter().map(|l| (l.price_out + l.vat_out) * l.qtty).sum();
        assert!((total - money(&o.total)).abs() < 0.02, "order {}: {total} vs {}", o.number, o.total);
        for (ol, dl) in o.lines.iter().zip(&lines) {
            assert_eq!(dl.sign, -1);
            assert_eq!(dl.qtty, money(&ol.quantity));
            assert_eq!(dl.discount, money(&ol.discount_percent));
            let vat = money(&ol.vat_percent);
            assert!((dl.vat_out - dl.price_out * vat / 100.0).abs() < 1e-4, "VAT per unit from the good's group");
            let gross = money(&ol.unit_price) * (1.0 - money(&ol.discount_percent) / 100.0);
            assert!((dl.price_out + dl.vat_out - gross).abs() < 1e-4);
            *sold.entry(ol.sku.clone()).or_default() += dl.qtty;
            assert_eq!(dl.note, format!("{name} {}", o.number));
        }
        let extra = &lines[o.lines.len()..];
        for (disc, line) in o.discounts.iter().zip(extra) {
            assert!(line.price_out < 0.0 && line.sign == -1 && line.note.contains(&disc.code), "{line:?}");
            seen_voucher |= line.note.contains("Ваучер");
            seen_promo |= line.note.contains("Промо код");
        }
        if let Some(ship) = &o.shipping {
            let line = extra.last().unwrap();
            assert!((line.price_out + line.vat_out - money(&ship.price)).abs() < 1e-4);
            assert!(line.note.contains(&ship.method));
            seen_ship = true;
        }
        let payments = wh.document_payments(OperType::SALE, acct).unwrap();
        assert_eq!(payments[0].mode, -1);
        assert!((payments[0].qtty - money(&o.total)).abs() < 0.02);
        if o.payment.paid {
            assert_eq!(payments.len(), 2, "{}", o.number);
            assert_eq!(payments[1].mode, 1);
            assert_eq!(payments[1].qtty, money(&o.payment.paid_amount));
            seen_paid = true;
        } else {
            assert_eq!(payments.len(), 1);
            seen_unpaid = true;
        }
        let partner = wh.partner(lines[0].partner_id).unwrap().unwrap();
        match o.customer.kind {
            CustomerType::Guest => {
                assert_eq!(partner.company, s.shop().guest_partner());
                seen_guest = true;
            }
            CustomerType::Company => {
                assert_eq!(partner.company, o.customer.contact.company_name);
                assert_eq!(
                    obmen::warehouse::partners::normalise_tax_number(&partner.vat_number),
                    obmen::warehouse::partners::normalise_tax_number(&o.customer.contact.vat_number)
                );
                seen_company = true;
            }
            CustomerType::Person => {
                assert_eq!(partner.email.to_lowercase(), o.customer.contact.email.to_lowercase());
                seen_person = true;
            }
        }
    }
    let seen_voucher = seen_voucher || !s.shop().has_vouchers();
    assert!(seen_voucher && seen_promo && seen_ship && seen_guest && seen_paid && seen_unpaid && seen_company && seen_person, "the seed covers every case");
    // Existing partners were matched, not made again; one guest partner for all guests.
    let guests = wh.partners().unwrap().into_iter().filter(|p| p.company == s.shop().guest_partner()).count();
    assert_eq!(guests, 1);
    if s.shop().knows_demo_partners() {
        let demo_company = obmen::warehouse::demo::partner(1);
        assert_eq!(wh.partners_by_email(&demo_company.email).unwrap().len(), 1);
    }
    // Stock moved by exactly what was sold.
    for (code, qty) in &sold {
        let g = wh.goods_by_code(code).unwrap().remove(0);
        assert!((wh.balance(object.id, g.id).unwrap() - (before[code] - qty)).abs() < 1e-9, "good {code}");
    }

    // Again: nothing new; a new order later: just that one.
    let operations = count(&wh, "operations");
    let again = s.run(false);
    assert_eq!(again.outcome, Outcome::Ok);
    assert_eq!(again.report().import.unwrap().imported.len(), 0);
    assert_eq!(count(&wh, "operations"), operations);
    assert_eq!(wh.imported_count(&source).unwrap(), 40);
    s.shop().add_orders(3);
    let third = s.run(false).report().import.unwrap();
    assert_eq!(third.imported.len(), 3);
    let runs = s.rt.block_on(s.state().runs("Shop", 10)).unwrap();
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[2].summary["details"]["import"]["imported"].as_array().unwrap().len(), 40);
}

/// An order of one line, for the cases the seed never makes: the seed's first order, cut down.
pub fn order(id: &str, sku: &str, quantity: &str, price: &str) -> Order {
    let mut o = crate::harness::sample_order();
    o.id = id.into();
    o.number = format!("SH-{id}");
    o.lines.truncate(1);
    o.lines[0].sku = sku.into();
    o.lines[0].quantity = quantity.into();
    o.lines[0].unit_price = price.into();
    o.lines[0].discount_percent = "0".into();
    o.discounts.clear();
    o.shipping = None;
    o.payment.paid = false;
    let q: f64 = quantity.parse().unwrap_or(0.0);
    let p: f64 = price.parse().unwrap_or(0.0);
    o.total = format!("{:.2}", q * p);
    o
}

/// A unit price of 1e300, a million paid on a 10.00 order, a quantity no shop sells, an order
/// with no id and one whose id is longer than the import log keeps: each set aside with its
/// reason, nothing of them in the database, and the good order beside them imported.
fn amounts_no_shop_reaches_are_set_aside_and_nothing_is_booked(d: Dialect) {
    let shop = seed(1, 20);
    let s = Setup::new(d, 30, shop, &[("allow_negative_stock", "true")]);
    let g3 = obmen::warehouse::demo::good(3);
    s.shop().place(&order("910001", &g3.code, "1", "1e300"));
    let mut overpaid = order("910002", &g3.code, "1", "10.00");
    overpaid.payment.paid = true;
    overpaid.payment.paid_amount = "1000000".into();
    s.shop().place(&overpaid);
    s.shop().place(&order("910003", &g3.code, "5000000", "1.00"));
    let mut no_id = order("910004", &g3.code, "1", "1.00");
    no_id.id = String::new();
    s.shop().place(&no_id);
    s.shop().place(&order(&"9".repeat(150), &g3.code, "1", "1.00"));
    let wh = s.db.open();
    let summary = s.run(false);
    assert_eq!(summary.outcome, Outcome::Partial, "{summary:#?}");
    let report = summary.report().import.unwrap();
    assert_eq!(report.imported.len(), 1, "only the seeded order: {report:#?}");
    let reasons: HashMap<String, String> = report.quarantined.iter().map(|q| (q.order.clone(), q.reason.clone())).collect();
    assert!(reasons["SH-910001"].contains("1e300 is above the largest amount"), "{reasons:?}");
    assert!(reasons["SH-910002"].contains("1000000.00 was paid on an order whose total is 10.00"), "{reasons:?}");
    assert!(reasons["SH-910003"].contains("the quantity 5000000 is above the largest"), "{reasons:?}");
    assert!(reasons["SH-910004"].contains("has no id"), "{reasons:?}");
    assert!(reasons[&format!("SH-{}", "9".repeat(150))].contains("longer than 100"), "{reasons:?}");
    for id in ["910001", "910002", "910003"] {
        assert!(wh.imported(SOURCE, id).unwrap().is_none(), "{id} was booked");
    }
    let seeded = wh.imported(SOURCE, "100001").unwrap().expect("the good order went on");
    assert_eq!(count(&wh, "operations"), wh.document_lines(OperType::SALE, seeded.acct).unwrap().len() as i64, "only its lines are in");
    let amounts: Vec<f64> = wh.query(&wh.dialect().sql("SELECT {Qtty} FROM {payments}"), (), |r| r.f64(1)).unwrap();
    assert!(amounts.iter().all(|a| a.abs() < 10_000.0), "no questionable payment was written: {amounts:?}");
}

on_both!(currency_sqlite, currency_mysql; a_database_in_euro_or_in_lev_takes_orders_in_either_and_questions_others);

/// What the operations rows of an imported order hold: (gross total, CurrencyID, CurrencyRate).
fn booked(wh: &Warehouse, order_id: &str) -> (f64, i32, f64) {
    let acct = acct_of(wh, SOURCE, order_id);
    let rows = wh
        .query(
            &wh.dialect().sql("SELECT {PriceOut}, {VATOut}, {Qtty}, {CurrencyID}, {CurrencyRate} FROM {operations} WHERE {OperType} = 2 AND {Acct} = ?"),
            &acct,
            |r| Ok((r.f64(1)?, r.f64(2)?, r.f64(3)?, r.i32(4)?, r.f64(5)?)),
        )
        .unwrap();
    let gross: f64 = rows.iter().map(|(p, v, q, _, _)| (p + v) * q).sum();
    assert!(rows.iter().all(|r| (r.3, r.4) == (rows[0].3, rows[0].4)), "one currency a document: {rows:?}");
    (gross, rows[0].3, rows[0].4)
}

/// Bulgaria adopted the euro on 2026-01-01 at 1.95583 BGN = 1 EUR: a database keeps EUR or
/// still BGN. Each takes an order in its base currency as it is, one in the other currency at
/// that currency's rate (amounts in the base, the currency and its rate on every line), and sets
/// aside an order in a currency it does not have, or in no currency at all.
fn a_database_in_euro_or_in_lev_takes_orders_in_either_and_questions_others(d: Dialect) {
    use obmen::warehouse::init::{BaseCurrency, BGN_PER_EUR};
    for base in [BaseCurrency::Eur, BaseCurrency::Bgn] {
        let db = crate::support::TestDb::empty(d);
        db.open().init_with(30, base).unwrap();
        let s = Setup::on(db, seed(0, 0), &[("allow_negative_stock", "true")]);
        let g = obmen::warehouse::demo::good(3);
        let in_ = |id: &str, currency: &str, price: &str| {
            let mut o = order(id, &g.code, "1", price);
            o.currency = currency.into();
            o.payment.paid = true;
            o.payment.paid_amount = o.total.clone();
            o
        };
        s.shop().place(&in_("920001", "EUR", "10.00"));
        s.shop().place(&in_("920002", "bgn", "19.56"));
        s.shop().place(&in_("920003", "USD", "10.00"));
        s.shop().place(&in_("920004", "€", "10.00"));
        let summary = s.run(false);
        let r = summary.report().import.unwrap();
        assert_eq!(r.imported.len(), 2, "{base:?}: {r:#?}");
        let reasons: HashMap<String, String> = r.quarantined.iter().map(|q| (q.order.clone(), q.reason.clone())).collect();
        let base_code = if base == BaseCurrency::Eur { "EUR" } else { "BGN" };
        assert!(reasons["SH-920003"].contains(&format!("the order is in USD, but the Warehouse Pro database keeps its amounts in {base_code}")), "{reasons:?}");
        assert!(reasons["SH-920004"].contains("is no currency code"), "{reasons:?}");
        let wh = s.db.open();
        let (eur, eur_id, eur_rate) = booked(&wh, "920001");
        let (bgn, bgn_id, bgn_rate) = booked(&wh, "920002");
        match base {
            BaseCurrency::Eur => {
                assert_eq!((eur_id, eur_rate), (1, 1.0), "the base as it is");
                assert!((eur - 10.0).abs() < 1e-6, "{eur}");
                assert_eq!(bgn_id, 2);
                assert!((bgn_rate - 1.0 / BGN_PER_EUR).abs() < 1e-9, "{bgn_rate}");
                assert!((bgn - 19.56 / BGN_PER_EUR).abs() < 1e-4, "19.56 BGN in EUR: {bgn}");
            }
            BaseCurrency::Bgn => {
                assert_eq!((bgn_id, bgn_rate), (1, 1.0));
                assert!((bgn - 19.56).abs() < 1e-6, "{bgn}");
                assert_eq!((eur_id, eur_rate), (2, BGN_PER_EUR));
                assert!((eur - 10.0 * BGN_PER_EUR).abs() < 1e-4, "10 EUR in BGN: {eur}");
            }
        }
        // Payments are in the base currency too.
        let paid: Vec<f64> = wh
            .query(
                &wh.dialect().sql("SELECT {Qtty} FROM {payments} WHERE {OperType} = 2 AND {Mode} = 1 AND {Acct} = ?"),
                &acct_of(&wh, SOURCE, "920002"),
                |r| r.f64(1),
            )
            .unwrap();
        assert!((paid[0] - bgn).abs() < 0.01, "{base:?}: paid {paid:?} against {bgn}");
    }
}

#[test]
fn a_database_whose_base_currency_cannot_be_told_stops_the_import_with_the_reason() {
    let s = Setup::new(Dialect::Sqlite, 10, seed(2, 5), &[]);
    let wh = s.db.open();
    wh.exec(&wh.dialect().sql("UPDATE {currencies} SET {ExchangeRate} = 1"), ()).unwrap();
    let summary = s.run(false);
    assert_eq!(summary.outcome, Outcome::Failed, "{summary:#?}");
    let e = summary.error().unwrap();
    assert!(!e.transient && e.message.contains("base currency cannot be told") && e.message.contains("EUR at 1") && e.message.contains("BGN at 1"), "{e:?}");
    assert_eq!(wh.imported_count(SOURCE).unwrap(), 0, "nothing booked in a currency it had to guess");
}

on_both!(reserved_sqlite, reserved_mysql; stock_held_by_open_orders_is_not_sold_and_not_offered);

/// Stock held by an open sales order (19) at the object, and by a restaurant order (33) whose
/// SrcDocID is the object, is not available: a sale it alone would cover is set aside, the shop
/// is told the quantity without it, and the sale goes through once the hold is gone.
fn stock_held_by_open_orders_is_not_sold_and_not_offered(d: Dialect) {
    let shop = seed(0, 0);
    let s = Setup::new(d, 10, shop, &[("export_goods", "true")]);
    let mut wh = s.db.open();
    let object = wh.find_object("Централен Склад").unwrap().unwrap();
    let other = wh.find_object("Магазин").unwrap().unwrap();
    let g = obmen::warehouse::demo::good(2);
    let good = wh.goods_by_code(&g.code).unwrap().remove(0);
    let balance = wh.balance(object.id, good.id).unwrap();
    assert!(balance >= 3.0, "{balance}");
    // A sales order holds all but two; a restaurant order served from the object holds one more.
    wh.write_document(&sales_order(object.id, good.id, balance - 2.0)).unwrap();
    let restaurant = "INSERT INTO {operations} ({OperType}, {Acct}, {GoodID}, {PartnerID}, {ObjectID}, {OperatorID}, {Qtty}, {Sign}, {PriceIn}, {PriceOut}, {VATIn}, {VATOut}, {Discount}, {CurrencyID}, {CurrencyRate}, {Lot}, {LotID}, {Note}, {SrcDocID}, {UserID}) \
                      VALUES (33, 1, ?, 2, ?, 1, 1, 0, 0, 1, 0, 0.2, 0, 1, 1, ' ', 0, 'маса 4', ?, 1)";
    wh.exec(&wh.dialect().sql(restaurant), Params::new().int(good.id).int(other.id).int(object.id).as_slice()).unwrap();
    assert!((wh.available(object.id, good.id).unwrap() - 1.0).abs() < 1e-9);

    // The shop is told 1, not the balance.
    let exported = s.run_job(Job { import: false, export: true, dry_run: false, full: false });
    assert!(exported.errors.is_empty(), "{exported:#?}");
    assert_eq!(s.shop().stock(&g.code), Some(1.0));

    // A sale of two: only the held stock would cover it.
    s.shop().place(&order("930001", &g.code, "2", "3.00"));
    let r = s.run(false).report().import.unwrap();
    assert_eq!(r.imported.len(), 0, "{r:#?}");
    assert!(r.quarantined[0].reason.contains("not enough stock") && r.quarantined[0].reason.contains("1 available, 2 wanted"), "{r:#?}");
    assert!((wh.balance(object.id, good.id).unwrap() - balance).abs() < 1e-9, "nothing moved");

    // The restaurant order is served: the sale goes through from the quarantine.
    wh.exec(&wh.dialect().sql("DELETE FROM {operations} WHERE {OperType} = 33"), ()).unwrap();
    let r = s.run(false).report().import.unwrap();
    assert_eq!(r.imported.len(), 1, "{r:#?}");
    assert!((wh.balance(object.id, good.id).unwrap() - (balance - 2.0)).abs() < 1e-9);
}

on_both!(lots_sqlite, lots_mysql; a_lot_mode_database_sells_from_the_lots_its_mode_names_and_records_them);

/// In a lot-mode database (Warehouse Pro's configuration, `configkey23`) each store row is a lot:
/// a sale takes from the good's lots in the mode's order (FIFO by LotOrder, LIFO the other way,
/// FEFO by the lot's expiry date), writes one line per lot with the lot and its purchase price,
/// deletes the lots it empties, and never goes below zero even where negative stock is allowed.
/// The shop is told what is left, and a good made in such a database gets no empty lot rows.
fn a_lot_mode_database_sells_from_the_lots_its_mode_names_and_records_them(d: Dialect) {
    let date = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap().and_hms_opt(0, 0, 0).unwrap();
    // (mode, the lines a sale of 4 writes as (lot, quantity, purchase price), the lots left)
    type Case<'a> = (&'a str, &'a [(&'a str, f64, f64)], &'a [(&'a str, f64)]);
    let cases: [Case; 3] = [
        ("2", &[("A-1", 2.0, 5.0), ("B-2", 2.0, 6.0)], &[("B-2", 1.0), ("C-3", 4.0)]),
        ("3", &[("C-3", 4.0, 7.0)], &[("A-1", 2.0), ("B-2", 3.0)]),
        ("5", &[("B-2", 3.0, 6.0), ("A-1", 1.0, 5.0)], &[("A-1", 1.0), ("C-3", 4.0)]),
    ];
    for (mode, lines, left) in cases {
        let s = Setup::new(d, 10, seed(0, 0), &[("allow_negative_stock", "true"), ("export_goods", "true")]);
        let wh = s.db.open();
        let q = |sql: &str| wh.dialect().sql(sql);
        wh.exec(&q("INSERT INTO {configuration} ({Key}, {Value}, {UserID}) VALUES ('configkey23', ?, -1)"), Params::new().text(mode).as_slice()).unwrap();
        let object = wh.find_object("Централен Склад").unwrap().unwrap();
        let g = obmen::warehouse::demo::good(2);
        let good = wh.goods_by_code(&g.code).unwrap().remove(0);
        wh.exec(&q("DELETE FROM {store} WHERE {GoodID} = ?"), &good.id).unwrap();
        wh.exec(&q("DELETE FROM {operations} WHERE {GoodID} = ? AND {OperType} IN (19, 33)"), &good.id).unwrap();
        // Three lots: A in first and expiring last, B expiring first, C with no expiry date.
        let lot = "INSERT INTO {lots} ({ID}, {SerialNo}, {Location}, {EndDate}) VALUES (?, ?, '', ?)";
        wh.exec(&q(lot), Params::new().int(11).text("A-1").time(date(2027, 3, 1)).as_slice()).unwrap();
        wh.exec(&q(lot), Params::new().int(12).text("B-2").time(date(2026, 12, 20)).as_slice()).unwrap();
        wh.exec(&q("INSERT INTO {lots} ({ID}, {SerialNo}, {Location}) VALUES (13, 'C-3', '')"), ()).unwrap();
        let row = "INSERT INTO {store} ({ObjectID}, {GoodID}, {Qtty}, {Price}, {Lot}, {LotID}, {LotOrder}) VALUES (?, ?, ?, ?, ?, ?, ?)";
        for (name, lot_id, qtty, price, order) in [("A-1", 11, 2.0, 5.0, 1), ("B-2", 12, 3.0, 6.0, 2), ("C-3", 13, 4.0, 7.0, 3)] {
            wh.exec(&q(row), Params::new().int(object.id).int(good.id).num(qtty).num(price).text(name).int(lot_id).int(order).as_slice()).unwrap();
        }
        assert!(wh.stock_mode().unwrap().uses_lots());

        s.shop().place(&order("940001", &g.code, "4", "9.00"));
        s.shop().place(&order("940002", &g.code, "6", "9.00"));
        let r = s.run(false).report().import.unwrap();
        assert_eq!(r.imported.len(), 1, "mode {mode}: {r:#?}");
        assert!(r.quarantined[0].order == "SH-940002" && r.quarantined[0].reason.contains("5 available, 6 wanted"), "lots never go below zero: {r:#?}");
        let written: Vec<(String, i32, f64, f64, f64)> = wh
            .query(
                &q("SELECT {Lot}, {LotID}, {Qtty}, {PriceIn}, {PriceOut} FROM {operations} WHERE {OperType} = 2 AND {Acct} = ? ORDER BY {ID}"),
                &acct_of(&wh, SOURCE, "940001"),
                |r| Ok((r.text(1)?, r.i32(2)?, r.f64(3)?, r.f64(4)?, r.f64(5)?)),
            )
            .unwrap();
        let want: Vec<(String, i32, f64, f64, f64)> =
            lines.iter().map(|(lot, qtty, cost)| (lot.to_string(), 10 + lot[2..].parse::<i32>().unwrap(), *qtty, *cost, written[0].4)).collect();
        assert_eq!(written, want, "mode {mode}");
        let stored: Vec<(String, f64)> = wh
            .query(
                &q("SELECT {Lot}, {Qtty} FROM {store} WHERE {ObjectID} = ? AND {GoodID} = ? ORDER BY {Lot}"),
                Params::new().int(object.id).int(good.id).as_slice(),
                |r| Ok((r.text(1)?, r.f64(2)?)),
            )
            .unwrap();
        assert_eq!(stored, left.iter().map(|(l, q)| (l.to_string(), *q)).collect::<Vec<_>>(), "mode {mode}: emptied lots are deleted");
        // The payment is the order's, however many lines it took.
        let due = wh
            .query_one(&q("SELECT {Qtty} FROM {payments} WHERE {OperType} = 2 AND {Mode} = -1 AND {Acct} = ?"), &acct_of(&wh, SOURCE, "940001"), |r| r.f64(1))
            .unwrap();
        assert_eq!(due, Some(36.0), "mode {mode}");

        let exported = s.run_job(Job { import: false, export: true, dry_run: false, full: false });
        assert!(exported.errors.is_empty(), "{exported:#?}");
        assert_eq!(s.shop().stock(&g.code), Some(5.0), "mode {mode}: the lots left");

        let tx = s.db.open();
        let made = tx
            .transaction(|tx| {
                tx.create_good(&obmen::warehouse::NewGood {
                    code: "LOT-NEW".into(),
                    name: "Нова".into(),
                    measure: "бр.".into(),
                    vat_group_id: 1,
                    group_id: 1,
                    ..Default::default()
                })
            })
            .unwrap();
        assert_eq!(wh.scalar_i64(&q("SELECT COUNT(*) FROM {store} WHERE {GoodID} = ?"), &made).unwrap(), Some(0), "no empty lots for a new good");
    }
}

on_both!(roles_sqlite, roles_mysql; shop_customers_become_clients_and_partners_written_before_are_repaired_on_request);

/// partners.Type is a role: a person and a company from the shop both become clients (company or
/// person shows in the fields they carry). Partners an earlier obmen wrote as 0 or 1 are offered a
/// repair, shown by a dry run and made by `--apply`; partners obmen did not make are left alone.
fn shop_customers_become_clients_and_partners_written_before_are_repaired_on_request(d: Dialect) {
    let shop = seed(12, 20);
    let s = Setup::new(d, 30, shop, &[("allow_negative_stock", "true")]);
    let wh = s.db.open();
    // Written by an earlier obmen: a person as 1 (a supplier to Warehouse Pro), a company as 0.
    let old = |code: &str, name: &str, vat: &str, t: i32| {
        let id = wh
            .create_partner(&obmen::warehouse::Partner {
                code: code.into(),
                company: name.into(),
                vat_number: vat.into(),
                price_group: 1,
                ..Default::default()
            })
            .unwrap();
        wh.exec(&wh.dialect().sql("UPDATE {partners} SET {Type} = ? WHERE {ID} = ?"), Params::new().int(t).int(id).as_slice()).unwrap();
        id
    };
    let person = old("SH-C-OLD-1", "Стар Клиент", "", 1);
    let company = old("SH-C-OLD-2", "Стара Фирма ЕООД", "BG200000001", 0);
    let supplier = old("P-SUP-1", "Доставчик ООД", "BG200000002", 1);
    let role = |id: i32| wh.scalar_i64(&wh.dialect().sql("SELECT {Type} FROM {partners} WHERE {ID} = ?"), &id).unwrap();

    let summary = s.run(false);
    let r = summary.report().import.unwrap();
    assert_eq!(r.imported.len(), 12, "{r:#?}");
    assert!(r.notes.iter().any(|n| n.contains("2 partners obmen made") && n.contains("obmen repair Shop")), "{:?}", r.notes);
    // Every partner made from this run's customers is a client, companies and persons alike.
    let made: Vec<(String, String, i64)> = wh
        .query(&wh.dialect().sql("SELECT {Code}, {TaxNo}, {Type} FROM {partners} WHERE {Code} LIKE 'SH-%' AND {Code} NOT LIKE 'SH-C-OLD-%'"), (), |r| {
            Ok((r.text(1)?, r.text(2)?, r.f64(3)? as i64))
        })
        .unwrap();
    assert!(made.iter().any(|(_, vat, _)| !vat.is_empty()) && made.iter().any(|(_, vat, _)| vat.is_empty()), "companies and persons both: {made:?}");
    assert!(made.iter().all(|(_, _, t)| *t == 2), "{made:?}");

    // The repair: a dry run shows and changes nothing; --apply makes it.
    let (code, out, err) = obmen_cli(&s, &["repair", "Shop"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("partner-roles (not made: pass --apply)") && out.contains("SH-C-OLD-1") && out.contains("SH-C-OLD-2") && !out.contains("P-SUP-1"),
        "{out}"
    );
    assert_eq!((role(person), role(company)), (Some(1), Some(0)), "a dry run changes nothing");
    let (_, out, _) = obmen_cli(&s, &["repair", "Shop", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (json[0]["name"].as_str(), json[0]["applied"].as_bool(), json[0]["changes"].as_array().map(Vec::len)),
        (Some("partner-roles"), Some(false), Some(2)),
        "{json}"
    );
    let (code, out, _) = obmen_cli(&s, &["repair", "Shop", "--apply"]);
    assert_eq!(code, 0);
    assert!(out.contains("partner-roles (made)"), "{out}");
    assert_eq!((role(person), role(company), role(supplier)), (Some(2), Some(2), Some(1)), "only obmen's partners change");
    let (_, out, _) = obmen_cli(&s, &["repair", "Shop"]);
    assert!(out.contains("nothing to repair"), "{out}");
}

on_both!(companies_sqlite, companies_mysql; companies_are_known_by_their_vat_numbers_not_a_shared_email);

/// Two companies that share one e-mail but not their VAT numbers are two partners, and an order
/// whose e-mail is a partner's of another VAT number gets a partner of its own, the summary
/// saying so.
fn companies_are_known_by_their_vat_numbers_not_a_shared_email(d: Dialect) {
    let shop = seed(0, 0);
    let s = Setup::new(d, 10, shop, &[("allow_negative_stock", "true")]);
    let wh = s.db.open();
    let known = wh
        .create_partner(&obmen::warehouse::Partner {
            code: "P-ALFA".into(),
            company: "Алфа ООД".into(),
            email: "office@grupa.bg".into(),
            vat_number: "BG111111111".into(),
            price_group: 1,
            ..Default::default()
        })
        .unwrap();
    let g = obmen::warehouse::demo::good(2);
    let company = |id: &str, name: &str, vat: &str| {
        let mut o = order(id, &g.code, "1", "2.00");
        o.customer.kind = CustomerType::Company;
        o.customer.id = Some(format!("C-{id}"));
        o.customer.contact.email = "office@grupa.bg".into();
        o.customer.contact.company_name = name.into();
        o.customer.contact.vat_number = vat.into();
        o.customer.contact.company_number = vat.trim_start_matches("BG").into();
        o
    };
    s.shop().place(&company("940001", "Бета ЕООД", "BG222222222"));
    s.shop().place(&company("940002", "Гама АД", "BG333333333"));
    s.shop().place(&company("940003", "Алфа ООД", "BG111111111"));
    let summary = s.run(false);
    assert_eq!(summary.outcome, Outcome::Ok, "{summary:#?}");
    let r = summary.report().import.unwrap();
    assert_eq!(r.imported.len(), 3, "{r:#?}");
    assert_eq!(r.partners_created.len(), 2, "Бета and Гама, not one partner for both: {r:#?}");
    assert!(r.notes.iter().filter(|n| n.contains("a new partner is made")).count() >= 2, "{:?}", r.notes);
    let partner_of = |id: &str| {
        let acct = acct_of(&wh, SOURCE, id);
        let pid =
            wh.scalar_i64(&wh.dialect().sql("SELECT MAX({PartnerID}) FROM {operations} WHERE {OperType} = 2 AND {Acct} = ?"), &acct).unwrap().unwrap() as i32;
        wh.partner(pid).unwrap().unwrap()
    };
    assert_eq!(normalise(&partner_of("940001").vat_number), "222222222");
    assert_eq!(normalise(&partner_of("940002").vat_number), "333333333");
    assert_eq!(partner_of("940003").id, known, "the known company by its VAT number");
}

fn normalise(v: &str) -> String {
    obmen::warehouse::partners::normalise_tax_number(v)
}

fn bad_orders_are_set_aside_and_the_rest_go_on(d: Dialect) {
    orders_set_aside_and_the_rest_go_on(&Setup::new(d, 30, seed(5, 20), &[("sync_nomenclature", "false")]));
}

fn baselinker_bad_orders_are_set_aside_and_the_rest_go_on(d: Dialect) {
    orders_set_aside_and_the_rest_go_on(&Setup::baselinker(d, 30, 5, &[("sync_nomenclature", "false")]));
}

/// What a query of (key, count) rows says: the keys found more than once.
fn twice(wh: &Warehouse, sql: &str) -> Vec<String> {
    wh.query(&wh.dialect().sql(sql), (), |r| Ok((r.opt_text(1)?.unwrap_or_default(), r.f64(2)?)))
        .unwrap()
        .into_iter()
        .filter(|(_, n)| *n > 1.0)
        .map(|(k, n)| format!("{k} x{n}"))
        .collect()
}

/// Several writers on one database: two homes (a move to a new PC), one with two servers, three
/// runs at once against one shop of 2,000 orders whose goods and customers Warehouse Pro does not
/// have yet, every one starting in a fresh home. Every order is booked once, none is set aside,
/// and no partner or good is made twice: making one is serialised by the database's own lock and
/// looked up again under it.
fn many_writers_on_one_database_make_each_partner_and_good_once(d: Dialect) {
    // The shop sells the demo goods 1-60; the database has the first alone.
    let s = Setup::new(d, 1, seed(2000, 60), &[("allow_negative_stock", "true"), ("sync_nomenclature", "true")]);
    let wh = s.db.open();
    let partners_twice = "SELECT {eMail}, COUNT(*) FROM {partners} WHERE {eMail} <> '' GROUP BY {eMail}";
    let before = twice(&wh, partners_twice);
    // A second server in the first home, and a second home with the same server.
    let text = std::fs::read_to_string(s.home.path().join("servers/Shop.toml")).unwrap();
    std::fs::write(s.home.path().join("servers/Shop2.toml"), text.replacen("name = \"Shop\"", "name = \"Shop2\"", 1)).unwrap();
    let other = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(other.path().join("servers")).unwrap();
    std::fs::write(other.path().join("servers/Shop.toml"), &text).unwrap();
    let runs = [(s.home.path().to_owned(), "Shop"), (s.home.path().to_owned(), "Shop2"), (other.path().to_owned(), "Shop")];
    let start = std::sync::Barrier::new(runs.len());
    let summaries: Vec<RunSummary> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|(home, name)| {
                let (s, start) = (&s, &start);
                scope.spawn(move || {
                    let file = ServerFile::load(&home.join(format!("servers/{name}.toml"))).unwrap_or_else(|e| panic!("{e}"));
                    let server = Server::load(&file).unwrap_or_else(|e| panic!("{e}"));
                    start.wait();
                    // Each opens its home's state as the command line does: two at once in a fresh home.
                    let state = s.rt.block_on(State::open(&home.join("state.db"))).unwrap();
                    let ctx = RunContext { home: Home { root: home.clone() }, state, cancel: Default::default(), events: Events::none() };
                    s.rt.block_on(server.run(ctx, Job { import: true, export: false, dry_run: false, full: false }))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut imported = 0;
    for summary in &summaries {
        assert!(summary.errors.is_empty(), "{:?}", summary.errors);
        let r = summary.report().import.unwrap();
        assert!(r.quarantined.is_empty(), "{:?}", r.quarantined.iter().take(3).collect::<Vec<_>>());
        imported += r.imported.len();
    }
    assert_eq!(imported, 2000, "every order booked by one of the three");
    let booked = wh.scalar_i64(&wh.dialect().sql("SELECT COUNT(*) FROM {obmen_imports}"), ()).unwrap();
    assert_eq!(booked, Some(2000));
    let documents = wh.query(&wh.dialect().sql("SELECT DISTINCT {Acct} FROM {operations} WHERE {OperType} = 2"), (), |r| r.i32(1)).unwrap();
    assert_eq!(documents.len(), 2000, "one document an order");
    assert_eq!(twice(&wh, partners_twice), before, "no partner made twice");
    assert!(twice(&wh, "SELECT {Code}, COUNT(*) FROM {goods} GROUP BY {Code}").is_empty(), "no good made twice");
}

/// Two servers of one home (as a daemon runs them, in one process) booking two shops into one
/// database, the shops sharing their customers and goods (one owner, two shops): both shops'
/// orders are booked, none is set aside, and each shared customer and good is made once.
fn two_shops_sharing_customers_and_goods_book_into_one_database_each_made_once(d: Dialect) {
    let s = Setup::new(d, 1, seed(1000, 60), &[("allow_negative_stock", "true"), ("sync_nomenclature", "true")]);
    let wh = s.db.open();
    let partners_twice = "SELECT {eMail}, COUNT(*) FROM {partners} WHERE {eMail} <> '' GROUP BY {eMail}";
    let before = twice(&wh, partners_twice);
    // The second shop: the same seed (customers, products, order ids), another account.
    let second = s.rt.block_on(start_sim(SimConfig { seed_orders: 1000, seed_products: 60, ..SimConfig::new("second-shop", KEY) }));
    let text = std::fs::read_to_string(s.home.path().join("servers/Shop.toml")).unwrap();
    let (head, _) = text.split_once("[shopiko]").unwrap();
    let other =
        format!("{}[shopiko]\nurl = \"{}\"\napi_id = \"second-shop\"\nkey = \"{KEY}\"\n", head.replacen("name = \"Shop\"", "name = \"Second\"", 1), second.url);
    std::fs::write(s.home.path().join("servers/Second.toml"), other).unwrap();
    let summaries: Vec<RunSummary> = std::thread::scope(|scope| {
        let handles: Vec<_> = ["Shop", "Second"]
            .into_iter()
            .map(|name| {
                let s = &s;
                scope.spawn(move || {
                    let file = ServerFile::load(&s.home.path().join(format!("servers/{name}.toml"))).unwrap_or_else(|e| panic!("{e}"));
                    let server = Server::load(&file).unwrap_or_else(|e| panic!("{e}"));
                    let ctx = RunContext { home: s.home(), state: s.state(), cancel: Default::default(), events: Events::none() };
                    s.rt.block_on(server.run(ctx, Job { import: true, export: false, dry_run: false, full: false }))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for summary in &summaries {
        assert!(summary.errors.is_empty(), "{:?}", summary.errors);
        let r = summary.report().import.unwrap();
        assert!(r.quarantined.is_empty(), "{:?}", r.quarantined.iter().take(3).collect::<Vec<_>>());
        assert_eq!(r.imported.len(), 1000);
    }
    assert_eq!(wh.scalar_i64(&wh.dialect().sql("SELECT COUNT(*) FROM {obmen_imports}"), ()).unwrap(), Some(2000));
    assert_eq!(twice(&wh, partners_twice), before, "no shared customer made twice");
    assert!(twice(&wh, "SELECT {Code}, COUNT(*) FROM {goods} GROUP BY {Code}").is_empty(), "no shared good made twice");
}

/// Two `obmen` processes started at the same moment in a fresh home, each running its own
/// server: both make and migrate the home's state database without tripping over each other
/// ("table ... already exists"), and both import. Five times, each in a fresh home.
#[test]
fn two_processes_started_at_once_in_a_fresh_home_both_work() {
    let s = Setup::new(Dialect::Sqlite, 20, seed(30, 20), &[("allow_negative_stock", "true")]);
    let text = std::fs::read_to_string(s.home.path().join("servers/Shop.toml")).unwrap();
    for round in 0..5 {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join("servers")).unwrap();
        for name in ["One", "Two"] {
            std::fs::write(home.path().join(format!("servers/{name}.toml")), text.replacen("name = \"Shop\"", &format!("name = \"{name}\""), 1)).unwrap();
        }
        let start = |name: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_obmen"))
                .args(["run", name, "--import"])
                .env("OBMEN_HOME", home.path())
                .env("OBMEN_LANG", "en")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (start("One"), start("Two"));
        for (name, child) in [("One", a), ("Two", b)] {
            let o = child.wait_with_output().unwrap();
            let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
            assert!(o.status.success(), "round {round}, {name}: {said}");
            assert!(!said.contains("already exists"), "round {round}, {name}: {said}");
        }
    }
}

/// An order that fails inside its page's transaction (its new customer's name is longer than
/// Warehouse Pro keeps) has the page written again one order at a time: it alone is set aside
/// with the reason, the others of the page are booked once, and the report counts the page.
fn a_page_that_fails_together_is_written_order_by_order_and_says_so(d: Dialect) {
    let s = Setup::new(d, 30, seed(4, 20), &[("allow_negative_stock", "true")]);
    let g3 = obmen::warehouse::demo::good(3);
    let mut long = order("920001", &g3.code, "1", "5.00");
    long.customer.kind = CustomerType::Company;
    long.customer.contact.company_name = "Я".repeat(300);
    long.customer.contact.email = "long.name@firma.bg".into();
    long.customer.contact.vat_number.clear();
    long.customer.contact.company_number.clear();
    s.shop().place(&long);
    let summary = s.run(false);
    let report = summary.report().import.unwrap();
    assert_eq!(report.imported.len(), 4, "{report:#?}");
    assert_eq!(report.pages_one_by_one, 1, "the page of five failed together once");
    let [aside] = report.quarantined.as_slice() else { panic!("{report:#?}") };
    assert!(aside.reason.contains("300 characters") && aside.reason.contains("Company"), "{}", aside.reason);
    let text = summary.report().render(false, obmen::config::Lang::En);
    assert!(text.contains("Pages written one order at a time, because an order failed while its page was written together: 1"), "{text}");
    let wh = s.db.open();
    assert!(wh.imported(&s.shop().source(), "920001").unwrap().is_none());
    // Run again: nothing more is booked, the order stays set aside.
    let again = s.run(false).report().import.unwrap();
    assert!(again.imported.is_empty(), "{again:#?}");
    assert_eq!(again.quarantined.len(), 1);
}

/// Orders of an unknown SKU, a price that is no number, a quantity below zero and more than the
/// stock, placed beside five good ones: each set aside with its reason, the rest booked; once
/// stock arrives the next run takes the last from the quarantine, and a dropped one stays out;
/// with nomenclature sync on, an unknown product becomes a new good, rolled back with its order
/// while the order cannot be booked.
fn orders_set_aside_and_the_rest_go_on<H: ShopHarness>(s: &Setup<H>) {
    let source = s.shop().source();
    // The number each order is known by in the report and the quarantine.
    let num = |id: &str| s.shop().order(id).unwrap_or_else(|| panic!("no order {id}")).number;
    let g3 = obmen::warehouse::demo::good(3);
    s.shop().place(&order("900001", "NO-SUCH-SKU", "1", "5.00"));
    s.shop().place(&order("900002", &g3.code, "1", "12,50"));
    s.shop().place(&order("900003", &g3.code, "-1", "5.00"));
    s.shop().place(&order("900004", &g3.code, &format!("{}", g3.stock_main + 5.0), "1.00"));
    let summary = s.run(false);
    assert_eq!(summary.outcome, Outcome::Partial);
    let report = summary.report().import.unwrap();
    assert_eq!(report.imported.len(), 5, "{report:#?}");
    let reasons: HashMap<String, String> = report.quarantined.iter().map(|q| (q.order.clone(), q.reason.clone())).collect();
    assert_eq!(reasons.len(), 4);
    let (n1, n2, n3, n4) = (num("900001"), num("900002"), num("900003"), num("900004"));
    assert!(reasons[&n1].contains("unknown product SKU 'NO-SUCH-SKU'") && reasons[&n1].contains("nomenclature sync is off"), "{reasons:?}");
    assert!(reasons[&n2].contains("the price '12,50' is not a number"), "{reasons:?}");
    assert!(reasons[&n3].contains("below zero"), "{reasons:?}");
    assert!(reasons[&n4].contains("not enough stock") && reasons[&n4].contains(&g3.code), "{reasons:?}");
    let wh = s.db.open();
    assert!(wh.imported(&source, "900004").unwrap().is_none(), "a refused order leaves nothing");
    // Where the shop has a place for it, each is told it was set aside.
    for id in ["900001", "900002", "900003", "900004"] {
        assert_ne!(s.shop().told_set_aside(id), Some(false), "order {id}");
    }
    let state = s.state();
    let listed = s.rt.block_on(state.quarantined("Shop", false)).unwrap();
    assert_eq!(listed.len(), 4);

    // Stock arrives: the next run takes the order from the quarantine; a dropped one stays out.
    let object = wh.find_object("Централен Склад").unwrap().unwrap();
    let good = wh.goods_by_code(&g3.code).unwrap().remove(0);
    let w = s.db.open();
    w.transaction(|tx| tx.move_stock(object.id, good.id, 10.0, false)).unwrap();
    let unknown = listed.iter().find(|q| q.order_number == n1).unwrap().id;
    assert!(s.rt.block_on(state.drop_quarantine("Shop", unknown)).unwrap());
    let next = s.run(false);
    let r = next.report().import.unwrap();
    assert_eq!(r.imported.iter().map(|i| i.order.as_str()).collect::<Vec<_>>(), vec![n4.as_str()]);
    assert_eq!(r.quarantined.len(), 2, "the bad price and the negative quantity stay set aside");
    assert!(wh.imported(&source, "900001").unwrap().is_none(), "a dropped order is never imported");
    let all = s.rt.block_on(state.quarantined("Shop", true)).unwrap();
    let st: HashMap<&str, &str> = all.iter().map(|q| (q.order_number.as_str(), q.state.as_str())).collect();
    assert_eq!((st[n1.as_str()], st[n4.as_str()], st[n2.as_str()]), ("dropped", "resolved", "open"));

    // With nomenclature sync on, an unknown product becomes a new good; it has no stock yet, so
    // while negative stock is refused the order is set aside and the new good rolls back with it.
    s.write_server(&[("sync_nomenclature", "true")]);
    s.shop().place(&order("900006", "NEW-SKU-0", "1", "3.60"));
    let r = s.run(false).report().import.unwrap();
    let n6 = num("900006");
    assert!(r.quarantined.iter().any(|q| q.order == n6 && q.reason.contains("not enough stock of good 'NEW-SKU-0'")), "{r:#?}");
    assert!(wh.goods_by_code("NEW-SKU-0").unwrap().is_empty(), "the new good went back with the order");
    s.write_server(&[("sync_nomenclature", "true"), ("allow_negative_stock", "true")]);
    s.shop().place(&order("900005", "NEW-SKU-1", "2", "3.60"));
    let r = s.run(false).report().import.unwrap();
    let n5 = num("900005");
    assert!(r.imported.iter().any(|i| i.order == n5) && r.imported.iter().any(|i| i.order == n6), "{r:#?}");
    let made = wh.goods_by_code("NEW-SKU-1").unwrap();
    assert_eq!(made.len(), 1);
    assert!(r.goods_created.iter().any(|g| g.starts_with("NEW-SKU-1")), "{r:#?}");
}

/// A SHA-256 of every row of every table, in a stable order.
pub fn checksum(wh: &Warehouse) -> String {
    let mut hash = Sha256::new();
    let mut tables = wh.table_names().unwrap();
    tables.sort();
    for t in tables {
        let sql = format!("SELECT * FROM {}", wh.dialect().quote(&t));
        let mut cursor = wh.connection().execute(&sql, (), None).unwrap().unwrap();
        let cols = cursor.num_result_cols().unwrap() as u16;
        let mut rows: Vec<Vec<u8>> = Vec::new();
        let mut buf = Vec::new();
        while let Some(mut row) = cursor.next_row().unwrap() {
            let mut r = Vec::new();
            for c in 1..=cols {
                let present = row.get_text(c, &mut buf).unwrap();
                r.extend_from_slice(if present { &buf } else { b"<null>" });
                r.push(0x1f);
            }
            rows.push(r);
        }
        rows.sort();
        hash.update(t.as_bytes());
        for r in rows {
            hash.update(&r);
        }
    }
    hex::encode(hash.finalize())
}

/// What obmen's state database holds, row by row (None: there is none). Its content, not its
/// bytes: SQLite folds a finished run's -wal file into the database file whenever a connection
/// closes, which changes the bytes and nothing they hold.
fn state_content(p: &Path) -> Option<String> {
    if !p.exists() {
        return None;
    }
    let wh = Warehouse::connect(&format!("Driver=SQLite3;Database={};", p.display()), Dialect::Sqlite).unwrap();
    Some(checksum(&wh))
}

fn a_dry_run_changes_nothing_anywhere(d: Dialect) {
    dry_runs_change_nothing_anywhere(&Setup::new(d, 25, seed(15, 20), &[]));
}

fn baselinker_a_dry_run_changes_nothing_anywhere(d: Dialect) {
    dry_runs_change_nothing_anywhere(&Setup::baselinker(d, 25, 15, &[]));
}

/// A dry run before any real one and one after it: each says what it would do (and what it
/// would set aside), and leaves the database, obmen's state and the shop as they were.
fn dry_runs_change_nothing_anywhere<H: ShopHarness>(s: &Setup<H>) {
    s.shop().place(&order("900009", "NO-SUCH-SKU-2", "1", "5.00"));
    let wh = s.db.open();
    let before = checksum(&wh);
    let state_db = s.home.path().join("state.db");
    let summary = s.run(true);
    assert_eq!(summary.outcome, Outcome::Partial, "as the real run will be: {summary:#?}");
    let report = summary.report().import.unwrap();
    assert_eq!(report.planned.len(), 15, "it says what it would do");
    assert_eq!(report.quarantined.len(), 1, "and what it would set aside: a new good has no stock");
    assert!(report.quarantined[0].reason.contains("not enough stock of good 'NO-SUCH-SKU-2'"), "{report:#?}");
    assert!(report.planned[0].contains("a sale at 'Централен Склад'"), "{}", report.planned[0]);
    assert_eq!(checksum(&wh), before, "the Warehouse Pro database is byte for byte the same");
    assert_eq!(s.shop().acknowledged(), 0, "the shop was told nothing");
    assert_ne!(s.shop().told_set_aside("900009"), Some(true), "not even of the order it would set aside");
    let state_before = state_content(&state_db);

    // After a real run, a dry run still changes nothing, and says everything is imported.
    let real = s.run(false);
    assert_eq!(real.report().import.as_ref().unwrap().imported.len(), 15, "as the dry run said");
    assert_eq!(real.report().import.as_ref().unwrap().quarantined.len(), 1);
    assert_ne!(s.shop().told_set_aside("900009"), Some(false), "the real run tells it");
    let after_real = checksum(&wh);
    let state_after_real = state_content(&state_db);
    let dry = s.run(true).report().import.unwrap();
    assert!(dry.planned.is_empty(), "{dry:#?}");
    assert_eq!(dry.quarantined.len(), 1, "the order in the quarantine would still be set aside");
    assert_eq!(checksum(&wh), after_real);
    assert_eq!(state_content(&state_db), state_after_real, "obmen's state is untouched by a dry run");
    // The first dry run had no state database to leave behind, or left it as it was.
    let _ = state_before;
}

on_both!(sales_orders_sqlite, sales_orders_mysql; orders_become_sales_orders_that_reserve_stock);

fn orders_become_sales_orders_that_reserve_stock(d: Dialect) {
    let shop = seed(6, 10);
    let s = Setup::new(d, 15, shop, &[("document", "\"sales_order\"")]);
    let wh = s.db.open();
    let object = wh.find_object("Централен Склад").unwrap().unwrap();
    let sum_store = |wh: &Warehouse| wh.scalar_i64(&wh.dialect().sql("SELECT SUM({Qtty}) FROM {store}"), ()).unwrap();
    let store_before = sum_store(&wh);
    let summary = s.run(false);
    assert_eq!(summary.outcome, Outcome::Ok, "{summary:#?}");
    let o = s.shop().order("100001").unwrap();
    let acct = wh.imported(SOURCE, "100001").unwrap().unwrap();
    assert_eq!(acct.oper_type, OperType::SALES_ORDER);
    let lines = wh.document_lines(OperType::SALES_ORDER, acct.acct).unwrap();
    assert!(lines.iter().all(|l| l.sign == 0));
    // Both readings of a sales order give its amounts: PriceIn/VATIn (Warehouse Open's) and
    // PriceOut/VATOut (obmen's).
    let from_in: f64 = lines.iter().map(|l| (l.price_in + l.vat_in) * l.qtty).sum();
    let from_out: f64 = lines.iter().map(|l| (l.price_out + l.vat_out) * l.qtty).sum();
    assert!((from_in - from_out).abs() < 1e-9, "{from_in} vs {from_out}");
    assert!((from_out - money(&o.total)).abs() < 0.02, "{from_out} vs {}", o.total);
    assert_eq!(sum_store(&wh), store_before, "no stock moved");
    let g = wh.goods_by_code(&o.lines[0].sku).unwrap().remove(0);
    assert!(wh.available(object.id, g.id).unwrap() < wh.balance(object.id, g.id).unwrap(), "but it is reserved");
    assert_eq!(s.shop().told_as(&o.id).map(|(_, kind)| kind).as_deref(), Some(crate::harness::SALES_ORDER), "the shop was told it is a sales order");
}

fn export_setup(d: Dialect) -> Setup {
    Setup::new(d, 200, seed(0, 0), &[("export_goods", "true"), ("export_partners", "true"), ("import", "\"never\""), ("export", "\"on_start\"")])
}

fn export(s: &Setup, dry_run: bool) -> obmen::kinds::warehouse_pro::ExportReport {
    let summary = s.run_job(Job { import: false, export: true, dry_run, full: false });
    assert!(summary.errors.is_empty(), "{summary:#?}");
    summary.report().export.unwrap()
}

on_both!(export_sqlite, export_mysql; exports_goods_partners_and_quantities_and_later_only_what_changed, an_edit_of_a_good_with_empty_columns_is_seen, prices_leave_in_the_shops_currency);

/// Prices leave in the shop's currency. A lev database exporting to a euro shop (the default)
/// sends 20.83 for a good whose price with VAT is 40.74 BGN, never 40.74. A shop in a currency
/// the database lacks gets no price (no product goes, the refusal says why, and what the shop
/// has stays as it was); once the database holds the currency, prices go at its rate.
fn prices_leave_in_the_shops_currency(d: Dialect) {
    use obmen::warehouse::init::{BaseCurrency, BGN_PER_EUR};
    let db = crate::support::TestDb::empty(d);
    db.open().init_with(30, BaseCurrency::Bgn).unwrap();
    let sets = [("export_goods", "true"), ("import", "\"never\""), ("export", "\"on_start\"")];
    let s = Setup::on(db, seed(0, 0), &sets);
    let in_currency = |code: &str| {
        s.write_server(&sets);
        let path = s.home.path().join("servers/Shop.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{}\ncurrency = \"{code}\"\n", text.trim_end())).unwrap();
    };
    let g7 = obmen::warehouse::demo::good(7);
    let bgn = g7.price_retail * 1.09;
    let price = || s.shop().products().into_iter().find(|p| p.sku == g7.code).unwrap().price;

    let eur = export(&s, false);
    assert!(eur.refused.is_empty(), "{eur:#?}");
    assert_eq!(price(), format!("{:.2}", bgn / BGN_PER_EUR), "{bgn:.2} BGN in euro");
    assert_ne!(price(), format!("{bgn:.2}"));

    in_currency("CZK");
    let czk = export(&s, false);
    assert_eq!(czk.products_sent, 0, "{czk:#?}");
    let refusal = czk.refused.iter().find(|r| r.key == "CZK").unwrap_or_else(|| panic!("{czk:#?}"));
    assert!(refusal.reason.contains("no currency CZK") && refusal.reason.contains("BGN"), "{}", refusal.reason);
    assert_eq!(price(), format!("{:.2}", bgn / BGN_PER_EUR), "what the shop has stays as it was");

    let wh = s.db.open();
    wh.exec(
        &wh.dialect().sql("INSERT INTO {currencies} ({ID}, {Currency}, {Description}, {ExchangeRate}, {Deleted}) VALUES (?, ?, ?, ?, 0)"),
        obmen::warehouse::Params::new().int(3).text("CZK").text("Чешка крона").num(0.08).as_slice(),
    )
    .unwrap();
    let held = export(&s, false);
    assert!(held.refused.is_empty(), "{held:#?}");
    assert_eq!(held.products_sent, 30, "every product again, in its new currency: {held:#?}");
    assert_eq!(price(), format!("{:.2}", bgn / 0.08));
}

/// A good whose texts hold NULLs (BarCode3 is NULL in most real databases) still takes part in
/// the goods' signature: its name edit is exported by the next run, not left to the daily full one.
fn an_edit_of_a_good_with_empty_columns_is_seen(d: Dialect) {
    let s = export_setup(d);
    let wh = s.db.open();
    let g = wh.goods_by_code(&obmen::warehouse::demo::good(7).code).unwrap().remove(0);
    wh.exec(&wh.dialect().sql("UPDATE {goods} SET {BarCode2} = NULL, {BarCode3} = NULL WHERE {ID} = ?"), &g.id).unwrap();
    let first = export(&s, false);
    assert!(first.read_every_good && first.products_sent > 0);
    let quiet = export(&s, false);
    assert!(!quiet.read_every_good && quiet.products_sent == 0, "nothing changed: {quiet:?}");
    wh.exec(&wh.dialect().sql("UPDATE {goods} SET {Name} = ? WHERE {ID} = ?"), (&odbc_api::IntoParameter::into_parameter("Ново име на стоката"), &g.id))
        .unwrap();
    let after = export(&s, false);
    assert!(after.read_every_good, "the signature saw the edit: {after:?}");
    assert_eq!(after.products_sent, 1, "{after:?}");
    let sent = s.shop().products().into_iter().find(|p| p.sku == g.code).unwrap();
    assert_eq!(sent.name, "Ново име на стоката");
}

fn exports_goods_partners_and_quantities_and_later_only_what_changed(d: Dialect) {
    let s = export_setup(d);
    let wh = s.db.open();
    let object = wh.find_object("Централен Склад").unwrap().unwrap();

    // A dry run sends nothing and remembers nothing.
    let dry = export(&s, true);
    assert_eq!((dry.products_sent, dry.stock_sent, dry.customers_sent), (200, 200, 20));
    assert_eq!(s.shop().products().len(), 0);

    let full = export(&s, false);
    assert_eq!((full.products_sent, full.stock_sent, full.customers_sent), (200, 200, 20), "{full:#?}");
    assert!(full.refused.is_empty());
    assert_eq!((s.shop().products().len(), s.shop().customer_count()), (200, 20));
    let g7 = obmen::warehouse::demo::good(7);
    let product = s.shop().products().into_iter().find(|p| p.sku == g7.code).unwrap();
    assert_eq!(product.name, g7.name);
    assert_eq!(product.barcodes, g7.barcodes);
    assert_eq!(product.vat_percent, "9", "good 7 is in the 9% VAT group");
    assert_eq!(product.price, format!("{:.2}", g7.price_retail * 1.09), "the retail price with VAT");
    assert_eq!(s.shop().stock(&g7.code), Some(g7.stock_main));

    assert!(full.read_every_good);

    // Nothing changed: nothing sent, and only quantities were read.
    let again = export(&s, false);
    assert_eq!((again.products_sent, again.stock_sent, again.customers_sent), (0, 0, 0));
    assert_eq!((again.products_unchanged, again.stock_unchanged, again.customers_unchanged), (200, 200, 20));
    assert!(!again.read_every_good, "{again:#?}");

    // 1% of quantities change (a sale, a sales order, a delivery): exactly those are sent.
    let mut w = s.db.open();
    let ids: Vec<i32> = (1..=2).map(|i| wh.goods_by_code(&obmen::warehouse::demo::good(i * 50).code).unwrap()[0].id).collect();
    w.transaction(|tx| tx.move_stock(object.id, ids[0], -3.0, false)).unwrap();
    w.transaction(|tx| tx.move_stock(object.id, ids[1], 10.0, false)).unwrap();
    let delta = export(&s, false);
    assert_eq!((delta.products_sent, delta.stock_sent, delta.customers_sent), (0, 2, 0), "{delta:#?}");
    assert!(!delta.read_every_good);
    assert_eq!((delta.products_unchanged, delta.stock_unchanged), (200, 198), "the counts cover every good: {delta:#?}");
    let after_delta = export(&s, false);
    assert_eq!((after_delta.stock_sent, after_delta.stock_unchanged), (0, 200), "the merged snapshot has both sent: {after_delta:#?}");
    let g50 = obmen::warehouse::demo::good(50);
    assert_eq!(s.shop().stock(&g50.code), Some(g50.stock_main - 3.0));

    // An open sales order holds stock back; a balance row goes away: both seen by quantities alone.
    let g60 = wh.goods_by_code(&obmen::warehouse::demo::good(60).code).unwrap().remove(0);
    let g70 = wh.goods_by_code(&obmen::warehouse::demo::good(70).code).unwrap().remove(0);
    w.write_document(&sales_order(object.id, g60.id, 4.0)).unwrap();
    wh.exec(
        &wh.dialect().sql("DELETE FROM {store} WHERE {ObjectID} = ? AND {GoodID} = ?"),
        obmen::warehouse::Params::new().int(object.id).int(g70.id).as_slice(),
    )
    .unwrap();
    let held = export(&s, false);
    assert_eq!((held.products_sent, held.stock_sent, held.read_every_good), (0, 2, false), "{held:#?}");
    assert_eq!(s.shop().stock(&g60.code), Some(obmen::warehouse::demo::good(60).stock_main - 4.0));
    assert_eq!(s.shop().stock(&g70.code), Some(0.0));

    // A price changes: every good is read again, and that product alone is sent.
    wh.exec(&wh.dialect().sql("UPDATE {goods} SET {PriceOut2} = 99 WHERE {ID} = ?"), &ids[0]).unwrap();
    let price = export(&s, false);
    assert_eq!((price.products_sent, price.stock_sent, price.read_every_good), (1, 0, true), "{price:#?}");
    let p = s.shop().products().into_iter().find(|p| p.sku == g50.code).unwrap();
    assert!(p.price == "118.80" || p.price == "107.91", "99 with VAT: {}", p.price);

    // So does a name, and the next export goes by quantities again.
    wh.exec(
        &wh.dialect().sql("UPDATE {goods} SET {Name} = ? WHERE {ID} = ?"),
        obmen::warehouse::Params::new().text("Чай мента 20 пакетчета").int(g60.id).as_slice(),
    )
    .unwrap();
    let name = export(&s, false);
    assert_eq!((name.products_sent, name.stock_sent, name.read_every_good), (1, 0, true), "{name:#?}");
    assert_eq!(s.shop().products().into_iter().find(|p| p.sku == g60.code).unwrap().name, "Чай мента 20 пакетчета");
    let quiet = export(&s, false);
    assert_eq!((quiet.products_sent, quiet.stock_sent, quiet.read_every_good), (0, 0, false), "{quiet:#?}");
}

on_both!(join_sqlite, join_mysql; two_systems_that_both_hold_data_are_joined_without_duplicates);

fn two_systems_that_both_hold_data_are_joined_without_duplicates(d: Dialect) {
    use obmen::kinds::warehouse_pro::shop::{Address, Contact, Customer, CustomerType, Product};
    use obmen::warehouse::demo;
    let s = Setup::new(
        d,
        30,
        seed(0, 0),
        &[("goods_compare_by", "\"barcode\""), ("export_goods", "true"), ("export_partners", "true"), ("import", "\"never\""), ("export", "\"on_start\"")],
    );
    // The shop already sells 25 of the warehouse's goods under its own SKUs (same barcodes), and 5 of its own.
    let mut shop_products: Vec<Product> = (1..=25)
        .map(|i| {
            let g = demo::good(i);
            Product {
                sku: format!("SHOP-{i}"),
                name: format!("{} (магазин)", g.name),
                barcodes: g.barcodes.clone(),
                measure: "бр.".into(),
                price: "1.00".into(),
                vat_percent: "20".into(),
            }
        })
        .collect();
    shop_products.extend((1..=5).map(|i| Product {
        sku: format!("ONLY-SHOP-{i}"),
        name: format!("Само в магазина {i}"),
        barcodes: vec![format!("38099999999{i:02}")],
        measure: "бр.".into(),
        price: "12.00".into(),
        vat_percent: "20".into(),
    }));
    // And two customers: one the warehouse knows (same e-mail), one it does not.
    let known = demo::partner(3);
    let customers = vec![
        Customer {
            kind: CustomerType::Company,
            id: Some("C-1".into()),
            contact: Contact {
                email: known.email.to_uppercase(),
                first_name: "А".into(),
                last_name: "Б".into(),
                company_name: known.name.clone(),
                ..Contact::default()
            },
            address: Address::default(),
        },
        Customer {
            kind: CustomerType::Person,
            id: Some("C-2".into()),
            contact: Contact {
                email: "nova.klientka@poshta.bg".into(), first_name: "Нова".into(), last_name: "Клиентка".into(), ..Contact::default()
            },
            address: Address::default(),
        },
    ];
    // Made in the shop by its staff and customers, not through the API.
    s.shop().edit_products_in_shop(shop_products);
    s.shop().edit_customers_in_shop(customers);

    // A dry run lists what would be linked and made, and changes nothing.
    let wh = s.db.open();
    let before = checksum(&wh);
    let dry = s.run_job(Job { import: false, export: true, dry_run: true, full: false });
    let n = dry.report().nomenclature.unwrap();
    assert_eq!((n.goods_linked.len(), n.goods_created.len(), n.goods_unmatched.len()), (25, 5, 0), "{n:#?}");
    assert_eq!((n.partners_linked.len(), n.partners_created.len()), (1, 1), "{n:#?}");
    assert!(n.goods_linked.iter().any(|l| l.starts_with("SHOP-1 -> 100001")), "{n:#?}");
    assert_eq!(checksum(&wh), before);
    assert_eq!(s.shop().products().len(), 30);

    let real = s.run_job(Job { import: false, export: true, dry_run: false, full: false });
    assert!(real.errors.is_empty(), "{real:#?}");
    // Goods made for the shop's own products, partner made for the new customer, each once.
    assert_eq!(wh.goods_by_code("ONLY-SHOP-3").unwrap().len(), 1);
    assert_eq!(wh.partners_by_email("nova.klientka@poshta.bg").unwrap().len(), 1);
    assert_eq!(wh.partners_by_email(&known.email).unwrap().len(), 1, "the known customer was linked, not made again");
    // The shop: the 25 linked products updated under their own SKUs, the 5 warehouse-only goods
    // added, nothing twice.
    let products = s.shop().products();
    assert_eq!(products.len(), 35, "30 the shop had and the 5 goods only the warehouse had");
    let shop1 = products.iter().find(|p| p.sku == "SHOP-1").unwrap();
    assert_eq!(shop1.name, demo::good(1).name, "the linked product now carries the warehouse's data");
    assert!(products.iter().all(|p| p.sku != demo::good(1).code), "and was not added again under the good's code");
    assert_eq!(
        s.shop().customer_count() as usize,
        10 + 1,
        "10 warehouse partners (one joined to C-1), and the new shop customer joined to the partner made from it"
    );
    // The shop lists as made in the shop only what its staff and customers made, not obmen's
    // own export coming back (the 25 linked products obmen updated are left out too).
    let c = crate::shopiko::client(&s.sim.url, KEY, obmen::shopiko::RetryPolicy::default());
    let from_shop = s.rt.block_on(c.products_changed_in_shop(None, 500)).unwrap();
    let skus: Vec<&str> = from_shop.items.iter().map(|p| p.sku.as_str()).collect();
    assert_eq!(skus.len(), 5, "{skus:?}");
    assert!(skus.iter().all(|s| s.starts_with("ONLY-SHOP-")), "{skus:?}");
    assert!(!from_shop.has_more);
    // A second run finds everything linked.
    let again = s.run_job(Job { import: false, export: true, dry_run: false, full: false });
    let n = again.report().nomenclature.unwrap();
    assert!(n.goods_linked.is_empty() && n.goods_created.is_empty() && n.partners_created.is_empty(), "{n:#?}");
    assert_eq!(again.report().export.unwrap().products_sent, 0);
}

fn obmen_cli(s: &Setup, args: &[&str]) -> (i32, String, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_obmen")).args(args).env("OBMEN_HOME", s.home.path()).env("OBMEN_LANG", "en").output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn run_and_quarantine_through_the_command_line() {
    let shop = seed(4, 10);
    let s = Setup::new(Dialect::Sqlite, 12, shop, &[("sync_nomenclature", "false")]);
    s.shop().place(&order("700001", "GONE-1", "1", "2.00"));
    s.shop().place(&order("700002", "GONE-2", "1", "2.00"));

    let (code, out, err) = obmen_cli(&s, &["run", "Shop", "--dry-run"]);
    assert_eq!(code, 3, "a dry run that would set orders aside says so (3: partly done): {out}{err}");
    assert!(out.contains("Import (nothing written): 4 orders would be imported") && out.contains("In the quarantine SH-700001"), "{out}");
    let (code, out, err) = obmen_cli(&s, &["run", "Shop", "--import"]);
    assert_eq!(code, 3, "partly done: {out}{err}");
    assert!(out.contains("Import: 4 orders imported") && out.contains("partly done"), "{out}");
    assert!(err.contains("obmen quarantine Shop"), "{err}");
    // Said once on each channel: the summary on stdout, one error line on stderr, no log lines.
    assert_eq!(err.lines().count(), 1, "{err}");

    let (code, out, _) = obmen_cli(&s, &["quarantine", "Shop"]);
    assert_eq!(code, 0);
    assert!(out.contains("SH-700001") && out.contains("unknown product SKU 'GONE-1'"), "{out}");
    let id = |needle: &str| out.lines().find(|l| l.contains(needle)).unwrap().split_whitespace().next().unwrap().to_owned();
    let (first, second) = (id("SH-700001"), id("SH-700002"));

    // Retry without a fix: still set aside, exit 3. Make the good, retry by the shop's order
    // number (any case): imported, exit 0. Drop the other by its number too.
    let (code, _, _) = obmen_cli(&s, &["quarantine", "Shop", "retry", &first]);
    assert_eq!(code, 3);
    let wh = s.db.open();
    wh.transaction(|tx| {
        let id = tx.create_good(&obmen::warehouse::NewGood { code: "GONE-1".into(), name: "Върнат".into(), vat_group_id: 1, ..Default::default() })?;
        let object = tx.find_object("Централен Склад")?.unwrap();
        tx.move_stock(object.id, id, 5.0, false)
    })
    .unwrap();
    let (code, out, err) = obmen_cli(&s, &["quarantine", "Shop", "retry", "sh-700001"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("SH-700001 -> document"), "{out}");
    assert!(!second.is_empty());
    let (code, out, _) = obmen_cli(&s, &["quarantine", "Shop", "drop", "SH-700002"]);
    assert_eq!(code, 0, "{out}");
    let (_, out, _) = obmen_cli(&s, &["quarantine", "Shop"]);
    assert!(out.starts_with("No orders"), "{out}");
    let (_, out, _) = obmen_cli(&s, &["quarantine", "Shop", "list", "--all"]);
    assert!(out.contains("[resolved]") && out.contains("[dropped]"), "{out}");
    for unknown in ["9999", "SH-999999", "🙂"] {
        let (code, _, err) = obmen_cli(&s, &["quarantine", "Shop", "drop", unknown]);
        assert_eq!(code, 1, "{unknown}");
        assert!(err.contains(&format!("no order '{unknown}' in the quarantine")), "{err}");
    }

    // A clean run: exit 0; the summary is also there as JSON.
    let (code, out, err) = obmen_cli(&s, &["run", "Shop", "--import", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["outcome"], "ok");
}

/// A setting only the database can check (the object) is a configuration error at run time too:
/// exit 78, the file and the field named, nothing booked.
#[test]
fn an_object_the_database_does_not_have_fails_the_run_as_a_configuration_error() {
    let shop = seed(2, 5);
    let s = Setup::new(Dialect::Sqlite, 10, shop, &[("object", "\"Няма такъв\"")]);
    let (code, out, err) = obmen_cli(&s, &["run", "Shop", "--import"]);
    assert_eq!(code, 78, "{out}{err}");
    assert!(err.contains("Shop.toml: rules.object: 'Няма такъв' is no object in the Warehouse Pro database") && err.contains("obmen check Shop"), "{err}");
    assert_eq!(s.db.open().imported_count(SOURCE).unwrap(), 0);
}

/// `obmen run --export --full` after the shop was emptied: every good, level and customer is
/// sent again although nothing changed on obmen's side; without --export it is a usage error.
#[test]
fn a_full_export_sends_everything_again() {
    let s = export_setup(Dialect::Sqlite);
    let first = export(&s, false);
    assert!(first.products_sent > 0 && first.stock_sent > 0, "{first:?}");
    let quiet = export(&s, false);
    assert_eq!((quiet.products_sent, quiet.stock_sent, quiet.customers_sent), (0, 0, 0), "{quiet:?}");
    let (code, out, err) = obmen_cli(&s, &["run", "Shop", "--export", "--full", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let e = &json["details"]["export"];
    assert_eq!(e["products_sent"].as_u64(), Some(first.products_sent), "{e}");
    assert_eq!(e["stock_sent"].as_u64(), Some(first.stock_sent), "{e}");
    assert_eq!(e["customers_sent"].as_u64(), Some(first.customers_sent), "{e}");
    // The export state was rebuilt: the next ordinary run has nothing to send.
    let after = export(&s, false);
    assert_eq!((after.products_sent, after.stock_sent), (0, 0), "{after:?}");
    let (code, _, err) = obmen_cli(&s, &["run", "Shop", "--import", "--full"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--full resends the export"), "{err}");
}

/// `--lang bg` (or the locale): the run's summary, its outcome, the quarantine, the server list
/// and errors speak Bulgarian.
#[test]
fn bulgarian_output_of_run_quarantine_list_and_errors() {
    let shop = seed(2, 10);
    let s = Setup::new(Dialect::Sqlite, 12, shop, &[("sync_nomenclature", "false")]);
    s.shop().place(&order("710001", "GONE-1", "1", "2.00"));
    let (code, out, err) = obmen_cli(&s, &["--lang", "bg", "run", "Shop", "--import"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("Сървър 'Shop': обмен от") && out.contains(": частично изпълнен."), "{out}");
    assert!(out.contains("Импорт: внесени 2 поръчки") && out.contains("В карантина SH-710001: непознат артикул 'GONE-1'"), "the reason too: {out}");
    assert!(err.contains("obmen: грешка: сървър 'Shop': 1 поръчка е поставена в карантина (`obmen quarantine Shop` я показва)"), "{err}");
    let (_, out, _) = obmen_cli(&s, &["--lang", "bg", "quarantine", "Shop"]);
    assert!(out.contains("SH-710001") && out.contains("опитана 1 път, последно"), "{out}");
    let (code, out, _) = obmen_cli(&s, &["--lang", "bg", "check", "Shop"]);
    assert_eq!(code, 0, "{out}");
    for line in [
        "✔ База данни на Склад Pro (sqlite): свързана",
        "✔ Таблици на Склад Pro: всички са налице",
        "✔ обект 'Централен Склад': намерен",
        "✔ основна валута: EUR",
        "✔ ключ за магазина: приет от",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    let (_, out, _) = obmen_cli(&s, &["--lang", "bg", "server", "list"]);
    assert!(out.starts_with("ИМЕ") && out.contains("АВТОСТАРТ") && out.contains("наред"), "{out}");
    // The locale decides where no --lang or OBMEN_LANG is given.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_obmen"))
        .args(["quarantine", "Shop", "drop", "SH-000"])
        .env("OBMEN_HOME", s.home.path())
        .env_remove("OBMEN_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "bg_BG.UTF-8")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("obmen: грешка: сървър 'Shop' няма поръчка 'SH-000' в карантина"), "{err}");
}

/// A run against a shop that does not answer says so on stderr while it waits (one line a
/// retry, not a minute of silence), and stops on SIGTERM.
#[test]
fn a_run_waiting_on_a_shop_that_is_down_says_so_while_it_waits() {
    use std::io::{BufRead, BufReader};
    let s = Setup::new(Dialect::Sqlite, 5, seed(0, 0), &[]);
    let file = s.home.path().join("servers/Shop.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace(&s.sim.url, "http://127.0.0.1:9/api");
    std::fs::write(&file, text).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_obmen"))
        .args(["run", "Shop", "--import"])
        .env("OBMEN_HOME", s.home.path())
        .env("OBMEN_LANG", "en")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    assert!(first.starts_with("obmen: retrying") && first.contains("cannot reach the shop"), "{first}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "said within seconds");
    let _ = std::process::Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "stopped");
}

/// The shape of a JSON document: every path with its type, arrays by their first element, sorted.
pub fn json_shape(v: &serde_json::Value) -> String {
    fn walk(v: &serde_json::Value, path: &str, out: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                out.insert(format!("{path}: object"));
                for (k, x) in m {
                    walk(x, &format!("{path}.{k}"), out);
                }
            }
            serde_json::Value::Array(a) => {
                out.insert(format!("{path}: array"));
                if let Some(first) = a.first() {
                    walk(first, &format!("{path}[]"), out);
                }
            }
            serde_json::Value::Null => {
                out.insert(format!("{path}: null"));
            }
            serde_json::Value::Bool(_) => {
                out.insert(format!("{path}: bool"));
            }
            serde_json::Value::Number(_) => {
                out.insert(format!("{path}: number"));
            }
            serde_json::Value::String(_) => {
                out.insert(format!("{path}: string"));
            }
        }
    }
    let mut out = std::collections::BTreeSet::new();
    walk(v, "$", &mut out);
    out.into_iter().collect::<Vec<_>>().join("\n")
}

/// What `--json` prints, per command, held to a reviewed shape (fields, not prose): a change to a
/// field's name or type shows here as a snapshot diff. Scripts read these.
#[test]
fn json_output_keeps_its_shape() {
    let shop = seed(2, 10);
    let s = Setup::new(Dialect::Sqlite, 12, shop, &[("sync_nomenclature", "false")]);
    s.shop().place(&order("720001", "GONE-1", "1", "2.00"));
    let json = |args: &[&str]| -> serde_json::Value {
        let (_, out, err) = obmen_cli(&s, args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}{err}"))
    };
    let shapes = [
        ("run", json(&["run", "Shop", "--import", "--json"])),
        ("quarantine list", json(&["quarantine", "Shop", "list", "--json"])),
        ("check", json(&["check", "Shop", "--json"])),
        ("server list", json(&["server", "list", "--json"])),
        ("server show", json(&["server", "show", "Shop", "--json"])),
        ("server validate", json(&["server", "validate", "--json"])),
        ("kinds", json(&["kinds", "list", "--json"])),
        ("repair", json(&["repair", "Shop", "--json"])),
    ];
    let text: String = shapes.iter().map(|(name, v)| format!("## {name}\n{}\n\n", json_shape(v))).collect();
    insta::assert_snapshot!("json_shapes", text);
    // Times are RFC 3339 with their zone.
    let run = &shapes[0].1;
    assert!(chrono::DateTime::parse_from_rfc3339(run["started_at"].as_str().unwrap()).is_ok(), "{run}");
    let q = &shapes[1].1;
    assert!(chrono::DateTime::parse_from_rfc3339(q[0]["first_seen"].as_str().unwrap()).is_ok(), "{q}");
}

/// `obmen why`: an imported order (its document, run, payload hash, the shop told), one set
/// aside (its reason, tries and the fix), one the shop has but has not given yet and one it never
/// had (the last import, the cursor, the likely reasons), in English and Bulgarian and as JSON.
/// `obmen audit provenance` passes after the run, and fails naming the order when a payload kept
/// is altered, or when an imported order's payload is gone.
#[test]
fn why_an_order_is_or_is_not_in_warehouse_pro_and_its_provenance_audited() {
    let shop = seed(3, 10);
    let s = Setup::new(Dialect::Sqlite, 12, shop, &[("sync_nomenclature", "false")]);
    s.shop().place(&order("720001", "GONE-1", "1", "2.00"));
    let (code, out, err) = obmen_cli(&s, &["run", "Shop", "--import", "--json"]);
    assert_eq!(code, 3, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let imported = json["details"]["import"]["imported"][0]["order"].as_str().unwrap().to_owned();
    let document = json["details"]["import"]["imported"][0]["document"].as_str().unwrap().to_owned();
    let run = json["run_id"].as_i64().unwrap();

    let (code, out, err) = obmen_cli(&s, &["why", "Shop", &imported]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("Order {imported} is in Warehouse Pro: document {document}")) && out.contains(&format!("by run {run}.")), "{out}");
    assert!(out.contains("The shop was told it is imported, at ") && out.contains(&format!("Received from the shop by run {run} at")), "{out}");
    assert!(out.contains("Partner: ") && out.contains("Goods: "), "matched to which partner and goods: {out}");
    let (_, out, _) = obmen_cli(&s, &["--lang", "bg", "why", "Shop", &imported.to_lowercase()]);
    assert!(out.contains(&format!("Поръчка {imported} е в Склад Pro: документ {document}")) && out.contains("Магазинът е уведомен"), "{out}");
    let (_, out, _) = obmen_cli(&s, &["why", "Shop", &imported, "--json"]);
    let why: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((why["verdict"].as_str(), why["import_log"]["acknowledged"].as_bool()), (Some("imported"), Some(true)), "{why}");
    let sha = why["received"][0]["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha.len(), 64);
    assert_eq!(why["received"][0]["intact"], true);
    assert!(why["received"][0]["told_at"].is_string(), "{why}");
    assert!(why["contents"]["lines"].as_array().is_some_and(|l| !l.is_empty()) && why["contents"]["partner"].is_array(), "{why}");

    let (code, out, _) = obmen_cli(&s, &["why", "Shop", "SH-720001"]);
    assert_eq!(code, 0);
    assert!(out.contains("Order SH-720001 is in the quarantine, tried 1 time ") && out.contains("unknown product SKU 'GONE-1'"), "{out}");
    assert!(out.contains("obmen quarantine Shop retry SH-720001"), "{out}");
    let (_, out, _) = obmen_cli(&s, &["--lang", "bg", "why", "Shop", "SH-720001"]);
    assert!(out.contains("Поръчка SH-720001 е в карантина") && out.contains("obmen quarantine Shop retry SH-720001"), "{out}");

    // Placed in the shop after the last import: the shop has it, the server has not been given it.
    s.shop().place(&order("720002", "GONE-2", "1", "2.00"));
    for (number, lang, said) in [
        ("SH-720002", "en", "The shop has not given order SH-720002 to server 'Shop'."),
        ("SH-999999", "en", "The shop has not given order SH-999999 to server 'Shop'."),
        ("SH-720002", "bg", "Магазинът не е дал поръчка SH-720002 на сървър 'Shop'."),
    ] {
        let (code, out, _) = obmen_cli(&s, &["--lang", lang, "why", "Shop", number]);
        assert_eq!(code, 0);
        assert!(out.contains(said), "{out}");
        let (last, said_run) = if lang == "en" {
            ("The last import read the shop at", format!("(run {run}, partly done)"))
        } else {
            ("Последният импорт чете магазина", format!("(обмен {run}, частично изпълнен)"))
        };
        assert!(out.contains(last) && out.contains(&said_run), "{out}");
    }
    let (_, out, _) = obmen_cli(&s, &["why", "Shop", "SH-999999", "--json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["verdict"], "not_seen");

    // The audit: whole after the run; an altered payload, then one gone, each named.
    let (code, out, err) = obmen_cli(&s, &["audit", "provenance", "Shop"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Provenance of server 'Shop': 3 orders in the import log, 3 payloads kept, every one whole."), "{out}");
    let db = s.home.path().join("state.db");
    let sql = |q: &str| {
        s.rt.block_on(async {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(q.to_owned())).execute(&pool).await.unwrap();
            pool.close().await;
        })
    };
    // obmen itself cannot change a payload kept.
    let refused = s.rt.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        sqlx::query("UPDATE provenance SET payload = 'x'").execute(&pool).await.map(|_| ())
    });
    assert!(refused.unwrap_err().to_string().contains("kept unchanged"));
    sql(&format!("DROP TRIGGER provenance_unchanged; UPDATE provenance SET payload = replace(payload, '\"', ' \"') WHERE order_number = '{imported}'"));
    let (code, out, err) = obmen_cli(&s, &["audit", "provenance", "Shop"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains(&format!("✘ order {imported} (document {document}): the payload kept no longer hashes to its SHA-256")), "{out}");
    assert!(err.contains("1 problem among 3 orders"), "{err}");
    sql(&format!("DELETE FROM provenance WHERE order_number = '{imported}'"));
    let (code, out, _) = obmen_cli(&s, &["audit", "provenance", "Shop", "--since", "2020-01-01"]);
    assert_eq!(code, 1);
    assert!(out.contains(&format!("✘ order {imported} (document {document}) is in the import log, but obmen kept no payload of it")), "{out}");
    // With nothing kept of it, why still finds it in the database's import log by its number,
    // typed in another case, and reads its document.
    let (code, out, _) = obmen_cli(&s, &["why", "Shop", &imported.to_lowercase()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("Order {imported} is in Warehouse Pro: document {document} (its import log)")) && out.contains("Goods: "), "{out}");
    let (code, _, err) = obmen_cli(&s, &["audit", "provenance", "Shop", "--since", "yesterday"]);
    assert_eq!(code, 2, "{err}");

    // An order read past the start of the shop's list says at which cursor.
    s.shop().place(&order("720003", "100001", "1", "2.00"));
    let (code, out, err) = obmen_cli(&s, &["run", "Shop", "--import"]);
    assert_eq!(code, 3, "SH-720002 is still set aside: {out}{err}");
    let (_, out, _) = obmen_cli(&s, &["why", "Shop", "SH-720003"]);
    assert!(out.contains("Order SH-720003 is in Warehouse Pro") && out.contains("read at the shop's cursor "), "{out}");
}
