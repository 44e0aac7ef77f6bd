//! Formula tokens: an upper bound of the text calamine builds for one
//! formula and of the bytes it moves doing so.

use super::records::Globals;
use super::u16_at;

/// An upper bound of the text calamine builds for one formula
/// (`parse_formula`, on `rgce` = the record from byte 20) and of the bytes
/// it moves doing so. Every token is walked with the length calamine gives
/// it; the text each adds is bounded from above, and a token that inserts
/// into or splits the text is counted as moving all of it.
pub(super) fn formula_cost(rgce: &[u8], g: &Globals) -> (u64, u64) {
    // calamine's message for a formula it cannot read.
    const FALLBACK: u64 = 160;
    let Some(cce) = u16_at(rgce, 0) else {
        return (FALLBACK, 0);
    };
    let Some(mut t) = rgce.get(2..2 + usize::from(cce)) else {
        return (FALLBACK, 0);
    };
    let pre8 = g.pre_biff8;
    let mut len: u64 = 0;
    let mut work: u64 = 0;
    // Skip `n` operand bytes; a short token makes calamine panic.
    macro_rules! skip {
        ($n:expr) => {{
            let n: usize = $n;
            match t.get(n..) {
                Some(rest) => t = rest,
                None => break,
            }
        }};
    }
    while let Some((&ptg, rest)) = t.split_first() {
        t = rest;
        match ptg {
            0x3a | 0x5a | 0x7a | 0x3c | 0x5c | 0x7c => {
                len += g.sheet_name_max + 32;
                skip!(6);
            }
            0x3b | 0x5b | 0x7b | 0x3d | 0x5d | 0x7d => {
                len += g.sheet_name_max + 32;
                skip!(10);
            }
            0x01 => skip!(4),
            // Binary operators split off the right operand and write it back.
            0x03..=0x11 => {
                work += 2 * len;
                len += 2;
            }
            // Unary plus and minus, parentheses: insert at an operand's start.
            0x12 | 0x13 | 0x15 => {
                work += len;
                len += 2;
            }
            0x14 => len += 1,
            0x16 => {}
            0x17 => {
                let Some(&cch) = t.first() else { break };
                let cch = usize::from(cch);
                len += 2 + 3 * cch as u64;
                if pre8 {
                    skip!(1 + cch);
                } else {
                    let Some(&flags) = t.get(1) else { break };
                    skip!(2 + if flags & 1 != 0 { 2 * cch } else { cch });
                }
            }
            0x18 => skip!(5),
            0x19 => {
                let Some(&etpg) = t.first() else { break };
                skip!(1);
                match etpg {
                    0x01 | 0x02 | 0x08 | 0x20 | 0x21 => skip!(2),
                    0x04 => {
                        let Some(n) = u16_at(t, 0) else { break };
                        skip!(2 + 2 * (usize::from(n) + 1));
                    }
                    0x10 => {
                        work += 2 * len;
                        len += 5;
                        skip!(2);
                    }
                    0x40 | 0x41 => {
                        // One insertion at an operand's start per character.
                        let Some(&cch) = t.get(1) else { break };
                        let cch = u64::from(cch);
                        work += cch * (len + cch);
                        len += cch;
                        skip!(2);
                    }
                    _ => break,
                }
            }
            0x1C => {
                len += 13;
                skip!(1);
            }
            0x1D => {
                len += 5;
                skip!(1);
            }
            0x1E => {
                len += 5;
                skip!(2);
            }
            // A number: Rust writes 5e-324 with all its 326 characters.
            0x1F => {
                len += 330;
                skip!(8);
            }
            0x20 | 0x40 | 0x60 => {
                len += 10;
                skip!(7);
            }
            // Functions split off their arguments and join them with commas.
            0x21 | 0x41 | 0x61 => {
                work += 2 * len;
                len += 64 + 255;
                skip!(2);
            }
            0x22 | 0x42 | 0x62 => {
                work += 2 * len;
                len += 64 + 255;
                skip!(3);
            }
            0x23 | 0x43 | 0x63 => {
                len += g.name_max;
                skip!(4);
            }
            0x24 | 0x44 | 0x64 => {
                len += 16;
                skip!(if pre8 { 3 } else { 4 });
            }
            0x25 | 0x45 | 0x65 => {
                len += 32;
                skip!(if pre8 { 6 } else { 8 });
            }
            0x2A | 0x4A | 0x6A => {
                len += 5;
                skip!(if pre8 { 3 } else { 4 });
            }
            0x2B | 0x4B | 0x6B => {
                len += 5;
                skip!(if pre8 { 6 } else { 8 });
            }
            0x39 | 0x59 => {
                len += 10;
                skip!(6);
            }
            _ => break,
        }
    }
    (len + FALLBACK, work)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_text_and_work_are_bounded() {
        let g = Globals {
            sheets: Vec::new(),
            sst: Vec::new(),
            pre_biff8: false,
            sheet_name_max: 31 * 3,
            name_max: 255 * 3,
            names_text: 0,
        };
        let rgce = |tokens: &[u8]| {
            let mut v = (tokens.len() as u16).to_le_bytes().to_vec();
            v.extend(tokens);
            v
        };
        // =A1+1: small.
        let (text, work) = formula_cost(&rgce(&[0x24, 0, 0, 0, 0xC0, 0x1E, 1, 0, 0x03]), &g);
        assert!(text < 400 && work < 400, "{text} {work}");
        // A name followed by 10 000 unary pluses: each inserts at the start.
        let mut t = vec![0x23, 1, 0, 0, 0];
        t.extend(std::iter::repeat_n(0x12, 10_000));
        let (text, work) = formula_cost(&rgce(&t), &g);
        assert!(text >= 20_000 && work >= 10_000 * 765, "{text} {work}");
        // 255 spaces inserted one by one, 2 000 times.
        let mut t = vec![0x1E, 1, 0];
        for _ in 0..2000 {
            t.extend([0x19, 0x40, 0x00, 0xFF]);
        }
        let (text, work) = formula_cost(&rgce(&t), &g);
        assert!(text >= 2000 * 255, "{text}");
        assert!(work > 1 << 33, "{work}");
        // A token cut short ends the walk (calamine panics there).
        let (text, _) = formula_cost(&rgce(&[0x1F, 0, 0]), &g);
        assert!(text <= 330 + 160, "{text}");
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Nor on formulas of arbitrary tokens; the bound is never below
        /// the fallback message.
        #[test]
        fn never_panics_on_arbitrary_formulas(rgce in prop::collection::vec(any::<u8>(), 0..200)) {
            let g = Globals {
                sheets: Vec::new(),
                sst: Vec::new(),
                pre_biff8: false,
                sheet_name_max: 93,
                name_max: 765,
                names_text: 0,
            };
            let (text, _) = formula_cost(&rgce, &g);
            prop_assert!(text >= 160);
        }
    }
}
