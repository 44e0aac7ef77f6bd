//! Report sheets that live in their own files.

pub mod utskick;
