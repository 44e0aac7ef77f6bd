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
    // `Namn:-` becomes `namn:` above; strip again so that normalising is
    // idempotent (a header normalised twice still matches).
    while out.ends_with([':', '*', ' ']) {
        out.pop();
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

/// Properties of name matching over generated input (issue 7).
#[cfg(test)]
mod proptests {
    use super::*;
    use crate::model::records::*;
    use crate::model::Record;
    use proptest::prelude::*;

    fn schemas() -> Vec<&'static SheetSchema> {
        vec![
            System::SCHEMA,
            Avsteg::SCHEMA,
            TjanstAnvandning::SCHEMA,
            Forandringsinsats::SCHEMA,
            DigitalMognad::SCHEMA,
            Uppfoljningsrapport::SCHEMA,
            Sakerhetsavvikelse::SCHEMA,
            Leveransavvikelse::SCHEMA,
            Katalogtjanst::SCHEMA,
        ]
    }

    /// Rewrite a name the ways a person might: case, separators, padding,
    /// a trailing `:` or `*`.
    fn variant(name: &str, upper: bool, sep: char, pad: &str, tail: &str) -> String {
        let body: String = name
            .chars()
            .map(|c| {
                if c == ' ' || c == '-' || c == '_' {
                    sep
                } else {
                    c
                }
            })
            .collect();
        let body = if upper { body.to_uppercase() } else { body };
        format!("{pad}{body}{pad}{tail}")
    }

    proptest! {
        #[test]
        fn never_panics_and_is_trimmed_lower_case_single_spaced(s in any::<String>()) {
            let n = normalize(&s);
            prop_assert!(!n.starts_with(' ') && !n.ends_with(' ') && !n.contains("  "));
            prop_assert!(!n.contains(['-', '_', '\t', '\n']));
            prop_assert!(!n.ends_with([':', '*']));
            // Idempotent, and blind to ASCII case.
            prop_assert_eq!(&normalize(&n), &n);
            prop_assert_eq!(&normalize(&s.to_ascii_uppercase()), &n);
        }

        #[test]
        fn contract_names_match_in_every_variant(
            upper in any::<bool>(),
            sep in prop::sample::select(vec![' ', '-', '_', '\u{2013}']),
            pad in "[ \t]{0,2}",
            tail in "(:|\\*| \\*|:\\*)?",
        ) {
            for schema in schemas() {
                for (i, col) in schema.columns.iter().enumerate() {
                    let v = variant(col.header, upper, sep, &pad, &tail);
                    prop_assert_eq!(match_column(schema, &v), Some(i), "{}", v);
                    for a in col.aliases {
                        let v = variant(a, upper, sep, &pad, &tail);
                        prop_assert_eq!(match_column(schema, &v), Some(i), "{}", v);
                    }
                }
            }
            for sheet in ["Inlämning", "Säkerhetsavvikelser", "Digital mognad", "Förändringsinsatser"] {
                prop_assert!(same(&variant(sheet, upper, sep, &pad, &tail), sheet));
            }
        }

        #[test]
        fn a_o_and_a_with_rings_only_match_themselves(s in "[a-z ]{0,8}", i in 0usize..3) {
            let (sv, ascii) = [("å", "a"), ("ä", "a"), ("ö", "o")][i];
            let ok = !same(&format!("{s}{sv}"), &format!("{s}{ascii}"));
            prop_assert!(ok);
            let ok = same(&format!("{s}{sv}"), &format!("{s}{}", sv.to_uppercase()));
            prop_assert!(ok);
        }
    }
}
