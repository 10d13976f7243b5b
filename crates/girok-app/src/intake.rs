//! Taking evidence in: files from the CLI, uploads from the web (already spooled, encrypted),
//! with the provenance the person gives. Each file is its own transaction; one that fails
//! leaves nothing behind and does not stop the others.

use std::path::PathBuf;

use girok_core::model::Kind;
use girok_core::Confidentiality;
use girok_store::{Archive, IntakeMeta, IntakeOutcome, Spooled};

use crate::actor::Actor;
use crate::error::DomainError;

/// Where the files come from, as given: a source id, a language, a level (restricted when none).
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    pub source: Option<String>,
    pub language: Option<String>,
    pub confidentiality: Option<Confidentiality>,
    pub title: Option<String>,
    /// Files larger than this are refused (0: the default limit).
    pub max_size: u64,
}

/// One file to take in.
pub enum Received {
    /// A file on disk (the CLI).
    Path(PathBuf),
    /// An upload received into an encrypted spool (the web).
    Spooled(Spooled),
    /// An upload refused while it was received (too large, cut off), with why.
    Refused { name: String, why: String },
}

/// What became of one file.
pub struct Taken {
    pub name: String,
    pub result: Result<IntakeOutcome, String>,
}

/// Takes files in with their provenance; the actor must be an editor, the source one they may
/// see, the level within their ceiling.
pub fn take_in(
    archive: &mut Archive,
    actor: &Actor,
    provenance: &Provenance,
    files: Vec<Received>,
    progress: &mut dyn FnMut(&Taken),
) -> Result<Vec<Taken>, DomainError> {
    if !actor.can_edit() {
        return Err(DomainError::Forbidden(format!("{} ({}) may not take evidence in", actor.username, actor.role.as_str())));
    }
    if let Some(source) = &provenance.source {
        match archive.get_for(source, actor.ceiling(), false) {
            Ok(v) if v.record.kind() == Kind::Source => {}
            _ => return Err(DomainError::invalid("source", format!("no source {source:?}"))),
        }
    }
    let confidentiality = provenance.confidentiality.unwrap_or(Confidentiality::Restricted);
    if confidentiality > actor.ceiling() {
        return Err(DomainError::invalid("confidentiality", format!("{} may not take in evidence above {}", actor.role.as_str(), actor.ceiling().as_str())));
    }
    let meta = IntakeMeta {
        title: provenance.title.clone(),
        received_by: actor.username.clone(),
        received_from: provenance.source.clone(),
        language: provenance.language.clone(),
        confidentiality,
        max_size: provenance.max_size,
        ..Default::default()
    };
    let mut out = Vec::new();
    for file in files {
        let taken = match file {
            Received::Path(p) => Taken { name: p.display().to_string(), result: archive.take_in_file(&actor.username, &p, &meta).map_err(|e| e.to_string()) },
            Received::Spooled(s) => {
                Taken { name: s.name().to_string_lossy().into_owned(), result: archive.take_in_spooled(&actor.username, &s, &meta).map_err(|e| e.to_string()) }
            }
            Received::Refused { name, why } => Taken { name, result: Err(why) },
        };
        progress(&taken);
        out.push(taken);
    }
    Ok(out)
}

/// What OCR made of one document.
pub struct Recognised {
    pub id: String,
    pub origin: Result<girok_core::model::TextOrigin, String>,
}

/// Recognises the text of the scans and photographs waiting for it (`ids`, or every one the
/// actor may see), one audited change each, reporting `progress(document, page, pages)`. A
/// document the engine cannot read is reported and recorded as such; the others go on.
pub fn recognise(
    archive: &mut Archive,
    actor: &Actor,
    ids: Option<Vec<String>>,
    progress: &mut dyn FnMut(&str, u32, u32),
) -> Result<Vec<Recognised>, DomainError> {
    if !actor.can_edit() {
        return Err(DomainError::Forbidden(format!("{} ({}) may not change documents", actor.username, actor.role.as_str())));
    }
    let ids = match ids {
        Some(ids) => ids,
        None => archive.ocr_pending()?,
    };
    let mut out = Vec::new();
    for id in ids {
        // A document above the actor's ceiling is "no such document", as everywhere.
        match archive.get_for(&id, actor.ceiling(), false) {
            Ok(v) if v.record.kind() == Kind::Document => {}
            _ => return Err(DomainError::invalid("document", format!("no document {id:?}"))),
        }
        let origin = archive.recognise(&actor.username, &id, &mut |p, n| progress(&id, p, n)).map_err(|e| e.to_string());
        out.push(Recognised { id, origin });
    }
    Ok(out)
}
