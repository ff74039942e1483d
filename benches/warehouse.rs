//! `make bench`, Warehouse Pro part: reading 100,000 goods with their available quantities at an
//! object from MariaDB, through obmen's warehouse layer and through a bare odbc-api SELECT of the
//! same statement into the same bound buffers, in one run. The ratio (obmen / bare) is the figure:
//! it shows what the layer costs over ODBC itself. Target: at most 1.2.
//!
//! Runs beside the throwaway MariaDB of scripts/with-mariadb.sh (OBMEN_TEST_MYSQL). Set
//! OBMEN_BENCH_GOODS to change the count.

// A benchmark stops at a broken set-up: unwrap and expect are its way of saying so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use obmen::warehouse::{goods, Dialect, NewDocument, NewLine, Numbering, OperType, Params, Warehouse};
use odbc_api::buffers::{BufferDesc, ColumnarDynBuffer};
use odbc_api::Cursor;

const ROUNDS: usize = 7;
const BATCH: usize = 5000;

fn main() {
    let server = std::env::var("OBMEN_TEST_MYSQL").expect("OBMEN_TEST_MYSQL is not set: run `make bench`");
    let count: usize = std::env::var("OBMEN_BENCH_GOODS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let name = format!("obmen_bench_{}", std::process::id());
    let admin = Warehouse::connect(&server, Dialect::Mysql).expect("connect");
    admin.exec(&format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"), ()).unwrap();
    let connection = format!("{server}Database={name};");

    let started = Instant::now();
    let mut wh = Warehouse::connect(&connection, Dialect::Mysql).unwrap();
    let report = wh.init(count).expect("init");
    let init_secs = started.elapsed().as_secs_f64();
    let object = wh.find_object("Централен Склад").unwrap().unwrap();
    // Open sales orders, so that the available quantity is more than the balance.
    let orders = 200;
    for i in 0..orders {
        let good_id = 2 + (i * 37 % count) as i32;
        let doc = NewDocument {
            oper_type: OperType::SALES_ORDER,
            object_id: object.id,
            partner_id: 2,
            user_id: 1,
            date: chrono::Local::now().naive_local(),
            lines: vec![NewLine { good_id, qtty: 1.0, price: 1.0, vat: 0.2, discount: 0.0, price_in: 0.5, moves_stock: true, note: String::new() }],
            due: None,
            paid: vec![],
            currency_id: 1,
            currency_rate: 1.0,
            allow_negative_stock: false,
            numbering: Numbering::Global,
        };
        wh.write_document(&doc).unwrap();
    }

    let sql = goods::goods_with_available_sql(Dialect::Mysql, goods::price_column(object.price_group));
    let mut obmen_times = Vec::new();
    let mut bare_times = Vec::new();
    let mut checks = (0.0, 0.0);
    // Warm both paths once, then alternate so that drift on a shared machine hits both alike.
    for round in 0..=ROUNDS {
        let t = Instant::now();
        let mut n = 0;
        let mut sum = 0.0;
        wh.for_each_good_with_available(&object, BATCH, |batch| {
            n += batch.len();
            sum += batch.iter().map(|g| g.available).sum::<f64>();
            Ok(())
        })
        .unwrap();
        let obmen_elapsed = t.elapsed();
        assert_eq!(n, count);

        let t = Instant::now();
        let (bn, bsum) = bare_read(&wh, &sql, object.id);
        let bare_elapsed = t.elapsed();
        assert_eq!(bn, count);
        if round > 0 {
            obmen_times.push(obmen_elapsed);
            bare_times.push(bare_elapsed);
        }
        checks = (sum, bsum);
    }
    assert!((checks.0 - checks.1).abs() < 1e-6, "both paths read the same quantities");

    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64()
    };
    let (o, b) = (median(&mut obmen_times), median(&mut bare_times));
    println!("## Warehouse Pro on MariaDB: {count} goods with available quantities (median of {ROUNDS} rounds, batches of {BATCH})");
    println!();
    println!("| path | seconds | goods/s |");
    println!("|---|---|---|");
    println!("| obmen warehouse layer (`for_each_good_with_available`) | {o:.3} | {:.0} |", count as f64 / o);
    println!("| bare odbc-api SELECT, same statement and buffers | {b:.3} | {:.0} |", count as f64 / b);
    println!();
    println!("ratio obmen / bare: **{:.2}**. Target: at most 1.2: {}.", o / b, if o / b <= 1.2 { "met" } else { "NOT met" });
    println!();
    println!(
        "set-up: `warehouse init --demo-data {count}` wrote {} goods, {} store rows and {} partners in {init_secs:.1} s; {orders} open sales orders",
        report.goods, report.store_rows, report.partners
    );
    admin.exec(&format!("DROP DATABASE `{name}`"), ()).unwrap();
}

/// The same statement through odbc-api alone: bound buffers, rows counted and quantities summed,
/// nothing converted.
fn bare_read(wh: &Warehouse, sql: &str, object_id: i32) -> (usize, f64) {
    let params = Params::new().int(object_id).int(object_id).int(object_id).int(1);
    let cursor = wh.connection().execute(sql, params.as_slice(), None).unwrap().unwrap();
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
    let buffer = ColumnarDynBuffer::try_from_descs(BATCH, descs).unwrap();
    let mut cursor = cursor.bind_buffer(buffer).unwrap();
    let mut n = 0;
    let mut sum = 0.0;
    while let Some(rows) = cursor.fetch_with_truncation_check(true).unwrap() {
        n += rows.num_rows();
        let avail = rows.column(9).as_nullable_slice::<f64>().unwrap();
        sum += avail.map(|a| a.copied().unwrap_or(0.0)).sum::<f64>();
    }
    (n, sum)
}
