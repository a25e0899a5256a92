//! The real desktop app under Xvfb, driven through WebDriver (tauri-driver +
//! WebKitWebDriver), on a private D-Bus session with a notification recorder
//! and an unlocked gnome-keyring; a PBX simulated over HTTP on loopback.
//!
//! Screenshots of the main screens are saved under `target/screenshots/`.

use fantoccini::Locator;
use std::process::Command;
use xvb_core::pbx::sim::SimCall;
use xvb_e2e::agent::{Agent, Served};
use xvb_e2e::desktop::app::{desktop_agent, desktop_agent_with_downloads, Desktop};
use xvb_e2e::desktop::notifications::{BusCall, NotificationRecorder};
use xvb_e2e::desktop::page::{
    choose_language, click, join_relay, page_number, replace_text, screenshot, type_into,
    wait_number, wait_text, wait_until, DIAL_INPUT, WAIT,
};
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::desktop::tray::TrayHost;
use xvb_e2e::keyring::stored_secret;
use xvb_e2e::pbx::{
    call_from_known_caller, fixture, hook_path, post_to_webhook, readdressed, ACCESS_CODE,
    KNOWN_CALLER,
};

const TOKEN: &str = "desk+top token";

/// The missed-call badge's red (`src-tauri/src/badge.rs`).
const BADGE_RED: [u8; 3] = [0xd9, 0x2d, 0x20];

/// *Call* on the dial pad (holding a form of 79201119613): the app says the PBX
/// is calling, and the simulated PBX got `makeCall` from extension 100.
async fn call_from_the_pad(client: &fantoccini::Client, pbx: &mut Served) {
    click(client, "[data-testid=dial-call]").await;
    wait_text(client, "[data-testid=dial-result]", "The PBX is calling").await;
    let make_call = pbx.expect_line("makeCall ");
    assert!(
        make_call.starts_with("makeCall from=100 to=79201119613"),
        "{make_call}"
    );
}

/// Types the token into Settings and saves it; waits until it reads as stored.
async fn save_token(client: &fantoccini::Client) {
    type_into(client, "[data-testid=token-input]", TOKEN).await;
    click(client, "[data-testid=token-save]").await;
    wait_until(client, "[data-testid=token-state]", "\"stored\"", |text| {
        text == "stored"
    })
    .await;
}

/// Calls a number from the dial pad and waits for its result to say `said`.
async fn dial_and_read(client: &fantoccini::Client, said: &str) {
    click(client, "[data-tab=dial]").await;
    replace_text(client, DIAL_INPUT, "+7 920 111-96-13").await;
    click(client, "[data-testid=dial-call]").await;
    wait_text(client, "[data-testid=dial-result]", said).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktop_app_pops_lists_dials_and_saves_settings() {
    let _turn = take_turn();
    let session = DbusSession::with_keyring();
    let recorder = NotificationRecorder::start(&session.address).await;
    let tray = TrayHost::start(&session.address).await;
    let env = session.env();
    let (agent, port) = desktop_agent(&env);
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
    let request = readdressed(&fixture("pbx/01-incoming.http"), hook_path(&webhook));
    let target = xvb_core::pbx::sim::Target::parse(&webhook).unwrap();
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
    let call = call_from_known_caller("DVzqd2I5zmRev0_vLvXV6vw", "101");
    post_to_webhook(&webhook, &call.answered(), Some(ACCESS_CODE)).await;
    recorder
        .wait_for(WAIT, "withdrawal of the ring pop", |c| {
            *c == BusCall::Close(ring_id)
        })
        .await;
    wait_text(client, ".live", "answered by 101").await;

    // Nobody answers another call: its ring is withdrawn and a missed-call notice pops.
    // The agent is on another tab, not looking at the calls.
    click(client, "[data-tab=dial]").await;
    let missed = SimCall {
        callid: "MISSED-1".into(),
        phone: "79001112233".into(),
        ..call.clone()
    };
    post_to_webhook(&webhook, &missed.incoming(), None).await;
    post_to_webhook(&webhook, &missed.completed("Missed", 0, None), None).await;
    let notice = recorder.wait_for_pop(WAIT, "Missed call").await;
    assert_eq!(recorder.connections(), 1, "every pop on one bus connection");
    // The tray icon wears the missed-call badge until the agent looks at the calls.
    tray.wait_for_icon(WAIT, "the missed-call badge", BADGE_RED, |red| red > 100)
        .await;
    click(client, "[data-tab=calls]").await;
    tray.wait_for_icon(WAIT, "no badge once seen", BADGE_RED, |red| red == 0)
        .await;
    // A call missed while the agent looks at the calls is not counted.
    let seen = SimCall {
        callid: "MISSED-2".into(),
        phone: "79001112244".into(),
        ..call.clone()
    };
    post_to_webhook(&webhook, &seen.incoming(), None).await;
    post_to_webhook(&webhook, &seen.completed("Missed", 0, None), None).await;
    recorder
        .wait_for(WAIT, "the second missed-call notice", |c| {
            matches!(c, BusCall::Notify { summary, .. } if summary == "Missed call: +7 900 111-22-44")
        })
        .await;
    wait_text(client, "[data-testid=history]", "+7 900 111-22-44").await;
    tray.wait_for_icon(WAIT, "no badge for a call seen", BADGE_RED, |red| red == 0)
        .await;
    let (summary, actions) = (notice.summary, notice.actions);
    assert_eq!(summary, "Missed call: +7 900 111-22-33");
    assert!(actions.contains(&"callback".to_owned()), "{actions:?}");
    let rings = recorder.calls().iter().filter(|c| matches!(c, BusCall::Notify { summary, .. } if summary.contains("+7 900 111-22-33") && summary.starts_with("Incoming"))).count();
    assert_eq!(rings, 1);
    click(client, ".filters button:nth-child(4)").await;
    wait_text(client, "[data-testid=history]", "Missed").await;
    screenshot(client, "calls-missed-filter").await;

    // Without a token a call fails saying what to do, and the dial pad offers Settings.
    dial_and_read(client, "paste it in Settings, under PBX token").await;
    screenshot(client, "dial-pad-no-token").await;
    click(client, "[data-testid=dial-open-settings]").await;

    // Settings: the token goes to the real keyring, other settings to config.toml.
    wait_text(client, "[data-testid=token-state]", "not stored").await;
    save_token(client).await;
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

    // The test call: it arrives through the webhook URL, its pop stays until
    // dismissed, history marks it, and it is never a missed call on the badge.
    click(client, "[data-testid=test-call]").await;
    wait_text(
        client,
        "[data-testid=test-result]",
        "the test call arrived at http://127.0.0.1:",
    )
    .await;
    let tested = recorder.wait_for_pop(WAIT, "The test call arrived").await;
    assert_eq!(tested.timeout, 0, "stays until dismissed");
    // A PBX with the wrong account number is refused, and Settings says so.
    let wrong = SimCall {
        access_code: "10018".into(),
        callid: "WRONG-1".into(),
        ..call.clone()
    };
    assert_eq!(
        target.send(&wrong.incoming(), None).await.unwrap().status,
        403
    );
    wait_text(
        client,
        "[data-testid=refused]",
        "with access code 10018; this computer expects 10019",
    )
    .await;
    recorder
        .wait_for_pop(WAIT, "A request to this app was refused")
        .await;
    screenshot(client, "settings-refused").await;
    click(client, "[data-tab=calls]").await;
    wait_text(client, "[data-testid=history]", "Test call").await;
    tray.wait_for_icon(WAIT, "no badge for the test call", BADGE_RED, |red| {
        red == 0
    })
    .await;
    let test_calls = agent.history(&["--phone", "70000000000"]);
    assert_eq!(test_calls[0]["test"], true, "{test_calls:?}");
    assert!(agent
        .history(&["--status", "missed"])
        .iter()
        .all(|c| c["test"] != true));
    click(client, "[data-tab=settings]").await;

    // A field's error is beside it, worded for it; the summary is beside Save.
    replace_text(client, "[data-field=extension]", "10x").await;
    click(client, "[data-testid=save-settings]").await;
    wait_text(client, "[data-error=extension]", "Must be digits only").await;
    wait_text(client, "[data-testid=settings-message]", "Not saved").await;
    replace_text(client, "[data-field=extension]", "100").await;
    click(client, "[data-testid=save-settings]").await;
    wait_text(client, "[data-testid=settings-message]", "Saved").await;
    // A proxy in front of the listener: the URL to give the PBX names it.
    type_into(client, "[data-field=public_url]", "https://agent.example").await;
    click(client, "[data-testid=use-way]").await;
    wait_text(
        client,
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

    // In Russian, the reach line and the token's state are worded in Russian too.
    choose_language(client, "ru").await;
    wait_text(client, "[data-testid=reach]", "слушаю на 127.0.0.1:").await;
    wait_text(client, "[data-testid=token-state]", "сохранён").await;
    client
        .execute(
            "document.querySelector('[data-testid=reach]').scrollIntoView({ block: 'center' })",
            vec![],
        )
        .await
        .unwrap();
    screenshot(client, "settings-ru").await;
    choose_language(client, "").await;
    wait_text(client, "[data-testid=reach]", "listening on 127.0.0.1:").await;

    // Dial pad: the simulated PBX receives the right makeCall.
    click(client, "[data-tab=dial]").await;
    replace_text(client, DIAL_INPUT, "8 (920) 111-96-13").await;
    wait_text(client, "[data-testid=dial-check]", "+7 920 111-96-13").await;
    call_from_the_pad(client, &mut pbx).await;
    screenshot(client, "dial-pad").await;

    let input = client.find(Locator::Css(DIAL_INPUT)).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys("12 абв").await.unwrap();
    let shown = input.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(shown.trim(), "12", "letters are not taken");

    // Settings name the log folder; its file has what support needs, and at
    // info level no token and no client's phone number.
    click(client, "[data-tab=settings]").await;
    let shown = wait_text(client, "[data-testid=log-dir]", "com.xvb.companion/logs").await;
    desktop.close().await;
    let logs = std::path::Path::new(shown.trim());
    let log = std::fs::read_dir(logs)
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect::<String>();
    assert!(log.contains("listening for the PBX"), "{log}");
    assert!(log.contains("sending makeCall"), "{log}");
    for secret in [TOKEN, "9201119613", "9001112233", "920) 111", KNOWN_CALLER] {
        assert!(!log.contains(secret), "{secret:?} is in the log:\n{log}");
    }
}

const DOCK_TIME: &str =
    "return document.querySelector('[data-testid=dock] audio')?.currentTime ?? -1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_player_plays_a_recording_seeks_and_saves_it() {
    let _turn = take_turn();
    let session = DbusSession::bare();
    let work = tempfile::tempdir().unwrap();
    // A one-minute recording as the PBX stores them (raw G.722).
    let body = std::fs::read(xvb_e2e::audio::synth_g722(
        work.path(),
        60,
        &["sine", "300-3000"],
    ))
    .unwrap();
    assert_eq!(body.len(), 480_000, "8,000 bytes a second");
    let (pbx_port, seen) = xvb_e2e::pbx::serve_recording(body.clone(), Default::default());

    // Downloads go to the folder XDG's user-dirs names.
    let (agent, port, env, downloads) = desktop_agent_with_downloads(&session.env(), work.path());
    agent.ok(&[
        "config",
        "set",
        "pbx_url",
        &format!("http://127.0.0.1:{pbx_port}/crm-api"),
    ]);
    let webhook = agent.ok(&["webhook-url"]).trim().to_owned();
    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;

    let call = call_from_known_caller("REC-PLAY-1", "100");
    let link = format!("http://127.0.0.1:{pbx_port}/ui/msg_download/REC-PLAY-1.g722");
    post_to_webhook(&webhook, &call.incoming(), None).await;
    post_to_webhook(&webhook, &call.completed("Success", 60, Some(&link)), None).await;
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

/// Waits until the tray's menu holds `label`; the labels then.
async fn tray_menu_with(tray: &TrayHost, label: &str) -> Vec<String> {
    let since = std::time::Instant::now();
    loop {
        let labels = tray.menu_labels().await;
        if labels.iter().any(|l| l == label) {
            return labels;
        }
        assert!(
            since.elapsed() < WAIT,
            "no {label:?} in the tray menu: {labels:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_language_drives_the_window_the_pops_and_the_tray() {
    let _turn = take_turn();
    let session = DbusSession::bare();
    let recorder = NotificationRecorder::start(&session.address).await;
    let tray = TrayHost::start(&session.address).await;
    let mut env = session.env();
    // A Russian session whose locale this machine has not generated; no setting.
    env.extend([
        ("LANG".to_owned(), "ru_RU.UTF-8".to_owned()),
        ("LC_ALL".to_owned(), String::new()),
        ("LC_MESSAGES".to_owned(), String::new()),
    ]);
    let (agent, port) = desktop_agent(&env);
    agent.ok(&["config", "set", "language", ""]);
    let webhook = agent.ok(&["webhook-url"]).trim().to_owned();
    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;

    wait_text(client, "[data-tab=calls]", "Звонки").await;
    let labels = tray_menu_with(&tray, "Открыть").await;
    assert!(labels.iter().any(|l| l == "Не беспокоить"), "{labels:?}");
    tray.wait_for_first_line(WAIT, "слушаю на 127.0.0.1:").await;
    let call = call_from_known_caller("LANG-1", "100");
    post_to_webhook(&webhook, &call.incoming(), None).await;
    recorder.wait_for_pop(WAIT, "Входящий звонок").await;
    // The core's errors too: no PBX address is set, and the dial pad says so in Russian.
    dial_and_read(client, "не указан адрес АТС: введите его в настройках").await;

    // English chosen in Settings: everything follows at once.
    choose_language(client, "en").await;
    wait_text(client, "[data-tab=calls]", "Calls").await;
    tray_menu_with(&tray, "Open").await;
    tray.wait_for_first_line(WAIT, "listening on 127.0.0.1:")
        .await;
    let next = SimCall {
        callid: "LANG-2".into(),
        ..call
    };
    post_to_webhook(&webhook, &next.incoming(), None).await;
    recorder.wait_for_pop(WAIT, "Incoming call").await;
    desktop.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyring_replaced_while_the_app_runs_is_used_without_a_restart() {
    let _turn = take_turn();
    let mut session = DbusSession::with_keyring();
    let env = session.env();
    let (agent, port) = desktop_agent(&env);
    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;
    click(client, "[data-tab=settings]").await;
    // The app has asked the first keyring about the token.
    wait_text(client, "[data-testid=token-state]", "not stored").await;
    session.replace_keyring();
    save_token(client).await;
    assert_eq!(
        stored_secret(ACCESS_CODE, &env).as_deref(),
        Some(TOKEN),
        "in the new keyring"
    );
    desktop.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_joins_a_team_relay_pops_from_it_and_dials_through_it() {
    let _turn = take_turn();
    // The relay, with the PBX token and the simulated PBX; a join code for extension 100.
    let (relay, relay_port) = Agent::relay(vec![("XVB_TOKEN".into(), TOKEN.into())]);
    relay.add_known_caller();
    let relay_webhook = relay.ok(&["webhook-url"]).trim().to_owned();
    let mut pbx = relay.start_sim_pbx(&relay_webhook, TOKEN);
    let relay_served = relay.serve_relay();
    let code = relay.relay_join_code("100", &format!("http://127.0.0.1:{relay_port}"));

    let session = DbusSession::with_keyring();
    let recorder = NotificationRecorder::start(&session.address).await;
    let tray = TrayHost::start(&session.address).await;
    let env = session.env();
    let (agent, port) = desktop_agent(&env);
    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;
    tray.wait_for_first_line(WAIT, "listening on 127.0.0.1:")
        .await;

    // Settings → paste the join code → Join: the app connects out to the relay.
    join_relay(client, &code).await;
    wait_text(
        client,
        "[data-testid=reach]",
        "relay: connected as extension 100",
    )
    .await;
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "in relay mode the app does not listen"
    );
    let page = client.source().await.unwrap();
    let token = code.split('#').nth(1).unwrap();
    assert!(
        !page.contains(token),
        "the relay token never comes back to the UI"
    );
    assert!(
        !agent.ok(&["config", "show"]).contains(token),
        "nor into the config"
    );

    // The PBX posts to the relay; the app pops with the shared book's name.
    let request = readdressed(&fixture("pbx/01-incoming.http"), hook_path(&relay_webhook));
    assert_eq!(
        relay_served
            .target()
            .send_raw(request.as_bytes())
            .await
            .unwrap()
            .status,
        200
    );
    let ring = recorder.wait_for_pop(WAIT, "Incoming call").await;
    assert_eq!(ring.summary, "Incoming call: Вася/Рога и копыта");
    click(client, "[data-tab=calls]").await;
    wait_text(client, "[data-testid=history]", "Вася/Рога и копыта").await;

    // The dial pad calls through the relay, from extension 100.
    click(client, "[data-tab=dial]").await;
    type_into(client, DIAL_INPUT, "8 920 111-96-13").await;
    call_from_the_pad(client, &mut pbx).await;
    click(client, "[data-tab=settings]").await;
    wait_text(client, "[data-testid=reach]", "relay: connected").await;
    screenshot(client, "relay-mode").await;

    // Away (the app leaves the relay) while two calls ring and nobody answers:
    // back on the relay, one notice sums them up and the badge counts them.
    click(client, "[data-testid=relay-leave]").await;
    wait_text(client, "[data-testid=reach]", "listening on").await;
    for i in 0..2 {
        let call = call_from_known_caller(&format!("AWAY-{i}"), "100");
        post_to_webhook(&relay_webhook, &call.incoming(), None).await;
        post_to_webhook(&relay_webhook, &call.completed("Missed", 0, None), None).await;
    }
    join_relay(client, &code).await;
    let away = recorder
        .wait_for_pop(WAIT, "2 calls while you were away")
        .await;
    assert_eq!(away.summary, "2 calls while you were away, 2 missed");
    tray.wait_for_icon(WAIT, "the missed-call badge", BADGE_RED, |red| red > 100)
        .await;
    let pops: Vec<String> = recorder
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            BusCall::Notify { summary, .. } => Some(summary),
            _ => None,
        })
        .collect();
    assert_eq!(
        pops.iter()
            .filter(|s| s.starts_with("Incoming call"))
            .count(),
        1,
        "no ring pops for calls already over: {pops:#?}"
    );
    assert!(
        !pops.iter().any(|s| s.starts_with("Missed call")),
        "no missed-call pop per call: {pops:#?}"
    );

    // The tray says whether the relay is reachable: connected, then reconnecting.
    tray.wait_for_first_line(WAIT, "relay: connected as extension 100")
        .await;
    drop(relay_served);
    tray.wait_for_first_line(WAIT, "relay: reconnecting in")
        .await;
    desktop.close().await;
}
