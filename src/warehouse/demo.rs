//! Deterministic demo nomenclature: goods with Cyrillic names, codes and EAN-13 barcodes,
//! companies and persons. The same index always gives the same record, so the Shopiko simulator
//! can seed products whose codes match `obmen warehouse init --demo-data N` goods.

/// A demo good.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoGood {
    /// Code: "100001" for index 1.
    pub code: String,
    /// A Cyrillic name, unique among the demo goods.
    pub name: String,
    /// A valid EAN-13 with the Bulgarian prefix 380; every fifth good has a second one in the
    /// BarCode3 list position.
    pub barcodes: Vec<String>,
    /// Base measure.
    pub measure: &'static str,
    /// Purchase price.
    pub price_in: f64,
    /// Wholesale price (PriceOut1).
    pub price_wholesale: f64,
    /// Retail price with VAT excluded (PriceOut2).
    pub price_retail: f64,
    /// VAT group ID (1: 20%, 2: 9%).
    pub vat_group_id: i32,
    /// Starting stock at the first demo object ("Централен Склад").
    pub stock_main: f64,
    /// Starting stock at the second demo object ("Магазин").
    pub stock_shop: f64,
}

/// A demo partner.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPartner {
    /// Code: "P0001" for index 1.
    pub code: String,
    /// Company or person name.
    pub name: String,
    /// Contact person.
    pub contact: String,
    /// True for a company.
    pub is_company: bool,
    /// E-mail (ASCII).
    pub email: String,
    /// Phone.
    pub phone: String,
    /// City.
    pub city: &'static str,
    /// Street address.
    pub address: String,
    /// VAT number ("BG" + 9 digits) for companies, empty for persons.
    pub vat_number: String,
    /// Company number (9 digits) for companies, empty for persons.
    pub company_number: String,
}

const PRODUCTS: &[(&str, &str, &str)] = &[
    ("Кафе", "Арабика", "пак."),
    ("Чай", "билков", "кут."),
    ("Шоколад", "млечен", "бр."),
    ("Мед", "липов", "бр."),
    ("Олио", "слънчогледово", "бут."),
    ("Брашно", "пшенично", "кг"),
    ("Захар", "кафява", "кг"),
    ("Ориз", "жасмин", "кг"),
    ("Сирене", "краве", "кг"),
    ("Кашкавал", "Витоша", "кг"),
    ("Вино", "Мавруд", "бут."),
    ("Бира", "светла", "бут."),
    ("Вода", "минерална", "бут."),
    ("Сок", "ябълков", "бут."),
    ("Паста", "пълнозърнеста", "пак."),
    ("Лютеница", "домашна", "бур."),
    ("Кисело мляко", "3,6%", "бр."),
    ("Сапун", "с лавандула", "бр."),
    ("Шампоан", "с розово масло", "бут."),
    ("Свещ", "ароматна", "бр."),
];

const SIZES: &[&str] = &["100 г", "250 г", "500 г", "1 кг", "330 мл", "750 мл", "1 л", "2 л"];

const FIRST_NAMES: &[(&str, &str)] = &[
    ("Иван", "ivan"),
    ("Мария", "maria"),
    ("Георги", "georgi"),
    ("Елена", "elena"),
    ("Петър", "petar"),
    ("Десислава", "desislava"),
    ("Николай", "nikolay"),
    ("Йорданка", "yordanka"),
    ("Димитър", "dimitar"),
    ("Радостина", "radostina"),
];
const LAST_NAMES: &[(&str, &str)] = &[
    ("Петров", "petrov"),
    ("Иванов", "ivanov"),
    ("Георгиев", "georgiev"),
    ("Димитров", "dimitrov"),
    ("Стоянов", "stoyanov"),
    ("Николов", "nikolov"),
    ("Тодоров", "todorov"),
    ("Колев", "kolev"),
];
const COMPANY_WORDS: &[(&str, &str)] = &[
    ("Алфа", "alfa"),
    ("Бета", "beta"),
    ("Родопи", "rodopi"),
    ("Пирин", "pirin"),
    ("Дунав", "dunav"),
    ("Тракия", "trakia"),
    ("Балкан", "balkan"),
    ("Странджа", "strandzha"),
    ("Витоша", "vitosha"),
    ("Марица", "maritsa"),
];
const COMPANY_KINDS: &[&str] = &["Трейд ЕООД", "Търговия ООД", "Маркет ЕООД", "Груп АД", "Фууд ООД"];
const CITIES: &[&str] = &["София", "Пловдив", "Варна", "Бургас", "Русе", "Стара Загора", "Велико Търново", "Благоевград"];
const STREETS: &[&str] = &["ул. Витоша", "бул. Христо Ботев", "ул. Шипка", "бул. Цар Освободител", "ул. Раковски"];

/// A small, fast, deterministic mixer (SplitMix64), so demo data needs no random crate.
pub fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The check digit that completes a 12-digit EAN-13 body.
pub fn ean13_check_digit(body: &str) -> u32 {
    let sum: u32 = body.chars().filter_map(|c| c.to_digit(10)).enumerate().map(|(i, d)| if i % 2 == 0 { d } else { d * 3 }).sum();
    (10 - sum % 10) % 10
}

fn ean13(n: u64) -> String {
    let body = format!("380{:09}", n % 1_000_000_000);
    let check = ean13_check_digit(&body);
    format!("{body}{check}")
}

/// Demo good number `i` (from 1).
pub fn good(i: u64) -> DemoGood {
    let r = mix(i);
    let (noun, adj, measure) = PRODUCTS[(i as usize - 1) % PRODUCTS.len()];
    let size = SIZES[((i as usize - 1) / PRODUCTS.len()) % SIZES.len()];
    let round = (i - 1) / (PRODUCTS.len() * SIZES.len()) as u64;
    let name = if round == 0 { format!("{noun} {adj} {size}") } else { format!("{noun} {adj} {size} №{}", round + 1) };
    let price_in = 0.5 + (r % 4000) as f64 / 100.0;
    let retail = (price_in * 1.35 * 100.0).round() / 100.0;
    let mut barcodes = vec![ean13(i)];
    if i.is_multiple_of(5) {
        barcodes.push(ean13(500_000_000 + i));
    }
    DemoGood {
        code: format!("{}", 100_000 + i),
        name,
        barcodes,
        measure,
        price_in,
        price_wholesale: (price_in * 1.15 * 100.0).round() / 100.0,
        price_retail: retail,
        vat_group_id: if i.is_multiple_of(7) { 2 } else { 1 },
        stock_main: (20 + (r >> 16) % 480) as f64,
        stock_shop: ((r >> 32) % 60) as f64,
    }
}

/// Demo partner number `i` (from 1): odd ones are companies, even ones persons.
pub fn partner(i: u64) -> DemoPartner {
    let r = mix(i ^ 0x5EED);
    let city = CITIES[(r % CITIES.len() as u64) as usize];
    let street = STREETS[((r >> 8) % STREETS.len() as u64) as usize];
    let (first, first_l) = FIRST_NAMES[((r >> 16) % FIRST_NAMES.len() as u64) as usize];
    let (last, last_l) = LAST_NAMES[((r >> 24) % LAST_NAMES.len() as u64) as usize];
    let contact = format!("{first} {last}");
    let phone = format!("+359 88{:07}", (r >> 32) % 10_000_000);
    let address = format!("{street} {}", 1 + (r >> 40) % 150);
    if i % 2 == 1 {
        let (word, word_l) = COMPANY_WORDS[((r >> 4) % COMPANY_WORDS.len() as u64) as usize];
        let kind = COMPANY_KINDS[((r >> 12) % COMPANY_KINDS.len() as u64) as usize];
        let number = format!("{:09}", 100_000_000 + i * 7919 % 899_999_999);
        DemoPartner {
            code: format!("P{i:04}"),
            name: format!("{word} {kind} {i}"),
            contact,
            is_company: true,
            email: format!("office{i}@{word_l}-{i}.bg"),
            phone,
            city,
            address,
            vat_number: format!("BG{number}"),
            company_number: number,
        }
    } else {
        DemoPartner {
            code: format!("P{i:04}"),
            name: contact.clone(),
            contact,
            is_company: false,
            email: format!("{first_l}.{last_l}{i}@example.bg"),
            phone,
            city,
            address,
            vat_number: String::new(),
            company_number: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ean13_check_digits_are_right() {
        // A published EAN-13: 4006381333931.
        assert_eq!(ean13_check_digit("400638133393"), 1);
        let b = good(1).barcodes[0].clone();
        assert_eq!(b.len(), 13);
        let (body, check) = b.split_at(12);
        assert_eq!(ean13_check_digit(body), check.parse::<u32>().unwrap());
    }

    #[test]
    fn goods_are_stable_unique_and_cyrillic() {
        assert_eq!(good(7), good(7));
        let names: std::collections::HashSet<_> = (1..=2000).map(|i| good(i).name).collect();
        assert_eq!(names.len(), 2000);
        assert!(good(1).name.starts_with("Кафе"));
        assert_eq!(good(1).code, "100001");
    }

    #[test]
    fn partners_alternate_company_and_person() {
        assert!(partner(1).is_company);
        assert!(partner(1).vat_number.starts_with("BG"));
        assert!(!partner(2).is_company);
        assert!(partner(2).vat_number.is_empty());
        assert!(partner(2).email.is_ascii());
    }
}
