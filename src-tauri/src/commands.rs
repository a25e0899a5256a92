//! The UI's commands: each delegates to the core in one line; errors cross as `{code, message, field}`.

use crate::AppState;
use tauri::State;
use xvb_core::companion::{HistoryPage, RecordingView, SettingsView, UiError};
use xvb_core::secret::SecretKind;
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

/// Stores the PBX token or the recordings password in the keyring (write-only: it never comes back).
#[tauri::command]
pub async fn set_secret(state: State<'_, AppState>, kind: SecretKind, value: String) -> Result<()> {
    state.companion.set_secret(kind, value).await
}

/// Removes the PBX token or the recordings password from the keyring.
#[tauri::command]
pub async fn clear_secret(state: State<'_, AppState>, kind: SecretKind) -> Result<()> {
    state.companion.clear_secret(kind).await
}

/// Fetches a call's recording and returns the loopback URL the player plays.
#[tauri::command]
pub async fn play_recording(state: State<'_, AppState>, callid: String) -> Result<RecordingView> {
    state.companion.play_recording(&callid).await
}

/// Saves a call's recording as WAV in the Downloads folder; the file's path.
#[tauri::command]
pub async fn save_recording(state: State<'_, AppState>, callid: String) -> Result<String> {
    state.companion.save_recording(&callid).await
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
