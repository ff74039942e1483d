//! The Warehouse Pro 3.07 schema as data: the tables obmen creates for the demo and tests, their
//! columns and indexes, the service rows every Warehouse Pro database has, and the text-length
//! limits writes are checked against (text is never cut silently).

use super::dialect::{ColType, Dialect, Table};
use ColType::*;

/// The schema version written to `system.Version`.
pub const SCHEMA_VERSION: &str = "3.07";

/// One column of a table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The column's name, as Warehouse Pro spells it.
    pub name: &'static str,
    /// Its type.
    pub ty: ColType,
}

const fn c(name: &'static str, ty: ColType) -> Column {
    Column { name, ty }
}

const T255: ColType = Text(255);

/// The columns of a table, in Warehouse Pro's order.
pub fn columns(table: Table) -> &'static [Column] {
    match table {
        Table::System => const { &[c("Version", Text(50)), c("ProductID", Int), c("LastBackup", DateTime)] },
        Table::Configuration => const { &[c("ID", Id), c("Key", T255), c("Value", T255), c("UserID", Int)] },
        Table::Users => {
            const {
                &[
                    c("ID", Id),
                    c("Code", T255),
                    c("Name", T255),
                    c("Name2", T255),
                    c("IsVeryUsed", Int),
                    c("GroupID", Int),
                    c("Password", T255),
                    c("UserLevel", Int),
                    c("Deleted", Int),
                    c("CardNumber", T255),
                ]
            }
        }
        Table::UsersGroups | Table::GoodsGroups | Table::PartnersGroups | Table::ObjectsGroups => const { &[c("ID", Id), c("Name", T255), c("Code", T255)] },
        Table::VatGroups => const { &[c("ID", Id), c("Code", T255), c("Name", T255), c("VATValue", Double)] },
        Table::Currencies => const { &[c("ID", Id), c("Currency", Text(3)), c("Description", T255), c("ExchangeRate", Double), c("Deleted", Int)] },
        Table::PaymentTypes => const { &[c("ID", Id), c("Name", T255), c("PaymentMethod", Int)] },
        Table::OperationType => const { &[c("ID", Id), c("BG", T255), c("EN", T255)] },
        Table::Goods => {
            const {
                &[
                    c("ID", Id),
                    c("Code", T255),
                    c("BarCode1", T255),
                    c("BarCode2", T255),
                    c("BarCode3", T255),
                    c("Catalog1", T255),
                    c("Catalog2", T255),
                    c("Catalog3", T255),
                    c("Name", T255),
                    c("Name2", T255),
                    c("Measure1", T255),
                    c("Measure2", T255),
                    c("Ratio", Double),
                    c("PriceIn", Double),
                    c("PriceOut1", Double),
                    c("PriceOut2", Double),
                    c("PriceOut3", Double),
                    c("PriceOut4", Double),
                    c("PriceOut5", Double),
                    c("PriceOut6", Double),
                    c("PriceOut7", Double),
                    c("PriceOut8", Double),
                    c("PriceOut9", Double),
                    c("PriceOut10", Double),
                    c("MinQtty", Double),
                    c("NormalQtty", Double),
                    c("Description", T255),
                    c("Type", Int),
                    c("IsRecipe", Int),
                    c("TaxGroup", Int),
                    c("IsVeryUsed", Int),
                    c("GroupID", Int),
                    c("Deleted", Int),
                ]
            }
        }
        Table::Partners => {
            const {
                &[
                    c("ID", Id),
                    c("Code", T255),
                    c("Company", T255),
                    c("Company2", T255),
                    c("MOL", T255),
                    c("MOL2", T255),
                    c("City", T255),
                    c("City2", T255),
                    c("Address", T255),
                    c("Address2", T255),
                    c("Phone", T255),
                    c("Phone2", T255),
                    c("Fax", T255),
                    c("eMail", T255),
                    c("TaxNo", T255),
                    c("Bulstat", T255),
                    c("BankName", T255),
                    c("BankCode", T255),
                    c("BankAcct", T255),
                    c("BankVATName", T255),
                    c("BankVATCode", T255),
                    c("BankVATAcct", T255),
                    c("PriceGroup", Int),
                    c("Discount", Double),
                    c("Type", Int),
                    c("IsVeryUsed", Int),
                    c("UserID", Int),
                    c("GroupID", Int),
                    c("UserRealTime", DateTime),
                    c("Deleted", Int),
                    c("CardNumber", T255),
                    c("Note1", T255),
                    c("Note2", T255),
                    c("PaymentDays", Int),
                ]
            }
        }
        Table::Objects => {
            const {
                &[
                    c("ID", Id),
                    c("Code", T255),
                    c("Name", T255),
                    c("Name2", T255),
                    c("PriceGroup", Int),
                    c("IsVeryUsed", Int),
                    c("GroupID", Int),
                    c("Deleted", Int),
                ]
            }
        }
        Table::Store => {
            const {
                &[
                    c("ID", Id),
                    c("ObjectID", Int),
                    c("GoodID", Int),
                    c("Qtty", Double),
                    c("Price", Double),
                    c("Lot", Text(250)),
                    c("LotID", Int),
                    c("LotOrder", Int),
                ]
            }
        }
        Table::Lots => const { &[c("ID", Id), c("SerialNo", T255), c("EndDate", DateTime), c("ProductionDate", DateTime), c("Location", T255)] },
        Table::Operations => {
            const {
                &[
                    c("ID", Id),
                    c("OperType", Int),
                    c("Acct", Int),
                    c("GoodID", Int),
                    c("PartnerID", Int),
                    c("ObjectID", Int),
                    c("OperatorID", Int),
                    c("Qtty", Double),
                    c("Sign", Int),
                    c("PriceIn", Double),
                    c("PriceOut", Double),
                    c("VATIn", Double),
                    c("VATOut", Double),
                    c("Discount", Double),
                    c("CurrencyID", Int),
                    c("CurrencyRate", Double),
                    c("Date", Date),
                    c("Lot", Text(50)),
                    c("LotID", Int),
                    c("Note", T255),
                    c("SrcDocID", Int),
                    c("UserID", Int),
                    c("UserRealTime", DateTime),
                ]
            }
        }
        Table::Payments => {
            const {
                &[
                    c("ID", Id),
                    c("Acct", Int),
                    c("OperType", Int),
                    c("PartnerID", Int),
                    c("ObjectID", Int),
                    c("Qtty", Double),
                    c("Mode", Int),
                    c("Sign", Int),
                    c("Date", Date),
                    c("UserID", Int),
                    c("UserRealTime", DateTime),
                    c("Type", Int),
                    c("TransactionNumber", T255),
                    c("EndDate", Date),
                ]
            }
        }
        Table::Documents => {
            const {
                &[
                    c("ID", Id),
                    c("Acct", Int),
                    c("InvoiceNumber", T255),
                    c("OperType", Int),
                    c("InvoiceDate", Date),
                    c("DocumentType", Int),
                    c("ExternalInvoiceDate", Date),
                    c("ExternalInvoiceNumber", T255),
                    c("PaymentType", Int),
                    c("Recipient", T255),
                    c("EGN", T255),
                    c("Provider", T255),
                    c("TaxDate", Date),
                    c("Reason", T255),
                    c("Description", T255),
                    c("Place", T255),
                ]
            }
        }
        Table::NextAcct => const { &[c("NextAcct", Text(50))] },
        // obmen's own: which shop order became which document (see warehouse::imports).
        Table::ObmenImports => {
            const {
                &[
                    c("Source", Text(100)),
                    c("OrderID", Text(100)),
                    c("OrderNumber", Text(100)),
                    c("OperType", Int),
                    c("Acct", Int),
                    c("ImportedAt", DateTime),
                    c("Acknowledged", Int),
                ]
            }
        }
    }
}

/// The longest text a column holds, in characters; `None` for a column that is not text or not
/// known.
pub fn text_limit(table: Table, column: &str) -> Option<usize> {
    columns(table).iter().find(|c| c.name.eq_ignore_ascii_case(column)).and_then(|c| match c.ty {
        Text(n) => Some(n as usize),
        _ => None,
    })
}

/// Indexes that make obmen's look-ups fast: (name, table, columns, unique).
const INDEXES: &[(&str, Table, &[&str], bool)] = &[
    ("IX_goods_Code", Table::Goods, &["Code"], false),
    ("IX_goods_BarCode1", Table::Goods, &["BarCode1"], false),
    ("IX_goods_BarCode2", Table::Goods, &["BarCode2"], false),
    ("IX_goods_Name", Table::Goods, &["Name"], false),
    ("IX_partners_eMail", Table::Partners, &["eMail"], false),
    ("IX_partners_TaxNo", Table::Partners, &["TaxNo"], false),
    ("IX_partners_Bulstat", Table::Partners, &["Bulstat"], false),
    ("IX_partners_Code", Table::Partners, &["Code"], false),
    ("IX_store_Object_Good", Table::Store, &["ObjectID", "GoodID"], false),
    ("IX_operations_Type_Acct", Table::Operations, &["OperType", "Acct"], false),
    ("IX_operations_Type_Object_Acct", Table::Operations, &["OperType", "ObjectID", "Acct"], false),
    ("IX_operations_Object_Good", Table::Operations, &["ObjectID", "GoodID"], false),
    ("IX_payments_Type_Acct", Table::Payments, &["OperType", "Acct"], false),
];

/// The statement that creates one table.
pub fn create_table(d: Dialect, table: Table) -> String {
    let mut cols: Vec<String> = columns(table)
        .iter()
        .map(|col| {
            let mut def = format!("{} {}", d.quote(col.name), d.column_type(col.ty));
            if table == Table::NextAcct {
                def.push_str(" NOT NULL PRIMARY KEY");
            }
            if table == Table::ObmenImports && matches!(col.name, "Source" | "OrderID") {
                def.push_str(" NOT NULL");
            }
            def
        })
        .collect();
    if table == Table::ObmenImports {
        // Named: Jet (Access) takes a key over several columns only as a named CONSTRAINT, and
        // the other three take it so too.
        cols.push(format!("CONSTRAINT {} PRIMARY KEY ({}, {})", d.quote("PK_obmen_imports"), d.quote("Source"), d.quote("OrderID")));
    }
    format!("CREATE TABLE {} ({}){}", d.quote(d.table(table)), cols.join(", "), d.table_options())
}

/// The statements that create the whole schema, in order.
pub fn create_statements(d: Dialect) -> Vec<String> {
    let mut out: Vec<String> = Table::ALL.iter().map(|&t| create_table(d, t)).collect();
    for (name, table, cols, unique) in INDEXES {
        let cols = cols.iter().map(|c| d.quote(c)).collect::<Vec<_>>().join(", ");
        let name = match d {
            Dialect::Mysql | Dialect::Sqlite => d.quote(&name.to_lowercase()),
            _ => d.quote(name),
        };
        out.push(format!("CREATE {}INDEX {name} ON {} ({cols})", if *unique { "UNIQUE " } else { "" }, d.quote(d.table(*table))));
    }
    out
}

/// The operation types with their Bulgarian and English names (the `operationtype` table).
pub const OPERATION_TYPES: &[(i32, &str, &str)] = &[
    (1, "Доставка", "Purchase"),
    (2, "Продажба", "Sale"),
    (3, "Брак", "Waste"),
    (4, "Ревизия", "Stock-taking"),
    (5, "Производство - влагане", "Production in"),
    (6, "Производство - изписване", "Production out"),
    (7, "Трансфер - вход", "Transfer in"),
    (8, "Трансфер - изход", "Transfer out"),
    (9, "Продажба от ПОС", "Point of sale"),
    (11, "Отписване", "Write-off"),
    (12, "Заявка", "Purchase order"),
    (13, "Оферта", "Offer"),
    (14, "Проформа фактура", "Proforma invoice"),
    (19, "Поръчка", "Sales order"),
    (26, "Дебитно известие", "Debit note"),
    (27, "Кредитно известие", "Credit note"),
    (34, "Рекламация", "Customer return"),
    (35, "Резервация", "Reservation"),
    (36, "Авансово плащане", "Advance payment"),
    (39, "Връщане към доставчик", "Return to supplier"),
];

/// Payment types seeded in every database: (ID, name, PaymentMethod).
pub const PAYMENT_TYPES: &[(i32, &str, i32)] = &[(1, "В брой", 1), (2, "Банков превод", 2), (3, "Дебитна/Кредитна карта", 3), (4, "Ваучер", 4)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_columns_and_limits_are_known() {
        for &t in Table::ALL {
            assert!(!columns(t).is_empty(), "{t:?}");
        }
        assert_eq!(text_limit(Table::Operations, "Lot"), Some(50));
        // Jet takes a key over two columns only as a named constraint.
        assert!(create_table(Dialect::Access, Table::ObmenImports).ends_with(", CONSTRAINT [PK_obmen_imports] PRIMARY KEY ([Source], [OrderID]))"));
        assert_eq!(text_limit(Table::Goods, "name"), Some(255));
        assert_eq!(text_limit(Table::Goods, "PriceIn"), None);
    }
}
