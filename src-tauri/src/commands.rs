//! The UI's commands: each delegates to the core in one line; errors cross as `{code, message, field}`.

use crate::AppState;
use tauri::State;
use xvb_core::companion::{HistoryPage, SettingsView, UiError};
use xvb_core::store::HistoryQuery;

type Result<T> = std::result::Result<T, UiError>;

/// A page of call history (live calls with `live: true`).
#[tauri::command]
pub async fn history(state: State<'_, AppState>, query: HistoryQuery) -> Result<HistoryPage> {
    state.companion.history(&query)
}

/// The digits a typed number would dial, or why it cannot be dialled.
#[tauri::command]
pub async fn check_number(state: State<'_, AppState>, number: String) -> Result<String> {
    state.companion.check_number(&number)
}

/// Sends `makeCall`; the PBX's reply text.
#[tauri::command]
pub async fn dial(state: State<'_, AppState>, number: String) -> Result<String> {
    state.companion.dial(&number).await
}

/// What the settings screen shows.
#[tauri::command]
pub async fn settings(state: State<'_, AppState>) -> Result<SettingsView> {
    Ok(state.companion.settings().await)
}

/// Saves changed settings (all or nothing).
#[tauri::command]
pub async fn save_settings(
    state: State<'_, AppState>,
    changes: Vec<(String, String)>,
) -> Result<SettingsView> {
    state.companion.save_settings(changes).await
}

/// Stores the PBX token in the keyring (write-only: it never comes back).
#[tauri::command]
pub async fn set_token(state: State<'_, AppState>, token: String) -> Result<()> {
    state.companion.set_token(token).await
}

/// Removes the PBX token from the keyring.
#[tauri::command]
pub async fn clear_token(state: State<'_, AppState>) -> Result<()> {
    state.companion.clear_token().await
}

/// Calls our own webhook as the PBX would.
#[tauri::command]
pub async fn send_test_call(state: State<'_, AppState>) -> Result<String> {
    state.companion.send_test_call().await
}

/// The agent has seen the missed calls: clear the tray's count.
#[tauri::command]
pub async fn missed_seen(app: tauri::AppHandle) -> Result<()> {
    crate::tray::set_missed(&app, 0);
    Ok(())
}

/// What a pop's button asked a window that did not exist yet: `[event, text]`.
#[tauri::command]
pub async fn take_pending() -> Result<Option<(String, String)>> {
    Ok(crate::tray::take_pending().map(|(event, text)| (event.to_owned(), text)))
}
