//! Controlled vocabularies: the HURIDOCS ESF micro-thesauri Girok codes with, plus DPRK extensions.
//!
//! Coding against a shared vocabulary is what lets two organisations' data be compared. We keep
//! ESF codes verbatim (as strings: the leading zeros matter) and add our own act types under a
//! `DP` prefix that can never collide with an ESF code. Each extension names the ESF term it
//! specialises, so rights and treaty articles are inherited along the parent chain.

use std::collections::HashMap;
use std::sync::OnceLock;

/// ESF list numbers Girok uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum List {
    /// ESF 4, "Types of acts", with Girok's DPRK extensions.
    ActTypes,
    /// ESF 18, "Degrees of involvement".
    Involvement,
    /// ESF 19, "Source connection to information".
    SourceConnection,
    /// ESF 21, "Types of relationships".
    Relationships,
    /// ESF 22, "Types of chain of events".
    ChainOfEvents,
    /// ESF 25, "Status as victim" (after the act: dead, still held, released …).
    VictimStatus,
    /// ESF 39, "Sex".
    Sex,
    /// ESF 42, "Reliability".
    Reliability,
}

impl List {
    pub fn esf_number(self) -> u16 {
        match self {
            List::ActTypes => 4,
            List::Involvement => 18,
            List::SourceConnection => 19,
            List::Relationships => 21,
            List::ChainOfEvents => 22,
            List::VictimStatus => 25,
            List::Sex => 39,
            List::Reliability => 42,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            List::ActTypes => "act type",
            List::Involvement => "degree of involvement",
            List::SourceConnection => "source connection",
            List::Relationships => "relationship type",
            List::ChainOfEvents => "chain-of-events type",
            List::VictimStatus => "victim status",
            List::Sex => "sex",
            List::Reliability => "reliability",
        }
    }

    pub const ALL: [List; 8] =
        [List::ActTypes, List::Involvement, List::SourceConnection, List::Relationships, List::ChainOfEvents, List::VictimStatus, List::Sex, List::Reliability];

    fn from_number(n: u16) -> Option<List> {
        List::ALL.into_iter().find(|l| l.esf_number() == n)
    }
}

/// One term of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub list: List,
    /// The 12-character huri code (`DP…` for Girok extensions).
    pub code: String,
    pub parent: Option<String>,
    pub level: u8,
    pub en: String,
    pub ko: Option<String>,
    /// True for terms Girok added; false for ESF's own.
    pub extension: bool,
}

/// Why a vocabulary lookup failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VocabError {
    #[error("unknown {list} {given:?}{}", suggestion_text(.suggestions))]
    Unknown { list: &'static str, given: String, suggestions: Vec<String> },
    #[error("{list} {given:?} is ambiguous: it matches {}", .matches.join("; "))]
    Ambiguous { list: &'static str, given: String, matches: Vec<String> },
}

fn suggestion_text(s: &[String]) -> String {
    if s.is_empty() {
        " (give an ESF huri code or the exact English term; `girok vocab` lists them)".to_string()
    } else {
        format!(" (did you mean: {}?)", s.join("; "))
    }
}

/// All terms, indexed by list and code.
pub struct Vocabulary {
    terms: Vec<Term>,
    by_code: HashMap<(List, String), usize>,
}

static BUILTIN: OnceLock<Vocabulary> = OnceLock::new();

impl Vocabulary {
    /// The vocabulary compiled into this build.
    pub fn builtin() -> &'static Vocabulary {
        BUILTIN.get_or_init(|| {
            Vocabulary::from_csv(include_str!("../data/esf-terms.csv"), include_str!("../data/dprk-act-types.csv"), include_str!("../data/esf-ko.csv"))
                .expect("the vocabulary files shipped with girok-core are well-formed (checked by tests)")
        })
    }

    fn from_csv(esf: &str, extensions: &str, korean: &str) -> Result<Vocabulary, String> {
        let mut terms = Vec::new();
        let mut rdr = csv::Reader::from_reader(esf.as_bytes());
        for row in rdr.records() {
            let row = row.map_err(|e| e.to_string())?;
            let n: u16 = row[0].parse().map_err(|_| format!("bad list number {:?}", &row[0]))?;
            let list = List::from_number(n).ok_or_else(|| format!("unexpected list {n}"))?;
            terms.push(Term {
                list,
                code: row[1].to_string(),
                parent: Some(row[2].to_string()).filter(|p| !p.is_empty()),
                level: row[3].parse().map_err(|_| "bad level".to_string())?,
                en: row[4].to_string(),
                ko: None,
                extension: false,
            });
        }
        let mut rdr = csv::Reader::from_reader(extensions.as_bytes());
        for row in rdr.records() {
            let row = row.map_err(|e| e.to_string())?;
            terms.push(Term {
                list: List::ActTypes,
                code: row[0].to_string(),
                parent: Some(row[1].to_string()),
                level: 0,
                en: row[2].to_string(),
                ko: Some(row[3].to_string()),
                extension: true,
            });
        }
        let mut by_code = HashMap::new();
        for (idx, t) in terms.iter().enumerate() {
            if by_code.insert((t.list, t.code.clone()), idx).is_some() {
                return Err(format!("duplicate code {} in {}", t.code, t.list.label()));
            }
        }
        let mut rdr = csv::Reader::from_reader(korean.as_bytes());
        for row in rdr.records() {
            let row = row.map_err(|e| e.to_string())?;
            let n: u16 = row[0].parse().map_err(|_| "bad list".to_string())?;
            let list = List::from_number(n).ok_or("bad list")?;
            let idx = *by_code.get(&(list, row[1].to_string())).ok_or_else(|| format!("Korean label for unknown code {}", &row[1]))?;
            terms[idx].ko = Some(row[2].to_string());
        }
        // Extension levels are one below their ESF parent.
        for idx in 0..terms.len() {
            if terms[idx].extension {
                let parent = terms[idx].parent.clone().unwrap_or_default();
                let p = *by_code.get(&(List::ActTypes, parent.clone())).ok_or_else(|| format!("extension parent {parent} is not an ESF act type"))?;
                terms[idx].level = terms[p].level + 1;
            }
        }
        Ok(Vocabulary { terms, by_code })
    }

    pub fn terms(&self, list: List) -> impl Iterator<Item = &Term> {
        self.terms.iter().filter(move |t| t.list == list)
    }

    pub fn get(&self, list: List, code: &str) -> Option<&Term> {
        self.by_code.get(&(list, code.to_string())).map(|&i| &self.terms[i])
    }

    /// Looks a term up by huri code, by exact English or Korean label (case-insensitive), or by
    /// a unique label prefix. Documenters type names; files carry codes; both must work.
    pub fn resolve(&self, list: List, given: &str) -> Result<&Term, VocabError> {
        let g = given.trim();
        if let Some(t) = self.get(list, g) {
            return Ok(t);
        }
        let lower = g.to_lowercase();
        let exact: Vec<&Term> = self.terms(list).filter(|t| t.en.to_lowercase() == lower || t.ko.as_deref() == Some(g)).collect();
        if exact.len() == 1 {
            return Ok(exact[0]);
        }
        if exact.len() > 1 {
            // ESF repeats some labels at different levels; prefer the most specific one deterministically.
            return Ok(exact.into_iter().max_by_key(|t| (t.level, t.code.clone())).expect("non-empty"));
        }
        let partial: Vec<&Term> = if lower.len() >= 3 { self.terms(list).filter(|t| t.en.to_lowercase().contains(&lower)).collect() } else { Vec::new() };
        match partial.len() {
            1 => Ok(partial[0]),
            0 => Err(VocabError::Unknown { list: list.label(), given: g.to_string(), suggestions: Vec::new() }),
            _ if partial.len() <= 6 => Err(VocabError::Ambiguous {
                list: list.label(),
                given: g.to_string(),
                matches: partial.iter().map(|t| format!("{} {}", t.code, t.en)).collect(),
            }),
            _ => Err(VocabError::Unknown {
                list: list.label(),
                given: g.to_string(),
                suggestions: partial.iter().take(5).map(|t| format!("{} {}", t.code, t.en)).collect(),
            }),
        }
    }

    /// The terms of a list whose English or Korean label is most like `given`, best first: a
    /// label containing it or contained in it, else one sharing most character pairs. For
    /// suggestions after a typo or a partial label ("연좌제" → "연좌제 처벌").
    pub fn suggest(&self, list: List, given: &str, n: usize) -> Vec<&Term> {
        let g = given.trim().to_lowercase();
        if g.is_empty() {
            return Vec::new();
        }
        let pairs = |s: &str| -> Vec<(char, char)> {
            let c: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
            c.windows(2).map(|w| (w[0], w[1])).collect()
        };
        let gp = pairs(&g);
        let score = |label: &str| -> f64 {
            let l = label.to_lowercase();
            if l.contains(&g) || (g.chars().count() >= 3 && g.contains(&l)) {
                return 1.0 + 1.0 / (1.0 + l.chars().count() as f64);
            }
            let lp = pairs(&l);
            if gp.is_empty() || lp.is_empty() {
                return 0.0;
            }
            let shared = gp.iter().filter(|p| lp.contains(p)).count() as f64;
            2.0 * shared / (gp.len() + lp.len()) as f64
        };
        let mut scored: Vec<(f64, &Term)> =
            self.terms(list).map(|t| (score(&t.en).max(t.ko.as_deref().map(score).unwrap_or(0.0)), t)).filter(|(s, _)| *s >= 0.4).collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.code.cmp(&b.1.code)));
        scored.into_iter().take(n).map(|(_, t)| t).collect()
    }

    /// The chain from a term up to its top-level ancestor, the term itself first.
    pub fn ancestors(&self, list: List, code: &str) -> Vec<&Term> {
        let mut out = Vec::new();
        let mut cur = self.get(list, code);
        while let Some(t) = cur {
            out.push(t);
            cur = t.parent.as_deref().and_then(|p| self.get(list, p));
            if out.len() > 16 {
                break;
            }
        }
        out
    }

    /// True when `code` is `ancestor` or lies beneath it (used by act-type filters).
    pub fn is_within(&self, list: List, code: &str, ancestor: &str) -> bool {
        self.ancestors(list, code).iter().any(|t| t.code == ancestor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_vocabulary_loads_with_expected_sizes() {
        let v = Vocabulary::builtin();
        assert_eq!(v.terms(List::ActTypes).filter(|t| !t.extension).count(), 532);
        assert_eq!(v.terms(List::SourceConnection).count(), 22);
        assert_eq!(v.terms(List::Reliability).count(), 6);
        assert!(v.terms(List::ActTypes).filter(|t| t.extension).count() >= 10);
    }

    #[test]
    fn resolve_by_code_name_korean_and_prefix() {
        let v = Vocabulary::builtin();
        assert_eq!(v.resolve(List::ActTypes, "020111110000").unwrap().en, "Torture");
        assert_eq!(v.resolve(List::ActTypes, "torture").unwrap().code, "020111110000");
        assert_eq!(v.resolve(List::ActTypes, "고문").unwrap().code, "020111110000");
        assert_eq!(v.resolve(List::ActTypes, "Public execution").unwrap().code, "DP0200000000");
        assert_eq!(v.resolve(List::ActTypes, "강제송환").unwrap().code, "DP0100000000");
        assert_eq!(v.resolve(List::Reliability, "likely reliable").unwrap().code, "020000000000");
    }

    #[test]
    fn unknown_terms_get_a_useful_error() {
        let v = Vocabulary::builtin();
        let err = v.resolve(List::ActTypes, "teleportation").unwrap_err();
        assert!(err.to_string().contains("unknown act type \"teleportation\""), "{err}");
        let err = v.resolve(List::ActTypes, "execution").unwrap_err();
        assert!(matches!(err, VocabError::Ambiguous { .. } | VocabError::Unknown { .. }), "{err}");
    }

    #[test]
    fn suggestions_for_a_partial_korean_label_and_a_typo() {
        let v = Vocabulary::builtin();
        let ko: Vec<String> = v.suggest(List::ActTypes, "연좌제", 5).iter().filter_map(|t| t.ko.clone()).collect();
        assert!(ko.iter().any(|k| k == "연좌제 처벌"), "{ko:?}");
        let en: Vec<&str> = v.suggest(List::ActTypes, "tortre", 5).iter().map(|t| t.en.as_str()).collect();
        assert!(en.contains(&"Torture"), "{en:?}");
        assert!(v.suggest(List::ActTypes, "zzzz", 5).is_empty());
    }

    #[test]
    fn extensions_inherit_through_parents() {
        let v = Vocabulary::builtin();
        let chain: Vec<&str> = v.ancestors(List::ActTypes, "DP0200000000").iter().map(|t| t.code.as_str()).collect();
        assert_eq!(chain, ["DP0200000000", "010101010000", "010101000000", "010100000000", "010000000000"]);
        assert!(v.is_within(List::ActTypes, "DP0600000000", "020000000000"));
        assert!(!v.is_within(List::ActTypes, "DP0600000000", "010000000000"));
    }
}
