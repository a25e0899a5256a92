//! The real desktop app under WebDriver (tauri-driver + WebKitWebDriver) on its
//! own Xvfb display, with an agent's data dir: what the GUI tests and the
//! desktop benches launch.

use super::page::WAIT;
use super::session::Xvfb;
use crate::agent::{xvb_bin, Agent};
use crate::process::{free_port, terminate};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A WebDriver session with `caps` on the driver at `port`, tried until
/// `patience` runs out (a driver takes a moment to listen).
pub async fn session(
    port: u16,
    caps: serde_json::Map<String, serde_json::Value>,
    patience: Duration,
) -> Client {
    let deadline = Instant::now() + patience;
    loop {
        match ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return client,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("no WebDriver session: {e}"),
        }
    }
}

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

/// tauri-driver, stopped on drop.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM, never SIGKILL: tauri-driver must stop WebKitWebDriver itself.
        terminate(&mut self.0);
    }
}

/// [`desktop_agent`] whose app saves into `work/Downloads` (XDG's user-dirs
/// name it): the agent, its port, the environment to start the app with, and
/// that folder.
pub fn desktop_agent_with_downloads(
    env: &[(String, String)],
    work: &Path,
) -> (Agent, u16, Vec<(String, String)>, PathBuf) {
    let config_home = work.join("config");
    let downloads = work.join("Downloads");
    std::fs::create_dir_all(&config_home).unwrap();
    std::fs::write(
        config_home.join("user-dirs.dirs"),
        format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display()),
    )
    .unwrap();
    let mut env = env.to_vec();
    env.push(("XDG_CONFIG_HOME".into(), config_home.display().to_string()));
    let (agent, port) = desktop_agent(&env);
    (agent, port, env, downloads)
}

/// An agent (extension 100) for the app: listening on a free loopback port
/// (returned), English UI; every `xvb` command run with `env`.
pub fn desktop_agent(env: &[(String, String)]) -> (Agent, u16) {
    let (agent, port) = Agent::with_known_port("100", env.to_vec());
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
        let client = session(driver_port, caps, WAIT).await;
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
