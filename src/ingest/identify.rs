//! Identification of a file's organisation from its path alone (input
//! contract, section 1): the folder names and the file name. This never
//! classifies a file (that is the `Inlämning` sheet's job); it only lets the
//! input log, the report and the feedback name the organisation of a file
//! that was rejected (`fel`) before its own sheet could say whose it is.

use crate::model::name::normalize;
use crate::model::Organisation;

/// The organisation a relative, `/`-separated path names: the file name
/// first, then its folders from the innermost out. A level that names more
/// than one organisation names none.
pub fn from_path<'a>(rel: &str, register: &'a [impl AsRef<Organisation>]) -> Option<&'a str> {
    let mut parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    let file = parts.pop()?;
    let stem = match file.rfind('.') {
        Some(i) if i > 0 => &file[..i],
        _ => file,
    };
    let file_words = words(stem);
    let file_lower: Vec<String> = file_words.iter().map(|w| w.to_lowercase()).collect();
    let in_file = |o: &Organisation| {
        // The id exactly as the register spells it (upper case), so that an
        // ordinary word is not mistaken for a short id.
        contains_run(&file_words, &words(&o.id))
            || names(o).any(|n| contains_run(&file_lower, &lower_words(n)))
    };
    if let Some(id) = unique(register, in_file) {
        return Some(id);
    }
    for folder in parts.iter().rev() {
        let folder = normalize(folder);
        let in_folder = |o: &Organisation| {
            normalize(&o.id) == folder || names(o).any(|n| normalize(n) == folder)
        };
        if let Some(id) = unique(register, in_folder) {
            return Some(id);
        }
    }
    None
}

/// The register name and every alias.
fn names(o: &Organisation) -> impl Iterator<Item = &str> {
    std::iter::once(o.namn.as_str()).chain(o.alias.iter().map(String::as_str))
}

/// The one organisation `hit` accepts, or `None` when none or several do.
fn unique(
    register: &[impl AsRef<Organisation>],
    hit: impl Fn(&Organisation) -> bool,
) -> Option<&str> {
    let mut found = register.iter().map(AsRef::as_ref).filter(|o| hit(o));
    let first = found.next()?;
    found.next().is_none().then_some(first.id.as_str())
}

/// The words of a name: runs of letters and digits.
fn words(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

fn lower_words(s: &str) -> Vec<String> {
    words(s).iter().map(|w| w.to_lowercase()).collect()
}

/// Whether `needle` occurs in `hay` as consecutive words.
fn contains_run<A: AsRef<str>, B: AsRef<str>>(hay: &[A], needle: &[B]) -> bool {
    !needle.is_empty()
        && hay
            .windows(needle.len())
            .any(|w| w.iter().zip(needle).all(|(a, b)| a.as_ref() == b.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: &str, namn: &str, alias: &[&str]) -> Organisation {
        Organisation {
            id: id.into(),
            namn: namn.into(),
            typ: crate::model::OrgTyp::Namnd,
            beslutsorgan: namn.into(),
            leverantor: false,
            alias: alias.iter().map(|a| a.to_string()).collect(),
            epost: Vec::new(),
        }
    }

    fn register() -> Vec<std::sync::Arc<Organisation>> {
        [
            org("KOV", "Nämnden för konsumentfrågor", &[]),
            org("IS", "Nämnden för Intraservice", &["Intraservice"]),
            org("SDN-NO", "Stadsdelsnämnden Nordost", &["Nordost"]),
            org("TN", "Trafiknämnden", &[]),
        ]
        .map(std::sync::Arc::new)
        .to_vec()
    }

    #[test]
    fn the_file_name_names_the_organisation_by_id_name_or_alias() {
        let r = register();
        assert_eq!(from_path("x/Digitalisering KOV 2026.xlsx", &r), Some("KOV"));
        assert_eq!(from_path("SDN-NO_2026.xlsx", &r), Some("SDN-NO"));
        assert_eq!(from_path("trafiknämnden_uppföljning.xlsx", &r), Some("TN"));
        assert_eq!(from_path("Rapport från intraservice.xls", &r), Some("IS"));
    }

    #[test]
    fn a_folder_names_the_organisation_when_the_file_name_does_not() {
        let r = register();
        assert_eq!(from_path("nämnder/kov/uppföljning.xlsx", &r), Some("KOV"));
        assert_eq!(from_path("lev/Intraservice/a/b.xlsx", &r), Some("IS"));
        // The innermost folder that names one wins.
        assert_eq!(from_path("tn/kov/b.xlsx", &r), Some("KOV"));
        assert_eq!(from_path("nämnder/övrigt/b.xlsx", &r), None);
    }

    #[test]
    fn short_ids_match_only_as_written_and_ambiguity_names_nobody() {
        let r = register();
        // "is" in lower case is a word, not the id IS.
        assert_eq!(from_path("det is kallt.xlsx", &r), None);
        // Two organisations in one file name: the folder decides.
        assert_eq!(from_path("kov/KOV och TN.xlsx", &r), Some("KOV"));
        assert_eq!(from_path("KOV och TN.xlsx", &r), None);
    }
}
