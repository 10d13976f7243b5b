//! Capture histories for multiple systems estimation, built from coded acts.
//!
//! Each source organisation is a list; a victim is "captured" by a list when an act of the
//! chosen type against them cites a source of that organisation. Merged persons (`same_as`) count
//! once. The result is plain counts so the estimation engine stays free of storage types.

use std::collections::{BTreeMap, BTreeSet};

use girok_core::model::{Kind, PlaceKind, Record};
use girok_core::vocab::{List, Vocabulary};
use girok_core::Confidentiality;

use crate::{Archive, StoreError};

/// How acts are split into strata before estimating.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stratify {
    #[default]
    None,
    Province,
    Year,
    ActType,
}

impl Stratify {
    pub fn parse(s: &str) -> Option<Stratify> {
        match s {
            "" | "none" => Some(Stratify::None),
            "province" => Some(Stratify::Province),
            "year" => Some(Stratify::Year),
            "act-type" | "act_type" => Some(Stratify::ActType),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct CaptureQuery {
    /// An act type code; narrower types are included.
    pub act_type: String,
    pub from_year: Option<i32>,
    pub to_year: Option<i32>,
    pub stratify: Stratify,
    /// Acts above this level are left out, so an estimate never rests on records its reader may not see.
    pub max_confidentiality: Confidentiality,
    /// Which organisations form the lists; `None` for every organisation with a matching act.
    pub organisations: Option<Vec<String>>,
}

/// One stratum's capture-pattern table: `counts[mask]` victims were seen by exactly the lists
/// whose bits are set in `mask` (`counts[0]` is 0: the unseen are what is estimated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureTable {
    pub stratum: String,
    pub lists: Vec<String>,
    pub counts: Vec<u64>,
}

/// Most lists a table is built for; more would make 2^lists cells.
pub const MAX_CAPTURE_LISTS: usize = 12;

impl Archive {
    /// The organisations sources belong to (a source without one is its own organisation), for
    /// choosing which form the lists.
    pub fn organisations(&self, max: Confidentiality) -> Result<Vec<String>, StoreError> {
        let mut out = BTreeSet::new();
        for r in self.list(Kind::Source)? {
            if let Record::Source(s) = r {
                if s.confidentiality <= max {
                    out.insert(s.independence_unit().to_string());
                }
            }
        }
        Ok(out.into_iter().collect())
    }

    /// Capture tables per stratum. Strata whose victims were seen by fewer than two lists are
    /// returned too (with their one list), so callers can say what they skipped.
    pub fn capture_tables(&self, q: &CaptureQuery) -> Result<Vec<CaptureTable>, StoreError> {
        let vocab = Vocabulary::builtin();
        let organisation = self.source_organisations()?;
        let mut province_of: BTreeMap<String, String> = BTreeMap::new();
        for r in self.list(Kind::Place)? {
            if let Record::Place(p) = r {
                if p.kind == PlaceKind::Province {
                    for d in self.place_descendants(&p.id)? {
                        province_of.insert(d, p.name.clone());
                    }
                }
            }
        }
        let mut same_as: BTreeMap<String, String> = BTreeMap::new();
        for r in self.list(Kind::Person)? {
            if let Record::Person(p) = r {
                if let Some(t) = p.same_as {
                    same_as.insert(p.id, t);
                }
            }
        }
        let canonical = |id: &str| -> String {
            let mut cur = id.to_string();
            // Bounded: a cycle of merges must not hang the estimate.
            for _ in 0..32 {
                match same_as.get(&cur) {
                    Some(next) => cur = next.clone(),
                    None => break,
                }
            }
            cur
        };
        let from = q.from_year.and_then(|y| girok_core::Day::from_ymd(y, 1, 1).ok());
        let to = q.to_year.and_then(|y| girok_core::Day::from_ymd(y, 12, 31).ok());
        let window = girok_core::UncertainDate { earliest: from, latest: to, precision: girok_core::date::Precision::Range, text: String::new() };
        // stratum -> victim -> organisations that recorded an act against them
        let mut sightings: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
        for r in self.list(Kind::Act)? {
            let Record::Act(a) = r else { continue };
            if a.confidentiality > q.max_confidentiality || !vocab.is_within(List::ActTypes, &a.act_type, &q.act_type) {
                continue;
            }
            let date = a.date.clone().unwrap_or_else(girok_core::UncertainDate::unknown);
            if (from.is_some() || to.is_some()) && !date.overlaps(&window) {
                continue;
            }
            let Some(org) = a.source.as_ref().and_then(|s| organisation.get(s)) else { continue };
            if q.organisations.as_ref().is_some_and(|chosen| !chosen.contains(org)) {
                continue;
            }
            let stratum = match q.stratify {
                Stratify::None => "all".to_string(),
                Stratify::Province => a.place.as_ref().and_then(|p| province_of.get(p)).cloned().unwrap_or_else(|| "unknown province".into()),
                Stratify::Year => date
                    .earliest
                    .filter(|e| Some(e.year()) == date.latest.map(|l| l.year()))
                    .map(|e| e.year().to_string())
                    .unwrap_or_else(|| "undated or spanning years".into()),
                Stratify::ActType => vocab.ancestors(List::ActTypes, &a.act_type).last().map(|t| t.en.clone()).unwrap_or_default(),
            };
            sightings.entry(stratum).or_default().entry(canonical(&a.victim)).or_default().insert(org.clone());
        }
        let mut out = Vec::new();
        for (stratum, victims) in sightings {
            let lists: Vec<String> = victims.values().flatten().cloned().collect::<BTreeSet<_>>().into_iter().collect();
            if lists.len() > MAX_CAPTURE_LISTS {
                return Err(StoreError::Invalid {
                    id: stratum,
                    message: format!("{} organisations recorded these acts; at most {MAX_CAPTURE_LISTS} lists are supported", lists.len()),
                });
            }
            let mut counts = vec![0u64; 1 << lists.len()];
            for orgs in victims.values() {
                let mask = orgs.iter().map(|o| 1usize << lists.iter().position(|l| l == o).expect("lists built from these")).fold(0, |a, b| a | b);
                counts[mask] += 1;
            }
            out.push(CaptureTable { stratum, lists, counts });
        }
        Ok(out)
    }
}
