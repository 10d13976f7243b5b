//! The workflows on a real (temporary) archive. All data is synthetic.

use girok_core::model::{Kind, Record, SealedIdentity};
use girok_core::Confidentiality;
use girok_store::{Archive, CreateOptions, KdfParams, KeySource, Role};
use serde_json::json;

use crate::{create, edit, history, identity, read, restore, retire, seal_identity, Actor, DomainError};

fn archive(dir: &std::path::Path) -> Archive {
    Archive::create(&dir.join("a"), &KeySource::passphrase("synthetic test passphrase"), CreateOptions { kdf: KdfParams::WEAK_FOR_TESTS, seed_gazetteer: true })
        .unwrap()
}

fn who(role: Role, clearance: bool) -> Actor {
    Actor { username: format!("{}-user", role.as_str()), role, identity_clearance: clearance }
}

/// A documentation chain as a documenter types it (synthetic people, labels and typed dates).
fn chain(a: &mut Archive, doc: &Actor) -> (String, String, String, String) {
    let source = create(a, doc, json!({ "record": "source", "pseudonym": "W-SYN-1", "kind": "witness", "organisation": "Synthetic Project A", "confidentiality": "restricted", "synthetic": true })).unwrap().id;
    let son = create(a, doc, json!({ "record": "person", "names": ["hangul:김영호", "mr:Kim Yŏng-ho"], "birth": "circa 1975", "origin": "Hoeryong", "confidentiality": "restricted", "synthetic": true })).unwrap().id;
    let mother = create(
        a,
        doc,
        json!({ "record": "person", "names": ["박순자"], "relationships": [{ "kind": "mother", "other": son }], "confidentiality": "restricted", "synthetic": true }),
    )
    .unwrap()
    .id;
    let event = create(a, doc, json!({ "record": "event", "title": "Forcible return (synthetic)", "place": "Onsong", "date": "winter 1997", "confidentiality": "internal", "synthetic": true })).unwrap().id;
    (source, son, mother, event)
}

#[test]
fn a_documenter_creates_a_chain_typed_with_labels_names_and_dates() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let doc = who(Role::Documenter, false);
    let (source, son, mother, event) = chain(&mut a, &doc);
    let act = create(
        &mut a,
        &doc,
        json!({ "record": "act", "event": event, "victim": son, "act_type": "강제송환", "date": "December 1997", "source": source, "connection": "victim him/herself", "confidentiality": "restricted", "synthetic": true }),
    )
    .unwrap();
    let Record::Act(stored) = a.get(&act.id).unwrap() else { panic!() };
    assert_eq!(stored.act_type, "DP0100000000", "the Korean label became the code");
    let Record::Person(p) = a.get(&son).unwrap() else { panic!() };
    assert_eq!(p.names.len(), 2);
    assert_eq!(p.names[1].script, girok_core::model::Script::McCuneReischauer);
    assert!(p.origin.as_deref().unwrap().starts_with("plc-"), "the town name became a gazetteer id");
    let Record::Person(m) = a.get(&mother).unwrap() else { panic!() };
    assert_eq!(m.relationships[0].other, son);
    assert!(a.verify(&mut |_, _| {}).unwrap().ok());
}

#[test]
fn a_stale_edit_is_refused_with_what_changed_and_nothing_is_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let doc = who(Role::Documenter, false);
    let (_, _, _, event) = chain(&mut a, &doc);
    let v0 = read(&a, &doc, &event).unwrap().version;
    // Two documenters open version v0; the first corrects the date.
    let first = edit(&mut a, &doc, &event, v0, json!({ "date": "January 1998" }), None).unwrap();
    assert!(first.version > v0);
    let err = edit(&mut a, &doc, &event, v0, json!({ "title": "Return (synthetic), corrected" }), None).unwrap_err();
    match &err {
        DomainError::Stale { base, current, changes, .. } => {
            assert_eq!((*base, *current), (v0, first.version));
            assert!(changes.iter().any(|c| c.field == "date.text"), "{changes:?}");
        }
        other => panic!("{other}"),
    }
    let Record::Event(e) = a.get(&event).unwrap() else { panic!() };
    assert_eq!(e.date.unwrap().text, "January 1998", "the first correction stands");
    // Against the current version the second edit goes through.
    edit(&mut a, &doc, &event, first.version, json!({ "title": "Return (synthetic), corrected" }), None).unwrap();
    let h = history(&a, &doc, &event).unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[1].changes.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(), ["date.earliest", "date.latest", "date.precision", "date.text"]);
    assert_eq!(h[2].changes.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(), ["title"]);
}

#[test]
fn careful_checks_name_the_field_and_suggest() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let doc = who(Role::Documenter, false);
    let (source, son, _, event) = chain(&mut a, &doc);
    let act = |t: &str, date: &str| json!({ "record": "act", "event": event, "victim": son, "act_type": t, "date": date, "source": source, "synthetic": true });
    let err = create(&mut a, &doc, act("연좌제", "1997")).unwrap_err();
    assert_eq!(err.field(), Some("act_type"));
    assert!(err.to_string().contains("연좌제 처벌"), "{err}");
    let err = create(&mut a, &doc, act("torture", "2005")).unwrap_err();
    assert_eq!(err.field(), Some("date"), "{err}");
    assert!(err.to_string().contains("cannot overlap"), "{err}");
    let v = read(&a, &doc, &son).unwrap().version;
    let err = edit(&mut a, &doc, &son, v, json!({ "relationships": [{ "kind": "son", "other": son }] }), None).unwrap_err();
    assert_eq!(err.field(), Some("relationships"), "{err}");
    let err = create(&mut a, &doc, json!({ "record": "event", "title": "x", "place": "Nowhere-on-earth" })).unwrap_err();
    assert_eq!(err.field(), Some("place"), "{err}");
    let err = create(&mut a, &doc, json!({ "record": "event", "title": "x", "date": "the 31st of February 1997" })).unwrap_err();
    assert_eq!(err.field(), Some("date"), "{err}");
    let err = create(&mut a, &doc, json!({ "record": "person", "names": [""] })).unwrap_err();
    assert_eq!(err.field(), Some("names"), "{err}");
}

#[test]
fn confidentiality_changes_need_a_reason_and_roles_are_held_to_their_ceiling() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let doc = who(Role::Documenter, false);
    let (_, _, _, event) = chain(&mut a, &doc);
    let v = read(&a, &doc, &event).unwrap().version;
    let err = edit(&mut a, &doc, &event, v, json!({ "confidentiality": "public" }), None).unwrap_err();
    assert_eq!(err.field(), Some("reason"));
    edit(&mut a, &doc, &event, v, json!({ "confidentiality": "public" }), Some("cleared for the 2026 briefing")).unwrap();
    let notes = a.history(&event).unwrap();
    assert!(notes.iter().any(|e| e.action == "change_confidentiality" && e.content.as_deref().unwrap().contains("cleared for the 2026 briefing")));
    let viewer = who(Role::Viewer, false);
    assert!(matches!(create(&mut a, &viewer, json!({ "record": "event", "title": "x" })), Err(DomainError::Forbidden(_))));
    let secret = create(&mut a, &doc, json!({ "record": "event", "title": "SYNTHETIC restricted", "confidentiality": "restricted" })).unwrap().id;
    assert!(matches!(read(&a, &viewer, &secret), Err(DomainError::NotFound(_))), "above the viewer's ceiling: not found");
}

#[test]
fn retired_records_vanish_for_readers_and_an_admin_restores_them() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let doc = who(Role::Documenter, false);
    let admin = who(Role::Admin, false);
    let (_, _, _, event) = chain(&mut a, &doc);
    let visible = |a: &Archive| a.list_for(Kind::Event, Confidentiality::Restricted).unwrap().iter().any(|r| r.id() == event);
    let found = |a: &Archive| {
        let q = girok_store::SearchQuery { text: "return".into(), ..Default::default() };
        a.search(&q).unwrap().iter().any(|h| h.id == event)
    };
    assert!(visible(&a) && found(&a));
    assert!(retire(&mut a, &doc, &event, "").is_err(), "a reason is needed");
    retire(&mut a, &doc, &event, "duplicate of another testimony's event").unwrap();
    assert!(!visible(&a) && !found(&a), "hidden from lists and search");
    assert!(matches!(read(&a, &doc, &event), Err(DomainError::NotFound(_))));
    assert!(read(&a, &admin, &event).unwrap().retired, "an admin still sees it, marked retired");
    let v = read(&a, &admin, &event).unwrap().version;
    assert!(edit(&mut a, &admin, &event, v, json!({ "title": "x" }), None).is_err(), "no edits while retired");
    assert!(matches!(restore(&mut a, &doc, &event, "mistake"), Err(DomainError::Forbidden(_))));
    restore(&mut a, &admin, &event, "not a duplicate after all").unwrap();
    assert!(visible(&a) && found(&a));
    let r = a.verify(&mut |_, _| {}).unwrap();
    assert!(r.ok(), "{:?}", r.problems);
    // Tampering with the flag outside Girok is named.
    a.raw_connection_for_tests().execute("UPDATE records SET retired = 1 WHERE id = ?1", [&event]).unwrap();
    let r = a.verify(&mut |_, _| {}).unwrap();
    assert!(r.problems.contains(&girok_store::Problem::RetirementAltered { id: event.clone() }), "{:?}", r.problems);
}

#[test]
fn sealed_identities_need_clearance_and_never_reach_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let doc = who(Role::Documenter, false);
    let cleared = who(Role::Documenter, true);
    let (source, _, _, _) = chain(&mut a, &doc);
    let id = SealedIdentity {
        source: source.clone(),
        legal_name: "SYNTHETIC-NAME-ONLY".into(),
        contact: "SYNTHETIC-CONTACT".into(),
        notes: "interviewed in a synthetic town".into(),
    };
    assert!(matches!(seal_identity(&mut a, &doc, &id), Err(DomainError::NotFound(_))), "without clearance it is as if there were no such source");
    seal_identity(&mut a, &cleared, &id).unwrap();
    assert!(matches!(identity(&mut a, &doc, &source), Err(DomainError::NotFound(_))));
    assert_eq!(identity(&mut a, &cleared, &source).unwrap().unwrap().legal_name, "SYNTHETIC-NAME-ONLY");
    let log = a.audit_entries(None, 0, i64::MAX).unwrap();
    assert!(log.iter().any(|e| e.action == "reveal_sealed_identity"), "the viewing is audited");
    assert!(!log.iter().any(|e| e.content.as_deref().unwrap_or("").contains("SYNTHETIC-NAME-ONLY")), "the content never is");
}

#[test]
fn a_document_can_be_described_but_its_original_never_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let doc = who(Role::Documenter, false);
    let out = a
        .write("intake", |w| {
            w.add_bytes("t.txt", b"SYNTHETIC testimony", &girok_store::IntakeMeta::default())
                .map_err(|e| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() })
        })
        .unwrap();
    let girok_store::IntakeOutcome::Added { id, .. } = out else { panic!() };
    let v = read(&a, &doc, &id).unwrap().version;
    let err = edit(&mut a, &doc, &id, v, json!({ "sha256": "0".repeat(64) }), None).unwrap_err();
    assert_eq!(err.field(), Some("sha256"));
    edit(&mut a, &doc, &id, v, json!({ "title": "Interview W-SYN-1, corrected title", "language": "ko" }), None).unwrap();
    assert!(matches!(create(&mut a, &doc, json!({ "record": "document", "title": "x" })), Err(DomainError::Invalid { .. })));
}

#[test]
fn durations_victim_status_event_links_and_closed_areas() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let doc = who(Role::Documenter, false);
    let (source, son, _, event) = chain(&mut a, &doc);
    let camp = create(&mut a, &doc, json!({ "record": "event", "title": "Kyohwaso term (synthetic)", "place": "plc-fac-kyohwaso-12", "date": "between 1998 and 2001", "links": [{ "kind": "Event which is a consequence of another event", "event": event }] })).unwrap().id;
    let Record::Event(e) = a.get(&camp).unwrap() else { panic!() };
    assert_eq!(e.links[0].kind, "230000000000", "the ESF chain-of-events label became its code");
    // Three months to three years of forced labour: a start and an end.
    let act = json!({ "record": "act", "event": camp, "victim": son, "act_type": "Forced labour in detention (kyohwaso or labour training unit)", "date": "March 1998", "end": "2001", "victim_status": "Arrested and released - underwent trial and served sentence", "source": source });
    let id = create(&mut a, &doc, act.clone()).unwrap().id;
    let Record::Act(x) = a.get(&id).unwrap() else { panic!() };
    assert_eq!(x.victim_status.as_deref(), Some("020105000000"));
    assert!(x.end.unwrap().latest.unwrap() > x.date.unwrap().earliest.unwrap());
    let mut backwards = act;
    backwards["end"] = json!("1997");
    let err = create(&mut a, &doc, backwards).unwrap_err();
    assert_eq!(err.field(), Some("end"), "{err}");
    // A county closed to outside agencies.
    let county = create(
        &mut a,
        &doc,
        json!({ "record": "place", "name": "Synthetic County", "kind": "county", "parent": "North Hamgyong Province", "access": "closed" }),
    )
    .unwrap()
    .id;
    let Record::Place(p) = a.get(&county).unwrap() else { panic!() };
    assert_eq!(p.access, Some(girok_core::model::Access::Closed));
    assert!(a.verify(&mut |_, _| {}).unwrap().ok());
}

#[test]
fn regression_12_merged_events_are_corroborated_and_their_victim_counted_once() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let doc = who(Role::Documenter, false);
    let analyst = who(Role::Analyst, false);
    // Two organisations' witnesses tell of one SYNTHETIC forcible return; each documenter
    // opened their own person and event records.
    let mut told = Vec::new();
    let mut sources = Vec::new();
    for (org, name) in [("Synthetic Project A", "김영호"), ("Synthetic Project B", "Kim Yong-ho")] {
        let source = create(&mut a, &doc, json!({ "record": "source", "pseudonym": format!("W-{org}"), "kind": "witness", "organisation": org, "confidentiality": "internal", "synthetic": true })).unwrap().id;
        let victim = create(&mut a, &doc, json!({ "record": "person", "names": [name], "confidentiality": "internal", "synthetic": true })).unwrap().id;
        let event = create(&mut a, &doc, json!({ "record": "event", "title": format!("Forcible return told to {org} (synthetic)"), "place": "Onsong", "date": "March 2010", "confidentiality": "internal", "synthetic": true })).unwrap().id;
        create(&mut a, &doc, json!({ "record": "act", "event": event, "victim": victim, "act_type": "DP0100000000", "date": "March 2010", "source": source, "confidentiality": "internal", "synthetic": true })).unwrap();
        told.push(event);
        sources.push(source);
    }
    // An unrelated event by the second organisation, elsewhere and years later: never proposed.
    let other = create(&mut a, &doc, json!({ "record": "event", "title": "Public execution (synthetic)", "place": "Hamhung", "date": "2016", "confidentiality": "internal", "synthetic": true })).unwrap().id;
    let _ = other;
    let query = || girok_store::CaptureQuery {
        act_type: "DP0100000000".into(),
        from_year: None,
        to_year: None,
        stratify: girok_store::Stratify::None,
        max_confidentiality: Confidentiality::Internal,
        organisations: None,
    };
    let before = a.corroboration_counts(Confidentiality::Internal).unwrap();
    assert_eq!((before.corroborated, before.single), (0, 2));
    assert_eq!(a.capture_tables(&query()).unwrap()[0].counts.iter().sum::<u64>(), 2, "two victims before the merge");

    let p = crate::event_linking::propose_duplicate_events(&mut a, &analyst, 0.8).unwrap();
    assert_eq!(p.queued, 1, "{p:?}");
    let item = a.review_queue(Some("open")).unwrap().into_iter().find(|i| i.kind == "event").unwrap();
    let mut pair = [item.left.clone(), item.right.clone()];
    pair.sort();
    let mut expected = told.clone();
    expected.sort();
    assert_eq!(pair.to_vec(), expected);
    assert!(item.detail.contains("same place") && item.detail.contains("same act type"), "the waterfall says why: {}", item.detail);
    // Proposing again queues nothing new; a viewer may not propose.
    assert_eq!(crate::event_linking::propose_duplicate_events(&mut a, &analyst, 0.8).unwrap().queued, 0);
    assert!(crate::event_linking::propose_duplicate_events(&mut a, &who(Role::Viewer, false), 0.8).is_err());

    crate::accounts::decide_review(&mut a, &analyst, item.id, girok_store::ReviewDecision::Accept).unwrap();
    let after = a.corroboration_counts(Confidentiality::Internal).unwrap();
    assert_eq!((after.corroborated, after.single), (1, 0), "one event, reported by both organisations");
    assert_eq!(a.event_organisations(&item.left, Confidentiality::Internal).unwrap(), vec!["Synthetic Project A", "Synthetic Project B"]);
    let t = &a.capture_tables(&query()).unwrap()[0];
    assert_eq!(t.counts.iter().sum::<u64>(), 1, "the merged event's victim counted once");
    assert_eq!(t.counts[0b11], 1, "on both lists");
    // Reversible, and audited.
    crate::accounts::decide_review(&mut a, &analyst, item.id, girok_store::ReviewDecision::Undo).unwrap();
    assert_eq!(a.corroboration_counts(Confidentiality::Internal).unwrap().corroborated, 0);
    // A retired source takes its organisation's acts off the lists; restored, they return.
    let admin = who(Role::Admin, true);
    retire(&mut a, &admin, &sources[1], "synthetic test: entered twice").unwrap();
    let t = a.capture_tables(&query()).unwrap();
    assert_eq!((t.len(), t[0].lists.len()), (1, 1), "one list left: {t:?}");
    restore(&mut a, &admin, &sources[1], "synthetic test: not a duplicate").unwrap();
    assert_eq!(a.capture_tables(&query()).unwrap()[0].lists.len(), 2);
    assert!(a.verify(&mut |_, _| {}).unwrap().ok());
}

#[test]
fn regression_13_a_briefing_quotes_indicators_with_sources_and_never_above_its_level() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let add = |a: &mut Archive, name: &str, text: &str, conf: Confidentiality| {
        let meta = girok_store::IntakeMeta { confidentiality: conf, ..Default::default() };
        let out = a
            .write("intake", |w| {
                w.add_bytes(name, text.as_bytes(), &meta).map_err(|e| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() })
            })
            .unwrap();
        let girok_store::IntakeOutcome::Added { id, .. } = out else { panic!() };
        id
    };
    let public_doc = add(&mut a, "survey.txt", "SYNTHETIC survey: infant mortality rose to 48 per thousand.", Confidentiality::Public);
    let secret_doc = add(&mut a, "secret.txt", "SYNTHETIC restricted note SECRET-QUOTE about 52.", Confidentiality::Restricted);
    let value = |year: i32, v: f64, doc: &str, span: (u64, u64)| json!({ "year": year, "value": v, "citation": { "document": doc, "span": [span.0, span.1] } });
    let series = json!({ "record": "indicator", "name": "Infant mortality (SYNTHETIC)", "unit": "per 1,000", "source": "Synthetic survey, 2026",
        "values": [value(1999, 48.0, &public_doc, (18, 58)), value(2001, 52.0, &secret_doc, (0, 47))], "confidentiality": "public", "synthetic": true });
    let admin = who(Role::Admin, false);
    let public_series = create(&mut a, &admin, series).unwrap().id;
    let hidden = create(&mut a, &admin, json!({ "record": "indicator", "name": "HIDDEN-SERIES", "unit": "x", "source": "s", "values": [{ "year": 2000, "value": 1.0 }], "confidentiality": "restricted", "synthetic": true })).unwrap().id;
    let options = |ids: Option<Vec<String>>| girok_store::BriefingOptions {
        level: Confidentiality::Public,
        lang: "en".into(),
        min_cell: 5,
        title: None,
        indicators: ids,
    };
    let b = a.briefing(&options(None)).unwrap();
    assert_eq!(b.indicators.len(), 1, "the restricted series stays out");
    let points = &b.indicators[0].points;
    assert_eq!(points[0].citation.as_deref(), Some("infant mortality rose to 48 per thousand"), "the public passage is quoted");
    assert_eq!(points[1].citation, None, "a passage in a restricted document is not");
    assert!(points.iter().all(|p| p.source == "Synthetic survey, 2026"));
    let html: String = girok_publish::render(&b).into_iter().map(|f| String::from_utf8(f.bytes).unwrap()).collect();
    assert!(!html.contains("SECRET-QUOTE") && !html.contains("HIDDEN-SERIES"), "nothing above the level reaches any file");
    // Chosen by id: a series above the level is refused by name, not quietly dropped.
    assert_eq!(a.briefing(&options(Some(vec![public_series.clone()]))).unwrap().indicators.len(), 1);
    let err = a.briefing(&options(Some(vec![hidden.clone()]))).unwrap_err().to_string();
    assert!(err.contains(&hidden) && err.contains("level"), "{err}");
}

/// Saved briefings: a reference above the briefing's level stops it, naming the section and
/// the record and nothing of its content; persons are never cited; saved versions run again.
#[test]
fn briefings_check_every_reference_against_their_level() {
    use crate::briefing::{self, BriefingTemplate};
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let doc = who(Role::Documenter, false);
    let (_, son, _, event) = chain(&mut a, &doc);
    let public = create(
        &mut a,
        &doc,
        json!({ "record": "event", "title": "Public hearing (synthetic)", "date": "2001", "confidentiality": "public", "synthetic": true }),
    )
    .unwrap()
    .id;
    let analyst = who(Role::Analyst, false);
    let toml = |cite: &str| {
        format!(
            "name = \"test-briefing\"\nlevel = \"public\"\n[[sections]]\nheading = \"Findings\"\ntext = \"As reported [[{public}]].\"\n[[sections]]\nheading = \"Recommendations\"\nkind = \"recommendations\"\n[[sections.recommendations]]\nto = \"The government\"\nwhat = \"Investigate [[{cite}]]\"\nwhen = \"now\"\n"
        )
    };
    // The internal event cited in a public briefing: refused, by section and id only.
    let t = BriefingTemplate::from_toml(&toml(&event)).unwrap();
    let err = briefing::build(&a, &analyst, &t, None).unwrap_err().to_string();
    assert!(err.contains("\"Recommendations\"") && err.contains(&event) && err.contains("above the briefing's public level"), "{err}");
    assert!(!err.contains("Forcible return"), "the record's content never appears: {err}");
    assert!(briefing::save(&mut a, &analyst, &t).is_err(), "a template that cannot be published is not saved");
    // A person, even a public one, is never cited.
    let t = BriefingTemplate::from_toml(&toml(&son)).unwrap();
    let admin = who(Role::Admin, true);
    let mut restricted = t.clone();
    restricted.level = Confidentiality::Restricted;
    let err = briefing::build(&a, &admin, &restricted, None).unwrap_err().to_string();
    assert!(err.contains("never persons or sources"), "{err}");
    // Cited at or below the level: published, numbered, and saved versions run again.
    let t = BriefingTemplate::from_toml(&toml(&public)).unwrap();
    briefing::save(&mut a, &analyst, &t).unwrap();
    let loaded = briefing::load(&a, &analyst, "test-briefing").unwrap();
    assert_eq!(loaded, t);
    let files = briefing::render(&a, &analyst, &loaded, None).unwrap();
    let html = String::from_utf8(files.iter().find(|f| f.name == "briefing.html").unwrap().bytes.clone()).unwrap();
    assert!(html.contains("Public hearing (synthetic) (2001)") && html.contains("<td>The government</td>"), "{html}");
    assert_eq!(files, briefing::render(&a, &analyst, &loaded, None).unwrap(), "byte-identical for the same state");
    // Viewers do not publish.
    assert!(matches!(briefing::build(&a, &who(Role::Viewer, false), &t, None), Err(DomainError::Forbidden(_))));
    // A reader below a record's level is not told it exists.
    let mut internal = t.clone();
    internal.level = Confidentiality::Internal;
    internal.sections[0].text = "[[per-does-not-exist]]".into();
    let err = briefing::build(&a, &analyst, &internal, None).unwrap_err().to_string();
    assert!(err.contains("no such record"), "{err}");
}

/// Levenshtein distance over characters.
fn edits(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Character error rate of each known line against the recognised line closest to it, over
/// the characters other than spaces (Korean word spacing varies between writers, and a
/// misplaced space changes nothing a search or a citation finds).
fn cer(known: &[&str], recognised: &str) -> Vec<f64> {
    let bare = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    known
        .iter()
        .map(|k| {
            let k = bare(k);
            recognised.lines().map(|l| edits(&k, &bare(l)) as f64 / k.chars().count() as f64).fold(f64::INFINITY, f64::min)
        })
        .collect()
}

fn tesseract_available() -> bool {
    let required = std::env::var_os("CI").is_some() || std::env::var_os("GIROK_E2E").is_some();
    let ok = std::process::Command::new("tesseract").arg("--version").output().is_ok_and(|o| o.status.success())
        && std::process::Command::new("pdftoppm").arg("-v").output().is_ok();
    assert!(ok || !required, "tesseract-ocr and poppler-utils are installed by scripts/test.sh");
    if !ok {
        eprintln!("skipped: no tesseract here (scripts/test.sh installs it)");
    }
    ok
}

/// A scanned page, rendered from known Korean and English text (a PDF typeset by girok-pdf,
/// turned into an image by pdftoppm: no text layer left), is taken in, waits for OCR, and is
/// recognised: its text searches and cites like any other, with the engine's confidence.
#[test]
fn regression_14_a_scanned_page_is_recognised_in_korean_and_english() {
    if !tesseract_available() {
        return;
    }
    let known = ["합성 증언 2009년 회령에서 강제송환되었다", "SYNTHETIC testimony: returned from China in 2009"];
    let briefing = girok_publish::Briefing::text_only(
        "SYNTHETIC scan",
        "ko",
        vec![girok_publish::Section {
            kind: girok_publish::SectionKind::Narrative,
            heading: "Page".into(),
            text: format!("{}\n\n{}", known[0], known[1]),
            recommendations: vec![],
        }],
    );
    let pdf = girok_pdf::briefing_pdf(&briefing, &girok_pdf::system_fonts().expect("fonts-nanum is installed by scripts/test.sh")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("page.pdf"), &pdf).unwrap();
    let png = std::process::Command::new("pdftoppm")
        .args(["-r", "300", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile"])
        .arg(tmp.path().join("page.pdf"))
        .arg(tmp.path().join("scan"))
        .status()
        .unwrap();
    assert!(png.success());
    let scan = tmp.path().join("scan.png");

    let mut a = archive(tmp.path());
    let editor = who(Role::Documenter, false);
    let taken = crate::take_in(&mut a, &editor, &crate::Provenance::default(), vec![crate::Received::Path(scan)], &mut |_| {}).unwrap();
    let Ok(girok_store::IntakeOutcome::Added { id, text_chars, warning, .. }) = &taken[0].result else { panic!("{:?}", taken[0].result) };
    assert_eq!(*text_chars, 0);
    assert!(warning.as_deref().unwrap_or("").contains("OCR"), "{warning:?}");
    let mut pages = 0;
    let done = crate::recognise(&mut a, &editor, None, &mut |_, p, _| pages = p).unwrap();
    assert_eq!(done.len(), 1, "the one scan waiting was recognised");
    let Ok(girok_core::model::TextOrigin::Ocr { confidence, .. }) = &done[0].origin else { panic!("{:?}", done[0].origin.as_ref().err()) };
    assert_eq!(pages, 1);
    let text = a.document_text(id).unwrap().unwrap();
    let rates = cer(&known, &text);
    println!("OCR character error rate: Korean {:.3}, English {:.3}; mean confidence {confidence:.0}%", rates[0], rates[1]);
    assert!(rates.iter().all(|r| *r <= 0.2), "character error rates {rates:?} on:\n{text}");
    let Record::Document(d) = a.get(id).unwrap() else { panic!() };
    assert_eq!(d.text_chars, text.chars().count() as u64);
    assert!(a.ocr_pending().unwrap().is_empty());
    let hits = a.search(&girok_store::SearchQuery { text: "회령".into(), limit: 10, ..Default::default() }).unwrap();
    assert!(hits.iter().any(|h| &h.id == id), "the recognised text is searchable");
    assert!(a.verify(&mut |_, _| {}).unwrap().problems.is_empty());
    // A reader may not run it; a PDF page is recognised the same way.
    assert!(matches!(crate::recognise(&mut a, &who(Role::Analyst, false), None, &mut |_, _, _| {}), Err(DomainError::Forbidden(_))));
    let pdf_doc = a
        .write("intake", |w| {
            w.add_bytes("page.pdf", &pdf, &girok_store::IntakeMeta::default())
                .map_err(|e| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() })
        })
        .unwrap();
    let girok_store::IntakeOutcome::Added { id: pdf_id, .. } = pdf_doc else { panic!() };
    let done = crate::recognise(&mut a, &editor, Some(vec![pdf_id.clone()]), &mut |_, _, _| {}).unwrap();
    assert!(matches!(done[0].origin, Ok(girok_core::model::TextOrigin::Ocr { pages: 1, .. })), "{:?}", done[0].origin.as_ref().err());
    let rates = cer(&known, &a.document_text(&pdf_id).unwrap().unwrap());
    println!("OCR of the PDF page: character error rates {rates:?}");
    assert!(rates.iter().all(|r| *r <= 0.2), "{rates:?}");
}

/// A Korean testimony and its English translation: recorded as such, both searchable, and a
/// passage cited in the translation points at the same paragraph of the original.
#[test]
fn regression_14_a_translation_is_linked_to_its_original_passage_by_passage() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let editor = who(Role::Documenter, false);
    let add = |a: &mut Archive, name: &str, text: &str| -> String {
        let out = a
            .write("intake", |w| {
                w.add_bytes(name, text.as_bytes(), &girok_store::IntakeMeta::default())
                    .map_err(|e| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() })
            })
            .unwrap();
        let girok_store::IntakeOutcome::Added { id, .. } = out else { panic!() };
        id
    };
    let original = add(&mut a, "ko.txt", "합성 증언입니다.\n\n저는 2009년에 온성 집결소에 갇혔습니다.\n\n그 뒤 노동단련대로 보내졌습니다.");
    let english = "SYNTHETIC testimony.\n\nIn 2009 I was held at the Onsong holding centre.\n\nAfterwards I was sent to a labour training unit.";
    let translation = add(&mut a, "en.txt", english);
    crate::translation::record_translation(&mut a, &editor, &translation, &original, Some("en"), Some("Translator T (synthetic)"), Some("2026-11")).unwrap();
    let Record::Document(d) = a.get(&translation).unwrap() else { panic!() };
    assert_eq!(d.translation_of.as_ref().unwrap().original, original);
    assert_eq!(d.translation_of.as_ref().unwrap().translator.as_deref(), Some("Translator T (synthetic)"));
    // Search finds either.
    let hit = |q: &str| {
        a.search(&girok_store::SearchQuery { text: q.into(), limit: 10, ..Default::default() }).unwrap().into_iter().map(|h| h.id).collect::<Vec<_>>()
    };
    assert!(hit("Onsong").contains(&translation) && hit("온성").contains(&original));
    // The second paragraph of the translation renders the second of the original.
    let start = english.find("In 2009").unwrap() as u64;
    let cite = girok_core::model::Citation { document: translation.clone(), span: Some((start + 3, start + 10)) };
    let back = crate::translation::original_passage(&a, &editor, &cite).unwrap().unwrap();
    assert_eq!(back.document, original);
    let text = a.document_text(&original).unwrap().unwrap();
    let (s, e) = back.span.unwrap();
    let quoted: String = text.chars().skip(s as usize).take((e - s) as usize).collect();
    assert_eq!(quoted, "저는 2009년에 온성 집결소에 갇혔습니다.");
    // Not a translation: nothing to point at; a document cannot translate itself.
    assert!(crate::translation::original_passage(&a, &editor, &girok_core::model::Citation { document: original.clone(), span: Some((0, 3)) })
        .unwrap()
        .is_none());
    assert!(crate::translation::record_translation(&mut a, &editor, &original, &original, None, None, None).is_err());
    assert!(matches!(
        crate::translation::record_translation(&mut a, &who(Role::Viewer, false), &translation, &original, None, None, None),
        Err(DomainError::Forbidden(_))
    ));
}

#[test]
fn linkage_inputs_are_the_persons_linkage_reads_at_the_chosen_level() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(dir.path());
    let doc = who(Role::Documenter, false);
    let (_, son, mother, _) = chain(&mut a, &doc);
    let open = create(
        &mut a,
        &doc,
        json!({ "record": "person", "names": ["mr:Ri, Ch'ŏl-su", "이철수"], "birth": "1968", "origin": "Onsong", "sex": "male", "confidentiality": "internal", "synthetic": true }),
    )
    .unwrap()
    .id;
    let read_csv = |level: Confidentiality| {
        let mut out = Vec::new();
        let n = crate::linking::write_person_inputs(&a, &doc, level, &mut out).unwrap();
        let mut rdr = csv::Reader::from_reader(out.as_slice());
        assert_eq!(rdr.headers().unwrap().iter().collect::<Vec<_>>(), crate::linking::PERSON_INPUT_COLUMNS);
        let rows: Vec<Vec<String>> = rdr.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
        assert_eq!(rows.len(), n);
        rows
    };
    // Internal: the restricted son and mother are not in the file.
    let rows = read_csv(Confidentiality::Internal);
    assert_eq!(rows.len(), 1);
    // The Hangul form is its own column whatever order the names were typed in; the comma in
    // the romanisation is quoted, not a new column.
    assert_eq!(rows[0], vec![open.clone(), "이철수".into(), "Ri, Ch'ŏl-su".into(), "1968".into(), rows[0][4].clone(), "male".into()]);
    assert!(!rows[0][4].is_empty(), "the origin is a place id");
    let rows = read_csv(Confidentiality::Restricted);
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert!(ids.contains(&son.as_str()) && ids.contains(&mother.as_str()) && ids.len() == 3);
    let son_row = rows.iter().find(|r| r[0] == son).unwrap();
    // "circa 1975" is read as linkage reads it: the earliest year it allows.
    assert_eq!((son_row[1].as_str(), son_row[2].as_str(), son_row[3].as_str()), ("김영호", "Kim Yŏng-ho", "1974"));
    // Viewers export nothing.
    assert!(matches!(crate::linking::write_person_inputs(&a, &who(Role::Viewer, false), Confidentiality::Public, Vec::new()), Err(DomainError::Forbidden(_))));
}
