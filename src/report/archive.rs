//! The run folder's archive: the files read (`indata/`, on request) and
//! the rule files used (`regler/`, always, for `rules diff --against`).

use std::path::Path;

use anyhow::{Context as _, Result};

use crate::ingest::InputLog;
use crate::rules::RuleSet;

/// Copy every file read into `dest`, verifying each copy's SHA-256.
pub fn inputs(root: &Path, dest: &Path, log: &InputLog) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for e in &log.entries {
        let Some(sha) = &e.sha256 else { continue };
        let target = dest.join(&e.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let source = root.join(&e.path);
        let bytes = match std::fs::read(&source) {
            Ok(b) if &crate::digest::sha256_hex(&b) == sha => b,
            _ => {
                tracing::warn!(file = %e.path, "the file changed or vanished after it was read; not archived");
                problems.push(format!(
                    "{}: filen ändrades eller försvann efter inläsningen och arkiverades inte",
                    e.path
                ));
                continue;
            }
        };
        std::fs::write(&target, &bytes)?;
        // Keep the modification time: a re-run from the archive resolves
        // duplicates (and the settle time) exactly as this run did.
        if let Some(m) = e.modified {
            std::fs::File::options()
                .write(true)
                .open(&target)?
                .set_modified(m)?;
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
