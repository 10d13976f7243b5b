//! From what people type to what records hold: act types and other vocabulary by English or
//! Korean label, places by name or alias, dates as typed ("winter 1997"), names as text. Used
//! by every front end, so "연좌제" means the same in a form, a JSON body and `--set`.

use girok_core::model::{Kind, Script};
use girok_core::{List, UncertainDate, Vocabulary};
use girok_store::Archive;
use serde_json::{json, Value};

use crate::error::DomainError;

/// Keys whose string values are uncertain dates as typed.
const DATE_KEYS: [&str; 3] = ["date", "birth", "end"];

/// The vocabulary whose codes a field holds, for every front end that reads or shows it.
pub fn field_vocabulary(key: &str) -> Option<List> {
    Some(match key {
        "act_type" => List::ActTypes,
        "connection" => List::SourceConnection,
        "reliability" => List::Reliability,
        "degree" => List::Involvement,
        "victim_status" => List::VictimStatus,
        _ => return None,
    })
}

/// Everyday words for ESF's relationship types (which say "Parent", not "mother": the person
/// records say who is a woman).
const KINSHIP: [(&str, &str); 22] = [
    ("mother", "Parent"),
    ("father", "Parent"),
    ("어머니", "Parent"),
    ("아버지", "Parent"),
    ("엄마", "Parent"),
    ("아빠", "Parent"),
    ("son", "Child"),
    ("daughter", "Child"),
    ("아들", "Child"),
    ("딸", "Child"),
    ("wife", "Spouse"),
    ("husband", "Spouse"),
    ("아내", "Spouse"),
    ("남편", "Spouse"),
    ("brother", "Sibling"),
    ("sister", "Sibling"),
    ("형", "Sibling"),
    ("오빠", "Sibling"),
    ("누나", "Sibling"),
    ("언니", "Sibling"),
    ("grandmother", "Other relative"),
    ("grandfather", "Other relative"),
];

/// A vocabulary term from a code or an English or Korean label, with suggestions when unknown.
pub(crate) fn term(list: List, field: &str, given: &str) -> Result<String, DomainError> {
    let vocab = Vocabulary::builtin();
    let lower = given.trim().to_lowercase();
    let given = match KINSHIP.iter().find(|(word, _)| list == List::Relationships && *word == lower) {
        Some((_, esf)) => esf,
        None => given,
    };
    vocab.resolve(list, given).map(|t| t.code.clone()).map_err(|e| DomainError::Invalid {
        field: field.to_string(),
        message: format!("unknown {} {given:?}", list.label()),
        suggestions: match e {
            girok_core::vocab::VocabError::Ambiguous { matches, .. } => matches,
            _ => vocab.suggest(list, given, 5).into_iter().map(|t| format!("{} ({})", t.en, t.ko.as_deref().unwrap_or(&t.code))).collect(),
        },
    })
}

/// A place from an id, a name or an alias; an ambiguous name lists the candidates.
pub(crate) fn place(archive: &Archive, field: &str, given: &str) -> Result<String, DomainError> {
    archive.resolve_place(given).map_err(|e| match e {
        girok_store::StoreError::NotFound(_) => DomainError::invalid(field, format!("no place {given:?} in the gazetteer")),
        girok_store::StoreError::Invalid { message, .. } => DomainError::Invalid {
            field: field.to_string(),
            message: format!("{given:?} names several places"),
            suggestions: message.rsplit(": ").next().unwrap_or("").split(", ").map(str::to_string).collect(),
        },
        other => DomainError::Store(other),
    })
}

/// Rewrites typed values in a record's JSON (or part of one) into stored form. `kind` is the
/// record's kind (for keys whose meaning depends on it, such as a place's `parent`).
pub fn normalize(archive: &Archive, kind: Kind, value: &mut Value) -> Result<(), DomainError> {
    let Value::Object(map) = value else { return Ok(()) };
    for (key, v) in map.iter_mut() {
        match (key.as_str(), &*v) {
            (k, Value::String(s)) if DATE_KEYS.contains(&k) => {
                *v = if s.trim().is_empty() {
                    Value::Null
                } else {
                    let d = UncertainDate::parse(s).map_err(|e| DomainError::invalid(k, e.to_string()))?;
                    serde_json::to_value(d).expect("dates serialize")
                };
            }
            (k, Value::String(s)) if field_vocabulary(k).is_some() => {
                *v = if s.trim().is_empty() { Value::Null } else { json!(term(field_vocabulary(k).expect("checked"), k, s)?) };
            }
            (k @ ("place" | "origin" | "parent"), Value::String(s)) if k != "parent" || kind == Kind::Place => {
                *v = if s.trim().is_empty() { Value::Null } else { json!(place(archive, k, s)?) };
            }
            ("names" | "aliases", Value::Array(items)) => {
                let mut out = Vec::new();
                for item in items {
                    out.push(match item {
                        Value::String(s) => name(s),
                        other => other.clone(),
                    });
                }
                *v = Value::Array(out);
            }
            ("perpetrators", Value::Array(_)) => {
                if let Value::Array(items) = v {
                    for item in items {
                        normalize(archive, kind, item)?;
                    }
                }
            }
            ("links", Value::Array(_)) => {
                if let Value::Array(items) = v {
                    for item in items {
                        if let Some(Value::String(s)) = item.get("kind").cloned() {
                            item["kind"] = json!(term(List::ChainOfEvents, "links", &s)?);
                        }
                    }
                }
            }
            ("relationships", Value::Array(_)) => {
                if let Value::Array(items) = v {
                    for item in items {
                        if let Some(Value::String(s)) = item.get("kind").cloned() {
                            item["kind"] = json!(term(List::Relationships, "relationships", &s)?);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The prefix that says a typed name's script (`hangul:김철수`, `mr:Kim Ch'ŏl-su`).
const SCRIPT_PREFIXES: [(&str, Script); 4] =
    [("hangul", Script::Hangul), ("mr", Script::McCuneReischauer), ("rr", Script::RevisedRomanization), ("other", Script::Other)];

/// A name as typed: `hangul:`, `mr:`, `rr:` or `other:` before it says the script, else it is
/// guessed from the text.
fn name(s: &str) -> Value {
    let typed = s.split_once(':').and_then(|(p, t)| SCRIPT_PREFIXES.iter().find(|(q, _)| *q == p).map(|(_, script)| (*script, t)));
    let (script, text) = typed.unwrap_or((Script::guess(s), s));
    json!({ "text": text.trim(), "script": script })
}

/// A name as `name` reads it back: its script's prefix, then its text.
pub fn typed_name(n: &girok_core::model::Name) -> String {
    let prefix = SCRIPT_PREFIXES.iter().find(|(_, s)| *s == n.script).map_or("other", |(p, _)| p);
    format!("{prefix}:{}", n.text)
}

/// Sets `field` (a dotted path) of a record's JSON to `text` as typed after `--set`: a field
/// that holds a number, a truth value, a list or an object takes JSON; `names` also takes names
/// separated by `|`; anything else is text, read by `normalize` (dates, vocabulary, places).
pub fn set_field(record: &mut Value, field: &str, text: &str) -> Result<(), DomainError> {
    let mut cur = record;
    let parts: Vec<&str> = field.split('.').collect();
    for p in &parts[..parts.len() - 1] {
        cur = cur.get_mut(*p).filter(|v| v.is_object()).ok_or_else(|| DomainError::invalid(field, "no such field"))?;
    }
    let last = parts[parts.len() - 1];
    let Value::Object(map) = cur else { return Err(DomainError::invalid(field, "no such field")) };
    let as_json = || serde_json::from_str::<Value>(text);
    let value = match map.get(last) {
        Some(Value::Number(_)) | Some(Value::Bool(_)) => {
            as_json().map_err(|_| DomainError::invalid(field, format!("{text:?} is not a number or true/false")))?
        }
        Some(Value::Array(_)) if !text.trim_start().starts_with('[') && (last == "names" || last == "aliases") => {
            Value::Array(text.split('|').filter(|s| !s.trim().is_empty()).map(|s| json!(s.trim())).collect())
        }
        // Provision ids, as people list them: "law-a, law-b".
        Some(Value::Array(_)) if !text.trim_start().starts_with('[') && last == "provisions" => {
            Value::Array(text.split([',', ';', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(|s| json!(s)).collect())
        }
        Some(Value::Array(_)) => as_json().map_err(|e| DomainError::invalid(field, format!("expected a JSON list: {e}")))?,
        _ if text.trim().is_empty() => Value::Null,
        _ => json!(text),
    };
    map.insert(last.to_string(), value);
    Ok(())
}
