//! Lists, map, estimation, language switch and audit verification, on a synthetic archive.

use super::*;

/// An app over a small synthetic dataset (three synthetic documentation projects = three lists),
/// plus one restricted act whose description carries a marker no viewer may see.
pub(crate) fn synthetic_app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let key = KeySource::passphrase("synthetic test passphrase");
    let mut a = Archive::create(&dir.path().join("a"), &key, CreateOptions { kdf: KdfParams::WEAK_FOR_TESTS, seed_gazetteer: true }).unwrap();
    let ds = girok_synth::generate(&girok_synth::Config { seed: 7, testimonies: 60 });
    a.load_synthetic(&ds, &mut |_, _, _| {}).unwrap();
    let mut secret = ds.acts[0].clone();
    secret.id = "act-secret".into();
    secret.description = "SECRET-MARKER".into();
    secret.confidentiality = Confidentiality::Restricted;
    secret.place = Some("plc-fac-kwanliso-16".into());
    a.write("setup", |w| {
        for (name, role) in [("admin", Role::Admin), ("doc", Role::Documenter), ("analyst", Role::Analyst), ("viewer", Role::Viewer)] {
            w.set_user(name, PASSWORD, role, false)?;
        }
        w.put(Record::Act(secret))
    })
    .unwrap();
    App { state: AppState::for_serving(a, ServerConfig::default()).unwrap(), _dir: dir }
}

fn json(res: &Res) -> serde_json::Value {
    serde_json::from_str(&res.body).unwrap_or_else(|e| panic!("{e}: {}", res.body))
}

#[tokio::test]
async fn record_lists_filter_page_and_respect_confidentiality() {
    let app = synthetic_app();
    let (ac, _) = login(&app, "analyst").await;
    let (vc, _) = login(&app, "viewer").await;
    let all = json(&send(&app, get("/api/records?kind=act", Some(&ac))).await);
    let seen_by_viewer = json(&send(&app, get("/api/records?kind=act", Some(&vc))).await);
    let (n_all, n_viewer) = (all["total"].as_u64().unwrap(), seen_by_viewer["total"].as_u64().unwrap());
    assert!(n_all > 50, "enough acts to page: {n_all}");
    assert_eq!(n_all, n_viewer + 1, "the viewer's count leaves out exactly the restricted act");
    assert_eq!(all["records"].as_array().unwrap().len(), 50, "pages of 50");
    let last_page = (n_all - 1) / 50;
    let last = json(&send(&app, get(&format!("/api/records?kind=act&page={last_page}"), Some(&ac))).await);
    assert_eq!(last["records"].as_array().unwrap().len() as u64, n_all - last_page * 50);

    // Filters narrow; the place filter takes a name and includes places beneath it.
    let yodok = json(&send(&app, get("/api/records?kind=act&place=Yodok", Some(&ac))).await)["total"].as_u64().unwrap();
    let province = json(&send(&app, get("/api/records?kind=act&place=plc-kp-03", Some(&ac))).await)["total"].as_u64().unwrap();
    assert!(yodok > 0 && yodok <= province && province < n_all, "{yodok} {province} {n_all}");
    let dated = json(&send(&app, get("/api/records?kind=act&from=1990&to=2030&sort=-date", Some(&ac))).await);
    assert!(dated["total"].as_u64().unwrap() <= n_all);

    // The page shows the filters and the total; bad filters name the field.
    let page = send(&app, get("/records?kind=act&place=Yodok", Some(&ac))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("{yodok} records match")), "{}", page.body);
    let bad = send(&app, get("/records?kind=act&from=nineteen", Some(&ac))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("from"), "{}", bad.body);
    assert_eq!(send(&app, get("/records?kind=spaceship", Some(&ac))).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(send(&app, get("/records?kind=act&sort=sideways", Some(&ac))).await.status, StatusCode::BAD_REQUEST);

    // The restricted act: listed and readable for the analyst, absent and 404 for the viewer.
    assert_eq!(send(&app, get("/api/records/act-secret", Some(&vc))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get("/records/act-secret", Some(&vc))).await.status, StatusCode::NOT_FOUND);
    assert!(send(&app, get("/api/records/act-secret", Some(&ac))).await.body.contains("SECRET-MARKER"));
    for page in 0..=last_page {
        let body = send(&app, get(&format!("/records?kind=act&page={page}"), Some(&vc))).await.body;
        assert!(!body.contains("act-secret"), "viewer list page {page} shows the restricted act");
    }
}

#[tokio::test]
async fn record_pages_link_what_the_role_may_see() {
    let app = synthetic_app();
    let (ac, _) = login(&app, "analyst").await;
    let (vc, _) = login(&app, "viewer").await;
    let acts = json(&send(&app, get("/api/records?kind=act", Some(&vc))).await);
    let id = acts["records"][0]["id"].as_str().unwrap().to_string();
    let act = json(&send(&app, get(&format!("/api/records/{id}"), Some(&ac))).await);
    let victim = act["victim"].as_str().unwrap().to_string();
    let event = act["event"].as_str().unwrap().to_string();
    let analyst_page = send(&app, get(&format!("/records/{id}"), Some(&ac))).await.body;
    assert!(analyst_page.contains(&format!("href=\"/records/{victim}\"")), "the analyst sees the victim linked");
    assert!(analyst_page.contains(&format!("href=\"/records/{event}\"")));
    let viewer_page = send(&app, get(&format!("/records/{id}"), Some(&vc))).await.body;
    assert!(viewer_page.contains(&format!("href=\"/records/{event}\"")));
    assert!(!viewer_page.contains(&format!("href=\"/records/{victim}\"")), "synthetic victims are restricted: no link for a viewer");
    // The victim's page lists the acts against them (the analyst may see the restricted person).
    let victim_page = send(&app, get(&format!("/records/{victim}"), Some(&ac))).await.body;
    assert!(victim_page.contains("id=\"referenced-by\"") && victim_page.contains(&format!("href=\"/records/{id}\"")), "{victim_page}");
    let event_page = send(&app, get(&format!("/records/{event}"), Some(&vc))).await.body;
    // The synthetic witnesses are restricted: a viewer may not learn which organisation
    // interviewed them (regression_10, finding 4); an analyst may.
    assert!(!event_page.contains("Synthetic Documentation Project"), "{event_page}");
    let analyst_event = send(&app, get(&format!("/records/{event}"), Some(&ac))).await.body;
    assert!(analyst_event.contains("id=\"reported-by\"") && analyst_event.contains("Synthetic Documentation Project"), "{analyst_event}");
    assert!(event_page.contains(&format!("href=\"/records/{id}\"")), "the event lists its acts");
    let secret_event = json(&send(&app, get("/api/records/act-secret", Some(&ac))).await)["event"].as_str().unwrap().to_string();
    assert!(!send(&app, get(&format!("/records/{secret_event}"), Some(&vc))).await.body.contains("act-secret"), "no reverse link to a restricted act");
    assert!(send(&app, get(&format!("/records/{secret_event}"), Some(&ac))).await.body.contains("act-secret"));
    let place = send(&app, get("/records/plc-fac-kwanliso-15", Some(&vc))).await.body;
    assert!(place.contains("/records?kind=act&amp;place=plc-fac-kwanliso-15"), "a place links to the acts there");
    assert!(place.contains("data-focus=\"plc-fac-kwanliso-15\"") && place.contains("/static/leaflet.js"), "a place page has its map");
    let town = send(&app, get("/records/plc-gn2043572", Some(&vc))).await.body;
    assert!(town.contains("data-lat=\"40.96946\""), "a town is drawn at its own coordinates");
}

#[tokio::test]
async fn dashboard_and_map_count_by_year_province_and_facility() {
    let app = synthetic_app();
    let (ac, _) = login(&app, "analyst").await;
    let (vc, _) = login(&app, "viewer").await;
    let dash = send(&app, get("/", Some(&ac))).await.body;
    for id in ["by-type", "by-year", "by-province", "by-facility", "corroboration"] {
        assert!(dash.contains(&format!("id=\"{id}\"")), "dashboard lacks chart {id}");
    }
    let m = json(&send(&app, get("/api/map", Some(&ac))).await);
    let mv = json(&send(&app, get("/api/map", Some(&vc))).await);
    let n = |m: &serde_json::Value, id: &str| m["facilities"].as_array().unwrap().iter().find(|f| f["id"] == id).unwrap()["n"].as_u64().unwrap();
    assert_eq!(n(&m, "plc-fac-kwanliso-16"), n(&mv, "plc-fac-kwanliso-16") + 1, "the restricted act counts only for roles that may see it");
    // Facility counts agree with the list filtered by that facility.
    let listed = json(&send(&app, get("/api/records?kind=act&place=plc-fac-kwanliso-15", Some(&ac))).await)["total"].as_u64().unwrap();
    assert_eq!(n(&m, "plc-fac-kwanliso-15"), listed);
    let yodok = m["facilities"].as_array().unwrap().iter().find(|f| f["id"] == "plc-fac-kwanliso-15").unwrap().clone();
    let (lat, lon) = (yodok["lat"].as_f64().expect("a facility without coordinates is placed at its province"), yodok["lon"].as_f64().unwrap());
    assert!((39.0..41.5).contains(&lat) && (126.5..129.5).contains(&lon), "South Hamgyong's centre: {lat} {lon}");
    assert_eq!(yodok["approximate"], true);
    let provinces = m["provinces"].as_object().unwrap();
    assert!(provinces["plc-kp-03"]["n"].as_u64().unwrap() >= listed, "the province includes its camps");
    // Every province id of the outlines shipped with the map exists in the gazetteer.
    let outlines: serde_json::Value = serde_json::from_str(&send(&app, get("/static/dprk-provinces.geojson", None)).await.body).unwrap();
    let ids: Vec<&str> = outlines["features"].as_array().unwrap().iter().filter_map(|f| f["properties"]["id"].as_str()).collect();
    assert!(ids.len() >= 11);
    for id in ids {
        assert!(provinces.contains_key(id), "outline {id} is not a gazetteer province");
    }
    let page = send(&app, get("/map", Some(&vc))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("/static/leaflet.js") && page.body.contains("id=\"map\""));
    assert!(send(&app, get("/static/leaflet.js", None)).await.body.contains("Leaflet"), "Leaflet is served from Girok itself");
    assert_eq!(send(&app, get("/static/../Cargo.toml", None)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn estimation_page_for_analysts_only() {
    let app = synthetic_app();
    let (ac, _) = login(&app, "analyst").await;
    let r = json(&send(&app, get("/api/estimate?act_type=DP0100000000&method=compare", Some(&ac))).await);
    let results = r["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "{r}");
    let loglinear = &results[0];
    let (obs, est) = (loglinear["observed"].as_f64().unwrap(), loglinear["estimate"].as_f64().unwrap());
    assert!(obs > 0.0 && est >= obs, "{r}");
    assert!(loglinear["lower"].as_f64().unwrap() <= est);
    assert_eq!(r["strata"][0]["lists"].as_array().unwrap().len(), 3, "one list per synthetic project");
    // The page shows the same figures, and a chart.
    let page = send(&app, get("/estimate?act_type=DP0100000000&method=loglinear", Some(&ac))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("<td>{est}")), "{}", page.body);
    assert!(page.body.contains("<svg class=\"chart\""));
    // Every estimate carries its sensitivity band and the words for it, on the page too.
    let band = &loglinear["band"];
    assert!(band["upper"].as_f64().unwrap() >= loglinear["upper"].as_f64().unwrap() && band["lower"] == loglinear["lower"], "{r}");
    assert!(loglinear["wording"].as_str().unwrap().contains("ψ = 3"), "{r}");
    assert!(page.body.contains("ψ ≤ 3") && page.body.contains("class=\"wording\""), "{}", page.body);
    // Two of the three synthetic projects as the lists: fewer observed, two lists in the table.
    let two = json(
        &send(&app, get("/api/estimate?act_type=DP0100000000&lists=Synthetic+Documentation+Project+A|Synthetic+Documentation+Project+B", Some(&ac))).await,
    );
    assert_eq!(two["strata"][0]["lists"].as_array().unwrap().len(), 2, "{two}");
    assert!(two["results"][0]["observed"].as_f64().unwrap() < obs);
    assert!(page.body.contains("name=\"list\" value=\"Synthetic Documentation Project C\""));
    let strat = json(&send(&app, get("/api/estimate?act_type=DP0100000000&stratify=province", Some(&ac))).await);
    assert!(strat["strata"].as_array().unwrap().len() + strat["skipped"].as_array().unwrap().len() >= 2, "{strat}");
    // Bad input names the field; other roles do not see the page at all.
    let bad = send(&app, get("/api/estimate?act_type=teleportation", Some(&ac))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("act type"));
    for who in ["viewer", "doc"] {
        let (c, _) = login(&app, who).await;
        assert_eq!(send(&app, get("/estimate", Some(&c))).await.status, StatusCode::NOT_FOUND, "{who}");
        assert_eq!(send(&app, get("/api/estimate?act_type=DP0100000000", Some(&c))).await.status, StatusCode::NOT_FOUND, "{who}");
    }
}

#[tokio::test]
async fn interface_switches_between_english_and_korean() {
    let app = synthetic_app();
    let (c, _) = login(&app, "viewer").await;
    let en = send(&app, get("/", Some(&c))).await.body;
    assert!(en.contains(">Dashboard<") && en.contains("lang=\"en\""));
    let res = send(&app, get("/lang?l=ko&next=/records%3Fkind%3Dperson", None)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.headers[header::LOCATION], "/records?kind=person");
    let set = res.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(set.starts_with("girok_lang=ko"), "{set}");
    let ko = send(&app, get("/", Some(&format!("{c}; girok_lang=ko")))).await.body;
    assert!(ko.contains(">대시보드<") && ko.contains("lang=\"ko\"") && ko.contains("행위 유형별"), "{ko}");
    // Place names follow the language; record content does not change.
    assert!(ko.contains("함경"), "Korean province names on the dashboard");
    let login_ko = send(&app, Request::get("/login").header(header::ACCEPT_LANGUAGE, "ko-KR").body(Body::empty()).unwrap()).await.body;
    assert!(login_ko.contains("로그인"));
    // Threat: an open redirect through the language switch.
    for next in ["//evil.example/", "https://evil.example/", "/\\evil.example"] {
        let res = send(&app, get(&format!("/lang?l=en&next={}", next.replace('/', "%2F").replace('\\', "%5C").replace(':', "%3A")), None)).await;
        assert_eq!(res.headers[header::LOCATION], "/", "{next}");
    }
    assert_eq!(send(&app, get("/lang?l=xx", None)).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn admins_verify_the_archive_from_the_audit_page() {
    let app = synthetic_app();
    let (c, csrf) = login(&app, "admin").await;
    let res = send(&app, post("/audit/verify", Some(&c), &format!("csrf={csrf}"))).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("<strong>OK</strong>"), "{}", res.body);
    assert_eq!(send(&app, post("/audit/verify", Some(&c), "csrf=forged")).await.status, StatusCode::FORBIDDEN);
    let (ac, acsrf) = login(&app, "analyst").await;
    assert_eq!(send(&app, post("/audit/verify", Some(&ac), &format!("csrf={acsrf}"))).await.status, StatusCode::NOT_FOUND);
    // Filters: one record's whole history.
    let hist = send(&app, get("/audit?record=act-secret", Some(&c))).await.body;
    assert!(hist.contains("act-secret") && hist.matches("<tr><td>").count() == 1, "{hist}");
}

#[tokio::test]
async fn openapi_describes_exactly_the_api_routes() {
    let app = synthetic_app();
    let (c, _) = login(&app, "admin").await;
    let spec = json(&send(&app, get("/api/openapi.json", Some(&c))).await);
    let paths: Vec<String> = spec["paths"].as_object().unwrap().keys().cloned().collect();
    for p in paths.iter().filter(|p| spec["paths"][p.as_str()].get("get").is_some()) {
        let url = p.replace("{id}", "evt-nope").replace("{name}", "no-such-briefing").replace("/api/estimate", "/api/estimate?act_type=DP0100000000");
        let status = send(&app, get(&url, Some(&c))).await.status;
        let named = p.contains("{id}") || p.contains("{name}");
        assert!(status == StatusCode::OK || (named && status == StatusCode::NOT_FOUND), "{p}: {status}");
        assert_eq!(send(&app, get(&url, None)).await.status, StatusCode::UNAUTHORIZED, "{p} without a session");
    }
    let routes = include_str!("../../src/lib.rs");
    for line in routes.lines().filter(|l| l.contains(".route(\"/api/")) {
        let path = line.split('"').nth(1).unwrap();
        assert!(paths.iter().any(|p| p == path), "{path} is served but not documented");
    }
}

#[tokio::test]
async fn coding_records_source_connection_reliability_and_perpetrator() {
    let app = synthetic_app();
    let (c, csrf) = login(&app, "doc").await;
    let source = json(&send(&app, get("/api/records?kind=source", Some(&c))).await)["records"][0]["id"].as_str().unwrap().to_string();
    let text = "SYNTHETIC. A guard beat the prisoner in the holding centre.";
    let res = send(&app, multipart(&c, Some(&csrf), &[("coded.txt", text.as_bytes())])).await;
    let doc = res.body.split("/records/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let page = send(&app, get(&format!("/records/{doc}"), Some(&c))).await.body;
    assert!(page.contains("<datalist id=\"act-types\">") && page.contains(&format!("value=\"{source}\"")), "the form offers the vocabulary and sources");
    let vocab = girok_core::Vocabulary::builtin();
    let first = |list| vocab.terms(list).next().unwrap().code.clone();
    let (connection, reliability, degree) =
        (first(girok_core::List::SourceConnection), first(girok_core::List::Reliability), first(girok_core::List::Involvement));
    let form = format!(
        "csrf={csrf}&start=11&end=25&act_type=torture&victim=SYNTHETIC+Prisoner&perpetrator=SYNTHETIC+Guard&degree={degree}&source={source}&connection={connection}&reliability={reliability}"
    );
    let res = send(&app, post(&format!("/records/{doc}/code"), Some(&c), &form)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let (links, _) = app.state.with_archive(|a| a.referenced_by(&doc, Confidentiality::Restricted, 10).unwrap());
    let act_id = links.iter().find(|l| l.kind == Kind::Act).expect("an act cites the document").id.clone();
    let act = json(&send(&app, get(&format!("/api/records/{act_id}"), Some(&c))).await);
    assert_eq!(act["source"], source.as_str());
    assert_eq!(act["connection"], connection.as_str());
    assert_eq!(act["reliability"], reliability.as_str());
    assert_eq!(act["perpetrators"][0]["degree"], degree.as_str());
    let perpetrator = act["perpetrators"][0]["perpetrator"].as_str().unwrap();
    assert!(json(&send(&app, get(&format!("/api/records/{perpetrator}"), Some(&c))).await)["names"][0]["text"] == "SYNTHETIC Guard");
    for (field, bad) in [("source connection", "connection=telepathy"), ("reliability", "reliability=maybe"), ("source", "source=src-nope")] {
        let res = send(&app, post(&format!("/records/{doc}/code"), Some(&c), &format!("csrf={csrf}&start=0&end=5&act_type=torture&victim=x&{bad}"))).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(res.body.contains(field), "{bad}: {}", res.body);
    }
}

#[tokio::test]
async fn sealed_identities_need_clearance_and_every_viewing_is_logged() {
    let app = synthetic_app();
    // A source with a sealed identity (the synthetic witnesses have them).
    let sealed = app
        .state
        .with_archive(|a| a.list(Kind::Source).unwrap().into_iter().map(|r| r.id().to_string()).find(|id| a.sealed_identity(id).unwrap().is_some()).unwrap());
    let name = app.state.with_archive(|a| a.sealed_identity(&sealed).unwrap().unwrap().legal_name);
    let (ac, acsrf) = login(&app, "analyst").await;
    let page = send(&app, get(&format!("/records/{sealed}"), Some(&ac))).await;
    assert!(!page.body.contains(&name) && !page.body.contains("id=\"reveal\""), "no clearance: no identity, no button");
    assert_eq!(page.headers["cache-control"], "no-store", "record pages are not cached");
    assert_eq!(send(&app, post(&format!("/records/{sealed}/identity"), Some(&ac), &format!("csrf={acsrf}"))).await.status, StatusCode::NOT_FOUND);
    // An admin grants clearance to a new account; it sees the button, and the name only on request.
    let (adm, admcsrf) = login(&app, "admin").await;
    let form = format!("csrf={admcsrf}&username=cleared&password={}&role=analyst&clearance=1", PASSWORD.replace(' ', "+"));
    assert_eq!(send(&app, post("/admin/users", Some(&adm), &form)).await.status, StatusCode::SEE_OTHER);
    let (cc, ccsrf) = login(&app, "cleared").await;
    let page = send(&app, get(&format!("/records/{sealed}"), Some(&cc))).await.body;
    assert!(page.contains("id=\"reveal\"") && !page.contains(&name), "{page}");
    assert_eq!(send(&app, post(&format!("/records/{sealed}/identity"), Some(&cc), "csrf=forged")).await.status, StatusCode::FORBIDDEN);
    let before = app.state.with_archive(|a| a.audit_head_seq().unwrap());
    let shown = send(&app, post(&format!("/records/{sealed}/identity"), Some(&cc), &format!("csrf={ccsrf}"))).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains(&name), "the cleared account sees the identity");
    let entries = app.state.with_archive(|a| a.audit_entries(None, before + 1, i64::MAX).unwrap());
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].action.as_str(), entries[0].actor.as_str(), entries[0].record_id.as_deref()),
        ("reveal_sealed_identity", "cleared", Some(sealed.as_str()))
    );
    assert!(!entries[0].content.as_deref().unwrap_or("").contains(&name), "the log says who looked, never what they saw");
    let static_asset = send(&app, get("/static/leaflet.js", None)).await;
    assert_ne!(static_asset.headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
}

fn post_json(path: &str, cookie: &str, csrf: Option<&str>, body: serde_json::Value) -> Request<Body> {
    let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/json").header(header::COOKIE, cookie);
    if let Some(t) = csrf {
        b = b.header("x-csrf-token", t);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn api_clients_code_passages_and_decide_reviews_with_the_same_checks() {
    let app = synthetic_app();
    let (c, _) = login(&app, "doc").await;
    let me = json(&send(&app, get("/api/session", Some(&c))).await);
    assert_eq!(me["role"], "documenter");
    let csrf = me["csrf"].as_str().unwrap().to_string();
    let doc = json(&send(&app, get("/api/records?kind=document", Some(&c))).await)["records"][0]["id"].as_str().unwrap().to_string();
    let body = serde_json::json!({ "start": 0, "end": 9, "act_type": "고문", "victim": "SYNTHETIC API Person", "date": "1997년 3월", "place": "Yodok" });
    let res = send(&app, post_json(&format!("/api/records/{doc}/code"), &c, None, body.clone())).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "no CSRF header, no change");
    let res = send(&app, post_json(&format!("/api/records/{doc}/code"), &c, Some(&csrf), body.clone())).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let ids = json(&res);
    let act = json(&send(&app, get(&format!("/api/records/{}", ids["act"].as_str().unwrap()), Some(&c))).await);
    assert_eq!(act["act_type"], "020111110000");
    assert_eq!(act["citations"][0]["document"], doc.as_str());
    let bad = send(
        &app,
        post_json(&format!("/api/records/{doc}/code"), &c, Some(&csrf), serde_json::json!({ "start": 0, "end": 9, "act_type": "x-ray", "victim": "v" })),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let (vc, _) = login(&app, "viewer").await;
    let vcsrf = json(&send(&app, get("/api/session", Some(&vc))).await)["csrf"].as_str().unwrap().to_string();
    assert_eq!(send(&app, post_json(&format!("/api/records/{doc}/code"), &vc, Some(&vcsrf), body)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, post_json("/api/review/1", &vc, Some(&vcsrf), serde_json::json!({ "decision": "accept" }))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, post_json("/api/review/999999", &c, Some(&csrf), serde_json::json!({ "decision": "accept" }))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, post_json("/api/review/1", &c, Some(&csrf), serde_json::json!({ "decision": "maybe" }))).await.status, StatusCode::BAD_REQUEST);

    // Intake: the body is the file; a second upload of the same bytes is reported, not stored.
    let upload = |cookie: &str, csrf: &str, name: &str| {
        Request::post(format!("/api/documents?name={name}&confidentiality=internal"))
            .header(header::COOKIE, cookie)
            .header("x-csrf-token", csrf)
            .body(Body::from("SYNTHETIC testimony sent through the API: 온성 집결소"))
            .unwrap()
    };
    let first = json(&send(&app, upload(&c, &csrf, "api.txt")).await);
    assert_eq!(first["status"], "added", "{first}");
    let again = json(&send(&app, upload(&c, &csrf, "again.txt")).await);
    assert_eq!((again["status"].as_str(), again["id"].as_str()), (Some("duplicate"), first["id"].as_str()));
    assert_eq!(send(&app, upload(&c, "forged", "x.txt")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, upload(&vc, &vcsrf, "x.txt")).await.status, StatusCode::NOT_FOUND);
    let doc = json(&send(&app, get(&format!("/api/records/{}", first["id"].as_str().unwrap()), Some(&vc))).await);
    assert_eq!(doc["confidentiality"], "internal");

    // Accounts: admins only; the listing never carries a hash.
    let (adm, _) = login(&app, "admin").await;
    let acsrf = json(&send(&app, get("/api/session", Some(&adm))).await)["csrf"].as_str().unwrap().to_string();
    let new = serde_json::json!({ "username": "api-made", "password": "synthetic password 67890", "role": "viewer", "identity_clearance": true });
    assert_eq!(send(&app, post_json("/api/users", &adm, Some(&acsrf), new.clone())).await.status, StatusCode::OK);
    assert_eq!(send(&app, post_json("/api/users", &c, Some(&csrf), new)).await.status, StatusCode::NOT_FOUND);
    let users = send(&app, get("/api/users", Some(&adm))).await.body;
    assert!(users.contains("\"api-made\"") && !users.contains("argon2"), "{users}");
    assert_eq!(send(&app, get("/api/users", Some(&c))).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn briefings_for_analysts_withhold_small_cells_and_match_the_cli() {
    let app = synthetic_app();
    let (ac, _) = login(&app, "analyst").await;
    let page = send(&app, get("/publish?level=internal&min_cell=10", Some(&ac))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for f in ["briefing.html", "acts-by-type.csv", "acts-by-year.csv", "acts-by-province.csv", "manifest.json"] {
        assert!(page.body.contains(&format!("/publish/{f}?level=internal&amp;lang=en&amp;min_cell=10")), "{f} not linked: {}", page.body);
    }
    assert!(page.body.contains("not for outside publication"), "an internal briefing is marked as such");

    // The files are exactly what the store and renderer give (the CLI uses the same two).
    let opts = girok_store::BriefingOptions { level: Confidentiality::Internal, lang: "en".into(), min_cell: 10, title: None, indicators: None };
    let expected = girok_app::briefing::files(&app.state.with_archive(|a| a.briefing(&opts)).unwrap()).unwrap();
    assert!(expected.iter().any(|f| f.name == "briefing.pdf"), "the PDF is one of the files");
    for f in &expected {
        let res = send(&app, get(&format!("/publish/{}?level=internal&lang=en&min_cell=10", f.name), Some(&ac))).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.bytes == f.bytes, "{} differs from the renderer's", f.name);
        let disposition = res.headers.get(header::CONTENT_DISPOSITION).map(|v| v.to_str().unwrap().to_string());
        assert_eq!(disposition.is_some(), f.name != "briefing.html", "{}: {disposition:?}", f.name);
    }
    let province = String::from_utf8(expected.iter().find(|f| f.name == "acts-by-province.csv").unwrap().bytes.clone()).unwrap();
    for line in province.lines().skip(1) {
        let cell = line.rsplit(',').next().unwrap();
        if let Ok(n) = cell.parse::<u64>() {
            assert!(n == 0 || n >= 10, "{line}");
        }
    }

    // The restricted act's marker never reaches a briefing; nobody gets a level above their own.
    let restricted = send(&app, get("/publish/briefing.html?level=restricted", Some(&ac))).await;
    assert_eq!(restricted.status, StatusCode::OK);
    assert!(!restricted.body.contains("SECRET-MARKER"));
    let (vc, _) = login(&app, "viewer").await;
    assert_eq!(send(&app, get("/publish?level=public", Some(&vc))).await.status, StatusCode::NOT_FOUND);
    // Unknown files and bad settings are refused with the reason.
    assert_eq!(send(&app, get("/publish/..%2Fgirok.db", Some(&ac))).await.status, StatusCode::NOT_FOUND);
    let bad = send(&app, get("/publish?min_cell=0", Some(&ac))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("min_cell"), "{}", bad.body);
    assert_eq!(send(&app, get("/publish?level=secret", Some(&ac))).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn regression_12_an_analyst_finds_events_told_twice_and_a_merge_corroborates_them() {
    let app = synthetic_app();
    let (c, _) = login(&app, "analyst").await;
    let csrf = json(&send(&app, get("/api/session", Some(&c))).await)["csrf"].as_str().unwrap().to_string();
    let counts = || app.state.with_archive(|a| a.corroboration_counts(Confidentiality::Restricted).unwrap());
    let before = counts();
    let proposed = send(&app, post_json("/api/review/propose", &c, Some(&csrf), serde_json::json!({ "what": "events" }))).await;
    assert_eq!(proposed.status, StatusCode::OK, "{}", proposed.body);
    let proposed = json(&proposed);
    assert!(proposed["queued"].as_u64().unwrap() > 0, "the synthetic demo re-reports events: {proposed}");
    // The review page shows the event pairs side by side, with the evidence.
    let page = send(&app, get("/review", Some(&c))).await;
    assert!(page.body.contains("review-event") && page.body.contains("Same event") && page.body.contains("same victim"), "{}", page.body);
    let item = app.state.with_archive(|a| a.review_queue(Some("open")).unwrap()).into_iter().find(|i| i.kind == "event").unwrap();
    let orgs_before = send(&app, get(&format!("/records/{}", item.left), Some(&c))).await.body;
    let res = send(&app, post_json(&format!("/api/review/{}", item.id), &c, Some(&csrf), serde_json::json!({ "decision": "accept" }))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let after = counts();
    let total = |c: &girok_store::Corroboration| c.corroborated + c.single + c.unsourced;
    assert_eq!(total(&after), total(&before) - 1, "two records of one event count once: {before:?} {after:?}");
    assert!(after.corroborated >= before.corroborated && after.single < before.single, "{before:?} {after:?}");
    let orgs_after = send(&app, get(&format!("/records/{}", item.left), Some(&c))).await.body;
    let reported =
        |b: &str| b.split("id=\"reported-by\"").nth(1).map(|s| s.split("</p>").next().unwrap().matches("Synthetic Documentation Project").count()).unwrap_or(0);
    assert!(reported(&orgs_after) >= 2 && reported(&orgs_after) >= reported(&orgs_before), "{}", orgs_after);
    // Viewers may not propose; an unknown target is a clear error.
    let (vc, _) = login(&app, "viewer").await;
    let vcsrf = json(&send(&app, get("/api/session", Some(&vc))).await)["csrf"].as_str().unwrap().to_string();
    assert_ne!(send(&app, post_json("/api/review/propose", &vc, Some(&vcsrf), serde_json::json!({ "what": "events" }))).await.status, StatusCode::OK);
    let bad = send(&app, post_json("/api/review/propose", &c, Some(&csrf), serde_json::json!({ "what": "places" }))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("persons or events"), "{}", bad.body);
}
