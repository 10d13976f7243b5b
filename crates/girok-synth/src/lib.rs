//! Seeded synthetic testimonies, persons, events and acts for demos, tests and benchmarks.
//!
//! Everything made here is fiction and says so: every document opens with a SYNTHETIC banner,
//! every person's notes say "SYNTHETIC", and every record carries `synthetic: true`. Names are
//! random combinations of common Korean syllables, written in Hangul and in the romanizations
//! real documents use (Revised Romanization, McCune–Reischauer, informal spellings), so that
//! search and record linkage meet the variation they will meet in practice. The same seed always
//! gives the same data.

pub mod briefing;
pub mod lists;

use girok_core::model::{
    Act, Citation, Confidentiality, Event, Indicator, IndicatorValue, Involvement, Name, Person, Provision, Record, Relationship, Script, SealedIdentity, Sex,
    Source, SourceKind,
};
use girok_core::UncertainDate;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A surname with its spellings: Hangul, RR, MR, then informal variants seen in the wild.
pub const SURNAMES: &[(&str, &str, &str, &[&str])] = &[
    ("김", "Gim", "Kim", &["Kim"]),
    ("이", "I", "Yi", &["Lee", "Rhee", "Ri", "Yi"]),
    ("박", "Bak", "Pak", &["Park", "Pak"]),
    ("최", "Choe", "Ch'oe", &["Choi", "Choe"]),
    ("정", "Jeong", "Chŏng", &["Jung", "Chung", "Jong"]),
    ("강", "Gang", "Kang", &["Kang"]),
    ("조", "Jo", "Cho", &["Cho", "Jo"]),
    ("윤", "Yun", "Yun", &["Yoon", "Yun"]),
    ("장", "Jang", "Chang", &["Jang", "Chang"]),
    ("임", "Im", "Im", &["Lim", "Rim", "Im"]),
    ("한", "Han", "Han", &["Han"]),
    ("오", "O", "O", &["Oh", "O"]),
    ("신", "Sin", "Sin", &["Shin", "Sin"]),
    ("권", "Gwon", "Kwŏn", &["Kwon", "Kwon"]),
    ("황", "Hwang", "Hwang", &["Hwang"]),
    ("안", "An", "An", &["Ahn", "An"]),
    ("송", "Song", "Song", &["Song"]),
    ("류", "Ryu", "Ryu", &["Yu", "Yoo", "Ryu"]),
    ("홍", "Hong", "Hong", &["Hong"]),
    ("리", "Ri", "Ri", &["Ri", "Lee"]),
];

/// Given-name syllables: Hangul, RR, MR, informal.
pub const SYLLABLES: &[(&str, &str, &str, &str)] = &[
    ("철", "cheol", "ch'ŏl", "chol"),
    ("수", "su", "su", "soo"),
    ("영", "yeong", "yŏng", "young"),
    ("민", "min", "min", "min"),
    ("호", "ho", "ho", "ho"),
    ("순", "sun", "sun", "soon"),
    ("희", "hui", "hŭi", "hee"),
    ("금", "geum", "kŭm", "kum"),
    ("옥", "ok", "ok", "ok"),
    ("성", "seong", "sŏng", "sung"),
    ("남", "nam", "nam", "nam"),
    ("광", "gwang", "kwang", "kwang"),
    ("명", "myeong", "myŏng", "myung"),
    ("혁", "hyeok", "hyŏk", "hyuk"),
    ("은", "eun", "ŭn", "eun"),
    ("미", "mi", "mi", "mi"),
    ("혜", "hye", "hye", "hye"),
    ("일", "il", "il", "il"),
    ("국", "guk", "kuk", "kook"),
    ("춘", "chun", "ch'un", "choon"),
    ("화", "hwa", "hwa", "hwa"),
    ("경", "gyeong", "kyŏng", "kyung"),
    ("진", "jin", "chin", "jin"),
    ("복", "bok", "pok", "bok"),
];

/// One synthetic name in four spellings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthName {
    pub hangul: String,
    pub rr: String,
    pub mr: String,
    pub informal: String,
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A random Korean name with its romanizations.
pub fn korean_name(rng: &mut impl Rng) -> SynthName {
    let (sh, srr, smr, sinf) = SURNAMES[rng.gen_range(0..SURNAMES.len())];
    let a = SYLLABLES[rng.gen_range(0..SYLLABLES.len())];
    let b = SYLLABLES[rng.gen_range(0..SYLLABLES.len())];
    let informal_surname = sinf[rng.gen_range(0..sinf.len())];
    let informal_given = match rng.gen_range(0..3) {
        0 => format!("{}-{}", capitalize(a.3), b.3),
        1 => format!("{}{}", capitalize(a.3), b.3),
        _ => format!("{} {}", capitalize(a.3), capitalize(b.3)),
    };
    SynthName {
        hangul: format!("{sh}{}{}", a.0, b.0),
        rr: format!("{srr} {}-{}", capitalize(a.1), b.1),
        mr: format!("{smr} {}-{}", capitalize(a.2), b.2),
        informal: format!("{informal_surname} {informal_given}"),
    }
}

/// A synthetic document: the text a documenter would take in, with its intended id.
#[derive(Clone, Debug)]
pub struct SynthDocument {
    pub id: String,
    pub file_name: String,
    pub title: String,
    pub text: String,
    pub language: String,
    pub source: String,
    pub confidentiality: Confidentiality,
}

/// Everything a demo archive needs, in dependency order.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    pub sources: Vec<Source>,
    pub sealed: Vec<SealedIdentity>,
    pub persons: Vec<Person>,
    pub documents: Vec<SynthDocument>,
    pub events: Vec<Event>,
    pub acts: Vec<Act>,
    pub indicators: Vec<Indicator>,
    pub provisions: Vec<Provision>,
    /// Built-in places the demo marks closed to outside agencies, to show the briefing's map
    /// layer: a SYNTHETIC setting, not a finding about those places.
    pub closed_places: Vec<String>,
}

impl Dataset {
    /// Coded records (not documents or sealed identities), in an order that satisfies references.
    pub fn records(&self) -> Vec<Record> {
        let mut out: Vec<Record> = Vec::new();
        out.extend(self.sources.iter().cloned().map(Record::Source));
        out.extend(self.provisions.iter().cloned().map(Record::Provision));
        out.extend(self.persons.iter().cloned().map(Record::Person));
        out.extend(self.events.iter().cloned().map(Record::Event));
        out.extend(self.acts.iter().cloned().map(Record::Act));
        out.extend(self.indicators.iter().cloned().map(Record::Indicator));
        out
    }
}

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub seed: u64,
    pub testimonies: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { seed: 20261126, testimonies: 300 }
    }
}

/// The synthetic documentation projects; the unit of "independent source" later on.
pub const ORGANISATIONS: &[&str] = &["Synthetic Documentation Project A", "Synthetic Documentation Project B", "Synthetic Documentation Project C"];

const BORDER_TOWNS: &[&str] = &["plc-gn2042267", "plc-gn2043837", "plc-gn2042738", "plc-gn2044091"];
const BORDER_TOWNS_EN: &[&str] = &["Onsong", "Hyesan", "Musan", "Hoeryong"];
const BORDER_TOWNS_KO: &[&str] = &["온성", "혜산", "무산", "회령"];
const HOLDING: &[(&str, &str, &str)] = &[
    ("plc-fac-jipkyulso-onsong", "the Onsong holding centre", "온성 집결소"),
    ("plc-fac-jipkyulso-hyesan", "the Hyesan holding centre", "혜산 집결소"),
    ("plc-fac-bowibu-sinuiju", "the State Security detention centre in Sinuiju", "신의주 보위부 구류장"),
];
const LABOUR: &[(&str, &str, &str)] = &[
    ("plc-fac-kyohwaso-12", "the Jongori re-education camp", "전거리 교화소"),
    ("plc-fac-kyohwaso-1", "Kyohwaso No. 1 in Kaechon", "개천 제1호 교화소"),
    ("plc-fac-rodong-musan", "the Musan labour training unit", "무산 노동단련대"),
];
const KWANLISO: &[(&str, &str, &str)] = &[
    ("plc-fac-kwanliso-15", "the Yodok political prison camp", "요덕 정치범수용소"),
    ("plc-fac-kwanliso-16", "the Hwasong political prison camp", "화성 정치범수용소"),
    ("plc-fac-kwanliso-14", "Camp 14 in Kaechon", "개천 14호 관리소"),
];

fn date_text(rng: &mut impl Rng, year: i32, korean: bool) -> String {
    const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    let m = rng.gen_range(1..=12usize);
    match (rng.gen_range(0..6), korean) {
        (0, false) => format!("winter {year}"),
        (0, true) => format!("{year}년 겨울"),
        (1, false) => format!("{} {year}", MONTHS[m - 1]),
        (1, true) => format!("{year}년 {m}월"),
        (2, false) => format!("early {year}"),
        (2, true) => format!("{year}년 초"),
        (3, false) => format!("{} {} {year}", rng.gen_range(1..=28), MONTHS[m - 1]),
        (3, true) => format!("{year}년 {m}월 {}일", rng.gen_range(1..=28)),
        (4, false) => format!("between {} and {} {year}", MONTHS[m.min(10) - 1], MONTHS[m.min(10) + 1]),
        (4, true) => format!("{year}년"),
        (_, false) => format!("{year}"),
        (_, true) => format!("{year}년 여름"),
    }
}

fn synthetic_person(id: String, name: &SynthName, sex: Sex, birth_year: i32, rng: &mut impl Rng) -> Person {
    let mut names = vec![Name { text: name.hangul.clone(), script: Script::Hangul }];
    match rng.gen_range(0..3) {
        0 => names.push(Name { text: name.mr.clone(), script: Script::McCuneReischauer }),
        1 => names.push(Name { text: name.rr.clone(), script: Script::RevisedRomanization }),
        _ => names.push(Name { text: name.informal.clone(), script: Script::Other }),
    }
    Person {
        id,
        names,
        sex: Some(sex),
        birth: Some(UncertainDate::parse(&birth_year.to_string()).expect("a four-digit year parses")),
        origin: Some(BORDER_TOWNS[rng.gen_range(0..BORDER_TOWNS.len())].to_string()),
        relationships: Vec::new(),
        notes: "SYNTHETIC: generated by girok-synth; not a real person".into(),
        confidentiality: Confidentiality::Restricted,
        synthetic: true,
        same_as: None,
    }
}

/// Appends a sentence to a document and returns its character span, for the act's citation.
fn say(text: &mut String, sentence: &str) -> (u64, u64) {
    let start = text.chars().count() as u64;
    text.push_str(sentence);
    let end = text.chars().count() as u64;
    text.push(' ');
    (start, end)
}

/// An earlier testimony: (victim id, name, sex, organisation, year, birth year, testimony
/// number, border town, holding centre, labour camp).
type Earlier = (String, SynthName, Sex, usize, i32, i32, usize, usize, usize, usize);

/// Generates a dataset.
pub fn generate(config: &Config) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut ds = Dataset::default();
    // Unnamed perpetrators, one per institution, as testimonies usually describe them.
    let perpetrators = [
        ("per-synth-perp-bowibu", "Unnamed State Security (bowibu) interrogator", "보위부 신문원 (이름 미상)"),
        ("per-synth-perp-police", "Unnamed police (anjeonbu) officer", "안전부 보안원 (이름 미상)"),
        ("per-synth-perp-guard", "Unnamed camp guard", "수용소 경비원 (이름 미상)"),
    ];
    for (id, en, ko) in perpetrators {
        ds.persons.push(Person {
            id: id.into(),
            names: vec![Name { text: en.into(), script: Script::Other }, Name { text: ko.into(), script: Script::Hangul }],
            sex: None,
            birth: None,
            origin: None,
            relationships: Vec::new(),
            notes: "SYNTHETIC: generated by girok-synth".into(),
            confidentiality: Confidentiality::Internal,
            synthetic: true,
            same_as: None,
        });
    }
    let mut earlier: Vec<Earlier> = Vec::new();
    for t in 0..config.testimonies {
        let korean = rng.gen_bool(0.5);
        let org = ORGANISATIONS[t % ORGANISATIONS.len()];
        let src_id = format!("src-synth-{t:05}");
        let connection = ["010100000000", "020101000000", "010200000000"][rng.gen_range(0..3)];
        ds.sources.push(Source {
            id: src_id.clone(),
            pseudonym: format!("W-{t:04}"),
            kind: SourceKind::Witness,
            organisation: Some(org.into()),
            connection: Some(connection.into()),
            reliability: Some(["010000000000", "020000000000", "030000000000"][rng.gen_range(0..3)].into()),
            notes: "SYNTHETIC witness".into(),
            confidentiality: Confidentiality::Restricted,
            synthetic: true,
        });
        let mut victim_name = korean_name(&mut rng);
        let mut sex = if rng.gen_bool(0.7) { Sex::Female } else { Sex::Male };
        let mut birth_year = rng.gen_range(1950..1995);
        let mut victim_id = format!("per-synth-{t:05}-v");
        let mut year = rng.gen_range(1996..2020);
        // About a third of testimonies report a victim another organisation already documented
        // (a relative or cellmate testifies), so lists overlap as they do in practice.
        let org_idx = t % ORGANISATIONS.len();
        let candidates: Vec<usize> = (0..earlier.len()).filter(|&i| earlier[i].3 != org_idx).collect();
        let re_report = !candidates.is_empty() && rng.gen_bool(0.3);
        // Half the time the second organisation opened its own person record (a duplicate for
        // record linkage to find); otherwise it coded against the existing one.
        let mut duplicate_record = false;
        let mut same_happening: Option<(usize, usize, usize, usize)> = None;
        if re_report {
            let (id, name, s, _, y, b, t0, town, hold, lab) = &earlier[candidates[rng.gen_range(0..candidates.len())]];
            same_happening = Some((*t0, *town, *hold, *lab));
            // Korean age counting: a different organisation may record the birth year one off.
            birth_year = *b + if rng.gen_bool(0.2) { 1 } else { 0 };
            duplicate_record = rng.gen_bool(0.5);
            if !duplicate_record {
                victim_id = id.clone();
            }
            victim_name = name.clone();
            sex = *s;
            year = *y;
        }
        ds.sealed.push(SealedIdentity {
            source: src_id.clone(),
            legal_name: format!("SYNTHETIC {}", korean_name(&mut rng).hangul),
            contact: format!("synthetic-contact-{t:04}@example.invalid"),
            notes: "SYNTHETIC sealed identity".into(),
        });
        let mut victim = synthetic_person(victim_id.clone(), &victim_name, sex, birth_year, &mut rng);
        let family = !re_report && rng.gen_bool(0.3);
        let relative_id = format!("per-synth-{t:05}-r");
        if family {
            let rel_name = korean_name(&mut rng);
            let mut relative = synthetic_person(relative_id.clone(), &rel_name, Sex::Male, birth_year - rng.gen_range(20..30), &mut rng);
            relative.relationships.push(Relationship { kind: "010104000000".into(), other: victim_id.clone() });
            victim.relationships.push(Relationship { kind: "010103000000".into(), other: relative_id.clone() });
            ds.persons.push(victim.clone());
            ds.persons.push(relative);
        } else if !re_report || duplicate_record {
            ds.persons.push(victim.clone());
        }
        if !re_report {
            earlier.push((victim_id.clone(), victim_name.clone(), sex, org_idx, year, birth_year, t, 0, 0, 0));
        }

        let (mut b, mut hold_i, mut lab_i) = (rng.gen_range(0..BORDER_TOWNS.len()), rng.gen_range(0..HOLDING.len()), rng.gen_range(0..LABOUR.len()));
        // A second organisation's witness tells of the same return, interrogation and camp. Half
        // the time its documenter codes the acts on the events already recorded (so they are
        // corroborated at once); otherwise as new events, for `girok link events` to find.
        let mut reuse_events: Option<usize> = None;
        if let Some((t0, town, hold0, lab0)) = same_happening {
            (b, hold_i, lab_i) = (town, hold0, lab0);
            if rng.gen_bool(0.5) {
                reuse_events = Some(t0);
            }
        } else if let Some(last) = earlier.last_mut().filter(|e| e.6 == t) {
            (last.7, last.8, last.9) = (b, hold_i, lab_i);
        }
        let hold = HOLDING[hold_i];
        let lab = LABOUR[lab_i];
        let camp = KWANLISO[rng.gen_range(0..KWANLISO.len())];
        let d1 = date_text(&mut rng, year, korean);
        let d2 = date_text(&mut rng, year + 1, korean);
        let months = rng.gen_range(3..=36);
        let doc_id = format!("doc-synth-{t:05}");
        let (pron, pron_obj, pron_pos) = if sex == Sex::Female { ("she", "her", "her") } else { ("he", "him", "his") };
        let name_in_text = if korean { victim_name.hangul.clone() } else { victim.names[1].text.clone() };
        let mut text = String::new();
        let (spans, title) = if korean {
            text.push_str(&format!("[합성 증언 — 시험용으로 생성된 가상의 자료이며 실존 인물이 아님] 증인 W-{t:04} 면담 기록 ({org}).\n"));
            let s1 = say(
                &mut text,
                &format!("{d1} {}에서 두만강을 건너 중국으로 갔다가 중국 공안에 체포되어 강제송환되었다고 {name_in_text} 씨는 말했다.", BORDER_TOWNS_KO[b]),
            );
            let s2 = say(&mut text, &format!("송환 후 {}에 구금되어 보위부 신문원에게 신문을 받으며 여러 차례 구타와 고문을 당했다.", hold.2));
            let s3 = say(&mut text, &format!("{d2} {}로 보내져 {months}개월 동안 강제노동을 했다.", lab.2));
            let s4 = say(&mut text, &format!("그 사이 아버지는 연좌제로 {}에 끌려갔다고 들었다.", camp.2));
            let s5 = say(&mut text, &format!("{} 시장에서 공개처형을 목격했다.", BORDER_TOWNS_KO[b]));
            ([s1, s2, s3, s4, s5], format!("합성 증언 W-{t:04}"))
        } else {
            text.push_str(&format!(
                "[SYNTHETIC TESTIMONY: generated test data about a fictional person, not a real account] Interview with witness W-{t:04} ({org}).\n"
            ));
            let s1 = say(
                &mut text,
                &format!(
                    "{name_in_text} crossed the Tumen river near {} in {d1}, was arrested by Chinese police and was forcibly returned to North Korea.",
                    BORDER_TOWNS_EN[b]
                ),
            );
            let s2 = say(
                &mut text,
                &format!(
                    "After the return {pron} was held at {} and interrogated by State Security agents, who beat and tortured {pron_obj} repeatedly.",
                    hold.1
                ),
            );
            let s3 = say(&mut text, &format!("In {d2} {pron} was sent to {} for {months} months of forced labour.", lab.1));
            let s4 = say(&mut text, &format!("{} learned that {pron_pos} father had been taken to {} as punishment for the family.", capitalize(pron), camp.1));
            let s5 = say(&mut text, &format!("{} witnessed a public execution at the market in {}.", capitalize(pron), BORDER_TOWNS_EN[b]));
            ([s1, s2, s3, s4, s5], format!("Synthetic testimony W-{t:04}"))
        };
        ds.documents.push(SynthDocument {
            id: doc_id.clone(),
            file_name: format!("synthetic-testimony-{t:04}.txt"),
            title,
            text,
            language: if korean { "ko".into() } else { "en".into() },
            source: src_id.clone(),
            confidentiality: Confidentiality::Restricted,
        });
        let cite = |span: (u64, u64)| vec![Citation { document: doc_id.clone(), span: Some(span) }];
        let date = |s: &str| UncertainDate::parse(s).ok();
        let mut event = |n: usize, title: &str, place: &str, d: Option<UncertainDate>, follows: Option<String>, span: (u64, u64)| -> String {
            let id = format!("evt-synth-{t:05}-{n}");
            ds.events.push(Event {
                same_as: None,
                links: vec![],
                id: id.clone(),
                title: format!("{title} (W-{t:04})"),
                description: String::new(),
                place: Some(place.into()),
                date: d,
                follows,
                provisions: Vec::new(),
                citations: cite(span),
                confidentiality: Confidentiality::Internal,
                synthetic: true,
            });
            id
        };
        let (e1, e2, e3) = match reuse_events {
            Some(t0) => (format!("evt-synth-{t0:05}-1"), format!("evt-synth-{t0:05}-2"), format!("evt-synth-{t0:05}-3")),
            None => {
                let e1 = event(1, "Arrest in China and forcible return", BORDER_TOWNS[b], date(&d1), None, spans[0]);
                let e2 = event(2, "Interrogation after return", hold.0, date(&d1), Some(e1.clone()), spans[1]);
                let e3 = event(3, "Forced labour sentence", lab.0, date(&d2), Some(e2.clone()), spans[2]);
                (e1, e2, e3)
            }
        };
        let e4 = if family { Some(event(4, "Family member sent to a political prison camp", camp.0, None, Some(e2.clone()), spans[3])) } else { None };
        let e5 = if rng.gen_bool(0.25) { Some(event(5, "Public execution", BORDER_TOWNS[b], date(&d2), None, spans[4])) } else { None };
        let reliability = ds.sources.last().and_then(|s| s.reliability.clone());
        let mut act = |n: usize,
                       event: &str,
                       victim: &str,
                       act_type: &str,
                       place: &str,
                       d: Option<UncertainDate>,
                       perp: Option<&str>,
                       span: (u64, u64),
                       description: String| {
            // A public execution is carried out under a provision of the Criminal Code; which
            // one is spread over the four by testimony number, not drawn, so adding it changed
            // no other draw.
            let provisions = if act_type == "DP0200000000" { vec![DEMO_PROVISIONS[t % DEMO_PROVISIONS.len()].0.to_string()] } else { Vec::new() };
            ds.acts.push(Act {
                provisions,
                end: None,
                victim_status: None,
                id: format!("act-synth-{t:05}-{n}"),
                event: event.into(),
                victim: victim.into(),
                act_type: act_type.into(),
                place: Some(place.into()),
                date: d,
                perpetrators: perp.map(|p| vec![Involvement { perpetrator: p.into(), degree: Some("010100000000".into()) }]).unwrap_or_default(),
                source: Some(src_id.clone()),
                connection: Some(connection.into()),
                reliability: reliability.clone(),
                description,
                citations: cite(span),
                confidentiality: Confidentiality::Internal,
                synthetic: true,
            });
        };
        act(
            1,
            &e1,
            &victim_id,
            "DP0100000000",
            BORDER_TOWNS[b],
            date(&d1),
            Some("per-synth-perp-police"),
            spans[0],
            format!("Forcible return from China via {} (synthetic)", BORDER_TOWNS_EN[b]),
        );
        act(
            2,
            &e2,
            &victim_id,
            "DP0600000000",
            hold.0,
            date(&d1),
            Some("per-synth-perp-bowibu"),
            spans[1],
            format!("Beaten and tortured during interrogation at {} (synthetic)", hold.1),
        );
        act(
            3,
            &e3,
            &victim_id,
            "DP0500000000",
            lab.0,
            date(&d2),
            Some("per-synth-perp-guard"),
            spans[2],
            format!("{months} months of forced labour at {} (synthetic)", lab.1),
        );
        if let Some(e4) = &e4 {
            act(4, e4, &relative_id, "DP0300000000", camp.0, None, None, spans[3], format!("Sent to {} because of a relative's defection (synthetic)", camp.1));
        }
        if let Some(e5) = &e5 {
            let unknown_id = format!("per-synth-{t:05}-x");
            ds.persons.push(Person {
                id: unknown_id.clone(),
                names: vec![Name { text: "Unidentified man (SYNTHETIC)".into(), script: Script::Other }],
                sex: Some(Sex::Male),
                birth: None,
                origin: None,
                relationships: Vec::new(),
                notes: "SYNTHETIC: unidentified victim of a public execution".into(),
                confidentiality: Confidentiality::Internal,
                synthetic: true,
                same_as: None,
            });
            act(
                5,
                e5,
                &unknown_id,
                "DP0200000000",
                BORDER_TOWNS[b],
                date(&d2),
                None,
                spans[4],
                format!("Public execution at the market in {} (synthetic)", BORDER_TOWNS_EN[b]),
            );
        }
    }
    let mut series = |id: &str, name: &str, unit: &str, base: f64, slope: f64| {
        let values = (1995..=2020)
            .map(|y| IndicatorValue {
                year: y,
                to_year: None,
                value: ((base + slope * (y - 1995) as f64 + rng.gen_range(-2.0..2.0)) * 10.0).round() / 10.0,
                place: Some("plc-kp".into()),
                source: None,
                citation: None,
            })
            .collect();
        ds.indicators.push(Indicator {
            id: id.into(),
            name: name.into(),
            unit: unit.into(),
            values,
            source: "SYNTHETIC series generated by girok-synth for demonstration; not real data".into(),
            document: None,
            confidentiality: Confidentiality::Public,
            synthetic: true,
        });
    };
    series("ind-synth-infant-mortality", "Infant mortality (SYNTHETIC)", "deaths per 1,000 live births", 45.0, -0.9);
    series("ind-synth-stunting", "Children under five chronically malnourished (SYNTHETIC)", "percent", 60.0, -1.3);
    ds.provisions = demo_provisions();
    ds.closed_places = vec!["plc-kp-01".into()];
    // Relationships point both ways (parent and child name each other), so a loader writes
    // persons without relationships first and adds the relationships in a second pass.
    ds.persons.shuffle(&mut ChaCha8Rng::seed_from_u64(config.seed ^ 0x5eed));
    ds
}

/// The demo's provisions of national law: the four Criminal Code articles the Human Rights
/// Committee named in 2001 as essentially political offences carrying the death penalty (the
/// reference briefing quotes it). Their numbers and that quotation are public; the text of each
/// article is a SYNTHETIC placeholder, since the demo must not pass off invented wording as the
/// law's.
pub const DEMO_PROVISIONS: [(&str, &str); 4] = [("law-synth-cc-44", "44"), ("law-synth-cc-45", "45"), ("law-synth-cc-47", "47"), ("law-synth-cc-52", "52")];

/// The Human Rights Committee's words on those articles (CCPR/CO/72/PRK, 2001, para. 13), as the
/// reference briefing quotes them.
pub const HRC_2001_ON_DEATH_PENALTY: &str = "Seriously concerned that, of those five offences (which carried the death penalty), four are essentially political offences (articles 44, 45, 47 and 52 of the Criminal Code), couched in terms so broad that the imposition of the death penalty may be subject to essentially subjective criteria (UN Human Rights Committee, CCPR/CO/72/PRK, 2001).";

fn demo_provisions() -> Vec<Provision> {
    DEMO_PROVISIONS
        .iter()
        .map(|(id, article)| Provision {
            id: id.to_string(),
            instrument: "Criminal Code of the DPRK (1999)".into(),
            instrument_ko: Some("조선민주주의인민공화국 형법 (1999)".into()),
            article: article.to_string(),
            title: format!("Article {article}: an offence against the state (SYNTHETIC placeholder title)"),
            title_ko: Some(format!("제{article}조: 국가에 반한 범죄 (합성 자료 자리표시)")),
            text_en: format!("SYNTHETIC placeholder: the English text of article {article} would be quoted here from a public translation."),
            text_ko: format!("합성 자료: 제{article}조의 조문이 공개된 본문에서 여기에 인용됩니다."),
            max_penalty: Some("death penalty".into()),
            source: "SYNTHETIC demo record; article numbers as cited by the UN Human Rights Committee (CCPR/CO/72/PRK, 2001)".into(),
            citation: None,
            commentary: HRC_2001_ON_DEATH_PENALTY.into(),
            confidentiality: Confidentiality::Public,
            synthetic: true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data_and_everything_is_labelled_synthetic() {
        let a = generate(&Config { seed: 7, testimonies: 20 });
        let b = generate(&Config { seed: 7, testimonies: 20 });
        assert_eq!(a.documents.iter().map(|d| &d.text).collect::<Vec<_>>(), b.documents.iter().map(|d| &d.text).collect::<Vec<_>>());
        assert!(a.documents.iter().all(|d| d.text.contains("SYNTHETIC") || d.text.contains("합성")));
        assert!(a.persons.iter().all(|p| p.synthetic && p.notes.contains("SYNTHETIC")));
        assert!(a.acts.iter().all(|x| x.synthetic));
        assert!(a.documents.iter().any(|d| d.language == "ko") && a.documents.iter().any(|d| d.language == "en"));
    }

    #[test]
    fn citation_spans_point_at_the_sentence_of_the_act() {
        let ds = generate(&Config { seed: 3, testimonies: 10 });
        for act in &ds.acts {
            let c = &act.citations[0];
            let doc = ds.documents.iter().find(|d| d.id == c.document).unwrap();
            let (a, b) = c.span.unwrap();
            let passage: String = doc.text.chars().skip(a as usize).take((b - a) as usize).collect();
            assert!(passage.ends_with('.'), "{passage:?}");
            assert!(!passage.starts_with(' '), "{passage:?}");
        }
    }

    #[test]
    fn names_come_in_several_romanizations() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = korean_name(&mut rng);
        assert_eq!(n.hangul.chars().count(), 3);
        assert!(n.rr.contains('-') && n.mr.contains('-'));
    }
}
