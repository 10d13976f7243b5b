//! The Typst source of a briefing. Every piece of the briefing's text is written as a Typst
//! string literal (`lit`), so nothing a user typed is read as markup or code.

use std::fmt::Write;

use girok_publish::{
    band_cell, cell_text, closed_sentence, estimate_words, law_words, markdown, number, period, section_words, suppress, suppress2, upper_text, words,
    Briefing, Cell, SectionKind,
};

/// A Typst string literal.
fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Content made of one string: `[#"…"]`.
fn text(s: &str) -> String {
    format!("[#{}]", lit(s))
}

const PREAMBLE: &str = r##"#set page(paper: "a4", margin: (x: 2cm, top: 2cm, bottom: 2.2cm), footer: context [
  #set text(size: 7pt, fill: luma(90))
  #STATE #h(1fr) #counter(page).display("1 / 1", both: true)
])
#set text(font: ("NanumGothic", "Noto Sans CJK KR", "DejaVu Sans"), size: 9.5pt, lang: LANG)
#set par(justify: false, leading: 0.6em)
#set table(stroke: 0.4pt + luma(200), inset: 4pt)
#show heading.where(level: 1): set text(size: 16pt)
#show heading.where(level: 2): set text(size: 12.5pt)
#show heading: set block(above: 1.2em, below: 0.6em)
#let bar(frac, label) = box(width: frac * 100%, height: 7pt, fill: rgb("#4a6fa5"))
#let hatched = box(width: 100%, height: 7pt, fill: luma(225))
"##;

/// The whole document.
pub(crate) fn briefing(b: &Briefing) -> String {
    let w = words(&b.lang);
    let sw = section_words(&b.lang);
    let k = b.min_cell;
    let mut s = String::new();
    let state = format!("{}: {}", w.state, b.archive_state);
    s.push_str(&format!("#set document(title: {}, date: none)\n", lit(&b.title)));
    s.push_str(&PREAMBLE.replace("#STATE", &format!("#{}", lit(&state))).replace("LANG", &lit(if b.lang == "ko" { "ko" } else { "en" })));
    let _ = writeln!(s, "#heading(level: 1, {})", text(&b.title));
    let _ = writeln!(s, "#text(size: 8.5pt, fill: luma(70), {})\n", text(&format!("{}: {} · {}: {}", w.as_of, b.as_of, w.scope, b.scope)));
    let _ = writeln!(s, "#text(size: 8.5pt, fill: luma(70), {})\n", text(&w.method.replace("{k}", &k.to_string())));

    // References are numbered by first appearance, narrative first, as on the HTML page.
    let mut order: Vec<String> = Vec::new();
    let mut mark = |id: &str| -> String {
        let n = match order.iter().position(|x| x == id) {
            Some(i) => i + 1,
            None if b.references.iter().any(|r| r.id == id) => {
                order.push(id.to_string());
                order.len()
            }
            None => return "[?]".into(),
        };
        format!("[{n}]")
    };
    let section = |s: &mut String, sec: &girok_publish::Section, mark: &mut dyn FnMut(&str) -> String| {
        let _ = writeln!(s, "#heading(level: 2, {})", text(&sec.heading));
        for (level, marker, t) in markdown::plain_blocks(&sec.text, &mut *mark) {
            if level > 0 {
                let _ = writeln!(s, "#heading(level: {}, {})", (level + 2).min(6), text(&t));
            } else if marker.is_empty() {
                let _ = writeln!(s, "#par({})\n", text(&t));
            } else {
                let _ = writeln!(s, "#grid(columns: (1.2em, 1fr), {}, {})", text(&marker), text(&t));
            }
        }
        if !sec.recommendations.is_empty() {
            let _ = write!(s, "#table(columns: (25%, 1fr, 18%), table.header([*#{}*], [*#{}*], [*#{}*]),", lit(sw.to), lit(sw.what), lit(sw.when));
            for r in &sec.recommendations {
                let what: String = markdown::plain_blocks(&r.what, &mut *mark).into_iter().map(|x| x.2).collect::<Vec<_>>().join(" ");
                let _ = write!(s, " {}, {}, {},", text(&r.to), text(&what), text(&r.when));
            }
            s.push_str(")\n");
        }
    };
    for sec in b.sections.iter().filter(|x| x.kind == SectionKind::Narrative) {
        section(&mut s, sec, &mut mark);
    }

    for t in &b.tables {
        let sup = suppress(&t.rows, k);
        let max = sup.rows.iter().filter_map(|r| if let Cell::Shown(n) = r.1 { Some(n) } else { None }).max().unwrap_or(0).max(1);
        let _ = writeln!(s, "#heading(level: 2, {})", text(&t.title));
        let _ =
            write!(s, "#table(columns: (1fr, 35%, auto), align: (left, left, right), table.header([*#{}*], [], [*#{}*]),", lit(&t.label_header), lit(w.count));
        for (label, c) in &sup.rows {
            let bar = match c {
                Cell::Shown(n) => format!("bar({:.4}, none)", *n as f64 / max as f64),
                Cell::Withheld => "hatched".to_string(),
            };
            let _ = write!(s, " {}, [#{bar}], {},", text(label), text(&cell_text(*c, k)));
        }
        let _ = writeln!(s, " [*#{}*], [], [*#{}*])", lit(w.total), lit(&cell_text(sup.total, k)));
        if let Some(n) = &t.note {
            let _ = writeln!(s, "#text(size: 8pt, fill: luma(70), {})\n", text(n));
        }
    }

    if let Some(c) = &b.closed {
        if let Some(sentence) = closed_sentence(c, &b.outlines, &b.lang) {
            let _ = writeln!(s, "#heading(level: 3, {})", text(w.access));
            let _ = writeln!(s, "#par(strong({}))\n", text(&sentence));
            if !c.credit.is_empty() {
                let _ = writeln!(s, "#text(size: 8pt, fill: luma(70), {})\n", text(&c.credit));
            }
        }
    }
    if !b.provisions.is_empty() {
        let lw = law_words(&b.lang);
        let _ = writeln!(s, "#heading(level: 2, {})", text(lw.heading));
        let _ = writeln!(s, "#text(size: 8pt, fill: luma(70), {})\n", text(lw.intro));
        for p in &b.provisions {
            let heading = if p.title.is_empty() { p.label.clone() } else { format!("{}: {}", p.label, p.title) };
            let _ = writeln!(s, "#heading(level: 3, {})", text(&heading));
            if let Some(pen) = &p.max_penalty {
                let _ = writeln!(s, "#text(size: 8.5pt, fill: luma(70), {})\n", text(&format!("{}: {pen}", lw.penalty)));
            }
            let texts: Vec<&String> = [&p.text, &p.text_other].into_iter().filter(|t| !t.is_empty()).collect();
            if texts.is_empty() {
                let _ = writeln!(s, "#par(emph({}))\n", text(lw.not_public));
            }
            for t in texts {
                let _ = writeln!(s, "#quote(block: true, {})\n", text(t));
            }
            if !p.commentary.is_empty() {
                let _ = writeln!(s, "#par({})\n", text(&format!("{}: “{}”", lw.said, p.commentary)));
            }
            if !p.source.is_empty() {
                let _ = writeln!(s, "#text(size: 8pt, fill: luma(70), {})\n", text(&p.source));
            }
        }
    }

    for t in &b.cross_tables {
        let sup = suppress2(&t.counts, k);
        let _ = writeln!(s, "#heading(level: 2, {})", text(&t.title));
        let cols = t.cols.len() + 2;
        let _ = write!(s, "#text(size: 7pt, table(columns: {cols}, align: (left,) + (right,) * {}, table.header([*#{}*]", cols - 1, lit(&t.row_header));
        for c in t.cols.iter().map(String::as_str).chain([w.total]) {
            let _ = write!(s, ", [*#{}*]", lit(c));
        }
        s.push_str("),");
        for (i, label) in t.rows.iter().enumerate() {
            let _ = write!(s, " {},", text(label));
            for c in sup.cells[i].iter().chain([&sup.row_totals[i]]) {
                let _ = write!(s, " {},", text(&cell_text(*c, k)));
            }
        }
        let _ = write!(s, " [*#{}*],", lit(w.total));
        for c in sup.col_totals.iter().chain([&sup.total]) {
            let _ = write!(s, " [*#{}*],", lit(&cell_text(*c, k)));
        }
        s.push_str("))\n");
        if let Some(n) = &t.note {
            let _ = writeln!(s, "#text(size: 8pt, fill: luma(70), {})\n", text(n));
        }
    }

    for e in &b.estimates {
        let _ = writeln!(s, "#heading(level: 2, {})", text(&format!("{}: {}", w.estimate, e.title)));
        if let Some(ew) = estimate_words(e, &w) {
            let _ = writeln!(s, "#par({})\n", text(&ew.sentence));
            if let Some(lb) = ew.lower_bound {
                let _ = writeln!(s, "#par(strong({}))\n", text(lb));
            }
            if let Some(band) = &ew.band {
                let _ = writeln!(s, "#par({})\n", text(band));
            }
        }
        let _ = write!(
            s,
            "#table(columns: (auto, auto, auto, auto, 1fr), table.header([*#{}*], [*N*], [*95%*], [*#{}*], [*#{}*]),",
            lit(w.method_header),
            lit(w.band_header),
            lit(w.model_header)
        );
        for m in &e.methods {
            let upper = upper_text(m.upper, &w);
            let band = band_cell(m, &w);
            let model = std::iter::once(m.model.clone()).chain(m.warnings.iter().cloned()).collect::<Vec<_>>().join(" · ");
            let _ = write!(
                s,
                " {}, {}, {}, {}, text(size: 7.5pt, {}),",
                text(&m.method),
                text(&format!("{:.0}", m.estimate)),
                text(&format!("{:.0}–{upper}", m.lower)),
                text(&band),
                text(&model)
            );
        }
        s.push_str(")\n");
        let _ = writeln!(s, "#text(size: 8pt, {})\n", text(&format!("{}: {}", w.lists_header, e.lists.join(", "))));
        let _ = writeln!(s, "#text(size: 8pt, {})\n", text(w.assumptions));
        for a in &e.assumptions {
            let _ = writeln!(s, "#grid(columns: (1.2em, 1fr), [•], text(size: 8pt, {}))", text(a));
        }
    }

    let mut sources: Vec<&str> = Vec::new();
    if !b.indicators.is_empty() {
        let _ = writeln!(s, "#heading(level: 2, {})", text(w.indicators));
    }
    for series in &b.indicators {
        let _ = writeln!(s, "#heading(level: 3, {})", text(&format!("{} ({})", series.title, series.unit)));
        let max = series.points.iter().map(|p| p.value).fold(0.0f64, f64::max).max(f64::MIN_POSITIVE);
        // A column chart: one column per value, drawn to scale.
        let _ = write!(s, "#box(height: 3cm, width: 100%, stack(dir: ltr, spacing: 1pt,");
        for p in &series.points {
            let _ = write!(
                s,
                " align(bottom, box(width: {:.3}%, height: {:.3}%, fill: rgb(\"#4a6fa5\"))),",
                96.0 / series.points.len().max(1) as f64,
                (p.value / max * 100.0).max(0.0)
            );
        }
        s.push_str("))\n");
        let _ = write!(
            s,
            "#table(columns: (auto, auto, 1fr), align: (left, right, left), table.header([*#{}*], [*#{}*], [*#{}*]),",
            lit(w.year),
            lit(&series.unit),
            lit(w.source)
        );
        for p in &series.points {
            if !sources.contains(&p.source.as_str()) {
                sources.push(&p.source);
            }
            let n = sources.iter().position(|x| *x == p.source).expect("just added") + 1;
            let quote = p.citation.as_ref().map(|c| format!(" “{c}”")).unwrap_or_default();
            let _ = write!(s, " {}, {}, text(size: 7.5pt, {}),", text(&period(p)), text(&number(p.value)), text(&format!("[{n}] {}{quote}", p.source)));
        }
        s.push_str(")\n");
    }

    for sec in b.sections.iter().filter(|x| x.kind == SectionKind::Recommendations) {
        section(&mut s, sec, &mut mark);
    }
    if !order.is_empty() {
        let _ = writeln!(s, "#heading(level: 2, {})", text(sw.cited));
        for (i, id) in order.iter().enumerate() {
            let r = b.references.iter().find(|r| &r.id == id).expect("numbered only if known");
            let _ =
                writeln!(s, "#grid(columns: (2em, 1fr), {}, text(size: 8.5pt, {}))", text(&format!("[{}]", i + 1)), text(&format!("{} ({})", r.text, r.id)));
        }
    }
    if !sources.is_empty() {
        let _ = writeln!(s, "#heading(level: 2, {})", text(w.sources));
        for (i, src) in sources.iter().enumerate() {
            let _ = writeln!(s, "#grid(columns: (2em, 1fr), {}, text(size: 8.5pt, {}))", text(&format!("[{}]", i + 1)), text(src));
        }
    }
    for n in &b.notes {
        let _ = writeln!(s, "#text(size: 8pt, fill: luma(70), {})\n", text(n));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::lit;

    #[test]
    fn literals_cannot_break_out() {
        assert_eq!(lit("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(lit("#set page(width: 1pt) ] [ $x$ <l> @r"), "\"#set page(width: 1pt) ] [ $x$ <l> @r\"");
    }
}
