//! The input log: one line per file seen, with its status and reason.

use std::time::SystemTime;

use serde::Serialize;

use super::discover::Found;
use super::warning::CellWarning;
use crate::model::SubmissionType;

/// A file's status in the input log (input contract, sections 1 and 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileStatus {
    Inlast,
    Ersatt,
    AnnanPeriod,
    Ignorerad,
    Vantar,
    Fel,
}

impl FileStatus {
    pub fn label(self) -> &'static str {
        match self {
            FileStatus::Inlast => "inläst",
            FileStatus::Ersatt => "ersatt",
            FileStatus::AnnanPeriod => "annan period",
            FileStatus::Ignorerad => "ignorerad",
            FileStatus::Vantar => "väntar",
            FileStatus::Fel => "fel",
        }
    }
}

impl Serialize for FileStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// One file of the shared folder.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// Relative to the input root, `/`-separated.
    pub path: String,
    pub size: u64,
    pub modified: Option<SystemTime>,
    pub sha256: Option<String>,
    pub status: FileStatus,
    pub typ: Option<SubmissionType>,
    pub org: Option<String>,
    pub period: Option<String>,
    pub reason: String,
    pub warnings: Vec<CellWarning>,
}

impl FileEntry {
    pub fn new(f: &Found) -> Self {
        Self {
            path: f.rel.clone(),
            size: f.size,
            modified: f.modified,
            sha256: None,
            status: FileStatus::Fel,
            typ: None,
            org: None,
            period: None,
            reason: String::new(),
            warnings: Vec::new(),
        }
    }
}

/// Every file seen by a run, in path order.
#[derive(Debug, Clone, Default)]
pub struct InputLog {
    pub entries: Vec<FileEntry>,
}

impl InputLog {
    pub fn warnings(&self) -> impl Iterator<Item = &CellWarning> {
        self.entries.iter().flat_map(|e| e.warnings.iter())
    }

    pub fn count(&self, status: FileStatus) -> usize {
        self.entries.iter().filter(|e| e.status == status).count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(FileStatus::Fel) > 0
    }
}
