//! Evidence bundles: chosen documents and coded records, with a signed manifest of hashes.
//!
//! A legal officer hands a bundle to a prosecutor or a UN mechanism that has no access to the
//! archive. `verify_bundle` needs only the bundle: it checks the ed25519 signature over the
//! manifest and every file's SHA-256 against it. Pinning the archive's public key (printed at
//! export) proves who issued it; without pinning, it proves the bundle is internally intact.
//!
//! A bundle holds decrypted originals by design: it is meant to leave the archive.

use std::collections::BTreeSet;
use std::path::{Component, Path};

use ed25519_dalek::{Signer, Verifier};
use girok_core::model::{Kind, Record};
use serde::{Deserialize, Serialize};

use crate::archive::{sha256_hex, Archive};
use crate::error::{BundleError, StoreError};

const FORMAT: &str = "girok-evidence-bundle";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BundleFile {
    pub path: String,
    pub sha256: String,
    pub size: u64,
    #[serde(default)]
    pub document: Option<String>,
}

/// The manifest, signed as the exact bytes of `manifest.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub created_at: String,
    pub archive_public_key: String,
    /// Hash of the archive's audit head at export, tying the bundle to a point in its history.
    pub audit_head: String,
    pub records: Vec<String>,
    pub files: Vec<BundleFile>,
}

/// The result of checking a bundle.
#[derive(Clone, Debug, Default)]
pub struct BundleCheck {
    pub signer: String,
    pub files_checked: usize,
    pub problems: Vec<String>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BundleError + '_ {
    move |source| BundleError::Io { path: path.to_path_buf(), source }
}

fn safe_file_name(name: &str) -> String {
    let cleaned: String = name.chars().map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "original".into()
    } else {
        cleaned
    }
}

impl Archive {
    /// Expands a selection: acts and events bring the documents they cite and the persons and
    /// places they name; documents bring the acts and events that cite them.
    fn bundle_selection(&self, ids: &[String]) -> Result<BTreeSet<String>, StoreError> {
        let mut out = BTreeSet::new();
        for id in ids {
            let rec = self.get(id)?;
            out.insert(id.clone());
            if rec.kind() == Kind::Document {
                let mut stmt = self.conn().prepare("SELECT DISTINCT record_id FROM citations WHERE document_id = ?1")?;
                for r in stmt.query_map([id], |r| r.get::<_, String>(0))? {
                    out.insert(r?);
                }
            }
        }
        let firsts: Vec<String> = out.iter().cloned().collect();
        for id in firsts {
            let rec = self.get(&id)?;
            if matches!(rec.kind(), Kind::Act | Kind::Event) {
                for (_, target) in rec.references() {
                    out.insert(target.to_string());
                }
            }
        }
        Ok(out)
    }

    /// Writes a bundle into `out`, which must not exist. Returns the manifest.
    pub fn export_bundle(&mut self, ids: &[String], out: &Path, actor: &str) -> Result<Manifest, BundleError> {
        if out.exists() {
            return Err(BundleError::Exists { path: out.to_path_buf() });
        }
        let selection = self.bundle_selection(ids)?;
        std::fs::create_dir_all(out.join("documents")).map_err(io(out))?;
        let mut records = Vec::new();
        let mut files = Vec::new();
        for id in &selection {
            let rec = self.get(id)?;
            if let Record::Document(d) = &rec {
                let bytes = self.read_blob(id)?;
                let rel = format!("documents/{}-{}", d.id, safe_file_name(&d.original_name));
                let path = out.join(&rel);
                std::fs::write(&path, &bytes).map_err(io(&path))?;
                files.push(BundleFile { path: rel, sha256: sha256_hex(&bytes), size: bytes.len() as u64, document: Some(d.id.clone()) });
                if let Some(text) = self.document_text(id)? {
                    let rel = format!("documents/{}.txt", d.id);
                    let path = out.join(&rel);
                    std::fs::write(&path, text.as_bytes()).map_err(io(&path))?;
                    files.push(BundleFile { path: rel, sha256: sha256_hex(text.as_bytes()), size: text.len() as u64, document: Some(d.id.clone()) });
                }
            }
            records.push(rec);
        }
        let records_json = serde_json::to_string_pretty(&records).expect("records serialize");
        let path = out.join("records.json");
        std::fs::write(&path, records_json.as_bytes()).map_err(io(&path))?;
        files.push(BundleFile { path: "records.json".into(), sha256: sha256_hex(records_json.as_bytes()), size: records_json.len() as u64, document: None });
        let audit_head: String = self.conn().query_row("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| r.get(0)).map_err(StoreError::from)?;
        let manifest = Manifest {
            format: FORMAT.into(),
            version: 1,
            created_at: (self.clock)(),
            archive_public_key: self.public_key_hex(),
            audit_head,
            records: selection.iter().cloned().collect(),
            files,
        };
        let manifest_json = serde_json::to_string_pretty(&manifest).expect("manifest serializes");
        let signature = self.signing_key.sign(manifest_json.as_bytes());
        let path = out.join("manifest.json");
        std::fs::write(&path, manifest_json.as_bytes()).map_err(io(&path))?;
        let path = out.join("manifest.sig");
        std::fs::write(&path, hex::encode(signature.to_bytes()) + "\n").map_err(io(&path))?;
        let summary =
            serde_json::json!({ "records": manifest.records.len(), "files": manifest.files.len(), "manifest_sha256": sha256_hex(manifest_json.as_bytes()) });
        self.write(actor, |w| w.note("export_bundle", None, summary))?;
        Ok(manifest)
    }
}

/// Checks a bundle without the archive. `expected_key` pins the issuing archive's public key.
pub fn verify_bundle(dir: &Path, expected_key: Option<&str>) -> Result<BundleCheck, BundleError> {
    let not_bundle = |detail: &str| BundleError::NotABundle { path: dir.to_path_buf(), detail: detail.to_string() };
    let manifest_path = dir.join("manifest.json");
    let manifest_bytes = std::fs::read(&manifest_path).map_err(|_| not_bundle("manifest.json is missing"))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|e| not_bundle(&format!("manifest.json is malformed: {e}")))?;
    if manifest.format != FORMAT {
        return Err(not_bundle("manifest.json is not a Girok bundle manifest"));
    }
    let mut check = BundleCheck { signer: manifest.archive_public_key.clone(), ..Default::default() };
    let sig_text = std::fs::read_to_string(dir.join("manifest.sig")).map_err(|_| not_bundle("manifest.sig is missing"))?;
    let key_bytes: Option<[u8; 32]> = hex::decode(&manifest.archive_public_key).ok().and_then(|b| b.try_into().ok());
    let sig_bytes: Option<[u8; 64]> = hex::decode(sig_text.trim()).ok().and_then(|b| b.try_into().ok());
    match (key_bytes.and_then(|k| ed25519_dalek::VerifyingKey::from_bytes(&k).ok()), sig_bytes) {
        (Some(key), Some(sig)) => {
            if key.verify(&manifest_bytes, &ed25519_dalek::Signature::from_bytes(&sig)).is_err() {
                check.problems.push("manifest.json: signature does not match (the manifest was altered or signed by another key)".into());
            }
        }
        _ => check.problems.push("manifest.sig or the public key in manifest.json is malformed".into()),
    }
    if let Some(expected) = expected_key {
        if !expected.trim().eq_ignore_ascii_case(&manifest.archive_public_key) {
            check.problems.push(format!("signed by {}, not by the expected archive key {}", manifest.archive_public_key, expected.trim()));
        }
    }
    let mut listed = BTreeSet::new();
    for f in &manifest.files {
        // Threat: a crafted manifest pointing outside the bundle ("../../etc/passwd").
        let rel = Path::new(&f.path);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            check.problems.push(format!("{}: path leaves the bundle directory; not read", f.path));
            continue;
        }
        listed.insert(f.path.clone());
        match std::fs::read(dir.join(rel)) {
            Ok(bytes) => {
                check.files_checked += 1;
                if sha256_hex(&bytes) != f.sha256 {
                    check.problems.push(format!("{}: SHA-256 does not match the manifest (file altered)", f.path));
                }
            }
            Err(_) => check.problems.push(format!("{}: listed in the manifest but missing", f.path)),
        }
    }
    for entry in walk(dir) {
        if !listed.contains(&entry) && entry != "manifest.json" && entry != "manifest.sig" {
            check.problems.push(format!("{entry}: present but not listed in the manifest"));
        }
    }
    Ok(check)
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}
