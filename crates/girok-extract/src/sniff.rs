//! What a file is, from its bytes: the extension is what a sender claims, the content is what
//! the file is. ZIP containers are opened to tell a .docx from an .odt from an EPUB.

use crate::zip::Zip;

/// The broad kind Girok files a document under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Text,
    Pdf,
    Image,
    Audio,
    Video,
    /// Word-processor, spreadsheet and e-book files Girok reads text from.
    Office,
    /// A mail message (its attachments become documents of their own).
    Message,
    /// Recognised but not readable by Girok yet (HWP 5, legacy Office binaries).
    Unreadable,
    Other,
}

/// A detected type: the media type recorded, and its family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detected {
    pub media_type: &'static str,
    pub family: Family,
}

const fn d(media_type: &'static str, family: Family) -> Detected {
    Detected { media_type, family }
}

pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
pub const ODT: &str = "application/vnd.oasis.opendocument.text";
pub const ODS: &str = "application/vnd.oasis.opendocument.spreadsheet";
pub const EPUB: &str = "application/epub+zip";
pub const HWPX: &str = "application/hwp+zip";
pub const HWP: &str = "application/x-hwp";
pub const RTF: &str = "application/rtf";
pub const EML: &str = "message/rfc822";

/// The type of `bytes` (the whole file, or at least its first megabyte for most types; ZIP
/// containers need the whole file). `name` breaks ties only where content cannot: plain text
/// and CSV look alike.
pub fn detect(name: &str, bytes: &[u8]) -> Detected {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let at = |off: usize, magic: &[u8]| bytes.get(off..off + magic.len()) == Some(magic);
    if at(0, b"%PDF") {
        return d("application/pdf", Family::Pdf);
    }
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        return d("image/jpeg", Family::Image);
    }
    if at(0, b"\x89PNG\r\n\x1a\n") {
        return d("image/png", Family::Image);
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return d("image/gif", Family::Image);
    }
    if at(0, b"II*\0") || at(0, b"MM\0*") {
        return d("image/tiff", Family::Image);
    }
    if at(0, b"RIFF") && at(8, b"WEBP") {
        return d("image/webp", Family::Image);
    }
    if at(0, b"RIFF") && at(8, b"WAVE") {
        return d("audio/wav", Family::Audio);
    }
    if at(0, b"RIFF") && at(8, b"AVI ") {
        return d("video/x-msvideo", Family::Video);
    }
    if at(4, b"ftyp") {
        let brand = bytes.get(8..12).unwrap_or_default();
        return match brand {
            b"M4A " | b"M4B " => d("audio/mp4", Family::Audio),
            b"qt  " => d("video/quicktime", Family::Video),
            b"heic" | b"heix" | b"mif1" | b"msf1" => d("image/heic", Family::Image),
            b"3gp4" | b"3gp5" | b"3gp6" => d("video/3gpp", Family::Video),
            _ => d("video/mp4", Family::Video),
        };
    }
    if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        return if bytes.windows(4).take(4096).any(|w| w == b"webm") { d("video/webm", Family::Video) } else { d("video/x-matroska", Family::Video) };
    }
    if at(0, b"OggS") {
        return d("audio/ogg", Family::Audio);
    }
    if at(0, b"fLaC") {
        return d("audio/flac", Family::Audio);
    }
    if at(0, b"ID3") || (bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0 && matches!(ext.as_str(), "mp3" | "mpga" | "")) {
        return d("audio/mpeg", Family::Audio);
    }
    if at(0, b"{\\rtf") {
        return d(RTF, Family::Office);
    }
    if at(0, &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // OLE compound file: HWP 5 says so in its FileHeader stream; otherwise legacy Office.
        return if bytes.windows(17).any(|w| w == b"HWP Document File") {
            d(HWP, Family::Unreadable)
        } else {
            d("application/x-ole-storage", Family::Unreadable)
        };
    }
    if at(0, b"PK\x03\x04") {
        return zip_type(bytes);
    }
    if looks_like_mail(bytes) || (ext == "eml" && std::str::from_utf8(&bytes[..bytes.len().min(4096)]).is_ok()) {
        return d(EML, Family::Message);
    }
    let head = &bytes[..bytes.len().min(1024)];
    let lower = String::from_utf8_lossy(head).to_ascii_lowercase();
    if lower.trim_start().starts_with("<!doctype html") || lower.contains("<html") {
        return d("text/html", Family::Text);
    }
    if !head.contains(&0) {
        return if ext == "csv" { d("text/csv", Family::Text) } else { d("text/plain", Family::Text) };
    }
    d("application/octet-stream", Family::Other)
}

fn zip_type(bytes: &[u8]) -> Detected {
    let Ok(zip) = Zip::open(bytes) else { return d("application/zip", Family::Other) };
    // OpenDocument, EPUB and HWPX name themselves in a first entry called "mimetype".
    if let Ok(Some(m)) = zip.text("mimetype", 200) {
        match m.trim() {
            ODT => return d(ODT, Family::Office),
            ODS => return d(ODS, Family::Office),
            EPUB => return d(EPUB, Family::Office),
            HWPX => return d(HWPX, Family::Office),
            _ => {}
        }
    }
    let names: Vec<&str> = zip.names().collect();
    if names.contains(&"word/document.xml") {
        d(DOCX, Family::Office)
    } else if names.contains(&"xl/workbook.xml") {
        d(XLSX, Family::Office)
    } else if names.contains(&"ppt/presentation.xml") {
        d(PPTX, Family::Unreadable)
    } else {
        d("application/zip", Family::Other)
    }
}

/// A mail message begins with header lines, one of them a header every message has.
fn looks_like_mail(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let mut seen_key = false;
    for line in head.lines().take(40) {
        if line.is_empty() {
            return seen_key;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((key, _)) = line.split_once(':') else { return false };
        if key.is_empty() || key.contains(' ') {
            return false;
        }
        if ["from", "received", "return-path", "message-id", "mime-version", "delivered-to"].contains(&key.to_ascii_lowercase().as_str()) {
            seen_key = true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zip::write_stored;

    #[test]
    fn content_wins_over_the_extension() {
        assert_eq!(detect("photo.txt", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).media_type, "image/jpeg");
        assert_eq!(detect("interview.dat", b"RIFF\x24\0\0\0WAVEfmt ").family, Family::Audio);
        assert_eq!(detect("clip.bin", b"\0\0\0\x18ftypisom\0\0\0\0").media_type, "video/mp4");
        assert_eq!(detect("scan.jpg", b"%PDF-1.7\n").family, Family::Pdf);
        assert_eq!(detect("x.docx", b"plain words").media_type, "text/plain");
        assert_eq!(detect("list.csv", b"a,b\n1,2\n").media_type, "text/csv");
    }

    #[test]
    fn zip_containers_are_told_apart() {
        let docx = write_stored(&[("[Content_Types].xml", b"<x/>"), ("word/document.xml", b"<w/>")]);
        assert_eq!(detect("a.zip", &docx).media_type, DOCX);
        let odt = write_stored(&[("mimetype", ODT.as_bytes()), ("content.xml", b"<x/>")]);
        assert_eq!(detect("a", &odt).media_type, ODT);
        let hwpx = write_stored(&[("mimetype", HWPX.as_bytes())]);
        assert_eq!(detect("a.hwpx", &hwpx).family, Family::Office);
        assert_eq!(detect("a.zip", &write_stored(&[("x.txt", b"x")])).media_type, "application/zip");
    }

    #[test]
    fn mail_and_hwp_are_recognised() {
        let mail = b"Received: from x\r\nFrom: a@example.org\r\nSubject: synthetic\r\n\r\nbody";
        assert_eq!(detect("message", mail).family, Family::Message);
        assert_eq!(detect("notes.txt", b"Subject line: not a mail\n\nbody").family, Family::Text);
        let mut hwp = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        hwp.extend_from_slice(&[0; 100]);
        hwp.extend_from_slice(b"HWP Document File");
        assert_eq!(detect("보고서.hwp", &hwp), Detected { media_type: HWP, family: Family::Unreadable });
    }
}
