//! Text handling that is pure computation: Hangul detection, bigram indexing, HTML to text.
//!
//! Korean is not space-delimited the way English is: "정치범수용소에서" is one "word" to a
//! whitespace tokenizer, so a search for "수용소" would miss it. We index every Hangul run as
//! overlapping syllable bigrams and turn a Korean query into a phrase of the same bigrams; any
//! query of two syllables or more then finds every occurrence, without a dictionary.

/// Percent-encodes every byte outside RFC 3986's unreserved set, for a URL's path or query.
pub fn percent_encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// Leading characters that make a spreadsheet run a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `s` is an apostrophe followed by a formula character or another apostrophe: the
/// form `csv_cell_write` gives.
fn escaped_cell(s: &str) -> bool {
    s.strip_prefix('\'').is_some_and(|rest| rest.starts_with(FORMULA_START) || rest.starts_with('\''))
}

/// A CSV cell as Girok writes it: a cell a spreadsheet would run as a formula (leading `=`,
/// `+`, `-`, `@`, tab or carriage return) gets a leading apostrophe, and so does one that
/// already has the escaped form, so `csv_cell_read` undoes it exactly and leaves every other
/// apostrophe alone.
pub fn csv_cell_write(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(FORMULA_START) || escaped_cell(s) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The inverse of `csv_cell_write` on a cell read back.
pub fn csv_cell_read(s: &str) -> &str {
    if escaped_cell(s) {
        &s[1..]
    } else {
        s
    }
}

/// True for precomposed Hangul syllables and Hangul jamo.
pub fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// Overlapping bigrams of each Hangul run, space-separated; a lone syllable is kept as is.
pub fn hangul_bigrams(text: &str) -> String {
    let mut out = String::new();
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, out: &mut String| {
        if run.len() == 1 {
            out.push(run[0]);
            out.push(' ');
        }
        for w in run.windows(2) {
            out.push(w[0]);
            out.push(w[1]);
            out.push(' ');
        }
        run.clear();
    };
    for c in text.chars() {
        if is_hangul(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
        }
    }
    flush(&mut run, &mut out);
    out.truncate(out.trim_end().len());
    out
}

/// One term of a user's search query, classified for the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryTerm {
    /// An English (or other space-delimited) word, matched with stemming.
    Word(String),
    /// A quoted phrase of such words.
    Phrase(String),
    /// A Hangul run, matched through its bigrams.
    Hangul(String),
}

/// Splits a query into terms. Quotes make a phrase; Hangul runs are separated from Latin text;
/// FTS syntax characters are dropped, so user input can never inject query operators.
pub fn query_terms(query: &str) -> Vec<QueryTerm> {
    let mut out = Vec::new();
    let mut in_quote = false;
    for (i, chunk) in query.split('"').enumerate() {
        in_quote = i % 2 == 1;
        if in_quote && !chunk.trim().is_empty() && !chunk.chars().any(is_hangul) {
            let words: Vec<String> = chunk.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
            if !words.is_empty() {
                out.push(QueryTerm::Phrase(words.join(" ")));
            }
            continue;
        }
        let mut current = String::new();
        let mut current_is_hangul = false;
        let push = |current: &mut String, hangul: bool, out: &mut Vec<QueryTerm>| {
            if !current.is_empty() {
                out.push(if hangul { QueryTerm::Hangul(current.clone()) } else { QueryTerm::Word(current.to_lowercase()) });
                current.clear();
            }
        };
        for c in chunk.chars() {
            if is_hangul(c) {
                if !current_is_hangul {
                    push(&mut current, false, &mut out);
                }
                current_is_hangul = true;
                current.push(c);
            } else if c.is_alphanumeric() {
                if current_is_hangul {
                    push(&mut current, true, &mut out);
                }
                current_is_hangul = false;
                current.push(c);
            } else {
                push(&mut current, current_is_hangul, &mut out);
            }
        }
        push(&mut current, current_is_hangul, &mut out);
    }
    let _ = in_quote;
    out
}

/// Extracts readable text from HTML: drops scripts, styles and tags, decodes common entities,
/// keeps block boundaries as newlines. Good enough for web captures; not a browser.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let lower = html.to_ascii_lowercase();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            let rest = &lower[i..];
            let skip_to = if rest.starts_with("<script") {
                lower[i..].find("</script").map(|p| i + p)
            } else if rest.starts_with("<style") {
                lower[i..].find("</style").map(|p| i + p)
            } else if rest.starts_with("<!--") {
                lower[i..].find("-->").map(|p| i + p + 2)
            } else {
                None
            };
            let from = skip_to.unwrap_or(i);
            let end = lower[from..].find('>').map(|p| from + p + 1).unwrap_or(bytes.len());
            let tag = &lower[i..end.min(lower.len())];
            let is_block = ["<p", "</p", "<br", "<div", "</div", "<li", "<h1", "<h2", "<h3", "<h4", "<tr", "</tr", "<title", "</title", "</h"]
                .iter()
                .any(|t| tag.starts_with(t));
            if is_block && !out.ends_with('\n') {
                out.push('\n');
            } else if !is_block && !out.ends_with([' ', '\n']) && !out.is_empty() {
                out.push(' ');
            }
            i = end;
            continue;
        }
        let next = lower[i..].find('<').map(|p| i + p).unwrap_or(bytes.len());
        out.push_str(&decode_entities(&html[i..next]));
        i = next;
    }
    // Collapse runs of blank space the tags left behind.
    let mut res = String::with_capacity(out.len());
    for line in out.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if !line.is_empty() {
            res.push_str(&line);
            res.push('\n');
        }
    }
    res
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..end];
        let decoded = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            "nbsp" => Some(' '),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32),
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Character offset → byte offset, clamped; citations count characters so they survive re-encoding.
pub fn char_to_byte(text: &str, char_idx: usize) -> usize {
    text.char_indices().nth(char_idx).map(|(b, _)| b).unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells_neutralise_formulas_and_round_trip() {
        for s in ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "'quoted", "''", "'=x", "'''=", "it's", "plain", ""] {
            let w = super::csv_cell_write(s);
            assert!(!w.starts_with(['=', '+', '-', '@']), "{w}");
            assert_eq!(super::csv_cell_read(&w), s);
        }
    }

    use super::*;

    #[test]
    fn percent_encoding_keeps_only_unreserved_bytes() {
        assert_eq!(percent_encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(percent_encode("/records?kind=act&q=수"), "%2Frecords%3Fkind%3Dact%26q%3D%EC%88%98");
    }

    #[test]
    fn bigrams_cover_every_two_syllable_substring() {
        assert_eq!(hangul_bigrams("정치범수용소에서 고문"), "정치 치범 범수 수용 용소 소에 에서 고문");
        assert_eq!(hangul_bigrams("camp 수 x"), "수");
        let text = "함경북도 회령 전거리교화소";
        let idx = hangul_bigrams(text);
        let chars: Vec<char> = "전거리교화소".chars().collect();
        for w in chars.windows(2) {
            let b: String = w.iter().collect();
            assert!(idx.split(' ').any(|t| t == b), "{b} missing");
        }
    }

    #[test]
    fn query_terms_split_scripts_and_drop_operators() {
        assert_eq!(
            query_terms("torture 수용소 \"labour camp\" OR* (x)"),
            vec![
                QueryTerm::Word("torture".into()),
                QueryTerm::Hangul("수용소".into()),
                QueryTerm::Phrase("labour camp".into()),
                QueryTerm::Word("or".into()),
                QueryTerm::Word("x".into()),
            ]
        );
        assert_eq!(query_terms("요덕camp"), vec![QueryTerm::Hangul("요덕".into()), QueryTerm::Word("camp".into())]);
    }

    #[test]
    fn html_text_drops_markup_and_scripts() {
        let html = "<html><head><title>Report</title><style>p{}</style><script>alert('x')</script></head><body><p>Detained at &lt;Yodok&gt; &amp; beaten.</p><p>요덕&#49688;</p></body></html>";
        let text = html_to_text(html);
        assert_eq!(text, "Report\nDetained at <Yodok> & beaten.\n요덕수\n");
    }
}
