//! From a passphrase or key file to the database key, and the archive's plaintext header.
//!
//! Threat: a seized laptop. The header holds only what is needed to derive the key (salt and
//! Argon2id parameters) and a short key-check value so a wrong passphrase is told apart from a
//! damaged database. The check value gives an attacker nothing the database's first page does
//! not already give: both cost one Argon2id evaluation per guess.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::OpenError;

/// Where the archive key comes from.
#[derive(Clone)]
pub enum KeySource {
    Passphrase(Zeroizing<String>),
    /// A file holding 64 hex characters (32 random bytes), made by `girok init --new-key-file`.
    KeyFile(PathBuf),
}

impl std::fmt::Debug for KeySource {
    // Threat: a passphrase printed into a log by `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Passphrase(_) => f.write_str("Passphrase(<redacted>)"),
            KeySource::KeyFile(p) => write!(f, "KeyFile({})", p.display()),
        }
    }
}

impl KeySource {
    pub fn passphrase(s: impl Into<String>) -> KeySource {
        KeySource::Passphrase(Zeroizing::new(s.into()))
    }
}

/// Argon2id cost. `m_cost_log2` is log2 of KiB, the unit the `argon2` command-line tool takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub m_cost_log2: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

impl KdfParams {
    /// 64 MiB, 3 passes: about half a second on a laptop, the OWASP-recommended order of cost.
    pub const INTERACTIVE: KdfParams = KdfParams { m_cost_log2: 16, t_cost: 3, p_cost: 1 };
    /// For tests and throwaway demo archives only.
    pub const WEAK_FOR_TESTS: KdfParams = KdfParams { m_cost_log2: 10, t_cost: 1, p_cost: 1 };
}

pub(crate) const HEADER_FILE: &str = "girok-archive.json";
pub(crate) const FORMAT_NAME: &str = "girok-archive";
/// Version of the directory layout and header. The database schema has its own version
/// (`schema::CURRENT_VERSION`, in SQLite's `user_version`).
pub(crate) const FORMAT_VERSION: u32 = 1;

/// The plaintext header, `girok-archive.json`. Contains no secret.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Header {
    pub format: String,
    pub format_version: u32,
    /// `passphrase` or `key-file`.
    pub key_kind: String,
    /// Argon2id salt. It is used as the *text* of this string (32 hex characters), which is how
    /// the `argon2` command-line tool takes a salt, so recovery needs no custom code.
    pub salt: String,
    pub kdf: KdfParams,
    /// First 16 hex characters of SHA-256("girok key check" || key).
    pub key_check: String,
    /// SQLCipher format compatibility (3: readable by Debian's `sqlcipher` 3.4 shell).
    pub sqlcipher_compatibility: u32,
    /// SQLCipher page size; the recovery shell must be told it (`PRAGMA cipher_page_size`).
    #[serde(default = "default_page_size")]
    pub sqlcipher_page_size: u32,
    pub created_at: String,
}

impl Header {
    pub(crate) fn read(dir: &Path) -> Result<Header, OpenError> {
        let path = dir.join(HEADER_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(OpenError::NotAnArchive { path: dir.to_path_buf() }),
            Err(source) => return Err(OpenError::Io { path, source }),
        };
        let header: Header = serde_json::from_slice(&bytes).map_err(|_| OpenError::NotAnArchive { path: dir.to_path_buf() })?;
        if header.format != FORMAT_NAME {
            return Err(OpenError::NotAnArchive { path: dir.to_path_buf() });
        }
        Ok(header)
    }
}

fn default_page_size() -> u32 {
    4096
}

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::getrandom(&mut buf).expect("the operating system's random source is available");
    buf
}

/// Derives the 32-byte database key.
pub(crate) fn derive_key(source: &KeySource, salt: &str, kdf: KdfParams) -> Result<Zeroizing<[u8; 32]>, OpenError> {
    let mut key = Zeroizing::new([0u8; 32]);
    match source {
        KeySource::Passphrase(p) => {
            if p.is_empty() {
                return Err(OpenError::EmptyPassphrase);
            }
            let params = argon2::Params::new(1 << kdf.m_cost_log2, kdf.t_cost, kdf.p_cost, Some(32)).map_err(|e| OpenError::Kdf(e.to_string()))?;
            let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
            argon.hash_password_into(p.as_bytes(), salt.as_bytes(), key.as_mut()).map_err(|e| OpenError::Kdf(e.to_string()))?;
        }
        KeySource::KeyFile(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| OpenError::KeyFile { path: path.clone(), reason: source.to_string() })?;
            let text = Zeroizing::new(text);
            let bytes = hex::decode(text.trim()).map_err(|_| OpenError::KeyFile { path: path.clone(), reason: "expected 64 hexadecimal characters".into() })?;
            let bytes = Zeroizing::new(bytes);
            if bytes.len() != 32 {
                return Err(OpenError::KeyFile { path: path.clone(), reason: format!("expected 32 bytes, found {}", bytes.len()) });
            }
            key.copy_from_slice(&bytes);
        }
    }
    Ok(key)
}

pub(crate) fn key_check(key: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"girok key check");
    h.update(key);
    hex::encode(h.finalize())[..16].to_string()
}

/// Writes a new random key file (mode 0600 on Unix). Refuses to overwrite.
pub fn write_new_key_file(path: &Path) -> std::io::Result<()> {
    let key = Zeroizing::new(hex::encode(random_bytes::<32>()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    use std::io::Write;
    f.write_all(key.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}
