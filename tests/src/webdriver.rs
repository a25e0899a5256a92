//! The real desktop app under WebDriver (tauri-driver + WebKitWebDriver) on its
//! own Xvfb display, and the page helpers the GUI tests and benchmarks share.

use crate::{free_port, terminate, xvb_bin, Agent, Xvfb};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a GUI step may take.
pub const WAIT: Duration = Duration::from_secs(20);

/// The workspace's root.
pub fn workspace() -> PathBuf {
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

/// Saves a screenshot as `target/screenshots/NAME.png`.
pub async fn screenshot(client: &Client, name: &str) {
    let dir = workspace().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// An agent (extension 100) for the app: listening on a free loopback port
/// (returned), English UI; every `xvb` command run with `env`.
pub fn desktop_agent(env: &[(String, String)]) -> (Agent, u16) {
    let port = free_port();
    let agent = Agent::with_env("100", env.to_vec());
    agent.ok(&["config", "set", "listen", &format!("127.0.0.1:{port}")]);
    agent.ok(&["config", "set", "language", "en"]);
    (agent, port)
}

/// The app under WebDriver on its own Xvfb display, its listener up.
pub struct Desktop {
    /// The WebDriver session.
    pub client: Client,
    _driver: Driver,
    xvfb: Xvfb,
}

impl Desktop {
    /// The app of the same build (debug or release) as the `xvb` binary in use.
    pub fn app() -> PathBuf {
        xvb_bin().with_file_name("xvb-companion")
    }

    /// Starts tauri-driver and, through it, the app on `agent`'s data dir with `env`;
    /// returns once its page is drawn and it listens on `port`.
    pub async fn launch(agent: &Agent, env: &[(String, String)], port: u16) -> Desktop {
        Desktop::launch_app(&Desktop::app(), agent, env, port).await
    }

    /// [`Desktop::launch`] with another build of the app (an installed one).
    pub async fn launch_app(
        app: &Path,
        agent: &Agent,
        env: &[(String, String)],
        port: u16,
    ) -> Desktop {
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
                .env(
                    "XVB_LOG",
                    std::env::var("XVB_LOG").unwrap_or_else(|_| "info".into()),
                )
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("tauri-driver starts (`make test` installs it into target/tools)"),
        );
        assert!(app.is_file(), "build the app first: {}", app.display());
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
        // The page is up (its listeners too) once the tabs are drawn.
        let deadline = Instant::now() + WAIT;
        while client.find(Locator::Css("[data-tab=calls]")).await.is_err() {
            assert!(Instant::now() < deadline, "the app's page never came up");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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
            xvfb,
        }
    }

    /// The app's X display (`:N`).
    pub fn display(&self) -> &str {
        &self.xvfb.display
    }

    /// Ends the WebDriver session (which closes the app), then the driver and display.
    pub async fn close(self) {
        self.client.clone().close().await.unwrap();
    }
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
