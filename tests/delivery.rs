//! Feedback delivered to each submitter (issue 21): a small SMTP server in
//! the test receives what the real binary sends.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::fixture::{d, valid_verksamhet};
use crate::common::{stdout, Workspace};
use crate::row;

/// One message as the server received it.
#[derive(Clone)]
struct Received {
    rcpt: Vec<String>,
    data: Vec<u8>,
}

impl std::fmt::Debug for Received {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "message to {:?} ({} bytes)", self.rcpt, self.data.len())
    }
}

/// An SMTP server on 127.0.0.1 speaking just what lettre needs (EHLO, MAIL,
/// RCPT, DATA, RSET, QUIT), one connection at a time, for at most 60
/// seconds and 20 connections.
struct Server {
    port: u16,
    refuse: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    got: Arc<Mutex<Vec<Received>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let got = Arc::new(Mutex::new(Vec::new()));
        let refuse: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
        let (s, g, f) = (stop.clone(), got.clone(), refuse.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut connections = 0;
            while !s.load(Ordering::SeqCst) && Instant::now() < deadline && connections < 20 {
                match listener.accept() {
                    Ok((stream, _)) => {
                        connections += 1;
                        serve(stream, &g, &f.lock().unwrap().clone());
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            port,
            refuse,
            stop,
            got,
            thread: Some(thread),
        }
    }

    /// Everything received so far, and forget it.
    fn take(&self) -> Vec<Received> {
        std::mem::take(&mut *self.got.lock().unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, got: &Mutex<Vec<Received>>, refuse: &[String]) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut w = stream.try_clone().unwrap();
    let mut r = BufReader::new(stream);
    let mut say = |s: &str| w.write_all(format!("{s}\r\n").as_bytes());
    if say("220 test ESMTP").is_err() {
        return;
    }
    let mut rcpt = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        let reply = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            "250 test"
        } else if upper.starts_with("MAIL FROM") || upper.starts_with("RSET") {
            rcpt.clear();
            "250 OK"
        } else if upper.starts_with("RCPT TO") {
            let a = cmd[cmd.find('<').unwrap() + 1..cmd.rfind('>').unwrap()].to_string();
            if refuse.contains(&a) {
                "550 5.1.1 no such user"
            } else {
                rcpt.push(a);
                "250 OK"
            }
        } else if upper == "DATA" {
            let _ = say("354 go ahead");
            let mut data = Vec::new();
            loop {
                let mut l = Vec::new();
                if r.read_until(b'\n', &mut l).unwrap_or(0) == 0 {
                    return;
                }
                if l == b".\r\n" {
                    break;
                }
                // Dot-stuffing undone.
                let l = if l.starts_with(b"..") {
                    &l[1..]
                } else {
                    &l[..]
                };
                data.extend_from_slice(l);
            }
            got.lock().unwrap().push(Received {
                rcpt: std::mem::take(&mut rcpt),
                data,
            });
            "250 queued"
        } else if upper == "QUIT" {
            let _ = say("221 bye");
            return;
        } else {
            "502 not implemented"
        };
        if say(reply).is_err() {
            return;
        }
    }
}

/// Standard base64, ignoring line breaks.
fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// A header's value, unfolded, with RFC 2047 base64 words decoded (as lettre writes them).
fn header(msg: &[u8], name: &str) -> String {
    let text = String::from_utf8_lossy(msg);
    let head = text.split("\r\n\r\n").next().unwrap();
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let line = unfolded
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .unwrap_or_else(|| panic!("no {name} header in\n{head}"));
    let value = line[name.len() + 1..].trim();
    // Whitespace between two encoded words is dropped (RFC 2047), kept elsewhere.
    let mut out = String::new();
    let mut bytes = Vec::new();
    let mut prev_encoded = false;
    for word in value.split(' ') {
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            if !prev_encoded && !out.is_empty() {
                out.push(' ');
            }
            bytes.extend(base64(&word[10..word.len() - 2]));
            prev_encoded = true;
        } else {
            out.push_str(&String::from_utf8(std::mem::take(&mut bytes)).unwrap());
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
            prev_encoded = false;
        }
    }
    out.push_str(&String::from_utf8(bytes).unwrap());
    out
}

/// The base64 body of the MIME part whose headers name `filename`.
fn attachment(msg: &[u8], filename: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(msg);
    let at = text
        .find(&format!("filename=\"{filename}\""))
        .unwrap_or_else(|| panic!("no attachment {filename}"));
    let part = &text[at..];
    let body_start = part.find("\r\n\r\n").unwrap() + 4;
    let body = &part[body_start..];
    let end = body.find("\r\n--").unwrap();
    base64(&body[..end])
}

/// The workspace's register with `epost:` lists for KOV and TN, and
/// `extra` (an `epost:` section, or nothing) appended.
fn workspace(extra: &str) -> Workspace {
    let ws = Workspace::new();
    let yaml = std::fs::read_to_string(ws.config()).unwrap();
    let yaml = yaml
        .replace(
            "  - id: KOV\n",
            "  - id: KOV\n    epost: [registrator.kov@goteborg.se]\n",
        )
        .replace(
            "  - id: TN\n",
            "  - id: TN\n    epost: [\"tn@goteborg.se; trafik@goteborg.se\"]\n",
        );
    std::fs::write(ws.config(), format!("{yaml}\n{extra}")).unwrap();
    ws
}

fn epost(port: u16, more: &str) -> String {
    format!(
        "epost:\n  avsandare: \"Stadsledningskontoret <uppsikt@stadshuset.goteborg.se>\"\n  kontakt: digitalisering@stadshuset.goteborg.se\n  server: 127.0.0.1\n  port: {port}\n  tls: ingen\n  tidsgrans_sekunder: 5\n{more}"
    )
}

/// A Verksamhet workbook for `org` whose one system reaches `level` of
/// skyddsbehov 3 (below it: a finding).
fn submit(ws: &Workspace, org: &str, level: i32, email: Option<&str>) {
    let mut b = valid_verksamhet(org, "2026").sheet_table(
        "System",
        &[
            "System",
            "Skyddsbehov",
            "Uppnådd säkerhetsnivå",
            "Senaste riskbedömning",
        ],
        vec![row![format!("System {org}"), 3, level, d(2026, 5, 1)]],
    );
    if let Some(e) = email {
        b = b.kv("Inlämning", "E-post", e);
    }
    b.save(ws.inputs().join(format!("{org}.xlsx")));
}

fn run(ws: &Workspace, args: &[&str]) -> (i32, PathBuf, String) {
    let before = ws.run_folders();
    let mut all = vec!["run", "--per", "2026-11-26"];
    all.extend_from_slice(args);
    let o = ws.cmd(&all).output();
    let after = ws.run_folders();
    let new: Vec<_> = after.iter().filter(|p| !before.contains(p)).collect();
    assert_eq!(new.len(), 1, "{}", crate::common::stderr(&o));
    (o.status.code().unwrap(), new[0].clone(), stdout(&o))
}

fn manifest(run: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(run.join("manifest.json")).unwrap()).unwrap()
}

/// `utskick`'s status per organisation, for the organisations given.
/// Organisation `org`'s entry in a manifest's `utskick`.
fn utskick_of<'a>(m: &'a serde_json::Value, org: &str) -> &'a serde_json::Value {
    m["utskick"]
        .as_array()
        .expect("utskick")
        .iter()
        .find(|i| i["organisation"] == org)
        .unwrap_or_else(|| panic!("{org} not in utskick"))
}

fn statuses(run: &Path, orgs: &[&str]) -> Vec<String> {
    let m = manifest(run);
    orgs.iter()
        .map(|o| utskick_of(&m, o)["status"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn feedback_is_sent_once_and_again_only_when_it_changed() {
    let server = Server::start();
    let ws = workspace(&epost(server.port, ""));
    submit(&ws, "KOV", 2, None);
    submit(&ws, "TN", 2, None);
    submit(&ws, "GSN", 2, None);

    // A dry run writes the outbox and says who would get what; nothing is sent.
    let (code, dry, out) = run(&ws, &["--skicka", "--torrkorning"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("KOV    registrator.kov@goteborg.se: skulle få utskick/KOV.eml ("),
        "{out}"
    );
    assert!(out.contains("GSN    –: saknar adress"), "{out}");
    assert!(dry.join("utskick/KOV.eml").is_file());
    // The report's Utskick sheet shows the plan.
    {
        use calamine::Reader;
        let mut wb = calamine::open_workbook_auto(dry.join("uppsikt-rapport.xlsx")).unwrap();
        let sheet = wb.worksheet_range("Utskick").unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(
            rows[0][..4],
            ["Organisations-id", "Organisation", "Utskick", "Mottagare"]
        );
        let kov = rows.iter().find(|r| r[0] == "KOV").expect("a KOV row");
        assert_eq!(
            kov[1..4],
            [
                "Kretslopp och vattennämnden",
                "torrkörning",
                "registrator.kov@goteborg.se"
            ]
        );
    }
    assert_eq!(
        statuses(&dry, &["KOV", "TN", "GSN"]),
        ["torrkörning", "torrkörning", "saknar adress"]
    );
    assert!(server.take().is_empty());

    let (code, first, out) = run(&ws, &["--skicka"]);
    assert_eq!(code, 0, "{out}");
    let mut got = server.take();
    got.sort_by(|a, b| a.rcpt.cmp(&b.rcpt));
    let rcpts: Vec<_> = got.iter().map(|m| m.rcpt.clone()).collect();
    assert_eq!(
        rcpts,
        [
            vec!["registrator.kov@goteborg.se".to_string()],
            vec![
                "tn@goteborg.se".to_string(),
                "trafik@goteborg.se".to_string()
            ],
        ]
    );
    assert_eq!(
        header(&got[0].data, "Subject"),
        "Återkoppling från stadsledningskontoret: Kretslopp och vattennämnden, period 2026"
    );
    assert_eq!(
        attachment(&got[0].data, "KOV.xlsx"),
        std::fs::read(first.join("aterkoppling/KOV.xlsx")).unwrap()
    );
    assert_eq!(
        attachment(&got[1].data, "TN.xlsx"),
        std::fs::read(first.join("aterkoppling/TN.xlsx")).unwrap()
    );
    // What was sent is exactly the outbox's message (SMTP ends it with a line break).
    let eml = std::fs::read(first.join("utskick/KOV.eml")).unwrap();
    let sent = &got[0].data;
    assert!(
        sent == &eml || sent.strip_suffix(b"\r\n") == Some(&eml[..]),
        "the message sent differs from utskick/KOV.eml"
    );
    assert_eq!(
        statuses(&first, &["KOV", "TN", "GSN"]),
        ["skickad", "skickad", "saknar adress"]
    );
    assert!(first.join("utskick.json").is_file());

    // The same inputs again: nothing is sent.
    let (code, second, out) = run(&ws, &["--skicka"]);
    assert_eq!(code, 0, "{out}");
    assert!(server.take().is_empty());
    assert_eq!(
        statuses(&second, &["KOV", "TN"]),
        ["oförändrad", "oförändrad"]
    );
    assert!(!second.join("utskick/KOV.eml").exists());

    // KOV fixes its finding: only KOV hears of it.
    submit(&ws, "KOV", 3, None);
    let (code, third, out) = run(&ws, &["--skicka"]);
    assert_eq!(code, 0, "{out}");
    let got = server.take();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt, ["registrator.kov@goteborg.se"]);
    assert_eq!(statuses(&third, &["KOV", "TN"]), ["skickad", "oförändrad"]);

    // --skicka-alla sends to everyone with an address, changed or not.
    let (_, _, _) = run(&ws, &["--skicka-alla"]);
    assert_eq!(server.take().len(), 2);
}

#[test]
fn an_uploaded_address_outside_the_allowed_domains_gets_nothing() {
    let server = Server::start();
    let ws = workspace(&epost(
        server.port,
        "  inlamningens_adress: true\n  tillatna_domaner: [goteborg.se]\n",
    ));
    submit(
        &ws,
        "KOV",
        2,
        Some("chef.kov@goteborg.se; chef@example.com"),
    );
    submit(&ws, "GSN", 2, Some("rektor@gmail.com"));
    let (code, run_dir, out) = run(&ws, &["--skicka"]);
    assert_eq!(code, 0, "{out}");
    let mut got = server.take();
    got.sort_by(|a, b| a.rcpt.cmp(&b.rcpt));
    // KOV, and TN (which submitted nothing: its feedback says so); not GSN.
    let rcpts: Vec<_> = got.iter().map(|m| m.rcpt.clone()).collect();
    assert_eq!(
        rcpts,
        [
            vec![
                "registrator.kov@goteborg.se".to_string(),
                "chef.kov@goteborg.se".to_string()
            ],
            vec![
                "tn@goteborg.se".to_string(),
                "trafik@goteborg.se".to_string()
            ],
        ]
    );
    for m in &got {
        let text = String::from_utf8_lossy(&m.data);
        assert!(!text.contains("example.com") && !text.contains("gmail.com"));
    }
    let m = manifest(&run_dir);
    let gsn = utskick_of(&m, "GSN");
    assert_eq!(gsn["status"], "saknar adress");
    assert_eq!(
        gsn["avvisade"][0],
        "rektor@gmail.com: domänen finns inte bland tillatna_domaner (GSN.xlsx[Inlämning]!B5)"
    );
}

#[test]
fn an_unreachable_server_costs_the_messages_not_the_run() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // closed again: nothing listens there
    let ws = workspace(&epost(port, ""));
    submit(&ws, "KOV", 2, None);
    submit(&ws, "TN", 2, None);
    let (code, run_dir, out) = run(&ws, &["--skicka"]);
    assert_eq!(code, 3, "{out}");
    crate::run_folder::assert_complete(&run_dir);
    let m = manifest(&run_dir);
    assert_eq!(m["slutstatus"], 3);
    let kov = utskick_of(&m, "KOV");
    assert_eq!(kov["status"], "misslyckad");
    assert!(
        kov["orsak"]
            .as_str()
            .unwrap()
            .starts_with("kunde inte ansluta till servern"),
        "{kov}"
    );
    assert_eq!(statuses(&run_dir, &["TN"]), ["misslyckad"]);
    // Nothing was recorded as sent: the next run tries again.
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run_dir.join("utskick.json")).unwrap()).unwrap();
    assert!(record["utskick"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["status"] != "skickad"));
}

#[test]
fn without_epost_and_without_skicka_nothing_changes() {
    let ws = workspace("");
    submit(&ws, "KOV", 2, None);
    let (code, plain, _) = run(&ws, &[]);
    assert_eq!(code, 0);
    assert!(manifest(&plain)["utskick"].is_null());
    assert!(!plain.join("utskick").exists());
    assert!(!plain.join("utskick.json").exists());

    // --skicka without a server: only the outbox.
    let (code, outbox, out) = run(&ws, &["--skicka"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(statuses(&outbox, &["KOV"]), ["i utkorgen"]);
    let eml = std::fs::read(outbox.join("utskick/KOV.eml")).unwrap();
    assert_eq!(header(&eml, "To"), "registrator.kov@goteborg.se");
    assert_eq!(
        attachment(&eml, "KOV.xlsx"),
        std::fs::read(outbox.join("aterkoppling/KOV.xlsx")).unwrap()
    );
    assert!(
        out.contains("KOV    registrator.kov@goteborg.se: i utkorgen: utskick/KOV.eml"),
        "{out}"
    );
}

#[test]
fn a_refused_recipient_fails_that_organisation_only() {
    let server = Server::start();
    server
        .refuse
        .lock()
        .unwrap()
        .push("registrator.kov@goteborg.se".into());
    let ws = workspace(&epost(server.port, ""));
    submit(&ws, "KOV", 2, None);
    // As the quarterly schedule, which delivers by itself.
    let (code, run_dir, out) = run(&ws, &["--schema", "kvartal"]);
    assert_eq!(code, 3, "{out}");
    let got = server.take();
    assert_eq!(got.len(), 1, "{got:?}");
    // TN, after KOV in the register, still gets its message.
    assert_eq!(got[0].rcpt, ["tn@goteborg.se", "trafik@goteborg.se"]);
    assert_eq!(
        statuses(&run_dir, &["KOV", "TN"]),
        ["misslyckad", "skickad"]
    );
    let m = manifest(&run_dir);
    let kov = utskick_of(&m, "KOV");
    assert!(
        kov["orsak"]
            .as_str()
            .unwrap()
            .starts_with("servern avvisade meddelandet"),
        "{kov}"
    );
    assert!(
        out.contains(
            "KOV    registrator.kov@goteborg.se: misslyckades: servern avvisade meddelandet"
        ),
        "{out}"
    );
}
