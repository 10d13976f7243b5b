//! Optical character recognition of scans and photographs, in Korean and English, by
//! Tesseract's command-line tool (Debian's `tesseract-ocr` with its `-kor` and `-eng` data;
//! PDF pages are rendered by poppler's `pdftoppm`). Everything passes through pipes: the page
//! images and the recognised text exist only in memory, never on disk.
//!
//! The command-line tool rather than a binding: a binding needs libtesseract's headers and
//! bindgen at build time, and a scan that crashes the engine would take the whole server down
//! with it; a child process fails alone and is reported.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

/// Recognised text with the engine's mean word confidence (0–100), weighted by characters.
#[derive(Clone, Debug, PartialEq)]
pub struct Recognised {
    pub text: String,
    pub confidence: f64,
    pub pages: u32,
}

/// Why recognition could not run.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("OCR is not available: {0}")]
    Unavailable(String),
    #[error("OCR failed: {0}")]
    Failed(String),
}

/// The languages recognised, Korean first: most of what our users scan is Korean.
pub const LANGUAGES: &str = "kor+eng";

/// The engine's name and version as recorded with the text ("tesseract 5.3.0 kor+eng"),
/// asked of the installed tool once per process (a batch of scans asks it once, not per file).
pub fn engine() -> Result<String, OcrError> {
    static ENGINE: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| probe_engine().map_err(|e| e.to_string())).clone().map_err(OcrError::Unavailable)
}

fn probe_engine() -> Result<String, String> {
    let missing = |e: std::io::Error| format!("tesseract: {e} (install tesseract-ocr, tesseract-ocr-kor and poppler-utils; scripts/test.sh does)");
    let out = Command::new("tesseract").arg("--version").output().map_err(missing)?;
    let v = String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("tesseract").trim().to_string();
    let langs = Command::new("tesseract").arg("--list-langs").output().map_err(missing)?;
    let langs = String::from_utf8_lossy(&langs.stdout);
    for l in ["kor", "eng"] {
        if !langs.lines().any(|x| x.trim() == l) {
            return Err(format!("tesseract has no {l} language data (install tesseract-ocr-{l}; scripts/test.sh does)"));
        }
    }
    Ok(format!("{v} {LANGUAGES}"))
}

/// Runs `program args`, feeding `input` on stdin from another thread (so a full stdout pipe
/// cannot deadlock us), and returns stdout.
fn pipe(program: &str, args: &[&str], input: &[u8]) -> Result<Vec<u8>, OcrError> {
    let mut child = Command::new(program)
        .args(args)
        // Tesseract's OpenMP threads slow one page down on a small machine; pages run side by
        // side instead (see `pdf`).
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| OcrError::Unavailable(format!("{program}: {e}")))?;
    let mut stdin = child.stdin.take().expect("piped");
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let (out, err) = std::thread::scope(|s| {
        s.spawn(move || {
            // A program that stops reading early closes the pipe; that is its answer, not ours.
            let _ = stdin.write_all(input);
        });
        let err = s.spawn(move || {
            let mut e = Vec::new();
            let _ = stderr.read_to_end(&mut e);
            e
        });
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        (out, err.join().unwrap_or_default())
    });
    let status = child.wait().map_err(|e| OcrError::Failed(format!("{program}: {e}")))?;
    if !status.success() {
        let msg = String::from_utf8_lossy(&err);
        let msg = msg.lines().rfind(|l| !l.contains("Warning")).unwrap_or("").trim().to_string();
        return Err(OcrError::Failed(format!("{program} exited with {status}{}", if msg.is_empty() { String::new() } else { format!(": {msg}") })));
    }
    Ok(out)
}

/// Text and (sum of confidence × characters, characters) from Tesseract's TSV: words in
/// reading order, a line break where a line ends, a blank line between paragraphs.
fn from_tsv(tsv: &str) -> (String, f64, f64) {
    let mut text = String::new();
    let (mut weighted, mut chars) = (0.0, 0.0);
    let mut last: Option<(u32, u32, u32, u32)> = None;
    // Right edge of the previous word, and whether it ended in Hangul.
    let mut prev_right = 0i64;
    let mut prev_hangul = false;
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let word = f[11].trim();
        let conf: f64 = f[10].parse().unwrap_or(-1.0);
        if word.is_empty() || conf < 0.0 {
            continue;
        }
        let pos = |i: usize| f[i].parse::<u32>().unwrap_or(0);
        let key = (pos(1), pos(2), pos(3), pos(4));
        let (left, width, height) = (pos(6) as i64, pos(8) as i64, pos(9) as i64);
        let hangul = |c: Option<char>| c.is_some_and(|c| ('\u{ac00}'..='\u{d7a3}').contains(&c));
        match last {
            Some(l) if (l.0, l.1, l.2) != (key.0, key.1, key.2) => text.push_str("\n\n"),
            Some(l) if l.3 != key.3 => text.push('\n'),
            // Tesseract often splits a Korean word into its syllables; syllables closer than a
            // third of the line height are one word, as they were printed.
            Some(_) if prev_hangul && hangul(word.chars().next()) && left - prev_right < height / 3 => {}
            Some(_) => text.push(' '),
            None => {}
        }
        prev_right = left + width;
        prev_hangul = hangul(word.chars().last());
        last = Some(key);
        text.push_str(word);
        let n = word.chars().count() as f64;
        weighted += conf * n;
        chars += n;
    }
    (text, weighted, chars)
}

/// A page's text, its confidence × characters, and its characters.
type PageText = (String, f64, f64);

fn recognise_image(image: &[u8]) -> Result<PageText, OcrError> {
    let tsv = pipe("tesseract", &["stdin", "stdout", "-l", LANGUAGES, "--psm", "3", "tsv"], image)?;
    Ok(from_tsv(&String::from_utf8_lossy(&tsv)))
}

/// Recognises an image (PNG, JPEG, TIFF, GIF, WebP).
pub fn image(bytes: &[u8]) -> Result<Recognised, OcrError> {
    let (text, w, n) = recognise_image(bytes)?;
    Ok(Recognised { text, confidence: if n > 0.0 { w / n } else { 0.0 }, pages: 1 })
}

/// Recognises every page of a PDF, rendered at 300 dpi in grey, reporting each page done.
pub fn pdf(bytes: &[u8], progress: &mut dyn FnMut(u32, u32)) -> Result<Recognised, OcrError> {
    let info = pipe("pdfinfo", &["-"], bytes)?;
    let pages: u32 = String::from_utf8_lossy(&info)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").and_then(|n| n.trim().parse().ok()))
        .ok_or_else(|| OcrError::Failed("pdfinfo gave no page count".into()))?;
    // One page per core at a time, each rendered and recognised by its own processes.
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(pages.max(1) as usize);
    let next = std::sync::atomic::AtomicU32::new(1);
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let results: Vec<Result<Vec<(u32, PageText)>, OcrError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let tx = tx.clone();
                let next = &next;
                s.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let p = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if p > pages {
                            return Ok(mine);
                        }
                        let page = p.to_string();
                        let png = pipe("pdftoppm", &["-r", "300", "-gray", "-png", "-f", &page, "-l", &page, "-"], bytes)?;
                        mine.push((p, recognise_image(&png)?));
                        let _ = tx.send(());
                    }
                })
            })
            .collect();
        // The progress callback stays on this thread; workers only say a page is done.
        drop(tx);
        let mut finished = 0;
        while rx.recv().is_ok() {
            finished += 1;
            progress(finished, pages);
        }
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(OcrError::Failed("an OCR worker panicked".into())))).collect()
    });
    let mut all = Vec::new();
    for r in results {
        all.extend(r?);
    }
    all.sort_by_key(|(p, _)| *p);
    let (mut text, mut w, mut n) = (String::new(), 0.0, 0.0);
    for (_, (t, pw, pn)) in all {
        if !text.is_empty() && !t.is_empty() {
            // A form feed between pages, as pdftotext writes, so a citation can say which page.
            text.push('\u{c}');
        }
        text.push_str(&t);
        w += pw;
        n += pn;
    }
    Ok(Recognised { text, confidence: if n > 0.0 { w / n } else { 0.0 }, pages })
}

impl crate::Archive {
    /// Documents whose text waits for OCR, oldest first (read from the records' JSON by
    /// SQLite, so no document is decoded).
    pub fn ocr_pending(&self) -> Result<Vec<String>, crate::StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT id FROM records WHERE kind = 'document' AND json_extract(body, '$.text_origin.method') = 'ocr_pending' \
             ORDER BY json_extract(body, '$.received_at'), id",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Recognises the text of one scan or photograph and records it, with the engine and its
    /// confidence, in one audited change of the document (its text then searches and cites
    /// like any other). The engine runs before the write, outside any transaction. A file that
    /// yields nothing is recorded as such, with the reason, so its page says so.
    pub fn recognise(&mut self, actor: &str, doc_id: &str, progress: &mut dyn FnMut(u32, u32)) -> Result<girok_core::model::TextOrigin, crate::StoreError> {
        use girok_core::model::TextOrigin;
        let girok_core::Record::Document(mut doc) = self.get(doc_id)? else {
            return Err(crate::StoreError::Invalid { id: doc_id.to_string(), message: "is not a document".into() });
        };
        let engine = engine().map_err(|e| crate::StoreError::Invalid { id: doc_id.to_string(), message: e.to_string() })?;
        let bytes = self.read_blob(doc_id)?;
        let result = if doc.media_type == "application/pdf" {
            pdf(&bytes, progress)
        } else if doc.media_type.starts_with("image/") {
            image(&bytes).inspect(|_| progress(1, 1))
        } else {
            return Err(crate::StoreError::Invalid { id: doc_id.to_string(), message: format!("OCR reads scans and images, not {}", doc.media_type) });
        };
        drop(bytes);
        let (text, origin) = match result {
            Ok(r) if r.text.chars().filter(|c| !c.is_whitespace()).count() > 0 => {
                let origin = TextOrigin::Ocr { engine, confidence: (r.confidence * 10.0).round() / 10.0, pages: r.pages };
                (Some(r.text), origin)
            }
            Ok(r) => (None, TextOrigin::OcrFailed { reason: format!("OCR ({engine}) found no text on {} page(s)", r.pages) }),
            Err(e) => (None, TextOrigin::OcrFailed { reason: e.to_string() }),
        };
        doc.notice = match &origin {
            TextOrigin::Ocr { confidence, .. } => {
                Some(format!("text recognised by OCR (mean confidence {confidence:.0}%): check it against the original before citing"))
            }
            TextOrigin::OcrFailed { reason } => Some(format!("no text: {reason}")),
            _ => doc.notice,
        };
        doc.text_origin = Some(origin.clone());
        self.write(actor, |w| {
            if let Some(t) = &text {
                doc.text_sha256 = Some(crate::archive::sha256_hex(t.as_bytes()));
                doc.text_chars = t.chars().count() as u64;
                w.set_document_text(doc_id, t)?;
            }
            w.put(girok_core::Record::Document(doc))?;
            Ok(())
        })?;
        Ok(origin)
    }

    /// The GPS position read from a document's file, for readers cleared for restricted
    /// records only: it can locate a witness.
    pub fn document_location(&self, doc_id: &str, ceiling: girok_core::Confidentiality) -> Result<Option<girok_core::model::Location>, crate::StoreError> {
        if ceiling < girok_core::Confidentiality::Restricted {
            return Ok(None);
        }
        use rusqlite::OptionalExtension;
        let body: Option<String> = self.conn().query_row("SELECT body FROM document_locations WHERE doc_id = ?1", [doc_id], |r| r.get(0)).optional()?;
        Ok(body.and_then(|b| {
            let (lat, lon) = b.split_once(',')?;
            Some(girok_core::model::Location { lat: lat.parse().ok()?, lon: lon.parse().ok()? })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::from_tsv;

    #[test]
    fn tsv_words_become_lines_and_paragraphs_with_a_weighted_confidence() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
1\t1\t0\t0\t0\t0\t0\t0\t9\t9\t-1\t\n\
5\t1\t1\t1\t1\t1\t0\t0\t9\t9\t90\t합\n\
5\t1\t1\t1\t1\t2\t10\t0\t9\t9\t90\t성\n\
5\t1\t1\t1\t1\t3\t40\t0\t9\t9\t60\ttest\n\
5\t1\t1\t1\t2\t1\t0\t0\t9\t9\t80\tline\n\
5\t1\t2\t1\t1\t1\t0\t0\t9\t9\t70\tpara\n";
        let (text, w, n) = from_tsv(tsv);
        assert_eq!(text, "합성 test\nline\n\npara");
        assert_eq!(n, 14.0);
        assert!((w / n - (90.0 * 2.0 + 60.0 * 4.0 + 80.0 * 4.0 + 70.0 * 4.0) / 14.0).abs() < 1e-9);
    }
}
