//! `girok serve` as a process: what only a real process shows (its environment, its memory).
//! All data is synthetic.

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;

use crate::{girok, ok, setup, PASS};

const WEB_PASSWORD: &str = "synthetic web password 12345";

/// A served archive; the process is killed when this is dropped.
struct Served {
    child: std::process::Child,
    port: u16,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &std::path::Path) -> Served {
    setup(dir);
    ok(girok(dir).args(["user", "doc", "--role", "documenter"]).env("GIROK_NEW_PASSWORD", WEB_PASSWORD));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = girok(dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.next().and_then(|l| l.ok()).unwrap_or_default();
    assert!(ready.contains("Girok is serving"), "{ready}");
    Served { child, port }
}

/// One request on its own connection; returns the whole response as text.
fn request(port: u16, head: &str, body: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

fn login(port: u16) -> (String, String) {
    let form = format!("username=doc&password={}", WEB_PASSWORD.replace(' ', "+"));
    let res = request(
        port,
        &format!(
            "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            form.len()
        ),
        form.as_bytes(),
    );
    let cookie = res.split("set-cookie: ").nth(1).unwrap_or_else(|| panic!("{res}")).split(';').next().unwrap().to_string();
    let session = request(port, &format!("GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"), b"");
    let csrf = session.split("\"csrf\":\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    (cookie, csrf)
}

fn peak_memory_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).map(|v| v.trim().trim_end_matches(" kB").trim().parse().unwrap()).unwrap()
}

#[test]
fn regression_10_the_passphrase_does_not_stay_in_the_server_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let served = serve(tmp.path());
    let environ = std::fs::read(format!("/proc/{}/environ", served.child.id())).unwrap();
    let environ = String::from_utf8_lossy(&environ);
    assert!(!environ.contains(PASS), "the passphrase is readable in /proc/PID/environ");
    assert!(environ.contains("GIROK_ARCHIVE"), "the environment itself is still there");
}

#[test]
fn regression_10_a_large_upload_is_streamed_not_held_in_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let served = serve(tmp.path());
    let (cookie, csrf) = login(served.port);
    let before = peak_memory_kib(served.child.id());
    const MIB: usize = 1 << 20;
    let size = 96 * MIB;
    let mut s = TcpStream::connect(("127.0.0.1", served.port)).unwrap();
    write!(
        s,
        "POST /api/documents?name=big.bin&confidentiality=restricted HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nContent-Type: application/octet-stream\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    // Synthetic bytes, different in every chunk (a counter), written a chunk at a time.
    let mut chunk = vec![0u8; MIB];
    for k in 0..96u32 {
        for (i, b) in chunk.iter_mut().enumerate() {
            *b = (i as u32 ^ k.wrapping_mul(2_654_435_761)) as u8;
        }
        s.write_all(&chunk).unwrap();
    }
    let mut res = String::new();
    s.read_to_string(&mut res).unwrap();
    assert!(res.contains("\"status\":\"added\""), "{res}");
    let grew_mib = (peak_memory_kib(served.child.id()).saturating_sub(before)) / 1024;
    assert!(grew_mib < 48, "a 96 MiB upload raised the server's peak memory by {grew_mib} MiB");
}
