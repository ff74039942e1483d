//! Warehouse Pro over ODBC: the one room that knows Warehouse Pro's tables.
//!
//! - [`dialect`]: what differs between Access, MySQL, MSSQL and SQLite in SQL text.
//! - [`schema`]: the 3.07 schema as data (DDL, text limits, seed rows).
//! - [`db`]: a connection, statements, rows, transactions and errors.
//! - [`objects`], [`goods`], [`partners`]: finding and creating nomenclature.
//! - [`document`]: numbering (Acct + nextacct), lines, store moves and payments in one transaction.
//! - [`imports`]: the import log (shop order -> document), committed with each document.
//! - [`init`], [`demo`]: `obmen warehouse init` and its deterministic demo data.
//! - [`codes`]: the fixed IDs and words of Warehouse Pro's own rows that obmen writes with.
//!
//! Nothing here knows about shops, servers or the TUI.

pub mod bulk;
pub mod codes;
pub mod db;
pub mod demo;
pub mod dialect;
pub mod document;
pub mod goods;
pub mod imports;
pub mod init;
pub mod lots;
pub mod objects;
pub mod partners;
pub mod schema;

pub use db::{Params, Timeouts, Warehouse, WarehouseError};
pub use dialect::{Dialect, Table};
pub use document::{NewDocument, NewLine, Numbering, OperType, Paid, PaymentType, Stock, WrittenDocument};
pub use goods::{Good, GoodFlags, GoodQuery, GoodStock, NewGood};
pub use imports::{Imported, NewImport};
pub use lots::{LotOrder, StockMode};
pub use objects::{Currency, Object};
pub use partners::{Partner, PartnerRole};

/// ID 1 in goods, partners, objects and users is Warehouse Pro's reserved service record.
pub const SERVICE_ID: i32 = 1;

/// Every statement obmen sends to a Warehouse Pro database, as this dialect's text, named: the
/// schema, look-ups and writes. MSSQL and Access cannot be run here, so their text is tested
/// against reviewed snapshots; MySQL's and SQLite's also run against real servers in the tests.
pub fn statements(d: Dialect) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for (i, stmt) in schema::create_statements(d).into_iter().enumerate() {
        out.push((if i < Table::ALL.len() { "create table" } else { "create index" }, stmt));
    }
    out.push(("objects", objects::objects_sql(d)));
    out.push(("currencies", objects::currencies_sql(d)));
    out.push(("partners not in a role", partners::partners_not_in_role_sql(d)));
    out.push(("good by id", goods::good_by_id_sql(d)));
    out.push(("goods by code", goods::good_select_sql(d, goods::BY_CODE)));
    out.push(("goods by name", goods::good_select_sql(d, goods::BY_NAME)));
    out.push(("goods by codes (3)", goods::good_select_sql(d, &goods::by_codes_condition(&Dialect::marks(3)))));
    out.push(("goods by names (3)", goods::good_select_sql(d, &goods::by_names_condition(&Dialect::marks(3)))));
    out.push(("goods by barcode", goods::good_select_sql(d, goods::BY_BARCODE)));
    out.push(("goods with available (retail)", goods::goods_with_available_sql(d, goods::price_column(1))));
    out.push(("some goods (retail, 2)", goods::goods_by_ids_sql(d, goods::price_column(1), &Dialect::marks(2))));
    out.push(("balance rows", goods::balance_rows_sql(d)));
    out.push(("open sales orders by good", goods::open_orders_by_good_sql(d)));
    out.push(("reserved of some goods (2)", document::reserved_sql(d, &Dialect::marks(2))));
    let [balances, orders] = goods::quantities_checksum_sql(d);
    out.push(("quantities checksum: balance rows", balances));
    out.push(("quantities checksum: open orders", orders));
    out.push(("goods signature (retail)", goods::goods_signature_sql(d, goods::price_column(1))));
    out.push(("VAT groups signature", goods::vat_signature_sql(d)));
    out.push(("new good", d.insert_returning_id(Table::Goods, &goods::NEW_GOOD_COLUMNS)));
    out.push(("new good's store rows", goods::new_good_store_rows_sql(d)));
    out.push(("partners by e-mails (2)", partners::partners_where_sql(d, &partners::by_email_condition(d, &Dialect::marks(2)))));
    out.push(("partners by VAT numbers (1, in its 3 forms)", partners::partners_where_sql(d, &partners::by_vat_number_condition(&Dialect::marks(3)))));
    out.push(("partners by company numbers (1, in its 2 forms)", partners::partners_where_sql(d, &partners::by_company_number_condition(&Dialect::marks(2)))));
    out.push(("partner by id", partners::partner_by_id_sql(d)));
    out.push(("new partner", d.insert_returning_id(Table::Partners, &partners::NEW_PARTNER_COLUMNS)));
    if let Some(last) = d.last_id_query() {
        out.push(("last inserted id", last.to_owned()));
    }
    if let Some(lock) = d.write_lock_statement() {
        out.push(("take the write lock", lock));
    }
    let (global, _) = document::acct_max_sql(d, OperType::SALE, 2, Numbering::Global);
    let (per_object, _) = document::acct_max_sql(d, OperType::SALE, 2, Numbering::PerObject);
    out.push(("highest sale number", global));
    out.push(("highest sale number at an object", per_object));
    out.push(("reserve a number", d.insert(Table::NextAcct, &["NextAcct"])));
    // Multi-row statements are shown with two rows; Access, which has no multi-row VALUES, gets one.
    let rows = if d == Dialect::Access { 1 } else { 2 };
    out.push(("reserve numbers", d.insert_rows(Table::NextAcct, &["NextAcct"], rows)));
    out.push(("stock mode and other configuration", lots::configuration_sql(d)));
    out.push(("store rows of goods, locked (2)", document::store_rows_sql(d, &Dialect::marks(2), false)));
    out.push(("store rows of goods in expiry order, locked (2)", document::store_rows_sql(d, &Dialect::marks(2), true)));
    out.push(("delete emptied lots (2)", document::delete_empty_lots_sql(d, &Dialect::marks(2))));
    if d == Dialect::Access {
        out.push(("add to a store row", document::store_add_sql(d)));
    } else {
        out.push(("add to store rows (2)", document::store_add_many_sql(d, 2)));
    }
    // Sent with parameter arrays (many rows bound to one statement).
    out.push(("new store rows", d.insert(Table::Store, &document::STORE_COLUMNS)));
    out.push(("document lines", d.insert(Table::Operations, &document::LINE_COLUMNS)));
    out.push(("payments", d.insert(Table::Payments, &document::PAYMENT_COLUMNS)));
    out.push(("balance", document::balance_sql(d)));
    out.push(("open sales orders", document::open_orders_sql(d)));
    out.push(("read document lines", document::document_lines_sql(d)));
    out.push(("read document payments", document::document_payments_sql(d)));
    out.push(("import log entry", imports::imported_sql(d)));
    out.push(("import log entry by number", imports::imported_by_number_sql(d)));
    out.push(("import log entries (2)", imports::imported_many_sql(d, &Dialect::marks(2))));
    out.push(("record imports", d.insert(Table::ObmenImports, &imports::IMPORT_COLUMNS)));
    out.push(("note acknowledgements (2)", imports::mark_acknowledged_sql(d, &Dialect::marks(2))));
    out.push(("imports not yet acknowledged", imports::unacknowledged_imports_sql(d)));
    out.push(("import count", imports::imported_count_sql(d)));
    out.push(("VAT groups", objects::vat_groups_sql(d)));
    out.push(("set partners' role (2)", partners::set_partner_roles_sql(d, &Dialect::marks(2))));
    if let Some(on) = init::identity_insert_sql(d, Table::Goods, true) {
        out.push(("explicit IDs on (init)", on));
    }
    if let Some(off) = init::identity_insert_sql(d, Table::Goods, false) {
        out.push(("explicit IDs off (init)", off));
    }
    out.push(("first 10 goods", d.limit(&d.sql("SELECT {ID}, {Name} FROM {goods} ORDER BY {ID}"), 10)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of every statement, per dialect, against reviewed snapshots in
    /// `src/warehouse/snapshots/`. A change to any statement shows here as a diff to review.
    #[test]
    fn statements_per_dialect() {
        for d in dialect::ALL_DIALECTS {
            let text: String = statements(d).iter().map(|(name, sql)| format!("-- {name}\n{sql};\n\n")).collect();
            insta::assert_snapshot!(format!("statements_{d}"), text);
        }
    }

    #[test]
    fn multi_row_statements_stay_within_the_parameter_limit() {
        for d in dialect::ALL_DIALECTS {
            for columns in [1, 7, 22] {
                let per_statement = d.rows_per_insert(columns);
                let sql = d.insert_rows(Table::Operations, &document::LINE_COLUMNS[..columns], per_statement);
                assert!(sql.matches('?').count() <= d.max_parameters(), "{d}, {columns} columns");
            }
        }
        assert_eq!(Dialect::Access.rows_per_insert(1), 1, "Access has no multi-row VALUES");
        assert!(document::store_add_many_sql(Dialect::Mssql, Dialect::Mssql.max_parameters() / 3).matches('?').count() <= 2100);
    }

    #[test]
    fn mssql_and_access_text_has_no_foreign_syntax() {
        for d in [Dialect::Mssql, Dialect::Access] {
            for (name, sql) in statements(d) {
                for foreign in ["`", "LIMIT ", "COALESCE(", "AUTO_INCREMENT", "LAST_INSERT_ID", "FOR UPDATE", "\""] {
                    assert!(!sql.contains(foreign), "{d} {name}: '{foreign}' in {sql}");
                }
            }
        }
        for (name, sql) in statements(Dialect::Mssql) {
            assert!(!sql.contains("IIF(") && !sql.contains("CHECKSUM_AGG"), "mssql {name}: {sql}");
            if name.contains("locked") {
                assert!(sql.contains("WITH (UPDLOCK, HOLDLOCK, ROWLOCK)"), "the key range is locked too: {sql}");
            }
            if name == "new good" || name == "new partner" {
                // Into a table variable, which works on a table with a trigger too.
                assert!(sql.contains("OUTPUT INSERTED.[ID] INTO @obmen_new VALUES") && sql.contains("SELECT [ID] FROM @obmen_new"), "{sql}");
            }
        }
    }
}

/// Every statement read by a real SQL parser of its dialect (sqlparser-rs), beside the
/// snapshots: a statement its server would reject as malformed cannot land unseen. sqlparser has
/// no Access (Jet) dialect: Access text is read with its MSSQL dialect, the nearest grammar, and
/// the Jet-only forms it cannot read are listed in [`ACCESS_ONLY`].
#[cfg(test)]
mod parsed {
    use super::*;
    use sqlparser::dialect::{MsSqlDialect, MySqlDialect, SQLiteDialect};
    use sqlparser::parser::Parser;

    fn parse(d: Dialect, sql: &str) -> Result<usize, String> {
        let parsed = match d {
            Dialect::Mysql => Parser::parse_sql(&MySqlDialect {}, sql),
            Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, sql),
            Dialect::Mssql => Parser::parse_sql(&MsSqlDialect {}, sql),
            Dialect::Access => Parser::parse_sql(&MsSqlDialect {}, &ACCESS_ONLY.iter().fold(sql.to_owned(), |s, (jet, tsql)| s.replace(jet, tsql))),
        };
        parsed.map(|s| s.len()).map_err(|e| e.to_string())
    }

    /// Jet's forms that T-SQL writes otherwise, as read for the parser: the modulo operator.
    /// (IIF, CDbl, LEN and TOP read as they are; COUNTER, LONG and TEXT(n) read as type names.)
    const ACCESS_ONLY: &[(&str, &str)] = &[(" MOD ", " % ")];

    #[test]
    fn the_parser_refuses_what_a_server_would() {
        for (d, sql) in [
            (Dialect::Mysql, "SELECT `ID` FORM `goods`"),
            (Dialect::Mysql, "SELECT SUM((`ID` % 997 + 1) FROM `goods`"),
            (Dialect::Sqlite, "INSERT INTO \"store\" (\"ID\") VALUES (?, "),
            (Dialect::Mssql, "SELECT [ID] FROM [Store] WITH (UPDLOCK WHERE [ID] = ?"),
            (Dialect::Mssql, "CREATE TABLE [x] ([a] INT, PRIMARY KEY)"),
            (Dialect::Access, "SELECT SUM(([ID] MOD 997 + 1) FROM [Goods]"),
        ] {
            assert!(parse(d, sql).is_err(), "{d}: {sql}");
        }
        // A batch counts its statements: MSSQL's new-ID insert is five.
        let insert = Dialect::Mssql.insert_returning_id(Table::Goods, &goods::NEW_GOOD_COLUMNS);
        assert_eq!(parse(Dialect::Mssql, &insert), Ok(5));
    }

    #[test]
    fn every_statement_parses_in_its_dialect() {
        let mut failures = Vec::new();
        for d in dialect::ALL_DIALECTS {
            for (name, sql) in statements(d) {
                if let Err(e) = parse(d, &sql) {
                    failures.push(format!("{d} {name}: {e}\n  {sql}"));
                }
            }
        }
        assert!(failures.is_empty(), "{} statements do not parse:\n{}", failures.len(), failures.join("\n"));
    }
}
