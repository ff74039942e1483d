//! The import log: which shop order became which Warehouse Pro document. It is obmen's one table
//! in the Warehouse Pro database (`obmen_imports`), made on first use, because only there can the
//! record commit in the same transaction as the document: a crash leaves both or neither, and its
//! primary key (shop, order) refuses a second import of one order even from two processes.

use std::collections::HashMap;

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

/// Reads the log by the number the customer sees (parameters: source, order number).
pub fn imported_by_number_sql(d: Dialect) -> String {
    d.sql("SELECT {OrderID}, {OrderNumber}, {OperType}, {Acct}, {Acknowledged} FROM {obmen_imports} WHERE {Source} = ? AND {OrderNumber} = ?")
}

/// Reads the log entries of several orders (parameters: source, then the order ids for `marks`).
pub fn imported_many_sql(d: Dialect, marks: &str) -> String {
    d.sql(&format!("SELECT {{OrderID}}, {{OrderNumber}}, {{OperType}}, {{Acct}}, {{Acknowledged}} FROM {{obmen_imports}} WHERE {{Source}} = ? AND {{OrderID}} IN ({marks})"))
}

/// Notes that the shop was told (parameters: source, then the order ids for `marks`).
pub fn mark_acknowledged_sql(d: Dialect, marks: &str) -> String {
    d.sql(&format!("UPDATE {{obmen_imports}} SET {{Acknowledged}} = 1 WHERE {{Source}} = ? AND {{OrderID}} IN ({marks})"))
}

/// The columns an import is recorded with, in [`Warehouse::record_imports`]' order.
pub const IMPORT_COLUMNS: [&str; 7] = ["Source", "OrderID", "OrderNumber", "OperType", "Acct", "ImportedAt", "Acknowledged"];

/// An import to record.
#[derive(Debug, Clone, Copy)]
pub struct NewImport<'a> {
    /// The shop's order id.
    pub order_id: &'a str,
    /// The shop's order number.
    pub order_number: &'a str,
    /// The document's type.
    pub oper_type: OperType,
    /// The document's number.
    pub acct: i32,
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

    /// The log entry of an order from a source by its number, if it was imported (the first,
    /// should a shop have given one number twice).
    pub fn imported_by_number(&self, source: &str, order_number: &str) -> Result<Option<Imported>> {
        self.query_one(&imported_by_number_sql(self.dialect()), Params::new().text(source).text(order_number).as_slice(), read)
    }

    /// The log entries of those of these orders from a source that were imported, by order id.
    pub fn imported_many(&self, source: &str, order_ids: &[&str]) -> Result<HashMap<String, Imported>> {
        let d = self.dialect();
        let found = self.query_in(|marks| imported_many_sql(d, marks), || Params::new().text(source), order_ids, |p, id| p.text(id), read)?;
        Ok(found.into_iter().map(|i| (i.order_id.clone(), i)).collect())
    }

    /// Records imports, on their documents' transaction. A second record of the same order is a
    /// duplicate-key error ([`super::WarehouseError::is_duplicate_key`]).
    pub fn record_imports(&self, source: &str, imports: &[NewImport<'_>]) -> Result<()> {
        let now = chrono::Local::now().naive_local();
        self.check_text(Table::ObmenImports, "Source", source, || format!("the shop's API ID '{source}'"))?;
        for i in imports {
            self.check_text(Table::ObmenImports, "OrderID", i.order_id, || format!("the id of shop order {}", i.order_number))?;
            self.check_text(Table::ObmenImports, "OrderNumber", i.order_number, || format!("the number of shop order {}", i.order_id))?;
        }
        self.insert_rows(Table::ObmenImports, &IMPORT_COLUMNS, imports.len(), |k, row| {
            let i = &imports[k];
            use super::bulk::BulkValue::{Int, Text, Time};
            row.extend([Text(source), Text(i.order_id), Text(i.order_number), Int(i.oper_type.0), Int(i.acct), Time(now), Int(0)]);
        })
    }

    /// Imported orders the shop has not been told about yet.
    pub fn unacknowledged_imports(&self, source: &str) -> Result<Vec<Imported>> {
        self.query(&unacknowledged_imports_sql(self.dialect()), Params::new().text(source).as_slice(), read)
    }

    /// Notes that the shop was told about these orders, in as few statements as the parameter
    /// limit allows (autocommit: each statement commits on its own).
    pub fn mark_acknowledged_many(&self, source: &str, order_ids: &[&str]) -> Result<()> {
        let per_statement = self.dialect().rows_per_statement(1, 1);
        for chunk in order_ids.chunks(per_statement) {
            let sql = mark_acknowledged_sql(self.dialect(), &Dialect::marks(chunk.len()));
            let params = chunk.iter().fold(Params::new().text(source), |p, id| p.text(id));
            self.exec(&sql, params.as_slice())?;
        }
        Ok(())
    }

    /// A source's log entries written since `since` (all: None), oldest first.
    pub fn imports_since(&self, source: &str, since: Option<chrono::NaiveDateTime>) -> Result<Vec<Imported>> {
        let since = since.unwrap_or_default();
        self.query(&imports_since_sql(self.dialect()), Params::new().text(source).time(since).as_slice(), read)
    }

    /// How many orders from a source are in the log.
    pub fn imported_count(&self, source: &str) -> Result<i64> {
        Ok(self.scalar_i64(&imported_count_sql(self.dialect()), Params::new().text(source).as_slice())?.unwrap_or(0))
    }
}

/// The imports of a shop not yet acknowledged to it, oldest first (parameter: the shop).
pub fn unacknowledged_imports_sql(d: Dialect) -> String {
    d.sql("SELECT {OrderID}, {OrderNumber}, {OperType}, {Acct}, {Acknowledged} FROM {obmen_imports} WHERE {Source} = ? AND {Acknowledged} = 0 ORDER BY {ImportedAt}")
}

/// A shop's imports written since a time, oldest first (parameters: the shop, the time).
pub fn imports_since_sql(d: Dialect) -> String {
    d.sql("SELECT {OrderID}, {OrderNumber}, {OperType}, {Acct}, {Acknowledged} FROM {obmen_imports} WHERE {Source} = ? AND {ImportedAt} >= ? ORDER BY {ImportedAt}")
}

/// How many orders of a shop were imported (parameter: the shop).
pub fn imported_count_sql(d: Dialect) -> String {
    d.sql("SELECT COUNT(*) FROM {obmen_imports} WHERE {Source} = ?")
}

fn read(r: &mut super::db::Row<'_, '_>) -> Result<Imported> {
    Ok(Imported { order_id: r.text(1)?, order_number: r.text(2)?, oper_type: OperType(r.i32(3)?), acct: r.i32(4)?, acknowledged: r.i32(5)? != 0 })
}
