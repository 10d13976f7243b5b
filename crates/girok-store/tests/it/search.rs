//! Search in English and Korean, with filters and confidentiality.

use girok_core::model::{Confidentiality, Kind};
use girok_store::{Archive, SearchQuery};

use crate::{act, archive, event};

fn fixture(dir: &std::path::Path) -> Archive {
    let mut a = archive(dir);
    a.write("coder", |w| {
        w.put(event("evt-1", "Interrogation at Onsong holding centre", "plc-fac-jipkyulso-onsong", "winter 1997"))?;
        w.put(event("evt-2", "요덕 정치범수용소 수감", "plc-fac-kwanliso-15", "2003"))?;
        w.put(act(
            "act-1",
            "evt-1",
            "per-v1",
            "DP0600000000",
            "plc-fac-jipkyulso-onsong",
            "winter 1997",
            "src-a",
            "She was tortured during interrogations by State Security agents (synthetic)",
        ))?;
        w.put(act("act-2", "evt-2", "per-v2", "DP0400000000", "plc-fac-kwanliso-15", "2003", "src-b", "가족 전체가 정치범수용소로 끌려갔다 (합성)"))?;
        w.put(act("act-3", "evt-2", "per-v1", "DP0500000000", "plc-fac-kwanliso-15", "2005", "src-b", "Forced labour in the mines of the camp (synthetic)"))?;
        Ok(())
    })
    .unwrap();
    a
}

fn ids(a: &Archive, q: SearchQuery) -> Vec<String> {
    let mut v: Vec<String> = a.search(&q).unwrap().into_iter().map(|h| h.id).collect();
    v.sort();
    v
}

fn text(t: &str) -> SearchQuery {
    SearchQuery { text: t.into(), ..Default::default() }
}

#[test]
fn english_search_stems() {
    let tmp = tempfile::tempdir().unwrap();
    let a = fixture(tmp.path());
    assert_eq!(ids(&a, text("torture")), ["act-1"]);
    assert_eq!(ids(&a, text("interrogation")), ["act-1", "evt-1"]);
    assert_eq!(ids(&a, text("\"forced labour\"")), ["act-3"]);
    assert!(ids(&a, text("teleportation")).is_empty());
    let hits = a.search(&text("torture")).unwrap();
    assert_eq!(hits[0].snippet.render("[", "]"), "She was [tortured] during interrogations by State Security agents (synthetic) 강제송환 후 고문 신문");
}

#[test]
fn korean_search_finds_two_syllable_queries_inside_words() {
    let tmp = tempfile::tempdir().unwrap();
    let a = fixture(tmp.path());
    // The Yodok camp's gazetteer alias "요덕수용소" matches too.
    assert_eq!(ids(&a, text("수용소")), ["act-2", "evt-2", "plc-fac-kwanliso-15"]);
    assert_eq!(ids(&a, text("정치범")), ["act-2", "evt-2"]);
    assert_eq!(ids(&a, text("가족")), ["act-2"]);
    assert_eq!(ids(&a, text("끌려")), ["act-2"]);
    assert!(ids(&a, text("수용소 torture")).is_empty(), "terms are ANDed");
    let hit = a.search(&text("정치범수용소")).unwrap().into_iter().find(|h| h.id == "act-2").unwrap();
    assert_eq!(hit.snippet.render("[", "]"), "가족 전체가 [정치범수용소]로 끌려갔다 (합성) [정치범수용소] 수감");
}

#[test]
fn filters_by_act_type_place_date_source_and_confidentiality() {
    let tmp = tempfile::tempdir().unwrap();
    let a = fixture(tmp.path());
    // Act type: the ESF parent "violations against personal integrity" covers the DP torture extension.
    let q = SearchQuery { act_type: Some("020000000000".into()), kinds: vec![Kind::Act], ..Default::default() };
    assert_eq!(ids(&a, q), ["act-1"]);
    // Place: everything inside South Hamgyong (Yodok), and events inherit their acts' facets.
    let q = SearchQuery { place: Some("plc-kp-03".into()), ..Default::default() };
    assert_eq!(ids(&a, q), ["act-2", "act-3", "evt-2"]);
    // Dates overlap: winter 1997 reaches into 1998.
    let from = girok_core::Day::from_ymd(1998, 1, 1).ok();
    let to = girok_core::Day::from_ymd(1998, 12, 31).ok();
    assert_eq!(ids(&a, SearchQuery { from, to, ..Default::default() }), ["act-1", "evt-1"]);
    assert_eq!(ids(&a, SearchQuery { source: Some("src-b".into()), kinds: vec![Kind::Act], ..Default::default() }), ["act-2", "act-3"]);
    // Text and filters combine.
    assert_eq!(ids(&a, SearchQuery { text: "수용소".into(), source: Some("src-a".into()), ..Default::default() }), Vec::<String>::new());
    // Confidentiality: persons are restricted in the fixture; a viewer's ceiling hides them.
    let q = SearchQuery { text: "김철수".into(), max_confidentiality: Confidentiality::Internal, ..Default::default() };
    assert!(ids(&a, q).is_empty());
    let q = SearchQuery { text: "김철수".into(), max_confidentiality: Confidentiality::Restricted, ..Default::default() };
    assert_eq!(ids(&a, q), ["per-v1"]);
}

#[test]
fn index_follows_updates_and_deletes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = fixture(tmp.path());
    a.write("coder", |w| {
        w.put(crate::act("act-1", "evt-1", "per-v1", "DP0600000000", "plc-fac-jipkyulso-onsong", "winter 1997", "src-a", "Beaten repeatedly (synthetic)"))
    })
    .unwrap();
    assert!(ids(&a, text("agents")).is_empty(), "the old description is gone from the index");
    assert_eq!(ids(&a, text("beaten")), ["act-1"]);
    a.write("coder", |w| w.delete("act-1")).unwrap();
    assert!(ids(&a, text("beaten")).is_empty());
}

#[test]
fn regression_12_any_spelling_of_a_name_finds_the_person_and_the_documents_naming_them() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    a.write("coder", |w| w.put(crate::person("per-hong", "홍혜복", "Hong Hye-bok"))).unwrap();
    let mut doc = |name: &str, text: &str| -> String {
        let out = a
            .write("intake", |w| {
                w.add_bytes(name, text.as_bytes(), &girok_store::IntakeMeta::default())
                    .map_err(|e| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() })
            })
            .unwrap();
        match out {
            girok_store::IntakeOutcome::Added { id, .. } => id,
            other => panic!("{other:?}"),
        }
    };
    let english = doc("en.txt", "SYNTHETIC testimony. The witness saw Hong Hye-bok taken away in 1998.");
    let korean = doc("ko.txt", "합성 증언. 증인은 홍혜복이 1998년에 끌려가는 것을 보았다.");
    let other = doc("other.txt", "SYNTHETIC testimony about Kim Chol-su, who was never seen again.");
    let found =
        |q: &str| -> Vec<String> { a.search(&SearchQuery { text: q.into(), limit: 50, ..Default::default() }).unwrap().into_iter().map(|h| h.id).collect() };
    for q in ["Hong Hyebok", "Hong Hye-bok", "Hong Hye Bok", "Hong Hyepok", "홍혜복", "HONG Hye Bok", "Hyebok Hong"] {
        let hits = found(q);
        for want in ["per-hong", english.as_str(), korean.as_str()] {
            assert!(hits.iter().any(|h| h == want), "{q:?} misses {want}: {hits:?}");
        }
        assert!(!hits.contains(&other), "{q:?} finds another person's testimony: {hits:?}");
    }
    // Words that are not a name are searched as words.
    assert!(found("taken away").contains(&english));
    let r = a.verify(&mut |_, _| {}).unwrap();
    assert!(r.ok(), "{:?}", r.problems);
}
