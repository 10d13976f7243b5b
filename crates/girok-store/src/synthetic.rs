//! Loading a synthetic dataset (girok-synth) into an archive: the demo, the tests of other crates
//! and the benchmarks share this, so they all exercise the same write path as real intake.

use girok_core::model::Record;
use girok_synth::Dataset;

use crate::{Archive, IntakeMeta, IntakeOutcome, StoreError};

/// Counts of what was loaded.
#[derive(Debug, Default, Clone, Copy)]
pub struct Loaded {
    pub documents: usize,
    pub persons: usize,
    pub events: usize,
    pub acts: usize,
}

impl Archive {
    /// Writes `ds` in a few transactions per stage, reporting `(stage, done, total)`.
    pub fn load_synthetic(&mut self, ds: &Dataset, progress: &mut dyn FnMut(&str, usize, usize)) -> Result<Loaded, StoreError> {
        let actor = "girok-synth";
        self.write(actor, |w| {
            for s in &ds.sources {
                w.put(Record::Source(s.clone()))?;
            }
            for s in &ds.sealed {
                w.seal_identity(s)?;
            }
            for p in &ds.provisions {
                w.put(Record::Provision(p.clone()))?;
            }
            Ok(())
        })?;
        // Relationships name each other, so persons go in bare first and gain relationships after.
        self.write(actor, |w| {
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
        for (chunk_idx, chunk) in ds.documents.chunks(500).enumerate() {
            self.write(actor, |w| {
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
                        attached_to: None,
                    };
                    match w.add_bytes(&d.file_name, d.text.as_bytes(), &meta) {
                        Ok(IntakeOutcome::Added { .. }) | Ok(IntakeOutcome::Duplicate { .. }) => {}
                        Err(e) => return Err(StoreError::Invalid { id: d.id.clone(), message: e.to_string() }),
                    }
                }
                Ok(())
            })?;
            progress("documents", (chunk_idx * 500 + chunk.len()).min(total), total);
        }
        // Events and acts in chunks: a million-act benchmark archive must not be one transaction.
        for chunk in ds.events.chunks(10_000) {
            self.write(actor, |w| {
                for e in chunk {
                    w.put(Record::Event(e.clone()))?;
                }
                Ok(())
            })?;
        }
        progress("events", ds.events.len(), ds.events.len());
        for (i, chunk) in ds.acts.chunks(10_000).enumerate() {
            self.write(actor, |w| {
                for a in chunk {
                    w.put(Record::Act(a.clone()))?;
                }
                Ok(())
            })?;
            progress("acts", (i * 10_000 + chunk.len()).min(ds.acts.len()), ds.acts.len());
        }
        self.write(actor, |w| {
            for i in &ds.indicators {
                w.put(Record::Indicator(i.clone()))?;
            }
            for id in &ds.closed_places {
                if let Ok(Record::Place(mut p)) = w.get(id) {
                    p.access = Some(girok_core::model::Access::Closed);
                    p.credit = format!("{}; access: SYNTHETIC demo setting, not a finding", p.credit);
                    w.put(Record::Place(p))?;
                }
            }
            Ok(())
        })?;
        Ok(Loaded { documents: ds.documents.len(), persons: ds.persons.len(), events: ds.events.len(), acts: ds.acts.len() })
    }
}
