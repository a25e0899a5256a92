//! Merging a call's events into one call record.
//!
//! A call's record is a pure function of the *set* of its distinct events:
//! events are folded in a canonical order (call stage, then field text), so
//! duplicates, replays and any arrival order give the same record. Only
//! `events` (names in arrival order) and the seen times reflect arrival.

use crate::pbx::phone;
use crate::pbx::protocol::{CallEvent, CallStatus, Direction, EventKind, Fields};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One distinct event of a call as it was received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedEvent {
    /// Every field of the request.
    pub fields: Fields,
    /// When it first arrived.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
}

impl LoggedEvent {
    fn sorted_fields(&self) -> Vec<(&str, &str)> {
        let mut pairs: Vec<_> = self
            .fields
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        pairs.sort_unstable();
        pairs
    }

    /// Whether `other` carries the same fields (in any order): a duplicate.
    pub fn same_fields(&self, other: &Fields) -> bool {
        let mut theirs: Vec<_> = other
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        theirs.sort_unstable();
        self.sorted_fields() == theirs
    }

    /// The event as read from its fields in canonical (sorted) order, so a
    /// duplicate that arrives with its fields in another order reads the same
    /// — even a name repeated with different values, which the listener now
    /// refuses but older journals may hold (found by `make fuzz`).
    fn parsed(&self) -> Option<CallEvent> {
        let canonical = self
            .sorted_fields()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        CallEvent::parse(Fields(canonical)).ok()
    }
}

/// The distinct events of one call, in arrival order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallLog(pub Vec<LoggedEvent>);

impl CallLog {
    /// Adds an event unless an identical one is already there; true when added.
    pub fn add(&mut self, fields: Fields, received_at: OffsetDateTime) -> bool {
        if self.0.iter().any(|e| e.same_fields(&fields)) {
            return false;
        }
        self.0.push(LoggedEvent {
            fields,
            received_at,
        });
        true
    }
}

/// The call id prefix of the test call the app sends through its own webhook URL.
pub const TEST_CALLID_PREFIX: &str = "test-";
/// The number the test call comes from (no real caller has it).
pub const TEST_NUMBER: &str = "70000000000";

/// One call as agents see it: every event of a `callid` merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Call {
    /// The PBX's call id.
    pub callid: String,
    /// `in` or `out`, when known.
    pub direction: Option<Direction>,
    /// The client's number as the PBX sent it.
    pub phone: Option<String>,
    /// The client's number normalised (see [`crate::pbx::phone`]).
    pub phone_normalized: Option<String>,
    /// The contact book's name for the number when the call was first seen.
    pub contact_name: Option<String>,
    /// The number the client dialled (incoming).
    pub line_number: Option<String>,
    /// The agent's extension: who answered (incoming) or who dialled (outgoing).
    pub ext: Option<String>,
    /// The extension that answered, if any.
    pub answered_by: Option<String>,
    /// When the first `ANSWERED` arrived (records stored before this field have none).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub answered_at: Option<OffsetDateTime>,
    /// The PBX's final status (`Success`, `Missed`, …) or, while live,
    /// `Ringing` / `Answered` / `Cancelled`.
    pub status: String,
    /// Whether a `COMPLETED` event was seen.
    pub completed: bool,
    /// Talk time in seconds, from `COMPLETED`.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub duration: Option<u64>,
    /// Recording URL, from `COMPLETED`.
    pub record_link: Option<String>,
    /// Event names in arrival order (duplicates left out).
    pub events: Vec<String>,
    /// When the first event arrived.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub first_seen: OffsetDateTime,
    /// When the latest distinct event arrived.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub last_seen: OffsetDateTime,
    /// Agents' notes on the call, oldest first (attached when read from the store).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<crate::notes::Note>,
    /// Every tag of its notes, each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The app's own test call (Settings' *Send a test call*): never missed, never on the badge.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub test: bool,
}

impl Call {
    /// Merges a call's log into its record. `contact_name` is the book's name at first sight.
    ///
    /// Returns `None` for an empty log.
    pub fn merge(callid: &str, contact_name: Option<String>, log: &CallLog) -> Option<Call> {
        let first_seen = log.0.iter().map(|e| e.received_at).min()?;
        let last_seen = log.0.iter().map(|e| e.received_at).max()?;
        let mut canonical: Vec<(&LoggedEvent, CallEvent)> = log
            .0
            .iter()
            .filter_map(|logged| logged.parsed().map(|ev| (logged, ev)))
            .collect();
        canonical.sort_by(|(la, a), (lb, b)| {
            (a.kind.stage(), la.sorted_fields()).cmp(&(b.kind.stage(), lb.sorted_fields()))
        });
        let events: Vec<&CallEvent> = canonical.iter().map(|(_, ev)| ev).collect();
        let first =
            |pick: &dyn Fn(&CallEvent) -> Option<String>| events.iter().find_map(|e| pick(e));
        let of_kind = |kind: EventKind| events.iter().filter(move |e| e.kind == kind);

        let direction = first(&|e| e.direction.map(|d| d.as_str().to_owned()))
            .map(|d| {
                if d == "out" {
                    Direction::Out
                } else {
                    Direction::In
                }
            })
            .or_else(|| {
                events.iter().find_map(|e| match e.kind {
                    EventKind::Incoming => Some(Direction::In),
                    EventKind::Outgoing => Some(Direction::Out),
                    _ => None,
                })
            });
        let phone = first(&|e| e.phone.clone());
        let completed = of_kind(EventKind::Completed).next();
        let final_status = completed.and_then(|c| c.status.clone());
        let answered_by = of_kind(EventKind::Answered)
            .find_map(|e| e.ext.clone())
            .or_else(|| {
                completed
                    .filter(|c| c.status == Some(CallStatus::Success))
                    .and_then(|c| c.ext.clone())
            });
        let answered_at = canonical
            .iter()
            .filter(|(_, e)| e.kind == EventKind::Answered)
            .map(|(logged, _)| logged.received_at)
            .min();
        let status = match (&final_status, completed.is_some()) {
            (Some(status), _) => status.to_string(),
            (None, true) => "Completed".to_owned(),
            (None, false) if of_kind(EventKind::Cancelled).next().is_some() => {
                "Cancelled".to_owned()
            }
            (None, false) if answered_by.is_some() => "Answered".to_owned(),
            (None, false) => "Ringing".to_owned(),
        };
        let test = callid.starts_with(TEST_CALLID_PREFIX) && phone.as_deref() == Some(TEST_NUMBER);
        Some(Call {
            callid: callid.to_owned(),
            direction,
            phone_normalized: phone.as_deref().map(phone::normalize),
            phone,
            contact_name,
            line_number: first(&|e| e.line_number.clone()),
            ext: answered_by.clone().or_else(|| first(&|e| e.ext.clone())),
            answered_by,
            answered_at,
            status,
            completed: completed.is_some(),
            duration: completed.and_then(|c| c.duration),
            record_link: first(&|e| e.record_link.clone()),
            events: log
                .0
                .iter()
                .filter_map(|e| e.parsed().map(|ev| ev.kind.to_string()))
                .collect(),
            first_seen,
            last_seen,
            notes: Vec::new(),
            tags: Vec::new(),
            test,
        })
    }

    /// Whether the call is ringing at `now`: incoming, not answered, cancelled
    /// or ended, and begun within `horizon` (a call whose end never came).
    pub fn ringing_at(&self, now: OffsetDateTime, horizon: time::Duration) -> bool {
        !self.completed
            && self.status == "Ringing"
            && self.direction != Some(Direction::Out)
            && now - self.first_seen <= horizon
    }

    /// An incoming call that ended with nobody on our side answering.
    pub fn is_missed(&self) -> bool {
        !self.test
            && self.direction != Some(Direction::Out)
            && self.completed
            && self.answered_by.is_none()
            && CallStatus::parse(&self.status) != CallStatus::Success
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(second: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_790_000_000 + second).unwrap()
    }

    fn form(body: &str) -> Fields {
        Fields::from_form(body.as_bytes()).unwrap()
    }

    const INCOMING: &str = "access_code=10019&cmd=event&callid=C1&type=in&event=INCOMING&ext=&phone=79201119613&line_number=74950000000";
    const ANSWERED: &str =
        "access_code=10019&cmd=event&callid=C1&type=in&event=ANSWERED&ext=101&phone=79201119613";
    const COMPLETED: &str = "cmd=event&status=Success&duration=16&event=COMPLETED&phone=79201119613&access_code=10019&record_link=https%3A%2F%2Fpbx%2Fr.g722&callid=C1&ext=101";
    const NOTE: &str = "access_code=10019&cmd=event&callid=C1&event=RECORDING_READY&color=blue";

    fn merged(bodies: &[&str]) -> Call {
        let mut log = CallLog::default();
        for (i, body) in bodies.iter().enumerate() {
            log.add(form(body), at(i as i64));
        }
        Call::merge("C1", Some("Вася".into()), &log).unwrap()
    }

    #[test]
    fn a_repeated_field_in_another_order_reads_the_same() {
        // From the fuzzer: the same fields, `event` given twice with different
        // values, in two orders: whichever arrives first, the record is the same.
        let a = Fields(vec![
            ("callid".into(), "C1".into()),
            ("event".into(), "ANSWERED".into()),
            ("event".into(), "Parked".into()),
            ("ext".into(), "101".into()),
        ]);
        let mut b = a.clone();
        b.0.swap(1, 2);
        let record = |first: &Fields, second: &Fields| {
            let mut log = CallLog::default();
            log.add(first.clone(), at(0));
            log.add(second.clone(), at(0));
            Call::merge("C1", None, &log).unwrap()
        };
        assert_eq!(record(&a, &b), record(&b, &a));
    }

    #[test]
    fn a_whole_call_merges_into_one_record() {
        let call = merged(&[INCOMING, ANSWERED, COMPLETED]);
        assert_eq!(call.direction, Some(Direction::In));
        assert_eq!(call.answered_by.as_deref(), Some("101"));
        assert_eq!(call.answered_at, Some(at(1)), "when ANSWERED arrived");
        assert_eq!(call.status, "Success");
        assert_eq!(call.duration, Some(16));
        assert_eq!(call.line_number.as_deref(), Some("74950000000"));
        assert_eq!(call.record_link.as_deref(), Some("https://pbx/r.g722"));
        assert_eq!(call.events, ["INCOMING", "ANSWERED", "COMPLETED"]);
        assert!(!call.is_missed());
    }

    #[test]
    fn live_states_before_completion() {
        assert_eq!(merged(&[INCOMING]).status, "Ringing");
        assert_eq!(merged(&[INCOMING, ANSWERED]).status, "Answered");
    }

    #[test]
    fn missed_call_has_no_answerer() {
        let call = merged(&[
            INCOMING,
            "cmd=event&callid=C1&event=COMPLETED&status=missed&duration=0&phone=79201119613",
        ]);
        assert_eq!(call.status, "Missed", "status spelled canonically");
        assert!(call.is_missed());
    }

    #[test]
    fn duplicates_are_not_added_twice() {
        let mut log = CallLog::default();
        assert!(log.add(form(ANSWERED), at(0)));
        assert!(!log.add(form(ANSWERED), at(5)));
        let reordered = "event=ANSWERED&ext=101&access_code=10019&cmd=event&callid=C1&type=in&phone=79201119613";
        assert!(
            !log.add(form(reordered), at(6)),
            "field order does not matter"
        );
    }

    fn canonical_view(call: &Call) -> Call {
        let mut call = call.clone();
        call.events.sort();
        call.first_seen = at(0);
        call.last_seen = at(0);
        call.answered_at = None;
        call
    }

    proptest! {
        #[test]
        fn merge_ignores_order_and_duplicates(
            order in Just(vec![INCOMING, ANSWERED, COMPLETED, NOTE]).prop_shuffle(),
            dups in proptest::collection::vec(0usize..4, 0..6),
        ) {
            let mut bodies = order.clone();
            for d in dups {
                bodies.push(order[d]);
            }
            let got = merged(&bodies);
            let reference = merged(&[INCOMING, ANSWERED, COMPLETED, NOTE]);
            prop_assert_eq!(got.events.len(), 4);
            prop_assert_eq!(canonical_view(&got), canonical_view(&reference));
            let names: Vec<String> = order.iter().map(|b| {
                crate::pbx::protocol::CallEvent::parse(form(b)).unwrap().kind.to_string()
            }).collect();
            prop_assert_eq!(&got.events, &names, "events keep arrival order");
        }

        #[test]
        fn conflicting_completions_resolve_the_same_way(swap in any::<bool>()) {
            let a = "cmd=event&callid=C1&event=COMPLETED&status=Success&duration=16&ext=101";
            let b = "cmd=event&callid=C1&event=COMPLETED&status=Success&duration=17&ext=101";
            let (x, y) = if swap { (a, b) } else { (b, a) };
            prop_assert_eq!(merged(&[x, y]).duration, Some(16));
        }
    }
}
