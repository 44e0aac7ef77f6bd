//! A whole-file fault: the Swedish reason a workbook is not read.

/// A whole-file fault; `message` is the Swedish reason for the input log.
#[derive(Debug, Clone, PartialEq)]
pub struct FileFault {
    pub message: String,
    /// For a damaged file: the technical detail the message ends with, so
    /// that [`FileFault::in_sheet`] can say which sheet it is in.
    detail: Option<String>,
}

impl FileFault {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            detail: None,
        }
    }

    /// A damaged file, with the technical detail of what is wrong.
    pub(super) fn corrupt(detail: &str) -> Self {
        Self {
            message: format!("{CORRUPT} (Tekniskt fel: {detail})"),
            detail: Some(detail.to_string()),
        }
    }

    /// A damaged part of sheet `sheet`: the message names the sheet (other
    /// faults already say what they are about and are kept as they are).
    pub(super) fn in_sheet(self, sheet: &str) -> Self {
        match &self.detail {
            Some(detail) => sheet_fault(sheet, detail),
            None => self,
        }
    }
}

pub const NOT_SPREADSHEET: &str =
    "Filen är inget kalkylark som kan läsas (innehållet är varken xlsx, xlsm, xlsb, xls eller ods).";
pub const CORRUPT: &str =
    "Filen är skadad eller ofullständig och kan inte öppnas; spara om den och lämna in den igen.";
pub const ENCRYPTED: &str =
    "Arbetsboken är lösenordsskyddad (krypterad) och kan inte läsas; spara den utan lösenord och lämna in den igen.";

pub(super) fn too_much_text(limit: u64) -> FileFault {
    FileFault::new(format!(
        "Arbetsbokens celler innehåller sammanlagt mer än {limit} tecken text; filen läses inte."
    ))
}

pub(super) fn open_fault(detail: &str) -> FileFault {
    let lower = detail.to_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        return FileFault::new(ENCRYPTED);
    }
    FileFault::corrupt(detail)
}

pub(super) fn sheet_fault(sheet: &str, detail: &str) -> FileFault {
    FileFault::new(format!(
        "Bladet \"{sheet}\" kan inte läsas; filen är skadad eller ofullständig. (Tekniskt fel: {detail})"
    ))
}
