//! `Regler`: every rule with its parameters, fingerprints and errors.

use std::collections::HashMap;

use anyhow::Result;
use rust_xlsxwriter::Workbook;

use crate::report::xlsx::{self, Formats, Grid};
use crate::report::RunData;
use crate::rules::Status;

/// A rule's parameters as one line of text: `namn = värde; …`.
pub fn parameters_text(p: &crate::yaml::YamlMapping) -> String {
    p.iter()
        .map(|(k, v)| {
            let k = k
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{k:?}"));
            let v = match v {
                serde_yaml::Value::String(s) => s.clone(),
                other => serde_json::to_string(other).unwrap_or_default(),
            };
            format!("{k} = {v}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// At most this many distinct regelfel messages per rule in `Regler`.
const MAX_ERRORS_LISTED: usize = 20;

/// Add the `Regler` sheet.
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let ws = wb.add_worksheet().set_name("Regler")?;
    let mut g = Grid::new();
    let headers = [
        "Regel",
        "Titel",
        "Allvarlighet",
        "Objekt",
        "Referens",
        "Parametrar",
        "Skript",
        "Skriptets SHA-256",
        "YAML-filens SHA-256",
        "Regelfel",
        "Fel (fil:rad:kolumn)",
    ];
    g.header(ws, 0, 0, &headers, fmt)?;
    let mut errors: HashMap<&str, (usize, Vec<&str>)> = HashMap::new();
    for e in d
        .evaluations
        .iter()
        .filter(|e| e.status == Status::Regelfel)
    {
        let entry = errors.entry(&*e.rule).or_default();
        entry.0 += 1;
        if entry.1.len() < MAX_ERRORS_LISTED && !entry.1.contains(&e.message.as_str()) {
            entry.1.push(&e.message);
        }
    }
    let mut r = 0;
    for rule in &d.rules.rules {
        r += 1;
        let def = &rule.def;
        g.text(ws, r, 0, &def.id)?;
        g.text(ws, r, 1, &def.titel)?;
        g.text(ws, r, 2, def.allvarlighet.label())?;
        g.text(ws, r, 3, def.objekt.label())?;
        g.text(ws, r, 4, &def.referens)?;
        g.text(ws, r, 5, &parameters_text(&def.parametrar))?;
        // Relative to the rule folder: the same wherever the folder lives.
        let script = rule
            .script_path
            .strip_prefix(&d.rules.dir)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| rule.script_display());
        g.text(ws, r, 6, &script)?;
        g.text(ws, r, 7, &rule.script_sha256)?;
        g.text(ws, r, 8, &rule.yaml_sha256)?;
        let (n, msgs) = errors.get(def.id.as_str()).cloned().unwrap_or_default();
        g.number(ws, r, 9, n as f64, None)?;
        if n > 0 {
            let mut text = msgs.join("\n");
            let distinct_shown = msgs.len();
            if n > distinct_shown && distinct_shown == MAX_ERRORS_LISTED {
                text.push_str("\n… (fler fel finns i Iakttagelser)");
            }
            g.text_fmt(ws, r, 10, &text, &fmt.wrap)?;
        }
    }
    xlsx::table_setup(ws, 0, r, headers.len() as u16, true)?;
    g.apply_widths(ws)?;
    Ok(())
}
