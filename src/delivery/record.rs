//! `utskick.json`: the record of a run's deliveries, written into the
//! published run folder once sending has ended (atomically: a temporary
//! file renamed), and read back from earlier run folders to find what was
//! last sent to each organisation.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Item, State};

/// The file name of the record in a run folder.
pub const FILE: &str = "utskick.json";

/// The record as written.
#[derive(Debug, Serialize, Deserialize)]
pub struct Record {
    /// The run folder's name.
    pub korning: String,
    /// Per organisation, register order.
    pub utskick: Vec<Item>,
}

/// The message last sent to an organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct LastSent {
    /// The run folder that sent it.
    pub run: String,
    /// The fingerprint of the feedback it carried.
    pub fingerprint: String,
}

/// Per organisation id, the newest message sent to it (`status: skickad`)
/// among the run folders in `outputs` (of any schedule; run folders sort
/// by their start stamp). In-progress folders (`.pågår-…`) and folders
/// without a readable record are skipped: a record that cannot be read
/// says nothing was sent, so such an organisation may get its message again.
pub fn last_sent(outputs: &Path) -> HashMap<String, LastSent> {
    let mut runs: Vec<(String, std::path::PathBuf)> = std::fs::read_dir(outputs)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.path().join(FILE).is_file())
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .filter(|(n, _)| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    runs.sort();
    let mut last = HashMap::new();
    for (name, dir) in runs.into_iter().rev() {
        let path = dir.join(FILE);
        let rec: Record = match std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(file = %path.display(), error = %e, "delivery record unreadable; skipped");
                continue;
            }
        };
        for i in rec.utskick {
            if i.status == State::Sent && !last.contains_key(&i.organisation) {
                last.insert(
                    i.organisation,
                    LastSent {
                        run: name.clone(),
                        fingerprint: i.fingeravtryck,
                    },
                );
            }
        }
    }
    last
}

/// Write `bytes` to `path` atomically: a temporary file beside it, synced,
/// then renamed over it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(org: &str, status: State, fp: &str) -> Item {
        Item {
            organisation: org.into(),
            status,
            mottagare: vec![],
            avvisade: vec![],
            fingeravtryck: fp.into(),
            senast_skickad: None,
            fil: None,
            orsak: String::new(),
            iakttagelser: 0,
        }
    }

    #[test]
    fn the_newest_sent_message_per_organisation() {
        let root = tempfile::tempdir().unwrap();
        let write = |name: &str, items: Vec<Item>| {
            let dir = root.path().join(name);
            std::fs::create_dir_all(&dir).unwrap();
            let rec = Record {
                korning: name.into(),
                utskick: items,
            };
            std::fs::write(dir.join(FILE), serde_json::to_vec(&rec).unwrap()).unwrap();
        };
        write(
            "2026-03-15T060000_kvartal",
            vec![item("A", State::Sent, "a1"), item("B", State::Sent, "b1")],
        );
        write(
            "2026-06-15T060000_kvartal",
            vec![item("A", State::Failed, "a2"), item("B", State::Sent, "b2")],
        );
        write(
            ".pågår-2026-09-15T060000_kvartal",
            vec![item("A", State::Sent, "x")],
        );
        std::fs::create_dir_all(root.path().join("2026-09-15T060000_kvartal")).unwrap();
        std::fs::write(
            root.path().join("2026-09-15T060000_kvartal").join(FILE),
            "{",
        )
        .unwrap();
        let last = last_sent(root.path());
        assert_eq!(last["A"].fingerprint, "a1");
        assert_eq!(last["A"].run, "2026-03-15T060000_kvartal");
        assert_eq!(last["B"].fingerprint, "b2");
        assert_eq!(last.len(), 2);
    }
}
