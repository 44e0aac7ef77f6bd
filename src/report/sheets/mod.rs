//! The report's sheets, one file per sheet.

pub mod historik;
