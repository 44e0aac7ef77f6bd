//! The Swedish texts of the templates: one instruction (what to enter and an
//! example) per contract column, and what each sheet is for. Keyed by the
//! schema's sheet and ASCII column name, so a unit test can check that every
//! schema column has its text.

use crate::model::{Kind, SheetSchema};

/// What to enter in a column, and an example value.
pub struct Help {
    /// What to enter.
    pub what: &'static str,
    /// An example value.
    pub example: &'static str,
}

const fn h(what: &'static str, example: &'static str) -> Option<Help> {
    Some(Help { what, example })
}

/// The instruction for one column (or key) of a sheet.
pub fn column_help(sheet: &str, name: &str) -> Option<Help> {
    match (sheet, name) {
        // Inlämning
        ("Inlämning", "typ") => h(
            "Vilken sorts arbetsbok det här är. Är redan ifyllt; ändra inte.",
            "Verksamhet",
        ),
        ("Inlämning", "organisations_id") => h(
            "Er organisations id i stadens register. Är redan ifyllt; ändra inte.",
            "KOV",
        ),
        ("Inlämning", "organisation") => h(
            "Er organisations namn. Är redan ifyllt.",
            "Kretslopp och vattennämnden",
        ),
        ("Inlämning", "period") => h(
            "Den period uppföljningen gäller. Är redan ifyllt; ändra inte.",
            "2026",
        ),
        ("Inlämning", "inlamnad") => h(
            "Dagens datum när ni lämnar in. Lämnar ni in igen senare gäller den senaste inlämningen.",
            "2026-03-15",
        ),
        ("Inlämning", "kontaktperson") => h(
            "Den som kan svara på frågor om uppgifterna (frivilligt).",
            "Anna Andersson",
        ),
        ("Inlämning", "e_post") => h(
            "Kontaktpersonens e-postadress (frivilligt).",
            "anna.andersson@goteborg.se",
        ),
        // Digitaliseringsplan
        ("Digitaliseringsplan", "plan_finns") => h(
            "Har ni en beslutad digitaliseringsplan för perioden?",
            "Ja",
        ),
        ("Digitaliseringsplan", "dokumentnamn") => h(
            "Planens namn, som det står på dokumentet.",
            "Digitaliseringsplan 2026–2027",
        ),
        ("Digitaliseringsplan", "beslutad_av") => h(
            "Det organ som beslutade planen (nämnden eller styrelsen).",
            "Kretslopp och vattennämnden",
        ),
        ("Digitaliseringsplan", "beslutsdatum") => h("Dagen då planen beslutades.", "2026-01-20"),
        ("Digitaliseringsplan", "diarienummer") => {
            h("Beslutets diarienummer.", "KOV-2026-00123")
        }
        ("Digitaliseringsplan", "giltig_fran") => h(
            "Från när planen gäller: ett datum eller bara ett årtal (årtal = 1 januari).",
            "2026",
        ),
        ("Digitaliseringsplan", "giltig_till") => h(
            "Till när planen gäller: ett datum eller bara ett årtal (årtal = 31 december).",
            "2027",
        ),
        ("Digitaliseringsplan", "antal_insatser") => h(
            "Hur många förändringsinsatser planen innehåller (ett heltal).",
            "4",
        ),
        ("Digitaliseringsplan", "effekter_beskrivna") => h(
            "Beskriver planen vilka effekter insatserna ska ge?",
            "Ja",
        ),
        ("Digitaliseringsplan", "ingar_i_budget_eller_verksamhetsplan") => h(
            "Ingår planen i er budget, affärsplan eller verksamhetsplan? (Bolag: affärsplanen.)",
            "Ja",
        ),
        // Tjänster (Verksamhet: use of gemensamma tjänster) and Tjänster (Tjänstekatalog)
        ("Tjänster", "tjanst_id") => h(
            "Tjänstens id i tjänstekatalogen. Ett id per rad.",
            "IS-HR",
        ),
        ("Tjänster", "tjanst") => h("Tjänstens namn.", "HR-stöd"),
        ("Tjänster", "anvands") => h(
            "Använder ni tjänsten? Välj Ja eller Nej. Använder ni inte en bastjänst behövs ett beslutat avsteg (bladet Avsteg).",
            "Ja",
        ),
        ("Tjänster", "kommentar") => h(
            "Valfri kommentar, t.ex. varför ni inte använder tjänsten.",
            "Införs under hösten",
        ),
        ("Tjänster", "kategori") => h(
            "Bastjänst (obligatorisk för alla), Tilläggstjänst eller Specialisttjänst.",
            "Bastjänst",
        ),
        ("Tjänster", "leverantor") => h(
            "Den förvaltning som levererar tjänsten.",
            "Intraservice",
        ),
        ("Tjänster", "pris") => h("Tjänstens pris, med enhet.", "1 200 kr per användare och år"),
        ("Tjänster", "prismodell") => h(
            "Kostnadsfördelning (fördelas på alla) eller Faktura (betalas per beställning).",
            "Kostnadsfördelning",
        ),
        ("Tjänster", "omfattning") => h(
            "Vad tjänsten omfattar.",
            "Lönehantering och HR-system",
        ),
        ("Tjänster", "serviceniva") => h(
            "Utlovad servicenivå.",
            "Vardagar 8–17, åtgärd inom 4 timmar",
        ),
        ("Tjänster", "malgrupp") => h("Vilka tjänsten är till för.", "Alla förvaltningar"),
        ("Tjänster", "informationssakerhetsniva") => h(
            "Den informationssäkerhetsnivå tjänsten klarar. Välj i listan.",
            "2 - Förhöjd",
        ),
        ("Tjänster", "krav_pa_kund") => h(
            "Vad kunden (förvaltningen eller bolaget) måste göra eller ha.",
            "Utsedd kontaktperson",
        ),
        ("Tjänster", "giltig_fran") => h("Från vilket datum tjänsten gäller.", "2026-01-01"),
        ("Tjänster", "giltig_till") => h(
            "Till vilket datum tjänsten gäller. Lämna tomt om den gäller tills vidare.",
            "2027-12-31",
        ),
        // System
        ("System", "system") => h(
            "Systemets eller tjänstens namn. Ett system per rad.",
            "Ärendehanteringssystem",
        ),
        ("System", "typ") => h(
            "Verksamhetsspecifik (ert eget system) eller Gemensam tjänst (från stadens tjänstekatalog).",
            "Verksamhetsspecifik",
        ),
        ("System", "tjanst_id") => h(
            "För en gemensam tjänst: dess id i tjänstekatalogen. Annars tomt.",
            "IS-HR",
        ),
        ("System", "skyddsbehov") => h(
            "Den säkerhetsnivå informationen i systemet kräver (enligt informationsklassningen). Välj i listan.",
            "2 - Förhöjd",
        ),
        ("System", "uppnadd_sakerhetsniva") => h(
            "Den säkerhetsnivå systemet faktiskt uppnår i dag. Välj i listan.",
            "2 - Förhöjd",
        ),
        ("System", "senaste_riskbedomning") => h(
            "Dagen då den senaste riskbedömningen gjordes.",
            "2026-02-01",
        ),
        ("System", "personuppgifter") => h("Behandlas personuppgifter i systemet?", "Ja"),
        ("System", "personuppgiftsbitrade") => h(
            "Behandlar någon utanför organisationen personuppgifterna åt er (ett personuppgiftsbiträde)?",
            "Nej",
        ),
        ("System", "instruktion_till_bitrade") => h(
            "Har biträdet fått skriftliga instruktioner (biträdesavtal)? Lämna tomt om det inte finns något biträde.",
            "Ja",
        ),
        ("System", "systemagare") => h(
            "Systemägarens namn eller roll. Krävs för verksamhetsspecifika system.",
            "Avdelningschef IT",
        ),
        ("System", "risk_accepterad") => h(
            "Frivillig kolumn. Om uppnådd säkerhetsnivå är lägre än skyddsbehovet och nämnden eller styrelsen har beslutat att acceptera risken: dagen för det beslutet. Annars tomt.",
            "2026-04-22",
        ),
        // Avsteg
        ("Avsteg", "avsteg_id") => h("Ert eget id för avsteget (valfritt men bra).", "AV-1"),
        ("Avsteg", "tjanst_id") => h(
            "Id för den bastjänst ni inte använder (från tjänstekatalogen).",
            "IS-HR",
        ),
        ("Avsteg", "motivering") => h(
            "Varför ni inte använder bastjänsten.",
            "Eget system upphandlat till och med 2027",
        ),
        ("Avsteg", "dialog_med_leverantor") => h(
            "Dagen då ni hade dialog med tjänstens leverantör.",
            "2026-01-10",
        ),
        ("Avsteg", "beslutat_av") => h(
            "Det organ som beslutade avsteget (nämnden eller styrelsen).",
            "Kretslopp och vattennämnden",
        ),
        ("Avsteg", "beslutsdatum") => h("Dagen då avsteget beslutades.", "2026-02-15"),
        ("Avsteg", "diarienummer") => h("Beslutets diarienummer.", "KOV-2026-00045"),
        ("Avsteg", "rapporterat_i_uppfoljning") => h(
            "Har avsteget rapporterats i er uppföljning?",
            "Ja",
        ),
        ("Avsteg", "ssg_informerad") => h(
            "Dagen då strategiska samordningsgruppen (SSG) informerades.",
            "2026-03-01",
        ),
        ("Avsteg", "galler_till") => h(
            "Sista dag avsteget gäller. Lämna tomt om det gäller tills vidare.",
            "2027-12-31",
        ),
        // Förändringsinsatser
        ("Förändringsinsatser", "insats") => h(
            "Insatsens namn. En insats per rad.",
            "E-tjänst för bygglov",
        ),
        ("Förändringsinsatser", "inriktning") => h(
            "Effektivitet (göra befintligt bättre) eller Innovation (göra något nytt).",
            "Effektivitet",
        ),
        ("Förändringsinsatser", "nytta") => h(
            "Intern (för organisationen) eller Extern (för invånare, företag, besökare).",
            "Extern",
        ),
        ("Förändringsinsatser", "kostnads_och_nyttoanalys") => h(
            "Finns en kostnads- och nyttoanalys för insatsen?",
            "Ja",
        ),
        ("Förändringsinsatser", "nyttorealiseringsplan") => h(
            "Finns en plan för hur nyttan ska tas hem?",
            "Ja",
        ),
        ("Förändringsinsatser", "status") => h("Planerad, Pågående eller Avslutad.", "Pågående"),
        ("Förändringsinsatser", "utvarderad") => h(
            "Har insatsen utvärderats? (Gäller främst avslutade insatser.)",
            "Nej",
        ),
        ("Förändringsinsatser", "budget") => h("Insatsens budget i kronor.", "250000"),
        ("Förändringsinsatser", "ansvarig") => h("Ansvarig person eller roll.", "Projektledare Eva Ek"),
        ("Förändringsinsatser", "slutdatum") => h(
            "Dagen då insatsen är (eller beräknas vara) klar.",
            "2026-12-31",
        ),
        ("Förändringsinsatser", "stadsgemensam") => h(
            "Frivillig kolumn (nyttoregistret). Är insatsen ett stadsgemensamt initiativ? Då krävs en nyttorealiseringsplan och att nyttan följs upp.",
            "Nej",
        ),
        ("Förändringsinsatser", "forvantad_nytta") => h(
            "Frivillig kolumn. Den nytta insatsen förväntas ge.",
            "Kortare handläggningstid för bygglov",
        ),
        ("Förändringsinsatser", "nyttomatt") => h(
            "Frivillig kolumn. Vad som mäts för att följa upp nyttan.",
            "Handläggningstid i dagar",
        ),
        ("Förändringsinsatser", "utgangsvarde") => h(
            "Frivillig kolumn. Måttets värde före insatsen.",
            "42",
        ),
        ("Förändringsinsatser", "malvarde") => h(
            "Frivillig kolumn. Det värde insatsen ska nå.",
            "20",
        ),
        ("Förändringsinsatser", "utfall") => h(
            "Frivillig kolumn. Det senast uppmätta värdet. Lämna tomt tills nyttan har mätts.",
            "27",
        ),
        ("Förändringsinsatser", "nytta_matt") => h(
            "Frivillig kolumn. Dagen då nyttan senast mättes (efter att insatsen avslutats).",
            "2026-09-15",
        ),
        // Digital mognad
        ("Digital mognad", "ar") => h("Året mätningen (DiMiOS) gjordes.", "2025"),
        ("Digital mognad", "totalt") => h("Totalt resultat i procent, 0–100.", "45"),
        ("Digital mognad", "effektivitet") => h("Resultat för Effektivitet i procent, 0–100.", "50"),
        ("Digital mognad", "innovation") => h("Resultat för Innovation i procent, 0–100.", "40"),
        ("Digital mognad", "balansering") => h("Resultat för Balansering i procent, 0–100.", "42"),
        ("Digital mognad", "organisation") => {
            h("Resultat för Organisation i procent, 0–100.", "48")
        }
        ("Digital mognad", "anvandare") => h("Resultat för Användare i procent, 0–100.", "44"),
        ("Digital mognad", "teknik") => h("Resultat för Teknik i procent, 0–100.", "46"),
        // Uppföljningsrapport
        ("Uppföljningsrapport", "ar") => h("Året uppföljningsrapporten gäller.", "2026"),
        ("Uppföljningsrapport", "presenterad_for_ssg") => h(
            "Dagen då rapporten presenterades för strategiska samordningsgruppen (SSG).",
            "2026-04-15",
        ),
        ("Uppföljningsrapport", "presenterad_for_verksamheterna") => h(
            "Dagen då rapporten presenterades för verksamheterna.",
            "2026-04-30",
        ),
        ("Uppföljningsrapport", "foljsamhet_beskriven") => h(
            "Beskriver rapporten verksamheternas följsamhet (användning av tjänsterna)?",
            "Ja",
        ),
        ("Uppföljningsrapport", "storningar_och_konsekvensanalys") => h(
            "Beskriver rapporten störningar och en analys av deras konsekvenser?",
            "Ja",
        ),
        ("Uppföljningsrapport", "diarienummer") => h("Rapportens diarienummer.", "IS-2026-00200"),
        // Årlig analys
        ("Årlig analys", "ar") => h("Året analysen gäller.", "2026"),
        ("Årlig analys", "inlamnad_till_ssg") => h(
            "Dagen då den årliga analysen lämnades till strategiska samordningsgruppen (SSG).",
            "2026-10-15",
        ),
        ("Årlig analys", "satsningar_analyserade") => h(
            "Analyserar den pågående och planerade satsningar?",
            "Ja",
        ),
        ("Årlig analys", "behov_och_krav_fran_namnder") => h(
            "Beskriver den hur nämndernas och bolagens behov och krav, bland annat på lagar och säkerhetsnivåer, ska uppfyllas?",
            "Ja",
        ),
        ("Årlig analys", "sakerhetsniva_per_tjanst") => h(
            "Anger den vilken informationssäkerhetsnivå som ska gälla för varje gemensam tjänst?",
            "Ja",
        ),
        ("Årlig analys", "diarienummer") => h("Analysens diarienummer.", "IS-2026-00310"),
        // Säkerhetsavvikelser
        ("Säkerhetsavvikelser", "avvikelse_id") => h("Ert eget id för avvikelsen.", "SA-1"),
        ("Säkerhetsavvikelser", "tjanst_id") => h("Id för den berörda tjänsten.", "IS-HR"),
        ("Säkerhetsavvikelser", "beskrivning") => h(
            "Vad som hände.",
            "Obehörig åtkomst till behörighetsregistret",
        ),
        ("Säkerhetsavvikelser", "upptackt") => h("Dagen då avvikelsen upptäcktes.", "2026-02-03"),
        ("Säkerhetsavvikelser", "rapporterad_till_verksamheterna") => h(
            "Dagen då de berörda verksamheterna informerades.",
            "2026-02-04",
        ),
        ("Säkerhetsavvikelser", "rapporterad_till_beredningsfunktionen") => h(
            "Dagen då beredningsfunktionen informerades.",
            "2026-02-05",
        ),
        ("Säkerhetsavvikelser", "allvarlighet") => h("Låg, Medel eller Hög.", "Medel"),
        ("Säkerhetsavvikelser", "status") => h("Avvikelsens status med egna ord.", "Åtgärdad"),
        // Leveransavvikelser
        ("Leveransavvikelser", "avvikelse_id") => h("Ert eget id för avvikelsen.", "LA-1"),
        ("Leveransavvikelser", "kund") => h(
            "Kundens id i stadens register (förvaltningen eller bolaget som inte får det den behöver).",
            "KOV",
        ),
        ("Leveransavvikelser", "tjanst_id") => h("Id för den berörda tjänsten.", "IS-HR"),
        ("Leveransavvikelser", "beskrivning") => h(
            "Vad kunden behöver som ni inte kan leverera.",
            "Kräver säkerhetsnivå 3, tjänsten klarar 2",
        ),
        ("Leveransavvikelser", "rapporterad_i_uppfoljning") => h(
            "Har avvikelsen rapporterats i er uppföljningsrapport?",
            "Ja",
        ),
        ("Leveransavvikelser", "ssg_informerad") => h(
            "Dagen då strategiska samordningsgruppen (SSG) informerades.",
            "2026-03-01",
        ),
        _ => None,
    }
}

/// How to fill in a value of a kind (appended to the column's instruction).
pub fn kind_hint(kind: Kind) -> &'static str {
    match kind {
        Kind::Text | Kind::Id => "Fri text.",
        Kind::Bool => "Välj Ja eller Nej i listan.",
        Kind::Date => "Skriv ett datum som ÅÅÅÅ-MM-DD.",
        Kind::DateOrYearStart | Kind::DateOrYearEnd => {
            "Skriv ett datum som ÅÅÅÅ-MM-DD eller bara ett årtal (ÅÅÅÅ)."
        }
        Kind::Int => "Skriv ett heltal.",
        Kind::Money => "Skriv ett belopp i kronor (bara siffror).",
        Kind::Level => {
            "Välj säkerhetsnivå i listan: 1 - Grund, 2 - Förhöjd, 3 - Hög eller 4 - Mycket hög."
        }
        Kind::Choice(_) => "Välj i listan.",
        Kind::Percent => "Skriv en procentsats 0–100, t.ex. 45 för 45 %.",
        Kind::Year => "Skriv ett årtal, t.ex. 2026.",
    }
}

/// The full note text of a column: instruction, kind hint, example.
pub fn note_text(schema: &SheetSchema, name: &str, kind: Kind) -> String {
    let help = column_help(schema.sheet, name);
    let what = help.as_ref().map_or("", |h| h.what);
    let mut s = String::from(what);
    let hint = kind_hint(kind);
    if !matches!(kind, Kind::Text | Kind::Id) && !what.contains(hint) {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(hint);
    }
    if let Some(h) = help {
        s.push_str(&format!("\nExempel: {}", h.example));
    }
    s
}

/// What a contract sheet is for (the Instruktioner sheet lists these).
pub fn sheet_purpose(sheet: &str, katalog: bool) -> &'static str {
    match sheet {
        "Inlämning" => "Vem som lämnar in, vilken period och när. Typ, Organisations-id, Organisation och Period är redan ifyllda; fyll i Inlämnad (dagens datum) och gärna Kontaktperson och E-post.",
        "Digitaliseringsplan" => "Uppgifter om er digitaliseringsplan: fyll i svaret i kolumn B på varje rad.",
        "Tjänster" if katalog => "Er tjänstekatalog: en rad per tjänst ni levererar, med kategori, pris, servicenivå och informationssäkerhetsnivå.",
        "Tjänster" => "Stadens gemensamma tjänster (från tjänstekatalogerna) är redan listade. Svara Ja eller Nej i kolumnen Används för varje tjänst. Använder ni inte en bastjänst ska det finnas ett beslutat avsteg i bladet Avsteg.",
        "System" => "En rad per system eller tjänst ni använder i verksamheten, med skyddsbehov, uppnådd säkerhetsnivå, personuppgifter och systemägare. Kolumnen Risk accepterad är frivillig: fyll i den bara när nämnden eller styrelsen har beslutat att acceptera en lägre säkerhetsnivå än skyddsbehovet.",
        "Avsteg" => "En rad per beslutat avsteg från en obligatorisk bastjänst. Lämna bladet tomt om ni inte har några avsteg.",
        "Förändringsinsatser" => "En rad per förändringsinsats i er digitaliseringsplan. Kolumnerna Stadsgemensam, Förväntad nytta, Nyttomått, Utgångsvärde, Målvärde, Utfall och Nytta mätt (nyttoregistret) är frivilliga; för en stadsgemensam insats krävs en nyttorealiseringsplan och att nyttan mäts efter avslut.",
        "Digital mognad" => "Frivilligt: era resultat från mätningen av digital mognad (DiMiOS), en rad per år, i procent 0–100.",
        "Uppföljningsrapport" => "En rad per år: när er uppföljningsrapport presenterades och vad den innehåller.",
        "Årlig analys" => "En rad per år: när er årliga analys lämnades till strategiska samordningsgruppen (SSG) och vad den innehåller (satsningar, nämndernas behov och krav, säkerhetsnivå per tjänst).",
        "Säkerhetsavvikelser" => "En rad per säkerhetsavvikelse i era tjänster under perioden. Lämna tomt om det inte har funnits några.",
        "Leveransavvikelser" => "En rad per fall där ni inte kan leverera det en kund (förvaltning eller bolag) behöver. Lämna tomt om det inte har funnits några.",
        _ => "",
    }
}
