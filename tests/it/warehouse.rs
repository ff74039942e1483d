//! Warehouse Pro over ODBC, against real MariaDB and SQLite: schema init, nomenclature look-ups,
//! documents (numbering, stock, payments), concurrency, atomicity, and the Access read path.

use chrono::NaiveDate;
use obmen::warehouse::demo;
use obmen::warehouse::{Dialect, GoodQuery, NewDocument, NewGood, NewLine, Numbering, OperType, Paid, Partner, PartnerRole, Warehouse, WarehouseError};

use crate::support::TestDb;

on_both!(sqlite, mysql;
    init_creates_schema_service_rows_and_demo_data,
    init_refuses_a_database_with_goods,
    cyrillic_round_trip,
    goods_are_found_by_code_barcode_and_name,
    partners_are_found_by_email_vat_company_number_and_code,
    sale_is_written_and_read_back,
    sales_order_reserves_without_moving_stock,
    concurrent_writers_get_distinct_accts,
    failure_mid_document_leaves_nothing,
    negative_stock_is_refused_unless_allowed,
    text_too_long_is_an_error_not_a_cut,
    goods_with_available_reads_everything_in_batches,
    numbering_skips_reserved_numbers,
    batched_lookups_and_inserts_answer_as_one_at_a_time,
);

fn date() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap().and_hms_opt(10, 30, 0).unwrap()
}

fn main_object(wh: &Warehouse) -> obmen::warehouse::Object {
    wh.find_object("Централен Склад").unwrap().expect("demo object")
}

/// A sale of `lines` (good ID, qtty, price) at the main object to partner 2.
fn sale(wh: &Warehouse, lines: &[(i32, f64, f64)]) -> NewDocument {
    let object = main_object(wh);
    NewDocument {
        oper_type: OperType::SALE,
        object_id: object.id,
        partner_id: 2,
        user_id: 1,
        date: date(),
        lines: lines
            .iter()
            .map(|&(good_id, qtty, price)| NewLine {
                good_id,
                qtty,
                price,
                vat: (price * 0.2 * 100.0).round() / 100.0,
                discount: 0.0,
                price_in: 1.0,
                moves_stock: true,
                note: "Shopiko №1001".into(),
            })
            .collect(),
        due: Some(date()),
        paid: vec![],
        currency_id: 1,
        currency_rate: 1.0,
        allow_negative_stock: false,
        numbering: Numbering::Global,
    }
}

fn count(wh: &Warehouse, table: &str) -> i64 {
    let sql = wh.dialect().sql(&format!("SELECT COUNT(*) FROM {{{table}}}"));
    wh.scalar_i64(&sql, ()).unwrap().unwrap()
}

fn init_creates_schema_service_rows_and_demo_data(d: Dialect) {
    let db = TestDb::empty(d);
    let mut wh = db.open();
    let report = wh.init(50).unwrap();
    assert_eq!(report.tables, obmen::warehouse::Table::ALL.len());
    assert_eq!(report.goods, 50);
    assert_eq!(report.objects, 2);
    assert_eq!(count(&wh, "goods"), 51, "50 demo goods and the service good");
    assert_eq!(count(&wh, "paymenttypes"), 4);
    let version = wh.query_one(&wh.dialect().sql("SELECT {Version} FROM {system}"), (), |r| r.text(1)).unwrap();
    assert_eq!(version.as_deref(), Some("3.07"));
    let service = wh.query_one(&wh.dialect().sql("SELECT {Name} FROM {goods} WHERE {ID} = 1"), (), |r| r.text(1)).unwrap();
    assert_eq!(service.as_deref(), Some("Служебна стока"));
    let objects: Vec<String> = wh.objects().unwrap().into_iter().map(|o| o.name).collect();
    assert_eq!(objects.len(), 2, "the service object is not listed: {objects:?}");
    assert!(objects.contains(&"Магазин".to_owned()));
    let vat = wh.query_one(&wh.dialect().sql("SELECT {VATValue} FROM {vatgroups} WHERE {ID} = 1"), (), |r| r.f64(1)).unwrap();
    assert_eq!(vat, Some(20.0));
    // Stock: every demo good has a row in both objects with the demo quantity.
    let object = main_object(&wh);
    let g = demo::good(3);
    let found = wh.goods_by_code(&g.code).unwrap();
    assert_eq!(wh.balance(object.id, found[0].id).unwrap(), g.stock_main);
    assert_eq!(count(&wh, "store"), 100);
}

fn init_refuses_a_database_with_goods(d: Dialect) {
    let db = TestDb::with_demo(d, 5);
    let before = count(&db.open(), "goods");
    let err = db.open().init(5).unwrap_err();
    assert!(matches!(err, WarehouseError::AlreadyInitialised), "{err}");
    assert!(err.to_string().contains("never touches"), "{err}");
    assert_eq!(count(&db.open(), "goods"), before);
}

fn cyrillic_round_trip(d: Dialect) {
    let db = TestDb::with_demo(d, 0);
    let wh = db.open();
    // Three- and four-byte UTF-8 too: the text path must carry all of it.
    let name = "Шоколад „Своге“ — черен 85% ñ € 😀";
    let id = wh
        .create_good(&NewGood {
            code: "ШК-01".into(),
            name: name.into(),
            barcodes: vec!["3800000000011".into()],
            measure: "бр.".into(),
            price_retail: 4.5,
            vat_group_id: 1,
            group_id: 1,
            ..NewGood::default()
        })
        .unwrap();
    let good = wh.good(id).unwrap().unwrap();
    assert_eq!(good.name, name);
    assert_eq!(good.code, "ШК-01");
    assert_eq!(good.measure, "бр.");
    assert_eq!(wh.goods_by_name(name).unwrap().len(), 1);
    // A 255-character Cyrillic name fills the column exactly and comes back whole.
    let long: String = "Щ".repeat(255);
    let id = wh.create_good(&NewGood { code: "LONG".into(), name: long.clone(), vat_group_id: 1, ..NewGood::default() }).unwrap();
    assert_eq!(wh.good(id).unwrap().unwrap().name, long);
}

fn goods_are_found_by_code_barcode_and_name(d: Dialect) {
    let db = TestDb::with_demo(d, 20);
    let wh = db.open();
    let g5 = demo::good(5);
    let by_code = wh.goods_by_code(&g5.code).unwrap();
    assert_eq!(by_code.len(), 1);
    assert_eq!(by_code[0].name, g5.name);
    assert_eq!(by_code[0].barcodes, g5.barcodes, "good 5 has a second barcode in BarCode3");
    assert_eq!(wh.goods_by_barcode(&g5.barcodes[0]).unwrap()[0].code, g5.code);
    assert_eq!(wh.goods_by_barcode(&g5.barcodes[1]).unwrap()[0].code, g5.code, "found through the BarCode3 list");
    assert!(wh.goods_by_barcode(&g5.barcodes[1][1..]).unwrap().is_empty(), "a part of a barcode is no match");
    assert_eq!(wh.goods_by_name(&demo::good(7).name).unwrap()[0].code, demo::good(7).code);
    assert_eq!(wh.goods_by_code(&g5.code).unwrap()[0].vat_percent, 20.0);
    assert_eq!(wh.goods_by_code(&demo::good(7).code).unwrap()[0].vat_percent, 9.0);
    assert!(wh.goods_by_code("1").unwrap().is_empty(), "the service good is never found");
    // A list entry in BarCode3 with spaces around it.
    let id = wh
        .create_good(&NewGood {
            code: "X1".into(),
            name: "Мултикод".into(),
            barcodes: vec!["111".into(), "222".into(), "333".into(), "444".into()],
            vat_group_id: 1,
            ..NewGood::default()
        })
        .unwrap();
    assert_eq!(wh.goods_by_barcode("444").unwrap()[0].id, id);
    assert_eq!(wh.goods_by_barcode("333").unwrap()[0].id, id);
    assert!(wh.goods_by_barcode("44").unwrap().is_empty());
    // Objects by name or by code.
    assert_eq!(wh.find_object("2").unwrap().unwrap().name, "Магазин");
    assert_eq!(wh.find_object("Централен Склад").unwrap().unwrap().code, "1");
    assert!(wh.find_object("Служебен обект").unwrap().is_none());
}

fn partners_are_found_by_email_vat_company_number_and_code(d: Dialect) {
    let db = TestDb::with_demo(d, 10);
    let wh = db.open();
    let company = demo::partner(1);
    let person = demo::partner(2);
    assert_eq!(wh.partners_by_email(&company.email.to_uppercase()).unwrap()[0].code, company.code);
    let found = wh.partners_by_email(&person.email).unwrap().remove(0);
    assert_eq!(found.role, PartnerRole::Client, "a person from the demo is a client");
    assert!(!found.is_company(), "and carries no company numbers");
    assert_eq!(wh.partners_by_vat_number(&company.vat_number).unwrap()[0].code, company.code);
    assert_eq!(wh.partners_by_vat_number(&company.vat_number[2..]).unwrap()[0].code, company.code, "without BG");
    assert_eq!(wh.partners_by_company_number(&company.company_number).unwrap()[0].company, company.name);
    assert_eq!(wh.partners_by_code(&person.code).unwrap()[0].company, person.name);
    assert!(wh.partners_by_email("").unwrap().is_empty());
    assert!(wh.partners_by_email("nobody@nowhere.bg").unwrap().is_empty());
    let id = wh
        .create_partner(&Partner {
            company: "Елена Тодорова".into(),
            email: "Elena.T@Example.BG".into(),
            role: PartnerRole::Client,
            price_group: 1,
            ..Partner::default()
        })
        .unwrap();
    assert_eq!(wh.partners_by_email("elena.t@example.bg").unwrap()[0].id, id);
    let made = wh.partner(id).unwrap().unwrap();
    assert_eq!((made.company.as_str(), made.role), ("Елена Тодорова", PartnerRole::Client));
    let t = wh.scalar_i64(&wh.dialect().sql("SELECT {Type} FROM {partners} WHERE {ID} = ?"), &id).unwrap();
    assert_eq!(t, Some(2), "partners.Type 2 is a client");
}

fn sale_is_written_and_read_back(d: Dialect) {
    let db = TestDb::with_demo(d, 10);
    let mut wh = db.open();
    let object = main_object(&wh);
    let g1 = wh.goods_by_code(&demo::good(1).code).unwrap().remove(0);
    let g2 = wh.goods_by_code(&demo::good(2).code).unwrap().remove(0);
    let before1 = wh.balance(object.id, g1.id).unwrap();
    let before2 = wh.balance(object.id, g2.id).unwrap();
    let mut doc = sale(&wh, &[(g1.id, 2.0, 10.0), (g2.id, 1.5, 3.2)]);
    doc.lines[0].discount = 10.0;
    doc.paid = vec![Paid { amount: 20.0, payment_type: 3, transaction: "TX-77".into() }];
    let written = wh.write_document(&doc).unwrap();
    assert_eq!(written.acct, 1, "the first sale is number 1");
    assert_eq!(written.total, 29.76, "(10 + 2) * 2 + (3.2 + 0.64) * 1.5");

    let lines = wh.document_lines(OperType::SALE, written.acct).unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].sign, -1);
    assert_eq!(lines[0].good_id, g1.id);
    assert_eq!(lines[0].qtty, 2.0);
    assert_eq!(lines[0].price_out, 10.0);
    assert_eq!(lines[0].vat_out, 2.0, "VAT per unit");
    assert_eq!(lines[0].vat_in, 0.0);
    assert_eq!(lines[0].discount, 10.0);
    assert_eq!(lines[0].object_id, object.id);
    assert_eq!(lines[0].partner_id, 2);
    assert_eq!(lines[0].note, "Shopiko №1001");
    assert_eq!(lines[1].vat_out, 0.64);
    assert_eq!(wh.balance(object.id, g1.id).unwrap(), before1 - 2.0);
    assert_eq!(wh.balance(object.id, g2.id).unwrap(), before2 - 1.5);

    let payments = wh.document_payments(OperType::SALE, written.acct).unwrap();
    assert_eq!(payments.len(), 2);
    assert_eq!((payments[0].mode, payments[0].qtty, payments[0].sign), (-1, 29.76, 1));
    assert_eq!((payments[1].mode, payments[1].qtty, payments[1].payment_type), (1, 20.0, 3));
    // Partner debt = -SUM(Qtty * Mode * Sign): 29.76 due, 20 paid.
    let debt: f64 = -payments.iter().map(|p| p.qtty * p.mode as f64 * p.sign as f64).sum::<f64>();
    assert!((debt - 9.76).abs() < 1e-9, "{debt}");

    // The next sale takes the next number; the reservation is in nextacct.
    let second = wh.write_document(&sale(&wh, &[(g1.id, 1.0, 10.0)])).unwrap();
    assert_eq!(second.acct, 2);
    let reserved = wh.query(&wh.dialect().sql("SELECT {NextAcct} FROM {nextacct} ORDER BY {NextAcct}"), (), |r| r.text(1)).unwrap();
    assert_eq!(reserved, vec!["S1", "S2"]);
}

fn sales_order_reserves_without_moving_stock(d: Dialect) {
    let db = TestDb::with_demo(d, 5);
    let mut wh = db.open();
    let object = main_object(&wh);
    let g = wh.goods_by_code(&demo::good(1).code).unwrap().remove(0);
    let before = wh.balance(object.id, g.id).unwrap();
    let mut doc = sale(&wh, &[(g.id, 3.0, 10.0)]);
    doc.oper_type = OperType::SALES_ORDER;
    doc.due = None;
    let written = wh.write_document(&doc).unwrap();
    assert_eq!(written.acct, 1);
    assert_eq!(wh.document_lines(OperType::SALES_ORDER, 1).unwrap()[0].sign, 0);
    assert_eq!(wh.balance(object.id, g.id).unwrap(), before, "a sales order does not move stock");
    assert_eq!(wh.available(object.id, g.id).unwrap(), before - 3.0, "but it reserves it");
    let all = wh.goods_with_available(&object).unwrap();
    assert_eq!(all.iter().find(|s| s.id == g.id).unwrap().available, before - 3.0);
    assert_eq!(wh.document_payments(OperType::SALES_ORDER, 1).unwrap().len(), 0);
}

fn concurrent_writers_get_distinct_accts(d: Dialect) {
    let db = TestDb::with_demo(d, 5);
    let g = db.open().goods_by_code(&demo::good(1).code).unwrap().remove(0).id;
    const WRITERS: usize = 4;
    const EACH: usize = 10;
    let accts: Vec<i32> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|_| {
                s.spawn(|| {
                    let mut wh = db.open();
                    let mut mine = Vec::new();
                    for _ in 0..EACH {
                        let mut doc = sale(&wh, &[(g, 1.0, 1.0)]);
                        doc.allow_negative_stock = true;
                        mine.push(wh.write_document(&doc).expect("concurrent write").acct);
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut sorted = accts.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), WRITERS * EACH, "every document got its own number: {accts:?}");
    assert_eq!(sorted, (1..=(WRITERS * EACH) as i32).collect::<Vec<_>>(), "and no number was skipped");
    let wh = db.open();
    let object = main_object(&wh);
    assert_eq!(wh.balance(object.id, g).unwrap(), demo::good(1).stock_main - (WRITERS * EACH) as f64);
}

fn failure_mid_document_leaves_nothing(d: Dialect) {
    let db = TestDb::with_demo(d, 5);
    let mut wh = db.open();
    let object = main_object(&wh);
    let g1 = wh.goods_by_code(&demo::good(1).code).unwrap().remove(0);
    let g2 = wh.goods_by_code(&demo::good(2).code).unwrap().remove(0);
    let before = (wh.balance(object.id, g1.id).unwrap(), wh.balance(object.id, g2.id).unwrap());
    let counts = |wh: &Warehouse| ["operations", "payments", "nextacct", "store"].map(|t| count(wh, t));
    let counts_before = counts(&wh);

    // Stock of the first line moves, then the second line's note is too long: all must go back.
    let mut doc = sale(&wh, &[(g1.id, 1.0, 2.0), (g2.id, 1.0, 2.0)]);
    doc.lines[1].note = "ж".repeat(256);
    assert!(matches!(wh.write_document(&doc), Err(WarehouseError::TextTooLong { .. })));

    // A failure after the document, in the caller's part of the same transaction.
    let doc = sale(&wh, &[(g1.id, 1.0, 2.0)]);
    let err = wh
        .transaction(|tx| {
            tx.insert_document(&doc)?;
            tx.exec("SELECT * FROM no_such_table", ())
        })
        .unwrap_err();
    assert!(err.to_string().contains("no_such_table"), "{err}");

    assert_eq!(counts(&wh), counts_before, "nothing of either document is left");
    assert_eq!((wh.balance(object.id, g1.id).unwrap(), wh.balance(object.id, g2.id).unwrap()), before);
    // And the next document still gets number 1.
    assert_eq!(wh.write_document(&sale(&wh, &[(g1.id, 1.0, 2.0)])).unwrap().acct, 1);
}

fn negative_stock_is_refused_unless_allowed(d: Dialect) {
    let db = TestDb::with_demo(d, 5);
    let mut wh = db.open();
    let object = main_object(&wh);
    let g = wh.goods_by_code(&demo::good(2).code).unwrap().remove(0);
    let stock = wh.balance(object.id, g.id).unwrap();
    let err = wh.write_document(&sale(&wh, &[(g.id, stock + 1.0, 1.0)])).unwrap_err();
    match &err {
        WarehouseError::InsufficientStock { available, wanted, .. } => {
            assert_eq!(*available, stock);
            assert_eq!(*wanted, stock + 1.0);
        }
        other => panic!("expected InsufficientStock, got {other}"),
    }
    let msg = err.to_string();
    assert!(msg.contains(&g.code) && msg.contains("allow negative stock"), "{msg}");
    assert_eq!(wh.balance(object.id, g.id).unwrap(), stock);
    // Exactly the balance is fine; then one more with negative stock allowed goes below zero.
    wh.write_document(&sale(&wh, &[(g.id, stock, 1.0)])).unwrap();
    assert_eq!(wh.balance(object.id, g.id).unwrap(), 0.0);
    let mut doc = sale(&wh, &[(g.id, 2.0, 1.0)]);
    doc.allow_negative_stock = true;
    wh.write_document(&doc).unwrap();
    assert_eq!(wh.balance(object.id, g.id).unwrap(), -2.0);
    // A good with no balance row at this object at all.
    let id = wh.create_good(&NewGood { code: "NEW".into(), name: "Нова".into(), vat_group_id: 1, ..NewGood::default() }).unwrap();
    assert_eq!(wh.balance(object.id, id).unwrap(), 0.0, "a new good has a zero row in every object");
    assert!(matches!(wh.write_document(&sale(&wh, &[(id, 1.0, 1.0)])), Err(WarehouseError::InsufficientStock { .. })));
}

fn text_too_long_is_an_error_not_a_cut(d: Dialect) {
    let db = TestDb::with_demo(d, 0);
    let wh = db.open();
    let err = wh.create_good(&NewGood { code: "T".into(), name: "я".repeat(256), vat_group_id: 1, ..NewGood::default() }).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("256 characters") && msg.contains("at most 255"), "{msg}");
    assert!(wh.goods_by_code("T").unwrap().is_empty());
}

fn goods_with_available_reads_everything_in_batches(d: Dialect) {
    let db = TestDb::with_demo(d, 250);
    let wh = db.open();
    let object = main_object(&wh);
    let mut batches = 0;
    let mut all = Vec::new();
    wh.for_each_good_with_available(&object, 100, |b| {
        batches += 1;
        all.extend(b);
        Ok(())
    })
    .unwrap();
    assert_eq!(batches, 3);
    assert_eq!(all.len(), 250);
    for (i, s) in all.iter().enumerate() {
        let g = demo::good(i as u64 + 1);
        assert_eq!(s.code, g.code);
        assert_eq!(s.name, g.name);
        assert_eq!(s.barcodes, g.barcodes);
        assert_eq!(s.available, g.stock_main);
        assert_eq!(s.price, g.price_retail, "the object's price group is retail");
    }
}

fn numbering_skips_reserved_numbers(d: Dialect) {
    let db = TestDb::with_demo(d, 3);
    let mut wh = db.open();
    let g = wh.goods_by_code(&demo::good(1).code).unwrap().remove(0);
    // Somebody else (Warehouse Pro itself) reserved S1 and S2 without writing yet.
    let insert = wh.dialect().insert(obmen::warehouse::Table::NextAcct, &["NextAcct"]);
    for key in ["S1", "S2"] {
        wh.exec(&insert, obmen::warehouse::Params::new().text(key).as_slice()).unwrap();
    }
    assert_eq!(wh.write_document(&sale(&wh, &[(g.id, 1.0, 1.0)])).unwrap().acct, 3);
    // Per-object numbering: another object counts from its own maximum (a placeholder row sets it).
    let shop = wh.find_object("Магазин").unwrap().unwrap();
    let place = wh.dialect().insert(obmen::warehouse::Table::Operations, &["OperType", "Acct", "GoodID", "PartnerID", "ObjectID", "Qtty", "Sign"]);
    wh.exec(&place, obmen::warehouse::Params::new().int(2).int(2_000_000).int(0).int(0).int(shop.id).num(0.0).int(0).as_slice()).unwrap();
    let mut doc = sale(&wh, &[(g.id, 1.0, 1.0)]);
    doc.object_id = shop.id;
    doc.allow_negative_stock = true;
    doc.numbering = Numbering::PerObject;
    assert_eq!(wh.write_document(&doc).unwrap().acct, 2_000_001);
}

#[test]
fn access_reads_a_real_mdb_and_refuses_writes() {
    let Ok(path) = std::env::var("OBMEN_TEST_MDB") else {
        panic!("OBMEN_TEST_MDB is not set: `make test` fetches Debian's mrtg-contrib for its Monitor.mdb");
    };
    let connection = format!("Driver=MDBTools;DBQ={path};");
    let mut wh = Warehouse::connect(&connection, Dialect::Access).expect("MDBTools opens the .mdb");
    assert_eq!(wh.table_names().unwrap(), vec!["Monitor_Authenticate".to_owned()]);
    let rows = wh.query("SELECT ID, EMail_Address, Comment FROM Monitor_Authenticate", (), |r| Ok((r.i32(1)?, r.text(2)?, r.text(3)?))).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, 1);
    assert_eq!(rows[0].1, "nobody@sunnyline.co.za");
    assert!(rows[0].2.starts_with("Example Circuit"));
    let err = wh.transaction(|tx| tx.exec("DELETE FROM Monitor_Authenticate", ())).unwrap_err();
    assert!(matches!(err, WarehouseError::ReadOnly { .. }));
    assert!(err.to_string().contains("read-only on this platform"), "{err}");
    assert!(matches!(wh.init(0), Err(WarehouseError::ReadOnly { .. })));
}

#[test]
fn a_wrong_password_is_a_clear_error_without_the_password() {
    let server = crate::support::mysql_server();
    let bad = server.replace("Pwd=obmen-test", "Pwd=wrong-secret-42");
    let err = Warehouse::connect(&bad, Dialect::Mysql).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("cannot connect to the mysql database"), "{msg}");
    assert!(msg.contains("Access denied"), "{msg}");
    assert!(!msg.contains("wrong-secret-42"), "the password leaked: {msg}");
}

/// What a page of orders asks at once (goods by every key, partners by three keys, new goods and
/// partners in multi-row INSERTs) answers exactly what each look-up or insert would alone, whatever
/// the database compares text by: MariaDB's collation finds 'case-a' as 'CASE-A', SQLite's does not.
fn batched_lookups_and_inserts_answer_as_one_at_a_time(d: Dialect) {
    let db = TestDb::with_demo(d, 20);
    let wh = db.open();
    let made = wh
        .transaction(|tx| {
            tx.create_goods(&[
                &NewGood { code: "Case-A".into(), name: "Главни".into(), barcodes: vec!["5550001".into()], vat_group_id: 1, ..NewGood::default() },
                &NewGood {
                    code: "case-a".into(),
                    name: "Малки".into(),
                    barcodes: vec!["5550002".into(), "x".into(), "5550001".into()],
                    vat_group_id: 1,
                    ..NewGood::default()
                },
                &NewGood { code: "Twin".into(), name: "Близнак".into(), vat_group_id: 1, ..NewGood::default() },
                &NewGood { code: "Twin".into(), name: "Близнак".into(), vat_group_id: 1, ..NewGood::default() },
            ])
        })
        .unwrap();
    assert_eq!(made.len(), 4);
    let mut distinct = made.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "each good its own ID: {made:?}");
    for (id, (code, name)) in made.iter().zip([("Case-A", "Главни"), ("case-a", "Малки"), ("Twin", "Близнак"), ("Twin", "Близнак")]) {
        let g = wh.good(*id).unwrap().unwrap();
        assert_eq!((g.code.as_str(), g.name.as_str()), (code, name));
        let rows = wh.scalar_i64(&wh.dialect().sql("SELECT COUNT(*) FROM {store} WHERE {GoodID} = ?"), id).unwrap().unwrap();
        assert_eq!(rows, count(&wh, "objects") - 1, "a zero balance row in every object but the service one");
    }
    let g5 = demo::good(5);
    let queries = vec![
        GoodQuery::Code(g5.code.clone()),
        GoodQuery::Code(demo::good(7).code),
        GoodQuery::Code("case-a".into()),
        GoodQuery::Code("CASE-A".into()),
        GoodQuery::Code(" Twin ".into()),
        GoodQuery::Code("no such code".into()),
        GoodQuery::Code("1".into()),
        GoodQuery::Barcode(g5.barcodes[0].clone()),
        GoodQuery::Barcode(g5.barcodes[1].clone()),
        GoodQuery::Barcode(g5.barcodes[1][1..].to_owned()),
        GoodQuery::Barcode("5550001".into()),
        GoodQuery::Barcode("  ".into()),
        GoodQuery::Name(demo::good(7).name),
        GoodQuery::Name("главни".into()),
        GoodQuery::Id(made[1]),
        GoodQuery::Id(987_654),
    ];
    let alone = |q: &GoodQuery| -> Vec<i32> {
        let found = match q {
            GoodQuery::Id(id) => wh.good(*id).unwrap().into_iter().collect(),
            GoodQuery::Code(c) => wh.goods_by_code(c).unwrap(),
            GoodQuery::Barcode(b) => wh.goods_by_barcode(b).unwrap(),
            GoodQuery::Name(n) => wh.goods_by_name(n).unwrap(),
        };
        let mut ids: Vec<i32> = found.iter().map(|g| g.id).collect();
        ids.sort_unstable();
        ids
    };
    let before = wh.statement_counter().load(std::sync::atomic::Ordering::Relaxed);
    let together = wh.goods_for(&queries).unwrap();
    let spent = wh.statement_counter().load(std::sync::atomic::Ordering::Relaxed) - before;
    assert_eq!(spent, 1, "{} look-ups in one statement", queries.len());
    for q in &queries {
        let ids: Vec<i32> = together[q].iter().map(|g| g.id).collect();
        assert_eq!(ids, alone(q), "{q:?}");
    }
    let case_blind = d == Dialect::Mysql;
    assert_eq!(together[&GoodQuery::Code("CASE-A".into())].len(), if case_blind { 2 } else { 0 }, "the database's own comparison");
    assert_eq!(together[&GoodQuery::Code("case-a".into())].len(), if case_blind { 2 } else { 1 }, "the database's own comparison");
    assert_eq!(together[&GoodQuery::Barcode("5550001".into())].len(), 2, "in BarCode1 and in the BarCode3 list");

    // Partners by all three keys at once, as by each key alone; new partners in one INSERT.
    let company = demo::partner(1);
    let person = demo::partner(2);
    let emails = [company.email.to_uppercase(), person.email.clone(), "nobody@nowhere.bg".into(), String::new()];
    let emails: Vec<&str> = emails.iter().map(String::as_str).collect();
    let vats = [company.vat_number[2..].to_owned(), "BG999".into()];
    let vats: Vec<&str> = vats.iter().map(String::as_str).collect();
    let numbers = [company.company_number.clone()];
    let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
    let ids = |ps: Vec<Partner>| ps.into_iter().map(|p| p.id).collect::<Vec<_>>();
    let before = wh.statement_counter().load(std::sync::atomic::Ordering::Relaxed);
    let (by_email, by_vat, by_number) = wh.partners_by_keys(&emails, &vats, &numbers).unwrap();
    assert_eq!(wh.statement_counter().load(std::sync::atomic::Ordering::Relaxed) - before, 1);
    assert_eq!(ids(by_email), ids(wh.partners_by_emails(&emails).unwrap()));
    assert_eq!(ids(by_vat.clone()), ids(wh.partners_by_vat_numbers(&vats).unwrap()));
    assert_eq!(ids(by_number), ids(wh.partners_by_company_numbers(&numbers).unwrap()));
    assert_eq!(by_vat.len(), 1);
    let new = |name: &str, email: &str| Partner { company: name.into(), email: email.into(), role: PartnerRole::Client, price_group: 1, ..Partner::default() };
    let (a, b, twin) = (new("Анна", "anna@x.bg"), new("Борис", "boris@x.bg"), new("Без имейл", ""));
    let made = wh.transaction(|tx| tx.create_partners(&[&a, &twin, &b, &twin])).unwrap();
    let names: Vec<String> = made.iter().map(|id| wh.partner(*id).unwrap().unwrap().company).collect();
    assert_eq!(names, ["Анна", "Без имейл", "Борис", "Без имейл"]);
    assert_ne!(made[1], made[3], "two rows alike are two partners");
}
