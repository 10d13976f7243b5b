//! Coding a passage: a selected span of a document's text becomes an event with one act that
//! cites it, with its victim, perpetrator, place, date and source, in one transaction.

use girok_core::model::{Act, Citation, Event, Involvement, Kind, Name, Person, Record, Script};
use girok_core::{Confidentiality, List, UncertainDate};
use girok_store::Archive;

use crate::actor::Actor;
use crate::error::DomainError;
use crate::normalize::{place, term};

/// A passage as the coding form or the API gives it; terms by code or label, places by name.
#[derive(Clone, Debug, Default)]
pub struct Passage {
    pub start: u64,
    pub end: u64,
    pub act_type: String,
    /// A person id, or a name for a new (restricted) person record.
    pub victim: String,
    pub place: String,
    pub date: String,
    pub description: String,
    pub source: String,
    pub connection: String,
    pub reliability: String,
    /// A person id, or a name for a new (restricted) person record.
    pub perpetrator: String,
    pub degree: String,
}

fn optional_term(list: List, field: &str, given: &str) -> Result<Option<String>, DomainError> {
    match given.trim() {
        "" => Ok(None),
        g => term(list, field, g).map(Some),
    }
}

/// A new person for a name typed in the coding form. Restricted: names of victims and
/// perpetrators are what a seized laptop must not give away.
fn new_person(name: &str) -> Record {
    Record::Person(Person {
        id: String::new(),
        names: vec![Name { text: name.to_string(), script: Script::guess(name) }],
        sex: None,
        birth: None,
        origin: None,
        relationships: vec![],
        notes: String::new(),
        confidentiality: Confidentiality::Restricted,
        synthetic: false,
        same_as: None,
    })
}

/// Codes a passage of `doc_id` as an event with one act citing it; returns their ids.
pub fn code_passage(archive: &mut Archive, actor: &Actor, doc_id: &str, p: &Passage) -> Result<(String, String), DomainError> {
    if !actor.can_edit() {
        return Err(DomainError::Forbidden(format!("{} ({}) may not code passages", actor.username, actor.role.as_str())));
    }
    let doc = archive.get_for(doc_id, actor.ceiling(), false)?;
    if doc.record.kind() != Kind::Document {
        return Err(DomainError::NotFound(doc_id.to_string()));
    }
    let act_type = optional_term(List::ActTypes, "act_type", &p.act_type)?.ok_or_else(|| DomainError::invalid("act_type", "required"))?;
    if p.victim.trim().is_empty() {
        return Err(DomainError::invalid("victim", "required: a person id or a name"));
    }
    let date = match p.date.trim() {
        "" => None,
        d => Some(UncertainDate::parse(d).map_err(|e| DomainError::invalid("date", e.to_string()))?),
    };
    let connection = optional_term(List::SourceConnection, "connection", &p.connection)?;
    let reliability = optional_term(List::Reliability, "reliability", &p.reliability)?;
    let degree = optional_term(List::Involvement, "degree", &p.degree)?;
    let source = match p.source.trim() {
        "" => None,
        s => match archive.get_for(s, actor.ceiling(), false) {
            Ok(v) if v.record.kind() == Kind::Source => Some(s.to_string()),
            _ => return Err(DomainError::invalid("source", format!("no source {s:?}"))),
        },
    };
    let place = match p.place.trim() {
        "" => None,
        pl => Some(place(archive, "place", pl)?),
    };
    let citation = Citation { document: doc_id.to_string(), span: Some((p.start, p.end)) };
    let label = girok_core::Vocabulary::builtin().get(List::ActTypes, &act_type).map(|t| t.en.clone()).unwrap_or_default();
    let ceiling = actor.ceiling();
    Ok(archive.write(&actor.username, |w| {
        // An existing person the actor may see, by id; else a new person by name.
        let person = |w: &mut girok_store::Writer<'_>, given: &str| -> Result<String, girok_store::StoreError> {
            let given = given.trim();
            if Kind::of_id(given) == Some(Kind::Person) && w.exists(given)? && w.get(given)?.confidentiality() <= ceiling {
                Ok(given.to_string())
            } else {
                w.put(new_person(given))
            }
        };
        let victim = person(w, &p.victim)?;
        let perpetrators = match p.perpetrator.trim() {
            "" => vec![],
            who => vec![Involvement { perpetrator: person(w, who)?, degree: degree.clone() }],
        };
        let event = w.put(Record::Event(Event {
            provisions: Vec::new(),
            same_as: None,
            id: String::new(),
            title: label,
            description: p.description.clone(),
            place: place.clone(),
            date: date.clone(),
            follows: None,
            links: vec![],
            citations: vec![citation.clone()],
            confidentiality: Confidentiality::Internal,
            synthetic: false,
        }))?;
        let act = w.put(Record::Act(Act {
            provisions: Vec::new(),
            id: String::new(),
            event: event.clone(),
            victim,
            act_type: act_type.clone(),
            place,
            date,
            end: None,
            victim_status: None,
            perpetrators,
            source: source.clone(),
            connection: connection.clone(),
            reliability: reliability.clone(),
            description: p.description.clone(),
            citations: vec![citation],
            confidentiality: Confidentiality::Internal,
            synthetic: false,
        }))?;
        Ok((event, act))
    })?)
}
