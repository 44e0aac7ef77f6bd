//! Sending the outbox over SMTP (`epost.server`), with lettre: STARTTLS
//! (required, the default), implicit TLS, or (only for a relay on the same
//! machine or a test) none. The password comes only from the environment
//! variable `epost.losenord_miljovariabel` names.

use std::path::Path;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{Address, SmtpTransport, Transport};

use super::{Item, State};
use crate::config::{Email, SmtpTls};

/// The transport for `email`'s server, or why there is none.
fn transport(email: &Email, server: &str) -> Result<SmtpTransport, String> {
    let tls = match email.tls {
        SmtpTls::None => Tls::None,
        SmtpTls::Starttls | SmtpTls::Implicit => {
            let params = TlsParameters::new(server.to_string())
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
