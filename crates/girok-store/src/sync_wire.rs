//! The sync bundle file: what one archive sends another, on a USB stick or over HTTP.
//!
//! A bundle is one age file (X25519, to the receiving archive's recipient, or for a mirror to
//! the organisation's recovery key), so whoever finds it learns its size and nothing else.
//! Inside: a magic line, then frames (`tag`, length, payload): the manifest, the changes
//! (JSON), the original files (their SHA-256 then their bytes, streamed), and last the
//! sender's ed25519 signature over the SHA-256 of everything before it. A bundle that does not
//! end in a valid signature (cut short on the stick, interrupted on the network, altered) is
//! refused before anything is applied.

use std::collections::BTreeMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, Verifier};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::SyncError;
use crate::sync_entry::Synced;

const MAGIC: &[u8] = b"GIROK-SYNC-1\n";
const FORMAT: &str = "girok-sync-bundle";
const TAG_MANIFEST: u8 = b'M';
const TAG_CHANGE: u8 = b'C';
const TAG_BLOB: u8 = b'B';
const TAG_SEAL: u8 = b'S';
/// No JSON frame is larger than this; a blob frame is streamed and not held.
const MAX_JSON_FRAME: u64 = 256 << 20;

/// What a bundle says of itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BundleManifest {
    pub(crate) format: String,
    /// The sender's signing key (hex).
    pub(crate) from: String,
    /// The receiver's key, or `mirror:` and the recovery recipient.
    pub(crate) to: String,
    pub(crate) created: String,
    /// What the sender holds, per origin key: the newest origin entry. The receiver keeps it as
    /// the sender's receipt and sends nothing the sender already has.
    pub(crate) have: BTreeMap<String, i64>,
    pub(crate) changes: u64,
    pub(crate) blobs: u64,
}

/// One change with what travels beside its entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Change {
    #[serde(flatten)]
    pub(crate) synced: Synced,
    /// A document's extracted text, when the version names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<String>,
    /// A photograph's GPS position, when the receiver may hold it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) location: Option<String>,
    /// A sealed identity's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) sealed: Option<String>,
    /// The SHA-256 of the original file that travels in the same bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) blob: Option<String>,
}

fn signed_message(digest: &[u8]) -> Vec<u8> {
    let mut m = b"girok-sync-bundle\0".to_vec();
    m.extend_from_slice(digest);
    m
}

/// Writes a bundle: frames into an age stream into a file, hashed as they go.
pub(crate) struct BundleWriter {
    out: age::stream::StreamWriter<BufWriter<std::fs::File>>,
    hash: Sha256,
    path: PathBuf,
}

impl BundleWriter {
    pub(crate) fn create(path: &Path, recipient: &str, manifest: &BundleManifest) -> Result<BundleWriter, SyncError> {
        let io = |source| SyncError::Io { path: path.to_path_buf(), source };
        let recipient: age::x25519::Recipient =
            recipient.parse().map_err(|e| SyncError::Invalid { path: path.to_path_buf(), detail: format!("the replica's age recipient: {e}") })?;
        let file = std::fs::File::create(path).map_err(io)?;
        let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).expect("one recipient is given");
        let out = encryptor.wrap_output(BufWriter::with_capacity(1 << 20, file)).map_err(io)?;
        let mut w = BundleWriter { out, hash: Sha256::new(), path: path.to_path_buf() };
        w.put(MAGIC)?;
        w.json(TAG_MANIFEST, manifest)?;
        Ok(w)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), SyncError> {
        self.hash.update(bytes);
        self.out.write_all(bytes).map_err(|source| SyncError::Io { path: self.path.clone(), source })
    }

    fn head(&mut self, tag: u8, len: u64) -> Result<(), SyncError> {
        self.put(&[tag])?;
        self.put(&len.to_le_bytes())
    }

    fn json<T: Serialize>(&mut self, tag: u8, value: &T) -> Result<(), SyncError> {
        let bytes = serde_json::to_vec(value).expect("sync frames serialize");
        self.head(tag, bytes.len() as u64)?;
        self.put(&bytes)
    }

    pub(crate) fn change(&mut self, change: &Change) -> Result<(), SyncError> {
        self.json(TAG_CHANGE, change)
    }

    /// An original file, streamed from `reader` (`size` bytes, SHA-256 `sha256`).
    pub(crate) fn blob(&mut self, sha256: &str, size: u64, reader: &mut dyn Read) -> Result<(), SyncError> {
        self.head(TAG_BLOB, 64 + size)?;
        self.put(sha256.as_bytes())?;
        let mut buf = vec![0u8; 1 << 20];
        let mut left = size;
        while left > 0 {
            let want = left.min(buf.len() as u64) as usize;
            let n = reader.read(&mut buf[..want]).map_err(|source| SyncError::Io { path: self.path.clone(), source })?;
            if n == 0 {
                return Err(SyncError::Invalid { path: self.path.clone(), detail: format!("the original file {sha256} ended early") });
            }
            self.put(&buf[..n])?;
            left -= n as u64;
        }
        Ok(())
    }

    /// Signs everything written and closes the file.
    pub(crate) fn finish(mut self, key: &ed25519_dalek::SigningKey) -> Result<(), SyncError> {
        let digest = std::mem::take(&mut self.hash).finalize();
        let sig = key.sign(&signed_message(&digest));
        self.head(TAG_SEAL, 64)?;
        self.put(&sig.to_bytes())?;
        let io = |source| SyncError::Io { path: self.path.clone(), source };
        let buffered = self.out.finish().map_err(io)?;
        let file = buffered.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)
    }
}

/// What reading a bundle gives, before anything is applied.
pub(crate) struct ReadBundle {
    pub(crate) manifest: BundleManifest,
    pub(crate) changes: Vec<Change>,
    /// SHA-256 of the bundle file as it lay on disk.
    pub(crate) file_sha256: String,
}

/// Where a bundle's original files go as they stream in: the receiver's own encryption.
pub(crate) trait BlobSink {
    /// Takes one original file of `size` bytes claimed to hash to `sha256`; must check it.
    fn take(&mut self, sha256: &str, size: u64, reader: &mut dyn Read) -> Result<(), SyncError>;
}

struct Hashing<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// Reads as far as the manifest, to learn who sent the bundle, before trusting anything.
pub(crate) fn read_manifest(path: &Path, identity: &dyn age::Identity) -> Result<BundleManifest, SyncError> {
    let mut r = open(path, identity)?;
    read_magic(path, &mut r)?;
    let (tag, len) = frame_head(path, &mut r)?.ok_or_else(|| truncated(path, "no manifest"))?;
    if tag != TAG_MANIFEST {
        return Err(SyncError::Unreadable { path: path.to_path_buf(), detail: "it does not start with a manifest".into() });
    }
    let m: BundleManifest = json_frame(path, &mut r, len)?;
    if m.format != FORMAT {
        return Err(SyncError::Unreadable { path: path.to_path_buf(), detail: format!("format {:?}", m.format) });
    }
    Ok(m)
}

/// Reads a whole bundle, streaming its files into `sink`, and checks the signature by
/// `signer` (hex) at its end.
pub(crate) fn read_bundle(path: &Path, identity: &dyn age::Identity, signer: &str, sink: &mut dyn BlobSink) -> Result<ReadBundle, SyncError> {
    let file_sha256 = file_sha256(path)?;
    let mut r = open(path, identity)?;
    read_magic(path, &mut r)?;
    let mut manifest: Option<BundleManifest> = None;
    let mut changes = Vec::new();
    loop {
        let digest = r.hash.clone().finalize();
        let (tag, len) = frame_head(path, &mut r)?.ok_or_else(|| truncated(path, "it ends before the sender's signature"))?;
        match tag {
            TAG_MANIFEST if manifest.is_none() => manifest = Some(json_frame(path, &mut r, len)?),
            TAG_CHANGE if manifest.is_some() => changes.push(json_frame(path, &mut r, len)?),
            TAG_BLOB if manifest.is_some() && len >= 64 => {
                let mut sha = [0u8; 64];
                r.read_exact(&mut sha).map_err(|e| read_error(path, e))?;
                let sha = String::from_utf8_lossy(&sha).into_owned();
                let mut body = (&mut r).take(len - 64);
                sink.take(&sha, len - 64, &mut body)?;
                if body.limit() > 0 {
                    return Err(truncated(path, "an original file ends early"));
                }
            }
            TAG_SEAL if len == 64 => {
                let mut sig = [0u8; 64];
                r.read_exact(&mut sig).map_err(|e| read_error(path, e))?;
                let key = crate::replicas::verifying_key(signer).ok_or_else(|| SyncError::BadSignature { path: path.to_path_buf() })?;
                key.verify(&signed_message(&digest), &ed25519_dalek::Signature::from_bytes(&sig))
                    .map_err(|_| SyncError::BadSignature { path: path.to_path_buf() })?;
                let mut rest = [0u8; 1];
                if r.read(&mut rest).map_err(|e| read_error(path, e))? != 0 {
                    return Err(SyncError::Unreadable { path: path.to_path_buf(), detail: "bytes follow the signature".into() });
                }
                let manifest = manifest.ok_or_else(|| SyncError::Unreadable { path: path.to_path_buf(), detail: "no manifest".into() })?;
                if manifest.from != signer {
                    return Err(SyncError::BadSignature { path: path.to_path_buf() });
                }
                return Ok(ReadBundle { manifest, changes, file_sha256 });
            }
            other => return Err(SyncError::Unreadable { path: path.to_path_buf(), detail: format!("unexpected frame {:?} of {len} bytes", other as char) }),
        }
    }
}

/// The SHA-256 of a bundle file as it lies on disk (what a receipt names).
pub fn file_sha256(path: &Path) -> Result<String, SyncError> {
    let mut f = std::fs::File::open(path).map_err(|source| SyncError::Io { path: path.to_path_buf(), source })?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|source| SyncError::Io { path: path.to_path_buf(), source })?;
    Ok(hex::encode(h.finalize()))
}

type Decrypted = Hashing<age::stream::StreamReader<BufReader<std::fs::File>>>;

fn open(path: &Path, identity: &dyn age::Identity) -> Result<Decrypted, SyncError> {
    let f = std::fs::File::open(path).map_err(|source| SyncError::Io { path: path.to_path_buf(), source })?;
    let d = age::Decryptor::new(BufReader::with_capacity(1 << 20, f)).map_err(|e| match e {
        age::DecryptError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => truncated(path, "its header is incomplete"),
        e => SyncError::Unreadable { path: path.to_path_buf(), detail: format!("not an age file: {e}") },
    })?;
    let inner = d.decrypt(std::iter::once(identity)).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => SyncError::Unreadable { path: path.to_path_buf(), detail: "it is encrypted to another archive or key".into() },
        e => SyncError::Unreadable { path: path.to_path_buf(), detail: e.to_string() },
    })?;
    Ok(Hashing { inner, hash: Sha256::new() })
}

fn truncated(path: &Path, detail: &str) -> SyncError {
    SyncError::Truncated { path: path.to_path_buf(), detail: detail.into() }
}

fn read_error(path: &Path, e: std::io::Error) -> SyncError {
    // age says "unexpected end of file" for a stream cut short, and "invalid data" for a chunk
    // whose authentication tag fails (an altered byte).
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        truncated(path, "the file ends mid-stream")
    } else {
        SyncError::Unreadable { path: path.to_path_buf(), detail: format!("decryption failed ({e})") }
    }
}

fn read_magic(path: &Path, r: &mut impl Read) -> Result<(), SyncError> {
    let mut magic = [0u8; MAGIC.len()];
    r.read_exact(&mut magic).map_err(|e| read_error(path, e))?;
    if magic != MAGIC {
        return Err(SyncError::Unreadable { path: path.to_path_buf(), detail: "it is an age file, but not a sync bundle".into() });
    }
    Ok(())
}

fn frame_head(path: &Path, r: &mut impl Read) -> Result<Option<(u8, u64)>, SyncError> {
    let mut head = [0u8; 9];
    let mut got = 0;
    while got < head.len() {
        match r.read(&mut head[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(truncated(path, "a frame is cut off")),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read_error(path, e)),
        }
    }
    Ok(Some((head[0], u64::from_le_bytes(head[1..].try_into().expect("eight bytes")))))
}

fn json_frame<T: for<'de> Deserialize<'de>>(path: &Path, r: &mut impl Read, len: u64) -> Result<T, SyncError> {
    if len > MAX_JSON_FRAME {
        return Err(SyncError::Unreadable { path: path.to_path_buf(), detail: format!("a frame of {len} bytes") });
    }
    let mut buf = vec![0u8; len as usize];
    r.read_exact(&mut buf).map_err(|e| read_error(path, e))?;
    serde_json::from_slice(&buf).map_err(|e| SyncError::Unreadable { path: path.to_path_buf(), detail: format!("a frame does not read: {e}") })
}

pub(crate) fn manifest_for(from: String, to: String, created: String, have: BTreeMap<String, i64>, changes: u64, blobs: u64) -> BundleManifest {
    BundleManifest { format: FORMAT.into(), from, to, created, have, changes, blobs }
}
