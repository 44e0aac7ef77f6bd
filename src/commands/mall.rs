//! `uppsikt mall`: submitter templates from the contract.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use chrono::NaiveDate;

use crate::exit;
use crate::model::Organisation;
use crate::settings::{Overrides, Settings};
use crate::template::{file_name, services_from_catalogue, Service, Template, TemplateKind};

/// `uppsikt mall`: one template (`kind` and `org`) or, with `alla`, every
/// template of every register organisation into a folder.
pub fn mall(
    overrides: &Overrides,
    kind: Option<TemplateKind>,
    org: Option<&str>,
    alla: bool,
    output: Option<&Path>,
    deadline: Option<&str>,
) -> Result<i32> {
    let settings = &Settings::from_overrides(overrides)?;
    let deadline = deadline
        .map(|d| {
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .with_context(|| format!("--senast \"{d}\" är inget datum (ÅÅÅÅ-MM-DD)"))
        })
        .transpose()?;
    let register = &settings.config.organisationer;
    let jobs: Vec<(&Organisation, TemplateKind, PathBuf)> = if alla {
        if kind.is_some() || org.is_some() {
            anyhow::bail!("--alla skriver alla mallar; ange inte typ eller --org samtidigt");
        }
        let dir = output.map_or_else(|| PathBuf::from("mallar"), Path::to_path_buf);
        register
            .iter()
            .flat_map(|o| {
                TemplateKind::ALL
                    .into_iter()
                    .filter(|k| k.applies_to(o))
                    .map(|k| (o, k, dir.join(file_name(&o.id, k))))
                    .collect::<Vec<_>>()
            })
            .collect()
    } else {
        let Some(kind) = kind else {
            anyhow::bail!(
                "ange mallens typ (verksamhet, leverantor eller tjanstekatalog) eller --alla"
            );
        };
        let Some(id) = org else {
            anyhow::bail!("ange organisationen med --org ID (ett id ur registret), eller --alla");
        };
        let wanted = id.trim().to_uppercase();
        let Some(o) = register.iter().find(|o| o.id == wanted) else {
            let ids: Vec<&str> = register.iter().map(|o| o.id.as_str()).collect();
            anyhow::bail!(
                "--org \"{id}\" finns inte i registret över organisationer (finns: {})",
                ids.join(", ")
            );
        };
        if !kind.applies_to(o) {
            anyhow::bail!(
                "{} ({}) är ingen leverantör av gemensamma tjänster och lämnar inte in {}",
                o.id,
                o.namn,
                kind.label()
            );
        }
        let path = output.map_or_else(|| PathBuf::from(file_name(&o.id, kind)), Path::to_path_buf);
        vec![(o, kind, path)]
    };

    let services = if jobs
        .iter()
        .any(|(_, k, _)| *k != TemplateKind::Tjanstekatalog)
    {
        current_services(settings)
    } else {
        Vec::new()
    };
    let register_ids: Vec<String> = register.iter().map(|o| o.id.clone()).collect();
    let mut out = std::io::stdout().lock();
    for (o, kind, path) in &jobs {
        let t = Template {
            kind: *kind,
            org: o,
            period: settings.period,
            deadline,
            services: &services,
            register_ids: register_ids.clone(),
            filled: None,
        };
        t.save(path)?;
        let extra = if *kind == TemplateKind::Verksamhet {
            format!(", {} tjänster från tjänstekatalogerna", services.len())
        } else {
            String::new()
        };
        use std::io::Write as _;
        writeln!(
            out,
            "Skrev {} ({}, {} {}, period {}{extra})",
            path.display(),
            kind.label(),
            o.id,
            o.namn,
            settings.period
        )?;
    }
    Ok(exit::OK)
}

/// The services of the tjänstekataloger currently in the input folder (an
/// unreadable folder gives a warning and an empty list).
fn current_services(settings: &Settings) -> Vec<Service> {
    match crate::ingest::ingest(
        &settings.inputs,
        &settings.config.organisationer,
        &settings.ingest_options(),
    ) {
        Ok(read) => {
            let model = crate::model::Model::new(settings.per, settings.period, read.orgs);
            let services = services_from_catalogue(&model.katalog, settings.per);
            if services.is_empty() {
                super::say_warning(&format!(
                    "uppsikt: varning: inga tjänstekataloger för period {} hittades i {}; bladet Tjänster blir tomt",
                    settings.period,
                    settings.inputs.display()
                ));
            }
            services
        }
        Err(e) => {
            super::say_warning(&format!(
                "uppsikt: varning: {}: indatamappen kan inte läsas ({e}); bladet Tjänster blir tomt",
                settings.inputs.display()
            ));
            Vec::new()
        }
    }
}
