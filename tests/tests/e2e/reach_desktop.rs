//! The reach wizard under WebDriver, as a new agent meets it: the first-run
//! card on the empty Calls tab takes the PBX account, then the office network
//! on the same port; the URL *Copy* puts on the clipboard (read back with
//! xclip) takes a PBX capture, and the test call arrives through it. Then in
//! Settings a tunnel opened with one click on a bore server, its secret saved,
//! and the test call through the tunnel's public address (screenshots
//! `target/screenshots/reach-*.png`, en and ru).

use crate::bore::{BoreServer, SECRET};
use std::process::Command;
use xvb_e2e::desktop::app::{desktop_agent, Desktop};
use xvb_e2e::desktop::notifications::NotificationRecorder;
use xvb_e2e::desktop::page::{
    choose_language, click, screenshot, type_into, wait_text, wait_until, WAIT,
};
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::pbx::{fixture, hook_path, readdressed, ACCESS_CODE};

/// The address this computer's traffic to the outside leaves from (loopback
/// without a network): the one a LAN webhook URL must name.
fn lan_address() -> std::net::IpAddr {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    match socket.connect("192.0.2.1:9") {
        Ok(()) => socket.local_addr().unwrap().ip(),
        Err(_) => std::net::Ipv4Addr::LOCALHOST.into(),
    }
}

/// What the X clipboard of `display` holds.
fn clipboard(display: &str) -> String {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", display)
        .output()
        .expect("xclip runs (`make test` installs it)");
    String::from_utf8(out.stdout).unwrap()
}

/// Waits until the element `css` is gone from the page.
async fn wait_gone(client: &fantoccini::Client, css: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    while client.find(fantoccini::Locator::Css(css)).await.is_ok() {
        assert!(std::time::Instant::now() < deadline, "{css} stayed");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reach_wizard_gives_a_url_the_pbx_and_the_test_call_reach() {
    let _turn = take_turn();
    let _bore_turn = crate::bore::take_turn();
    let session = DbusSession::with_keyring();
    let recorder = NotificationRecorder::start(&session.address).await;
    let env = session.env();
    let (agent, port) = desktop_agent(&env);
    // A new agent: no PBX account yet.
    agent.ok(&["config", "set", "access_code", ""]);
    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;

    // The empty Calls tab asks for the account, then how the PBX reaches the app.
    wait_text(
        client,
        "[data-testid=first-run]",
        "Get your first call on screen",
    )
    .await;
    type_into(client, "[data-field=first-access_code]", ACCESS_CODE).await;
    click(client, "[data-testid=first-run-save]").await;
    wait_text(
        client,
        "[data-testid=first-run-account]",
        "Account 10019, extension 100",
    )
    .await;
    wait_text(client, "[data-testid=not-reachable]", "cannot reach").await;
    screenshot(client, "reach-first-run").await;

    // The office network, on the port the app already listens on.
    click(client, "[data-way=lan]").await;
    click(client, "[data-testid=use-way]").await;
    let lan = format!("http://{}:{port}/hook/", lan_address());
    let shown = wait_text(client, "[data-testid=webhook-url]", &lan).await;
    assert!(agent
        .ok(&["config", "show"])
        .contains(&format!("listen = \"0.0.0.0:{port}\"")));
    click(client, "[data-testid=copy-url]").await;
    wait_text(client, "[data-testid=copy-url]", "Copied").await;
    let copied = clipboard(desktop.display());
    assert_eq!(
        copied,
        shown.trim(),
        "Copy puts the URL shown on the clipboard"
    );

    // The test call goes through that very URL; the card stays, with its word.
    click(client, "[data-testid=test-call]").await;
    wait_text(
        client,
        "[data-testid=test-result]",
        &format!("arrived at {lan}"),
    )
    .await;
    recorder.wait_for_pop(WAIT, "The test call arrived").await;
    wait_text(client, "[data-testid=history]", "Test call").await;

    // The PBX posts to the copied URL: the call rings, and the card gives way to the calls.
    let target = xvb_core::pbx::sim::Target::parse(&copied).unwrap();
    let request = readdressed(&fixture("pbx/01-incoming.http"), hook_path(&copied));
    assert_eq!(
        target.send_raw(request.as_bytes()).await.unwrap().status,
        200
    );
    recorder.wait_for_pop(WAIT, "Incoming call").await;
    wait_gone(client, "[data-testid=first-run]").await;

    // Settings: a tunnel in one click; it opens once its secret is saved.
    let _bore = BoreServer::start();
    click(client, "[data-tab=settings]").await;
    wait_text(client, "[data-way=lan]", "in use").await;
    click(client, "[data-way=tunnel]").await;
    type_into(client, "[data-field=tunnel_server]", "127.0.0.1").await;
    click(client, "[data-testid=use-way]").await;
    wait_text(client, "[data-testid=reach]", "tunnel: re-opening").await;
    type_into(client, "[data-testid=tunnel-secret-input]", SECRET).await;
    click(client, "[data-testid=tunnel-secret-save]").await;
    let open = wait_text(
        client,
        "[data-testid=reach]",
        "tunnel: open at http://127.0.0.1:",
    )
    .await;
    let public = open
        .trim()
        .trim_start_matches("tunnel: open at ")
        .to_owned();
    assert_ne!(
        public,
        format!("http://127.0.0.1:{port}"),
        "the bore server's port"
    );
    wait_text(
        client,
        "[data-testid=webhook-url]",
        &format!("{public}/hook/"),
    )
    .await;
    click(client, "[data-testid=test-call]").await;
    wait_text(
        client,
        "[data-testid=test-result]",
        &format!("arrived at {public}/hook/"),
    )
    .await;
    screenshot(client, "reach-tunnel").await;

    // In Russian, the wizard speaks Russian.
    choose_language(client, "ru").await;
    wait_text(
        client,
        "[data-testid=reach-setup]",
        "Как АТС достучится до приложения",
    )
    .await;
    client
        .execute(
            "document.querySelector('[data-testid=reach-setup]').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    screenshot(client, "reach-tunnel-ru").await;

    // Back to this computer only: the URL is loopback again, and says the PBX cannot reach it.
    choose_language(client, "").await;
    click(client, "[data-way=local]").await;
    click(client, "[data-testid=use-way]").await;
    wait_until(
        client,
        "[data-testid=webhook-url]",
        "a loopback URL",
        |url| url.starts_with(&format!("http://127.0.0.1:{port}/hook/")),
    )
    .await;
    wait_text(client, "[data-testid=not-reachable]", "cannot reach").await;
    desktop.close().await;
}
