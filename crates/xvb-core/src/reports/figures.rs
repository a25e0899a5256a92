//! The figures of a set of calls: offered, answered, missed, the service
//! level, speed of answer, handle time, the longest wait, the missed callers
//! not called back yet and how soon the others were, and repeat callers.

use super::facts::CallFacts;
use serde::{Deserialize, Serialize};

/// A missed call that rang for less than this is left out of the service
/// level (the caller hung up before anyone could answer).
pub const SHORT_ABANDON: time::Duration = time::Duration::seconds(5);

/// [`SHORT_ABANDON`] in milliseconds.
const SHORT_ABANDON_MS: i64 = SHORT_ABANDON.whole_milliseconds() as i64;

/// What happened to a set of calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Figures {
    /// Incoming calls.
    pub offered: u32,
    /// Incoming calls answered.
    pub answered: u32,
    /// Incoming calls nobody answered.
    pub missed: u32,
    /// Missed calls that rang under [`SHORT_ABANDON`] (out of the service level).
    pub short_abandoned: u32,
    /// Calls answered within the threshold.
    pub answered_in_time: u32,
    /// Calls neither answered nor missed yet (still ringing): out of the service level.
    #[serde(default)]
    pub unresolved: u32,
    /// `answered_in_time` ÷ (`offered` − `short_abandoned` − `unresolved`), in per cent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_level: Option<f64>,
    /// The average wait of answered calls, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_of_answer: Option<f64>,
    /// The average talk time of answered calls, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_time: Option<f64>,
    /// The longest wait, answered or not, in seconds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub longest_wait: u64,
    /// Outgoing calls.
    pub outgoing: u32,
    /// Callers first missed in the period and not reached since (by a call
    /// back or a call in) up to the report's end.
    pub not_called_back: u32,
    /// The median time from a caller's first miss in the period to reaching them, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_median: Option<f64>,
    /// Numbers that called in more than once in the period.
    pub repeat_callers: u32,
}

/// Adds calls up, one at a time, into a period's [`Figures`].
#[derive(Debug, Clone, Default)]
pub(super) struct Tally {
    figures: Figures,
    wait_ms: i64,
    talk: u64,
    talks: u32,
    callbacks: Vec<f64>,
}

impl Tally {
    /// Adds a call, answered in time within `sl_ms` milliseconds.
    pub(super) fn add(&mut self, call: &CallFacts, sl_ms: i64) {
        let figures = &mut self.figures;
        if call.outgoing {
            figures.outgoing += 1;
            return;
        }
        figures.offered += 1;
        match call.answered_at {
            Some(answered) if call.answered_by.is_some() => {
                figures.answered += 1;
                let wait = (answered - call.first_seen).max(0);
                if wait <= sl_ms {
                    figures.answered_in_time += 1;
                }
                self.wait_ms += wait;
                figures.longest_wait = figures.longest_wait.max(wait as u64 / 1000);
                if let Some(talk) = call.duration {
                    self.talk += talk;
                    self.talks += 1;
                }
            }
            _ if call.missed => {
                let rang = (call.last_seen - call.first_seen).max(0);
                figures.missed += 1;
                if rang < SHORT_ABANDON_MS {
                    figures.short_abandoned += 1;
                }
                figures.longest_wait = figures.longest_wait.max(rang as u64 / 1000);
            }
            // Still ringing (or answered before answers had a time): out of the
            // service level until it ends one way or the other.
            _ => figures.unresolved += 1,
        }
    }

    /// A number that called in a second time.
    pub(super) fn repeat_caller(&mut self) {
        self.figures.repeat_callers += 1;
    }

    /// A missed caller reached `seconds` after the first miss.
    pub(super) fn called_back(&mut self, seconds: f64) {
        self.callbacks.push(seconds);
    }

    /// A missed caller not reached since.
    pub(super) fn not_called_back(&mut self) {
        self.figures.not_called_back += 1;
    }

    /// The figures of what was added.
    pub(super) fn figures(mut self) -> Figures {
        let mut figures = self.figures;
        let counted = figures.offered - figures.short_abandoned - figures.unresolved;
        figures.service_level =
            (counted > 0).then(|| f64::from(figures.answered_in_time) * 100.0 / f64::from(counted));
        figures.speed_of_answer = (figures.answered > 0)
            .then(|| self.wait_ms as f64 / 1000.0 / f64::from(figures.answered));
        figures.handle_time = (self.talks > 0).then(|| self.talk as f64 / f64::from(self.talks));
        figures.callback_median = median(&mut self.callbacks);
        figures
    }
}

/// The median of `values`, if any.
fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    })
}
