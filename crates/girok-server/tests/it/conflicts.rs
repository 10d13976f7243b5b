//! The conflicts queue on the web: an event changed on the office (the served archive) and on
//! a paired laptop while apart shows both versions field by field; a documenter takes one,
//! the choice is audited, and the queue empties. All data is synthetic.

use axum::http::StatusCode;
use girok_core::model::Record;
use girok_store::{Archive, CreateOptions, KdfParams, KeySource};

use crate::{app, get, login, post, send};

fn none(_: u64, _: u64) {}

fn retitle(a: &mut Archive, title: &str) {
    let Record::Event(mut e) = a.get("evt-public").unwrap() else { panic!() };
    e.title = title.into();
    a.write("doc", |w| w.put(Record::Event(e))).unwrap();
}

#[tokio::test]
async fn a_documenter_settles_a_conflict_on_the_web() {
    let app = app();
    let key = KeySource::passphrase("synthetic test passphrase");
    let dir = app.state.with_archive(|a| a.dir().to_path_buf());
    let tmp = tempfile::tempdir().unwrap();
    let mut office = Archive::open(&dir, &key).unwrap();
    let mut laptop = Archive::create(&tmp.path().join("laptop"), &key, CreateOptions { kdf: KdfParams::WEAK_FOR_TESTS, seed_gazetteer: true }).unwrap();
    let (card_o, card_l) = (office.card("office").unwrap(), laptop.card("laptop").unwrap());
    office
        .write("admin", |w| {
            w.pair(&card_l, "laptop", &card_l.fingerprint()).map_err(|e| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() })
        })
        .unwrap();
    laptop
        .write("admin", |w| {
            w.pair(&card_o, "office", &card_o.fingerprint()).map_err(|e| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() })
        })
        .unwrap();
    let to_laptop = tmp.path().join("1.girok-sync");
    office.sync_export("laptop", &to_laptop, &mut none).unwrap();
    laptop.sync_apply(&to_laptop, &mut none).unwrap();
    retitle(&mut office, "SYNTHETIC office title");
    retitle(&mut laptop, "SYNTHETIC laptop title <b>x</b>");
    let to_office = tmp.path().join("2.girok-sync");
    laptop.sync_export("office", &to_office, &mut none).unwrap();
    assert_eq!(office.sync_apply(&to_office, &mut none).unwrap().conflicts, 1);
    drop(office);

    let (cookie, csrf) = login(&app, "doc").await;
    let page = send(&app, get("/conflicts", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("SYNTHETIC office title") && page.body.contains("SYNTHETIC laptop title &lt;b&gt;"), "{}", page.body);
    assert!(page.body.contains(">title<"), "the differing field is named");
    let seq: i64 = page.body.split("action=\"/conflicts/").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    // Viewers and analysts do not see the queue; a forged token settles nothing.
    let (viewer, _) = login(&app, "viewer").await;
    assert_eq!(send(&app, get("/conflicts", Some(&viewer))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, post(&format!("/conflicts/{seq}"), Some(&cookie), "take=remote&csrf=forged")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, post(&format!("/conflicts/{seq}"), Some(&cookie), &format!("take=sideways&csrf={csrf}"))).await.status, StatusCode::BAD_REQUEST);

    let res = send(&app, post(&format!("/conflicts/{seq}"), Some(&cookie), &format!("take=remote&csrf={csrf}"))).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let record = send(&app, get("/records/evt-public", Some(&cookie))).await;
    assert!(record.body.contains("SYNTHETIC laptop title &lt;b&gt;"), "the laptop's version is current");
    let api = send(&app, get("/api/conflicts", Some(&cookie))).await;
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["conflicts"].as_array().unwrap().len(), 0, "{v}");
    let office = Archive::open(&dir, &key).unwrap();
    let history = office.history("evt-public").unwrap();
    assert_eq!(history.last().unwrap().actor, "doc", "the choice is audited under the documenter");
    assert!(office.verify(&mut none).unwrap().ok());
}
