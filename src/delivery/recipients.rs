//! Who receives an organisation's feedback: the register's `epost` list
//! (maintained by SLK) and, only when `epost.inlamningens_adress` allows
//! it, the `E-post` cell of the organisation's own `Inlämning` sheets,
//! restricted to `epost.tillatna_domaner`: an uploaded file must never be
//! able to direct mail outside the city.

use lettre::Address;

use crate::config::Email;
use crate::model::OrgData;

/// The addresses found for one organisation.
#[derive(Debug, Default, PartialEq)]
pub struct Recipients {
    /// The addresses to send to, each once, register first.
    pub accepted: Vec<Address>,
    /// Addresses left out, each as `address: why` in Swedish.
    pub rejected: Vec<String>,
}

/// The separators of several addresses in one cell or register entry.
fn split(s: &str) -> impl Iterator<Item = &str> {
    s.split([';', ',', ' ', '\n', '\t'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
}

/// Whether `addr`'s domain is one of `domains` (exactly, ignoring case: a
/// subdomain must be listed itself).
pub fn domain_allowed(addr: &Address, domains: &[String]) -> bool {
    let d = addr.domain().trim_end_matches('.');
    domains
        .iter()
        .any(|a| a.trim().trim_end_matches('.').eq_ignore_ascii_case(d))
}

/// The recipients of `o`'s feedback under `email` (none configured: the
/// register's addresses only).
pub fn of(o: &OrgData, email: Option<&Email>) -> Recipients {
    let mut r = Recipients::default();
    let add = |r: &mut Recipients, a: Address| {
        if !r.accepted.contains(&a) {
            r.accepted.push(a);
        }
    };
    for entry in &o.org.epost {
        for s in split(entry) {
            match s.parse::<Address>() {
                Ok(a) => add(&mut r, a),
                Err(_) => r
                    .rejected
                    .push(format!("{s}: ogiltig adress i registret (uppsikt.yaml)")),
            }
        }
    }
    let Some(email) = email.filter(|e| e.inlamningens_adress) else {
        return r;
    };
    let sheets = [
        o.verksamhet.as_ref().map(|v| &v.inlamning),
        o.leverantor.as_ref().map(|v| &v.inlamning),
        o.katalog.as_ref().map(|v| &v.inlamning),
    ];
    // Each address once, even when several of its workbooks name it.
    let mut seen: Vec<&str> = Vec::new();
    for i in sheets.into_iter().flatten() {
        let field = &i.record.e_post;
        let Some(cell) = field.value.as_deref() else {
            continue;
        };
        for s in split(cell) {
            if seen.iter().any(|x| x.eq_ignore_ascii_case(s)) {
                continue;
            }
            seen.push(s);
            let place = &field.loc;
            match s.parse::<Address>() {
                Ok(a) if domain_allowed(&a, &email.tillatna_domaner) => add(&mut r, a),
                Ok(_) => r.rejected.push(format!(
                    "{s}: domänen finns inte bland tillatna_domaner ({place})"
                )),
                Err(_) => r.rejected.push(format!("{s}: ogiltig adress ({place})")),
            }
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_domains_exactly() {
        let domains = vec!["goteborg.se".to_string(), "Stadshuset.Goteborg.se".into()];
        let ok = |s: &str| domain_allowed(&s.parse().unwrap(), &domains);
        assert!(ok("anna@goteborg.se"));
        assert!(ok("anna@GOTEBORG.SE"));
        assert!(ok("anna@stadshuset.goteborg.se"));
        assert!(!ok("anna@intraservice.goteborg.se"));
        assert!(!ok("anna@goteborg.se.evil.example"));
        assert!(!ok("anna@evilgoteborg.se"));
    }

    #[test]
    fn separators() {
        let v: Vec<&str> = split("a@x.se; b@x.se,c@x.se  d@x.se").collect();
        assert_eq!(v, ["a@x.se", "b@x.se", "c@x.se", "d@x.se"]);
    }
}
