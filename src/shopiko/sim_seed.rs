//! The simulator's seed: products from the demo goods, customers of every sort (companies
//! matching Warehouse Pro's demo partners, new companies, persons, guests), and orders of every
//! kind the contract allows, made the same way from the same seed each time.

use super::*;

pub(super) fn money(v: f64) -> String {
    format!("{:.2}", (v * 100.0).round() / 100.0)
}

pub(super) fn seed_products(d: &mut Data, n: usize) {
    for i in 1..=n as u64 {
        let g = demo::good(i);
        let vat = if g.vat_group_id == 2 { 9.0 } else { 20.0 };
        d.seq += 1;
        let p = Product {
            sku: g.code.clone(),
            name: g.name,
            barcodes: g.barcodes,
            measure: g.measure.to_owned(),
            price: money(g.price_retail * (1.0 + vat / 100.0)),
            vat_percent: format!("{vat}"),
            active: true,
            updated_at: Some("2026-11-01T08:00:00Z".into()),
        };
        d.stock.insert(g.code.clone(), g.stock_main);
        d.products.insert(g.code, (d.seq, p));
    }
}

pub(super) fn address(name: &str, line1: &str, city: &str) -> Address {
    Address { name: name.into(), line1: line1.into(), line2: String::new(), city: city.into(), postcode: "1000".into(), country: "BG".into() }
}

/// The customer of order number `i`: existing Warehouse Pro partners (matched by e-mail or VAT
/// number), new companies and persons, and guests.
pub(super) fn seed_customer(i: u64) -> Customer {
    match i % 5 {
        1 | 2 => {
            // Demo partners 1..=10 exist in every demo warehouse: odd ones are companies.
            let p = demo::partner(1 + (i / 5) % 10);
            let (first, last) = p.contact.split_once(' ').unwrap_or((&p.contact, ""));
            Customer {
                kind: if p.is_company { CustomerType::Company } else { CustomerType::Person },
                id: Some(format!("C-{}", 1 + (i / 5) % 10)),
                external_id: None,
                email: p.email.clone(),
                phone: p.phone.clone(),
                first_name: first.into(),
                last_name: last.into(),
                company_name: if p.is_company { p.name.clone() } else { String::new() },
                vat_number: p.vat_number.clone(),
                company_number: p.company_number.clone(),
                billing_address: Some(address(&p.name, &p.address, p.city)),
                delivery_address: Some(address(&p.contact, &p.address, p.city)),
            }
        }
        3 => Customer {
            kind: CustomerType::Company,
            id: Some(format!("C-N{i}")),
            external_id: None,
            email: format!("zakupki{i}@nova-firma.bg"),
            phone: format!("+359 2 98{:05}", i % 100_000),
            first_name: "Стефан".into(),
            last_name: "Радев".into(),
            company_name: format!("Нова Фирма {i} ООД"),
            vat_number: format!("BG2{:08}", i),
            company_number: format!("2{:08}", i),
            billing_address: Some(address(&format!("Нова Фирма {i} ООД"), "бул. България 51", "София")),
            delivery_address: Some(address("Стефан Радев", "бул. България 51", "София")),
        },
        4 => Customer {
            kind: CustomerType::Person,
            id: Some(format!("C-P{i}")),
            external_id: None,
            email: format!("klient{i}@poshta.bg"),
            phone: format!("+359 89{:07}", i % 10_000_000),
            first_name: "Радка".into(),
            last_name: format!("Маринова-{i}"),
            company_name: String::new(),
            vat_number: String::new(),
            company_number: String::new(),
            billing_address: Some(address(&format!("Радка Маринова-{i}"), "ул. Оборище 8", "Пловдив")),
            delivery_address: Some(address(&format!("Радка Маринова-{i}"), "ул. Оборище 8", "Пловдив")),
        },
        _ => Customer {
            kind: CustomerType::Guest,
            id: None,
            external_id: None,
            email: if i.is_multiple_of(2) { format!("gost{i}@abv.bg") } else { String::new() },
            phone: "+359 87 555 0101".into(),
            first_name: "Гост".into(),
            last_name: format!("Купувач {i}"),
            company_name: String::new(),
            vat_number: String::new(),
            company_number: String::new(),
            billing_address: None,
            delivery_address: Some(address(&format!("Гост Купувач {i}"), "ул. Цар Симеон 3", "Варна")),
        },
    }
}

/// Places `n` orders over the first `products` demo goods.
pub(super) fn add_orders(d: &mut Data, n: usize, products: usize, rng: &mut fastrand::Rng) {
    for _ in 0..n {
        d.orders_made += 1;
        let i = d.orders_made;
        let line_count = 1 + rng.usize(0..4);
        let mut lines = Vec::new();
        let mut lines_total = 0.0;
        let mut used = Vec::new();
        for l in 0..line_count {
            let mut k = 1 + rng.u64(0..products as u64);
            while used.contains(&k) && used.len() < products {
                k = 1 + k % products as u64;
            }
            used.push(k);
            let g = demo::good(k);
            let vat = if g.vat_group_id == 2 { 9.0 } else { 20.0 };
            let unit = (g.price_retail * (1.0 + vat / 100.0) * 100.0).round() / 100.0;
            let qty = 1 + rng.u64(0..3);
            let disc = if (i + l as u64).is_multiple_of(4) { 10.0 } else { 0.0 };
            lines_total += qty as f64 * unit * (1.0 - disc / 100.0);
            lines.push(OrderLine {
                line_id: (l + 1).to_string(),
                sku: g.code,
                name: g.name,
                quantity: qty.to_string(),
                unit_price: money(unit),
                discount_percent: format!("{disc}"),
                vat_percent: format!("{vat}"),
            });
        }
        let lines_total = (lines_total * 100.0).round() / 100.0;
        let mut discounts = Vec::new();
        if i.is_multiple_of(7) && lines_total > 15.0 {
            discounts.push(Discount {
                kind: DiscountKind::Voucher, code: format!("GIFT-{i}"), amount: "5.00".into(), description: "Ваучер за подарък".into()
            });
        }
        if i.is_multiple_of(11) {
            discounts.push(Discount {
                kind: DiscountKind::PromoCode,
                code: "ZIMA10".into(),
                amount: money(lines_total * 0.10),
                description: "Промо код ZIMA10: 10% отстъпка".into(),
            });
        }
        let discount_total: f64 = discounts.iter().map(|d| d.amount.parse::<f64>().unwrap_or(0.0)).sum();
        let shipping = match i % 3 {
            0 => None,
            1 => Some(Shipping { method: "Еконт до офис".into(), price: "5.99".into(), vat_percent: "20".into() }),
            _ => Some(Shipping { method: "Спиди до адрес".into(), price: "6.90".into(), vat_percent: "20".into() }),
        };
        let shipping_total = shipping.as_ref().map(|s| s.price.parse::<f64>().unwrap_or(0.0)).unwrap_or(0.0);
        let total = ((lines_total - discount_total + shipping_total) * 100.0).round() / 100.0;
        let (method, paid) = match i % 4 {
            0 => (PaymentMethod::CashOnDelivery, false),
            1 => (PaymentMethod::Card, true),
            2 => (PaymentMethod::BankTransfer, i % 8 == 2),
            _ => (PaymentMethod::Card, true),
        };
        d.seq += 1;
        let created = chrono::DateTime::from_timestamp(1_793_500_000 + i as i64 * 1_020, 0).unwrap_or_default();
        let order = Order {
            id: format!("{}", 100_000 + i),
            number: format!("SH-{}", 100_000 + i),
            created_at: created.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            currency: "EUR".into(),
            customer: seed_customer(i),
            lines,
            discounts,
            shipping,
            payment: Payment {
                method,
                paid,
                paid_amount: if paid { money(total) } else { "0.00".into() },
                transaction_id: if paid { format!("TX-{}", 880_000 + i) } else { String::new() },
            },
            totals: Totals { lines: money(lines_total), discounts: money(discount_total), shipping: money(shipping_total), total: money(total) },
            acknowledged: None,
        };
        if order.customer.kind != CustomerType::Guest {
            let key = customer_key(&order.customer);
            let seq = d.seq;
            d.customers.entry(key).or_insert((seq, Customer { billing_address: None, delivery_address: None, ..order.customer.clone() }));
        }
        d.orders.insert(d.seq, order);
    }
}
