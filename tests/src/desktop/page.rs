//! Reading and acting on the app's page through WebDriver, as a person would:
//! waits for text, numbers and field values, clicks and typing that retry while
//! the page redraws, screenshots.

use super::app::workspace;
use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};

/// How long a GUI step may take.
pub const WAIT: Duration = Duration::from_secs(20);

/// The dial pad's number field.
pub const DIAL_INPUT: &str = "[data-testid=dial-input]";

/// Waits until the text of `css` (as shown, letter case ignored) satisfies `ok`.
pub async fn wait_until(
    client: &Client,
    css: &str,
    what: &str,
    ok: impl Fn(&str) -> bool,
) -> String {
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

/// Waits until the text of `css` contains `wanted` (letter case ignored).
pub async fn wait_text(client: &Client, css: &str, wanted: &str) -> String {
    let lower = wanted.to_lowercase();
    wait_until(client, css, &format!("{wanted:?}"), |text| {
        text.contains(&lower)
    })
    .await
}

/// Does `act` to the element `css` once the page shows it, again if the page
/// redrew it in between (a stale element), until [`WAIT`].
async fn on_element(
    client: &Client,
    css: &str,
    act: impl AsyncFn(fantoccini::elements::Element) -> Result<(), fantoccini::error::CmdError>,
) {
    let deadline = Instant::now() + WAIT;
    loop {
        let done = match client.find(Locator::Css(css)).await {
            Ok(element) => act(element).await,
            Err(e) => Err(e),
        };
        match done {
            Ok(()) => return,
            Err(e) if Instant::now() >= deadline => panic!("{css}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Clicks the element `css`, as a person would (again if the page redrew it).
pub async fn click(client: &Client, css: &str) {
    on_element(client, css, async |element| {
        element.click().await.map(|_| ())
    })
    .await;
}

/// Types `text` into the field `css`, once the page shows it.
pub async fn type_into(client: &Client, css: &str, text: &str) {
    on_element(client, css, async |field| field.send_keys(text).await).await;
}

/// Replaces what the field `css` holds with `text`, once the page shows it.
pub async fn replace_text(client: &Client, css: &str, text: &str) {
    on_element(client, css, async |field| {
        field.clear().await?;
        field.send_keys(text).await
    })
    .await;
}

/// Waits until the element `css`'s own `innerText` contains `wanted`: for
/// cells whose text WebKitWebDriver's element text leaves out.
pub async fn wait_inner_text(client: &Client, css: &str, wanted: &str) {
    let script = format!(
        "const el = document.querySelector({css:?});
         return el && el.innerText.includes({wanted:?}) ? 1 : 0;"
    );
    wait_number(
        client,
        &script,
        &format!("{css} showing {wanted:?}"),
        |shown| shown == 1.0,
    )
    .await;
}

/// Joins the team relay with join `code` through the reach wizard in
/// Settings (the team relay's way, then its code), as an agent does.
pub async fn join_relay(client: &Client, code: &str) {
    click(client, "[data-tab=settings]").await;
    click(client, "[data-way=relay]").await;
    type_into(client, "[data-testid=relay-code]", code).await;
    click(client, "[data-testid=relay-join]").await;
}

/// Picks the UI language in Settings (`""`: the system's) and saves.
pub async fn choose_language(client: &Client, language: &str) {
    click(client, "[data-tab=settings]").await;
    on_element(client, "[data-field=language]", async |_| Ok(())).await;
    let script = "const field = document.querySelector('[data-field=language]');
                  field.value = arguments[0];
                  field.dispatchEvent(new Event('change'));";
    client
        .execute(script, vec![serde_json::json!(language)])
        .await
        .unwrap();
    click(client, "[data-testid=save-settings]").await;
}

/// Repaints a 1-pixel spot a few times over the next seconds (see [`screenshot`]).
const NUDGE_PAINT: &str = "
const spot = document.getElementById('__paint') || document.body.appendChild(document.createElement('div'));
spot.id = '__paint';
spot.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;pointer-events:none';
for (const ms of [50, 250, 1000, 3000]) setTimeout(() => {
  spot.style.background = spot.style.background ? '' : 'rgba(0,0,0,0.02)';
}, ms);
return 0;";

/// Saves a screenshot as `target/screenshots/NAME.png`.
pub async fn screenshot(client: &Client, name: &str) {
    let dir = workspace().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    // With accelerated compositing off (the app's default on Linux), WebKit
    // answers a WebDriver screenshot after the page's next paint, and a still
    // page never paints: a 1-pixel spot in a corner changes shortly after the
    // request is sent, so a paint follows it.
    client
        .execute(NUDGE_PAINT, vec![])
        .await
        .expect("the page runs a script");
    let png = client.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// A number a script computes in the page.
pub async fn page_number(client: &Client, script: &str) -> f64 {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
        .as_f64()
        .unwrap_or(f64::NAN)
}

/// Waits until the script's number satisfies `ok`; the number.
pub async fn wait_number(
    client: &Client,
    script: &str,
    what: &str,
    ok: impl Fn(f64) -> bool,
) -> f64 {
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

/// Waits until the value of the input `css` is `wanted`.
pub async fn wait_value(client: &Client, css: &str, wanted: &str) {
    let deadline = Instant::now() + WAIT;
    let mut last = None;
    while Instant::now() < deadline {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            last = element.prop("value").await.ok().flatten();
            if last.as_deref() == Some(wanted) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never held {wanted:?}; last value: {last:?}");
}
