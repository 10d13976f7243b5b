//! The counts and labels of a briefing for publication, in the reader's language, from the
//! index tables (no record is decoded). `girok-publish` decides what may be shown and renders.

use girok_core::model::{Access, Confidentiality, Kind, Place, PlaceKind, Record};
use girok_core::vocab::{List, Vocabulary};
use girok_publish::{Briefing, Chart, Closed, CrossTable, LawProvision, Outline, Point, Series, Table};

use crate::{ActCounts, Archive, StoreError};

/// What a briefing counts and how it speaks.
#[derive(Clone, Debug)]
pub struct BriefingOptions {
    /// Highest confidentiality level counted.
    pub level: Confidentiality,
    /// `en` or `ko`.
    pub lang: String,
    /// Counts below this are withheld.
    pub min_cell: u64,
    pub title: Option<String>,
    /// Indicator series to quote (ids); `None`: every series at or below the level.
    pub indicators: Option<Vec<String>>,
}

impl Archive {
    /// The standard briefing: acts by type, year and province, and events by independent
    /// corroboration, as of the newest audit entry (so the same state gives the same files).
    pub fn briefing(&self, o: &BriefingOptions) -> Result<Briefing, StoreError> {
        let counts = std::mem::take(&mut self.act_counts_by_level()?[o.level as usize]);
        self.briefing_from(&counts, o)
    }

    /// The same, from counts the caller already holds for `o.level` (the web application keeps
    /// them per audit head: on a million acts the counting scans take seconds).
    pub fn briefing_from(&self, counts: &ActCounts, o: &BriefingOptions) -> Result<Briefing, StoreError> {
        let ko = o.lang == "ko";
        let level = o.level;
        let vocab = Vocabulary::builtin();
        let by_type: Vec<(String, u64)> = counts
            .by_type
            .iter()
            .map(|(code, n)| {
                let label = vocab.get(List::ActTypes, code).map(|t| if ko { t.ko.clone().unwrap_or_else(|| t.en.clone()) } else { t.en.clone() });
                (label.unwrap_or_else(|| code.clone()), *n)
            })
            .collect();
        let total: u64 = by_type.iter().map(|r| r.1).sum();
        // The law: each treaty article the coded acts breach, with the state's party status.
        let mut by_article: std::collections::BTreeMap<(girok_core::rights::Treaty, String), (&str, Vec<&str>, u64)> = Default::default();
        for (code, n) in &counts.by_type {
            for art in girok_core::rights::articles_for(vocab, code) {
                // Articles sort by number: "6" before "14", "6(2)" after "6".
                let num: String = art.article.chars().take_while(|c| c.is_ascii_digit()).collect();
                let entry = by_article.entry((art.treaty, format!("{num:>4}{}", art.article))).or_insert((art.article, Vec::new(), 0));
                if !entry.1.contains(&art.right) {
                    entry.1.push(art.right);
                }
                entry.2 += *n;
            }
        }
        let by_article: Vec<(String, u64)> = by_article
            .into_iter()
            .map(|((treaty, _), (article, rights, n))| {
                let rights = rights.join("; ");
                let label = if ko {
                    format!("{} 제{article}조: {rights} ({}년 가입)", treaty.korean(), treaty.party_since())
                } else {
                    format!("{} art. {article}: {rights} (party since {})", treaty.abbreviation(), treaty.party_since())
                };
                (label, n)
            })
            .collect();
        let mut by_year: Vec<(String, u64)> = Vec::new();
        if let (Some(first), Some(last)) = (counts.by_year.first(), counts.by_year.last()) {
            let n: std::collections::HashMap<i32, u64> = counts.by_year.iter().copied().collect();
            for y in first.0..=last.0 {
                by_year.push((y.to_string(), n.get(&y).copied().unwrap_or(0)));
            }
        }
        let year_rows = by_year.len();
        by_year.push((if ko { "날짜 미상 또는 여러 해" } else { "undated or spanning years" }.to_string(), counts.unplaced));
        let places: Vec<Place> = self.list(Kind::Place)?.into_iter().filter_map(|r| if let Record::Place(p) = r { Some(p) } else { None }).collect();
        let mut provinces = Vec::new();
        for p in places.iter().filter(|p| p.kind == PlaceKind::Province) {
            let name = if ko { p.name_ko.clone().unwrap_or(p.name.clone()) } else { p.name.clone() };
            provinces.push((p.id.clone(), name));
        }
        let place_n: std::collections::HashMap<&str, u64> = counts.by_place.iter().map(|(p, n)| (p.as_str(), *n)).collect();
        // (outline id, label, count), most first; then the acts placed in no province.
        let mut province_rows: Vec<(Option<String>, String, u64)> =
            provinces.iter().map(|(id, name)| (Some(id.clone()), name.clone(), place_n.get(id.as_str()).copied().unwrap_or(0))).collect();
        province_rows.sort_by(|x, y| y.2.cmp(&x.2).then(x.1.cmp(&y.1)));
        let in_provinces: u64 = province_rows.iter().map(|r| r.2).sum();
        // Acts in China (where people are seized before forcible return) belong here too.
        province_rows.push((
            None,
            if ko { "도 밖 또는 장소 미상" } else { "outside the provinces, or place not recorded" }.to_string(),
            total.saturating_sub(in_provinces),
        ));
        let province_ids: Vec<Option<String>> = province_rows.iter().map(|r| r.0.clone()).collect();
        let by_province: Vec<(String, u64)> = province_rows.into_iter().map(|r| (r.1, r.2)).collect();
        let c = counts.corroboration;
        let corroboration = if ko {
            vec![("독립된 두 곳 이상의 출처".to_string(), c.corroborated), ("한 곳의 출처".to_string(), c.single), ("출처 없음".to_string(), c.unsourced)]
        } else {
            vec![
                ("reported by two or more independent organisations".to_string(), c.corroborated),
                ("reported by one organisation".to_string(), c.single),
                ("no source recorded".to_string(), c.unsourced),
            ]
        };
        let (as_of, state) = self.audit_head()?.map(|e| (e.at, e.hash)).unwrap_or_default();
        let t = |en: &str, k: &str| if ko { k.to_string() } else { en.to_string() };
        let scope = match level {
            Confidentiality::Public => t("public records only", "공개 기록만"),
            Confidentiality::Internal => t("public and internal records (not for outside publication)", "공개 및 내부 기록 (외부 공개용 아님)"),
            Confidentiality::Restricted => t("all records, restricted included (not for outside publication)", "제한 기록 포함 전체 (외부 공개용 아님)"),
        };
        let indicators = self.briefing_indicators(o)?;
        let cross_tables = self.cross_tables(o, &provinces)?;
        let (law_rows, provisions) = self.briefing_law(o)?;
        let closed = closed_places(&places, level, ko);
        let mut tables = vec![
            Table {
                file: "acts-by-type.csv".into(),
                title: t("Acts by type", "유형별 행위"),
                label_header: t("Act type", "행위 유형"),
                rows: by_type,
                ..Default::default()
            },
            Table {
                file: "acts-by-year.csv".into(),
                title: t("Acts by year", "연도별 행위"),
                label_header: t("Year", "연도"),
                rows: by_year,
                chart: Chart::Columns,
                chart_rows: Some(year_rows),
                note: Some(t(
                    "An act is counted in a year only when everything known of its date lies within that year.",
                    "날짜로 알려진 범위가 한 해 안에 있을 때만 그 해에 집계합니다.",
                )),
                ..Default::default()
            },
            Table {
                file: "acts-by-province.csv".into(),
                title: t("Acts by province", "도별 행위"),
                label_header: t("Province", "도"),
                rows: by_province,
                map_ids: Some(province_ids),
                note: Some(t(
                    "Figures for individual camps and detention facilities are not published: they are where a small count most easily points at a witness.",
                    "수용소·구금 시설별 수치는 공개하지 않습니다: 작은 수치가 증언자를 가장 쉽게 드러내는 곳입니다.",
                )),
                ..Default::default()
            },
            Table {
                file: "acts-by-treaty-article.csv".into(),
                title: t("Treaty articles breached", "위반된 조약 조항"),
                label_header: t("Article", "조항"),
                rows: by_article,
                note: Some(t(
                    "Each act counts under every article its type breaches, so the rows add up to more than the acts. The DPRK is not party to the Convention against Torture or the Refugee Convention; torture and forced return are counted under the ICCPR.",
                    "한 행위는 그 유형이 위반하는 모든 조항에 집계되므로 합계가 행위 수보다 큽니다. 북한은 고문방지협약과 난민협약의 당사국이 아니므로 고문과 강제송환은 자유권규약으로 집계합니다.",
                )),
                ..Default::default()
            },
            Table {
                file: "events-by-corroboration.csv".into(),
                title: t("Events by independent corroboration", "독립적 확인 정도별 사건"),
                label_header: t("Reported", "보고"),
                rows: corroboration,
                ..Default::default()
            },
        ];
        if !law_rows.is_empty() {
            // Beside the treaty articles: the law, international then national.
            let at = tables.iter().position(|t| t.file == "acts-by-treaty-article.csv").map_or(tables.len(), |i| i + 1);
            tables.insert(
                at,
                Table {
                    file: "acts-by-national-provision.csv".into(),
                    title: t("Acts by provision of national law", "국내법 조항별 행위"),
                    label_header: t("Provision", "조항"),
                    rows: law_rows,
                    note: Some(t(
                        "Acts whose record cites the provision they were charged or punished under; an act citing several counts under each.",
                        "기소되거나 처벌된 근거 조항을 기록에 적은 행위입니다. 여러 조항을 적은 행위는 각 조항에 집계합니다.",
                    )),
                    ..Default::default()
                },
            );
        }
        Ok(Briefing {
            provisions,
            closed,
            cross_tables,
            // The organisation's sections and the records they cite are the domain layer's
            // (`girok_app::briefing`), which checks every reference against the level.
            sections: Vec::new(),
            references: Vec::new(),
            indicators,
            // Estimates are the domain layer's to compute (`girok_app::estimation::for_briefing`).
            estimates: Vec::new(),
            title: o.title.clone().unwrap_or_else(|| t("Documented violations: counts from the archive", "기록된 인권 침해: 기록 보관소의 집계")),
            lang: if ko { "ko".into() } else { "en".into() },
            as_of,
            // The hash alone: enough for a holder of the archive to find the entry, while the
            // sequence number would tell outsiders how much the archive holds.
            archive_state: state,
            scope,
            min_cell: o.min_cell,
            tables,
            outlines: girok_core::gazetteer::province_outlines()
                .iter()
                .map(|p| Outline { id: p.id.clone(), rings: p.polygons.iter().flatten().cloned().collect() })
                .collect(),
            notes: vec![t(
                "Counts are of documented acts, not of all that happened: much stays hidden, and what is recorded depends on who could speak to whom.",
                "집계는 기록된 행위의 수이며 일어난 모든 일의 수가 아닙니다: 많은 것이 드러나지 않으며, 무엇이 기록되는지는 누가 누구에게 말할 수 있었는지에 달려 있습니다.",
            )],
        })
    }

    /// Acts by year and broad type, and by year and province, at the briefing's level: only
    /// acts dated within one year, as in the one-way table by year.
    fn cross_tables(&self, o: &BriefingOptions, provinces: &[(String, String)]) -> Result<Vec<CrossTable>, StoreError> {
        let ko = o.lang == "ko";
        let t = |en: &str, k: &str| if ko { k.to_string() } else { en.to_string() };
        let vocab = Vocabulary::builtin();
        let year_of = |a: Option<i32>, b: Option<i32>| match (a, b) {
            (Some(a), Some(b)) if girok_core::date::Day(a).year() == girok_core::date::Day(b).year() => Some(girok_core::date::Day(a).year()),
            _ => None,
        };
        // (year, column label) -> count
        let mut by_type: std::collections::BTreeMap<(i32, String), u64> = Default::default();
        {
            let mut stmt = self.conn.prepare(
                "SELECT f.act_type, f.date_start, f.date_end, COUNT(*) FROM facets f JOIN record_meta m ON m.rid = f.rid \
                 WHERE m.kind = 'act' AND f.act_type IS NOT NULL AND m.conf <= ?1 GROUP BY f.act_type, f.date_start, f.date_end",
            )?;
            let mut rows = stmt.query([o.level as i64])?;
            while let Some(r) = rows.next()? {
                let (code, a, b, n): (String, Option<i32>, Option<i32>, u64) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                let Some(y) = year_of(a, b) else { continue };
                let broad = vocab.ancestors(List::ActTypes, &code).last().map(|t| if ko { t.ko.clone().unwrap_or_else(|| t.en.clone()) } else { t.en.clone() });
                *by_type.entry((y, broad.unwrap_or(code))).or_default() += n;
            }
        }
        let mut by_province: std::collections::BTreeMap<(i32, String), u64> = Default::default();
        if !provinces.is_empty() {
            let name: std::collections::HashMap<&str, &str> = provinces.iter().map(|(id, n)| (id.as_str(), n.as_str())).collect();
            let sql = format!(
                "SELECT pa.ancestor_id, f.date_start, f.date_end, COUNT(*) FROM facets f JOIN record_meta m ON m.rid = f.rid \
                 JOIN place_ancestors pa ON pa.place_id = f.place_id \
                 WHERE m.kind = 'act' AND f.act_type IS NOT NULL AND m.conf <= ? AND pa.ancestor_id IN ({}) \
                 GROUP BY pa.ancestor_id, f.date_start, f.date_end",
                vec!["?"; provinces.len()].join(",")
            );
            let mut args: Vec<rusqlite::types::Value> = vec![rusqlite::types::Value::Integer(o.level as i64)];
            args.extend(provinces.iter().map(|(id, _)| rusqlite::types::Value::Text(id.clone())));
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
            while let Some(r) = rows.next()? {
                let (pid, a, b, n): (String, Option<i32>, Option<i32>, u64) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                let Some(y) = year_of(a, b) else { continue };
                *by_province.entry((y, name.get(pid.as_str()).map(|s| s.to_string()).unwrap_or(pid))).or_default() += n;
            }
        }
        let table = |m: &std::collections::BTreeMap<(i32, String), u64>, file: &str, title: String, note: String| -> Option<CrossTable> {
            let (first, last) = (m.keys().map(|k| k.0).min()?, m.keys().map(|k| k.0).max()?);
            // Columns most first, then by name.
            let mut col_total: std::collections::BTreeMap<&str, u64> = Default::default();
            for ((_, c), n) in m {
                *col_total.entry(c.as_str()).or_default() += n;
            }
            let mut cols: Vec<(&str, u64)> = col_total.into_iter().collect();
            cols.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let rows: Vec<i32> = (first..=last).collect();
            let counts = rows.iter().map(|y| cols.iter().map(|(c, _)| m.get(&(*y, c.to_string())).copied().unwrap_or(0)).collect()).collect();
            Some(CrossTable {
                file: file.into(),
                title,
                row_header: t("Year", "연도"),
                rows: rows.iter().map(|y| y.to_string()).collect(),
                cols: cols.iter().map(|(c, _)| c.to_string()).collect(),
                counts,
                note: Some(note),
            })
        };
        let note = t(
            "Acts dated within one year. Small cells are withheld, and so are others with them where a row, a column or a total would give a withheld cell back.",
            "한 해 안으로 날짜가 알려진 행위만 집계합니다. 작은 칸은 비공개이며, 행·열·합계로 역산될 수 있는 경우 다른 칸도 함께 비공개로 합니다.",
        );
        Ok([
            table(&by_type, "acts-by-year-and-type.csv", t("Acts by year and type", "연도·유형별 행위"), note.clone()),
            table(&by_province, "acts-by-year-and-province.csv", t("Acts by year and province", "연도·도별 행위"), note),
        ]
        .into_iter()
        .flatten()
        .collect())
    }

    /// The provisions of national law the acts at the briefing's level cite, each with the
    /// number of acts citing it, and the quotations, in the briefing's language first. A
    /// provision above the level is neither counted nor named.
    fn briefing_law(&self, o: &BriefingOptions) -> Result<LawPart, StoreError> {
        let ko = o.lang == "ko";
        let mut cited: std::collections::BTreeMap<String, u64> = Default::default();
        let mut stmt = self.conn.prepare(
            "SELECT l.to_id, m.kind, COUNT(DISTINCT l.from_rid) FROM links l JOIN record_meta m ON m.rid = l.from_rid \
             WHERE l.field = 'provisions' AND m.conf <= ?1 GROUP BY l.to_id, m.kind",
        )?;
        let mut rows = stmt.query([o.level as i64])?;
        while let Some(r) = rows.next()? {
            let (id, kind, n): (String, String, u64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            // Events cite a provision too (it is quoted), but only acts are counted.
            *cited.entry(id).or_default() += if kind == "act" { n } else { 0 };
        }
        let mut found: Vec<(girok_core::model::Provision, u64)> = Vec::new();
        for (id, n) in cited {
            if let Ok(v) = self.get_for(&id, o.level, false) {
                if let Record::Provision(p) = v.record {
                    found.push((p, n));
                }
            }
        }
        // By instrument, then article number ("9" before "44", "60-1" after "60").
        let article_key = |a: &str| {
            let num: String = a.chars().take_while(|c| c.is_ascii_digit()).collect();
            (num.parse::<u64>().unwrap_or(u64::MAX), a.to_string())
        };
        found.sort_by(|(a, _), (b, _)| a.instrument.cmp(&b.instrument).then_with(|| article_key(&a.article).cmp(&article_key(&b.article))));
        let rows = found.iter().map(|(p, n)| (p.label_in(ko), *n)).collect();
        let quoted = found
            .into_iter()
            .map(|(p, _)| {
                let (text, text_other) = if ko { (p.text_ko.clone(), p.text_en.clone()) } else { (p.text_en.clone(), p.text_ko.clone()) };
                LawProvision {
                    label: p.label_in(ko),
                    title: p.title_in(ko),
                    max_penalty: p.max_penalty.clone(),
                    text,
                    text_other,
                    commentary: p.commentary.clone(),
                    source: p.source.clone(),
                    id: p.id,
                }
            })
            .collect();
        Ok((rows, quoted))
    }

    /// The indicator series a briefing quotes, each value with its reference and the passage it
    /// cites, never anything above the briefing's level: a value's own source, or the document
    /// its passage is in, counts only if the briefing may show it; otherwise the series'
    /// reference stands and the quote is left out.
    fn briefing_indicators(&self, o: &BriefingOptions) -> Result<Vec<Series>, StoreError> {
        let chosen: Vec<Record> = match &o.indicators {
            None => self.list_for(Kind::Indicator, o.level)?,
            Some(ids) => ids
                .iter()
                .map(|id| match self.get_for(id, o.level, false) {
                    Ok(v) if v.record.kind() == Kind::Indicator => Ok(v.record),
                    Ok(_) => Err(StoreError::Invalid { id: id.clone(), message: "is not an indicator series".into() }),
                    Err(StoreError::NotFound(_)) => Err(StoreError::Invalid {
                        id: id.clone(),
                        message: format!("no indicator series {id:?} at or below the briefing's level ({})", o.level.as_str()),
                    }),
                    Err(e) => Err(e),
                })
                .collect::<Result<_, _>>()?,
        };
        let mut out = Vec::new();
        for r in chosen {
            let Record::Indicator(ind) = r else { continue };
            let mut points = Vec::new();
            let mut values = ind.values.clone();
            values.sort_by_key(|v| (v.year, v.to_year));
            for v in values {
                let source = v
                    .source
                    .as_deref()
                    .and_then(|id| self.get_for(id, o.level, false).ok())
                    .and_then(|r| match r.record {
                        Record::Source(s) => Some(s.independence_unit().to_string()),
                        _ => None,
                    })
                    .unwrap_or_else(|| ind.source.clone());
                let citation = match &v.citation {
                    Some(c) if self.get_for(&c.document, o.level, false).is_ok() => {
                        let text = self.document_text(&c.document)?.unwrap_or_default();
                        c.span.and_then(|(a, b)| {
                            let quote: String = text.chars().skip(a as usize).take(b.saturating_sub(a) as usize).collect();
                            (!quote.trim().is_empty()).then(|| quote.trim().to_string())
                        })
                    }
                    _ => None,
                };
                points.push(Point { year: v.year, to_year: v.to_year, value: v.value, source, citation });
            }
            let slug: String = ind.id.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
            out.push(Series { file: format!("indicator-{slug}.csv"), title: ind.name.clone(), unit: ind.unit.clone(), points });
        }
        Ok(out)
    }
}

/// The table of acts per provision (label, count), and the provisions quoted.
type LawPart = (Vec<(String, u64)>, Vec<LawProvision>);

/// The areas and places at or below the level that are closed to outside agencies: provinces
/// whole (drawn on the map), and other places not inside a closed province (marked at their
/// own position, or their enclosing place's).
fn closed_places(places: &[Place], level: Confidentiality, ko: bool) -> Option<Closed> {
    let visible: std::collections::HashMap<&str, &Place> = places.iter().filter(|p| p.confidentiality <= level).map(|p| (p.id.as_str(), p)).collect();
    let name = |p: &Place| if ko { p.name_ko.clone().unwrap_or(p.name.clone()) } else { p.name.clone() };
    let closed = |p: &Place| p.access == Some(Access::Closed);
    // The enclosing places, nearest first (a bounded walk: a cycle in the data cannot hang it).
    let ancestors = |p: &Place| {
        let mut out: Vec<&Place> = Vec::new();
        let mut cur = p.parent.as_deref();
        while let Some(id) = cur.filter(|_| out.len() < 16) {
            let Some(q) = visible.get(id) else { break };
            out.push(q);
            cur = q.parent.as_deref();
        }
        out
    };
    let mut out = Closed::default();
    let mut all: Vec<&Place> = visible.values().copied().filter(|p| closed(p)).collect();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    for p in all {
        if p.kind == PlaceKind::Province {
            out.areas.push((p.id.clone(), name(p)));
            continue;
        }
        let up = ancestors(p);
        if up.iter().any(|q| q.kind == PlaceKind::Province && closed(q)) {
            continue;
        }
        let at = std::iter::once(p).chain(up).find_map(|q| Some((q.lon?, q.lat?)));
        out.places.push((name(p), at));
        out.facilities += usize::from(p.kind.is_facility());
    }
    if out.areas.is_empty() && out.places.is_empty() {
        return None;
    }
    out.credit = if ko {
        "장소 기록의 접근 속성에 따름(구금 시설은 Girok 시설 목록에서 폐쇄로 표시). 군 경계는 그리지 않습니다: 패키지 저장소가 배포하는 공개 자료 가운데 확인할 수 있는 북한 군 경계가 없어, 도보다 작은 장소는 기록된 위치에 ×로 표시합니다."
    } else {
        "From the access recorded on the archive's place records (detention facilities are marked closed by Girok's facility list). County outlines are not drawn: we found no open dataset shipped by a package registry with DPRK county boundaries we could check, so places smaller than a province are marked × at their recorded position."
    }
    .to_string();
    Some(out)
}
