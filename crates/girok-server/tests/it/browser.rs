//! End to end in a real browser: Debian's chromium driven through chromedriver (W3C WebDriver),
//! against a Girok server on a loopback port. A documenter logs in, uploads a synthetic
//! testimony, codes a passage as an act, finds it in Korean and in English, sees it on the
//! dashboard and the map, switches the interface to Korean, and logs out. Screenshots of each
//! page go to `target/tmp/screenshots/` for a reviewer.
//!
//! The test skips (with a message) where chromium is missing, except in CI (`CI` set) or when
//! `GIROK_E2E=1`, where a missing browser is a failure: `scripts/test.sh` installs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::*;

/// The smallest WebDriver client that does the job: JSON over HTTP/1.1, one connection per call.
struct Driver {
    port: u16,
    session: String,
    process: Child,
}

fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<(u16, Value)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(120)))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut r = BufReader::new(s);
    let mut status = String::new();
    r.read_line(&mut status)?;
    let code: u16 = status.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let mut len = None;
    loop {
        let mut line = String::new();
        r.read_line(&mut line)?;
        if line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse::<usize>().ok();
            }
        }
    }
    let mut buf = Vec::new();
    match len {
        Some(n) => {
            buf.resize(n, 0);
            r.read_exact(&mut buf)?;
        }
        None => {
            r.read_to_end(&mut buf)?;
        }
    }
    Ok((code, serde_json::from_slice(&buf).unwrap_or(Value::Null)))
}

fn find_in_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n))).find(|p| p.is_file())
}

impl Driver {
    fn start(browser: &std::path::Path, chromedriver: &std::path::Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let process = Command::new(chromedriver).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("start chromedriver");
        let t = Instant::now();
        while http(port, "GET", "/status", None).map(|(_, v)| v["value"]["ready"] != true).unwrap_or(true) {
            assert!(t.elapsed() < Duration::from_secs(30), "chromedriver did not become ready");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({ "capabilities": { "alwaysMatch": { "browserName": "chrome", "goog:chromeOptions": {
            "binary": browser,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US"],
        } } } });
        let (code, v) = http(port, "POST", "/session", Some(&caps)).unwrap();
        assert_eq!(code, 200, "new session: {v}");
        let session = v["value"]["sessionId"].as_str().unwrap().to_string();
        Driver { port, session, process }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (code, v) = http(self.port, method, &format!("/session/{}{path}", self.session), body.as_ref()).unwrap();
        assert_eq!(code, 200, "{method} {path}: {v}");
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn find(&self, css: &str) -> String {
        let v = self.call("POST", "/element", Some(json!({ "using": "css selector", "value": css })));
        v.as_object().and_then(|o| o.values().next()).and_then(|x| x.as_str()).unwrap_or_else(|| panic!("no element {css}")).to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css);
        self.call("POST", &format!("/element/{el}/value"), Some(json!({ "text": text })));
    }

    /// Replaces an input's text.
    fn set(&self, css: &str, text: &str) {
        let el = self.find(css);
        self.call("POST", &format!("/element/{el}/clear"), Some(json!({})));
        self.call("POST", &format!("/element/{el}/value"), Some(json!({ "text": text })));
    }

    fn click(&self, css: &str) {
        let el = self.find(css);
        self.call("POST", &format!("/element/{el}/click"), Some(json!({})));
    }

    fn js(&self, script: &str) -> Value {
        self.call("POST", "/execute/sync", Some(json!({ "script": script, "args": [] })))
    }

    fn url(&self) -> String {
        self.call("GET", "/url", None).as_str().unwrap_or_default().to_string()
    }

    fn text(&self) -> String {
        self.js("return document.body.innerText;").as_str().unwrap_or_default().to_string()
    }

    /// Waits until `script` returns true (pages that draw after loading, like the map).
    fn wait_for(&self, script: &str, what: &str) {
        let t = Instant::now();
        while self.js(script) != Value::Bool(true) {
            assert!(t.elapsed() < Duration::from_secs(20), "timed out waiting for {what}; page: {}", self.text());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, dir: &std::path::Path, name: &str) {
        let b64 = self.call("GET", "/screenshot", None);
        let png = base64_decode(b64.as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "{name} is a PNG");
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = http(self.port, "DELETE", &format!("/session/{}", self.session), None);
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            _ => 63,
        }
    };
    let bytes: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c) << (18 - 6 * i);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}

/// The browser and its driver, or `None` (after saying so) where they are missing and not
/// required.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let required = std::env::var_os("CI").is_some() || std::env::var("GIROK_E2E").is_ok_and(|v| v == "1");
    let (Some(browser), Some(chromedriver)) = (find_in_path(&["chromium", "chromium-browser", "google-chrome"]), find_in_path(&["chromedriver"])) else {
        assert!(!required, "chromium and chromedriver are needed for the browser test (scripts/test.sh installs them)");
        eprintln!("skipping the browser test: chromium or chromedriver not found");
        return None;
    };
    Some((browser, chromedriver))
}

/// Serves `app` on a loopback port; returns its base URL and the screenshot folder.
fn serve(app: &App) -> (String, PathBuf) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = app.state.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(girok_server::serve_listener(state, listener)).unwrap();
    });
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    (base, shots)
}

impl Driver {
    fn login(&self, base: &str, user: &str) {
        self.go(&format!("{base}/login"));
        self.type_into("input[name=username]", user);
        self.type_into("input[name=password]", PASSWORD);
        self.click("form[action='/login'] button");
        self.wait_for(&format!("return document.body.innerText.indexOf('{user} (') >= 0;"), "the dashboard after logging in");
    }

    /// Fills the new-record form for `kind` and submits it; returns the new record's id.
    fn create(&self, base: &str, kind: &str, fields: &[(&str, &str)]) -> String {
        self.go(&format!("{base}/records/new?kind={kind}"));
        for (name, value) in fields {
            self.set(&format!("#f-{name}"), value);
        }
        self.click("#create");
        self.wait_for("return location.pathname.indexOf('/records/new') < 0 || !!document.getElementById('form-error');", "the new record");
        assert!(!self.url().contains("/records/new"), "creating a {kind}: {}", self.text());
        self.url().rsplit('/').next().unwrap().to_string()
    }
}

#[test]
fn a_cleared_documenter_keeps_the_record_in_a_real_browser() {
    let Some((browser, chromedriver)) = browser() else { return };
    let app = browse::synthetic_app();
    {
        let dir = app.state.with_archive(|a| a.dir().to_path_buf());
        let mut a = Archive::open(&dir, &KeySource::passphrase("synthetic test passphrase")).unwrap();
        a.write("setup", |w| w.set_user("cleared", PASSWORD, Role::Documenter, true)).unwrap();
    }
    let (base, shots) = serve(&app);
    let d = Driver::start(&browser, &chromedriver);
    d.login(&base, "cleared");

    // A source, and the witness's identity sealed on its page.
    let source = d.create(&base, "source", &[("pseudonym", "W-SYN-E2E"), ("organisation", "Synthetic Browser Project"), ("confidentiality", "restricted")]);
    d.screenshot(&shots, "11-source-created");
    d.type_into("#seal-form input[name=legal_name]", "SYNTHETIC-E2E-NAME");
    d.type_into("#seal-form input[name=contact]", "SYNTHETIC-E2E-CONTACT");
    d.screenshot(&shots, "12-seal-identity-form");
    d.click("#seal");
    d.wait_for("return !!document.getElementById('reveal');", "the sealed identity");
    assert!(!d.text().contains("SYNTHETIC-E2E-NAME"), "sealed, not shown");

    // A person with a Hangul and a McCune-Reischauer name, and the person's mother.
    d.go(&format!("{base}/records/new?kind=person"));
    d.set("#f-names", "hangul:김영호|mr:Kim Yŏng-ho");
    d.set("#f-birth", "circa 1975");
    d.screenshot(&shots, "13-new-person-form");
    d.click("#create");
    d.wait_for("return location.pathname.indexOf('/records/per-') === 0;", "the new person");
    let son = d.url().rsplit('/').next().unwrap().to_string();
    assert!(d.text().contains("김영호 / Kim Yŏng-ho"), "{}", d.text());
    let mother = d.create(&base, "person", &[("names", "박순자"), ("relationships", &format!("[{{\"kind\": \"mother\", \"other\": \"{son}\"}}]"))]);
    d.go(&format!("{base}/records/{son}"));
    assert!(
        d.js(&format!("return !!document.querySelector('#referenced-by a[href=\"/records/{mother}\"]');")) == json!(true),
        "the son's page names his mother: {}",
        d.text()
    );

    // Arrest in China → forcible return → interrogation at a holding centre → a kyohwaso term.
    let mut chain: Vec<String> = Vec::new();
    for (title, place, date) in [
        ("Arrest in China (synthetic)", "", "autumn 1997"),
        ("Forcible return (synthetic)", "Onsong", "winter 1997"),
        ("Interrogation at the holding centre (synthetic)", "Onsong holding centre", "winter 1997"),
        ("Three months to three years in a kyohwaso (synthetic)", "plc-fac-kyohwaso-12", "between 1998 and 2000"),
    ] {
        let follows = chain.last().cloned().unwrap_or_default();
        let mut fields = vec![("title", title), ("date", date), ("follows", follows.as_str())];
        if !place.is_empty() {
            fields.push(("place", place));
        }
        chain.push(d.create(&base, "event", &fields));
    }
    d.go(&format!("{base}/records/{}", chain[3]));
    assert!(d.js(&format!("return !!document.querySelector('#linked a[href=\"/records/{}\"]');", chain[2])) == json!(true), "the chain is visible");
    // An act on this chain, and one attached to an event another testimony created.
    d.go(&format!("{base}/records/new?kind=event"));
    d.screenshot(&shots, "16-new-event-form");
    d.go(&format!("{base}/records/new?kind=act"));
    d.screenshot(&shots, "17-new-act-form");
    let act = d.create(&base, "act", &[("event", &chain[1]), ("victim", &son), ("act_type", "강제송환"), ("date", "winter 1997"), ("source", &source)]);
    let other_event = app.state.with_archive(|a| {
        a.list(girok_core::Kind::Event).unwrap().into_iter().find(|e| e.confidentiality() <= Confidentiality::Internal).unwrap().id().to_string()
    });
    d.create(&base, "act", &[("event", &other_event), ("victim", &mother), ("act_type", "연좌제 처벌")]);

    // Correct the act's date.
    d.go(&format!("{base}/records/{act}"));
    d.set("#f-date", "December 1997");
    d.screenshot(&shots, "14-correct-date-form");
    d.click("#save");
    d.wait_for("return document.getElementById('history').innerText.indexOf('December 1997') >= 0;", "the corrected date in the history");
    assert!(d.text().contains("date.text"), "the history shows the field: {}", d.text());
    d.screenshot(&shots, "15-history");

    // Mark the first event public, with a reason.
    d.go(&format!("{base}/records/{}", chain[0]));
    d.set("#f-confidentiality", "public");
    d.set("#edit-form input[name=reason]", "cleared for the synthetic briefing");
    d.click("#save");
    d.wait_for("return document.body.innerText.indexOf('change_confidentiality') >= 0;", "the change of level");

    // A viewer sees the public event, not the identity nor the restricted records.
    d.click("#logout");
    d.wait_for("return location.pathname === '/login';", "the login page");
    d.login(&base, "viewer");
    d.go(&format!("{base}/records/{}", chain[0]));
    assert!(d.text().contains("Arrest in China (synthetic)"), "{}", d.text());
    for id in [&source, &son] {
        d.go(&format!("{base}/records/{id}"));
        assert!(d.text().contains("not found"), "{id} for a viewer: {}", d.text());
    }
    assert!(!d.text().contains("SYNTHETIC-E2E"), "no identity anywhere");
    for name in
        ["11-source-created", "12-seal-identity-form", "13-new-person-form", "14-correct-date-form", "15-history", "16-new-event-form", "17-new-act-form"]
    {
        assert!(shots.join(format!("{name}.png")).metadata().unwrap().len() > 5_000, "{name} screenshot is not empty");
    }
    let r = app.state.with_archive(|a| a.verify(&mut |_, _| {}).unwrap());
    assert!(r.ok(), "{:?}", r.problems);
}

#[test]
fn a_documenter_works_through_the_app_in_a_real_browser() {
    let Some((browser, chromedriver)) = browser() else { return };
    let app = browse::synthetic_app();
    let (base, shots) = serve(&app);
    let upload_dir = tempfile::tempdir().unwrap();
    let testimony = upload_dir.path().join("synthetic-testimony.txt");
    let text = "SYNTHETIC TESTIMONY (generated for a test; not a real person). \
                In winter 1997 the interviewee was beaten during interrogation at the Onsong holding centre. \
                그는 요덕수용소에 끌려갔다고 증언했다.";
    std::fs::write(&testimony, text).unwrap();

    let d = Driver::start(&browser, &chromedriver);

    // Log in.
    d.go(&format!("{base}/login"));
    d.screenshot(&shots, "01-login");
    d.type_into("input[name=username]", "doc");
    d.type_into("input[name=password]", PASSWORD);
    d.click("form[action='/login'] button");
    d.wait_for("return document.body.innerText.indexOf('doc (documenter)') >= 0;", "the dashboard after logging in");

    // Upload the testimony through the intake page (the script uploads it with a progress bar).
    d.go(&format!("{base}/intake"));
    d.type_into("#files", testimony.to_str().unwrap());
    d.click("#upload");
    d.wait_for("var s = document.querySelector('#results .status'); return !!s && s.textContent === 'added';", "the upload result");
    assert_eq!(d.js("return document.getElementById('progress').value;"), json!(100));
    d.screenshot(&shots, "02-intake");
    let doc_url = d.js("return document.querySelector('#results a').href;").as_str().unwrap().to_string();

    // How many torture acts the dashboard shows before coding.
    let torture_count = |d: &Driver| -> u64 {
        d.go(&format!("{base}/"));
        d.js("var rows = document.querySelectorAll('#by-type tr'); for (var i = 0; i < rows.length; i++) { \
              if (rows[i].cells[0].innerText.trim() === 'Torture') return parseInt(rows[i].cells[2].innerText, 10); } return 0;")
            .as_u64()
            .unwrap()
    };
    let before = torture_count(&d);
    // And how many acts the map puts at the Onsong holding centre.
    let onsong_on_map = |d: &Driver| -> u64 {
        d.go(&format!("{base}/map"));
        d.wait_for("return document.getElementById('map').getAttribute('data-ready') === '1';", "the map");
        d.js("var rows = document.querySelectorAll('#facilities tr'); for (var i = 0; i < rows.length; i++) { \
              if (rows[i].cells[0].innerText.trim() === 'Onsong holding centre') return parseInt(rows[i].cells[2].innerText, 10); } return 0;")
            .as_u64()
            .unwrap()
    };
    let onsong_before = onsong_on_map(&d);

    // Select a passage in the document and code it as an act.
    d.go(&doc_url);
    d.js("var pre = document.getElementById('doc-text'); var node = pre.firstChild; var t = node.textContent; \
         var s = t.indexOf('was beaten during interrogation'); var r = document.createRange(); \
         r.setStart(node, s); r.setEnd(node, s + 'was beaten during interrogation'.length); \
         var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r); \
         pre.dispatchEvent(new MouseEvent('mouseup', { bubbles: true })); return true;");
    assert_eq!(d.js("return document.getElementById('code-preview').textContent;"), json!("was beaten during interrogation"));
    d.type_into("#code-form input[name=act_type]", "torture");
    d.type_into("#code-form input[name=victim]", "SYNTHETIC Test Person");
    d.type_into("#code-form input[name=place]", "Onsong holding centre");
    d.type_into("#code-form input[name=date]", "winter 1997");
    d.click("#code-form button");
    d.wait_for("return !!document.querySelector('#doc-text mark a');", "the coded passage to be marked");
    assert_eq!(d.js("return document.querySelector('#doc-text mark a').textContent;"), json!("was beaten during interrogation"));
    d.screenshot(&shots, "03-document-coded");

    // Find it in Korean and in English.
    let doc_id = doc_url.rsplit('/').next().unwrap().to_string();
    d.go(&format!("{base}/search?q=요덕수용소&kind=document"));
    assert!(d.js(&format!("return !!document.querySelector('a[href=\"/records/{doc_id}\"]');")) == json!(true), "Korean search: {}", d.text());
    d.screenshot(&shots, "04-search-korean");
    d.go(&format!("{base}/search?q=interviewee+beaten&kind=document"));
    assert!(d.js(&format!("return !!document.querySelector('a[href=\"/records/{doc_id}\"]');")) == json!(true), "English search: {}", d.text());
    assert!(d.js("return document.querySelectorAll('mark').length > 0;") == json!(true), "search terms are highlighted");
    d.screenshot(&shots, "05-search-english");

    // The dashboard counts it.
    assert_eq!(torture_count(&d), before + 1, "the dashboard counts the new act");
    assert!(d.js("return document.getElementById('by-facility').innerText.indexOf('Onsong') >= 0;") == json!(true), "dashboard: {}", d.text());
    d.screenshot(&shots, "06-dashboard");

    // The map counts it at the holding centre, and draws the province outlines shipped with
    // Girok and the facility markers.
    assert_eq!(onsong_on_map(&d), onsong_before + 1, "the map counts the new act at the Onsong holding centre");
    let provinces = d.js("return document.querySelectorAll('#map path.leaflet-interactive:not(.facility)').length;").as_u64().unwrap();
    let facilities = d.js("return document.querySelectorAll('#map path.facility').length;").as_u64().unwrap();
    assert!(provinces >= 11 && facilities >= 10, "{provinces} outlines, {facilities} facilities");
    assert!(d.js("return document.getElementById('facilities').innerText.indexOf('Onsong') >= 0;") == json!(true));
    d.screenshot(&shots, "07-map");

    // A place's own page has a map centred on it.
    d.go(&format!("{base}/records/plc-fac-jipkyulso-onsong"));
    d.wait_for("return document.getElementById('map').getAttribute('data-ready') === '1';", "the place map");
    assert_eq!(d.js("return document.querySelectorAll('#map path.focus').length;"), json!(1), "the place is marked");
    d.screenshot(&shots, "07b-place");

    // The interface in Korean (Hangul renders with fonts-nanum installed).
    d.go(&format!("{base}/map"));
    d.wait_for("return document.getElementById('map').getAttribute('data-ready') === '1';", "the map");
    d.click(".lang a");
    d.wait_for("return document.documentElement.lang === 'ko';", "the Korean interface");
    assert!(d.text().contains("지도"), "Korean interface: {}", d.text());
    assert!(d.url().ends_with("/map"), "the switch returns to the same page: {}", d.url());
    d.wait_for("return document.getElementById('map').getAttribute('data-ready') === '1';", "the map in Korean");
    d.screenshot(&shots, "08-map-korean");
    d.go(&format!("{base}/"));
    d.screenshot(&shots, "09-dashboard-korean");

    // A documenter does not publish.
    d.go(&format!("{base}/publish"));
    assert!(d.text().contains("not found") || d.text().contains("찾을 수 없"), "publish page for a documenter: {}", d.text());
    d.go(&format!("{base}/"));

    // Log out: the session ends.
    d.click("#logout");
    d.wait_for("return location.pathname === '/login';", "the login page after logging out");
    d.go(&format!("{base}/intake"));
    assert!(d.url().ends_with("/login"), "after logout pages need a login again");

    // An analyst makes a briefing for publication, in Korean (the language choice outlives the
    // session): the form, then the page it makes, with its charts.
    d.go(&format!("{base}/login"));
    d.type_into("input[name=username]", "analyst");
    d.type_into("input[name=password]", PASSWORD);
    d.click("form[action='/login'] button");
    d.wait_for("return document.body.innerText.indexOf('analyst') >= 0 && location.pathname === '/';", "the dashboard for the analyst");
    d.go(&format!("{base}/publish?level=internal&min_cell=2"));
    assert!(d.text().contains("공개용 브리핑"), "publish page: {}", d.text());
    d.click("#briefing-files a[href^='/publish/briefing.html']");
    d.wait_for("return document.querySelectorAll('svg rect').length > 0;", "the briefing's charts");
    assert!(d.text().contains("유형별 행위") && d.text().contains("합계"), "briefing: {}", d.text());
    d.screenshot(&shots, "10-briefing-korean");
    for name in ["01-login", "02-intake", "03-document-coded", "06-dashboard", "07-map", "09-dashboard-korean", "10-briefing-korean"] {
        assert!(shots.join(format!("{name}.png")).metadata().unwrap().len() > 5_000, "{name} screenshot is not empty");
    }
    eprintln!("browser test screenshots: {}", shots.display());
}

/// An analyst opens the briefing editor, adds a recommendation, previews, publishes and
/// downloads the PDF; screenshots of the editor, the page and the PDF's pages (pdftoppm).
#[test]
fn regression_13_an_analyst_writes_previews_and_publishes_a_briefing_as_pdf() {
    let Some((browser, chromedriver)) = browser() else { return };
    let app = browse::synthetic_app();
    let (base, shots) = serve(&app);
    let d = Driver::start(&browser, &chromedriver);
    d.login(&base, "analyst");
    d.go(&format!("{base}/publish"));
    d.set("#new-briefing input[name=name]", "weekly-synthetic");
    d.click("#new-briefing button");
    d.wait_for("return !!document.getElementById('briefing-toml');", "the briefing editor");
    // The synthetic records are internal: the briefing counts them, marked not for publication.
    let toml = d.js("return document.getElementById('briefing-toml').value;").as_str().unwrap().replace("level = \"public\"", "level = \"internal\"");
    d.js(&format!("document.getElementById('briefing-toml').value = {};", serde_json::to_string(&toml).unwrap()));
    d.click("#save-briefing");
    d.wait_for("return !!document.getElementById('saved') || !!document.getElementById('error');", "the saved briefing");
    assert!(d.text().contains("Saved"), "{}", d.text());
    d.set("#add-recommendation input[name=to]", "The government");
    d.set("#add-recommendation input[name=what]", "Stop forcible returns and the interrogations that follow them");
    d.set("#add-recommendation input[name=when]", "immediately");
    d.click("#add-recommendation button");
    // The page before the click says "saved" too: wait for the editor that shows the new text.
    d.wait_for(
        "const t = document.getElementById('briefing-toml'); return !!t && t.value.indexOf('Stop forcible returns') >= 0 && !!document.getElementById('saved');",
        "the editor with the recommendation saved",
    );
    d.screenshot(&shots, "18-briefing-editor");
    d.go(&format!("{base}/publish/briefing.html?briefing=weekly-synthetic"));
    d.wait_for("return document.querySelectorAll('table.recommendations').length > 0;", "the previewed briefing");
    assert!(d.text().contains("Stop forcible returns") && d.text().contains("Acts by year and type"), "{}", d.text());
    d.screenshot(&shots, "19-briefing-preview");
    d.go(&format!("{base}/publish?briefing=weekly-synthetic"));
    let pdf_link = d.js("return document.querySelector(\"#briefing-files a[href^='/publish/briefing.pdf']\").getAttribute('href');");
    let href = pdf_link.as_str().expect("the files list links the PDF").to_string();
    // Download the PDF as the browser would (with the session), as base64.
    let b64 = d.call(
        "POST",
        "/execute/async",
        Some(json!({ "script": format!("const done = arguments[0]; fetch({}).then(r => r.arrayBuffer()).then(b => {{ let s = ''; const u = new Uint8Array(b); for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); done(btoa(s)); }});", serde_json::to_string(&href).unwrap()), "args": [] })),
    );
    let pdf = base64_decode(b64.as_str().unwrap());
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let path = shots.join("briefing.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let text = Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext (scripts/test.sh installs poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Stop forcible returns") && text.contains("Acts by type"), "{text}");
    let status = Command::new("pdftoppm").args(["-png", "-r", "60"]).arg(&path).arg(shots.join("20-briefing-pdf")).status().expect("pdftoppm");
    assert!(status.success());
    let pages: Vec<_> = std::fs::read_dir(&shots).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().starts_with("20-briefing-pdf")).collect();
    assert!(!pages.is_empty() && pages.iter().all(|p| p.metadata().unwrap().len() > 5_000), "PDF page images");
    for name in ["18-briefing-editor", "19-briefing-preview"] {
        assert!(shots.join(format!("{name}.png")).metadata().unwrap().len() > 5_000, "{name} screenshot is not empty");
    }
}
