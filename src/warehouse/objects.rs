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

impl Warehouse {
    /// The VAT groups: (ID, percent), by ID.
    pub fn vat_groups(&self) -> Result<Vec<(i32, f64)>> {
        let sql = self.dialect().sql("SELECT {ID}, {VATValue} FROM {vatgroups} ORDER BY {ID}");
        self.query(&sql, (), |r| Ok((r.i32(1)?, r.f64(2)?)))
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
