//! Three archives (a field laptop, the office, an offsite mirror) kept as one record by sync
//! bundles. All data is synthetic.

use std::path::{Path, PathBuf};

use girok_core::model::*;
use girok_store::{Archive, IntakeMeta, IntakeOutcome, Resolution, SyncError, SyncPolicy};

use crate::{fast, key, person};

fn none(_: u64, _: u64) {}

fn new_archive(dir: &Path, name: &str) -> Archive {
    Archive::create(&dir.join(name), &key(), fast()).unwrap()
}

fn pair(a: &mut Archive, a_name: &str, b: &mut Archive, b_name: &str) {
    let card_a = a.card(a_name).unwrap();
    let card_b = b.card(b_name).unwrap();
    a.write("admin", |w| w.pair(&card_b, b_name, &card_b.fingerprint()).map_err(store)).unwrap();
    b.write("admin", |w| w.pair(&card_a, a_name, &card_a.fingerprint()).map_err(store)).unwrap();
}

fn store(e: SyncError) -> girok_store::StoreError {
    match e {
        SyncError::Store(s) => s,
        other => girok_store::StoreError::Invalid { id: String::new(), message: other.to_string() },
    }
}

/// Writes a bundle from `from` for its replica `to` and applies it on `into`.
fn sync(from: &mut Archive, to: &str, into: &mut Archive, dir: &Path, n: &mut u32) -> girok_store::ApplyReport {
    let path = bundle(from, to, dir, n);
    into.sync_apply(&path, &mut none).unwrap()
}

fn bundle(from: &mut Archive, to: &str, dir: &Path, n: &mut u32) -> PathBuf {
    *n += 1;
    let path = dir.join(format!("bundle-{n}.girok-sync"));
    from.sync_export(to, &path, &mut none).unwrap();
    path
}

fn add_doc(a: &mut Archive, name: &str, bytes: &[u8], conf: Confidentiality) -> String {
    let meta = IntakeMeta { confidentiality: conf, synthetic: true, ..Default::default() };
    let out = a
        .write("documenter", |w| w.add_bytes(name, bytes, &meta).map_err(|e| girok_store::StoreError::Invalid { id: name.into(), message: e.to_string() }))
        .unwrap();
    let IntakeOutcome::Added { id, .. } = out else { panic!("{out:?}") };
    id
}

fn source(id: &str, conf: Confidentiality) -> Record {
    Record::Source(Source {
        id: id.into(),
        pseudonym: format!("W-{id}"),
        kind: SourceKind::Witness,
        organisation: Some("Synthetic Project A".into()),
        connection: None,
        reliability: None,
        notes: "SYNTHETIC".into(),
        confidentiality: conf,
        synthetic: true,
    })
}

/// Every record's stored JSON, by id.
fn bodies(a: &Archive) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for kind in Kind::ALL {
        for r in a.list(kind).unwrap() {
            out.insert(r.id().to_string(), serde_json::to_string(&r).unwrap());
        }
    }
    out
}

fn verified(a: &Archive) {
    let report = a.verify(&mut none).unwrap();
    assert!(report.ok(), "{:?}: {:?}", a.dir(), report.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>());
}

fn sealed(id: &str) -> SealedIdentity {
    SealedIdentity { source: id.into(), legal_name: "SYNTHETIC NAME 가나다".into(), contact: "synthetic contact".into(), notes: String::new() }
}

#[test]
fn laptop_office_and_mirror_keep_one_record() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut office = new_archive(dir, "office");
    let mut laptop = new_archive(dir, "laptop");
    pair(&mut office, "office", &mut laptop, "laptop");
    let mut n = 0;

    // Apart: the office codes a witness and takes in a file; the laptop an interview.
    office
        .write("documenter", |w| {
            w.put(source("src-o1", Confidentiality::Restricted))?;
            w.seal_identity(&sealed("src-o1"))?;
            w.put(person("per-o1", "김철수", "Kim Ch'ŏl-su"))
        })
        .unwrap();
    let office_doc = add_doc(&mut office, "report.txt", "SYNTHETIC report: 요덕 관리소, forced labour.".as_bytes(), Confidentiality::Internal);
    laptop.write("documenter", |w| w.put(person("per-l1", "박영희", "Pak Yŏng-hŭi"))).unwrap();
    let laptop_doc = add_doc(&mut laptop, "interview.txt", "SYNTHETIC interview transcript, 회령.".as_bytes(), Confidentiality::Restricted);

    // Both ways by file.
    let to_laptop = bundle(&mut office, "laptop", dir, &mut n);
    let first = laptop.sync_apply(&to_laptop, &mut none).unwrap();
    assert!(first.applied >= 5 && first.changed, "{first:?}");
    let back = sync(&mut laptop, "office", &mut office, dir, &mut n);
    assert!(back.applied >= 2, "{back:?}");
    // The office's receipt came with the laptop's bundle: the next bundle to the laptop holds
    // nothing the laptop has, and the laptop's own changes never come back to it.
    let again = sync(&mut office, "laptop", &mut laptop, dir, &mut n);
    assert_eq!(again.applied, 0, "{again:?}");

    assert_eq!(bodies(&office), bodies(&laptop));
    assert_eq!(office.read_blob(&laptop_doc).unwrap(), laptop.read_blob(&laptop_doc).unwrap());
    assert_eq!(laptop.read_blob(&office_doc).unwrap(), office.read_blob(&office_doc).unwrap());
    assert_eq!(laptop.sealed_identity("src-o1").unwrap(), Some(sealed("src-o1")));
    assert!(laptop.document_text(&office_doc).unwrap().unwrap().contains("요덕"));
    verified(&office);
    verified(&laptop);

    // Applying the same bundle twice changes nothing, not even the audit log.
    let head = laptop.audit_head_seq().unwrap();
    let replay = laptop.sync_apply(&to_laptop, &mut none).unwrap();
    assert!(!replay.changed && replay.applied == 0, "{replay:?}");
    assert_eq!(laptop.audit_head_seq().unwrap(), head);

    // Provenance: the laptop's record on the office is an applied entry naming the laptop.
    let history = office.history("per-l1").unwrap();
    let applied = girok_store::Synced::of_entry(history.last().unwrap()).expect("an applied change");
    assert_eq!(applied.origin, laptop.public_key_hex());
    assert!(applied.check().is_ok());

    // Concurrent edits of one record: both versions kept, a conflict on each side.
    let edit = |a: &mut Archive, notes: &str| {
        let Record::Person(mut p) = a.get("per-o1").unwrap() else { panic!() };
        p.notes = notes.into();
        a.write("documenter", |w| w.put(Record::Person(p))).unwrap();
    };
    edit(&mut office, "SYNTHETIC: office correction");
    edit(&mut laptop, "SYNTHETIC: laptop correction");
    // And one edit that follows the other's version: applied without a conflict.
    let Record::Person(mut l1) = office.get("per-l1").unwrap() else { panic!() };
    l1.notes = "SYNTHETIC: office adds to the laptop's record".into();
    office.write("documenter", |w| w.put(Record::Person(l1.clone()))).unwrap();

    let at_laptop = sync(&mut office, "laptop", &mut laptop, dir, &mut n);
    let at_office = sync(&mut laptop, "office", &mut office, dir, &mut n);
    assert_eq!((at_laptop.conflicts, at_office.conflicts), (1, 1));
    assert_eq!(laptop.get("per-l1").unwrap(), Record::Person(l1));
    let conflicts = laptop.conflicts().unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].record_id, "per-o1");
    assert_eq!(conflicts[0].origin_name.as_deref(), Some("office"));
    assert!(conflicts[0].content.as_deref().unwrap().contains("office correction"));
    // Nothing lost: each side still has its own version current.
    let notes = |a: &Archive| match a.get("per-o1").unwrap() {
        Record::Person(p) => p.notes,
        _ => unreachable!(),
    };
    assert_eq!(notes(&laptop), "SYNTHETIC: laptop correction");
    assert_eq!(notes(&office), "SYNTHETIC: office correction");

    // The documenter on the laptop takes the office's version; the choice travels and closes
    // the office's conflict too.
    let seq = conflicts[0].seq;
    laptop.write("documenter", |w| w.resolve_conflict(seq, Resolution::Remote)).unwrap();
    assert!(laptop.conflicts().unwrap().is_empty());
    sync(&mut laptop, "office", &mut office, dir, &mut n);
    assert!(office.conflicts().unwrap().is_empty(), "{:?}", office.conflicts().unwrap());
    sync(&mut office, "laptop", &mut laptop, dir, &mut n);
    assert_eq!(notes(&laptop), "SYNTHETIC: office correction");
    assert_eq!(bodies(&office), bodies(&laptop));

    // Retirement travels like any edit.
    office.write("documenter", |w| w.set_retired("per-l1", true, "SYNTHETIC duplicate")).unwrap();
    sync(&mut office, "laptop", &mut laptop, dir, &mut n);
    assert!(laptop.get_for("per-l1", Confidentiality::Restricted, false).is_err());
    assert!(laptop.get_for("per-l1", Confidentiality::Restricted, true).unwrap().retired);
    verified(&office);
    verified(&laptop);

    // The mirror: bundles encrypted to the recovery key alone; restoring from them gives an
    // archive that verifies and holds everything the office held.
    let recovery = age::x25519::Identity::generate();
    office.write("admin", |w| w.add_mirror("offsite", &recovery.to_public().to_string()).map_err(store)).unwrap();
    let mirror = dir.join("mirror");
    std::fs::create_dir_all(&mirror).unwrap();
    office.sync_export("offsite", &mirror.join("000001.girok-sync"), &mut none).unwrap();
    office.write("documenter", |w| w.put(person("per-o2", "리영호", "Ri Yŏng-ho"))).unwrap();
    office.sync_export("offsite", &mirror.join("000002.girok-sync"), &mut none).unwrap();
    // The mirror's operator cannot read them, and neither can the office's own key.
    assert!(office.sync_apply(&mirror.join("000001.girok-sync"), &mut none).is_err());

    let mut restored = Archive::create(&dir.join("restored"), &key(), girok_store::CreateOptions { seed_gazetteer: false, ..fast() }).unwrap();
    for name in ["000001.girok-sync", "000002.girok-sync"] {
        restored.sync_restore(&mirror.join(name), &recovery, &office.fingerprint(), &mut none).unwrap();
    }
    assert_eq!(bodies(&restored), bodies(&office));
    assert_eq!(restored.read_blob(&laptop_doc).unwrap(), office.read_blob(&laptop_doc).unwrap());
    assert_eq!(restored.sealed_identity("src-o1").unwrap(), Some(sealed("src-o1")));
    verified(&restored);
    // A wrong fingerprint is refused.
    let mut other = Archive::create(&dir.join("other"), &key(), girok_store::CreateOptions { seed_gazetteer: false, ..fast() }).unwrap();
    assert!(matches!(other.sync_restore(&mirror.join("000001.girok-sync"), &recovery, &laptop.fingerprint(), &mut none), Err(SyncError::Unpaired { .. })));
}

#[test]
fn damaged_cut_replayed_and_unpaired_bundles_apply_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut office = new_archive(dir, "office");
    let mut laptop = new_archive(dir, "laptop");
    pair(&mut office, "office", &mut laptop, "laptop");
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    add_doc(&mut office, "scan.bin", &big, Confidentiality::Internal);
    office.write("documenter", |w| w.put(person("per-o1", "김철수", "Kim Ch'ŏl-su"))).unwrap();
    let mut n = 0;
    let good = bundle(&mut office, "laptop", dir, &mut n);
    let bytes = std::fs::read(&good).unwrap();
    let head = laptop.audit_head_seq().unwrap();

    // A flipped byte: the age stream's authentication fails.
    let mut altered = bytes.clone();
    let at = bytes.len() / 2;
    altered[at] ^= 0x40;
    let altered_path = dir.join("altered.girok-sync");
    std::fs::write(&altered_path, &altered).unwrap();
    let err = laptop.sync_apply(&altered_path, &mut none).unwrap_err();
    assert!(matches!(err, SyncError::Unreadable { .. }), "{err}");

    // Cut short mid-transfer: refused as such; then the whole file applies.
    let cut_path = dir.join("cut.girok-sync");
    std::fs::write(&cut_path, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let err = laptop.sync_apply(&cut_path, &mut none).unwrap_err();
    assert!(matches!(err, SyncError::Truncated { .. } | SyncError::Unreadable { .. }), "{err}");
    assert_eq!(laptop.audit_head_seq().unwrap(), head, "nothing was applied");
    assert!(!laptop.exists("per-o1").unwrap());
    // No temporary file is left behind.
    let leftovers = walk(&laptop.dir().join("blobs")).into_iter().filter(|p| p.to_string_lossy().ends_with(".tmp")).count();
    assert_eq!(leftovers, 0);
    laptop.sync_apply(&good, &mut none).unwrap();
    assert!(laptop.exists("per-o1").unwrap());
    verified(&laptop);

    // Signed by a key the laptop never paired: refused.
    let mut stranger = new_archive(dir, "stranger");
    let card = laptop.card("laptop").unwrap();
    stranger.write("admin", |w| w.pair(&card, "laptop", &card.fingerprint()).map_err(store)).unwrap();
    stranger.write("x", |w| w.put(person("per-s1", "최", "Ch'oe"))).unwrap();
    let from_stranger = bundle(&mut stranger, "laptop", dir, &mut n);
    assert!(matches!(laptop.sync_apply(&from_stranger, &mut none), Err(SyncError::Unpaired { .. })));
    assert!(!laptop.exists("per-s1").unwrap());

    // A pairing needs the fingerprint the other side shows.
    let card = office.card("office").unwrap();
    let err = stranger.write("admin", |w| w.pair(&card, "office", "0000-0000").map_err(store)).unwrap_err();
    assert!(err.to_string().contains("fingerprint"), "{err}");
}

#[test]
fn a_field_laptop_holds_nothing_above_its_level_and_verify_names_a_forged_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut office = new_archive(dir, "office");
    let mut laptop = new_archive(dir, "laptop");
    laptop.write("admin", |w| w.set_sync_policy(SyncPolicy { max_level: Confidentiality::Internal, identities: false })).unwrap();
    pair(&mut office, "office", &mut laptop, "laptop");
    office
        .write("documenter", |w| {
            w.put(source("src-r", Confidentiality::Restricted))?;
            w.put(source("src-i", Confidentiality::Internal))?;
            w.seal_identity(&sealed("src-i"))?;
            w.put(person("per-r", "김철수", "Kim Ch'ŏl-su"))
        })
        .unwrap();
    let mut n = 0;
    let report = sync(&mut office, "laptop", &mut laptop, dir, &mut n);
    assert!(report.applied > 0);
    assert!(laptop.exists("src-i").unwrap());
    assert!(!laptop.exists("src-r").unwrap() && !laptop.exists("per-r").unwrap());
    assert_eq!(laptop.sealed_identity("src-i").unwrap(), None);
    verified(&laptop);

    // Someone holding the laptop's key writes an applied change the office never signed.
    let conn = laptop.raw_connection_for_tests();
    let last = laptop.history("src-i").unwrap().pop().unwrap();
    let mut synced = girok_store::Synced::of_entry(&last).unwrap();
    let mut forged: Source = match serde_json::from_str::<Record>(synced.entry.content.as_deref().unwrap()).unwrap() {
        Record::Source(s) => s,
        _ => unreachable!(),
    };
    forged.notes = "FORGED".into();
    let body = serde_json::to_string(&Record::Source(forged)).unwrap();
    synced.entry.content = Some(body.clone());
    // The origin entry's hash is recomputed, so only the signature can tell.
    synced.entry.hash = synced.entry.compute_hash();
    let head = laptop.audit_head().unwrap().unwrap();
    let mut entry = girok_store::AuditEntry {
        seq: head.seq + 1,
        prev_hash: head.hash.clone(),
        at: head.at.clone(),
        actor: "girok-sync".into(),
        action: "sync_update".into(),
        record_id: Some("src-i".into()),
        content: Some(serde_json::to_string(&synced).unwrap()),
        hash: String::new(),
    };
    entry.hash = entry.compute_hash();
    conn.execute(
        "INSERT INTO audit_log(seq, prev_hash, at, actor, action, record_id, content, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        rusqlite::params![entry.seq, entry.prev_hash, entry.at, entry.actor, entry.action, entry.record_id, entry.content, entry.hash],
    )
    .unwrap();
    conn.execute("UPDATE records SET body = ?1 WHERE id = 'src-i'", [&body]).unwrap();
    let report = laptop.verify(&mut none).unwrap();
    let text: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert!(text.iter().any(|t| t.contains(&format!("entry {}", entry.seq)) && t.contains("forged")), "{text:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn two_quiet_archives_reach_a_sync_that_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut laptop, mut office) = (new_archive(tmp.path(), "laptop"), new_archive(tmp.path(), "office"));
    pair(&mut laptop, "laptop", &mut office, "office");
    laptop.write("documenter", |w| w.put(person("per-quiet-1", "김순희", "Kim Sun-hŭi"))).unwrap();
    office.write("documenter", |w| w.put(person("per-quiet-2", "리영수", "Ri Yŏng-su"))).unwrap();
    let mut n = 0;
    // Round one carries the records; round two only what each now holds of the other.
    for _ in 0..2 {
        sync(&mut laptop, "office", &mut office, tmp.path(), &mut n);
        sync(&mut office, "laptop", &mut laptop, tmp.path(), &mut n);
    }
    let heads = (laptop.audit_head_seq().unwrap(), office.audit_head_seq().unwrap());
    let a = sync(&mut laptop, "office", &mut office, tmp.path(), &mut n);
    let b = sync(&mut office, "laptop", &mut laptop, tmp.path(), &mut n);
    assert!(!a.changed && !b.changed, "{a:?} {b:?}");
    assert_eq!((laptop.audit_head_seq().unwrap(), office.audit_head_seq().unwrap()), heads, "a quiet sync writes no entry, not even a receipt");
    // A new change still travels after the quiet rounds.
    laptop.write("documenter", |w| w.put(person("per-quiet-3", "박철", "Pak Chŏl"))).unwrap();
    assert_eq!(sync(&mut laptop, "office", &mut office, tmp.path(), &mut n).applied, 1);
    verified(&laptop);
    verified(&office);
}
