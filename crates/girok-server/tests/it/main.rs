//! The web application through HTTP, in process: every route for every role, and the attacks.
//! All data is synthetic.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use girok_core::model::*;
use girok_server::{router, AppState, ServerConfig};
use girok_store::{Archive, CreateOptions, KdfParams, KeySource, Role};
use tower::ServiceExt;

mod briefings;
mod browse;
mod browser;
mod conflicts;
mod documents;
mod edit;
mod security;

const XSS: &str = "<script>alert('xss')</script><img src=x onerror=alert(1)>";
const PASSWORD: &str = "synthetic password 12345";

struct App {
    state: Arc<AppState>,
    _dir: tempfile::TempDir,
}

/// The configuration the tests run with: the defaults, with a lockout after three failures.
fn config() -> ServerConfig {
    ServerConfig { max_failures: 3, ..Default::default() }
}

fn app() -> App {
    app_with(config())
}

fn app_with(config: ServerConfig) -> App {
    let dir = tempfile::tempdir().unwrap();
    let key = KeySource::passphrase("synthetic test passphrase");
    let mut a = Archive::create(&dir.path().join("a"), &key, CreateOptions { kdf: KdfParams::WEAK_FOR_TESTS, seed_gazetteer: true }).unwrap();
    a.write("setup", |w| {
        for (name, role) in [("admin", Role::Admin), ("doc", Role::Documenter), ("analyst", Role::Analyst), ("viewer", Role::Viewer)] {
            w.set_user(name, PASSWORD, role, false)?;
        }
        w.put(Record::Event(Event {
            provisions: Vec::new(),
            same_as: None,
            links: vec![],
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
            provisions: Vec::new(),
            same_as: None,
            links: vec![],
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
    // As `girok serve` builds it: pages read through their own connections, so every test below
    // also checks that a reader sees what the writer committed.
    App { state: AppState::for_serving(a, config).unwrap(), _dir: dir }
}

/// A synthetic witness source with a sealed identity; returns its id.
fn sealed_source(app: &App) -> String {
    let dir = app.state.with_archive(|a| a.dir().to_path_buf());
    let mut a = Archive::open(&dir, &KeySource::passphrase("synthetic test passphrase")).unwrap();
    a.write("setup", |w| {
        w.put(Record::Source(Source {
            id: "src-sealed".into(),
            pseudonym: "W-SEALED".into(),
            kind: SourceKind::Witness,
            organisation: Some("Synthetic Sealed Project".into()),
            connection: None,
            reliability: None,
            notes: String::new(),
            confidentiality: Confidentiality::Restricted,
            synthetic: true,
        }))?;
        w.seal_identity(&SealedIdentity {
            source: "src-sealed".into(),
            legal_name: "SYNTHETIC-SEALED-NAME".into(),
            contact: "SYNTHETIC-SEALED-CONTACT".into(),
            notes: String::new(),
        })
    })
    .unwrap();
    "src-sealed".into()
}

struct Res {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
    /// The body as sent (PDFs are not text).
    bytes: Vec<u8>,
}

async fn send(app: &App, req: Request<Body>) -> Res {
    let res = router(app.state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 10 << 20).await.unwrap();
    Res { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes: bytes.to_vec() }
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
    let routes = [
        "/",
        "/search?q=torture",
        "/records/evt-public",
        "/records/evt-secret",
        "/audit",
        "/admin/users",
        "/api/search?q=torture",
        "/intake",
        "/review",
        "/records?kind=event",
        "/map",
        "/estimate",
        "/api/records?kind=event",
        "/api/records/evt-secret",
        "/api/map",
        "/api/estimate?act_type=torture",
        "/api/openapi.json",
        "/audit?record=evt-secret",
        "/account",
        "/publish",
        "/publish/briefing.html?level=restricted",
        "/publish/briefings/annual",
        "/api/briefings",
        "/admin/replicas",
        "/conflicts",
    ];
    // Expected status per role, in route order. (The estimate is 400 for those allowed: this
    // archive has no acts to estimate from.)
    let expect: [(&str, [u16; 25]); 5] = [
        ("anonymous", [303, 303, 303, 303, 303, 303, 401, 303, 303, 303, 303, 303, 401, 401, 401, 401, 401, 303, 303, 303, 303, 303, 401, 303, 303]),
        ("viewer", [200, 200, 200, 404, 404, 404, 200, 404, 404, 200, 200, 404, 200, 404, 200, 404, 200, 404, 200, 404, 404, 404, 404, 404, 404]),
        ("analyst", [200, 200, 200, 200, 404, 404, 200, 404, 200, 200, 200, 200, 200, 200, 200, 400, 200, 404, 200, 200, 200, 200, 200, 404, 404]),
        ("doc", [200, 200, 200, 200, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 200, 404, 200, 404, 200, 404, 404, 404, 404, 404, 200]),
        ("admin", [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 400, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
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
        assert!(res.body.contains("wrong name, password or code"));
    }
    let res = send(&app, post("/login", None, &format!("username=viewer&password={}", PASSWORD.replace(' ', "+")))).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "even the right password is refused while locked");
    // Unknown names fail the same way as wrong passwords.
    let res = send(&app, post("/login", None, "username=nobody&password=whatever")).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

pub(crate) fn multipart(cookie: &str, csrf: Option<&str>, files: &[(&str, &[u8])]) -> Request<Body> {
    let boundary = "XsyntheticBOUNDARYx";
    let mut body: Vec<u8> = Vec::new();
    if let Some(c) = csrf {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{c}\r\n").as_bytes());
    }
    for (name, bytes) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n").as_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    Request::post("/intake")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn uploads_are_taken_in_safely() {
    let app = app();
    let (cookie, csrf) = login(&app, "doc").await;
    let text = "SYNTHETIC testimony uploaded through the web: 요덕수용소".as_bytes();
    let res = send(&app, multipart(&cookie, None, &[("t.txt", text)])).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "an upload without the CSRF token is refused");
    let res = send(&app, multipart(&cookie, Some(&csrf), &[("../../../etc/<b>passwd</b>.txt", text), ("copy.txt", text)])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("added") && res.body.contains("duplicate"), "{}", res.body);
    assert!(!res.body.contains("<b>passwd"), "file names are escaped");
    // The document is searchable, in Korean.
    let found = send(&app, get("/api/search?q=%EC%88%98%EC%9A%A9%EC%86%8C", Some(&cookie))).await;
    assert!(found.body.contains("doc-"), "{}", found.body);
}

#[tokio::test]
async fn oversized_uploads_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Archive::create(
        &dir.path().join("a"),
        &KeySource::passphrase("synthetic test passphrase"),
        CreateOptions { kdf: KdfParams::WEAK_FOR_TESTS, seed_gazetteer: false },
    )
    .unwrap();
    a.write("setup", |w| w.set_user("doc", PASSWORD, Role::Documenter, false)).unwrap();
    let app = App { state: AppState::new(a, ServerConfig { max_upload: 4096, ..Default::default() }), _dir: dir };
    let (cookie, csrf) = login(&app, "doc").await;
    let big = vec![b'x'; 20_000];
    let res = send(&app, multipart(&cookie, Some(&csrf), &[("big.txt", &big)])).await;
    assert!(res.status == StatusCode::PAYLOAD_TOO_LARGE || res.status == StatusCode::BAD_REQUEST, "{}: {}", res.status, res.body);
    let n_docs = app.state.with_archive(|a| a.counts().unwrap().into_iter().find(|(k, _)| *k == Kind::Document).unwrap().1);
    assert_eq!(n_docs, 0, "nothing was stored");
}

#[tokio::test]
async fn a_documenter_codes_a_passage_and_it_is_marked_and_searchable() {
    let app = app();
    let (cookie, csrf) = login(&app, "doc").await;
    let text = "SYNTHETIC. In winter 1997 she was beaten at the Onsong holding centre.";
    let res = send(&app, multipart(&cookie, Some(&csrf), &[("w.txt", text.as_bytes())])).await;
    let doc = res.body.split("/records/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let start = text.find("she was beaten").unwrap();
    let end = text.find(" at the").unwrap();
    let form = format!("csrf={csrf}&start={start}&end={end}&act_type=torture&victim=SYNTHETIC+Kim&place=Onsong&date=winter+1997&description=beaten");
    let res = send(&app, post(&format!("/records/{doc}/code"), Some(&cookie), &form)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = send(&app, get(&format!("/records/{doc}"), Some(&cookie))).await;
    assert!(page.body.contains("<mark title=\"act-") || page.body.contains("<mark title=\"evt-"), "{}", page.body);
    assert!(page.body.contains(">she was beaten</a></mark>"), "{}", page.body);
    let dash = send(&app, get("/", Some(&cookie))).await;
    assert!(dash.body.contains(">Torture</a></td>"), "the dashboard counts the new act: {}", dash.body);
    let (ac, _) = login(&app, "admin").await;
    let audit = send(&app, get("/audit", Some(&ac))).await;
    assert!(audit.body.contains(&doc), "the audit page shows the latest entries: {}", audit.body);
    let found = send(&app, get("/api/search?q=beaten&act_type=torture", Some(&cookie))).await;
    assert!(found.body.contains("\"act-"), "{}", found.body);
    // Bad input is refused with a message; a viewer cannot code at all.
    let bad = send(&app, post(&format!("/records/{doc}/code"), Some(&cookie), &format!("csrf={csrf}&start=0&end=5&act_type=teleportation&victim=x"))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("unknown act type"), "{}", bad.body);
    let (vc, vcsrf) = login(&app, "viewer").await;
    let res = send(&app, post(&format!("/records/{doc}/code"), Some(&vc), &format!("csrf={vcsrf}&start=0&end=5&act_type=torture&victim=x"))).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

fn base32_decode(s: &str) -> Vec<u8> {
    let (mut buf, mut bits, mut out) = (0u64, 0u32, Vec::new());
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => panic!("not base32: {c}"),
        };
        buf = (buf << 5) | v as u64;
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

fn now_step() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() / 30
}

#[tokio::test]
async fn second_factor_setup_login_replay_and_admin_reset() {
    let app = app();
    let (c, csrf) = login(&app, "viewer").await;
    let page = send(&app, post("/account/totp", Some(&c), &format!("csrf={csrf}&action=start"))).await;
    assert_eq!(page.status, StatusCode::OK);
    let secret = base32_decode(page.body.split("id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap());
    let qr = page.body.split("<div id=\"totp-qr\">").nth(1).unwrap();
    assert!(qr.trim_start().starts_with("<?xml") || qr.trim_start().starts_with("<svg"), "a QR code for the authenticator app: {}", &qr[..80.min(qr.len())]);
    assert_eq!(secret.len(), 20);
    let code = |step: u64| format!("{:06}", girok_store::totp::code_at_step(&secret, step));
    let wrong = format!("{:06}", (girok_store::totp::code_at_step(&secret, now_step()) + 1) % 1_000_000);
    let res = send(&app, post("/account/totp", Some(&c), &format!("csrf={csrf}&action=confirm&code={wrong}"))).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "a wrong code does not turn the factor on");
    let res = send(&app, post("/account/totp", Some(&c), &format!("csrf={csrf}&action=confirm&code={}", code(now_step())))).await;
    assert!(res.body.contains("The second factor is on"), "{}", res.body);
    assert!(app.state.with_archive(|a| a.totp_secret("viewer").unwrap()) == Some(secret.clone()));
    let audit = app.state.with_archive(|a| a.audit_entries(None, 0, i64::MAX).unwrap());
    assert!(!audit.iter().any(|e| e.content.as_deref().unwrap_or("").contains(&hex::encode(&secret))), "the secret is not in the audit log");

    let pw = PASSWORD.replace(' ', "+");
    let res = send(&app, post("/login", None, &format!("username=viewer&password={pw}"))).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "the password alone no longer opens the account");
    // The next step's code (clock drift allowance) logs in once; replaying it fails.
    let next = code(now_step() + 1);
    let res = send(&app, post("/login", None, &format!("username=viewer&password={pw}&code={next}"))).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = send(&app, post("/login", None, &format!("username=viewer&password={pw}&code={next}"))).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "a used code is refused");

    // The admin clears the factor (lost phone), then disables the account: its session ends.
    let (ac, acsrf) = login(&app, "admin").await;
    let users = send(&app, get("/admin/users", Some(&ac))).await.body;
    assert!(users.contains("2FA"), "{users}");
    assert_eq!(send(&app, post("/admin/users/viewer/access", Some(&ac), &format!("csrf={acsrf}&action=reset-totp"))).await.status, StatusCode::SEE_OTHER);
    let (vc, _) = login(&app, "viewer").await;
    assert_eq!(send(&app, get("/", Some(&vc))).await.status, StatusCode::OK);
    assert_eq!(send(&app, post("/admin/users/viewer/access", Some(&ac), &format!("csrf={acsrf}&action=disable"))).await.status, StatusCode::SEE_OTHER);
    assert_eq!(send(&app, get("/", Some(&vc))).await.status, StatusCode::SEE_OTHER, "a disabled account's session ends at once");
    assert_eq!(send(&app, post("/login", None, &format!("username=viewer&password={pw}"))).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&app, post("/admin/users/viewer/access", Some(&ac), &format!("csrf={acsrf}&action=enable"))).await.status, StatusCode::SEE_OTHER);
    login(&app, "viewer").await;
    // Only admins, only with the token, never oneself.
    assert_eq!(send(&app, post("/admin/users/viewer/access", Some(&ac), "csrf=forged&action=disable")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, post("/admin/users/admin/access", Some(&ac), &format!("csrf={acsrf}&action=disable"))).await.status, StatusCode::BAD_REQUEST);
    let (dc, dcsrf) = login(&app, "doc").await;
    assert_eq!(send(&app, post("/admin/users/viewer/access", Some(&dc), &format!("csrf={dcsrf}&action=disable"))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, post("/admin/users/nobody/access", Some(&ac), &format!("csrf={acsrf}&action=disable"))).await.status, StatusCode::NOT_FOUND);
}
