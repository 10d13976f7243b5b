//! The briefing's files: one self-contained HTML page (inline SVG charts, no scripts, nothing
//! fetched from elsewhere), a CSV per table, and a manifest with every file's SHA-256 and the
//! archive state it was made from.

use sha2::{Digest, Sha256};

use crate::suppress::{suppress, Cell, Suppressed};

/// How a table is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Chart {
    /// Horizontal bars, one per row (categories).
    #[default]
    Bars,
    /// Vertical columns in row order (years).
    Columns,
    None,
}

/// One table of counts before suppression. `..Default::default()` gives bars, every row
/// charted, no map and no note.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// File name of its CSV, e.g. `acts-by-type.csv`.
    pub file: String,
    pub title: String,
    /// Heading of the label column.
    pub label_header: String,
    pub rows: Vec<(String, u64)>,
    pub chart: Chart,
    /// How many leading rows the chart draws (`None`: all). A trailing row such as "undated"
    /// belongs in the table and its total but not on a time axis.
    pub chart_rows: Option<usize>,
    /// For a table of places: each row's outline id in `Briefing::outlines` (`None` for a row
    /// with no outline, such as acts outside the provinces). The table is then also drawn as a map.
    pub map_ids: Option<Vec<Option<String>>>,
    pub note: Option<String>,
}

/// Everything a briefing says, already in the reader's language.
#[derive(Clone, Debug)]
pub struct Briefing {
    pub title: String,
    /// `en` or `ko`: the language of the page's own words.
    pub lang: String,
    /// The time of the archive state the counts describe (its newest audit entry), not the time
    /// of rendering: the same state and settings give byte-identical files, so a briefing can be
    /// made again and checked against its manifest.
    pub as_of: String,
    /// The hash of the archive's newest audit entry when it was made, so a holder of the
    /// archive can tie the briefing to one state of it.
    pub archive_state: String,
    /// Which records it counts, in words (e.g. "public records only").
    pub scope: String,
    /// Cells with fewer than this many are withheld.
    pub min_cell: u64,
    pub tables: Vec<Table>,
    /// Two-way tables, suppressed so no cell is recoverable from the margins.
    pub cross_tables: Vec<crate::CrossTable>,
    /// The organisation's own sections: narrative before the figures, recommendations after.
    pub sections: Vec<crate::Section>,
    /// The records the sections cite, resolved and checked at the briefing's level.
    pub references: Vec<crate::Reference>,
    /// Published figures the briefing quotes (infant mortality, malnutrition …), each value
    /// with its source: shown as they are, since they count no one in the archive.
    pub indicators: Vec<Series>,
    /// Estimates of what stays hidden, each always with its interval, lists and warnings.
    pub estimates: Vec<Estimate>,
    pub notes: Vec<String>,
    /// Outlines for tables that have `map_ids`.
    pub outlines: Vec<Outline>,
    /// Provisions of national law the acts cite, quoted after the tables.
    pub provisions: Vec<crate::LawProvision>,
    /// Areas and places closed to outside agencies: drawn on the map and said in a sentence.
    pub closed: Option<crate::Closed>,
}

impl Briefing {
    /// A briefing of text alone (no counts, no archive state): pages typeset from known words,
    /// as the OCR test and benchmark use.
    pub fn text_only(title: &str, lang: &str, sections: Vec<crate::Section>) -> Briefing {
        Briefing {
            title: title.into(),
            lang: lang.into(),
            as_of: String::new(),
            archive_state: String::new(),
            scope: String::new(),
            min_cell: 5,
            tables: vec![],
            cross_tables: vec![],
            sections,
            references: vec![],
            indicators: vec![],
            estimates: vec![],
            notes: vec![],
            outlines: vec![],
            provisions: vec![],
            closed: None,
        }
    }
}

/// An estimate of the victims no list recorded, for one act type, method by method.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Estimate {
    /// What is estimated, in the reader's language ("Forcible return from China").
    pub title: String,
    /// The lists (organisations) it rests on.
    pub lists: Vec<String>,
    /// Victims documented on at least one list.
    pub observed: u64,
    pub methods: Vec<MethodEstimate>,
    /// The assumptions every method here rests on, in plain words.
    pub assumptions: Vec<String>,
}

/// One method's answer: never a point without its interval.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MethodEstimate {
    pub method: String,
    pub estimate: f64,
    pub lower: f64,
    /// `None`: the data do not bound it above.
    pub upper: Option<f64>,
    pub model: String,
    pub warnings: Vec<String>,
    /// How far the total moves if the people no list recorded are harder to record.
    pub band: Option<Band>,
    /// The data cannot exclude strong heterogeneity: the figure is a lower bound.
    pub lower_bound: bool,
}

/// The sensitivity band: the total if the unrecorded are up to `psi` times as many as the
/// recorded patterns imply (from the method's lower limit to its upper limit at `psi`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Band {
    pub psi: f64,
    pub lower: f64,
    pub upper: Option<f64>,
}

/// An indicator series as the briefing quotes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// File name of its CSV, e.g. `indicator-infant-mortality.csv`.
    pub file: String,
    pub title: String,
    pub unit: String,
    pub points: Vec<Point>,
}

/// One value, for a year or a period, with where it comes from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Point {
    pub year: i32,
    pub to_year: Option<i32>,
    pub value: f64,
    /// The reference as it should be cited ("UNICEF, 1999 nutrition survey").
    pub source: String,
    /// The passage quoted, when the value cites one (title of the document and the words).
    pub citation: Option<String>,
}

/// One area of a map: its id (as in a table's `map_ids`; `None` for land drawn but not
/// counted) and its rings of (longitude, latitude) points, holes included.
#[derive(Clone, Debug, PartialEq)]
pub struct Outline {
    pub id: Option<String>,
    pub rings: Vec<Vec<(f64, f64)>>,
}

/// A file to write, relative to the output directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
    /// For a table's CSV: how many of its cells were withheld.
    pub withheld: Option<Withheld>,
}

/// Cells withheld from one table: small ones, and others withheld to protect them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Withheld {
    pub small: usize,
    pub protecting: usize,
}

/// The briefing's own words in its language, shared by every format it is rendered to.
pub struct Words {
    pub total: &'static str,
    pub count: &'static str,
    pub as_of: &'static str,
    pub state: &'static str,
    pub scope: &'static str,
    pub withheld: &'static str,
    pub method: &'static str,
    pub files: &'static str,
    pub legend: &'static str,
    pub legend_closed: &'static str,
    pub access: &'static str,
    pub indicators: &'static str,
    pub year: &'static str,
    pub source: &'static str,
    pub sources: &'static str,
    pub quote: &'static str,
    pub estimate: &'static str,
    pub estimate_sentence: &'static str,
    pub method_header: &'static str,
    pub model_header: &'static str,
    pub lists_header: &'static str,
    pub assumptions: &'static str,
    pub unbounded: &'static str,
    pub band_header: &'static str,
    pub band_sentence: &'static str,
    pub lower_bound: &'static str,
}

pub fn words(lang: &str) -> Words {
    if lang == "ko" {
        Words {
            total: "합계",
            count: "건수",
            as_of: "집계 기준",
            state: "기록 보관소 상태",
            scope: "범위",
            withheld: "비공개",
            method: "개인을 특정할 수 있는 작은 수치는 공개하지 않습니다: {k}건 미만인 칸은 비공개이며, 합계로 역산할 수 없도록 필요하면 다른 칸도 비공개로 합니다. 이름이나 식별자는 포함되지 않습니다.",
            files: "파일",
            legend: "진할수록 많음 · 빗금: 비공개 · 흰색: 0",
            legend_closed: " · 붉은 점선과 ×: 외부 접근 불가",
            access: "볼 수 없는 곳",
            indicators: "지표",
            year: "연도",
            source: "출처",
            sources: "출처 목록",
            quote: "인용",
            estimate: "드러나지 않은 피해 추정",
            estimate_sentence: "{lists}개 명단에 기록된 피해자는 {observed}명입니다. 명단들이 겹치는 정도로 보아 전체는 약 {n}명(95% 구간 {lower}–{upper}명, {method})으로 추정됩니다. 이는 추정이며 집계가 아닙니다.",
            method_header: "방법",
            model_header: "모형과 경고",
            lists_header: "근거 명단",
            assumptions: "이 추정이 기대는 가정:",
            unbounded: "상한 없음",
            band_header: "민감도 범위",
            band_sentence: "어느 명단에도 오르지 않은 사람이 기록된 유형이 시사하는 것보다 최대 {psi}배 많다면(모든 명단이 그들에게 닿기 더 어렵다면) 전체는 {lower}–{upper}명입니다.",
            lower_bound: "이 수치는 하한입니다: 명단들의 겹침은 일부 피해자가 모든 명단에서 기록되기 더 어렵다는 것을 배제하지 못하며, 그렇다면 실제 수는 더 큽니다.",
        }
    } else {
        Words {
            total: "Total",
            count: "Count",
            as_of: "Counts as of",
            state: "Archive state",
            scope: "Scope",
            withheld: "withheld",
            method: "Small counts can point at a witness, so cells with fewer than {k} are withheld, and where one withheld cell could be worked out from the total another is withheld with it. No names or identifiers are included.",
            files: "Files",
            legend: "darker: more · hatched: withheld · white: none",
            legend_closed: " · red dashes and ×: closed to outside agencies",
            access: "What cannot be seen",
            indicators: "Indicators",
            year: "Year",
            source: "Source",
            sources: "Sources",
            quote: "Quoted passage",
            estimate: "What stays hidden",
            estimate_sentence: "{observed} victims are documented on {lists} lists. From how the lists overlap, the total is estimated at about {n} (95% interval {lower} to {upper}; {method}). This is an estimate, not a count.",
            method_header: "Method",
            model_header: "Model and warnings",
            lists_header: "Lists",
            assumptions: "What the estimate assumes:",
            unbounded: "unbounded",
            band_header: "Sensitivity band",
            band_sentence: "If the people no list recorded are up to {psi} times as many as the recorded patterns imply (because every list finds them harder to reach), the total lies between {lower} and {upper}.",
            lower_bound: "This figure is a lower bound: the overlaps between the lists cannot exclude that some victims are harder for every list to record, and then the true number is higher.",
        }
    }
}

/// An upper limit as printed: a whole number, or "unbounded".
pub fn upper_text(upper: Option<f64>, w: &Words) -> String {
    upper.map(|u| format!("{u:.0}")).unwrap_or_else(|| w.unbounded.to_string())
}

/// A method's sensitivity band as a table cell: "1500–2600 (ψ ≤ 3)".
pub fn band_cell(m: &MethodEstimate, w: &Words) -> String {
    m.band.as_ref().map(|b| format!("{:.0}–{} (ψ ≤ {})", b.lower, upper_text(b.upper, w), b.psi)).unwrap_or_default()
}

/// What an estimate says in words, from its first method: the sentence with its interval,
/// the lower-bound warning when it applies, and the sensitivity band. Every format of the
/// briefing prints exactly these.
pub struct EstimateWords {
    pub sentence: String,
    pub lower_bound: Option<&'static str>,
    pub band: Option<String>,
}

pub fn estimate_words(e: &Estimate, w: &Words) -> Option<EstimateWords> {
    let first = e.methods.first()?;
    let sentence = w
        .estimate_sentence
        .replace("{observed}", &e.observed.to_string())
        .replace("{lists}", &e.lists.len().to_string())
        .replace("{n}", &format!("{:.0}", first.estimate))
        .replace("{lower}", &format!("{:.0}", first.lower))
        .replace("{upper}", &upper_text(first.upper, w))
        .replace("{method}", &first.method);
    let band = first.band.as_ref().map(|b| {
        w.band_sentence.replace("{psi}", &format!("{}", b.psi)).replace("{lower}", &format!("{:.0}", b.lower)).replace("{upper}", &upper_text(b.upper, w))
    });
    Some(EstimateWords { sentence, lower_bound: first.lower_bound.then_some(w.lower_bound), band })
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One CSV field: quoted when needed, and a leading formula character neutralised so a
/// spreadsheet opening the file does not run it.
pub(crate) fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A published cell: its count, or `<k` when withheld.
pub fn cell_text(c: Cell, k: u64) -> String {
    match c {
        Cell::Shown(n) => n.to_string(),
        Cell::Withheld => format!("<{k}"),
    }
}

fn csv(t: &Table, s: &Suppressed, k: u64, w: &Words) -> String {
    let mut out = format!("{},{}\n", csv_field(&t.label_header), csv_field(w.count));
    for (label, c) in &s.rows {
        out.push_str(&format!("{},{}\n", csv_field(label), csv_field(&cell_text(*c, k))));
    }
    out.push_str(&format!("{},{}\n", csv_field(w.total), csv_field(&cell_text(s.total, k))));
    out
}

const FONT: &str = "'Noto Sans KR','NanumGothic','Malgun Gothic',system-ui,sans-serif";

fn bars_svg(s: &Suppressed, k: u64, w: &Words) -> String {
    let max = s.rows.iter().filter_map(|r| if let Cell::Shown(n) = r.1 { Some(n) } else { None }).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (340.0, 300.0, 22.0);
    let height = row_h * s.rows.len() as f64 + 4.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {height}\" width=\"100%\" role=\"img\" font-family=\"{FONT}\" font-size=\"12\">",
        label_w + bar_w + 70.0
    );
    for (i, (label, c)) in s.rows.iter().enumerate() {
        let y = i as f64 * row_h + 2.0;
        svg.push_str(&format!("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", label_w - 6.0, y + 15.0, esc(&truncate(label, 48))));
        match c {
            Cell::Shown(n) => {
                let len = bar_w * *n as f64 / max as f64;
                svg.push_str(&format!("<rect x=\"{label_w}\" y=\"{}\" width=\"{len:.1}\" height=\"{}\" fill=\"#3b6ea5\"/>", y + 3.0, row_h - 6.0));
                svg.push_str(&format!("<text x=\"{:.1}\" y=\"{}\">{n}</text>", label_w + len + 4.0, y + 15.0));
            }
            Cell::Withheld => {
                svg.push_str(&format!("<text x=\"{}\" y=\"{}\" fill=\"#777\">&lt;{k} ({})</text>", label_w + 4.0, y + 15.0, esc(w.withheld)));
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

fn columns_svg(s: &Suppressed, rows: usize) -> String {
    let s = &Suppressed { rows: s.rows[..rows.min(s.rows.len())].to_vec(), ..s.clone() };
    let max = s.rows.iter().filter_map(|r| if let Cell::Shown(n) = r.1 { Some(n) } else { None }).max().unwrap_or(0).max(1);
    let (col_w, plot_h) = (18.0, 160.0);
    let width = col_w * s.rows.len() as f64 + 40.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {}\" width=\"100%\" role=\"img\" font-family=\"{FONT}\" font-size=\"10\">",
        plot_h + 50.0
    );
    svg.push_str(&format!(
        "<text x=\"2\" y=\"12\">{max}</text><line x1=\"30\" y1=\"{}\" x2=\"{width}\" y2=\"{}\" stroke=\"#999\"/>",
        plot_h + 10.0,
        plot_h + 10.0
    ));
    for (i, (label, c)) in s.rows.iter().enumerate() {
        let x = 32.0 + i as f64 * col_w;
        match c {
            Cell::Shown(n) => {
                let h = plot_h * *n as f64 / max as f64;
                svg.push_str(&format!(
                    "<rect x=\"{x}\" y=\"{:.1}\" width=\"{}\" height=\"{h:.1}\" fill=\"#3b6ea5\"><title>{}: {n}</title></rect>",
                    plot_h + 10.0 - h,
                    col_w - 3.0,
                    esc(label)
                ));
            }
            Cell::Withheld => {
                svg.push_str(&format!("<text x=\"{}\" y=\"{}\" fill=\"#777\">·</text>", x + 5.0, plot_h + 6.0));
            }
        }
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" transform=\"rotate(-60 {} {})\" text-anchor=\"end\">{}</text>",
            x + 10.0,
            plot_h + 22.0,
            x + 10.0,
            plot_h + 22.0,
            esc(&truncate(label, 12))
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A choropleth of the suppressed counts: shown counts shaded (square-root scale), withheld
/// ones hatched, zeros white; outlines without a row drawn plain.
fn map_svg(s: &Suppressed, ids: &[Option<String>], outlines: &[Outline], closed: Option<&crate::Closed>, w: &Words) -> Option<String> {
    let all = outlines.iter().flat_map(|o| o.rings.iter().flatten());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in all {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 >= x1 || y0 >= y1 {
        return None;
    }
    // Equirectangular, x shrunk by cos(latitude): close enough at this size and latitude.
    let kx = ((y0 + y1) / 2.0).to_radians().cos();
    let width = 480.0;
    let scale = width / ((x1 - x0) * kx);
    let height = (y1 - y0) * scale;
    let cell_of: std::collections::HashMap<&str, Cell> = ids.iter().zip(&s.rows).filter_map(|(id, (_, c))| id.as_deref().map(|id| (id, *c))).collect();
    let max = cell_of.values().filter_map(|c| if let Cell::Shown(n) = c { Some(*n) } else { None }).max().unwrap_or(0).max(1);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {:.0}\" width=\"{width}\" role=\"img\" font-family=\"{FONT}\" font-size=\"11\">\
         <defs><pattern id=\"withheld\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <rect width=\"6\" height=\"6\" fill=\"#eee\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#999\" stroke-width=\"2\"/></pattern></defs>",
        height + 20.0
    );
    for o in outlines {
        let fill = match o.id.as_deref().and_then(|i| cell_of.get(i)) {
            Some(Cell::Shown(0)) => "#ffffff".to_string(),
            Some(Cell::Shown(n)) => {
                let t = (*n as f64 / max as f64).sqrt();
                let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
                format!("#{:02x}{:02x}{:02x}", mix(222.0, 29.0), mix(235.0, 78.0), mix(247.0, 137.0))
            }
            Some(Cell::Withheld) => "url(#withheld)".to_string(),
            None => "#f6f6f6".to_string(),
        };
        let mut d = String::new();
        for ring in &o.rings {
            for (i, (x, y)) in ring.iter().enumerate() {
                d.push_str(&format!("{}{:.1},{:.1}", if i == 0 { "M" } else { "L" }, (x - x0) * kx * scale, (y1 - y) * scale));
            }
            d.push('Z');
        }
        svg.push_str(&format!("<path d=\"{d}\" fill=\"{fill}\" stroke=\"#555\" stroke-width=\"0.6\"/>"));
    }
    // Closed areas on top, so their border is not hidden by a neighbour's.
    let mut legend = w.legend.to_string();
    if let Some(c) = closed.filter(|c| !c.areas.is_empty() || !c.places.is_empty()) {
        for o in outlines.iter().filter(|o| o.id.as_deref().is_some_and(|id| c.areas.iter().any(|(a, _)| a == id))) {
            let mut d = String::new();
            for ring in &o.rings {
                for (i, (x, y)) in ring.iter().enumerate() {
                    d.push_str(&format!("{}{:.1},{:.1}", if i == 0 { "M" } else { "L" }, (x - x0) * kx * scale, (y1 - y) * scale));
                }
                d.push('Z');
            }
            svg.push_str(&format!("<path d=\"{d}\" fill=\"none\" stroke=\"#b00020\" stroke-width=\"1.8\" stroke-dasharray=\"4 2\"/>"));
        }
        for (_, at) in &c.places {
            let Some((lon, lat)) = at else { continue };
            let (x, y) = ((lon - x0) * kx * scale, (y1 - lat) * scale);
            svg.push_str(&format!(
                "<path d=\"M{:.1},{:.1}L{:.1},{:.1}M{:.1},{:.1}L{:.1},{:.1}\" stroke=\"#b00020\" stroke-width=\"1.6\"/>",
                x - 3.0,
                y - 3.0,
                x + 3.0,
                y + 3.0,
                x - 3.0,
                y + 3.0,
                x + 3.0,
                y - 3.0
            ));
        }
        legend.push_str(w.legend_closed);
    }
    svg.push_str(&format!("<text x=\"0\" y=\"{:.0}\" fill=\"#555\">{}</text></svg>", height + 16.0, esc(&legend)));
    Some(svg)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

fn html(b: &Briefing, done: &[(&Table, Suppressed)], cross: &[(&crate::CrossTable, crate::Suppressed2)], w: &Words) -> String {
    let k = b.min_cell;
    let mut h = String::new();
    h.push_str(&format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title>\
         <style>body{{font-family:{FONT};max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}}\
         table{{border-collapse:collapse;margin:.5rem 0 1.5rem}}td,th{{padding:.2rem .8rem;border-bottom:1px solid #ddd;text-align:left}}\
         td.n{{text-align:right;font-variant-numeric:tabular-nums}}.wide{{overflow-x:auto}}table.cross td,table.cross th{{padding:.2rem .4rem;font-size:.85rem}}.meta{{color:#555;font-size:.9rem}}.note{{color:#555;font-size:.9rem}}</style></head><body>\n",
        if b.lang == "ko" { "ko" } else { "en" },
        esc(&b.title)
    ));
    h.push_str(&format!("<h1>{}</h1>\n", esc(&b.title)));
    h.push_str(&format!(
        "<p class=\"meta\">{}: {} · {}: {} · {}: <code>{}</code></p>\n",
        esc(w.as_of),
        esc(&b.as_of),
        esc(w.scope),
        esc(&b.scope),
        esc(w.state),
        esc(&b.archive_state)
    ));
    h.push_str(&format!("<p class=\"note\">{}</p>\n", esc(&w.method.replace("{k}", &k.to_string()))));
    let sw = crate::sections::words(&b.lang);
    let mut numbers = crate::sections::Numbering::new(&b.references);
    for s in b.sections.iter().filter(|s| s.kind == crate::SectionKind::Narrative) {
        h.push_str(&crate::sections::html(s, &mut numbers, &sw));
    }
    let access = b.closed.as_ref().and_then(|c| crate::access::sentence(c, &b.outlines, &b.lang).map(|s| (s, &c.credit)));
    let access_html = |(sentence, credit): &(String, &String)| -> String {
        let credit = if credit.is_empty() { String::new() } else { format!("<p class=\"note\">{}</p>\n", esc(credit)) };
        format!("<h3>{}</h3>\n<p><b>{}</b></p>\n{credit}", esc(w.access), esc(sentence))
    };
    let mut access_said = false;
    for (t, s) in done {
        h.push_str(&format!("<h2>{}</h2>\n", esc(&t.title)));
        if let Some(ids) = &t.map_ids {
            if let Some(svg) = map_svg(s, ids, &b.outlines, b.closed.as_ref(), w) {
                h.push_str(&svg);
                h.push('\n');
            }
        }
        match t.chart {
            Chart::Bars => h.push_str(&bars_svg(s, k, w)),
            Chart::Columns => h.push_str(&columns_svg(s, t.chart_rows.unwrap_or(usize::MAX))),
            Chart::None => {}
        }
        h.push_str(&format!("\n<table><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>\n", esc(&t.label_header), esc(w.count)));
        for (label, c) in &s.rows {
            h.push_str(&format!("<tr><td>{}</td><td class=\"n\">{}</td></tr>\n", esc(label), esc(&cell_text(*c, k))));
        }
        h.push_str(&format!("<tr><th>{}</th><td class=\"n\"><b>{}</b></td></tr>\n</tbody></table>\n", esc(w.total), esc(&cell_text(s.total, k))));
        if let Some(n) = &t.note {
            h.push_str(&format!("<p class=\"note\">{}</p>\n", esc(n)));
        }
        if let (Some(a), Some(_), false) = (&access, &t.map_ids, access_said) {
            h.push_str(&access_html(a));
            access_said = true;
        }
    }
    if let (Some(a), false) = (&access, access_said) {
        h.push_str(&access_html(a));
    }
    h.push_str(&crate::law::html(&b.provisions, &b.lang));
    for (t, s) in cross {
        h.push_str(&crate::cross::html(t, s, k, w.total));
    }
    for e in &b.estimates {
        h.push_str(&format!("<h2>{}: {}</h2>\n", esc(w.estimate), esc(&e.title)));
        if let Some(ew) = estimate_words(e, w) {
            h.push_str(&format!("<p>{}</p>\n", esc(&ew.sentence)));
            if let Some(lb) = ew.lower_bound {
                h.push_str(&format!("<p><b>{}</b></p>\n", esc(lb)));
            }
            if let Some(band) = &ew.band {
                h.push_str(&format!("<p>{}</p>\n", esc(band)));
            }
        }
        h.push_str(&format!(
            "<table><thead><tr><th>{}</th><th>N</th><th>95%</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
            esc(w.method_header),
            esc(w.band_header),
            esc(w.model_header)
        ));
        for m in &e.methods {
            let upper = upper_text(m.upper, w);
            let band = band_cell(m, w);
            let warnings: String = m.warnings.iter().map(|x| format!("<br><span class=\"note\">{}</span>", esc(x))).collect();
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{:.0}</td><td class=\"n\">{:.0}–{}</td><td class=\"n\">{}</td><td>{}{warnings}</td></tr>\n",
                esc(&m.method),
                m.estimate,
                m.lower,
                esc(&upper),
                esc(&band),
                esc(&m.model)
            ));
        }
        h.push_str("</tbody></table>\n");
        h.push_str(&format!("<p class=\"note\">{}: {}</p>\n", esc(w.lists_header), esc(&e.lists.join(", "))));
        h.push_str(&format!("<p class=\"note\">{}</p>\n<ul class=\"note\">\n", esc(w.assumptions)));
        for a in &e.assumptions {
            h.push_str(&format!("<li>{}</li>\n", esc(a)));
        }
        h.push_str("</ul>\n");
    }
    let mut sources: Vec<&str> = Vec::new();
    if !b.indicators.is_empty() {
        h.push_str(&format!("<h2>{}</h2>\n", esc(w.indicators)));
    }
    for series in &b.indicators {
        h.push_str(&format!("<h3>{} <span class=\"meta\">({})</span></h3>\n", esc(&series.title), esc(&series.unit)));
        h.push_str(&series_svg(series));
        h.push_str(&format!("\n<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n", esc(w.year), esc(&series.unit), esc(w.source)));
        for p in &series.points {
            if !sources.contains(&p.source.as_str()) {
                sources.push(&p.source);
            }
            let n = sources.iter().position(|s| *s == p.source).expect("just added") + 1;
            let quote = p.citation.as_ref().map(|c| format!("<br><span class=\"note\">“{}”</span>", esc(c))).unwrap_or_default();
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td>[{n}] {}{quote}</td></tr>\n",
                esc(&period(p)),
                esc(&number(p.value)),
                esc(&p.source)
            ));
        }
        h.push_str("</tbody></table>\n");
    }
    for s in b.sections.iter().filter(|s| s.kind == crate::SectionKind::Recommendations) {
        h.push_str(&crate::sections::html(s, &mut numbers, &sw));
    }
    h.push_str(&crate::sections::cited(&numbers, &sw));
    if !sources.is_empty() {
        h.push_str(&format!("<h2>{}</h2>\n<ol>\n", esc(w.sources)));
        for s in &sources {
            h.push_str(&format!("<li>{}</li>\n", esc(s)));
        }
        h.push_str("</ol>\n");
    }
    for n in &b.notes {
        h.push_str(&format!("<p class=\"note\">{}</p>\n", esc(n)));
    }
    let mut names: Vec<String> = done.iter().map(|(t, _)| esc(&t.file)).collect();
    names.extend(cross.iter().map(|(t, _)| esc(&t.file)));
    names.extend(b.indicators.iter().map(|s| esc(&s.file)));
    h.push_str(&format!("<p class=\"meta\">{}: {}, manifest.json</p>\n</body></html>\n", esc(w.files), names.join(", ")));
    h
}

/// "1993" or "1993–1995".
pub fn period(p: &Point) -> String {
    match p.to_year {
        Some(t) if t != p.year => format!("{}–{t}", p.year),
        _ => p.year.to_string(),
    }
}

/// A value as published: no trailing zeros, no exponent.
pub fn number(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A series as columns in year order, each labelled with its value.
fn series_svg(series: &Series) -> String {
    let max = series.points.iter().map(|p| p.value).fold(0.0f64, f64::max).max(f64::MIN_POSITIVE);
    let (col_w, plot_h) = (46.0, 120.0);
    let width = col_w * series.points.len() as f64 + 10.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {}\" width=\"{}\" role=\"img\" font-family=\"{FONT}\" font-size=\"10\">",
        plot_h + 40.0,
        width.min(640.0)
    );
    for (i, p) in series.points.iter().enumerate() {
        let x = 6.0 + i as f64 * col_w;
        let hgt = if p.value > 0.0 { plot_h * p.value / max } else { 0.0 };
        svg.push_str(&format!("<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{}\" height=\"{hgt:.1}\" fill=\"#a5633b\"/>", 14.0 + plot_h - hgt, col_w - 10.0));
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x + (col_w - 10.0) / 2.0,
            10.0 + plot_h - hgt,
            esc(&number(p.value))
        ));
        svg.push_str(&format!("<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>", x + (col_w - 10.0) / 2.0, plot_h + 28.0, esc(&period(p))));
    }
    svg.push_str("</svg>");
    svg
}

fn series_csv(series: &Series, w: &Words) -> String {
    let mut out = format!("{},{},{},{},{}\n", csv_field(w.year), csv_field("to_year"), csv_field(&series.unit), csv_field(w.source), csv_field(w.quote));
    for p in &series.points {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            p.year,
            p.to_year.map(|t| t.to_string()).unwrap_or_default(),
            number(p.value),
            csv_field(&p.source),
            csv_field(p.citation.as_deref().unwrap_or(""))
        ));
    }
    out
}

/// Renders the briefing: the CSV tables, `briefing.html`, and last `manifest.json` with the
/// SHA-256 of each of the others.
pub fn render(b: &Briefing) -> Vec<File> {
    render_with(b, Vec::new())
}

/// The same, with files rendered elsewhere from the same briefing (its PDF) listed in the
/// manifest beside the others.
pub fn render_with(b: &Briefing, extra: Vec<File>) -> Vec<File> {
    let w = words(&b.lang);
    let done: Vec<(&Table, Suppressed)> = b.tables.iter().map(|t| (t, suppress(&t.rows, b.min_cell))).collect();
    let mut files: Vec<File> = done
        .iter()
        .map(|(t, s)| File {
            name: t.file.clone(),
            bytes: csv(t, s, b.min_cell, &w).into_bytes(),
            withheld: Some(Withheld { small: s.primary, protecting: s.secondary }),
        })
        .collect();
    let cross: Vec<(&crate::CrossTable, crate::Suppressed2)> = b.cross_tables.iter().map(|t| (t, t.suppressed(b.min_cell))).collect();
    files.extend(cross.iter().map(|(t, s)| File {
        name: t.file.clone(),
        bytes: crate::cross::csv(t, s, b.min_cell, w.total).into_bytes(),
        withheld: Some(Withheld { small: s.primary, protecting: s.secondary }),
    }));
    files.extend(b.indicators.iter().map(|s| File { name: s.file.clone(), bytes: series_csv(s, &w).into_bytes(), withheld: None }));
    files.push(File { name: "briefing.html".into(), bytes: html(b, &done, &cross, &w).into_bytes(), withheld: None });
    files.extend(extra);
    let listed: Vec<serde_json::Value> =
        files.iter().map(|f| serde_json::json!({ "name": f.name, "bytes": f.bytes.len(), "sha256": hex::encode(Sha256::digest(&f.bytes)) })).collect();
    let withheld: serde_json::Map<String, serde_json::Value> =
        files.iter().filter_map(|f| f.withheld.map(|w| (f.name.clone(), serde_json::json!({ "small": w.small, "protecting": w.protecting })))).collect();
    let manifest = serde_json::json!({
        "generator": "girok publish",
        "title": b.title,
        "as_of": b.as_of,
        "archive_state": b.archive_state,
        "scope": b.scope,
        "min_cell": b.min_cell,
        "files": listed,
        "withheld_cells": withheld,
    });
    files.push(File { name: "manifest.json".into(), bytes: (serde_json::to_string_pretty(&manifest).expect("json") + "\n").into_bytes(), withheld: None });
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn briefing() -> Briefing {
        Briefing {
            title: "Synthetic briefing <test>".into(),
            lang: "en".into(),
            as_of: "2026-11-27T00:00:00Z".into(),
            archive_state: "seq 9, abc123".into(),
            scope: "public records only".into(),
            min_cell: 5,
            tables: vec![
                Table {
                    file: "acts-by-type.csv".into(),
                    title: "Acts by type".into(),
                    label_header: "Act type".into(),
                    rows: vec![("Torture".into(), 40), ("<script>alert(1)</script>".into(), 2), ("=HYPERLINK(\"x\")".into(), 7)],
                    ..Default::default()
                },
                Table {
                    file: "acts-by-year.csv".into(),
                    title: "Acts by year".into(),
                    label_header: "Year".into(),
                    rows: vec![("1997".into(), 12), ("1998".into(), 0), ("1999".into(), 37)],
                    chart: Chart::Columns,
                    chart_rows: Some(3),
                    note: Some("synthetic".into()),
                    ..Default::default()
                },
            ],
            cross_tables: vec![],
            sections: vec![],
            references: vec![],
            indicators: vec![],
            estimates: vec![],
            notes: vec![],
            outlines: Vec::new(),
            provisions: Vec::new(),
            closed: None,
        }
    }

    #[test]
    fn sections_cite_records_by_number_and_recommendations_say_to_whom_what_when() {
        let mut b = briefing();
        b.sections = vec![
            crate::Section {
                kind: crate::SectionKind::Recommendations,
                heading: "Recommendations".into(),
                text: "The government should:".into(),
                recommendations: vec![crate::Recommendation {
                    to: "Ministry of <State> Security".into(),
                    what: "End torture in holding centres [[evt-2]]".into(),
                    when: "immediately".into(),
                }],
            },
            crate::Section {
                kind: crate::SectionKind::Narrative,
                heading: "Torture and ill-treatment".into(),
                text: "Witnesses describe **beatings** [[evt-1]] and [[evt-2]]; again [[evt-1]].".into(),
                recommendations: vec![],
            },
        ];
        b.references = vec![
            crate::Reference { id: "evt-1".into(), text: "Beating at a holding centre (1999, Onsong)".into() },
            crate::Reference { id: "evt-2".into(), text: "Interrogation <after> return (2003)".into() },
        ];
        let html = text(&render(&b), "briefing.html");
        let narrative = html.find("Torture and ill-treatment").unwrap();
        let tables = html.find("Acts by type").unwrap();
        let recs = html.find("<h2>Recommendations</h2>").unwrap();
        assert!(narrative < tables && tables < recs, "narrative first, the evidence, then recommendations");
        assert!(html.contains("<strong>beatings</strong> <sup><a href=\"#ref-1\">[1]</a></sup> and <sup><a href=\"#ref-2\">[2]</a></sup>; again <sup><a href=\"#ref-1\">[1]</a></sup>"), "{html}");
        assert!(
            html.contains(
                "<td>Ministry of &lt;State&gt; Security</td><td>End torture in holding centres <sup><a href=\"#ref-2\">[2]</a></sup></td><td>immediately</td>"
            ),
            "{html}"
        );
        assert!(html.contains("<li id=\"ref-2\">Interrogation &lt;after&gt; return (2003) <span class=\"meta\">(evt-2)</span></li>"), "{html}");
        assert_eq!(render(&b), render(&b), "byte-identical");
    }

    #[test]
    fn a_two_way_table_publishes_no_recoverable_small_cell() {
        let mut b = briefing();
        b.cross_tables = vec![crate::CrossTable {
            file: "acts-by-year-and-type.csv".into(),
            title: "Acts by year and type".into(),
            row_header: "Year".into(),
            rows: vec!["1997".into(), "1998".into()],
            cols: vec!["Torture".into(), "<b>Detention</b>".into(), "Execution".into()],
            counts: vec![vec![20, 2, 30], vec![25, 40, 35]],
            note: None,
        }];
        let files = render(&b);
        let csv = text(&files, "acts-by-year-and-type.csv");
        assert!(csv.starts_with("Year,Torture,<b>Detention</b>,Execution,Total\n"), "{csv}");
        // 2 is withheld, and with it a rectangle, so neither its row nor its column gives it back.
        let withheld = csv.matches("<5").count();
        assert!(withheld >= 4, "{csv}");
        assert!(csv.ends_with("Total,45,<5,<5,152\n") || csv.lines().last().unwrap().ends_with(",152"), "{csv}");
        let html = text(&files, "briefing.html");
        assert!(html.contains("&lt;b&gt;Detention&lt;/b&gt;") && html.contains("class=\"cross\""), "escaped: {html}");
        let m: serde_json::Value = serde_json::from_slice(&files.last().unwrap().bytes).unwrap();
        assert_eq!(m["withheld_cells"]["acts-by-year-and-type.csv"]["small"], 1);
    }

    fn text(files: &[File], name: &str) -> String {
        String::from_utf8(files.iter().find(|f| f.name == name).unwrap().bytes.clone()).unwrap()
    }

    #[test]
    fn small_cells_never_reach_any_file() {
        let files = render(&briefing());
        let csv = text(&files, "acts-by-type.csv");
        // 2 is small; alone it would follow from the total 49, so 7 goes with it.
        assert!(csv.contains("\"<script>alert(1)</script>\",<5\n") || csv.contains("<script>alert(1)</script>,<5\n"), "{csv}");
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\",<5\n"), "formula neutralised and withheld: {csv}");
        assert!(csv.ends_with("Total,49\n"), "{csv}");
        let html = text(&files, "briefing.html");
        assert!(!html.contains("<script"), "labels are escaped");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("Synthetic briefing &lt;test&gt;"));
        for small in [">2<", ">7<"] {
            assert!(!html.contains(small), "{small} appears in the page");
        }
        assert!(html.contains("default-src 'none'"), "the page fetches nothing");
    }

    #[test]
    fn the_manifest_hashes_every_other_file() {
        let files = render(&briefing());
        assert_eq!(files.last().unwrap().name, "manifest.json");
        let m: serde_json::Value = serde_json::from_slice(&files.last().unwrap().bytes).unwrap();
        let listed = m["files"].as_array().unwrap();
        assert_eq!(listed.len(), files.len() - 1);
        for (f, l) in files.iter().zip(listed) {
            assert_eq!(l["name"], f.name.as_str());
            assert_eq!(l["sha256"], hex::encode(Sha256::digest(&f.bytes)).as_str());
        }
        assert_eq!(m["withheld_cells"]["acts-by-type.csv"]["small"], 1);
        assert_eq!(m["withheld_cells"]["acts-by-type.csv"]["protecting"], 1);
        assert_eq!(m["archive_state"], "seq 9, abc123");
    }

    /// Two square SYNTHETIC provinces, and a table of acts by province whose first two rows
    /// are theirs (a third row, if any, has no outline).
    fn province_map(rows: Vec<(String, u64)>) -> Briefing {
        let square = |id: &str, x: f64| Outline { id: Some(id.into()), rings: vec![vec![(x, 38.0), (x + 1.0, 38.0), (x + 1.0, 39.0), (x, 39.0), (x, 38.0)]] };
        let mut b = briefing();
        b.outlines = vec![square("p1", 125.0), square("p2", 127.0)];
        let map_ids = (0..rows.len()).map(|i| [Some("p1".to_string()), Some("p2".to_string())].get(i).cloned().flatten()).collect();
        b.tables = vec![Table {
            file: "acts-by-province.csv".into(),
            title: "Acts by province".into(),
            label_header: "Province".into(),
            rows,
            map_ids: Some(map_ids),
            ..Default::default()
        }];
        b
    }

    #[test]
    fn a_table_of_places_is_also_a_map_with_withheld_areas_hatched() {
        let mut b = province_map(vec![("Synthetic Province One".into(), 40), ("Synthetic Province Two".into(), 2), ("no province recorded".into(), 10)]);
        let html = text(&render(&b), "briefing.html");
        let paths: Vec<&str> = html.split("<path ").skip(1).collect();
        assert_eq!(paths.len(), 2, "one path per outline");
        assert!(paths[0].contains("fill=\"#1d4e89\""), "the largest shown count is darkest: {}", paths[0]);
        assert!(paths[1].contains("fill=\"url(#withheld)\""), "the withheld province is hatched: {}", paths[1]);
        assert!(!html.contains(">2<") && !html.contains(">10<"), "neither withheld count is printed");
        // Without outlines, no map and no error.
        b.outlines = Vec::new();
        assert!(!text(&render(&b), "briefing.html").contains("<path "));
    }

    #[test]
    fn closed_areas_are_drawn_and_said_and_the_law_is_quoted_escaped() {
        let mut b = province_map(vec![("Synthetic Province One".into(), 40), ("Synthetic Province Two".into(), 20)]);
        b.closed = Some(crate::Closed {
            areas: vec![("p2".into(), "Synthetic Province Two".into())],
            places: vec![("Synthetic camp".into(), Some((125.5, 38.5)))],
            facilities: 1,
            credit: "Access as recorded in the archive (SYNTHETIC)".into(),
        });
        b.provisions = vec![crate::LawProvision {
            id: "law-x".into(),
            label: "Synthetic Code, art. 1".into(),
            title: "<b>offence</b>".into(),
            max_penalty: Some("death penalty".into()),
            text: "SYNTHETIC text".into(),
            text_other: String::new(),
            commentary: "said of it".into(),
            source: "SYNTHETIC source".into(),
        }];
        let html = text(&render(&b), "briefing.html");
        assert!(html.contains("stroke=\"#b00020\" stroke-width=\"1.8\""), "the closed province has a red border");
        assert!(html.contains("stroke-width=\"1.6\""), "the closed place is marked");
        assert!(html.contains("Closed to outside agencies: Synthetic Province Two (about 50% of the land mapped)"), "{html}");
        assert!(html.contains("Also closed: 1 place elsewhere, a detention facility"));
        assert!(html.contains("Access as recorded in the archive (SYNTHETIC)"));
        assert!(html.contains("<h3 id=\"law-x\">Synthetic Code, art. 1: &lt;b&gt;offence&lt;/b&gt;</h3>"), "{html}");
        assert!(html.contains("<blockquote>SYNTHETIC text</blockquote>") && html.contains("death penalty"));
    }

    #[test]
    fn indicators_are_quoted_with_their_sources_and_listed_at_the_end() {
        let mut b = briefing();
        b.indicators = vec![Series {
            file: "indicator-infant-mortality.csv".into(),
            title: "Infant mortality (synthetic)".into(),
            unit: "per 1,000 live births".into(),
            points: vec![
                Point { year: 1993, to_year: None, value: 27.0, source: "Synthetic survey A <1994>".into(), citation: Some("27 per thousand".into()) },
                Point { year: 1999, to_year: Some(2000), value: 48.5, source: "Synthetic survey B".into(), citation: None },
                Point { year: 2001, to_year: None, value: 45.0, source: "Synthetic survey A <1994>".into(), citation: None },
            ],
        }];
        let files = render(&b);
        let html = String::from_utf8(files.iter().find(|f| f.name == "briefing.html").unwrap().bytes.clone()).unwrap();
        assert!(html.contains("Infant mortality (synthetic)") && html.contains("1999–2000") && html.contains(">48.5<"), "{html}");
        assert!(
            html.contains("[1] Synthetic survey A &lt;1994&gt;") && html.contains("[2] Synthetic survey B") && html.contains("“27 per thousand”"),
            "{html}"
        );
        let sources = html.split("<h2>Sources</h2>").nth(1).expect("a source list at the end");
        assert_eq!(sources.matches("<li>").count(), 2, "each source once: {sources}");
        let csv = String::from_utf8(files.iter().find(|f| f.name == "indicator-infant-mortality.csv").unwrap().bytes.clone()).unwrap();
        assert!(csv.starts_with("Year,to_year,per 1,000 live births") || csv.starts_with("Year,to_year,\"per 1,000 live births\""), "{csv}");
        assert!(csv.contains("1999,2000,48.5,Synthetic survey B,"), "{csv}");
        // The series' file is in the manifest like every other.
        let manifest = String::from_utf8(files.last().unwrap().bytes.clone()).unwrap();
        assert!(manifest.contains("indicator-infant-mortality.csv"));
        assert_eq!(render(&b), files, "the same content gives the same bytes");
    }

    #[test]
    fn an_estimate_always_shows_its_interval_lists_and_assumptions() {
        let mut b = briefing();
        b.estimates = vec![Estimate {
            title: "Forcible return (synthetic)".into(),
            lists: vec!["Synthetic Project A".into(), "Synthetic Project B".into()],
            observed: 120,
            methods: vec![
                MethodEstimate {
                    method: "loglinear".into(),
                    estimate: 161.4,
                    lower: 140.2,
                    upper: Some(190.7),
                    model: "[1,2]".into(),
                    warnings: vec!["one warning".into()],
                    band: Some(Band { psi: 3.0, lower: 140.2, upper: Some(332.1) }),
                    lower_bound: true,
                },
                MethodEstimate {
                    method: "dga".into(),
                    estimate: 170.0,
                    lower: 141.0,
                    upper: None,
                    model: "graphs".into(),
                    warnings: vec![],
                    band: None,
                    lower_bound: false,
                },
            ],
            assumptions: vec!["The lists are independent <given the model>.".into()],
        }];
        let html = String::from_utf8(render(&b).into_iter().find(|f| f.name == "briefing.html").unwrap().bytes).unwrap();
        assert!(html.contains("120 victims are documented on 2 lists") && html.contains("about 161 (95% interval 140 to 191; loglinear)"), "{html}");
        assert!(html.contains("141–unbounded") && html.contains("one warning") && html.contains("Synthetic Project A, Synthetic Project B"), "{html}");
        assert!(html.contains("&lt;given the model&gt;"), "escaped");
        assert!(html.contains("This figure is a lower bound") && html.contains("up to 3 times as many") && html.contains("between 140 and 332"), "{html}");
        assert!(html.contains("140–332 (ψ ≤ 3)"), "the band beside the interval");
    }

    #[test]
    fn korean_page_words() {
        let mut b = briefing();
        b.lang = "ko".into();
        let html = text(&render(&b), "briefing.html");
        assert!(html.contains("<html lang=\"ko\">") && html.contains("합계") && html.contains("5건 미만"), "{html}");
    }
}
