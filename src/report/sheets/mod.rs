//! The report's sheets, one file each (report.md, section 1). Each module's
//! `write` adds its sheet(s) to the workbook; `workbook::write` calls them
//! in the order of [`crate::report::workbook::SHEETS`].

pub mod avsteg;
pub mod digital_mognad;
pub mod historik;
pub mod iakttagelser;
pub mod indikatorer;
pub mod inlasning;
pub mod inlasningsvarningar;
pub mod organisationer;
pub mod regler;
pub mod sammanfattning;
pub mod utskick;
