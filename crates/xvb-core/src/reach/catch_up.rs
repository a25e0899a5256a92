//! Coming back to the relay without a flood of stale pops.
//!
//! The events the relay already had when the agent connected (its sequence
//! numbers up to the hello's `head`) are calls that rang while the agent was
//! away. They update history silently; when the catch-up is over the agent is
//! told once ("20 calls while you were away, 7 missed"), the missed ones count
//! on the tray badge, and a call still ringing (no answer, not completed, first
//! seen under [`STILL_RINGING`] ago) rings after all. The desktop app and
//! `xvb serve --relay` follow the same rule, since both go through the link.

use crate::listener::Taken;
use crate::pbx::decision::Decision;
use crate::pbx::notifier::{AwaySummary, Notice};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use time::OffsetDateTime;

/// A call that started less than this long ago and still rings, rings.
pub const STILL_RINGING: Duration = Duration::from_secs(60);

/// The catch-up of one connection, event by event.
#[derive(Debug, Default)]
pub struct CatchUp {
    calls: HashSet<String>,
    missed: HashSet<String>,
    ringing: HashMap<String, Notice>,
}

impl CatchUp {
    /// Takes one caught-up event, as stored (and decided, not shown).
    pub fn add(&mut self, taken: Taken) {
        let callid = taken.call.callid.clone();
        if taken.call.completed || taken.call.answered_by.is_some() {
            self.ringing.remove(&callid);
        }
        match taken.notice {
            Some(notice) if notice.decision == Decision::Ring && !notice.call.completed => {
                self.ringing.insert(callid.clone(), notice);
            }
            Some(notice) if notice.decision == Decision::Missed => {
                self.missed.insert(callid.clone());
            }
            _ => {}
        }
        self.calls.insert(callid);
    }

    /// The end of the catch-up at `now`: the summary (none when nothing came,
    /// or for an agent that `was_new` and so was not away), and the rings of
    /// calls still ringing.
    pub fn finish(self, now: OffsetDateTime, was_new: bool) -> (Option<AwaySummary>, Vec<Notice>) {
        let summary = (!was_new && !self.calls.is_empty()).then_some(AwaySummary {
            calls: self.calls.len(),
            missed: self.missed.len(),
        });
        let rings = self
            .ringing
            .into_values()
            .filter(|ring| now - ring.call.first_seen < STILL_RINGING)
            .collect();
        (summary, rings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pbx::call::{Call, CallLog};
    use crate::pbx::protocol::Fields;
    use crate::pbx::sim::SimCall;

    /// `callid` from a client, ringing extension 100, merged with `events`
    /// received `ago`; decided as the agent would have been shown.
    fn taken(callid: &str, events: &[Fields], ago: Duration, decision: Decision) -> Taken {
        let mut log = CallLog::default();
        let at = OffsetDateTime::now_utc() - ago;
        for fields in events {
            log.add(fields.clone(), at);
        }
        let call = Call::merge(callid, None, &log).unwrap();
        let notice = (decision != Decision::Nothing).then(|| Notice {
            decision,
            call: call.clone(),
            responsible: None,
            crm_url: None,
            context: None,
        });
        Taken { call, notice }
    }

    #[test]
    fn calls_over_are_summed_up_and_only_a_young_ringing_call_rings() {
        let mut catch_up = CatchUp::default();
        let hour = Duration::from_secs(3600);
        // Missed an hour ago: its ring and its missed notice, neither shown.
        let old = SimCall::to_100("MISSED-OLD");
        catch_up.add(taken("MISSED-OLD", &[old.incoming()], hour, Decision::Ring));
        let missed = [old.incoming(), old.completed("Missed", 0, None)];
        catch_up.add(taken("MISSED-OLD", &missed, hour, Decision::Missed));
        // Answered by a colleague: not missed, not ringing.
        let answered = SimCall::to_100("ANSWERED");
        catch_up.add(taken(
            "ANSWERED",
            &[answered.incoming()],
            hour,
            Decision::Ring,
        ));
        let both = [answered.incoming(), answered.answered()];
        let colleague = Decision::AnsweredByColleague("101".into());
        catch_up.add(taken("ANSWERED", &both, hour, colleague));
        // Still ringing, but since an hour: the caller hung up long ago.
        let stale = SimCall::to_100("STALE");
        catch_up.add(taken("STALE", &[stale.incoming()], hour, Decision::Ring));
        // Still ringing, 10 s old: it rings.
        let young = SimCall::to_100("YOUNG");
        let ten = Duration::from_secs(10);
        catch_up.add(taken("YOUNG", &[young.incoming()], ten, Decision::Ring));

        let (summary, rings) = catch_up.finish(OffsetDateTime::now_utc(), false);
        assert_eq!(
            summary,
            Some(AwaySummary {
                calls: 4,
                missed: 1
            })
        );
        let ringing: Vec<&str> = rings.iter().map(|r| r.call.callid.as_str()).collect();
        assert_eq!(ringing, ["YOUNG"]);
    }

    #[test]
    fn a_new_agent_gets_no_summary_and_nothing_away_means_no_notice() {
        let mut catch_up = CatchUp::default();
        let old = SimCall::to_100("OLD");
        let missed = [old.incoming(), old.completed("Missed", 0, None)];
        let day = Duration::from_secs(86_400);
        catch_up.add(taken("OLD", &missed, day, Decision::Missed));
        let (summary, rings) = catch_up.finish(OffsetDateTime::now_utc(), true);
        assert_eq!(summary, None);
        assert!(rings.is_empty());
        let (summary, _) = CatchUp::default().finish(OffsetDateTime::now_utc(), false);
        assert_eq!(summary, None);
    }
}
