//! The tray menu's status entries in relay mode: *Available* and a break for
//! each of the admin's reasons, the current one ticked (none off a relay).
//! Picking one sets the status through the relay, as the Team tab's picker
//! does. They are entries of the menu itself, not a submenu: a submenu's own
//! label is not worded again in the Linux tray when the language changes.

use std::sync::{Mutex, OnceLock};
use tauri::menu::{CheckMenuItem, Menu};
use tauri::{AppHandle, Manager, Wry};
use xvb_core::pbx::pop::Language;
use xvb_core::team::{AgentState, StatusChange, TeamView};

/// The tray's menu, and where the status entries go in it.
static MENU: OnceLock<(Menu<Wry>, usize)> = OnceLock::new();
/// What the entries show now (the reasons, the current choice, the
/// language), and the entries.
static SHOWN: Mutex<Option<Shown>> = Mutex::new(None);

type Shown = ((Vec<String>, String, Language), Vec<CheckMenuItem<Wry>>);

/// The entries' words in one language.
struct Words {
    available: &'static str,
    on_break: &'static str,
}

const EN: Words = Words {
    available: "Available",
    on_break: "Break",
};

const RU: Words = Words {
    available: "Доступен",
    on_break: "Перерыв",
};

fn words(language: Language) -> &'static Words {
    match language {
        Language::En => &EN,
        Language::Ru => &RU,
    }
}

/// Puts the status entries into the tray's `menu` at `position` (once a team view comes).
pub fn place_in(menu: &Menu<Wry>, position: usize) {
    let _ = MENU.set((menu.clone(), position));
}

/// Shows the agent's choices in `view` (none off a relay), ticking its status now.
pub fn show(app: &AppHandle, view: Option<&TeamView>) {
    let Some((menu, position)) = MENU.get() else {
        return;
    };
    let language = crate::popups::language(app);
    let mut shown = SHOWN.lock().expect("tray status lock");
    let Some(view) = view else {
        if let Some((_, entries)) = shown.take() {
            for entry in entries {
                let _ = menu.remove(&entry);
            }
        }
        return;
    };
    let me = app
        .try_state::<crate::AppState>()
        .and_then(|s| s.companion.config().extension.clone());
    let current = view
        .members
        .iter()
        .find(|m| Some(&m.ext) == me.as_ref())
        .and_then(|m| m.status.as_ref())
        .map(|s| s.now());
    let current = match current {
        Some(s) if s.state == AgentState::Break => {
            format!("break:{}", s.reason.unwrap_or_default())
        }
        Some(s) if s.state == AgentState::Acw => "acw".to_owned(),
        _ => "available".to_owned(),
    };
    let wanted = (view.breaks.clone(), current, language);
    if shown.as_ref().is_some_and(|(now, _)| *now == wanted) {
        return;
    }
    for entry in shown.take().map(|(_, entries)| entries).unwrap_or_default() {
        let _ = menu.remove(&entry);
    }
    match entries(app, &wanted) {
        Ok(entries) => {
            for (n, entry) in entries.iter().enumerate() {
                let _ = menu.insert(entry, position + n);
            }
            *shown = Some((wanted, entries));
        }
        Err(e) => tracing::warn!(error = %e, "could not show the status in the tray"),
    }
}

/// The entries for `reasons`, `current` ticked, in `language`.
fn entries(
    app: &AppHandle,
    (reasons, current, language): &(Vec<String>, String, Language),
) -> tauri::Result<Vec<CheckMenuItem<Wry>>> {
    let w = words(*language);
    let available = CheckMenuItem::with_id(
        app,
        "status:available",
        w.available,
        true,
        current == "available",
        None::<&str>,
    )?;
    let mut items: Vec<CheckMenuItem<Wry>> = vec![available];
    for reason in reasons {
        let id = format!("status:break:{reason}");
        let label = format!("{}: {reason}", w.on_break);
        let ticked = *current == format!("break:{reason}");
        items.push(CheckMenuItem::with_id(
            app,
            id,
            label,
            true,
            ticked,
            None::<&str>,
        )?);
    }
    Ok(items)
}

/// Handles a pick from the submenu (`status:…` ids); whether `id` was one.
pub fn choose(app: &AppHandle, id: &str) -> bool {
    let Some(picked) = id.strip_prefix("status:") else {
        return false;
    };
    let change = match picked.strip_prefix("break:") {
        Some(reason) => StatusChange::Break {
            reason: reason.to_owned(),
        },
        None => StatusChange::Available,
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(state) = app.try_state::<crate::AppState>() else {
            return;
        };
        if let Err(e) = state.companion.set_status(change).await {
            tracing::warn!(error = %e, "could not change the status from the tray");
        }
    });
    true
}
