//! Field-level differences between two versions of a record, for history and for telling an
//! editor what changed under them.

use serde_json::Value;

/// One field that differs: its path (`date.text`, `names`), and its value before and after
/// (`null` when absent).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// The fields that differ between `before` and `after`. Objects are compared field by field;
/// anything else (lists included) as a whole, so a changed list of names is one change.
pub fn diff(before: &Value, after: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", before, after, &mut out);
    out
}

fn walk(path: &str, before: &Value, after: &Value, out: &mut Vec<FieldChange>) {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                walk(&p, a.get(k).unwrap_or(&Value::Null), b.get(k).unwrap_or(&Value::Null), out);
            }
        }
        (a, b) if a != b => out.push(FieldChange { field: path.to_string(), before: a.clone(), after: b.clone() }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn nested_fields_are_named_and_unchanged_ones_are_not() {
        let a = json!({ "title": "Arrest", "date": { "text": "1997", "earliest": "1997-01-01" }, "names": ["a"], "gone": 1 });
        let b = json!({ "title": "Arrest", "date": { "text": "winter 1997", "earliest": "1997-01-01" }, "names": ["a", "b"], "new": true });
        let d = super::diff(&a, &b);
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["date.text", "gone", "names", "new"]);
        assert_eq!(d[0].before, json!("1997"));
        assert_eq!(d[3].before, serde_json::Value::Null);
        assert!(super::diff(&a, &a).is_empty());
    }
}
