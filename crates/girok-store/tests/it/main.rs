//! Integration tests of the archive through its public API and its on-disk files.
//!
//! Modules: `open` (keys, headers, refusals), `records` (writes, history, audit chain),
//! `intake` (evidence files), `formats` (office files, mail, media, scans), `search`, `tamper` (verify), `interchange` (CSV/JSON), `bundle`, `sync` (replicas and mirrors).
//! All data is synthetic.

mod bundle;
mod formats;
mod intake;
mod interchange;
mod open;
mod records;
mod search;
mod sync;
mod tamper;

use std::path::Path;

use girok_core::model::*;
use girok_store::{Archive, CreateOptions, KdfParams, KeySource};

pub(crate) const PASS: &str = "correct horse battery staple (synthetic test passphrase)";

pub(crate) fn key() -> KeySource {
    KeySource::passphrase(PASS)
}

pub(crate) fn fast() -> CreateOptions {
    CreateOptions { kdf: KdfParams::WEAK_FOR_TESTS, seed_gazetteer: true }
}

/// A fresh archive with the gazetteer and a handful of synthetic records.
pub(crate) fn archive(dir: &Path) -> Archive {
    let mut a = Archive::create(&dir.join("archive"), &key(), fast()).unwrap();
    a.write("tester", |w| {
        w.put(Record::Source(Source {
            id: "src-a".into(),
            pseudonym: "W-0001".into(),
            kind: SourceKind::Witness,
            organisation: Some("Synthetic Project A".into()),
            connection: Some("010100000000".into()),
            reliability: Some("020000000000".into()),
            notes: String::new(),
            confidentiality: Confidentiality::Restricted,
            synthetic: true,
        }))?;
        w.put(Record::Source(Source {
            id: "src-b".into(),
            pseudonym: "NGO-B".into(),
            kind: SourceKind::Ngo,
            organisation: Some("Synthetic Project B".into()),
            connection: None,
            reliability: None,
            notes: String::new(),
            confidentiality: Confidentiality::Internal,
            synthetic: true,
        }))?;
        w.put(person("per-v1", "김철수", "Kim Ch'ŏl-su"))?;
        w.put(person("per-v2", "박영희", "Pak Yŏng-hŭi"))?;
        Ok(())
    })
    .unwrap();
    a
}

pub(crate) fn person(id: &str, hangul: &str, mr: &str) -> Record {
    Record::Person(Person {
        id: id.into(),
        names: vec![Name { text: hangul.into(), script: Script::Hangul }, Name { text: mr.into(), script: Script::McCuneReischauer }],
        sex: Some(Sex::Female),
        birth: Some(girok_core::UncertainDate::parse("1970").unwrap()),
        origin: Some("plc-gn2044091".into()),
        relationships: vec![],
        notes: "SYNTHETIC".into(),
        confidentiality: Confidentiality::Restricted,
        synthetic: true,
        same_as: None,
    })
}

pub(crate) fn event(id: &str, title: &str, place: &str, date: &str) -> Record {
    Record::Event(Event {
        provisions: Vec::new(),
        same_as: None,
        links: vec![],
        id: id.into(),
        title: title.into(),
        description: String::new(),
        place: Some(place.into()),
        date: Some(girok_core::UncertainDate::parse(date).unwrap()),
        follows: None,
        citations: vec![],
        confidentiality: Confidentiality::Internal,
        synthetic: true,
    })
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn act(id: &str, event: &str, victim: &str, act_type: &str, place: &str, date: &str, source: &str, description: &str) -> Record {
    Record::Act(Act {
        provisions: Vec::new(),
        end: None,
        victim_status: None,
        id: id.into(),
        event: event.into(),
        victim: victim.into(),
        act_type: act_type.into(),
        place: Some(place.into()),
        date: Some(girok_core::UncertainDate::parse(date).unwrap()),
        perpetrators: vec![],
        source: Some(source.into()),
        connection: None,
        reliability: None,
        description: description.into(),
        citations: vec![],
        confidentiality: Confidentiality::Internal,
        synthetic: true,
    })
}
