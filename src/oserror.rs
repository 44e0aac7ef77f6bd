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

#[cfg(test)]
mod tests {
    use super::*;

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
