//! `xvb serve --notify`: decisions as desktop notifications (D-Bus on Linux, via notify-rust).
//!
//! Pops are sent from a thread of their own so a slow notification server never
//! delays the PBX's answer. A ring pop stays until the call is answered or missed,
//! and is then withdrawn by its id.

use std::collections::HashMap;
use std::sync::mpsc;
use xvb_core::pbx::decision::Decision;
use xvb_core::pbx::notifier::{AwaySummary, Notice};

/// What to pop: a decision about a call, or what came while the agent was away.
pub(crate) enum Pop {
    /// A decision about one call.
    Call(Box<Notice>),
    /// Calls while away, summed up in one notice.
    Away(AwaySummary),
}

/// Handle to the pop-up thread.
pub(crate) struct Popups {
    queue: mpsc::Sender<Pop>,
}

impl Popups {
    /// Starts the pop-up thread.
    pub(crate) fn start() -> Popups {
        let (queue, notices) = mpsc::channel::<Pop>();
        std::thread::Builder::new()
            .name("xvb-popups".into())
            .spawn(move || show_loop(notices))
            .expect("thread starts");
        Popups { queue }
    }

    /// Queues a pop.
    pub(crate) fn show(&self, pop: Pop) {
        let _ = self.queue.send(pop);
    }
}

fn show_loop(pops: mpsc::Receiver<Pop>) {
    let mut ringing: HashMap<String, notify_rust::NotificationHandle> = HashMap::new();
    for pop in pops {
        let notice = match pop {
            Pop::Call(notice) => *notice,
            Pop::Away(summary) => {
                show_away(summary);
                continue;
            }
        };
        if let Some(pop) = ringing.remove(&notice.call.callid) {
            pop.close();
        }
        let caller = notice.caller().to_owned();
        let number = notice.call.phone.clone().unwrap_or_default();
        let (summary, body, persistent) = match &notice.decision {
            Decision::Ring => {
                let mut body = number.clone();
                if let Some(line) = &notice.call.line_number {
                    body.push_str(&format!("\nline {line}"));
                }
                if let Some(ext) = &notice.responsible {
                    body.push_str(&format!("\nresponsible: {ext}"));
                }
                (format!("Incoming call: {caller}"), body, true)
            }
            Decision::AnsweredByMe => (format!("In call with {caller}"), number, false),
            Decision::Missed => (format!("Missed call: {caller}"), number, false),
            Decision::AnsweredByColleague(_) | Decision::Nothing => continue,
        };
        let mut pop = notify_rust::Notification::new();
        pop.appname("XVB Companion").summary(&summary).body(&body);
        if persistent {
            pop.timeout(notify_rust::Timeout::Never);
        }
        match pop.show() {
            Ok(handle) if persistent => {
                ringing.insert(notice.call.callid.clone(), handle);
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "could not show a notification; is a notification daemon running?")
            }
        }
    }
}

/// "20 calls while you were away, 7 missed", once.
fn show_away(summary: AwaySummary) {
    let shown = notify_rust::Notification::new()
        .appname("XVB Companion")
        .summary(&format!(
            "{} calls while you were away, {} missed",
            summary.calls, summary.missed
        ))
        .show();
    if let Err(e) = shown {
        tracing::warn!(error = %e, "could not show a notification; is a notification daemon running?")
    }
}
