//! Screen-pops: each decision of the core worded by [`xvb_core::pbx::pop`] and
//! drawn by the desktop's own notifications — D-Bus on Linux ([`dbus`], one
//! connection for every pop), WinRT toasts on Windows ([`toast`]).
//!
//! A ring pop stays until the call is answered or missed and is then withdrawn
//! (D-Bus `CloseNotification`; the toast's tag removed from the screen and the
//! Action Center). The buttons come back as [`PopAction`]s, handled in [`act`]:
//! *Open* brings the window to the call, *Open in CRM* opens the CRM card,
//! *Call back* on a missed call dials.

#[cfg(unix)]
mod dbus;
#[cfg(windows)]
mod toast;
#[cfg(any(windows, test))]
mod toast_xml;

#[cfg(unix)]
use dbus::Desktop;
#[cfg(windows)]
use toast::Desktop;

use crate::tray;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_opener::OpenerExt;
use tokio::sync::mpsc;
use xvb_core::notes::Note;
use xvb_core::pbx::decision::Decision;
use xvb_core::pbx::notifier::{AwaySummary, Notice, Notifier};
use xvb_core::pbx::pop::{Language, Pop, PopAction};
use xvb_core::pbx::refusal::Refused;

/// What to pop: a decision about a call, or what came while the agent was away.
enum Popped {
    Call(Box<Notice>),
    Away(AwaySummary),
    Refused(Refused),
}

/// Sends each notice to the UI (event `notice`) and to the desktop's notifications.
pub struct Popups {
    app: AppHandle,
    queue: mpsc::UnboundedSender<Popped>,
}

impl Popups {
    /// Starts the task that shows pops.
    pub fn start(app: AppHandle) -> Popups {
        let (queue, notices) = mpsc::unbounded_channel();
        tauri::async_runtime::spawn(show_loop(app.clone(), notices));
        Popups { app, queue }
    }
}

impl Notifier for Popups {
    fn notify(&self, notice: Notice) {
        if notice.decision == Decision::Missed {
            tray::add_missed(&self.app, 1);
        }
        // The pop first: the window's refresh can wait a moment, the agent's pop should not.
        let for_window = notice.clone();
        let _ = self.queue.send(Popped::Call(Box::new(notice)));
        if let Err(e) = self.app.emit("notice", &for_window) {
            tracing::warn!(error = %e, "could not tell the window about a call");
        }
    }

    fn away(&self, summary: AwaySummary) {
        if summary.missed > 0 {
            tray::add_missed(&self.app, summary.missed as u32);
        }
        let _ = self.queue.send(Popped::Away(summary));
        if let Err(e) = self.app.emit("away", summary) {
            tracing::warn!(error = %e, "could not tell the window about calls while away");
        }
    }

    fn note(&self, note: &Note) {
        if let Err(e) = self.app.emit("note", note) {
            tracing::warn!(error = %e, "could not tell the window about a note");
        }
    }

    fn refused(&self, refused: &Refused) {
        let _ = self.queue.send(Popped::Refused(refused.clone()));
        let for_window = refused.clone().in_language(language(&self.app));
        if let Err(e) = self.app.emit("refused", for_window) {
            tracing::warn!(error = %e, "could not tell the window about a refused request");
        }
    }
}

/// The app's language (pops, toasts, tray): its setting, else the session's.
pub fn language(app: &AppHandle) -> Language {
    let configured = app
        .try_state::<crate::AppState>()
        .and_then(|s| s.companion.config().language.clone());
    Language::pick(configured.as_deref())
}

async fn show_loop(app: AppHandle, mut pops: mpsc::UnboundedReceiver<Popped>) {
    let mut desktop = Desktop::default();
    while let Some(popped) = pops.recv().await {
        let language = language(&app);
        let (pop, notice) = match popped {
            Popped::Away(summary) => (Pop::away(summary, language), None),
            Popped::Refused(refused) => (Pop::refused(&refused, language), None),
            Popped::Call(notice) => {
                desktop.withdraw(&notice.call.callid).await;
                match Pop::for_notice(&notice, language) {
                    Some(pop) => (pop, Some(*notice)),
                    None => continue,
                }
            }
        };
        let callid = notice.as_ref().map(|n| n.call.callid.clone());
        let app = app.clone();
        let chosen = move |action| act(&app, action, notice.as_ref());
        if let Err(e) = desktop.show(&pop, callid, chosen).await {
            tracing::warn!(error = %e, check = Desktop::CHECK, "could not show a notification")
        }
    }
}

/// Does what the agent chose on a pop.
fn act(app: &AppHandle, action: PopAction, notice: Option<&Notice>) {
    match (action, notice) {
        (PopAction::OpenCrm, Some(notice)) => {
            let Some(url) = &notice.crm_url else { return };
            if let Err(e) = app.opener().open_url(url, None::<&str>) {
                // The error carries the URL, and with it the client's number: not at info.
                tracing::debug!(error = %e, "could not open the CRM card");
                tracing::warn!("could not open the CRM card; is a web browser set as the default?");
            }
        }
        (PopAction::CallBack, Some(notice)) => crate::handover::show_and_ask(
            app,
            "dial",
            notice.call.phone.clone().unwrap_or_default(),
        ),
        (PopAction::Open, Some(notice)) => {
            crate::handover::show_and_ask(app, "open-call", notice.call.callid.clone())
        }
        (PopAction::AddNote, Some(notice)) => {
            crate::handover::show_and_ask(app, "add-note", notice.call.callid.clone())
        }
        (PopAction::OpenSettings, _) => {
            crate::handover::show_and_ask(app, "open-settings", serde_json::Value::Null)
        }
        _ => crate::handover::show_and_ask(app, "open-missed", serde_json::Value::Null),
    }
}
