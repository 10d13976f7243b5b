//! Regression tests for the findings of the attack on the web application (issue 10): each
//! failed before its fix. All data is synthetic.

use std::io::{Read, Write};
use std::net::SocketAddr;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use girok_server::ServerConfig;
use girok_store::Role;

use crate::{app, app_with, get, login, post, send, App, PASSWORD};

fn api_post(path: &str, cookie: &str, csrf: &str, body: serde_json::Value) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header("x-csrf-token", csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn from(addr: &str, mut req: Request<Body>) -> Request<Body> {
    let addr: SocketAddr = addr.parse().unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    req
}

fn login_form(user: &str, password: &str) -> String {
    format!("username={user}&password={}", password.replace(' ', "+"))
}

#[tokio::test]
async fn regression_10_a_demoted_account_loses_its_rights_in_its_open_session() {
    let app = app();
    let (ac, acsrf) = login(&app, "admin").await;
    let make =
        |role: &str, clearance: bool| serde_json::json!({ "username": "tempadmin", "password": PASSWORD, "role": role, "identity_clearance": clearance });
    assert_eq!(send(&app, api_post("/api/users", &ac, &acsrf, make("admin", true))).await.status, StatusCode::OK);
    let (tc, tcsrf) = login(&app, "tempadmin").await;
    assert_eq!(send(&app, get("/admin/users", Some(&tc))).await.status, StatusCode::OK);
    // The admin demotes it (same password): the open session ends at its next request.
    assert_eq!(send(&app, api_post("/api/users", &ac, &acsrf, make("viewer", false))).await.status, StatusCode::OK);
    assert_eq!(send(&app, get("/admin/users", Some(&tc))).await.status, StatusCode::SEE_OTHER);
    let res = send(&app, api_post("/api/users", &tc, &tcsrf, serde_json::json!({ "username": "planted", "password": PASSWORD, "role": "admin" }))).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "the old session cannot create accounts");
    assert!(app.state.with_archive(|a| a.users().unwrap().iter().all(|u| u.username != "planted")));
    // A password reset ends sessions too, and so does a change made outside the web app (the CLI).
    let (vc, _) = login(&app, "viewer").await;
    app.state.with_archive(|_| ());
    {
        let dir = app.state.with_archive(|a| a.dir().to_path_buf());
        let mut other = girok_store::Archive::open(&dir, &girok_store::KeySource::passphrase("synthetic test passphrase")).unwrap();
        other.write("cli", |w| w.set_user("viewer", "another synthetic password", Role::Viewer, false)).unwrap();
    }
    assert_eq!(send(&app, get("/", Some(&vc))).await.status, StatusCode::SEE_OTHER, "a reset password ends the open session");
}

#[tokio::test]
async fn regression_10_sessions_end_when_idle_and_at_their_lifetime() {
    let idle = app_with(ServerConfig { session_idle: std::time::Duration::ZERO, ..crate::config() });
    let (c, _) = login_raw(&idle, "viewer").await;
    assert_eq!(send(&idle, get("/", Some(&c))).await.status, StatusCode::SEE_OTHER, "an idle session ends");
    let short = app_with(ServerConfig { session_max: std::time::Duration::ZERO, ..crate::config() });
    let (c, _) = login_raw(&short, "viewer").await;
    assert_eq!(send(&short, get("/", Some(&c))).await.status, StatusCode::SEE_OTHER, "a session past its lifetime ends");
    // By default a session lasts, and its cookie says how long at most.
    let app = app();
    let res = send(&app, post("/login", None, &login_form("viewer", PASSWORD))).await;
    let set = res.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
    assert!(set.contains(&format!("Max-Age={}", 12 * 3600)), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();
    for _ in 0..3 {
        assert_eq!(send(&app, get("/", Some(&cookie))).await.status, StatusCode::OK);
    }
}

/// Logs in without loading a page afterwards (which would already use the session).
async fn login_raw(app: &App, user: &str) -> (String, ()) {
    let res = send(app, post("/login", None, &login_form(user, PASSWORD))).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    (res.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_string(), ())
}

#[tokio::test]
async fn regression_10_the_language_switch_redirects_only_within_girok() {
    let app = app();
    for (next, want) in [
        ("/%09/evil.example", "/"),
        ("/%0d%0a/evil.example", "/"),
        ("//evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("%2F%5Cevil.example", "/"),
        ("https://evil.example/", "/"),
        ("/records%3Fkind%3Devent", "/records?kind=event"),
        ("/search%3Fq%3D%EC%88%98%EC%9A%A9%EC%86%8C", "/search?q=%EC%88%98%EC%9A%A9%EC%86%8C"),
        ("/%00", "/"),
    ] {
        let res = send(&app, get(&format!("/lang?l=ko&next={next}"), None)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{next}: {}", res.body);
        assert_eq!(res.headers.get(header::LOCATION).unwrap().to_str().unwrap(), want, "{next}");
    }
}

// Several worker threads, so the guesses really are checked at the same time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn regression_10_concurrent_guesses_are_counted_before_they_are_checked() {
    let app = app();
    let mut guesses = Vec::new();
    for k in 0..12 {
        let state = app.state.clone();
        guesses.push(tokio::spawn(async move {
            let req = post("/login", None, &login_form("viewer", &format!("wrong guess {k}")));
            use tower::ServiceExt;
            girok_server::router(state).oneshot(req).await.unwrap().status()
        }));
    }
    let mut checked = 0;
    for g in guesses {
        if g.await.unwrap() == StatusCode::UNAUTHORIZED {
            checked += 1;
        }
    }
    assert!(checked <= 3, "{checked} guesses were checked against a limit of 3");
}

#[tokio::test]
async fn regression_10_a_lockout_is_per_address_and_an_admin_can_lift_it() {
    let app = app_with(ServerConfig { failure_delay: std::time::Duration::from_millis(5), ..crate::config() });
    for _ in 0..3 {
        let res = send(&app, from("203.0.113.7:40000", post("/login", None, &login_form("admin", "wrong guess")))).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    let right = login_form("admin", PASSWORD);
    assert_eq!(
        send(&app, from("203.0.113.7:40001", post("/login", None, &right))).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the guessing address is locked out"
    );
    // The admin, elsewhere, still gets in: the account itself is only slowed.
    let res = send(&app, from("198.51.100.2:50000", post("/login", None, &right))).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "an attacker cannot lock the admin out");
    let cookie = res.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let page = send(&app, get("/admin/users", Some(&cookie))).await.body;
    assert!(page.contains("logins locked"), "the accounts page shows the lock");
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert_eq!(send(&app, post("/admin/users/admin/access", Some(&cookie), &format!("csrf={csrf}&action=unlock"))).await.status, StatusCode::SEE_OTHER);
    assert_eq!(send(&app, from("203.0.113.7:40002", post("/login", None, &right))).await.status, StatusCode::SEE_OTHER, "unlocked");
    let audit = app.state.with_archive(|a| a.audit_entries(None, 0, i64::MAX).unwrap());
    assert!(audit.iter().any(|e| e.action == "unlock_account"), "the unlock is audited");
}

#[tokio::test]
async fn regression_10_a_login_posted_from_another_site_is_refused() {
    let app = app();
    let form = login_form("viewer", PASSWORD);
    let with = |origin: Option<&str>, site: Option<&str>| {
        let mut b = Request::post("/login").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").header(header::HOST, "127.0.0.1:8750");
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o);
        }
        if let Some(s) = site {
            b = b.header("sec-fetch-site", s);
        }
        b.body(Body::from(form.clone())).unwrap()
    };
    assert_eq!(send(&app, with(Some("http://evil.example"), None)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, with(Some("null"), None)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, with(Some("http://127.0.0.1:8750"), Some("cross-site"))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, with(Some("http://127.0.0.1:8750"), None)).await.status, StatusCode::SEE_OTHER);
    assert_eq!(send(&app, with(Some("null"), Some("same-origin"))).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn regression_10_csp_forbids_foreign_forms_and_base_urls() {
    let app = app();
    let res = send(&app, get("/login", None)).await;
    let csp = res.headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("form-action 'self'") && csp.contains("base-uri 'none'"), "{csp}");
}

#[tokio::test]
async fn regression_10_spans_and_names_are_validated() {
    let app = app();
    let (cookie, csrf) = login(&app, "doc").await;
    let text = "SYNTHETIC testimony for span checks.";
    let res = send(&app, crate::multipart(&cookie, Some(&csrf), &[("span.txt", text.as_bytes())])).await;
    let doc = res.body.split("/records/").nth(1).unwrap().split('"').next().unwrap().to_string();
    for (start, end, victim) in [(u64::MAX, 0, "SYNTHETIC Kim"), (5, 5, "SYNTHETIC Kim"), (9, 3, "SYNTHETIC Kim"), (0, 5, ""), (0, 5, "   ")] {
        let body = serde_json::json!({ "start": start, "end": end, "act_type": "torture", "victim": victim });
        let res = send(&app, api_post(&format!("/api/records/{doc}/code"), &cookie, &csrf, body)).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "[{start}, {end}] {victim:?}: {}", res.body);
    }
    let body = serde_json::json!({ "start": 0, "end": 9, "act_type": "torture", "victim": "SYNTHETIC Kim" });
    assert_eq!(send(&app, api_post(&format!("/api/records/{doc}/code"), &cookie, &csrf, body)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn regression_10_hidden_characters_in_file_names_are_shown() {
    let app = app();
    let (cookie, csrf) = login(&app, "doc").await;
    let name = "report\u{202E}fdp.exe";
    let res = send(&app, crate::multipart(&cookie, Some(&csrf), &[(name, b"SYNTHETIC text of an oddly named file")])).await;
    assert!(res.body.contains("report[U+202E]fdp.exe"), "{}", res.body);
    assert!(!res.body.contains('\u{202E}'), "the override character is never sent as is");
    let doc = res.body.split("/records/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let page = send(&app, get(&format!("/records/{doc}"), Some(&cookie))).await.body;
    assert!(page.contains("<h1>report[U+202E]fdp.exe</h1>") && !page.contains('\u{202E}'), "{page}");
    // Stored as given: the original name is evidence too.
    let stored = app.state.with_archive(|a| a.get(&doc).unwrap());
    assert_eq!(stored.title(), name);
}

#[tokio::test]
async fn regression_10_the_identity_page_links_to_a_page_that_exists() {
    let app = app();
    app.state.with_archive(|_| ());
    // An admin with identity clearance, a source with a sealed identity (synthetic).
    {
        let (ac, acsrf) = login(&app, "admin").await;
        let body = serde_json::json!({ "username": "cleared", "password": PASSWORD, "role": "admin", "identity_clearance": true });
        assert_eq!(send(&app, api_post("/api/users", &ac, &acsrf, body)).await.status, StatusCode::OK);
    }
    let source = crate::sealed_source(&app);
    let (c, csrf) = login(&app, "cleared").await;
    let res = send(&app, post(&format!("/records/{source}/identity"), Some(&c), &format!("csrf={csrf}"))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let link = res.body.split("href=\"/lang?").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    let back = send(&app, get(&format!("/lang?{link}"), Some(&c))).await;
    let location = back.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_string();
    assert_eq!(location, format!("/records/{source}"));
    assert_eq!(send(&app, get(&location, Some(&c))).await.status, StatusCode::OK);
}

/// A raw connection to a served app, for what in-process requests cannot show (timeouts).
fn serve(config: ServerConfig) -> (SocketAddr, App) {
    let app = app_with(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let state = app.state.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let _ = rt.block_on(girok_server::serve_listener(state, listener));
    });
    (addr, app)
}

/// Whether the server has closed `stream` (reads end or fail within `wait`).
fn closed(stream: &mut std::net::TcpStream, wait: std::time::Duration) -> bool {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut buf = [0u8; 512];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            // A 408 may come first; then the close.
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => return false,
            Err(_) => return true,
        }
    }
}

#[test]
fn regression_10_connections_that_never_finish_their_headers_are_closed() {
    let (addr, _app) = serve(ServerConfig { header_timeout: std::time::Duration::from_millis(300), ..crate::config() });
    let mut slow: Vec<std::net::TcpStream> = (0..40)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").unwrap();
            s
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(600));
    for (k, s) in slow.iter_mut().enumerate() {
        assert!(closed(s, std::time::Duration::from_secs(3)), "connection {k} is still open");
    }
    // A kept-alive connection that goes quiet after a request is closed too.
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut buf = [0u8; 256];
    let n = s.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    assert!(closed(&mut s, std::time::Duration::from_secs(3)), "an idle kept-alive connection is closed");
    // And the server still answers.
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
}

/// Every string a record holds, walking its JSON.
fn strings_of(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings_of(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings_of(x, out)),
        _ => {}
    }
}

/// Worth looking for: long enough not to occur by chance in a page (a Hangul name of three
/// syllables is; an English word of five letters is not).
fn distinctive(s: &str) -> bool {
    let n = s.chars().count();
    // Times of intake coincide with the times every page's history shows.
    if s.len() == 20 && s.as_bytes()[4] == b'-' && s.as_bytes()[10] == b'T' {
        return false;
    }
    if !s.is_ascii() {
        n >= 3
    } else {
        n >= 6 && s.chars().any(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    }
}

#[tokio::test]
async fn regression_10_a_viewer_crawl_finds_no_string_of_any_record_above_its_ceiling() {
    let app = crate::browse::synthetic_app();
    let ceiling = Role::Viewer.max_confidentiality();
    // What the viewer may legitimately read: every record at or below its level, and the text
    // of those documents. A string of a hidden record that also occurs there is not a leak.
    let (hidden, visible_text) = app.state.with_archive(|a| {
        let (mut hidden, mut visible) = (Vec::new(), String::new());
        for kind in girok_core::Kind::ALL {
            for r in a.list(kind).unwrap() {
                let v = serde_json::to_value(&r).unwrap();
                if r.confidentiality() > ceiling {
                    strings_of(&v, &mut hidden);
                } else {
                    visible.push_str(&v.to_string());
                    visible.push('\n');
                    if kind == girok_core::Kind::Document {
                        visible.push_str(&a.document_text(r.id()).unwrap().unwrap_or_default());
                    }
                }
            }
        }
        (hidden, visible)
    });
    let mut secrets: Vec<String> = hidden.into_iter().filter(|s| distinctive(s) && !visible_text.contains(s.as_str())).collect();
    secrets.sort();
    secrets.dedup();
    assert!(secrets.iter().any(|s| s.starts_with("Synthetic Documentation Project")), "the restricted sources' organisation is among the strings looked for");
    assert!(secrets.len() > 50, "{} strings to look for", secrets.len());

    let (cookie, _) = login(&app, "viewer").await;
    let mut queue: std::collections::VecDeque<String> =
        ["/", "/map", "/search?q=torture", "/search?q=%EC%88%98%EC%9A%A9%EC%86%8C", "/api/map", "/estimate", "/publish"]
            .into_iter()
            .map(String::from)
            .chain(girok_core::Kind::ALL.iter().flat_map(|k| [format!("/records?kind={}", k.as_str()), format!("/api/records?kind={}", k.as_str())]))
            .collect();
    let mut seen: std::collections::HashSet<String> = queue.iter().cloned().collect();
    let mut crawled = 0;
    while let Some(path) = queue.pop_front() {
        if crawled >= 700 {
            break;
        }
        crawled += 1;
        let res = send(&app, get(&path, Some(&cookie))).await;
        assert!(res.status != StatusCode::INTERNAL_SERVER_ERROR, "{path}: {}", res.body);
        for s in &secrets {
            assert!(!res.body.contains(s.as_str()), "{path} shows {s:?}, a string of a record above the viewer's level");
        }
        for link in res.body.split("href=\"").skip(1).filter_map(|h| h.split('"').next()) {
            let link = link.replace("&amp;", "&");
            if !link.starts_with('/') || link.starts_with("/static/") || link.starts_with("/lang") || link.starts_with("//") {
                continue;
            }
            let mut next = vec![link.clone()];
            if let Some(id) = link.strip_prefix("/records/") {
                next.push(format!("/api/records/{id}"));
            }
            for n in next {
                if seen.insert(n.clone()) {
                    queue.push_back(n);
                }
            }
        }
    }
    assert!(crawled > 100, "the crawl reached {crawled} pages");
}
