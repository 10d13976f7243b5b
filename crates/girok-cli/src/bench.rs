//! `girok-bench`: intake throughput against `sha256sum`, search latency and the time of an
//! estimate from the archive on a large synthetic archive, and archive size on disk. A
//! benchmark that prints figures, never a timed test.
//!
//! Run: `cargo run --release --bin girok-bench -- [--intake-mb 1024] [--docs 100000] [--acts 1000000]`

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use girok_core::model::{Act, Citation, Record};
use girok_core::{Kind, UncertainDate};
use girok_store::{Archive, CreateOptions, IntakeMeta, KdfParams, KeySource, SearchQuery};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

struct Opts {
    intake_mb: u64,
    docs: usize,
    acts: usize,
    queries: usize,
    dir: Option<PathBuf>,
    /// Seconds of web load at `rate` requests per second (0 skips the web benchmark).
    web_secs: u64,
    rate: u64,
    ocr_pages: usize,
    /// Sync throughput: MiB of originals and records in one bundle (0 MiB skips).
    sync_mb: u64,
    sync_records: usize,
}

const USAGE: &str = "girok-bench: Girok's speed and size figures on synthetic data

Usage: girok-bench [--intake-mb N] [--ocr-pages N] [--sync-mb N] [--sync-records N] [--docs N] [--acts N] [--queries N] [--dir DIR] [--web SECONDS] [--rate N]

  --intake-mb N    intake throughput on N MiB of mixed files, against sha256sum (default 1024; 0 skips)
  --ocr-pages N    OCR pages per minute on a PDF of about N pages of Korean and English (default 6; 0 skips)
  --sync-mb N      sync by bundle file and over HTTPS of N MiB of originals, against cp (default 1024; 0 skips)
  --sync-records N ... and N records in the same bundle (default 10000)
  --docs N         search latency on an archive of N documents (default 100000; 0 skips)
  --acts N         ... and N coded acts (default 1000000)
  --queries N      search queries to time (default 2000)
  --dir DIR        where to build (and reuse) the archives (default: a new temporary directory)
  --web SECONDS    drive the web application for SECONDS on the search archive (default 0: skip)
  --rate N         web requests per second (default 200)";

fn parse_args() -> anyhow::Result<Opts> {
    let mut o = Opts {
        intake_mb: 1024,
        docs: 100_000,
        acts: 1_000_000,
        queries: 2000,
        dir: None,
        web_secs: 0,
        rate: 200,
        ocr_pages: 6,
        sync_mb: 1024,
        sync_records: 10_000,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--help" || args[i] == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let val = args.get(i + 1).with_context(|| format!("{} needs a value (see --help)", args[i]))?;
        match args[i].as_str() {
            "--intake-mb" => o.intake_mb = val.parse().context("--intake-mb")?,
            "--docs" => o.docs = val.parse().context("--docs")?,
            "--acts" => o.acts = val.parse().context("--acts")?,
            "--queries" => o.queries = val.parse().context("--queries")?,
            "--dir" => o.dir = Some(PathBuf::from(val)),
            "--web" => o.web_secs = val.parse().context("--web")?,
            "--rate" => o.rate = val.parse().context("--rate")?,
            "--ocr-pages" => o.ocr_pages = val.parse().context("--ocr-pages")?,
            "--sync-mb" => o.sync_mb = val.parse().context("--sync-mb")?,
            "--sync-records" => o.sync_records = val.parse().context("--sync-records")?,
            other => anyhow::bail!("unknown option {other}\n\n{USAGE}"),
        }
        i += 2;
    }
    Ok(o)
}

/// The search archive's key and place under the bench directory; the web benchmark reuses it.
const PASSPHRASE: &str = "bench passphrase (synthetic)";
const SEARCH_ARCHIVE: &str = "search-archive";

fn dir_size(p: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
        let path = e.path();
        total += if path.is_dir() { dir_size(&path) } else { e.metadata().map(|m| m.len()).unwrap_or(0) };
    }
    total
}

fn main() -> anyhow::Result<()> {
    let o = parse_args()?;
    let base = match &o.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("girok-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&base)?;
    println!("girok-bench · {} · {} cores", girok_store::now_rfc3339(), std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    if o.intake_mb > 0 {
        intake(&base, o.intake_mb)?;
    }
    if o.ocr_pages > 0 {
        ocr(o.ocr_pages)?;
    }
    if o.sync_mb > 0 {
        sync(&base, o.sync_mb, o.sync_records)?;
    }
    if o.docs > 0 {
        search(&base, o.docs, o.acts, o.queries)?;
    }
    if o.web_secs > 0 {
        web(&base.join(SEARCH_ARCHIVE), o.web_secs, o.rate)?;
    }
    if o.dir.is_none() {
        let _ = std::fs::remove_dir_all(&base);
    }
    Ok(())
}

/// 1 GB of mixed files: text testimonies, HTML captures, and incompressible "photos" and "audio".
fn intake(base: &Path, mb: u64) -> anyhow::Result<()> {
    let src = base.join("intake-files");
    std::fs::create_dir_all(&src)?;
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let target = mb << 20;
    let mut written = 0u64;
    let mut files = Vec::new();
    let mut n = 0;
    while written < target {
        let random = |rng: &mut ChaCha8Rng, range: std::ops::Range<usize>| -> Vec<u8> { (0..rng.gen_range(range)).map(|_| rng.gen()).collect() };
        let (name, bytes): (String, Vec<u8>) = match n % 5 {
            0 => (
                format!("t{n}.txt"),
                "SYNTHETIC testimony. 요덕수용소에서 강제노동을 했다. Forced labour at the camp. ".repeat(rng.gen_range(50..2000)).into_bytes(),
            ),
            1 => (
                format!("w{n}.html"),
                format!("<html><body>{}</body></html>", "<p>SYNTHETIC capture of a report on forcible returns.</p>".repeat(rng.gen_range(50..2000)))
                    .into_bytes(),
            ),
            // Photographs: an EXIF header (read at intake) and incompressible image data.
            2 => (format!("p{n}.jpg"), [girok_extract::media::testfiles::jpeg_with_exif(Some((42.0, 129.0))), random(&mut rng, 200_000..4_000_000)].concat()),
            // Recordings: a WAV header (duration and format read) and incompressible samples.
            3 => (format!("a{n}.wav"), [girok_extract::media::testfiles::wav(0), random(&mut rng, 1_000_000..20_000_000)].concat()),
            _ => {
                let body = format!(
                    "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{}</w:body></w:document>",
                    "<w:p><w:r><w:t>SYNTHETIC transcript. 회령에서 송환되었다.</w:t></w:r></w:p>".repeat(rng.gen_range(50..2000))
                );
                (format!("d{n}.docx"), girok_extract::zip_stored(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", body.as_bytes())]))
            }
        };
        let p = src.join(&name);
        std::fs::write(&p, &bytes)?;
        written += bytes.len() as u64;
        files.push(p);
        n += 1;
    }
    // Warm the page cache equally for both contenders.
    for f in &files {
        let _ = std::fs::read(f)?;
    }
    let t = Instant::now();
    let status = std::process::Command::new("sha256sum").args(&files).stdout(std::process::Stdio::null()).status().context("running sha256sum")?;
    anyhow::ensure!(status.success(), "sha256sum failed");
    let sha_time = t.elapsed();

    let dir = base.join("intake-archive");
    let _ = std::fs::remove_dir_all(&dir);
    let mut a =
        Archive::create(&dir, &KeySource::passphrase("bench passphrase (synthetic)"), CreateOptions { kdf: KdfParams::INTERACTIVE, seed_gazetteer: false })?;
    let t = Instant::now();
    for f in &files {
        a.write("bench", |w| {
            w.add_file(f, &IntakeMeta::default()).map_err(|e| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() })?;
            Ok(())
        })?;
    }
    let girok_time = t.elapsed();
    let mbs = |d: Duration| written as f64 / (1 << 20) as f64 / d.as_secs_f64();
    println!();
    println!("intake: {} files, {:.0} MiB (text, HTML, .docx, JPEG with EXIF, WAV)", files.len(), written as f64 / (1 << 20) as f64);
    println!("  sha256sum        {:>7.2} s  {:>7.1} MiB/s", sha_time.as_secs_f64(), mbs(sha_time));
    println!(
        "  girok add        {:>7.2} s  {:>7.1} MiB/s  (hash + age encryption + text and metadata extraction + audited commit per file; OCR not included)",
        girok_time.as_secs_f64(),
        mbs(girok_time)
    );
    println!("  ratio girok/sha256sum throughput: {:.2} (target >= 0.5)", sha_time.as_secs_f64() / girok_time.as_secs_f64());
    println!("  archive size on disk: {:.0} MiB", dir_size(&dir) as f64 / (1 << 20) as f64);
    std::fs::remove_dir_all(&src)?;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// A laptop's records and originals carried to the office in one bundle file (export, then
/// apply), against `cp` of the same originals' bytes: the ratio is what sync costs over
/// copying the files to a USB stick by hand.
fn sync(base: &Path, mb: u64, records: usize) -> anyhow::Result<()> {
    let dir = base.join("sync-bench");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let key = KeySource::passphrase("bench passphrase (synthetic)");
    let options = || CreateOptions { kdf: KdfParams::INTERACTIVE, seed_gazetteer: false };
    let mut laptop = Archive::create(&dir.join("laptop"), &key, options())?;
    let mut office = Archive::create(&dir.join("office"), &key, options())?;
    let (card_l, card_o) = (laptop.card("laptop")?, office.card("office")?);
    let store = |e: girok_store::SyncError| girok_store::StoreError::Invalid { id: String::new(), message: e.to_string() };
    laptop.write("bench", |w| w.pair(&card_o, "office", &card_o.fingerprint()).map_err(store))?;
    office.write("bench", |w| w.pair(&card_l, "laptop", &card_l.fingerprint()).map_err(store))?;
    // Originals: incompressible, as photographs and recordings are; also written as plain
    // files for cp.
    let src = dir.join("originals");
    std::fs::create_dir_all(&src)?;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (mut written, mut n) = (0u64, 0);
    while written < mb << 20 {
        let bytes: Vec<u8> = (0..8 << 20).map(|_| rng.gen()).collect();
        let name = format!("recording-{n:04}.bin");
        std::fs::write(src.join(&name), &bytes)?;
        laptop.write("bench", |w| {
            w.add_bytes(&name, &bytes, &IntakeMeta { synthetic: true, ..Default::default() })
                .map_err(|e| girok_store::StoreError::Invalid { id: name.clone(), message: e.to_string() })?;
            Ok(())
        })?;
        written += bytes.len() as u64;
        n += 1;
    }
    let ds = girok_synth::generate(&girok_synth::Config { seed: 7, testimonies: 1 });
    let template = ds.persons.first().cloned().context("the generator makes persons")?;
    for chunk in (0..records).collect::<Vec<_>>().chunks(5000) {
        laptop.write("bench", |w| {
            for &i in chunk {
                let mut p = template.clone();
                p.id = format!("per-sync-{i:06}");
                p.notes = format!("SYNTHETIC record {i} for the sync benchmark");
                w.put(girok_core::Record::Person(p))?;
            }
            Ok(())
        })?;
    }
    let bundle = dir.join("laptop-to-office.girok-sync");
    let t = Instant::now();
    let exported = laptop.sync_export("office", &bundle, &mut |_, _| {})?;
    let export_time = t.elapsed();
    let t = Instant::now();
    let applied = office.sync_apply(&bundle, &mut |_, _| {})?;
    let apply_time = t.elapsed();
    anyhow::ensure!(applied.blobs as usize == n, "{} of {n} originals arrived", applied.blobs);
    let copy = dir.join("copied");
    let t = Instant::now();
    let status = std::process::Command::new("cp").arg("-r").arg(&src).arg(&copy).status().context("running cp")?;
    anyhow::ensure!(status.success(), "cp failed");
    let cp_time = t.elapsed();
    // Girok makes each original durable (fsync) before it commits; cp leaves it in the page
    // cache. The fair comparison flushes the copy too.
    let status = std::process::Command::new("sync").status().context("running sync")?;
    anyhow::ensure!(status.success(), "sync failed");
    let cp_sync_time = t.elapsed();
    let mib = written as f64 / (1 << 20) as f64;
    println!();
    println!("sync by bundle file: {records} records and {n} originals ({mib:.0} MiB), laptop to office");
    println!(
        "  export            {:>7.2} s  ({} changes, bundle {:.0} MiB)",
        export_time.as_secs_f64(),
        exported.changes,
        std::fs::metadata(&bundle)?.len() as f64 / (1 << 20) as f64
    );
    println!("  apply             {:>7.2} s  ({} changes applied)", apply_time.as_secs_f64(), applied.applied);
    println!("  cp of the originals {:>5.2} s, {:.2} s with the copy flushed to disk (sync)", cp_time.as_secs_f64(), cp_sync_time.as_secs_f64());
    let both = (export_time + apply_time).as_secs_f64();
    println!(
        "  export + apply: {:.1} MiB/s, {:.1} × the time of cp, {:.1} × cp and sync (cp neither encrypts, signs nor verifies)",
        mib / both,
        both / cp_time.as_secs_f64(),
        both / cp_sync_time.as_secs_f64()
    );

    // The same bundle's content over HTTPS on loopback, to a second office served in this
    // process: export, the TLS transfer in pieces, apply on the server, and the pull back.
    let mut office2 = Archive::create(&dir.join("office-https"), &key, options())?;
    let card_o2 = office2.card("office-https")?;
    laptop.write("bench", |w| w.pair(&card_o2, "office-https", &card_o2.fingerprint()).map_err(store))?;
    office2.write("bench", |w| w.pair(&card_l, "laptop", &card_l.fingerprint()).map_err(store))?;
    let state = girok_server::AppState::new(office2, girok_server::ServerConfig::default());
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("https://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        let rt = girok_server::runtime().expect("a runtime");
        let _ = rt.block_on(girok_server::serve_sync_listener(state, listener));
    });
    let t = Instant::now();
    let r = girok_server::sync_client::sync_over_https(
        &mut laptop,
        &girok_app::Actor::key_holder("bench"),
        "office-https",
        &url,
        Default::default(),
        &mut |_, _, _| {},
    )?;
    let https_time = t.elapsed();
    let pushed = r.pushed.context("the HTTPS sync finished")?;
    anyhow::ensure!(pushed.blobs as usize == n, "{} of {n} originals arrived over HTTPS", pushed.blobs);
    println!(
        "  over HTTPS (loopback, TLS 1.3, 8 MiB pieces; export, send, apply, pull back): {:.2} s, {:.1} MiB/s, {:.1} × cp, {:.1} × cp and sync",
        https_time.as_secs_f64(),
        mib / https_time.as_secs_f64(),
        https_time.as_secs_f64() / cp_time.as_secs_f64(),
        https_time.as_secs_f64() / cp_sync_time.as_secs_f64()
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// OCR throughput: a PDF typeset from known Korean and English text (girok-pdf), recognised
/// page by page as a scan would be.
fn ocr(pages: usize) -> anyhow::Result<()> {
    let engine = girok_store::ocr::engine()?;
    let paragraph = "합성 증언: 2009년 겨울 회령에서 강제송환되어 온성 집결소에서 조사를 받았다. SYNTHETIC testimony: returned from China in the winter of 2009 and interrogated at the Onsong holding centre.";
    let sections = (0..pages * 4)
        .map(|i| girok_publish::Section {
            kind: girok_publish::SectionKind::Narrative,
            heading: format!("Part {}", i + 1),
            text: [paragraph; 4].join("\n\n"),
            recommendations: vec![],
        })
        .collect();
    let b = girok_publish::Briefing::text_only("SYNTHETIC pages for the OCR benchmark", "ko", sections);
    let pdf = girok_pdf::briefing_pdf(&b, &girok_pdf::system_fonts()?)?;
    let t = Instant::now();
    let r = girok_store::ocr::pdf(&pdf, &mut |_, _| {})?;
    let secs = t.elapsed().as_secs_f64();
    println!();
    println!("OCR ({engine}, 300 dpi, one page per core, OMP_THREAD_LIMIT=1): {} pages in {secs:.1} s", r.pages);
    println!("  {:.1} pages per minute, mean word confidence {:.0}%", r.pages as f64 * 60.0 / secs, r.confidence);
    Ok(())
}

fn search(base: &Path, n_docs: usize, n_acts: usize, n_queries: usize) -> anyhow::Result<()> {
    let dir = base.join(SEARCH_ARCHIVE);
    let key = KeySource::passphrase(PASSPHRASE);
    let mut a = match Archive::open(&dir, &key) {
        Ok(a)
            if a.counts()?.iter().all(|(k, n)| match k {
                Kind::Act => *n as usize >= n_acts,
                Kind::Document => *n as usize >= n_docs,
                _ => true,
            }) =>
        {
            println!("\nreusing the synthetic archive at {}", dir.display());
            a
        }
        _ => build(&dir, &key, n_docs, n_acts)?,
    };
    let size = dir_size(&dir);
    let counts = a.counts()?;
    let get = |k: Kind| counts.iter().find(|(x, _)| *x == k).map(|(_, n)| *n).unwrap_or(0);
    println!(
        "\nsearch: archive with {} documents, {} acts, {} events, {} persons; {:.0} MiB on disk",
        get(Kind::Document),
        get(Kind::Act),
        get(Kind::Event),
        get(Kind::Person),
        size as f64 / (1 << 20) as f64
    );

    let words =
        ["tortured", "forced labour", "execution", "Hyesan", "interrogated", "수용소", "강제노동", "공개처형", "체포", "보위부 신문", "Yodok camp", "market"];
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut times: Vec<(String, Duration, usize)> = Vec::new();
    for i in 0..n_queries {
        let mut q = SearchQuery { text: words[rng.gen_range(0..words.len())].to_string(), limit: 20, ..Default::default() };
        let label;
        match i % 5 {
            0 => label = "text",
            1 => {
                label = "text+act type";
                q.act_type = Some(["020000000000", "DP0500000000", "DP0100000000"][rng.gen_range(0..3)].into());
            }
            2 => {
                label = "text+province";
                q.place = Some(["plc-kp-17", "plc-kp-13", "plc-kp-03"][rng.gen_range(0..3)].into());
            }
            3 => {
                label = "text+dates+kind";
                let y = rng.gen_range(1996..2018);
                q.from = girok_core::Day::from_ymd(y, 1, 1).ok();
                q.to = girok_core::Day::from_ymd(y + 1, 12, 31).ok();
                q.kinds = vec![Kind::Act];
            }
            _ => {
                label = "text+confidentiality";
                q.max_confidentiality = girok_core::Confidentiality::Internal;
            }
        }
        let t = Instant::now();
        let hits = a.search(&q)?;
        times.push((label.to_string(), t.elapsed(), hits.len()));
    }
    latency_line("all queries", times.iter().map(|t| t.1).collect());
    for label in ["text", "text+act type", "text+province", "text+dates+kind", "text+confidentiality"] {
        latency_line(label, times.iter().filter(|t| t.0 == label).map(|t| t.1).collect());
    }
    let empty = times.iter().filter(|t| t.2 == 0).count();
    println!("  queries with no hits: {empty} of {}", times.len());
    println!("  target: p99 < 50 ms");
    list_pages(&a)?;
    estimate_from_archive(&a)?;
    let _ = &mut a;
    Ok(())
}

/// List pages as the web's `/records` asks for them (count and one page of 50), five times
/// each, the first one cold.
fn list_pages(a: &Archive) -> anyhow::Result<()> {
    use girok_store::{ListQuery, ListSort};
    let level = girok_core::Confidentiality::Restricted;
    let base = ListQuery { limit: 50, ..ListQuery::new(Kind::Act, level) };
    let filtered = ListQuery { act_type: Some("DP0100000000".into()), place: Some("plc-kp-17".into()), years: Some((1998, 2005)), ..base.clone() };
    let cases = [
        ("act list", base.clone()),
        ("act list, filtered (type, province, years)", filtered.clone()),
        ("act list, filtered, by date", ListQuery { sort: ListSort::DateDesc, ..filtered.clone() }),
        ("act list, type only", ListQuery { act_type: Some("DP0100000000".into()), ..base.clone() }),
        ("act list, 2nd page by date", ListQuery { sort: ListSort::DateDesc, offset: 50, ..base.clone() }),
    ];
    println!("\nlist pages (count and a page of 50; first run cold)   target < 200 ms");
    for (label, q) in cases {
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..5 {
            let t = Instant::now();
            total = a.list_page(&q)?.total;
            times.push(format!("{:.0}", t.elapsed().as_secs_f64() * 1000.0));
        }
        println!("  {label:<44} {} ms   ({total} records)", times.join(" / "));
    }
    Ok(())
}

/// `girok estimate --acts` on the most common act type, as the CLI and the web page run it
/// (capture table from the archive, then the log-linear estimate), three times.
fn estimate_from_archive(a: &Archive) -> anyhow::Result<()> {
    use girok_app::estimation::{self, Method, Options};
    let top = a.act_type_counts(girok_core::Confidentiality::Restricted)?.into_iter().next().context("the archive has acts")?;
    println!("\nestimate from the archive: act type {} ({} acts), log-linear, unstratified", top.0, top.1);
    for run in 1..=3 {
        let t = Instant::now();
        let q = girok_store::CaptureQuery {
            act_type: top.0.clone(),
            from_year: None,
            to_year: None,
            stratify: girok_store::Stratify::None,
            max_confidentiality: girok_core::Confidentiality::Restricted,
            organisations: None,
        };
        let strata = estimation::strata(a, &girok_app::Actor::key_holder("girok-bench"), q)?;
        let table_secs = t.elapsed().as_secs_f64();
        let tables: Vec<(String, girok_estimate::Table)> = strata.usable.into_iter().map(|(n, _, t)| (n, t)).collect();
        let observed: u64 = tables.iter().map(|(_, t)| t.observed()).sum();
        let results = estimation::run(&tables, &[Method::Loglinear], &Options { bootstrap: 0, ..Options::default() });
        let est = results[0].total.as_ref().map(|s| format!("{:.0}", s.estimate)).unwrap_or_else(|| "—".into());
        println!(
            "  run {run}: {:.3} s in all ({table_secs:.3} s for the capture table of {observed} victims on {} lists; N ≈ {est})   target < 0.5 s",
            t.elapsed().as_secs_f64(),
            tables.first().map(|(_, t)| t.n_lists()).unwrap_or(0)
        );
    }
    Ok(())
}

fn build(dir: &Path, key: &KeySource, n_docs: usize, n_acts: usize) -> anyhow::Result<Archive> {
    let _ = std::fs::remove_dir_all(dir);
    let mut a = Archive::create(dir, key, CreateOptions { kdf: KdfParams::INTERACTIVE, seed_gazetteer: true })?;
    let t = Instant::now();
    let ds = girok_synth::generate(&girok_synth::Config { seed: 42, testimonies: n_docs });
    print!("\nbuilding a synthetic archive: {} testimonies … ", ds.documents.len());
    std::io::stdout().flush()?;
    let loaded = a.load_synthetic(&ds, &mut |_, _, _| {})?.acts;
    // Top the acts up to n_acts with variants of the generated ones (new ids, shifted dates).
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut extra = n_acts.saturating_sub(loaded);
    let mut batch: Vec<Act> = Vec::with_capacity(10_000);
    let mut serial = 0usize;
    while extra > 0 {
        let base = &ds.acts[rng.gen_range(0..ds.acts.len())];
        let mut act = base.clone();
        act.id = format!("act-bench-{serial:08}");
        serial += 1;
        let year = rng.gen_range(1996..2020);
        act.date = UncertainDate::parse(&format!("{year}")).ok();
        act.citations = vec![Citation { document: base.citations[0].document.clone(), span: None }];
        batch.push(act);
        extra -= 1;
        if batch.len() == 10_000 || extra == 0 {
            a.write("bench", |w| {
                for act in batch.drain(..) {
                    w.put(Record::Act(act))?;
                }
                Ok(())
            })?;
        }
    }
    println!("done in {:.0} s ({:.0} MiB)", t.elapsed().as_secs_f64(), dir_size(dir) as f64 / (1 << 20) as f64);
    let t = Instant::now();
    a.optimize()?;
    println!("optimized (FTS merge + VACUUM) in {:.0} s", t.elapsed().as_secs_f64());
    Ok(a)
}

/// One HTTP/1.1 request on a kept-alive connection; returns status, headers and body.
fn http(stream: &mut std::net::TcpStream, method: &str, path: &str, cookie: &str, body: &str) -> anyhow::Result<(u16, String, String)> {
    use std::io::{BufRead, Read};
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: bench\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes())?;
    let mut reader = std::io::BufReader::new(stream.try_clone()?);
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let status: u16 = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("malformed status line")?;
    let mut headers = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        headers.push_str(&line);
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    Ok((status, headers, String::from_utf8_lossy(&body).into_owned()))
}

/// The pages the web benchmark asks for, in turn.
const PAGES: [&str; 3] = ["dashboard", "search", "document page"];

/// Load on loopback: dashboard, a search and a document page in turn, at a fixed arrival rate,
/// latency measured from each request's scheduled time (so a slow server cannot hide queueing).
fn web(archive_dir: &Path, secs: u64, rate: u64) -> anyhow::Result<()> {
    let key = KeySource::passphrase(PASSPHRASE);
    let mut a = Archive::open(archive_dir, &key).with_context(|| format!("opening {} (run the search benchmark first)", archive_dir.display()))?;
    a.write("bench", |w| w.set_user("bench", "synthetic bench password", girok_store::Role::Analyst, false))?;
    let doc = a
        .search(&SearchQuery { kinds: vec![Kind::Document], limit: 1, ..Default::default() })?
        .first()
        .map(|h| h.id.clone())
        .context("no document in the archive")?;
    let t = Instant::now();
    let state = girok_server::AppState::for_serving(a, girok_server::ServerConfig::default()).context("preparing the web application")?;
    println!("\nweb: ready to serve in {:.1} s (read connections opened, dashboard figures computed)", t.elapsed().as_secs_f64());
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        let rt = girok_server::runtime().expect("runtime");
        let _ = rt.block_on(girok_server::serve_listener(state, listener));
    });
    let mut s = std::net::TcpStream::connect(addr)?;
    let (status, headers, _) = http(&mut s, "POST", "/login", "", "username=bench&password=synthetic+bench+password")?;
    anyhow::ensure!(status == 303, "login failed with {status}");
    let cookie = headers
        .lines()
        .find_map(|l| l.to_ascii_lowercase().starts_with("set-cookie:").then(|| l[11..].trim().split(';').next().unwrap_or("").to_string()))
        .context("no session cookie")?;
    let words = ["tortured", "수용소", "forced labour", "execution", "Hyesan", "강제노동"];
    // Request i asks for page i % 3; searches cycle through the words.
    let path_of = |i: u64| match i % 3 {
        0 => "/".to_string(),
        1 => format!("/search?q={}", girok_core::text::percent_encode(words[(i as usize / 3) % words.len()])),
        _ => format!("/records/{doc}"),
    };
    let total = secs * rate;
    let workers = 8u64;
    let start = Instant::now() + Duration::from_millis(200);
    let results: Vec<(usize, Duration, u16)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let cookie = cookie.clone();
                let path_of = &path_of;
                scope.spawn(move || {
                    let mut conn = std::net::TcpStream::connect(addr).expect("connect");
                    conn.set_nodelay(true).ok();
                    let mut out = Vec::new();
                    let mut i = w;
                    while i < total {
                        let due = start + Duration::from_secs_f64(i as f64 / rate as f64);
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        let status = http(&mut conn, "GET", &path_of(i), &cookie, "").map(|r| r.0).unwrap_or(0);
                        out.push(((i % 3) as usize, due.elapsed(), status));
                        i += workers;
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("worker")).collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    let ok = results.iter().filter(|r| r.2 == 200).count();
    println!(
        "\nweb: {} requests at {rate}/s offered over {secs} s on loopback ({workers} connections): {:.0} req/s served, {} not 200",
        results.len(),
        results.len() as f64 / elapsed,
        results.len() - ok
    );
    latency_line("all requests", results.iter().map(|r| r.1).collect());
    for (k, name) in PAGES.iter().enumerate() {
        latency_line(name, results.iter().filter(|r| r.0 == k).map(|r| r.1).collect());
    }
    println!("  target: p99 < 100 ms at 200 requests/s");
    // The other pages, one request at a time on an idle server (not part of the target).
    println!("\nweb, other pages (idle server, 5 requests each; first one uncached):");
    let other = [
        ("act list", "/records?kind=act".to_string()),
        ("act list, filtered", "/records?kind=act&act_type=DP0100000000&place=plc-kp-17&from=1998&to=2005".to_string()),
        ("act list, 2nd page by date", "/records?kind=act&sort=-date&page=1".to_string()),
        ("map page", "/map".to_string()),
        ("map data (api)", "/api/map".to_string()),
        ("record api", format!("/api/records/{doc}")),
        ("estimate (api, log-linear)", "/api/estimate?act_type=DP0100000000&method=loglinear".to_string()),
        ("briefing page", "/publish/briefing.html?level=internal".to_string()),
    ];
    let mut conn = std::net::TcpStream::connect(addr)?;
    for (name, path) in other {
        let mut times = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let (status, _, _) = http(&mut conn, "GET", &path, &cookie, "")?;
            anyhow::ensure!(status == 200, "{path}: status {status}");
            times.push(t.elapsed());
        }
        let ms: Vec<String> = times.iter().map(|d| format!("{:.0}", d.as_secs_f64() * 1000.0)).collect();
        println!("  {name:<28} {} ms", ms.join(" / "));
    }
    Ok(())
}

/// One line of p50, p99 and maximum latency, in milliseconds; nothing for an empty sample.
fn latency_line(name: &str, mut v: Vec<Duration>) {
    if v.is_empty() {
        return;
    }
    v.sort();
    let pct = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0;
    println!("  {name:<22} n={:<6} p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms", v.len(), pct(0.5), pct(0.99), pct(1.0));
}
