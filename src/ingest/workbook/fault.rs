//! A whole-file fault: why a workbook is not read. Each variant carries its
//! place (the sheet, the cell with its file, where there is one); its
//! Display is the Swedish reason written to the input log (`orsak`).

use crate::model::{column_letters, Location, A1};

/// The reason for content that is none of the formats read.
pub const NOT_SPREADSHEET: &str =
    "Filen är inget kalkylark som kan läsas (innehållet är varken xlsx, xlsm, xlsb, xls eller ods).";
/// The reason for a damaged file.
pub const CORRUPT: &str =
    "Filen är skadad eller ofullständig och kan inte öppnas; spara om den och lämna in den igen.";
/// The reason for a password-protected workbook.
pub const ENCRYPTED: &str =
    "Arbetsboken är lösenordsskyddad (krypterad) och kan inte läsas; spara den utan lösenord och lämna in den igen.";

/// A whole-file fault; its Display is the Swedish reason for the input log.
///
/// The fields are named for what they hold: `sheet` the sheet's name as
/// the workbook spells it, `at` the cell (with its file and sheet), `max`,
/// `max_rows` and `limit` the limit passed, `detail` the technical detail
/// of a damaged file, other counts what the file declares or holds.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FileFault {
    /// The file cannot be read from disk (`detail`: the I/O error).
    #[error("Filen kunde inte läsas ({detail}).")]
    Unreadable { detail: String },
    /// The content is none of the formats read.
    #[error("{NOT_SPREADSHEET}")]
    NotSpreadsheet,
    /// A password-protected (encrypted) workbook.
    #[error("{ENCRYPTED}")]
    Encrypted,
    /// A damaged file, without a technical detail.
    #[error("{CORRUPT}")]
    Corrupt,
    /// A damaged file, with the technical detail of what is wrong (see
    /// [`FileFault::in_sheet`]).
    #[error("{CORRUPT} (Tekniskt fel: {detail})")]
    Damaged { detail: String },
    /// A damaged part of one sheet.
    #[error(
        "Bladet \"{sheet}\" kan inte läsas; filen är skadad eller ofullständig. (Tekniskt fel: {detail})"
    )]
    SheetDamaged { sheet: String, detail: String },
    /// The reader panicked on the file (the panic was caught).
    #[error("{CORRUPT} (Läsaren avbröt: {detail})")]
    ReaderPanicked { detail: String },
    /// Content on a row past the row limit (`row`: one-based).
    #[error(
        "Bladet \"{sheet}\" är för stort: det har innehåll på rad {row} men gränsen är {max_rows} rader per blad."
    )]
    RowLimit {
        sheet: String,
        row: u64,
        max_rows: u32,
    },
    /// More cells in a sheet than the cell limit.
    #[error("Bladet \"{sheet}\" är för stort: fler än {max} celler.")]
    CellLimit { sheet: String, max: u64 },
    /// More text in the workbook's cells than the text limit.
    #[error(
        "Arbetsbokens celler innehåller sammanlagt mer än {limit} tecken text; filen läses inte."
    )]
    TextLimit { limit: u64 },
    /// An xlsx shared-string table declaring more strings than a sheet may
    /// hold cells.
    #[error(
        "Arbetsboken säger sig innehålla {declared} olika texter, fler än ett blad får ha celler ({max}), och läses inte."
    )]
    SharedStringsDeclared { declared: u64, max: u64 },
    /// A zip that inflates to an unreasonable size.
    #[error(
        "Filen packas upp till orimligt mycket ({unpacked_mb} MB ur {packed_kb} kB) och läses inte (misstänkt zip-bomb)."
    )]
    ZipBomb { unpacked_mb: u64, packed_kb: u64 },
    /// An .ods sheet declaring more cells than the cell limit.
    #[error("Bladet \"{sheet}\" är för stort: det deklarerar fler än {max} celler.")]
    OdsCellsDeclared { sheet: String, max: u64 },
    /// An .ods sheet whose values reach beyond the cell limit from A1, to
    /// column `last_col` (zero-based) and row `rows`.
    #[error(
        "Bladet \"{sheet}\" är för stort: dess värden sträcker sig till kolumn {} och rad {rows}, fler än {max} celler räknat från A1; ta bort innehållet längst ut.",
        column_letters(*.last_col)
    )]
    OdsArea {
        sheet: String,
        last_col: u32,
        rows: u64,
        max: u64,
    },
    /// .ods sheets reaching together beyond the cell limit; `sheet` passes it.
    #[error(
        "Arbetsbokens blad sträcker sig tillsammans över fler än {max} celler räknat från A1 (bladet \"{sheet}\" når över gränsen); filen läses inte."
    )]
    OdsWorkbookArea { sheet: String, max: u64 },
    /// An .ods sheet with content beyond the row limit.
    #[error(
        "Bladet \"{sheet}\" är för stort: det har innehåll bortom rad {max_rows}, gränsen för ett blad."
    )]
    OdsRowLimit { sheet: String, max_rows: u64 },
    /// An .xls shared-string table with more strings than a sheet may hold cells.
    #[error(
        "Arbetsboken innehåller fler än {max} olika texter, fler än ett blad får ha celler, och läses inte."
    )]
    XlsSharedStrings { max: u64 },
    /// An .xls with more sheets than read.
    #[error("Arbetsboken har fler än {max} blad och läses inte.")]
    XlsSheets { max: usize },
    /// An .xls shared-string table split in too many CONTINUE records.
    #[error(
        "Arbetsbokens tabell med delade texter är delad i {parts} delar, fler än {max}; filen läses inte."
    )]
    XlsSharedStringParts { parts: usize, max: usize },
    /// An .xls sheet whose DIMENSIONS record declares more than BIFF8's grid.
    #[error(
        "Bladet \"{sheet}\" anger en storlek på {cells} celler, mer än ett xls-blad kan ha (65536 rader × 256 kolumner); filen läses inte."
    )]
    XlsDimensions { sheet: String, cells: u64 },
    /// An .xls sheet whose used area, `first`–`last`, passes the cell limit.
    #[error(
        "Bladet \"{sheet}\" sträcker sig över {cells} celler ({first}–{last}), fler än gränsen {max} celler per blad; filen läses inte."
    )]
    XlsArea {
        sheet: String,
        cells: u64,
        first: A1,
        last: A1,
        max: u64,
    },
    /// An .xls sheet with more cell records of one kind (`what`: `värden`
    /// or `formler`) than the cell limit.
    #[error("Bladet \"{sheet}\" är för stort: fler än {max} celler med {what}; filen läses inte.")]
    XlsCellCount {
        sheet: String,
        what: &'static str,
        max: u64,
    },
    /// .xls sheets whose used areas together pass the cell limit.
    #[error(
        "Arbetsbokens blad sträcker sig tillsammans över fler än {max} celler; filen läses inte."
    )]
    XlsWorkbookArea { max: u64 },
    /// .xls formulas whose text would take too long to build.
    #[error("Arbetsbokens formler är för långa och för många för att läsas; filen läses inte.")]
    XlsFormulas,
    /// No `Inlämning` sheet.
    #[error(
        "Arbetsboken saknar bladet Inlämning, så det går inte att avgöra vad den innehåller eller vem som lämnat in den."
    )]
    NoInlamning,
    /// `Typ` is empty.
    #[error(
        "Typ saknas i bladet Inlämning (bladet {}, cell {}); ange Verksamhet, Leverantör eller Tjänstekatalog.",
        .at.sheet(),
        .at.cell()
    )]
    NoTyp { at: Location },
    /// `Typ` is none of the submission types.
    #[error(
        "Okänd Typ \"{typ}\" (bladet {}, cell {}); ange Verksamhet, Leverantör eller Tjänstekatalog.",
        .at.sheet(),
        .at.cell()
    )]
    UnknownTyp { typ: String, at: Location },
    /// An `Organisations-id` not in the register.
    #[error(
        "Organisations-id \"{id}\" (bladet {}, cell {}) finns inte i registret över organisationer.",
        .at.sheet(),
        .at.cell()
    )]
    UnknownOrgId { id: String, at: Location },
    /// No `Organisations-id`, and a name that matches no organisation.
    #[error(
        "Organisations-id saknas och namnet \"{name}\" (bladet {}, cell {}) matchar ingen organisation i registret; ange Organisations-id.",
        .at.sheet(),
        .at.cell()
    )]
    UnknownOrgName { name: String, at: Location },
    /// Neither `Organisations-id` nor `Organisation`.
    #[error(
        "Organisations-id och Organisation saknas i bladet Inlämning; det går inte att avgöra vem som lämnat in."
    )]
    NoOrg,
    /// A `Period` that is no period (`reason`: why, in Swedish).
    #[error("{reason} (bladet {}, cell {}).", .at.sheet(), .at.cell())]
    BadPeriod { reason: String, at: Location },
}

impl FileFault {
    /// A damaged file, with the technical detail of what is wrong.
    pub(super) fn corrupt(detail: &str) -> Self {
        Self::Damaged {
            detail: detail.to_string(),
        }
    }

    /// A damaged part of sheet `sheet`: the message names the sheet (other
    /// faults already say what they are about and are kept as they are).
    pub(super) fn in_sheet(self, sheet: &str) -> Self {
        match self {
            Self::Damaged { detail } => sheet_fault(sheet, &detail),
            other => other,
        }
    }
}

pub(super) fn too_much_text(limit: u64) -> FileFault {
    FileFault::TextLimit { limit }
}

pub(super) fn open_fault(detail: &str) -> FileFault {
    let lower = detail.to_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        return FileFault::Encrypted;
    }
    FileFault::corrupt(detail)
}

pub(super) fn sheet_fault(sheet: &str, detail: &str) -> FileFault {
    FileFault::SheetDamaged {
        sheet: sheet.to_string(),
        detail: detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The input log's reasons, word for word as they were written before
    /// the fault was typed (`orsak` in resultat.jsonl must not change).
    #[test]
    fn each_fault_reads_as_the_input_log_reason() {
        let at = Location::new("a.xlsx".into(), "Inlämning".into(), 3, 1);
        let sheet = || "System".to_string();
        let cases: Vec<(FileFault, String)> = vec![
            (
                FileFault::Unreadable {
                    detail: "Permission denied (os error 13)".into(),
                },
                "Filen kunde inte läsas (Permission denied (os error 13)).".into(),
            ),
            (FileFault::NotSpreadsheet, NOT_SPREADSHEET.into()),
            (FileFault::Encrypted, ENCRYPTED.into()),
            (FileFault::Corrupt, CORRUPT.into()),
            (
                FileFault::corrupt("x."),
                format!("{CORRUPT} (Tekniskt fel: x.)"),
            ),
            (
                FileFault::corrupt("x.").in_sheet("S"),
                "Bladet \"S\" kan inte läsas; filen är skadad eller ofullständig. (Tekniskt fel: x.)".into(),
            ),
            (
                FileFault::ReaderPanicked { detail: "p".into() },
                format!("{CORRUPT} (Läsaren avbröt: p)"),
            ),
            (
                FileFault::RowLimit { sheet: sheet(), row: 11, max_rows: 10 },
                "Bladet \"System\" är för stort: det har innehåll på rad 11 men gränsen är 10 rader per blad.".into(),
            ),
            (
                FileFault::CellLimit { sheet: sheet(), max: 640 },
                "Bladet \"System\" är för stort: fler än 640 celler.".into(),
            ),
            (
                too_much_text(1024),
                "Arbetsbokens celler innehåller sammanlagt mer än 1024 tecken text; filen läses inte.".into(),
            ),
            (
                FileFault::OdsArea { sheet: sheet(), last_col: 27, rows: 400, max: 640 },
                "Bladet \"System\" är för stort: dess värden sträcker sig till kolumn AB och rad 400, fler än 640 celler räknat från A1; ta bort innehållet längst ut.".into(),
            ),
            (
                FileFault::XlsArea {
                    sheet: sheet(),
                    cells: 900,
                    first: A1 { row: 1, col: 0 },
                    last: A1 { row: 29, col: 29 },
                    max: 640,
                },
                "Bladet \"System\" sträcker sig över 900 celler (A2–AD30), fler än gränsen 640 celler per blad; filen läses inte.".into(),
            ),
            (
                FileFault::XlsCellCount { sheet: sheet(), what: "formler", max: 640 },
                "Bladet \"System\" är för stort: fler än 640 celler med formler; filen läses inte.".into(),
            ),
            (
                FileFault::NoTyp { at: at.clone() },
                "Typ saknas i bladet Inlämning (bladet Inlämning, cell B4); ange Verksamhet, Leverantör eller Tjänstekatalog.".into(),
            ),
            (
                FileFault::UnknownOrgName { name: "Nämnd X".into(), at: at.clone() },
                "Organisations-id saknas och namnet \"Nämnd X\" (bladet Inlämning, cell B4) matchar ingen organisation i registret; ange Organisations-id.".into(),
            ),
            (
                FileFault::BadPeriod { reason: "\"2026-T5\" är ingen period".into(), at },
                "\"2026-T5\" är ingen period (bladet Inlämning, cell B4).".into(),
            ),
        ];
        for (fault, reason) in cases {
            assert_eq!(fault.to_string(), reason, "{fault:?}");
        }
    }
}
