//! `xvb serve --notify`: decisions as desktop notifications (D-Bus on Linux, via notify-rust).
//!
//! Pops are sent from a thread of their own so a slow notification server never
//! delays the PBX's answer. A ring pop stays until the call is answered or missed,
//! and is then withdrawn by its id.

use std::collections::HashMap;
use std::sync::mpsc;
use xvb_core::pbx::decision::Decision;
use xvb_core::pbx::notifier::Notice;

/// Handle to the pop-up thread.
pub(crate) struct Popups {
    queue: mpsc::Sender<Notice>,
}

impl Popups {
    /// Starts the pop-up thread.
    pub(crate) fn start() -> Popups {
        let (queue, notices) = mpsc::channel::<Notice>();
        std::thread::Builder::new()
            .name("xvb-popups".into())
            .spawn(move || show_loop(notices))
            .expect("thread starts");
        Popups { queue }
    }

    /// Queues a notice.
    pub(crate) fn show(&self, notice: Notice) {
        let _ = self.queue.send(notice);
    }
}

fn show_loop(notices: mpsc::Receiver<Notice>) {
    let mut ringing: HashMap<String, notify_rust::NotificationHandle> = HashMap::new();
    for notice in notices {
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
