//! Pops as freedesktop notifications (D-Bus, through notify-rust): a ring pop
//! never times out and is closed by its id when the call is answered or missed.

use std::collections::HashMap;
use std::sync::Arc;
use xvb_core::pbx::pop::{Pop, PopAction, PopKind};

/// The ring pops on screen, by call id.
#[derive(Default)]
pub struct Desktop {
    ringing: HashMap<String, Arc<notify_rust::NotificationHandle>>,
}

impl Desktop {
    /// What to check when a pop could not be shown.
    pub const CHECK: &str = "is a notification server running (the desktop's, or dunst)?";

    /// Closes the ring pop of `callid`, if one is up.
    pub async fn withdraw(&mut self, callid: &str) {
        if let Some(pop) = self.ringing.remove(callid) {
            pop.close_async().await;
        }
    }

    /// Shows `pop` (kept by `callid` when it rings); `chosen` gets the button or click, once.
    pub async fn show(
        &mut self,
        pop: &Pop,
        callid: Option<String>,
        chosen: impl FnOnce(PopAction) + Send + 'static,
    ) -> Result<(), notify_rust::error::Error> {
        let mut shown = notify_rust::Notification::new();
        shown
            .appname("XVB Companion")
            .icon(match pop.kind {
                PopKind::Ring | PopKind::InCall => "call-start",
                PopKind::Missed | PopKind::Away => "call-missed",
            })
            .summary(&pop.title)
            .body(&pop.body());
        if let Some((_, label)) = pop.click {
            shown.action("default", label);
        }
        for (action, label) in &pop.buttons {
            shown.action(action.id(), label);
        }
        if pop.kind == PopKind::Ring {
            shown.timeout(notify_rust::Timeout::Never);
        }
        let handle = Arc::new(shown.show_async().await?);
        if let (PopKind::Ring, Some(callid)) = (pop.kind, callid) {
            self.ringing.insert(callid, Arc::clone(&handle));
        }
        let click = pop.click.map(|(action, _)| action);
        tauri::async_runtime::spawn(async move {
            let mut picked = None;
            handle
                .wait_for_action_async(|response| {
                    picked = match response {
                        notify_rust::NotificationResponse::Default => click,
                        notify_rust::NotificationResponse::Action(id) => {
                            Some(PopAction::from_id(id))
                        }
                        // Withdrawn, timed out or dismissed: nothing to do.
                        _ => None,
                    }
                })
                .await;
            if let Some(action) = picked {
                chosen(action);
            }
        });
        Ok(())
    }
}
