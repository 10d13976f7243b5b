//! Korean names: Hangul decomposition, romanization, and canonical keys across spellings.
//!
//! The same person appears as 이철수, "Lee Chul-soo", "Yi Ch'ŏl-su", "Ri Cholsu", "Rhee Cheol Su".
//! Record linkage needs them in one block and compared fairly, so every spelling is reduced to
//! a canonical key: surnames through a table of the spellings in common use, given names
//! through a loose phonetic key that folds the distinctions romanizations disagree on.
//!
//! Tables here were written for Girok from the published rules of Revised Romanization (Ministry
//! of Culture and Tourism, 2000) and McCune–Reischauer (1939), and from the surname spellings
//! seen in Korean passports and refugee documentation. Sound changes across syllable
//! boundaries are deliberately not applied: documents rarely apply them consistently either.

const L_RR: [&str; 19] = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"];
const L_MR: [&str; 19] = ["k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch'", "k'", "t'", "p'", "h"];
const V_RR: [&str; 21] = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"];
const V_MR: [&str; 21] = ["a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae", "oe", "yo", "u", "wŏ", "we", "wi", "yu", "ŭ", "ŭi", "i"];
const T_RR: [&str; 28] =
    ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"];
const T_MR: [&str; 28] =
    ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"];

/// Initial, medial and final jamo indices of a precomposed syllable.
pub fn decompose(c: char) -> Option<(usize, usize, usize)> {
    let code = c as u32;
    if !(0xAC00..=0xD7A3).contains(&code) {
        return None;
    }
    let s = (code - 0xAC00) as usize;
    Some((s / (21 * 28), (s % (21 * 28)) / 28, s % 28))
}

/// Romanization system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum System {
    RevisedRomanization,
    McCuneReischauer,
}

/// Romanizes Hangul syllable by syllable; other characters pass through.
pub fn romanize(text: &str, system: System) -> String {
    let (l, v, t) = match system {
        System::RevisedRomanization => (&L_RR, &V_RR, &T_RR),
        System::McCuneReischauer => (&L_MR, &V_MR, &T_MR),
    };
    let mut out = String::new();
    for c in text.chars() {
        match decompose(c) {
            Some((li, vi, ti)) => {
                out.push_str(l[li]);
                out.push_str(v[vi]);
                out.push_str(t[ti]);
            }
            None => out.push(c),
        }
    }
    out
}

/// Surname spellings in common use, all mapped to one canonical form per surname.
/// (Hangul forms, including the North Korean initial ㄹ/ㄴ forms, and romanizations.)
const SURNAMES: &[(&str, &[&str])] = &[
    ("KIM", &["김", "kim", "gim", "kym"]),
    ("LEE", &["이", "리", "lee", "yi", "rhee", "ri", "i", "rhie", "li", "rie", "ree", "yee"]),
    ("PAK", &["박", "park", "pak", "bak", "pahk", "bark"]),
    ("CHOE", &["최", "choi", "choe", "ch'oe", "chwe", "choy", "chey"]),
    ("JEONG", &["정", "jung", "jeong", "chung", "chong", "chŏng", "jong", "cheong", "joung"]),
    ("KANG", &["강", "kang", "gang", "kahng"]),
    ("JO", &["조", "cho", "jo", "joe", "choh"]),
    ("YUN", &["윤", "yoon", "yun", "youn"]),
    ("JANG", &["장", "jang", "chang"]),
    ("LIM", &["임", "림", "lim", "im", "rim", "yim", "leem"]),
    ("HAN", &["한", "han", "hahn"]),
    ("OH", &["오", "oh", "o", "oe"]),
    ("SEO", &["서", "seo", "suh", "so", "sŏ", "sur", "seoh"]),
    ("SHIN", &["신", "shin", "sin", "shinn"]),
    ("KWON", &["권", "kwon", "gwon", "kwŏn", "kwun"]),
    ("HWANG", &["황", "hwang", "whang"]),
    ("AN", &["안", "ahn", "an"]),
    ("SONG", &["송", "song", "soung"]),
    ("RYU", &["류", "유", "ryu", "yu", "yoo", "you", "rhyu", "lyu", "ryoo"]),
    ("HONG", &["홍", "hong"]),
    ("MUN", &["문", "moon", "mun"]),
    ("YANG", &["양", "량", "yang", "ryang"]),
    ("BAE", &["배", "bae", "pae", "bai"]),
    ("NO", &["노", "로", "noh", "roh", "no", "ro", "rho"]),
    ("JEON", &["전", "jeon", "jun", "chun", "chon", "chŏn", "jon"]),
    ("KO", &["고", "ko", "go", "koh"]),
    ("NAM", &["남", "nam"]),
    ("HA", &["하", "ha", "hah"]),
    ("CHA", &["차", "cha", "ch'a"]),
    ("SON", &["손", "son", "sohn"]),
    ("BAEK", &["백", "baek", "paek", "paik", "baik", "back", "pack"]),
    ("HEO", &["허", "heo", "hur", "huh", "hŏ"]),
    ("SIM", &["심", "sim", "shim"]),
    ("MIN", &["민", "min"]),
    ("YU", &["유", "yu", "yoo"]),
    ("NA", &["나", "라", "na", "ra", "rah"]),
    ("CHEON", &["천", "cheon", "chun", "ch'ŏn"]),
    ("GIL", &["길", "gil", "kil"]),
];

fn fold_diacritics(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ŏ' | 'Ŏ' | 'ô' => 'o',
            'ŭ' | 'Ŭ' | 'û' => 'u',
            'é' | 'è' => 'e',
            other => other,
        })
        .collect::<String>()
        .to_lowercase()
}

/// The canonical key of a surname in any spelling, or `None` if it is not in the table.
pub fn surname_key(surname: &str) -> Option<&'static str> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<String, &'static str>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = std::collections::HashMap::new();
        for (key, spellings) in SURNAMES {
            for sp in *spellings {
                t.entry(surname_fold(sp)).or_insert(*key);
            }
        }
        t
    });
    table.get(&surname_fold(surname.trim())).copied()
}

/// Case, breves and apostrophes do not distinguish surname spellings.
fn surname_fold(s: &str) -> String {
    fold_diacritics(s).replace(['\'', '’', '`'], "")
}

/// A loose phonetic key for a romanized or Hangul given name: `Chol-su`, `Cholsu`, `Chul Soo`,
/// `Ch'ŏl-su`, `Cheol-su` and 철수 all give the same key. It folds aspiration, voicing, the
/// ŏ/eo/o/u vowels, r/l, doubled letters and separators.
pub fn given_key(name: &str) -> String {
    phonetic(name, false)
}

/// The same folding as `given_key`, keeping digits: for place and facility names ("Camp 15").
pub fn loose_key(text: &str) -> String {
    phonetic(text, true)
}

fn phonetic(name: &str, keep_digits: bool) -> String {
    let roman = romanize(name, System::RevisedRomanization);
    let s = fold_diacritics(&roman);
    let s: String = s.chars().filter(|c| c.is_ascii_alphabetic() || keep_digits && c.is_ascii_digit()).collect();
    let b = s.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &s[i..];
        // Longest patterns first.
        let (sym, len) = if rest.starts_with("tch") {
            ("J", 3)
        } else if rest.starts_with("ch") {
            ("J", 2)
        } else if rest.starts_with("sh") {
            ("S", 2)
        } else if rest.starts_with("ng") {
            ("N", 2)
        } else if rest.starts_with("eo") || rest.starts_with("eu") || rest.starts_with("oo") || rest.starts_with("ou") {
            ("O", 2)
        } else if rest.starts_with("ae") || rest.starts_with("ai") {
            ("E", 2)
        } else if rest.starts_with("ee") || rest.starts_with("ui") || rest.starts_with("wi") {
            ("I", 2)
        } else {
            let sym = match b[i] {
                b'g' | b'k' | b'q' | b'c' => "K",
                b'd' | b't' => "T",
                b'b' | b'p' | b'f' | b'v' => "P",
                b'j' | b'z' => "J",
                b's' | b'x' => "S",
                b'r' | b'l' => "L",
                b'h' => "H",
                b'm' => "M",
                b'n' => "N",
                b'w' => "W",
                b'y' => "Y",
                b'o' | b'u' => "O",
                b'a' => "A",
                b'e' => "E",
                b'i' => "I",
                d @ b'0'..=b'9' => DIGITS[(d - b'0') as usize],
                _ => "",
            };
            (sym, 1)
        };
        // Doubled letters fold (not digits: "11" is not "1").
        if !out.ends_with(sym) || sym.bytes().all(|c| c.is_ascii_digit()) {
            out.push_str(sym);
        }
        i += len;
    }
    out
}

const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// Two-syllable Korean surnames (rare, but a three-syllable name may start with one).
const DOUBLE_SURNAMES: &[&str] = &["남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방"];

fn is_hangul(c: char) -> bool {
    decompose(c).is_some()
}

/// The forms of a name a cell may hold: "홍혜복 (Hong Hye-bok)", "Hong Hye-bok / 홍혜복" and
/// "홍혜복 Hong Hye-bok" each hold one Hangul and one romanized form.
pub fn name_forms(cell: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in cell.split(['|', '/', ';', '(', ')', '[', ']', '\u{1e}']) {
        // A run of Hangul and a run of Latin letters side by side are two forms.
        let mut hangul = String::new();
        let mut latin = String::new();
        for c in part.chars() {
            if is_hangul(c) {
                hangul.push(c);
            } else if c.is_whitespace() {
                if !hangul.is_empty() && !hangul.ends_with(' ') {
                    hangul.push(' ');
                }
                latin.push(' ');
            } else {
                latin.push(c);
            }
        }
        for f in [hangul.trim(), latin.trim()] {
            let f = f.trim_matches(|c: char| c == ',' || c == '-' || c.is_whitespace());
            if f.chars().any(|c| c.is_alphabetic()) && !out.iter().any(|o| o == f) {
                out.push(f.to_string());
            }
        }
    }
    out
}

/// Every reading of one name form as (surname key, given key): surname first and, where the
/// spelling allows it, surname last. "Lee Jung" is read both ways (both words are surnames);
/// an all-capitals word ("KIM Jun Hwan", "Su Chong KIM") or a comma ("Kim, Jun Hwan") settles it.
pub fn name_readings(form: &str) -> Vec<(String, String)> {
    let form = form.trim();
    let key_of = |surname: &str| surname_key(surname).map(str::to_string).unwrap_or_else(|| given_key(surname));
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |s: String, g: String| {
        if !s.is_empty() && !out.contains(&(s.clone(), g.clone())) {
            out.push((s, g));
        }
    };
    if form.chars().any(is_hangul) {
        let words: Vec<&str> = form.split_whitespace().collect();
        let chars: Vec<char> = form.chars().filter(|c| is_hangul(*c)).collect();
        if chars.is_empty() {
            return out;
        }
        // "준환 김": a one-syllable surname written last.
        if words.len() == 2 && words[1].chars().count() == 1 && words[0].chars().count() >= 2 && surname_key(words[1]).is_some() {
            push(key_of(words[1]), given_key(words[0]));
        }
        let first: String = chars[..1].iter().collect();
        push(key_of(&first), given_key(&chars[1..].iter().collect::<String>()));
        if chars.len() >= 3 {
            let two: String = chars[..2].iter().collect();
            if DOUBLE_SURNAMES.contains(&two.as_str()) {
                push(given_key(&two), given_key(&chars[2..].iter().collect::<String>()));
            }
        }
        return out;
    }
    if let Some((s, g)) = form.split_once(',') {
        push(key_of(s.trim()), given_key(g));
        return out;
    }
    let words: Vec<&str> = form.split_whitespace().collect();
    match words.len() {
        0 => {}
        1 => push(key_of(words[0]), String::new()),
        _ => {
            let last = words.len() - 1;
            let capital = |w: &str| w.chars().filter(|c| c.is_alphabetic()).count() >= 2 && w.chars().all(|c| !c.is_lowercase());
            let caps: Vec<usize> = (0..words.len()).filter(|&i| capital(words[i])).collect();
            let first_known = surname_key(words[0]).is_some();
            let last_known = surname_key(words[last]).is_some();
            if caps.len() == 1 && caps[0] == 0 && words.len() > 1 && !words[1..].iter().all(|w| capital(w)) {
                push(key_of(words[0]), given_key(&words[1..].join(" ")));
            } else if caps.len() == 1 && caps[0] == last {
                push(key_of(words[last]), given_key(&words[..last].join(" ")));
            } else {
                // Surname first is Korean order; surname last is read too when that word
                // is a surname ("Hye-bok Hong"), and so is "Baek Song" both ways.
                // The likelier reading first (it is the name's canonical key).
                let first = (key_of(words[0]), given_key(&words[1..].join(" ")));
                let second = (key_of(words[last]), given_key(&words[..last].join(" ")));
                if !first_known && last_known {
                    push(second.0, second.1);
                    push(first.0, first.1);
                } else {
                    push(first.0, first.1);
                    push(second.0, second.1);
                }
            }
        }
    }
    out
}

/// Every reading of every form in a cell (see `name_forms` and `name_readings`).
pub fn cell_readings(cell: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for f in name_forms(cell) {
        for r in name_readings(&f) {
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// Canonical key of a full name: its first reading (see `name_readings`): surname key (or the
/// surname's loose key when the surname is not in the table) and given-name key.
pub fn name_key(full: &str) -> (String, String) {
    cell_readings(full).into_iter().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposition_and_romanization() {
        assert_eq!(decompose('한'), Some((18, 0, 4)));
        assert_eq!(decompose('A'), None);
        assert_eq!(romanize("김철수", System::RevisedRomanization), "gimcheolsu");
        assert_eq!(romanize("김철수", System::McCuneReischauer), "kimch'ŏlsu");
        assert_eq!(romanize("박영희", System::RevisedRomanization), "bakyeonghui", "no sound change across syllables");
        assert_eq!(romanize("정은", System::McCuneReischauer), "chŏngŭn");
    }

    #[test]
    fn surname_spellings_meet() {
        for s in ["이", "리", "Lee", "Yi", "Rhee", "Ri", "I"] {
            assert_eq!(surname_key(s), Some("LEE"), "{s}");
        }
        for s in ["박", "Park", "Pak", "Bak"] {
            assert_eq!(surname_key(s), Some("PAK"), "{s}");
        }
        for s in ["최", "Choi", "Choe", "Ch'oe"] {
            assert_eq!(surname_key(s), Some("CHOE"), "{s}");
        }
        assert_eq!(surname_key("Chŏng"), Some("JEONG"));
        assert_eq!(surname_key("Smith"), None);
    }

    #[test]
    fn given_name_spellings_meet() {
        let k = given_key("철수");
        for g in ["Chol-su", "Cholsu", "Chol Su", "Ch'ŏl-su", "Cheol-su", "Chul-soo", "CHOLSU"] {
            assert_eq!(given_key(g), k, "{g}");
        }
        assert_ne!(given_key("영희"), k);
        assert_eq!(given_key("영희"), given_key("Yong-hui"));
        assert_eq!(given_key("영희"), given_key("Young-hee"));
    }

    #[test]
    fn full_names_in_hangul_and_romanized_forms_share_a_key() {
        let k = name_key("이철수");
        for n in ["Lee Chul-soo", "Yi Ch'ŏl-su", "Ri Cholsu", "Rhee Cheol Su", "Lee, Chol-su", "Chulsoo Lee"] {
            assert_eq!(name_key(n), k, "{n}");
        }
        assert_ne!(name_key("박철수"), k);
    }
}
