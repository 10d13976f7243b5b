//! What every page shares: the templates, rendering with the session's context, labels in the
//! reader's language, bars for charts, and making hidden characters visible.

use axum::response::Html;
use girok_store::Role;
use serde_json::json;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::session::Session;
use crate::AppState;

/// Every template, by name. Names end in .html so minijinja escapes every value inserted.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    ("login.html", include_str!("templates/login.html")),
    ("dashboard.html", include_str!("templates/dashboard.html")),
    ("search.html", include_str!("templates/search.html")),
    ("record.html", include_str!("templates/record.html")),
    ("records.html", include_str!("templates/records.html")),
    ("map.html", include_str!("templates/map.html")),
    ("estimate.html", include_str!("templates/estimate.html")),
    ("audit.html", include_str!("templates/audit.html")),
    ("users.html", include_str!("templates/users.html")),
    ("replicas.html", include_str!("templates/replicas.html")),
    ("conflicts.html", include_str!("templates/conflicts.html")),
    ("account.html", include_str!("templates/account.html")),
    ("intake.html", include_str!("templates/intake.html")),
    ("review.html", include_str!("templates/review.html")),
    ("publish.html", include_str!("templates/publish.html")),
    ("briefing_edit.html", include_str!("templates/briefing_edit.html")),
    ("new.html", include_str!("templates/new.html")),
];

pub(crate) fn templates() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    for (name, src) in TEMPLATES {
        env.add_template(name, src).expect("templates shipped with girok-server parse");
    }
    crate::i18n::install(&mut env);
    // Threat: text that displays as something else (a right-to-left override turning
    // "evil\u{202E}gpj.exe" into "evilexe.jpg", invisible control characters). Every value is
    // escaped with such characters made visible; names and titles (`|name`) show line breaks
    // and tabs too, since a file name has none.
    env.set_formatter(|out, state, value| {
        if value.is_safe() {
            return minijinja::escape_formatter(out, state, value);
        }
        match value.as_str() {
            Some(s) if s.chars().any(|c| hidden(c, false)) => minijinja::escape_formatter(out, state, &minijinja::Value::from(visible(s, false))),
            _ => minijinja::escape_formatter(out, state, value),
        }
    });
    env.add_filter("name", |s: String| visible(&s, true));
    // A value in a field-level change: text as it is, anything else as JSON, absent as a dash.
    env.add_filter("change", |v: minijinja::Value| -> String {
        if v.is_none() || v.is_undefined() {
            "—".into()
        } else if let Some(s) = v.as_str() {
            s.to_string()
        } else {
            serde_json::to_string(&v).unwrap_or_default()
        }
    });
    env
}

/// Characters that change how text around them displays, or do not display at all.
fn hidden(c: char, in_name: bool) -> bool {
    let layout = matches!(c, '\n' | '\r' | '\t');
    (c.is_control() && (in_name || !layout)) || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every hidden character written out as `[U+XXXX]`.
pub(crate) fn visible(s: &str, in_name: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if hidden(c, in_name) {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

pub(crate) fn render(state: &AppState, name: &str, session: &Session, ctx: serde_json::Value) -> Result<Html<String>, AppError> {
    let mut ctx = ctx;
    ctx["user"] = json!({ "name": session.user.username, "role": session.user.role.as_str(), "admin": session.user.role == Role::Admin });
    ctx["csrf"] = json!(session.csrf);
    ctx["lang"] = json!(session.lang.code());
    ctx["here"] = json!(session.here);
    Ok(Html(state.templates.get_template(name)?.render(ctx)?))
}

/// A label in the session's language: Korean when asked for and known, English otherwise.
pub(crate) fn pick(lang: Lang, en: &str, ko: Option<&str>) -> String {
    match (lang, ko) {
        (Lang::Ko, Some(k)) if !k.is_empty() => k.to_string(),
        _ => en.to_string(),
    }
}

/// Sets `label` on every object in `rows` from its `en` and `ko` fields.
pub(crate) fn localize(rows: &mut serde_json::Value, lang: Lang) {
    if let Some(rows) = rows.as_array_mut() {
        for r in rows {
            let label = pick(lang, r["en"].as_str().unwrap_or(""), r["ko"].as_str());
            r["label"] = json!(label);
        }
    }
}

/// Bars scaled to the largest value, as percentages for CSS widths/heights.
pub(crate) fn bars(rows: Vec<(serde_json::Value, u64)>) -> serde_json::Value {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    rows.into_iter()
        .map(|(mut v, n)| {
            v["n"] = json!(n);
            v["pct"] = json!((n * 100).div_ceil(max));
            v
        })
        .collect()
}

/// A page for other roles does not exist: 404, so its existence is not revealed.
pub(crate) fn require(session: &Session, roles: &[Role]) -> Result<(), AppError> {
    if roles.contains(&session.user.role) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
