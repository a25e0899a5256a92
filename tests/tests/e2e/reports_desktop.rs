//! The app's *Reports* tab under WebDriver, joined to a SQLite relay as a
//! supervisor: the team's tiles and charts for today (calls posted by the
//! PBX a moment before), a group picked, the agent's own calls, an agent who
//! is not a supervisor refused the team's; in English and Russian
//! (screenshots `target/screenshots/reports-*.png`).

use crate::groups::{SALES_LINE, SUPPORT_LINE};
use crate::team::call;
use xvb_e2e::agent::Agent;
use xvb_e2e::desktop::app::{desktop_agent, Desktop};
use xvb_e2e::desktop::page::{
    choose_language, click, join_relay, page_number, screenshot, wait_inner_text, wait_number,
    wait_text,
};
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::pbx::post_to_webhook;

/// The bars a chart draws (`rect` elements with a height).
async fn bars(client: &fantoccini::Client, chart: &str) -> f64 {
    let script = format!(
        "return [...document.querySelectorAll('[data-testid={chart}] rect')].filter((r) => Number(r.getAttribute('height')) > 0).length;"
    );
    page_number(client, &script).await
}

/// Waits until the talk-time chart has a bar for each of `agents` agents.
async fn talk_bars(client: &fantoccini::Client, agents: usize) {
    let script = "return document.querySelectorAll('[data-testid=chart-talk] rect').length;";
    wait_number(client, script, &format!("{agents} agents' talk"), |n| {
        n == agents as f64
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reports_tab_shows_the_team_to_a_supervisor_and_each_agent_its_own() {
    let _turn = take_turn();
    let (relay, relay_port) = Agent::relay(vec![("XVB_TOKEN".into(), "reports t0ken".into())]);
    let served = relay.serve_relay();
    let webhook = served.webhook.clone();
    let url = format!("http://127.0.0.1:{relay_port}");
    let code = relay.relay_join_code("100", &url);
    relay.relay_join_code("101", &url);
    for args in [
        &["relay", "group", "add", "sales", "--line", SALES_LINE][..],
        &["relay", "group", "add", "support", "--line", SUPPORT_LINE],
        &["relay", "group", "members", "sales", "--add", "100"],
        &["relay", "group", "members", "support", "--add", "101"],
        &["relay", "agent", "role", "100", "supervisor"],
    ] {
        relay.ok(args);
    }
    // Today: sales answers 2 (100 and 101's colleague), misses 1; support answers 1.
    for (callid, phone, ext, line) in [
        ("REP-1", "79160000041", "100", SALES_LINE),
        ("REP-2", "79160000042", "100", SALES_LINE),
        ("REP-3", "79160000043", "101", SUPPORT_LINE),
    ] {
        let mut answered = call(callid, phone, ext);
        answered.line = Some(line.into());
        for fields in [
            answered.incoming(),
            answered.answered(),
            answered.completed("Success", 90, None),
        ] {
            post_to_webhook(&webhook, &fields, None).await;
        }
    }
    let mut missed = call("REP-4", "79160000044", "");
    missed.line = Some(SALES_LINE.into());
    post_to_webhook(&webhook, &missed.incoming(), None).await;
    post_to_webhook(&webhook, &missed.completed("Missed", 0, None), None).await;

    let session = DbusSession::with_keyring();
    let env = session.env();
    let (agent, port) = desktop_agent(&env);
    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;
    join_relay(client, &code).await;
    wait_text(client, "[data-testid=reach]", "connected as extension 100").await;
    // The team view comes first (the Team tab), then the reports.
    wait_text(client, "[data-tab=team]", "team").await;

    click(client, "[data-tab=reports]").await;
    wait_text(client, "[data-testid=tile-offered]", "4").await;
    wait_text(client, "[data-testid=tile-offered]", "3 answered, 1 missed").await;
    wait_text(client, "[data-testid=tile-sl]", "100%").await;
    talk_bars(client, 2).await;
    assert!(
        bars(client, "chart-calls").await >= 2.0,
        "answered and missed stacked"
    );
    screenshot(client, "reports-en").await;

    // One group; then the agent's own calls (all four reached this app).
    let pick = "const field = document.querySelector('[data-testid=reports-group]');
                field.value = 'support';
                field.dispatchEvent(new Event('change', { bubbles: true }));";
    client.execute(pick, vec![]).await.unwrap();
    wait_text(client, "[data-testid=tile-offered]", "1 answered, 0 missed").await;
    click(client, "[data-testid=reports-mine]").await;
    wait_text(client, "[data-testid=tile-offered]", "3 answered, 1 missed").await;
    talk_bars(client, 1).await;

    // In Russian; then as an agent (101's role), the team is refused.
    choose_language(client, "ru").await;
    // The language is saved (the tabs say so) before the tab opens again.
    wait_inner_text(client, "[data-tab=reports]", "Отчёты").await;
    click(client, "[data-tab=reports]").await;
    wait_inner_text(
        client,
        "[data-testid=tile-offered]",
        "отвечено 3, пропущено 1",
    )
    .await;
    screenshot(client, "reports-ru").await;
    relay.ok(&["relay", "agent", "role", "100", "agent"]);
    // The relay reads the roles every second.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    click(client, "[data-testid=reports-mine]").await;
    click(client, "[data-testid=reports-team]").await;
    wait_inner_text(client, "[data-testid=reports-error]", "только супервизоры").await;
    desktop.close().await;
}
