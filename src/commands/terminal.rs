//! Terminal output of text from the shared folder.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a terminal could act on `c` rather than show it: C0 control
/// characters (ESC starts escape sequences, BEL rings, CR and BS overwrite),
/// DEL, C1 control characters (U+009B is a one-character CSI), and the
/// invisible bidirectional formatting characters (embeddings, overrides,
/// isolates and marks) that reorder what follows them.
fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` for a terminal: every character a terminal would act on (see
/// [`acts_on_terminal`]) written as Rust writes it, `\u{1b}`, so a file
/// name or cell text from the shared folder is shown, never obeyed.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts_on_terminal) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if acts_on_terminal(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_and_bidi_characters_are_escaped_for_the_terminal() {
        use super::terminal_safe;
        assert_eq!(terminal_safe("giltig-åäö.xlsx"), "giltig-åäö.xlsx");
        assert!(matches!(
            terminal_safe("vanlig text"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            terminal_safe("styr\u{1b}[31m\u{7}.xlsx"),
            "styr\\u{1b}[31m\\u{7}.xlsx"
        );
        assert_eq!(
            terminal_safe("\u{202e}xslx.exe\u{202c}\u{2066}\u{2069}"),
            "\\u{202e}xslx.exe\\u{202c}\\u{2066}\\u{2069}"
        );
        assert_eq!(
            terminal_safe("a\tb\r\nc\u{0}\u{7f}\u{9b}2J\u{85}"),
            "a\\u{9}b\\u{d}\\u{a}c\\u{0}\\u{7f}\\u{9b}2J\\u{85}"
        );
        // Other invisible or unusual characters are shown as they are.
        assert_eq!(terminal_safe("a\u{a0}b\u{200b}c"), "a\u{a0}b\u{200b}c");
    }
}
