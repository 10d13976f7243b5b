//! Capture histories for multiple systems estimation, built from coded acts.
//!
//! Each source organisation is a list; a victim is "captured" by a list when an act of the
//! chosen type against them cites a source of that organisation. Merged persons (`same_as`) count
//! once. The result is plain counts so the estimation engine stays free of storage types.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use girok_core::model::{Kind, PlaceKind, Record};
use girok_core::vocab::{List, Vocabulary};
use girok_core::Confidentiality;

use crate::{Archive, StoreError};

/// How acts are split into strata before estimating.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stratify {
    #[default]
    None,
    /// Province where the act happened.
    Province,
    Year,
    ActType,
    /// The victim's recorded sex.
    Sex,
    /// The victim's age when the act happened (from birth and act years).
    AgeGroup,
    /// The victim's province of origin.
    Origin,
    /// What kind of place the act happened at (kwanliso, kyohwaso, holding centre, town…).
    FacilityType,
}

impl Stratify {
    /// Every way to stratify, as `parse` reads them (for forms and help).
    pub const NAMES: [&'static str; 7] = ["province", "year", "act-type", "sex", "age-group", "origin", "facility-type"];

    pub fn parse(s: &str) -> Option<Stratify> {
        match s {
            "" | "none" => Some(Stratify::None),
            "province" => Some(Stratify::Province),
            "year" => Some(Stratify::Year),
            "act-type" | "act_type" => Some(Stratify::ActType),
            "sex" => Some(Stratify::Sex),
            "age-group" | "age_group" | "age" => Some(Stratify::AgeGroup),
            "origin" => Some(Stratify::Origin),
            "facility-type" | "facility_type" | "facility" => Some(Stratify::FacilityType),
            _ => None,
        }
    }

    /// Whether the strata come from the victim's person record (decoded only then).
    fn needs_persons(self) -> bool {
        matches!(self, Stratify::Sex | Stratify::AgeGroup | Stratify::Origin)
    }
}

/// What a person record tells about who is documented: sex, birth year, province of origin.
#[derive(Clone, Debug, Default)]
struct Attributes {
    sex: Option<girok_core::model::Sex>,
    birth_year: Option<i32>,
    origin: Option<String>,
}

/// Age at the act, in the groups documentation reports use.
fn age_group(birth: Option<i32>, at: Option<i32>) -> String {
    match (birth, at) {
        (Some(b), Some(a)) if a >= b => match a - b {
            0..=17 => "under 18".into(),
            18..=39 => "18 to 39".into(),
            40..=59 => "40 to 59".into(),
            _ => "60 and over".into(),
        },
        _ => "age unknown".into(),
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
        for r in self.list_for(Kind::Source, max)? {
            if let Record::Source(s) = r {
                out.insert(s.independence_unit().to_string());
            }
        }
        Ok(out.into_iter().collect())
    }

    /// Capture tables per stratum. Strata whose victims were seen by fewer than two lists are
    /// returned too (with their one list), so callers can say what they skipped.
    pub fn capture_tables(&self, q: &CaptureQuery) -> Result<Vec<CaptureTable>, StoreError> {
        let vocab = Vocabulary::builtin();
        let organisation = self.source_organisations()?;
        // The province of every place, only for strata that ask (the gazetteer decoded and
        // walked is most of an unstratified table's time otherwise).
        let mut province_of: BTreeMap<String, String> = BTreeMap::new();
        let places = if matches!(q.stratify, Stratify::Province | Stratify::Origin) { self.list(Kind::Place)? } else { Vec::new() };
        for r in places {
            if let Record::Place(p) = r {
                if p.kind == PlaceKind::Province {
                    for d in self.place_descendants(&p.id)? {
                        province_of.insert(d, p.name.clone());
                    }
                }
            }
        }
        // Merges come from the reverse-link table, not from decoding every person.
        let same_as = self.merges("person")?;
        let canonical = |id: &str| same_as.get(id).cloned().unwrap_or_else(|| id.to_string());
        let from = q.from_year.and_then(|y| girok_core::Day::from_ymd(y, 1, 1).ok());
        let to = q.to_year.and_then(|y| girok_core::Day::from_ymd(y, 12, 31).ok());
        let window = girok_core::UncertainDate::between(from, to);
        // Person attributes, only when the strata need them: the canonical person's, filled in
        // from the records merged into it (one victim, one stratum).
        let mut attributes: BTreeMap<String, Attributes> = BTreeMap::new();
        if q.stratify.needs_persons() {
            for r in self.list_for(Kind::Person, q.max_confidentiality)? {
                if let Record::Person(p) = r {
                    let a = attributes.entry(canonical(&p.id)).or_default();
                    a.sex = a.sex.or(p.sex.filter(|s| *s != girok_core::model::Sex::Unknown));
                    a.birth_year = a.birth_year.or(p.birth.as_ref().and_then(|b| b.earliest).map(|d| d.year()));
                    a.origin = a.origin.clone().or_else(|| p.origin.as_ref().and_then(|o| province_of.get(o)).cloned());
                }
            }
        }
        let kind_of_place: BTreeMap<String, PlaceKind> = if q.stratify == Stratify::FacilityType {
            self.list(Kind::Place)?
                .into_iter()
                .filter_map(|r| match r {
                    Record::Place(p) => Some((p.id, p.kind)),
                    _ => None,
                })
                .collect()
        } else {
            BTreeMap::new()
        };
        let merged_event = self.merges("event")?;
        let merge_targets: BTreeSet<&str> = merged_event.values().map(String::as_str).collect();
        // Everything below is interned: on a million acts, a string per act per step is what
        // made capture tables take seconds.
        let mut victim_ids: HashMap<String, u32> = HashMap::new();
        let mut stratum_ids: HashMap<String, u32> = HashMap::new();
        let mut stratum_names: Vec<String> = Vec::new();
        let mut org_ids: HashMap<&str, u32> = HashMap::new();
        let mut org_names: Vec<&str> = Vec::new();
        // (stratum, victim, organisation) of every act that counts; (canonical event, event,
        // victim) of those whose event a reviewer merged or merged into, usually none.
        let mut counted: Vec<(u32, u32, u32)> = Vec::new();
        let mut in_merges: Vec<(String, String, u32)> = Vec::new();
        let codes = crate::search::act_type_and_narrower(&q.act_type);
        crate::capture_index::scan(&self.conn, &codes, q.max_confidentiality, |a| {
            let date = girok_core::UncertainDate::between(a.date_start.map(girok_core::Day), a.date_end.map(girok_core::Day));
            if (from.is_some() || to.is_some()) && !date.overlaps(&window) {
                return Ok(());
            }
            // An act counts on its organisation's list only for a reader who may see its source.
            let Some((org, source_conf)) = a.source.and_then(|s| organisation.get(s)) else { return Ok(()) };
            if *source_conf > q.max_confidentiality as i64 {
                return Ok(());
            }
            if q.organisations.as_ref().is_some_and(|chosen| !chosen.contains(org)) {
                return Ok(());
            }
            let victim = same_as.get(a.victim).map(String::as_str).unwrap_or(a.victim);
            let stratum = match q.stratify {
                Stratify::None => None,
                Stratify::Province => Some(a.place.and_then(|p| province_of.get(p)).cloned().unwrap_or_else(|| "unknown province".into())),
                Stratify::Year => Some(
                    date.earliest
                        .filter(|e| Some(e.year()) == date.latest.map(|l| l.year()))
                        .map(|e| e.year().to_string())
                        .unwrap_or_else(|| "undated or spanning years".into()),
                ),
                Stratify::ActType => Some(vocab.ancestors(List::ActTypes, a.act_type).last().map(|t| t.en.clone()).unwrap_or_default()),
                Stratify::Sex => Some(match attributes.get(victim).and_then(|x| x.sex) {
                    Some(girok_core::model::Sex::Male) => "male".into(),
                    Some(girok_core::model::Sex::Female) => "female".into(),
                    _ => "sex not recorded".into(),
                }),
                Stratify::AgeGroup => Some(age_group(attributes.get(victim).and_then(|x| x.birth_year), date.earliest.map(|d| d.year()))),
                Stratify::Origin => Some(attributes.get(victim).and_then(|x| x.origin.clone()).unwrap_or_else(|| "origin not recorded".into())),
                Stratify::FacilityType => {
                    Some(a.place.and_then(|p| kind_of_place.get(p)).map(|k| k.as_str().to_string()).unwrap_or_else(|| "place not recorded".into()))
                }
            };
            let s = match stratum {
                // Unstratified, the common case: no string per act.
                None => {
                    if stratum_names.is_empty() {
                        stratum_names.push("all".into());
                    }
                    0
                }
                Some(stratum) => match stratum_ids.get(&stratum) {
                    Some(s) => *s,
                    None => {
                        stratum_names.push(stratum.clone());
                        stratum_ids.insert(stratum, stratum_names.len() as u32 - 1);
                        stratum_names.len() as u32 - 1
                    }
                },
            };
            let v = match victim_ids.get(victim) {
                Some(v) => *v,
                None => {
                    let next = victim_ids.len() as u32;
                    victim_ids.insert(victim.to_string(), next);
                    next
                }
            };
            let next = org_names.len() as u32;
            let o = *org_ids.entry(org.as_str()).or_insert_with(|| {
                org_names.push(org.as_str());
                next
            });
            if let Some(event) = a.event {
                if let Some(target) = merged_event.get(event).map(String::as_str).or(merge_targets.contains(event).then_some(event)) {
                    in_merges.push((target.to_string(), event.to_string(), v));
                }
            }
            counted.push((s, v, o));
            Ok(())
        })?;
        // Two testimonies of one event merged by a reviewer, each of one victim: the same victim,
        // counted once, even before anyone merged the two person records.
        let mut victims_of: BTreeMap<&str, BTreeMap<&str, BTreeSet<u32>>> = BTreeMap::new();
        for (canonical_event, event, victim) in &in_merges {
            victims_of.entry(canonical_event).or_default().entry(event).or_default().insert(*victim);
        }
        let mut alias: HashMap<u32, u32> = HashMap::new();
        for members in victims_of.values() {
            if members.len() > 1 && members.values().all(|v| v.len() == 1) {
                let all: BTreeSet<u32> = members.values().flatten().copied().collect();
                let first = *all.iter().next().expect("non-empty");
                for v in all {
                    alias.insert(v, first);
                }
            }
        }
        // (stratum, victim) -> organisations that recorded an act against them, as sorted indexes.
        let mut sightings: HashMap<(u32, u32), Vec<u32>> = HashMap::new();
        for (s, v, o) in counted {
            let v = alias.get(&v).copied().unwrap_or(v);
            let orgs = sightings.entry((s, v)).or_default();
            if let Err(i) = orgs.binary_search(&o) {
                orgs.insert(i, o);
            }
        }
        let mut by_stratum: BTreeMap<&str, Vec<&Vec<u32>>> = BTreeMap::new();
        for ((s, _), orgs) in &sightings {
            by_stratum.entry(stratum_names[*s as usize].as_str()).or_default().push(orgs);
        }
        let mut out = Vec::new();
        for (stratum, victims) in by_stratum {
            let mut lists: Vec<&str> = victims.iter().flat_map(|o| o.iter().map(|&i| org_names[i as usize])).collect::<BTreeSet<_>>().into_iter().collect();
            lists.sort_unstable();
            if lists.len() > MAX_CAPTURE_LISTS {
                return Err(StoreError::Invalid {
                    id: stratum.to_string(),
                    message: format!("{} organisations recorded these acts; at most {MAX_CAPTURE_LISTS} lists are supported", lists.len()),
                });
            }
            let bit: HashMap<u32, usize> = lists.iter().enumerate().map(|(j, name)| (org_ids[name], 1usize << j)).collect();
            let mut counts = vec![0u64; 1 << lists.len()];
            for orgs in victims {
                counts[orgs.iter().map(|o| bit[o]).fold(0, |a, b| a | b)] += 1;
            }
            out.push(CaptureTable { stratum: stratum.to_string(), lists: lists.into_iter().map(str::to_string).collect(), counts });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CreateOptions, KeySource};
    use girok_core::model::{Act, Event, Name, Person, Script, Source, SourceKind};

    /// Synthetic: two organisations' sources, three victims (one recorded twice under two
    /// person records later merged), acts of a broad type's narrower codes and of another type.
    #[test]
    fn capture_tables_count_merged_victims_once_and_respect_type_level_and_years() {
        let dir = tempfile::tempdir().unwrap();
        let options = CreateOptions { kdf: crate::KdfParams::WEAK_FOR_TESTS, seed_gazetteer: true };
        let mut a = Archive::create(&dir.path().join("a"), &KeySource::passphrase("synthetic test passphrase"), options).unwrap();
        let person = |same_as: Option<String>, sex: Option<girok_core::model::Sex>, birth: Option<&str>| {
            Record::Person(Person {
                id: String::new(),
                names: vec![Name { text: "Synthetic Person".into(), script: Script::Other }],
                sex,
                birth: birth.map(|b| girok_core::UncertainDate::parse(b).unwrap()),
                origin: None,
                relationships: vec![],
                notes: String::new(),
                confidentiality: Confidentiality::Internal,
                synthetic: true,
                same_as,
            })
        };
        let source = |org: &str| {
            Record::Source(Source {
                id: String::new(),
                pseudonym: "W-synthetic".into(),
                kind: SourceKind::Witness,
                organisation: Some(org.into()),
                connection: None,
                reliability: None,
                notes: String::new(),
                confidentiality: Confidentiality::Internal,
                synthetic: true,
            })
        };
        a.write("test", |w| {
            let (s_a, s_b) = (w.put(source("Synthetic Org A"))?, w.put(source("Synthetic Org B"))?);
            let v1 = w.put(person(None, None, None))?;
            let v2 = w.put(person(None, None, None))?;
            // The merged duplicate alone records sex and birth: the victim's strata take them.
            let v1_again = w.put(person(Some(v1.clone()), Some(girok_core::model::Sex::Male), Some("1970")))?;
            let event = w.put(Record::Event(Event {
                provisions: Vec::new(),
                same_as: None,
                links: vec![],
                id: String::new(),
                title: "synthetic event".into(),
                description: String::new(),
                place: None,
                date: None,
                follows: None,
                citations: vec![],
                confidentiality: Confidentiality::Internal,
                synthetic: true,
            }))?;
            let acts = [
                // v1 seen by A, and (as the merged duplicate) by B: one victim on both lists.
                (&v1, &s_a, "020111110000", "1999", Confidentiality::Internal),
                (&v1_again, &s_b, "020111110000", "2000", Confidentiality::Internal),
                // v2 seen by A only; by B only in a restricted act, and by B in another type.
                (&v2, &s_a, "020111110000", "1998", Confidentiality::Internal),
                (&v2, &s_b, "020111110000", "1998", Confidentiality::Restricted),
                (&v2, &s_b, "DP0400000000", "1998", Confidentiality::Internal),
                // v2 again by A, long before the window used below.
                (&v2, &s_a, "020111110000", "1980", Confidentiality::Internal),
            ];
            for (victim, src, t, year, conf) in acts {
                w.put(Record::Act(Act {
                    provisions: Vec::new(),
                    end: None,
                    victim_status: None,
                    id: String::new(),
                    event: event.clone(),
                    victim: victim.clone(),
                    act_type: t.into(),
                    place: None,
                    date: Some(girok_core::UncertainDate::parse(year).unwrap()),
                    perpetrators: vec![],
                    source: Some(src.clone()),
                    connection: None,
                    reliability: None,
                    description: "synthetic act".into(),
                    citations: vec![],
                    confidentiality: conf,
                    synthetic: true,
                }))?;
            }
            Ok(())
        })
        .unwrap();
        let mut q = CaptureQuery {
            act_type: "020000000000".into(),
            from_year: None,
            to_year: None,
            stratify: Stratify::None,
            max_confidentiality: Confidentiality::Internal,
            organisations: None,
        };
        let t = a.capture_tables(&q).unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lists, ["Synthetic Org A", "Synthetic Org B"]);
        // Masks: 1 = A only, 2 = B only, 3 = both. v1 on both; v2 on A only.
        assert_eq!(t[0].counts, [0, 1, 0, 1], "the broad type takes in the narrower code; the merged person counts once");
        q.max_confidentiality = Confidentiality::Restricted;
        assert_eq!(a.capture_tables(&q).unwrap()[0].counts, [0, 0, 0, 2], "the restricted act puts v2 on list B too");
        q.max_confidentiality = Confidentiality::Internal;
        (q.from_year, q.to_year) = (Some(1999), Some(2005));
        assert_eq!(a.capture_tables(&q).unwrap()[0].counts, [0, 0, 0, 1], "v2's acts fall outside the years");
        (q.from_year, q.to_year) = (None, None);
        let by = |q: &CaptureQuery| -> Vec<(String, Vec<u64>)> { a.capture_tables(q).unwrap().into_iter().map(|t| (t.stratum, t.counts)).collect() };
        q.stratify = Stratify::Sex;
        assert_eq!(by(&q), [("male".to_string(), vec![0, 0, 0, 1]), ("sex not recorded".to_string(), vec![0, 1])], "one victim, one stratum");
        q.stratify = Stratify::AgeGroup;
        assert_eq!(by(&q), [("18 to 39".to_string(), vec![0, 0, 0, 1]), ("age unknown".to_string(), vec![0, 1])]);
        q.stratify = Stratify::FacilityType;
        assert_eq!(by(&q), [("place not recorded".to_string(), vec![0, 1, 0, 1])]);
        for name in Stratify::NAMES {
            assert!(Stratify::parse(name).is_some(), "{name}");
        }
    }
}
