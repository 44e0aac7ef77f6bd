//! Operating-system errors in Swedish, for messages that name their path
//! (`/data/ut: Disken är full`). The English text is never shown twice.

use std::io::{Error, ErrorKind};

/// What an OS error means, in Swedish (without the path).
pub fn swedish(e: &Error) -> String {
    let by_code = match e.raw_os_error() {
        Some(28) => Some("Disken är full"),
        Some(122) => Some("Diskkvoten är slut"),
        Some(30) => Some("Filsystemet är skrivskyddat"),
        Some(5) => Some("In- eller utmatningsfel på disken"),
        Some(23 | 24) => Some("För många öppna filer"),
        Some(36) => Some("Namnet är för långt"),
        Some(40) => Some("För många symboliska länkar i sökvägen"),
        Some(18) => Some("Kan inte flyttas mellan filsystem"),
        Some(39) => Some("Mappen är inte tom"),
        Some(20) => Some("En del av sökvägen är ingen mapp"),
        Some(21) => Some("Är en mapp"),
        _ => None,
    };
    if let Some(t) = by_code {
        return t.to_string();
    }
    match e.kind() {
        ErrorKind::NotFound => "Finns inte".into(),
        ErrorKind::PermissionDenied => "Behörighet saknas".into(),
        ErrorKind::AlreadyExists => "Finns redan".into(),
        ErrorKind::UnexpectedEof => "Filen tog slut oväntat".into(),
        ErrorKind::Interrupted => "Avbröts".into(),
        ErrorKind::TimedOut => "Tidsgränsen överskreds".into(),
        ErrorKind::OutOfMemory => "Minnet tog slut".into(),
        ErrorKind::WriteZero => "Inget kunde skrivas (disken kan vara full)".into(),
        _ => format!("Operativsystemet svarade: {e}"),
    }
}

/// `path: what the OS error means`, in Swedish.
pub fn at(path: &std::path::Path, e: &Error) -> String {
    format!("{}: {}", path.display(), swedish(e))
}

/// An error and its causes, each in Swedish (an OS error translated) and
/// said once: a cause an earlier one already says is left out, and a cause
/// naming the same path as the one before (`P: kan inte skrivas`, then
/// `P: Disken är full`) is joined onto it.
pub fn causes(e: &anyhow::Error) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for cause in e.chain() {
        let original = cause.to_string();
        if out.iter().any(|l| l.contains(&original)) {
            continue;
        }
        let text = match (
            cause.downcast_ref::<Error>(),
            cause.downcast_ref::<rust_xlsxwriter::XlsxError>(),
        ) {
            (Some(io), _) => swedish(io),
            // The workbook writer's own wrappers of an OS error (its
            // constant-memory sheets' temporary files, its output).
            (_, Some(rust_xlsxwriter::XlsxError::TempFileError(dir, io))) => format!(
                "{}: en tillfällig fil för arbetsboken kan inte skapas: {}",
                dir.display(),
                swedish(io)
            ),
            (_, Some(rust_xlsxwriter::XlsxError::IoError(io))) => swedish(io),
            _ => original,
        };
        if out.iter().any(|l| l.contains(&text)) {
            continue;
        }
        if let Some(last) = out.last_mut() {
            if let Some((path, _)) = last.split_once(": ") {
                if path.contains('/') {
                    if let Some(rest) = text.strip_prefix(&format!("{path}: ")) {
                        last.push_str(": ");
                        last.push_str(rest);
                        continue;
                    }
                }
            }
        }
        out.push(text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workbook_writers_os_errors_are_swedish() {
        let e = anyhow::Error::new(rust_xlsxwriter::XlsxError::TempFileError(
            "/tmp".into(),
            Error::from_raw_os_error(28),
        ))
        .context("/ut/.pågår-x/uppsikt-rapport.xlsx: kan inte skrivas");
        assert_eq!(
            causes(&e),
            vec![
                "/ut/.pågår-x/uppsikt-rapport.xlsx: kan inte skrivas".to_string(),
                "/tmp: en tillfällig fil för arbetsboken kan inte skapas: Disken är full"
                    .to_string(),
            ]
        );
        let e = anyhow::Error::new(rust_xlsxwriter::XlsxError::IoError(
            Error::from_raw_os_error(13),
        ));
        assert_eq!(causes(&e), vec!["Behörighet saknas".to_string()]);
    }

    #[test]
    fn common_errors_are_swedish() {
        assert_eq!(swedish(&Error::from_raw_os_error(28)), "Disken är full");
        assert_eq!(swedish(&Error::from_raw_os_error(2)), "Finns inte");
        assert_eq!(swedish(&Error::from_raw_os_error(13)), "Behörighet saknas");
        assert_eq!(
            at(
                std::path::Path::new("/ut/a.xlsx"),
                &Error::from_raw_os_error(28)
            ),
            "/ut/a.xlsx: Disken är full"
        );
        let other = swedish(&Error::other("konstigt"));
        assert_eq!(other, "Operativsystemet svarade: konstigt");
    }
}
