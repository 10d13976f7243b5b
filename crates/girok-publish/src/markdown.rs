//! The organisation's own text in a briefing: a small, sanitised Markdown (headings, emphasis,
//! lists, links, paragraphs) with references to records (`[[evt-…]]`). Written here rather
//! than taken from a general Markdown library because what matters is what it cannot do: every
//! character of the input is escaped, nothing passes through as HTML, and a link can only go
//! to `https:`, `http:` or `mailto:`.

use crate::render::esc;

/// One block of parsed text.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Block {
    Heading(usize, String),
    Paragraph(String),
    List { ordered: bool, items: Vec<String> },
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<String>)> = None;
    let flush_para = |para: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !para.is_empty() {
            out.push(Block::Paragraph(para.join(" ")));
            para.clear();
        }
    };
    let flush_list = |list: &mut Option<(bool, Vec<String>)>, out: &mut Vec<Block>| {
        if let Some((ordered, items)) = list.take() {
            out.push(Block::List { ordered, items });
        }
    };
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            flush_para(&mut para, &mut out);
            flush_list(&mut list, &mut out);
            continue;
        }
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if (1..=4).contains(&hashes) && line[hashes..].starts_with(' ') {
            flush_para(&mut para, &mut out);
            flush_list(&mut list, &mut out);
            out.push(Block::Heading(hashes, line[hashes..].trim().to_string()));
            continue;
        }
        let bullet = line.strip_prefix("- ").or_else(|| line.strip_prefix("* "));
        let numbered = {
            let digits = line.chars().take_while(|c| c.is_ascii_digit()).count();
            (digits > 0 && line[digits..].starts_with(". ")).then(|| &line[digits + 2..])
        };
        if let Some((item, ordered)) = bullet.map(|b| (b, false)).or(numbered.map(|n| (n, true))) {
            flush_para(&mut para, &mut out);
            match &mut list {
                Some((o, items)) if *o == ordered => items.push(item.trim().to_string()),
                _ => {
                    flush_list(&mut list, &mut out);
                    list = Some((ordered, vec![item.trim().to_string()]));
                }
            }
            continue;
        }
        match &mut list {
            // A continuation line of a list item.
            Some((_, items)) if raw.starts_with("  ") => {
                let last = items.last_mut().expect("a list has an item");
                last.push(' ');
                last.push_str(line);
            }
            _ => {
                flush_list(&mut list, &mut out);
                para.push(line);
            }
        }
    }
    flush_para(&mut para, &mut out);
    flush_list(&mut list, &mut out);
    out
}

/// Every `[[id]]` in `text`, in order, repeats included.
pub fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("[[") {
        let after = &rest[start + 2..];
        match after.find("]]") {
            Some(end) => {
                let id = after[..end].trim();
                if !id.is_empty() && !id.contains(['[', ']', '\n']) {
                    out.push(id.to_string());
                }
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    out
}

/// A link target that may appear in a published page.
fn safe_url(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    (u.starts_with("https://") || u.starts_with("http://") || u.starts_with("mailto:")) && !u.contains(['"', '<', '>', ' '])
}

/// Inline text: `**strong**`, `*emphasis*`, `[text](url)`, `[[id]]` (through `reference`,
/// which gives the HTML of the reference mark), everything else escaped.
fn inline(text: &str, reference: &mut dyn FnMut(&str) -> String) -> String {
    let mut out = String::new();
    let mut pos = 0;
    while pos < text.len() {
        let here = &text[pos..];
        if let Some(body) = here.strip_prefix("[[") {
            if let Some(end) = body.find("]]") {
                out.push_str(&reference(body[..end].trim()));
                pos += 2 + end + 2;
                continue;
            }
        }
        if let Some(body) = here.strip_prefix("**") {
            if let Some(end) = body.find("**").filter(|e| *e > 0) {
                out.push_str(&format!("<strong>{}</strong>", inline(&body[..end], reference)));
                pos += 2 + end + 2;
                continue;
            }
        }
        if let Some(body) = here.strip_prefix('*').filter(|_| !here.starts_with("**")) {
            if let Some(end) = body.find('*').filter(|e| *e > 0) {
                out.push_str(&format!("<em>{}</em>", inline(&body[..end], reference)));
                pos += 1 + end + 1;
                continue;
            }
        }
        if here.starts_with('[') {
            if let Some(close) = here.find("](") {
                if let Some(end) = here[close + 2..].find(')') {
                    let label = &here[1..close];
                    let url = &here[close + 2..close + 2 + end];
                    if !label.contains('[') {
                        if safe_url(url) {
                            out.push_str(&format!("<a href=\"{}\">{}</a>", esc(url.trim()), inline(label, reference)));
                        } else {
                            // An unsafe link keeps its words and loses its target.
                            out.push_str(&inline(label, reference));
                        }
                        pos += close + 2 + end + 1;
                        continue;
                    }
                }
            }
        }
        let c = here.chars().next().expect("not at the end");
        out.push_str(&esc(c.encode_utf8(&mut [0u8; 4])));
        pos += c.len_utf8();
    }
    out
}

/// The text as HTML. Headings start at level `base` (a section's own heading is above them).
pub fn to_html(text: &str, base: usize, reference: &mut dyn FnMut(&str) -> String) -> String {
    let mut h = String::new();
    for b in blocks(text) {
        match b {
            Block::Heading(level, t) => {
                let l = (base + level - 1).min(6);
                h.push_str(&format!("<h{l}>{}</h{l}>\n", inline(&t, reference)));
            }
            Block::Paragraph(t) => h.push_str(&format!("<p>{}</p>\n", inline(&t, reference))),
            Block::List { ordered, items } => {
                let tag = if ordered { "ol" } else { "ul" };
                h.push_str(&format!("<{tag}>\n"));
                for it in items {
                    h.push_str(&format!("<li>{}</li>\n", inline(&it, reference)));
                }
                h.push_str(&format!("</{tag}>\n"));
            }
        }
    }
    h
}

/// The text without markup, for formats that typeset it themselves (the PDF): blocks as
/// (heading level or 0 for a paragraph, list marker or "", text with references replaced).
pub fn plain_blocks(text: &str, reference: &mut dyn FnMut(&str) -> String) -> Vec<(usize, String, String)> {
    let strip = |t: &str, reference: &mut dyn FnMut(&str) -> String| -> String {
        // Links keep their words (a label holds no brackets, which tells it from a reference).
        let mut unlinked = String::new();
        let mut r = t;
        while let Some(open) = r.find('[') {
            let label_end = r[open..].find("](").map(|c| open + c);
            let end = label_end.and_then(|c| r[c..].find(')').map(|e| c + e));
            match (label_end, end) {
                (Some(close), Some(end)) if !r[open + 1..close].contains(['[', ']']) => {
                    unlinked.push_str(&r[..open]);
                    unlinked.push_str(&r[open + 1..close]);
                    r = &r[end + 1..];
                }
                _ => {
                    unlinked.push_str(&r[..=open]);
                    r = &r[open + 1..];
                }
            }
        }
        unlinked.push_str(r);
        let mut s = String::new();
        let mut rest = unlinked.as_str();
        while let Some(start) = rest.find("[[") {
            s.push_str(&rest[..start]);
            match rest[start + 2..].find("]]") {
                Some(end) => {
                    s.push_str(&reference(rest[start + 2..start + 2 + end].trim()));
                    rest = &rest[start + 2 + end + 2..];
                }
                None => {
                    s.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        s.push_str(rest);
        s.replace("**", "").replace('*', "")
    };
    let mut out = Vec::new();
    for b in blocks(text) {
        match b {
            Block::Heading(l, t) => out.push((l, String::new(), strip(&t, reference))),
            Block::Paragraph(t) => out.push((0, String::new(), strip(&t, reference))),
            Block::List { ordered, items } => {
                for (n, it) in items.iter().enumerate() {
                    out.push((0, if ordered { format!("{}.", n + 1) } else { "•".into() }, strip(it, reference)));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(t: &str) -> String {
        to_html(t, 3, &mut |id| format!("<sup>[{id}]</sup>"))
    }

    #[test]
    fn headings_emphasis_lists_links() {
        let h = html("# Findings\n\nWitnesses describe **beatings** and *sleep deprivation*.\n\n- one\n- two\n\n1. first\n2. second\n\nSee [the report](https://example.org/r).");
        assert!(h.contains("<h3>Findings</h3>"), "{h}");
        assert!(h.contains("<strong>beatings</strong>") && h.contains("<em>sleep deprivation</em>"), "{h}");
        assert!(h.contains("<ul>\n<li>one</li>\n<li>two</li>\n</ul>") && h.contains("<ol>\n<li>first</li>"), "{h}");
        assert!(h.contains("<a href=\"https://example.org/r\">the report</a>"), "{h}");
    }

    #[test]
    fn nothing_passes_through_as_html() {
        let h =
            html("<script>alert(1)</script> <img src=x onerror=alert(1)> **<b>x</b>**\n\n[click](javascript:alert(1)) [x](https://a.org/\"onmouseover=\"y)");
        assert!(!h.contains("<script") && !h.contains("<img") && !h.contains("<b>"), "{h}");
        assert!(h.contains("&lt;script&gt;") && !h.contains("javascript:"), "{h}");
        assert!(!h.contains("onmouseover=\""), "{h}");
    }

    #[test]
    fn references_are_found_and_marked() {
        let t = "Two testimonies [[evt-00012]] and a figure [[ind-synth-stunting]]; again [[evt-00012]]. Not [[ ]] nor [[a\nb]].";
        assert_eq!(references(t), ["evt-00012", "ind-synth-stunting", "evt-00012"]);
        let h = html(t);
        assert!(h.contains("<sup>[evt-00012]</sup>") && h.contains("<sup>[ind-synth-stunting]</sup>"), "{h}");
        let plain = plain_blocks("- **Stop** [[evt-1]] now, see [site](https://x.org)", &mut |id| format!("[{id}]"));
        assert_eq!(plain, [(0, "•".to_string(), "Stop [evt-1] now, see site".to_string())]);
    }

    #[test]
    fn korean_text_and_unclosed_marks() {
        let h = html("## 권고\n\n*닫히지 않은 강조와 [[미완성");
        assert!(h.contains("<h4>권고</h4>") && h.contains("*닫히지 않은 강조와 [[미완성"), "{h}");
    }
}
