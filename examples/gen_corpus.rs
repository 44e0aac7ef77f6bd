//! Generates a large, realistic, FICTITIOUS corpus for benchmarks.
//!
//!     cargo run --release --example gen_corpus -- --orgs 3000 --seed 1 --out /tmp/corpus
//!
//! Writes `OUT/inputs/` with N Verksamhet workbooks (about 10 plan keys, 40
//! Tjänster rows, 150 System rows, 10 Avsteg rows and 20 Förändringsinsatser
//! each, with the contract's usual mess and a realistic share of gaps), a
//! Leverantör and a Tjänstekatalog workbook for each of three suppliers, and
//! `OUT/uppsikt.yaml` with the matching register (rules and schedules point
//! at this repository's). Deterministic for a seed; written on all cores.

// A generator: a failed write should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::needless_range_loop)]

use std::path::{Path, PathBuf};

#[path = "../tests/common"]
mod common {
    pub mod fixture;
}

use common::fixture::{d, Book, AVSTEG_HEADERS, V};

/// splitmix64: small, fast and deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// True with probability `p` percent.
    fn pct(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const SUPPLIERS: [&str; 3] = ["IS", "DMS", "IOU"];
const SERVICES_PER_SUPPLIER: usize = 14;

fn service_id(supplier: usize, i: usize) -> String {
    format!("{}-{:02}", SUPPLIERS[supplier], i + 1)
}

fn category(i: usize) -> &'static str {
    match i % 7 {
        0..=3 => "Bastjänst",
        4 | 5 => "Tilläggstjänst",
        _ => "Specialisttjänst",
    }
}

fn ja_nej(r: &mut Rng, yes_pct: u64) -> V {
    if r.pct(3) {
        return V::Blank;
    }
    let yes = r.pct(yes_pct);
    V::S(
        if yes {
            r.pick(&["Ja", "J", "X", "ja"])
        } else {
            r.pick(&["Nej", "N", "nej"])
        }
        .to_string(),
    )
}

fn a_date(r: &mut Rng, year: u16) -> V {
    let (m, day) = (1 + r.below(12) as u8, 1 + r.below(28) as u8);
    match r.below(10) {
        0 => V::S(format!("{day}/{m}/{year}")),
        1 => V::S(format!("{year}-{m:02}-{day:02}")),
        _ => d(year, m, day),
    }
}

fn level(r: &mut Rng, n: u64) -> V {
    match r.below(6) {
        0 => V::S(["Grund", "Förhöjd", "Hög", "Mycket hög"][n as usize - 1].to_string()),
        1 => V::S(format!(
            "{n} - {}",
            ["Grund", "Förhöjd", "Hög", "Mycket hög"][n as usize - 1]
        )),
        _ => V::N(n as f64),
    }
}

fn verksamhet(id: &str, seed: u64) -> Book {
    let mut r = Rng(seed);
    let plan = [
        ("Plan finns", ja_nej(&mut r, 92)),
        (
            "Dokumentnamn",
            V::S(format!("Digitaliseringsplan {id} 2026")),
        ),
        (
            "Beslutad av",
            if r.pct(6) {
                V::Blank
            } else {
                V::S(format!("Nämnden {id}"))
            },
        ),
        ("Beslutsdatum", a_date(&mut r, 2025)),
        (
            "Diarienummer",
            V::S(format!("N-{}-2025", r.below(9000) + 1000)),
        ),
        ("Giltig från", V::N(2025.0)),
        ("Giltig till", V::N(if r.pct(10) { 2025.0 } else { 2027.0 })),
        ("Antal insatser", V::N(r.below(12) as f64)),
        ("Effekter beskrivna", ja_nej(&mut r, 85)),
        ("Ingår i budget eller verksamhetsplan", ja_nej(&mut r, 80)),
    ];
    let mut tjanster = Vec::new();
    for s in 0..SUPPLIERS.len() {
        for i in 0..SERVICES_PER_SUPPLIER {
            if r.pct(5) {
                continue; // a missing row: not used
            }
            tjanster.push(vec![
                V::S(service_id(s, i)),
                V::S(format!("Tjänst {}", service_id(s, i))),
                ja_nej(&mut r, 88),
                V::Blank,
            ]);
        }
    }
    let mut system = Vec::new();
    for i in 0..150 {
        let common = r.pct(30);
        let need = 1 + r.below(4);
        let got = if r.pct(12) {
            need.saturating_sub(1).max(1)
        } else {
            need
        };
        system.push(vec![
            V::S(format!("System {id}-{i:03}")),
            V::S(
                if common {
                    "Gemensam tjänst"
                } else {
                    "Verksamhetsspecifik"
                }
                .into(),
            ),
            if common {
                V::S(service_id(
                    r.below(3) as usize,
                    r.below(SERVICES_PER_SUPPLIER as u64) as usize,
                ))
            } else {
                V::Blank
            },
            level(&mut r, need),
            if r.pct(4) {
                V::S("n/a".into())
            } else {
                level(&mut r, got)
            },
            {
                let y = if r.pct(20) { 2024 } else { 2026 };
                a_date(&mut r, y)
            },
            ja_nej(&mut r, 60),
            ja_nej(&mut r, 40),
            ja_nej(&mut r, 80),
            V::S(format!("Ägare {}", r.below(40))),
        ]);
    }
    let mut avsteg = Vec::new();
    for i in 0..10 {
        let short = r.pct(25);
        avsteg.push(vec![
            V::S(format!("AV-{id}-{i}")),
            V::S(service_id(r.below(3) as usize, r.below(SERVICES_PER_SUPPLIER as u64) as usize)),
            V::S(if short { "se ovan".into() } else { "Verksamhetens krav på tillgänglighet dygnet runt kan inte mötas av bastjänstens servicenivå.".into() }),
            a_date(&mut r, 2025),
            V::S(if r.pct(15) { "Förvaltningsdirektör".into() } else { format!("Nämnden {id}") }),
            d(2025, 12, 15),
            V::S(format!("N-{}-2025", r.below(9000) + 1000)),
            ja_nej(&mut r, 75),
            if r.pct(20) { V::Blank } else { a_date(&mut r, 2026) },
            if r.pct(20) { d(2026, 3, 31) } else { V::Blank },
        ]);
    }
    let mut insatser = Vec::new();
    for i in 0..20 {
        insatser.push(vec![
            V::S(format!("Insats {id}-{i}")),
            V::S(
                if r.pct(15) {
                    "Innovation"
                } else {
                    "Effektivitet"
                }
                .into(),
            ),
            V::S(if r.pct(40) { "Extern" } else { "Intern" }.into()),
            ja_nej(&mut r, 70),
            ja_nej(&mut r, 60),
            V::S(
                r.pick(&["Planerad", "Pågående", "Pågående", "Avslutad"])
                    .into(),
            ),
            ja_nej(&mut r, 50),
            if r.pct(10) {
                V::Blank
            } else {
                V::S(format!("{} 000 kr", 50 + r.below(900)))
            },
            if r.pct(10) {
                V::Blank
            } else {
                V::S(format!("Ansvarig {}", r.below(30)))
            },
            a_date(&mut r, 2026),
        ]);
    }
    let mognad = (2023..=2025)
        .map(|y| {
            let mut row = vec![V::N(f64::from(y))];
            for _ in 0..7 {
                row.push(V::N((30 + r.below(50)) as f64));
            }
            row
        })
        .collect();
    Book::verksamhet(id, "2026")
        .key_values("Digitaliseringsplan", &plan)
        .sheet_table(
            "Tjänster",
            &["Tjänst-id", "Tjänst", "Används", "Kommentar"],
            tjanster,
        )
        .sheet_table(
            "System",
            &[
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
            ],
            system,
        )
        .sheet_table("Avsteg", AVSTEG_HEADERS, avsteg)
        .sheet_table(
            "Förändringsinsatser",
            &[
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
            ],
            insatser,
        )
        .sheet_table(
            "Digital mognad",
            &[
                "År",
                "Totalt",
                "Effektivitet",
                "Innovation",
                "Balansering",
                "Organisation",
                "Användare",
                "Teknik",
            ],
            mognad,
        )
}

fn supplier_books(s: usize, seed: u64) -> (Book, Book) {
    let mut r = Rng(seed);
    let id = SUPPLIERS[s];
    let rows = (0..SERVICES_PER_SUPPLIER)
        .map(|i| {
            vec![
                V::S(service_id(s, i)),
                V::S(format!("Tjänst {}", service_id(s, i))),
                V::S(category(i).into()),
                V::S(id.into()),
                V::S(format!("{} kr/mån", 100 + r.below(900))),
                V::S("Kostnadsfördelning".into()),
                V::S("Hela staden".into()),
                if r.pct(10) {
                    V::Blank
                } else {
                    V::S("99,5 %".into())
                },
                V::S("Alla förvaltningar".into()),
                if r.pct(5) {
                    V::Blank
                } else {
                    V::N((1 + r.below(4)) as f64)
                },
                V::S("Beställning via portal".into()),
                d(2025, 1, 1),
                V::Blank,
            ]
        })
        .collect();
    let katalog = Book::tjanstekatalog(id, "2026").sheet_table(
        "Tjänster",
        &[
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
        ],
        rows,
    );
    let lev = Book::leverantor(id, "2026")
        .sheet_table(
            "Uppföljningsrapport",
            &[
                "År",
                "Presenterad för SSG",
                "Presenterad för verksamheterna",
                "Följsamhet beskriven",
                "Störningar och konsekvensanalys",
                "Diarienummer",
            ],
            vec![vec![
                V::N(2025.0),
                d(2026, 4, 20),
                d(2026, 5, 2),
                V::S("Ja".into()),
                V::S("Ja".into()),
                V::S("D-1".into()),
            ]],
        )
        .sheet_table(
            "Säkerhetsavvikelser",
            &[
                "Avvikelse-id",
                "Tjänst-id",
                "Beskrivning",
                "Upptäckt",
                "Rapporterad till verksamheterna",
                "Rapporterad till beredningsfunktionen",
                "Allvarlighet",
                "Status",
            ],
            (0..5)
                .map(|i| {
                    vec![
                        V::S(format!("SA-{i}")),
                        V::S(service_id(s, i)),
                        V::S("Avvikelse".into()),
                        d(2026, 2, 1 + i as u8),
                        d(2026, 2, 3 + i as u8 * 2),
                        d(2026, 2, 4 + i as u8 * 2),
                        V::S("Medel".into()),
                        V::S("Stängd".into()),
                    ]
                })
                .collect(),
        )
        .sheet_table(
            "Leveransavvikelser",
            &[
                "Avvikelse-id",
                "Kund",
                "Tjänst-id",
                "Beskrivning",
                "Rapporterad i uppföljning",
                "SSG informerad",
            ],
            vec![vec![
                V::S("LA-1".into()),
                V::S("ORG00001".into()),
                V::S(service_id(s, 0)),
                V::S("x".into()),
                V::S("Ja".into()),
                V::Blank,
            ]],
        );
    (lev, katalog)
}

fn org_id(i: usize) -> String {
    format!("ORG{:05}", i + 1)
}

fn main() {
    let mut orgs = 300usize;
    let mut seed = 1u64;
    let mut out = PathBuf::from("corpus");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_default();
        match a.as_str() {
            "--orgs" => orgs = v.parse().expect("--orgs N"),
            "--seed" => seed = v.parse().expect("--seed S"),
            "--out" => out = PathBuf::from(v),
            other => panic!("unknown argument {other}; use --orgs N --seed S --out DIR"),
        }
    }
    let inputs = out.join("inputs");
    std::fs::create_dir_all(&inputs).expect("create output folder");
    write_config(&out, orgs);
    for s in 0..SUPPLIERS.len() {
        let (lev, kat) = supplier_books(s, seed ^ (s as u64 + 1) << 32);
        lev.save(inputs.join(format!("{}-leverantor.xlsx", SUPPLIERS[s])));
        kat.save(inputs.join(format!("{}-tjanstekatalog.xlsx", SUPPLIERS[s])));
        verksamhet(SUPPLIERS[s], seed ^ 0xABCD ^ s as u64)
            .save(inputs.join(format!("{}-verksamhet.xlsx", SUPPLIERS[s])));
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        for w in 0..workers {
            let inputs = &inputs;
            scope.spawn(move || {
                for i in (w..orgs).step_by(workers) {
                    let id = org_id(i);
                    let dir = inputs.join(format!("del{:02}", i % 50));
                    std::fs::create_dir_all(&dir).expect("mkdir");
                    verksamhet(&id, seed.wrapping_mul(1_000_003).wrapping_add(i as u64))
                        .save(dir.join(format!("{id}.xlsx")));
                }
            });
        }
    });
    eprintln!("wrote {} workbooks to {}", orgs + 9, inputs.display());
}

fn write_config(out: &Path, orgs: usize) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut y = format!(
        "# Generated by examples/gen_corpus.rs: fictitious benchmark corpus.\nsokvagar:\n  indata: inputs\n  regler: {}\n  utdata: outputs\n  scheman: {}\nvantetid_sekunder: 0\norganisationer:\n",
        repo.join("rules").display(),
        repo.join("schedules").display()
    );
    for (i, s) in SUPPLIERS.iter().enumerate() {
        y.push_str(&format!(
            "  - {{id: {s}, namn: Leverantör {i}, typ: nämnd, beslutsorgan: Leverantörsnämnd {i}, leverantör: true}}\n"
        ));
    }
    for i in 0..orgs {
        let id = org_id(i);
        y.push_str(&format!(
            "  - {{id: {id}, namn: Nämnden {id}, typ: nämnd, beslutsorgan: Nämnden {id}}}\n"
        ));
    }
    std::fs::write(out.join("uppsikt.yaml"), y).expect("write config");
}
