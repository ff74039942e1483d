//! `obmen warehouse init`: creates a Warehouse Pro 3.07-shaped schema in an empty database with
//! the service rows every Warehouse Pro database has, and optionally demo goods, partners, the
//! objects "Централен Склад" and "Магазин", and stock. It refuses a database that already has a
//! goods table.

pub use super::bulk::{BulkCol, BulkValue};
use super::db::{Params, Result, Warehouse, WarehouseError};
use super::demo;
use super::dialect::{Dialect, Table};
use super::partners::{Partner, PartnerRole};
use super::schema::{self, OPERATION_TYPES, PAYMENT_TYPES, SCHEMA_VERSION};
use super::SERVICE_ID;

/// The demo objects, in ID order after the service object: (code, name).
pub const DEMO_OBJECTS: [(&str, &str); 2] = [("1", "Централен Склад"), ("2", "Магазин")];

/// What `init` made.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InitReport {
    /// Tables created.
    pub tables: usize,
    /// Demo goods added.
    pub goods: usize,
    /// Demo partners added.
    pub partners: usize,
    /// Demo objects added.
    pub objects: usize,
    /// Store rows written.
    pub store_rows: usize,
}

/// The fixed rate of the lev to the euro (1 EUR = 1.95583 BGN), at which Bulgaria adopted the
/// euro on 2026-01-01.
pub const BGN_PER_EUR: f64 = 1.95583;

/// The base currency a new database keeps its amounts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BaseCurrency {
    /// The euro (new databases since 2026).
    #[default]
    Eur,
    /// The lev (a database not converted yet).
    Bgn,
}

impl Warehouse {
    /// Creates the schema and the service rows, with the euro as the base currency; with
    /// `demo_goods > 0`, demo data too.
    pub fn init(&mut self, demo_goods: usize) -> Result<InitReport> {
        self.init_with(demo_goods, BaseCurrency::Eur)
    }

    /// As [`Warehouse::init`], with this base currency: it gets ID 1 and rate 1, the other the
    /// rate that gives its value in the base (Warehouse Pro's `ExchangeRate`).
    pub fn init_with(&mut self, demo_goods: usize, base: BaseCurrency) -> Result<InitReport> {
        self.ensure_writable()?;
        if self.has_table(Table::Goods)? {
            return Err(WarehouseError::AlreadyInitialised);
        }
        let d = self.dialect();
        let mut report = InitReport::default();
        for stmt in schema::create_statements(d) {
            self.exec(&stmt, ())?;
            if stmt.starts_with("CREATE TABLE") {
                report.tables += 1;
            }
        }
        self.bulk(|wh| wh.insert_service_rows(base))?;
        if demo_goods > 0 {
            self.bulk(|wh| wh.insert_demo_data(demo_goods, &mut report))?;
        }
        Ok(report)
    }

    /// Runs `work`, which inserts rows with their own IDs into `table`.
    fn with_explicit_ids(&self, table: Table, work: impl FnOnce() -> Result<()>) -> Result<()> {
        let d = self.dialect();
        if let Some(on) = identity_insert_sql(d, table, true) {
            self.exec(&on, ())?;
        }
        let result = work();
        if let Some(off) = identity_insert_sql(d, table, false) {
            self.exec(&off, ())?;
        }
        result
    }

    fn insert_service_rows(&self, base: BaseCurrency) -> Result<()> {
        let d = self.dialect();
        let now = chrono::Local::now().naive_local();
        self.exec(&d.insert(Table::System, &["Version", "ProductID", "LastBackup"]), Params::new().text(SCHEMA_VERSION).int(1).time(now).as_slice())?;
        let groups =
            [(Table::GoodsGroups, "Стоки"), (Table::PartnersGroups, "Партньори"), (Table::ObjectsGroups, "Обекти"), (Table::UsersGroups, "Потребители")];
        for (table, name) in groups {
            self.with_explicit_ids(table, || {
                self.exec(&d.insert(table, &["ID", "Name", "Code"]), Params::new().int(1).text(name).text("AAA").as_slice())?;
                Ok(())
            })?;
        }
        self.with_explicit_ids(Table::Users, || {
            let cols = ["ID", "Code", "Name", "Name2", "IsVeryUsed", "GroupID", "Password", "UserLevel", "Deleted", "CardNumber"];
            let p =
                Params::new().int(SERVICE_ID).text("1").text("Служебен потребител").text("Служебен потребител").int(0).int(-1).text("").int(3).int(0).text("");
            self.exec(&d.insert(Table::Users, &cols), p.as_slice())?;
            Ok(())
        })?;
        self.with_explicit_ids(Table::Objects, || {
            self.insert_object_row(SERVICE_ID, "1", "Служебен обект", -1)?;
            Ok(())
        })?;
        self.with_explicit_ids(Table::Partners, || {
            let cols =
                ["ID", "Code", "Company", "Company2", "MOL", "PriceGroup", "Discount", "Type", "IsVeryUsed", "UserID", "GroupID", "Deleted", "PaymentDays"];
            let p = Params::new()
                .int(SERVICE_ID)
                .text("1")
                .text("Служебен партньор")
                .text("Служебен партньор")
                .text("")
                .int(1)
                .num(0.0)
                .int(0)
                .int(0)
                .int(SERVICE_ID)
                .int(-1)
                .int(0)
                .int(0);
            self.exec(&d.insert(Table::Partners, &cols), p.as_slice())?;
            Ok(())
        })?;
        self.with_explicit_ids(Table::Goods, || {
            let cols = [
                "ID",
                "Code",
                "Name",
                "Name2",
                "Measure1",
                "Measure2",
                "Ratio",
                "PriceIn",
                "PriceOut1",
                "PriceOut2",
                "Type",
                "IsRecipe",
                "TaxGroup",
                "IsVeryUsed",
                "GroupID",
                "Deleted",
                "BarCode1",
                "BarCode2",
                "BarCode3",
            ];
            let p = Params::new()
                .int(SERVICE_ID)
                .text("1")
                .text("Служебна стока")
                .text("Служебна стока")
                .text("бр.")
                .text("бр.")
                .num(1.0)
                .num(0.0)
                .num(0.0)
                .num(0.0)
                .int(8)
                .int(0)
                .int(1)
                .int(0)
                .int(-1)
                .int(0)
                .text("")
                .text("")
                .text("");
            self.exec(&d.insert(Table::Goods, &cols), p.as_slice())?;
            Ok(())
        })?;
        self.with_explicit_ids(Table::VatGroups, || {
            for (id, name, value) in [(1, "ДДС група А", 20.0), (2, "ДДС група Б (9%)", 9.0), (3, "Без ДДС", 0.0)] {
                self.exec(
                    &d.insert(Table::VatGroups, &["ID", "Code", "Name", "VATValue"]),
                    Params::new().int(id).text(&id.to_string()).text(name).num(value).as_slice(),
                )?;
            }
            Ok(())
        })?;
        self.with_explicit_ids(Table::Currencies, || {
            let rows = match base {
                BaseCurrency::Eur => [(1, "EUR", "Евро", 1.0), (2, "BGN", "Български лев", 1.0 / BGN_PER_EUR)],
                BaseCurrency::Bgn => [(1, "BGN", "Български лев", 1.0), (2, "EUR", "Евро", BGN_PER_EUR)],
            };
            for (id, code, name, rate) in rows {
                self.exec(
                    &d.insert(Table::Currencies, &["ID", "Currency", "Description", "ExchangeRate", "Deleted"]),
                    Params::new().int(id).text(code).text(name).num(rate).int(0).as_slice(),
                )?;
            }
            Ok(())
        })?;
        self.with_explicit_ids(Table::PaymentTypes, || {
            for (id, name, method) in PAYMENT_TYPES {
                self.exec(&d.insert(Table::PaymentTypes, &["ID", "Name", "PaymentMethod"]), Params::new().int(*id).text(name).int(*method).as_slice())?;
            }
            Ok(())
        })?;
        self.with_explicit_ids(Table::OperationType, || {
            for (id, bg, en) in OPERATION_TYPES {
                self.exec(&d.insert(Table::OperationType, &["ID", "BG", "EN"]), Params::new().int(*id).text(bg).text(en).as_slice())?;
            }
            Ok(())
        })?;
        Ok(())
    }

    fn insert_object_row(&self, id: i32, code: &str, name: &str, group: i32) -> Result<()> {
        let d = self.dialect();
        let cols = ["ID", "Code", "Name", "Name2", "PriceGroup", "IsVeryUsed", "GroupID", "Deleted"];
        self.exec(&d.insert(Table::Objects, &cols), Params::new().int(id).text(code).text(name).text(name).int(1).int(0).int(group).int(0).as_slice())?;
        Ok(())
    }

    fn insert_demo_data(&self, goods: usize, report: &mut InitReport) -> Result<()> {
        self.with_explicit_ids(Table::Objects, || {
            for (i, (code, name)) in DEMO_OBJECTS.iter().enumerate() {
                self.insert_object_row(SERVICE_ID + 1 + i as i32, code, name, 1)?;
            }
            Ok(())
        })?;
        report.objects = DEMO_OBJECTS.len();
        let main_object = SERVICE_ID + 1;
        let shop_object = SERVICE_ID + 2;

        // Goods, with explicit IDs 2.. so that store rows can point at them without a read back.
        let all: Vec<demo::DemoGood> = (1..=goods as u64).map(demo::good).collect();
        let t = |n| BulkCol::Text(n);
        let cols = [
            ("ID", BulkCol::Int),
            ("Code", t(255)),
            ("BarCode1", t(255)),
            ("BarCode2", t(255)),
            ("BarCode3", t(255)),
            ("Name", t(255)),
            ("Name2", t(255)),
            ("Measure1", t(255)),
            ("Measure2", t(255)),
            ("Ratio", BulkCol::Num),
            ("PriceIn", BulkCol::Num),
            ("PriceOut1", BulkCol::Num),
            ("PriceOut2", BulkCol::Num),
            ("Type", BulkCol::Int),
            ("IsRecipe", BulkCol::Int),
            ("TaxGroup", BulkCol::Int),
            ("IsVeryUsed", BulkCol::Int),
            ("GroupID", BulkCol::Int),
            ("Deleted", BulkCol::Int),
            ("Catalog1", t(255)),
            ("Description", t(255)),
        ];
        self.with_explicit_ids(Table::Goods, || {
            self.bulk_insert(Table::Goods, &cols, all.len(), |i, row| {
                let g = &all[i];
                let b = |k: usize| g.barcodes.get(k).map(String::as_str).unwrap_or("");
                row.extend([
                    BulkValue::Int(SERVICE_ID + 1 + i as i32),
                    BulkValue::Text(&g.code),
                    BulkValue::Text(b(0)),
                    BulkValue::Text(""),
                    BulkValue::Text(b(1)),
                    BulkValue::Text(&g.name),
                    BulkValue::Text(&g.name),
                    BulkValue::Text(g.measure),
                    BulkValue::Text(g.measure),
                    BulkValue::Num(1.0),
                    BulkValue::Num(g.price_in),
                    BulkValue::Num(g.price_wholesale),
                    BulkValue::Num(g.price_retail),
                    BulkValue::Int(0),
                    BulkValue::Int(0),
                    BulkValue::Int(g.vat_group_id),
                    BulkValue::Int(0),
                    BulkValue::Int(1),
                    BulkValue::Int(0),
                    BulkValue::Text(""),
                    BulkValue::Text(""),
                ]);
            })
        })?;
        report.goods = all.len();

        let store_cols = [
            ("ObjectID", BulkCol::Int),
            ("GoodID", BulkCol::Int),
            ("Qtty", BulkCol::Num),
            ("Price", BulkCol::Num),
            ("Lot", t(250)),
            ("LotID", BulkCol::Int),
            ("LotOrder", BulkCol::Int),
        ];
        self.bulk_insert(Table::Store, &store_cols, all.len() * 2, |i, row| {
            let g = &all[i / 2];
            let (object, qtty) = if i % 2 == 0 { (main_object, g.stock_main) } else { (shop_object, g.stock_shop) };
            row.extend([
                BulkValue::Int(object),
                BulkValue::Int(SERVICE_ID + 1 + (i / 2) as i32),
                BulkValue::Num(qtty),
                BulkValue::Num(g.price_in),
                BulkValue::Text(" "),
                BulkValue::Int(1),
                BulkValue::Int(1),
            ]);
        })?;
        report.store_rows = all.len() * 2;

        let partners = (goods / 10).clamp(10, 5000);
        for i in 1..=partners as u64 {
            let p = demo::partner(i);
            self.create_partner(&Partner {
                code: p.code,
                company: p.name,
                contact: p.contact,
                city: p.city.to_owned(),
                address: p.address,
                phone: p.phone,
                email: p.email,
                vat_number: p.vat_number,
                company_number: p.company_number,
                price_group: 1,
                role: if p.is_company { PartnerRole::Universal } else { PartnerRole::Client },
                ..Partner::default()
            })?;
        }
        report.partners = partners;
        Ok(())
    }
}

/// Lets (or stops letting) rows be inserted with their own IDs, where the dialect needs to be told:
/// MSSQL's `IDENTITY_INSERT`; `None` elsewhere.
pub fn identity_insert_sql(d: Dialect, table: Table, on: bool) -> Option<String> {
    (d == Dialect::Mssql).then(|| format!("SET IDENTITY_INSERT {} {}", d.quote(d.table(table)), if on { "ON" } else { "OFF" }))
}
