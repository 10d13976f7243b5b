//! The Girok web application: the only crate that knows HTTP, cookies and templates.
//!
//! Every route checks the session and the role on the server. A record the role may not see is
//! a 404, never its content; admin pages are 404 to everyone else too, so their existence is
//! not revealed. Every state-changing form carries a per-session CSRF token. Templates are
//! named `.html`, so minijinja escapes every value: testimony text is always shown as text.

mod account;
mod briefings;
mod browse;
mod conflicts;
mod dashboard;
mod edit;
mod error;
mod forms;
mod i18n;
mod input;
mod pages;
mod publish;
mod render;
mod replicas;
mod session;
pub mod sync_client;
mod sync_https;
mod sync_tls;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::routing::{get, post};
use axum::Router;
use girok_store::Archive;

pub use error::AppError;
pub use i18n::Lang;
pub use session::Session;

/// Settings of a running server.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Mark cookies `Secure` (set when served over TLS or behind a TLS proxy).
    pub secure_cookies: bool,
    /// Failed logins allowed per account before it is locked for `lockout_secs`.
    pub max_failures: u32,
    pub lockout_secs: u64,
    /// Largest request body accepted (uploads), in bytes.
    pub max_upload: usize,
    /// A session unused this long ends.
    pub session_idle: std::time::Duration,
    /// A session ends this long after login, however busy.
    pub session_max: std::time::Duration,
    /// Each further failed login on an account past `max_failures` (from any address) waits
    /// this much longer, up to eight times it.
    pub failure_delay: std::time::Duration,
    /// A connection must send a request's headers within this time, also between requests
    /// on a kept-alive connection.
    pub header_timeout: std::time::Duration,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// Uploads taken in at once; more wait their turn.
    pub max_concurrent_uploads: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            secure_cookies: false,
            max_failures: 5,
            lockout_secs: 900,
            max_upload: 256 << 20,
            session_idle: std::time::Duration::from_secs(30 * 60),
            session_max: std::time::Duration::from_secs(12 * 3600),
            failure_delay: std::time::Duration::from_secs(2),
            header_timeout: std::time::Duration::from_secs(15),
            max_connections: 256,
            max_concurrent_uploads: 2,
        }
    }
}

/// Shared state: the archive (one connection, behind a lock), sessions and login throttling.
pub struct AppState {
    pub(crate) archive: Mutex<Archive>,
    /// Extra connections for pages that only read, so two requests can run on two cores.
    pub(crate) readers: Vec<Mutex<Archive>>,
    pub(crate) next_reader: std::sync::atomic::AtomicUsize,
    pub(crate) sessions: Mutex<HashMap<String, Session>>,
    pub(crate) failures: Mutex<session::Failures>,
    /// Threat: memory exhausted by many large uploads at once. Each upload holds a permit.
    pub(crate) upload_slots: tokio::sync::Semaphore,
    /// Last TOTP step accepted per account, so a code works once.
    pub(crate) totp_steps: Mutex<HashMap<String, u64>>,
    pub(crate) templates: minijinja::Environment<'static>,
    pub(crate) config: ServerConfig,
    /// Dashboard figures keyed by (audit head, confidentiality ceiling): recomputed only when
    /// the archive has changed, since counting a million acts on every page view would not scale.
    pub(crate) dashboard_cache: Mutex<HashMap<(i64, u8), Arc<dashboard::Figures>>>,
}

/// Read-only connections opened beside the writer: one per core of the machine we target, so
/// two pages can be answered at once while intake holds the writer.
const READERS: usize = 2;

/// Why a server could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("opening a read connection to the archive")]
    Open(#[from] girok_store::OpenError),
    #[error("computing the dashboard figures")]
    Warm(#[from] girok_store::StoreError),
}

impl AppState {
    /// State with the writer connection only (tests and small tools).
    pub fn new(archive: Archive, config: ServerConfig) -> Arc<AppState> {
        AppState::build(archive, Vec::new(), config)
    }

    /// State for serving `archive`: opens read connections to the same archive, and computes
    /// what the first page views would otherwise wait for (dashboard counts over every act), so
    /// the server answers quickly from its first request.
    pub fn for_serving(archive: Archive, config: ServerConfig) -> Result<Arc<AppState>, StartError> {
        let readers = (0..READERS).map(|_| archive.another_connection()).collect::<Result<Vec<_>, _>>()?;
        let state = AppState::build(archive, readers, config);
        // One call computes the figures of every confidentiality level.
        dashboard::dashboard_figures(&state, girok_core::Confidentiality::Public)?;
        Ok(state)
    }

    fn build(archive: Archive, readers: Vec<Archive>, config: ServerConfig) -> Arc<AppState> {
        Arc::new(AppState {
            archive: Mutex::new(archive),
            readers: readers.into_iter().map(Mutex::new).collect(),
            next_reader: Default::default(),
            sessions: Default::default(),
            failures: Default::default(),
            upload_slots: tokio::sync::Semaphore::new(config.max_concurrent_uploads.max(1)),
            totp_steps: Default::default(),
            templates: render::templates(),
            config,
            dashboard_cache: Default::default(),
        })
    }

    /// Read access to the archive, for tests and tools embedding the server.
    pub fn with_archive<T>(&self, f: impl FnOnce(&Archive) -> T) -> T {
        f(&self.archive())
    }

    /// A handle for a page that only reads: the first reader not in use, else the next in turn
    /// (the writer when there are none). Taking a free one first keeps a quick page from
    /// queueing behind a slow search on a busy connection.
    pub(crate) fn reader(&self) -> std::sync::MutexGuard<'_, Archive> {
        if self.readers.is_empty() {
            return self.archive();
        }
        let start = self.next_reader.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for k in 0..self.readers.len() {
            if let Ok(guard) = self.readers[(start + k) % self.readers.len()].try_lock() {
                return guard;
            }
        }
        self.readers[start % self.readers.len()].lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn archive(&self) -> std::sync::MutexGuard<'_, Archive> {
        self.archive.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The whole route table.
pub fn router(state: Arc<AppState>) -> Router {
    let max_upload = state.config.max_upload;
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/", get(dashboard::dashboard))
        .route("/search", get(pages::search))
        .route("/records/{id}", get(pages::record))
        .route("/records/{id}/code", post(pages::code_passage))
        .route("/records/{id}/identity", post(pages::reveal_identity))
        .route("/records/new", get(forms::new_form).post(forms::create))
        .route("/records/{id}/edit", post(forms::edit))
        .route("/records/{id}/retire", post(forms::retire))
        .route("/records/{id}/ocr", post(forms::ocr))
        .route("/records/{id}/restore", post(forms::restore))
        .route("/records/{id}/seal", post(forms::seal))
        .route("/static/{name}", get(browse::asset))
        .route("/lang", get(session::set_lang))
        .route("/records", get(browse::records))
        .route("/map", get(browse::map))
        .route("/estimate", get(browse::estimate))
        .route("/publish", get(publish::page))
        .route("/publish/briefings", get(briefings::open_named))
        .route("/publish/briefings/{name}", get(briefings::edit_page).post(briefings::save))
        .route("/publish/briefings/{name}/recommendations", post(briefings::add_recommendation))
        .route("/publish/{name}", get(publish::file))
        .route("/audit", get(pages::audit))
        .route("/audit/verify", post(pages::audit_verify))
        .route("/admin/users", get(pages::users).post(pages::add_user))
        .route("/admin/replicas", get(replicas::replicas))
        .route("/conflicts", get(conflicts::page))
        .route("/conflicts/{seq}", post(conflicts::resolve))
        .route("/api/conflicts", get(conflicts::api_list))
        .route("/api/conflicts/{seq}", post(conflicts::api_resolve))
        .route("/admin/users/{name}/access", post(account::admin_access))
        .route("/account", get(account::page))
        .route("/account/totp", post(account::totp))
        .route("/api/search", get(pages::api_search))
        .route("/api/records", get(browse::api_records).post(edit::api_create))
        .route("/api/records/{id}", get(edit::api_record).put(edit::api_update).delete(edit::api_retire))
        .route("/api/records/{id}/restore", post(edit::api_restore))
        .route("/api/records/{id}/identity", axum::routing::put(edit::api_seal_identity))
        .route("/api/records/{id}/history", get(edit::api_history))
        .route("/api/map", get(browse::api_map))
        .route("/api/estimate", get(browse::api_estimate))
        .route("/api/briefings", get(briefings::api_list))
        .route("/api/briefings/{name}", get(briefings::api_get).put(briefings::api_put))
        .route("/api/openapi.json", get(browse::openapi))
        .route("/api/session", get(session::api_session))
        .route("/api/records/{id}/code", post(pages::api_code_passage))
        .route("/api/review/propose", post(pages::api_review_propose))
        .route("/api/review/{id}", post(pages::api_review_decide))
        .route("/api/documents", post(pages::api_intake))
        .route("/api/users", get(pages::api_users).post(pages::api_add_user))
        .route("/intake", get(pages::intake_form).post(pages::intake))
        .route("/review", get(pages::review))
        .route("/review/propose", post(pages::review_propose))
        .route("/review/{id}", post(pages::review_decide))
        // Threat: an upload filling the disk. Bodies above the limit are refused while streaming.
        .layer(axum::extract::DefaultBodyLimit::max(max_upload))
        .layer(axum::middleware::from_fn(error::api_json_errors))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// Threat: clickjacking, content sniffing, injected scripts from elsewhere, forms or a `<base>`
/// pointing elsewhere, and posts from another origin.
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    // Threat: archive content left in the browser's disk cache of a seized laptop. Only the
    // static assets (Girok's own scripts, Leaflet, the outlines) may be cached.
    let cacheable = req.uri().path().starts_with("/static/");
    let changes = !matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    let mut res =
        if changes && !session::same_origin(req.headers()) { axum::response::IntoResponse::into_response(AppError::BadCsrf) } else { next.run(req).await };
    let h = res.headers_mut();
    if !cacheable {
        h.insert("cache-control", "no-store".parse().expect("static header"));
    }
    h.insert(
        "content-security-policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'".parse().expect("static header"),
    );
    h.insert("x-frame-options", "DENY".parse().expect("static header"));
    h.insert("x-content-type-options", "nosniff".parse().expect("static header"));
    // Same-origin only: no address of Girok's leaks to another site, and the browser keeps
    // sending a real Origin on Girok's own forms (under no-referrer it sends `null`).
    h.insert("referrer-policy", "same-origin".parse().expect("static header"));
    res
}

/// The async runtime a server runs on. Handlers run their SQLite queries on the runtime's own
/// threads, so it has more threads than cores (and than read connections): a cached page can be
/// answered while searches hold other threads.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    tokio::runtime::Builder::new_multi_thread().worker_threads((cores * 2).max(4)).enable_all().build()
}

pub use sync_https::serve_sync_listener;

/// Serves on an already bound listener (tests and benchmarks bind port 0 first).
pub async fn serve_listener(state: Arc<AppState>, listener: std::net::TcpListener) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    serve_on(state, listener).await
}

/// The web's accept loop: each connection's requests carry the peer's address.
async fn serve_on(state: Arc<AppState>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let header_timeout = state.config.header_timeout;
    let max = state.config.max_connections;
    let app = router(state);
    accept_loop(listener, max, "", move |stream, peer| serve_connection(stream, app.clone(), header_timeout, axum::extract::ConnectInfo(peer))).await
}

/// The accept loop of every listener. Threat: connections that open and then send nothing, or
/// headers a byte at a time (slowloris), each holding a socket and a task for ever. At most
/// `max_connections` are served at once (each `serve` future holds a slot), and
/// `serve_connection` makes each request's headers arrive within `header_timeout`.
pub(crate) async fn accept_loop<F, Fut>(listener: tokio::net::TcpListener, max_connections: usize, what: &str, serve: F) -> std::io::Result<()>
where
    F: Fn(tokio::net::TcpStream, std::net::SocketAddr) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let slots = Arc::new(tokio::sync::Semaphore::new(max_connections.max(1)));
    loop {
        let permit = slots.clone().acquire_owned().await.expect("the semaphore is never closed");
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning; keep serving.
                eprintln!("girok-server: accepting a {what}connection failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let fut = serve(stream, peer);
        tokio::spawn(async move {
            fut.await;
            drop(permit);
        });
    }
}

/// HTTP/1 on one connection (TCP or TLS), with `extension` put on every request; headers must
/// arrive within `header_timeout`, between kept-alive requests too.
pub(crate) async fn serve_connection<S, E>(stream: S, app: Router, header_timeout: std::time::Duration, extension: E)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    E: Clone + Send + Sync + 'static,
{
    use tower::ServiceExt;
    let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(extension.clone());
        app.clone().oneshot(req.map(axum::body::Body::new))
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
        .with_upgrades();
    // A client that goes away or times out is no error of ours.
    let _ = conn.await;
}
