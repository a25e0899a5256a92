//! The `.deb` that `make package-deb` builds, installed with `apt-get install ./…deb`
//! as an agent would, then the installed app under Xvfb: `xdg-open tel:…` and
//! `callto:…` reach the running app (through the package's desktop entry and
//! the single-instance hand-over), and *dial links at once* sends `makeCall`.
//!
//! Installing needs root (CI) or sudo; the package is removed again at the end.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use xvb_e2e::desktop::app::{desktop_agent, workspace, Desktop};
use xvb_e2e::desktop::page::{click, wait_text, wait_value, DIAL_INPUT};
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::process::run_checked;

const TOKEN: &str = "deb t0ken";
const INSTALLED_APP: &str = "/usr/bin/xvb-companion";
const INSTALLED_CLI: &str = "/usr/bin/xvb";

/// The newest `.deb` under `target/release/bundle/deb/`.
fn built_deb() -> PathBuf {
    let dir = workspace().join("target/release/bundle/deb");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}; run `make package-deb` first", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .expect("a .deb; run `make package-deb` first")
}

/// Runs apt-get as root (directly, or through sudo).
fn apt_get(args: &[&str]) {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut command = if root {
        Command::new("apt-get")
    } else {
        let mut sudo = Command::new("sudo");
        sudo.arg("apt-get");
        sudo
    };
    run_checked(
        command
            .args(["-o", "DPkg::Lock::Timeout=600", "-y", "-qq"])
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    );
}

/// Removes the package again when the test ends, passed or not.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        apt_get(&["remove", "xvb-companion"]);
    }
}

fn xdg_open(url: &str, env: &[(String, String)], display: &str) {
    run_checked(
        Command::new("xdg-open")
            .arg(url)
            .envs(env.iter().cloned())
            .env("DISPLAY", display),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_installed_deb_takes_tel_and_callto_links() {
    let _turn = take_turn();
    let deb = built_deb();
    let depends = Command::new("dpkg-deb")
        .args(["-f", deb.to_str().unwrap(), "Depends"])
        .output()
        .unwrap();
    let depends = String::from_utf8_lossy(&depends.stdout).into_owned();
    for needed in [
        "libwebkit2gtk-4.1-0",
        "libayatana-appindicator3-1",
        "gstreamer1.0-plugins-good",
    ] {
        assert!(
            depends.contains(needed),
            "Depends lacks {needed}: {depends}"
        );
    }

    apt_get(&["install", deb.to_str().unwrap()]);
    let _installed = Installed;
    let entry = std::fs::read_to_string("/usr/share/applications/XVB Companion.desktop")
        .expect("the package's desktop entry");
    assert!(
        entry.contains("x-scheme-handler/tel") && entry.contains("x-scheme-handler/callto"),
        "{entry}"
    );
    assert!(
        std::path::Path::new("/usr/share/icons/hicolor/128x128/apps/xvb-companion.png").is_file()
    );
    // The `xvb` command comes with the app (the README's set-up uses it).
    let xvb = Command::new(INSTALLED_CLI)
        .arg("--version")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&xvb.stdout);
    assert!(
        xvb.status.success() && said.contains(env!("CARGO_PKG_VERSION")),
        "{xvb:?}"
    );

    let session = DbusSession::with_keyring();
    let env = session.env();
    let (agent, port) = desktop_agent(&env);
    let webhook = agent.ok(&["webhook-url"]).trim().to_owned();
    let mut pbx = agent.start_sim_pbx(&webhook, TOKEN);
    let stored = agent.run_with_input(&["token", "set"], TOKEN);
    assert!(stored.status.success(), "{stored:?}");
    let mut app_env = env.clone();
    app_env.push((
        "XVB_DATA_DIR".into(),
        agent.dir.path().display().to_string(),
    ));

    let desktop = Desktop::launch_app(&PathBuf::from(INSTALLED_APP), &agent, &env, port).await;
    let client = &desktop.client;
    let display = desktop.display().to_owned();

    // A tel: link fills the dial pad of the running app; nothing is dialled.
    xdg_open("tel:+79201119613", &app_env, &display);
    wait_value(client, DIAL_INPUT, "+79201119613").await;
    wait_text(client, "[data-testid=dial-check]", "+7 920 111-96-13").await;
    assert_eq!(
        pbx.next_line(Duration::from_millis(500)),
        None,
        "no makeCall without *dial links at once*"
    );

    // callto: too; a malformed link is shown, never dialled.
    xdg_open("callto://+7(920)111-22-33", &app_env, &display);
    wait_value(client, DIAL_INPUT, "+7(920)111-22-33").await;
    xdg_open("tel:call-me-maybe", &app_env, &display);
    wait_text(
        client,
        "[data-testid=dial-notice]",
        "this link has no number to dial",
    )
    .await;
    wait_value(client, DIAL_INPUT, "").await;

    // With *dial links at once*, a click calls: the PBX gets makeCall.
    click(client, "[data-tab=settings]").await;
    click(client, "[data-field=dial_links_at_once]").await;
    click(client, "[data-testid=save-settings]").await;
    wait_text(client, "[data-testid=settings-message]", "Saved").await;
    xdg_open("tel:+7-920-111-96-13", &app_env, &display);
    let make_call = pbx.expect_line("makeCall ");
    assert!(
        make_call.starts_with("makeCall from=100 to=79201119613"),
        "{make_call}"
    );
    wait_text(client, "[data-testid=dial-result]", "The PBX is calling").await;
    desktop.close().await;
}
