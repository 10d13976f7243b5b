//! The `girok` binary as a user runs it: commands, exit codes, messages, crashes, recovery.
//!
//! Modules: `commands` (each subcommand and its errors), `crash` (kill -9 mid-import),
//! `estimate` (multiple systems estimation from files and from the archive), `formats`
//! (evidence of every kind, imports through a mapping),
//! `publish` (briefings with small cells withheld), `recovery` (getting everything back with sqlcipher, argon2 and age), `serve` (the web server as a process), `sync` (replicas and a mirror), `tidy` (house rules).
//! All data is synthetic.

mod commands;
mod crash;
mod estimate;
mod formats;
mod link;
mod publish;
mod recovery;
mod serve;
mod sync;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) const PASS: &str = "synthetic test passphrase, long enough";

/// A `girok` command against the archive in `dir`, keyed by passphrase.
pub(crate) fn girok(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_girok"));
    c.env("GIROK_ARCHIVE", dir.join("archive")).env("GIROK_PASSPHRASE", PASS).env_remove("GIROK_KEY_FILE").env("GIROK_ACTOR", "tester").current_dir(dir);
    c
}

pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

pub(crate) fn run(cmd: &mut Command) -> Run {
    let Output { status, stdout, stderr } = cmd.output().expect("the girok binary runs");
    Run { code: status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&stdout).into_owned(), stderr: String::from_utf8_lossy(&stderr).into_owned() }
}

#[track_caller]
pub(crate) fn ok(cmd: &mut Command) -> Run {
    let r = run(cmd);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    r
}

pub(crate) fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// An initialised archive with synthetic sources, persons and events.
pub(crate) fn setup(dir: &Path) {
    ok(girok(dir).arg("init"));
    let sources = write(
        dir,
        "sources.csv",
        "id,pseudonym,kind,organisation,connection,reliability\nsrc-a,W-0001,witness,Synthetic Project A,victim him/herself,likely reliable\n",
    );
    ok(girok(dir).args(["import", "sources"]).arg(sources));
    let persons = write(
        dir,
        "persons.csv",
        "id,names,sex,birth,origin\nper-1,hangul:김철수|mr:Kim Ch'ŏl-su,male,1968,Hoeryong\nper-2,hangul:박영희|rr:Park Yeong-hui,female,circa 1975,혜산\n",
    );
    ok(girok(dir).args(["import", "persons"]).arg(persons));
    let events = write(dir, "events.csv", "id,title,place,date\nevt-1,Arrest and return (synthetic),Onsong,winter 1997\nevt-2,Yodok detention (synthetic),plc-fac-kwanliso-15,between 1999 and 2002\n");
    ok(girok(dir).args(["import", "events"]).arg(events));
}
