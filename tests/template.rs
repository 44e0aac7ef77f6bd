//! Submitter templates (`uppsikt mall`): generated from the contract's
//! schemas, read back by the real ingester. An untouched template is a valid,
//! empty submission; a template filled in through the same writer ingests
//! with zero warnings and every value written.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use calamine::{Data, Reader as _};
use chrono::NaiveDate;
use serde_json::Value as Json;

use uppsikt::config::Config;
use uppsikt::ingest::grid::CellValue;
use uppsikt::ingest::{self, IngestOptions};
use uppsikt::model::records::{self as rec};
use uppsikt::model::{OrgData, Organisation, Period, Record};
use uppsikt::template::{Cell, Filled, Service, Template, TemplateKind};

use crate::common::{stderr, stdout, Workspace};

const PER: &str = "2026-06-30";

fn date(y: i32, m: u32, d: u32) -> Cell {
    Cell::Date(NaiveDate::from_ymd_opt(y, m, d).expect("date"))
}

fn register(ws: &Workspace) -> Vec<Organisation> {
    Config::load(&ws.config()).expect("config").organisationer
}

fn org<'a>(reg: &'a [Organisation], id: &str) -> &'a Organisation {
    reg.iter().find(|o| o.id == id).expect("org in register")
}

/// `check --format json`: exit code and the input log.
fn check(ws: &Workspace) -> (i32, Json) {
    let o = ws
        .cmd(&["check", "--format", "json", "--per", PER])
        .output();
    let code = o.status.code().unwrap_or(-1);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let j: Json = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "check printed no JSON ({e}):\n{}\n{}",
            stdout(&o),
            stderr(&o)
        )
    });
    (code, j)
}

/// Every file `inläst` with zero warnings; returns the number of files.
fn assert_all_read_clean(j: &Json) -> usize {
    let files = j["filer"].as_array().expect("filer");
    for f in files {
        assert_eq!(f["status"], "inläst", "{f:#}");
        assert!(
            f["varningar"].as_array().expect("varningar").is_empty(),
            "warnings in {}:\n{:#}",
            f["sokvag"],
            f["varningar"]
        );
    }
    files.len()
}

/// `run`, then the evaluations of the new run folder.
fn run(ws: &Workspace) -> (i32, Vec<Json>) {
    let o = ws.cmd(&["run", "--per", PER]).output();
    let code = o.status.code().unwrap_or(-1);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let folder = ws
        .run_folders()
        .pop()
        .unwrap_or_else(|| panic!("no run folder; exit {code}\n{}\n{}", stdout(&o), stderr(&o)));
    (code, crate::common::results(&folder))
}

/// The library ingester over the workspace's inputs.
fn ingest_lib(ws: &Workspace) -> Vec<OrgData> {
    let opts = IngestOptions {
        period: Period::year(2026),
        settle: Duration::ZERO,
        limits: Default::default(),
        now: SystemTime::now(),
    };
    let read = ingest::ingest(&ws.inputs(), &register(ws), &opts).expect("ingest");
    for e in &read.log.entries {
        assert!(e.warnings.is_empty(), "{}: {:?}", e.path, e.warnings);
    }
    read.orgs
}

/// What the ingester makes of a written cell (its own normaliser).
fn expected(kind: uppsikt::model::Kind, cell: &Cell) -> uppsikt::model::Value {
    let cv = match cell {
        Cell::Text(s) => CellValue::Text(s.clone()),
        Cell::Number(n) => CellValue::Float(*n),
        Cell::Date(d) => CellValue::DateTime(d.and_hms_opt(0, 0, 0).expect("midnight")),
    };
    uppsikt::ingest::values::normalize(kind, &cv)
        .expect("a valid test value")
        .expect("a non-empty test value")
}

/// Every filled value of `want` is the record's value of that field.
fn assert_record<T: Record>(rec: &T, want: &BTreeMap<String, Cell>) {
    for (name, cell) in want {
        let (i, col) = T::SCHEMA
            .column(name)
            .unwrap_or_else(|| panic!("{}: no column {name}", T::SCHEMA.sheet));
        let (got, loc) = rec.field(i);
        assert_eq!(
            got,
            Some(expected(col.kind, cell)),
            "{} {name} at {}",
            T::SCHEMA.sheet,
            loc.cell()
        );
    }
}

/// Table rows read back in order, one per filled row.
fn assert_rows<T: Record>(rows: Option<&Vec<Arc<T>>>, filled: &Filled) {
    let sheet = T::SCHEMA.sheet;
    let want = filled.rows.get(sheet).cloned().unwrap_or_default();
    let rows = rows.unwrap_or_else(|| panic!("sheet {sheet} not read"));
    assert_eq!(rows.len(), want.len(), "{sheet}: rows read");
    for (r, w) in rows.iter().zip(&want) {
        assert_record(r.as_ref(), w);
    }
}

fn template<'a>(
    kind: TemplateKind,
    org: &'a Organisation,
    services: &'a [Service],
    filled: Option<&'a Filled>,
    reg: &[Organisation],
) -> Template<'a> {
    Template {
        kind,
        org,
        period: Period::year(2026),
        deadline: NaiveDate::from_ymd_opt(2026, 3, 31),
        services,
        register_ids: reg.iter().map(|o| o.id.clone()).collect(),
        filled,
    }
}

fn katalog_filled() -> Filled {
    let t = |s: &str| Cell::Text(s.into());
    let service = |id: &str, namn: &str, kat: &str, niva: &str| {
        vec![
            ("tjanst_id", t(id)),
            ("tjanst", t(namn)),
            ("kategori", t(kat)),
            ("leverantor", t("Intraservice")),
            ("pris", t("1 200 kr per användare och år")),
            ("prismodell", t("Kostnadsfördelning")),
            ("omfattning", t("Drift och support")),
            ("serviceniva", t("Vardagar 8–17")),
            ("malgrupp", t("Alla förvaltningar")),
            ("informationssakerhetsniva", t(niva)),
            ("krav_pa_kund", t("Utsedd kontaktperson")),
            ("giltig_fran", date(2026, 1, 1)),
        ]
    };
    Filled::new()
        .key("Inlämning", "inlamnad", date(2026, 2, 1))
        .key("Inlämning", "kontaktperson", "Ida Intra")
        .row(
            "Tjänster",
            service("IS-HR", "HR-stöd", "Bastjänst", "2 - Förhöjd"),
        )
        .row(
            "Tjänster",
            service("IS-EPOST", "E-post", "Bastjänst", "3 - Hög"),
        )
        .row(
            "Tjänster",
            service("IS-ANALYS", "Analysstöd", "Tilläggstjänst", "1 - Grund"),
        )
}

fn verksamhet_filled() -> Filled {
    let t = |s: &str| Cell::Text(s.into());
    Filled::new()
        .key("Inlämning", "inlamnad", date(2026, 3, 2))
        .key("Inlämning", "kontaktperson", "Karin Kretslopp")
        .key("Inlämning", "e_post", "karin.kretslopp@goteborg.se")
        .key("Digitaliseringsplan", "plan_finns", "Ja")
        .key(
            "Digitaliseringsplan",
            "dokumentnamn",
            "Digitaliseringsplan 2026",
        )
        .key(
            "Digitaliseringsplan",
            "beslutad_av",
            "Kretslopp och vattennämnden",
        )
        .key("Digitaliseringsplan", "beslutsdatum", date(2026, 1, 20))
        .key("Digitaliseringsplan", "diarienummer", "KOV-2026-001")
        .key("Digitaliseringsplan", "giltig_fran", 2026)
        .key("Digitaliseringsplan", "giltig_till", date(2027, 12, 31))
        .key("Digitaliseringsplan", "antal_insatser", 1)
        .key("Digitaliseringsplan", "effekter_beskrivna", "Ja")
        .key(
            "Digitaliseringsplan",
            "ingar_i_budget_eller_verksamhetsplan",
            "Nej",
        )
        .row(
            "Tjänster",
            vec![("tjanst_id", t("IS-HR")), ("anvands", t("Ja"))],
        )
        .row(
            "Tjänster",
            vec![
                ("tjanst_id", t("IS-EPOST")),
                ("anvands", t("Nej")),
                ("kommentar", t("Eget system till 2027")),
            ],
        )
        .row(
            "Tjänster",
            vec![("tjanst_id", t("IS-ANALYS")), ("anvands", t("Nej"))],
        )
        .row(
            "System",
            vec![
                ("system", t("Ärendesystem")),
                ("typ", t("Verksamhetsspecifik")),
                ("skyddsbehov", t("2 - Förhöjd")),
                ("uppnadd_sakerhetsniva", t("3 - Hög")),
                ("senaste_riskbedomning", date(2026, 2, 1)),
                ("personuppgifter", t("Ja")),
                ("personuppgiftsbitrade", t("Nej")),
                ("systemagare", t("Avdelningschef")),
                ("risk_accepterad", date(2026, 4, 22)),
            ],
        )
        .row(
            "System",
            vec![
                ("system", t("HR-stöd")),
                ("typ", t("Gemensam tjänst")),
                ("tjanst_id", t("IS-HR")),
                ("skyddsbehov", t("2 - Förhöjd")),
                ("uppnadd_sakerhetsniva", t("2 - Förhöjd")),
                ("personuppgifter", t("Ja")),
                ("personuppgiftsbitrade", t("Ja")),
                ("instruktion_till_bitrade", t("Ja")),
            ],
        )
        .row(
            "Avsteg",
            vec![
                ("avsteg_id", t("AV-1")),
                ("tjanst_id", t("IS-EPOST")),
                ("motivering", t("Eget e-postsystem upphandlat till 2027")),
                ("dialog_med_leverantor", date(2026, 1, 10)),
                ("beslutat_av", t("Kretslopp och vattennämnden")),
                ("beslutsdatum", date(2026, 2, 15)),
                ("diarienummer", t("KOV-2026-045")),
                ("rapporterat_i_uppfoljning", t("Ja")),
                ("ssg_informerad", date(2026, 3, 1)),
                ("galler_till", date(2027, 12, 31)),
            ],
        )
        .row(
            "Förändringsinsatser",
            vec![
                ("insats", t("E-tjänst för abonnemang")),
                ("inriktning", t("Innovation")),
                ("nytta", t("Extern")),
                ("kostnads_och_nyttoanalys", t("Ja")),
                ("nyttorealiseringsplan", t("Ja")),
                ("status", t("Pågående")),
                ("utvarderad", t("Nej")),
                ("budget", Cell::Number(250_000.0)),
                ("ansvarig", t("Projektledare")),
                ("slutdatum", date(2026, 12, 31)),
                ("stadsgemensam", t("Ja")),
                ("forvantad_nytta", t("Färre samtal till kundtjänst")),
                ("nyttomatt", t("Samtal per månad")),
                ("utgangsvarde", t("1200")),
                ("malvarde", t("800")),
                ("utfall", t("950")),
                ("nytta_matt", date(2026, 9, 15)),
            ],
        )
        .row(
            "Digital mognad",
            vec![
                ("ar", 2025.into()),
                ("totalt", 45.into()),
                ("effektivitet", 50.into()),
                ("innovation", Cell::Number(40.5)),
                ("balansering", 42.into()),
                ("organisation", 48.into()),
                ("anvandare", 44.into()),
                ("teknik", 100.into()),
            ],
        )
}

fn leverantor_filled() -> Filled {
    let t = |s: &str| Cell::Text(s.into());
    Filled::new()
        .key("Inlämning", "inlamnad", date(2026, 2, 10))
        .row(
            "Uppföljningsrapport",
            vec![
                ("ar", 2026.into()),
                ("presenterad_for_ssg", date(2026, 4, 15)),
                ("presenterad_for_verksamheterna", date(2026, 4, 30)),
                ("foljsamhet_beskriven", t("Ja")),
                ("storningar_och_konsekvensanalys", t("Nej")),
                ("diarienummer", t("IS-2026-200")),
            ],
        )
        .row(
            "Årlig analys",
            vec![
                ("ar", 2026.into()),
                ("inlamnad_till_ssg", date(2026, 10, 15)),
                ("satsningar_analyserade", t("Ja")),
                ("behov_och_krav_fran_namnder", t("Ja")),
                ("sakerhetsniva_per_tjanst", t("Nej")),
                ("diarienummer", t("IS-2026-310")),
            ],
        )
        .row(
            "Säkerhetsavvikelser",
            vec![
                ("avvikelse_id", t("SA-1")),
                ("tjanst_id", t("IS-HR")),
                ("beskrivning", t("Obehörig åtkomst")),
                ("upptackt", date(2026, 2, 3)),
                ("rapporterad_till_verksamheterna", date(2026, 2, 4)),
                ("rapporterad_till_beredningsfunktionen", date(2026, 2, 5)),
                ("allvarlighet", t("Medel")),
                ("status", t("Åtgärdad")),
            ],
        )
        .row(
            "Leveransavvikelser",
            vec![
                ("avvikelse_id", t("LA-1")),
                ("kund", t("KOV")),
                ("tjanst_id", t("IS-EPOST")),
                ("beskrivning", t("Kräver nivå 4")),
                ("rapporterad_i_uppfoljning", t("Ja")),
                ("ssg_informerad", date(2026, 3, 1)),
            ],
        )
}

/// The cells of one sheet of an xlsx file, as calamine reads them.
fn sheet_cells(path: &Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut wb = calamine::open_workbook_auto(path).expect("open xlsx");
    let range = wb.worksheet_range(sheet).expect("sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

/// The XML of every worksheet, by sheet name (order of xl/workbook.xml).
fn sheet_xml(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the xlsx"))
            .read_to_string(&mut s)
            .expect("utf-8 xml");
        s
    };
    let workbook = read("xl/workbook.xml");
    let names: Vec<String> = workbook
        .split("<sheet ")
        .skip(1)
        .map(|s| {
            let start = s.find("name=\"").expect("name") + 6;
            let end = s[start..].find('"').expect("end") + start;
            s[start..end].to_string()
        })
        .collect();
    names
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let xml = read(&format!("xl/worksheets/sheet{}.xml", i + 1));
            (n, xml)
        })
        .collect()
}

/// The `<dataValidation>` elements of a sheet's XML, each as one string.
fn validations(xml: &str) -> Vec<&str> {
    xml.split("<dataValidation ")
        .skip(1)
        .map(|s| &s[..s.find("</dataValidation>").unwrap_or(s.len())])
        .collect()
}

/// The validation whose range starts at `cell` (e.g. `C2`).
fn validation_at<'a>(xml: &'a str, cell: &str) -> &'a str {
    let want = format!("sqref=\"{cell}");
    validations(xml)
        .into_iter()
        .find(|v| v.contains(&want))
        .unwrap_or_else(|| panic!("no validation at {cell}:\n{xml}"))
}

// ---------------------------------------------------------------------------

#[test]
fn mall_alla_writes_one_template_per_org_and_kind_and_untouched_ones_ingest_as_empty() {
    let ws = Workspace::new();
    let dir = ws.path().join("mallar");
    let o = ws
        .cmd(&[
            "mall",
            "--alla",
            "-o",
            dir.to_str().expect("utf-8"),
            "--per",
            PER,
        ])
        .output();
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));

    // One Verksamhet per organisation; suppliers also Leverantör and Tjänstekatalog.
    let reg = register(&ws);
    let mut want = BTreeSet::new();
    for org in &reg {
        want.insert(format!("{}-verksamhet.xlsx", org.id));
        if org.leverantor {
            want.insert(format!("{}-leverantor.xlsx", org.id));
            want.insert(format!("{}-tjanstekatalog.xlsx", org.id));
        }
    }
    let got: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("mallar")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(got, want);
    assert!(
        reg.iter().any(|o| o.leverantor),
        "the register has suppliers"
    );

    // Untouched: every file read, zero warnings.
    for f in &got {
        std::fs::copy(dir.join(f), ws.inputs().join(f)).expect("copy");
    }
    let (code, j) = check(&ws);
    assert_eq!(code, 0, "{j:#}");
    assert_eq!(assert_all_read_clean(&j), want.len());

    // A valid, empty submission: the rules find nothing to approve (R00 only
    // checks that the workbooks were read), no regelfel, no fel.
    let (code, evals) = run(&ws);
    assert_eq!(code, 0, "exit status (3 = fel or regelfel)");
    assert!(!evals.is_empty());
    for e in &evals {
        let status = e["status"].as_str().expect("status");
        let allowed: &[&str] = if e["regel"] == "R00" {
            &["uppfyllt"]
        } else {
            &["underlag saknas", "brist", "ej tillämplig"]
        };
        assert!(allowed.contains(&status), "unexpected status: {e:#}");
    }

    // The library reads them as empty: sheets present, no rows, no values.
    for od in ingest_lib(&ws) {
        let v = od.verksamhet.as_ref().expect("Verksamhet read");
        assert_eq!(v.inlamning.inlamnad, None);
        let plan = v.plan.as_ref().expect("Digitaliseringsplan");
        assert_eq!(plan.plan_finns.get(), None);
        assert_eq!(v.system.as_ref().map(Vec::len), Some(0));
        assert_eq!(v.avsteg.as_ref().map(Vec::len), Some(0));
        assert_eq!(v.insatser.as_ref().map(Vec::len), Some(0));
        assert_eq!(v.mognad.as_ref().map(Vec::len), Some(0));
        assert_eq!(od.leverantor.is_some(), od.org.leverantor);
        if let Some(k) = &od.katalog {
            assert_eq!(k.tjanster.as_ref().map(Vec::len), Some(0));
        }
    }
}

#[test]
fn filled_templates_round_trip_through_the_ingester() {
    let ws = Workspace::new();
    let reg = register(&ws);
    let is = org(&reg, "IS");
    let kov = org(&reg, "KOV");

    // IS's catalogue and Leverantör report, written through the template writer.
    let katalog = katalog_filled();
    template(TemplateKind::Tjanstekatalog, is, &[], Some(&katalog), &reg)
        .save(&ws.inputs().join("is/katalog.xlsx"))
        .expect("save");
    let lev = leverantor_filled();
    template(TemplateKind::Leverantor, is, &[], Some(&lev), &reg)
        .save(&ws.inputs().join("is/leverantor.xlsx"))
        .expect("save");

    // The CLI lists the catalogue's services in KOV's Tjänster sheet:
    // bastjänster first, Används left empty.
    let out = ws.path().join("KOV-verksamhet.xlsx");
    let o = ws
        .cmd(&[
            "mall",
            "verksamhet",
            "--org",
            "KOV",
            "-o",
            out.to_str().expect("utf-8"),
            "--per",
            PER,
        ])
        .output();
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("3 tjänster"), "{}", stdout(&o));
    let rows = sheet_cells(&out, "Tjänster");
    let text = |d: &Data| match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    };
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(header[..4], ["Tjänst-id", "Tjänst", "Används", "Kommentar"]);
    let listed: Vec<(String, String, String)> = rows[1..]
        .iter()
        .map(|r| (text(&r[0]), text(&r[1]), text(&r[2])))
        .collect();
    assert_eq!(
        listed,
        [
            ("IS-EPOST".into(), "E-post".into(), String::new()),
            ("IS-HR".into(), "HR-stöd".into(), String::new()),
            ("IS-ANALYS".into(), "Analysstöd".into(), String::new()),
        ]
    );

    // KOV fills in its template (the same services, the same writer).
    let services: Vec<Service> = [
        ("IS-EPOST", "E-post", "Bastjänst"),
        ("IS-HR", "HR-stöd", "Bastjänst"),
        ("IS-ANALYS", "Analysstöd", "Tilläggstjänst"),
    ]
    .into_iter()
    .map(|(id, n, k)| Service {
        id: id.into(),
        namn: Some(n.into()),
        kategori: Some(k.into()),
        leverantor: Some("Intraservice".into()),
    })
    .collect();
    let verk = verksamhet_filled();
    template(TemplateKind::Verksamhet, kov, &services, Some(&verk), &reg)
        .save(&ws.inputs().join("kov/plan.xlsx"))
        .expect("save");

    // The binary: every file read, zero warnings.
    let (code, j) = check(&ws);
    assert_eq!(code, 0, "{j:#}");
    assert_eq!(assert_all_read_clean(&j), 3);

    // The library: every value written is the value read.
    let orgs = ingest_lib(&ws);
    let od = |id: &str| orgs.iter().find(|o| o.org.id == id).expect("org");
    let v = od("KOV").verksamhet.clone().expect("KOV Verksamhet");
    assert_record(v.inlamning.record.as_ref(), &verk.keys["Inlämning"]);
    assert_eq!(
        v.inlamning.record.typ.get().map(String::as_str),
        Some("Verksamhet")
    );
    assert_eq!(
        v.inlamning.record.period.get().map(String::as_str),
        Some("2026")
    );
    assert_record(
        v.plan.as_deref().expect("plan"),
        &verk.keys["Digitaliseringsplan"],
    );
    // Tjänster: the pre-filled rows, answered.
    let tj = v.tjanster.as_ref().expect("Tjänster");
    assert_eq!(tj.len(), 3);
    for want in &verk.rows["Tjänster"] {
        let id = match &want["tjanst_id"] {
            Cell::Text(s) => s.clone(),
            other => panic!("{other:?}"),
        };
        let r = tj
            .iter()
            .find(|r| r.tjanst_id.get() == Some(&id))
            .expect("service row");
        assert_record(r.as_ref(), want);
        assert!(r.tjanst.is_present(), "pre-filled name kept");
    }
    assert_rows::<rec::System>(v.system.as_ref(), &verk);
    assert_rows::<rec::Avsteg>(v.avsteg.as_ref(), &verk);
    assert_rows::<rec::Forandringsinsats>(v.insatser.as_ref(), &verk);
    assert_rows::<rec::DigitalMognad>(v.mognad.as_ref(), &verk);
    let m = &v.mognad.as_ref().expect("mognad")[0];
    assert_eq!(m.totalt.get(), Some(&45.0));
    assert_eq!(m.teknik.get(), Some(&100.0));

    let l = od("IS").leverantor.clone().expect("IS Leverantör");
    assert_rows::<rec::Uppfoljningsrapport>(l.uppfoljning.as_ref(), &lev);
    assert_rows::<rec::ArligAnalys>(l.arlig_analys.as_ref(), &lev);
    assert_rows::<rec::Sakerhetsavvikelse>(l.sakerhetsavvikelser.as_ref(), &lev);
    assert_rows::<rec::Leveransavvikelse>(l.leveransavvikelser.as_ref(), &lev);
    let k = od("IS").katalog.clone().expect("IS Tjänstekatalog");
    assert_rows::<rec::Katalogtjanst>(k.tjanster.as_ref(), &katalog);

    // The rules see the values: KOV uses IS-HR, and its avsteg covers IS-EPOST.
    let (code, evals) = run(&ws);
    assert_eq!(code, 0, "exit status (3 = fel or regelfel)");
    let r04 = |subject: &str| {
        evals
            .iter()
            .find(|e| e["regel"] == "R04" && e["organisation"] == "KOV" && e["objekt"] == subject)
            .unwrap_or_else(|| panic!("R04 KOV {subject}"))
    };
    assert_eq!(r04("IS-HR")["status"], "uppfyllt", "{:#}", r04("IS-HR"));
    assert_eq!(
        r04("IS-EPOST")["status"],
        "uppfyllt",
        "{:#}",
        r04("IS-EPOST")
    );
    assert!(evals.iter().all(|e| e["status"] != "regelfel"));
}

#[test]
fn templates_carry_dropdowns_validation_notes_and_a_frozen_header() {
    let ws = Workspace::new();
    let reg = register(&ws);
    let services = vec![Service {
        id: "IS-HR".into(),
        namn: Some("HR-stöd".into()),
        kategori: Some("Bastjänst".into()),
        leverantor: Some("Intraservice".into()),
    }];
    let bytes = template(
        TemplateKind::Verksamhet,
        org(&reg, "KOV"),
        &services,
        None,
        &reg,
    )
    .to_bytes()
    .expect("xlsx");
    let sheets = sheet_xml(&bytes);
    let names: Vec<&str> = sheets.keys().map(String::as_str).collect();
    for s in [
        "Instruktioner",
        "Inlämning",
        "Digitaliseringsplan",
        "Tjänster",
        "System",
        "Avsteg",
        "Förändringsinsatser",
        "Digital mognad",
    ] {
        assert!(names.contains(&s), "sheet {s} in {names:?}");
    }
    let ja_nej = "<formula1>\"Ja,Nej\"</formula1>";

    // Digitaliseringsplan (key–value): values in column B.
    let plan = &sheets["Digitaliseringsplan"];
    assert!(validation_at(plan, "B2").contains(ja_nej), "Plan finns");
    assert!(
        validation_at(plan, "B5").contains("type=\"date\""),
        "Beslutsdatum"
    );
    assert!(
        validation_at(plan, "B9").contains("type=\"whole\""),
        "Antal insatser"
    );

    // Inlämning: Inlämnad is a validated date with a Swedish message.
    let inl = &sheets["Inlämning"];
    let inlamnad = validation_at(inl, "B6");
    assert!(inlamnad.contains("type=\"date\"") && inlamnad.contains("ÅÅÅÅ-MM-DD"));

    // Tjänster: Används is a Ja/Nej dropdown over the data rows.
    let tj = &sheets["Tjänster"];
    assert!(tj.contains("<dataValidation "), "{tj}");
    assert!(validation_at(tj, "C2:C").contains(ja_nej));
    assert!(tj.contains("ySplit=\"1\""), "frozen header");

    // System: säkerhetsnivå dropdowns, date and Ja/Nej validation.
    let sys = &sheets["System"];
    let level = "<formula1>\"1 - Grund,2 - Förhöjd,3 - Hög,4 - Mycket hög\"</formula1>";
    assert!(validation_at(sys, "D2:D").contains(level));
    assert!(validation_at(sys, "E2:E").contains(level));
    assert!(validation_at(sys, "B2:B").contains("Verksamhetsspecifik,Gemensam tjänst"));
    assert!(validation_at(sys, "F2:F").contains("type=\"date\""));
    assert!(validation_at(sys, "G2:G").contains(ja_nej));
    assert!(
        validation_at(sys, "C2:C").contains("Listor!"),
        "Tjänst-id dropdown"
    );

    // Förändringsinsatser: inriktning, nytta, status dropdowns.
    let ins = &sheets["Förändringsinsatser"];
    assert!(validation_at(ins, "B2:B").contains("Effektivitet,Innovation"));
    assert!(validation_at(ins, "C2:C").contains("Intern,Extern"));
    assert!(validation_at(ins, "F2:F").contains("Planerad,Pågående,Avslutad"));
    // The optional columns of issue 22: Risk accepterad (R08), Stadsgemensam
    // and Nytta mätt (R12, R19).
    assert!(validation_at(sys, "K2:K").contains("type=\"date\""));
    assert!(validation_at(ins, "K2:K").contains(ja_nej));
    assert!(validation_at(ins, "Q2:Q").contains("type=\"date\""));

    // Digital mognad: År whole number, the percentages decimal 0–100.
    let mog = &sheets["Digital mognad"];
    assert!(validation_at(mog, "A2:A").contains("type=\"whole\""));
    for col in ["B", "C", "D", "E", "F", "G", "H"] {
        let v = validation_at(mog, &format!("{col}2:{col}"));
        assert!(
            v.contains("type=\"decimal\"")
                && v.contains("<formula1>0</formula1>")
                && v.contains("<formula2>100</formula2>"),
            "{col}: {v}"
        );
    }

    // Header notes with an example.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
    let comments: Vec<String> = (0..zip.len())
        .filter_map(|i| {
            let mut f = zip.by_index(i).ok()?;
            if !f.name().ok()?.starts_with("xl/comments") {
                return None;
            }
            let mut s = String::new();
            f.read_to_string(&mut s).ok()?;
            Some(s)
        })
        .collect();
    assert!(comments.len() >= 6, "notes on the header rows");
    assert!(comments.iter().all(|c| c.contains("Exempel:")));

    // Leverantör and Tjänstekatalog: the same from their schemas.
    let lev = sheet_xml(
        &template(
            TemplateKind::Leverantor,
            org(&reg, "IS"),
            &services,
            None,
            &reg,
        )
        .to_bytes()
        .expect("xlsx"),
    );
    assert!(validation_at(&lev["Säkerhetsavvikelser"], "G2:G").contains("Låg,Medel,Hög"));
    // Årlig analys (R20): År a whole number, the SSG date a date, the three
    // contents Ja/Nej.
    let analys = &lev["Årlig analys"];
    assert!(validation_at(analys, "A2:A").contains("type=\"whole\""));
    assert!(validation_at(analys, "B2:B").contains("type=\"date\""));
    for col in ["C", "D", "E"] {
        assert!(
            validation_at(analys, &format!("{col}2:{col}")).contains(ja_nej),
            "{col}"
        );
    }
    assert!(validation_at(&lev["Leveransavvikelser"], "E2:E").contains(ja_nej));
    assert!(
        validation_at(&lev["Leveransavvikelser"], "B2:B").contains("Listor!"),
        "Kund"
    );
    let kat = sheet_xml(
        &template(
            TemplateKind::Tjanstekatalog,
            org(&reg, "IS"),
            &[],
            None,
            &reg,
        )
        .to_bytes()
        .expect("xlsx"),
    );
    let k = &kat["Tjänster"];
    assert!(validation_at(k, "C2:C").contains("Bastjänst,Tilläggstjänst,Specialisttjänst"));
    assert!(validation_at(k, "F2:F").contains("Kostnadsfördelning,Faktura"));
    assert!(validation_at(k, "J2:J").contains(level));
}

#[test]
fn mall_refuses_unknown_orgs_and_supplier_kinds_for_non_suppliers() {
    let ws = Workspace::new();
    let out: PathBuf = ws.path().join("x.xlsx");
    let o = ws
        .cmd(&[
            "mall",
            "verksamhet",
            "--org",
            "FINNS-EJ",
            "-o",
            out.to_str().expect("utf-8"),
        ])
        .output();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("finns inte i registret"),
        "{}",
        stderr(&o)
    );
    let o = ws
        .cmd(&[
            "mall",
            "leverantor",
            "--org",
            "KOV",
            "-o",
            out.to_str().expect("utf-8"),
        ])
        .output();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ingen leverantör"), "{}", stderr(&o));
    assert!(!out.exists());
    // Ids are matched case-insensitively; the file is named as asked.
    let o = ws
        .cmd(&[
            "mall",
            "tjanstekatalog",
            "--org",
            "is",
            "-o",
            out.to_str().expect("utf-8"),
        ])
        .output();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.exists());
}

#[test]
fn templates_print_on_a4_protect_given_cells_and_format_numbers() {
    let ws = Workspace::new();
    let reg = register(&ws);
    let services = vec![Service {
        id: "IS-HR".into(),
        namn: Some("HR-stöd".into()),
        kategori: Some("Bastjänst".into()),
        leverantor: Some("Intraservice".into()),
    }];
    let bytes = template(
        TemplateKind::Verksamhet,
        org(&reg, "KOV"),
        &services,
        None,
        &reg,
    )
    .to_bytes()
    .expect("xlsx");
    let sheets = sheet_xml(&bytes);
    for (name, xml) in &sheets {
        if name == "Listor" {
            continue;
        }
        assert!(xml.contains("paperSize=\"9\""), "{name}: A4");
        assert!(xml.contains("fitToPage=\"1\""), "{name}: fit to width");
        assert!(xml.contains("sida &amp;P av &amp;N"), "{name}: page footer");
        if name != "Instruktioner" {
            // Protected without a password; rows can still be added.
            let prot = &xml[xml
                .find("<sheetProtection")
                .unwrap_or_else(|| panic!("{name} protected"))..];
            let prot = &prot[..prot.find("/>").expect("end")];
            assert!(!prot.contains("password"), "{name}: {prot}");
            assert!(prot.contains("insertRows=\"0\""), "{name}: {prot}");
        }
    }
    // The styles: input cells unlocked and yellow, number formats for
    // dates, kronor without decimals and percent.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).expect("zip");
    let mut styles = String::new();
    zip.by_name("xl/styles.xml")
        .expect("styles")
        .read_to_string(&mut styles)
        .expect("utf-8");
    for f in [
        "yyyy-mm-dd",
        "#,##0 &quot;kr&quot;",
        "General&quot; %&quot;",
    ] {
        assert!(styles.contains(f), "number format {f} in {styles}");
    }
    assert!(styles.contains("FFFFF2CC"), "yellow input fill");
    assert!(styles.contains("locked=\"0\""), "unlocked input cells");
    // The pre-filled Tjänst-id is grey and locked (the default); Används yellow.
    let tj = &sheets["Tjänster"];
    let cell = |r: &str| {
        let at = tj
            .find(&format!("<c r=\"{r}\""))
            .unwrap_or_else(|| panic!("{r}"));
        let s = &tj[at..];
        let at = s.find(" s=\"").expect("style") + 4;
        s[at..at + s[at..].find('"').expect("end")].to_string()
    };
    assert_ne!(cell("A2"), cell("C2"), "given and input cells differ");
}
