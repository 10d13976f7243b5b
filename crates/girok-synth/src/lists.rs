//! SYNTHETIC victim lists in the shape documentation organisations exchange: several lists of
//! one hidden population, each organisation with its own habits of writing names, places,
//! facilities and years, for testing and benchmarking record linkage and estimation.
//!
//! What varies, as on real lists: a name in Hangul, in Revised Romanization, in
//! McCune–Reischauer with or without breves and apostrophes, or in ad hoc spellings ("Meesoo",
//! "Soon", "Chul"); in one column, in two (either may be empty) or both in one cell; surname first
//! or last, in capitals or not; given-name syllables joined, hyphenated or spaced; surname
//! variants (이/리/Lee/Yi/Rhee/Ri). Places of origin as a town, a town and province or a province,
//! in either script. Facilities by number, by place, by type, in either language. Birth years off
//! by one or two, detention years off by one; any field missing in a large share of records;
//! some people recorded more than once on one list. Every person is fiction: random syllables,
//! random places from the public gazetteer. The same seed gives the same lists.

use girok_core::model::{Place, PlaceKind};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct ListsConfig {
    pub seed: u64,
    /// The size of the hidden population (known, so estimates can be checked).
    pub people: usize,
    /// How many organisations' lists (2 to 6).
    pub lists: usize,
}

impl Default for ListsConfig {
    fn default() -> Self {
        ListsConfig { seed: 20261201, people: 6000, lists: 4 }
    }
}

/// The columns every list has (an exchange template); habits decide what goes in them.
pub const HEADER: [&str; 9] = ["id", "list", "name", "name_hangul", "sex", "birth_year", "origin", "detained_at", "detention_year"];

/// One record on one list.
#[derive(Clone, Debug)]
pub struct ListRecord {
    /// Which list (0-based).
    pub list: usize,
    /// The hidden person it describes (the truth, never a column).
    pub person: usize,
    /// Cells in `HEADER` order; empty strings are missing values.
    pub cells: Vec<String>,
}

/// The lists and their truth.
#[derive(Clone, Debug)]
pub struct SynthLists {
    pub names: Vec<String>,
    pub records: Vec<ListRecord>,
    pub people: usize,
}

impl SynthLists {
    /// One CSV with a `list` column.
    pub fn csv(&self) -> String {
        self.csv_of(|_| true)
    }

    /// One list's CSV.
    pub fn list_csv(&self, list: usize) -> String {
        self.csv_of(|r| r.list == list)
    }

    fn csv_of(&self, keep: impl Fn(&ListRecord) -> bool) -> String {
        let mut out = HEADER.join(",");
        out.push('\n');
        for r in self.records.iter().filter(|r| keep(r)) {
            let cells: Vec<String> =
                r.cells.iter().map(|c| if c.contains([',', '"', '\n']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c.clone() }).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }

    /// The true person behind each record, in record order.
    pub fn truth(&self) -> Vec<String> {
        self.records.iter().map(|r| format!("person-{}", r.person)).collect()
    }
}

/// Surnames with rough weights (per cent of people), Hangul forms (South, North), Revised,
/// McCune–Reischauer and ad hoc spellings. 김, 이 and 박 are near half of all people.
/// (weight, Hangul as in the South, as in the North, Revised, McCune–Reischauer, ad hoc spellings).
type SurnameRow = (f64, &'static str, &'static str, &'static str, &'static str, &'static [&'static str]);

const SURNAMES: &[SurnameRow] = &[
    (21.5, "김", "김", "Gim", "Kim", &["Kim", "Kym"]),
    (14.7, "이", "리", "I", "Yi", &["Lee", "Rhee", "Ri", "Yi", "I"]),
    (8.4, "박", "박", "Bak", "Pak", &["Park", "Pak", "Bak"]),
    (4.7, "최", "최", "Choe", "Ch'oe", &["Choi", "Choe", "Chey"]),
    (4.3, "정", "정", "Jeong", "Chŏng", &["Jung", "Chung", "Jong", "Jeong"]),
    (2.4, "강", "강", "Gang", "Kang", &["Kang", "Gang"]),
    (2.1, "조", "조", "Jo", "Cho", &["Cho", "Jo"]),
    (2.1, "윤", "윤", "Yun", "Yun", &["Yoon", "Yun"]),
    (2.0, "장", "장", "Jang", "Chang", &["Jang", "Chang"]),
    (1.7, "임", "림", "Im", "Im", &["Lim", "Rim", "Im", "Yim"]),
    (1.5, "한", "한", "Han", "Han", &["Han", "Hahn"]),
    (1.5, "오", "오", "O", "O", &["Oh", "O"]),
    (1.5, "서", "서", "Seo", "Sŏ", &["Suh", "Seo", "So"]),
    (1.5, "신", "신", "Sin", "Sin", &["Shin", "Sin"]),
    (1.4, "권", "권", "Gwon", "Kwŏn", &["Kwon", "Gwon"]),
    (1.4, "황", "황", "Hwang", "Hwang", &["Hwang"]),
    (1.4, "안", "안", "An", "An", &["Ahn", "An"]),
    (1.3, "송", "송", "Song", "Song", &["Song"]),
    (1.3, "유", "류", "Yu", "Yu", &["Yoo", "Ryu", "Yu"]),
    (1.1, "홍", "홍", "Hong", "Hong", &["Hong"]),
    (1.1, "전", "전", "Jeon", "Chŏn", &["Jun", "Chun", "Jeon"]),
    (0.9, "고", "고", "Go", "Ko", &["Ko", "Koh"]),
    (0.9, "문", "문", "Mun", "Mun", &["Moon", "Mun"]),
    (0.9, "양", "량", "Yang", "Yang", &["Yang", "Ryang"]),
    (0.9, "손", "손", "Son", "Son", &["Son", "Sohn"]),
    (0.8, "배", "배", "Bae", "Pae", &["Bae", "Pae"]),
    (0.8, "백", "백", "Baek", "Paek", &["Paik", "Baek", "Paek"]),
    (0.7, "허", "허", "Heo", "Hŏ", &["Hur", "Heo", "Huh"]),
    (0.6, "남", "남", "Nam", "Nam", &["Nam"]),
    (0.6, "심", "심", "Sim", "Sim", &["Shim", "Sim"]),
    (0.6, "노", "로", "No", "No", &["Roh", "Noh", "Ro"]),
];

/// Given-name syllables: Hangul, Revised, McCune–Reischauer, ad hoc spellings.
const SYLLABLES: &[(&str, &str, &str, &[&str])] = &[
    ("철", "cheol", "ch'ŏl", &["chol", "chul", "cheol"]),
    ("수", "su", "su", &["soo", "su"]),
    ("영", "yeong", "yŏng", &["young", "yong"]),
    ("민", "min", "min", &["min"]),
    ("호", "ho", "ho", &["ho"]),
    ("순", "sun", "sun", &["soon", "sun"]),
    ("희", "hui", "hŭi", &["hee", "hui"]),
    ("금", "geum", "kŭm", &["kum", "keum", "gum"]),
    ("옥", "ok", "ok", &["ok", "ock"]),
    ("성", "seong", "sŏng", &["sung", "song"]),
    ("남", "nam", "nam", &["nam"]),
    ("광", "gwang", "kwang", &["kwang"]),
    ("명", "myeong", "myŏng", &["myung", "myong"]),
    ("혁", "hyeok", "hyŏk", &["hyuk", "hyok"]),
    ("은", "eun", "ŭn", &["eun", "un"]),
    ("미", "mi", "mi", &["mee", "mi"]),
    ("혜", "hye", "hye", &["hye"]),
    ("일", "il", "il", &["il"]),
    ("국", "guk", "kuk", &["kook", "kuk"]),
    ("춘", "chun", "ch'un", &["choon", "chun"]),
    ("화", "hwa", "hwa", &["hwa"]),
    ("경", "gyeong", "kyŏng", &["kyung", "kyong"]),
    ("진", "jin", "chin", &["jin"]),
    ("복", "bok", "pok", &["bok"]),
    ("학", "hak", "hak", &["hak"]),
    ("환", "hwan", "hwan", &["hwan"]),
    ("숙", "suk", "suk", &["sook", "suk"]),
    ("자", "ja", "cha", &["ja", "cha"]),
    ("애", "ae", "ae", &["ae", "ai"]),
    ("란", "ran", "ran", &["ran", "lan"]),
    ("길", "gil", "kil", &["gil", "kil"]),
    ("동", "dong", "tong", &["dong"]),
    ("원", "won", "wŏn", &["won", "weon"]),
    ("태", "tae", "t'ae", &["tae"]),
    ("현", "hyeon", "hyŏn", &["hyun", "hyon"]),
    ("향", "hyang", "hyang", &["hyang"]),
    ("련", "ryeon", "ryŏn", &["ryun", "ryon", "lyon"]),
    ("봉", "bong", "pong", &["bong"]),
    ("식", "sik", "sik", &["sik", "shik"]),
    ("기", "gi", "ki", &["ki", "gi", "kee"]),
    ("만", "man", "man", &["man"]),
    ("석", "seok", "sŏk", &["suk", "sok", "seok"]),
    ("대", "dae", "tae", &["dae", "tae"]),
    ("룡", "ryong", "ryong", &["ryong", "yong", "lyong"]),
    ("분", "bun", "pun", &["boon", "bun"]),
    ("선", "seon", "sŏn", &["sun", "son", "seon"]),
    ("정", "jeong", "chŏng", &["jung", "jong", "chung"]),
    ("준", "jun", "chun", &["joon", "jun"]),
    ("용", "yong", "yong", &["yong", "young"]),
    ("연", "yeon", "yŏn", &["yun", "yon", "yeon"]),
    ("하", "ha", "ha", &["ha"]),
    ("나", "na", "na", &["na"]),
    ("림", "rim", "rim", &["rim", "lim"]),
    ("운", "un", "un", &["woon", "un"]),
    ("평", "pyeong", "p'yŏng", &["pyong", "pyung"]),
    ("송", "song", "song", &["song"]),
    ("덕", "deok", "tŏk", &["duk", "dok", "deok"]),
    ("금", "geum", "kŭm", &["kum"]),
    ("혁", "hyeok", "hyŏk", &["hyuk"]),
    ("규", "gyu", "kyu", &["kyu", "gyu"]),
    ("재", "jae", "chae", &["jae", "chae"]),
    ("상", "sang", "sang", &["sang"]),
    ("훈", "hun", "hun", &["hoon", "hun"]),
    ("우", "u", "u", &["woo", "u"]),
    ("지", "ji", "chi", &["ji", "chi"]),
    ("윤", "yun", "yun", &["yoon", "yun"]),
    ("창", "chang", "ch'ang", &["chang"]),
    ("설", "seol", "sŏl", &["sul", "sol", "seol"]),
    ("심", "sim", "sim", &["shim", "sim"]),
    ("실", "sil", "sil", &["sil", "shil"]),
    ("단", "dan", "tan", &["dan"]),
    ("매", "mae", "mae", &["mae", "mai"]),
    ("향", "hyang", "hyang", &["hyang"]),
    ("녀", "nyeo", "nyŏ", &["nyo", "nyeo"]),
    ("택", "taek", "t'aek", &["taek", "tek"]),
    ("삼", "sam", "sam", &["sam"]),
    ("범", "beom", "pŏm", &["bum", "pom", "beom"]),
    ("근", "geun", "kŭn", &["keun", "kun"]),
    ("선", "seon", "sŏn", &["sun"]),
];

/// A hidden person.
struct Person {
    surname: usize,
    given: Vec<usize>,
    female: bool,
    birth: i32,
    origin: usize,
    facility: usize,
    detained: i32,
}

/// A town of origin and the ways lists write it.
struct Town {
    forms_ko: Vec<String>,
    forms_roman: Vec<String>,
    province_forms: Vec<String>,
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn strip_breves(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\'' | '’'))
        .map(|c| match c {
            'ŏ' => 'o',
            'ŭ' => 'u',
            'Ŏ' => 'O',
            'Ŭ' => 'U',
            o => o,
        })
        .collect()
}

fn has_hangul(s: &str) -> bool {
    s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

fn towns(places: &[Place]) -> Vec<Town> {
    let province = |id: &str| places.iter().find(|p| p.id == id && p.kind == PlaceKind::Province);
    places
        .iter()
        .filter(|p| p.kind == PlaceKind::Town)
        .filter_map(|t| {
            let prov = province(t.parent.as_deref()?)?;
            let ko = t.name_ko.clone()?;
            let prov_ko = prov.name_ko.clone().unwrap_or_default();
            let prov_en = prov.name.trim_end_matches(" Province").to_string();
            let mut roman: Vec<String> = vec![t.name.clone(), strip_breves(&t.name)];
            roman.extend(t.aliases.iter().map(|a| a.text.clone()).filter(|a| !has_hangul(a) && !a.contains("-up") && !a.contains("-ni")));
            roman.dedup();
            let mut province_forms = vec![prov_en.clone(), prov_ko.clone()];
            province_forms.extend(prov.aliases.iter().map(|a| a.text.clone()));
            Some(Town {
                forms_ko: vec![ko.clone(), format!("{ko}시"), format!("{prov_ko} {ko}시"), format!("{prov_ko} {ko}")],
                forms_roman: roman,
                province_forms,
            })
        })
        .collect()
}

/// A facility and the ways lists write it: by number, by place, by type, in either language.
fn facility_forms(f: &Place) -> (Vec<String>, Vec<String>) {
    let mut ko = vec![f.name_ko.clone().unwrap_or_default()];
    let mut roman = vec![f.name.clone()];
    for a in &f.aliases {
        if has_hangul(&a.text) {
            ko.push(a.text.clone());
        } else {
            roman.push(a.text.clone());
            roman.push(strip_breves(&a.text));
        }
    }
    // "Political Prison Camp No. 15 (Yodok)": "Yodok camp", "Kwalliso 15 (Yodok)".
    if let (Some(open), Some(close)) = (f.name.find('('), f.name.find(')')) {
        let place = &f.name[open + 1..close];
        roman.push(format!("{place} camp"));
        if let Some(num) = f.name.split("No. ").nth(1).and_then(|r| r.split_whitespace().next()) {
            let word = match f.kind {
                PlaceKind::Kwanliso => "Kwanliso",
                _ => "Kyohwaso",
            };
            roman.push(format!("{word} {num} ({place})"));
        }
    }
    // "전거리 교화소" from "전거리 제12호 교화소".
    if let Some(name_ko) = &f.name_ko {
        let words: Vec<&str> = name_ko.split_whitespace().filter(|w| !w.starts_with('제')).collect();
        if words.len() >= 2 {
            ko.push(format!("{} {}", words[0], words[words.len() - 1]));
        }
    }
    ko.retain(|s| !s.is_empty());
    roman.dedup();
    (ko, roman)
}

fn pick<'a, T>(rng: &mut impl Rng, v: &'a [T]) -> &'a T {
    &v[rng.gen_range(0..v.len())]
}

/// A small spelling slip: a letter dropped or doubled.
fn typo(rng: &mut impl Rng, s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 4 {
        return s.to_string();
    }
    let i = rng.gen_range(1..chars.len() - 1);
    let mut out: String = chars[..i].iter().collect();
    if rng.gen_bool(0.5) {
        out.push(chars[i]);
    }
    out.push(chars[i]);
    out.extend(&chars[i + 1..]);
    out
}

/// How one organisation writes its list.
struct Habit {
    /// 0 Hangul, 1 McCune–Reischauer, 2 ad hoc with capitals, 3 Revised surname last.
    script: usize,
    /// Share of records with the other script in `name_hangul` (or in the same cell).
    second_form: f64,
    capture: f64,
    duplicates: f64,
    missing_birth: f64,
    missing_origin: f64,
    missing_facility: f64,
    records_sex: bool,
    /// Writes a province only, in this share of records.
    province_only: f64,
}

const HABITS: [Habit; 6] = [
    Habit {
        script: 0,
        second_form: 0.0,
        capture: 0.42,
        duplicates: 0.02,
        missing_birth: 0.15,
        missing_origin: 0.2,
        missing_facility: 0.3,
        records_sex: true,
        province_only: 0.1,
    },
    Habit {
        script: 1,
        second_form: 0.6,
        capture: 0.35,
        duplicates: 0.12,
        missing_birth: 0.3,
        missing_origin: 0.3,
        missing_facility: 0.25,
        records_sex: true,
        province_only: 0.15,
    },
    Habit {
        script: 2,
        second_form: 0.3,
        capture: 0.3,
        duplicates: 0.05,
        missing_birth: 0.25,
        missing_origin: 0.4,
        missing_facility: 0.4,
        records_sex: false,
        province_only: 0.2,
    },
    Habit {
        script: 3,
        second_form: 0.3,
        capture: 0.25,
        duplicates: 0.08,
        missing_birth: 0.4,
        missing_origin: 0.25,
        missing_facility: 0.35,
        records_sex: true,
        province_only: 0.3,
    },
    Habit {
        script: 0,
        second_form: 0.5,
        capture: 0.2,
        duplicates: 0.03,
        missing_birth: 0.2,
        missing_origin: 0.5,
        missing_facility: 0.5,
        records_sex: false,
        province_only: 0.1,
    },
    Habit {
        script: 1,
        second_form: 0.0,
        capture: 0.18,
        duplicates: 0.05,
        missing_birth: 0.35,
        missing_origin: 0.3,
        missing_facility: 0.3,
        records_sex: true,
        province_only: 0.2,
    },
];

fn weighted_surname(rng: &mut impl Rng) -> usize {
    let total: f64 = SURNAMES.iter().map(|s| s.0).sum();
    let mut x = rng.gen_range(0.0..total);
    for (i, s) in SURNAMES.iter().enumerate() {
        if x < s.0 {
            return i;
        }
        x -= s.0;
    }
    0
}

fn given_hangul(p: &Person) -> String {
    p.given.iter().map(|&g| SYLLABLES[g].0).collect()
}

/// The given name in a romanization: `system` 0 Revised, 1 McCune–Reischauer, 2 ad hoc.
fn given_roman(rng: &mut impl Rng, p: &Person, system: usize, breves: bool) -> String {
    let sylls: Vec<String> = p
        .given
        .iter()
        .map(|&g| {
            let s = SYLLABLES[g];
            match system {
                0 => s.1.to_string(),
                1 if breves => s.2.to_string(),
                1 => strip_breves(s.2),
                _ => pick(rng, s.3).to_string(),
            }
        })
        .collect();
    match rng.gen_range(0..3) {
        0 => capitalize(&sylls.join("-")),
        1 => capitalize(&sylls.concat()),
        _ => sylls.iter().map(|s| capitalize(s)).collect::<Vec<_>>().join(" "),
    }
}

fn hangul_name(rng: &mut impl Rng, p: &Person, north: bool) -> String {
    let s = SURNAMES[p.surname];
    let surname = if north { s.2 } else { s.1 };
    if rng.gen_bool(0.1) {
        format!("{surname} {}", given_hangul(p))
    } else {
        format!("{surname}{}", given_hangul(p))
    }
}

fn roman_name(rng: &mut impl Rng, p: &Person, script: usize) -> String {
    let s = SURNAMES[p.surname];
    match script {
        1 => {
            let breves = rng.gen_bool(0.5);
            let surname = if breves { s.4.to_string() } else { strip_breves(s.4) };
            format!("{surname} {}", given_roman(rng, p, 1, breves))
        }
        2 => {
            let surname = pick(rng, s.5).to_string();
            let given = given_roman(rng, p, 2, false);
            let given = if rng.gen_bool(0.04) { typo(rng, &given) } else { given };
            match rng.gen_range(0..3) {
                0 => format!("{} {given}", surname.to_uppercase()),
                1 => format!("{given} {}", surname.to_uppercase()),
                _ => format!("{surname} {given}"),
            }
        }
        _ => {
            let surname = if rng.gen_bool(0.5) { s.3.to_string() } else { pick(rng, s.5).to_string() };
            format!("{} {surname}", given_roman(rng, p, 0, false))
        }
    }
}

/// Generates the lists.
pub fn generate_lists(config: &ListsConfig) -> SynthLists {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let places = girok_core::gazetteer::builtin_places();
    let towns = towns(&places);
    let facilities: Vec<(Vec<String>, Vec<String>)> = places.iter().filter(|p| p.kind.is_facility()).map(facility_forms).collect();
    let border: Vec<usize> = (0..towns.len()).filter(|&i| towns[i].province_forms.iter().any(|f| f.contains("Hamgyong") || f.contains("Ryanggang"))).collect();
    let people: Vec<Person> = (0..config.people)
        .map(|_| {
            let birth = rng.gen_range(1935..2005);
            let n_given = if rng.gen_bool(0.06) { 1 } else { 2 };
            Person {
                surname: weighted_surname(&mut rng),
                given: (0..n_given).map(|_| rng.gen_range(0..SYLLABLES.len())).collect(),
                female: rng.gen_bool(0.55),
                birth,
                // Most people who fled came from the border provinces.
                origin: if rng.gen_bool(0.6) && !border.is_empty() { *pick(&mut rng, &border) } else { rng.gen_range(0..towns.len()) },
                facility: rng.gen_range(0..facilities.len()),
                detained: rng.gen_range((birth + 14).max(1990)..=2023),
            }
        })
        .collect();
    let n_lists = config.lists.clamp(2, HABITS.len());
    let names: Vec<String> = (0..n_lists).map(|l| format!("synthetic-org-{}", (b'A' + l as u8) as char)).collect();
    let mut records = Vec::new();
    for (l, habit) in HABITS.iter().take(n_lists).enumerate() {
        let mut serial = 0;
        for (pi, p) in people.iter().enumerate() {
            if !rng.gen_bool(habit.capture) {
                continue;
            }
            let copies = if rng.gen_bool(habit.duplicates) { 2 } else { 1 };
            for _ in 0..copies {
                serial += 1;
                let north = rng.gen_bool(0.5);
                let (mut name, mut name_hangul) = match habit.script {
                    0 => (hangul_name(&mut rng, p, north), String::new()),
                    s => (roman_name(&mut rng, p, s), String::new()),
                };
                if rng.gen_bool(habit.second_form) {
                    let system = 1 + rng.gen_range(0..3);
                    let other = if habit.script == 0 { roman_name(&mut rng, p, system) } else { hangul_name(&mut rng, p, north) };
                    if habit.script == 2 {
                        // Both forms in one cell.
                        name = format!("{other} ({name})");
                    } else {
                        name_hangul = other;
                    }
                }
                // Now and then only the second column is filled.
                if !name_hangul.is_empty() && rng.gen_bool(0.1) {
                    name = String::new();
                }
                let sex = if habit.records_sex {
                    let female = if rng.gen_bool(0.01) { !p.female } else { p.female };
                    match (habit.script, female) {
                        (0, true) => "여",
                        (0, false) => "남",
                        (_, true) => "F",
                        (_, false) => "M",
                    }
                    .to_string()
                } else {
                    String::new()
                };
                let birth = if rng.gen_bool(habit.missing_birth) {
                    String::new()
                } else {
                    let off = match rng.gen_range(0..20) {
                        0..=11 => 0,
                        12..=15 => 1,
                        16..=17 => -1,
                        18 => 2,
                        _ => -2,
                    };
                    let y = p.birth + off;
                    if habit.script == 0 && rng.gen_bool(0.3) {
                        format!("{y}년")
                    } else {
                        y.to_string()
                    }
                };
                let town = &towns[p.origin];
                let origin = if rng.gen_bool(habit.missing_origin) {
                    String::new()
                } else if rng.gen_bool(habit.province_only) {
                    let forms: Vec<&String> = town.province_forms.iter().filter(|f| has_hangul(f) == (habit.script == 0)).collect();
                    forms.choose(&mut rng).map(|s| s.to_string()).unwrap_or_else(|| town.province_forms[0].clone())
                } else if habit.script == 0 {
                    pick(&mut rng, &town.forms_ko).clone()
                } else {
                    let t = pick(&mut rng, &town.forms_roman).clone();
                    if rng.gen_bool(0.4) {
                        let provs: Vec<&String> = town.province_forms.iter().filter(|f| !has_hangul(f)).collect();
                        format!("{t}, {}", provs.choose(&mut rng).map(|s| s.as_str()).unwrap_or(""))
                    } else {
                        t
                    }
                };
                let (fac_ko, fac_roman) = &facilities[p.facility];
                let facility = if rng.gen_bool(habit.missing_facility) {
                    String::new()
                } else if habit.script == 0 && !fac_ko.is_empty() {
                    pick(&mut rng, fac_ko).clone()
                } else {
                    pick(&mut rng, fac_roman).clone()
                };
                let detained = if rng.gen_bool(0.2) {
                    String::new()
                } else {
                    let off = match rng.gen_range(0..10) {
                        0..=6 => 0,
                        7 | 8 => 1,
                        _ => -1,
                    };
                    (p.detained + off).to_string()
                };
                records.push(ListRecord {
                    list: l,
                    person: pi,
                    cells: vec![
                        format!("SYN-{}-{serial:05}", (b'A' + l as u8) as char),
                        names[l].clone(),
                        name,
                        name_hangul,
                        sex,
                        birth,
                        origin,
                        facility,
                        detained,
                    ],
                });
            }
        }
    }
    SynthLists { names, records, people: config.people }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_seeded_varied_and_synthetic() {
        let a = generate_lists(&ListsConfig { seed: 3, people: 800, lists: 4 });
        let b = generate_lists(&ListsConfig { seed: 3, people: 800, lists: 4 });
        assert_eq!(a.csv(), b.csv(), "same seed, same lists");
        assert!(a.names.iter().all(|n| n.starts_with("synthetic-")), "lists are labelled synthetic");
        let col = |name: &str| HEADER.iter().position(|h| *h == name).unwrap();
        // Every variation the lists must carry is present.
        let names: Vec<&str> = a.records.iter().map(|r| r.cells[col("name")].as_str()).collect();
        assert!(names.iter().any(|n| has_hangul(n) && !n.contains('(')), "Hangul names");
        assert!(names.iter().any(|n| n.contains('ŏ') || n.contains('\'')), "McCune–Reischauer with breves");
        assert!(names.iter().any(|n| n.contains('(') && has_hangul(n)), "both scripts in one cell");
        assert!(
            names.iter().any(|n| n.split_whitespace().next().is_some_and(|w| w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase()))),
            "capitalised surname first"
        );
        assert!(a.records.iter().any(|r| r.cells[col("name")].is_empty() && !r.cells[col("name_hangul")].is_empty()), "only the second column");
        let origins: Vec<&str> = a.records.iter().map(|r| r.cells[col("origin")].as_str()).collect();
        assert!(origins.iter().any(|o| o.contains(", ")), "town and province");
        assert!(origins.iter().any(|o| o.ends_with('도')), "province only, in Hangul");
        assert!(origins.iter().filter(|o| o.is_empty()).count() * 10 > origins.len(), "origin missing in a large share");
        let facilities: Vec<&str> = a.records.iter().map(|r| r.cells[col("detained_at")].as_str()).collect();
        assert!(facilities.iter().any(|f| f.starts_with("Camp ") || f.ends_with(" camp")), "facilities by number or by place");
        assert!(facilities.iter().any(|f| f.ends_with("관리소") || f.ends_with("교화소") || f.ends_with("집결소")), "facilities in Korean");
        // Birth years off by one or two for the same person.
        let mut by_person: std::collections::HashMap<usize, Vec<i32>> = Default::default();
        for r in &a.records {
            if let Ok(y) = r.cells[col("birth_year")].trim_end_matches('년').parse::<i32>() {
                by_person.entry(r.person).or_default().push(y);
            }
        }
        assert!(by_person.values().any(|ys| ys.iter().max().unwrap() - ys.iter().min().unwrap() == 2));
        // Some people appear on several lists, some twice on one.
        let mut lists_per_person: std::collections::HashMap<usize, std::collections::HashSet<usize>> = Default::default();
        let mut dup = std::collections::HashSet::new();
        for r in &a.records {
            if !lists_per_person.entry(r.person).or_default().insert(r.list) {
                dup.insert(r.person);
            }
        }
        assert!(lists_per_person.values().filter(|s| s.len() >= 3).count() > 20);
        assert!(!dup.is_empty());
    }
}
