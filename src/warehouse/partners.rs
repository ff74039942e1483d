//! Partners (customers and suppliers): finding them by e-mail (without case), VAT number,
//! company number (Bulstat) or code, creating companies and persons, and listing them for export.

use super::db::{Params, Result, Row, Warehouse};
use super::dialect::Table;
use super::{Dialect, SERVICE_ID};

/// A Warehouse Pro partner.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Partner {
    /// partners.ID.
    pub id: i32,
    /// partners.Code.
    pub code: String,
    /// The company's or the person's name (partners.Company).
    pub company: String,
    /// The contact person (partners.MOL).
    pub contact: String,
    /// partners.City.
    pub city: String,
    /// partners.Address.
    pub address: String,
    /// partners.Phone.
    pub phone: String,
    /// partners.eMail.
    pub email: String,
    /// VAT number (partners.TaxNo).
    pub vat_number: String,
    /// Company number (partners.Bulstat).
    pub company_number: String,
    /// Which sale price applies: 0 wholesale, 1 retail, 2..9 groups 1..8.
    pub price_group: i32,
    /// Default discount percent.
    pub discount: f64,
    /// partners.Type: the partner's role.
    pub role: PartnerRole,
    /// Days to pay (partners.PaymentDays).
    pub payment_days: i32,
}

/// A partner's role, partners.Type (Warehouse Open's `PartnerType`; Microinvest's API names the
/// same three). A company and a person differ only in what they carry (see
/// [`Partner::is_company`]), not in their Type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerRole {
    /// Both supplier and client (Type 0).
    #[default]
    Universal,
    /// A supplier (Type 1).
    Supplier,
    /// A client (Type 2).
    Client,
}

impl PartnerRole {
    /// The value of partners.Type.
    pub fn code(self) -> i32 {
        match self {
            PartnerRole::Universal => 0,
            PartnerRole::Supplier => 1,
            PartnerRole::Client => 2,
        }
    }

    /// The role of a partners.Type value (anything unknown reads as universal).
    pub fn from_code(code: i32) -> PartnerRole {
        match code {
            1 => PartnerRole::Supplier,
            2 => PartnerRole::Client,
            _ => PartnerRole::Universal,
        }
    }
}

impl Partner {
    /// True when the partner carries a company's numbers (VAT or company number).
    pub fn is_company(&self) -> bool {
        !self.vat_number.trim().is_empty() || !self.company_number.trim().is_empty()
    }
}

const PARTNER_COLUMNS: &str = "{ID}, {Code}, {Company}, {MOL}, {City}, {Address}, {Phone}, {eMail}, {TaxNo}, \
                               {Bulstat}, {PriceGroup}, {Discount}, {Type}, {PaymentDays}";

fn read_partner(r: &mut Row<'_, '_>) -> Result<Partner> {
    Ok(Partner {
        id: r.i32(1)?,
        code: r.text(2)?,
        company: r.text(3)?,
        contact: r.text(4)?,
        city: r.text(5)?,
        address: r.text(6)?,
        phone: r.text(7)?,
        email: r.text(8)?,
        vat_number: r.text(9)?,
        company_number: r.text(10)?,
        price_group: r.i32(11)?,
        discount: r.f64(12)?,
        role: PartnerRole::from_code(r.opt_i32(13)?.unwrap_or(0)),
        payment_days: r.i32(14)?,
    })
}

/// Live partners matching a condition (a template; parameters: the condition's). The service
/// record is left out and the rows sorted by the caller, so that the database can serve the
/// condition from its index rather than walk the table in ID order.
pub fn partners_where_sql(d: Dialect, condition: &str) -> String {
    let deleted = d.coalesce(&d.quote("Deleted"), "0");
    d.sql(&format!("SELECT {PARTNER_COLUMNS} FROM {{partners}} WHERE ({condition}) AND {deleted} = 0"))
}

/// One partner by ID (parameter: the ID).
pub fn partner_by_id_sql(d: Dialect) -> String {
    d.sql(&format!("SELECT {PARTNER_COLUMNS} FROM {{partners}} WHERE {{ID}} = ?"))
}

/// The condition of an e-mail look-up, without case (parameters: the e-mails for `marks`).
/// MySQL, MSSQL and Access compare text without case in their usual collations, so the index on
/// eMail serves the plain comparison; SQLite is told NOCASE.
pub fn by_email_condition(d: Dialect, marks: &str) -> String {
    match d {
        Dialect::Sqlite => d.sql(&format!("{{eMail}} COLLATE NOCASE IN ({marks})")),
        _ => d.sql(&format!("{{eMail}} IN ({marks})")),
    }
}

/// The condition of a VAT number look-up (parameters: for each number, the forms it is written
/// in: bare, "BG" + bare, "BG " + bare). Exact matches only, so the index on TaxNo serves it.
pub fn by_vat_number_condition(marks: &str) -> String {
    format!("{{TaxNo}} IN ({marks})")
}

/// The condition of a company number look-up (parameters: for each number, bare and "BG" + bare).
pub fn by_company_number_condition(marks: &str) -> String {
    format!("{{Bulstat}} IN ({marks})")
}

/// The condition of a look-up by e-mails, VAT numbers and company numbers at once (parameters:
/// `counts` values of each, in that order), or None where there are none, or they do not fit one
/// statement's budget (each list within [`Dialect::rows_per_statement`], all within
/// [`Dialect::max_parameters`]).
pub fn by_keys_condition(d: Dialect, counts: [usize; 3]) -> Option<String> {
    let total: usize = counts.iter().sum();
    if total == 0 || total > d.max_parameters() || counts.iter().any(|n| *n > d.rows_per_statement(1, 0)) {
        return None;
    }
    let conds: [&dyn Fn(&str) -> String; 3] = [&|m| by_email_condition(d, m), &by_vat_number_condition, &by_company_number_condition];
    let parts: Vec<String> = counts.iter().zip(conds).filter(|(n, _)| **n > 0).map(|(n, c)| format!("({})", c(&Dialect::marks(*n)))).collect();
    Some(parts.join(" OR "))
}

/// One key kind of a partner look-up: the values the database is asked for, the condition that
/// asks (a template for their marks), and the normalised keys an answer must carry.
struct Keys {
    values: Vec<String>,
    condition: fn(Dialect, &str) -> String,
    wanted: std::collections::HashSet<String>,
    key: fn(&Partner) -> String,
}

impl Keys {
    /// E-mails, compared without case.
    fn emails(emails: &[&str]) -> Keys {
        Keys {
            values: emails.iter().map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()).collect(),
            condition: by_email_condition,
            wanted: emails.iter().map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).collect(),
            key: |p| p.email.trim().to_lowercase(),
        }
    }

    /// VAT numbers, in each form they are written in.
    fn vat_numbers(vats: &[&str]) -> Keys {
        let wanted: std::collections::HashSet<String> = vats.iter().map(|v| normalise_tax_number(v)).filter(|v| !v.is_empty()).collect();
        Keys {
            values: wanted.iter().flat_map(|b| vat_forms(b)).collect(),
            condition: |_, m| by_vat_number_condition(m),
            wanted,
            key: |p| normalise_tax_number(&p.vat_number),
        }
    }

    /// Company numbers, in each form they are written in.
    fn company_numbers(numbers: &[&str]) -> Keys {
        let wanted: std::collections::HashSet<String> = numbers.iter().map(|v| normalise_tax_number(v)).filter(|v| !v.is_empty()).collect();
        Keys {
            values: wanted.iter().flat_map(|b| company_number_forms(b)).collect(),
            condition: |_, m| by_company_number_condition(m),
            wanted,
            key: |p| normalise_tax_number(&p.company_number),
        }
    }

    fn matches(&self, p: &Partner) -> bool {
        self.wanted.contains(&(self.key)(p))
    }
}

/// The forms a VAT number is written in.
fn vat_forms(bare: &str) -> [String; 3] {
    [bare.to_owned(), format!("BG{bare}"), format!("BG {bare}")]
}

/// The forms a company number is written in.
fn company_number_forms(bare: &str) -> [String; 2] {
    [bare.to_owned(), format!("BG{bare}")]
}

/// The columns a new partner is inserted with, in [`Warehouse::create_partner`]'s order.
pub const NEW_PARTNER_COLUMNS: [&str; 33] = [
    "Code",
    "Company",
    "Company2",
    "MOL",
    "MOL2",
    "City",
    "City2",
    "Address",
    "Address2",
    "Phone",
    "Phone2",
    "Fax",
    "eMail",
    "TaxNo",
    "Bulstat",
    "BankName",
    "BankCode",
    "BankAcct",
    "BankVATName",
    "BankVATCode",
    "BankVATAcct",
    "PriceGroup",
    "Discount",
    "Type",
    "IsVeryUsed",
    "UserID",
    "GroupID",
    "UserRealTime",
    "Deleted",
    "CardNumber",
    "Note1",
    "Note2",
    "PaymentDays",
];

impl Warehouse {
    fn partners_where(&self, condition: &str, params: Params) -> Result<Vec<Partner>> {
        let sql = partners_where_sql(self.dialect(), condition);
        let mut found = self.query(&sql, params.as_slice(), read_partner)?;
        found.retain(|p| p.id != SERVICE_ID);
        found.sort_by_key(|p| p.id);
        Ok(found)
    }

    /// The partner with this ID.
    pub fn partner(&self, id: i32) -> Result<Option<Partner>> {
        self.query_one(&partner_by_id_sql(self.dialect()), &id, read_partner)
    }

    /// Live partners whose condition (a template with `{in}` for the list) matches one of
    /// `values`, in as few statements as the parameter limit allows.
    fn partners_where_in(&self, condition: impl Fn(&str) -> String, values: &[String]) -> Result<Vec<Partner>> {
        let d = self.dialect();
        let mut found = self.query_in(|marks| partners_where_sql(d, &condition(marks)), Params::new, values, |p, v| p.text(v), read_partner)?;
        found.retain(|p| p.id != SERVICE_ID);
        found.sort_by_key(|p| p.id);
        found.dedup_by_key(|p| p.id);
        Ok(found)
    }

    /// Live partners whose e-mail is this one, compared without case.
    pub fn partners_by_email(&self, email: &str) -> Result<Vec<Partner>> {
        self.partners_by_emails(&[email])
    }

    /// Live partners whose e-mail is one of these, compared without case, by ID.
    pub fn partners_by_emails(&self, emails: &[&str]) -> Result<Vec<Partner>> {
        self.partners_by(&Keys::emails(emails))
    }

    /// Live partners with this VAT number (spaces ignored, 'BG' prefix optional on either side).
    pub fn partners_by_vat_number(&self, vat: &str) -> Result<Vec<Partner>> {
        self.partners_by_vat_numbers(&[vat])
    }

    /// Live partners with one of these VAT numbers, by ID.
    pub fn partners_by_vat_numbers(&self, vats: &[&str]) -> Result<Vec<Partner>> {
        self.partners_by(&Keys::vat_numbers(vats))
    }

    /// Live partners with this company number (Bulstat / EIK).
    pub fn partners_by_company_number(&self, number: &str) -> Result<Vec<Partner>> {
        self.partners_by_company_numbers(&[number])
    }

    /// Live partners with one of these company numbers, by ID.
    pub fn partners_by_company_numbers(&self, numbers: &[&str]) -> Result<Vec<Partner>> {
        self.partners_by(&Keys::company_numbers(numbers))
    }

    /// Live partners one key kind finds, by ID: asked by its values, and only those whose own key
    /// is one of the wanted ones kept, whatever the database's collation.
    fn partners_by(&self, keys: &Keys) -> Result<Vec<Partner>> {
        if keys.values.is_empty() {
            return Ok(Vec::new());
        }
        let d = self.dialect();
        let found = self.partners_where_in(|marks| (keys.condition)(d, marks), &keys.values)?;
        Ok(found.into_iter().filter(|p| keys.matches(p)).collect())
    }

    /// The live partners of many customers by all three keys at once, as
    /// ([`Warehouse::partners_by_emails`], [`Warehouse::partners_by_vat_numbers`],
    /// [`Warehouse::partners_by_company_numbers`]) would find them: in one statement where the
    /// keys fit its parameter budget, else one a key.
    pub fn partners_by_keys(&self, emails: &[&str], vats: &[&str], numbers: &[&str]) -> Result<(Vec<Partner>, Vec<Partner>, Vec<Partner>)> {
        let keys = [Keys::emails(emails), Keys::vat_numbers(vats), Keys::company_numbers(numbers)];
        let Some(condition) = by_keys_condition(self.dialect(), [keys[0].values.len(), keys[1].values.len(), keys[2].values.len()]) else {
            return Ok((self.partners_by(&keys[0])?, self.partners_by(&keys[1])?, self.partners_by(&keys[2])?));
        };
        let params = keys.iter().flat_map(|k| k.values.iter()).fold(Params::new(), |p, v| p.text(v));
        let found = self.partners_where(&condition, params)?;
        let pick = |k: &Keys| found.iter().filter(|p| k.matches(p)).cloned().collect::<Vec<_>>();
        Ok((pick(&keys[0]), pick(&keys[1]), pick(&keys[2])))
    }

    /// Live partners with exactly this name (partners.Company).
    pub fn partners_by_name(&self, name: &str) -> Result<Vec<Partner>> {
        self.partners_where("{Company} = ?", Params::new().text(name.trim()))
    }

    /// Live partners with this code.
    pub fn partners_by_code(&self, code: &str) -> Result<Vec<Partner>> {
        self.partners_where("{Code} = ?", Params::new().text(code.trim()))
    }

    /// Every live partner but the service record, by ID.
    pub fn partners(&self) -> Result<Vec<Partner>> {
        self.partners_where("1 = 1", Params::new())
    }

    /// Creates a partner; returns its ID. Text that does not fit its column is an error.
    pub fn create_partner(&self, p: &Partner) -> Result<i32> {
        self.create_partners(&[p])?.pop().ok_or_else(|| super::WarehouseError::Invalid(format!("partner '{}' was not made", p.company)))
    }

    /// Creates partners, in as few statements as the dialect allows (see
    /// [`Warehouse::insert_returning_ids`]); returns their IDs in order. Text that does not fit
    /// its column is an error, before anything is written.
    pub fn create_partners(&self, partners: &[&Partner]) -> Result<Vec<i32>> {
        self.ensure_writable()?;
        let mut rows = Vec::with_capacity(partners.len());
        for p in partners {
            let who = if p.code.is_empty() { p.company.clone() } else { p.code.clone() };
            let fields: [(&'static str, &str); 10] = [
                ("Code", &p.code),
                ("Company", &p.company),
                ("MOL", &p.contact),
                ("City", &p.city),
                ("Address", &p.address),
                ("Phone", &p.phone),
                ("eMail", &p.email),
                ("TaxNo", &p.vat_number),
                ("Bulstat", &p.company_number),
                ("Company2", &p.company),
            ];
            for (col, v) in fields {
                self.check_text(Table::Partners, col, v, || format!("the {col} of partner '{who}'"))?;
            }
            let identity = fields[..9].iter().map(|(_, v)| (*v).to_owned()).collect();
            rows.push((partner_params(p), identity));
        }
        self.insert_returning_ids(Table::Partners, &NEW_PARTNER_COLUMNS, rows, &PARTNER_IDENTITY)
    }
}

/// True when `new`, a partner about to be made, would be `existing` again: a company by its VAT
/// or company number, a person by e-mail, the guest partner (code `guest_code`) by code and name.
/// Two companies that share an e-mail but not their numbers are two.
pub fn same_partner(new: &Partner, existing: &Partner, guest_code: &str) -> bool {
    let key = |a: &str, b: &str| !a.trim().is_empty() && a.trim().eq_ignore_ascii_case(b.trim());
    let tax = |a: &str, b: &str| !normalise_tax_number(a).is_empty() && normalise_tax_number(a) == normalise_tax_number(b);
    if new.code == guest_code || existing.code == guest_code {
        return new.code == existing.code && new.company == existing.company;
    }
    if new.is_company() || existing.is_company() {
        return tax(&new.vat_number, &existing.vat_number) || tax(&new.company_number, &existing.company_number);
    }
    key(&new.email, &existing.email)
}

impl Warehouse {
    /// Partners about to be made, each found again first (see [`same_partner`]) or made: their
    /// IDs, and whether each was made. Call it under [`Warehouse::lock_for_making`], so that
    /// what another writer made meanwhile is found, not made twice.
    pub fn find_or_create_partners(&self, partners: &[&Partner], guest_code: &str) -> Result<Vec<(i32, bool)>> {
        if partners.is_empty() {
            return Ok(Vec::new());
        }
        let emails: Vec<&str> = partners.iter().map(|p| p.email.as_str()).collect();
        let vats: Vec<&str> = partners.iter().map(|p| p.vat_number.as_str()).filter(|v| !v.trim().is_empty()).collect();
        let numbers: Vec<&str> = partners.iter().map(|p| p.company_number.as_str()).filter(|v| !v.trim().is_empty()).collect();
        let (a, b, c) = self.partners_by_keys(&emails, &vats, &numbers)?;
        let mut found: Vec<Partner> = a.into_iter().chain(b).chain(c).collect();
        if partners.iter().any(|p| p.code == guest_code) {
            found.extend(self.partners_by_code(guest_code)?);
        }
        found.sort_by_key(|p| p.id);
        found.dedup_by_key(|p| p.id);
        let mut out: Vec<Option<(i32, bool)>> = partners.iter().map(|p| found.iter().find(|f| same_partner(p, f, guest_code)).map(|f| (f.id, false))).collect();
        let missing: Vec<&Partner> = partners.iter().zip(&out).filter(|(_, o)| o.is_none()).map(|(p, _)| *p).collect();
        let mut made = self.create_partners(&missing)?.into_iter();
        for o in out.iter_mut().filter(|o| o.is_none()) {
            *o = made.next().map(|id| (id, true));
        }
        out.into_iter().map(|o| o.ok_or_else(|| super::WarehouseError::Invalid("a partner was not made".into()))).collect()
    }
}

/// The columns a partner just made is found again by, in [`Warehouse::create_partners`]' order.
const PARTNER_IDENTITY: [&str; 9] = ["Code", "Company", "MOL", "City", "Address", "Phone", "eMail", "TaxNo", "Bulstat"];

/// A new partner's values, in [`NEW_PARTNER_COLUMNS`]' order.
fn partner_params(p: &Partner) -> Params {
    Params::new()
        .text(&p.code)
        .text(&p.company)
        .text(&p.company)
        .text(&p.contact)
        .text(&p.contact)
        .text(&p.city)
        .text(&p.city)
        .text(&p.address)
        .text(&p.address)
        .text(&p.phone)
        .text("")
        .text("")
        .text(&p.email)
        .text(&p.vat_number)
        .text(&p.company_number)
        .text("")
        .text("")
        .text("")
        .text("")
        .text("")
        .text("")
        .int(p.price_group)
        .num(p.discount)
        .int(p.role.code())
        .int(0)
        .int(SERVICE_ID)
        .int(1)
        .time(chrono::Local::now().naive_local())
        .int(0)
        .text("")
        .text("")
        .text("")
        .int(p.payment_days)
}

/// Partners whose code starts with a prefix and whose role is not this one (parameters: the
/// code pattern, the role's Type).
pub fn partners_not_in_role_sql(d: Dialect) -> String {
    d.sql(&format!(
        "SELECT {{ID}}, {{Code}}, {{Company}}, {} FROM {{partners}} WHERE {{Code}} LIKE ? AND {} <> ? ORDER BY {{ID}}",
        d.coalesce(&d.quote("Type"), "0"),
        d.coalesce(&d.quote("Type"), "0")
    ))
}

impl Warehouse {
    /// The partners whose code starts with `prefix` and whose role is not `role`: (ID, code,
    /// name, the role they have).
    pub fn partners_not_in_role(&self, prefix: &str, role: PartnerRole) -> Result<Vec<(i32, String, String, PartnerRole)>> {
        let pattern = format!("{prefix}%");
        self.query(&partners_not_in_role_sql(self.dialect()), Params::new().text(&pattern).int(role.code()).as_slice(), |r| {
            Ok((r.i32(1)?, r.text(2)?, r.text(3)?, PartnerRole::from_code(r.i32(4)?)))
        })
    }

    /// Gives these partners this role, in one transaction.
    pub fn set_partner_roles(&self, ids: &[i32], role: PartnerRole) -> Result<()> {
        let d = self.dialect();
        self.transaction(|tx| {
            for chunk in ids.chunks(d.rows_per_statement(1, 1)) {
                let sql = set_partner_roles_sql(d, &Dialect::marks(chunk.len()));
                let params = chunk.iter().fold(Params::new().int(role.code()), |p, id| p.int(*id));
                tx.exec(&sql, params.as_slice())?;
            }
            Ok(())
        })
    }
}

/// Gives partners a role (parameters: the role's code, then the partners' IDs for `marks`).
pub fn set_partner_roles_sql(d: Dialect, marks: &str) -> String {
    d.sql(&format!("UPDATE {{partners}} SET {{Type}} = ? WHERE {{ID}} IN ({marks})"))
}

/// A VAT or company number with spaces, dashes and a leading country code taken out.
pub fn normalise_tax_number(value: &str) -> String {
    let compact: String = value.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_uppercase();
    // A leading two-letter country code (BG, DE): ASCII letters, so two bytes.
    let mut chars = compact.chars();
    match (chars.next(), chars.next(), chars.as_str()) {
        (Some(a), Some(b), rest) if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() && !rest.is_empty() => rest.to_owned(),
        _ => compact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_numbers_normalise() {
        assert_eq!(normalise_tax_number("BG 123 456 789"), "123456789");
        assert_eq!(normalise_tax_number("123456789"), "123456789");
        assert_eq!(normalise_tax_number("bg123-456-789"), "123456789");
        assert_eq!(normalise_tax_number(" "), "");
    }
}
