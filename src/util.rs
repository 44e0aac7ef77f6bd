//! Transitional re-exports for call sites in files that another branch is
//! rewriting (`src/ingest/**`, `src/rules/api.rs`): their helpers now live
//! in [`crate::model::iso_date`] and [`crate::digest::sha256_hex`]. Delete
//! this module once those call sites name the new homes.

#[doc(hidden)]
pub use crate::digest::sha256_hex;
#[doc(hidden)]
pub use crate::model::iso_date;
