//! Places and facilities through a gazetteer: "Hoeryeong, Hamgyeongbuk-do", "회령" and
//! "Hoeryong" are one town; "Camp 15", "Yodok camp" and "요덕 관리소" one camp.
//!
//! Linkage compares place strings by what they resolve to, by hierarchy (same facility or town >
//! same town > same province > different), because spelling similarity says little here:
//! "회령" and "Hoeryong" share no character, "Onsong" and "Onsong holding centre" are a town and
//! a facility in it. The gazetteer itself is the caller's (Girok's built-in one, or an
//! archive's); this module only indexes names and walks parents. Strings it cannot resolve fall
//! back to comparing their loose phonetic keys.

use std::collections::HashMap;

use crate::korean::loose_key;

/// How precise a gazetteer entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Country,
    Province,
    /// A county, city or town.
    Town,
    /// A prison, camp, holding centre or other facility.
    Facility,
}

/// One gazetteer entry as the caller knows it.
#[derive(Clone, Debug)]
pub struct PlaceEntry {
    pub id: String,
    pub parent: Option<String>,
    pub level: Level,
    /// Every name: the main name, the Korean name and aliases, in any script.
    pub names: Vec<String>,
}

/// An index of place names to entries, with each entry's town and province.
pub struct Gazetteer {
    ids: Vec<String>,
    levels: Vec<Level>,
    town: Vec<Option<u32>>,
    province: Vec<Option<u32>>,
    by_key: HashMap<String, Vec<u32>>,
    /// Facility numbers ("No. 15", "15호") to facilities.
    by_number: HashMap<u32, Vec<u32>>,
}

impl std::fmt::Debug for Gazetteer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gazetteer({} places)", self.ids.len())
    }
}

/// How two resolved places relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// The same town or facility.
    Same,
    /// A facility and its town, or two places in one town.
    SameTown,
    SameProvince,
    Different,
}

/// Words that say a string names a facility rather than the town it is in.
const FACILITY_WORDS: &[&str] = &[
    "camp",
    "prison",
    "kwanliso",
    "kwalliso",
    "gwalliso",
    "gwanliso",
    "kyohwaso",
    "gyohwaso",
    "jipkyulso",
    "jipgyeolso",
    "chipkyolso",
    "holding",
    "centre",
    "center",
    "detention",
    "kuryujang",
    "guryujang",
    "danryeondae",
    "tallyondae",
    "bowibu",
    "anjeonbu",
    "관리소",
    "교화소",
    "집결소",
    "수용소",
    "구류장",
    "단련대",
    "보위부",
    "보안서",
];

/// Words that say what kind of place follows or precedes, and nothing about which.
const GENERIC_WORDS: &[&str] = &["province", "prov", "city", "county", "town", "district", "do", "si", "gun", "up", "eup", "no", "north", "south", "the", "of"];

/// Hangul administrative suffixes, longest first: 함흥시, 함경북도, 평양직할시.
const HANGUL_SUFFIXES: &[&str] = &["특별시", "직할시", "시", "군", "읍", "구", "도"];

/// The key a place name is indexed and looked up by: suffixes and direction words normalised
/// ("South Hamgyong", "Hamgyong-namdo", "함경남도" meet), then folded phonetically.
pub fn place_key(name: &str) -> String {
    let lower = name.to_lowercase().replace(['\'', '’', '‘', '`', 'ʼ', '.'], "");
    let mut direction = "";
    let mut kept: Vec<String> = Vec::new();
    for token in lower.split(|c: char| c.is_whitespace() || c == '-' || c == ',' || c == '_') {
        if token.is_empty() {
            continue;
        }
        match token {
            "north" | "n" => direction = "buk",
            "south" | "s" => direction = "nam",
            t if GENERIC_WORDS.contains(&t) => {}
            t => {
                let mut t = t.to_string();
                // "웅상로동자구시": suffixes stack; strip them while two syllables remain.
                'strip: loop {
                    for suffix in HANGUL_SUFFIXES {
                        if t.ends_with(suffix) && t.chars().count() > suffix.chars().count() + 1 {
                            t.truncate(t.len() - suffix.len());
                            continue 'strip;
                        }
                    }
                    break;
                }
                kept.push(t);
            }
        }
    }
    let mut joined = kept.concat();
    for end in ["bukdo", "bukto", "pukto", "pukdo", "namdo", "namto"] {
        if joined.ends_with(end) {
            joined.truncate(joined.len() - 2);
            break;
        }
    }
    joined.push_str(direction);
    loose_key(&joined)
}

fn numbers(s: &str) -> Vec<u32> {
    s.split(|c: char| !c.is_ascii_digit()).filter(|t| !t.is_empty()).filter_map(|t| t.parse().ok()).collect()
}

fn names_a_facility(s: &str) -> bool {
    let l = s.to_lowercase();
    FACILITY_WORDS.iter().any(|w| l.contains(w))
}

impl Gazetteer {
    pub fn new(entries: impl IntoIterator<Item = PlaceEntry>) -> Gazetteer {
        let entries: Vec<PlaceEntry> = entries.into_iter().collect();
        let index: HashMap<&str, u32> = entries.iter().enumerate().map(|(i, e)| (e.id.as_str(), i as u32)).collect();
        let parents: Vec<Option<u32>> = entries.iter().map(|e| e.parent.as_deref().and_then(|p| index.get(p).copied())).collect();
        let levels: Vec<Level> = entries.iter().map(|e| e.level).collect();
        let up_to = |mut i: u32, level: Level| -> Option<u32> {
            for _ in 0..16 {
                if levels[i as usize] == level {
                    return Some(i);
                }
                i = parents[i as usize]?;
            }
            None
        };
        let town = (0..entries.len() as u32).map(|i| up_to(i, Level::Town)).collect();
        let province = (0..entries.len() as u32).map(|i| up_to(i, Level::Province)).collect();
        let mut by_key: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_number: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            for n in &e.names {
                let k = place_key(n);
                if !k.is_empty() {
                    let v = by_key.entry(k).or_default();
                    if !v.contains(&(i as u32)) {
                        v.push(i as u32);
                    }
                }
                if e.level == Level::Facility {
                    for num in numbers(n) {
                        let v = by_number.entry(num).or_default();
                        if !v.contains(&(i as u32)) {
                            v.push(i as u32);
                        }
                    }
                }
            }
        }
        Gazetteer { ids: entries.into_iter().map(|e| e.id).collect(), levels, town, province, by_key, by_number }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The gazetteer id at an index `resolve` returned.
    pub fn id(&self, index: u32) -> &str {
        &self.ids[index as usize]
    }

    /// The most specific entry a string names, if any. A string may name several places
    /// ("Hoeryeong, Hamgyeongbuk-do", "Kyohwaso 12 (Jongori)"); the most specific wins, and a
    /// facility word ("camp", "교화소") prefers a facility over a town of the same name.
    pub fn resolve(&self, text: &str) -> Option<u32> {
        let facility = names_a_facility(text);
        let rank = |i: u32| match (self.levels[i as usize], facility) {
            (Level::Facility, true) => 0,
            (Level::Town, _) => 1,
            (Level::Facility, false) => 2,
            (Level::Province, _) => 3,
            (Level::Country, _) => 4,
        };
        self.resolve_all(text).into_iter().min_by_key(|&i| (rank(i), i))
    }

    /// Every entry a string may name, most specific readings only: "Hwasŏng" is a town and a
    /// camp's alias, and comparison takes whichever reading agrees best with the other side.
    /// A province is dropped when a town or facility in it is named too.
    pub fn resolve_all(&self, text: &str) -> Vec<u32> {
        let facility = names_a_facility(text);
        let mut found: Vec<u32> = Vec::new();
        if let Some(hits) = self.by_key.get(&place_key(text)) {
            found.extend(hits);
        } else {
            for part in text.split([',', '(', ')', '/', ';', '[', ']']) {
                let part = part.trim();
                if part.is_empty() {
                    continue;
                }
                if let Some(hits) = self.by_key.get(&place_key(part)) {
                    found.extend(hits);
                    continue;
                }
                let words: Vec<&str> = part.split_whitespace().collect();
                for w in 0..words.len() {
                    for len in [2, 1] {
                        if w + len > words.len() {
                            continue;
                        }
                        if let Some(hits) = self.by_key.get(&place_key(&words[w..w + len].join(" "))) {
                            found.extend(hits);
                        }
                    }
                }
            }
            if facility {
                // "Camp No. 15", "15호 관리소": a number that belongs to one facility only.
                if let [n] = numbers(text).as_slice() {
                    if let Some([only]) = self.by_number.get(n).map(Vec::as_slice) {
                        found.push(*only);
                    }
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        let n = found.len();
        found.retain(|&i| self.levels[i as usize] != Level::Country || n == 1);
        if facility && found.iter().any(|&i| self.levels[i as usize] == Level::Facility) {
            found.retain(|&i| self.levels[i as usize] == Level::Facility);
        }
        // Drop what another reading lies within.
        let within = |outer: u32, inner: u32| outer != inner && (self.town[inner as usize] == Some(outer) || self.province[inner as usize] == Some(outer));
        let all = found.clone();
        found.retain(|&i| !all.iter().any(|&j| within(i, j) && self.levels[j as usize] > self.levels[i as usize]));
        found
    }

    /// The closest relation between any reading of one side and any of the other's.
    pub fn relate_any(&self, a: &[u32], b: &[u32]) -> Relation {
        let mut best = Relation::Different;
        for &x in a {
            for &y in b {
                let r = self.relate(x, y);
                if (r as u8) < (best as u8) {
                    best = r;
                }
            }
        }
        best
    }

    /// How two resolved places relate (same facility or town, same town, same province, or not).
    pub fn relate(&self, a: u32, b: u32) -> Relation {
        if a == b {
            return match self.levels[a as usize] {
                Level::Town | Level::Facility => Relation::Same,
                _ => Relation::SameProvince,
            };
        }
        let (ta, tb) = (self.town[a as usize], self.town[b as usize]);
        if ta.is_some() && ta == tb {
            return Relation::SameTown;
        }
        let (pa, pb) = (self.province[a as usize], self.province[b as usize]);
        if pa.is_some() && pa == pb {
            return Relation::SameProvince;
        }
        Relation::Different
    }

    /// The entry's province, if it has one.
    pub fn province_of(&self, i: u32) -> Option<u32> {
        self.province[i as usize]
    }

    /// Whether an entry says no more than "somewhere in the country".
    pub fn is_country(&self, i: u32) -> bool {
        self.levels[i as usize] == Level::Country
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, parent: Option<&str>, level: Level, names: &[&str]) -> PlaceEntry {
        PlaceEntry { id: id.into(), parent: parent.map(str::to_string), level, names: names.iter().map(|s| s.to_string()).collect() }
    }

    /// A small gazetteer in the shape of Girok's built-in one (names from public sources).
    fn gazetteer() -> Gazetteer {
        Gazetteer::new([
            entry("kp", None, Level::Country, &["North Korea", "조선민주주의인민공화국", "DPRK"]),
            entry("nh", Some("kp"), Level::Province, &["North Hamgyong Province", "함경북도", "Hamgyong-bukto", "Hamgyeongbuk-do"]),
            entry("sh", Some("kp"), Level::Province, &["South Hamgyong Province", "함경남도", "Hamgyong-namdo", "Hamgyeongnam-do"]),
            entry("hoeryong", Some("nh"), Level::Town, &["Hoeryŏng", "회령", "Hoeryong", "Hoeryeong"]),
            entry("onsong", Some("nh"), Level::Town, &["Onsŏng", "온성", "Onsong"]),
            entry("hamhung", Some("sh"), Level::Town, &["Hamhŭng", "함흥", "Hamhung", "Hamheung", "함흥시"]),
            entry(
                "k12",
                Some("hoeryong"),
                Level::Facility,
                &["Re-education Camp No. 12 (Jongori)", "전거리 제12호 교화소", "Chongori", "Jeongeori", "Kyohwaso 12"],
            ),
            entry(
                "k15",
                Some("sh"),
                Level::Facility,
                &["Political Prison Camp No. 15 (Yodok)", "요덕 제15호 관리소", "Yodok", "Yodŏk", "Camp 15", "Kwalliso 15"],
            ),
            entry("onsong-j", Some("onsong"), Level::Facility, &["Onsong holding centre", "온성 집결소", "Onsŏng jipkyulso"]),
        ])
    }

    fn id(g: &Gazetteer, s: &str) -> Option<String> {
        g.resolve(s).map(|i| g.id(i).to_string())
    }

    #[test]
    fn towns_resolve_in_any_script_and_with_their_province() {
        let g = gazetteer();
        for s in ["Hoeryong", "Hoeryeong, Hamgyeongbuk-do", "회령", "회령시", "함경북도 회령시", "Hoeryong, North Hamgyong", "HOERYONG"] {
            assert_eq!(id(&g, s).as_deref(), Some("hoeryong"), "{s}");
        }
        for s in ["Hamhung, South Hamgyong", "함경남도 함흥시", "Hamheung"] {
            assert_eq!(id(&g, s).as_deref(), Some("hamhung"), "{s}");
        }
        for s in ["North Hamgyong", "Hamgyeongbuk-do", "함경북도", "N. Hamgyong"] {
            assert_eq!(id(&g, s).as_deref(), Some("nh"), "{s}");
        }
        assert_eq!(id(&g, "Springfield"), None);
    }

    #[test]
    fn facilities_resolve_by_number_place_type_and_language() {
        let g = gazetteer();
        for s in ["Kyohwaso 12 (Jongori)", "전거리 교화소", "Jongori", "Chongori prison", "Camp No. 12 kyohwaso"] {
            assert_eq!(id(&g, s).as_deref(), Some("k12"), "{s}");
        }
        for s in ["Camp 15", "Yodok camp", "요덕 관리소", "Kwalliso 15", "Yodok"] {
            assert_eq!(id(&g, s).as_deref(), Some("k15"), "{s}");
        }
        for s in ["Onsong holding centre", "Onsong jipkyulso", "온성 집결소"] {
            assert_eq!(id(&g, s).as_deref(), Some("onsong-j"), "{s}");
        }
        // The town is not the facility in it.
        assert_eq!(id(&g, "Onsong").as_deref(), Some("onsong"));
    }

    #[test]
    fn hierarchy_orders_relations() {
        let g = gazetteer();
        let r = |a: &str, b: &str| g.relate(g.resolve(a).unwrap(), g.resolve(b).unwrap());
        assert_eq!(r("Camp 15", "요덕 관리소"), Relation::Same);
        assert_eq!(r("Onsong jipkyulso", "Onsong"), Relation::SameTown);
        assert_eq!(r("Hoeryong", "Onsong"), Relation::SameProvince);
        assert_eq!(r("Hoeryong", "함경북도"), Relation::SameProvince);
        assert_eq!(r("Hoeryong", "Hamhung"), Relation::Different);
        assert_eq!(r("함경북도", "North Hamgyong"), Relation::SameProvince, "a province alone is weak evidence");
        // An ambiguous name keeps both readings; the better agreement counts.
        let any = |a: &str, b: &str| g.relate_any(&g.resolve_all(a), &g.resolve_all(b));
        assert_eq!(any("Yodok", "Camp 15"), Relation::Same);
    }
}
