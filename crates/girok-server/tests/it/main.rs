//! The web application through HTTP, in process: every route for every role, and the attacks.
//! All data is synthetic.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use girok_core::model::*;
use girok_server::{router, AppState, ServerConfig};
use girok_store::{Archive, CreateOptions, KdfParams, KeySource, Role};
use tower::ServiceExt;

const XSS: &str = "<script>alert('xss')</script><img src=x onerror=alert(1)>";
const PASSWORD: &str = "synthetic password 12345";

struct App {
    state: Arc<AppState>,
    _dir: tempfile::TempDir,
}

fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Archive::create(&dir.path().join("a"), &KeySource::passphrase("synthetic test passphrase"), CreateOptions { kdf: KdfParams::WEAK_FOR_TESTS, seed_gazetteer: true }).unwrap();
    a.write("setup", |w| {
        for (name, role) in [("admin", Role::Admin), ("doc", Role::Documenter), ("analyst", Role::Analyst), ("viewer", Role::Viewer)] {
            w.set_user(name, PASSWORD, role, false)?;
        }
        w.put(Record::Event(Event {
            id: "evt-public".into(),
            title: format!("Public event {XSS}"),
            description: format!("SYNTHETIC torture at the camp {XSS}"),
            place: Some("plc-fac-kwanliso-15".into()),
            date: None,
            follows: None,
            citations: vec![],
            confidentiality: Confidentiality::Public,
            synthetic: true,
        }))?;
        w.put(Record::Event(Event {
            id: "evt-secret".into(),
            title: "Restricted event SECRET-MARKER".into(),
            description: "SYNTHETIC torture SECRET-MARKER".into(),
            place: None,
            date: None,
            follows: None,
            citations: vec![],
            confidentiality: Confidentiality::Restricted,
            synthetic: true,
        }))?;
        Ok(())
    })
    .unwrap();
    App { state: AppState::new(a, ServerConfig { max_failures: 3, ..Default::default() }), _dir: dir }
}

struct Res {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(app: &App, req: Request<Body>) -> Res {
    let res = router(app.state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 10 << 20).await.unwrap();
    Res { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

fn post(path: &str, cookie: Option<&str>, form: &str) -> Request<Body> {
    let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(form.to_string())).unwrap()
}

/// Logs in and returns the session cookie and the CSRF token.
async fn login(app: &App, user: &str) -> (String, String) {
    let res = send(app, post("/login", Some("girok_session=planted-by-attacker"), &format!("username={user}&password={}", PASSWORD.replace(' ', "+")))).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{user}: {}", res.body);
    let set = res.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();
    assert_ne!(cookie, "girok_session=planted-by-attacker", "session fixation: the planted id must not survive login");
    let page = send(app, get("/", Some(&cookie))).await;
    let csrf = page.body.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    (cookie, csrf)
}

#[tokio::test]
async fn route_by_role_matrix() {
    let app = app();
    let routes = ["/", "/search?q=torture", "/records/evt-public", "/records/evt-secret", "/audit", "/admin/users", "/api/search?q=torture"];
    // Expected status per role, in route order.
    let expect: [(&str, [u16; 7]); 5] = [
        ("anonymous", [303, 303, 303, 303, 303, 303, 401]),
        ("viewer", [200, 200, 200, 404, 404, 404, 200]),
        ("analyst", [200, 200, 200, 200, 404, 404, 200]),
        ("doc", [200, 200, 200, 200, 404, 404, 200]),
        ("admin", [200, 200, 200, 200, 200, 200, 200]),
    ];
    for (who, codes) in expect {
        let cookie = if who == "anonymous" { None } else { Some(login(&app, who).await.0) };
        for (route, code) in routes.iter().zip(codes) {
            let res = send(&app, get(route, cookie.as_deref())).await;
            assert_eq!(res.status.as_u16(), code, "{who} {route}");
            if who == "viewer" || who == "anonymous" {
                assert!(!res.body.contains("SECRET-MARKER"), "{who} {route} leaked restricted content");
            }
            assert_eq!(res.headers.get("x-frame-options").map(|v| v.to_str().unwrap()), Some("DENY"));
        }
    }
    assert_eq!(send(&app, get("/healthz", None)).await.status, StatusCode::OK);
    assert_eq!(send(&app, get("/records/evt-nope", Some(&login(&app, "admin").await.0))).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn testimony_html_is_shown_as_text() {
    let app = app();
    let (cookie, _) = login(&app, "analyst").await;
    for route in ["/records/evt-public", "/search?q=torture"] {
        let res = send(&app, get(route, Some(&cookie))).await;
        assert!(!res.body.contains("<script>alert"), "{route} rendered a script tag");
        assert!(!res.body.contains("<img src=x"), "{route} rendered an img tag");
        assert!(res.body.contains("&lt;script&gt;") || res.body.contains("&lt;script"), "{route} did not escape: {}", &res.body[..res.body.len().min(400)]);
    }
    let api = send(&app, get("/api/search?q=torture", Some(&cookie))).await;
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert!(v["hits"].as_array().unwrap().iter().any(|h| h["id"] == "evt-public"));
}

#[tokio::test]
async fn state_changing_forms_need_the_session_csrf_token() {
    let app = app();
    let (cookie, csrf) = login(&app, "admin").await;
    let form = "username=newuser&password=another+synthetic+pw&role=viewer";
    assert_eq!(send(&app, post("/admin/users", Some(&cookie), form)).await.status, StatusCode::FORBIDDEN, "missing token");
    assert_eq!(send(&app, post("/admin/users", Some(&cookie), &format!("{form}&csrf=forged"))).await.status, StatusCode::FORBIDDEN, "forged token");
    assert_eq!(send(&app, post("/admin/users", Some(&cookie), &format!("{form}&csrf={csrf}"))).await.status, StatusCode::SEE_OTHER);
    // Another user's token does not work either.
    let (_, other_csrf) = login(&app, "doc").await;
    assert_eq!(send(&app, post("/logout", Some(&cookie), &format!("csrf={other_csrf}"))).await.status, StatusCode::FORBIDDEN);
    let res = send(&app, post("/logout", Some(&cookie), &format!("csrf={csrf}"))).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(send(&app, get("/", Some(&cookie))).await.status, StatusCode::SEE_OTHER, "the session ended at logout");
    // A non-admin cannot create accounts even with its own valid token.
    let (vc, vcsrf) = login(&app, "viewer").await;
    assert_eq!(send(&app, post("/admin/users", Some(&vc), &format!("{form}&csrf={vcsrf}"))).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn repeated_failed_logins_lock_the_account() {
    let app = app();
    for _ in 0..3 {
        let res = send(&app, post("/login", None, "username=viewer&password=wrong+guess")).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        assert!(res.body.contains("wrong name or password"));
    }
    let res = send(&app, post("/login", None, &format!("username=viewer&password={}", PASSWORD.replace(' ', "+")))).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "even the right password is refused while locked");
    // Unknown names fail the same way as wrong passwords.
    let res = send(&app, post("/login", None, "username=nobody&password=whatever")).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}
