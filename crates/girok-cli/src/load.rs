//! Loading a synthetic dataset into an archive (the demo, tests and benchmarks share this).

use girok_core::model::Record;
use girok_store::{Archive, IntakeMeta, IntakeOutcome};
use girok_synth::Dataset;

/// Counts of what was loaded.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Loaded {
    pub(crate) documents: usize,
    pub(crate) persons: usize,
    pub(crate) events: usize,
    pub(crate) acts: usize,
}

/// Writes `ds` into `archive` in one transaction per stage, reporting `(done, total)`.
pub(crate) fn load(archive: &mut Archive, ds: &Dataset, progress: &mut dyn FnMut(&str, usize, usize)) -> anyhow::Result<Loaded> {
    let actor = "girok-synth";
    archive.write(actor, |w| {
        for s in &ds.sources {
            w.put(Record::Source(s.clone()))?;
        }
        for s in &ds.sealed {
            w.seal_identity(s)?;
        }
        Ok(())
    })?;
    // Relationships name each other, so persons go in bare first and gain relationships after.
    archive.write(actor, |w| {
        for p in &ds.persons {
            let mut bare = p.clone();
            bare.relationships.clear();
            w.put(Record::Person(bare))?;
        }
        for p in ds.persons.iter().filter(|p| !p.relationships.is_empty()) {
            w.put(Record::Person(p.clone()))?;
        }
        Ok(())
    })?;
    let total = ds.documents.len();
    for (chunk_idx, chunk) in ds.documents.chunks(100).enumerate() {
        archive.write(actor, |w| {
            for d in chunk {
                let meta = IntakeMeta {
                    id: Some(d.id.clone()),
                    title: Some(d.title.clone()),
                    received_from: Some(d.source.clone()),
                    received_by: "girok demo".into(),
                    language: Some(d.language.clone()),
                    confidentiality: d.confidentiality,
                    synthetic: true,
                    max_size: 0,
                };
                match w.add_bytes(&d.file_name, d.text.as_bytes(), &meta) {
                    Ok(IntakeOutcome::Added { .. }) | Ok(IntakeOutcome::Duplicate { .. }) => {}
                    Err(e) => return Err(girok_store::StoreError::Invalid { id: d.id.clone(), message: e.to_string() }),
                }
            }
            Ok(())
        })?;
        progress("documents", (chunk_idx * 100 + chunk.len()).min(total), total);
    }
    archive.write(actor, |w| {
        for e in &ds.events {
            w.put(Record::Event(e.clone()))?;
        }
        Ok(())
    })?;
    progress("events", ds.events.len(), ds.events.len());
    archive.write(actor, |w| {
        for a in &ds.acts {
            w.put(Record::Act(a.clone()))?;
        }
        for i in &ds.indicators {
            w.put(Record::Indicator(i.clone()))?;
        }
        Ok(())
    })?;
    progress("acts", ds.acts.len(), ds.acts.len());
    Ok(Loaded { documents: ds.documents.len(), persons: ds.persons.len(), events: ds.events.len(), acts: ds.acts.len() })
}
