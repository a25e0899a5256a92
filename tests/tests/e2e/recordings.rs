//! Recording downloads from a stand-in PBX web server on loopback (plain HTTP is
//! allowed only for a loopback PBX): Range resumption, host check, size cap,
//! stall, cache and eviction.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use xvb_core::audio::fetch::{Fetcher, Limits, RecordingError};
use xvb_core::audio::g722::{self, Bitrate};
use xvb_core::audio::playback::PlaybackServer;
use xvb_core::pbx::call::Call;
use xvb_core::store::{Database, Writer};
use xvb_e2e::agent::Agent;
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::history::store_answered_call;
use xvb_e2e::pbx::{call_from_known_caller, serve_recording as serve};
use xvb_e2e::process::block_on;

fn recording(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 131 % 251) as u8).collect()
}

async fn store_call(agent: &Agent, callid: &str, link: &str, seconds: u64) -> Call {
    let path = agent.dir.path().join("xvb.sqlite3");
    let writer = Writer::start(&path).unwrap();
    let call = call_from_known_caller(callid, "100");
    store_answered_call(&writer, &call, seconds, Some(link), None).await;
    Database::open(&path)
        .unwrap()
        .call(callid)
        .unwrap()
        .unwrap()
}

#[test]
fn fetch_caches_exports_and_refuses_other_hosts() {
    let agent = Agent::new("100");
    let body = recording(16_000 * 3 / 2 * 2);
    let (port, seen) = serve(body.clone(), Arc::default());
    agent.ok(&[
        "config",
        "set",
        "pbx_url",
        &format!("http://127.0.0.1:{port}/crm-api"),
    ]);
    block_on(store_call(
        &agent,
        "REC1",
        &format!("http://127.0.0.1:{port}/ui/msg_download/120/10019/REC1.g722"),
        6,
    ));

    let first = agent.ok(&["recording", "fetch", "REC1"]);
    assert!(
        first.contains(&format!("{} bytes downloaded", body.len())),
        "{first}"
    );
    let cached = agent.dir.path().join("recordings/REC1.g722");
    assert_eq!(std::fs::read(&cached).unwrap(), body);
    assert!(agent
        .ok(&["recording", "fetch", "REC1"])
        .contains("from the cache"));
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "the second fetch used the cache"
    );

    let wav = agent.dir.path().join("REC1.wav");
    let said = agent.ok(&["recording", "export", "REC1", wav.to_str().unwrap()]);
    assert!(said.contains("s of 16 kHz audio"), "{said}");
    assert_eq!(
        std::fs::metadata(&wav).unwrap().len(),
        44 + 4 * body.len() as u64
    );

    block_on(store_call(
        &agent,
        "EVIL",
        &format!("http://localhost:{port}/x.g722"),
        6,
    ));
    let stderr = agent.fails(&["recording", "fetch", "EVIL"]);
    assert!(
        stderr.contains("refused to fetch the recording from localhost"),
        "{stderr}"
    );
    block_on(store_call(&agent, "FAR", "http://pbx.example/x.g722", 6));
    // `config set` refuses it now; a config.toml of an older version may hold it.
    agent.write_setting("pbx_url", "http://pbx.example/crm-api");
    assert!(
        agent
            .fails(&["recording", "fetch", "FAR"])
            .contains("plain http://"),
        "plain HTTP only to a loopback PBX"
    );
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "refused links make no request"
    );
}

#[test]
fn stalled_downloads_resume_and_oversize_is_refused() {
    let agent = Agent::new("100");
    let body = recording(40_000);
    let stall = Arc::new(Mutex::new(Some(10_000)));
    let (port, seen) = serve(body.clone(), Arc::clone(&stall));
    let pbx = format!("http://127.0.0.1:{port}/crm-api");
    let call = block_on(store_call(
        &agent,
        "STALL",
        &format!("http://127.0.0.1:{port}/r.g722"),
        5,
    ));
    let cache = agent.dir.path().join("recordings");
    let fetcher = Fetcher::new(
        Some(&pbx),
        cache.clone(),
        Limits {
            max_bytes: 1 << 20,
            cache_bytes: 1 << 30,
            stall: Duration::from_secs(1),
        },
        None,
    )
    .unwrap();

    let error = block_on(fetcher.fetch(&call)).unwrap_err();
    assert!(matches!(error, RecordingError::Stalled(1)), "{error}");
    assert!(error.to_string().contains("resumes where it stopped"));
    assert_eq!(
        std::fs::metadata(cache.join("STALL.g722.part"))
            .unwrap()
            .len(),
        10_000
    );

    *stall.lock().unwrap() = None;
    let fetched = block_on(fetcher.fetch(&call)).unwrap();
    assert_eq!(std::fs::read(&fetched.path).unwrap(), body);
    assert_eq!(
        fetched.size_matches_duration,
        Some(true),
        "40,000 bytes = 5 s"
    );
    assert_eq!(
        seen.lock().unwrap().last().unwrap().1.as_deref(),
        Some("10000"),
        "resumed with Range"
    );

    let small = Fetcher::new(
        Some(&pbx),
        cache.join("small"),
        Limits {
            max_bytes: 30_000,
            cache_bytes: 1 << 30,
            stall: Duration::from_secs(5),
        },
        None,
    )
    .unwrap();
    let error = block_on(small.fetch(&call)).unwrap_err();
    assert!(
        matches!(
            error,
            RecordingError::TooLarge {
                size: 40_000,
                max: 30_000
            }
        ),
        "{error}"
    );
}

#[test]
fn the_cache_drops_the_least_recently_used_recordings() {
    let agent = Agent::new("100");
    let body = recording(10_000);
    let (port, _) = serve(body, Arc::default());
    let pbx = format!("http://127.0.0.1:{port}/crm-api");
    let cache = agent.dir.path().join("recordings");
    let fetcher = Fetcher::new(
        Some(&pbx),
        cache.clone(),
        Limits {
            max_bytes: 1 << 20,
            cache_bytes: 25_000,
            stall: Duration::from_secs(5),
        },
        None,
    )
    .unwrap();
    for id in ["A", "B"] {
        let call = block_on(store_call(
            &agent,
            id,
            &format!("http://127.0.0.1:{port}/{id}.g722"),
            1,
        ));
        block_on(fetcher.fetch(&call)).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    let a = Database::open(&agent.dir.path().join("xvb.sqlite3"))
        .unwrap()
        .call("A")
        .unwrap()
        .unwrap();
    assert!(
        block_on(fetcher.fetch(&a)).unwrap().cached,
        "A used again: now the most recent"
    );
    std::thread::sleep(Duration::from_millis(20));
    let c = block_on(store_call(
        &agent,
        "C",
        &format!("http://127.0.0.1:{port}/C.g722"),
        1,
    ));
    let fetched = block_on(fetcher.fetch(&c)).unwrap();
    assert_eq!(fetched.size_matches_duration, Some(true));
    assert!(cache.join("A.g722").is_file() && cache.join("C.g722").is_file());
    assert!(
        !cache.join("B.g722").exists(),
        "B, least recently used, was dropped"
    );
}

#[test]
fn the_recordings_login_comes_from_the_keyring_and_goes_only_to_the_pbx() {
    let _turn = take_turn();
    let session = DbusSession::with_keyring();
    let agent = Agent::with_env("100", session.env());
    let body = recording(8_000);
    let (port, seen) = serve(body, Arc::default());
    agent.ok(&[
        "config",
        "set",
        "pbx_url",
        &format!("http://127.0.0.1:{port}/crm-api"),
    ]);
    agent.ok(&["config", "set", "recordings_user", "rec-user"]);
    block_on(store_call(
        &agent,
        "AUTH",
        &format!("http://127.0.0.1:{port}/ui/msg_download/AUTH.g722"),
        1,
    ));

    let stderr = agent.fails(&["recording", "fetch", "AUTH"]);
    assert!(
        stderr.contains("xvb token set --recordings"),
        "says how to store the password: {stderr}"
    );
    assert!(seen.lock().unwrap().is_empty(), "no request without it");

    let stored = agent.run_with_input(&["token", "set", "--recordings"], "p4ss:w0rd\n");
    assert!(stored.status.success(), "{stored:?}");
    assert!(agent
        .ok(&["token", "status", "--recordings"])
        .contains("recordings password for account 10019: stored"));
    agent.ok(&["recording", "fetch", "AUTH"]);
    assert_eq!(
        seen.lock().unwrap()[0].2.as_deref(),
        Some("Basic cmVjLXVzZXI6cDRzczp3MHJk"),
        "rec-user:p4ss:w0rd as HTTP Basic"
    );
    assert!(
        !agent.ok(&["config", "show"]).contains("p4ss"),
        "the password is not in the config"
    );
}

/// One HTTP/1.1 request on a fresh connection: status code, headers (lower-case names), body.
fn get(addr: std::net::SocketAddr, path: &str, range: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let range = range.map(|r| format!("Range: {r}\r\n")).unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{range}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    let split = reply.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&reply[..split]).to_ascii_lowercase();
    let status = head[9..12].parse().unwrap();
    (status, head, reply[split + 4..].to_vec())
}

#[test]
fn the_player_server_serves_ranges_on_loopback_only_with_its_token() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(PlaybackServer::start()).unwrap();
    assert!(server.addr().ip().is_loopback(), "never on the LAN");
    // Ten seconds of a sweep-like byte pattern: any bytes are valid G.722.
    let g722_bytes = recording(80_000);
    let wav = g722::wav(&g722::decode(&g722_bytes, Bitrate::Kbit64));
    let published = server.publish("CALL-1", g722_bytes.clone()).unwrap();
    assert_eq!(published.seconds, 10.0);
    let path = published
        .url
        .strip_prefix(&format!("http://{}", server.addr()))
        .unwrap()
        .to_owned();

    let (status, head, body) = get(server.addr(), &path, None);
    assert_eq!(status, 200);
    assert!(head.contains("content-type: audio/wav") && head.contains("accept-ranges: bytes"));
    assert_eq!(body, wav, "the whole decoded file");

    let (status, head, body) = get(server.addr(), &path, Some("bytes=160044-160143"));
    assert_eq!(status, 206);
    assert!(
        head.contains(&format!("content-range: bytes 160044-160143/{}", wav.len())),
        "{head}"
    );
    assert_eq!(body, wav[160_044..160_144], "the middle, exactly");
    let (status, _, body) = get(server.addr(), &path, Some("bytes=-10"));
    assert_eq!((status, body.as_slice()), (206, &wav[wav.len() - 10..]));
    let (status, head, _) = get(server.addr(), &path, Some("bytes=99999999-"));
    assert_eq!(status, 416);
    assert!(head.contains(&format!("content-range: bytes */{}", wav.len())));

    let token = path.split('/').nth(1).unwrap();
    let wrong = path.replace(token, &"A".repeat(token.len()));
    assert_eq!(get(server.addr(), &wrong, None).0, 404, "wrong token");
    assert_eq!(
        get(server.addr(), &path.replace("/1.wav", "/2.wav"), None).0,
        404,
        "no such recording"
    );
    assert_eq!(
        server.publish("CALL-1", g722_bytes).unwrap().url,
        published.url,
        "playing it again reuses the decoded track"
    );
    assert!(
        server
            .publish("HTML", b"<!DOCTYPE html><html>login</html>".to_vec())
            .is_err(),
        "a login page is not played"
    );
}
