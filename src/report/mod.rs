//! Everything a run writes (report.md): the run folder, `resultat.jsonl`,
//! `manifest.json`, the kommunstyrelsen's workbook and the feedback
//! workbooks, and the comparison with the previous run of the same schedule.

pub mod archive;
pub mod change;
pub mod earlier_runs;
pub mod feedback;
pub mod gallring;
pub mod headline;
pub mod history;
pub mod manifest;
pub mod nyttoregister;
pub mod rule_diff;
pub mod run_data;
pub mod run_folder;
pub mod sheets;
pub mod tally;
pub mod workbook;
pub mod xlsx;

pub use run_data::RunData;
pub use tally::{OrgTally, Tally};
