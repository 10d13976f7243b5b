//! The PDF of a SYNTHETIC briefing: made offline with the system's fonts, byte-identical when
//! remade, its text (Korean included) extractable, the archive state on every page.

use girok_publish::{Briefing, Cell, CrossTable, Reference, Section, SectionKind, Table};

fn briefing(lang: &str) -> Briefing {
    Briefing {
        title: "SYNTHETIC briefing: 합성 자료 브리핑 \"quoted\" #set [x]".into(),
        lang: lang.into(),
        as_of: "2026-12-01T00:00:00Z".into(),
        archive_state: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
        scope: "public records only".into(),
        min_cell: 5,
        tables: vec![Table {
            file: "acts-by-type.csv".into(),
            title: "Acts by type".into(),
            label_header: "Act type".into(),
            rows: vec![("강제송환 (forcible return)".into(), 40), ("공개처형".into(), 2), ("Torture".into(), 17)],
            ..Default::default()
        }],
        cross_tables: vec![CrossTable {
            file: "x.csv".into(),
            title: "Acts by year and type".into(),
            row_header: "Year".into(),
            rows: vec!["1999".into(), "2000".into()],
            cols: vec!["A".into(), "B".into()],
            counts: vec![vec![20, 3], vec![30, 40]],
            note: None,
        }],
        sections: vec![
            Section {
                kind: SectionKind::Narrative,
                heading: "고문과 가혹행위".into(),
                text: "증언에 따르면 **구타**가 있었다 [[evt-1]].\n\n- 첫째\n- 둘째".into(),
                recommendations: vec![],
            },
            Section {
                kind: SectionKind::Recommendations,
                heading: "Recommendations".into(),
                text: String::new(),
                recommendations: vec![girok_publish::Recommendation { to: "The government".into(), what: "End torture [[evt-1]]".into(), when: "now".into() }],
            },
        ],
        references: vec![Reference { id: "evt-1".into(), text: "Beating (synthetic), 1999".into() }],
        indicators: vec![],
        estimates: vec![],
        notes: vec!["Counts are of documented acts.".into()],
        outlines: vec![],
        provisions: vec![girok_publish::LawProvision {
            id: "law-1".into(),
            label: "형법 (1999), 제44조".into(),
            title: "합성 조항".into(),
            max_penalty: Some("사형".into()),
            text: "합성 조문: 국가를 전복하려는 음모".into(),
            text_other: "SYNTHETIC text of the article".into(),
            commentary: "couched in terms so broad (SYNTHETIC)".into(),
            source: "SYNTHETIC source".into(),
        }],
        closed: Some(girok_publish::Closed {
            areas: vec![],
            places: vec![("합성 수용소".into(), None)],
            facilities: 1,
            credit: "SYNTHETIC access attributes".into(),
        }),
    }
}

fn fonts() -> Vec<Vec<u8>> {
    crate::system_fonts().expect("fonts-nanum is installed by scripts/test.sh")
}

#[test]
fn the_pdf_is_byte_identical_when_remade() {
    let fonts = fonts();
    let a = crate::briefing_pdf(&briefing("ko"), &fonts).unwrap();
    assert!(a.starts_with(b"%PDF-"), "a PDF");
    assert_eq!(a, crate::briefing_pdf(&briefing("ko"), &fonts).unwrap());
    assert_ne!(a, crate::briefing_pdf(&briefing("en"), &fonts).unwrap(), "the language changes the document");
}

#[test]
fn its_text_extracts_with_the_korean_words_and_the_state_on_every_page() {
    let mut b = briefing("ko");
    // Enough rows for several pages.
    b.tables[0].rows.extend((0..150).map(|i| (format!("SYNTHETIC row {i}"), 10 + i as u64)));
    let pdf = crate::briefing_pdf(&b, &fonts()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out =
        std::process::Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output().expect("pdftotext (poppler-utils) is installed by scripts/test.sh");
    let text = String::from_utf8_lossy(&out.stdout);
    for word in [
        "고문과 가혹행위",
        "구타",
        "강제송환",
        "Recommendations",
        "The government",
        "Beating (synthetic), 1999",
        "[1]",
        "국내법 조항",
        "국가를 전복하려는 음모",
        "SYNTHETIC text of the article",
        "사형",
        "볼 수 없는 곳",
        "접근이 막힌 장소 1곳",
    ] {
        assert!(text.contains(word), "{word} not in the PDF's text:\n{text}");
    }
    assert!(!text.contains(">2<") && !text.lines().any(|l| l.trim_end().ends_with(" 2")), "the small cell is withheld:\n{text}");
    let pages = text.split('\u{c}').filter(|p| !p.trim().is_empty()).count();
    assert!(pages >= 3, "{pages} pages");
    for (i, page) in text.split('\u{c}').filter(|p| !p.trim().is_empty()).enumerate() {
        assert!(page.contains(&b.archive_state), "page {} lacks the archive state", i + 1);
        // pdftotext may drop the spaces around the slash.
        assert!(page.replace(' ', "").contains(&format!("{}/{pages}", i + 1)), "page {} lacks its number", i + 1);
    }
    assert!(matches!(girok_publish::suppress(&b.tables[0].rows, 5).rows[1].1, Cell::Withheld));
}

#[test]
fn user_text_cannot_become_typst_code() {
    let mut b = briefing("en");
    b.sections[0].text = "#set page(width: 1pt) #panic(\"x\") ] [ $x$".into();
    b.title = "\"); #panic(\"boom\"); (\"".into();
    let src = crate::typst_source(&b);
    assert!(!src.contains("#panic(\"boom\")"), "the title stays a string");
    let pdf = crate::briefing_pdf(&b, &fonts()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}
