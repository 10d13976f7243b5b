//! Engine tests on synthetic data with known truth.

use rand::{Rng, SeedableRng};

use crate::engine::*;

fn config(fields: Vec<FieldSpec>, blocking: Vec<Vec<BlockKey>>, mode: Mode) -> Config {
    Config {
        fields,
        blocking,
        mode,
        max_pairs: 10_000_000,
        threshold: 0.9,
        em_iterations: 50,
        u_samples: 50_000,
        seed: 1,
        one_per_source: true,
        min_support: 0.05,
    }
}

fn field(c: &str, compare: Compare, tf: bool) -> FieldSpec {
    FieldSpec { column: c.into(), compare, term_frequency: tf }
}

/// SYNTHETIC people, each recorded once or twice with typos.
fn synthetic(n: usize, seed: u64) -> (Dataset, Vec<String>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut d = Dataset { columns: vec!["name".into(), "dob".into(), "town".into()], ..Default::default() };
    let mut truth = Vec::new();
    let syll = ["ka", "mi", "so", "ru", "ne", "to", "pa", "ri", "ko", "ya", "shi", "mo"];
    for p in 0..n {
        let name: String = (0..3).map(|_| syll[rng.gen_range(0..syll.len())]).collect();
        let dob = format!("19{:02}-{:02}-{:02}", rng.gen_range(30..99), rng.gen_range(1..13), rng.gen_range(1..29));
        let town = format!("town{}", rng.gen_range(0..40));
        let copies = if rng.gen_bool(0.5) { 2 } else { 1 };
        for c in 0..copies {
            let mut nm = name.clone();
            if c == 1 && rng.gen_bool(0.5) {
                nm.push('x');
            }
            d.ids.push(format!("p{p}-{c}"));
            d.sources.push(0);
            d.values.push(vec![Some(nm), Some(dob.clone()), Some(town.clone())]);
            truth.push(format!("p{p}"));
        }
    }
    (d, truth)
}

#[test]
fn em_recovers_a_known_mixture_and_dedupes_well() {
    let (d, truth) = synthetic(2000, 3);
    let c = config(
        vec![field("name", Compare::Name, false), field("dob", Compare::Date, false), field("town", Compare::Exact, false)],
        vec![vec![BlockKey::Exact("dob".into())], vec![BlockKey::Prefix("name".into(), 4)]],
        Mode::Dedupe,
    );
    let res = link(&d, &c, &mut |_, _, _| {}).unwrap();
    // Matches agree on dob and town almost always: m(exact) near 1; non-matches rarely do.
    assert!(res.params.m[1][4] > 0.95, "m dob exact {}; params {:?}", res.params.m[1][4], res.params);
    assert!(res.params.m[2][1] > 0.8, "m town exact {}", res.params.m[2][1]);
    assert!(res.params.u[2][1] < 0.05, "u town exact {}", res.params.u[2][1]);
    let e = evaluate(&res.clusters, &truth, &d.sources, false);
    assert!(e.f1 > 0.97, "{e:?}");
}

#[test]
fn blocking_is_refused_when_it_explodes() {
    let (d, _) = synthetic(500, 4);
    let mut c = config(vec![field("town", Compare::Exact, false)], vec![vec![BlockKey::Prefix("town".into(), 1)]], Mode::Dedupe);
    c.max_pairs = 1000;
    let err = link(&d, &c, &mut |_, _, _| {}).unwrap_err();
    assert!(matches!(err, LinkError::TooManyPairs { .. }), "{err}");
    assert!(err.to_string().contains("more than the limit of 1000"), "{err}");
    let c = config(vec![field("nope", Compare::Exact, false)], vec![vec![BlockKey::Exact("town".into())]], Mode::Dedupe);
    assert!(link(&d, &c, &mut |_, _, _| {}).unwrap_err().to_string().contains("column \"nope\""));
}

#[test]
fn term_frequency_makes_common_values_weaker_evidence() {
    // SYNTHETIC: half the records share the surname "kim"; one pair shares a rare surname.
    let mut d = Dataset { columns: vec!["surname".into(), "given".into()], ..Default::default() };
    for i in 0..400 {
        let s = if i < 200 { "kim".to_string() } else { format!("rare{i}") };
        d.ids.push(format!("r{i}"));
        d.sources.push(0);
        d.values.push(vec![Some(s), Some(format!("g{}", i % 7))]);
    }
    let c =
        config(vec![field("surname", Compare::Exact, true), field("given", Compare::Exact, false)], vec![vec![BlockKey::Exact("given".into())]], Mode::Dedupe);
    let res = link(&d, &c, &mut |_, _, _| {}).unwrap();
    let (_, kim, _) = explain(&d, &c, &res, 0, 7).unwrap();
    let mut rare_d = d.clone();
    rare_d.values[8][0] = Some("rare207".into());
    rare_d.values[207][1] = rare_d.values[8][1].clone();
    let (_, rare, _) = explain(&rare_d, &c, &res, 8, 207).unwrap();
    assert!(rare[0].bayes_factor_log2 > kim[0].bayes_factor_log2 + 3.0, "rare {} vs kim {}", rare[0].bayes_factor_log2, kim[0].bayes_factor_log2);
}

#[test]
fn clustering_respects_one_record_per_source() {
    let d = Dataset {
        columns: vec!["x".into()],
        ids: vec!["a1".into(), "a2".into(), "b1".into()],
        sources: vec![0, 0, 1],
        values: vec![vec![None], vec![None], vec![None]],
    };
    let pairs = vec![ScoredPair { a: 0, b: 2, weight: 10.0, probability: 0.99 }, ScoredPair { a: 1, b: 2, weight: 8.0, probability: 0.97 }];
    let free = cluster(&d, &pairs, 0.9, false);
    assert_eq!(free[0], free[1], "without the constraint all three merge");
    let constrained = cluster(&d, &pairs, 0.9, true);
    assert_eq!(constrained[0], constrained[2]);
    assert_ne!(constrained[1], constrained[2], "a2 cannot join a cluster that already has a record of source a");
}

#[test]
fn evaluation_counts_pairs() {
    let truth: Vec<String> = ["e1", "e1", "e1", "e2", "e2"].iter().map(|s| s.to_string()).collect();
    let pred = vec![0, 0, 1, 1, 1];
    let e = evaluate(&pred, &truth, &[0; 5], false);
    assert_eq!((e.true_pairs, e.predicted_pairs, e.correct_pairs), (4, 4, 2));
    assert!((e.f1 - 0.5).abs() < 1e-12);
    let e = evaluate(&[0, 0], &["x".into(), "x".into()], &[0, 1], true);
    assert_eq!(e.f1, 1.0);
}

#[test]
fn korean_names_link_across_scripts() {
    // SYNTHETIC records of three fictional people in Hangul and romanized forms.
    let rows = [
        ("a1", 0, "이철수", "1970"),
        ("b1", 1, "Lee Chul-soo", "1970"),
        ("a2", 0, "박영희", "1982"),
        ("b2", 1, "Pak Yong-hui", "1981"),
        ("a3", 0, "김민호", "1990"),
        ("b3", 1, "Choi Su-jin", "1990"),
    ];
    let d = Dataset {
        columns: vec!["name".into(), "birth".into()],
        ids: rows.iter().map(|r| r.0.to_string()).collect(),
        sources: rows.iter().map(|r| r.1).collect(),
        values: rows.iter().map(|r| vec![Some(r.2.to_string()), Some(r.3.to_string())]).collect(),
    };
    let c = config(
        vec![field("name", Compare::KoreanName, false), field("birth", Compare::Date, false)],
        vec![vec![BlockKey::KoreanSurname("name".into())]],
        Mode::Link,
    );
    let cands = candidates(&d, &c, &mut |_, _, _| {}).unwrap();
    assert!(cands.contains(&(0, 1)) && cands.contains(&(2, 3)), "{cands:?}");
    assert!(!cands.contains(&(4, 5)));
    let params = Params {
        m: vec![vec![0.01, 0.04, 0.15, 0.8], vec![0.01, 0.01, 0.08, 0.1, 0.8]],
        u: vec![vec![0.9, 0.06, 0.03, 0.01], vec![0.7, 0.1, 0.1, 0.05, 0.05]],
        lambda: 0.01,
        lambda_within: None,
        em_iterations_run: 0,
    };
    let params = Linkage::with_params(params);
    let (_, contributions, total) = explain(&d, &c, &params, 0, 1).unwrap();
    assert_eq!(contributions[0].level, "exact", "이철수 and Lee Chul-soo share a canonical key");
    assert!(total > 0.0);
    let (_, contributions, _) = explain(&d, &c, &params, 2, 3).unwrap();
    assert_eq!(contributions[0].level, "exact");
    assert_eq!(contributions[1].level, "within a year", "Korean age counting shifts birth years");
}

/// The comparison level two values get, by name, through the public `explain`.
fn level(compare: Compare, a: &str, b: &str) -> String {
    let d = Dataset {
        columns: vec!["v".into()],
        ids: vec!["a".into(), "b".into()],
        sources: vec![0, 1],
        values: vec![vec![Some(a.to_string())], vec![Some(b.to_string())]],
    };
    let k = compare.n_levels();
    let c = config(vec![field("v", compare, false)], vec![vec![BlockKey::Exact("v".into())]], Mode::Dedupe);
    let params = Params { m: vec![vec![1.0 / k as f64; k]], u: vec![vec![1.0 / k as f64; k]], lambda: 0.01, lambda_within: None, em_iterations_run: 0 };
    let params = Linkage::with_params(params);
    explain(&d, &c, &params, 0, 1).unwrap().1[0].level.clone()
}

#[test]
fn regression_12_every_variation_of_a_korean_name_links_and_other_names_do_not() {
    // SYNTHETIC names, each pair one fictional person written two ways.
    let same = [
        ("홍혜복", "Hong Hyebok"),
        ("Hong Hye-bok", "Hong Hye Bok"),
        ("Hong Hyepok", "홍혜복"),
        ("KIM Jun Hwan", "김준환"),
        ("Jun Hwan KIM", "Kim Junhwan"),
        ("Su Chong Kim", "김수정"),
        ("Ch'ŏl-su Ri", "이철수"),
        ("Chol-su Ri", "Lee Cheol-su"),
        ("리철수", "Rhee Chulsoo"),
        ("Yi Chol Su", "I Cheolsu"),
        ("림미수", "Lim Meesoo"),
        ("임순", "Rim Soon"),
        ("박철", "Park Chul"),
        ("홍혜복 (Hong Hye-bok)", "Hyebok Hong"),
        ("김 준환", "김준환"),
        ("남궁민", "Namgung Min"),
    ];
    for (a, b) in same {
        assert_eq!(level(Compare::KoreanName, a, b), "exact", "{a} / {b}");
    }
    let different = [("홍혜복", "홍혜숙"), ("Kim Jun Hwan", "Pak Jun Hwan"), ("이철수", "이영희"), ("Lim Meesoo", "Lim Sunhee")];
    for (a, b) in different {
        assert_ne!(level(Compare::KoreanName, a, b), "exact", "{a} / {b}");
    }
    assert_eq!(level(Compare::KoreanName, "홍혜복", "Hong Hyesuk"), "same surname, close given name");
    assert_eq!(level(Compare::KoreanName, "이영희", "김철수"), "different");
}

#[test]
fn regression_12_blocking_brings_every_spelling_of_a_name_together() {
    let names = ["홍혜복", "Hong Hyebok", "HONG Hye-bok", "Hye Bok Hong", "Hong Hyepok", "홍혜복 (Hong Hye-bok)", "Kim Junhwan"];
    let d = Dataset {
        columns: vec!["name".into()],
        ids: (0..names.len()).map(|i| format!("r{i}")).collect(),
        sources: vec![0; names.len()],
        values: names.iter().map(|n| vec![Some(n.to_string())]).collect(),
    };
    let c = config(vec![field("name", Compare::KoreanName, false)], vec![vec![BlockKey::KoreanName("name".into())]], Mode::Dedupe);
    let cands = candidates(&d, &c, &mut |_, _, _| {}).unwrap();
    assert_eq!(cands.len(), 15, "all six spellings of 홍혜복 in one block, Kim Junhwan in none: {cands:?}");
}

#[test]
fn regression_12_years_have_tolerance_levels_and_missing_is_missing() {
    assert_eq!(level(Compare::Year, "1975", "1975년"), "exact");
    assert_eq!(level(Compare::Year, "1975", "c. 1976"), "one year apart");
    assert_eq!(level(Compare::Year, "1975", "1977"), "two years apart");
    assert_eq!(level(Compare::Year, "1975", "1979"), "three or four years apart");
    assert_eq!(level(Compare::Year, "1975", "1985"), "different");
    assert_eq!(level(Compare::Year, "1975", "unknown"), "missing", "a value without a year is missing, not a disagreement");
    assert_eq!(level(Compare::Sex, "여", "F"), "exact");
    assert_eq!(level(Compare::Sex, "남자", "female"), "different");
}

#[test]
fn regression_12_places_and_facilities_compare_through_the_gazetteer() {
    use crate::places::{Gazetteer, Level, PlaceEntry};
    let e = |id: &str, parent: Option<&str>, level: Level, names: &[&str]| PlaceEntry {
        id: id.into(),
        parent: parent.map(str::to_string),
        level,
        names: names.iter().map(|s| s.to_string()).collect(),
    };
    let g = Places(std::sync::Arc::new(Gazetteer::new([
        e("nh", None, Level::Province, &["North Hamgyong Province", "함경북도", "Hamgyeongbuk-do"]),
        e("sh", None, Level::Province, &["South Hamgyong Province", "함경남도", "Hamgyong-namdo"]),
        e("hoeryong", Some("nh"), Level::Town, &["Hoeryŏng", "회령", "Hoeryeong"]),
        e("onsong", Some("nh"), Level::Town, &["Onsŏng", "온성"]),
        e("hamhung", Some("sh"), Level::Town, &["Hamhŭng", "함흥"]),
        e("k12", Some("hoeryong"), Level::Facility, &["Re-education Camp No. 12 (Jongori)", "전거리 교화소", "Chongori", "Kyohwaso 12"]),
        e("k15", Some("sh"), Level::Facility, &["Political Prison Camp No. 15 (Yodok)", "요덕 관리소", "Yodok", "Camp 15"]),
        e("onsong-j", Some("onsong"), Level::Facility, &["Onsong holding centre", "온성 집결소", "Onsong jipkyulso"]),
    ])));
    let place = || Compare::Place(g.clone());
    assert_eq!(level(place(), "Hoeryong", "Hoeryeong, Hamgyeongbuk-do"), "same place");
    assert_eq!(level(place(), "회령", "Hoeryong"), "same place");
    assert_eq!(level(place(), "Hamhung, South Hamgyong", "함경남도 함흥시"), "same place");
    assert_eq!(level(place(), "Kyohwaso 12 (Jongori)", "전거리 교화소"), "same place");
    assert_eq!(level(place(), "Jongori", "Kyohwaso 12"), "same place");
    assert_eq!(level(place(), "Camp 15", "Yodok camp"), "same place");
    assert_eq!(level(place(), "요덕 관리소", "Camp 15"), "same place");
    assert_eq!(level(place(), "Onsong holding centre", "Onsong jipkyulso"), "same place");
    assert_eq!(level(place(), "Onsong holding centre", "Onsong"), "same town, a facility in it, or a close spelling");
    assert_eq!(level(place(), "Hoeryong", "Onsong"), "same province");
    assert_eq!(level(place(), "Hoeryong", "함경북도"), "same province");
    assert_eq!(level(place(), "Hoeryong", "Hamhung"), "different");
    assert_eq!(level(place(), "Camp 15", "Kyohwaso 12"), "different");
    // Unknown to the gazetteer: spelling decides.
    assert_eq!(level(place(), "Springfield", "Springfeild"), "same town, a facility in it, or a close spelling");
    assert_eq!(level(place(), "Springfield", "Shelbyville"), "different");
}

#[test]
fn a_field_every_rule_blocks_on_learns_its_levels_from_a_training_rule() {
    // Every rule blocks on the name, so no rule's EM can learn how names of one person differ
    // (half the duplicates gained a letter): a training rule on the other fields does.
    let (d, truth) = synthetic(2000, 5);
    let c = config(
        vec![field("name", Compare::Name, false), field("dob", Compare::Date, false), field("town", Compare::Exact, false)],
        vec![vec![BlockKey::Exact("name".into())], vec![BlockKey::Prefix("name".into(), 4)]],
        Mode::Dedupe,
    );
    let res = link(&d, &c, &mut |_, _, _| {}).unwrap();
    let note = res.training.as_deref().expect("the name was trained");
    assert!(note.contains("blocks on name") && note.contains("year of dob"), "{note}");
    let m = &res.params.m[0];
    let top = m.len() - 1;
    // About half the duplicates agree exactly, the others a letter apart; the fixed guess is
    // 0.9 for exact and 0.025 for each lower level.
    assert!(m[top] > 0.3 && m[top] < 0.8, "m of exact agreement: {m:?}");
    assert!(m[top - 1] > 0.2, "m one letter apart: {m:?}");
    let e = evaluate(&res.clusters, &truth, &d.sources, false);
    assert!(e.f1 > 0.95, "{e:?}");
    // With a rule that does not block on the name, nothing needs training.
    let mut c2 = c.clone();
    c2.blocking.push(vec![BlockKey::Exact("dob".into())]);
    assert_eq!(link(&d, &c2, &mut |_, _, _| {}).unwrap().training, None);
}

/// SYNTHETIC Hangul names on four lists: `n` people with random three-syllable names and a
/// birth year, each on one to three lists (a few twice on one list), then one person on all
/// four lists under one name nobody else has.
fn four_lists(n: usize, seed: u64) -> (Dataset, Vec<String>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let surnames = ["김", "이", "박", "최", "정"];
    let syllables = ["영", "수", "철", "민", "호", "희", "순", "옥", "남", "길", "성", "혜"];
    let mut d = Dataset { columns: vec!["name".into(), "birth".into()], ..Default::default() };
    let mut truth = Vec::new();
    let mut push = |d: &mut Dataset, person: String, list: u16, name: &str, birth: i32| {
        d.ids.push(format!("{person}-{}", d.ids.len()));
        d.sources.push(list);
        d.values.push(vec![Some(name.to_string()), Some(birth.to_string())]);
        truth.push(person);
    };
    for p in 0..n {
        let name = format!(
            "{}{}{}",
            surnames[rng.gen_range(0..surnames.len())],
            syllables[rng.gen_range(0..syllables.len())],
            syllables[rng.gen_range(0..syllables.len())]
        );
        let birth = rng.gen_range(1940..2000);
        for list in 0..4u16 {
            if rng.gen_bool(0.4) {
                push(&mut d, format!("p{p}"), list, &name, birth);
                if rng.gen_bool(0.05) {
                    push(&mut d, format!("p{p}"), list, &name, birth + 1);
                }
            }
        }
    }
    for list in 0..4u16 {
        push(&mut d, "everywhere".into(), list, "황보연숙", 1961);
    }
    (d, truth)
}

#[test]
fn pairs_within_one_list_and_across_lists_have_their_own_prior() {
    let (d, _) = four_lists(1500, 11);
    let c = config(
        vec![field("name", Compare::KoreanName, true), field("birth", Compare::Year, false)],
        vec![vec![BlockKey::KoreanName("name".into())], vec![BlockKey::Year("birth".into())]],
        Mode::Dedupe,
    );
    let res = link(&d, &c, &mut |_, _, _| {}).unwrap();
    let within = res.params.lambda_within.expect("several lists: a prior within one list");
    // One list holds a person twice for about one in twenty of its people; lists share
    // people often: the prior across lists is far higher.
    assert!(res.params.lambda > 4.0 * within, "across {} within {within}", res.params.lambda);
    // One list only: one prior.
    let mut one = d.clone();
    one.sources.iter_mut().for_each(|s| *s = 0);
    assert_eq!(link(&one, &c, &mut |_, _, _| {}).unwrap().params.lambda_within, None);
}

#[test]
fn a_persons_own_records_are_not_counted_as_namesakes() {
    let (d, _) = four_lists(1500, 12);
    let c = config(
        vec![field("name", Compare::KoreanName, true), field("birth", Compare::Year, false)],
        vec![vec![BlockKey::KoreanName("name".into())], vec![BlockKey::Year("birth".into())]],
        Mode::Dedupe,
    );
    let res = link(&d, &c, &mut |_, _, _| {}).unwrap();
    let everywhere: Vec<usize> = (0..d.len()).filter(|&i| d.ids[i].starts_with("everywhere")).collect();
    assert_eq!(everywhere.len(), 4);
    let (a, b) = (everywhere[0], everywhere[1]);
    let mut others: Vec<u32> = res.same_person[a].clone();
    others.sort_unstable();
    assert_eq!(others, [everywhere[1] as u32, everywhere[2] as u32, everywhere[3] as u32], "the first scoring linked all four");
    // Four records read 황보연숙, all of one person: no namesake, so the shared name weighs as
    // a name held by nobody else, two bits more than if the other two records were namesakes.
    let with = explain(&d, &c, &res, a, b).unwrap().1[0].bayes_factor_log2;
    let without = explain(&d, &c, &Linkage::with_params(res.params.clone()), a, b).unwrap().1[0].bayes_factor_log2;
    assert!((with - without - 2.0).abs() < 0.01, "with {with}, counting namesakes by records {without}");
}
