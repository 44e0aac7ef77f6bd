//! Delivery of the feedback to each submitter (issue 21): an outbox of
//! ready-to-send messages (`utskick/<id>.eml`, the default) and, when
//! `epost.server` is configured, sending them over SMTP.
//!
//! Never twice: an organisation gets a message only when the fingerprint of
//! its feedback ([`fingerprint`]) differs from the one last sent to it, as
//! recorded in an earlier run folder's `utskick.json` ([`record`]), unless
//! every organisation is asked for. Sending happens after the run folder is
//! published; its outcome is then written to the run folder (`utskick.json`
//! and the `utskick` of `manifest.json`, each replaced atomically).
//!
//! Layer: above `report` (it reads the run's data and the feedback
//! workbooks), below `run`.

pub mod fingerprint;
pub mod outbox;
pub mod recipients;
pub mod record;
pub mod smtp;

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::report::feedback::ByOrg;
use crate::report::RunData;

/// The folder of the run folder that holds the outbox.
pub const OUTBOX_DIR: &str = "utskick";

/// What a run was asked to do about delivery (`skicka_aterkoppling: true`
/// on its schedule, or `--skicka`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Request {
    /// Send to every organisation with an address, changed or not
    /// (`--skicka-alla`).
    pub all: bool,
    /// Write the outbox and say who would get what, sending nothing
    /// (`--torrkorning`).
    pub dry_run: bool,
}

/// What became (or, before sending, is to become) of one organisation's
/// feedback. The labels are `utskick`'s `status` in `manifest.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    /// To be sent once the run folder is published (what the manifest says
    /// until sending has ended: a crash while sending leaves it so).
    #[serde(rename = "planerad")]
    Planned,
    /// Sent: the relay accepted the message for every recipient.
    #[serde(rename = "skickad")]
    Sent,
    /// Not sent: the feedback is the same as what was last sent.
    #[serde(rename = "oförändrad")]
    Unchanged,
    /// Not sent: the organisation has no usable address.
    #[serde(rename = "saknar adress")]
    NoAddress,
    /// Written to the outbox only: no SMTP server is configured.
    #[serde(rename = "i utkorgen")]
    Outbox,
    /// Written to the outbox only: a dry run (`--torrkorning`).
    #[serde(rename = "torrkörning")]
    DryRun,
    /// Sending failed (`orsak` says why).
    #[serde(rename = "misslyckad")]
    Failed,
}

impl State {
    /// The Swedish label, as in the manifest and the terminal.
    pub fn label(self) -> &'static str {
        match self {
            State::Planned => "planerad",
            State::Sent => "skickad",
            State::Unchanged => "oförändrad",
            State::NoAddress => "saknar adress",
            State::Outbox => "i utkorgen",
            State::DryRun => "torrkörning",
            State::Failed => "misslyckad",
        }
    }
}

/// One organisation's delivery: the record written to `utskick.json` and
/// the manifest's `utskick`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Item {
    /// The organisation id.
    pub organisation: String,
    /// What became of it.
    pub status: State,
    /// Who gets (or got) the message.
    pub mottagare: Vec<String>,
    /// Addresses left out, each with why (e.g. a domain not allowed).
    #[serde(default)]
    pub avvisade: Vec<String>,
    /// The fingerprint of its findings and warnings.
    pub fingeravtryck: String,
    /// The run folder whose message last reached it, if any.
    #[serde(default)]
    pub senast_skickad: Option<String>,
    /// The message in the outbox, relative to the run folder.
    #[serde(default)]
    pub fil: Option<String>,
    /// Why it failed (empty otherwise).
    #[serde(default)]
    pub orsak: String,
    /// Findings in the message.
    #[serde(default)]
    pub iakttagelser: usize,
}

/// Decide, per register organisation, whether its feedback goes out:
/// recipients, fingerprint, and the last message sent to it (from the
/// earlier run folders under `outputs`).
pub fn plan(d: &RunData<'_>, outputs: &Path, req: Request) -> Vec<Item> {
    let mine = ByOrg::of(d);
    let last = record::last_sent(outputs);
    let email = d.settings.config.epost.as_ref();
    let mut items = Vec::with_capacity(d.model.orgs.len());
    for o in &d.model.orgs {
        let id = o.org.id.as_str();
        if !crate::model::valid_org_id(id) {
            continue; // no feedback workbook is written for it either
        }
        let findings = mine.findings.get(id).map(Vec::as_slice).unwrap_or(&[]);
        let files = mine.files.get(id).map(Vec::as_slice).unwrap_or(&[]);
        let fp = fingerprint::of(findings, files);
        let to = recipients::of(o, email);
        for r in &to.rejected {
            tracing::warn!(org = id, address = %r, "address left out of the delivery");
        }
        let previous = last.get(id);
        let status = if to.accepted.is_empty() {
            State::NoAddress
        } else if !req.all && previous.is_some_and(|p| p.fingerprint == fp) {
            State::Unchanged
        } else {
            State::Planned
        };
        items.push(Item {
            organisation: id.to_string(),
            status,
            mottagare: to.accepted.iter().map(ToString::to_string).collect(),
            avvisade: to.rejected,
            fingeravtryck: fp,
            senast_skickad: previous.map(|p| p.run.clone()),
            fil: None,
            orsak: String::new(),
            iakttagelser: findings.len(),
        });
    }
    items
}

/// Before the run folder is published: messages that will not go over SMTP
/// say so already (a dry run, or no `epost.server`), so the manifest and
/// the report written before publishing tell the truth; only messages to
/// be sent stay [`State::Planned`].
pub fn settle_offline(items: &mut [Item], req: Request, email: Option<&crate::config::Email>) {
    let has_server = email.and_then(|e| e.server.as_deref()).is_some();
    for it in items.iter_mut().filter(|i| i.status == State::Planned) {
        if req.dry_run {
            it.status = State::DryRun;
        } else if !has_server {
            it.status = State::Outbox;
        }
    }
}

/// After the run folder `folder` is published: send what is planned, then
/// record the outcome in `utskick.json` and in `manifest.json` (`utskick`,
/// and `slutstatus` raised to [`crate::exit::PARTIAL`] when a send failed), each
/// replaced atomically. Returns whether any send failed.
pub fn send_and_record(
    folder: &Path,
    run_name: &str,
    email: Option<&crate::config::Email>,
    items: &mut [Item],
) -> Result<bool, std::io::Error> {
    if let Some((email, server)) = email.and_then(|e| Some((e, e.server.as_deref()?))) {
        if items.iter().any(|i| i.status == State::Planned) {
            smtp::send_all(folder, email, server, items);
        }
    }
    let failed = items.iter().any(|i| i.status == State::Failed);
    let rec = record::Record {
        korning: run_name.to_string(),
        utskick: items.to_vec(),
    };
    let json = serde_json::to_vec_pretty(&rec).map_err(std::io::Error::other)?;
    record::write_atomic(&folder.join(record::FILE), &json)?;
    let manifest_path = folder.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path)?).map_err(std::io::Error::other)?;
    manifest["utskick"] = serde_json::to_value(&*items).map_err(std::io::Error::other)?;
    if failed && manifest["slutstatus"].as_i64() == Some(i64::from(crate::exit::OK)) {
        manifest["slutstatus"] = serde_json::json!(crate::exit::PARTIAL);
    }
    let json = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
    record::write_atomic(&manifest_path, &json)?;
    Ok(failed)
}

/// The report's `Utskick` rows for `items` (names from the register).
pub fn report_rows(
    items: &[Item],
    model: &crate::model::Model,
) -> Vec<crate::report::sheets::utskick::Row> {
    let names: HashMap<&str, &str> = model
        .orgs
        .iter()
        .map(|o| (o.org.id.as_str(), o.org.namn.as_str()))
        .collect();
    items
        .iter()
        .map(|i| crate::report::sheets::utskick::Row {
            organisation: i.organisation.clone(),
            namn: names
                .get(i.organisation.as_str())
                .map(|n| n.to_string())
                .unwrap_or_default(),
            status: i.status.label(),
            mottagare: i.mottagare.join(", "),
            // The address only: why, and where it stood, is in utskick.json.
            avvisade: i
                .avvisade
                .iter()
                .map(|a| a.split(": ").next().unwrap_or(a))
                .collect::<Vec<_>>()
                .join(", "),
            iakttagelser: i.iakttagelser,
        })
        .collect()
}
