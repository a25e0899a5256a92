//! The office wallboard in a real browser: headless Chromium from Debian at
//! 1920×1080 opens `/wallboard#CODE` on a SQLite relay with two groups. A new
//! caller shows within a second or so of the webhook, the waiting tile turns
//! amber then red past the admin's thresholds (read from the DOM), today's
//! figures follow, and a revoked or wrong code gets 401 and says so.
//! Screenshots `target/screenshots/wallboard-en.png` and `-ru.png`.

use crate::groups::{ring, SALES_LINE, SUPPORT_LINE};
use crate::team::{call, Relays};
use std::time::{Duration, Instant};
use xvb_e2e::browser::Browser;
use xvb_e2e::desktop::page::{screenshot, wait_text, wait_until};

/// The wallboard link `xvb relay wallboard add ARGS` printed.
fn add_wallboard(relays: &Relays, args: &[&str]) -> String {
    let mut all = vec!["wallboard", "add"];
    all.extend_from_slice(args);
    let said = relays.relay(&all);
    said.lines()
        .find(|line| line.contains("/wallboard#"))
        .unwrap_or_else(|| panic!("no link in {said}"))
        .trim()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wallboard_shows_callers_live_and_turns_red_past_its_threshold() {
    let relays = tokio::task::block_in_place(|| {
        let relays = Relays::single();
        relays.relay(&["group", "add", "sales", "--line", SALES_LINE]);
        relays.relay(&["group", "add", "support", "--line", SUPPORT_LINE]);
        relays.join_codes(&["100", "101"]);
        relays.relay(&["group", "members", "sales", "--add", "100"]);
        relays.relay(&["group", "members", "support", "--add", "101"]);
        // Today so far: one answered sales call, one missed.
        let mut answered = call("WB-A", "79160000031", "100");
        answered.line = Some(SALES_LINE.into());
        relays.post(&answered.incoming());
        relays.post(&answered.answered());
        relays.post(&answered.completed("Success", 40, None));
        ring(&relays, "WB-M", "79160000032", SALES_LINE);
        let mut missed = call("WB-M", "79160000032", "");
        missed.line = Some(SALES_LINE.into());
        relays.post(&missed.completed("Missed", 0, None));
        relays.wait_for_log("groups=2 members=2");
        relays
    });
    let link = tokio::task::block_in_place(|| {
        add_wallboard(&relays, &["--wait-amber", "2", "--wait-red", "4"])
    });
    let sales_link = tokio::task::block_in_place(|| add_wallboard(&relays, &["--group", "sales"]));

    let browser = Browser::start("en").await;
    let client = &browser.client;
    client.goto(&link).await.unwrap();
    wait_text(client, "[data-testid=tile-missed]", "1").await;
    wait_text(client, "[data-testid=tile-missed]", "of 2 offered").await;
    wait_text(client, "[data-testid=tile-sl]", "100%").await;
    wait_text(client, "[data-testid=agents]", "100").await;
    let level = "return document.querySelector('[data-testid=tile-waiting]').dataset.level;";

    // A caller rings: on the board at once, then amber, then red.
    let posted = Instant::now();
    tokio::task::block_in_place(|| ring(&relays, "WB-R", "79160000033", SUPPORT_LINE));
    wait_until(client, "[data-testid=ringing]", "the new caller", |text| {
        !text.is_empty()
    })
    .await;
    let shown = posted.elapsed();
    eprintln!(
        "wallboard: a new caller shown {} ms after the webhook",
        shown.as_millis()
    );
    for want in ["amber", "red"] {
        let started = Instant::now();
        loop {
            let got = client.execute(level, vec![]).await.unwrap();
            if got == want {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "never {want}: {got}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let phones = "return [...document.querySelectorAll('[data-testid=ringing] [data-phone]')].map((r) => r.dataset.phone);";
    assert_eq!(
        client.execute(phones, vec![]).await.unwrap(),
        serde_json::json!(["79160000033"])
    );
    screenshot(client, "wallboard-en").await;

    // In Russian; then sales' own board, where support's caller is not.
    client.goto(&format!("{link}&lang=ru")).await.unwrap();
    client.refresh().await.unwrap();
    wait_text(client, "[data-testid=tile-missed]", "из 3 поступивших").await;
    wait_until(client, "[data-testid=ringing]", "the caller", |t| {
        !t.is_empty()
    })
    .await;
    screenshot(client, "wallboard-ru").await;
    client.goto(&sales_link).await.unwrap();
    client.refresh().await.unwrap();
    wait_text(client, "h1", "sales").await;
    assert_eq!(
        client.execute(phones, vec![]).await.unwrap(),
        serde_json::json!([]),
        "support's caller is not on sales' board"
    );

    // A wrong code, and the first board revoked: each says so (401).
    let wrong = format!("{}#not-a-code", link.split('#').next().unwrap());
    client.goto(&wrong).await.unwrap();
    // Only the fragment changed: the page loads again to read it.
    client.refresh().await.unwrap();
    wait_text(client, "[data-testid=wb-error]", "not valid or was revoked").await;
    tokio::task::block_in_place(|| relays.relay(&["wallboard", "revoke", "1"]));
    client.goto(&link).await.unwrap();
    client.refresh().await.unwrap();
    wait_text(client, "[data-testid=wb-error]", "not valid or was revoked").await;
    let listed = tokio::task::block_in_place(|| relays.relay(&["wallboard", "list"]));
    assert!(
        listed.contains("1\twhole team\twait 2/4 s") && listed.contains("revoked"),
        "{listed}"
    );
    browser.close().await;
}
