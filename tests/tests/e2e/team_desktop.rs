//! The app's *Team* view under WebDriver, joined to a SQLite relay with two
//! headless colleagues: the board follows the PBX live, the missed callers'
//! panel shows merged misses, claims made elsewhere, the app's own claim,
//! release and call back (through the relay and the simulated PBX), a
//! colleague's recent calls, the live view's word on a caller being called
//! back, a colleague's note appearing in the open call, the agent's status
//! picked in the window (a break on its row and at a colleague's board) and
//! in the tray's menu, a supervisor's group filter, in English and Russian (screenshots under `target/screenshots/team-*.png`).

use crate::team::{call, connect, Cli};
use xvb_e2e::agent::Agent;
use xvb_e2e::desktop::app::{desktop_agent, Desktop};
use xvb_e2e::desktop::page::{
    choose_language, click, join_relay, screenshot, wait_inner_text, wait_number, wait_text,
};
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::desktop::tray::TrayHost;
use xvb_e2e::pbx::post_to_webhook;

const TOKEN: &str = "team desk t0ken";

/// The missed caller's row in the panel.
fn entry(phone: &str) -> String {
    format!("[data-testid=team-missed] [data-phone='{phone}']")
}

/// Picks `value` in the picker `testid` (the status, the group), as a person
/// does (a change event, which bubbles: Svelte listens for it on the page).
async fn select(client: &fantoccini::Client, testid: &str, value: &str) {
    wait_text(client, &format!("[data-testid={testid}]"), "").await;
    let script = "const field = document.querySelector(`[data-testid=${arguments[0]}]`);
                  field.value = arguments[1];
                  field.dispatchEvent(new Event('change', { bubbles: true }));";
    client
        .execute(
            script,
            vec![serde_json::json!(testid), serde_json::json!(value)],
        )
        .await
        .unwrap();
}

/// Waits until the board's rows are exactly `exts`, in order.
async fn board_shows(client: &fantoccini::Client, exts: &[&str]) {
    let started = std::time::Instant::now();
    loop {
        let rows = client
            .execute(
                "return [...document.querySelectorAll('[data-testid=team-board] [data-ext]')].map((row) => row.dataset.ext);",
                vec![],
            )
            .await
            .unwrap();
        if rows == serde_json::json!(exts) {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "the board showed {rows}, not {exts:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_team_view_shows_the_board_and_works_the_missed_queue() {
    let _turn = take_turn();
    let (relay, relay_port) = Agent::relay(vec![("XVB_TOKEN".into(), TOKEN.into())]);
    let webhook = relay.ok(&["webhook-url"]).trim().to_owned();
    let mut pbx = relay.start_sim_pbx(&webhook, TOKEN);
    let served = relay.serve_relay();
    let webhook = served.webhook.clone();
    let url = format!("http://127.0.0.1:{relay_port}");
    let code = relay.relay_join_code("100", &url);
    let code_101 = relay.relay_join_code("101", &url);
    let code_102 = relay.relay_join_code("102", &url);
    let _colleagues = [connect("101", &code_101), connect("102", &code_102)];
    relay.ok(&["relay", "agent", "name", "101", "Анна Петрова"]);
    relay.ok(&["relay", "breaks", "set", "Обед", "Training"]);
    let cli_101 = Cli::new("101", &code_101);

    let session = DbusSession::with_keyring();
    let tray = TrayHost::start(&session.address).await;
    let env = session.env();
    let (agent, port) = desktop_agent(&env);
    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;
    join_relay(client, &code).await;
    wait_text(client, "[data-testid=reach]", "connected as extension 100").await;

    // The board: everyone free, then 102 rings and talks, with a running timer.
    click(client, "[data-tab=team]").await;
    // (WebKitWebDriver's element text leaves out this cell; the page's own text has it.)
    let named = "const cell = document.querySelector(\"[data-ext='101'] .ext\");
                 return cell && cell.innerText.includes('Анна Петрова') ? 1 : 0;";
    wait_number(client, named, "101's name on the board", |shown| {
        shown == 1.0
    })
    .await;
    wait_text(client, "[data-ext='101']", "free").await;
    wait_text(client, "[data-ext='100']", "free").await;
    let ring = call("DESK-1", "74951234567", "102");
    post_to_webhook(&webhook, &ring.incoming(), None).await;
    wait_text(client, "[data-ext='101']", "ringing").await;
    post_to_webhook(&webhook, &ring.answered(), None).await;
    let talking = wait_text(client, "[data-ext='102']", "talking").await;
    assert!(talking.contains("+7 495 123-45-67"), "{talking}");
    wait_text(client, "[data-ext='102']", "0:0").await;
    wait_text(client, "[data-ext='101']", "free").await;

    // Two misses from one caller merge; a claim made by 101 elsewhere shows at once.
    for (callid, phone) in [("DESK-M1", "79161234567"), ("DESK-M2", "89161234567")] {
        let missed = call(callid, phone, "");
        post_to_webhook(&webhook, &missed.incoming(), None).await;
        post_to_webhook(&webhook, &missed.completed("Missed", 0, None), None).await;
    }
    let other = call("DESK-M3", "79031112233", "");
    post_to_webhook(&webhook, &other.incoming(), None).await;
    post_to_webhook(&webhook, &other.completed("Missed", 0, None), None).await;
    let caller = entry("79161234567");
    wait_text(client, &caller, "missed 2×").await;
    wait_text(client, &caller, "nobody is calling back yet").await;
    cli_101.ok(&["missed", "claim", "79031112233"]);
    wait_text(client, &entry("79031112233"), "101 is calling back").await;
    wait_text(client, "[data-testid=team-badge]", "2").await;
    screenshot(client, "team-en").await;

    // The app claims, 101 sees it; releases; then calls back through the relay,
    // the PBX plays the answered call, and the caller moves to Reached.
    click(client, &format!("{caller} [data-testid=claim]")).await;
    wait_text(client, &caller, "you are calling back").await;
    let seen = crate::team::until(|| cli_101.ok(&["missed", "list"]), &["100 is calling back"]);
    assert!(seen.contains("101 is calling back"), "{seen}");
    click(client, &format!("{caller} [data-testid=release]")).await;
    wait_text(client, &caller, "nobody is calling back yet").await;
    click(client, &format!("{caller} [data-testid=missed-callback]")).await;
    let make_call = pbx.expect_line("makeCall ");
    assert!(
        make_call.starts_with("makeCall from=100 to=79161234567"),
        "{make_call}"
    );
    wait_text(client, &caller, "reached: 100 called back").await;
    wait_text(client, "[data-testid=team-badge]", "1").await;

    // The caller 101 is calling back rings again: the live view says so.
    let again = call("DESK-R", "79031112233", "");
    post_to_webhook(&webhook, &again.incoming(), None).await;
    click(client, "[data-tab=calls]").await;
    wait_text(
        client,
        "[data-testid=live-context]",
        "Missed 1× in 24 h — 101 is calling back",
    )
    .await;
    screenshot(client, "team-live-context").await;
    // The call is open when 101 writes a note on it: the note shows at once.
    click(client, "[data-callid='DESK-R'] [data-testid=live-note]").await;
    wait_text(client, "[data-testid=call-detail]", "No notes yet").await;
    cli_101.ok(&["note", "DESK-R", "--text", "Перезвоню после обеда"]);
    wait_text(client, "[data-testid=notes]", "Перезвоню после обеда").await;
    click(client, "[data-testid=detail-close]").await;
    click(client, "[data-tab=team]").await;

    // A colleague's recent calls, opened from the board.
    click(client, "[data-ext='102']").await;
    wait_text(client, "[data-testid=colleague-calls]", "+7 495 123-45-67").await;

    // My status: a break from the picker shows on my row and at 101's board.
    click(client, "[data-testid=colleague-calls] .close").await;
    select(client, "status-select", "break:Обед").await;
    wait_inner_text(
        client,
        "[data-ext='100'] [data-testid=member-status]",
        "break · Обед",
    )
    .await;
    wait_text(client, "[data-testid=status-timer]", "break · Обед 0:0").await;
    crate::team::until(|| cli_101.ok(&["board"]), &["100 free (break Обед"]);
    screenshot(client, "team-status").await;

    // The same in Russian (still on the break).
    choose_language(client, "ru").await;
    click(client, "[data-tab=team]").await;
    wait_inner_text(
        client,
        "[data-ext='100'] [data-testid=member-status]",
        "перерыв · Обед",
    )
    .await;
    wait_text(client, "[data-ext='102']", "разговаривает").await;
    wait_text(client, &entry("79031112233"), "перезванивает 101").await;
    wait_text(client, &caller, "дозвонились: 100 перезвонил").await;
    screenshot(client, "team-ru").await;
    // Available again, from the tray's menu: the call still ringing rings 100 too.
    let labels = tray.menu_labels().await;
    let shown: Vec<&str> = labels[3..6].iter().map(String::as_str).collect();
    assert_eq!(
        shown,
        ["Доступен", "Перерыв: Обед", "Перерыв: Training"],
        "{labels:?}"
    );
    tray.click("Доступен").await;
    crate::team::until(|| cli_101.ok(&["board"]), &["100 ringing"]);

    // 100 supervises two groups now: its filter narrows the board and the queue.
    for args in [
        &["group", "add", "sales", "--line", "74950000000"][..],
        &["group", "add", "support", "--line", "74950000002"],
        &["group", "members", "sales", "--add", "101"],
        &["group", "members", "support", "--add", "102"],
        &["agent", "role", "100", "supervisor"],
    ] {
        let mut all = vec!["relay"];
        all.extend_from_slice(args);
        relay.ok(&all);
    }
    select(client, "group-select", "support").await;
    wait_text(client, "[data-testid=team-missed]", "Пропущенных нет").await;
    board_shows(client, &["102"]).await;
    screenshot(client, "team-groups-ru").await;
    choose_language(client, "en").await;
    click(client, "[data-tab=team]").await;
    select(client, "group-select", "sales").await;
    wait_text(client, &entry("79031112233"), "101 is calling back").await;
    board_shows(client, &["101"]).await;
    screenshot(client, "team-groups-en").await;
    desktop.close().await;
}
