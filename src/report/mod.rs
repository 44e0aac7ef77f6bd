//! Everything a run writes (report.md): the run folder, `resultat.jsonl`,
//! `manifest.json`, the kommunstyrelsen's workbook and the feedback
//! workbooks, and the comparison with the previous run of the same schedule.

pub mod change;
pub mod feedback;
pub mod run_folder;
pub mod workbook;
pub mod xlsx;
