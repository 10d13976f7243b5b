//! Copies for publication: an image or PDF without what its file says about who made it, with
//! what, when and where (EXIF, XMP, IPTC, comments; a PDF's document information and XMP
//! packet). The original in the archive is never touched; this makes a second file and says
//! what it removed.

/// A copy with its metadata removed, and what was removed, in words.
#[derive(Clone, Debug, PartialEq)]
pub struct Stripped {
    pub bytes: Vec<u8>,
    pub removed: Vec<String>,
}

/// Strips a file of `media_type`; `None` for a type this module cannot strip (which must then
/// not be published as a file).
pub fn strip(media_type: &str, bytes: &[u8]) -> Option<Stripped> {
    match media_type {
        "image/jpeg" => jpeg(bytes),
        "image/png" => png(bytes),
        "application/pdf" => Some(pdf(bytes)),
        _ => None,
    }
}

/// JPEG: keeps the image segments, JFIF (APP0), colour profiles (APP2 ICC) and Adobe's colour
/// transform (APP14); drops every other application segment and comments.
fn jpeg(b: &[u8]) -> Option<Stripped> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = vec![0xFF, 0xD8];
    let mut removed: Vec<String> = Vec::new();
    let mut at = 2;
    while at + 2 <= b.len() {
        if b[at] != 0xFF {
            return None;
        }
        let marker = b[at + 1];
        if marker == 0xD9 {
            out.extend_from_slice(&b[at..at + 2]);
            break;
        }
        if at + 4 > b.len() {
            return None;
        }
        let len = u16::from_be_bytes([b[at + 2], b[at + 3]]) as usize;
        let end = at + 2 + len;
        if end > b.len() || len < 2 {
            return None;
        }
        let body = &b[at + 4..end];
        let keep = match marker {
            0xE0 | 0xEE => true,
            0xE2 => body.starts_with(b"ICC_PROFILE"),
            0xE1 => {
                removed.push(if body.starts_with(b"Exif") { "EXIF (device, capture time, GPS position)" } else { "XMP metadata" }.into());
                false
            }
            0xED => {
                removed.push("IPTC/Photoshop metadata".into());
                false
            }
            0xFE => {
                removed.push("a comment".into());
                false
            }
            0xE3..=0xEF => {
                removed.push(format!("application segment APP{}", marker - 0xE0));
                false
            }
            _ => true,
        };
        if keep {
            out.extend_from_slice(&b[at..end]);
        }
        at = end;
        if marker == 0xDA {
            // Start of scan: the entropy-coded image follows to the end; copy it as it is.
            out.extend_from_slice(&b[at..]);
            break;
        }
    }
    removed.dedup();
    Some(Stripped { bytes: out, removed })
}

/// PNG: drops text, time and EXIF chunks.
fn png(b: &[u8]) -> Option<Stripped> {
    const SIG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !b.starts_with(SIG) {
        return None;
    }
    let mut out = SIG.to_vec();
    let mut removed: Vec<String> = Vec::new();
    let mut at = SIG.len();
    while at + 12 <= b.len() {
        let len = u32::from_be_bytes(b[at..at + 4].try_into().ok()?) as usize;
        let end = at + 12 + len;
        if end > b.len() {
            return None;
        }
        let kind = &b[at + 4..at + 8];
        match kind {
            b"eXIf" => removed.push("EXIF (device, capture time, GPS position)".into()),
            b"tEXt" | b"zTXt" | b"iTXt" => removed.push("text chunks (author, software, comments)".into()),
            b"tIME" => removed.push("modification time".into()),
            _ => out.extend_from_slice(&b[at..end]),
        }
        at = end;
    }
    removed.dedup();
    Some(Stripped { bytes: out, removed })
}

/// PDF: blanks, in place and at the same length (so every cross-reference offset stays true),
/// the values of the document information dictionary and the XMP packet. Metadata inside
/// compressed object streams cannot be reached this way; the words say so when such streams
/// exist.
fn pdf(b: &[u8]) -> Stripped {
    let mut out = b.to_vec();
    let mut removed: Vec<String> = Vec::new();
    for key in ["/Author", "/Creator", "/Producer", "/Title", "/Subject", "/Keywords", "/CreationDate", "/ModDate"] {
        let mut from = 0;
        while let Some(i) = find(&out[from..], key.as_bytes()).map(|i| i + from) {
            from = i + key.len();
            // The value: a (literal string) or a <hex string>, after optional spaces.
            let mut j = from;
            while j < out.len() && out[j].is_ascii_whitespace() {
                j += 1;
            }
            match out.get(j) {
                Some(b'(') => {
                    // The matching close parenthesis, past escapes and nested pairs.
                    let (mut depth, mut k) = (0, j);
                    while k < out.len() {
                        match out[k] {
                            b'\\' => k += 1,
                            b'(' => depth += 1,
                            b')' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        k += 1;
                    }
                    for x in &mut out[j + 1..k.min(b.len())] {
                        *x = b' ';
                    }
                    removed.push(format!("document information ({})", &key[1..]));
                }
                Some(b'<') if out.get(j + 1) != Some(&b'<') => {
                    let mut k = j + 1;
                    while k < out.len() && out[k] != b'>' {
                        if out[k].is_ascii_hexdigit() {
                            out[k] = b'0';
                        }
                        k += 1;
                    }
                    removed.push(format!("document information ({})", &key[1..]));
                }
                _ => {}
            }
        }
    }
    if let (Some(s), Some(e)) = (find(&out, b"<x:xmpmeta"), find(&out, b"</x:xmpmeta>")) {
        if s < e {
            for x in &mut out[s..e + b"</x:xmpmeta>".len()] {
                if !x.is_ascii_whitespace() {
                    *x = b' ';
                }
            }
            removed.push("XMP metadata packet".into());
        }
    }
    if find(&out, b"/ObjStm").is_some() {
        removed.push("(compressed object streams were left as they are: metadata inside them, if any, remains)".into());
    }
    removed.sort();
    removed.dedup();
    Stripped { bytes: out, removed }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::testfiles;

    #[test]
    fn a_jpeg_loses_its_exif_and_comment_and_keeps_the_rest() {
        let original = testfiles::jpeg_with_exif(Some((42.43, 129.75)));
        let s = strip("image/jpeg", &original).unwrap();
        assert!(crate::media::read("image/jpeg", &original).unwrap().1.is_some());
        let (info, loc) = crate::media::read("image/jpeg", &s.bytes).unwrap();
        assert!(loc.is_none() && info.device.is_none(), "no position, no device: {info:?}");
        assert!(s.removed.iter().any(|r| r.contains("GPS")) && s.removed.iter().any(|r| r.contains("comment")), "{:?}", s.removed);
        assert!(s.bytes.starts_with(&[0xFF, 0xD8]) && s.bytes.ends_with(&[0xFF, 0xD9]));
        assert!(!s.bytes.windows(9).any(|w| w == b"SYNTHETIC"));
    }

    #[test]
    fn a_pdf_keeps_its_length_and_loses_its_author() {
        let pdf = b"%PDF-1.4\n1 0 obj << /Author (Kim (synthetic)) /Producer <FEFF0041> /Title (x) >> endobj\n<x:xmpmeta>device</x:xmpmeta>\ntrailer << /Info 1 0 R >>\n%%EOF\n";
        let s = strip("application/pdf", pdf).unwrap();
        assert_eq!(s.bytes.len(), pdf.len(), "offsets stay true");
        let text = String::from_utf8_lossy(&s.bytes);
        assert!(!text.contains("Kim") && !text.contains("FEFF0041") && !text.contains("device"), "{text}");
        assert!(text.contains("/Author (") && text.contains("/Info 1 0 R"), "{text}");
        assert!(s.removed.iter().any(|r| r.contains("Author")) && s.removed.iter().any(|r| r.contains("XMP")), "{:?}", s.removed);
    }

    #[test]
    fn png_text_chunks_go_and_unknown_types_are_not_stripped() {
        let chunk = |t: &[u8; 4], d: &[u8]| {
            let mut v = (d.len() as u32).to_be_bytes().to_vec();
            v.extend_from_slice(t);
            v.extend_from_slice(d);
            v.extend_from_slice(&[0; 4]);
            v
        };
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"tEXt", b"Author\0SYNTHETIC"));
        png.extend(chunk(b"IEND", &[]));
        let s = strip("image/png", &png).unwrap();
        assert!(!s.bytes.windows(9).any(|w| w == b"SYNTHETIC") && s.bytes.len() == png.len() - 28);
        assert!(strip("audio/wav", b"RIFF").is_none());
    }
}
