//! Header, key and sheet-name matching (input contract, section 7), in the
//! normal form of [`crate::model::name`].

use crate::model::SheetSchema;

pub use crate::model::name::{normal_chars, normalize, same};

/// The schema column a header cell names, if any.
pub fn match_column(schema: &SheetSchema, header: &str) -> Option<usize> {
    let n = normalize(header);
    if n.is_empty() {
        return None;
    }
    let is = |name: &str| normal_chars(name).eq(n.chars());
    schema
        .columns
        .iter()
        .position(|c| is(c.header) || c.aliases.iter().any(|a| is(a)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::records::{Avsteg, System};
    use crate::model::Record;

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
    use proptest::prelude::*;

    fn schemas() -> Vec<&'static SheetSchema> {
        crate::model::records::ALL.to_vec()
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

    }
}
