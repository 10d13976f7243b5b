//! The sync transport's client side (`girok sync https`): pushes what a paired archive has not
//! confirmed, then pulls what it holds for this one, over the TLS of `sync_tls`, in pieces
//! that resume after an interruption.
//!
//! The bundles are the same files `girok sync export` writes; only the carrying differs. A
//! bundle waiting to go (or half arrived) lies under this archive's `sync-transfer/`, named
//! by the peer and its SHA-256, so the next run continues it instead of starting over; each
//! is applied only whole, and only after its hash matches.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use girok_app::{Actor, DomainError};
use girok_store::{ApplyReport, Archive};
use http_body_util::{BodyExt, Full};
use serde_json::Value;

/// Why a sync over HTTPS stopped.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("connecting to {addr}: {source}")]
    Connect { addr: String, source: std::io::Error },
    #[error("the TLS handshake with {addr} failed: {detail}")]
    Tls { addr: String, detail: String },
    /// The other archive answered with an error (its message).
    #[error("{addr} refused: {message}")]
    Refused { addr: String, message: String },
    #[error("talking to {addr}: {detail}")]
    Http { addr: String, detail: String },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// How to carry the bundles.
#[derive(Clone, Copy, Debug)]
pub struct HttpsOptions {
    /// Bytes per request (at most `MAX_PIECE`).
    pub piece: usize,
    /// Stop after carrying this many bytes (a metered link); the next run resumes.
    pub max_bytes: Option<u64>,
}

impl Default for HttpsOptions {
    fn default() -> Self {
        HttpsOptions { piece: 8 << 20, max_bytes: None }
    }
}

/// What a sync over HTTPS did.
#[derive(Clone, Debug, Default)]
pub struct HttpsReport {
    /// The other archive's fingerprint and what it calls this one.
    pub peer: String,
    pub known_as: String,
    /// What the other archive applied from this one (none if the upload did not finish).
    pub pushed: Option<ApplyReport>,
    /// What this archive applied from the other (none if the download did not finish).
    pub pulled: Option<ApplyReport>,
    pub sent_bytes: u64,
    pub received_bytes: u64,
    /// Bytes that an earlier, interrupted run had carried already.
    pub resumed_bytes: u64,
}

impl HttpsReport {
    pub fn complete(&self) -> bool {
        self.pushed.is_some() && self.pulled.is_some()
    }
}

/// One TLS connection to the other archive, driven request by request from blocking code.
struct Conn {
    rt: tokio::runtime::Runtime,
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    addr: String,
}

impl Conn {
    fn open(addr: &str, config: Arc<rustls::ClientConfig>) -> Result<Conn, TransportError> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|source| TransportError::Connect { addr: addr.into(), source })?;
        let sender = rt.block_on(async {
            let tcp = tokio::net::TcpStream::connect(addr).await.map_err(|source| TransportError::Connect { addr: addr.into(), source })?;
            let name = rustls::pki_types::ServerName::try_from(crate::sync_tls::SYNC_NAME).expect("a valid name");
            let tls = tokio_rustls::TlsConnector::from(config)
                .connect(name, tcp)
                .await
                .map_err(|e| TransportError::Tls { addr: addr.into(), detail: e.to_string() })?;
            let (sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                .await
                .map_err(|e| TransportError::Http { addr: addr.into(), detail: e.to_string() })?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            Ok::<_, TransportError>(sender)
        })?;
        Ok(Conn { rt, sender, addr: addr.into() })
    }

    fn request(&mut self, method: &str, path: &str, body: Vec<u8>) -> Result<Bytes, TransportError> {
        let addr = self.addr.clone();
        let http = |e: &dyn std::fmt::Display| TransportError::Http { addr: addr.clone(), detail: e.to_string() };
        let req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", crate::sync_tls::SYNC_NAME)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| http(&e))?;
        let sender = &mut self.sender;
        let (status, bytes) = self.rt.block_on(async {
            sender.ready().await.map_err(|e| http(&e))?;
            let res = sender.send_request(req).await.map_err(|e| http(&e))?;
            let status = res.status();
            let bytes = res.into_body().collect().await.map_err(|e| http(&e))?.to_bytes();
            Ok::<_, TransportError>((status, bytes))
        })?;
        if !status.is_success() {
            let message =
                serde_json::from_slice::<Value>(&bytes).ok().and_then(|v| v["error"].as_str().map(str::to_string)).unwrap_or_else(|| format!("HTTP {status}"));
            return Err(TransportError::Refused { addr: self.addr.clone(), message });
        }
        Ok(bytes)
    }

    fn json(&mut self, method: &str, path: &str, body: Vec<u8>) -> Result<Value, TransportError> {
        let bytes = self.request(method, path, body)?;
        serde_json::from_slice(&bytes).map_err(|e| TransportError::Http { addr: self.addr.clone(), detail: format!("{path}: not JSON: {e}") })
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TransportError + '_ {
    move |source| TransportError::Io { path: path.to_path_buf(), source }
}

/// `host:port`, with or without `https://` and a trailing slash.
fn address(url: &str) -> String {
    url.trim().trim_start_matches("https://").trim_end_matches('/').to_string()
}

/// A bundle file left by an earlier run in `dir` for this peer, and its SHA-256.
fn pending(dir: &Path, prefix: &str, ext: &str) -> Option<(PathBuf, String)> {
    let entries = std::fs::read_dir(dir).ok()?;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(sha) = name.strip_prefix(prefix).and_then(|r| r.strip_suffix(ext)) {
            if sha.len() == 64 {
                return Some((e.path(), sha.to_string()));
            }
        }
    }
    None
}

/// Pushes to, then pulls from, the paired archive `replica` serving sync at `url`.
pub fn sync_over_https(
    archive: &mut Archive,
    actor: &Actor,
    replica: &str,
    url: &str,
    options: HttpsOptions,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<HttpsReport, TransportError> {
    let addr = address(url);
    let peer = archive.replica(replica).map_err(DomainError::from)?;
    if peer.mirror {
        return Err(DomainError::Invalid {
            field: "replica".into(),
            message: format!("{replica} is a mirror; mirrors receive bundle files (girok mirror push)"),
            suggestions: vec![],
        }
        .into());
    }
    let key: [u8; 32] = hex::decode(&peer.key).ok().and_then(|b| b.try_into().ok()).expect("a paired key is 32 bytes of hex");
    let config = crate::sync_tls::client_config(&archive.transport_key_pkcs8(), key).map_err(|detail| TransportError::Tls { addr: addr.clone(), detail })?;
    let mut conn = Conn::open(&addr, config)?;
    let hello = conn.json("GET", "/api/sync/v1/hello", Vec::new())?;
    let mut report = HttpsReport {
        peer: hello["archive"].as_str().unwrap_or_default().to_string(),
        known_as: hello["you_are"].as_str().unwrap_or_default().to_string(),
        ..Default::default()
    };
    let piece = options.piece.clamp(1, crate::sync_https::MAX_PIECE);
    let mut budget = options.max_bytes.unwrap_or(u64::MAX);
    let transfer = archive.dir().join("sync-transfer");
    let prefix = format!("{}-", &peer.key[..16]);

    // Push: the bundle an interrupted run left, or a new one.
    let out_dir = transfer.join("push");
    std::fs::create_dir_all(&out_dir).map_err(io(&out_dir))?;
    let (file, sha) = match pending(&out_dir, &prefix, ".girok-sync") {
        Some(p) => p,
        None => {
            let fresh = out_dir.join(format!("{prefix}new.girok-sync"));
            let _ = std::fs::remove_file(&fresh);
            girok_app::sync::export(archive, actor, replica, &fresh, &mut |d, t| progress("writing the bundle", d, t))?;
            let sha = girok_store::file_sha256(&fresh).map_err(DomainError::from)?;
            let named = out_dir.join(format!("{prefix}{sha}.girok-sync"));
            std::fs::rename(&fresh, &named).map_err(io(&named))?;
            (named, sha)
        }
    };
    let size = std::fs::metadata(&file).map_err(io(&file))?.len();
    let mut offset = conn.json("GET", &format!("/api/sync/v1/uploads/{sha}"), Vec::new())?["received"].as_u64().unwrap_or(0).min(size);
    report.resumed_bytes += offset;
    let mut f = std::fs::File::open(&file).map_err(io(&file))?;
    while offset < size && budget > 0 {
        let n = (piece as u64).min(size - offset).min(budget) as usize;
        let mut buf = vec![0; n];
        f.seek(SeekFrom::Start(offset)).map_err(io(&file))?;
        f.read_exact(&mut buf).map_err(io(&file))?;
        conn.json("PUT", &format!("/api/sync/v1/uploads/{sha}?offset={offset}"), buf)?;
        offset += n as u64;
        budget -= n as u64;
        report.sent_bytes += n as u64;
        progress("sending", offset, size);
    }
    if offset < size {
        return Ok(report);
    }
    let applied = conn.json("POST", &format!("/api/sync/v1/uploads/{sha}/apply"), Vec::new())?;
    report.pushed = Some(serde_json::from_value(applied).map_err(|e| TransportError::Http { addr: addr.clone(), detail: format!("the apply report: {e}") })?);
    std::fs::remove_file(&file).map_err(io(&file))?;

    // Pull: resume the download an interrupted run left, if the other archive still has it.
    let in_dir = transfer.join("pull");
    std::fs::create_dir_all(&in_dir).map_err(io(&in_dir))?;
    let part = pending(&in_dir, &prefix, ".part");
    let query = part.as_ref().map(|(_, s)| format!("?resume={s}")).unwrap_or_default();
    let offer = conn.json("POST", &format!("/api/sync/v1/bundle{query}"), Vec::new())?;
    let sha = offer["sha256"].as_str().unwrap_or_default().to_string();
    let size = offer["size"].as_u64().unwrap_or(0);
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(TransportError::Http { addr, detail: "the offered bundle has no SHA-256".into() });
    }
    let path = in_dir.join(format!("{prefix}{sha}.part"));
    if let Some((old, old_sha)) = &part {
        if *old_sha != sha {
            let _ = std::fs::remove_file(old);
        }
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(io(&path))?;
    let mut offset = f.metadata().map_err(io(&path))?.len().min(size);
    report.resumed_bytes += offset;
    while offset < size && budget > 0 {
        let n = (piece as u64).min(size - offset).min(budget) as usize;
        let bytes = conn.request("GET", &format!("/api/sync/v1/bundle/{sha}?offset={offset}&len={n}"), Vec::new())?;
        if bytes.is_empty() {
            return Err(TransportError::Http { addr, detail: format!("the bundle ended at {offset} of {size} bytes") });
        }
        f.write_all(&bytes).map_err(io(&path))?;
        offset += bytes.len() as u64;
        budget = budget.saturating_sub(bytes.len() as u64);
        report.received_bytes += bytes.len() as u64;
        progress("receiving", offset, size);
    }
    f.sync_data().map_err(io(&path))?;
    drop(f);
    if offset < size {
        return Ok(report);
    }
    if girok_store::file_sha256(&path).map_err(DomainError::from)? != sha {
        let _ = std::fs::remove_file(&path);
        return Err(TransportError::Http { addr, detail: "the received bundle's SHA-256 differs from the one offered; it was dropped, run again".into() });
    }
    report.pulled = Some(girok_app::sync::apply(archive, actor, &path, &mut |d, t| progress("applying", d, t))?);
    std::fs::remove_file(&path).map_err(io(&path))?;
    Ok(report)
}
