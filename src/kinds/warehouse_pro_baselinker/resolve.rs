//! A server's account settings, written by name or id, found in the account's own lists: the
//! catalogue, its warehouse and price group (with the price group's currency), the order statuses
//! and the document field. What cannot be found is a configuration error naming the field and
//! the names the account does have: nothing is booked for an account obmen cannot tell apart
//! from a mistyped one. The lists are read once per run (three to five requests of the token's
//! budget); the choices a UI offers are the same lists ([`choices`]).

use crate::baselinker::client::{ExtraField, Inventory, InventoryWarehouse, OrderStatus, PriceGroup};
use crate::baselinker::BaseLinkerClient;
use crate::config::view::Choice;
use crate::config::ConfigError;
use crate::i18n::{current, Msg};
use crate::kinds::RunError;

use super::settings::Server;
use super::shop::Account;

/// An account's settings as ids, and what the server's goods are priced in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resolved {
    /// The ids.
    pub account: Account,
    /// The price group's currency (ISO code).
    pub currency: String,
    /// The catalogue's name, as the checks say it.
    pub catalogue: String,
}

/// One of the account's lists, as names and ids.
struct Named<'a> {
    /// What the list holds, as a person calls it.
    what: Msg,
    /// The field of the server file that names one.
    field: &'a str,
    /// (id as written in a file, name), in the account's order.
    items: Vec<(String, String)>,
}

impl Named<'_> {
    /// The id of the item `written` names: its id, else its name (without case); an error naming
    /// the field and the names there are.
    fn find(&self, server: &Server, written: &str) -> Result<String, RunError> {
        let w = written.trim();
        let lower = w.to_lowercase();
        self.items
            .iter()
            .find(|(id, _)| id == w)
            .or_else(|| self.items.iter().find(|(_, name)| name.trim().to_lowercase() == lower))
            .map(|(id, _)| id.clone())
            .ok_or_else(|| {
                let names = self.items.iter().map(|(id, name)| format!("'{name}' ({id})")).collect::<Vec<_>>().join(", ");
                let message = Msg::BlNotInAccount.with(current(), &[("what", &self.what.get(current())), ("value", &w), ("names", &names)]);
                RunError::Config(ConfigError::field(&server.path, self.field, message).into())
            })
    }
}

fn number(id: &str) -> i64 {
    id.parse().unwrap_or_default()
}

fn statuses(list: &[OrderStatus]) -> Vec<(String, String)> {
    list.iter().map(|s| (s.id.to_string(), s.name.clone())).collect()
}

fn fields(list: &[ExtraField]) -> Vec<(String, String)> {
    list.iter().map(|f| (f.extra_field_id.to_string(), f.name.clone())).collect()
}

/// The catalogue a server names, or the account's default one (else its first).
fn catalogue<'a>(server: &Server, list: &'a [Inventory]) -> Result<&'a Inventory, RunError> {
    let written = server.settings.baselinker.inventory.trim();
    let found = if written.is_empty() {
        list.iter().find(|i| i.is_default).or(list.first())
    } else {
        let items = list.iter().map(|i| (i.inventory_id.to_string(), i.name.clone())).collect();
        let id = number(&Named { what: Msg::BlWhatCatalogue, field: "baselinker.inventory", items }.find(server, written)?);
        list.iter().find(|i| i.inventory_id == id)
    };
    found.ok_or_else(|| RunError::Config(ConfigError::field(&server.path, "baselinker.inventory", Msg::BlNoCatalogue.get(current())).into()))
}

/// The warehouse a server names (by its id `bl_401`, its number or its name), or the catalogue's default.
fn warehouse(server: &Server, inventory: &Inventory, list: &[InventoryWarehouse]) -> Result<String, RunError> {
    let written = server.settings.baselinker.warehouse.trim();
    let mut items: Vec<(String, String)> = list.iter().map(|w| (w.key(), w.name.clone())).collect();
    if !inventory.warehouses.is_empty() {
        items.retain(|(key, _)| inventory.warehouses.contains(key));
    }
    let named = Named { what: Msg::BlWhatWarehouse, field: "baselinker.warehouse", items };
    if written.is_empty() {
        let default = inventory.default_warehouse.clone();
        return Ok(if default.is_empty() { named.items.first().map(|(k, _)| k.clone()).unwrap_or_default() } else { default });
    }
    // Its number alone names it too.
    let by_number = list.iter().find(|w| w.warehouse_id.to_string() == written).map(InventoryWarehouse::key);
    match by_number {
        Some(key) if named.items.iter().any(|(k, _)| *k == key) => Ok(key),
        _ => named.find(server, written),
    }
}

/// The price group a server names, or the catalogue's default; with its currency.
fn price_group(server: &Server, inventory: &Inventory, list: &[PriceGroup]) -> Result<(i64, String), RunError> {
    let written = server.settings.baselinker.price_group.trim();
    let mut groups: Vec<&PriceGroup> = list.iter().collect();
    if !inventory.price_groups.is_empty() {
        groups.retain(|g| inventory.price_groups.contains(&g.price_group_id));
    }
    let id = if written.is_empty() {
        let default = inventory.default_price_group;
        if groups.iter().any(|g| g.price_group_id == default) {
            default
        } else {
            groups.first().map(|g| g.price_group_id).unwrap_or_default()
        }
    } else {
        let named = Named {
            what: Msg::BlWhatPriceGroup,
            field: "baselinker.price_group",
            items: groups.iter().map(|g| (g.price_group_id.to_string(), g.name.clone())).collect(),
        };
        number(&named.find(server, written)?)
    };
    let currency = groups.iter().find(|g| g.price_group_id == id).map(|g| g.currency.trim().to_uppercase()).unwrap_or_default();
    Ok((id, currency))
}

/// Reads the account's lists and finds every setting in them; the orders' statuses and field
/// only `for_orders` (a run that imports no orders needs neither, and saves the two requests).
pub async fn resolve(client: &BaseLinkerClient, server: &Server, for_orders: bool) -> Result<Resolved, RunError> {
    let none = super::settings::AccountRules::default();
    let rules = if for_orders { &server.settings.rules.account } else { &none };
    let inventories = client.get_inventories().await?;
    let inventory = catalogue(server, &inventories)?;
    let warehouse = warehouse(server, inventory, &client.get_inventory_warehouses().await?)?;
    let (price_group, currency) = price_group(server, inventory, &client.get_inventory_price_groups().await?)?;
    let wants_status = !rules.import_statuses().is_empty() || !rules.status_after_import.trim().is_empty() || !rules.status_on_error.trim().is_empty();
    let status_list = if wants_status { statuses(&client.get_order_status_list().await?) } else { Vec::new() };
    let status = |field: &'static str| Named { what: Msg::BlWhatStatus, field, items: status_list.clone() };
    let optional = |field: &'static str, written: &str| -> Result<Option<i64>, RunError> {
        if written.trim().is_empty() {
            return Ok(None);
        }
        Ok(Some(number(&status(field).find(server, written)?)))
    };
    let import_statuses =
        rules.import_statuses().into_iter().map(|w| status("rules.import_statuses").find(server, w).map(|id| number(&id))).collect::<Result<Vec<_>, _>>()?;
    let status_after_import = optional("rules.status_after_import", &rules.status_after_import)?;
    let status_on_error = optional("rules.status_on_error", &rules.status_on_error)?;
    let document_field = if rules.document_field.trim().is_empty() {
        None
    } else {
        let named = Named { what: Msg::BlWhatField, field: "rules.document_field", items: fields(&client.get_order_extra_fields().await?) };
        Some(number(&named.find(server, &rules.document_field)?))
    };
    Ok(Resolved {
        account: Account {
            inventory_id: inventory.inventory_id,
            warehouse,
            price_group,
            import_statuses,
            status_after_import,
            status_on_error,
            document_field,
        },
        currency,
        catalogue: inventory.name.clone(),
    })
}

/// The lists a UI picks this kind's settings from (a property's `choices_from`): each value as a
/// file writes it (the id), labelled by its name.
pub async fn choices(client: &BaseLinkerClient, server: &Server, source: &str) -> Result<Vec<Choice>, RunError> {
    let choice = |value: String, label: String| Choice { value, label };
    Ok(match source {
        "inventories" => client.get_inventories().await?.into_iter().map(|i| choice(i.inventory_id.to_string(), i.name)).collect(),
        "inventory_warehouses" => {
            let inventories = client.get_inventories().await?;
            let inventory = catalogue(server, &inventories)?;
            let list = client.get_inventory_warehouses().await?;
            list.into_iter().filter(|w| inventory.warehouses.is_empty() || inventory.warehouses.contains(&w.key())).map(|w| choice(w.key(), w.name)).collect()
        }
        "price_groups" => {
            let inventories = client.get_inventories().await?;
            let inventory = catalogue(server, &inventories)?;
            let list = client.get_inventory_price_groups().await?;
            list.into_iter()
                .filter(|g| inventory.price_groups.is_empty() || inventory.price_groups.contains(&g.price_group_id))
                .map(|g| choice(g.price_group_id.to_string(), format!("{} ({})", g.name, g.currency)))
                .collect()
        }
        "order_statuses" => statuses(&client.get_order_status_list().await?).into_iter().map(|(id, name)| choice(id, name)).collect(),
        "order_extra_fields" => fields(&client.get_order_extra_fields().await?).into_iter().map(|(id, name)| choice(id, name)).collect(),
        other => {
            return Err(RunError::Setup { message: Msg::NoAccountChoices.with(current(), &[("source", &other), ("server", &server.settings.name)]) });
        }
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::baselinker::sim::{Running, SimConfig};
    use crate::kinds::warehouse_pro_baselinker::settings::Settings;
    use crate::kinds::warehouse_pro_baselinker::testing::client;
    use crate::secret::Secret;

    fn server(url: &str, baselinker: &str, rules: &str) -> Server {
        let text = format!(
            "name = \"B\"\nkind = \"WarehousePro Import Export BaseLinker\"\n[database]\ndialect = \"sqlite\"\nconnection = \"Driver=SQLite3;\"\n[rules]\n{rules}\n[baselinker]\nurl = \"{url}\"\ntoken = \"t\"\n{baselinker}\n"
        );
        let settings: Settings = toml::from_str(&text).unwrap();
        Server { settings, token: Secret::new("t"), path: "B.toml".into() }
    }

    /// Every setting is found by its id or its name (without case); left empty, the catalogue is
    /// the account's default and its warehouse and price group the catalogue's; the price
    /// group's currency comes with it.
    #[tokio::test]
    async fn settings_are_found_by_id_or_name_and_empty_ones_are_the_defaults() {
        let running = Running::start(SimConfig { requests_per_minute: None, ..SimConfig::new("t") }).await.unwrap();
        let c = client(&running.url, "t", Duration::from_secs(5));
        let defaults = resolve(&c, &server(&running.url, "", ""), true).await.unwrap();
        assert_eq!(
            defaults.account,
            Account {
                inventory_id: 301,
                warehouse: "bl_401".into(),
                price_group: 105,
                import_statuses: vec![],
                status_after_import: None,
                status_on_error: None,
                document_field: None
            }
        );
        assert_eq!((defaults.currency.as_str(), defaults.catalogue.as_str()), ("PLN", "Katalog główny"));
        let named = server(
            &running.url,
            "inventory = \"katalog GŁÓWNY\"\nwarehouse = \"Magazyn główny\"\nprice_group = \"Detal EUR\"",
            "import_statuses = \"Nowe zamówienia, 1004\"\nstatus_after_import = \"Wprowadzono do magazynu\"\nstatus_on_error = \"1003\"\ndocument_field = \"Numer dokumentu Warehouse Pro\"",
        );
        let found = resolve(&c, &named, true).await.unwrap();
        assert_eq!(
            found.account,
            Account {
                inventory_id: 301,
                warehouse: "bl_401".into(),
                price_group: 106,
                import_statuses: vec![1001, 1004],
                status_after_import: Some(1002),
                status_on_error: Some(1003),
                document_field: Some(501)
            }
        );
        assert_eq!(found.currency, "EUR");
        let by_ids = server(&running.url, "inventory = \"301\"\nwarehouse = \"401\"\nprice_group = \"106\"", "document_field = \"502\"");
        let found = resolve(&c, &by_ids, true).await.unwrap();
        assert_eq!((found.account.warehouse.as_str(), found.account.price_group, found.account.document_field), ("bl_401", 106, Some(502)));
    }

    /// A name the account does not have is a configuration error naming the field and the
    /// names there are, for each of the settings.
    #[tokio::test]
    async fn a_name_the_account_lacks_names_the_field_and_what_there_is() {
        let running = Running::start(SimConfig { requests_per_minute: None, ..SimConfig::new("t") }).await.unwrap();
        let c = client(&running.url, "t", Duration::from_secs(5));
        for (baselinker, rules, field, listed) in [
            ("inventory = \"Sklep\"", "", "baselinker.inventory", "'Katalog główny' (301)"),
            ("warehouse = \"bl_9\"", "", "baselinker.warehouse", "'Magazyn główny' (bl_401)"),
            ("price_group = \"Hurt\"", "", "baselinker.price_group", "'Detal EUR' (106)"),
            ("", "import_statuses = \"Nowe zamówienia, Zapłacone\"", "rules.import_statuses", "'Wysłane' (1004)"),
            ("", "status_after_import = \"7\"", "rules.status_after_import", "'Nowe zamówienia' (1001)"),
            ("", "status_on_error = \"Błąd\"", "rules.status_on_error", "'Błąd importu' (1003)"),
            ("", "document_field = \"Faktura\"", "rules.document_field", "'Uwagi magazynu' (502)"),
        ] {
            let e = resolve(&c, &server(&running.url, baselinker, rules), true).await.unwrap_err();
            assert!(matches!(e, RunError::Config(_)), "{field}: {e:?}");
            let text = e.to_string();
            assert!(text.contains(field) && text.contains(listed), "{field}: {text}");
        }
    }

    /// The lists a UI picks from: ids as values, names as labels; a list the kind does not read
    /// is refused.
    #[tokio::test]
    async fn the_choices_are_the_accounts_lists() {
        let running = Running::start(SimConfig { requests_per_minute: None, ..SimConfig::new("t") }).await.unwrap();
        let c = client(&running.url, "t", Duration::from_secs(5));
        let s = server(&running.url, "", "");
        let pairs = |v: Vec<Choice>| v.into_iter().map(|c| (c.value, c.label)).collect::<Vec<_>>();
        assert_eq!(pairs(choices(&c, &s, "inventories").await.unwrap()), [("301".into(), "Katalog główny".into())]);
        assert_eq!(pairs(choices(&c, &s, "inventory_warehouses").await.unwrap()), [("bl_401".into(), "Magazyn główny".into())]);
        assert_eq!(pairs(choices(&c, &s, "price_groups").await.unwrap())[1], ("106".into(), "Detal EUR (EUR)".into()));
        assert_eq!(pairs(choices(&c, &s, "order_statuses").await.unwrap()).len(), 4);
        assert_eq!(pairs(choices(&c, &s, "order_extra_fields").await.unwrap())[0], ("501".into(), "Numer dokumentu Warehouse Pro".into()));
        assert!(choices(&c, &s, "couriers").await.is_err());
    }
}
