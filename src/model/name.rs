//! Name normalisation (input contract, section 7): case-insensitive, white
//! space folded, a trailing `:` or `*` dropped, and `-`, `_` and space
//! treated alike. Å, ä and ö match only themselves. Headers, keys, sheet
//! names and organisation names are compared in this form.

/// Characters that separate words in a name: all read as one space.
fn is_separator(c: char) -> bool {
    c == '-' || c == '_' || c == '\u{2013}' || c.is_whitespace()
}

/// The characters of a name's normal form, without allocating: separators
/// and white space folded to single spaces and dropped at both ends, a
/// trailing `:` or `*` dropped (also `Namn:-`), lower case.
pub fn normal_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.trim_end_matches(|c: char| c == ':' || c == '*' || is_separator(c))
        .split(is_separator)
        .filter(|w| !w.is_empty())
        .enumerate()
        .flat_map(|(i, w)| {
            (i > 0)
                .then_some(' ')
                .into_iter()
                .chain(w.chars().flat_map(char::to_lowercase))
        })
}

/// The normal form two names are compared in.
pub fn normalize(s: &str) -> String {
    normal_chars(s).collect()
}

/// Whether two names are the same after normalisation.
pub fn same(a: &str, b: &str) -> bool {
    // Most cells spell a choice exactly as the contract does.
    a == b || normal_chars(a).eq(normal_chars(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_space_and_separators() {
        assert_eq!(normalize("  Tjänst-id "), "tjänst id");
        assert_eq!(normalize("TJÄNST_ID"), "tjänst id");
        assert_eq!(normalize("Tjänst   id:"), "tjänst id");
        assert_eq!(normalize("Skyddsbehov *"), "skyddsbehov");
        assert_eq!(normalize("Plan finns:*"), "plan finns");
        assert_ne!(normalize("Tjanst-id"), normalize("Tjänst-id"));
    }
}

/// Properties of name matching over generated input (issue 7).
#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    /// The allocating definition `normal_chars` replaced, as an oracle.
    fn normalize_reference(s: &str) -> String {
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
            let c = if is_separator(c) { ' ' } else { c };
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
        while out.ends_with([':', '*', ' ']) {
            out.pop();
        }
        out
    }

    proptest! {
        #[test]
        fn agrees_with_the_allocating_definition(s in "[ a-zA-ZåäöÅÄÖ:*_\u{2013}\t-]{0,12}") {
            prop_assert_eq!(normalize(&s), normalize_reference(&s));
            let other = normalize_reference(&s.to_uppercase());
            prop_assert_eq!(same(&s, &s.to_uppercase()), normalize_reference(&s) == other);
        }

        #[test]
        fn agrees_with_the_allocating_definition_on_any_text(s in any::<String>()) {
            prop_assert_eq!(normalize(&s), normalize_reference(&s));
        }

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
        fn a_o_and_a_with_rings_only_match_themselves(s in "[a-z ]{0,8}", i in 0usize..3) {
            let (sv, ascii) = [("å", "a"), ("ä", "a"), ("ö", "o")][i];
            let ok = !same(&format!("{s}{sv}"), &format!("{s}{ascii}"));
            prop_assert!(ok);
            let ok = same(&format!("{s}{sv}"), &format!("{s}{}", sv.to_uppercase()));
            prop_assert!(ok);
        }
    }
}
