//! The Windows app (`xvb-companion.exe`) under Wine and Xvfb, as far as Wine
//! takes it: WebView2 and toasts do not exist there, so no window is drawn and
//! no pop shown, but the rest of the app runs — the tray, the PBX's webhooks
//! stored and `cmd=contact` answered, a `tel:` link from a second instance handed
//! to the first, and the log file under `%LOCALAPPDATA%`. Windows leg only.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use xvb_e2e::agent::{wine_patience, Agent, Served, WINDOWS_EXE_ENV};
use xvb_e2e::desktop::session::Xvfb;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::pbx::{fixture, KNOWN_CALLER};
use xvb_e2e::process::run_checked;

/// Wine in `prefix` on `display`.
fn wine_in(prefix: &Path, display: &str) -> Command {
    let mut wine =
        Command::new(std::env::var_os("WINE").unwrap_or_else(|| "/usr/lib/wine/wine64".into()));
    wine.env("DISPLAY", display).env("WINEPREFIX", prefix);
    wine
}

/// The app beside the `xvb.exe` under test, under Wine in `prefix` on `display`,
/// on the agent's data dir.
fn app_command(agent: &Agent, prefix: &Path, display: &str, args: &[&str]) -> Command {
    let exe = PathBuf::from(std::env::var_os(WINDOWS_EXE_ENV).expect("the Windows leg"))
        .with_file_name("xvb-companion.exe");
    let mut wine = wine_in(prefix, display);
    wine.arg(exe)
        .args(args)
        .env("XVB_DATA_DIR", agent.dir.path());
    wine
}

#[test]
#[ignore = "the Windows leg: `make test-windows` builds the app and runs this"]
fn the_windows_app_takes_webhooks_and_tel_links_without_its_window() {
    let _turn = take_turn();
    let xvfb = Xvfb::start();
    // A Wine prefix of its own, started on this display: one shared with the
    // headless tests may have made its desktop without one (no window handles).
    let prefix = tempfile::tempdir().unwrap();
    run_checked(wine_in(prefix.path(), &xvfb.display).args(["wineboot", "-i"]));
    let (agent, port) = Agent::with_known_port("100", vec![]);
    agent.add_known_caller();
    let config = agent.ok(&["config", "show"]);
    let secret = config
        .lines()
        .find_map(|l| l.strip_prefix("webhook_secret = "))
        .expect("a webhook secret")
        .trim_matches('"')
        .to_owned();

    let mut app = Served::start(
        app_command(&agent, prefix.path(), &xvfb.display, &[]),
        &format!("listening on 127.0.0.1:{port}"),
    );
    app.webhook = format!("http://127.0.0.1:{port}/hook/{secret}");

    let incoming = app.replay(&fixture("pbx/01-incoming.http"));
    assert_eq!(
        (incoming.status, incoming.body.as_str()),
        (200, r#"{"ok":true}"#)
    );
    let contact = app.replay(&fixture("pbx/02-contact.http"));
    let answer: serde_json::Value = serde_json::from_str(&contact.body).unwrap();
    assert_eq!(answer["contact_name"], KNOWN_CALLER, "from the app's book");
    let calls = agent.history(&[]);
    let call = calls
        .iter()
        .find(|c| c["callid"] == "DVzqd2I5zmRev0_vLvXV6vw")
        .expect("stored by the app");
    assert_eq!(call["contact_name"], KNOWN_CALLER);

    // A tel: link opened while the app runs starts a second instance, which
    // hands the link to the first and ends.
    let second = app_command(
        &agent,
        prefix.path(),
        &xvfb.display,
        &["tel:+7 920 111-96-13"],
    )
    .output()
    .expect("the second instance runs");
    assert!(second.status.success(), "{second:?}");
    wait_for_log(&app, "a tel:/callto: link was opened");

    // The log file is where the README says: %LOCALAPPDATA%\com.xvb.companion\logs.
    let logs: Vec<String> = std::fs::read_dir(prefix.path().join("drive_c/users"))
        .unwrap()
        .map(|user| {
            user.unwrap()
                .path()
                .join("AppData/Local/com.xvb.companion/logs")
        })
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .map(|file| std::fs::read_to_string(file.unwrap().path()).unwrap())
        .collect();
    assert!(
        logs.iter()
            .any(|log| log.contains("a tel:/callto: link was opened")),
        "a log file under %LOCALAPPDATA%"
    );
    assert!(
        !logs.iter().any(|log| log.contains("79201119613")),
        "no client's number in the logs at info"
    );
}

fn wait_for_log(app: &Served, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(10) * wine_patience();
    while !app.logs().iter().any(|line| line.contains(text)) {
        assert!(Instant::now() < deadline, "the app never logged {text:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
