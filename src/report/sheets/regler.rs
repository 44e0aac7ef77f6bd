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

/// The columns of `Regler`: the fingerprints last, outside the print area.
pub const HEADERS: [&str; 11] = [
    "Regel",
    "Titel",
    "Allvarlighet",
    "Objekt",
    "Referens",
    "Parametrar",
    "Skript",
    "Regelfel",
    "Fel (fil:rad:kolumn)",
    "Skriptets SHA-256",
    "YAML-filens SHA-256",
];

/// The printed columns: `Regel` … `Fel`.
const PRINTED: u16 = 9;

/// Add the `Regler` sheet.
pub fn write(wb: &mut Workbook, d: &RunData<'_>, fmt: &Formats) -> Result<()> {
    let ws = wb.add_worksheet().set_name("Regler")?;
    let mut g = Grid::new();
    let headers = HEADERS;
    g.header(ws, 0, 0, &headers, fmt)?;
    g.measure(2, "allvarlighet");
    g.measure(3, "organisation");
    g.measure(7, "1000");
    for rule in &d.rules.rules {
        g.measure(1, &rule.def.titel);
        g.measure(4, &rule.def.referens);
        g.measure(5, &parameters_text(&rule.def.parametrar));
        g.measure(6, &rule.script_display());
    }
    g.measure(8, &"x".repeat(50));
    g.wrap_within_budget(
        ws,
        PRINTED,
        &[(1, 30.0), (4, 34.0), (5, 30.0), (6, 22.0), (8, 50.0)],
        fmt,
    )?;
    let mut errors: HashMap<&str, (usize, Vec<&str>)> = HashMap::new();
    for e in d
        .evaluations
        .iter()
        .filter(|e| e.status == Status::Regelfel)
    {
        let entry = errors.entry(&*e.rule).or_default();
        entry.0 += 1;
        if entry.1.len() < MAX_ERRORS_LISTED && !entry.1.contains(&&*e.message) {
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
        let (n, msgs) = errors.get(def.id.as_str()).cloned().unwrap_or_default();
        if n > 0 {
            g.number(ws, r, 7, n as f64, Some(fmt.status(Status::Regelfel)))?;
            let mut text = msgs.join("\n");
            let distinct_shown = msgs.len();
            if n > distinct_shown && distinct_shown == MAX_ERRORS_LISTED {
                text.push_str("\n… (fler fel finns i Iakttagelser)");
            }
            g.text(ws, r, 8, &text)?;
        } else {
            g.number(ws, r, 7, 0.0, None)?;
        }
        g.text(ws, r, 9, &rule.script_sha256)?;
        g.text(ws, r, 10, &rule.yaml_sha256)?;
    }
    xlsx::table_setup(ws, 0, r, headers.len() as u16, true)?;
    g.apply_widths(ws)?;
    ws.set_print_area(0, 0, r.max(1), PRINTED - 1)?;
    xlsx::page_setup(ws, fmt);
    Ok(())
}
