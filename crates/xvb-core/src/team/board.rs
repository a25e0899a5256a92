//! The board: each extension ringing, talking, unknown (talking past
//! [`TALKING_HORIZON`](super::TALKING_HORIZON) with no `COMPLETED`), free or
//! offline (free, its app not connected), from the recent calls.

use super::TALKING_HORIZON;
use crate::pbx::call::Call;
use crate::pbx::protocol::Direction;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// What an extension is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MemberState {
    /// A call is ringing for it.
    Ringing,
    /// On a call (answered, or dialling out).
    Talking,
    /// "Talking" for longer than anyone talks: the call's end was never heard.
    Unknown,
    /// Free, its app connected to the relay.
    Free,
    /// Free, its app not connected.
    Offline,
}

impl MemberState {
    /// The word the CLI prints.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberState::Ringing => "ringing",
            MemberState::Talking => "talking",
            MemberState::Unknown => "unknown",
            MemberState::Free => "free",
            MemberState::Offline => "offline",
        }
    }
}

/// One extension's row on the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Member {
    /// The extension.
    pub ext: String,
    /// The name the relay's admin gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What it is doing.
    pub state: MemberState,
    /// Whether its agent's app is connected to the relay now.
    pub connected: bool,
    /// The other party's number (ringing, talking, unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The other party's name in the book.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The call (ringing, talking, unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callid: Option<String>,
    /// The call's direction (ringing, talking, unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Ringing or talking since; free or offline: when its last call ended (if within the window).
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub since: Option<OffsetDateTime>,
    /// Its status (a break, after-call work), if it set one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<super::AgentStatus>,
    /// The call-centre groups it is in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

impl Member {
    fn idle(ext: &str, connected: bool) -> Member {
        Member {
            ext: ext.to_owned(),
            name: None,
            state: if connected {
                MemberState::Free
            } else {
                MemberState::Offline
            },
            connected,
            phone: None,
            contact: None,
            callid: None,
            direction: None,
            since: None,
            status: None,
            groups: Vec::new(),
        }
    }

    fn busy(&self) -> bool {
        matches!(self.state, MemberState::Talking | MemberState::Unknown)
    }

    fn on(&mut self, call: &Call, state: MemberState, since: OffsetDateTime) {
        self.state = state;
        self.phone = call.phone.clone();
        self.contact = call.contact_name.clone();
        self.callid = Some(call.callid.clone());
        self.direction = call.direction;
        self.since = Some(since);
    }
}

/// Extensions in the order people count them: `99` before `100`.
fn ext_order(a: &str, b: &str) -> std::cmp::Ordering {
    (a.len(), a).cmp(&(b.len(), b))
}

/// The board for `roster` (each agent's extension, connected or not) and every
/// extension the calls name, in extension order.
///
/// A ringing call goes to the extension it names, else to the caller's
/// `responsible` extension, else to every extension not on a call that
/// `rings_at` says its phone rings at (the PBX rings the line's group); a
/// newer call an extension is on wins over an older one.
pub fn members(
    calls: &[Call],
    roster: &[(String, bool)],
    responsible: &dyn Fn(&str) -> Option<String>,
    rings_at: &dyn Fn(&Call, &str) -> bool,
    now: OffsetDateTime,
) -> Vec<Member> {
    let mut rows: BTreeMap<String, Member> = roster
        .iter()
        .map(|(ext, connected)| (ext.clone(), Member::idle(ext, *connected)))
        .collect();
    let mut calls: Vec<&Call> = calls.iter().collect();
    calls.sort_by_key(|c| c.first_seen);
    let mut ringing = Vec::new();
    for call in calls {
        let Some(ext) = call.ext.as_deref() else {
            ringing.push(call);
            continue;
        };
        let row = rows
            .entry(ext.to_owned())
            .or_insert_with(|| Member::idle(ext, false));
        if call.completed {
            // A later call that ended shows an "unknown" one is long over.
            let over = row.state == MemberState::Unknown && row.since < Some(call.first_seen);
            if over {
                *row = Member::idle(ext, row.connected);
            }
            if !row.busy() {
                row.since = row.since.max(Some(call.last_seen));
            }
            continue;
        }
        let on_call = call.answered_by.is_some()
            || (call.direction == Some(Direction::Out) && call.status != "Cancelled");
        if on_call {
            let since = call.answered_at.unwrap_or(call.first_seen);
            let state = if now - since > TALKING_HORIZON {
                MemberState::Unknown
            } else {
                MemberState::Talking
            };
            row.on(call, state, since);
        } else {
            ringing.push(call);
        }
    }
    for call in ringing {
        if !call.ringing_at(now, TALKING_HORIZON) {
            continue;
        }
        let named = call
            .ext
            .clone()
            .or_else(|| call.phone_normalized.as_deref().and_then(responsible));
        for row in rows.values_mut() {
            let rings_here = match named.as_deref() {
                Some(ext) => ext == row.ext,
                None => rings_at(call, &row.ext),
            };
            if rings_here && !row.busy() && row.state != MemberState::Ringing {
                row.on(call, MemberState::Ringing, call.first_seen);
            }
        }
        if let Some(ext) = named.filter(|ext| !rows.contains_key(ext)) {
            let mut row = Member::idle(&ext, false);
            row.on(call, MemberState::Ringing, call.first_seen);
            rows.insert(ext, row);
        }
    }
    let mut members: Vec<Member> = rows.into_values().collect();
    members.sort_by(|a, b| ext_order(&a.ext, &b.ext));
    members
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::team::test_calls::t0;
    use time::Duration;

    /// A call from `bodies`, each arriving a second after the one before, from `start`.
    fn call(callid: &str, start: Duration, bodies: &[&str]) -> Call {
        crate::team::test_calls::call(callid, None, t0() + start, bodies)
    }

    const RING: &str = "type=in&event=INCOMING&ext=&phone=79201119613";
    const ANSWER_102: &str = "type=in&event=ANSWERED&ext=102&phone=79201119613";
    const DONE_102: &str = "event=COMPLETED&status=Success&duration=60&ext=102&phone=79201119613";

    fn roster() -> Vec<(String, bool)> {
        vec![
            ("101".into(), true),
            ("102".into(), true),
            ("103".into(), false),
        ]
    }

    fn states(members: &[Member]) -> Vec<(&str, &str)> {
        members
            .iter()
            .map(|m| (m.ext.as_str(), m.state.as_str()))
            .collect()
    }

    fn board(calls: &[Call], after: Duration) -> Vec<Member> {
        members(calls, &roster(), &|_| None, &|_, _| true, t0() + after)
    }

    #[test]
    fn ring_then_answer_by_102_then_complete() {
        let ringing = [call("C", Duration::ZERO, &[RING])];
        assert_eq!(
            states(&board(&ringing, Duration::seconds(5))),
            [("101", "ringing"), ("102", "ringing"), ("103", "ringing")],
            "a group call rings every extension"
        );
        let answered = [call("C", Duration::ZERO, &[RING, ANSWER_102])];
        let now = board(&answered, Duration::seconds(5));
        assert_eq!(
            states(&now),
            [("101", "free"), ("102", "talking"), ("103", "offline")]
        );
        assert_eq!(
            now[1].since,
            Some(t0() + Duration::seconds(1)),
            "since ANSWERED"
        );
        assert_eq!(now[1].phone.as_deref(), Some("79201119613"));
        let done = [call("C", Duration::ZERO, &[RING, ANSWER_102, DONE_102])];
        let now = board(&done, Duration::seconds(90));
        assert_eq!(
            states(&now),
            [("101", "free"), ("102", "free"), ("103", "offline")]
        );
        assert_eq!(
            now[1].since,
            Some(t0() + Duration::seconds(2)),
            "last call ended"
        );
    }

    #[test]
    fn a_responsible_caller_rings_only_their_extension() {
        let ringing = [call("C", Duration::ZERO, &[RING])];
        let now = members(
            &ringing,
            &roster(),
            &|_| Some("103".into()),
            &|_, _| true,
            t0(),
        );
        assert_eq!(
            states(&now),
            [("101", "free"), ("102", "free"), ("103", "ringing")]
        );
    }

    #[test]
    fn a_call_talking_past_four_hours_is_unknown_and_a_stale_ring_is_dropped() {
        let calls = [
            call("A", Duration::ZERO, &[RING, ANSWER_102]),
            call("B", Duration::ZERO, &[RING]),
        ];
        let now = board(&calls, TALKING_HORIZON + Duration::minutes(1));
        assert_eq!(
            states(&now),
            [("101", "free"), ("102", "unknown"), ("103", "offline")]
        );
    }

    #[test]
    fn an_outgoing_call_is_talking_and_unknown_extensions_get_rows() {
        let calls = [call(
            "O",
            Duration::ZERO,
            &["type=out&event=OUTGOING&ext=105&phone=74951234567"],
        )];
        let now = board(&calls, Duration::seconds(3));
        assert_eq!(now.len(), 4);
        assert_eq!(
            (now[3].ext.as_str(), now[3].state, now[3].connected),
            ("105", MemberState::Talking, false)
        );
    }

    #[test]
    fn extensions_sort_as_numbers() {
        let roster = vec![("100".into(), true), ("99".into(), true)];
        let now = members(&[], &roster, &|_| None, &|_, _| true, t0());
        assert_eq!(states(&now), [("99", "free"), ("100", "free")]);
    }
}
