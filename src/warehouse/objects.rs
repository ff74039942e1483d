//! Objects: the warehouses and shops where documents are written and stock is kept.

use super::db::{Params, Result, Warehouse};
use super::{Dialect, SERVICE_ID};

/// A Warehouse Pro object (a warehouse or a shop location).
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// objects.ID.
    pub id: i32,
    /// objects.Code.
    pub code: String,
    /// objects.Name.
    pub name: String,
    /// Which sale price applies here: 0 wholesale, 1 retail, 2..9 price groups 1..8.
    pub price_group: i32,
}

/// A currency the database knows (`currencies`).
#[derive(Debug, Clone, PartialEq)]
pub struct Currency {
    /// currencies.ID: what operations.CurrencyID points at.
    pub id: i32,
    /// The ISO code, e.g. "EUR".
    pub code: String,
    /// What one unit is worth in the base currency (`ExchangeRate`; 1 for the base itself).
    pub rate: f64,
}

/// The currencies' rows, live ones only (parameters: none).
pub fn currencies_sql(d: Dialect) -> String {
    let deleted = d.coalesce(&d.quote("Deleted"), "0");
    d.sql(&format!("SELECT {{ID}}, {{Currency}}, {{ExchangeRate}} FROM {{currencies}} WHERE {deleted} = 0 ORDER BY {{ID}}"))
}

/// The tables every Warehouse Pro database has and obmen reads or writes.
pub const CORE_TABLES: [super::Table; 9] = [
    super::Table::Goods,
    super::Table::Partners,
    super::Table::Objects,
    super::Table::Store,
    super::Table::Operations,
    super::Table::Payments,
    super::Table::Currencies,
    super::Table::VatGroups,
    super::Table::NextAcct,
];

/// The VAT groups with their rates (parameters: none).
pub fn vat_groups_sql(d: Dialect) -> String {
    d.sql("SELECT {ID}, {VATValue} FROM {vatgroups} ORDER BY {ID}")
}

impl Warehouse {
    /// The core tables this database does not have ([`CORE_TABLES`]): none in a Warehouse Pro
    /// database. Read from the driver's catalogue (names compared in any case), which every
    /// driver has; MDBTools answers a query of a missing table only "Couldn't parse SQL".
    pub fn missing_tables(&self) -> Result<Vec<&'static str>> {
        let have: Vec<String> = self.table_names()?.into_iter().map(|t| t.to_lowercase()).collect();
        Ok(CORE_TABLES.iter().map(|t| t.lower_name()).filter(|t| !have.iter().any(|h| h == t)).collect())
    }

    /// The live currencies, by ID.
    pub fn currencies(&self) -> Result<Vec<Currency>> {
        self.query(&currencies_sql(self.dialect()), (), |r| {
            Ok(Currency { id: r.i32(1)?, code: r.text(2)?.trim().to_uppercase(), rate: r.opt_f64(3)?.unwrap_or(0.0) })
        })
    }

    /// The base currency: the one live currency whose rate is 1. None, or more than one, is an
    /// error that says what the table holds: obmen never guesses what amounts are in.
    pub fn base_currency(&self) -> Result<Currency> {
        let all = self.currencies()?;
        let base: Vec<&Currency> = all.iter().filter(|c| (c.rate - 1.0).abs() < 1e-9).collect();
        match base.as_slice() {
            [one] => Ok((*one).clone()),
            other => {
                let listed = all.iter().map(|c| format!("{} at {}", c.code, c.rate)).collect::<Vec<_>>().join(", ");
                Err(super::WarehouseError::Invalid(format!(
                    "the Warehouse Pro database's base currency cannot be told: {} of its currencies have the rate 1 ({}). \
                     Set the base currency's rate to 1 and only its, in Warehouse Pro",
                    other.len(),
                    if listed.is_empty() { "it has none".to_owned() } else { listed }
                )))
            }
        }
    }

    /// The VAT groups: (ID, percent), by ID.
    pub fn vat_groups(&self) -> Result<Vec<(i32, f64)>> {
        self.query(&vat_groups_sql(self.dialect()), (), |r| Ok((r.i32(1)?, r.f64(2)?)))
    }

    /// All live objects but the service record, by name.
    pub fn objects(&self) -> Result<Vec<Object>> {
        self.query(&objects_sql(self.dialect()), Params::new().int(SERVICE_ID).as_slice(), read_object)
    }

    /// The object with this name or code (name first, compared exactly, then code); the service
    /// object and deleted objects are never returned.
    pub fn find_object(&self, name_or_code: &str) -> Result<Option<Object>> {
        let wanted = name_or_code.trim();
        let objects = self.objects()?;
        Ok(objects
            .iter()
            .find(|o| o.name == wanted)
            .or_else(|| objects.iter().find(|o| o.code == wanted))
            .or_else(|| objects.iter().find(|o| o.name.to_lowercase() == wanted.to_lowercase()))
            .cloned())
    }
}

/// Every live object but the service record (parameter: the service ID).
pub fn objects_sql(d: Dialect) -> String {
    d.sql(&format!(
        "SELECT {{ID}}, {{Code}}, {{Name}}, {{PriceGroup}} FROM {{objects}} WHERE {{ID}} <> ? AND {} = 0 ORDER BY {{Name}}",
        d.coalesce(&d.quote("Deleted"), "0")
    ))
}

fn read_object(r: &mut super::db::Row<'_, '_>) -> Result<Object> {
    Ok(Object { id: r.i32(1)?, code: r.text(2)?, name: r.text(3)?, price_group: r.i32(4)? })
}
