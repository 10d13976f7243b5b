//! Evidence intake: hash, encrypt, extract text, record provenance; and the encrypted blob store.
//!
//! Threat: a seized disk. Original bytes only ever reach disk as an `age` file encrypted to the
//! archive's X25519 recipient, under a random name, so neither content nor hash leaks. The
//! SHA-256 is taken from the same single read that feeds the encryptor, so what is hashed is
//! exactly what is stored. A crash before the database commit leaves only an orphan encrypted
//! file, which `verify` reports and which holds nothing a reader without the key can use.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use girok_core::model::{Confidentiality, Document, DocumentKind, Record, TextOrigin};
use girok_extract::Family;
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::archive::{new_id, Archive, Writer, BLOB_DIR};
use crate::error::{IntakeError, StoreError};

/// Provenance recorded with each file.
#[derive(Clone, Debug, Default)]
pub struct IntakeMeta {
    /// A preset id (synthetic data, migrations); a fresh random one when `None`.
    pub id: Option<String>,
    pub title: Option<String>,
    pub received_from: Option<String>,
    pub received_by: String,
    pub language: Option<String>,
    pub confidentiality: Confidentiality,
    pub synthetic: bool,
    /// Files larger than this are refused before anything is written.
    pub max_size: u64,
    /// The message this file came attached to.
    pub attached_to: Option<String>,
}

/// A GPS position as stored apart and hashed into its document record.
pub(crate) fn location_body(l: &girok_core::model::Location) -> String {
    format!("{:.7},{:.7}", l.lat, l.lon)
}

/// The default intake limit: 2 GiB.
pub const DEFAULT_MAX_SIZE: u64 = 2 << 30;

/// What happened to one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntakeOutcome {
    Added {
        id: String,
        text_chars: u64,
        /// What the person taking it in should know: a scan waiting for OCR, a format stored
        /// but not read, a conversion of the text.
        warning: Option<String>,
        /// Documents made from a message's attachments.
        attachments: Vec<String>,
        /// A scan or photograph whose text waits for OCR (`Archive::recognise`).
        ocr_pending: bool,
    },
    /// The same bytes are already in the archive as this document.
    Duplicate { existing: String },
}

const EXTRACT_LIMIT: u64 = 256 << 20;

/// Recordings up to this size have their metadata read at intake; larger ones are stored only.
const MEDIA_LIMIT: u64 = 64 << 20;

/// What a file is: its media type by content (`girok_extract::detect`), with the name's
/// extension deciding only between text formats, and the kind of document it is filed as.
fn media_type(path: &Path, bytes: &[u8]) -> (&'static str, DocumentKind, Family) {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
    let d = girok_extract::detect(&name, bytes);
    let kind = match d.family {
        Family::Pdf => DocumentKind::Pdf,
        Family::Image => DocumentKind::Image,
        Family::Audio => DocumentKind::Audio,
        Family::Video => DocumentKind::Video,
        Family::Office => DocumentKind::Office,
        Family::Message => DocumentKind::Message,
        Family::Text if d.media_type == "text/html" => DocumentKind::WebCapture,
        Family::Text if ext == "json" => return ("application/json", DocumentKind::Other, Family::Text),
        Family::Text if d.media_type == "text/csv" => DocumentKind::Other,
        Family::Text => DocumentKind::InterviewTranscript,
        Family::Unreadable | Family::Other => DocumentKind::Other,
    };
    (d.media_type, kind, d.family)
}

/// What intake read from a file beyond its hash.
#[derive(Default)]
struct FileRead {
    text: Option<String>,
    origin: Option<TextOrigin>,
    /// Said on the document's page: what Girok could not do with the file.
    notice: Option<String>,
    /// Said at intake only (a conversion the text went through).
    warning: Option<String>,
    media: Option<girok_core::model::MediaInfo>,
    location: Option<girok_core::model::Location>,
    attachments: Vec<girok_extract::eml::Attachment>,
}

/// Reads text, metadata and attachments from a file's bytes. Images and scanned PDFs are
/// marked for OCR, which runs outside the intake transaction (`Archive::recognise`).
fn read_file(mtype: &str, family: Family, bytes: &[u8]) -> FileRead {
    let mut r = FileRead::default();
    match family {
        Family::Text | Family::Pdf => {
            let (text, warning) = extract_text(mtype, bytes);
            r.warning = warning;
            // A scan has a page image and no text layer (or a few stray characters).
            let has_text = text.as_deref().is_some_and(|t| t.chars().filter(|c| !c.is_whitespace()).count() >= 10);
            if family == Family::Pdf && !has_text {
                r.origin = Some(TextOrigin::OcrPending);
                r.notice = Some("no text layer: this looks like a scan; its text is read by OCR (pending)".into());
            } else {
                r.text = text;
                r.origin = r.text.as_ref().map(|_| TextOrigin::File);
            }
        }
        Family::Office => match girok_extract::office::text(mtype, bytes) {
            Some(Ok(t)) if !t.trim().is_empty() => {
                r.text = Some(t);
                r.origin = Some(TextOrigin::File);
            }
            Some(Ok(_)) => r.notice = Some("the file holds no text".into()),
            Some(Err(e)) => r.notice = Some(format!("no text could be read ({e}); the original is kept")),
            None => {}
        },
        Family::Message => {
            let m = girok_extract::eml::parse(bytes);
            r.text = Some(m.text);
            r.origin = Some(TextOrigin::File);
            r.attachments = m.attachments;
        }
        Family::Image => {
            r.origin = Some(TextOrigin::OcrPending);
            r.notice = Some("an image: any text in it is read by OCR (pending)".into());
        }
        Family::Audio | Family::Video => {
            r.notice = Some("a recording: kept with its metadata; speech is not transcribed (take a transcript in as a document of its own)".into());
        }
        Family::Unreadable if mtype == girok_extract::sniff::HWP => {
            r.notice = Some(
                "an HWP 5 file (Hangul word processor): stored and hashed, but its text is not read yet (no maintained reader exists); save it as HWPX, DOCX or PDF and take that in as well"
                    .into(),
            );
        }
        Family::Unreadable => {
            r.notice = Some(format!("stored and hashed, but Girok does not read {mtype} files yet; save a copy as .docx, .xlsx or PDF for text"))
        }
        Family::Other => {}
    }
    if let Some((info, location)) = girok_extract::media::read(mtype, bytes) {
        r.media = Some(info);
        r.location = location;
    }
    r
}

/// Decodes text evidence. Korean documents from the 2000s are often EUC-KR (CP949), not UTF-8.
fn decode_text(bytes: &[u8]) -> (String, Option<String>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), None),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::EUC_KR.decode(bytes);
            if had_errors {
                let lossy = String::from_utf8_lossy(bytes).into_owned();
                (lossy, Some("text is neither UTF-8 nor EUC-KR; undecodable bytes were replaced in the extracted text (the original is kept intact)".into()))
            } else {
                (text.into_owned(), Some("text was EUC-KR (CP949) and has been converted to UTF-8 for search (the original is kept intact)".into()))
            }
        }
    }
}

/// Extracts searchable text; `(None, warning)` when the format has none or extraction failed.
pub fn extract_text(media_type: &str, bytes: &[u8]) -> (Option<String>, Option<String>) {
    match media_type {
        "text/plain" | "text/csv" | "application/json" => {
            let (t, w) = decode_text(bytes);
            (Some(t), w)
        }
        "text/html" => {
            let (t, w) = decode_text(bytes);
            (Some(girok_core::text::html_to_text(&t)), w)
        }
        "application/pdf" => {
            // pdf-extract panics on some malformed files; a bad PDF must not abort a whole intake.
            let res = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes));
            match res {
                Ok(Ok(t)) => (Some(t), None),
                Ok(Err(e)) => (None, Some(format!("no text could be extracted from the PDF ({e}); the original is kept"))),
                Err(_) => (None, Some("the PDF is malformed and no text could be extracted; the original is kept".into())),
            }
        }
        _ => (None, None),
    }
}

pub(crate) fn random_name() -> String {
    format!("{}{}", &new_id(girok_core::Kind::Document)[4..], &new_id(girok_core::Kind::Document)[4..])
}

pub(crate) fn blob_path(dir: &Path, file: &str) -> PathBuf {
    dir.join(BLOB_DIR).join(&file[..2]).join(format!("{file}.age"))
}

impl Writer<'_> {
    /// Sets a document's extracted text (recognised later by OCR); the caller records its hash
    /// in the document in the same transaction.
    pub(crate) fn set_document_text(&mut self, doc_id: &str, text: &str) -> Result<(), StoreError> {
        self.tx.execute("INSERT OR REPLACE INTO document_text(doc_id, text) VALUES (?1, ?2)", params![doc_id, text])?;
        Ok(())
    }

    /// Takes one file in as a document.
    pub fn add_file(&mut self, path: &Path, meta: &IntakeMeta) -> Result<IntakeOutcome, IntakeError> {
        let io = |source| IntakeError::Io { path: path.to_path_buf(), source };
        let md = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(IntakeError::Missing { path: path.to_path_buf() }),
            Err(e) => return Err(io(e)),
        };
        let size = md.len();
        if size == 0 {
            return Err(IntakeError::Empty { path: path.to_path_buf() });
        }
        let limit = if meta.max_size == 0 { DEFAULT_MAX_SIZE } else { meta.max_size };
        if size > limit {
            return Err(IntakeError::TooLarge { path: path.to_path_buf(), size, limit });
        }
        let reader = BufReader::with_capacity(1 << 20, File::open(path).map_err(io)?);
        self.add_stream(path, reader, size, meta)
    }

    /// Takes in bytes that are not a file on disk (synthetic data, web uploads) by the same path,
    /// without ever writing their plaintext to disk. `name` supplies the file name and extension.
    pub fn add_bytes(&mut self, name: &str, bytes: &[u8], meta: &IntakeMeta) -> Result<IntakeOutcome, IntakeError> {
        let path = upload_name(name);
        if bytes.is_empty() {
            return Err(IntakeError::Empty { path });
        }
        let limit = if meta.max_size == 0 { DEFAULT_MAX_SIZE } else { meta.max_size };
        if bytes.len() as u64 > limit {
            return Err(IntakeError::TooLarge { path, size: bytes.len() as u64, limit });
        }
        self.add_stream(&path, std::io::Cursor::new(bytes), bytes.len() as u64, meta)
    }

    fn add_stream(&mut self, path: &Path, mut reader: impl Read, size: u64, meta: &IntakeMeta) -> Result<IntakeOutcome, IntakeError> {
        let io = |source| IntakeError::Io { path: path.to_path_buf(), source };
        let mut head = vec![0u8; 4096];
        let n_head = read_full(&mut reader, &mut head).map_err(io)?;
        // Everything Girok reads (text, office files, metadata, pages for OCR) needs the whole
        // file in memory; beyond the limit a file is stored and hashed only, and its page says
        // so. Files of no known type are never held, nor recordings beyond `MEDIA_LIMIT` (a
        // server takes large uploads in at once).
        let first = girok_extract::detect(&path.to_string_lossy(), &head[..n_head]);
        let keep_bytes = size <= EXTRACT_LIMIT
            && match first.family {
                Family::Other => head.starts_with(b"PK\x03\x04"),
                Family::Audio | Family::Video => size <= MEDIA_LIMIT,
                _ => true,
            };
        let mut kept = if keep_bytes { Vec::with_capacity(size as usize) } else { Vec::new() };

        // One pass: hash and encrypt together, into a temporary file beside its final place.
        let file_name = random_name();
        let final_path = blob_path(&self.dir, &file_name);
        let parent = final_path.parent().expect("blob paths have a parent").to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|source| IntakeError::Io { path: parent.clone(), source })?;
        let tmp_path = parent.join(format!(".{file_name}.tmp"));
        let tmp_io = |source| IntakeError::Io { path: tmp_path.clone(), source };
        let mut hasher = Sha256::new();
        let total = {
            let out = File::create(&tmp_path).map_err(tmp_io)?;
            let encryptor = age::Encryptor::with_recipients(std::iter::once(&self.recipient as &dyn age::Recipient)).expect("one recipient is given");
            let mut enc = encryptor.wrap_output(std::io::BufWriter::with_capacity(1 << 20, out)).map_err(tmp_io)?;
            hasher.update(&head[..n_head]);
            enc.write_all(&head[..n_head]).map_err(tmp_io)?;
            if keep_bytes {
                kept.extend_from_slice(&head[..n_head]);
            }
            let mut total = n_head as u64;
            let mut buf = vec![0u8; 4 << 20];
            loop {
                let n = read_full(&mut reader, &mut buf).map_err(io)?;
                if n == 0 {
                    break;
                }
                let chunk = &buf[..n];
                // Hash on a second core while this one encrypts: intake then runs at the speed of
                // the slower of the two instead of their sum.
                std::thread::scope(|scope| -> std::io::Result<()> {
                    let hashing = scope.spawn(|| hasher.update(chunk));
                    let res = enc.write_all(chunk);
                    hashing.join().expect("hashing a buffer does not panic");
                    res
                })
                .map_err(tmp_io)?;
                if keep_bytes {
                    kept.extend_from_slice(chunk);
                }
                total += n as u64;
            }
            let buffered = enc.finish().map_err(tmp_io)?;
            let file = buffered.into_inner().map_err(|e| tmp_io(e.into_error()))?;
            file.sync_all().map_err(tmp_io)?;
            total
        };
        let sha256 = hex::encode(hasher.finalize());
        let existing: Option<String> =
            self.tx.query_row("SELECT doc_id FROM blobs WHERE sha256 = ?1", [&sha256], |r| r.get(0)).optional().map_err(StoreError::from)?;
        if let Some(existing) = existing {
            let _ = std::fs::remove_file(&tmp_path);
            return Ok(IntakeOutcome::Duplicate { existing });
        }
        std::fs::rename(&tmp_path, &final_path).map_err(tmp_io)?;

        let (mtype, kind, family) = media_type(path, if keep_bytes { &kept } else { &head[..n_head] });
        let mut read = if keep_bytes {
            read_file(mtype, family, &kept)
        } else {
            let limit = if matches!(family, Family::Audio | Family::Video) { MEDIA_LIMIT } else { EXTRACT_LIMIT };
            let notice = (family != Family::Other).then(|| format!("larger than {} MiB: stored and hashed, not read", limit >> 20));
            FileRead { notice, ..Default::default() }
        };
        drop(kept);
        let text = read.text.take();
        let warning = match (read.warning.take(), read.notice.clone()) {
            (Some(w), Some(n)) => Some(format!("{n}; {w}")),
            (w, n) => n.or(w),
        };
        let id = meta.id.clone().unwrap_or_else(|| new_id(girok_core::Kind::Document));
        let ocr_pending = read.origin == Some(TextOrigin::OcrPending);
        let original_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let text_chars = text.as_ref().map(|t| t.chars().count() as u64).unwrap_or(0);
        let doc = Document {
            id: id.clone(),
            title: meta.title.clone().unwrap_or_else(|| original_name.clone()),
            kind,
            sha256: sha256.clone(),
            size: total,
            media_type: mtype.to_string(),
            original_name,
            received_at: crate::archive::now_rfc3339(),
            received_from: meta.received_from.clone(),
            received_by: meta.received_by.clone(),
            language: meta.language.clone().or_else(|| text.as_deref().map(guess_language)),
            text_sha256: text.as_ref().map(|t| crate::archive::sha256_hex(t.as_bytes())),
            text_chars,
            text_origin: read.origin,
            notice: read.notice,
            location_sha256: read.location.map(|l| crate::archive::sha256_hex(location_body(&l).as_bytes())),
            media: read.media,
            attached_to: meta.attached_to.clone(),
            translation_of: None,
            confidentiality: meta.confidentiality,
            synthetic: meta.synthetic,
        };
        self.tx
            .execute("INSERT INTO blobs(doc_id, sha256, file, size) VALUES (?1, ?2, ?3, ?4)", params![id, sha256, file_name, total as i64])
            .map_err(StoreError::from)?;
        if let Some(t) = &text {
            self.tx.execute("INSERT INTO document_text(doc_id, text) VALUES (?1, ?2)", params![id, t]).map_err(StoreError::from)?;
        }
        if let Some(l) = &read.location {
            self.tx.execute("INSERT INTO document_locations(doc_id, body) VALUES (?1, ?2)", params![id, location_body(l)]).map_err(StoreError::from)?;
        }
        self.put(Record::Document(doc))?;
        // A message's attachments are evidence of their own, at the message's level, linked to it.
        let mut attachments = Vec::new();
        for a in std::mem::take(&mut read.attachments) {
            let meta = IntakeMeta { id: None, title: None, attached_to: Some(id.clone()), ..meta.clone() };
            match self.add_bytes(&a.name, &a.bytes, &meta) {
                Ok(IntakeOutcome::Added { id, .. }) => attachments.push(id),
                Ok(IntakeOutcome::Duplicate { existing }) => attachments.push(existing),
                // An empty attachment is nothing to keep; anything else fails the message.
                Err(IntakeError::Empty { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(IntakeOutcome::Added { id, text_chars, warning, attachments, ocr_pending })
    }
}

/// An uploaded file's name as a path of one component. Threat: path traversal in a name.
fn upload_name(name: &str) -> PathBuf {
    let safe = name.rsplit(['/', '\\']).next().unwrap_or("").replace('\0', "");
    PathBuf::from(if safe.is_empty() || safe.starts_with('.') { format!("upload{safe}") } else { safe })
}

/// Where uploads wait while they arrive, inside the blob directory.
const SPOOL_DIR: &str = "spool";

/// An upload being received, written as it arrives to a file encrypted to a one-time key that
/// exists only in memory: a web upload is never held whole in memory (threat: one large upload,
/// or several, exhausting the server), and never touches disk in plaintext. Dropped unfinished,
/// its file is removed.
pub struct Spool {
    name: PathBuf,
    path: PathBuf,
    identity: age::x25519::Identity,
    out: Option<age::stream::StreamWriter<std::io::BufWriter<File>>>,
    size: u64,
    limit: u64,
}

/// A received upload, ready to be taken in (`Archive::take_in_spooled`).
pub struct Spooled {
    name: PathBuf,
    path: PathBuf,
    identity: age::x25519::Identity,
    size: u64,
}

impl Archive {
    /// Starts receiving an upload called `name` (only its last component is kept), refusing it
    /// once it grows past `limit` bytes (0: the default intake limit).
    pub fn spool(&self, name: &str, limit: u64) -> Result<Spool, IntakeError> {
        let dir = self.dir.join(BLOB_DIR).join(SPOOL_DIR);
        std::fs::create_dir_all(&dir).map_err(|source| IntakeError::Io { path: dir.clone(), source })?;
        let path = dir.join(format!("{}.age", random_name()));
        let io = |source| IntakeError::Io { path: path.clone(), source };
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public();
        let file = File::create(&path).map_err(io)?;
        let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).expect("one recipient is given");
        let out = encryptor.wrap_output(std::io::BufWriter::with_capacity(1 << 16, file)).map_err(io)?;
        let limit = if limit == 0 { DEFAULT_MAX_SIZE } else { limit };
        Ok(Spool { name: upload_name(name), path, identity, out: Some(out), size: 0, limit })
    }

    /// Takes a received upload in as a document, in one transaction: if any step fails, nothing
    /// of it is committed.
    pub fn take_in_spooled(&mut self, actor: &str, spooled: &Spooled, meta: &IntakeMeta) -> Result<IntakeOutcome, IntakeError> {
        self.take_in_with(actor, |w| w.add_spooled(spooled, meta))
    }

    /// Takes a file in as a document, in one transaction: if any step fails, nothing of it is
    /// committed.
    pub fn take_in_file(&mut self, actor: &str, path: &Path, meta: &IntakeMeta) -> Result<IntakeOutcome, IntakeError> {
        self.take_in_with(actor, |w| w.add_file(path, meta))
    }

    fn take_in_with(&mut self, actor: &str, add: impl FnOnce(&mut Writer<'_>) -> Result<IntakeOutcome, IntakeError>) -> Result<IntakeOutcome, IntakeError> {
        let mut outcome = None;
        let res = self.write(actor, |w| match add(w) {
            Ok(o) => {
                outcome = Some(Ok(o));
                Ok(())
            }
            Err(e) => {
                outcome = Some(Err(e));
                // Any error: roll the whole file back (the outcome carries the real cause).
                Err(StoreError::Invalid { id: String::new(), message: "intake rolled back".into() })
            }
        });
        match (outcome, res) {
            (Some(Ok(o)), Ok(())) => Ok(o),
            (Some(Err(e)), _) => Err(e),
            (_, Err(e)) => Err(IntakeError::Store(e)),
            (None, Ok(())) => unreachable!("the closure always sets the outcome"),
        }
    }
}

impl Spool {
    /// Appends bytes as they arrive.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), IntakeError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(IntakeError::TooLarge { path: self.name.clone(), size: self.size, limit: self.limit });
        }
        let out = self.out.as_mut().expect("a spool is written only before it is finished");
        out.write_all(chunk).map_err(|source| IntakeError::Io { path: self.path.clone(), source })
    }

    pub fn name(&self) -> &Path {
        &self.name
    }

    /// Ends the upload.
    pub fn finish(mut self) -> Result<Spooled, IntakeError> {
        let io = |source| IntakeError::Io { path: self.path.clone(), source };
        let out = self.out.take().expect("finished once");
        let buffered = out.finish().map_err(io)?;
        buffered.into_inner().map_err(|e| io(e.into_error()))?;
        if self.size == 0 {
            return Err(IntakeError::Empty { path: self.name.clone() });
        }
        // The file now belongs to the `Spooled`, which removes it when dropped.
        let path = std::mem::take(&mut self.path);
        Ok(Spooled { name: self.name.clone(), path, identity: self.identity.clone(), size: self.size })
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Drop for Spooled {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Spooled {
    pub fn name(&self) -> &Path {
        &self.name
    }
}

impl Writer<'_> {
    /// Takes in a received upload by the same single pass as a file: decrypted from the spool
    /// as it is hashed and encrypted to the archive.
    pub fn add_spooled(&mut self, spooled: &Spooled, meta: &IntakeMeta) -> Result<IntakeOutcome, IntakeError> {
        let io = |source| IntakeError::Io { path: spooled.path.clone(), source };
        let limit = if meta.max_size == 0 { DEFAULT_MAX_SIZE } else { meta.max_size };
        if spooled.size > limit {
            return Err(IntakeError::TooLarge { path: spooled.name.clone(), size: spooled.size, limit });
        }
        let file = File::open(&spooled.path).map_err(io)?;
        let decryptor = age::Decryptor::new(BufReader::new(file)).map_err(|e| io(std::io::Error::other(e.to_string())))?;
        let reader = decryptor.decrypt(std::iter::once(&spooled.identity as &dyn age::Identity)).map_err(|e| io(std::io::Error::other(e.to_string())))?;
        self.add_stream(&spooled.name, BufReader::with_capacity(1 << 20, reader), spooled.size, meta)
    }
}

/// Reads until `buf` is full or the input ends, so chunks are large enough to be worth a thread.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Hangul-heavy text is Korean; otherwise assume English. Coders correct it when wrong.
fn guess_language(text: &str) -> String {
    let sample: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).take(2000).collect();
    let hangul = sample.iter().filter(|c| girok_core::text::is_hangul(**c)).count();
    if hangul * 3 > sample.len() {
        "ko".into()
    } else {
        "en".into()
    }
}

impl Archive {
    /// Decrypts a document's original bytes.
    pub fn read_blob(&self, doc_id: &str) -> Result<Vec<u8>, StoreError> {
        let file: Option<String> = self.conn().query_row("SELECT file FROM blobs WHERE doc_id = ?1", [doc_id], |r| r.get(0)).optional()?;
        let file = file.ok_or_else(|| StoreError::NotFound(format!("blob of {doc_id}")))?;
        let path = blob_path(&self.dir, &file);
        let f = File::open(&path).map_err(|e| StoreError::Blob { doc: doc_id.to_string(), detail: format!("{}: {e}", path.display()) })?;
        let decryptor = age::Decryptor::new(BufReader::new(f))
            .map_err(|e| StoreError::Blob { doc: doc_id.to_string(), detail: format!("not a readable age file: {e}") })?;
        let mut reader = decryptor
            .decrypt(std::iter::once(&self.age_identity as &dyn age::Identity))
            .map_err(|e| StoreError::Blob { doc: doc_id.to_string(), detail: format!("cannot decrypt: {e}") })?;
        let mut out = Vec::new();
        reader.read_to_end(&mut out).map_err(|e| StoreError::Blob { doc: doc_id.to_string(), detail: format!("damaged ciphertext: {e}") })?;
        Ok(out)
    }
}
