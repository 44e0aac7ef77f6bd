//! The run folder's archive: the files read (`indata/`, on request) and
//! the rule files used (`regler/`, always, for `rules diff --against`).

use std::path::Path;

use anyhow::{Context as _, Result};

use crate::ingest::InputLog;
use crate::rules::RuleSet;

/// Write every file read into `dest` from the bytes that were judged
/// (`bytes`, by log path; the shared folder is never read again, so no link
/// is followed and no FIFO blocks), then verify each written copy's SHA-256
/// against the one judged. Returns the files missing from the archive or
/// whose copy does not match, each as a Swedish line naming the file.
pub fn inputs(
    dest: &Path,
    log: &InputLog,
    bytes: &std::collections::BTreeMap<String, std::sync::Arc<[u8]>>,
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for e in &log.entries {
        let Some(sha) = &e.sha256 else { continue };
        let target = dest.join(&e.path);
        let Some(judged) = bytes.get(&e.path) else {
            problems.push(format!(
                "{}: filen som bedömdes saknas i arkivet (indata/)",
                e.path
            ));
            continue;
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|err| anyhow::anyhow!(crate::oserror::at(parent, &err)))?;
        }
        super::run_folder::write_file(&target, judged)?;
        // Keep the modification time: a re-run from the archive resolves
        // duplicates (and the settle time) exactly as this run did.
        if let Some(m) = e.modified {
            std::fs::File::options()
                .write(true)
                .open(&target)
                .and_then(|f| f.set_modified(m))
                .map_err(|err| anyhow::anyhow!(crate::oserror::at(&target, &err)))?;
        }
        match std::fs::read(&target) {
            Ok(copy) if &crate::digest::sha256_hex(&copy) == sha => {}
            Ok(_) => problems.push(format!(
                "{}: kopian i arkivet (indata/) stämmer inte med filen som bedömdes (SHA-256)",
                e.path
            )),
            Err(_) => problems.push(format!(
                "{}: filen som bedömdes saknas i arkivet (indata/)",
                e.path
            )),
        }
    }
    Ok(problems)
}

/// Copy the rule files the run used into `dest` (so `rules diff --against` can re-run them).
pub fn rules(rules: &RuleSet, dest: &Path) -> Result<()> {
    std::fs::create_dir_all(dest)
        .with_context(|| format!("{}: mappen kan inte skapas", dest.display()))?;
    for r in &rules.rules {
        for (p, text) in [
            (&r.yaml_path, &r.yaml_source),
            (&r.script_path, &r.script_source),
        ] {
            if let Some(name) = p.file_name() {
                super::run_folder::write_file(&dest.join(name), text.as_bytes())?;
            }
        }
    }
    Ok(())
}
