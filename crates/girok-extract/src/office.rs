//! Text from word-processor, spreadsheet and e-book files: .docx, .odt, .xlsx, .ods, EPUB and
//! HWPX (the XML form of the Korean word processor's files), and RTF. Paragraphs become lines,
//! spreadsheet cells are separated by tabs, one sheet after another.

use crate::sniff::{DOCX, EPUB, HWPX, ODS, ODT, RTF, XLSX};
use crate::zip::Zip;
use crate::ExtractError;

/// No single XML part of an office file may inflate beyond this.
const PART_LIMIT: u64 = 256 << 20;

fn xml(text: &str) -> Result<roxmltree::Document<'_>, ExtractError> {
    let opt = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    roxmltree::Document::parse_with_options(text, opt).map_err(|e| ExtractError::Malformed(format!("xml: {e}")))
}

fn part(zip: &Zip<'_>, name: &str) -> Result<String, ExtractError> {
    zip.text(name, PART_LIMIT)?.ok_or_else(|| ExtractError::Malformed(format!("{name} missing")))
}

/// The text of an office file of the given media type; `None` for a type this module does not read.
pub fn text(media_type: &str, bytes: &[u8]) -> Option<Result<String, ExtractError>> {
    let run = |f: fn(&Zip<'_>) -> Result<String, ExtractError>| Some(Zip::open(bytes).and_then(|z| f(&z)));
    match media_type {
        DOCX => run(docx),
        ODT | ODS => run(opendocument),
        XLSX => run(xlsx),
        EPUB => run(epub),
        HWPX => run(hwpx),
        RTF => Some(Ok(rtf(bytes))),
        _ => None,
    }
}

/// Walks the tree, writing text nodes, and a line break after each element whose local name is
/// in `breaks`, a tab for `tabs`.
fn walk(node: roxmltree::Node<'_, '_>, keep: &dyn Fn(&str) -> bool, breaks: &[&str], tabs: &[&str], out: &mut String) {
    for child in node.children() {
        if child.is_text() {
            if node.is_element() && keep(node.tag_name().name()) {
                out.push_str(child.text().unwrap_or(""));
            }
            continue;
        }
        if !child.is_element() {
            continue;
        }
        let name = child.tag_name().name();
        if tabs.contains(&name) {
            out.push('\t');
        }
        if name == "s" && child.tag_name().namespace().is_some_and(|n| n.contains("opendocument")) {
            // <text:s text:c="3"/>: runs of spaces.
            let n: usize = child.attributes().find(|a| a.name() == "c").and_then(|a| a.value().parse().ok()).unwrap_or(1);
            out.push_str(&" ".repeat(n.min(1000)));
        }
        if matches!(name, "br" | "cr" | "line-break") {
            out.push('\n');
        }
        walk(child, keep, breaks, tabs, out);
        if breaks.contains(&name) && !out.ends_with('\n') {
            out.push('\n');
        }
    }
}

fn tidy(s: String) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    let mut out = lines.join("\n");
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    out.trim().to_string()
}

fn docx(zip: &Zip<'_>) -> Result<String, ExtractError> {
    let body = part(zip, "word/document.xml")?;
    let doc = xml(&body)?;
    let mut out = String::new();
    walk(doc.root(), &|n| n == "t", &["p"], &["tab"], &mut out);
    Ok(tidy(out))
}

fn opendocument(zip: &Zip<'_>) -> Result<String, ExtractError> {
    let body = part(zip, "content.xml")?;
    let doc = xml(&body)?;
    let mut out = String::new();
    // Text lives in paragraphs, headings and spans; a spreadsheet's cells are tab-separated.
    walk(doc.root(), &|n| matches!(n, "p" | "h" | "span" | "a"), &["p", "h", "table-row"], &["tab"], &mut out);
    // Cells hold paragraphs: a cell's paragraph break becomes the tab between cells.
    let mut rows = Vec::new();
    if doc.descendants().any(|n| n.tag_name().name() == "table-cell") {
        for row in doc.descendants().filter(|n| n.tag_name().name() == "table-row") {
            let cells: Vec<String> = row
                .children()
                .filter(|c| c.tag_name().name() == "table-cell")
                .map(|c| {
                    let mut t = String::new();
                    walk(c, &|n| matches!(n, "p" | "span" | "a"), &[], &[], &mut t);
                    t
                })
                .collect();
            let line = cells.join("\t").trim_end().to_string();
            if !line.is_empty() {
                rows.push(line);
            }
        }
    }
    if !rows.is_empty() && zip.text("mimetype", 200)?.as_deref().map(str::trim) == Some(ODS) {
        return Ok(rows.join("\n"));
    }
    Ok(tidy(out))
}

fn xlsx(zip: &Zip<'_>) -> Result<String, ExtractError> {
    let mut shared: Vec<String> = Vec::new();
    if let Some(s) = zip.text("xl/sharedStrings.xml", PART_LIMIT)? {
        let doc = xml(&s)?;
        for si in doc.descendants().filter(|n| n.tag_name().name() == "si") {
            shared.push(si.descendants().filter(|n| n.tag_name().name() == "t").filter_map(|t| t.text()).collect());
        }
    }
    let mut sheets: Vec<&str> = zip.names().filter(|n| n.starts_with("xl/worksheets/sheet") && n.ends_with(".xml")).collect();
    // sheet2 before sheet10.
    sheets.sort_by_key(|n| n.trim_start_matches("xl/worksheets/sheet").trim_end_matches(".xml").parse::<u32>().unwrap_or(u32::MAX));
    let mut out = Vec::new();
    for name in sheets {
        let s = part(zip, name)?;
        let doc = xml(&s)?;
        for row in doc.descendants().filter(|n| n.tag_name().name() == "row") {
            let cells: Vec<String> = row
                .children()
                .filter(|c| c.tag_name().name() == "c")
                .map(|c| {
                    let v = c.children().find(|n| n.tag_name().name() == "v").and_then(|n| n.text()).unwrap_or("");
                    match c.attribute("t") {
                        Some("s") => v.parse::<usize>().ok().and_then(|i| shared.get(i).cloned()).unwrap_or_default(),
                        Some("inlineStr") => c.descendants().filter(|n| n.tag_name().name() == "t").filter_map(|t| t.text()).collect(),
                        _ => v.to_string(),
                    }
                })
                .collect();
            let line = cells.join("\t").trim_end().to_string();
            if !line.is_empty() {
                out.push(line);
            }
        }
    }
    Ok(out.join("\n"))
}

fn epub(zip: &Zip<'_>) -> Result<String, ExtractError> {
    let container = part(zip, "META-INF/container.xml")?;
    let c = xml(&container)?;
    let opf_path = c
        .descendants()
        .find(|n| n.tag_name().name() == "rootfile")
        .and_then(|n| n.attribute("full-path"))
        .ok_or_else(|| ExtractError::Malformed("epub: no rootfile".into()))?
        .to_string();
    let base = opf_path.rsplit_once('/').map(|(b, _)| format!("{b}/")).unwrap_or_default();
    let opf = part(zip, &opf_path)?;
    let o = xml(&opf)?;
    let href: std::collections::HashMap<&str, &str> =
        o.descendants().filter(|n| n.tag_name().name() == "item").filter_map(|n| Some((n.attribute("id")?, n.attribute("href")?))).collect();
    let mut out = Vec::new();
    for item in o.descendants().filter(|n| n.tag_name().name() == "itemref") {
        let Some(h) = item.attribute("idref").and_then(|id| href.get(id)) else { continue };
        if let Some(page) = zip.text(&format!("{base}{h}"), PART_LIMIT)? {
            let doc = xml(&page)?;
            let mut t = String::new();
            walk(doc.root(), &|n| !matches!(n, "style" | "script" | "head" | "title"), &["p", "div", "h1", "h2", "h3", "h4", "li", "tr"], &["td"], &mut t);
            out.push(tidy(t));
        }
    }
    Ok(out.join("\n\n"))
}

fn hwpx(zip: &Zip<'_>) -> Result<String, ExtractError> {
    let mut sections: Vec<&str> = zip.names().filter(|n| n.starts_with("Contents/section") && n.ends_with(".xml")).collect();
    sections.sort_by_key(|n| n.trim_start_matches("Contents/section").trim_end_matches(".xml").parse::<u32>().unwrap_or(u32::MAX));
    let mut out = String::new();
    for s in sections {
        let text = part(zip, s)?;
        let doc = xml(&text)?;
        walk(doc.root(), &|n| n == "t", &["p"], &["tab"], &mut out);
    }
    Ok(tidy(out))
}

/// RTF: groups, control words and escapes. Destinations that are not body text (font and
/// colour tables, pictures, metadata) are skipped; `\'hh` bytes decode in the document's code
/// page (949 for Korean), `\uN` as Unicode.
pub fn rtf(bytes: &[u8]) -> String {
    let s = bytes;
    let mut out = String::new();
    // (skipping, unicode fallback count) per group.
    let mut stack: Vec<(bool, usize)> = vec![(false, 1)];
    let mut pending: Vec<u8> = Vec::new();
    let mut codepage = encoding_rs::WINDOWS_1252;
    let mut skip_fallback = 0usize;
    let flush = |pending: &mut Vec<u8>, out: &mut String, cp: &'static encoding_rs::Encoding| {
        if !pending.is_empty() {
            out.push_str(&cp.decode_without_bom_handling(pending).0);
            pending.clear();
        }
    };
    let mut i = 0;
    while i < s.len() {
        let (skipping, uc) = *stack.last().unwrap_or(&(false, 1));
        match s[i] {
            b'{' => {
                flush(&mut pending, &mut out, codepage);
                stack.push((skipping, uc));
                // {\*\dest ...} is an ignorable destination.
                if s.get(i + 1..i + 3) == Some(b"\\*") {
                    if let Some(top) = stack.last_mut() {
                        top.0 = true;
                    }
                }
                i += 1;
            }
            b'}' => {
                flush(&mut pending, &mut out, codepage);
                if stack.len() > 1 {
                    stack.pop();
                }
                i += 1;
            }
            b'\\' => {
                let next = s.get(i + 1).copied().unwrap_or(b' ');
                if next == b'\'' {
                    if let Some(hex) = s.get(i + 2..i + 4).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        if skip_fallback > 0 {
                            skip_fallback -= 1;
                        } else if !skipping {
                            pending.push(hex);
                        }
                    }
                    i += 4;
                    continue;
                }
                if !next.is_ascii_alphabetic() {
                    flush(&mut pending, &mut out, codepage);
                    if !skipping && matches!(next, b'\\' | b'{' | b'}') {
                        out.push(next as char);
                    }
                    if !skipping && next == b'~' {
                        out.push('\u{a0}');
                    }
                    i += 2;
                    continue;
                }
                let mut j = i + 1;
                while j < s.len() && s[j].is_ascii_alphabetic() {
                    j += 1;
                }
                let word = std::str::from_utf8(&s[i + 1..j]).unwrap_or("");
                let mut k = j;
                if k < s.len() && (s[k] == b'-' || s[k].is_ascii_digit()) {
                    k += 1;
                    while k < s.len() && s[k].is_ascii_digit() {
                        k += 1;
                    }
                }
                let param: Option<i32> = std::str::from_utf8(&s[j..k]).ok().and_then(|p| p.parse().ok());
                if k < s.len() && s[k] == b' ' {
                    k += 1;
                }
                i = k;
                match word {
                    "fonttbl" | "colortbl" | "stylesheet" | "info" | "pict" | "header" | "footer" | "headerl" | "headerr" | "footerl" | "footerr"
                    | "object" | "listtable" | "listoverridetable" | "rsidtbl" | "generator" | "xmlnstbl" | "themedata" | "datastore" => {
                        if let Some(top) = stack.last_mut() {
                            top.0 = true;
                        }
                    }
                    "ansicpg" => {
                        flush(&mut pending, &mut out, codepage);
                        codepage = match param {
                            Some(949) => encoding_rs::EUC_KR,
                            Some(932) => encoding_rs::SHIFT_JIS,
                            Some(936) => encoding_rs::GBK,
                            Some(950) => encoding_rs::BIG5,
                            Some(1251) => encoding_rs::WINDOWS_1251,
                            _ => encoding_rs::WINDOWS_1252,
                        };
                    }
                    "uc" => {
                        if let Some(top) = stack.last_mut() {
                            top.1 = param.unwrap_or(1).max(0) as usize;
                        }
                    }
                    "u" if !skipping => {
                        flush(&mut pending, &mut out, codepage);
                        let code = param.unwrap_or(0);
                        let code = if code < 0 { code + 65536 } else { code } as u32;
                        if let Some(c) = char::from_u32(code) {
                            out.push(c);
                        }
                        skip_fallback = uc;
                    }
                    "par" | "line" | "sect" | "page" if !skipping => {
                        flush(&mut pending, &mut out, codepage);
                        out.push('\n');
                    }
                    "tab" | "cell" if !skipping => {
                        flush(&mut pending, &mut out, codepage);
                        out.push('\t');
                    }
                    "row" if !skipping => {
                        flush(&mut pending, &mut out, codepage);
                        out.push('\n');
                    }
                    _ => {}
                }
            }
            b'\r' | b'\n' => i += 1,
            c => {
                if skip_fallback > 0 {
                    skip_fallback -= 1;
                } else if !skipping {
                    pending.push(c);
                }
                i += 1;
            }
        }
    }
    flush(&mut pending, &mut out, codepage);
    tidy(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zip::write_stored;

    #[test]
    fn a_docx_written_by_the_test_reads_as_paragraphs() {
        let body = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>SYNTHETIC interview transcript.</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">저는 2009년에 </w:t></w:r><w:r><w:t>회령에서 송환되었습니다.</w:t></w:r></w:p>
<w:p><w:r><w:t>A</w:t><w:tab/><w:t>B</w:t></w:r></w:p></w:body></w:document>"#;
        let docx = write_stored(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", body.as_bytes())]);
        let t = text(DOCX, &docx).unwrap().unwrap();
        assert_eq!(t, "SYNTHETIC interview transcript.\n저는 2009년에 회령에서 송환되었습니다.\nA\tB");
    }

    #[test]
    fn an_odt_and_an_ods_written_by_the_test() {
        let content = r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>
<text:h>합성 증언</text:h><text:p>Held at<text:s text:c="2"/>Onsong <text:span>holding centre</text:span>.</text:p></office:text></office:body></office:document-content>"#;
        let odt = write_stored(&[("mimetype", ODT.as_bytes()), ("content.xml", content.as_bytes())]);
        assert_eq!(text(ODT, &odt).unwrap().unwrap(), "합성 증언\nHeld at  Onsong holding centre.");
        let sheet = r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table>
<table:table-row><table:table-cell><text:p>이름</text:p></table:table-cell><table:table-cell><text:p>year</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell><text:p>김 (SYNTHETIC)</text:p></table:table-cell><table:table-cell><text:p>2010</text:p></table:table-cell></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
        let ods = write_stored(&[("mimetype", ODS.as_bytes()), ("content.xml", sheet.as_bytes())]);
        assert_eq!(text(ODS, &ods).unwrap().unwrap(), "이름\tyear\n김 (SYNTHETIC)\t2010");
    }

    #[test]
    fn an_xlsx_reads_shared_and_inline_strings() {
        let shared = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>name</t></si><si><t>합성</t></si></sst>"#;
        let sheet = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>year</t></is></c></row>
<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>2011</v></c></row></sheetData></worksheet>"#;
        let x = write_stored(&[("xl/workbook.xml", b"<w/>"), ("xl/sharedStrings.xml", shared.as_bytes()), ("xl/worksheets/sheet1.xml", sheet.as_bytes())]);
        assert_eq!(text(XLSX, &x).unwrap().unwrap(), "name\tyear\n합성\t2011");
    }

    #[test]
    fn rtf_in_korean_code_page_and_unicode_escapes() {
        let (euc, _, _) = encoding_rs::EUC_KR.encode("합성");
        let mut r = b"{\\rtf1\\ansi\\ansicpg949{\\fonttbl{\\f0 Batang;}}{\\*\\generator x;}\\f0 ".to_vec();
        for b in euc.iter() {
            r.extend_from_slice(format!("\\'{b:02x}").as_bytes());
        }
        r.extend_from_slice(b" text\\par second \\u54633?\\u49457? line\\par}");
        assert_eq!(rtf(&r), "합성 text\nsecond 합성 line");
    }

    #[test]
    fn an_epub_is_read_in_spine_order() {
        let container =
            r#"<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/book.opf"/></rootfiles></container>"#;
        let opf = r#"<package xmlns="http://www.idpf.org/2007/opf"><manifest><item id="b" href="two.xhtml"/><item id="a" href="one.xhtml"/></manifest><spine><itemref idref="a"/><itemref idref="b"/></spine></package>"#;
        let page =
            |t: &str| format!(r#"<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title><style>p{{}}</style></head><body><p>{t}</p></body></html>"#);
        let (one, two) = (page("첫 장 (SYNTHETIC)"), page("Second chapter"));
        let z = write_stored(&[
            ("mimetype", EPUB.as_bytes()),
            ("META-INF/container.xml", container.as_bytes()),
            ("OEBPS/book.opf", opf.as_bytes()),
            ("OEBPS/one.xhtml", one.as_bytes()),
            ("OEBPS/two.xhtml", two.as_bytes()),
        ]);
        assert_eq!(crate::sniff::detect("book", &z).media_type, EPUB);
        assert_eq!(text(EPUB, &z).unwrap().unwrap(), "첫 장 (SYNTHETIC)\n\nSecond chapter");
    }

    #[test]
    fn hwpx_sections_are_read() {
        let s0 = r#"<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"><hp:p><hp:run><hp:t>합성 보고서</hp:t></hp:run></hp:p><hp:p><hp:run><hp:t>둘째 줄</hp:t></hp:run></hp:p></hs:sec>"#;
        let z = write_stored(&[("mimetype", HWPX.as_bytes()), ("Contents/section0.xml", s0.as_bytes())]);
        assert_eq!(text(HWPX, &z).unwrap().unwrap(), "합성 보고서\n둘째 줄");
    }
}
