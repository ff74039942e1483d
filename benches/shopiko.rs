//! `make bench`, Shopiko part: upsert 100,000 products and set 100,000 stock levels against the
//! simulator over HTTP on loopback, through obmen's client (signed requests, batches of 500
//! products and 1,000 stock levels). Prints requests, seconds and items/s for each.
//!
//! OBMEN_BENCH_PRODUCTS changes the count.

// A benchmark stops at a broken set-up: unwrap and expect are its way of saying so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use obmen::secret::Secret;
use obmen::shopiko::model::{Product, StockLevel};
use obmen::shopiko::sim::{Sim, SimConfig};
use obmen::shopiko::{ClientConfig, RetryPolicy, ShopikoClient};
use obmen::warehouse::demo;

fn main() {
    let count: usize = std::env::var("OBMEN_BENCH_PRODUCTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let sim = Sim::new(SimConfig::new("bench", "bench-key")).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(sim.clone().serve(listener, async move {
            let _ = stopped.await;
        }));
        let client = ShopikoClient::new(ClientConfig {
            url: format!("http://{addr}/api"),
            api_id: "bench".into(),
            key: Secret::new("bench-key"),
            retry: RetryPolicy { budget: Duration::from_secs(120), ..RetryPolicy::default() },
        })
        .unwrap();

        let products: Vec<Product> = (1..=count as u64)
            .map(|i| {
                let g = demo::good(i);
                Product {
                    sku: g.code,
                    name: g.name,
                    barcodes: g.barcodes,
                    measure: g.measure.to_owned(),
                    price: format!("{:.2}", g.price_retail * 1.2),
                    vat_percent: "20".into(),
                    active: true,
                    updated_at: None,
                }
            })
            .collect();
        let levels: Vec<StockLevel> =
            (1..=count as u64).map(|i| StockLevel { sku: demo::good(i).code, quantity: format!("{:.3}", demo::good(i).stock_main) }).collect();

        let requests = |sim: &Sim| sim.stats().requests_by_status.values().sum::<u64>();
        let before = requests(&sim);
        let t = Instant::now();
        let up = client.upsert_products(&products).await.unwrap();
        let up_secs = t.elapsed().as_secs_f64();
        let up_requests = requests(&sim) - before;
        assert_eq!(up.created as usize, count);

        let before = requests(&sim);
        let t = Instant::now();
        let st = client.set_stock(&levels).await.unwrap();
        let st_secs = t.elapsed().as_secs_f64();
        let st_requests = requests(&sim) - before;
        assert_eq!(st.updated as usize, count);

        println!("## Shopiko simulator over HTTP on loopback: {count} products");
        println!();
        println!("| call | requests | seconds | items/s |");
        println!("|---|---|---|---|");
        println!("| upsert products (batches of 500) | {up_requests} | {up_secs:.2} | {:.0} |", count as f64 / up_secs);
        println!("| set stock levels (batches of 1000) | {st_requests} | {st_secs:.2} | {:.0} |", count as f64 / st_secs);
        println!();
        println!("No target: these figures measure obmen's side (serialising, signing, HTTP) and the simulator together; a real shop's own processing dominates in the field.");
        println!();
        let _ = stop.send(());
    });
}
