//! Header, key and sheet-name matching (input contract, section 7): case-
//! insensitive, white space folded, a trailing `:` or `*` dropped, and `-`,
//! `_` and space treated alike. Å, ä and ö match only themselves.

use crate::model::SheetSchema;

/// The normal form two names are compared in.
pub fn normalize(s: &str) -> String {
    let mut t = s.trim();
    loop {
        let stripped = t.trim_end_matches([':', '*']).trim_end();
        if stripped.len() == t.len() {
            break;
        }
        t = stripped;
    }
    let mut out = String::with_capacity(t.len());
    let mut space = false;
    for c in t.chars() {
        let c = if c == '-' || c == '_' || c == '\u{2013}' || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// The schema column a header cell names, if any.
pub fn match_column(schema: &SheetSchema, header: &str) -> Option<usize> {
    let n = normalize(header);
    if n.is_empty() {
        return None;
    }
    schema
        .columns
        .iter()
        .position(|c| normalize(c.header) == n || c.aliases.iter().any(|a| normalize(a) == n))
}

/// Whether two names are the same after normalisation.
pub fn same(a: &str, b: &str) -> bool {
    normalize(a) == normalize(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::records::{Avsteg, System};
    use crate::model::Record;

    #[test]
    fn folds_case_space_and_separators() {
        assert_eq!(normalize("  Tjänst-id "), "tjänst id");
        assert_eq!(normalize("TJÄNST_ID"), "tjänst id");
        assert_eq!(normalize("Tjänst   id:"), "tjänst id");
        assert_eq!(normalize("Skyddsbehov *"), "skyddsbehov");
        assert_eq!(normalize("Plan finns:*"), "plan finns");
        assert_ne!(normalize("Tjanst-id"), normalize("Tjänst-id"));
    }

    #[test]
    fn aliases_match() {
        let s = System::SCHEMA;
        let tid = s.column("tjanst_id").map(|c| c.0);
        assert_eq!(match_column(s, "Tjänste-id"), tid);
        assert_eq!(match_column(s, "TjänstID"), tid);
        assert_eq!(match_column(s, "tjänst id"), tid);
        assert_eq!(
            match_column(s, "Krav på säkerhetsnivå"),
            s.column("skyddsbehov").map(|c| c.0)
        );
        assert_eq!(match_column(s, "Okänd kolumn"), None);
        let a = Avsteg::SCHEMA;
        assert_eq!(
            match_column(a, "Strategiska samordningsgruppen informerad"),
            a.column("ssg_informerad").map(|c| c.0)
        );
        assert_eq!(
            match_column(a, "Avstegs-id"),
            a.column("avsteg_id").map(|c| c.0)
        );
    }
}
