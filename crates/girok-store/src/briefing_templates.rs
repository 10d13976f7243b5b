//! Saved briefings: a briefing's settings and the organisation's own text, kept as entries of
//! the audit chain itself (action `save_briefing`), so every version is kept, tamper-evident,
//! and re-runnable when the archive changes. The store keeps them as text; what a template
//! means is the domain layer's (`girok_app::briefing`).

use crate::archive::{Archive, Writer};
use crate::error::StoreError;

/// The audit record id of a template.
fn key(name: &str) -> String {
    format!("briefing:{name}")
}

/// A template name: lowercase letters, digits and dashes, 1 to 64 of them (it is part of file
/// names and addresses).
pub fn valid_briefing_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Writer<'_> {
    /// Saves a new version of the template `name` (its text, as the domain layer wrote it).
    pub fn save_briefing(&mut self, name: &str, text: &str) -> Result<(), StoreError> {
        if !valid_briefing_name(name) {
            return Err(StoreError::Invalid { id: name.to_string(), message: "a briefing's name is 1 to 64 lowercase letters, digits and dashes".into() });
        }
        self.append_audit("save_briefing", Some(&key(name)), Some(text.to_string()))
    }
}

impl Archive {
    /// The newest version of a template, if there is one.
    pub fn briefing_template(&self, name: &str) -> Result<Option<String>, StoreError> {
        let mut stmt = self.conn().prepare("SELECT content FROM audit_log WHERE action = 'save_briefing' AND record_id = ?1 ORDER BY seq DESC LIMIT 1")?;
        let mut rows = stmt.query([key(name)])?;
        Ok(match rows.next()? {
            Some(r) => r.get(0)?,
            None => None,
        })
    }

    /// Every template's name with the time and author of its newest version, by name.
    pub fn briefing_templates(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT substr(record_id, 10), at, actor FROM audit_log a WHERE action = 'save_briefing' \
             AND seq = (SELECT max(seq) FROM audit_log b WHERE b.action = 'save_briefing' AND b.record_id = a.record_id) ORDER BY record_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Archive, CreateOptions, KeySource};

    #[test]
    fn templates_are_versioned_in_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let options = CreateOptions { kdf: crate::KdfParams::WEAK_FOR_TESTS, seed_gazetteer: false };
        let mut a = Archive::create(&dir.path().join("a"), &KeySource::passphrase("synthetic test passphrase"), options).unwrap();
        assert_eq!(a.briefing_template("annual").unwrap(), None);
        a.write("analyst", |w| w.save_briefing("annual", "{\"v\":1}")).unwrap();
        a.write("analyst", |w| w.save_briefing("annual", "{\"v\":2}")).unwrap();
        a.write("analyst", |w| w.save_briefing("food-2026", "{}")).unwrap();
        assert_eq!(a.briefing_template("annual").unwrap().as_deref(), Some("{\"v\":2}"));
        let names: Vec<String> = a.briefing_templates().unwrap().into_iter().map(|t| t.0).collect();
        assert_eq!(names, ["annual", "food-2026"]);
        let err = a.write("analyst", |w| w.save_briefing("../etc", "{}")).unwrap_err();
        assert!(err.to_string().contains("lowercase letters"), "{err}");
        assert!(a.verify(&mut |_, _| {}).unwrap().ok(), "saved briefings are ordinary chain entries");
    }
}
