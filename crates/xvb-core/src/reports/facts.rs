//! What a report reads of each call: a few numbers and names, read from the
//! store's columns (not each call's JSON record), numbers and extensions kept
//! once each. A month of a busy centre is 600,000 of these.

use crate::pbx::call::Call;
use crate::pbx::protocol::Direction;
use rustc_hash::FxHashMap;
use time::OffsetDateTime;

/// A number, line or extension, kept once in [`Facts`].
pub type Name = u32;

/// One call's facts: times in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallFacts {
    /// When its first event arrived.
    pub first_seen: i64,
    /// When its latest event arrived.
    pub last_seen: i64,
    /// When it was answered, if it was and the time is known.
    pub answered_at: Option<i64>,
    /// Talk time in seconds, from `COMPLETED`.
    pub duration: Option<u64>,
    /// Dialled by an agent.
    pub outgoing: bool,
    /// Incoming, ended, and nobody answered ([`Call::is_missed`]).
    pub missed: bool,
    /// The PBX ended it with `Success`.
    pub success: bool,
    /// The app's own test call.
    pub test: bool,
    /// The caller's (or called) number, normalised.
    pub phone: Option<Name>,
    /// The line dialled (incoming).
    pub line: Option<Name>,
    /// The extension that dialled (outgoing) or was named.
    pub ext: Option<Name>,
    /// The extension that answered.
    pub answered_by: Option<Name>,
}

/// One call as a store row gives it.
#[derive(Debug, Clone, Copy)]
pub struct CallRow<'a> {
    /// `in` or `out`.
    pub direction: Option<&'a str>,
    /// The normalised number.
    pub phone: Option<&'a str>,
    /// The line dialled.
    pub line: Option<&'a str>,
    /// The agent's extension.
    pub ext: Option<&'a str>,
    /// Who answered.
    pub answered_by: Option<&'a str>,
    /// The PBX's status.
    pub status: &'a str,
    /// Whether `COMPLETED` was seen.
    pub completed: bool,
    /// Unix milliseconds of the first event.
    pub first_seen: i64,
    /// Unix milliseconds of the latest event.
    pub last_seen: i64,
    /// Unix milliseconds of the answer.
    pub answered_at: Option<i64>,
    /// Talk time in seconds.
    pub duration: Option<i64>,
    /// The app's test call.
    pub test: bool,
}

/// The calls of a period, oldest first, with the names they use.
#[derive(Debug, Default)]
pub struct Facts {
    calls: Vec<CallFacts>,
    names: Vec<String>,
    /// Hashed with FxHash (a hash per name a row holds: SipHash was a fifth of a month's read).
    ids: FxHashMap<String, Name>,
}

/// Unix milliseconds of `at` (as every store keeps times).
pub fn unix_ms(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The time of Unix milliseconds `ms` a call's facts hold (read from a
/// store that checked them).
pub(super) fn time_of(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .expect("a stored call's time")
}

impl Facts {
    /// The facts of calls already read whole (the app's and the wallboard's day).
    pub fn of_calls(calls: &[Call]) -> Facts {
        let mut facts = Facts::default();
        for call in calls {
            facts.push(CallRow {
                direction: call.direction.map(Direction::as_str),
                phone: call.phone_normalized.as_deref(),
                line: call.line_number.as_deref(),
                ext: call.ext.as_deref(),
                answered_by: call.answered_by.as_deref(),
                status: &call.status,
                completed: call.completed,
                first_seen: unix_ms(call.first_seen),
                last_seen: unix_ms(call.last_seen),
                answered_at: call.answered_at.map(unix_ms),
                duration: call.duration.map(|d| d as i64),
                test: call.test,
            });
        }
        facts
    }

    /// Adds a call (kept in first-seen order whatever order they come in).
    pub fn push(&mut self, row: CallRow<'_>) {
        let outgoing = row.direction == Some(Direction::Out.as_str());
        let mut name = |text: Option<&str>| text.filter(|t| !t.is_empty()).map(|t| self.intern(t));
        let facts = CallFacts {
            first_seen: row.first_seen,
            last_seen: row.last_seen,
            answered_at: row.answered_at,
            duration: row.duration.and_then(|d| u64::try_from(d).ok()),
            outgoing,
            // As `Call::is_missed`.
            missed: !row.test
                && !outgoing
                && row.completed
                && row.answered_by.is_none()
                && !is_success(row.status),
            success: is_success(row.status),
            test: row.test,
            phone: name(row.phone),
            line: name(row.line),
            ext: name(row.ext),
            answered_by: name(row.answered_by),
        };
        if self
            .calls
            .last()
            .is_some_and(|last| last.first_seen > facts.first_seen)
        {
            let at = self
                .calls
                .partition_point(|c| c.first_seen <= facts.first_seen);
            self.calls.insert(at, facts);
        } else {
            self.calls.push(facts);
        }
    }

    /// The calls, oldest first.
    pub fn calls(&self) -> &[CallFacts] {
        &self.calls
    }

    /// The text of `name`.
    pub fn name(&self, name: Name) -> &str {
        &self.names[name as usize]
    }

    /// How many names there are (each below this).
    pub fn names(&self) -> usize {
        self.names.len()
    }

    /// The name of `text`, if a call uses it.
    pub fn id(&self, text: &str) -> Option<Name> {
        self.ids.get(text).copied()
    }

    fn intern(&mut self, text: &str) -> Name {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = self.names.len() as Name;
        self.names.push(text.to_owned());
        self.ids.insert(text.to_owned(), id);
        id
    }
}

/// Whether the PBX's status is `Success` (as `CallStatus::parse`, without allocating).
fn is_success(status: &str) -> bool {
    status.trim().eq_ignore_ascii_case("success")
}
