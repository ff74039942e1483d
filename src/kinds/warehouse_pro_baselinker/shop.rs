//! [`BaseLinkerShop`]: a BaseLinker account as the Warehouse Pro core's [`Shop`]. Orders come
//! from the [`feed`](super::feed) and are read by [`order`](super::order); an order booked is
//! told by writing its document number to the account's document field and moving it to the
//! status after import (both after the commit: the core acknowledges only then); one set aside
//! moves to the error status. Goods go to one catalogue with their price in one price group,
//! stock to one of its warehouses. Every wire detail stays in [`crate::baselinker`].

use std::collections::HashMap;
use std::sync::Arc;

use crate::baselinker::client::{NewProduct, PRODUCTS_PAGE, REQUESTS_PER_MINUTE, UPDATE_BATCH};
use crate::baselinker::{BaseLinkerClient, BaseLinkerError};
use crate::config::Lang;
use crate::i18n::Msg;
use crate::kinds::warehouse_pro::shop::{
    Ack, Capabilities, Customer, ExportCustomer, ExportProduct, Identity, Order, Page, Product, Refusal, Shop, StockLevel, Undecodable,
};
use crate::kinds::{Check, FailureKind, RunError};
use crate::warehouse::document::round2;

impl From<BaseLinkerError> for RunError {
    fn from(e: BaseLinkerError) -> Self {
        let kind = match e.last() {
            BaseLinkerError::BadToken { .. } => FailureKind::ShopUnauthorized,
            BaseLinkerError::Unreachable { .. } | BaseLinkerError::Timeout { .. } | BaseLinkerError::Server { .. } | BaseLinkerError::Blocked { .. } => {
                FailureKind::ShopUnreachable
            }
            _ => FailureKind::ShopRefused,
        };
        RunError::Shop { message: e.to_string(), kind }
    }
}

/// What a server uses of its BaseLinker account, by the account's own ids (its settings name
/// them by name or id; they are resolved against the account's lists before a run).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Account {
    /// The catalogue goods go to.
    pub inventory_id: i64,
    /// The catalogue's warehouse stock goes to, as BaseLinker keys it (`bl_401`).
    pub warehouse: String,
    /// The price group prices go to.
    pub price_group: i64,
    /// The statuses whose orders are imported; empty: every confirmed order.
    pub import_statuses: Vec<i64>,
    /// The status an order moves to once booked.
    pub status_after_import: Option<i64>,
    /// The status an order moves to when set aside.
    pub status_on_error: Option<i64>,
    /// The extra field that receives the document number.
    pub document_field: Option<i64>,
}

/// How many products go through one [`Shop::upsert_products`] call: BaseLinker takes them one
/// request each (`addInventoryProduct`), so this only bounds what one call of the core waits for.
pub const UPSERT_BATCH: usize = 100;

/// The catalogue's products, as obmen knows them: by SKU, EAN and name (without case) to their ids.
#[derive(Debug, Default)]
struct Catalogue {
    by_sku: HashMap<String, i64>,
    by_ean: HashMap<String, i64>,
    by_name: HashMap<String, i64>,
}

impl Catalogue {
    fn add(&mut self, id: i64, sku: &str, ean: &str, name: &str) {
        for (map, key) in
            [(&mut self.by_sku, sku.trim().to_owned()), (&mut self.by_ean, ean.trim().to_owned()), (&mut self.by_name, name.trim().to_lowercase())]
        {
            if !key.is_empty() {
                map.entry(key).or_insert(id);
            }
        }
    }

    /// The product a good is, by SKU, then EAN, then name.
    fn find(&self, p: &ExportProduct) -> Option<i64> {
        self.by_sku
            .get(p.sku.trim())
            .or_else(|| p.barcodes.iter().find_map(|b| self.by_ean.get(b.trim())))
            .or_else(|| self.by_name.get(&p.name.trim().to_lowercase()))
            .copied()
    }
}

/// A BaseLinker account, opened for a run or a check.
#[derive(Clone)]
pub struct BaseLinkerShop {
    client: BaseLinkerClient,
    account: Account,
    identity: Identity,
    url: String,
    /// The catalogue, read once a run when first needed.
    catalogue: Arc<tokio::sync::Mutex<Option<Catalogue>>>,
    /// The requests a minute the server's token may use (its pace).
    requests_per_minute: u32,
}

impl std::fmt::Debug for BaseLinkerShop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BaseLinkerShop").field("url", &self.url).field("account", &self.account).finish_non_exhaustive()
    }
}

impl BaseLinkerShop {
    /// The account behind a client, as `identity` names it (its source, service goods and the
    /// price group's currency), using `account`.
    pub fn new(client: BaseLinkerClient, url: &str, identity: Identity, account: Account) -> BaseLinkerShop {
        BaseLinkerShop { client, account, identity, url: url.to_owned(), catalogue: Arc::default(), requests_per_minute: REQUESTS_PER_MINUTE }
    }

    /// The shop paced at the server's `requests_per_minute` (BaseLinker's own limit unless set).
    pub fn paced(mut self, requests_per_minute: u32) -> BaseLinkerShop {
        self.requests_per_minute = requests_per_minute.clamp(1, REQUESTS_PER_MINUTE);
        self
    }

    /// The requests telling BaseLinker of one booked order takes: the document number, the status.
    fn requests_per_ack(&self) -> u32 {
        u32::from(self.account.document_field.is_some()) + u32::from(self.account.status_after_import.is_some())
    }

    fn order_id(id: &str) -> Result<i64, RunError> {
        id.trim()
            .parse()
            .map_err(|_| RunError::Shop { message: Msg::BlNotAnOrderId.with(crate::i18n::current(), &[("id", &id)]), kind: FailureKind::ShopRefused })
    }

    /// Reads the catalogue unless it was read this run.
    async fn catalogue(&self) -> Result<tokio::sync::MutexGuard<'_, Option<Catalogue>>, BaseLinkerError> {
        let mut guard = self.catalogue.lock().await;
        if guard.is_none() {
            let mut c = Catalogue::default();
            for p in self.list_products().await? {
                c.add(p.id, &p.sku, &p.ean, &p.name);
            }
            *guard = Some(c);
        }
        Ok(guard)
    }

    /// Values by SKU sent by product id, [`UPDATE_BATCH`] a call through `send`: a SKU the
    /// catalogue lacks is refused unsent, and a warning is keyed back to its SKU.
    async fn by_product_id<F, Fut>(&self, values: &[(String, f64)], send: F) -> Result<Vec<Refusal>, RunError>
    where
        F: Fn(Vec<(i64, f64)>) -> Fut,
        Fut: std::future::Future<Output = Result<Vec<(String, String)>, BaseLinkerError>>,
    {
        let guard = self.catalogue().await?;
        let catalogue = guard.as_ref().map(|c| &c.by_sku);
        let no_product = Msg::ShopHasNoProduct.get(crate::i18n::current());
        let mut refused = Vec::new();
        let mut known: Vec<(i64, f64)> = Vec::new();
        let mut sku_of: HashMap<String, String> = HashMap::new();
        for (sku, value) in values {
            match catalogue.and_then(|c| c.get(sku.trim())) {
                Some(id) => {
                    known.push((*id, *value));
                    sku_of.insert(id.to_string(), sku.clone());
                }
                None => refused.push(Refusal { key: sku.clone(), reason: no_product.to_owned() }),
            }
        }
        drop(guard);
        for chunk in known.chunks(UPDATE_BATCH) {
            let warnings = send(chunk.to_vec()).await?;
            refused.extend(warnings.into_iter().map(|(id, reason)| Refusal { key: sku_of.get(&id).cloned().unwrap_or(id), reason }));
        }
        Ok(refused)
    }

    async fn list_products(&self) -> Result<Vec<crate::baselinker::client::ListedProduct>, BaseLinkerError> {
        let mut all = Vec::new();
        for page in 1.. {
            let got = self.client.get_inventory_products_list(self.account.inventory_id, page).await?;
            let n = got.len();
            all.extend(got);
            if n < PRODUCTS_PAGE {
                break;
            }
        }
        Ok(all)
    }
}

impl Shop for BaseLinkerShop {
    type WireProduct = NewProduct;
    type WireCustomer = ();

    fn identity(&self) -> &Identity {
        &self.identity
    }

    fn capabilities(&self) -> Capabilities {
        // BaseLinker keeps buyers on orders only: no customer list to read or send.
        Capabilities { customers: false }
    }

    fn upsert_batch(&self) -> usize {
        UPSERT_BATCH
    }

    fn stock_batch(&self) -> usize {
        UPDATE_BATCH
    }

    fn retries(&self) -> u64 {
        self.client.retries()
    }

    fn request_counter(&self) -> Arc<std::sync::atomic::AtomicU64> {
        self.client.request_counter()
    }

    async fn orders(&self, cursor: Option<&str>) -> Result<Page<serde_json::Value>, RunError> {
        Ok(super::feed::page(&self.client, cursor, &self.account.import_statuses).await?)
    }

    fn decode_order(&self, raw: &serde_json::Value) -> Result<Order, Undecodable> {
        super::order::decode(raw, self.account.document_field)
    }

    async fn acknowledge(&self, ack: Ack) -> Result<(), RunError> {
        let id = Self::order_id(&ack.order_id)?;
        // The number first: an order seen in its new status always carries it.
        if let Some(field) = self.account.document_field {
            self.client.set_order_extra_field(id, field, &ack.document_number).await?;
        }
        if let Some(status) = self.account.status_after_import {
            self.client.set_order_status(id, status).await?;
        }
        Ok(())
    }

    fn ack_time(&self, n: usize) -> std::time::Duration {
        // At the token's pace: a minute for each requests_per_minute requests.
        let requests = n as u64 * u64::from(self.requests_per_ack());
        std::time::Duration::from_millis(requests * 60_000 / u64::from(self.requests_per_minute.max(1)))
    }

    async fn set_aside(&self, order_id: &str, _reason: &str) -> Result<(), RunError> {
        if let Some(status) = self.account.status_on_error {
            self.client.set_order_status(Self::order_id(order_id)?, status).await?;
        }
        Ok(())
    }

    async fn all_products(&self) -> Result<Vec<Product>, RunError> {
        let listed = self.list_products().await?;
        Ok(listed
            .into_iter()
            .map(|p| Product {
                sku: p.sku,
                name: p.name,
                barcodes: if p.ean.trim().is_empty() { Vec::new() } else { vec![p.ean] },
                measure: String::new(),
                price: String::new(),
                vat_percent: String::new(),
            })
            .collect())
    }

    async fn products_changed(&self, _cursor: Option<&str>) -> Result<Page<Product>, RunError> {
        // BaseLinker lists no catalogue changes: every product, each time.
        Ok(Page { items: self.all_products().await?, next_cursor: None, has_more: false })
    }

    async fn customers_changed(&self, _cursor: Option<&str>) -> Result<Page<Customer>, RunError> {
        Ok(Page { items: Vec::new(), next_cursor: None, has_more: false })
    }

    fn wire_product(&self, p: &ExportProduct) -> NewProduct {
        NewProduct {
            product_id: None,
            sku: p.sku.clone(),
            ean: p.barcodes.first().cloned().unwrap_or_default(),
            name: p.name.clone(),
            tax_rate: p.vat_percent,
            prices: [(self.account.price_group.to_string(), round2(p.gross_price))].into_iter().collect(),
        }
    }

    fn wire_customer(&self, _customer: &ExportCustomer) {}

    async fn upsert_products(&self, batch: &[ExportProduct]) -> Result<Vec<Refusal>, RunError> {
        let mut guard = self.catalogue().await?;
        let catalogue = guard.get_or_insert_with(Catalogue::default);
        let mut refused = Vec::new();
        for p in batch {
            let mut wire = self.wire_product(p);
            wire.product_id = catalogue.find(p);
            match self.client.add_inventory_product(self.account.inventory_id, &wire).await {
                Ok((id, warnings)) => {
                    catalogue.add(id, &wire.sku, &wire.ean, &wire.name);
                    if !warnings.is_empty() {
                        refused.push(Refusal { key: p.sku.clone(), reason: warnings.join("; ") });
                    }
                }
                Err(e) if e.is_retryable() || matches!(e, BaseLinkerError::BadToken { .. } | BaseLinkerError::GaveUp { .. }) => return Err(e.into()),
                Err(e) => refused.push(Refusal { key: p.sku.clone(), reason: e.to_string() }),
            }
        }
        Ok(refused)
    }

    async fn upsert_customers(&self, _batch: &[ExportCustomer]) -> Result<Vec<Refusal>, RunError> {
        Ok(Vec::new())
    }

    async fn set_stock(&self, batch: &[StockLevel]) -> Result<Vec<Refusal>, RunError> {
        let levels: Vec<(String, f64)> = batch.iter().map(|l| (l.sku.clone(), l.thousandths as f64 / 1000.0)).collect();
        let warehouse = self.account.warehouse.as_str();
        self.by_product_id(&levels, |chunk| async move { self.client.update_inventory_products_stock(self.account.inventory_id, warehouse, &chunk).await })
            .await
    }

    fn prices_apart(&self) -> bool {
        true
    }

    async fn set_prices(&self, batch: &[ExportProduct]) -> Result<Vec<Refusal>, RunError> {
        let levels: Vec<(String, f64)> = batch.iter().map(|p| (p.sku.clone(), round2(p.gross_price))).collect();
        let group = self.account.price_group;
        self.by_product_id(&levels, |chunk| async move { self.client.update_inventory_products_prices(self.account.inventory_id, group, &chunk).await }).await
    }

    async fn check(&self, lang: Lang) -> Vec<Check> {
        let reach = Msg::CheckShopAt.with(lang, &[("url", &self.url)]);
        let token = Msg::BlCheckToken.get(lang).to_owned();
        match self.client.get_inventories().await {
            Ok(inventories) => vec![
                Check::ok(reach, Msg::CheckReachable.get(lang)),
                Check::ok(token, Msg::BlCheckAccepted.with(lang, &[("catalogue", &inventories.first().map(|i| i.name.as_str()).unwrap_or("-"))])),
            ],
            Err(e) => match &e {
                BaseLinkerError::BadToken { .. } => vec![Check::ok(reach, Msg::CheckReachable.get(lang)), Check::failed(token, e.to_string())],
                _ => vec![
                    Check::failed(reach, e.to_string()),
                    Check::failed(token, Msg::CheckNotChecked.with(lang, &[("why", &Msg::CheckShopUnreachable.get(lang))])),
                ],
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::baselinker::sim::{Running, Sim, SimConfig};
    use crate::kinds::warehouse_pro_baselinker::testing::{account, client, identity};
    use crate::warehouse::OperType;

    async fn start(config: SimConfig, account: Account) -> (Sim, BaseLinkerShop, Running) {
        let running = Running::start(config).await.unwrap();
        let shop = BaseLinkerShop::new(client(&running.url, "t", Duration::from_secs(10)), &running.url, identity(), account);
        (running.sim.clone(), shop, running)
    }

    fn product(sku: &str, ean: &str, name: &str, gross: f64) -> ExportProduct {
        ExportProduct { sku: sku.into(), name: name.into(), barcodes: vec![ean.into()], measure: "бр.".into(), gross_price: gross, vat_percent: 20.0 }
    }

    /// A booked order takes its document number in the document field and moves to the status
    /// after import; one set aside moves to the error status; an order of another status is not
    /// imported; an id that is no number is refused, never sent.
    #[tokio::test]
    async fn a_booked_order_is_told_by_its_field_and_status_and_one_set_aside_by_its_status() {
        let (sim, shop, _stop) = start(SimConfig { seed_orders: 5, requests_per_minute: None, ..SimConfig::new("t") }, account()).await;
        let page = shop.orders(None).await.unwrap();
        assert_eq!(page.items.len(), 5, "all in the chosen status");
        let order = shop.decode_order(&page.items[0]).unwrap();
        assert_eq!(order.acknowledged_as, None);
        shop.acknowledge(Ack { order_id: order.id.clone(), document_number: "0000000042".into(), oper_type: OperType::SALE }).await.unwrap();
        let told = sim.order(order.id.parse().unwrap()).unwrap();
        assert_eq!((told["order_status_id"].as_i64(), told["custom_extra_fields"]["501"].as_str()), (Some(1002), Some("0000000042")));
        assert_eq!(shop.decode_order(&told).unwrap().acknowledged_as.as_deref(), Some("0000000042"), "read again, it is known as booked");
        shop.set_aside(&page.items[1]["order_id"].to_string(), "why").await.unwrap();
        assert_eq!(sim.order(page.items[1]["order_id"].as_i64().unwrap()).unwrap()["order_status_id"], 1003);
        // Moved out of the chosen status, an order is passed over from the start.
        let again = shop.orders(None).await.unwrap();
        assert_eq!(again.items.len(), 3, "{:?}", again.items.iter().map(|o| &o["order_id"]).collect::<Vec<_>>());
        let e = shop.acknowledge(Ack { order_id: "SH-1".into(), document_number: "1".into(), oper_type: OperType::SALE }).await.unwrap_err();
        assert!(e.to_string().contains("'SH-1'"), "{e}");
        // Without a field or statuses, telling does nothing.
        let quiet = Account { status_after_import: None, status_on_error: None, document_field: None, import_statuses: vec![], ..account() };
        let (sim, shop, _stop2) = start(SimConfig { seed_orders: 1, requests_per_minute: None, ..SimConfig::new("t") }, quiet).await;
        let before = sim.stats().requests;
        shop.acknowledge(Ack { order_id: "5000001".into(), document_number: "7".into(), oper_type: OperType::SALE }).await.unwrap();
        shop.set_aside("5000001", "why").await.unwrap();
        assert_eq!(sim.stats().requests, before, "no request");
    }

    /// Goods go to the catalogue: new ones added, existing ones (by SKU, EAN or name) updated in
    /// place, never twice; the price in the server's price group; warnings as refusals. Stock goes
    /// to the warehouse by product id, a SKU the catalogue lacks refused.
    #[tokio::test]
    async fn goods_link_by_sku_ean_or_name_and_stock_goes_by_product_id() {
        let (sim, shop, _stop) = start(SimConfig { requests_per_minute: None, ..SimConfig::new("t") }, account()).await;
        let refused = shop.upsert_products(&[product("A-1", "3800000000011", "Кафе", 12.5), product("A-2", "3800000000028", "Чай", 4.0)]).await.unwrap();
        assert!(refused.is_empty(), "{refused:?}");
        assert_eq!(sim.products().len(), 2);
        // A fresh run (its own catalogue read): the same goods under another SKU, found by EAN, and by name.
        let (client, url, identity) = (shop.client.clone(), shop.url.clone(), shop.identity.clone());
        let again = BaseLinkerShop::new(client.clone(), &url, identity.clone(), account());
        let refused = again.upsert_products(&[product("B-1", "3800000000011", "Кафе", 13.0), product("B-2", "", "чай", 4.5)]).await.unwrap();
        assert!(refused.is_empty(), "{refused:?}");
        let products = sim.products();
        assert_eq!(products.len(), 2, "linked, not added: {products:?}");
        let coffee = products.iter().find(|p| p["ean"] == "3800000000011").unwrap();
        assert_eq!((coffee["sku"].as_str(), coffee["prices"]["106"].as_f64()), (Some("B-1"), Some(13.0)));
        // A price group the account lacks: the product goes, with a warning as its refusal.
        let odd = BaseLinkerShop::new(client.clone(), &url, identity.clone(), Account { price_group: 999, ..account() });
        let refused = odd.upsert_products(&[product("C-1", "", "Мед", 9.0)]).await.unwrap();
        assert_eq!(refused.len(), 1);
        assert!(refused[0].key == "C-1" && refused[0].reason.contains("999"), "{refused:?}");
        // Stock by product id; a SKU the catalogue lacks refused; a warning keyed back to its SKU.
        let stock = BaseLinkerShop::new(client.clone(), &url, identity.clone(), account());
        let levels = [StockLevel { sku: "B-1".into(), thousandths: 7_500 }, StockLevel { sku: "NONE".into(), thousandths: 1_000 }];
        let refused = stock.set_stock(&levels).await.unwrap();
        assert_eq!(refused.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["NONE"]);
        let coffee = sim.products().into_iter().find(|p| p["sku"] == "B-1").unwrap();
        assert_eq!(coffee["stock"]["bl_401"].as_f64(), Some(7.5));
        let wrong = BaseLinkerShop::new(client, &url, identity, Account { warehouse: "bl_9".into(), ..account() });
        let refused = wrong.set_stock(&levels[..1]).await.unwrap();
        assert_eq!(refused.len(), 1);
        assert!(refused[0].key == "B-1" && refused[0].reason.contains("bl_9"), "{refused:?}");
    }

    /// Telling BaseLinker of booked orders takes the token's pace: two requests each (number and
    /// status), a minute for each hundred at 100 a minute; none where nothing is told.
    #[test]
    fn acknowledgements_are_given_the_time_the_tokens_pace_needs() {
        let c = client("http://127.0.0.1:9/connector.php", "t", Duration::from_secs(1));
        let shop = BaseLinkerShop::new(c.clone(), "http://127.0.0.1:9", identity(), account());
        assert_eq!(shop.ack_time(50), Duration::from_secs(60));
        assert_eq!(shop.clone().paced(50).ack_time(50), Duration::from_secs(120));
        assert_eq!(shop.clone().paced(1_000).ack_time(50), Duration::from_secs(60), "never faster than BaseLinker's limit");
        let quiet = Account { status_after_import: None, document_field: None, ..account() };
        assert_eq!(BaseLinkerShop::new(c, "http://127.0.0.1:9", identity(), quiet).ack_time(50), Duration::ZERO);
    }

    /// The checks: reachable and the token accepted, or which of the two failed.
    #[tokio::test]
    async fn the_checks_say_whether_baselinker_answers_and_takes_the_token() {
        let (_sim, shop, _stop) = start(SimConfig { requests_per_minute: None, ..SimConfig::new("t") }, account()).await;
        let checks = shop.check(Lang::En).await;
        assert!(checks.iter().all(|c| c.ok), "{checks:?}");
        let bad = BaseLinkerShop::new(client(&shop.url, "wrong", Duration::from_secs(5)), &shop.url, identity(), account());
        let checks = bad.check(Lang::En).await;
        assert_eq!(checks.iter().map(|c| c.ok).collect::<Vec<_>>(), [true, false], "{checks:?}");
        let gone = BaseLinkerShop::new(client("http://127.0.0.1:9/connector.php", "t", Duration::from_secs(2)), "http://127.0.0.1:9", identity(), account());
        let checks = gone.check(Lang::En).await;
        assert_eq!(checks.iter().map(|c| c.ok).collect::<Vec<_>>(), [false, false], "{checks:?}");
    }
}
