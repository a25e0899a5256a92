//! The team's missed-call queue: every incoming call nobody answered, merged
//! by the caller's number (a count of misses), claimed by the agent who calls
//! back, and cleared by the first answered call with that number — an agent
//! calling back, or the client calling in again.

use crate::pbx::call::Call;
use crate::pbx::protocol::{CallStatus, Direction};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::OffsetDateTime;

/// An agent's "I'll call back" on a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The number, normalised.
    pub phone_normalized: String,
    /// Who claimed it.
    pub ext: String,
    /// When (a claim older than the entry's first miss belongs to an earlier entry).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// How a missed caller was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Reached {
    /// An agent called them and they answered.
    CalledBack,
    /// They called again and an agent answered.
    CalledIn,
}

/// Who cleared an entry, how and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Cleared {
    /// The extension that talked to the caller, if the PBX said.
    pub by: Option<String>,
    /// How.
    pub how: Reached,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: OffsetDateTime,
}

/// One caller in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MissedEntry {
    /// The number as the PBX last sent it (what to dial).
    pub phone: String,
    /// The number, normalised (what claims name).
    pub phone_normalized: String,
    /// The caller's name in the book.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The line they called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_number: Option<String>,
    /// The latest missed call.
    pub callid: String,
    /// How many calls were missed.
    pub count: u32,
    /// The first miss (the entry's age).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub first_missed: OffsetDateTime,
    /// The latest miss.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub last_missed: OffsetDateTime,
    /// Who is calling back, if anyone claimed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_by: Option<String>,
    /// Cleared: the caller was reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleared: Option<Cleared>,
    /// The call-centre groups its line goes to (none: every agent's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// What happened with a number, in time order.
enum Moment<'a> {
    Miss(&'a Call),
    Reach(Cleared),
}

fn moment(call: &Call) -> Option<(OffsetDateTime, Moment<'_>)> {
    if call.is_missed() {
        return Some((call.first_seen, Moment::Miss(call)));
    }
    let answered_at = call.answered_at.unwrap_or(call.last_seen);
    let reached = |how, by: Option<&String>| {
        Some((
            answered_at,
            Moment::Reach(Cleared {
                by: by.cloned(),
                how,
                at: answered_at,
            }),
        ))
    };
    let success = CallStatus::parse(&call.status) == CallStatus::Success;
    match call.direction {
        Some(Direction::Out) if call.answered_by.is_some() || success => {
            reached(Reached::CalledBack, call.ext.as_ref())
        }
        _ if call.direction != Some(Direction::Out) && call.answered_by.is_some() => {
            reached(Reached::CalledIn, call.answered_by.as_ref())
        }
        _ => None,
    }
}

/// The queue from `calls` (any order) and the agents' `claims`: open entries
/// oldest first, then cleared ones newest first.
pub fn missed_queue<'a>(
    calls: impl IntoIterator<Item = &'a Call>,
    claims: &[Claim],
) -> Vec<MissedEntry> {
    let mut moments: Vec<(OffsetDateTime, &str, Moment)> = calls
        .into_iter()
        .filter_map(|call| {
            let phone = call.phone_normalized.as_deref().filter(|p| !p.is_empty())?;
            moment(call).map(|(at, m)| (at, phone, m))
        })
        .collect();
    moments.sort_by_key(|(at, phone, _)| (*at, *phone));
    let mut open: HashMap<&str, MissedEntry> = HashMap::new();
    let mut cleared = Vec::new();
    for (at, phone, moment) in moments {
        match moment {
            Moment::Miss(call) => match open.get_mut(phone) {
                Some(entry) => {
                    entry.count += 1;
                    entry.last_missed = at;
                    entry.callid = call.callid.clone();
                    if let Some(raw) = &call.phone {
                        entry.phone = raw.clone();
                    }
                    entry.contact = call.contact_name.clone().or(entry.contact.take());
                    entry.line_number = call.line_number.clone().or(entry.line_number.take());
                }
                None => {
                    open.insert(
                        phone,
                        MissedEntry {
                            phone: call.phone.clone().unwrap_or_else(|| phone.to_owned()),
                            phone_normalized: phone.to_owned(),
                            contact: call.contact_name.clone(),
                            line_number: call.line_number.clone(),
                            callid: call.callid.clone(),
                            count: 1,
                            first_missed: at,
                            last_missed: at,
                            claimed_by: None,
                            cleared: None,
                            groups: Vec::new(),
                        },
                    );
                }
            },
            Moment::Reach(reach) => {
                if let Some(mut entry) = open.remove(phone) {
                    entry.cleared = Some(reach);
                    cleared.push(entry);
                }
            }
        }
    }
    let mut queue: Vec<MissedEntry> = open.into_values().collect();
    for entry in &mut queue {
        entry.claimed_by = claims
            .iter()
            .filter(|c| c.phone_normalized == entry.phone_normalized)
            .filter(|c| c.at >= entry.first_missed)
            .max_by_key(|c| c.at)
            .map(|c| c.ext.clone());
    }
    queue.sort_by_key(|e| (e.first_missed, e.phone_normalized.clone()));
    cleared.sort_by_key(|e| std::cmp::Reverse(e.cleared.as_ref().map(|c| c.at)));
    queue.extend(cleared);
    queue
}

/// Why a claim or release was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimRefused {
    /// No open entry for the number.
    #[error("no missed call from {0} is waiting (already reached, or never missed); see `xvb missed list`")]
    NotWaiting(String),
    /// Someone else is calling back.
    #[error("{by} is already calling back {phone}; ask them, or wait until they release it")]
    Taken {
        /// The number.
        phone: String,
        /// Who claimed it.
        by: String,
    },
    /// A release of a number this agent has not claimed.
    #[error("you have not claimed {0}; only the agent calling back can release it")]
    NotYours(String),
}

/// Whether `ext` may claim (`claim`) or release the entry for `phone_normalized`.
/// Claiming an entry one already holds is allowed (a retry).
pub fn check_claim(
    queue: &[MissedEntry],
    phone_normalized: &str,
    ext: &str,
    claim: bool,
) -> Result<(), ClaimRefused> {
    let entry = queue
        .iter()
        .find(|e| e.cleared.is_none() && e.phone_normalized == phone_normalized)
        .ok_or_else(|| ClaimRefused::NotWaiting(phone_normalized.to_owned()))?;
    match (&entry.claimed_by, claim) {
        (Some(by), true) if by != ext => Err(ClaimRefused::Taken {
            phone: entry.phone.clone(),
            by: by.clone(),
        }),
        (Some(by), false) if by == ext => Ok(()),
        (_, false) => Err(ClaimRefused::NotYours(entry.phone.clone())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::team::test_calls::t0;
    use time::Duration;

    fn call(callid: &str, minute: i64, bodies: &[&str]) -> Call {
        crate::team::test_calls::call(
            callid,
            Some("Вася"),
            t0() + Duration::minutes(minute),
            bodies,
        )
    }

    fn missed(callid: &str, minute: i64, phone: &str) -> Call {
        call(
            callid,
            minute,
            &[
                &format!("type=in&event=INCOMING&ext=&phone={phone}&line_number=74950000000"),
                &format!("event=COMPLETED&status=Missed&duration=0&phone={phone}"),
            ],
        )
    }

    const VASYA: &str = "79201119613";

    #[test]
    fn repeated_misses_merge_and_oldest_comes_first() {
        let calls = [
            missed("A", 0, VASYA),
            missed("B", 5, "74951234567"),
            missed("C", 10, "89201119613"),
        ];
        let queue = missed_queue(&calls, &[]);
        assert_eq!(queue.len(), 2);
        assert_eq!(
            (queue[0].phone_normalized.as_str(), queue[0].count),
            (VASYA, 2)
        );
        assert_eq!(queue[0].first_missed, t0());
        assert_eq!(queue[0].callid, "C");
        assert_eq!(queue[0].phone, "89201119613", "the latest spelling");
        assert_eq!(queue[1].count, 1);
    }

    #[test]
    fn an_answered_call_back_clears_and_says_who() {
        let back = call(
            "O",
            3,
            &[
                "type=out&event=OUTGOING&ext=103&phone=89201119613",
                "type=out&event=COMPLETED&status=Success&duration=30&ext=103&phone=89201119613",
            ],
        );
        let queue = missed_queue(&[missed("A", 0, VASYA), back], &[]);
        let cleared = queue[0].cleared.as_ref().expect("cleared");
        assert_eq!(
            (cleared.by.as_deref(), cleared.how),
            (Some("103"), Reached::CalledBack)
        );
    }

    #[test]
    fn an_unanswered_call_back_does_not_clear_but_an_answered_call_in_does() {
        let no_answer = call(
            "O",
            3,
            &[
                "type=out&event=OUTGOING&ext=103&phone=79201119613",
                "type=out&event=COMPLETED&status=NotAvailable&duration=0&ext=103&phone=79201119613",
            ],
        );
        let queue = missed_queue(&[missed("A", 0, VASYA), no_answer.clone()], &[]);
        assert!(queue[0].cleared.is_none());
        let called_in = call(
            "I",
            7,
            &[
                "type=in&event=INCOMING&ext=&phone=79201119613",
                "type=in&event=ANSWERED&ext=101&phone=79201119613",
            ],
        );
        let queue = missed_queue(&[missed("A", 0, VASYA), no_answer, called_in], &[]);
        let cleared = queue[0].cleared.as_ref().expect("cleared");
        assert_eq!(
            (cleared.by.as_deref(), cleared.how),
            (Some("101"), Reached::CalledIn)
        );
    }

    #[test]
    fn a_miss_after_clearing_opens_a_new_entry_without_the_old_claim() {
        let answered = call(
            "I",
            5,
            &[
                "type=in&event=INCOMING&ext=&phone=79201119613",
                "type=in&event=ANSWERED&ext=101&phone=79201119613",
            ],
        );
        let claim = Claim {
            phone_normalized: VASYA.into(),
            ext: "102".into(),
            at: t0() + Duration::minutes(1),
        };
        let calls = [missed("A", 0, VASYA), answered, missed("B", 9, VASYA)];
        let queue = missed_queue(&calls, std::slice::from_ref(&claim));
        assert_eq!(queue.len(), 2);
        assert_eq!((queue[0].count, queue[0].claimed_by.as_deref()), (1, None));
        assert!(queue[1].cleared.is_some());
        let fresh = Claim {
            at: t0() + Duration::minutes(10),
            ..claim
        };
        let queue = missed_queue(&calls, &[fresh]);
        assert_eq!(queue[0].claimed_by.as_deref(), Some("102"));
    }

    #[test]
    fn claims_are_checked() {
        let claim = Claim {
            phone_normalized: VASYA.into(),
            ext: "102".into(),
            at: t0() + Duration::minutes(1),
        };
        let queue = missed_queue(&[missed("A", 0, VASYA)], &[claim]);
        assert_eq!(check_claim(&queue, VASYA, "102", true), Ok(()));
        assert!(matches!(
            check_claim(&queue, VASYA, "101", true),
            Err(ClaimRefused::Taken { by, .. }) if by == "102"
        ));
        assert!(matches!(
            check_claim(&queue, VASYA, "101", false),
            Err(ClaimRefused::NotYours(_))
        ));
        assert_eq!(check_claim(&queue, VASYA, "102", false), Ok(()));
        assert!(matches!(
            check_claim(&queue, "70000000000", "102", true),
            Err(ClaimRefused::NotWaiting(_))
        ));
    }
}
