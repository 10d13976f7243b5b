//! `girok verify`: re-hash the audit chain, every record and every blob, and name what is wrong.
//!
//! Threat: someone with the key (an insider, or a state that seized key and laptop together)
//! quietly edits or removes evidence. The chain makes history tamper-evident: each entry hashes
//! its predecessor, each record's stored body must equal the content of its latest audit entry,
//! and each blob must decrypt to the SHA-256 taken at intake.

use std::collections::{HashMap, HashSet};
use std::fmt;

use girok_core::model::Record;
use rusqlite::OptionalExtension;

use crate::archive::{audit_row, sha256_hex, Archive, AuditEntry, BLOB_DIR};
use crate::error::StoreError;
use crate::schema::GENESIS_HASH;

/// One thing `verify` found wrong. Each names the entry, record or file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    ChainGap { expected: i64, found: i64 },
    ChainLink { seq: i64 },
    EntryAltered { seq: i64, record: Option<String> },
    RecordAltered { id: String },
    RecordMissing { id: String },
    RecordUnaudited { id: String },
    TextAltered { doc: String },
    SealedAltered { source: String },
    BlobMissing { doc: String, file: String },
    BlobAltered { doc: String, file: String },
    BlobUnreadable { doc: String, file: String, detail: String },
    BlobUnrecorded { doc: String },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::ChainGap { expected, found } => write!(f, "audit chain: entry {expected} is missing (next entry is {found})"),
            Problem::ChainLink { seq } => write!(f, "audit chain: entry {seq} does not link to the entry before it"),
            Problem::EntryAltered { seq, record } => match record {
                Some(r) => write!(f, "audit chain: entry {seq} (record {r}) was altered after it was written"),
                None => write!(f, "audit chain: entry {seq} was altered after it was written"),
            },
            Problem::RecordAltered { id } => write!(f, "record {id}: stored content differs from its last audited version"),
            Problem::RecordMissing { id } => write!(f, "record {id}: missing from the archive, but the audit log never deleted it"),
            Problem::RecordUnaudited { id } => write!(f, "record {id}: present in the archive but never recorded in the audit log"),
            Problem::TextAltered { doc } => write!(f, "document {doc}: extracted text differs from the hash recorded at intake"),
            Problem::SealedAltered { source } => write!(f, "source {source}: sealed identity differs from its audited hash"),
            Problem::BlobMissing { doc, file } => write!(f, "document {doc}: original file blobs/{}/{file}.age is missing", &file[..2]),
            Problem::BlobAltered { doc, file } => {
                write!(f, "document {doc}: original file blobs/{}/{file}.age does not match the SHA-256 taken at intake", &file[..2])
            }
            Problem::BlobUnreadable { doc, file, detail } => {
                write!(f, "document {doc}: original file blobs/{}/{file}.age cannot be decrypted ({detail})", &file[..2])
            }
            Problem::BlobUnrecorded { doc } => write!(f, "document {doc}: no original file is recorded for it"),
        }
    }
}

/// What `verify` checked and found.
#[derive(Clone, Debug, Default)]
pub struct VerifyReport {
    pub entries: u64,
    pub records: u64,
    pub blobs: u64,
    pub head_hash: String,
    pub problems: Vec<Problem>,
    /// Not tampering, but worth knowing (e.g. an encrypted file left by an interrupted intake).
    pub warnings: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Progress of the slow part (blobs): `(done, total)`.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

impl Archive {
    /// Checks everything. Never modifies the archive.
    pub fn verify(&self, progress: Progress<'_>) -> Result<VerifyReport, StoreError> {
        let mut report = VerifyReport::default();
        let conn = self.conn();

        // 1. The chain itself.
        let mut latest: HashMap<String, Option<String>> = HashMap::new();
        let mut sealed: HashMap<String, String> = HashMap::new();
        {
            let mut stmt = conn.prepare(&format!("{} ORDER BY seq", crate::archive::AUDIT_COLUMNS))?;
            let mut rows = stmt.query([])?;
            let mut expected_seq = 1i64;
            let mut prev_hash = GENESIS_HASH.to_string();
            while let Some(row) = rows.next()? {
                let e: AuditEntry = audit_row(row)?;
                report.entries += 1;
                if e.seq != expected_seq {
                    report.problems.push(Problem::ChainGap { expected: expected_seq, found: e.seq });
                }
                if e.prev_hash != prev_hash {
                    report.problems.push(Problem::ChainLink { seq: e.seq });
                }
                if e.compute_hash() != e.hash {
                    report.problems.push(Problem::EntryAltered { seq: e.seq, record: e.record_id.clone() });
                }
                if let Some(id) = &e.record_id {
                    match e.action.as_str() {
                        "create" | "update" => {
                            latest.insert(id.clone(), e.content.as_deref().map(|c| sha256_hex(c.as_bytes())));
                        }
                        "delete" => {
                            latest.insert(id.clone(), None);
                        }
                        "seal_identity" => {
                            let h = e
                                .content
                                .as_deref()
                                .and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok())
                                .and_then(|v| v["sealed_sha256"].as_str().map(str::to_string));
                            sealed.insert(id.clone(), h.unwrap_or_default());
                        }
                        _ => {}
                    }
                }
                expected_seq = e.seq + 1;
                prev_hash = e.hash;
            }
            report.head_hash = prev_hash;
        }

        // 2. Every record against its last audited version.
        let mut present: HashSet<String> = HashSet::new();
        let mut documents: Vec<(String, String, Option<String>)> = Vec::new();
        {
            let mut stmt = conn.prepare("SELECT id, body FROM records")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let body: String = row.get(1)?;
                report.records += 1;
                match latest.get(&id) {
                    Some(Some(h)) if *h == sha256_hex(body.as_bytes()) => {}
                    Some(Some(_)) | Some(None) => report.problems.push(Problem::RecordAltered { id: id.clone() }),
                    None => report.problems.push(Problem::RecordUnaudited { id: id.clone() }),
                }
                if id.starts_with("doc-") {
                    if let Ok(Record::Document(d)) = serde_json::from_str::<Record>(&body) {
                        documents.push((id.clone(), d.sha256, d.text_sha256));
                    }
                }
                present.insert(id);
            }
        }
        let mut missing: Vec<&String> = latest.iter().filter(|(id, h)| h.is_some() && !present.contains(*id)).map(|(id, _)| id).collect();
        missing.sort();
        report.problems.extend(missing.into_iter().map(|id| Problem::RecordMissing { id: id.clone() }));

        for (source, hash) in &sealed {
            let body: Option<String> = conn.query_row("SELECT body FROM sealed_identities WHERE source_id = ?1", [source], |r| r.get(0)).optional()?;
            if body.map(|b| sha256_hex(b.as_bytes())).as_deref() != Some(hash.as_str()) {
                report.problems.push(Problem::SealedAltered { source: source.clone() });
            }
        }

        // 3. Extracted text and original files.
        documents.sort();
        let total = documents.len() as u64;
        let mut known_files: HashSet<String> = HashSet::new();
        for (done, (doc, sha, text_sha)) in documents.iter().enumerate() {
            progress(done as u64, total);
            if let Some(ts) = text_sha {
                let text = self.document_text(doc)?;
                if text.map(|t| sha256_hex(t.as_bytes())).as_deref() != Some(ts.as_str()) {
                    report.problems.push(Problem::TextAltered { doc: doc.clone() });
                }
            }
            let file: Option<(String, String)> =
                conn.query_row("SELECT file, sha256 FROM blobs WHERE doc_id = ?1", [doc], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            let Some((file, blob_sha)) = file else {
                report.problems.push(Problem::BlobUnrecorded { doc: doc.clone() });
                continue;
            };
            known_files.insert(file.clone());
            report.blobs += 1;
            let path = crate::intake::blob_path(&self.dir, &file);
            if !path.exists() {
                report.problems.push(Problem::BlobMissing { doc: doc.clone(), file });
                continue;
            }
            match self.read_blob(doc) {
                Ok(bytes) => {
                    let got = sha256_hex(&bytes);
                    if got != *sha || got != blob_sha {
                        report.problems.push(Problem::BlobAltered { doc: doc.clone(), file });
                    }
                }
                Err(StoreError::Blob { detail, .. }) => report.problems.push(Problem::BlobUnreadable { doc: doc.clone(), file, detail }),
                Err(e) => return Err(e),
            }
        }
        progress(total, total);
        if let Ok(shards) = std::fs::read_dir(self.dir.join(BLOB_DIR)) {
            for shard in shards.flatten() {
                for f in std::fs::read_dir(shard.path()).into_iter().flatten().flatten() {
                    let name = f.file_name().to_string_lossy().into_owned();
                    let stem = name.trim_end_matches(".age");
                    if !known_files.contains(stem) {
                        report.warnings.push(format!(
                            "blobs/{}/{name} belongs to no document (left by an interrupted intake?); it is encrypted and can be deleted",
                            shard.file_name().to_string_lossy()
                        ));
                    }
                }
            }
        }
        Ok(report)
    }
}
