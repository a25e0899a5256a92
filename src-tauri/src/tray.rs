//! The tray icon: missed-call count (a badge on the icon, a label beside it,
//! the tooltip), *Open*, *Do not disturb*, *Copy webhook URL*, *Quit*, in the
//! app's language.

use std::sync::atomic::{AtomicU32, Ordering};
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_clipboard_manager::ClipboardExt;
use xvb_core::pbx::pop::Language;
use xvb_core::reach::Reach;
use xvb_core::words::Worded;

const TRAY_ID: &str = "main";
/// My missed calls since the window was last looked at.
static MISSED: AtomicU32 = AtomicU32::new(0);
/// The team's waiting missed callers, shown instead when the agent chose so (`u32::MAX`: not).
static TEAM_MISSED: AtomicU32 = AtomicU32::new(NO_TEAM_COUNT);
const NO_TEAM_COUNT: u32 = u32::MAX;

/// Shows, unminimises and focuses the main window, creating it if it was closed.
///
/// Closing the window destroys it (and its web process) while the app stays in
/// the tray; this brings it back from the config's window description.
pub fn show_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
        return;
    }
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == "main") else {
        return;
    };
    match tauri::WebviewWindowBuilder::from_config(app, config).and_then(|b| b.build()) {
        #[cfg(target_os = "linux")]
        Ok(window) => crate::webview::trim(&window),
        #[cfg(not(target_os = "linux"))]
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "could not open the window"),
    }
}

/// How the PBX's events reach the app, shown in the tray's tooltip as a line
/// in the app's language (`listening on …`, `relay: connected …`, `tunnel:
/// open at …`); the window gets it typed.
static REACH: std::sync::Mutex<Option<Reach>> = std::sync::Mutex::new(None);

/// The tray menu's first line, which says the same (Linux trays show no tooltips).
static REACH_ITEM: std::sync::OnceLock<MenuItem<tauri::Wry>> = std::sync::OnceLock::new();

/// The menu's other items, worded again when the language changes.
static ITEMS: std::sync::OnceLock<Items> = std::sync::OnceLock::new();

struct Items {
    open: MenuItem<tauri::Wry>,
    dnd: CheckMenuItem<tauri::Wry>,
    copy: MenuItem<tauri::Wry>,
    quit: MenuItem<tauri::Wry>,
}

/// The tray's words in one language.
struct Words {
    open: &'static str,
    dnd: &'static str,
    copy: &'static str,
    quit: &'static str,
    starting: &'static str,
    /// `{n}` filled in.
    missed: &'static str,
    team_missed: &'static str,
}

const EN: Words = Words {
    open: "Open",
    dnd: "Do not disturb",
    copy: "Copy webhook URL",
    quit: "Quit",
    starting: "Starting…",
    missed: "{n} missed",
    team_missed: "{n} waiting in the team's missed calls",
};

const RU: Words = Words {
    open: "Открыть",
    dnd: "Не беспокоить",
    copy: "Скопировать адрес вебхука",
    quit: "Выйти",
    starting: "Запуск…",
    missed: "пропущено: {n}",
    team_missed: "ждут в общих пропущенных: {n}",
};

fn words(app: &AppHandle) -> &'static Words {
    match crate::popups::language(app) {
        Language::En => &EN,
        Language::Ru => &RU,
    }
}

/// Words the menu and tooltip in the app's language (at start, and when it changes).
pub fn apply_language(app: &AppHandle) {
    let w = words(app);
    if let Some(items) = ITEMS.get() {
        let _ = items.open.set_text(w.open);
        let _ = items.dnd.set_text(w.dnd);
        let _ = items.copy.set_text(w.copy);
        let _ = items.quit.set_text(w.quit);
    }
    let team = app
        .try_state::<crate::AppState>()
        .and_then(|s| s.companion.team_now());
    crate::tray_status::show(app, team.as_deref());
    show_reach(app);
}

/// The reach line in the app's language, if there is one yet.
fn reach_line(app: &AppHandle) -> Option<String> {
    let reach = REACH.lock().expect("reach lock").clone()?;
    Some(reach.in_language(crate::popups::language(app)))
}

/// Shows the reach line as the menu's first line and in the tooltip.
fn show_reach(app: &AppHandle) {
    if let (Some(item), Some(line)) = (REACH_ITEM.get(), reach_line(app)) {
        let _ = item.set_text(line);
    }
    show_tooltip(app);
}

/// Keeps the tray (its menu's first line and tooltip) and the window told how
/// events reach the app: `connected` / `reconnecting` in relay mode.
pub fn follow_reach(app: &AppHandle, mut status: tokio::sync::watch::Receiver<Reach>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while status.changed().await.is_ok() {
            let reach = status.borrow_and_update().clone();
            tracing::info!(%reach, "how the PBX's events reach the app");
            // Also on standard output in English, as `xvb serve` prints it
            // (scripts and benches wait for it).
            println!("{reach}");
            *REACH.lock().expect("reach lock") = Some(reach.clone());
            show_reach(&app);
            let _ = app.emit("reach", reach.for_window(crate::popups::language(&app)));
        }
    });
}

/// `calls` more missed calls on the tray.
pub fn add_missed(app: &AppHandle, calls: u32) {
    MISSED.fetch_add(calls, Ordering::Relaxed);
    show_missed(app);
}

/// Sets the tray's missed-call count (0 hides it).
pub fn set_missed(app: &AppHandle, count: u32) {
    if MISSED.swap(count, Ordering::Relaxed) != count {
        show_missed(app);
    }
}

/// Counts the team's waiting missed callers on the tray instead of my missed
/// calls (`None`: back to mine).
pub fn set_team_missed(app: &AppHandle, waiting: Option<u32>) {
    let wanted = waiting.unwrap_or(NO_TEAM_COUNT);
    if TEAM_MISSED.swap(wanted, Ordering::Relaxed) != wanted {
        show_missed(app);
    }
}

/// The count shown: the team's waiting callers if chosen, else my missed calls.
fn shown_missed() -> u32 {
    match TEAM_MISSED.load(Ordering::Relaxed) {
        NO_TEAM_COUNT => MISSED.load(Ordering::Relaxed),
        waiting => waiting,
    }
}

/// Shows the count as the badge on the icon and the label beside it, and in the tooltip.
fn show_missed(app: &AppHandle) {
    let count = shown_missed();
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let label = (count > 0).then(|| count.to_string());
        let _ = tray.set_title(label.as_deref());
        if let Some(icon) = app.default_window_icon() {
            let _ = tray.set_icon(Some(match count {
                0 => icon.clone(),
                n => crate::badge::badged(icon, n),
            }));
        }
    }
    show_tooltip(app);
}

/// The tooltip: the missed-call count and the reach line.
fn show_tooltip(app: &AppHandle) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let reach = reach_line(app).map_or_else(String::new, |line| format!("\n{line}"));
    let team = TEAM_MISSED.load(Ordering::Relaxed) != NO_TEAM_COUNT;
    let w = words(app);
    let tooltip = match shown_missed() {
        0 => format!("XVB Companion{reach}"),
        n if team => format!(
            "XVB Companion — {}{reach}",
            w.team_missed.replace("{n}", &n.to_string())
        ),
        n => format!(
            "XVB Companion — {}{reach}",
            w.missed.replace("{n}", &n.to_string())
        ),
    };
    let _ = tray.set_tooltip(Some(tooltip));
}

/// Builds the tray icon and its menu.
pub fn build(app: &AppHandle) -> tauri::Result<()> {
    let dnd_on = app
        .try_state::<crate::AppState>()
        .is_some_and(|s| s.companion.config().do_not_disturb);
    let w = words(app);
    let reach = MenuItem::with_id(app, "reach", w.starting, false, None::<&str>)?;
    let _ = REACH_ITEM.set(reach.clone());
    let open = MenuItem::with_id(app, "open", w.open, true, None::<&str>)?;
    let dnd = CheckMenuItem::with_id(app, "dnd", w.dnd, true, dnd_on, None::<&str>)?;
    let copy = MenuItem::with_id(app, "copy", w.copy, true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", w.quit, true, None::<&str>)?;
    let _ = ITEMS.set(Items {
        open: open.clone(),
        dnd: dnd.clone(),
        copy: copy.clone(),
        quit: quit.clone(),
    });
    let menu = Menu::with_items(
        app,
        &[
            &reach,
            &PredefinedMenuItem::separator(app)?,
            &open,
            &dnd,
            &copy,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    // The status entries (relay mode) go after Open.
    crate::tray_status::place_in(&menu, 3);
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("XVB Companion")
        .menu(&menu)
        .on_menu_event(move |app, event| match event.id().as_ref() {
            "open" => show_main_window(app),
            "dnd" => toggle_do_not_disturb(app),
            "copy" => {
                if let Some(state) = app.try_state::<crate::AppState>() {
                    let url = state.companion.config().webhook_url();
                    let _ = app.clipboard().write_text(url);
                }
            }
            "quit" => app.exit(0),
            id => {
                crate::tray_status::choose(app, id);
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}

fn toggle_do_not_disturb(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(state) = app.try_state::<crate::AppState>() else {
            return;
        };
        let on = !state.companion.config().do_not_disturb;
        let value = if on { "on" } else { "off" };
        match state
            .companion
            .save_settings(vec![("do_not_disturb".into(), value.into())])
            .await
        {
            Ok(settings) => {
                let _ = app.emit("settings", settings);
            }
            Err(e) => tracing::warn!(error = %e, "could not switch do-not-disturb"),
        }
    });
}
