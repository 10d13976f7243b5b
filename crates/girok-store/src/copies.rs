//! Copies of public documents for publication: the original decrypted in memory, its metadata
//! stripped (`girok_extract::strip`), and the list of what was removed, for the export to say.
//! Evidence bundles are the other way out and keep originals byte-identical; this is for
//! briefings and the press.

use girok_core::model::{Confidentiality, Record};

use crate::{Archive, StoreError};

impl Archive {
    /// A public document's file without its metadata. Refused for anything above public (a
    /// restricted scan is not published by stripping it) and for types that cannot be stripped.
    pub fn publication_copy(&self, doc_id: &str) -> Result<(girok_core::model::Document, girok_extract::strip::Stripped), StoreError> {
        let doc = match self.get_for(doc_id, Confidentiality::Public, false) {
            Ok(v) => v.record,
            Err(StoreError::NotFound(_)) => {
                return Err(StoreError::Invalid { id: doc_id.to_string(), message: "only public documents have copies for publication".into() })
            }
            Err(e) => return Err(e),
        };
        let Record::Document(doc) = doc else { return Err(StoreError::Invalid { id: doc_id.to_string(), message: "is not a document".into() }) };
        let bytes = self.read_blob(doc_id)?;
        let stripped = girok_extract::strip::strip(&doc.media_type, &bytes).ok_or_else(|| StoreError::Invalid {
            id: doc_id.to_string(),
            message: format!("Girok cannot strip the metadata of {} files, so it makes no copy for publication", doc.media_type),
        })?;
        Ok((doc, stripped))
    }
}
