//! Goods: finding them by code, barcode (BarCode1, BarCode2, or the comma-separated BarCode3
//! list) or name, creating them (with a zero balance row in every object), and reading all of them
//! with their available quantity at an object in bound batches, for the export.

use super::codes;
use odbc_api::buffers::{BufferDesc, ColumnarDynBuffer};
use odbc_api::Cursor;

use super::db::{Params, Result, Row, Warehouse, WarehouseError};
use super::dialect::Table;
use super::{Dialect, SERVICE_ID};

/// The where clause of a code look-up (parameter: the code).
pub const BY_CODE: &str = "g.{Code} = ?";
/// The where clause of a name look-up (parameter: the name).
pub const BY_NAME: &str = "g.{Name} = ?";
/// The where clause of a look-up by many codes (parameters: the codes, in `marks`).
pub fn by_codes_condition(marks: &str) -> String {
    format!("g.{{Code}} IN ({marks})")
}
/// The where clause of a look-up by many names (parameters: the names, in `marks`).
pub fn by_names_condition(marks: &str) -> String {
    format!("g.{{Name}} IN ({marks})")
}
/// The where clause of a barcode look-up (parameters: the code twice, then '%code%').
pub const BY_BARCODE: &str = "g.{BarCode1} = ? OR g.{BarCode2} = ? OR g.{BarCode3} LIKE ?";

/// One good look-up, as one query would make it: the batched [`Warehouse::goods_for`] answers
/// each exactly as [`Warehouse::good`], [`Warehouse::goods_by_code`],
/// [`Warehouse::goods_by_barcode`] and [`Warehouse::goods_by_name`] would.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GoodQuery {
    /// By ID, deleted or not (a link names it).
    Id(i32),
    /// Live goods with this code.
    Code(String),
    /// Live goods carrying this barcode.
    Barcode(String),
    /// Live goods with exactly this name.
    Name(String),
}

impl GoodQuery {
    /// The condition of one look-up and its parameters (text trimmed, as the single look-ups do).
    fn condition(&self) -> (&'static str, Params) {
        match self {
            GoodQuery::Id(id) => ("g.{ID} = ?", Params::new().int(*id)),
            GoodQuery::Code(c) => (BY_CODE, Params::new().text(c.trim())),
            GoodQuery::Barcode(b) => {
                let b = b.trim();
                (BY_BARCODE, Params::new().text(b).text(b).text(&format!("%{b}%")))
            }
            GoodQuery::Name(n) => (BY_NAME, Params::new().text(n.trim())),
        }
    }

    /// True when the look-up cannot find anything (a blank key), without asking.
    fn is_blank(&self) -> bool {
        matches!(self, GoodQuery::Barcode(b) if b.trim().is_empty())
    }

    /// How many parameters its condition carries.
    pub fn parameters(&self) -> usize {
        match self {
            GoodQuery::Barcode(_) => 3,
            _ => 1,
        }
    }
}

/// A Warehouse Pro good.
#[derive(Debug, Clone, PartialEq)]
pub struct Good {
    /// goods.ID.
    pub id: i32,
    /// goods.Code.
    pub code: String,
    /// goods.Name.
    pub name: String,
    /// Every barcode: BarCode1, BarCode2, then the BarCode3 list; empty ones left out.
    pub barcodes: Vec<String>,
    /// The base measure (Measure1).
    pub measure: String,
    /// The purchase price (PriceIn).
    pub price_in: f64,
    /// PriceOut1..PriceOut10: wholesale, retail, then price groups 1..8.
    pub prices: [f64; 10],
    /// goods.TaxGroup, the VAT group's ID.
    pub vat_group_id: i32,
    /// The VAT group's percent (vatgroups.VATValue).
    pub vat_percent: f64,
    /// goods.GroupID.
    pub group_id: i32,
    /// goods.Type flags (8: non-inventory, no stock moves).
    pub kind_flags: i32,
}

impl Good {
    /// The sale price for a price group (0 wholesale, 1 retail, 2..9 groups 1..8).
    pub fn price_for_group(&self, price_group: i32) -> f64 {
        self.prices[price_group.clamp(0, 9) as usize]
    }

    /// True for goods that never move stock (Type flag 8).
    pub fn is_non_inventory(&self) -> bool {
        self.kind_flags & GoodFlags::NON_INVENTORY != 0
    }
}

/// goods.Type, a flag set (Warehouse Open's `GoodsType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoodFlags;

impl GoodFlags {
    /// A standard good.
    pub const STANDARD: i32 = 0;
    /// A good at a fixed price.
    pub const FIXED_PRICE: i32 = 1;
    /// A good whose price is given at sale.
    pub const VARIABLE_PRICE: i32 = 2;
    /// Made only by manual production.
    pub const MANUAL_PRODUCTION: i32 = 4;
    /// Never moves stock (a service).
    pub const NON_INVENTORY: i32 = 8;
    /// A charge distributed over a delivery.
    pub const DISTRIBUTED_CHARGE: i32 = 16;
    /// A discount item.
    pub const DISCOUNT: i32 = 32;
}

/// A good to create.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewGood {
    /// Code (required, unique by convention).
    pub code: String,
    /// Name.
    pub name: String,
    /// Up to two barcodes go to BarCode1 and BarCode2, the rest to the BarCode3 list.
    pub barcodes: Vec<String>,
    /// Base measure, e.g. "бр.".
    pub measure: String,
    /// Purchase price.
    pub price_in: f64,
    /// Wholesale price (PriceOut1).
    pub price_wholesale: f64,
    /// Retail price (PriceOut2).
    pub price_retail: f64,
    /// The VAT group's ID.
    pub vat_group_id: i32,
    /// goods.GroupID (1 when unsure: the root group).
    pub group_id: i32,
    /// goods.Type flags: 0 standard, 8 non-inventory, 32 discount item.
    pub kind_flags: i32,
}

impl NewGood {
    /// A good to sell, made from a shop's product or order line: at its price without VAT (retail
    /// and wholesale alike, no purchase price yet), in the root group, a standard good; in
    /// pieces where no measure is given.
    pub fn for_sale(code: &str, name: &str, barcodes: Vec<String>, measure: &str, net_price: f64, vat_group_id: i32) -> NewGood {
        let net = (net_price * 1e6).round() / 1e6;
        NewGood {
            code: code.to_owned(),
            name: name.to_owned(),
            barcodes,
            measure: if measure.trim().is_empty() { codes::MEASURE_PIECE.into() } else { measure.to_owned() },
            price_in: 0.0,
            price_wholesale: net,
            price_retail: net,
            vat_group_id,
            group_id: codes::ROOT_GROUP,
            kind_flags: GoodFlags::STANDARD,
        }
    }

    /// A service good obmen makes to carry a kind of line (shipping, a discount): no price, the
    /// first VAT group, these flags.
    pub fn service(code: &str, name: &str, kind_flags: i32) -> NewGood {
        NewGood {
            code: code.to_owned(),
            name: name.to_owned(),
            measure: codes::MEASURE_PIECE.into(),
            vat_group_id: codes::FIRST_VAT_GROUP,
            group_id: codes::ROOT_GROUP,
            kind_flags,
            ..NewGood::default()
        }
    }
}

/// A good with its available quantity at one object and its price there: one export row.
#[derive(Debug, Clone, PartialEq)]
pub struct GoodStock {
    /// goods.ID.
    pub id: i32,
    /// goods.Code.
    pub code: String,
    /// goods.Name.
    pub name: String,
    /// BarCode1, BarCode2 and the BarCode3 list, empty ones left out.
    pub barcodes: Vec<String>,
    /// goods.Measure1.
    pub measure: String,
    /// The price of the object's price group.
    pub price: f64,
    /// The VAT percent.
    pub vat_percent: f64,
    /// Store balance minus open sales orders at the object.
    pub available: f64,
}

/// The columns every good query reads, in [`read_good`]'s order.
fn good_columns(alias: &str) -> String {
    [
        "ID",
        "Code",
        "Name",
        "BarCode1",
        "BarCode2",
        "BarCode3",
        "Measure1",
        "PriceIn",
        "PriceOut1",
        "PriceOut2",
        "PriceOut3",
        "PriceOut4",
        "PriceOut5",
        "PriceOut6",
        "PriceOut7",
        "PriceOut8",
        "PriceOut9",
        "PriceOut10",
        "TaxGroup",
        "GroupID",
        "Type",
    ]
    .iter()
    .map(|c| format!("{{{alias}.{c}}}"))
    .collect::<Vec<_>>()
    .join(", ")
}

fn read_good(r: &mut Row<'_, '_>) -> Result<Good> {
    let mut prices = [0.0; 10];
    let id = r.i32(1)?;
    let code = r.text(2)?;
    let name = r.text(3)?;
    let barcodes = barcode_list(&r.text(4)?, &r.text(5)?, &r.text(6)?);
    let measure = r.text(7)?;
    let price_in = r.f64(8)?;
    for (i, p) in prices.iter_mut().enumerate() {
        *p = r.f64(9 + i as u16)?;
    }
    Ok(Good {
        id,
        code,
        name,
        barcodes,
        measure,
        price_in,
        prices,
        vat_group_id: r.i32(19)?,
        group_id: r.i32(20)?,
        kind_flags: r.i32(21)?,
        vat_percent: r.f64(22)?,
    })
}

/// BarCode1, BarCode2 and the comma-separated BarCode3 as one list, blanks left out.
pub fn barcode_list(b1: &str, b2: &str, b3: &str) -> Vec<String> {
    [b1, b2].into_iter().chain(b3.split(',')).map(str::trim).filter(|b| !b.is_empty()).map(str::to_owned).collect()
}

/// The SELECT all good look-ups share, with the VAT percent joined; `where_clause` is a template
/// (parameters: its own). The service record is left out and the rows sorted by the caller, so
/// that the database serves the condition from its index rather than walk goods in ID order.
pub fn good_select_sql(d: Dialect, where_clause: &str) -> String {
    let deleted = d.coalesce(&format!("g.{}", d.quote("Deleted")), "0");
    let vat = d.coalesce(&format!("v.{}", d.quote("VATValue")), "0");
    d.sql(&format!(
        "SELECT {}, {vat} FROM {{goods}} g LEFT JOIN {{vatgroups}} v ON v.{{ID}} = g.{{TaxGroup}} WHERE ({where_clause}) AND {deleted} = 0",
        good_columns("g")
    ))
}

/// Many good look-ups in one statement (see [`Warehouse::goods_for`]): each a branch of a
/// `UNION ALL`, its place in `queries` as a last column (parameters: each look-up's own, in order).
pub fn goods_for_sql(d: Dialect, queries: &[&GoodQuery]) -> String {
    let branches: Vec<String> = queries
        .iter()
        .enumerate()
        .map(|(k, q)| {
            let select = if matches!(q, GoodQuery::Id(_)) { good_by_id_sql(d) } else { good_select_sql(d, q.condition().0) };
            // The branch's place as a last column: read_good reads the first 22.
            select.replacen(" FROM ", &format!(", {k} FROM "), 1)
        })
        .collect();
    branches.join(" UNION ALL ")
}

/// One good by ID, deleted or not (parameter: the ID).
pub fn good_by_id_sql(d: Dialect) -> String {
    let vat = d.coalesce(&format!("v.{}", d.quote("VATValue")), "0");
    d.sql(&format!("SELECT {}, {vat} FROM {{goods}} g LEFT JOIN {{vatgroups}} v ON v.{{ID}} = g.{{TaxGroup}} WHERE g.{{ID}} = ?", good_columns("g")))
}

/// A zero balance row for a new good in every object but the service one (parameters: good ID,
/// its purchase price, the service ID).
pub fn new_good_store_rows_sql(d: Dialect) -> String {
    d.sql(
        "INSERT INTO {store} ({ObjectID}, {GoodID}, {Qtty}, {Price}, {Lot}, {LotID}, {LotOrder}) \
         SELECT {ID}, ?, 0, ?, ' ', 1, 1 FROM {objects} WHERE {ID} <> ?",
    )
}

/// A zero balance row for each of some new goods in every object but the service one, at each
/// good's purchase price (parameters: the service ID, then the goods' IDs for `marks`).
pub fn new_goods_store_rows_sql(d: Dialect, marks: &str) -> String {
    d.sql(&format!(
        "INSERT INTO {{store}} ({{ObjectID}}, {{GoodID}}, {{Qtty}}, {{Price}}, {{Lot}}, {{LotID}}, {{LotOrder}}) \
         SELECT o.{{ID}}, g.{{ID}}, 0, g.{{PriceIn}}, ' ', 1, 1 FROM {{objects}} o, {{goods}} g WHERE o.{{ID}} <> ? AND g.{{ID}} IN ({marks})"
    ))
}

/// The columns a new good is inserted with, in [`Warehouse::create_good`]'s order.
pub const NEW_GOOD_COLUMNS: [&str; 32] = [
    "Code",
    "BarCode1",
    "BarCode2",
    "BarCode3",
    "Catalog1",
    "Catalog2",
    "Catalog3",
    "Name",
    "Name2",
    "Measure1",
    "Measure2",
    "Ratio",
    "PriceIn",
    "PriceOut1",
    "PriceOut2",
    "PriceOut3",
    "PriceOut4",
    "PriceOut5",
    "PriceOut6",
    "PriceOut7",
    "PriceOut8",
    "PriceOut9",
    "PriceOut10",
    "MinQtty",
    "NormalQtty",
    "Description",
    "Type",
    "IsRecipe",
    "TaxGroup",
    "IsVeryUsed",
    "GroupID",
    "Deleted",
];

impl Warehouse {
    /// The good with this ID (deleted ones too: documents may point at them).
    pub fn good(&self, id: i32) -> Result<Option<Good>> {
        self.query_one(&good_by_id_sql(self.dialect()), &id, read_good)
    }

    /// Live goods with this code (normally one).
    pub fn goods_by_code(&self, code: &str) -> Result<Vec<Good>> {
        self.goods_for_one(GoodQuery::Code(code.to_owned()))
    }

    /// Live goods whose code is one of these, by ID: one query per slice of the parameter limit.
    pub fn goods_by_codes(&self, codes: &[&str]) -> Result<Vec<Good>> {
        self.goods_where_in(by_codes_condition, codes)
    }

    /// Live goods whose name is one of these, by ID.
    pub fn goods_by_names(&self, names: &[&str]) -> Result<Vec<Good>> {
        self.goods_where_in(by_names_condition, names)
    }

    fn goods_where_in(&self, condition: fn(&str) -> String, values: &[&str]) -> Result<Vec<Good>> {
        let mut values: Vec<&str> = values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()).collect();
        values.sort_unstable();
        values.dedup();
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let d = self.dialect();
        let mut found = self.query_in(|marks| good_select_sql(d, &condition(marks)), Params::new, &values, |p, v| p.text(v), read_good)?;
        found.retain(|g| g.id != SERVICE_ID);
        found.sort_by_key(|g| g.id);
        found.dedup_by_key(|g| g.id);
        Ok(found)
    }

    /// Live goods that carry any of these barcodes, each good once.
    pub fn goods_by_barcodes(&self, barcodes: &[String]) -> Result<Vec<Good>> {
        let mut found: Vec<Good> = Vec::new();
        for b in barcodes {
            for g in self.goods_by_barcode(b)? {
                if !found.iter().any(|f| f.id == g.id) {
                    found.push(g);
                }
            }
        }
        Ok(found)
    }

    /// Live goods that carry this barcode in BarCode1, BarCode2 or the BarCode3 list.
    pub fn goods_by_barcode(&self, barcode: &str) -> Result<Vec<Good>> {
        self.goods_for_one(GoodQuery::Barcode(barcode.to_owned()))
    }

    /// One look-up's goods (see [`Warehouse::goods_for`]).
    pub fn goods_for_one(&self, query: GoodQuery) -> Result<Vec<Good>> {
        Ok(self.goods_for(std::slice::from_ref(&query))?.remove(&query).unwrap_or_default())
    }

    /// Many look-ups in as few statements as the dialect allows: each look-up a branch of one
    /// `UNION ALL`, tagged with its place, so that every answer is the one its own query would
    /// give whatever the database's collation (a case- or accent-blind `Code = ?` finds here what
    /// it finds alone). A page of orders costs one statement for its goods, not one a good.
    pub fn goods_for(&self, queries: &[GoodQuery]) -> Result<std::collections::HashMap<GoodQuery, Vec<Good>>> {
        let mut out: std::collections::HashMap<GoodQuery, Vec<Good>> = std::collections::HashMap::new();
        let mut asked: Vec<&GoodQuery> = Vec::new();
        for q in queries {
            if out.contains_key(q) {
                continue;
            }
            out.insert(q.clone(), Vec::new());
            if !q.is_blank() {
                asked.push(q);
            }
        }
        let d = self.dialect();
        let budget = d.max_parameters();
        let mut rest = asked.as_slice();
        while !rest.is_empty() {
            // As many branches as fit the parameter budget and the dialect's compound limit.
            let mut n = 0;
            let mut marks = 0;
            while n < rest.len() && n < d.max_union_branches() && marks + rest[n].parameters() <= budget {
                marks += rest[n].parameters();
                n += 1;
            }
            let n = n.max(1);
            let (chunk, tail) = rest.split_at(n);
            rest = tail;
            let sql = goods_for_sql(d, chunk);
            let params = chunk.iter().fold(Params::new(), |p, q| p.extend(q.condition().1));
            for (k, good) in self.query(&sql, params.as_slice(), |r| Ok((r.i32(23)?, read_good(r)?)))? {
                if let Some(q) = usize::try_from(k).ok().and_then(|k| chunk.get(k)) {
                    if let Some(found) = out.get_mut(*q) {
                        found.push(good);
                    }
                }
            }
        }
        for (q, found) in out.iter_mut() {
            found.sort_by_key(|g| g.id);
            found.dedup_by_key(|g| g.id);
            match q {
                GoodQuery::Id(_) => {}
                GoodQuery::Barcode(b) => {
                    // LIKE finds '123' inside '41234': keep only whole entries.
                    let b = b.trim();
                    found.retain(|g| g.id != SERVICE_ID && g.barcodes.iter().any(|x| x == b));
                }
                GoodQuery::Code(_) | GoodQuery::Name(_) => found.retain(|g| g.id != SERVICE_ID),
            }
        }
        Ok(out)
    }

    /// Live goods with exactly this name.
    pub fn goods_by_name(&self, name: &str) -> Result<Vec<Good>> {
        self.goods_for_one(GoodQuery::Name(name.to_owned()))
    }

    /// Creates a good and, where the database keeps no lots, a zero balance row for it in every
    /// object (in a lot-mode database a good has rows only for the lots it has, as Warehouse Open
    /// writes); returns its ID. Call it inside [`Warehouse::transaction`] so that both land
    /// together.
    pub fn create_good(&self, good: &NewGood) -> Result<i32> {
        self.create_goods(&[good])?.pop().ok_or_else(|| WarehouseError::Invalid(format!("good '{}' was not made", good.code)))
    }

    /// Creates goods as [`Warehouse::create_good`] does, in as few statements as the dialect
    /// allows (see [`Warehouse::insert_returning_ids`]; their balance rows in one more); returns
    /// their IDs in order. Text that does not fit its column is an error, before anything is
    /// written.
    pub fn create_goods(&self, goods: &[&NewGood]) -> Result<Vec<i32>> {
        self.ensure_writable()?;
        let mut rows = Vec::with_capacity(goods.len());
        for good in goods {
            let what = |field: &str| format!("the {field} of good '{}'", good.code);
            self.check_text(Table::Goods, "Code", &good.code, || what("code"))?;
            self.check_text(Table::Goods, "Name", &good.name, || what("name"))?;
            self.check_text(Table::Goods, "Measure1", &good.measure, || what("measure"))?;
            let b1 = good.barcodes.first().map(String::as_str).unwrap_or("");
            let b2 = good.barcodes.get(1).map(String::as_str).unwrap_or("");
            let b3 = good.barcodes.get(2..).map(|rest| rest.join(",")).unwrap_or_default();
            for (col, v) in [("BarCode1", b1), ("BarCode2", b2), ("BarCode3", b3.as_str())] {
                self.check_text(Table::Goods, col, v, || what("barcodes"))?;
            }
            let mut p = Params::new()
                .text(&good.code)
                .text(b1)
                .text(b2)
                .text(&b3)
                .text("")
                .text("")
                .text("")
                .text(&good.name)
                .text(&good.name)
                .text(&good.measure)
                .text(&good.measure)
                .num(1.0)
                .num(good.price_in)
                .num(good.price_wholesale)
                .num(good.price_retail);
            for _ in 3..=10 {
                p = p.num(0.0);
            }
            let p = p.num(0.0).num(0.0).text("").int(good.kind_flags).int(0).int(good.vat_group_id).int(0).int(good.group_id.max(1)).int(0);
            let identity = vec![good.code.clone(), good.name.clone(), good.measure.clone(), b1.to_owned(), b2.to_owned(), b3];
            rows.push((p, identity));
        }
        let ids = self.insert_returning_ids(Table::Goods, &NEW_GOOD_COLUMNS, rows, &["Code", "Name", "Measure1", "BarCode1", "BarCode2", "BarCode3"])?;
        if !ids.is_empty() && !self.stock_mode()?.uses_lots() {
            let d = self.dialect();
            match (ids.as_slice(), goods) {
                ([id], [good]) => {
                    self.exec(&new_good_store_rows_sql(d), Params::new().int(*id).num(good.price_in).int(SERVICE_ID).as_slice())?;
                }
                _ => {
                    for chunk in ids.chunks(d.rows_per_statement(1, 1)) {
                        let params = chunk.iter().fold(Params::new().int(SERVICE_ID), |p, id| p.int(*id));
                        self.exec(&new_goods_store_rows_sql(d, &Dialect::marks(chunk.len())), params.as_slice())?;
                    }
                }
            }
        }
        Ok(ids)
    }

    /// Goods about to be made, each found again first by its code (the lowest ID where several
    /// have it) or made: their IDs, and whether each was made. Call it under
    /// [`Warehouse::lock_for_making`], so that what another writer made meanwhile is found, not
    /// made twice.
    pub fn find_or_create_goods(&self, goods: &[&NewGood]) -> Result<Vec<(i32, bool)>> {
        if goods.is_empty() {
            return Ok(Vec::new());
        }
        let queries: Vec<GoodQuery> = goods.iter().map(|g| GoodQuery::Code(g.code.clone())).collect();
        let found = self.goods_for(&queries)?;
        let mut out: Vec<Option<(i32, bool)>> = goods
            .iter()
            .zip(&queries)
            .map(|(g, q)| found.get(q).filter(|_| !g.code.trim().is_empty()).and_then(|f| f.first()).map(|g| (g.id, false)))
            .collect();
        let missing: Vec<&NewGood> = goods.iter().zip(&out).filter(|(_, o)| o.is_none()).map(|(g, _)| *g).collect();
        let mut made = self.create_goods(&missing)?.into_iter();
        for o in out.iter_mut().filter(|o| o.is_none()) {
            *o = made.next().map(|id| (id, true));
        }
        out.into_iter().map(|o| o.ok_or_else(|| WarehouseError::Invalid("a good was not made".into()))).collect()
    }

    /// Every live good with its price for the object's price group and its available quantity
    /// there, read in bound batches of `batch` rows and handed to `each` batch by batch (memory
    /// stays flat whatever the count). Text longer than its column is an error, never cut.
    pub fn for_each_good_with_available(&self, object: &super::Object, batch: usize, each: impl FnMut(Vec<GoodStock>) -> Result<()>) -> Result<()> {
        let sql = goods_with_available_sql(self.dialect(), price_column(object.price_group));
        let params = Params::new().int(object.id).int(object.id).int(object.id).int(SERVICE_ID);
        // The bound buffers are made for a whole batch, whatever comes: six texts of 1,021 bytes a
        // row, 30 MB for 5,000 rows. A database of fewer goods gets a batch no larger than its
        // goods (one more may come meanwhile: it is fetched in a second batch), so that fifty
        // servers exporting small shops at once do not hold 30 MB each.
        let goods = self.scalar_i64(&self.dialect().sql("SELECT COUNT(*) FROM {goods}"), ())?.unwrap_or(i64::MAX);
        let batch = batch.min(usize::try_from(goods).unwrap_or(usize::MAX).saturating_add(1)).max(1);
        self.read_goods_with_available(&sql, params, batch, each)
    }

    /// These goods (by ID), where they are live, with their price at the object, as
    /// [`Warehouse::for_each_good_with_available`] reads them but without quantities (available
    /// is 0): for callers that read quantities on their own ([`Warehouse::available_by_good`]).
    pub fn goods_by_ids(&self, object: &super::Object, ids: &[i32]) -> Result<Vec<GoodStock>> {
        let mut all = Vec::new();
        let per_statement = self.dialect().rows_per_statement(1, 1);
        for chunk in ids.chunks(per_statement) {
            let sql = goods_by_ids_sql(self.dialect(), price_column(object.price_group), &Dialect::marks(chunk.len()));
            let params = chunk.iter().fold(Params::new().int(SERVICE_ID), |p, id| p.int(*id));
            self.read_goods_with_available(&sql, params, chunk.len(), |batch| {
                all.extend(batch);
                Ok(())
            })?;
        }
        Ok(all)
    }

    /// The available quantity of every good that has a balance row or an open sales order at the
    /// object: the balance minus what open sales orders hold. The balance rows are read as they
    /// are and summed here (a GROUP BY over 100,000 rows cost the database more than sending
    /// them); the open orders grouped. Bound buffers, no text: the export compares these against
    /// what it last sent.
    ///
    /// Sorted by good ID, one entry a good: a merge with another sorted list costs one pass,
    /// where 100,000 look-ups in a hash map cost tens of milliseconds in cache misses.
    pub fn available_by_good(&self, object_id: i32) -> Result<Vec<(i32, f64)>> {
        let d = self.dialect();
        let mut rows = self.id_sums(&balance_rows_sql(d), Params::new().int(object_id))?;
        rows.extend(self.id_sums(&open_orders_by_good_sql(d), Params::new().int(object_id).int(object_id))?.into_iter().map(|(good, qtty)| (good, -qtty)));
        // Stable: the same rows are summed in the same order every time (floating point).
        rows.sort_by_key(|(good, _)| *good);
        let mut out: Vec<(i32, f64)> = Vec::with_capacity(rows.len());
        for (good, qtty) in rows {
            match out.last_mut() {
                Some((last, sum)) if *last == good => *sum += qtty,
                _ => out.push((good, qtty)),
            }
        }
        Ok(out)
    }

    /// A short text that changes when any balance row or open order row at the object changes
    /// (see [`quantities_checksum_sql`]): read before the quantities themselves, so that a
    /// quantity read later is never older than the checksum stored beside it.
    pub fn quantities_checksum(&self, object_id: i32) -> Result<String> {
        let mut parts = Vec::new();
        for (sql, params) in
            quantities_checksum_sql(self.dialect()).into_iter().zip([Params::new().int(object_id), Params::new().int(object_id).int(object_id)])
        {
            let row = self.query_one(&sql, params.as_slice(), |r| (1..=4).map(|i| Ok(r.opt_text(i)?.unwrap_or_default())).collect::<Result<Vec<String>>>())?;
            parts.push(row.unwrap_or_default().join(","));
        }
        Ok(parts.join("|"))
    }

    /// (ID, number) pairs from a two-column query with the object's ID as its parameter.
    fn id_sums(&self, sql: &str, params: Params) -> Result<Vec<(i32, f64)>> {
        let context = "reading quantities by good";
        let mut out = Vec::new();
        self.count_statement();
        let Some(cursor) = self.connection().execute(sql, params.as_slice(), self.query_timeout()).map_err(|e| self.odbc_error(context, e))? else {
            return Ok(out);
        };
        let descs = [BufferDesc::I32 { nullable: true }, BufferDesc::F64 { nullable: true }];
        let buffer = ColumnarDynBuffer::try_from_descs(10_000, descs).map_err(|e| self.odbc_error(context, e))?;
        let mut cursor = cursor.bind_buffer(buffer).map_err(|e| self.odbc_error(context, e))?;
        while let Some(rows) = cursor.fetch().map_err(|e| self.odbc_error(context, e))? {
            let wrong = || WarehouseError::Invalid(format!("{context}: the columns came back of other types"));
            let ids = rows.column(0).as_nullable_slice::<i32>().ok_or_else(wrong)?;
            let sums = rows.column(1).as_nullable_slice::<f64>().ok_or_else(wrong)?;
            out.extend(ids.zip(sums).filter_map(|(id, sum)| Some((*id?, sum.copied().unwrap_or(0.0)))));
        }
        Ok(out)
    }

    /// A short text that changes when anything the export sends of the goods changes: their
    /// number, highest ID, prices in the object's price group, VAT groups and rates, deletions,
    /// and a checksum of their codes, names, barcodes and measures. MySQL and MSSQL sum a CRC of
    /// each row; SQLite and Access have no hash function, so there the checksum is a weighted sum
    /// of the texts' lengths (an edit that keeps every length goes unseen until the next full
    /// export).
    pub fn goods_signature(&self, object: &super::Object) -> Result<String> {
        let d = self.dialect();
        let text = |r: &mut Row<'_, '_>, n: u16| -> Result<Vec<String>> { (1..=n).map(|i| Ok(r.opt_text(i)?.unwrap_or_default())).collect() };
        let goods = self.query_one(&goods_signature_sql(d, price_column(object.price_group)), (), |r| text(r, 6))?.unwrap_or_default();
        let vat = self.query_one(&vat_signature_sql(d), (), |r| text(r, 2))?.unwrap_or_default();
        Ok(format!("{}|{}", goods.join("|"), vat.join("|")))
    }

    fn read_goods_with_available(&self, sql: &str, params: Params, batch: usize, mut each: impl FnMut(Vec<GoodStock>) -> Result<()>) -> Result<()> {
        let context = "reading goods with available quantities";
        self.count_statement();
        let cursor = self
            .connection()
            .execute(sql, params.as_slice(), None)
            .map_err(|e| self.odbc_error(context, e))?
            .ok_or_else(|| WarehouseError::Invalid(format!("{context}: the query returned no rows")))?;
        // 255 characters of UTF-8 take at most 4 bytes each.
        let text = BufferDesc::Text { max_str_len: 255 * 4 };
        let descs = [
            BufferDesc::I32 { nullable: false },
            text,
            text,
            text,
            text,
            text,
            text,
            BufferDesc::F64 { nullable: true },
            BufferDesc::F64 { nullable: true },
            BufferDesc::F64 { nullable: true },
        ];
        let buffer = ColumnarDynBuffer::try_from_descs(batch.max(1), descs).map_err(|e| self.odbc_error(context, e))?;
        let mut cursor = cursor.bind_buffer(buffer).map_err(|e| self.odbc_error(context, e))?;
        while let Some(rows) = cursor.fetch_with_truncation_check(true).map_err(|e| self.odbc_error(context, e))? {
            let n = rows.num_rows();
            let wrong = || WarehouseError::Invalid(format!("{context}: the columns came back of other types"));
            let ids = rows.column(0).as_slice::<i32>().ok_or_else(wrong)?;
            let texts: Vec<_> = (1..=6).map(|i| rows.column(i).as_text().ok_or_else(wrong)).collect::<Result<_>>()?;
            let price = rows.column(7).as_nullable_slice::<f64>().ok_or_else(wrong)?;
            let vat = rows.column(8).as_nullable_slice::<f64>().ok_or_else(wrong)?;
            let avail = rows.column(9).as_nullable_slice::<f64>().ok_or_else(wrong)?;
            let mut out = Vec::with_capacity(n);
            // Borrowed from the buffer; only the fields kept are copied.
            let t = |col: usize, row: usize| -> Result<&str> {
                match texts[col].get(row) {
                    None => Ok(""),
                    Some(bytes) => std::str::from_utf8(bytes).map_err(|_| WarehouseError::Invalid(format!("{context}: a good's text is not UTF-8"))),
                }
            };
            for ((row, p), (v, a)) in (0..n).zip(price).zip(vat.zip(avail)) {
                out.push(GoodStock {
                    id: ids[row],
                    code: t(0, row)?.to_owned(),
                    name: t(1, row)?.to_owned(),
                    barcodes: barcode_list(t(2, row)?, t(3, row)?, t(4, row)?),
                    measure: t(5, row)?.to_owned(),
                    price: p.copied().unwrap_or(0.0),
                    vat_percent: v.copied().unwrap_or(0.0),
                    available: a.copied().unwrap_or(0.0),
                });
            }
            each(out)?;
        }
        Ok(())
    }

    /// Every live good with its price and available quantity at the object.
    pub fn goods_with_available(&self, object: &super::Object) -> Result<Vec<GoodStock>> {
        let mut all = Vec::new();
        self.for_each_good_with_available(object, 2000, |batch| {
            all.extend(batch);
            Ok(())
        })?;
        Ok(all)
    }
}

/// Every live good with its price and available quantity at an object (store balance minus open
/// sales orders), by ID. Parameters: the object's ID twice, then the service ID. `price_column`
/// is one of PriceOut1..PriceOut10 (see [`price_column`]), never input.
pub fn goods_with_available_sql(d: Dialect, price_column: &str) -> String {
    goods_with_available_where(d, price_column)
}

/// Some live goods with their price (parameters: the service ID, then the goods' IDs for
/// `marks`); the last column, where quantities go in [`goods_with_available_sql`], is 0.
pub fn goods_by_ids_sql(d: Dialect, price_column: &str, marks: &str) -> String {
    let deleted = d.coalesce(&format!("g.{}", d.quote("Deleted")), "0");
    let vat = d.coalesce(&format!("v.{}", d.quote("VATValue")), "0");
    d.sql(&format!(
        "SELECT g.{{ID}}, g.{{Code}}, g.{{Name}}, g.{{BarCode1}}, g.{{BarCode2}}, g.{{BarCode3}}, g.{{Measure1}}, \
         g.{{{price_column}}}, {vat}, 0 \
         FROM {{goods}} g LEFT JOIN {{vatgroups}} v ON v.{{ID}} = g.{{TaxGroup}} \
         WHERE g.{{ID}} <> ? AND {deleted} = 0 AND g.{{ID}} IN ({marks}) ORDER BY g.{{ID}}"
    ))
}

fn goods_with_available_where(d: Dialect, price_column: &str) -> String {
    let deleted = d.coalesce(&format!("g.{}", d.quote("Deleted")), "0");
    let vat = d.coalesce(&format!("v.{}", d.quote("VATValue")), "0");
    let stock = d.coalesce(&format!("s.{}", d.quote("Qtty")), "0");
    let ordered = d.coalesce(&format!("o.{}", d.quote("Qtty")), "0");
    let open = format!("({OPEN_ORDERS_BY_GOOD})");
    let bal = format!("({BALANCES_BY_GOOD})");
    let (open_paren, close_paren) = if d == Dialect::Access { ("((", ")") } else { ("", "") };
    d.sql(&format!(
        "SELECT g.{{ID}}, g.{{Code}}, g.{{Name}}, g.{{BarCode1}}, g.{{BarCode2}}, g.{{BarCode3}}, g.{{Measure1}}, \
         g.{{{price_column}}}, {vat}, {stock} - {ordered} \
         FROM {open_paren}{{goods}} g LEFT JOIN {{vatgroups}} v ON v.{{ID}} = g.{{TaxGroup}}{close_paren} \
         LEFT JOIN {bal} s ON s.{{GoodID}} = g.{{ID}}{close_paren} \
         LEFT JOIN {open} o ON o.{{GoodID}} = g.{{ID}} \
         WHERE g.{{ID}} <> ? AND {deleted} = 0 ORDER BY g.{{ID}}"
    ))
}

/// The balance of each good at an object (parameter: the object's ID).
const BALANCES_BY_GOOD: &str = "SELECT {GoodID}, SUM({Qtty}) AS {Qtty} FROM {store} WHERE {ObjectID} = ? GROUP BY {GoodID}";

/// The operation rows that hold stock at an object, as Warehouse Open counts them (parameters:
/// the object's ID twice): every sales order (19) line at the object, whatever its Acct, and
/// every restaurant order (33) line whose SrcDocID is the object. Two branches of a UNION ALL, so
/// that each is served by the (OperType, ...) index rather than an OR that walks the table.
pub const RESERVING_ROWS: &str = "SELECT {GoodID}, {Qtty} FROM {operations} WHERE {OperType} = 19 AND {ObjectID} = ? \
     UNION ALL SELECT {GoodID}, {Qtty} FROM {operations} WHERE {OperType} = 33 AND {SrcDocID} = ?";

/// What open sales and restaurant orders hold of each good at an object (parameters: the
/// object's ID twice; see [`RESERVING_ROWS`]).
const OPEN_ORDERS_BY_GOOD: &str =
    "SELECT {GoodID}, SUM({Qtty}) AS {Qtty} FROM (SELECT {GoodID}, {Qtty} FROM {operations} WHERE {OperType} = 19 AND {ObjectID} = ? \
     UNION ALL SELECT {GoodID}, {Qtty} FROM {operations} WHERE {OperType} = 33 AND {SrcDocID} = ?) {x} GROUP BY {GoodID}";

/// The balance rows at an object: good and quantity (parameter: the object's ID).
pub fn balance_rows_sql(d: Dialect) -> String {
    d.sql("SELECT {GoodID}, {Qtty} FROM {store} WHERE {ObjectID} = ?")
}

/// What a column holds, for [`row_hash`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// Text.
    Text,
    /// An integer.
    Int,
    /// A floating-point number.
    Num,
}

/// An integer hash of a row's columns, NULLs included, where the dialect has a hash function:
/// MySQL's CRC32 of the columns joined by CHAR(1); MSSQL's first four bytes of an MD5 of them
/// (HASHBYTES, SQL Server 2005 and later), numbers written out in full (CONVERT style 2: 16
/// digits). `None` for SQLite and Access.
pub fn row_hash(d: Dialect, cols: &[(&str, Value)]) -> Option<String> {
    match d {
        Dialect::Mysql => {
            let cols: Vec<String> = cols.iter().map(|(c, v)| d.coalesce(c, if *v == Value::Text { "''" } else { "0" })).collect();
            Some(format!("CRC32(CONCAT_WS(CHAR(1), {}))", cols.join(", ")))
        }
        Dialect::Mssql => {
            let cols: Vec<String> = cols
                .iter()
                .map(|(c, v)| match v {
                    Value::Text => d.coalesce(c, "N''"),
                    Value::Int => format!("CONVERT(NVARCHAR(20), {})", d.coalesce(c, "0")),
                    Value::Num => format!("CONVERT(NVARCHAR(40), {}, 2)", d.coalesce(c, "0")),
                })
                .collect();
            Some(format!("CAST(SUBSTRING(HASHBYTES('MD5', {}), 1, 4) AS INT)", cols.join(" + NCHAR(1) + ")))
        }
        Dialect::Sqlite | Dialect::Access => None,
    }
}

/// The checksum of what decides the available quantities at an object: its balance rows, and
/// then the rows of its open sales and restaurant orders (one statement each; parameter: the
/// object's ID). A count and a sum of a hash of each row's good and quantity (MySQL CRC32, MSSQL
/// BINARY_CHECKSUM; SQLite and Access, which have no hash, two sums of the quantity weighted by the
/// good's ID under two moduli): a change to any row changes it, and no two changes cancel but by
/// a collision of hashes.
pub fn quantities_checksum_sql(d: Dialect) -> [String; 2] {
    let modulo = |n: u32| if d == Dialect::Access { format!("{{GoodID}} MOD {n}") } else { format!("{{GoodID}} % {n}") };
    let weighted = format!("SUM({{Qtty}} * ({} + 1))", modulo(997));
    let hash = match row_hash(d, &[("{GoodID}", Value::Int), ("{Qtty}", Value::Num)]) {
        Some(h) => format!("{weighted}, SUM({})", d.decimal(&h)),
        None => format!("{weighted}, SUM({{Qtty}} * ({} + 1))", modulo(1009)),
    };
    [
        d.sql(&format!("SELECT COUNT(*), SUM({{Qtty}}), {hash} FROM {{store}} WHERE {{ObjectID}} = ?")),
        d.sql(&format!("SELECT COUNT(*), SUM({{Qtty}}), {hash} FROM ({RESERVING_ROWS}) {{x}}")),
    ]
}

/// What open sales orders hold of each good at an object (parameter: the object's ID).
pub fn open_orders_by_good_sql(d: Dialect) -> String {
    d.sql(OPEN_ORDERS_BY_GOOD)
}

/// The VAT groups' signature: how many, and their rates summed.
pub fn vat_signature_sql(d: Dialect) -> String {
    d.sql("SELECT COUNT(*), SUM({VATValue}) FROM {vatgroups}")
}

/// The goods' signature (see [`Warehouse::goods_signature`]): count, highest ID, sum of prices,
/// sum of VAT groups, deletions, checksum.
pub fn goods_signature_sql(d: Dialect, price_column: &str) -> String {
    let texts = ["Code", "Name", "BarCode1", "BarCode2", "BarCode3", "Measure1"];
    let deleted = d.coalesce(&d.quote("Deleted"), "0");
    let checksum = match d {
        // A hash of each good's texts, price, VAT group and deletion (MySQL CRC32, MSSQL the first
        // four bytes of an MD5), weighted by the good's ID so that two goods trading names show,
        // summed as DECIMAL: a sum, unlike an XOR (CHECKSUM_AGG), cannot cancel two changes out
        // but by a collision of hashes. Every column is guarded: CRC32(NULL) is NULL, and SUM
        // would leave the row of a good with any NULL text out, so its edits would go unseen.
        Dialect::Mysql | Dialect::Mssql => {
            let mut cols: Vec<(String, Value)> = texts.iter().map(|c| (format!("{{{c}}}"), Value::Text)).collect();
            cols.push((format!("{{{price_column}}}"), Value::Num));
            cols.push(("{TaxGroup}".into(), Value::Int));
            cols.push(("{Deleted}".into(), Value::Int));
            let cols: Vec<(&str, Value)> = cols.iter().map(|(c, v)| (c.as_str(), *v)).collect();
            let hash = row_hash(d, &cols).unwrap_or_default();
            format!("SUM({} * {})", d.decimal("{ID} % 997 + 1"), d.decimal(&hash))
        }
        // No hash function: lengths of the texts, weighted by column and by the good's ID, as a
        // Double (Access sums Long values in a Long, which 100,000 goods overflow).
        Dialect::Sqlite | Dialect::Access => {
            let len = if d == Dialect::Access { "LEN" } else { "LENGTH" };
            let modulo = if d == Dialect::Access { "{ID} MOD 997" } else { "{ID} % 997" };
            let weighted: Vec<String> =
                texts.iter().enumerate().map(|(i, c)| format!("{} * {len}({})", 2 * i + 1, d.coalesce(&format!("{{{c}}}"), "''"))).collect();
            format!("SUM({})", d.decimal(&format!("({modulo} + 1) * ({})", weighted.join(" + "))))
        }
    };
    d.sql(&format!("SELECT COUNT(*), MAX({{ID}}), SUM({{{price_column}}}), SUM({{TaxGroup}}), SUM({deleted}), {checksum} FROM {{goods}}"))
}

/// The goods column holding a price group's price (0 wholesale, 1 retail, 2..9 groups 1..8).
pub fn price_column(price_group: i32) -> &'static str {
    const COLUMNS: [&str; 10] =
        ["PriceOut1", "PriceOut2", "PriceOut3", "PriceOut4", "PriceOut5", "PriceOut6", "PriceOut7", "PriceOut8", "PriceOut9", "PriceOut10"];
    COLUMNS[price_group.clamp(0, 9) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barcodes_merge_and_skip_blanks() {
        assert_eq!(barcode_list("1", "", " 3, 4 ,,"), vec!["1", "3", "4"]);
        assert!(barcode_list("", "", "").is_empty());
    }

    #[test]
    fn price_columns() {
        assert_eq!(price_column(0), "PriceOut1");
        assert_eq!(price_column(1), "PriceOut2");
        assert_eq!(price_column(9), "PriceOut10");
        assert_eq!(price_column(42), "PriceOut10");
    }
}
