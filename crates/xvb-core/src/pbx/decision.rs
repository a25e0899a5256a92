//! What to show the agent when a call event arrives: pure decisions, no D-Bus.
//!
//! | event (new, not a duplicate)         | call is mine¹ | who answered | decision              |
//! |--------------------------------------|---------------|--------------|-----------------------|
//! | any, do-not-disturb on               | –             | –            | Nothing               |
//! | any, outgoing call                   | –             | –            | Nothing               |
//! | any, call already completed earlier  | –             | –            | Nothing               |
//! | INCOMING                             | yes           | –            | Ring                  |
//! | INCOMING                             | no            | –            | Nothing               |
//! | ANSWERED / CANCELLED with ext        | –             | me           | AnsweredByMe          |
//! | ANSWERED / CANCELLED with ext        | yes           | colleague    | AnsweredByColleague   |
//! | ANSWERED / CANCELLED with ext        | no            | colleague    | Nothing               |
//! | INCOMING of the app's test call      | –             | –            | Ring                  |
//! | COMPLETED, nobody answered           | yes           | –            | Missed                |
//! | COMPLETED of the app's test call     | –             | –            | Nothing               |
//! | COMPLETED, answered, or not mine     | –             | –            | Nothing               |
//! | any other event                      | –             | –            | Nothing               |
//!
//! ¹ "mine": ring policy `all`, or policy `responsible` and the contact book
//! names my extension as the caller's responsible agent.

use crate::pbx::call::Call;
use crate::pbx::protocol::{Direction, EventKind};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which incoming calls ring for this agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum RingPolicy {
    /// Every incoming call.
    #[default]
    All,
    /// Only callers whose responsible extension is mine.
    Responsible,
}

impl FromStr for RingPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "all" => Ok(RingPolicy::All),
            "responsible" => Ok(RingPolicy::Responsible),
            other => Err(format!("expected `all` or `responsible`, got `{other}`")),
        }
    }
}

impl fmt::Display for RingPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RingPolicy::All => "all",
            RingPolicy::Responsible => "responsible",
        })
    }
}

/// The agent's side of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentContext {
    /// My extension, if configured.
    pub extension: Option<String>,
    /// Which calls ring for me.
    pub ring_policy: RingPolicy,
    /// Do-not-disturb: history is kept, nothing pops.
    pub do_not_disturb: bool,
}

/// What the agent should see for one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "ext", rename_all = "snake_case")]
pub enum Decision {
    /// Show a ringing pop for this call.
    Ring,
    /// I picked up: "In call with …".
    AnsweredByMe,
    /// A colleague picked up: withdraw my ring pop.
    AnsweredByColleague(String),
    /// Nobody answered: show a missed-call notice.
    Missed,
    /// Nothing to show.
    Nothing,
}

/// Decides what to show for a *new* event `kind` of `call` (already merged with it).
///
/// `responsible` is the caller's responsible extension from the contact book.
pub fn decide(
    agent: &AgentContext,
    call: &Call,
    kind: &EventKind,
    responsible: Option<&str>,
    was_completed: bool,
) -> Decision {
    if agent.do_not_disturb || call.direction == Some(Direction::Out) || was_completed {
        return Decision::Nothing;
    }
    let me = agent.extension.as_deref();
    let mine = match agent.ring_policy {
        RingPolicy::All => true,
        RingPolicy::Responsible => me.is_some() && responsible == me,
    };
    match kind {
        // The app's own test call rings whatever the policy: the agent sent it.
        EventKind::Incoming if mine || call.test => Decision::Ring,
        EventKind::Answered | EventKind::Cancelled => match call.answered_by.as_deref() {
            Some(ext) if Some(ext) == me => Decision::AnsweredByMe,
            Some(ext) if mine => Decision::AnsweredByColleague(ext.to_owned()),
            _ => Decision::Nothing,
        },
        EventKind::Completed if mine && call.is_missed() => Decision::Missed,
        _ => Decision::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pbx::call::CallLog;
    use crate::pbx::protocol::Fields;
    use time::OffsetDateTime;

    fn call_after(bodies: &[&str]) -> Call {
        let mut log = CallLog::default();
        for body in bodies {
            log.add(
                Fields::from_form(body.as_bytes()).unwrap(),
                OffsetDateTime::UNIX_EPOCH,
            );
        }
        Call::merge("C", None, &log).unwrap()
    }

    const IN: &str = "cmd=event&callid=C&type=in&event=INCOMING&ext=&phone=79201119613";
    const ANS_100: &str = "cmd=event&callid=C&type=in&event=ANSWERED&ext=100&phone=79201119613";
    const ANS_101: &str = "cmd=event&callid=C&type=in&event=ANSWERED&ext=101&phone=79201119613";
    const DONE_MISSED: &str = "cmd=event&callid=C&event=COMPLETED&status=Missed&duration=0";
    const DONE_OK: &str = "cmd=event&callid=C&event=COMPLETED&status=Success&duration=9&ext=101";
    const OUT: &str = "cmd=event&callid=C&type=out&ext=100&phone=79201119613";

    fn agent(policy: RingPolicy, dnd: bool) -> AgentContext {
        AgentContext {
            extension: Some("100".into()),
            ring_policy: policy,
            do_not_disturb: dnd,
        }
    }

    /// (policy, do-not-disturb, caller's responsible, events so far, new event, expected)
    type Row = (
        RingPolicy,
        bool,
        Option<&'static str>,
        Vec<&'static str>,
        EventKind,
        Decision,
    );

    #[rustfmt::skip]
    fn table() -> Vec<Row> {
        use Decision::*;
        use EventKind::{Answered, Completed, Incoming, Outgoing};
        use RingPolicy::{All, Responsible};
        let colleague = || AnsweredByColleague("101".into());
        vec![
            (All,         false, None,        vec![IN],                 Incoming,  Ring),
            (All,         true,  None,        vec![IN],                 Incoming,  Nothing),
            (Responsible, false, Some("100"), vec![IN],                 Incoming,  Ring),
            (Responsible, false, Some("101"), vec![IN],                 Incoming,  Nothing),
            (Responsible, false, None,        vec![IN],                 Incoming,  Nothing),
            (All,         false, None,        vec![IN, ANS_100],        Answered,  AnsweredByMe),
            (All,         false, None,        vec![IN, ANS_101],        Answered,  colleague()),
            (Responsible, false, Some("100"), vec![IN, ANS_101],        Answered,  colleague()),
            (Responsible, false, Some("102"), vec![IN, ANS_101],        Answered,  Nothing),
            (Responsible, false, Some("102"), vec![IN, ANS_100],        Answered,  AnsweredByMe),
            (All,         true,  None,        vec![IN, ANS_101],        Answered,  Nothing),
            (All,         false, None,        vec![IN, DONE_MISSED],    Completed, Missed),
            (All,         true,  None,        vec![IN, DONE_MISSED],    Completed, Nothing),
            (Responsible, false, Some("101"), vec![IN, DONE_MISSED],    Completed, Nothing),
            (All,         false, None,        vec![IN, ANS_101, DONE_OK], Completed, Nothing),
            (All,         false, None,        vec![IN, DONE_OK],        Completed, Nothing),
            (All,         false, None,        vec![OUT],                Outgoing,  Nothing),
            (All,         false, None,        vec![IN],                 EventKind::Other("PARKED".into()), Nothing),
        ]
    }

    #[test]
    fn decision_table() {
        for (i, (policy, dnd, responsible, events, kind, expected)) in
            table().into_iter().enumerate()
        {
            let call = call_after(&events);
            let got = decide(&agent(policy, dnd), &call, &kind, responsible, false);
            assert_eq!(
                got, expected,
                "row {i}: {policy} dnd={dnd} {events:?} {kind}"
            );
        }
    }

    #[test]
    fn the_test_call_rings_for_anyone_and_is_never_missed() {
        let events = |callid: &str| {
            [
                format!("cmd=event&callid={callid}&type=in&event=INCOMING&phone=70000000000"),
                format!("cmd=event&callid={callid}&event=COMPLETED&status=Missed&duration=0"),
            ]
        };
        let merged = |callid: &str, upto: usize| {
            let mut log = CallLog::default();
            for body in &events(callid)[..upto] {
                log.add(
                    Fields::from_form(body.as_bytes()).unwrap(),
                    OffsetDateTime::UNIX_EPOCH,
                );
            }
            Call::merge(callid, None, &log).unwrap()
        };
        let responsible_only = agent(RingPolicy::Responsible, false);
        let ringing = merged("test-1", 1);
        assert!(ringing.test);
        assert_eq!(
            decide(
                &responsible_only,
                &ringing,
                &EventKind::Incoming,
                None,
                false
            ),
            Decision::Ring
        );
        let done = merged("test-1", 2);
        assert!(!done.is_missed());
        assert_eq!(
            decide(
                &agent(RingPolicy::All, false),
                &done,
                &EventKind::Completed,
                None,
                false
            ),
            Decision::Nothing
        );
        // The same number under a PBX's own call id is an ordinary call.
        let real = merged("DVzqd2I5zmRev0", 2);
        assert!(!real.test && real.is_missed());
    }

    #[test]
    fn late_events_after_completion_show_nothing() {
        let call = call_after(&[IN, DONE_MISSED, ANS_101]);
        let got = decide(
            &agent(RingPolicy::All, false),
            &call,
            &EventKind::Answered,
            None,
            true,
        );
        assert_eq!(got, Decision::Nothing);
    }

    #[test]
    fn no_extension_means_colleagues_only() {
        let nobody = AgentContext {
            extension: None,
            ring_policy: RingPolicy::All,
            do_not_disturb: false,
        };
        let call = call_after(&[IN, ANS_100]);
        assert_eq!(
            decide(&nobody, &call, &EventKind::Answered, None, false),
            Decision::AnsweredByColleague("100".into())
        );
    }
}
