//! Keeping the record: create, correct, retire and restore any record, seal a witness's
//! identity, read a record's history as field-level changes.
//!
//! Every edit names the version it started from and is refused, with what changed, when another
//! came in between. Nothing is deleted: retiring hides a record from every reader and keeps it
//! with its history.

use girok_core::model::{Kind, Record, SealedIdentity};
use girok_store::{Archive, Versioned};
use serde_json::{json, Value};

use crate::actor::Actor;
use crate::diff::{diff, FieldChange};
use crate::error::DomainError;
use crate::normalize::normalize;

/// A written record and its new version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    pub id: String,
    pub version: i64,
}

/// One version of a record in its history.
#[derive(Clone, Debug, PartialEq)]
pub struct Version {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    /// What this version changed against the one before (every field, for the first).
    pub changes: Vec<FieldChange>,
    /// The reason given, for retirements, restorations and changes of level.
    pub reason: Option<String>,
}

/// Fields of a document that describe the original file: they never change, since the file
/// does not.
pub const ORIGINAL_FIELDS: [&str; 12] = [
    "sha256",
    "size",
    "media_type",
    "original_name",
    "received_at",
    "text_sha256",
    "text_chars",
    "text_origin",
    "notice",
    "media",
    "location_sha256",
    "attached_to",
];

fn require_editor(actor: &Actor) -> Result<(), DomainError> {
    if actor.can_edit() {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!("{} ({}) may not create or correct records", actor.username, actor.role.as_str())))
    }
}

/// A record the actor may see (admins may also see retired ones).
pub fn read(archive: &Archive, actor: &Actor, id: &str) -> Result<Versioned, DomainError> {
    Ok(archive.get_for(id, actor.ceiling(), actor.role == girok_store::Role::Admin)?)
}

/// The fields a new record of `kind` is typed with (a form, an editor), empty.
pub fn template(kind: Kind) -> Result<Value, DomainError> {
    Ok(match kind {
        Kind::Source => {
            json!({ "record": "source", "pseudonym": "", "kind": "witness", "organisation": "", "connection": "", "reliability": "", "notes": "", "confidentiality": "restricted" })
        }
        Kind::Person => {
            json!({ "record": "person", "names": [], "sex": null, "birth": "", "origin": "", "relationships": [], "notes": "", "confidentiality": "restricted" })
        }
        Kind::Place => {
            json!({ "record": "place", "name": "", "name_ko": null, "kind": "town", "parent": "", "aliases": [], "lat": null, "lon": null, "credit": "", "confidentiality": "public" })
        }
        Kind::Event => {
            json!({ "record": "event", "title": "", "description": "", "place": "", "date": "", "follows": null, "links": [], "provisions": [], "confidentiality": "internal" })
        }
        Kind::Act => {
            json!({ "record": "act", "event": "", "victim": "", "act_type": "", "place": "", "date": "", "end": "", "victim_status": "", "source": "", "connection": "", "reliability": "", "description": "", "provisions": [], "confidentiality": "internal" })
        }
        Kind::Indicator => json!({ "record": "indicator", "name": "", "unit": "", "values": [], "source": "", "confidentiality": "public" }),
        Kind::Provision => json!({
            "record": "provision", "instrument": "", "instrument_ko": null, "article": "", "title": "", "title_ko": null,
            "text_en": "", "text_ko": "", "max_penalty": null, "source": "", "commentary": "", "confidentiality": "public"
        }),
        Kind::Document => return Err(DomainError::invalid("record", "documents are made by taking a file in (intake), not typed")),
    })
}

/// Turns normalized JSON into a record, naming the field serde could not read.
fn to_record(value: Value) -> Result<Record, DomainError> {
    serde_json::from_value(value).map_err(|e| {
        let msg = e.to_string();
        // serde says "missing field `title`" or "unknown variant `x`, expected ..."
        let field = msg.split('`').nth(1).filter(|f| !f.contains(' ')).unwrap_or("record").to_string();
        DomainError::invalid(&field, msg)
    })
}

/// What a careful documenter would want checked beyond codes and references.
fn check(archive: &Archive, actor: &Actor, record: &Record) -> Result<(), DomainError> {
    if record.confidentiality() > actor.ceiling() {
        return Err(DomainError::invalid("confidentiality", format!("{} may not write records above {}", actor.role.as_str(), actor.ceiling().as_str())));
    }
    match record {
        Record::Act(act) => {
            if let (Some(date), Ok(Record::Event(event))) = (&act.date, archive.get(&act.event)) {
                if let Some(ed) = &event.date {
                    if !date.overlaps(ed) {
                        return Err(DomainError::invalid(
                            "date",
                            format!("the act's date ({}) cannot overlap its event's date ({}, {})", date.text, ed.text, event.id),
                        ));
                    }
                }
            }
        }
        Record::Person(p) if p.relationships.iter().any(|r| r.other == p.id) => {
            return Err(DomainError::invalid("relationships", "a person cannot be related to themselves"));
        }
        _ => {}
    }
    Ok(())
}

/// Creates a record from its JSON (with `"record": KIND`), as typed: labels, names and dates
/// are read by `normalize`.
pub fn create(archive: &mut Archive, actor: &Actor, mut input: Value) -> Result<Saved, DomainError> {
    require_editor(actor)?;
    let kind = input
        .get("record")
        .and_then(Value::as_str)
        .and_then(Kind::parse)
        .ok_or_else(|| DomainError::invalid("record", "say which kind of record (source, person, place, event, act, indicator, provision)"))?;
    if kind == Kind::Document {
        return Err(DomainError::invalid("record", "documents are made by taking a file in (intake), not typed"));
    }
    normalize(archive, kind, &mut input)?;
    if input.get("id").is_none() {
        input["id"] = Value::String(String::new());
    }
    let record = to_record(input)?;
    check(archive, actor, &record)?;
    let mut id = String::new();
    let version = archive.write(&actor.username, |w| {
        let mut record = record;
        if record.id().is_empty() {
            record.set_id(girok_store::new_id(record.kind()));
        }
        id = record.id().to_string();
        w.put_at(record, None)
    })?;
    Ok(Saved { id, version })
}

/// Merges `changes` into `target` (JSON merge patch: objects merge, anything else replaces,
/// `null` removes).
fn merge(target: &mut Value, changes: Value) {
    match (target, changes) {
        (Value::Object(t), Value::Object(c)) => {
            for (k, v) in c {
                if v.is_null() {
                    t.remove(&k);
                } else {
                    merge(t.entry(k).or_insert(Value::Null), v);
                }
            }
        }
        (t, c) => *t = c,
    }
}

/// Corrects a record: `changes` (fields as typed) are merged into the version `base`, which must
/// still be current. A change of confidentiality needs a `reason`, kept in the audit log.
pub fn edit(archive: &mut Archive, actor: &Actor, id: &str, base: i64, mut changes: Value, reason: Option<&str>) -> Result<Saved, DomainError> {
    require_editor(actor)?;
    let current = archive.get_for(id, actor.ceiling(), false)?;
    if current.version != base {
        let then = archive.record_at(id, base)?.map(|r| serde_json::to_value(r).expect("records serialize"));
        let now = serde_json::to_value(&current.record).expect("records serialize");
        let changes = then.map(|t| diff(&t, &now)).unwrap_or_default();
        return Err(DomainError::Stale { id: id.to_string(), base, current: current.version, changes });
    }
    let kind = current.record.kind();
    normalize(archive, kind, &mut changes)?;
    let before = serde_json::to_value(&current.record).expect("records serialize");
    let mut after = before.clone();
    merge(&mut after, changes);
    for (field, what) in [("id", "an id"), ("record", "a record's kind")] {
        if after.get(field) != before.get(field) {
            return Err(DomainError::invalid(field, format!("{what} never changes")));
        }
    }
    if kind == Kind::Document {
        if let Some(f) = ORIGINAL_FIELDS.iter().find(|f| after.get(**f) != before.get(**f)) {
            return Err(DomainError::invalid(f, "describes the original file, which never changes"));
        }
    }
    let record = to_record(after)?;
    check(archive, actor, &record)?;
    let level_changed = record.confidentiality() != current.record.confidentiality();
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if level_changed && reason.is_none() {
        return Err(DomainError::invalid("reason", "a change of confidentiality needs a reason (it is kept in the audit log)"));
    }
    let (from, to) = (current.record.confidentiality(), record.confidentiality());
    let version = archive.write(&actor.username, |w| {
        let v = w.put_at(record, Some(base))?;
        if level_changed {
            w.note("change_confidentiality", Some(id), serde_json::json!({ "from": from.as_str(), "to": to.as_str(), "reason": reason }))?;
        }
        Ok(v)
    })?;
    Ok(Saved { id: id.to_string(), version })
}

/// Retires a record: hidden from lists, counts, search and briefings, kept with its history.
pub fn retire(archive: &mut Archive, actor: &Actor, id: &str, reason: &str) -> Result<Saved, DomainError> {
    require_editor(actor)?;
    archive.get_for(id, actor.ceiling(), false)?;
    let version = archive.write(&actor.username, |w| w.set_retired(id, true, reason))?;
    Ok(Saved { id: id.to_string(), version })
}

/// Brings a retired record back. Admins only.
pub fn restore(archive: &mut Archive, actor: &Actor, id: &str, reason: &str) -> Result<Saved, DomainError> {
    if actor.role != girok_store::Role::Admin {
        return Err(DomainError::Forbidden("only an admin restores a retired record".into()));
    }
    archive.get_for(id, actor.ceiling(), true)?;
    let version = archive.write(&actor.username, |w| w.set_retired(id, false, reason))?;
    Ok(Saved { id: id.to_string(), version })
}

/// Seals (or replaces) a witness's identity. Only an editor with identity clearance; the audit
/// log keeps who and whose, and a hash, never the content.
pub fn seal_identity(archive: &mut Archive, actor: &Actor, identity: &SealedIdentity) -> Result<(), DomainError> {
    require_editor(actor)?;
    if !actor.identity_clearance {
        // The same answer as for a source that does not exist: nothing says one is sealed.
        return Err(DomainError::NotFound(identity.source.clone()));
    }
    let source = archive.get_for(&identity.source, actor.ceiling(), false)?;
    if source.record.kind() != Kind::Source {
        return Err(DomainError::invalid("source", format!("{} is not a source", identity.source)));
    }
    if identity.legal_name.trim().is_empty() {
        return Err(DomainError::invalid("legal_name", "a sealed identity needs the witness's name"));
    }
    archive.write(&actor.username, |w| w.seal_identity(identity))?;
    Ok(())
}

/// A witness's sealed identity, for an account with identity clearance; the viewing itself is
/// audited (who, whose; never the content). `None` when none is sealed.
pub fn identity(archive: &mut Archive, actor: &Actor, source_id: &str) -> Result<Option<SealedIdentity>, DomainError> {
    if !actor.identity_clearance {
        return Err(DomainError::NotFound(source_id.to_string()));
    }
    let source = archive.get_for(source_id, actor.ceiling(), false)?;
    if source.record.kind() != Kind::Source {
        return Err(DomainError::NotFound(source_id.to_string()));
    }
    let Some(identity) = archive.sealed_identity(source_id)? else { return Ok(None) };
    let by = actor.username.clone();
    archive.write(&actor.username, |w| w.note("reveal_sealed_identity", Some(source_id), serde_json::json!({ "by": by })))?;
    Ok(Some(identity))
}

/// Every version of a record the actor may see, oldest first, each with its field changes.
pub fn history(archive: &Archive, actor: &Actor, id: &str) -> Result<Vec<Version>, DomainError> {
    read(archive, actor, id)?;
    let mut out = Vec::new();
    let mut previous = Value::Object(Default::default());
    for e in archive.history(id)? {
        let content: Option<Value> = e.content.as_deref().and_then(|c| serde_json::from_str(c).ok());
        let (changes, reason) = match e.action.as_str() {
            "create" | "update" => {
                let now = content.unwrap_or(Value::Null);
                let changes = diff(&previous, &now);
                previous = now;
                (changes, None)
            }
            // A sealed identity's entry holds a hash: shown as "sealed", never compared.
            "seal_identity" => (Vec::new(), None),
            _ => (Vec::new(), content.as_ref().and_then(|c| c.get("reason")).and_then(Value::as_str).map(str::to_string)),
        };
        out.push(Version { seq: e.seq, at: e.at, actor: e.actor, action: e.action, changes, reason });
    }
    Ok(out)
}
