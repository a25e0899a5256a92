//! The UI's commands: each delegates to the core in one line; errors cross as
//! `{code, message, field}`, in the app's language ([`told`]).

use crate::desktop::{DesktopStatus, DesktopTrouble};
use crate::AppState;
use std::sync::Arc;
use tauri::State;
use xvb_core::app::{
    ContactsExport, ErrorCode, HistoryExport, HistoryPage, RecordingView, SettingsView,
    SourceDraft, SourceView, UiError,
};
use xvb_core::contacts::Contact;
use xvb_core::notes::{Note, NoteDraft, Tag};
use xvb_core::reports::{Report, ReportRequest};
use xvb_core::secret::SecretKind;
use xvb_core::store::{HistoryQuery, ImportReport};
use xvb_core::team::{StatusChange, TeamView};

type Result<T> = std::result::Result<T, UiError>;

/// `result` with its error in the app's language (the setting, else the
/// session's), as it crosses to the UI. Texts the core returns are worded by it.
fn told<T>(state: &AppState, result: Result<T>) -> Result<T> {
    result.map_err(|e| e.in_language(state.companion.language()))
}

/// A page of call history (live calls with `live: true`).
#[tauri::command]
pub async fn history(state: State<'_, AppState>, query: HistoryQuery) -> Result<HistoryPage> {
    told(&state, state.companion.history(&query))
}

/// The digits a typed number would dial, or why it cannot be dialled.
#[tauri::command]
pub async fn check_number(state: State<'_, AppState>, number: String) -> Result<String> {
    told(&state, state.companion.check_number(&number))
}

/// Sends `makeCall`; the PBX's reply text.
#[tauri::command]
pub async fn dial(state: State<'_, AppState>, number: String) -> Result<String> {
    told(&state, state.companion.dial(&number).await)
}

/// What the settings screen shows.
#[tauri::command]
pub async fn settings(state: State<'_, AppState>) -> Result<SettingsView> {
    Ok(state.companion.settings().await)
}

/// Saves changed settings (all or nothing), then sets up the dial hotkey they name.
#[tauri::command]
pub async fn save_settings(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    changes: Vec<(String, String)>,
) -> Result<SettingsView> {
    let view = told(&state, state.companion.save_settings(changes).await)?;
    crate::desktop::apply_hotkey(&app, &view.config.dial_hotkey);
    crate::tray::apply_language(&app);
    crate::team::show_badge(&app, state.companion.team_now().as_deref());
    Ok(view)
}

/// Stores a secret of the account (PBX token, recordings password, tunnel secret) in the keyring (write-only: it never comes back).
#[tauri::command]
pub async fn set_secret(state: State<'_, AppState>, kind: SecretKind, value: String) -> Result<()> {
    told(&state, state.companion.set_secret(kind, value).await)
}

/// Removes a secret of the account from the keyring.
#[tauri::command]
pub async fn clear_secret(state: State<'_, AppState>, kind: SecretKind) -> Result<()> {
    told(&state, state.companion.clear_secret(kind).await)
}

/// Joins the team relay of a join code (the app then takes its events from it).
#[tauri::command]
pub async fn join_relay(state: State<'_, AppState>, code: String) -> Result<SettingsView> {
    told(&state, state.companion.join_relay(&code).await)
}

/// Leaves the team relay: back to listening directly.
#[tauri::command]
pub async fn leave_relay(state: State<'_, AppState>) -> Result<SettingsView> {
    told(&state, state.companion.leave_relay().await)
}

/// Fetches a call's recording and returns the loopback URL the player plays.
#[tauri::command]
pub async fn play_recording(state: State<'_, AppState>, callid: String) -> Result<RecordingView> {
    told(&state, state.companion.play_recording(&callid).await)
}

/// Starts the recordings player ahead of need; a moment of silence for the window to load.
#[tauri::command]
pub async fn warm_player(state: State<'_, AppState>) -> Result<String> {
    told(&state, state.companion.warm_player().await)
}

/// Saves a call's recording as WAV in the Downloads folder; the file's path.
#[tauri::command]
pub async fn save_recording(state: State<'_, AppState>, callid: String) -> Result<String> {
    told(&state, state.companion.save_recording(&callid).await)
}

/// Calls our own webhook as the PBX would; whether it arrived.
#[tauri::command]
pub async fn send_test_call(state: State<'_, AppState>) -> Result<String> {
    told(&state, state.companion.send_test_call().await)
}

/// The agent has seen the missed calls: clear the tray's count.
#[tauri::command]
pub async fn missed_seen(app: tauri::AppHandle) -> Result<()> {
    crate::tray::set_missed(&app, 0);
    Ok(())
}

/// The team's board and missed-call queue as the relay last sent it (`null` outside relay mode).
#[tauri::command]
pub async fn team(state: State<'_, AppState>) -> Result<Option<Arc<TeamView>>> {
    Ok(state.companion.team_now())
}

/// "I'll call back" on a caller in the team's missed queue; what the relay said.
#[tauri::command]
pub async fn claim_missed(state: State<'_, AppState>, phone: String) -> Result<String> {
    told(&state, state.companion.claim_missed(&phone).await)
}

/// Sets the agent's status on the team relay (a break, available, after-call work ended).
#[tauri::command]
pub async fn set_status(state: State<'_, AppState>, change: StatusChange) -> Result<()> {
    told(&state, state.companion.set_status(change).await)
}

/// The Reports tab's figures: the team's (`team`, a supervisor's, through the
/// relay), else this computer's calls and the agent's own.
#[tauri::command]
pub async fn report(
    state: State<'_, AppState>,
    asked: ReportRequest,
    team: bool,
) -> Result<Report> {
    told(&state, state.companion.report(asked, team).await)
}

/// Gives a claimed caller back to the team's missed queue; what the relay said.
#[tauri::command]
pub async fn release_missed(state: State<'_, AppState>, phone: String) -> Result<String> {
    told(&state, state.companion.release_missed(&phone).await)
}

/// The tags a note may carry (the relay's list when joined).
#[tauri::command]
pub async fn tags(state: State<'_, AppState>) -> Result<Vec<Tag>> {
    Ok(state.companion.tags())
}

/// Saves a note on a call (new, or an edit); the note as stored.
#[tauri::command]
pub async fn save_note(state: State<'_, AppState>, draft: NoteDraft) -> Result<Note> {
    told(&state, state.companion.save_note(draft).await)
}

/// Saves the filtered history as CSV in the Downloads folder.
#[tauri::command]
pub async fn export_history(
    state: State<'_, AppState>,
    query: HistoryQuery,
    semicolon: bool,
    utc_offset_minutes: i32,
) -> Result<HistoryExport> {
    let exported = state
        .companion
        .export_history(query, semicolon, utc_offset_minutes)
        .await;
    told(&state, exported)
}

/// The contacts matching `search` (a name, or a number in any spelling), by name.
#[tauri::command]
pub async fn contacts(state: State<'_, AppState>, search: String) -> Result<Vec<Contact>> {
    told(&state, state.companion.contacts(&search).await)
}

/// The contact book and each directory, in their order, with their last sync.
#[tauri::command]
pub async fn contact_sources(state: State<'_, AppState>) -> Result<Vec<SourceView>> {
    told(&state, state.companion.contact_sources().await)
}

/// Reads every directory now; the sources as `contact_sources` then.
#[tauri::command]
pub async fn sync_sources(state: State<'_, AppState>) -> Result<Vec<SourceView>> {
    told(&state, state.companion.sync_sources().await)
}

/// Adds a source (its password to the keyring) and syncs it; the sources then.
#[tauri::command]
pub async fn add_source(state: State<'_, AppState>, draft: SourceDraft) -> Result<Vec<SourceView>> {
    told(&state, state.companion.add_source(draft).await)
}

/// Removes a source and its copy; the sources then.
#[tauri::command]
pub async fn remove_source(state: State<'_, AppState>, name: String) -> Result<Vec<SourceView>> {
    told(&state, state.companion.remove_source(name).await)
}

/// Imports the text of the CSV or vCard file the agent picked; the report.
#[tauri::command]
pub async fn import_contacts(state: State<'_, AppState>, text: String) -> Result<ImportReport> {
    told(&state, state.companion.import_contacts(text).await)
}

/// Saves a new contact, or changes the one with its id.
#[tauri::command]
pub async fn save_contact(state: State<'_, AppState>, contact: Contact) -> Result<()> {
    told(&state, state.companion.save_contact(contact).await)
}

/// Removes a contact.
#[tauri::command]
pub async fn remove_contact(state: State<'_, AppState>, id: i64) -> Result<()> {
    told(&state, state.companion.remove_contact(id).await)
}

/// Saves the contact book as CSV in the Downloads folder.
#[tauri::command]
pub async fn export_contacts(state: State<'_, AppState>) -> Result<ContactsExport> {
    told(&state, state.companion.export_contacts().await)
}

/// The page listens now; what a pop's button, a link or the hotkey asked before: `[event, payload]`.
#[tauri::command]
pub async fn take_pending(app: tauri::AppHandle) -> Result<Option<(String, serde_json::Value)>> {
    Ok(crate::handover::page_listening(&app).map(|(event, payload)| (event.to_owned(), payload)))
}

/// The hotkey's problem, autostart and the log folder, for the settings screen.
#[tauri::command]
pub async fn desktop_status(app: tauri::AppHandle) -> Result<DesktopStatus> {
    Ok(crate::desktop::status(&app))
}

/// Turns *Start with the system* on or off.
#[tauri::command]
pub async fn set_autostart(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    on: bool,
) -> Result<DesktopStatus> {
    told(&state, crate::desktop::set_autostart(&app, on))
}

/// Opens the folder of the log files (for support).
#[tauri::command]
pub async fn open_logs_folder(app: tauri::AppHandle, state: State<'_, AppState>) -> Result<()> {
    use tauri_plugin_opener::OpenerExt;
    let dir = crate::desktop::log_dir();
    let opened = app
        .opener()
        .open_path(dir.display().to_string(), None::<&str>)
        .map_err(|e| {
            tracing::warn!(error = %e, "could not open the logs folder");
            UiError::new(ErrorCode::Desktop, &DesktopTrouble::NoFileManager(dir))
        });
    told(&state, opened)
}
