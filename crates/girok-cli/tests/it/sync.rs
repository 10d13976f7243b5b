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
