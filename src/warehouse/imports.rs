//! The import log: which shop order became which Warehouse Pro document. It is obmen's one table
//! in the Warehouse Pro database (`obmen_imports`), made on first use, because only there can the
//! record commit in the same transaction as the document: a crash leaves both or neither, and its
//! primary key (shop, order) refuses a second import of one order even from two processes.

use super::db::{Params, Result, Warehouse};
use super::dialect::{Dialect, Table};
use super::document::OperType;
use super::schema;

/// An order's entry in the import log.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The shop's order id.
    pub order_id: String,
    /// The number the customer sees.
    pub order_number: String,
    /// The document's type.
    pub oper_type: OperType,
    /// The document's number.
    pub acct: i32,
    /// True once the shop was told.
    pub acknowledged: bool,
}

/// Reads the log (parameters: source, order id).
pub fn imported_sql(d: Dialect) -> String {
    d.sql("SELECT {OrderID}, {OrderNumber}, {OperType}, {Acct}, {Acknowledged} FROM {obmen_imports} WHERE {Source} = ? AND {OrderID} = ?")
}

impl Warehouse {
    /// Makes the import log where it is missing (an existing Warehouse Pro database).
    pub fn ensure_import_log(&self) -> Result<()> {
        if self.has_table(Table::ObmenImports)? {
            return Ok(());
        }
        self.ensure_writable()?;
        self.exec(&schema::create_table(self.dialect(), Table::ObmenImports), ())?;
        Ok(())
    }

    /// True when the import log exists.
    pub fn has_import_log(&self) -> Result<bool> {
        self.has_table(Table::ObmenImports)
    }

    /// The log entry of an order from a source (a shop), if it was imported.
    pub fn imported(&self, source: &str, order_id: &str) -> Result<Option<Imported>> {
        self.query_one(&imported_sql(self.dialect()), Params::new().text(source).text(order_id).as_slice(), read)
    }

    /// Records an import, on the document's transaction. A second record of the same order is a
    /// duplicate-key error ([`super::WarehouseError::is_duplicate_key`]).
    pub fn record_import(&self, source: &str, order_id: &str, order_number: &str, oper_type: OperType, acct: i32) -> Result<()> {
        self.check_text(Table::ObmenImports, "OrderID", order_id, || format!("the id of shop order {order_number}"))?;
        self.check_text(Table::ObmenImports, "OrderNumber", order_number, || format!("the number of shop order {order_id}"))?;
        let sql = self.dialect().insert(Table::ObmenImports, &["Source", "OrderID", "OrderNumber", "OperType", "Acct", "ImportedAt", "Acknowledged"]);
        let p = Params::new().text(source).text(order_id).text(order_number).int(oper_type.0).int(acct).time(chrono::Local::now().naive_local()).int(0);
        self.exec(&sql, p.as_slice())?;
        Ok(())
    }

    /// Imported orders the shop has not been told about yet.
    pub fn unacknowledged_imports(&self, source: &str) -> Result<Vec<Imported>> {
        let sql = self.dialect().sql(
            "SELECT {OrderID}, {OrderNumber}, {OperType}, {Acct}, {Acknowledged} FROM {obmen_imports} WHERE {Source} = ? AND {Acknowledged} = 0 ORDER BY {ImportedAt}",
        );
        self.query(&sql, Params::new().text(source).as_slice(), read)
    }

    /// Notes that the shop was told.
    pub fn mark_acknowledged(&self, source: &str, order_id: &str) -> Result<()> {
        let sql = self.dialect().sql("UPDATE {obmen_imports} SET {Acknowledged} = 1 WHERE {Source} = ? AND {OrderID} = ?");
        self.exec(&sql, Params::new().text(source).text(order_id).as_slice())?;
        Ok(())
    }

    /// How many orders from a source are in the log.
    pub fn imported_count(&self, source: &str) -> Result<i64> {
        let sql = self.dialect().sql("SELECT COUNT(*) FROM {obmen_imports} WHERE {Source} = ?");
        Ok(self.scalar_i64(&sql, Params::new().text(source).as_slice())?.unwrap_or(0))
    }
}

fn read(r: &mut super::db::Row<'_, '_>) -> Result<Imported> {
    Ok(Imported {
        order_id: r.text(1)?,
        order_number: r.text(2)?,
        oper_type: OperType(r.i32(3)?),
        acct: r.i32(4)?,
        acknowledged: r.i32(5)? != 0,
    })
}
