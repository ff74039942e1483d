//! The partner rule: which Warehouse Pro partner an order's customer is. A company (it carries
//! a VAT or company number) is known by its VAT number first, then its company number, and only
//! then by e-mail; a person by e-mail; a guest goes to the server's guest partner. A match is
//! never taken when a stronger key disagrees with it; where no key is stronger, the order is set
//! aside. The look-ups are one query per key for a whole page.

use std::collections::HashMap;

use super::session::Ctx;
use super::shop::{Customer, CustomerType, Order, Shop};
use crate::i18n::Msg;
use crate::kinds::NoteLevel;
use crate::warehouse::partners::normalise_tax_number;
use crate::warehouse::{codes, Partner, PartnerRole, WarehouseError};

/// The partner of an order: found, or to be made.
pub(super) enum PartnerRef {
    Found(i32, String),
    Make(Box<Partner>),
}

/// The existing partners the customers of a page match, read in one query per key, every match
/// of each key kept (by ID), so that keys that disagree can be seen.
#[derive(Default)]
pub(super) struct PartnerIndex {
    by_email: HashMap<String, Vec<Partner>>,
    by_vat_number: HashMap<String, Vec<Partner>>,
    by_company_number: HashMap<String, Vec<Partner>>,
    /// The guest partner, where the page has a guest and this run has not found it before:
    /// looked up once for the page (None: not found, to be made).
    guest: Option<(i32, String)>,
}

impl PartnerIndex {
    pub(super) fn add(map: &mut HashMap<String, Vec<Partner>>, found: Vec<Partner>, key: impl Fn(&Partner) -> String) {
        for p in found {
            let k = key(&p);
            if !k.is_empty() {
                map.entry(k).or_default().push(p);
            }
        }
    }
}

/// How an order's customer is matched to a partner (see [`Ctx::resolve_partner`]).
#[derive(Debug, PartialEq)]
pub(crate) enum Match {
    /// This partner; with a note when a weaker key pointed elsewhere.
    Found(i32, String, Option<String>),
    /// A new partner; with a note when a weaker key pointed at one whose stronger key differs.
    New(Option<String>),
    /// No key is stronger: set the order aside with this reason.
    Ambiguous(String),
}

/// The rule: a company (it carries a VAT or company number) is known by its VAT number first,
/// then its company number, and only then by e-mail; a person by e-mail. A match is never taken
/// when a stronger key disagrees with it: the stronger key wins and the note says so, and where
/// no key is stronger (the VAT number names one partner, the company number another; two
/// partners share the key) the order is set aside.
pub(crate) fn match_partner(vat: &str, number: &str, email: &str, by_vat: &[Partner], by_number: &[Partner], by_email: &[Partner]) -> Match {
    let name = |p: &Partner| format!("'{}' ({})", p.company, if p.code.is_empty() { format!("ID {}", p.id) } else { p.code.clone() });
    let lang = crate::i18n::current();
    let one = |what: Msg, key: &str, ps: &[Partner]| -> Result<Option<Partner>, Match> {
        match ps {
            [] => Ok(None),
            [p] => Ok(Some(p.clone())),
            many => {
                let partners = many.iter().map(name).collect::<Vec<_>>().join(", ");
                Err(Match::Ambiguous(
                    Msg::PartnersShareKey.with(lang, &[("count", &many.len()), ("what", &what.get(lang)), ("key", &key), ("partners", &partners)]),
                ))
            }
        }
    };
    let company = !vat.is_empty() || !number.is_empty();
    let pick = || -> Result<Match, Match> {
        let by_email_one = one(Msg::KeyEmail, email, by_email)?;
        if !company {
            return Ok(match by_email_one {
                Some(p) => Match::Found(p.id, p.company, None),
                None => Match::New(None),
            });
        }
        let v = if vat.is_empty() { None } else { one(Msg::KeyVatNumber, vat, by_vat)? };
        let n = if number.is_empty() { None } else { one(Msg::KeyCompanyNumber, number, by_number)? };
        let strong = match (v, n) {
            (Some(a), Some(b)) if a.id != b.id => {
                return Err(Match::Ambiguous(Msg::VatAndNumberDisagree.with(lang, &[("vat", &vat), ("a", &name(&a)), ("number", &number), ("b", &name(&b))])))
            }
            (Some(a), _) => Some((a, Msg::KeyVatNumber.get(lang))),
            (None, Some(b)) => Some((b, Msg::KeyCompanyNumber.get(lang))),
            (None, None) => None,
        };
        Ok(match (strong, by_email_one) {
            (Some((p, key)), Some(e)) if e.id != p.id => {
                let note = Msg::EmailElsewhere.with(lang, &[("email", &email), ("weak", &name(&e)), ("key", &key), ("strong", &name(&p))]);
                Match::Found(p.id, p.company, Some(note))
            }
            (Some((p, _)), _) => Match::Found(p.id, p.company, None),
            (None, Some(e)) => {
                let theirs = (normalise_tax_number(&e.vat_number), normalise_tax_number(&e.company_number));
                let differs =
                    (!vat.is_empty() && !theirs.0.is_empty() && theirs.0 != vat) || (!number.is_empty() && !theirs.1.is_empty() && theirs.1 != number);
                if differs {
                    Match::New(Some(Msg::EmailNumbersDiffer.with(lang, &[("email", &email), ("partner", &name(&e))])))
                } else {
                    Match::Found(e.id, e.company, None)
                }
            }
            (None, None) => Match::New(None),
        })
    };
    pick().unwrap_or_else(|m| m)
}

impl<S: Shop> Ctx<'_, S> {
    /// The existing partners a page's customers match, by e-mail, else VAT number, else company
    /// number: one query for the whole page (see [`crate::warehouse::Warehouse::partners_by_keys`]); the guest partner (by code, else name) once
    /// a page until it is found.
    pub(super) fn partner_index(&self, orders: &[&Order]) -> Result<PartnerIndex, WarehouseError> {
        let mut index = PartnerIndex::default();
        if self.cache.guest.borrow().is_none() && orders.iter().any(|o| o.customer.kind == CustomerType::Guest) {
            let name = self.settings.rules.guest_partner.trim();
            let found = match self.wh.partners_by_code(name)?.into_iter().next() {
                Some(p) => Some(p),
                None => self.wh.partners_by_name(name)?.into_iter().next(),
            };
            if let Some(p) = found {
                *self.cache.guest.borrow_mut() = Some((p.id, p.company.clone()));
                index.guest = Some((p.id, p.company));
            }
        }
        let customers: Vec<_> = orders.iter().map(|o| &o.customer).filter(|c| c.kind != CustomerType::Guest).collect();
        if customers.is_empty() {
            return Ok(index);
        }
        // Every key of every customer: keys that disagree must be seen, not only the first match.
        let emails: Vec<&str> = customers.iter().map(|c| c.contact.email.as_str()).collect();
        let vats: Vec<&str> = customers.iter().map(|c| c.contact.vat_number.as_str()).filter(|v| !v.trim().is_empty()).collect();
        let numbers: Vec<&str> = customers.iter().map(|c| c.contact.company_number.as_str()).filter(|v| !v.trim().is_empty()).collect();
        let (by_email, by_vat, by_number) = self.wh.partners_by_keys(&emails, &vats, &numbers)?;
        PartnerIndex::add(&mut index.by_email, by_email, |p| p.email.trim().to_lowercase());
        PartnerIndex::add(&mut index.by_vat_number, by_vat, |p| normalise_tax_number(&p.vat_number));
        PartnerIndex::add(&mut index.by_company_number, by_number, |p| normalise_tax_number(&p.company_number));
        Ok(index)
    }

    /// The order's partner (see [`match_partner`] for the rule); the inner error is the
    /// quarantine reason.
    pub(super) fn resolve_partner(&self, order: &Order, index: &PartnerIndex) -> Result<Result<PartnerRef, String>, WarehouseError> {
        let c = &order.customer;
        if c.kind == CustomerType::Guest {
            if let Some((id, name)) = self.cache.guest.borrow().clone().or_else(|| index.guest.clone()) {
                return Ok(Ok(PartnerRef::Found(id, name)));
            }
            let name = self.settings.rules.guest_partner.trim();
            return Ok(Ok(PartnerRef::Make(Box::new(Partner {
                code: self.shop.identity().guest_code.into(),
                company: name.to_owned(),
                price_group: codes::RETAIL_PRICE_GROUP,
                role: self.settings.rules.partner_role.role(),
                ..Partner::default()
            }))));
        }
        let (vat, number, email) =
            (normalise_tax_number(&c.contact.vat_number), normalise_tax_number(&c.contact.company_number), c.contact.email.trim().to_lowercase());
        let get = |map: &HashMap<String, Vec<Partner>>, k: &str| if k.is_empty() { Vec::new() } else { map.get(k).cloned().unwrap_or_default() };
        let m = match_partner(&vat, &number, &email, &get(&index.by_vat_number, &vat), &get(&index.by_company_number, &number), &get(&index.by_email, &email));
        let note = |n: Option<String>| {
            if let Some(n) = n {
                let n = format!("{}: {n}", order.number);
                self.events.say(NoteLevel::Warn, n.clone());
                self.cache.partner_notes.borrow_mut().push(n);
            }
        };
        Ok(match m {
            Match::Found(id, name, n) => {
                note(n);
                Ok(PartnerRef::Found(id, name))
            }
            Match::New(n) => {
                note(n);
                Ok(PartnerRef::Make(Box::new(partner_from_customer(c, self.settings.rules.partner_role.role(), self.shop.identity().partner_prefix))))
            }
            Match::Ambiguous(reason) => Err(reason),
        })
    }
}

/// A new Warehouse Pro partner from a shop customer, in this role: a company (its name, VAT and
/// company numbers) or a person (their name), with the shop's address of the customer; its code
/// the shop's prefix and the customer's id.
pub(crate) fn partner_from_customer(c: &Customer, role: PartnerRole, prefix: &str) -> Partner {
    let person = format!("{} {}", c.contact.first_name, c.contact.last_name).trim().to_owned();
    let billing = &c.address;
    let address = [billing.line1.as_str(), billing.line2.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(", ");
    Partner {
        code: c.id.as_ref().map(|id| format!("{prefix}{id}")).unwrap_or_default(),
        company: if c.kind == CustomerType::Company && !c.contact.company_name.is_empty() { c.contact.company_name.clone() } else { person.clone() },
        contact: person,
        city: billing.city.clone(),
        address,
        phone: c.contact.phone.clone(),
        email: c.contact.email.clone(),
        vat_number: c.contact.vat_number.clone(),
        company_number: c.contact.company_number.clone(),
        price_group: codes::RETAIL_PRICE_GROUP,
        role,
        ..Partner::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partner(id: i32, email: &str, vat: &str, number: &str) -> Partner {
        Partner {
            id,
            code: format!("P{id}"),
            company: format!("Фирма {id}"),
            email: email.into(),
            vat_number: vat.into(),
            company_number: number.into(),
            ..Partner::default()
        }
    }

    #[test]
    fn a_company_is_known_by_its_vat_number_first_and_disagreements_are_said_or_set_aside() {
        let a = partner(1, "shared@firma.bg", "100000001", "100000001");
        let b = partner(2, "shared@firma.bg", "", "");
        let c = partner(3, "c@firma.bg", "", "300000003");
        // A person: by e-mail.
        assert_eq!(match_partner("", "", "shared@firma.bg", &[], &[], std::slice::from_ref(&b)), Match::Found(2, "Фирма 2".into(), None));
        // A company found by VAT number, its e-mail someone else's: the VAT number wins, and says so.
        match match_partner("100000001", "", "shared@firma.bg", std::slice::from_ref(&a), &[], std::slice::from_ref(&b)) {
            Match::Found(1, _, Some(note)) => assert!(note.contains("VAT number is the stronger key") && note.contains("Фирма 2"), "{note}"),
            other => panic!("{other:?}"),
        }
        // A new company sharing an e-mail with a company of another VAT number: a new partner.
        match match_partner("200000002", "", "shared@firma.bg", &[], &[], std::slice::from_ref(&a)) {
            Match::New(Some(note)) => assert!(note.contains("a new partner is made"), "{note}"),
            other => panic!("{other:?}"),
        }
        // The e-mail's partner carries no numbers: the e-mail serves.
        assert_eq!(match_partner("200000002", "", "shared@firma.bg", &[], &[], std::slice::from_ref(&b)), Match::Found(2, "Фирма 2".into(), None));
        // By company number when there is no VAT number.
        assert_eq!(match_partner("", "300000003", "x@y.bg", &[], std::slice::from_ref(&c), &[]), Match::Found(3, "Фирма 3".into(), None));
        // The VAT number names one partner, the company number another: no key is stronger.
        match match_partner("100000001", "300000003", "", std::slice::from_ref(&a), std::slice::from_ref(&c), &[]) {
            Match::Ambiguous(why) => assert!(why.contains("no key is stronger"), "{why}"),
            other => panic!("{other:?}"),
        }
        // Two partners share the VAT number.
        match match_partner("100000001", "", "", &[a.clone(), partner(9, "", "100000001", "")], &[], &[]) {
            Match::Ambiguous(why) => assert!(why.contains("2 partners have the VAT number"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(match_partner("", "", "nobody@x.bg", &[], &[], &[]), Match::New(None));
    }
}
