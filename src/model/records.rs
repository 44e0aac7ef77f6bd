//! The contract's sheets as typed records (input contract, sections 3–6).
//! Each declaration is the single source for the struct, its header names
//! and aliases, its value kinds and the ASCII names rule scripts use.

use chrono::NaiveDate;

use super::schema::{record, Kind, SheetSchema};
use super::{Money, Record, Sakerhetsniva};

const JA_NEJ: Kind = Kind::Bool;

/// The values `Typ` may take in the `Inlämning` sheet.
pub const INLAMNING_TYPER: &[&str] = &["Verksamhet", "Leverantör", "Tjänstekatalog"];
pub const SYSTEM_TYPER: &[&str] = &["Verksamhetsspecifik", "Gemensam tjänst"];
pub const INRIKTNINGAR: &[&str] = &["Effektivitet", "Innovation"];
pub const NYTTOR: &[&str] = &["Intern", "Extern"];
pub const INSATS_STATUSAR: &[&str] = &["Planerad", "Pågående", "Avslutad"];
pub const ALLVARLIGHETER: &[&str] = &["Låg", "Medel", "Hög"];
pub const KATEGORIER: &[&str] = &["Bastjänst", "Tilläggstjänst", "Specialisttjänst"];
pub const PRISMODELLER: &[&str] = &["Kostnadsfördelning", "Faktura"];

record! {
    /// Sheet `Inlämning` of every workbook (key–value).
    Inlamning, "Inlämning", KeyValue, required [] {
        typ: String = Kind::Text, "Typ";
        organisations_id: String = Kind::Id, "Organisations-id" | "Organisationsid" | "Org-id";
        organisation: String = Kind::Text, "Organisation";
        period: String = Kind::Text, "Period";
        inlamnad: NaiveDate = Kind::Date, "Inlämnad" | "Inlämningsdatum";
        kontaktperson: String = Kind::Text, "Kontaktperson";
        e_post: String = Kind::Text, "E-post" | "Epost" | "E-postadress";
    }
}

record! {
    /// Sheet `Digitaliseringsplan` of a Verksamhet workbook (key–value).
    Digitaliseringsplan, "Digitaliseringsplan", KeyValue, required [] {
        plan_finns: bool = JA_NEJ, "Plan finns";
        dokumentnamn: String = Kind::Text, "Dokumentnamn";
        beslutad_av: String = Kind::Text, "Beslutad av";
        beslutsdatum: NaiveDate = Kind::Date, "Beslutsdatum";
        diarienummer: String = Kind::Text, "Diarienummer" | "Dnr";
        giltig_fran: NaiveDate = Kind::DateOrYearStart, "Giltig från";
        giltig_till: NaiveDate = Kind::DateOrYearEnd, "Giltig till";
        antal_insatser: i64 = Kind::Int, "Antal insatser";
        effekter_beskrivna: bool = JA_NEJ, "Effekter beskrivna";
        ingar_i_budget_eller_verksamhetsplan: bool = JA_NEJ, "Ingår i budget eller verksamhetsplan"
            | "Ingår i budget, affärsplan eller verksamhetsplan" | "Ingår i affärsplan";
    }
}

record! {
    /// Sheet `Tjänster` of a Verksamhet workbook: use of gemensamma tjänster.
    TjanstAnvandning, "Tjänster", Table, required ["tjanst_id", "anvands"] {
        tjanst_id: String = Kind::Id, "Tjänst-id" | "Tjänste-id" | "TjänstID";
        tjanst: String = Kind::Text, "Tjänst";
        anvands: bool = JA_NEJ, "Används";
        kommentar: String = Kind::Text, "Kommentar";
    }
}

record! {
    /// Sheet `System` of a Verksamhet workbook.
    System, "System", Table, required ["system"] optional ["risk_accepterad"] {
        system: String = Kind::Text, "System";
        typ: String = Kind::Choice(SYSTEM_TYPER), "Typ";
        tjanst_id: String = Kind::Id, "Tjänst-id" | "Tjänste-id" | "TjänstID";
        skyddsbehov: Sakerhetsniva = Kind::Level, "Skyddsbehov" | "Krav på säkerhetsnivå";
        uppnadd_sakerhetsniva: Sakerhetsniva = Kind::Level, "Uppnådd säkerhetsnivå";
        senaste_riskbedomning: NaiveDate = Kind::Date, "Senaste riskbedömning";
        personuppgifter: bool = JA_NEJ, "Personuppgifter";
        personuppgiftsbitrade: bool = JA_NEJ, "Personuppgiftsbiträde";
        instruktion_till_bitrade: bool = JA_NEJ, "Instruktion till biträde";
        systemagare: String = Kind::Text, "Systemägare";
        risk_accepterad: NaiveDate = Kind::Date, "Risk accepterad";
    }
}

record! {
    /// Sheet `Avsteg` of a Verksamhet workbook.
    Avsteg, "Avsteg", Table, required ["tjanst_id", "motivering"] {
        avsteg_id: String = Kind::Id, "Avsteg-id" | "Avstegs-id" | "AvstegID";
        tjanst_id: String = Kind::Id, "Tjänst-id" | "Tjänste-id" | "TjänstID";
        motivering: String = Kind::Text, "Motivering";
        dialog_med_leverantor: NaiveDate = Kind::Date, "Dialog med leverantör";
        beslutat_av: String = Kind::Text, "Beslutat av";
        beslutsdatum: NaiveDate = Kind::Date, "Beslutsdatum";
        diarienummer: String = Kind::Text, "Diarienummer" | "Dnr";
        rapporterat_i_uppfoljning: bool = JA_NEJ, "Rapporterat i uppföljning";
        ssg_informerad: NaiveDate = Kind::Date, "SSG informerad" | "Strategiska samordningsgruppen informerad";
        galler_till: NaiveDate = Kind::Date, "Gäller till";
    }
}

record! {
    /// Sheet `Förändringsinsatser` of a Verksamhet workbook.
    Forandringsinsats, "Förändringsinsatser", Table, required ["insats"]
    optional [
        "stadsgemensam", "forvantad_nytta", "nyttomatt", "utgangsvarde", "malvarde", "utfall",
        "nytta_matt"
    ] {
        insats: String = Kind::Text, "Insats";
        inriktning: String = Kind::Choice(INRIKTNINGAR), "Inriktning";
        nytta: String = Kind::Choice(NYTTOR), "Nytta";
        kostnads_och_nyttoanalys: bool = JA_NEJ, "Kostnads- och nyttoanalys";
        nyttorealiseringsplan: bool = JA_NEJ, "Nyttorealiseringsplan";
        status: String = Kind::Choice(INSATS_STATUSAR), "Status";
        utvarderad: bool = JA_NEJ, "Utvärderad";
        budget: Money = Kind::Money, "Budget";
        ansvarig: String = Kind::Text, "Ansvarig";
        slutdatum: NaiveDate = Kind::Date, "Slutdatum";
        // The nyttoregister's benefit columns (optional). A benefit measure
        // is read as text: it may carry its unit ("12 dagar", "85 %").
        stadsgemensam: bool = JA_NEJ, "Stadsgemensam";
        forvantad_nytta: String = Kind::Text, "Förväntad nytta";
        nyttomatt: String = Kind::Text, "Nyttomått";
        utgangsvarde: String = Kind::Text, "Utgångsvärde";
        malvarde: String = Kind::Text, "Målvärde";
        utfall: String = Kind::Text, "Utfall";
        nytta_matt: NaiveDate = Kind::Date, "Nytta mätt";
    }
}

record! {
    /// Optional sheet `Digital mognad` of a Verksamhet workbook (DiMiOS, one row per year).
    DigitalMognad, "Digital mognad", Table, required ["ar", "totalt"] {
        ar: i64 = Kind::Year, "År";
        totalt: f64 = Kind::Percent, "Totalt";
        effektivitet: f64 = Kind::Percent, "Effektivitet";
        innovation: f64 = Kind::Percent, "Innovation";
        balansering: f64 = Kind::Percent, "Balansering";
        organisation: f64 = Kind::Percent, "Organisation";
        anvandare: f64 = Kind::Percent, "Användare";
        teknik: f64 = Kind::Percent, "Teknik";
    }
}

record! {
    /// Sheet `Uppföljningsrapport` of a Leverantör workbook (one row per year).
    Uppfoljningsrapport, "Uppföljningsrapport", Table, required ["ar"] {
        ar: i64 = Kind::Year, "År";
        presenterad_for_ssg: NaiveDate = Kind::Date, "Presenterad för SSG";
        presenterad_for_verksamheterna: NaiveDate = Kind::Date, "Presenterad för verksamheterna";
        foljsamhet_beskriven: bool = JA_NEJ, "Följsamhet beskriven";
        storningar_och_konsekvensanalys: bool = JA_NEJ, "Störningar och konsekvensanalys";
        diarienummer: String = Kind::Text, "Diarienummer" | "Dnr";
    }
}

record! {
    /// Sheet `Årlig analys` of a Leverantör workbook (one row per year; the
    /// annual analysis to SSG).
    ArligAnalys, "Årlig analys", Table, required ["ar"] {
        ar: i64 = Kind::Year, "År";
        inlamnad_till_ssg: NaiveDate = Kind::Date, "Inlämnad till SSG";
        satsningar_analyserade: bool = JA_NEJ, "Satsningar analyserade";
        behov_och_krav_fran_namnder: bool = JA_NEJ, "Behov och krav från nämnder";
        sakerhetsniva_per_tjanst: bool = JA_NEJ, "Säkerhetsnivå per tjänst";
        diarienummer: String = Kind::Text, "Diarienummer" | "Dnr";
    }
}

record! {
    /// Sheet `Säkerhetsavvikelser` of a Leverantör workbook.
    Sakerhetsavvikelse, "Säkerhetsavvikelser", Table, required ["upptackt"] {
        avvikelse_id: String = Kind::Id, "Avvikelse-id" | "Avvikelses-id" | "AvvikelseID";
        tjanst_id: String = Kind::Id, "Tjänst-id" | "Tjänste-id" | "TjänstID";
        beskrivning: String = Kind::Text, "Beskrivning";
        upptackt: NaiveDate = Kind::Date, "Upptäckt";
        rapporterad_till_verksamheterna: NaiveDate = Kind::Date, "Rapporterad till verksamheterna";
        rapporterad_till_beredningsfunktionen: NaiveDate = Kind::Date, "Rapporterad till beredningsfunktionen";
        allvarlighet: String = Kind::Choice(ALLVARLIGHETER), "Allvarlighet";
        status: String = Kind::Text, "Status";
    }
}

record! {
    /// Sheet `Leveransavvikelser` of a Leverantör workbook.
    Leveransavvikelse, "Leveransavvikelser", Table, required ["kund"] {
        avvikelse_id: String = Kind::Id, "Avvikelse-id" | "Avvikelses-id" | "AvvikelseID";
        kund: String = Kind::Id, "Kund";
        tjanst_id: String = Kind::Id, "Tjänst-id" | "Tjänste-id" | "TjänstID";
        beskrivning: String = Kind::Text, "Beskrivning";
        rapporterad_i_uppfoljning: bool = JA_NEJ, "Rapporterad i uppföljning";
        ssg_informerad: NaiveDate = Kind::Date, "SSG informerad" | "Strategiska samordningsgruppen informerad";
    }
}

record! {
    /// Sheet `Tjänster` of a Tjänstekatalog workbook: one catalogue row.
    Katalogtjanst, "Tjänster", Table, required ["tjanst_id", "kategori"] {
        tjanst_id: String = Kind::Id, "Tjänst-id" | "Tjänste-id" | "TjänstID";
        tjanst: String = Kind::Text, "Tjänst";
        kategori: String = Kind::Choice(KATEGORIER), "Kategori";
        leverantor: String = Kind::Text, "Leverantör";
        pris: String = Kind::Text, "Pris";
        prismodell: String = Kind::Choice(PRISMODELLER), "Prismodell";
        omfattning: String = Kind::Text, "Omfattning";
        serviceniva: String = Kind::Text, "Servicenivå";
        malgrupp: String = Kind::Text, "Målgrupp";
        informationssakerhetsniva: Sakerhetsniva = Kind::Level, "Informationssäkerhetsnivå";
        krav_pa_kund: String = Kind::Text, "Krav på kund";
        giltig_fran: NaiveDate = Kind::Date, "Giltig från";
        giltig_till: NaiveDate = Kind::Date, "Giltig till";
    }
}

/// Every sheet the contract knows, in contract order (`Tjänster` twice:
/// a Verksamhet's use of services and a catalogue's rows).
pub const ALL: [&SheetSchema; 12] = [
    Inlamning::SCHEMA,
    Digitaliseringsplan::SCHEMA,
    TjanstAnvandning::SCHEMA,
    System::SCHEMA,
    Avsteg::SCHEMA,
    Forandringsinsats::SCHEMA,
    DigitalMognad::SCHEMA,
    Uppfoljningsrapport::SCHEMA,
    ArligAnalys::SCHEMA,
    Sakerhetsavvikelse::SCHEMA,
    Leveransavvikelse::SCHEMA,
    Katalogtjanst::SCHEMA,
];
