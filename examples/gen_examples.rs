//! Writes the FICTITIOUS example submissions in `inputs/`.
//!
//!     cargo run --example gen_examples -- inputs
//!
//! Every workbook is marked "Exempeldata – fiktiv" (a title row above each
//! table and a note in the Inlämning sheet). None of it describes the real
//! City of Gothenburg: names, systems, dates and figures are invented so that
//! the rules R00–R21 have realistic gaps to find and the ingester has
//! realistic mess to tolerate (input contract, section 7). The output is
//! deterministic: the same bytes on every run.
//!
//! What the examples hold (per 2026-11-26, period 2026):
//! - KOV: title rows, shuffled columns, `Tjänste-id`, dates `15/3/2026`,
//!   `J`/`X`; an avsteg with a too short motivering; an Avslutad insats that
//!   was never evaluated. Next to it an Office lock file and a `.docx`.
//! - TN: tables starting at C5, dates `15 mars 2026`, amounts `1 234,50 kr`;
//!   an avsteg decided by the förvaltningsdirektör; an insats without ansvarig.
//! - GSN: `Krav på säkerhetsnivå`, `Grund`/`3 - Hög`, placeholders, blank
//!   rows; a system below its skyddsbehov; no row for a bastjänst. An older
//!   submission of the same workbook is superseded (`ersatt`).
//! - UBN: an old risk assessment, a missing instruction to a biträde, a
//!   gemensam tjänst below the skyddsbehov; a file for 2025 (`annan period`).
//! - MKN: one unreadable date (a warning, System!F9); a verksamhetsspecifik
//!   system without Systemägare (R21).
//! - AVON: a late (försenad) insats; a system below its skyddsbehov whose
//!   risk the nämnd accepted (`Risk accepterad`, R08). NFS: identified by
//!   name only (alias).
//! - GEAB, BRG, GHAB (bolag): GEAB has a well-formed avsteg decided by its
//!   styrelse and one decided by Kommunstyrelsen (R05). KOV's and TN's
//!   avsteg informed SSG only after the decision (R06).
//! - AVN submits nothing.
//! - Suppliers IS, DMS, IOU: a Verksamhet, a Leverantör and a Tjänstekatalog
//!   each; a catalogue row without Servicenivå, one without
//!   Informationssäkerhetsnivå, a late security deviation report, an
//!   unreported one, a leveransavvikelse without SSG, and DMS presented its
//!   uppföljningsrapport late. A catalogue row with a price model but no
//!   price (DMS-DIA, R13). The annual analysis (R20): IS complete, DMS
//!   without the security level per service, IOU without the sheet. The
//!   nyttoregister's benefit columns (IS, DMS): a common initiative measured
//!   after it closed (DMS), one closed too long ago without a measurement
//!   and one still within the grace period (IS) (R19).

#![allow(clippy::expect_used)]

use std::path::{Path, PathBuf};

// The test suite's workbook builder (tests/common/fixture.rs), shared.
#[path = "../tests/common"]
mod common {
    pub mod fixture;
}

use common::fixture::{d, Book, AVSTEG_HEADERS, E, V};

const TITLE: &str = "Exempeldata – fiktiv";
const NOTE: &str = "Fiktiva exempeldata för uppsikt; inte verkliga uppgifter om Göteborgs Stad.";

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "inputs".into()));
    std::fs::create_dir_all(&root).expect("create root");
    let mut n = 0;
    let mut save = |rel: &str, book: Book| {
        book.save(root.join(rel));
        n += 1;
    };

    // Nämnder.
    save(
        "nämnder/kov/Digitaliseringsuppföljning KOV 2026.xlsx",
        kov(),
    );
    save("nämnder/tn/trafiknämnden_uppföljning_2026.xlsx", tn());
    save(
        "nämnder/gsn/GSN digital uppföljning 2026 v2.xlsx",
        gsn(true),
    );
    save("nämnder/gsn/GSN digital uppföljning 2026.xlsx", gsn(false));
    save("nämnder/ubn/ubn-uppföljning-2026.xlsx", ubn("2026"));
    save("nämnder/ubn/arkiv/ubn-uppföljning-2025.xlsx", ubn("2025"));
    save("nämnder/mkn/mkn-uppföljning-2026.xlsx", mkn());
    save("nämnder/avon/AVON 2026.xlsx", avon());
    save("nämnder/nfs/Funktionsstöd uppföljning.xlsx", nfs());
    // Bolag.
    save("bolag/geab/GEAB digitalisering 2026.xlsx", geab());
    save(
        "bolag/brg/BRG 2026.xlsx",
        bolag("BRG", "Business Region Göteborg AB:s styrelse"),
    );
    save(
        "bolag/ghab/Hamnen uppföljning 2026.xlsx",
        bolag("GHAB", "Göteborgs Hamn AB:s styrelse"),
    );
    // Suppliers.
    for s in SUPPLIERS {
        let dir = format!("leverantörer/{}", s.folder);
        save(
            &format!("{dir}/{} Tjänstekatalog 2026.xlsx", s.id),
            katalog(s),
        );
        save(
            &format!("{dir}/{} Leverantörsrapport 2026.xlsx", s.id),
            leverantor(s),
        );
        save(
            &format!("{dir}/{} Verksamhet 2026.xlsx", s.id),
            supplier_verksamhet(s),
        );
    }

    // Files the job must skip.
    write(
        &root.join("nämnder/kov/~$Digitaliseringsuppföljning KOV 2026.xlsx"),
        b"\x0bKOV Handl\xe4ggare                                    \x00\x00",
    );
    write(
        &root.join("nämnder/kov/Följebrev.docx"),
        "Följebrev (fiktivt exempel): här är Kretslopp och vattens uppföljning för 2026.\n"
            .as_bytes(),
    );
    println!(
        "{n} exempelarbetsböcker (fiktiva) skrivna i {}",
        root.display()
    );
}

fn write(p: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

// ---------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------

/// The `Inlämning` sheet, with a title row and a note.
fn inlamning(typ: &str, org: &str, period: &str, inlamnad: V, kontakt: &str) -> Book {
    Book::new().cell("Inlämning", "A1", TITLE).key_values(
        "Inlämning",
        &[
            ("Typ", typ.into()),
            ("Organisations-id", org.into()),
            ("Period", period.into()),
            ("Inlämnad", inlamnad),
            ("Kontaktperson", kontakt.into()),
            (
                "E-post",
                format!(
                    "{}@exempel.invalid",
                    kontakt.to_lowercase().replace(' ', ".")
                )
                .into(),
            ),
            ("Anmärkning", NOTE.into()),
        ],
    )
}

/// A table with the title row above it (header in row 3).
fn table(b: Book, sheet: &str, headers: &[&str], rows: Vec<Vec<V>>) -> Book {
    b.table_at(sheet, "A1", &[TITLE, ""], headers, rows)
}

/// Reorder columns: `order[i]` is the index of the original column shown i-th.
fn shuffle(headers: &[&str], rows: Vec<Vec<V>>, order: &[usize]) -> (Vec<String>, Vec<Vec<V>>) {
    let h = order.iter().map(|&i| headers[i].to_string()).collect();
    let r = rows
        .into_iter()
        .map(|r| {
            if r.is_empty() {
                r
            } else {
                order
                    .iter()
                    .map(|&i| r.get(i).cloned().unwrap_or(V::Blank))
                    .collect()
            }
        })
        .collect();
    (h, r)
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

struct Plan<'a> {
    finns: &'a str,
    namn: &'a str,
    beslutad_av: &'a str,
    beslutsdatum: V,
    dnr: &'a str,
    fran: V,
    till: V,
    insatser: i32,
    effekter: &'a str,
    budget: &'a str,
}

fn plan(b: Book, p: Plan) -> Book {
    b.cell("Digitaliseringsplan", "A1", TITLE).key_values(
        "Digitaliseringsplan",
        &[
            ("Plan finns", p.finns.into()),
            ("Dokumentnamn", p.namn.into()),
            ("Beslutad av", p.beslutad_av.into()),
            ("Beslutsdatum", p.beslutsdatum),
            ("Diarienummer", p.dnr.into()),
            ("Giltig från", p.fran),
            ("Giltig till", p.till),
            ("Antal insatser", p.insatser.into()),
            ("Effekter beskrivna", p.effekter.into()),
            ("Ingår i budget eller verksamhetsplan", p.budget.into()),
        ],
    )
}

fn std_plan<'a>(organ: &'a str, dnr: &'a str) -> Plan<'a> {
    Plan {
        finns: "Ja",
        namn: "Lokal digitaliseringsplan 2024–2026 (fiktiv)",
        beslutad_av: organ,
        beslutsdatum: d(2024, 2, 13),
        dnr,
        fran: 2024.into(),
        till: 2026.into(),
        insatser: 3,
        effekter: "Ja",
        budget: "Ja",
    }
}

const TJANSTER_H: &[&str] = &["Tjänst-id", "Tjänst", "Används", "Kommentar"];

/// Tjänster rows: every bastjänst used, except the overrides given.
fn tjanster(over: &[(&str, V, &str)], skip: &[&str]) -> Vec<Vec<V>> {
    BASTJANSTER
        .iter()
        .filter(|(id, _)| !skip.contains(id))
        .map(|(id, name)| match over.iter().find(|(o, _, _)| o == id) {
            Some((_, v, k)) => row![*id, *name, v.clone(), *k],
            None => row![*id, *name, "Ja", E],
        })
        .collect()
}

const SYSTEM_H: &[&str] = &[
    "System",
    "Typ",
    "Tjänst-id",
    "Skyddsbehov",
    "Uppnådd säkerhetsnivå",
    "Senaste riskbedömning",
    "Personuppgifter",
    "Personuppgiftsbiträde",
    "Instruktion till biträde",
    "Systemägare",
];

const INSATS_H: &[&str] = &[
    "Insats",
    "Inriktning",
    "Nytta",
    "Kostnads- och nyttoanalys",
    "Nyttorealiseringsplan",
    "Status",
    "Utvärderad",
    "Budget",
    "Ansvarig",
    "Slutdatum",
];

/// The nyttoregister's optional benefit columns of Förändringsinsatser.
const NYTTA_H: &[&str] = &[
    "Stadsgemensam",
    "Förväntad nytta",
    "Nyttomått",
    "Utgångsvärde",
    "Målvärde",
    "Utfall",
    "Nytta mätt",
];

const MOGNAD_H: &[&str] = &[
    "År",
    "Totalt",
    "Effektivitet",
    "Innovation",
    "Balansering",
    "Organisation",
    "Användare",
    "Teknik",
];

/// An `Avsteg` sheet with only its header: "we have no avsteg".
fn inga_avsteg(b: Book) -> Book {
    table(b, "Avsteg", AVSTEG_HEADERS, vec![])
}

fn mognad(b: Book, rows: &[(i32, [f64; 7])]) -> Book {
    let rows = rows
        .iter()
        .map(|(y, v)| {
            let mut r = row![*y];
            r.extend(v.iter().map(|x| V::N(*x)));
            r
        })
        .collect();
    table(b, "Digital mognad", MOGNAD_H, rows)
}

/// A common-service system row.
fn gemensam(
    system: &str,
    id: &str,
    skydd: V,
    uppnadd: V,
    risk: V,
    pu: &str,
    agare: &str,
) -> Vec<V> {
    row![
        system,
        "Gemensam tjänst",
        id,
        skydd,
        uppnadd,
        risk,
        pu,
        "Nej",
        E,
        agare
    ]
}

// ---------------------------------------------------------------------------
// The catalogue (three suppliers)
// ---------------------------------------------------------------------------

const BASTJANSTER: &[(&str, &str)] = &[
    ("IS-HR", "HR-stöd"),
    ("IS-EK", "Ekonomistöd"),
    ("IS-EPOST", "E-post och samarbete"),
    ("DMS-KC", "Kontaktcenter"),
    ("DMS-DIA", "Diarium och ärendehantering"),
    ("IOU-UPPH", "Upphandlingsstöd"),
];

struct Supplier {
    id: &'static str,
    folder: &'static str,
    namn: &'static str,
    kontakt: &'static str,
}

const SUPPLIERS: &[Supplier] = &[
    Supplier {
        id: "IS",
        folder: "intraservice",
        namn: "Intraservice",
        kontakt: "Tjänsteägare Intraservice",
    },
    Supplier {
        id: "DMS",
        folder: "dms",
        namn: "Demokrati och medborgarservice",
        kontakt: "Tjänsteägare DMS",
    },
    Supplier {
        id: "IOU",
        folder: "iou",
        namn: "Inköp och upphandling",
        kontakt: "Tjänsteägare IOU",
    },
];

const KATALOG_H: &[&str] = &[
    "Tjänst-id",
    "Tjänst",
    "Kategori",
    "Leverantör",
    "Pris",
    "Prismodell",
    "Omfattning",
    "Servicenivå",
    "Målgrupp",
    "Informationssäkerhetsnivå",
    "Krav på kund",
    "Giltig från",
    "Giltig till",
];

#[allow(clippy::too_many_arguments)]
fn kat(
    id: &str,
    namn: &str,
    kategori: &str,
    lev: &str,
    pris: V,
    modell: &str,
    omfattning: &str,
    sla: V,
    malgrupp: &str,
    niva: V,
    krav: &str,
    fran: V,
    till: V,
) -> Vec<V> {
    row![id, namn, kategori, lev, pris, modell, omfattning, sla, malgrupp, niva, krav, fran, till]
}

fn katalog(s: &Supplier) -> Book {
    let b = inlamning("Tjänstekatalog", s.id, "2026", d(2026, 1, 30), s.kontakt);
    let alla = "Alla förvaltningar och bolag";
    let rows = match s.id {
        "IS" => vec![
            kat(
                "IS-HR",
                "HR-stöd",
                "Bastjänst",
                s.namn,
                "Ingår".into(),
                "Kostnadsfördelning",
                "Lön, anställningsadministration och HR-rådgivning",
                "Svar inom 2 arbetsdagar".into(),
                alla,
                "2 - Förhöjd".into(),
                "Utsedd HR-kontakt; uppdaterade organisationsuppgifter",
                d(2023, 1, 1),
                E,
            ),
            kat(
                "IS-EK",
                "Ekonomistöd",
                "Bastjänst",
                s.namn,
                "Ingår".into(),
                "Kostnadsfördelning",
                "Redovisning, leverantörs- och kundreskontra",
                "Bokslutsstöd enligt tidplan".into(),
                alla,
                2.into(),
                "Attestordning och kontoplan enligt stadens regler",
                d(2023, 1, 1),
                E,
            ),
            kat(
                "IS-EPOST",
                "E-post och samarbete",
                "Bastjänst",
                s.namn,
                "38 kr/användare och månad".into(),
                "Kostnadsfördelning",
                "E-post, kalender, chatt och videomöten",
                "99,5 % tillgänglighet".into(),
                alla,
                "Förhöjd".into(),
                "Användarkonton via stadens identitetstjänst",
                d(2023, 1, 1),
                E,
            ),
            // A catalogue row without Servicenivå (R13); a bastjänst from 2027.
            kat(
                "IS-IT",
                "Arbetsplats-IT",
                "Bastjänst",
                s.namn,
                "1 234,50 kr/dator och år".into(),
                "Faktura",
                "Dator, programvara och support",
                "-".into(),
                alla,
                2.into(),
                "Beställning via e-tjänst",
                d(2027, 1, 1),
                E,
            ),
            kat(
                "IS-LAGR",
                "Säker lagring",
                "Tilläggstjänst",
                s.namn,
                "Enligt offert".into(),
                "Faktura",
                "Lagring med kryptering och säkerhetskopiering",
                "Återställning inom 24 timmar".into(),
                "Verksamheter med skyddsbehov Hög",
                "3 - Hög".into(),
                "Klassad information",
                d(2024, 1, 1),
                E,
            ),
            kat(
                "IS-GIS",
                "GIS-specialist",
                "Specialisttjänst",
                s.namn,
                "1 050 kr/timme".into(),
                "Faktura",
                "Konsultstöd för kartor och geodata",
                "Enligt avrop".into(),
                "Efter beställning",
                "Grund".into(),
                "Beställare och avropsunderlag",
                d(2024, 1, 1),
                d(2025, 12, 31),
            ),
        ],
        "DMS" => vec![
            kat(
                "DMS-KC",
                "Kontaktcenter",
                "Bastjänst",
                s.namn,
                "Ingår".into(),
                "Kostnadsfördelning",
                "Telefon, chatt och e-post för invånare",
                "80 % besvarade inom 60 s".into(),
                alla,
                2.into(),
                "Aktuell information om verksamheten i kunskapsbanken",
                d(2023, 1, 1),
                E,
            ),
            // A price model without a price (R13).
            kat(
                "DMS-DIA",
                "Diarium och ärendehantering",
                "Bastjänst",
                s.namn,
                E,
                "Kostnadsfördelning",
                "Registrering, diarieföring och arkiv",
                "Registrering inom 1 arbetsdag".into(),
                alla,
                "3 - Hög".into(),
                "Utsedda registratorer",
                d(2023, 1, 1),
                E,
            ),
            kat(
                "DMS-WEB",
                "Webbpublicering",
                "Tilläggstjänst",
                s.namn,
                "Enligt prislista".into(),
                "Faktura",
                "Publicering på goteborg.se (fiktivt)",
                "Publicering inom 2 arbetsdagar".into(),
                alla,
                "Grund".into(),
                "Webbredaktör",
                d(2023, 1, 1),
                E,
            ),
        ],
        _ => vec![
            kat(
                "IOU-UPPH",
                "Upphandlingsstöd",
                "Bastjänst",
                s.namn,
                "Ingår".into(),
                "Kostnadsfördelning",
                "Stöd i direktupphandling och avrop",
                "Svar inom 3 arbetsdagar".into(),
                alla,
                "1 - Grund".into(),
                "Behovsanalys före upphandling",
                d(2023, 1, 1),
                E,
            ),
            kat(
                "IOU-EH",
                "E-handel",
                "Tilläggstjänst",
                s.namn,
                "12 kr/order".into(),
                "Faktura",
                "Beställning och fakturamatchning",
                "99 % tillgänglighet".into(),
                alla,
                2.into(),
                "Attestanter i e-handelssystemet",
                d(2023, 1, 1),
                E,
            ),
            // No Informationssäkerhetsnivå (R13 and R14).
            kat(
                "IOU-AVT",
                "Avtalsanalys",
                "Specialisttjänst",
                s.namn,
                "950 kr/timme".into(),
                "Faktura",
                "Analys av avtalsuppföljning",
                "Enligt avrop".into(),
                "Efter beställning",
                "n/a".into(),
                "Avtalsunderlag",
                d(2025, 1, 1),
                E,
            ),
        ],
    };
    table(b, "Tjänster", KATALOG_H, rows)
}

fn leverantor(s: &Supplier) -> Book {
    let b = inlamning("Leverantör", s.id, "2026", d(2026, 6, 10), s.kontakt);
    let upp_h = &[
        "År",
        "Presenterad för SSG",
        "Presenterad för verksamheterna",
        "Följsamhet beskriven",
        "Störningar och konsekvensanalys",
        "Diarienummer",
    ];
    let sak_h = &[
        "Avvikelse-id",
        "Tjänst-id",
        "Beskrivning",
        "Upptäckt",
        "Rapporterad till verksamheterna",
        "Rapporterad till beredningsfunktionen",
        "Allvarlighet",
        "Status",
    ];
    let lev_h = &[
        "Avvikelse-id",
        "Kund",
        "Tjänst-id",
        "Beskrivning",
        "Rapporterad i uppföljning",
        "SSG informerad",
    ];
    let (upp, sak, lev) = match s.id {
        "IS" => (
            vec![
                row![
                    2024,
                    d(2025, 4, 10),
                    d(2025, 4, 24),
                    "Ja",
                    "Ja",
                    "IS-2025-0101"
                ],
                row![
                    2025,
                    d(2026, 4, 15),
                    d(2026, 4, 29),
                    "Ja",
                    "Ja",
                    "IS-2026-0088"
                ],
            ],
            vec![
                // Reported to the beredningsfunktion 15 days after discovery (R16).
                row![
                    "SA-IS-01",
                    "IS-EPOST",
                    "Delningslänkar kunde nås utan inloggning",
                    d(2026, 2, 10),
                    d(2026, 2, 12),
                    d(2026, 2, 25),
                    "Hög",
                    "Åtgärdad"
                ],
                row![
                    "SA-IS-02",
                    "IS-HR",
                    "Behörighet kvar efter avslutad anställning",
                    d(2026, 5, 4),
                    d(2026, 5, 5),
                    d(2026, 5, 6),
                    "Medel",
                    "Åtgärdad"
                ],
            ],
            vec![row![
                "LA-IS-01",
                "kov",
                "IS-EK",
                "Anläggningsreskontra saknar stöd för VA-taxans avskrivningar",
                "Ja",
                d(2026, 3, 12)
            ]],
        ),
        "DMS" => (
            // The 2025 report reached SSG after 30 April 2026 (R15).
            vec![row![
                2025,
                "20 maj 2026",
                "27 maj 2026",
                "Ja",
                "Ja",
                "DMS-2026-0140"
            ]],
            vec![row![
                "SA-DMS-01",
                "DMS-KC",
                "Samtalsinspelningar sparades för länge",
                "3/9/2026",
                "4/9/2026",
                "8/9/2026",
                "Medel",
                "Pågår"
            ]],
            // SSG never informed (R17).
            vec![row![
                "LA-DMS-01",
                "TN",
                "DMS-KC",
                "Kvällsöppet kontaktcenter under vägarbetsperioder kan inte erbjudas",
                "Ja",
                "-"
            ]],
        ),
        _ => (
            vec![row![
                2025,
                d(2026, 3, 30),
                d(2026, 4, 8),
                "Ja",
                "Ja",
                "IOU-2026-0033"
            ]],
            // Found in October, still not reported anywhere (R16).
            vec![row![
                "SA-IOU-01",
                "IOU-EH",
                "Fakturabilagor synliga för fel attestgrupp",
                d(2026, 10, 1),
                E,
                E,
                "Hög",
                "Under utredning"
            ]],
            vec![],
        ),
    };
    let b = table(b, "Uppföljningsrapport", upp_h, upp);
    // The annual analysis to SSG (R20): IS's is complete, DMS's leaves out
    // the security level per service, IOU's workbook has no such sheet.
    let analys_h = &[
        "År",
        "Inlämnad till SSG",
        "Satsningar analyserade",
        "Behov och krav från nämnder",
        "Säkerhetsnivå per tjänst",
        "Diarienummer",
    ];
    let b = match s.id {
        "IS" => table(
            b,
            "Årlig analys",
            analys_h,
            vec![row![
                2025,
                d(2025, 10, 20),
                "Ja",
                "Ja",
                "Ja",
                "IS-2025-0412"
            ]],
        ),
        "DMS" => table(
            b,
            "Årlig analys",
            analys_h,
            vec![row![
                2025,
                d(2025, 10, 28),
                "Ja",
                "Ja",
                "Nej",
                "DMS-2025-0377"
            ]],
        ),
        _ => b,
    };
    let b = table(b, "Säkerhetsavvikelser", sak_h, sak);
    table(b, "Leveransavvikelser", lev_h, lev)
}

fn supplier_verksamhet(s: &Supplier) -> Book {
    let organ = match s.id {
        "IS" => "Nämnden för Intraservice",
        "DMS" => "Nämnden för demokrati och medborgarservice",
        _ => "Inköps- och upphandlingsnämnden",
    };
    let b = inlamning("Verksamhet", s.id, "2026", d(2026, 3, 16), s.kontakt);
    let b = plan(b, std_plan(organ, &format!("{}-2024-0012", s.id)));
    let b = table(b, "Tjänster", TJANSTER_H, tjanster(&[], &[]));
    let own = match s.id {
        "IS" => row![
            "Lönesystem (fiktivt)",
            "Verksamhetsspecifik",
            E,
            3,
            3,
            d(2026, 1, 20),
            "Ja",
            "Ja",
            "Ja",
            "Systemförvaltare IS"
        ],
        "DMS" => row![
            "Kontaktcenterplattform (fiktiv)",
            "Verksamhetsspecifik",
            E,
            2,
            2,
            d(2025, 12, 1),
            "Ja",
            "Ja",
            "Ja",
            "Systemförvaltare DMS"
        ],
        _ => row![
            "Upphandlingssystem (fiktivt)",
            "Verksamhetsspecifik",
            E,
            2,
            2,
            d(2026, 4, 2),
            "Ja",
            "Ja",
            "Ja",
            "Systemförvaltare IOU"
        ],
    };
    let b = table(
        b,
        "System",
        SYSTEM_H,
        vec![
            own,
            gemensam(
                "E-post",
                "IS-EPOST",
                2.into(),
                2.into(),
                d(2026, 2, 1),
                "Ja",
                "IT-samordnare",
            ),
        ],
    );
    let insatser = match s.id {
        // The 2020 baseline: nearly everything aimed at effektivitet.
        "IS" => vec![
            row![
                "Automatiserad lönehantering",
                "Effektivitet",
                "Intern",
                "Ja",
                "Ja",
                "Pågående",
                E,
                2_400_000,
                "Enhetschef lön",
                d(2027, 6, 30)
            ],
            row![
                "Självservice för chefer",
                "Effektivitet",
                "Intern",
                "Ja",
                "Ja",
                "Avslutad",
                "Ja",
                900_000,
                "Enhetschef HR-system",
                d(2026, 2, 28)
            ],
            row![
                "AI-stöd i kundtjänst (förstudie)",
                "Innovation",
                "Intern",
                "Ja",
                "Nej",
                "Planerad",
                E,
                300_000,
                "Innovationsledare",
                d(2027, 3, 31)
            ],
            // A common initiative closed more than 12 months before the
            // per-date whose benefit was never measured (R19).
            row![
                "Gemensam e-signering",
                "Effektivitet",
                "Intern",
                "Ja",
                "Ja",
                "Avslutad",
                "Ja",
                650_000,
                "Enhetschef digital arbetsplats",
                d(2025, 5, 31)
            ],
        ],
        "DMS" => vec![
            row![
                "Chattbot för invånarfrågor",
                "Innovation",
                "Extern",
                "Ja",
                "Ja",
                "Pågående",
                E,
                1_100_000,
                "Avdelningschef kontaktcenter",
                d(2026, 12, 31)
            ],
            row![
                "Digital brevlåda",
                "Effektivitet",
                "Extern",
                "Ja",
                "Ja",
                "Avslutad",
                "Ja",
                500_000,
                "Registrator",
                d(2025, 9, 30)
            ],
        ],
        _ => vec![
            row![
                "Ny e-handelsportal",
                "Effektivitet",
                "Intern",
                "Ja",
                "Ja",
                "Pågående",
                E,
                1_800_000,
                "Inköpschef",
                d(2027, 1, 31)
            ],
            row![
                "Öppna upphandlingsdata",
                "Innovation",
                "Extern",
                "Nej",
                "Nej",
                "Planerad",
                E,
                250_000,
                "Analytiker",
                d(2027, 6, 30)
            ],
        ],
    };
    // The nyttoregister's optional benefit columns (R12, R19), one row per
    // insats above; IOU's sheet has none, which is valid and gives no warning.
    let nytta: Vec<Vec<V>> = match s.id {
        "IS" => vec![
            row!["Nej", E, E, E, E, E, E],
            // Closed 2026-02-28: still within the 12 months' grace period.
            row![
                "Ja",
                "Chefer gör anställningsändringar själva",
                "Ärenden till lönecenter per månad",
                "3 400",
                "2 000",
                E,
                E
            ],
            row!["Nej", E, E, E, E, E, E],
            row![
                "Ja",
                "Färre pappersavtal i hela staden",
                "Andel avtal som signeras digitalt",
                "10 %",
                "80 %",
                E,
                E
            ],
        ],
        "DMS" => vec![
            row![
                "Ja",
                "Fler invånarfrågor besvaras direkt",
                "Andel frågor som chattboten besvarar",
                "0 %",
                "30 %",
                E,
                E
            ],
            // Measured after it closed (R19 uppfyllt).
            row![
                "Ja",
                "Snabbare diarieföring av inkommande post",
                "Dagar från inkommet till diariefört",
                "4",
                "1",
                "1,5",
                d(2026, 9, 15)
            ],
        ],
        _ => vec![],
    };
    let (insats_h, insatser) = if nytta.is_empty() {
        (INSATS_H.to_vec(), insatser)
    } else {
        let rows = insatser
            .into_iter()
            .zip(nytta)
            .map(|(mut r, n)| {
                r.extend(n);
                r
            })
            .collect();
        ([INSATS_H, NYTTA_H].concat(), rows)
    };
    let b = inga_avsteg(b);
    let b = table(b, "Förändringsinsatser", &insats_h, insatser);
    mognad(
        b,
        &[
            (2024, [58.0, 66.0, 41.0, 53.0, 60.0, 57.0, 62.0]),
            (2025, [61.0, 67.0, 46.0, 56.0, 62.0, 60.0, 64.0]),
        ],
    )
}

// ---------------------------------------------------------------------------
// Nämnder and bolag
// ---------------------------------------------------------------------------

/// KOV: title rows, shuffled columns, `Tjänste-id`, `15/3/2026`, `J`/`X`.
fn kov() -> Book {
    let b = inlamning(
        "Verksamhet",
        "kov",
        "2026",
        "16/3/2026".into(),
        "Digitaliseringsstrateg KOV",
    );
    let b = plan(
        b,
        Plan {
            beslutsdatum: "14/2/2024".into(),
            ..std_plan("Kretslopp och vattennämnden", "KOV-2024-0311")
        },
    );
    let b = b.table_at(
        "Tjänster",
        "A1",
        &[
            TITLE,
            "Gemensamma tjänster som förvaltningen använder",
            "Ange Ja eller Nej per tjänst",
        ],
        &["Tjänste-id", "Tjänst", "Används", "Kommentar"],
        tjanster(
            &[
                ("IS-EK", "Nej".into(), "Eget ekonomisystem för VA-taxan"),
                ("IS-HR", "J".into(), ""),
            ],
            &[],
        ),
    );
    let systems = vec![
        row![
            "VA-kundregister",
            "Verksamhetsspecifik",
            E,
            3,
            3,
            "15/3/2026",
            "X",
            "X",
            "X",
            "Avdelningschef VA"
        ],
        row![
            "Avfallsplanering",
            "Verksamhetsspecifik",
            E,
            2,
            2,
            "2/12/2025",
            "Nej",
            "Nej",
            E,
            "Enhetschef avfall"
        ],
        gemensam(
            "Ekonomi (VA-redovisning)",
            "IS-EK",
            2.into(),
            2.into(),
            "20/1/2026".into(),
            "Nej",
            "Controller",
        ),
        gemensam(
            "E-post",
            "IS-EPOST",
            2.into(),
            2.into(),
            "1/2/2026".into(),
            "J",
            "IT-samordnare",
        ),
    ];
    let mut h = SYSTEM_H.to_vec();
    h[2] = "Tjänste-id";
    let (h, r) = shuffle(&h, systems, &[0, 9, 3, 4, 1, 2, 5, 6, 7, 8]);
    let b = b.table_at(
        "System",
        "A1",
        &[TITLE, "Systemförteckning Kretslopp och vatten", ""],
        &strs(&h),
        r,
    );
    let mut ah = AVSTEG_HEADERS.to_vec();
    ah[1] = "Tjänste-id";
    let b = b.table_at(
        "Avsteg",
        "A1",
        &[TITLE, ""],
        &ah,
        // A motivering far too short to count as "utförligt motiverad" (R05).
        vec![row![
            "AV-KOV-1",
            "IS-EK",
            "Eget system.",
            "3/2/2026",
            "Kretslopp och vattennämnden",
            "24/2/2026",
            "KOV-2026-0042",
            "J",
            "10/3/2026",
            E
        ]],
    );
    let b = table(
        b,
        "Förändringsinsatser",
        INSATS_H,
        vec![
            row![
                "Digitala vattenmätare",
                "Innovation",
                "Extern",
                "Ja",
                "Ja",
                "Pågående",
                E,
                "4 500 000 kr",
                "Projektledare mätare",
                "31/12/2027"
            ],
            // Avslutad but never evaluated (R12).
            row![
                "E-tjänst för slamtömning",
                "Effektivitet",
                "Extern",
                "Ja",
                "Ja",
                "Avslutad",
                "Nej",
                "350 000 kr",
                "Enhetschef kundservice",
                "30/4/2026"
            ],
            row![
                "Ruttoptimering avfall",
                "Effektivitet",
                "Intern",
                "X",
                "J",
                "Planerad",
                E,
                "800 000 kr",
                "Logistikansvarig",
                "30/6/2027"
            ],
        ],
    );
    mognad(
        b,
        &[
            (2024, [52.0, 61.0, 38.0, 47.0, 55.0, 50.0, 58.0]),
            (2025, [55.0, 63.0, 42.0, 50.0, 57.0, 53.0, 60.0]),
        ],
    )
}

/// TN: tables at C5, dates `15 mars 2026`, amounts `1 234,50 kr`.
fn tn() -> Book {
    let b = inlamning(
        "Verksamhet",
        "TN",
        "2026",
        "12 mars 2026".into(),
        "Verksamhetsutvecklare TN",
    );
    let b = plan(
        b,
        Plan {
            beslutsdatum: "20 februari 2024".into(),
            ..std_plan("Trafiknämnden", "TN-2024-0107")
        },
    );
    let at = |b: Book, sheet: &str, h: &[&str], rows| {
        b.cell(sheet, "A1", TITLE)
            .table_at(sheet, "C5", &[], h, rows)
    };
    let b = at(
        b,
        "Tjänster",
        TJANSTER_H,
        tjanster(&[("DMS-KC", "Nej".into(), "Egen trafikupplysning")], &[]),
    );
    let b = at(
        b,
        "System",
        SYSTEM_H,
        vec![
            row![
                "Trafiksignalsystem",
                "Verksamhetsspecifik",
                E,
                "Mycket hög",
                "Mycket hög",
                "15 mars 2026",
                "Nej",
                "Nej",
                E,
                "Enhetschef signaler"
            ],
            row![
                "Parkeringstillstånd",
                "Verksamhetsspecifik",
                E,
                3,
                3,
                "2 feb 2026",
                "Ja",
                "Ja",
                "Ja",
                "Enhetschef tillstånd"
            ],
            gemensam(
                "Diarium",
                "DMS-DIA",
                3.into(),
                3.into(),
                "10 januari 2026".into(),
                "Ja",
                "Registrator",
            ),
        ],
    );
    let b = at(
        b,
        "Avsteg",
        AVSTEG_HEADERS,
        // Decided by an official, not by the nämnd (R05).
        vec![row!["AV-TN-1", "DMS-KC",
                  "Trafikupplysningen kräver dygnet runt-bemanning med trafiktekniskt kunnande som kontaktcenter inte erbjuder.",
                  "8 januari 2026", "Förvaltningsdirektör", "15 januari 2026", "TN-2026-0009", "Ja", "2 februari 2026", "31 december 2026"]],
    );
    let b = at(
        b,
        "Förändringsinsatser",
        INSATS_H,
        vec![
            // No ansvarig (R18).
            row![
                "Digital tvilling för trafikflöden",
                "Innovation",
                "Extern",
                "Ja",
                "Ja",
                "Pågående",
                E,
                "1 234 500,50 kr",
                "-",
                "31 mars 2027"
            ],
            row![
                "E-tjänst för schakttillstånd",
                "Effektivitet",
                "Extern",
                "Ja",
                "Ja",
                "Avslutad",
                "Ja",
                "640 000 kr",
                "Enhetschef tillstånd",
                "15 jan 2026"
            ],
            row![
                "Sensorer i cykelnätet",
                "Innovation",
                "Extern",
                "Nej",
                "Nej",
                "Planerad",
                E,
                "2 100 000 SEK",
                "Cykelsamordnare",
                "30 sep 2027"
            ],
        ],
    );
    mognad(
        b,
        &[
            (2023, [49.0, 57.0, 35.0, 45.0, 50.0, 48.0, 53.0]),
            (2024, [53.0, 60.0, 40.0, 49.0, 54.0, 51.0, 57.0]),
            (2025, [58.0, 62.0, 48.0, 54.0, 58.0, 56.0, 61.0]),
        ],
    )
}

/// GSN: `Krav på säkerhetsnivå`, level labels, placeholders and blank rows;
/// `latest` is the resubmission, the other one is superseded.
fn gsn(latest: bool) -> Book {
    let inlamnad = if latest {
        d(2026, 3, 20)
    } else {
        d(2026, 2, 27)
    };
    let b = inlamning("Verksamhet", "GSN", "2026", inlamnad, "IT-strateg GSN");
    let b = plan(b, std_plan("Grundskolenämnden", "GSN-2024-0220"));
    // No row at all for IOU-UPPH (R04).
    let b = table(b, "Tjänster", TJANSTER_H, tjanster(&[], &["IOU-UPPH"]));
    let mut h = SYSTEM_H.to_vec();
    h[3] = "Krav på säkerhetsnivå";
    let elev = if latest {
        // Below its skyddsbehov (R08).
        row![
            "Elevregister",
            "Verksamhetsspecifik",
            "-",
            "3 - Hög",
            "2 - Förhöjd",
            d(2026, 1, 15),
            "Ja",
            "Ja",
            "Ja",
            "Systemägare elevadministration"
        ]
    } else {
        row![
            "Elevregister",
            "Verksamhetsspecifik",
            "-",
            "3 - Hög",
            "n/a",
            E,
            "Ja",
            "Ja",
            "Ja",
            "Systemägare elevadministration"
        ]
    };
    let b = table(
        b,
        "System",
        &h,
        vec![
            elev,
            vec![],
            row![
                "Schemaläggning",
                "Verksamhetsspecifik",
                "n/a",
                "Grund",
                "Grund",
                d(2025, 12, 10),
                "Ja",
                "Ja",
                "Ja",
                "Skolchef"
            ],
            vec![],
            vec![],
            gemensam(
                "HR (lärarlöner)",
                "IS-HR",
                "Förhöjd".into(),
                "Förhöjd".into(),
                d(2026, 2, 3),
                "Ja",
                "HR-chef",
            ),
        ],
    );
    let b = inga_avsteg(b);
    let b = table(
        b,
        "Förändringsinsatser",
        INSATS_H,
        vec![
            row![
                "Digitala läromedel",
                "Innovation",
                "Extern",
                "Ja",
                "Ja",
                "Pågående",
                E,
                3_200_000,
                "Utvecklingschef",
                d(2027, 6, 30)
            ],
            vec![],
            row![
                "Frånvarorapportering i app",
                "Effektivitet",
                "Extern",
                "Ja",
                "Ja",
                "Avslutad",
                "Ja",
                420_000,
                "Enhetschef IT",
                d(2025, 12, 31)
            ],
        ],
    );
    mognad(b, &[(2025, [57.0, 59.0, 51.0, 55.0, 56.0, 58.0, 59.0])])
}

/// UBN: an old risk assessment, a missing instruction to a biträde, a
/// gemensam tjänst below the skyddsbehov, a bastjänst not used without avsteg.
fn ubn(period: &str) -> Book {
    let inlamnad = if period == "2025" {
        d(2025, 3, 14)
    } else {
        d(2026, 3, 13)
    };
    let b = inlamning(
        "Verksamhet",
        "UBN",
        period,
        inlamnad,
        "Digitaliseringsledare UBN",
    );
    let b = plan(b, std_plan("Utbildningsnämnden", "UBN-2024-0045"));
    let b = table(
        b,
        "Tjänster",
        TJANSTER_H,
        tjanster(
            &[(
                "IS-EPOST",
                "Nej".into(),
                "Gymnasieskolorna använder egen plattform",
            )],
            &[],
        ),
    );
    let b = table(
        b,
        "System",
        SYSTEM_H,
        vec![
            // Last risk assessment more than 12 months ago (R10).
            row![
                "Antagningssystem",
                "Verksamhetsspecifik",
                E,
                2,
                2,
                d(2024, 9, 1),
                "Ja",
                "Nej",
                E,
                "Antagningschef"
            ],
            // Personal data processed by a biträde without instructions (R11).
            row![
                "Lärplattform",
                "Verksamhetsspecifik",
                E,
                2,
                2,
                d(2026, 1, 22),
                "Ja",
                "Ja",
                "Nej",
                "Skolutvecklare"
            ],
            // The common service's level (2) is below the need (3) (R09).
            gemensam(
                "Elevhälsans e-post",
                "IS-EPOST",
                3.into(),
                3.into(),
                d(2026, 2, 2),
                "Ja",
                "Elevhälsochef",
            ),
        ],
    );
    let b = inga_avsteg(b);
    let b = table(
        b,
        "Förändringsinsatser",
        INSATS_H,
        vec![
            row![
                "Digital antagning vuxenutbildning",
                "Effektivitet",
                "Extern",
                "Ja",
                "Ja",
                "Pågående",
                E,
                "-",
                "Antagningschef",
                d(2026, 12, 31)
            ],
            row![
                "Studievägledning via video",
                "Innovation",
                "Extern",
                "Ja",
                "Nej",
                "Pågående",
                E,
                180_000,
                "Studie- och yrkesvägledare",
                d(2027, 2, 28)
            ],
        ],
    );
    mognad(
        b,
        &[
            (2024, [50.0, 56.0, 40.0, 47.0, 52.0, 49.0, 55.0]),
            (2025, [54.0, 58.0, 45.0, 51.0, 55.0, 52.0, 58.0]),
        ],
    )
}

/// MKN: clean except one unreadable date, which becomes a warning (System!F9).
fn mkn() -> Book {
    let b = inlamning(
        "Verksamhet",
        "MKN",
        "2026",
        d(2026, 3, 10),
        "Miljöstrateg MKN",
    );
    let b = plan(b, std_plan("Miljö- och klimatnämnden", "MKN-2024-0130"));
    let b = table(b, "Tjänster", TJANSTER_H, tjanster(&[], &[]));
    let b = b.table_at(
        "System",
        "A1",
        &[TITLE, "Miljöförvaltningen – system", ""],
        SYSTEM_H,
        vec![
            row![
                "Tillsynssystem",
                "Verksamhetsspecifik",
                E,
                2,
                2,
                d(2026, 2, 18),
                "Ja",
                "Ja",
                "Ja",
                "Enhetschef tillsyn"
            ],
            row![
                "Luftmätning",
                "Verksamhetsspecifik",
                E,
                1,
                1,
                d(2026, 1, 9),
                "Nej",
                "Nej",
                E,
                // No Systemägare (R21).
                E
            ],
            gemensam(
                "Diarium",
                "DMS-DIA",
                3.into(),
                3.into(),
                d(2026, 1, 30),
                "Ja",
                "Registrator",
            ),
            vec![],
            row![
                "Miljörapportportal",
                "Verksamhetsspecifik",
                E,
                2,
                2,
                "i höstas",
                "Ja",
                "Nej",
                E,
                "Enhetschef miljörapporter"
            ],
        ],
    );
    let b = inga_avsteg(b);
    let b = table(
        b,
        "Förändringsinsatser",
        INSATS_H,
        vec![row![
            "Digital tillsynsrapport",
            "Effektivitet",
            "Extern",
            "Ja",
            "Ja",
            "Pågående",
            E,
            560_000,
            "Enhetschef tillsyn",
            d(2027, 3, 31)
        ]],
    );
    mognad(
        b,
        &[
            (2024, [47.0, 55.0, 36.0, 44.0, 49.0, 46.0, 52.0]),
            (2025, [51.0, 57.0, 42.0, 48.0, 53.0, 50.0, 54.0]),
        ],
    )
}

/// AVON: a Pågående insats whose Slutdatum has passed (R18 "försenad").
fn avon() -> Book {
    let b = inlamning(
        "Verksamhet",
        "AVON",
        "2026",
        d(2026, 3, 18),
        "Utvecklingsledare AVON",
    );
    let b = plan(
        b,
        std_plan("Äldre samt vård- och omsorgsnämnden", "AVON-2024-0090"),
    );
    let b = table(
        b,
        "Tjänster",
        TJANSTER_H,
        tjanster(&[("IS-HR", "Ja".into(), "Även timavlönade")], &[]),
    );
    // The optional column Risk accepterad: the nämnd accepted Trygghetslarm's
    // lower level (R08 uppfyllt, saying so).
    let system_h = [SYSTEM_H, &["Risk accepterad"]].concat();
    let b = table(
        b,
        "System",
        &system_h,
        vec![
            row![
                "Verksamhetssystem omsorg",
                "Verksamhetsspecifik",
                E,
                "Hög",
                "Hög",
                d(2025, 12, 12),
                "Ja",
                "Ja",
                "Ja",
                "Avdelningschef stöd",
                E
            ],
            row![
                "Trygghetslarm",
                "Verksamhetsspecifik",
                E,
                "Mycket hög",
                "Hög",
                d(2026, 3, 3),
                "Ja",
                "Ja",
                "Ja",
                "Enhetschef larm",
                d(2026, 4, 22)
            ],
        ],
    );
    let b = inga_avsteg(b);
    let b = table(
        b,
        "Förändringsinsatser",
        INSATS_H,
        vec![
            row![
                "Digital tillsyn nattetid",
                "Innovation",
                "Extern",
                "Ja",
                "Ja",
                "Pågående",
                E,
                2_750_000,
                "Enhetschef hemtjänst",
                d(2026, 3, 31)
            ],
            row![
                "Mobil dokumentation",
                "Effektivitet",
                "Intern",
                "Ja",
                "Ja",
                "Pågående",
                E,
                1_300_000,
                "Avdelningschef stöd",
                d(2027, 5, 31)
            ],
        ],
    );
    mognad(b, &[(2025, [46.0, 53.0, 37.0, 44.0, 47.0, 45.0, 51.0])])
}

/// NFS: no Organisations-id; identified by the register's alias.
fn nfs() -> Book {
    let b = inlamning(
        "Verksamhet",
        "NFS",
        "2026",
        "2026-03-19".into(),
        "Kvalitetsutvecklare NFS",
    )
    .remove_kv("Inlämning", "Organisations-id")
    .kv(
        "Inlämning",
        "Organisation",
        "Förvaltningen för funktionsstöd",
    );
    let b = plan(
        b,
        Plan {
            finns: "Nej",
            namn: "-",
            beslutad_av: "-",
            beslutsdatum: E,
            dnr: "-",
            fran: E,
            till: E,
            insatser: 0,
            effekter: "Nej",
            budget: "Nej",
        },
    );
    let b = table(b, "Tjänster", TJANSTER_H, tjanster(&[], &[]));
    let b = table(
        b,
        "System",
        SYSTEM_H,
        vec![row![
            "Verksamhetssystem funktionsstöd",
            "Verksamhetsspecifik",
            E,
            "Hög",
            "Hög",
            d(2026, 2, 24),
            "Ja",
            "Ja",
            "Ja",
            "Avdelningschef"
        ]],
    );
    let b = inga_avsteg(b);
    let b = table(b, "Förändringsinsatser", INSATS_H, vec![]);
    mognad(
        b,
        &[
            (2024, [44.0, 50.0, 35.0, 41.0, 46.0, 43.0, 48.0]),
            (2025, [48.0, 53.0, 40.0, 45.0, 50.0, 47.0, 51.0]),
        ],
    )
}

/// GEAB: a well-formed avsteg decided by the styrelse.
fn geab() -> Book {
    let b = inlamning(
        "Verksamhet",
        "GEAB",
        "2026",
        d(2026, 3, 31),
        "CIO-kontoret GEAB",
    );
    let b = plan(
        b,
        Plan {
            namn: "Digital affärsplan 2025–2027 (fiktiv)",
            beslutsdatum: d(2024, 12, 5),
            fran: d(2025, 1, 1),
            till: d(2027, 12, 31),
            ..std_plan("Göteborg Energi AB:s styrelse", "GEAB-2024-77")
        },
    );
    let b = table(
        b,
        "Tjänster",
        TJANSTER_H,
        tjanster(
            &[
                ("IS-HR", "Nej".into(), "Koncernens HR-system"),
                ("DMS-KC", "Nej".into(), "Egen kundtjänst"),
            ],
            &[],
        ),
    );
    let b = table(
        b,
        "System",
        SYSTEM_H,
        vec![
            row![
                "Driftövervakning (SCADA)",
                "Verksamhetsspecifik",
                E,
                4,
                4,
                d(2026, 2, 2),
                "Nej",
                "Nej",
                E,
                "Driftchef"
            ],
            row![
                "Kundsystem el och fjärrvärme",
                "Verksamhetsspecifik",
                E,
                3,
                3,
                d(2025, 12, 14),
                "Ja",
                "Ja",
                "Ja",
                "Kundchef"
            ],
            row![
                "HR-system koncernen",
                "Verksamhetsspecifik",
                E,
                2,
                2,
                d(2026, 1, 12),
                "Ja",
                "Ja",
                "Ja",
                "HR-direktör"
            ],
        ],
    );
    let b = table(
        b,
        "Avsteg",
        AVSTEG_HEADERS,
        vec![
            row!["AV-GEAB-1", "IS-HR",
                 "Bolaget omfattas av energibranschens kollektivavtal och koncernens gemensamma HR-system med skiftschemaläggning, som stadens HR-stöd inte hanterar.",
                 d(2025, 9, 2), "Göteborg Energi AB:s styrelse", d(2025, 10, 21), "GEAB-2025-31", "Ja", d(2025, 10, 14), E],
            // Decided by Kommunstyrelsen, not by the bolag's own styrelse (R05).
            row!["AV-GEAB-2", "DMS-KC",
                 "Kundtjänsten hanterar elavtal, avbrottsinformation och fakturor dygnet runt och är en del av bolagets konkurrensutsatta verksamhet.",
                 d(2025, 9, 2), "Kommunstyrelsen", d(2025, 10, 21), "GEAB-2025-32", "Ja", "-", d(2026, 12, 31)],
        ],
    );
    let b = table(
        b,
        "Förändringsinsatser",
        INSATS_H,
        vec![
            row![
                "Smarta elmätare etapp 2",
                "Innovation",
                "Extern",
                "Ja",
                "Ja",
                "Pågående",
                E,
                "12 500 000,00 kr",
                "Programchef mätare",
                d(2027, 12, 31)
            ],
            row![
                "Robotiserad fakturakontroll",
                "Effektivitet",
                "Intern",
                "Ja",
                "Ja",
                "Avslutad",
                "Ja",
                "1 234,50 kr",
                "Ekonomichef",
                d(2026, 5, 31)
            ],
        ],
    );
    mognad(
        b,
        &[
            (2024, [63.0, 68.0, 55.0, 60.0, 64.0, 62.0, 66.0]),
            (2025, [66.0, 70.0, 59.0, 63.0, 66.0, 65.0, 68.0]),
        ],
    )
}

/// BRG and GHAB: small bolag submissions (BRG without a Digital mognad sheet).
fn bolag(id: &str, organ: &str) -> Book {
    let b = inlamning(
        "Verksamhet",
        id,
        "2026",
        d(2026, 4, 2),
        &format!("Digitaliseringsansvarig {id}"),
    );
    let b = plan(
        b,
        Plan {
            budget: if id == "BRG" { "Nej" } else { "Ja" },
            ..std_plan(organ, &format!("{id}-2024-5"))
        },
    );
    let b = table(b, "Tjänster", TJANSTER_H, tjanster(&[], &[]));
    let b = table(
        b,
        "System",
        SYSTEM_H,
        vec![
            row![
                "CRM",
                "Verksamhetsspecifik",
                E,
                2,
                2,
                d(2026, 1, 28),
                "Ja",
                "Ja",
                "Ja",
                "Marknadschef"
            ],
            gemensam(
                "E-post",
                "IS-EPOST",
                2.into(),
                2.into(),
                d(2026, 1, 28),
                "Ja",
                "IT-ansvarig",
            ),
        ],
    );
    let b = inga_avsteg(b);
    let b = table(
        b,
        "Förändringsinsatser",
        INSATS_H,
        vec![row![
            format!("Digital kundportal {id}"),
            "Innovation",
            "Extern",
            "Ja",
            "Ja",
            "Planerad",
            E,
            750_000,
            format!("Digitaliseringsansvarig {id}"),
            d(2027, 9, 30)
        ]],
    );
    if id == "BRG" {
        b
    } else {
        mognad(b, &[(2025, [55.0, 60.0, 47.0, 52.0, 56.0, 54.0, 57.0])])
    }
}
