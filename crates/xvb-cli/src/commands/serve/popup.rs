//! `xvb serve --notify`: decisions as desktop notifications (D-Bus on Linux,
//! toasts on Windows, via notify-rust), worded by [`xvb_core::pbx::pop`].
//!
//! Pops are sent from a thread of their own so a slow notification server never
//! delays the PBX's answer. On Linux a ring pop stays until the call is answered
//! or missed and is then withdrawn by its id; Windows toasts leave by themselves
//! (the desktop app withdraws them by tag).

use std::sync::mpsc;
use xvb_core::pbx::notifier::{AwaySummary, Notice};
use xvb_core::pbx::pop::{Language, Pop, PopKind};

/// What to pop: a decision about a call, or what came while the agent was away.
pub(crate) enum Popped {
    /// A decision about one call.
    Call(Box<Notice>),
    /// Calls while away, summed up in one notice.
    Away(AwaySummary),
}

/// Handle to the pop-up thread.
pub(crate) struct Popups {
    queue: mpsc::Sender<Popped>,
}

impl Popups {
    /// Starts the pop-up thread, wording pops in `language`.
    pub(crate) fn start(language: Language) -> Popups {
        let (queue, notices) = mpsc::channel::<Popped>();
        std::thread::Builder::new()
            .name("xvb-popups".into())
            .spawn(move || show_loop(notices, language))
            .expect("thread starts");
        Popups { queue }
    }

    /// Queues a pop.
    pub(crate) fn show(&self, pop: Popped) {
        let _ = self.queue.send(pop);
    }
}

fn show_loop(pops: mpsc::Receiver<Popped>, language: Language) {
    let mut ringing = Ringing::default();
    for popped in pops {
        let (pop, callid) = match popped {
            Popped::Away(summary) => (Pop::away(summary, language), None),
            Popped::Call(notice) => {
                ringing.withdraw(&notice.call.callid);
                match Pop::for_notice(&notice, language) {
                    Some(pop) => (pop, Some(notice.call.callid)),
                    None => continue,
                }
            }
        };
        let mut shown = notify_rust::Notification::new();
        shown
            .appname("XVB Companion")
            .summary(&pop.title)
            .body(&pop.body());
        if pop.kind == PopKind::Ring {
            shown.timeout(notify_rust::Timeout::Never);
        }
        match shown.show() {
            Ok(handle) => {
                if let (PopKind::Ring, Some(callid)) = (pop.kind, callid) {
                    ringing.keep(callid, handle);
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not show a notification; is a notification daemon running?")
            }
        }
    }
}

/// Ring pops on screen, by call id, to withdraw when the call is answered or missed.
#[derive(Default)]
struct Ringing(std::collections::HashMap<String, notify_rust::NotificationHandle>);

impl Ringing {
    fn keep(&mut self, callid: String, pop: notify_rust::NotificationHandle) {
        self.0.insert(callid, pop);
    }

    fn withdraw(&mut self, callid: &str) {
        if let Some(pop) = self.0.remove(callid) {
            close(pop);
        }
    }
}

#[cfg(unix)]
fn close(pop: notify_rust::NotificationHandle) {
    pop.close();
}

/// notify-rust's toasts cannot be withdrawn: they time out into the Action Center.
#[cfg(windows)]
fn close(_pop: notify_rust::NotificationHandle) {}
