//! The team's board and missed-call queue (relay mode): each view the relay
//! sends goes to the window (event `team`) and, for agents who chose it, its
//! waiting missed callers to the tray badge; the team's tags (event `tags`).

use crate::tray;
use tauri::{AppHandle, Emitter, Manager};
use xvb_core::reach::link::TeamWatch;
use xvb_core::team::TeamView;

/// Follows the team's view for as long as the app runs (it is `None` outside relay mode).
pub fn follow(app: &AppHandle, mut team: TeamWatch) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while team.changed().await.is_ok() {
            let view = team.borrow_and_update().clone();
            show_badge(&app, view.as_deref());
            crate::tray_status::show(&app, view.as_deref());
            if let Err(e) = app.emit("team", view) {
                tracing::warn!(error = %e, "could not tell the window about the team");
            }
        }
    });
}

/// Sends the window the tags a note may carry whenever they change (the relay's
/// arriving, or changing; back to the settings' list when leaving the relay).
pub fn follow_tags(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(state) = app.try_state::<crate::AppState>() else {
            return;
        };
        let mut tags = state.companion.tags_watch();
        while tags.changed().await.is_ok() {
            tags.borrow_and_update();
            if let Err(e) = app.emit("tags", state.companion.tags()) {
                tracing::warn!(error = %e, "could not tell the window about the tags");
            }
        }
    });
}

/// The tray counts the team's waiting missed callers in `view` if the agent
/// chose so (and is on a relay), else the agent's own missed calls.
pub fn show_badge(app: &AppHandle, view: Option<&TeamView>) {
    let team_badge = app
        .try_state::<crate::AppState>()
        .is_some_and(|s| s.companion.config().team_missed_badge);
    let waiting = view.filter(|_| team_badge).map(|view| view.waiting as u32);
    tray::set_team_missed(app, waiting);
}
