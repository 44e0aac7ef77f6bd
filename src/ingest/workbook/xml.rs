//! A linear XML scanner for the guards: start tags by local name, their
//! attributes as calamine reads them, and XML unescaping.

/// The longest tag name that is read; longer names are none of ours.
pub(super) const NAME_MAX: usize = 64;
/// The longest start tag whose attributes are read (a real `sst` or
/// `Relationship` tag is a few hundred bytes).
pub(super) const TAG_MAX: usize = 4096;

/// One start tag found by `start_tags`.
pub(super) enum Tag<'a> {
    /// The attributes (what follows the name, up to the closing `>`).
    Complete(&'a [u8]),
    /// No `>` before the end of the text.
    Unterminated,
    /// No `>` within `TAG_MAX` bytes.
    TooLong,
}

/// Every start tag in `xml` whose local name is `local`, in a scan that is
/// linear in `xml` (bar `TAG_MAX` per matching tag): each `<` is looked at,
/// even one inside a comment or another tag, so no decoy can hide a tag
/// calamine's XML reader sees. The tag ends at the first `>` outside
/// quotes, as in quick-xml.
pub(super) fn start_tags<'a>(xml: &'a [u8], local: &'a [u8]) -> impl Iterator<Item = Tag<'a>> + 'a {
    let mut pos = 0;
    std::iter::from_fn(move || {
        while let Some(off) = xml.get(pos..)?.iter().position(|&b| b == b'<') {
            let start = pos + off + 1;
            let name_len = xml[start..]
                .iter()
                .take(NAME_MAX + 1)
                .position(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>' | b'<'))
                .unwrap_or(xml.len() - start);
            // Continue after the name: a `<` inside this tag is seen too.
            pos = start;
            if name_len > NAME_MAX {
                continue;
            }
            let name = &xml[start..start + name_len];
            if name.rsplit(|&b| b == b':').next() != Some(local) {
                continue;
            }
            let attrs = &xml[start + name_len..];
            let end = tag_end(&attrs[..attrs.len().min(TAG_MAX)]);
            return Some(match end {
                Some(end) => Tag::Complete(&attrs[..end]),
                None if attrs.len() > TAG_MAX => Tag::TooLong,
                None => Tag::Unterminated,
            });
        }
        None
    })
}

/// Where a tag ends in `attrs` (what follows its name): at the first `>`
/// outside quotes, as in quick-xml (a `>` in a quoted value does not end it).
pub(super) fn tag_end(attrs: &[u8]) -> Option<usize> {
    let mut quote = None;
    attrs.iter().position(|&b| match quote {
        Some(q) => {
            if b == q {
                quote = None;
            }
            false
        }
        None if b == b'"' || b == b'\'' => {
            quote = Some(b);
            false
        }
        None => b == b'>',
    })
}

/// The attributes of a start tag as calamine reads them (`RawAttrIter`):
/// key up to `=`, then a quoted value; malformed input ends the list.
pub(super) fn raw_attrs(tag: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let rest = tag.get(pos..)?;
        let key_start = pos + rest.iter().position(|b| !b.is_ascii_whitespace())?;
        let eq = key_start + tag[key_start..].iter().position(|&b| b == b'=')?;
        let key = tag[key_start..eq].trim_ascii_end();
        let mut v = eq + 1;
        while tag.get(v).is_some_and(u8::is_ascii_whitespace) {
            v += 1;
        }
        let quote = *tag.get(v).filter(|q| matches!(q, b'"' | b'\''))?;
        let val_start = v + 1;
        let val_len = tag[val_start..]
            .iter()
            .position(|&b| b == quote)
            .unwrap_or(tag.len() - val_start);
        pos = val_start + val_len + 1;
        Some((key, &tag[val_start..val_start + val_len]))
    })
}

/// XML's predefined entities and character references, as quick-xml
/// unescapes an attribute; `None` where it would fail.
pub(super) fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let semi = rest[amp..].find(';')? + amp;
        let ent = &rest[amp + 1..semi];
        out.push(match ent {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "apos" => '\'',
            "quot" => '"',
            _ => {
                let n = match ent.strip_prefix("#x") {
                    Some(h) => u32::from_str_radix(h, 16).ok()?,
                    None => ent.strip_prefix('#')?.parse().ok()?,
                };
                char::from_u32(n)?
            }
        });
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// A declared count as calamine would read it at most: a leading `+` and
/// zeros skipped, then the digits (more than a u64 holds: as large as it
/// gets); 0 when there are none.
pub(super) fn declared_count(v: &[u8]) -> u64 {
    let v = v.trim_ascii();
    let v = v.strip_prefix(b"+").unwrap_or(v);
    let digits: &[u8] = {
        let start = v.iter().position(|b| *b != b'0').unwrap_or(v.len());
        let len = v[start..].iter().take_while(|b| b.is_ascii_digit()).count();
        &v[start..start + len]
    };
    std::str::from_utf8(digits)
        .ok()
        .filter(|d| !d.is_empty())
        .map_or(0, |d| d.parse().unwrap_or(u64::MAX))
}
