//! `girok publish`: a briefing of counts from the archive, with small cells withheld, for
//! staff who publish. Gathers the counts and labels; `girok-publish` decides what may be shown
//! and renders the files.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use girok_core::model::{Confidentiality, Kind, PlaceKind, Record};
use girok_core::vocab::{List, Vocabulary};
use girok_publish::{Briefing, Chart, Table};
use girok_store::Archive;

#[derive(Args)]
pub(crate) struct PublishArgs {
    /// New (or empty) directory to write the briefing into.
    #[arg(long)]
    out: PathBuf,
    /// Counts below this are withheld (with any cell that would give them away).
    #[arg(long, default_value_t = 5)]
    min_cell: u64,
    /// Highest confidentiality level counted. Publications normally count public records only.
    #[arg(long, value_enum, default_value = "public")]
    level: crate::Conf,
    /// Language of the page and of vocabulary and place labels.
    #[arg(long, value_parser = ["en", "ko"], default_value = "en")]
    lang: String,
    /// Title of the briefing.
    #[arg(long)]
    title: Option<String>,
}

/// Builds the briefing and writes it; returns the files written.
pub(crate) fn run(args: &PublishArgs, open: impl FnOnce() -> anyhow::Result<Archive>) -> anyhow::Result<Vec<PathBuf>> {
    if args.min_cell == 0 {
        bail!("--min-cell must be at least 1 (1 withholds nothing)");
    }
    check_out_dir(&args.out)?;
    let archive = open()?;
    let briefing = gather(&archive, args)?;
    if briefing.tables[0].rows.is_empty() {
        eprintln!(
            "note: no acts at or below the {} level; the briefing's tables are empty (most coded records are internal until someone marks them public)",
            Confidentiality::from(args.level).as_str()
        );
    }
    let files = girok_publish::render(&briefing);
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let mut written = Vec::new();
    for f in files {
        let path = args.out.join(&f.name);
        std::fs::write(&path, &f.bytes).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

fn check_out_dir(out: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                bail!("--out {}: the directory is not empty; give a new one (a briefing is never written over other files)", out.display());
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("--out {}", out.display())),
    }
}

fn gather(a: &Archive, args: &PublishArgs) -> anyhow::Result<Briefing> {
    let ko = args.lang == "ko";
    let level: Confidentiality = args.level.into();
    let counts = a.act_counts_by_level()?[level as usize].clone();
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
    let mut by_year: Vec<(String, u64)> = Vec::new();
    if let (Some(first), Some(last)) = (counts.by_year.first(), counts.by_year.last()) {
        let n: std::collections::HashMap<i32, u64> = counts.by_year.iter().copied().collect();
        for y in first.0..=last.0 {
            by_year.push((y.to_string(), n.get(&y).copied().unwrap_or(0)));
        }
    }
    let year_rows = by_year.len();
    by_year.push((if ko { "날짜 미상 또는 여러 해" } else { "undated or spanning years" }.to_string(), counts.unplaced));
    let mut provinces = Vec::new();
    for r in a.list(Kind::Place)? {
        if let Record::Place(p) = r {
            if p.kind == PlaceKind::Province {
                let name = if ko { p.name_ko.clone().unwrap_or(p.name.clone()) } else { p.name.clone() };
                provinces.push((p.id, name));
            }
        }
    }
    let place_n: std::collections::HashMap<&str, u64> = counts.by_place.iter().map(|(p, n)| (p.as_str(), *n)).collect();
    let mut by_province: Vec<(String, u64)> = provinces.iter().map(|(id, name)| (name.clone(), place_n.get(id.as_str()).copied().unwrap_or(0))).collect();
    by_province.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let in_provinces: u64 = by_province.iter().map(|r| r.1).sum();
    by_province.push((if ko { "도 미상" } else { "no province recorded" }.to_string(), total.saturating_sub(in_provinces)));
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
    let (seq, hash) = a.audit_head()?;
    let t = |en: &str, k: &str| if ko { k.to_string() } else { en.to_string() };
    let scope = match level {
        Confidentiality::Public => t("public records only", "공개 기록만"),
        Confidentiality::Internal => t("public and internal records (not for outside publication)", "공개 및 내부 기록 (외부 공개용 아님)"),
        Confidentiality::Restricted => t("all records, restricted included (not for outside publication)", "제한 기록 포함 전체 (외부 공개용 아님)"),
    };
    Ok(Briefing {
        title: args.title.clone().unwrap_or_else(|| t("Documented violations: counts from the archive", "기록된 인권 침해: 기록 보관소의 집계")),
        lang: args.lang.clone(),
        generated: girok_store::now_rfc3339(),
        archive_state: format!("audit entry {seq}, {hash}"),
        scope,
        min_cell: args.min_cell,
        tables: vec![
            Table {
                file: "acts-by-type.csv".into(),
                title: t("Acts by type", "유형별 행위"),
                label_header: t("Act type", "행위 유형"),
                rows: by_type,
                chart: Chart::Bars,
                chart_rows: None,
                note: None,
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
            },
            Table {
                file: "acts-by-province.csv".into(),
                title: t("Acts by province", "도별 행위"),
                label_header: t("Province", "도"),
                rows: by_province,
                chart: Chart::Bars,
                chart_rows: None,
                note: Some(t(
                    "Figures for individual camps and detention facilities are not published: they are where a small count most easily points at a witness.",
                    "수용소·구금 시설별 수치는 공개하지 않습니다: 작은 수치가 증언자를 가장 쉽게 드러내는 곳입니다.",
                )),
            },
            Table {
                file: "events-by-corroboration.csv".into(),
                title: t("Events by independent corroboration", "독립적 확인 정도별 사건"),
                label_header: t("Reported", "보고"),
                rows: corroboration,
                chart: Chart::Bars,
                chart_rows: None,
                note: None,
            },
        ],
        notes: vec![t(
            "Counts are of documented acts, not of all that happened: much stays hidden, and what is recorded depends on who could speak to whom.",
            "집계는 기록된 행위의 수이며 일어난 모든 일의 수가 아닙니다: 많은 것이 드러나지 않으며, 무엇이 기록되는지는 누가 누구에게 말할 수 있었는지에 달려 있습니다.",
        )],
    })
}
