//! Rhai's compile (parse) errors in Swedish, each with what to do.

use rhai::{LexError, ParseErrorType};

/// The Swedish text of a parse error and what the author should do.
pub fn swedish(e: &ParseErrorType) -> String {
    use ParseErrorType as P;
    match e {
        P::Reserved(word) if matches!(word.as_str(), "import" | "export" | "eval") => format!(
            "`{word}` är inte tillåtet i regler; en regel kan inte läsa in moduler eller köra text som kod, skriv logiken direkt i skriptet"
        ),
        P::Reserved(word) => format!(
            "`{word}` är ett reserverat ord i Rhai; byt namn på variabeln eller funktionen"
        ),
        P::MissingToken(token, what) => {
            if let Some(f) = what.strip_prefix("to separate the arguments to function call ") {
                format!(
                    "`{token}` saknas mellan argumenten till {}; skriv argumenten med komma emellan, t.ex. f(a, b)",
                    f.trim_matches('\'')
                )
            } else if let Some(f) = what.strip_prefix("to close the arguments list of function call ") {
                format!("`{token}` saknas efter argumenten till {}", f.trim_matches('\''))
            } else if what.contains("to terminate this statement") || token == ";" {
                "`;` saknas i slutet av satsen; avsluta satsen med ; eller skriv nästa på en ny rad efter ;".to_string()
            } else {
                format!("`{token}` saknas här; kontrollera parenteser och klamrar")
            }
        }
        P::MissingSymbol(s) => format!("`{s}` saknas här"),
        P::UnexpectedEOF => {
            "skriptet tar slut mitt i ett uttryck; en avslutande `}` eller `)` saknas troligen".to_string()
        }
        P::VariableUndefined(name) => format!(
            "variabeln `{name}` finns inte; skripten ser objekt, org, katalog, register, per, period och param, och egna variabler deklareras med let"
        ),
        P::ExprExpected(what) => format!("ett uttryck saknas ({what}); kontrollera raden"),
        P::UnknownOperator(op) => format!("okänd operator `{op}`"),
        P::FnMissingBody(name) => format!("funktionen {name} saknar kropp {{ … }}"),
        P::FnDuplicatedDefinition(name, n) => {
            format!("funktionen {name} med {n} parametrar är definierad två gånger")
        }
        P::BadInput(LexError::UnterminatedString) => {
            "en text saknar avslutande \"; avsluta texten på samma rad".to_string()
        }
        P::BadInput(LexError::MalformedNumber(n)) => format!("\"{n}\" är inget tal"),
        P::BadInput(LexError::UnexpectedInput(s)) => format!("oväntat tecken `{s}`"),
        P::BadInput(LexError::ImproperSymbol(s, _)) => format!("`{s}` kan inte användas här"),
        other => format!("skriptet kan inte kompileras: {other}"),
    }
}
