//! `makeCall` against stand-in PBXs on real loopback sockets, and the token in a real
//! Secret Service (gnome-keyring on a private D-Bus session).

use std::time::{Duration, Instant};
use xvb_core::pbx::dialer::{DialError, Dialer};
use xvb_core::pbx::phone::DialNumber;
use xvb_core::secret::Secret;
use xvb_e2e::agent::Agent;
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::keyring::stored_secret;
use xvb_e2e::pbx::FakePbx;
use xvb_e2e::process::block_on;

const TOKEN: &str = "t0k+en with/odd=chars&more";

fn token() -> Secret {
    Secret::new(TOKEN.into()).unwrap()
}

fn number() -> DialNumber {
    DialNumber::parse("+7 (920) 111-96-13").unwrap()
}

fn reply(status: &str, body: &str) -> &'static str {
    Box::leak(
        format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    )
}

#[test]
fn sends_exactly_the_four_form_fields_encoded() {
    let pbx = FakePbx::start(Some(reply("200 OK", "queued")));
    let dialer = Dialer::new(Some(&pbx.url)).unwrap();
    let accepted = block_on(dialer.make_call(&token(), "100", &number())).unwrap();
    assert_eq!((accepted.status, accepted.reply.as_str()), (200, "queued"));
    let requests = pbx.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert!(request.starts_with("POST /crm HTTP/1.1\r\n"), "{request}");
    assert!(
        request
            .to_ascii_lowercase()
            .contains("content-type: application/x-www-form-urlencoded\r\n"),
        "{request}"
    );
    let body = request.split("\r\n\r\n").nth(1).unwrap();
    assert_eq!(
        body,
        "token=t0k%2Ben+with%2Fodd%3Dchars%26more&from=100&to=79201119613&cmd=makeCall"
    );
    assert!(request.is_ascii(), "nothing but ASCII on the wire");
}

#[test]
fn refusals_carry_status_and_body_with_the_token_redacted() {
    let long = "x".repeat(500);
    for (status, body, code) in [
        ("401 Unauthorized", format!("invalid token {TOKEN}"), 401),
        (
            "403 Forbidden",
            "extension 100 may not call".to_owned(),
            403,
        ),
        ("500 Internal Server Error", long.clone(), 500),
    ] {
        let pbx = FakePbx::start(Some(reply(status, &body)));
        let dialer = Dialer::new(Some(&pbx.url)).unwrap();
        let error = block_on(dialer.make_call(&token(), "100", &number())).unwrap_err();
        let DialError::Refused {
            status,
            body: shown,
            ..
        } = &error
        else {
            panic!("{status}: {error}")
        };
        assert_eq!(*status, code);
        let message = error.to_string();
        assert!(!message.contains(TOKEN), "token leaked: {message}");
        assert!(shown.chars().count() <= 200);
        match code {
            401 => {
                assert_eq!(shown, "invalid token <redacted>");
                assert!(message.contains("check the token"), "{message}");
            }
            403 => assert_eq!(shown, "extension 100 may not call"),
            _ => assert_eq!(shown, &long[..200]),
        }
    }
}

#[test]
fn a_pbx_that_never_answers_times_out() {
    let pbx = FakePbx::start(None);
    let dialer = Dialer::with_timeouts(
        Some(&pbx.url),
        Duration::from_secs(1),
        Duration::from_secs(2),
    )
    .unwrap();
    let started = Instant::now();
    let error = block_on(dialer.make_call(&token(), "100", &number())).unwrap_err();
    assert!(
        matches!(error, DialError::Timeout { seconds: 2, .. }),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(error.to_string().contains("did not answer within 2 s"));
}

#[test]
fn unreachable_pbx_errors_say_what_to_check() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = Dialer::new(Some(&format!("http://127.0.0.1:{port}/crm"))).unwrap();
    let error = block_on(refused.make_call(&token(), "100", &number())).unwrap_err();
    assert!(matches!(error, DialError::ConnectionRefused(_)), "{error}");
    assert!(error
        .to_string()
        .contains("connection refused; check pbx_url"));

    let plain = FakePbx::start(Some(reply("200 OK", "")));
    let tls = Dialer::new(Some(&plain.url.replace("http://", "https://"))).unwrap();
    let error = block_on(tls.make_call(&token(), "100", &number())).unwrap_err();
    assert!(matches!(error, DialError::Tls { .. }), "{error}");

    let dns = Dialer::new(Some("https://pbx.invalid/crm")).unwrap();
    let error = block_on(dns.make_call(&token(), "100", &number())).unwrap_err();
    assert!(matches!(error, DialError::Dns(_)), "{error}");
    assert!(error
        .to_string()
        .contains("cannot find the PBX host pbx.invalid"));
}

#[test]
fn bad_numbers_are_refused_before_any_request() {
    let pbx = FakePbx::start(Some(reply("200 OK", "")));
    let agent = Agent::new("100");
    agent.ok(&["config", "set", "pbx_url", &pbx.url]);
    for (number, reason) in [
        ("", "empty"),
        ("call me", "letters"),
        ("7", "at least 2"),
        ("123456789012345678901", "at most 20"),
    ] {
        let out = agent
            .command(&["call", number])
            .env("XVB_TOKEN", TOKEN)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{number:?} was accepted");
        assert!(stderr.contains(reason), "{number:?}: {stderr}");
    }
    assert!(pbx.requests().is_empty(), "no request was made");
}

#[test]
fn token_round_trip_through_the_os_keyring() {
    let _turn = take_turn();
    let session = DbusSession::with_keyring();
    let agent = Agent::with_env("100", session.env());
    assert!(agent.ok(&["token", "status"]).contains(": not stored"));

    let out = agent.run_with_input(&["token", "set"], &format!("{TOKEN}\n"));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("token stored in the keyring for account 10019"));

    let status = agent.ok(&["token", "status"]);
    assert!(
        status.contains("token for account 10019: stored"),
        "{status}"
    );
    assert_eq!(
        stored_secret("10019", &session.env()).as_deref(),
        Some(TOKEN),
        "the keyring holds it, trimmed"
    );
    assert_no_file_holds_the_token(agent.dir.path());

    assert!(agent.ok(&["token", "clear"]).contains("token removed"));
    assert!(agent.ok(&["token", "status"]).contains(": not stored"));
    assert_eq!(stored_secret("10019", &session.env()), None, "removed");
    assert!(agent
        .ok(&["token", "clear"])
        .contains("no token was stored"));
}

#[test]
fn without_a_secret_service_it_says_how_to_get_one() {
    let _turn = take_turn();
    let session = DbusSession::bare();
    let agent = Agent::with_env("100", session.env());
    let out = agent.run_with_input(&["token", "set"], TOKEN);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("no keyring is reachable"), "{stderr}");
    assert!(stderr.contains("gnome-keyring or KWallet"), "{stderr}");
    assert!(!stderr.contains(TOKEN));
    assert_no_file_holds_the_token(agent.dir.path());
}

fn assert_no_file_holds_the_token(dir: &std::path::Path) {
    for file in walk(dir) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !contains(&bytes, TOKEN.as_bytes()),
            "token written to {}",
            file.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// set, call, failed call, clear: the token appears in no file, log or output.
/// And the whole loop: `xvb sim pbx` + `xvb serve` + `xvb call` → the call in history.
#[test]
fn dialing_loop_through_the_simulated_pbx_leaks_no_token() {
    let _turn = take_turn();
    let session = DbusSession::with_keyring();
    let mut env = session.env();
    env.push(("XVB_LOG".into(), "trace".into()));
    let agent = Agent::with_env("100", env);
    let served = agent.serve();
    let mut pbx = agent.start_sim_pbx(&served.webhook, TOKEN);
    let mut outputs = Vec::new();

    let out = agent.run_with_input(&["token", "set"], TOKEN);
    assert!(out.status.success());
    outputs.push(String::from_utf8_lossy(&out.stdout).into_owned());
    outputs.push(String::from_utf8_lossy(&out.stderr).into_owned());

    let call = agent.run(&["call", "8 (920) 111-96-13"]);
    let said = String::from_utf8_lossy(&call.stdout).into_owned();
    outputs.push(said.clone());
    outputs.push(String::from_utf8_lossy(&call.stderr).into_owned());
    assert!(call.status.success(), "{outputs:?}");
    assert!(
        said.contains("calling 79201119613 from extension 100: the PBX accepted (HTTP 200"),
        "{said}"
    );
    let make_call = pbx.expect_line("makeCall ");
    assert!(
        make_call.starts_with("makeCall from=100 to=79201119613 callid="),
        "{make_call}"
    );
    let callid = make_call.rsplit("callid=").next().unwrap().to_owned();
    pbx.expect_line("webhook COMPLETED");

    let history = agent.history(&[]);
    let outgoing = history
        .iter()
        .find(|c| c["callid"] == callid.as_str())
        .expect("the outgoing call is in history");
    assert_eq!(outgoing["direction"], "out");
    assert_eq!(outgoing["phone"], "79201119613");
    assert_eq!(outgoing["ext"], "100");
    assert_eq!(outgoing["status"], "Success");
    assert_eq!(
        outgoing["events"],
        serde_json::json!(["OUTGOING", "COMPLETED"])
    );

    let other = agent.run(&["call", "79201119613", "--from", "101"]);
    assert!(other.status.success(), "another extension may be given");
    pbx.expect_line("makeCall from=101 to=79201119613");
    let wrong = agent.run_with_input(&["token", "set"], "not-the-token");
    assert!(wrong.status.success());
    let failure = agent.fails(&["call", "79201119613"]);
    assert!(
        failure.contains("HTTP 401") && failure.contains("check the token"),
        "{failure}"
    );
    outputs.push(failure);
    outputs.push(agent.ok(&["token", "clear"]));
    outputs.push(agent.ok(&["token", "status"]));
    outputs.push(agent.ok(&["config", "show"]));
    outputs.push(agent.ok(&["journal"]));
    std::thread::sleep(Duration::from_millis(200));
    let logs = [served.logs(), pbx.logs()].concat();
    assert!(
        logs.iter().any(|l| l.contains("TRACE")),
        "trace logging was on"
    );
    outputs.extend(logs);

    for (i, text) in outputs.iter().enumerate() {
        assert!(!text.contains(TOKEN), "output {i} shows the token: {text}");
    }
    assert_no_file_holds_the_token(agent.dir.path());
}
