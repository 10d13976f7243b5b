//! Two archives and a mirror kept in step by the `girok` binary: cards and fingerprints,
//! bundles both ways, a restore from the mirror alone. All data is synthetic.

use crate::{girok, ok, run, write};

fn fingerprint(stderr: &str) -> String {
    stderr.split("fingerprint ").nth(1).and_then(|t| t.split_whitespace().next()).expect("the card's fingerprint is printed").to_string()
}

#[test]
fn a_laptop_and_the_office_sync_by_file_and_the_mirror_restores_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let (office, laptop) = (tmp.path().join("office"), tmp.path().join("laptop"));
    std::fs::create_dir_all(&office).unwrap();
    std::fs::create_dir_all(&laptop).unwrap();
    ok(girok(&office).arg("init"));
    ok(girok(&laptop).arg("init"));
    let office_card = ok(girok(&office).args(["replica", "card", "--name", "office", "--out", "office.card"]));
    let laptop_card = ok(girok(&laptop).args(["replica", "card", "--name", "laptop", "--out", "laptop.card"]));
    let (fo, fl) = (fingerprint(&office_card.stderr), fingerprint(&laptop_card.stderr));
    std::fs::copy(office.join("office.card"), laptop.join("office.card")).unwrap();
    std::fs::copy(laptop.join("laptop.card"), office.join("laptop.card")).unwrap();

    // A wrong fingerprint pairs nothing.
    let wrong = run(girok(&laptop).args(["replica", "pair", "office.card", "--name", "office", "--fingerprint", "AAAA-BBBB"]));
    assert_eq!(wrong.code, 2, "{}", wrong.stdout);
    assert!(wrong.stderr.contains("fingerprint"), "{}", wrong.stderr);
    ok(girok(&laptop).args(["replica", "pair", "office.card", "--name", "office", "--fingerprint", &fo]));
    ok(girok(&office).args(["replica", "pair", "laptop.card", "--name", "laptop", "--fingerprint", &fl]));

    // The laptop takes in an interview while apart.
    let interview = write(&laptop, "interview.txt", "SYNTHETIC interview: detention in Onsong, 2019.");
    ok(girok(&laptop).arg("add").arg(&interview).arg("--no-ocr"));
    let listed = ok(girok(&laptop).args(["replica", "list"]));
    assert!(listed.stdout.contains("office") && !listed.stdout.contains(" 0 changes waiting"), "{}", listed.stdout);

    let bundle = tmp.path().join("laptop-to-office.girok-sync");
    ok(girok(&laptop).args(["sync", "export", "--to", "office"]).arg(&bundle));
    let applied = ok(girok(&office).args(["sync", "apply"]).arg(&bundle));
    assert!(applied.stdout.contains("1 original files"), "{}", applied.stdout);
    let again = ok(girok(&office).args(["sync", "apply"]).arg(&bundle));
    assert!(again.stdout.contains("nothing new"), "{}", again.stdout);
    let found = ok(girok(&office).args(["search", "Onsong"]));
    assert!(found.stdout.contains("interview"), "{}", found.stdout);
    ok(girok(&office).arg("verify"));

    // A bundle for the office is useless to the laptop itself.
    let refused = run(girok(&laptop).args(["sync", "apply"]).arg(&bundle));
    assert_eq!(refused.code, 2);

    // The mirror, and a restore from it alone on a "new machine".
    ok(girok(&office).args(["recovery-key", "recovery.key"]));
    let key = std::fs::read_to_string(office.join("recovery.key")).unwrap();
    let recipient = key.lines().find_map(|l| l.strip_prefix("# recipient: ")).unwrap().to_string();
    ok(girok(&office).args(["replica", "mirror", "offsite", "--recovery-recipient", &recipient]));
    let mirror = tmp.path().join("mirror");
    ok(girok(&office).args(["mirror", "offsite"]).arg(&mirror));
    let fp_office = ok(girok(&office).args(["replica", "list"])).stdout.lines().next().unwrap().trim_start_matches("this archive: ").to_string();
    assert_eq!(fp_office, fo);
    let fresh = tmp.path().join("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    ok(girok(&fresh).arg("restore-mirror").arg(&mirror).arg("--recovery-key").arg(office.join("recovery.key")).args(["--expect", &fo]));
    ok(girok(&fresh).arg("verify"));
    let found = ok(girok(&fresh).args(["search", "Onsong"]));
    assert!(found.stdout.contains("interview"), "{}", found.stdout);
}

/// Pairs two fresh archives in `dir/office` and `dir/laptop` through the binary.
fn paired(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (office, laptop) = (dir.join("office"), dir.join("laptop"));
    for (d, name) in [(&office, "office"), (&laptop, "laptop")] {
        std::fs::create_dir_all(d).unwrap();
        ok(girok(d).arg("init"));
        ok(girok(d).args(["replica", "card", "--name", name, "--out", &format!("{name}.card")]));
    }
    let fingerprint_of =
        |d: &std::path::Path| ok(girok(d).args(["replica", "list"])).stdout.lines().next().unwrap().trim_start_matches("this archive: ").to_string();
    let (fo, fl) = (fingerprint_of(&office), fingerprint_of(&laptop));
    std::fs::copy(office.join("office.card"), laptop.join("office.card")).unwrap();
    std::fs::copy(laptop.join("laptop.card"), office.join("laptop.card")).unwrap();
    ok(girok(&laptop).args(["replica", "pair", "office.card", "--name", "office", "--fingerprint", &fo]));
    ok(girok(&office).args(["replica", "pair", "laptop.card", "--name", "laptop", "--fingerprint", &fl]));
    (office, laptop)
}

#[test]
fn a_kill_during_apply_loses_nothing_committed_and_the_bundle_applies_again() {
    use std::time::Instant;
    let tmp = tempfile::tempdir().unwrap();
    let (office, laptop) = paired(tmp.path());
    // The office's own record, committed before the bundle arrives.
    let own = write(&office, "own.txt", "SYNTHETIC office note: Hyesan, 2018.");
    ok(girok(&office).arg("add").arg(&own).arg("--no-ocr"));
    let mut csv = String::from("id,names,sex,birth,notes\n");
    let n = 6000;
    for i in 0..n {
        csv.push_str(&format!("per-{i:05},hangul:김철{i}|mr:Kim Ch'ŏl {i},male,19{:02},SYNTHETIC row {i}\n", i % 90 + 10));
    }
    let file = write(&laptop, "persons.csv", &csv);
    ok(girok(&laptop).args(["import", "persons"]).arg(&file));
    let bundle = tmp.path().join("laptop.girok-sync");
    ok(girok(&laptop).args(["sync", "export", "--to", "office"]).arg(&bundle));
    let count = |d: &std::path::Path| -> usize {
        let out = ok(girok(d).arg("info")).stdout;
        out.lines().find_map(|l| l.trim().strip_prefix("person ")).map(|n| n.trim().parse().unwrap()).unwrap_or(0)
    };

    // How long a whole apply takes, on a copy of the office; then the kill comes halfway.
    let copy = tmp.path().join("copy");
    std::fs::create_dir_all(&copy).unwrap();
    for f in std::fs::read_dir(office.join("archive")).unwrap() {
        let f = f.unwrap();
        let to = copy.join("archive");
        std::fs::create_dir_all(&to).unwrap();
        if f.file_type().unwrap().is_file() {
            std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
        }
    }
    let t = Instant::now();
    ok(girok(&copy).args(["sync", "apply"]).arg(&bundle));
    let whole = t.elapsed();
    let mut child = girok(&office).args(["sync", "apply"]).arg(&bundle).stdout(std::process::Stdio::null()).spawn().unwrap();
    std::thread::sleep(whole.mul_f64(0.5));
    assert!(child.try_wait().unwrap().is_none(), "the apply ended before it could be killed ({whole:?} for a whole one); make the bundle larger");
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    // Nothing committed is lost, nothing is half applied: the office holds its own record and
    // either none or all of the bundle's, and verifies.
    ok(girok(&office).arg("verify"));
    let found = ok(girok(&office).args(["search", "Hyesan"]));
    assert!(found.stdout.contains("own"), "{}", found.stdout);
    let after_kill = count(&office);
    assert!(after_kill == 0 || after_kill == n, "{after_kill} of {n} persons after the kill");
    // The bundle applies again, whole, once.
    ok(girok(&office).args(["sync", "apply"]).arg(&bundle));
    assert_eq!(count(&office), n);
    ok(girok(&office).arg("verify"));
}

#[test]
fn sync_over_https_goes_both_ways_resumes_when_cut_and_refuses_unpaired_archives() {
    use std::io::BufRead;
    let tmp = tempfile::tempdir().unwrap();
    let (office, laptop) = paired(tmp.path());
    let interview = write(&laptop, "interview.txt", "SYNTHETIC interview: detention in Onsong, 2019.");
    ok(girok(&laptop).arg("add").arg(&interview).arg("--no-ocr"));
    let note = write(&office, "note.txt", "SYNTHETIC office note: a public trial in Hyesan, 2018.");
    ok(girok(&office).arg("add").arg(&note).arg("--no-ocr"));
    ok(girok(&office).args(["user", "admin", "--role", "admin"]).env("GIROK_NEW_PASSWORD", "synthetic web password 12345"));

    let mut child = girok(&office)
        .args(["serve", "--listen", "127.0.0.1:0", "--sync-listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let server = Kill(child);
    let _web = lines.next().unwrap().unwrap();
    let sync_line = lines.next().unwrap().unwrap();
    let url = sync_line.split("--url ").nth(1).unwrap().trim_end_matches(')').to_string();
    assert!(url.starts_with("https://127.0.0.1:"), "{sync_line}");

    // Cut short: 300 bytes now; nothing is applied on the office.
    let cut = run(girok(&laptop).args(["sync", "https", "--with", "office", "--url", &url, "--max-bytes", "300"]));
    assert_eq!(cut.code, 1, "{} {}", cut.stdout, cut.stderr);
    assert!(cut.stdout.contains("knows this archive as laptop") && cut.stdout.contains("run again to continue"), "{}", cut.stdout);
    // Resumed: the rest goes, both ways.
    let done = ok(girok(&laptop).args(["sync", "https", "--with", "office", "--url", &url]));
    assert!(done.stdout.contains("resumed: 300 bytes"), "{}", done.stdout);
    assert!(done.stdout.contains("sent to office") && done.stdout.contains("1 original files"), "{}", done.stdout);
    assert!(done.stdout.contains("received from office"), "{}", done.stdout);
    let found = ok(girok(&laptop).args(["search", "Hyesan"]));
    assert!(found.stdout.contains("note"), "the office's document reached the laptop: {}", found.stdout);
    ok(girok(&laptop).arg("verify"));
    // Again: nothing new either way.
    let again = ok(girok(&laptop).args(["sync", "https", "--with", "office", "--url", &url]));
    assert_eq!(again.stdout.matches("nothing new").count(), 2, "{}", again.stdout);

    // A third archive holding the office's card, but not paired by the office: refused, by name.
    let stranger = tmp.path().join("stranger");
    std::fs::create_dir_all(&stranger).unwrap();
    ok(girok(&stranger).arg("init"));
    std::fs::copy(office.join("office.card"), stranger.join("office.card")).unwrap();
    std::fs::copy(laptop.join("laptop.card"), stranger.join("laptop.card")).unwrap();
    let fingerprint_of =
        |d: &std::path::Path| ok(girok(d).args(["replica", "list"])).stdout.lines().next().unwrap().trim_start_matches("this archive: ").to_string();
    ok(girok(&stranger).args(["replica", "pair", "office.card", "--name", "office", "--fingerprint", &fingerprint_of(&office)]));
    let refused = run(girok(&stranger).args(["sync", "https", "--with", "office", "--url", &url]));
    assert!(refused.code != 0 && refused.stderr.contains("is not paired with this one"), "{}", refused.stderr);
    // One that expects the laptop at the office's address: the TLS pin stops it.
    ok(girok(&stranger).args(["replica", "pair", "laptop.card", "--name", "laptop", "--fingerprint", &fingerprint_of(&laptop)]));
    let wrong = run(girok(&stranger).args(["sync", "https", "--with", "laptop", "--url", &url]));
    assert!(wrong.code != 0 && wrong.stderr.contains("not the paired archive"), "{}", wrong.stderr);

    drop(server);
    let found = ok(girok(&office).args(["search", "Onsong"]));
    assert!(found.stdout.contains("interview"), "the laptop's interview reached the office: {}", found.stdout);
    ok(girok(&office).arg("verify"));
    ok(girok(&laptop).arg("verify"));
}
