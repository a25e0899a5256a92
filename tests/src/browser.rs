//! Debian's Chromium, headless at 1920×1080 (an office TV), driven over
//! WebDriver by Debian's chromedriver: for pages the relay serves, such as the
//! wallboard. Closed on drop.

use crate::desktop::app::session;
use crate::process::free_port;
use fantoccini::Client;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A headless Chromium and its driver.
pub struct Browser {
    driver: Child,
    /// The WebDriver session.
    pub client: Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile, in `language`.
    pub async fn start(language: &str) -> Browser {
        let port = free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (Debian package chromium-driver; `make test` installs it)");
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--window-size=1920,1080",
                    "--hide-scrollbars",
                    format!("--lang={language}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let client = session(port, caps, Duration::from_secs(30)).await;
        // The page gets 1920×1080 whatever the window's own bars take.
        let inner = client
            .execute("return [window.outerHeight - window.innerHeight, window.outerWidth - window.innerWidth];", vec![])
            .await
            .unwrap();
        let bars = |i: usize| inner[i].as_u64().unwrap_or(0) as u32;
        client
            .set_window_size(1920 + bars(1), 1080 + bars(0))
            .await
            .unwrap();
        Browser {
            driver,
            client,
            _profile: profile,
        }
    }

    /// Ends the session and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
