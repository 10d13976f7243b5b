//! Reading what people type into filters and forms: every error names the field, and an empty
//! field means "not given".

use crate::error::AppError;

/// The trimmed text, or none when empty.
pub(crate) fn nonempty(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A year (four digits).
pub(crate) fn year(field: &str, s: &str) -> Result<Option<i32>, AppError> {
    match s.trim() {
        "" => Ok(None),
        y => y.parse::<i32>().ok().filter(|y| (1000..=9999).contains(y)).map(Some).ok_or_else(|| AppError::BadInput(format!("{field}: {y:?} is not a year"))),
    }
}

/// A confidentiality level (`public`, `internal`, `restricted`), or none when empty.
pub(crate) fn level(field: &str, s: &str) -> Result<Option<girok_core::Confidentiality>, AppError> {
    match s.trim() {
        "" => Ok(None),
        c => girok_core::Confidentiality::parse(c).map(Some).ok_or_else(|| AppError::BadInput(format!("{field}: unknown level {c:?}"))),
    }
}

/// A year as the day it starts or ends on.
pub(crate) fn year_day(field: &str, s: &str, month: u32, day: u32) -> Result<Option<girok_core::Day>, AppError> {
    Ok(year(field, s)?.and_then(|y| girok_core::Day::from_ymd(y, month, day).ok()))
}

/// A code from one vocabulary, given as code or English/Korean label.
pub(crate) fn term(list: girok_core::List, field: &str, given: &str) -> Result<Option<String>, AppError> {
    match given.trim() {
        "" => Ok(None),
        g => Ok(Some(girok_core::Vocabulary::builtin().resolve(list, g).map_err(|e| AppError::BadInput(format!("{field}: {e}")))?.code.clone())),
    }
}

/// A place, given as id, name or alias.
pub(crate) fn place(a: &girok_store::Archive, given: &str) -> Result<Option<String>, AppError> {
    match given.trim() {
        "" => Ok(None),
        pl => Ok(Some(a.resolve_place(pl).map_err(|e| AppError::BadInput(format!("place: {e}")))?)),
    }
}
