//! Desktop integration: `tel:` / `callto:` links, the dial-the-selection hotkey,
//! start with the system, and the log files.

use crate::handover::show_and_ask;
use crate::AppState;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Mutex;
use tauri::{AppHandle, Manager};
use tauri_plugin_autostart::ManagerExt;
use tauri_plugin_deep_link::DeepLinkExt;
use tauri_plugin_global_shortcut::{GlobalShortcutExt, ShortcutState};
use xvb_core::app::{DialRequest, ErrorCode, UiError};
use xvb_core::words::Worded;

/// The argument autostart starts the app with: in the tray, without a window.
pub const MINIMIZED: &str = "--minimized";

/// Log files kept (one a day).
const LOG_FILES_KEPT: usize = 7;

/// What the settings screen shows about the desktop integration.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DesktopStatus {
    /// Why the dial hotkey is not active (taken by another program, not a shortcut).
    pub hotkey_error: Option<String>,
    /// Whether the app starts with the system session.
    pub autostart: bool,
    /// Where the log files are.
    pub log_dir: String,
}

/// The hotkey registered now, and the wanted one another program holds.
struct Hotkey {
    registered: Option<String>,
    taken: Option<String>,
}

static HOTKEY: Mutex<Hotkey> = Mutex::new(Hotkey {
    registered: None,
    taken: None,
});

/// What the desktop could not do, as the settings screen says it.
#[derive(Debug)]
pub enum DesktopTrouble {
    /// Another program holds the dial hotkey.
    HotkeyTaken(String),
    /// The autostart entry could not be changed (what the system said).
    Autostart(String),
    /// No file manager opened the log folder.
    NoFileManager(PathBuf),
}

impl std::fmt::Display for DesktopTrouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DesktopTrouble::HotkeyTaken(shortcut) => write!(
                f,
                "{shortcut} is already used by another program, so it does not dial; choose another shortcut"
            ),
            DesktopTrouble::Autostart(why) => {
                write!(f, "could not change starting with the system: {why}")
            }
            DesktopTrouble::NoFileManager(dir) => write!(
                f,
                "no file manager opened the folder; open {} yourself (the path is shown beside the button)",
                dir.display()
            ),
        }
    }
}

impl Worded for DesktopTrouble {
    fn russian(&self) -> String {
        match self {
            DesktopTrouble::HotkeyTaken(shortcut) => format!(
                "{shortcut} уже занято другой программой и номер не набирает: выберите другое сочетание"
            ),
            DesktopTrouble::Autostart(why) => {
                format!("не удалось изменить запуск вместе с системой: {why}")
            }
            DesktopTrouble::NoFileManager(dir) => format!(
                "ни один файловый менеджер не открыл папку: откройте {} сами (путь показан рядом с кнопкой)",
                dir.display()
            ),
        }
    }
}

/// Where the rotating log files go: the OS's per-app log dir
/// (`~/.local/share/com.xvb.companion/logs` on Linux, as Tauri names it;
/// `%LOCALAPPDATA%\com.xvb.companion\logs` on Windows).
pub fn log_dir() -> PathBuf {
    directories::BaseDirs::new()
        .map(|dirs| dirs.data_local_dir().to_path_buf())
        .unwrap_or_else(std::env::temp_dir)
        .join("com.xvb.companion")
        .join("logs")
}

/// Logs to standard error and to a daily file in [`log_dir`] (the last week
/// kept; the folder and files this user's only). `XVB_LOG` sets the level
/// (default `info`, which carries no token and no phone numbers). Keep the
/// returned guard alive: it flushes the file.
pub fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::prelude::*;
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("XVB_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
    };
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let dir = log_dir();
    let file = xvb_core::private::create_dir(&dir)
        .and_then(|()| xvb_core::private::tighten(&dir))
        .map_err(|e| e.to_string())
        .and_then(|_| {
            tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("xvb-companion")
                .filename_suffix("log")
                .max_log_files(LOG_FILES_KEPT)
                .build(&dir)
                .map(|files| PrivateLogs::new(files, dir.clone()))
                .map_err(|e| e.to_string())
        });
    match file {
        Ok(file) => {
            let (writer, guard) = tracing_appender::non_blocking(file);
            let to_file = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter());
            tracing_subscriber::registry()
                .with(stderr)
                .with(to_file)
                .init();
            Some(guard)
        }
        Err(e) => {
            tracing_subscriber::registry().with(stderr).init();
            tracing::warn!(error = %e, dir = %dir.display(), "cannot write log files; logging to standard error only");
            None
        }
    }
}

/// The daily log files, each made this user's only as the day's file starts
/// (`tracing-appender` creates them with the umask's mode).
struct PrivateLogs {
    files: tracing_appender::rolling::RollingFileAppender,
    dir: PathBuf,
    /// The UTC day (days since 1970) whose file was last tightened.
    day: u64,
}

impl PrivateLogs {
    fn new(files: tracing_appender::rolling::RollingFileAppender, dir: PathBuf) -> PrivateLogs {
        let mut logs = PrivateLogs { files, dir, day: 0 };
        logs.tighten_for_today();
        logs
    }

    /// Tightens the folder's files once a day (the appender rolls over at UTC midnight).
    fn tighten_for_today(&mut self) {
        let today = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs() / 86_400);
        if today == self.day {
            return;
        }
        self.day = today;
        for entry in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let _ = xvb_core::private::tighten(&entry.path());
        }
    }
}

impl std::io::Write for PrivateLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.files.write(buf)?;
        self.tighten_for_today();
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.files.flush()
    }
}

/// Hooks up links (those that started the app, and those that arrive later
/// through the single-instance hand-over) and the dial hotkey.
pub fn setup(app: &AppHandle) {
    // An AppImage is not integrated with the desktop by a package: register its schemes.
    if std::env::var_os("APPIMAGE").is_some() {
        if let Err(e) = app.deep_link().register_all() {
            tracing::warn!(error = %e, "could not register as the tel: and callto: handler");
        }
    }
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            open_link(&handle, url.as_str());
        }
    });
    if let Ok(Some(urls)) = app.deep_link().get_current() {
        for url in urls {
            open_link(app, url.as_str());
        }
    }
    if let Some(state) = app.try_state::<AppState>() {
        apply_hotkey(app, &state.companion.config().dial_hotkey);
    }
}

/// A clicked `tel:` / `callto:` link: the dial pad shows its number (and dials it
/// at once if the agent chose so) or says why it has none.
fn open_link(app: &AppHandle, link: &str) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    tracing::info!("a tel:/callto: link was opened");
    ask_to_dial(app, state.companion.link_request(link));
}

fn ask_to_dial(app: &AppHandle, request: DialRequest) {
    match serde_json::to_value(request) {
        Ok(payload) => show_and_ask(app, "dial-request", payload),
        Err(e) => tracing::error!(error = %e, "could not hand a number to the window"),
    }
}

/// Registers `wanted` as the dial hotkey in place of the current one; an empty
/// text turns it off. Why it failed is kept for the settings screen.
pub fn apply_hotkey(app: &AppHandle, wanted: &str) {
    let mut hotkey = HOTKEY.lock().expect("hotkey lock");
    if hotkey.registered.as_deref() == Some(wanted) {
        return;
    }
    let shortcuts = app.global_shortcut();
    if let Some(old) = hotkey.registered.take() {
        let _ = shortcuts.unregister(old.as_str());
    }
    hotkey.taken = None;
    if wanted.is_empty() {
        return;
    }
    let registered = shortcuts.on_shortcut(wanted, |app, _, event| {
        if event.state == ShortcutState::Pressed {
            tracing::debug!("the dial hotkey was pressed");
            dial_selection(app);
        }
    });
    match registered {
        Ok(()) => {
            tracing::info!(shortcut = wanted, "the dial hotkey is set");
            hotkey.registered = Some(wanted.to_owned());
        }
        Err(e) => {
            // The plugin's error is a debug dump of the shortcut: the log keeps it.
            tracing::warn!(error = %e, "the dial hotkey could not be registered");
            hotkey.taken = Some(wanted.to_owned());
        }
    }
}

/// The hotkey: the selected text (X11 primary selection) or, if none, the
/// clipboard, searched for a phone number for the dial pad. Windows has no
/// primary selection: there the agent copies (Ctrl+C) and presses the hotkey —
/// no synthetic Ctrl+C, which would reach the focused program with the
/// hotkey's modifiers still held (and stop a program in a console).
fn dial_selection(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let Some(state) = app.try_state::<AppState>() else {
            return;
        };
        let text = selected_text();
        tracing::debug!(
            chars = text.chars().count(),
            "read the selection for the dial hotkey"
        );
        ask_to_dial(&app, state.companion.selection_request(&text));
    });
}

fn selected_text() -> String {
    let Ok(mut clipboard) = arboard::Clipboard::new() else {
        return String::new();
    };
    #[cfg(target_os = "linux")]
    {
        use arboard::{GetExtLinux, LinuxClipboardKind};
        let primary = clipboard
            .get()
            .clipboard(LinuxClipboardKind::Primary)
            .text()
            .unwrap_or_default();
        if !primary.trim().is_empty() {
            return primary;
        }
    }
    clipboard.get_text().unwrap_or_default()
}

/// The settings screen's view of the desktop integration.
pub fn status(app: &AppHandle) -> DesktopStatus {
    DesktopStatus {
        hotkey_error: HOTKEY
            .lock()
            .expect("hotkey lock")
            .taken
            .clone()
            .map(|taken| {
                DesktopTrouble::HotkeyTaken(taken).in_language(crate::popups::language(app))
            }),
        autostart: app.autolaunch().is_enabled().unwrap_or(false),
        log_dir: log_dir().display().to_string(),
    }
}

/// Turns *Start with the system* on or off (an XDG autostart entry on Linux,
/// starting the app minimised to the tray).
pub fn set_autostart(app: &AppHandle, on: bool) -> Result<DesktopStatus, UiError> {
    let launcher = app.autolaunch();
    let done = if on {
        launcher.enable()
    } else {
        launcher.disable()
    };
    #[cfg(windows)]
    let done = done.and_then(|()| match on {
        true => crate::run_key::quote(app, &[MINIMIZED]).map_err(Into::into),
        false => Ok(()),
    });
    done.map_err(|e| {
        UiError::new(
            ErrorCode::Desktop,
            &DesktopTrouble::Autostart(e.to_string()),
        )
    })?;
    Ok(status(app))
}
