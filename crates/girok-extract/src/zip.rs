//! Reads entries of a ZIP archive held in memory, as office documents and EPUB books are: the
//! central directory, stored and deflated entries, with a limit on what an entry may inflate
//! to (a small file can claim to hold gigabytes).

use std::io::Read;

use crate::ExtractError;

/// An open archive: its entries' names and where their data lies.
pub(crate) struct Zip<'a> {
    data: &'a [u8],
    entries: Vec<Entry>,
}

struct Entry {
    name: String,
    method: u16,
    compressed: u64,
    local_offset: u64,
}

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

fn bad(what: &str) -> ExtractError {
    ExtractError::Malformed(format!("zip: {what}"))
}

impl<'a> Zip<'a> {
    /// Reads the central directory; `None` if the bytes are not a ZIP archive at all.
    pub(crate) fn open(data: &'a [u8]) -> Result<Zip<'a>, ExtractError> {
        // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
        let from = data.len().saturating_sub(65_557);
        let eocd = (from..data.len().saturating_sub(21)).rev().find(|&i| data[i..].starts_with(b"PK\x05\x06")).ok_or_else(|| bad("no central directory"))?;
        let count = u16_at(data, eocd + 10).ok_or_else(|| bad("truncated"))? as usize;
        let mut at = u32_at(data, eocd + 16).ok_or_else(|| bad("truncated"))? as usize;
        if at == 0xFFFF_FFFF {
            return Err(ExtractError::Unsupported("ZIP64 archives".into()));
        }
        let mut entries = Vec::with_capacity(count.min(10_000));
        for _ in 0..count {
            if !data.get(at..).is_some_and(|d| d.starts_with(b"PK\x01\x02")) {
                return Err(bad("central directory entry missing"));
            }
            let field = |off: usize| u32_at(data, at + off).ok_or_else(|| bad("truncated"));
            let short = |off: usize| u16_at(data, at + off).ok_or_else(|| bad("truncated"));
            let method = short(10)?;
            let compressed = field(20)? as u64;
            let (n, e, c) = (short(28)? as usize, short(30)? as usize, short(32)? as usize);
            let local_offset = field(42)? as u64;
            let name = data.get(at + 46..at + 46 + n).ok_or_else(|| bad("truncated name"))?;
            entries.push(Entry { name: String::from_utf8_lossy(name).into_owned(), method, compressed, local_offset });
            at += 46 + n + e + c;
        }
        Ok(Zip { data, entries })
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    /// An entry's bytes, inflated up to `limit`; `None` if there is no such entry.
    pub(crate) fn read(&self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, ExtractError> {
        let Some(e) = self.entries.iter().find(|e| e.name == name) else { return Ok(None) };
        let at = e.local_offset as usize;
        if !self.data.get(at..).is_some_and(|d| d.starts_with(b"PK\x03\x04")) {
            return Err(bad("local header missing"));
        }
        let n = u16_at(self.data, at + 26).ok_or_else(|| bad("truncated"))? as usize;
        let x = u16_at(self.data, at + 28).ok_or_else(|| bad("truncated"))? as usize;
        let start = at + 30 + n + x;
        let raw = self.data.get(start..start + e.compressed as usize).ok_or_else(|| bad(&format!("{name} runs past the end")))?;
        let mut out = Vec::new();
        match e.method {
            0 => out.extend_from_slice(&raw[..raw.len().min(limit as usize)]),
            8 => {
                flate2::read::DeflateDecoder::new(raw).take(limit).read_to_end(&mut out).map_err(|err| bad(&format!("{name}: {err}")))?;
            }
            m => return Err(ExtractError::Unsupported(format!("zip compression method {m} ({name})"))),
        }
        Ok(Some(out))
    }

    /// An entry as text (UTF-8, as office formats write their XML).
    pub(crate) fn text(&self, name: &str, limit: u64) -> Result<Option<String>, ExtractError> {
        Ok(self.read(name, limit)?.map(|b| String::from_utf8_lossy(&b).into_owned()))
    }
}

/// Writes a ZIP archive of stored entries: the tests' office files, made by the tests.
#[cfg(any(test, feature = "test-files"))]
pub fn write_stored(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let crc = |d: &[u8]| {
        let mut c = !0u32;
        for &b in d {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
            }
        }
        !c
    };
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let mut h = Vec::new();
        h.extend_from_slice(b"PK\x03\x04");
        h.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        h.extend_from_slice(&crc(data).to_le_bytes());
        h.extend_from_slice(&(data.len() as u32).to_le_bytes());
        h.extend_from_slice(&(data.len() as u32).to_le_bytes());
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&[0, 0]);
        h.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&crc(data).to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stored_entries_and_refuses_what_is_not_a_zip() {
        let z = write_stored(&[("a.txt", b"hello"), ("dir/b.xml", "<x>합성</x>".as_bytes())]);
        let zip = Zip::open(&z).unwrap();
        assert_eq!(zip.names().collect::<Vec<_>>(), vec!["a.txt", "dir/b.xml"]);
        assert_eq!(zip.text("dir/b.xml", 1 << 20).unwrap().unwrap(), "<x>합성</x>");
        assert_eq!(zip.read("a.txt", 3).unwrap().unwrap(), b"hel", "the limit holds");
        assert!(zip.read("missing", 10).unwrap().is_none());
        assert!(Zip::open(b"not a zip at all").is_err());
    }

    #[test]
    fn reads_deflated_entries() {
        use std::io::Write;
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&b"synthetic ".repeat(100)).unwrap();
        let deflated = enc.finish().unwrap();
        let mut z = write_stored(&[("x", &deflated)]);
        // Mark the entry deflated in both headers (method at +8 local, +10 central).
        z[8] = 8;
        let cd = z.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        z[cd + 10] = 8;
        let zip = Zip::open(&z).unwrap();
        assert_eq!(zip.read("x", 1 << 20).unwrap().unwrap(), b"synthetic ".repeat(100));
    }
}
