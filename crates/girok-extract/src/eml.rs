//! Mail messages (.eml, RFC 5322 with MIME): the headers a reader needs (From, To, Cc, Date,
//! Subject), the body as text, and the attachments, which intake takes in as documents of
//! their own, linked to the message.

/// A message read for intake.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Message {
    /// The headers and the body, as the document's text.
    pub text: String,
    pub subject: Option<String>,
    pub attachments: Vec<Attachment>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Headers of one part: (lower-case name, unfolded value), in order.
fn headers(raw: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = match raw.find("\r\n\r\n").map(|i| (i, 4)).or_else(|| raw.find("\n\n").map(|i| (i, 2))) {
        Some((i, n)) => (&raw[..i], &raw[i + n..]),
        None => (raw, ""),
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    (out, body)
}

fn get<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A parameter of a header value: `boundary="x"`, `charset=utf-8`, `filename*=…`.
fn param(value: &str, name: &str) -> Option<String> {
    for part in value.split(';').skip(1) {
        let (k, v) = part.split_once('=')?;
        let k = k.trim().to_ascii_lowercase();
        if k == name || k == format!("{name}*") {
            let v = v.trim().trim_matches('"');
            // RFC 2231: charset''percent-encoded
            if k.ends_with('*') {
                if let Some((_, enc)) = v.split_once("''") {
                    return Some(percent_decode(enc));
                }
            }
            return Some(decode_words(v));
        }
    }
    None
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn charset(label: &str) -> &'static encoding_rs::Encoding {
    encoding_rs::Encoding::for_label(label.trim().as_bytes()).unwrap_or(encoding_rs::UTF_8)
}

fn base64(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut n) = (0u32, 0);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => continue,
        };
        acc = (acc << 6) | v as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((acc >> n) as u8);
        }
    }
    out
}

fn quoted_printable(b: &[u8], in_header: bool) -> Vec<u8> {
    let hex = |i: usize| b.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'=' if hex(i + 1).is_some() => {
                out.push(hex(i + 1).expect("checked"));
                i += 3;
            }
            b'=' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' if b.get(i + 1..i + 3) == Some(b"\r\n") => i += 3,
            b'_' if in_header => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// RFC 2047 encoded words in headers: `=?UTF-8?B?…?=`, `=?EUC-KR?Q?…?=`.
pub fn decode_words(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(start) = rest.find("=?") {
        let after = &rest[start + 2..];
        let parsed = (|| {
            let (cs, after) = after.split_once('?')?;
            let (enc, after) = after.split_once('?')?;
            let end = after.find("?=")?;
            let bytes = match enc.to_ascii_uppercase().as_str() {
                "B" => base64(&after[..end]),
                "Q" => quoted_printable(&raw(&after[..end]), true),
                _ => return None,
            };
            Some((charset(cs).decode(&bytes).0.into_owned(), &after[end + 2..]))
        })();
        match parsed {
            Some((text, tail)) => {
                let between = &rest[..start];
                // Whitespace between two encoded words is not part of the text.
                if !between.trim().is_empty() || out.is_empty() {
                    out.push_str(between);
                }
                out.push_str(&text);
                rest = tail;
            }
            None => {
                out.push_str(&rest[..start + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The message's bytes back from text read one byte per char.
fn raw(s: &str) -> Vec<u8> {
    s.chars().map(|c| c as u32 as u8).collect()
}

fn body_bytes(h: &[(String, String)], body: &str) -> Vec<u8> {
    match get(h, "content-transfer-encoding").map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("base64") => base64(body),
        Some("quoted-printable") => quoted_printable(&raw(body), false),
        _ => raw(body),
    }
}

/// Parses a message. Nested multiparts are followed; a nested message/rfc822 part is kept as
/// an attachment (it is evidence of its own).
pub fn parse(bytes: &[u8]) -> Message {
    // Headers are ASCII or encoded words; 8-bit bodies are decoded by their charset below,
    // so read the raw bytes as Latin-1 to keep every byte.
    let raw: String = bytes.iter().map(|&b| b as char).collect();
    let (h, body) = headers(&raw);
    let mut text = String::new();
    for key in ["from", "to", "cc", "date", "subject"] {
        if let Some(v) = get(&h, key) {
            let name = format!("{}{}", key[..1].to_ascii_uppercase(), &key[1..]);
            text.push_str(&format!("{name}: {}\n", latin1_utf8(&decode_words(v))));
        }
    }
    text.push('\n');
    let mut m = Message { subject: get(&h, "subject").map(|s| latin1_utf8(&decode_words(s))), ..Default::default() };
    let mut bodies = Vec::new();
    part(&h, body, &mut bodies, &mut m.attachments, 0);
    text.push_str(&bodies.join("\n\n"));
    m.text = text.trim().to_string();
    m
}

/// Header text was read byte-per-char; raw 8-bit UTF-8 in it is decoded back.
fn latin1_utf8(s: &str) -> String {
    if s.chars().all(|c| (c as u32) < 0x100) {
        let b: Vec<u8> = s.chars().map(|c| c as u8).collect();
        if let Ok(t) = String::from_utf8(b) {
            return t;
        }
    }
    s.to_string()
}

fn part(h: &[(String, String)], body: &str, bodies: &mut Vec<String>, attachments: &mut Vec<Attachment>, depth: usize) {
    let ctype = get(h, "content-type").unwrap_or("text/plain");
    let mime = ctype.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let disposition = get(h, "content-disposition").unwrap_or("");
    let filename = param(disposition, "filename").or_else(|| param(ctype, "name"));
    if mime.starts_with("multipart/") && depth < 8 {
        let Some(boundary) = param(ctype, "boundary") else { return };
        let delim = format!("--{boundary}");
        for chunk in body.split(delim.as_str()).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            let chunk = chunk.strip_prefix("\r\n").or_else(|| chunk.strip_prefix('\n')).unwrap_or(chunk);
            let (ph, pbody) = headers(chunk);
            part(&ph, pbody, bodies, attachments, depth + 1);
            // multipart/alternative: the first readable version is enough.
            if mime == "multipart/alternative" && !bodies.is_empty() {
                break;
            }
        }
        return;
    }
    let is_attachment =
        disposition.to_ascii_lowercase().starts_with("attachment") || (filename.is_some() && !mime.starts_with("text/")) || mime == "message/rfc822";
    let bytes = body_bytes(h, body);
    if is_attachment {
        let name = filename.map(|f| latin1_utf8(&f)).unwrap_or_else(|| format!("attachment-{}", attachments.len() + 1));
        attachments.push(Attachment { name, bytes });
        return;
    }
    let cs = charset(&param(ctype, "charset").unwrap_or_else(|| "utf-8".into()));
    let text = cs.decode(&bytes).0.into_owned();
    match mime.as_str() {
        "text/html" => bodies.push(crate::html_to_text(&text)),
        m if m.starts_with("text/") => bodies.push(text.trim().to_string()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_body_and_attachments_of_a_synthetic_message() {
        let msg = "From: =?UTF-8?B?7ZWp7ISx?= <synthetic@example.org>\r\n\
To: desk@example.org\r\n\
Subject: =?EUC-KR?Q?=C7=D5=BC=BA?= report\r\n\
Date: Tue, 1 Dec 2026 09:00:00 +0900\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"XX\"\r\n\
\r\n\
--XX\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
SYNTHETIC body: =ED=95=A9=EC=84=B1 testimony follows.\r\n\
--XX\r\n\
Content-Type: application/octet-stream; name=\"scan.pdf\"\r\n\
Content-Disposition: attachment; filename=\"scan.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--XX--\r\n";
        let m = parse(msg.as_bytes());
        assert!(m.text.starts_with("From: 합성 <synthetic@example.org>\nTo: desk@example.org\nDate:"), "{}", m.text);
        assert!(m.text.contains("Subject: 합성 report"), "{}", m.text);
        assert!(m.text.contains("SYNTHETIC body: 합성 testimony follows."), "{}", m.text);
        assert_eq!(m.attachments, vec![Attachment { name: "scan.pdf".into(), bytes: b"%PDF-1.4\n".to_vec() }]);
    }

    #[test]
    fn a_plain_message_with_8bit_utf8() {
        let m = parse("From: a@example.org\nSubject: 합성\n\n본문 (SYNTHETIC)\n".as_bytes());
        assert_eq!(m.subject.as_deref(), Some("합성"));
        assert!(m.text.ends_with("본문 (SYNTHETIC)"), "{}", m.text);
    }
}
