//! The figures of a set of calls: offered, answered, missed, the service
//! level, speed of answer, handle time, the longest wait, the missed callers
//! not called back yet and how soon the others were, and repeat callers.

use crate::pbx::call::Call;
use crate::pbx::protocol::Direction;
use crate::team::missed_queue;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A missed call that rang for less than this is left out of the service
/// level (the caller hung up before anyone could answer).
pub const SHORT_ABANDON: time::Duration = time::Duration::seconds(5);

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
    /// Callers missed and not reached since (by a call back or a call in).
    pub not_called_back: u32,
    /// The median time from a caller's first miss to reaching them, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_median: Option<f64>,
    /// Numbers that called in more than once.
    pub repeat_callers: u32,
}

/// Seconds from `from` to `to`, rounded to the millisecond.
fn seconds(span: time::Duration) -> f64 {
    (span.whole_milliseconds() as f64 / 1000.0).max(0.0)
}

/// The mean of `values`, if any.
fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The median of `values`, if any.
fn median(mut values: Vec<f64>) -> Option<f64> {
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

impl Figures {
    /// The figures of `calls` with a service level threshold of `sl_seconds`.
    pub fn of(calls: &[&Call], sl_seconds: u32) -> Figures {
        let mut figures = Figures::default();
        let (mut waits, mut talks) = (Vec::new(), Vec::new());
        let mut callers: HashMap<&str, u32> = HashMap::new();
        for call in calls {
            if call.direction == Some(Direction::Out) {
                figures.outgoing += 1;
                continue;
            }
            figures.offered += 1;
            if let Some(number) = call.phone_normalized.as_deref() {
                *callers.entry(number).or_default() += 1;
            }
            let ended = call.last_seen - call.first_seen;
            match call.answered_at {
                Some(answered) if call.answered_by.is_some() => {
                    figures.answered += 1;
                    let wait = answered - call.first_seen;
                    if wait <= time::Duration::seconds(sl_seconds.into()) {
                        figures.answered_in_time += 1;
                    }
                    waits.push(seconds(wait));
                    figures.longest_wait = figures.longest_wait.max(wait.whole_seconds() as u64);
                    if let Some(talk) = call.duration {
                        talks.push(talk as f64);
                    }
                }
                _ if call.is_missed() => {
                    figures.missed += 1;
                    if ended < SHORT_ABANDON {
                        figures.short_abandoned += 1;
                    }
                    figures.longest_wait = figures.longest_wait.max(ended.whole_seconds() as u64);
                }
                // Still ringing (or answered before answers had a time): out of the
                // service level until it ends one way or the other.
                _ => figures.unresolved += 1,
            }
        }
        let counted = figures.offered - figures.short_abandoned - figures.unresolved;
        figures.service_level =
            (counted > 0).then(|| f64::from(figures.answered_in_time) * 100.0 / f64::from(counted));
        figures.speed_of_answer = mean(&waits);
        figures.handle_time = mean(&talks);
        figures.repeat_callers = callers.values().filter(|n| **n > 1).count() as u32;
        let queue = missed_queue(calls.iter().copied(), &[]);
        figures.not_called_back = queue.iter().filter(|e| e.cleared.is_none()).count() as u32;
        figures.callback_median = median(
            queue
                .iter()
                .filter_map(|e| e.cleared.as_ref().map(|c| seconds(c.at - e.first_missed)))
                .collect(),
        );
        figures
    }
}
