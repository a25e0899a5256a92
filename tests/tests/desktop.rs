//! The real desktop app under Xvfb, driven through WebDriver (tauri-driver +
//! WebKitWebDriver), on a private D-Bus session with a notification recorder
//! and an unlocked gnome-keyring; a PBX simulated over HTTP on loopback.
//!
//! Screenshots of the main screens are saved under `target/screenshots/`.

use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use xvb_core::protocol::Fields;
use xvb_core::sim::SimCall;
use xvb_e2e::notifications::{BusCall, NotificationRecorder};
use xvb_e2e::{fixture, free_port, terminate, xvb_bin, Agent, DbusSession, Xvfb, ACCESS_CODE};

const TOKEN: &str = "desk+top token";
const WAIT: Duration = Duration::from_secs(20);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tauri_driver() -> PathBuf {
    let installed = workspace().join("target/tools/bin/tauri-driver");
    if installed.is_file() {
        return installed;
    }
    PathBuf::from("tauri-driver")
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM, never SIGKILL: tauri-driver must stop WebKitWebDriver itself.
        terminate(&mut self.0);
    }
}

/// Waits until the text of `css` (as shown, letter case ignored) satisfies `ok`.
async fn wait_until(client: &Client, css: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + WAIT;
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            last = element.text().await.unwrap_or_default();
            if ok(&last.to_lowercase()) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {what}; last text: {last:?}");
}

async fn wait_text(client: &Client, css: &str, wanted: &str) -> String {
    let lower = wanted.to_lowercase();
    wait_until(client, css, &format!("{wanted:?}"), |text| {
        text.contains(&lower)
    })
    .await
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn screenshot(client: &Client, name: &str) {
    let dir = workspace().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

async fn send(webhook: &str, fields: &Fields, header: Option<&str>) {
    let target = xvb_core::sim::Target::parse(webhook).unwrap();
    let reply = target.send(fields, header).await.unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// The app under WebDriver on its own Xvfb display, its listener up.
struct Desktop {
    client: Client,
    _driver: Driver,
    _xvfb: Xvfb,
}

impl Desktop {
    /// Starts tauri-driver and, through it, the app on `agent`'s data dir with `env`;
    /// returns once the app listens on `port`.
    async fn launch(agent: &Agent, env: &[(String, String)], port: u16) -> Desktop {
        let xvfb = Xvfb::start();
        let driver_port = free_port();
        let native_port = free_port();
        let driver = Driver(
            Command::new(tauri_driver())
                .args([
                    "--port",
                    &driver_port.to_string(),
                    "--native-port",
                    &native_port.to_string(),
                ])
                .envs(env.iter().cloned())
                .env("DISPLAY", &xvfb.display)
                .env("XVB_DATA_DIR", agent.dir.path())
                .env("NO_AT_BRIDGE", "1")
                .env("XVB_LOG", "info")
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("tauri-driver starts (`make test` installs it into target/tools)"),
        );
        let app = xvb_bin().with_file_name("xvb-companion");
        assert!(
            app.is_file(),
            "build the app first: cargo build -p xvb-companion"
        );
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app }),
        );
        let deadline = Instant::now() + WAIT;
        let client = loop {
            match ClientBuilder::rustls()
                .unwrap()
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{driver_port}"))
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("no WebDriver session: {e}"),
            }
        };
        let deadline = Instant::now() + WAIT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the app's listener never came up"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        Desktop {
            client,
            _driver: driver,
            _xvfb: xvfb,
        }
    }

    /// Ends the WebDriver session (which closes the app), then the driver and display.
    async fn close(self) {
        self.client.clone().close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktop_app_pops_lists_dials_and_saves_settings() {
    let session = DbusSession::with_keyring();
    let recorder = NotificationRecorder::start(&session.address).await;
    let port = free_port();
    let mut env = session.env();
    env.retain(|(k, _)| k != "HOME");
    let agent = Agent::with_env("100", env.clone());
    agent.ok(&["config", "set", "listen", &format!("127.0.0.1:{port}")]);
    agent.ok(&["config", "set", "language", "en"]);
    agent.ok(&[
        "config",
        "set",
        "crm_url_template",
        "https://crm.example/find?phone={phone}",
    ]);
    agent.add_known_caller();
    let webhook = agent.ok(&["webhook-url"]).trim().to_owned();

    let mut pbx = agent.start_sim_pbx(&webhook, TOKEN);

    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;

    // A ringing call pops with the caller's name, number, line and responsible agent.
    let capture = String::from_utf8(fixture("pbx/01-incoming.http")).unwrap();
    let path = &webhook[webhook.find("/hook/").unwrap()..];
    let request = capture.replacen("POST /crm-api ", &format!("POST {path} "), 1);
    let target = xvb_core::sim::Target::parse(&webhook).unwrap();
    assert_eq!(
        target.send_raw(request.as_bytes()).await.unwrap().status,
        200
    );
    let ring = recorder.wait_for_pop(WAIT, "Incoming call").await;
    let (ring_id, summary, body, actions, timeout) =
        (ring.id, ring.summary, ring.body, ring.actions, ring.timeout);
    assert_eq!(summary, "Incoming call: Вася/Рога и копыта");
    assert!(
        body.contains("+7 920 111-96-13") && body.contains("responsible: 100"),
        "{body}"
    );
    assert!(
        actions.contains(&"open".to_owned()) && actions.contains(&"crm".to_owned()),
        "{actions:?}"
    );
    assert_eq!(timeout, 0, "a ring pop stays until withdrawn");
    let live = wait_text(client, ".live", "Вася/Рога и копыта").await;
    assert!(live.contains("Ringing"), "{live}");
    wait_text(client, "[data-testid=history]", "Вася/Рога и копыта").await;
    screenshot(client, "calls-ringing").await;

    // A colleague answers: my pop is withdrawn, the live view says who.
    let call = SimCall {
        access_code: ACCESS_CODE.into(),
        callid: "DVzqd2I5zmRev0_vLvXV6vw".into(),
        phone: "79201119613".into(),
        ext: "101".into(),
        line: None,
    };
    send(&webhook, &call.answered(), Some(ACCESS_CODE)).await;
    recorder
        .wait_for(WAIT, "withdrawal of the ring pop", |c| {
            *c == BusCall::Close(ring_id)
        })
        .await;
    wait_text(client, ".live", "answered by 101").await;

    // Nobody answers another call: its ring is withdrawn and a missed-call notice pops.
    let missed = SimCall {
        callid: "MISSED-1".into(),
        phone: "79001112233".into(),
        ..call.clone()
    };
    send(&webhook, &missed.incoming(), None).await;
    send(&webhook, &missed.completed("Missed", 0, None), None).await;
    let notice = recorder.wait_for_pop(WAIT, "Missed call").await;
    let (summary, actions) = (notice.summary, notice.actions);
    assert_eq!(summary, "Missed call: +7 900 111-22-33");
    assert!(actions.contains(&"callback".to_owned()), "{actions:?}");
    let rings = recorder.calls().iter().filter(|c| matches!(c, BusCall::Notify { summary, .. } if summary.contains("+7 900 111-22-33") && summary.starts_with("Incoming"))).count();
    assert_eq!(rings, 1);
    click(client, ".filters button:nth-child(4)").await;
    wait_text(client, "[data-testid=history]", "Missed").await;
    screenshot(client, "calls-missed-filter").await;

    // Settings: the token goes to the real keyring, other settings to config.toml.
    click(client, "[data-tab=settings]").await;
    wait_text(client, "[data-testid=token-state]", "not stored").await;
    client
        .find(Locator::Css("[data-testid=token-input]"))
        .await
        .unwrap()
        .send_keys(TOKEN)
        .await
        .unwrap();
    click(client, "[data-testid=token-save]").await;
    wait_until(client, "[data-testid=token-state]", "\"stored\"", |text| {
        text == "stored"
    })
    .await;
    let stored = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "xvb-companion",
            "username",
            ACCESS_CODE,
        ])
        .envs(env.iter().cloned())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&stored.stdout), TOKEN);
    let ext = client
        .find(Locator::Css("[data-field=extension]"))
        .await
        .unwrap();
    ext.clear().await.unwrap();
    ext.send_keys("10x").await.unwrap();
    click(client, "[data-testid=save-settings]").await;
    wait_text(
        &client,
        "[data-error=extension]",
        "extension must be digits",
    )
    .await;
    ext.clear().await.unwrap();
    ext.send_keys("100").await.unwrap();
    client
        .find(Locator::Css("[data-field=public_url]"))
        .await
        .unwrap()
        .send_keys("https://agent.example")
        .await
        .unwrap();
    click(client, "[data-testid=save-settings]").await;
    wait_text(client, "[data-testid=settings-message]", "Saved").await;
    wait_text(
        &client,
        "[data-testid=webhook-url]",
        "https://agent.example/hook/",
    )
    .await;
    assert!(agent
        .ok(&["config", "show"])
        .contains("public_url = \"https://agent.example\""));
    screenshot(client, "settings").await;
    let page = client.source().await.unwrap();
    assert!(
        !page.contains(TOKEN),
        "the token never comes back to the UI"
    );

    // Dial pad: the simulated PBX receives the right makeCall.
    click(client, "[data-tab=dial]").await;
    client
        .find(Locator::Css("[data-testid=dial-input]"))
        .await
        .unwrap()
        .send_keys("8 (920) 111-96-13")
        .await
        .unwrap();
    wait_text(client, "[data-testid=dial-check]", "+7 920 111-96-13").await;
    click(client, "[data-testid=dial-call]").await;
    wait_text(client, "[data-testid=dial-result]", "The PBX is calling").await;
    let make_call = pbx.expect_line("makeCall ");
    assert!(
        make_call.starts_with("makeCall from=100 to=79201119613"),
        "{make_call}"
    );
    screenshot(client, "dial-pad").await;

    let input = client
        .find(Locator::Css("[data-testid=dial-input]"))
        .await
        .unwrap();
    input.clear().await.unwrap();
    input.send_keys("12 абв").await.unwrap();
    let shown = input.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(shown.trim(), "12", "letters are not taken");

    desktop.close().await;
}

/// A number a script computes in the page.
async fn page_number(client: &Client, script: &str) -> f64 {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
        .as_f64()
        .unwrap_or(f64::NAN)
}

/// Waits until the script's number satisfies `ok`; the number.
async fn wait_number(client: &Client, script: &str, what: &str, ok: impl Fn(f64) -> bool) -> f64 {
    let deadline = Instant::now() + WAIT;
    let mut last = f64::NAN;
    while Instant::now() < deadline {
        last = page_number(client, script).await;
        if ok(last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: never happened; last value {last}");
}

const DOCK_TIME: &str =
    "return document.querySelector('[data-testid=dock] audio')?.currentTime ?? -1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_player_plays_a_recording_seeks_and_saves_it() {
    let session = DbusSession::bare();
    let work = tempfile::tempdir().unwrap();
    // A one-minute sweep, encoded by ffmpeg as the PBX stores recordings (raw G.722).
    let wav = work.path().join("sweep.wav");
    let g722 = work.path().join("sweep.g722");
    xvb_e2e::run_tool(
        "sox",
        &[
            "-n",
            "-r",
            "16000",
            "-c",
            "1",
            wav.to_str().unwrap(),
            "synth",
            "60",
            "sine",
            "300-3000",
        ],
    );
    xvb_e2e::ffmpeg_encode_g722(&wav, &g722);
    let body = std::fs::read(&g722).unwrap();
    assert_eq!(body.len(), 480_000, "8,000 bytes a second");
    let (pbx_port, seen) = xvb_e2e::serve_recording(body.clone(), Default::default());

    // Downloads go to the folder XDG's user-dirs names.
    let config_home = work.path().join("config");
    let downloads = work.path().join("Downloads");
    std::fs::create_dir_all(&config_home).unwrap();
    std::fs::write(
        config_home.join("user-dirs.dirs"),
        format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display()),
    )
    .unwrap();
    let mut env = session.env();
    env.retain(|(k, _)| k != "HOME");
    env.push(("XDG_CONFIG_HOME".into(), config_home.display().to_string()));
    let port = free_port();
    let agent = Agent::with_env("100", env.clone());
    agent.ok(&["config", "set", "listen", &format!("127.0.0.1:{port}")]);
    agent.ok(&["config", "set", "language", "en"]);
    agent.ok(&[
        "config",
        "set",
        "pbx_url",
        &format!("http://127.0.0.1:{pbx_port}/crm-api"),
    ]);
    let webhook = agent.ok(&["webhook-url"]).trim().to_owned();
    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;

    let call = SimCall {
        access_code: ACCESS_CODE.into(),
        callid: "REC-PLAY-1".into(),
        phone: "79201119613".into(),
        ext: "100".into(),
        line: None,
    };
    let link = format!("http://127.0.0.1:{pbx_port}/ui/msg_download/REC-PLAY-1.g722");
    send(&webhook, &call.incoming(), None).await;
    send(&webhook, &call.completed("Success", 60, Some(&link)), None).await;
    wait_text(client, "[data-testid=history]", "Answered").await;

    // ▶ on the row: the recording is fetched from the PBX and plays in the dock.
    click(client, "[data-testid=row-play]").await;
    wait_number(client, DOCK_TIME, "playback starts", |t| t > 0.2).await;
    assert_eq!(seen.lock().unwrap().len(), 1, "fetched once from the PBX");
    wait_text(
        client,
        "[data-testid=dock] [data-testid=player-time]",
        "/ 1:00",
    )
    .await;

    // A click in the middle of the seek bar jumps to the middle of the call.
    click(client, "[data-testid=dock] [data-testid=player-seek]").await;
    let after_seek = wait_number(client, DOCK_TIME, "seek to the middle", |t| {
        (28.0..35.0).contains(&t)
    })
    .await;
    let shown = wait_text(
        client,
        "[data-testid=dock] [data-testid=player-time]",
        "0:3",
    )
    .await;
    assert!(shown.contains("/ 1:00"), "{shown}");
    wait_number(client, DOCK_TIME, "playback goes on after the seek", |t| {
        t > after_seek + 0.3
    })
    .await;
    screenshot(client, "player").await;

    // −10 s and 1.5×.
    let before = page_number(client, DOCK_TIME).await;
    click(client, "[data-testid=dock] [data-testid=player-back]").await;
    let back = page_number(client, DOCK_TIME).await;
    assert!(
        (before - 11.0..before - 8.5).contains(&back),
        "−10 s: {before} → {back}"
    );
    click(
        client,
        "[data-testid=dock] [data-testid=player-speed-1\\.5]",
    )
    .await;
    let rate = page_number(
        client,
        "return document.querySelector('[data-testid=dock] audio').playbackRate",
    )
    .await;
    assert_eq!(rate, 1.5);

    // Save as WAV: a whole 16 kHz file in Downloads.
    click(client, "[data-testid=dock] [data-testid=player-download]").await;
    let saved = wait_text(
        client,
        "[data-testid=dock] [data-testid=player-saved]",
        "call-",
    )
    .await;
    let file = std::fs::read_dir(&downloads)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "wav"))
        .unwrap_or_else(|| panic!("no WAV in {}; the app said {saved:?}", downloads.display()));
    assert!(saved.contains(file.to_str().unwrap()), "{saved}");
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"RIFF") && bytes.len() == 44 + 4 * body.len());

    // The call's detail has its own player, with the recording's length.
    click(client, "[data-testid=row-open]").await;
    wait_text(client, "[data-testid=call-detail]", "+7 920 111-96-13").await;
    wait_text(
        client,
        "[data-testid=call-detail] [data-testid=player-time]",
        "1:00",
    )
    .await;
    screenshot(client, "call-detail").await;
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "played and saved from the cache"
    );
    desktop.close().await;
}
