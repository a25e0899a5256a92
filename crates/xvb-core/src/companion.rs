//! Everything the desktop app does, as one object its commands delegate to:
//! the listener (restartable when settings change), history, dialing, settings, token.

use crate::call::Call;
use crate::config::{Config, DataDir};
use crate::dialer::{dial_with_account_token, DialError};
use crate::engine::Engine;
use crate::g722::{self, Bitrate, G722Error};
use crate::listener::{router, HookState};
use crate::notifier::Notifier;
use crate::phone::DialNumber;
use crate::playback::PlaybackServer;
use crate::recordings::{Fetched, Fetcher, Limits, Login, RecordingError};
use crate::relay::JoinCode;
use crate::relay_link::RelayLink;
use crate::secret::{Secret, SecretKind, TokenError, TokenStore};
use crate::sim::{new_callid, SimCall, Target};
use crate::store::{Database, HistoryQuery};
use crate::tunnel::{self, Tunnel, TunnelStatus, TunnelTarget};
use crate::CoreError;
use serde::Serialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::{oneshot, watch, OnceCell};

/// An error the UI shows: a stable code, a plain message, and the settings key it is about.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{message}")]
pub struct UiError {
    /// `config`, `number`, `dial`, `token`, `store`, `listen`, `test_call`.
    pub code: String,
    /// What happened and what to do.
    pub message: String,
    /// The settings field at fault, if any.
    pub field: Option<String>,
}

impl UiError {
    /// An error with `code` and a message, about no particular field.
    pub fn new(code: &str, message: impl ToString) -> UiError {
        UiError {
            code: code.to_owned(),
            message: message.to_string(),
            field: None,
        }
    }
}

impl From<CoreError> for UiError {
    fn from(e: CoreError) -> Self {
        let code = match e {
            CoreError::Config(_) => "config",
            CoreError::Listen { .. } => "listen",
            _ => "store",
        };
        UiError::new(code, e)
    }
}

impl From<DialError> for UiError {
    fn from(e: DialError) -> Self {
        let code = match e {
            DialError::Number(_) => "number",
            DialError::Token(_) => "token",
            _ => "dial",
        };
        UiError::new(code, e)
    }
}

impl From<TokenError> for UiError {
    fn from(e: TokenError) -> Self {
        UiError::new("token", e)
    }
}

impl From<RecordingError> for UiError {
    fn from(e: RecordingError) -> Self {
        UiError::new("recording", e)
    }
}

impl From<G722Error> for UiError {
    fn from(e: G722Error) -> Self {
        UiError::new("recording", e)
    }
}

/// A recording ready in the player.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecordingView {
    /// The loopback URL the `<audio>` element plays.
    pub url: String,
    /// Length in seconds.
    pub seconds: f64,
    /// Whether it came from the cache (no download).
    pub cached: bool,
    /// Something the agent should know about the file (bits reversed, length not
    /// matching the call's duration).
    pub note: Option<String>,
}

/// A number to put on the dial pad, from a clicked link or the selected text.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DialRequest {
    /// What arrived: the link, or the selected text (cut to 200 characters).
    pub text: String,
    /// The number found in it, as written.
    pub number: Option<String>,
    /// Why there is nothing to dial.
    pub error: Option<String>,
    /// Dial at once (a link, with *dial links at once* on).
    pub dial_now: bool,
}

/// One page of history and how many calls match in all.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryPage {
    /// The calls of this page.
    pub calls: Vec<Call>,
    /// Matching calls in all.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: i64,
}

/// What the settings screen shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SettingsView {
    /// The saved settings.
    pub config: Config,
    /// The URL to paste into the PBX.
    pub webhook_url: String,
    /// `stored`, `not stored`, or why the keyring could not say.
    pub token: String,
    /// The same for the recordings password (`not needed` without `recordings_user`).
    pub recordings_password: String,
    /// The same for the tunnel secret (`not needed` without `tunnel_server`).
    pub tunnel_secret: String,
    /// How the PBX's events reach this app now: listening, a tunnel, or a relay.
    pub reach: String,
}

struct RunningListener {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
}

/// What keeps the PBX's events coming besides the listener (dropping it stops it).
enum Reach {
    Relay(RelayLink),
    Tunnel { _kept_open: Tunnel },
}

/// The desktop app's engine.
pub struct Companion {
    data: DataDir,
    state: HookState,
    reader: Mutex<Database>,
    listener: tokio::sync::Mutex<Option<RunningListener>>,
    playback: OnceCell<PlaybackServer>,
    reach: tokio::sync::Mutex<Option<Reach>>,
    reach_status: Arc<watch::Sender<String>>,
    tunnel_public: Arc<Mutex<Option<String>>>,
}

impl Companion {
    /// Opens the data dir shared with the `xvb` CLI.
    pub fn open(data: DataDir, notifier: Arc<dyn Notifier>) -> Result<Companion, CoreError> {
        let config = data.load_config()?;
        let engine = Engine::open(&data, config, notifier)?;
        Ok(Companion {
            reader: Mutex::new(Database::open(&data.database_path())?),
            data,
            state: engine.state,
            listener: tokio::sync::Mutex::new(None),
            playback: OnceCell::new(),
            reach: tokio::sync::Mutex::new(None),
            reach_status: Arc::new(watch::channel(String::new()).0),
            tunnel_public: Arc::default(),
        })
    }

    /// The current settings.
    pub fn config(&self) -> Arc<Config> {
        self.state.config.load_full()
    }

    /// (Re)starts the listener on the configured address. The old one stops only
    /// once the new address is bound, so a bad address leaves the app listening.
    pub async fn start_listener(&self) -> Result<SocketAddr, UiError> {
        let mut running = self.listener.lock().await;
        let wanted = self.config().listen;
        let listener = tokio::net::TcpListener::bind(wanted).await.map_err(|e| UiError {
            code: "listen".into(),
            message: format!(
                "cannot listen on {wanted}: {e}; is another program (or xvb serve) using it? choose another port in Settings"
            ),
            field: Some("listen".into()),
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| UiError::new("listen", e))?;
        if let Some(old) = running.take() {
            let _ = old.stop.send(());
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(self.state.clone());
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(error = %e, "the listener stopped");
            }
        });
        tracing::info!(%addr, "listening for the PBX");
        *running = Some(RunningListener { addr, stop });
        Ok(addr)
    }

    /// How the PBX's events reach the app, as a line for the tray and settings.
    pub fn reach_status(&self) -> watch::Receiver<String> {
        self.reach_status.subscribe()
    }

    /// Starts taking the PBX's events as the settings say: from the team relay
    /// joined, else on the listener (and through the tunnel, if one is set).
    pub async fn start_reach(&self) -> Result<(), UiError> {
        let mut reach = self.reach.lock().await;
        *reach = None;
        *self.tunnel_public.lock().expect("tunnel lock") = None;
        let config = self.config();
        let for_keyring = Arc::clone(&config);
        let joined = tokio::task::spawn_blocking(move || JoinCode::joined(&for_keyring))
            .await
            .map_err(|e| UiError::new("relay", e))??;
        if let Some(code) = joined {
            if let Some(old) = self.listener.lock().await.take() {
                let _ = old.stop.send(());
            }
            let link = RelayLink::start(self.state.clone(), self.data.database_path(), code);
            self.show_reach("relay", link.status(), |_| {});
            *reach = Some(Reach::Relay(link));
            return Ok(());
        }
        let addr = self.start_listener().await?;
        self.reach_status
            .send_replace(format!("listening on {addr}"));
        let target = tokio::task::spawn_blocking(move || TunnelTarget::from_config(&config))
            .await
            .map_err(|e| UiError::new("tunnel", e))?;
        if let Some(target) = target {
            let tunnel = tunnel::start(target, addr.port());
            let public = Arc::clone(&self.tunnel_public);
            self.show_reach("tunnel", tunnel.status.clone(), move |now| {
                *public.lock().expect("tunnel lock") = match now {
                    TunnelStatus::Open(url) => Some(url.clone()),
                    _ => None,
                };
            });
            *reach = Some(Reach::Tunnel { _kept_open: tunnel });
        }
        Ok(())
    }

    /// Shows `status` as the reach line (`{what}: {status}`) for as long as it
    /// changes, handing each state to `each` first.
    fn show_reach<T>(
        &self,
        what: &'static str,
        mut status: watch::Receiver<T>,
        each: impl Fn(&T) + Send + 'static,
    ) where
        T: std::fmt::Display + Send + Sync + 'static,
    {
        let shown = Arc::clone(&self.reach_status);
        tokio::spawn(async move {
            loop {
                let line = {
                    let now = status.borrow_and_update();
                    each(&now);
                    format!("{what}: {}", *now)
                };
                shown.send_replace(line);
                if status.changed().await.is_err() {
                    return;
                }
            }
        });
    }

    /// Joins the team relay of a join code: the app then takes its events from it
    /// (and dials through it) instead of listening.
    pub async fn join_relay(&self, code: &str) -> Result<SettingsView, UiError> {
        let code = JoinCode::parse(code).map_err(|e| UiError::new("relay", e))?;
        let relay = code.relay.as_str().trim_end_matches('/').to_owned();
        let account = self.config().access_code.clone();
        tokio::task::spawn_blocking(move || code.store_token(account.as_deref()))
            .await
            .map_err(|e| UiError::new("token", e))??;
        self.set_relay(Some(relay)).await
    }

    /// Leaves the team relay: back to listening directly.
    pub async fn leave_relay(&self) -> Result<SettingsView, UiError> {
        self.set_relay(None).await
    }

    async fn set_relay(&self, relay: Option<String>) -> Result<SettingsView, UiError> {
        let mut config = (*self.config()).clone();
        config.relay_url = relay;
        self.data.save_config(&config)?;
        self.state.config.store(Arc::new(config));
        self.start_reach().await?;
        Ok(self.settings().await)
    }

    /// A page of history.
    pub fn history(&self, query: &HistoryQuery) -> Result<HistoryPage, UiError> {
        let db = self.reader.lock().expect("reader lock");
        Ok(HistoryPage {
            calls: db.history(query)?,
            total: db.history_count(query)?,
        })
    }

    /// Validates a number as typed; the digits that would be dialled.
    pub fn check_number(&self, typed: &str) -> Result<String, UiError> {
        Ok(DialNumber::parse(typed)
            .map_err(DialError::from)?
            .as_str()
            .to_owned())
    }

    /// What a clicked `tel:` / `callto:` link asks: its number, or why it has none
    /// (a malformed link is shown, never dialled).
    pub fn link_request(&self, link: &str) -> DialRequest {
        let parsed = DialNumber::parse(link);
        DialRequest {
            text: shortened(link),
            number: parsed.is_ok().then(|| crate::phone::written_number(link)),
            dial_now: parsed.is_ok() && self.config().dial_links_at_once,
            error: parsed
                .err()
                .map(|e| format!("this link has no number to dial: {e}")),
        }
    }

    /// The first number in the selected (or copied) text, for the dial pad.
    pub fn selection_request(&self, text: &str) -> DialRequest {
        let number = crate::phone::find_number(text);
        DialRequest {
            text: shortened(text),
            error: number.is_none().then(|| {
                if text.trim().is_empty() {
                    "nothing is selected or copied; select a phone number and press the shortcut again".to_owned()
                } else {
                    "no phone number in the selected text".to_owned()
                }
            }),
            number,
            dial_now: false,
        }
    }

    /// Sends `makeCall` for `typed` from my extension (through the team relay
    /// when joined); the PBX's reply.
    pub async fn dial(&self, typed: &str) -> Result<String, UiError> {
        let to = DialNumber::parse(typed).map_err(DialError::from)?;
        if let Some(Reach::Relay(link)) = &*self.reach.lock().await {
            return link.dial(typed).await.map_err(|e| UiError::new("dial", e));
        }
        let config = self.config();
        let from = config.extension.clone().ok_or(DialError::NoExtension)?;
        Ok(dial_with_account_token(&config, &from, &to).await?.reply)
    }

    /// What the settings screen shows.
    pub async fn settings(&self) -> SettingsView {
        let config = self.config();
        let listening = self.listener.lock().await.as_ref().map(|l| l.addr);
        let mut shown = (*config).clone();
        if let Some(addr) = listening {
            shown.listen = addr;
        }
        let tunnel = self.tunnel_public.lock().expect("tunnel lock").clone();
        if shown.public_url.is_none() {
            shown.public_url = tunnel;
        }
        let token = secret_status(config.access_code.clone(), SecretKind::PbxToken).await;
        let needed = |needed: bool, kind| {
            let account = config.access_code.clone();
            async move {
                if needed {
                    secret_status(account, kind).await
                } else {
                    "not needed".to_owned()
                }
            }
        };
        let recordings_password = needed(
            config.recordings_user.is_some(),
            SecretKind::RecordingsPassword,
        )
        .await;
        let tunnel_secret = needed(config.tunnel_server.is_some(), SecretKind::TunnelSecret).await;
        SettingsView {
            webhook_url: shown.webhook_url(),
            config: (*config).clone(),
            token,
            recordings_password,
            tunnel_secret,
            reach: self.reach_status.borrow().clone(),
        }
    }

    /// Validates and saves changed settings (`key`, text) all or nothing; restarts
    /// the listener when its address changed. History is untouched.
    pub async fn save_settings(
        &self,
        changes: Vec<(String, String)>,
    ) -> Result<SettingsView, UiError> {
        let before = self.config();
        let mut config = (*before).clone();
        for (key, value) in &changes {
            config.set(key, value).map_err(|e| UiError {
                code: "config".into(),
                message: e.to_string(),
                field: Some(key.clone()),
            })?;
        }
        let relisten = config.listen != before.listen
            || config.tunnel_server != before.tunnel_server
            || config.tunnel_port != before.tunnel_port;
        self.state.config.store(Arc::new(config.clone()));
        if relisten {
            if let Err(e) = self.start_reach().await {
                // Keep the old settings, and the listener on the old address.
                self.state.config.store(before);
                return Err(e);
            }
        }
        self.data.save_config(&config)?;
        Ok(self.settings().await)
    }

    /// Stores the PBX token or the recordings password in the keyring.
    pub async fn set_secret(&self, kind: SecretKind, value: String) -> Result<(), UiError> {
        let account = self.config().access_code.clone();
        tokio::task::spawn_blocking(move || {
            TokenStore::of_kind(account.as_deref(), kind)?.store(&Secret::new(value)?)
        })
        .await
        .map_err(|e| UiError::new("token", e))?
        .map_err(UiError::from)
    }

    /// Removes the PBX token or the recordings password from the keyring.
    pub async fn clear_secret(&self, kind: SecretKind) -> Result<(), UiError> {
        let account = self.config().access_code.clone();
        tokio::task::spawn_blocking(move || TokenStore::of_kind(account.as_deref(), kind)?.clear())
            .await
            .map_err(|e| UiError::new("token", e))??;
        Ok(())
    }

    /// The call's recording in the cache, downloading it (with the recordings login) if needed.
    async fn fetch_recording(&self, callid: &str) -> Result<(Call, Fetched), UiError> {
        let call = self
            .reader
            .lock()
            .expect("reader lock")
            .call(callid)?
            .ok_or_else(|| UiError::new("recording", "this call is no longer in the history"))?;
        let config = self.config();
        let for_login = Arc::clone(&config);
        let login = tokio::task::spawn_blocking(move || Login::from_config(&for_login))
            .await
            .map_err(|e| UiError::new("token", e))??;
        let fetcher = Fetcher::new(
            config.pbx_url.as_deref(),
            self.data.recordings_path(),
            Limits::from_config(&config),
            login,
        )?;
        let fetched = fetcher.fetch(&call).await?;
        Ok((call, fetched))
    }

    /// Fetches the call's recording and hands it to the loopback player server.
    pub async fn play_recording(&self, callid: &str) -> Result<RecordingView, UiError> {
        let (call, fetched) = self.fetch_recording(callid).await?;
        let server = self
            .playback
            .get_or_try_init(PlaybackServer::start)
            .await
            .map_err(|e| UiError::new("recording", format!("cannot start the player: {e}")))?;
        let published = match server.replay(callid) {
            Some(published) => published,
            None => {
                let bytes = tokio::fs::read(&fetched.path).await.map_err(|e| {
                    UiError::new("recording", format!("cannot read the recording: {e}"))
                })?;
                server.publish(callid, bytes)?
            }
        };
        let note = if published.bit_reversed {
            Some("the file's bits were reversed; corrected".to_owned())
        } else if fetched.size_matches_duration == Some(false) {
            Some(format!(
                "the recording lasts {:.0} s but the call lasted {} s; it may be cut short",
                published.seconds,
                call.duration.unwrap_or(0)
            ))
        } else {
            None
        };
        Ok(RecordingView {
            url: published.url,
            seconds: published.seconds,
            cached: fetched.cached,
            note,
        })
    }

    /// Saves the call's recording as a WAV file in the Downloads folder; its path.
    pub async fn save_recording(&self, callid: &str) -> Result<String, UiError> {
        let (call, fetched) = self.fetch_recording(callid).await?;
        tokio::task::spawn_blocking(move || {
            let fail =
                |e: std::io::Error| UiError::new("recording", format!("cannot save the WAV: {e}"));
            let bytes = std::fs::read(&fetched.path).map_err(fail)?;
            let decoded = g722::decode_recording(&bytes, Bitrate::Kbit64)?;
            let folder = downloads_dir();
            std::fs::create_dir_all(&folder).map_err(fail)?;
            let path = unused_path(&folder, &wav_name(&call));
            std::fs::write(&path, g722::wav(&decoded.samples)).map_err(fail)?;
            Ok(path.display().to_string())
        })
        .await
        .map_err(|e| UiError::new("recording", e))?
    }

    /// Calls our own webhook URL as the PBX would (a contact look-up and a short
    /// answered call from a test number) and says whether it arrived.
    pub async fn send_test_call(&self) -> Result<String, UiError> {
        let settings = self.settings().await;
        let config = &settings.config;
        let fail = |message: String| UiError::new("test_call", message);
        let target = Target::parse(&settings.webhook_url).map_err(|e| fail(e.to_string()))?;
        let call = SimCall {
            access_code: config
                .access_code
                .clone()
                .ok_or_else(|| fail("set the access code (the PBX account number) first".into()))?,
            callid: format!("test-{}", new_callid()),
            phone: "70000000000".into(),
            ext: config.extension.clone().unwrap_or_default(),
            line: None,
        };
        for fields in [
            call.contact(),
            call.incoming(),
            call.completed("Missed", 0, None),
        ] {
            let reply = target
                .send(&fields, None)
                .await
                .map_err(|e| fail(format!("the test call did not arrive: {e}")))?;
            if reply.status != 200 {
                return Err(fail(format!(
                    "the test call reached {} but was refused: HTTP {} {}",
                    settings.webhook_url, reply.status, reply.body
                )));
            }
        }
        Ok(format!("the test call arrived at {}", settings.webhook_url))
    }
}

/// At most 200 characters of `text`, for showing it back.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// `stored`, `not stored`, or why the keyring could not say.
async fn secret_status(account: Option<String>, kind: SecretKind) -> String {
    tokio::task::spawn_blocking(move || {
        match TokenStore::of_kind(account.as_deref(), kind).and_then(|s| s.is_stored()) {
            Ok(true) => "stored".to_owned(),
            Ok(false) => "not stored".to_owned(),
            Err(e) => e.to_string(),
        }
    })
    .await
    .unwrap_or_else(|e| e.to_string())
}

/// The user's Downloads folder (XDG), else the home folder.
fn downloads_dir() -> PathBuf {
    directories::UserDirs::new()
        .map(|dirs| {
            dirs.download_dir()
                .unwrap_or_else(|| dirs.home_dir())
                .to_path_buf()
        })
        .unwrap_or_else(std::env::temp_dir)
}

/// `call-2026-11-23-1405-79201119613.wav`: when and with whom.
fn wav_name(call: &Call) -> String {
    let when = call
        .first_seen
        .format(time::macros::format_description!(
            "[year]-[month]-[day]-[hour][minute]"
        ))
        .unwrap_or_default();
    let who: String = call
        .phone
        .as_deref()
        .unwrap_or("unknown")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("call-{when}-{who}.wav")
}

/// `name` in `folder`, or `name (2)`, `(3)`… if taken: saving never overwrites.
fn unused_path(folder: &Path, name: &str) -> PathBuf {
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, "wav"));
    std::iter::once(folder.join(name))
        .chain((2..).map(|n| folder.join(format!("{stem} ({n}).{extension}"))))
        .find(|path| !path.exists())
        .expect("an unused name exists")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notifier::Notice;

    struct Quiet;
    impl Notifier for Quiet {
        fn notify(&self, _: Notice) {}
    }

    #[tokio::test]
    async fn a_taken_port_keeps_the_old_listener_and_settings() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::resolve(Some(dir.path().to_path_buf())).unwrap();
        let mut config = data.load_config().unwrap();
        config.set("listen", "127.0.0.1:0").unwrap();
        data.save_config(&config).unwrap();
        let companion = Companion::open(data.clone(), Arc::new(Quiet)).unwrap();
        let listening = companion.start_listener().await.unwrap();

        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let taken_addr = taken.local_addr().unwrap().to_string();
        let error = companion
            .save_settings(vec![
                ("listen".into(), taken_addr),
                ("extension".into(), "101".into()),
            ])
            .await
            .unwrap_err();
        assert_eq!(error.field.as_deref(), Some("listen"));
        assert!(
            error.message.contains("choose another port"),
            "{}",
            error.message
        );
        assert_eq!(companion.config().extension, None, "nothing was applied");
        assert_eq!(
            data.load_config().unwrap().extension,
            None,
            "nothing was saved"
        );
        assert!(
            tokio::net::TcpStream::connect(listening).await.is_ok(),
            "still listening"
        );

        let view = companion
            .save_settings(vec![("extension".into(), "101".into())])
            .await
            .unwrap();
        assert_eq!(view.config.extension.as_deref(), Some("101"));
        assert_eq!(
            data.load_config().unwrap().extension.as_deref(),
            Some("101")
        );
    }

    #[test]
    fn saving_a_recording_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let first = unused_path(dir.path(), "call-2026-11-23-1405-79201119613.wav");
        assert_eq!(
            first,
            dir.path().join("call-2026-11-23-1405-79201119613.wav")
        );
        std::fs::write(&first, b"x").unwrap();
        let second = unused_path(dir.path(), "call-2026-11-23-1405-79201119613.wav");
        assert_eq!(
            second,
            dir.path().join("call-2026-11-23-1405-79201119613 (2).wav")
        );
    }
}
