//! `girok new`, `edit`, `retire`, `restore`, `seal-identity`, `relate` and `history`: keeping the
//! record from the terminal. Each translates argv and the editor into one `girok_app` workflow,
//! the same the web app and the API call.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use anyhow::{bail, Context};
use girok_app::Actor;
use girok_core::model::{Kind, SealedIdentity};
use girok_store::Archive;
use serde_json::{json, Value};

/// `FIELD=VALUE` pairs from `--set`, applied in order.
fn apply_sets(record: &mut Value, sets: &[String]) -> anyhow::Result<()> {
    for s in sets {
        let (field, value) = s.split_once('=').with_context(|| format!("--set {s:?}: write it as FIELD=VALUE"))?;
        girok_app::set_field(record, field.trim(), value).map_err(|e| anyhow::anyhow!("--set {s:?}: {e}"))?;
    }
    Ok(())
}

/// Opens `value` in $EDITOR as JSON and returns what was saved. Threat: the record in a
/// plaintext file; it is written to memory-backed /dev/shm where there is one, readable only by
/// this user, and removed at once.
fn in_editor(value: &Value) -> anyhow::Result<Value> {
    let editor = std::env::var("VISUAL").or_else(|_| std::env::var("EDITOR")).context("no editor: set EDITOR, or give the fields with --set FIELD=VALUE")?;
    let dir = if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
    let file = tempfile::Builder::new().prefix("girok-edit-").suffix(".json").tempfile_in(dir).context("creating the file to edit")?;
    std::fs::write(file.path(), serde_json::to_string_pretty(value).expect("JSON serializes") + "\n").context("writing the file to edit")?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file.path())
        .status()
        .with_context(|| format!("running {editor}"))?;
    if !status.success() {
        bail!("{editor} exited with {status}; nothing was changed");
    }
    let text = std::fs::read_to_string(file.path()).context("reading the edited file")?;
    serde_json::from_str(&text).context("the edited file is not valid JSON; nothing was changed")
}

/// The changes that turn `before` into `after`, as a merge patch (removed fields are null).
fn patch(before: &Value, after: &Value) -> Value {
    let mut out = serde_json::Map::new();
    if let (Value::Object(b), Value::Object(a)) = (before, after) {
        for (k, v) in a {
            if b.get(k) != Some(v) {
                out.insert(k.clone(), v.clone());
            }
        }
        for k in b.keys() {
            if !a.contains_key(k) {
                out.insert(k.clone(), Value::Null);
            }
        }
    }
    Value::Object(out)
}

pub(crate) fn new(a: &mut Archive, actor: &Actor, kind: &str, sets: &[String]) -> anyhow::Result<()> {
    let kind = Kind::parse(kind.trim_end_matches('s'))
        .with_context(|| format!("unknown kind {kind:?}; use source, person, place, event, act, indicator or provision"))?;
    let mut record = girok_app::template(kind)?;
    if sets.is_empty() {
        record = in_editor(&record)?;
    } else {
        apply_sets(&mut record, sets)?;
    }
    // Empty fields of the skeleton mean "not given".
    if let Value::Object(m) = &mut record {
        m.retain(|_, v| !(v.is_null() || v.as_str() == Some("")));
    }
    let saved = girok_app::create(a, actor, record)?;
    println!("created {} (version {})", saved.id, saved.version);
    Ok(())
}

pub(crate) fn edit(a: &mut Archive, actor: &Actor, id: &str, sets: &[String], reason: Option<&str>) -> anyhow::Result<()> {
    let current = girok_app::read(a, actor, id)?;
    let before = serde_json::to_value(&current.record).expect("records serialize");
    let changes = if sets.is_empty() {
        patch(&before, &in_editor(&before)?)
    } else {
        let mut after = before.clone();
        apply_sets(&mut after, sets)?;
        patch(&before, &after)
    };
    if changes.as_object().is_some_and(|m| m.is_empty()) {
        println!("{id}: nothing changed");
        return Ok(());
    }
    // The version read before the editor opened: a change made meanwhile is refused, not lost.
    let saved = girok_app::edit(a, actor, id, current.version, changes, reason)?;
    println!("{id}: version {} → {}", current.version, saved.version);
    Ok(())
}

pub(crate) fn retire(a: &mut Archive, actor: &Actor, id: &str, reason: &str, restore: bool) -> anyhow::Result<()> {
    let saved = if restore { girok_app::restore(a, actor, id, reason)? } else { girok_app::retire(a, actor, id, reason)? };
    println!("{id}: {} (version {})", if restore { "restored" } else { "retired; `girok restore` brings it back" }, saved.version);
    Ok(())
}

/// Reads a line without echoing it in a terminal (a witness's name must not stay on screen),
/// or plainly from standard input when it is not one.
fn secret_line(prompt: &str, lines: &mut dyn Iterator<Item = std::io::Result<String>>) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt).context("reading from the terminal")
    } else {
        Ok(lines.next().transpose().context("reading standard input")?.unwrap_or_default())
    }
}

pub(crate) fn seal_identity(a: &mut Archive, actor: &Actor, source: &str) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let legal_name = secret_line("Witness's name (not shown): ", &mut lines)?;
    let contact = secret_line("Contact (not shown; empty for none): ", &mut lines)?;
    let notes = secret_line("Notes, e.g. where interviewed (not shown; empty for none): ", &mut lines)?;
    girok_app::seal_identity(a, actor, &SealedIdentity { source: source.to_string(), legal_name, contact, notes })?;
    println!("{source}: identity sealed (readable only with identity clearance; the audit log keeps a hash)");
    Ok(())
}

pub(crate) fn relate(a: &mut Archive, actor: &Actor, person: &str, relation: &str, other: &str) -> anyhow::Result<()> {
    let current = girok_app::read(a, actor, person)?;
    let mut rels = serde_json::to_value(&current.record).expect("records serialize")["relationships"].clone();
    let list = rels.as_array_mut().with_context(|| format!("{person} is not a person"))?;
    list.push(json!({ "kind": relation, "other": other }));
    let saved = girok_app::edit(a, actor, person, current.version, json!({ "relationships": list }), None)?;
    println!("{person} —{relation}→ {other} (version {})", saved.version);
    Ok(())
}

pub(crate) fn history(a: &Archive, actor: &Actor, id: &str) -> anyhow::Result<()> {
    let versions = girok_app::history(a, actor, id)?;
    if versions.is_empty() {
        bail!("no history for {id}: no such record was ever written");
    }
    for (n, v) in versions.iter().enumerate() {
        println!("version {} · entry {} · {} · {} · {}", n + 1, v.seq, v.at, v.actor, v.action);
        if let Some(r) = &v.reason {
            println!("    reason: {r}");
        }
        for c in &v.changes {
            println!("    {}: {} → {}", c.field, change_text(&c.before), change_text(&c.after));
        }
    }
    Ok(())
}

/// A changed field's value in a line of text: `—` when absent.
pub(crate) fn change_text(v: &Value) -> String {
    if v.is_null() {
        "—".to_string()
    } else {
        v.to_string()
    }
}
