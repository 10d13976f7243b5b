//! Keeping the record through the JSON API (issue 11): create, correct at a version, stale edits
//! refused with nothing lost, retire and restore, sealed identities, JSON errors, roles.
//! All data is synthetic.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

use crate::{app, get, login, send, App, Res, PASSWORD};

fn api(method: &str, path: &str, cookie: &str, csrf: &str, body: Option<Value>, if_match: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path).header(header::COOKIE, cookie).header("x-csrf-token", csrf);
    if let Some(v) = if_match {
        b = b.header(header::IF_MATCH, v);
    }
    match body {
        Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())).unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

fn body(res: &Res) -> Value {
    serde_json::from_str(&res.body).unwrap_or_else(|e| panic!("{e}: {}", res.body))
}

async fn create(app: &App, c: &(String, String), v: Value) -> String {
    let res = send(app, api("POST", "/api/records", &c.0, &c.1, Some(v.clone()), None)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{v}: {}", res.body);
    body(&res)["id"].as_str().unwrap().to_string()
}

async fn etag(app: &App, cookie: &str, id: &str) -> String {
    let res = send(app, get(&format!("/api/records/{id}"), Some(cookie))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.headers.get(header::ETAG).unwrap().to_str().unwrap().to_string()
}

/// A cleared documenter, as an admin creates it.
async fn cleared_documenter(app: &App) -> (String, String) {
    let (ac, acsrf) = login(app, "admin").await;
    let u = json!({ "username": "cleared-doc", "password": PASSWORD, "role": "documenter", "identity_clearance": true });
    assert_eq!(send(app, api("POST", "/api/users", &ac, &acsrf, Some(u), None)).await.status, StatusCode::OK);
    login(app, "cleared-doc").await
}

#[tokio::test]
async fn a_documenter_keeps_the_record_through_the_api() {
    let app = app();
    let d = cleared_documenter(&app).await;
    let source = create(
        &app,
        &d,
        json!({ "record": "source", "pseudonym": "W-SYN-7", "kind": "witness", "organisation": "Synthetic Project Z", "confidentiality": "restricted" }),
    )
    .await;
    let res = send(
        &app,
        api(
            "PUT",
            &format!("/api/records/{source}/identity"),
            &d.0,
            &d.1,
            Some(json!({ "legal_name": "SYNTHETIC-LEGAL-NAME", "contact": "SYNTHETIC-CONTACT" })),
            None,
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(!res.body.contains("SYNTHETIC-LEGAL-NAME"), "the answer never echoes the identity");
    let son = create(&app, &d, json!({ "record": "person", "names": ["hangul:김영호", "mr:Kim Yŏng-ho"], "confidentiality": "restricted" })).await;
    let mother = create(
        &app,
        &d,
        json!({ "record": "person", "names": ["박순자"], "relationships": [{ "kind": "mother", "other": son }], "confidentiality": "restricted" }),
    )
    .await;
    // A chain of four events, each following the one before.
    let mut previous: Option<String> = None;
    let mut chain = Vec::new();
    for (title, place, date) in [
        ("Arrest in China (synthetic)", "", "autumn 1997"),
        ("Forcible return (synthetic)", "Onsong", "winter 1997"),
        ("Interrogation at a holding centre (synthetic)", "Onsong", "winter 1997"),
        ("Forced labour in a kyohwaso (synthetic)", "plc-fac-kyohwaso-12", "between 1998 and 2000"),
    ] {
        let mut e = json!({ "record": "event", "title": title, "date": date, "confidentiality": "internal" });
        if !place.is_empty() {
            e["place"] = json!(place);
        }
        if let Some(p) = &previous {
            e["follows"] = json!(p);
        }
        let id = create(&app, &d, e).await;
        previous = Some(id.clone());
        chain.push(id);
    }
    let act = create(&app, &d, json!({ "record": "act", "event": chain[1], "victim": son, "act_type": "강제송환", "source": source, "date": "winter 1997", "confidentiality": "internal" })).await;
    // A second testimony's act attached to the event the first created.
    let act2 = create(
        &app,
        &d,
        json!({ "record": "act", "event": chain[1], "victim": mother, "act_type": "연좌제 처벌", "date": "1998", "confidentiality": "internal" }),
    )
    .await;
    assert!(!act2.is_empty());

    // Two corrections from the same version: the first stands, the second is refused with what changed.
    let v = etag(&app, &d.0, &act).await;
    let res = send(&app, api("PUT", &format!("/api/records/{act}"), &d.0, &d.1, Some(json!({ "date": "December 1997" })), Some(&v))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let newer = res.headers.get(header::ETAG).unwrap().to_str().unwrap().to_string();
    assert_ne!(newer, v);
    let res = send(&app, api("PUT", &format!("/api/records/{act}"), &d.0, &d.1, Some(json!({ "description": "SYNTHETIC other correction" })), Some(&v))).await;
    assert_eq!(res.status, StatusCode::PRECONDITION_FAILED, "{}", res.body);
    let stale = body(&res);
    assert!(stale["changes"].as_array().unwrap().iter().any(|c| c["field"] == "date.text"), "{stale}");
    let now = body(&send(&app, get(&format!("/api/records/{act}"), Some(&d.0))).await);
    assert_eq!(now["date"]["text"], "December 1997", "nothing was lost");
    assert_eq!(now["description"], "", "and the stale edit was not applied");
    assert_eq!(
        send(&app, api("PUT", &format!("/api/records/{act}"), &d.0, &d.1, Some(json!({ "description": "x" })), None)).await.status,
        StatusCode::PRECONDITION_REQUIRED
    );

    // Making an event public needs a reason; then a viewer sees it, and never the restricted records.
    let v = etag(&app, &d.0, &chain[0]).await;
    let res = send(&app, api("PUT", &format!("/api/records/{}", chain[0]), &d.0, &d.1, Some(json!({ "confidentiality": "public" })), Some(&v))).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(body(&res)["field"], "reason");
    let res = send(
        &app,
        api("PUT", &format!("/api/records/{}?reason=cleared+for+publication", chain[0]), &d.0, &d.1, Some(json!({ "confidentiality": "public" })), Some(&v)),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let (vc, _) = login(&app, "viewer").await;
    assert_eq!(send(&app, get(&format!("/api/records/{}", chain[0]), Some(&vc))).await.status, StatusCode::OK);
    assert_eq!(send(&app, get(&format!("/api/records/{son}"), Some(&vc))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get(&format!("/records/{source}"), Some(&vc))).await.status, StatusCode::NOT_FOUND);

    // History: every version with its field changes.
    let h = body(&send(&app, get(&format!("/api/records/{act}/history"), Some(&d.0))).await);
    let versions = h["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert!(versions[1]["changes"].as_array().unwrap().iter().any(|c| c["field"] == "date.text" && c["before"] == "winter 1997"), "{h}");

    // Retire and restore.
    let res = send(&app, api("DELETE", &format!("/api/records/{act2}?reason=entered+twice"), &d.0, &d.1, None, None)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(send(&app, get(&format!("/api/records/{act2}"), Some(&d.0))).await.status, StatusCode::NOT_FOUND);
    let listed = body(&send(&app, get("/api/records?kind=act", Some(&d.0))).await);
    assert!(!listed["records"].as_array().unwrap().iter().any(|r| r["id"] == act2.as_str()), "retired acts leave the lists");
    let res = send(&app, api("POST", &format!("/api/records/{act2}/restore"), &d.0, &d.1, Some(json!({ "reason": "not a duplicate" })), None)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "only an admin restores");
    let (ac, acsrf) = login(&app, "admin").await;
    let res = send(&app, get(&format!("/api/records/{act2}"), Some(&ac))).await;
    assert_eq!(res.headers.get("x-girok-retired").map(|v| v.to_str().unwrap()), Some("true"));
    let res = send(&app, api("POST", &format!("/api/records/{act2}/restore"), &ac, &acsrf, Some(json!({ "reason": "not a duplicate" })), None)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(send(&app, get(&format!("/api/records/{act2}"), Some(&d.0))).await.status, StatusCode::OK);

    // The identity never reaches a body for accounts without clearance, nor the audit log.
    let (dc, _) = login(&app, "doc").await;
    for (who, cookie) in [("doc", &dc), ("viewer", &vc), ("admin", &ac)] {
        for path in [
            format!("/records/{source}"),
            format!("/api/records/{source}"),
            format!("/api/records/{source}/history"),
            "/audit".into(),
            format!("/audit?record={source}"),
        ] {
            let res = send(&app, get(&path, Some(cookie))).await;
            assert!(!res.body.contains("SYNTHETIC-LEGAL-NAME") && !res.body.contains("SYNTHETIC-CONTACT"), "{who} {path}");
        }
    }
    let log = app.state.with_archive(|a| a.audit_entries(None, 0, i64::MAX).unwrap());
    assert!(!log.iter().any(|e| e.content.as_deref().unwrap_or("").contains("SYNTHETIC-LEGAL-NAME")));
    let export = app.state.with_archive(|a| a.export(&[girok_core::Kind::Source], girok_store::Format::Json, girok_core::Confidentiality::Restricted));
    assert!(!format!("{export:?}").contains("SYNTHETIC-LEGAL-NAME"));
    let r = app.state.with_archive(|a| a.verify(&mut |_, _| {}).unwrap());
    assert!(r.ok(), "{:?}", r.problems);
}

#[tokio::test]
async fn editing_routes_by_role_and_json_errors() {
    let app = app();
    let event = json!({ "record": "event", "title": "SYNTHETIC role check", "confidentiality": "internal" });
    for (who, create_status) in [("viewer", 404), ("analyst", 404), ("doc", 201), ("admin", 201)] {
        let (c, csrf) = login(&app, who).await;
        let res = send(&app, api("POST", "/api/records", &c, &csrf, Some(event.clone()), None)).await;
        assert_eq!(res.status.as_u16(), create_status, "{who} create: {}", res.body);
        assert_eq!(res.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().split(';').next().unwrap(), "application/json", "{who}");
        let v = etag(&app, &c, "evt-public").await;
        let res = send(&app, api("PUT", "/api/records/evt-public", &c, &csrf, Some(json!({ "description": format!("SYNTHETIC by {who}") })), Some(&v))).await;
        assert_eq!(res.status.as_u16(), if create_status == 201 { 200 } else { 404 }, "{who} update: {}", res.body);
        let res = send(&app, api("DELETE", "/api/records/evt-public?reason=test", &c, "forged", None, None)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{who}: a forged token is refused");
        assert!(body(&res)["error"].as_str().unwrap().contains("form expired"), "JSON error");
    }
    let (c, csrf) = login(&app, "doc").await;
    let res = send(
        &app,
        api("POST", "/api/records", &c, &csrf, Some(json!({ "record": "act", "event": "evt-public", "victim": "per-nobody", "act_type": "torture" })), None),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(body(&res)["field"], "victim", "{}", res.body);
    let res = send(&app, api("POST", "/api/records", &c, &csrf, Some(json!({ "record": "event" })), None)).await;
    assert_eq!(body(&res)["field"], "title", "{}", res.body);
    let res = send(
        &app,
        Request::post("/api/records")
            .header(header::COOKIE, &c)
            .header("x-csrf-token", &csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{not json"))
            .unwrap(),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(body(&res)["error"].is_string(), "a rejected body is a JSON error too");
    let res = send(&app, get("/api/records/evt-nope", Some(&c))).await;
    assert_eq!((res.status, body(&res)["error"].as_str().unwrap()), (StatusCode::NOT_FOUND, "not found"));
    let res = send(&app, get("/api/records/evt-public", None)).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(body(&res)["error"].is_string());
}

fn form(path: &str, cookie: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect();
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap()
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn the_pages_create_correct_retire_and_seal() {
    let app = app();
    let (c, csrf) = cleared_documenter(&app).await;
    let page = send(&app, get("/records/new?kind=event", Some(&c))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"f.date\"") && page.body.contains("name=\"f.title\""), "{}", page.body);
    // A refusal shows the form again, naming the field, with what was typed.
    let res = send(
        &app,
        form("/records/new", &c, &[("csrf", &csrf), ("kind", "event"), ("f.title", "SYNTHETIC typed title"), ("f.date", "the 31st of February 1997")]),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("id=\"form-error\"") && res.body.contains("SYNTHETIC typed title"), "{}", res.body);
    let res = send(
        &app,
        form(
            "/records/new",
            &c,
            &[("csrf", &csrf), ("kind", "event"), ("f.title", "Interrogation (synthetic)"), ("f.place", "Onsong"), ("f.date", "winter 1997")],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id = res.headers.get(header::LOCATION).unwrap().to_str().unwrap().trim_start_matches("/records/").to_string();
    let page = send(&app, get(&format!("/records/{id}"), Some(&c))).await.body;
    assert!(page.contains("id=\"edit-form\"") && page.contains("value=\"winter 1997\""), "{page}");
    let version = page.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    // Correct the date; a second form made from the old version is refused, naming what changed.
    let res = send(
        &app,
        form(
            &format!("/records/{id}/edit"),
            &c,
            &[("csrf", &csrf), ("version", &version), ("f.date", "January 1998"), ("f.title", "Interrogation (synthetic)")],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = send(&app, form(&format!("/records/{id}/edit"), &c, &[("csrf", &csrf), ("version", &version), ("f.title", "Another title")])).await;
    assert_eq!(res.status, StatusCode::PRECONDITION_FAILED);
    assert!(res.body.contains("date"), "{}", res.body);
    let page = send(&app, get(&format!("/records/{id}"), Some(&c))).await.body;
    assert!(page.contains("January 1998") && !page.contains("Another title"), "nothing lost, nothing overwritten");
    assert!(page.contains("date.text") && page.contains("winter 1997 → January 1998"), "the history shows the change: {page}");
    // Retire from the page; an admin restores it from the page.
    assert_eq!(send(&app, form(&format!("/records/{id}/retire"), &c, &[("csrf", &csrf), ("reason", "entered twice")])).await.status, StatusCode::SEE_OTHER);
    assert_eq!(send(&app, get(&format!("/records/{id}"), Some(&c))).await.status, StatusCode::NOT_FOUND);
    let (ac, acsrf) = login(&app, "admin").await;
    let page = send(&app, get(&format!("/records/{id}"), Some(&ac))).await.body;
    assert!(page.contains("id=\"retired\"") && page.contains("id=\"restore\""), "{page}");
    assert_eq!(
        send(&app, form(&format!("/records/{id}/restore"), &ac, &[("csrf", &acsrf), ("reason", "not a duplicate")])).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(send(&app, get(&format!("/records/{id}"), Some(&c))).await.status, StatusCode::OK);
    // Seal a witness's identity from the source's page; it is shown only on request.
    let res = send(
        &app,
        form(
            "/records/new",
            &c,
            &[("csrf", &csrf), ("kind", "source"), ("f.pseudonym", "W-SYN-9"), ("f.kind", "witness"), ("f.confidentiality", "restricted")],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let source = res.headers.get(header::LOCATION).unwrap().to_str().unwrap().trim_start_matches("/records/").to_string();
    let page = send(&app, get(&format!("/records/{source}"), Some(&c))).await.body;
    assert!(page.contains("id=\"seal-form\""));
    let res =
        send(&app, form(&format!("/records/{source}/seal"), &c, &[("csrf", &csrf), ("legal_name", "SYNTHETIC-FORM-NAME"), ("contact", ""), ("notes", "")]))
            .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = send(&app, get(&format!("/records/{source}"), Some(&c))).await.body;
    assert!(!page.contains("SYNTHETIC-FORM-NAME") && page.contains("id=\"reveal\""), "sealed, and shown only on request");
    let (dc, dcsrf) = login(&app, "doc").await;
    assert!(!send(&app, get(&format!("/records/{source}"), Some(&dc))).await.body.contains("seal-form"), "no form without clearance");
    assert_eq!(send(&app, form(&format!("/records/{source}/seal"), &dc, &[("csrf", &dcsrf), ("legal_name", "x")])).await.status, StatusCode::NOT_FOUND);
    let (vc, vcsrf) = login(&app, "viewer").await;
    assert_eq!(send(&app, get("/records/new?kind=event", Some(&vc))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, form("/records/new", &vc, &[("csrf", &vcsrf), ("kind", "event"), ("f.title", "x")])).await.status, StatusCode::NOT_FOUND);
}
