//! Sending the outbox over SMTP (`epost.server`), with lettre: STARTTLS
//! (required, the default), implicit TLS, or (only for a relay on the same
//! machine or a test) none. The password comes only from the environment
//! variable `epost.losenord_miljovariabel` names.

use std::path::Path;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{Address, SmtpTransport, Transport};

use super::{Item, State};
use crate::config::{Email, SmtpTls};

/// The transport for `email`'s server, or why there is none.
fn transport(email: &Email, server: &str) -> Result<SmtpTransport, String> {
    let tls = match email.tls {
        SmtpTls::None => Tls::None,
        SmtpTls::Starttls | SmtpTls::Implicit => {
            let mut params = TlsParameters::builder(server.to_string());
            if let Some(ca) = &email.ca_fil {
                params = params.add_root_certificate(ca_certificate(ca)?);
            }
            let params = params
                .build()
                .map_err(|e| format!("TLS kan inte ställas in: {e}"))?;
            if email.tls == SmtpTls::Starttls {
                Tls::Required(params)
            } else {
                Tls::Wrapper(params)
            }
        }
    };
    let mut b = SmtpTransport::builder_dangerous(server)
        .port(email.port())
        .tls(tls)
        .timeout(Some(Duration::from_secs(email.tidsgrans_sekunder)));
    if let (Some(user), Some(var)) = (&email.anvandare, &email.losenord_miljovariabel) {
        let password = std::env::var(var)
            .map_err(|_| format!("miljövariabeln {var} (lösenordet för {user}) är inte satt"))?;
        b = b.credentials(Credentials::new(user.clone(), password));
    }
    Ok(b.build())
}

/// The CA certificates of `epost.ca_fil`, or why they cannot be used.
fn ca_certificate(path: &Path) -> Result<Certificate, String> {
    let pem = std::fs::read(path)
        .map_err(|e| format!("epost.ca_fil {} kan inte läsas: {e}", path.display()))?;
    let not_pem = || format!("epost.ca_fil {} är inget PEM-certifikat", path.display());
    if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(not_pem());
    }
    Certificate::from_pem(&pem).map_err(|_| not_pem())
}

/// A send error in Swedish, with lettre's own detail after it.
fn describe(e: &SmtpError) -> String {
    let what = if e.is_timeout() {
        "tidsgränsen nåddes"
    } else if e.is_tls() {
        "TLS misslyckades"
    } else if e.is_permanent() {
        "servern avvisade meddelandet"
    } else if e.is_transient() {
        "servern avvisade meddelandet tillfälligt"
    } else {
        "kunde inte ansluta till servern"
    };
    let mut detail = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        src = s.source();
    }
    format!("{what} ({detail})")
}

/// Send every planned message of `items` (status [`State::Planned`]) from
/// the published run folder `folder`, marking each [`State::Sent`] or
/// [`State::Failed`] with its reason. After a failure of the connection
/// itself (not of one message) the rest are not tried: they fail with the
/// same reason, so an unreachable relay costs one timeout, not one each.
pub fn send_all(folder: &Path, email: &Email, server: &str, items: &mut [Item]) {
    let planned = |i: &&mut Item| i.status == State::Planned;
    let fail_all = |items: &mut [Item], reason: &str| {
        for it in items.iter_mut().filter(planned) {
            tracing::error!(org = %it.organisation, reason, "feedback not sent");
            it.status = State::Failed;
            it.orsak = reason.to_string();
        }
    };
    let from: Address = match email.avsandare.parse::<lettre::message::Mailbox>() {
        Ok(m) => m.email,
        Err(_) => {
            let reason = format!("avsandare \"{}\" är ingen giltig adress", email.avsandare);
            fail_all(items, &reason);
            return;
        }
    };
    let transport = match transport(email, server) {
        Ok(t) => t,
        Err(reason) => {
            fail_all(items, &reason);
            return;
        }
    };
    let mut broken: Option<String> = None;
    for it in items.iter_mut().filter(planned) {
        let org = it.organisation.clone();
        let result = match &broken {
            Some(r) => Err(format!("inte försökt efter tidigare fel: {r}")),
            None => send_one(&transport, folder, &from, it).map_err(|(reason, fatal)| {
                if fatal {
                    broken = Some(reason.clone());
                }
                reason
            }),
        };
        match result {
            Ok(()) => {
                tracing::info!(org = %org, to = %it.mottagare.join(", "), "feedback sent");
                it.status = State::Sent;
            }
            Err(reason) => {
                tracing::error!(org = %org, reason = %reason, "feedback not sent");
                it.status = State::Failed;
                it.orsak = reason;
            }
        }
    }
}

/// Send one message: `Err((reason, whether the connection itself failed))`.
fn send_one(
    transport: &SmtpTransport,
    folder: &Path,
    from: &Address,
    it: &Item,
) -> Result<(), (String, bool)> {
    let Some(fil) = &it.fil else {
        return Err(("meddelandet finns inte i utkorgen".into(), false));
    };
    let path = folder.join(fil);
    let bytes = std::fs::read(&path)
        .map_err(|e| (format!("{} kan inte läsas: {e}", path.display()), false))?;
    let to: Vec<Address> = it.mottagare.iter().filter_map(|a| a.parse().ok()).collect();
    let envelope = Envelope::new(Some(from.clone()), to)
        .map_err(|e| (format!("kuvertet kan inte byggas: {e}"), false))?;
    transport
        .send_raw(&envelope, &bytes)
        .map(|_| ())
        .map_err(|e| {
            let fatal = !(e.is_permanent() || e.is_transient());
            (describe(&e), fatal)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(ca: Option<std::path::PathBuf>) -> Email {
        Email {
            avsandare: "s@goteborg.se".into(),
            kontakt: None,
            server: Some("smtp.goteborg.se".into()),
            port: None,
            tls: SmtpTls::Starttls,
            ca_fil: ca,
            anvandare: None,
            losenord_miljovariabel: None,
            tidsgrans_sekunder: 5,
            inlamningens_adress: false,
            tillatna_domaner: vec![],
        }
    }

    #[test]
    fn a_ca_file_that_cannot_be_used_is_named() {
        let dir = tempfile::tempdir().unwrap();
        assert!(transport(&email(None), "smtp.goteborg.se").is_ok());
        let missing = dir.path().join("saknas.pem");
        let err = transport(&email(Some(missing.clone())), "smtp.goteborg.se").unwrap_err();
        assert!(
            err.starts_with(&format!(
                "epost.ca_fil {} kan inte läsas: ",
                missing.display()
            )),
            "{err}"
        );
        let junk = dir.path().join("skrap.pem");
        std::fs::write(&junk, "inget certifikat").unwrap();
        let err = transport(&email(Some(junk.clone())), "smtp.goteborg.se").unwrap_err();
        assert_eq!(
            err,
            format!("epost.ca_fil {} är inget PEM-certifikat", junk.display())
        );
    }

    #[test]
    fn a_missing_password_variable_is_named() {
        let mut e = email(None);
        e.anvandare = Some("svc-uppsikt".into());
        e.losenord_miljovariabel = Some("UPPSIKT_TEST_LOSENORD_SOM_INTE_FINNS".into());
        let err = transport(&e, "smtp.goteborg.se").unwrap_err();
        assert_eq!(
            err,
            "miljövariabeln UPPSIKT_TEST_LOSENORD_SOM_INTE_FINNS (lösenordet för svc-uppsikt) är inte satt"
        );
    }
}
