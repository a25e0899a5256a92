//! Stand-ins for the cloud PBX: its captured requests (`fixtures/pbx/`) and
//! the account they belong to, the webhook POSTs it makes, a raw loopback
//! server that takes `makeCall` ([`FakePbx`]), and its web UI serving call
//! recordings ([`serve_recording`]). The simulated PBX that is an `xvb`
//! process (`xvb sim pbx`) is started by [`crate::agent::Agent::start_sim_pbx`].

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use xvb_core::pbx::protocol::Fields;
use xvb_core::pbx::sim::{SimCall, Target};

/// The account number of the seed's captures.
pub const ACCESS_CODE: &str = "10019";
/// The contact name of the seed's example.
pub const KNOWN_CALLER: &str = "Вася/Рога и копыта";

/// A fixture of `tests/fixtures/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The PBX's captured request `capture` (a `fixtures/pbx/` file) addressed to
/// `path` (a webhook's `/hook/<secret>`) instead of the PBX's `/crm-api`,
/// byte for byte otherwise.
pub fn readdressed(capture: &[u8], path: &str) -> String {
    let text = String::from_utf8(capture.to_vec()).expect("captures are text");
    text.replacen("POST /crm-api ", &format!("POST {path} "), 1)
}

/// The path of a webhook URL: `/hook/<secret>`.
pub fn hook_path(webhook: &str) -> &str {
    &webhook[webhook.find("/hook/").expect("a webhook path")..]
}

/// The PBX's `cmd=contact` for `phone` sent to `target` (a running listener):
/// the answer's body.
pub fn ask_contact(target: &Target, phone: &str) -> String {
    let fields = Fields::from_pairs([
        ("access_code", Some(ACCESS_CODE)),
        ("cmd", Some("contact")),
        ("phone", Some(phone)),
    ]);
    let reply = crate::process::block_on(target.send(&fields, None)).unwrap();
    assert_eq!(reply.status, 200, "cmd=contact for {phone}");
    reply.body
}

/// Waits (up to 20 s) until the listener at `target` answers `cmd=contact`
/// for `phone` with `answer`: a book reloaded, a source synced, a CRM in service.
pub fn await_contact(target: &Target, phone: &str, answer: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let got = ask_contact(target, phone);
        if got == answer {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "cmd=contact for {phone}: {got}, never {answer}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A call from the seed's caller's number (79201119613) to extension `ext`, on no
/// particular line, whose events the PBX would post.
pub fn call_from_known_caller(callid: &str, ext: &str) -> SimCall {
    SimCall {
        access_code: ACCESS_CODE.into(),
        callid: callid.into(),
        phone: "79201119613".into(),
        ext: ext.into(),
        line: None,
    }
}

/// Posts `fields` to `webhook` as the PBX does (with the access-code `header`
/// if given) and asserts the answer is 200.
pub async fn post_to_webhook(webhook: &str, fields: &Fields, header: Option<&str>) {
    let target = Target::parse(webhook).unwrap();
    let reply = target.send(fields, header).await.unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// Posts `call` to `webhook` as the PBX does for a call that was answered:
/// `INCOMING`, `ANSWERED`, then `COMPLETED` with status `Success`, `seconds`
/// long, with the recording `link` if any.
pub async fn post_answered_call(webhook: &str, call: &SimCall, seconds: u64, link: Option<&str>) {
    for fields in [
        call.incoming(),
        call.answered(),
        call.completed("Success", seconds, link),
    ] {
        post_to_webhook(webhook, &fields, None).await;
    }
}

/// A stand-in PBX on a raw loopback socket: records each request's bytes and
/// answers every one with `reply` (or never answers, when `None`).
pub struct FakePbx {
    /// `http://127.0.0.1:PORT/crm`.
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl FakePbx {
    /// Starts it.
    pub fn start(reply: Option<&'static str>) -> FakePbx {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/crm", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || {
                    let mut raw = Vec::new();
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = stream.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        raw.extend_from_slice(&buf[..n]);
                        if request_complete(&raw) {
                            break;
                        }
                    }
                    seen.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&raw).into_owned());
                    match reply {
                        Some(reply) => {
                            let _ = stream.write_all(reply.as_bytes());
                        }
                        None => std::thread::sleep(Duration::from_secs(30)),
                    }
                });
            }
        });
        FakePbx { url, requests }
    }

    /// Every request received so far, as text.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn request_complete(raw: &[u8]) -> bool {
    if raw.first().is_some_and(|b| !b.is_ascii_uppercase()) {
        return true; // not HTTP (a TLS hello, say): answer at once
    }
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    raw.len() >= end + 4 + length
}

/// What the server saw: request paths with their Range and Authorization headers.
pub type Seen = Arc<Mutex<Vec<(String, Option<String>, Option<String>)>>>;

/// A stand-in PBX web server on loopback serving `body` at every path (Range `bytes=N-`
/// honoured); with `stall_after`, sends that many bytes and then nothing.
pub fn serve_recording(body: Vec<u8>, stall_after: Arc<Mutex<Option<usize>>>) -> (u16, Seen) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let (body, log, stall) = (body.clone(), Arc::clone(&log), *stall_after.lock().unwrap());
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                let range = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("range: bytes=")
                            .map(str::to_owned)
                    })
                    .map(|r| r.trim_end_matches('-').to_owned());
                let authorization = head.lines().find_map(|l| {
                    l.strip_prefix("authorization: ")
                        .or_else(|| l.strip_prefix("Authorization: "))
                        .map(str::to_owned)
                });
                log.lock()
                    .unwrap()
                    .push((path, range.clone(), authorization));
                let start: usize = range.and_then(|r| r.parse().ok()).unwrap_or(0);
                let part = &body[start.min(body.len())..];
                let status = if start > 0 {
                    "206 Partial Content"
                } else {
                    "200 OK"
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    part.len()
                );
                match stall {
                    Some(n) => {
                        let _ = stream.write_all(&part[..n.min(part.len())]);
                        let _ = stream.flush();
                        std::thread::sleep(Duration::from_secs(30));
                    }
                    None => {
                        let _ = stream.write_all(part);
                    }
                }
            });
        }
    });
    (port, seen)
}
