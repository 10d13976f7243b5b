//! Saved briefings in the web application: the editor, saving with checked references, adding
//! a recommendation, previewing and publishing, and the API twins.

use axum::http::StatusCode;

use crate::{app, get, login, post, send};

fn form(csrf: &str, fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect::<String>();
    std::iter::once(format!("csrf={csrf}")).chain(fields.iter().map(|(k, v)| format!("{k}={}", enc(v)))).collect::<Vec<_>>().join("&")
}

#[tokio::test]
async fn regression_13_an_analyst_edits_saves_and_publishes_a_briefing() {
    let app = app();
    let (ac, csrf) = login(&app, "analyst").await;
    // A new name opens the editor on a skeleton.
    let page = send(&app, get("/publish/briefings/weekly", Some(&ac))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("name = &quot;weekly&quot;") || page.body.contains("name = \"weekly\""), "{}", page.body);
    // Citing the restricted event in a public briefing: refused, the text kept, nothing leaked.
    let secret = "name = \"weekly\"\nlevel = \"public\"\n[[sections]]\nheading = \"Findings\"\ntext = \"See [[evt-secret]].\"\n";
    let r = send(&app, post("/publish/briefings/weekly", Some(&ac), &form(&csrf, &[("toml", secret)]))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("above the briefing") && r.body.contains("evt-secret") && !r.body.contains("SECRET-MARKER"), "{}", r.body);
    assert!(send(&app, get("/api/briefings/weekly", Some(&ac))).await.status == StatusCode::NOT_FOUND, "not saved");
    // Citing the public event: saved.
    let good = "name = \"weekly\"\nlevel = \"public\"\n[[sections]]\nheading = \"Findings\"\ntext = \"See [[evt-public]].\"\n";
    let r = send(&app, post("/publish/briefings/weekly", Some(&ac), &form(&csrf, &[("toml", good)]))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // A recommendation from the form joins a recommendations section.
    let r = send(
        &app,
        post(
            "/publish/briefings/weekly/recommendations",
            Some(&ac),
            &form(&csrf, &[("to", "The government"), ("what", "Release <everyone> held [[evt-public]]"), ("when", "now")]),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let t: serde_json::Value = serde_json::from_str(&send(&app, get("/api/briefings/weekly", Some(&ac))).await.body).unwrap();
    assert_eq!(t["sections"][1]["recommendations"][0]["to"], "The government", "{t}");
    // Preview and publish: the recommendation, escaped; the cited event's title escaped.
    let html = send(&app, get("/publish/briefing.html?briefing=weekly", Some(&ac))).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("Release &lt;everyone&gt; held") && html.body.contains("<td>The government</td>"), "{}", html.body);
    assert!(!html.body.contains("<script>"), "the cited title is escaped");
    let files = send(&app, get("/publish?briefing=weekly", Some(&ac))).await;
    assert!(files.body.contains("/publish/manifest.json?briefing=weekly"), "{}", files.body);
    let list: serde_json::Value = serde_json::from_str(&send(&app, get("/api/briefings", Some(&ac))).await.body).unwrap();
    assert_eq!(list[0]["name"], "weekly");
    // Without the CSRF token, nothing is saved; viewers and documenters never see the editor.
    let r = send(&app, post("/publish/briefings/weekly", Some(&ac), &form("wrong", &[("toml", good)]))).await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    for who in ["viewer", "doc"] {
        let (c, _) = login(&app, who).await;
        assert_eq!(send(&app, get("/publish/briefings/weekly", Some(&c))).await.status, StatusCode::NOT_FOUND, "{who}");
        assert_eq!(send(&app, get("/api/briefings", Some(&c))).await.status, StatusCode::NOT_FOUND, "{who}");
    }
    // A bad name is refused with the reason.
    let r = send(&app, get("/publish/briefings?name=..%2Fetc", Some(&ac))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
