//! Which rights, and which treaty articles binding the DPRK, each act type violates.
//!
//! Legal officers build cases article by article, so every coded act must say what it breaches.
//! The DPRK is party to the ICCPR and ICESCR (1981), the CRC (1990), CEDAW (2001) and the CRPD
//! (2016); it is not party to the Convention against Torture or the Refugee Convention, so
//! torture and refoulement are mapped to the ICCPR articles that cover them. The table maps ESF
//! act-type *prefixes*; a term inherits the most specific entry along its code, and Girok's `DP`
//! extensions inherit through the ESF parent they name.

use crate::vocab::{List, Vocabulary};

/// A treaty the DPRK is party to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Treaty {
    Iccpr,
    Icescr,
    Cedaw,
    Crc,
    Crpd,
}

impl Treaty {
    /// The year the DPRK became party (accession), from the UN Treaty Collection's status
    /// tables: ICCPR and ICESCR 14 September 1981, CRC 21 September 1990, CEDAW 27 February 2001,
    /// CRPD 6 December 2016. (Its 1997 notice of withdrawal from the ICCPR has no effect: the
    /// Covenant has no withdrawal clause, as the Human Rights Committee's General Comment 26 says.)
    pub fn party_since(self) -> i32 {
        match self {
            Treaty::Iccpr | Treaty::Icescr => 1981,
            Treaty::Crc => 1990,
            Treaty::Cedaw => 2001,
            Treaty::Crpd => 2016,
        }
    }

    /// The treaty's Korean short name.
    pub fn korean(self) -> &'static str {
        match self {
            Treaty::Iccpr => "자유권규약",
            Treaty::Icescr => "사회권규약",
            Treaty::Cedaw => "여성차별철폐협약",
            Treaty::Crc => "아동권리협약",
            Treaty::Crpd => "장애인권리협약",
        }
    }

    pub fn abbreviation(self) -> &'static str {
        match self {
            Treaty::Iccpr => "ICCPR",
            Treaty::Icescr => "ICESCR",
            Treaty::Cedaw => "CEDAW",
            Treaty::Crc => "CRC",
            Treaty::Crpd => "CRPD",
        }
    }
}

/// One article of one treaty, with the right it protects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Article {
    pub treaty: Treaty,
    pub article: &'static str,
    pub right: &'static str,
}

impl std::fmt::Display for Article {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} art. {} ({})", self.treaty.abbreviation(), self.article, self.right)
    }
}

const fn a(treaty: Treaty, article: &'static str, right: &'static str) -> Article {
    Article { treaty, article, right }
}

use Treaty::*;

// Longest prefix wins. Prefixes are of the 12-digit ESF code.
const TABLE: &[(&str, &[Article])] = &[
    ("01", &[a(Iccpr, "6", "life")]),
    ("010101030000", &[a(Iccpr, "6(2)", "life: death penalty only for the most serious crimes after a fair trial"), a(Iccpr, "14", "fair trial")]),
    ("010106", &[a(Iccpr, "6", "life"), a(Iccpr, "10", "humane treatment in detention")]),
    ("010190030100", &[a(Iccpr, "6", "life"), a(Icescr, "11", "adequate food")]),
    ("02", &[a(Iccpr, "7", "freedom from torture and cruel, inhuman or degrading treatment")]),
    (
        "020111010000",
        &[a(Iccpr, "7", "freedom from torture and cruel treatment"), a(Cedaw, "2", "elimination of discrimination against women (violence against women)")],
    ),
    (
        "020111110000",
        &[a(Iccpr, "7", "freedom from torture"), a(Iccpr, "10", "humane treatment in detention"), a(Crc, "37(a)", "child's freedom from torture")],
    ),
    ("03", &[a(Iccpr, "9", "liberty and security of person")]),
    ("030102", &[a(Iccpr, "9", "liberty: no arbitrary detention"), a(Iccpr, "10", "humane treatment in detention"), a(Iccpr, "14", "fair trial")]),
    ("030103", &[a(Iccpr, "9", "liberty"), a(Iccpr, "16", "recognition as a person before the law"), a(Iccpr, "7", "freedom from torture (disappearance)")]),
    ("030106", &[a(Iccpr, "8", "freedom from slavery and servitude")]),
    ("04", &[a(Iccpr, "17", "privacy, family and home")]),
    ("05", &[a(Iccpr, "12", "freedom of movement and to leave any country")]),
    ("06", &[a(Iccpr, "3", "equal rights of men and women"), a(Cedaw, "2", "elimination of discrimination against women")]),
    ("07", &[a(Iccpr, "23", "to marry and found a family"), a(Icescr, "10", "protection of the family")]),
    ("08", &[a(Cedaw, "12", "women's health care including family planning"), a(Cedaw, "16", "decisions on the number and spacing of children")]),
    ("09", &[a(Iccpr, "19", "to seek and receive information")]),
    ("10", &[a(Iccpr, "19", "freedom of expression")]),
    ("11", &[a(Iccpr, "18", "freedom of thought, conscience and religion")]),
    ("12", &[a(Iccpr, "21", "peaceful assembly"), a(Iccpr, "22", "freedom of association")]),
    ("14", &[a(Iccpr, "17", "protection of honour and reputation")]),
    ("15", &[a(Icescr, "15", "cultural life and creative freedom")]),
    ("16", &[a(Icescr, "15", "benefits of scientific progress")]),
    ("17", &[a(Iccpr, "25", "political participation")]),
    ("30", &[a(Icescr, "6", "work freely chosen"), a(Icescr, "7", "just and favourable conditions of work")]),
    ("300102010000", &[a(Iccpr, "8(3)", "freedom from forced or compulsory labour"), a(Icescr, "6", "work freely chosen")]),
    ("31", &[a(Crc, "3", "best interests of the child"), a(Iccpr, "24", "protection of children")]),
    ("33", &[a(Iccpr, "13", "due process before expulsion of aliens")]),
    ("34", &[a(Crpd, "5", "equality and non-discrimination of persons with disabilities")]),
    ("35", &[a(Iccpr, "14", "fair trial"), a(Iccpr, "15", "no punishment without law")]),
    ("36", &[a(Iccpr, "10", "humane treatment of persons deprived of liberty")]),
    ("37", &[a(Iccpr, "27", "rights of minorities")]),
    ("38", &[a(Iccpr, "7", "non-refoulement to torture or ill-treatment"), a(Iccpr, "12(2)", "freedom to leave any country")]),
    ("50", &[a(Icescr, "9", "social security")]),
    ("51", &[a(Icescr, "11", "adequate housing")]),
    ("52", &[a(Icescr, "11", "adequate food and freedom from hunger")]),
    ("53", &[a(Icescr, "12", "highest attainable standard of health"), a(Crc, "24", "child's right to health")]),
    ("54", &[a(Icescr, "12", "environmental hygiene")]),
    ("55", &[a(Icescr, "13", "education"), a(Crc, "28", "child's right to education")]),
    ("56", &[a(Icescr, "15", "to take part in cultural life"), a(Iccpr, "27", "minorities' own culture and language")]),
    ("70", &[a(Icescr, "1", "peoples' free pursuit of economic, social and cultural development")]),
    ("72", &[a(Iccpr, "1", "self-determination"), a(Icescr, "1", "self-determination")]),
    ("73", &[a(Iccpr, "1(2)", "peoples' disposal of natural wealth"), a(Icescr, "1(2)", "peoples' disposal of natural wealth")]),
];

// Girok extensions add articles beyond those they inherit.
const EXTENSIONS: &[(&str, &[Article])] = &[
    (
        "DP0300000000",
        &[
            a(Iccpr, "14", "fair trial: individual criminal responsibility"),
            a(Iccpr, "17", "family"),
            a(Iccpr, "23", "protection of the family"),
            a(Crc, "2(2)", "child not punished for parents' status"),
        ],
    ),
    ("DP0600000000", &[a(Iccpr, "14(3)(g)", "not to be compelled to confess")]),
    ("DP1000000000", &[a(Iccpr, "7", "freedom from cruel, inhuman or degrading treatment")]),
    ("DP0200000000", &[a(Iccpr, "14", "fair trial"), a(Iccpr, "7", "degrading treatment of those made to watch")]),
];

/// The articles an act type violates, most specific first, without duplicates.
pub fn articles_for(vocab: &Vocabulary, act_type: &str) -> Vec<Article> {
    let mut out: Vec<Article> = Vec::new();
    let push = |out: &mut Vec<Article>, arts: &[Article]| {
        for art in arts {
            if !out.iter().any(|x| x.treaty == art.treaty && x.article == art.article) {
                out.push(*art);
            }
        }
    };
    for (code, arts) in EXTENSIONS {
        if *code == act_type {
            push(&mut out, arts);
        }
    }
    // The first ESF ancestor (or the term itself) decides the inherited articles.
    let esf_code = vocab.ancestors(List::ActTypes, act_type).into_iter().find(|t| !t.extension).map(|t| t.code.clone());
    if let Some(code) = esf_code {
        if let Some((_, arts)) = TABLE.iter().filter(|(p, _)| code.starts_with(p)).max_by_key(|(p, _)| p.len()) {
            push(&mut out, arts);
        }
    }
    out
}

/// The victim's age at the time of an act, as far as the dates say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgeAtAct {
    Minor,
    Adult,
    Unknown,
}

/// Age at the act from the victim's (uncertain) birth date and the act's (uncertain) date:
/// a minor only if under 18 at the latest possible birth and act dates, an adult only if 18 or
/// over at the earliest.
pub fn age_at_act(birth: Option<&crate::UncertainDate>, act: Option<&crate::UncertainDate>) -> AgeAtAct {
    let (Some(b), Some(d)) = (birth, act) else { return AgeAtAct::Unknown };
    let years = |from: crate::Day, to: crate::Day| {
        let (fy, fm, fd) = from.ymd();
        let (ty, tm, td) = to.ymd();
        ty - fy - i32::from((tm, td) < (fm, fd))
    };
    match (b.earliest, b.latest, d.earliest, d.latest) {
        (Some(b_first), Some(b_last), Some(d_first), Some(d_last)) => {
            if years(b_first, d_last) < 18 {
                AgeAtAct::Minor
            } else if years(b_last, d_first) >= 18 {
                AgeAtAct::Adult
            } else {
                AgeAtAct::Unknown
            }
        }
        _ => AgeAtAct::Unknown,
    }
}

/// What is known of the victim that decides which treaties apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Victim {
    pub age: AgeAtAct,
    /// `None` when the record does not say.
    pub female: Option<bool>,
}

/// The articles an act violates given what is known of its victim: CRC articles only for a
/// victim under 18 at the time (kept, with a note, when the age is unknown), CEDAW articles only
/// where the act concerns discrimination against women (its type is about women, or the victim
/// is a woman; kept with a note when the sex is unknown). The notes say what was assumed.
pub fn articles_for_act(vocab: &Vocabulary, act_type: &str, victim: Victim) -> (Vec<Article>, Vec<String>) {
    let about_women = vocab.ancestors(List::ActTypes, act_type).iter().any(|t| t.code.starts_with("06") || t.code.starts_with("08"));
    let mut notes = Vec::new();
    let mut out = Vec::new();
    for art in articles_for(vocab, act_type) {
        match art.treaty {
            Treaty::Crc => match victim.age {
                AgeAtAct::Adult => continue,
                AgeAtAct::Minor => {}
                AgeAtAct::Unknown => {
                    notes.push(format!("{art} applies only if the victim was under 18 at the time; the age then is not known from the records"))
                }
            },
            Treaty::Cedaw if !about_women => match victim.female {
                Some(false) => continue,
                Some(true) => {}
                None => notes.push(format!("{art} applies if the victim is a woman; the victim's sex is not recorded")),
            },
            _ => {}
        }
        out.push(art);
    }
    (out, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn treaties_follow_the_victim() {
        let v = Vocabulary::builtin();
        let date = |s: &str| crate::UncertainDate::parse(s).unwrap();
        assert_eq!(age_at_act(Some(&date("1985")), Some(&date("1997"))), AgeAtAct::Minor);
        assert_eq!(age_at_act(Some(&date("1970")), Some(&date("1997"))), AgeAtAct::Adult);
        assert_eq!(age_at_act(Some(&date("1979")), Some(&date("1997"))), AgeAtAct::Unknown, "17 or 18: it depends on the days");
        assert_eq!(age_at_act(None, Some(&date("1997"))), AgeAtAct::Unknown);
        let codes = |arts: &[Article]| arts.iter().map(|a| format!("{} {}", a.treaty.abbreviation(), a.article)).collect::<Vec<_>>();
        let torture = "020111110000";
        let (adult, notes) = articles_for_act(v, torture, Victim { age: AgeAtAct::Adult, female: Some(false) });
        assert_eq!(codes(&adult), ["ICCPR 7", "ICCPR 10"]);
        assert!(notes.is_empty());
        let (child, _) = articles_for_act(v, torture, Victim { age: AgeAtAct::Minor, female: Some(false) });
        assert!(codes(&child).contains(&"CRC 37(a)".to_string()));
        let (unknown, notes) = articles_for_act(v, torture, Victim { age: AgeAtAct::Unknown, female: None });
        assert!(codes(&unknown).contains(&"CRC 37(a)".to_string()) && notes.iter().any(|n| n.contains("under 18")), "{notes:?}");
        // Sexual violence: CEDAW for a woman, not for a man.
        let (man, _) = articles_for_act(v, "020111010000", Victim { age: AgeAtAct::Adult, female: Some(false) });
        let (woman, _) = articles_for_act(v, "020111010000", Victim { age: AgeAtAct::Adult, female: Some(true) });
        assert!(!codes(&man).iter().any(|c| c.starts_with("CEDAW")) && codes(&woman).iter().any(|c| c.starts_with("CEDAW")));
    }

    fn check(code: &str, expected: &[&str]) {
        let got: Vec<String> = articles_for(Vocabulary::builtin(), code).iter().map(|a| format!("{} {}", a.treaty.abbreviation(), a.article)).collect();
        assert_eq!(got, expected, "articles for {code}");
    }

    #[test]
    fn esf_terms_map_by_longest_prefix() {
        check("020111110000", &["ICCPR 7", "ICCPR 10", "CRC 37(a)"]);
        check("010101010000", &["ICCPR 6"]);
        check("300102010000", &["ICCPR 8(3)", "ICESCR 6"]);
    }

    #[test]
    fn extensions_inherit_and_add() {
        check("DP0100000000", &["ICCPR 7", "ICCPR 12(2)"]);
        check("DP0300000000", &["ICCPR 14", "ICCPR 17", "ICCPR 23", "CRC 2(2)", "ICCPR 9", "ICCPR 10"]);
        check("DP0700000000", &["ICESCR 11"]);
    }

    #[test]
    fn every_direct_act_type_has_some_article() {
        let v = Vocabulary::builtin();
        let missing: Vec<String> = v
            .terms(List::ActTypes)
            // No treaty the DPRK is party to protects property (13), ageing persons (32) or peace (71)
            // as such; 9x are "other"/"unknown".
            .filter(|t| !["13", "32", "71", "9"].iter().any(|p| t.code.starts_with(p)))
            .filter(|t| articles_for(v, &t.code).is_empty())
            .map(|t| format!("{} {}", t.code, t.en))
            .collect();
        assert!(missing.is_empty(), "act types without articles: {missing:?}");
    }
}
