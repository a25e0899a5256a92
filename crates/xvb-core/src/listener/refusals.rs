//! Requests the listener refused, told to the agent: the latest one for
//! Settings ("the PBX tried at 10:32 with access code 10018; this computer
//! expects 10019"), and a pop at most once an hour — a PBX set up wrong keeps
//! trying, and a scan of the LAN must not flood the desktop.

use super::checks::HookError;
use crate::pbx::notifier::Notifier;
use crate::pbx::refusal::{Refusal, Refused};
use crate::words::Worded;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Pops about refused requests come this far apart at most.
pub const POP_EVERY: Duration = Duration::from_secs(60 * 60);

/// Longest access code repeated back (what a request sent is text from outside).
const SHOWN_CODE: usize = 24;
/// Longest reason repeated back (it may quote the request).
const SHOWN_REASON: usize = 200;

/// At most `chars` characters of `text`, control characters dropped.
fn shown(text: &str, chars: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(chars)
        .collect()
}

/// The refusal `error` stands for (`expected`: this computer's account
/// number); `None` when the store failed, which is not the sender's doing.
pub(super) fn refusal_of(error: &HookError, expected: Option<&str>) -> Option<Refusal> {
    match error {
        HookError::Forbidden { sent } => Some(Refusal::AccessCode {
            sent: shown(sent, SHOWN_CODE),
            expected: expected.map(str::to_owned),
        }),
        HookError::NotFound => Some(Refusal::UnknownAddress),
        HookError::Unavailable(_) => None,
        other => Some(Refusal::Malformed {
            reason: shown(&other.to_string(), SHOWN_REASON),
            russian: shown(&other.russian(), SHOWN_REASON),
        }),
    }
}

/// The latest refused request, and when the agent was last popped about one.
pub struct Refusals {
    latest: watch::Sender<Option<Refused>>,
    popped: Mutex<Option<Instant>>,
}

impl Default for Refusals {
    fn default() -> Self {
        Refusals {
            latest: watch::channel(None).0,
            popped: Mutex::new(None),
        }
    }
}

impl Refusals {
    /// Keeps `refusal` as the latest, and pops it unless a pop came within [`POP_EVERY`].
    pub fn record(&self, refusal: Refusal, notifier: &dyn Notifier) {
        let at = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let refused = Refused { at, refusal };
        self.latest.send_replace(Some(refused.clone()));
        let now = Instant::now();
        let mut popped = self.popped.lock().expect("refusals lock");
        if popped.is_none_or(|last| now.duration_since(last) >= POP_EVERY) {
            *popped = Some(now);
            drop(popped);
            notifier.refused(&refused);
        }
    }

    /// The latest refused request, as it changes.
    pub fn watch(&self) -> watch::Receiver<Option<Refused>> {
        self.latest.subscribe()
    }
}
