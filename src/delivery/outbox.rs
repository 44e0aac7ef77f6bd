//! `utskick/<id>.eml`: each message to send, as a standard RFC 5322 file
//! (UTF-8, a short Swedish text and the feedback workbook attached) that
//! any mail client opens and sends. SMTP sends these very bytes.

use std::path::Path;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

use super::{Item, State, OUTBOX_DIR};
use crate::report::feedback::ByOrg;
use crate::report::RunData;
use crate::rules::Evaluation;

/// The sender when `uppsikt.yaml` has no `epost:` section (the outbox's
/// messages are then sent by hand, from the sender's own mail client).
pub const DEFAULT_SENDER: &str = "uppsikt <uppsikt@localhost>";

/// The content type of an `.xlsx` attachment.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Why a message could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// `epost.avsandare` is no address.
    #[error("epost: avsandare \"{0}\" är ingen giltig adress")]
    Sender(String),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The message could not be built.
    #[error("meddelandet till {org} kunde inte byggas: {reason}")]
    Build {
        /// The organisation.
        org: String,
        /// What lettre said.
        reason: String,
    },
}

/// The sender's mailbox: `epost.avsandare`, or [`DEFAULT_SENDER`].
pub fn sender(d: &RunData<'_>) -> Result<Mailbox, OutboxError> {
    let s = d
        .settings
        .config
        .epost
        .as_ref()
        .map(|e| e.avsandare.as_str())
        .unwrap_or(DEFAULT_SENDER);
    s.parse().map_err(|_| OutboxError::Sender(s.to_string()))
}

/// The subject line.
pub fn subject(d: &RunData<'_>, name: &str) -> String {
    format!(
        "Återkoppling från stadsledningskontoret: {name}, period {}",
        d.settings.period
    )
}

/// At most `n` characters of `s`, with `…` when cut.
fn cut(s: &str, n: usize) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= n {
        one_line
    } else {
        let mut t: String = one_line.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// The message text: the period, the findings per severity, the three
/// most important in one line each, what happens next and whom to ask.
pub fn body(
    d: &RunData<'_>,
    id: &str,
    name: &str,
    findings: &[&Evaluation],
    warnings: usize,
) -> String {
    use crate::rules::Severity;
    let mut t = String::new();
    t.push_str("Hej!\n\n");
    t.push_str(&format!(
        "Här är stadsledningskontorets återkoppling till {name} ({id}) för period {}, bedömd per {}. Den bifogade arbetsboken {id}.xlsx visar varje iakttagelse, var den finns och vad ni behöver göra.\n\n",
        d.settings.period,
        crate::model::iso_date(d.settings.per)
    ));
    if findings.is_empty() {
        t.push_str("Iakttagelser: inga.\n");
    } else {
        let n = |s: Severity| findings.iter().filter(|e| e.severity == s).count();
        t.push_str(&format!(
            "Iakttagelser: {} ({} med hög, {} med medel och {} med låg allvarlighet).\n",
            findings.len(),
            n(Severity::Hog),
            n(Severity::Medel),
            n(Severity::Lag)
        ));
    }
    if warnings > 0 {
        t.push_str(&format!(
            "Inläsningsvarningar: {warnings} (celler som inte gick att läsa, se arbetsboken).\n"
        ));
    }
    if !findings.is_empty() {
        // Most severe first; within a severity, the report's order.
        let mut top: Vec<&&Evaluation> = findings.iter().collect();
        top.sort_by_key(|e| e.severity);
        t.push_str("\nDet viktigaste:\n");
        for e in top.iter().take(3) {
            let what = if e.subject.is_empty() || *e.subject == *id {
                String::new()
            } else {
                format!("{}: ", e.subject)
            };
            t.push_str(&format!(
                "- {} ({}) {}\n",
                e.rule,
                e.severity.label(),
                cut(&format!("{what}{}", e.message), 160)
            ));
        }
    }
    t.push('\n');
    match &d.next_run {
        Some(next) => t.push_str(&format!(
            "Nästa körning är {next}. Lämna in en rättad arbetsbok före dess, så syns rättelserna i nästa återkoppling.\n"
        )),
        None => t.push_str(
            "En rättad arbetsbok läses vid nästa körning och syns i nästa återkoppling.\n",
        ),
    }
    let contact = d
        .settings
        .config
        .epost
        .as_ref()
        .and_then(|e| e.kontakt.as_deref())
        .unwrap_or("stadsledningskontoret");
    t.push_str(&format!(
        "Frågor om återkopplingen: kontakta {contact}.\n\n"
    ));
    t.push_str("Med vänlig hälsning\nStadsledningskontoret, Göteborgs Stad\n");
    t
}

/// Write the message of every organisation whose feedback is to go out
/// (status [`State::Planned`], [`State::Outbox`] or [`State::DryRun`]) into `run_dir/utskick/`, beside the feedback
/// workbooks it attaches; each item's `fil` names its message.
pub fn write_all(run_dir: &Path, d: &RunData<'_>, items: &mut [Item]) -> Result<(), OutboxError> {
    let from = sender(d)?;
    let mine = ByOrg::of(d);
    let out = run_dir.join(OUTBOX_DIR);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OutboxError::Io { path, source }
    };
    let goes_out =
        |i: &&mut Item| matches!(i.status, State::Planned | State::Outbox | State::DryRun);
    for it in items.iter_mut().filter(goes_out) {
        let id = it.organisation.as_str();
        let Some(o) = d.model.orgs.iter().find(|o| o.org.id == id) else {
            continue;
        };
        let findings = mine.findings.get(id).map(Vec::as_slice).unwrap_or(&[]);
        let warnings = mine
            .files
            .get(id)
            .map(|f| f.iter().map(|e| e.warnings.len()).sum())
            .unwrap_or(0);
        let xlsx_path = run_dir.join("aterkoppling").join(format!("{id}.xlsx"));
        let xlsx = std::fs::read(&xlsx_path).map_err(io(&xlsx_path))?;
        let mut b = Message::builder()
            .from(from.clone())
            .subject(subject(d, &o.org.namn))
            .message_id(Some(format!(
                "<{}.{id}@{}>",
                d.run_name,
                from.email.domain()
            )));
        for to in &it.mottagare {
            let Ok(a) = to.parse() else { continue };
            b = b.to(Mailbox::new(None, a));
        }
        if let Some(reply) = d
            .settings
            .config
            .epost
            .as_ref()
            .and_then(|e| e.kontakt.as_deref())
            .and_then(|k| k.parse::<Mailbox>().ok())
        {
            b = b.reply_to(reply);
        }
        let build = |reason: String| OutboxError::Build {
            org: id.to_string(),
            reason,
        };
        let xlsx_type = ContentType::parse(XLSX).map_err(|e| build(e.to_string()))?;
        let msg = b
            .multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(body(
                        d,
                        id,
                        &o.org.namn,
                        findings,
                        warnings,
                    )))
                    .singlepart(Attachment::new(format!("{id}.xlsx")).body(xlsx, xlsx_type)),
            )
            .map_err(|e| build(e.to_string()))?;
        std::fs::create_dir_all(&out).map_err(io(&out))?;
        let path = out.join(format!("{id}.eml"));
        std::fs::write(&path, msg.formatted()).map_err(io(&path))?;
        it.fil = Some(format!("{OUTBOX_DIR}/{id}.eml"));
    }
    Ok(())
}
