//! The caller's last contact with the team, shown in the ring pop and the live
//! view: "Last call 2 days ago with 101 (answered, 4:12)", "Missed 3 times in
//! 24 h — 102 is calling back". Folded from the number's earlier calls, which
//! every agent on a relay has (the relay streams the whole team's events),
//! into the plain [`CallerContext`] the pbx layer carries and words.

use super::WINDOW;
use crate::notes::Note;
use crate::pbx::call::Call;
use crate::pbx::context::{CallerContext, LastContact, LastNote};
use time::OffsetDateTime;

/// The summary of `note` for a call at `now`.
pub fn last_note(note: &Note, now: OffsetDateTime) -> LastNote {
    LastNote {
        by: note.by.clone(),
        seconds_before: (now - note.when).whole_seconds().max(0),
        text: note.text.clone(),
        tags: note.tags.clone(),
    }
}

/// The context of a call at `now` from the same number's latest earlier
/// call that was not a missed call in (`last`) and the times of the misses
/// since (`missed_at`); `None` for a first-time caller.
pub fn caller_context(
    missed_at: &[OffsetDateTime],
    last: Option<&Call>,
    now: OffsetDateTime,
) -> Option<CallerContext> {
    let missed_since = now - WINDOW;
    let missed = missed_at.iter().filter(|at| **at >= missed_since).count() as u32;
    let last = last.map(|call| LastContact {
        at: call.first_seen,
        seconds_before: (now - call.first_seen).whole_seconds().max(0),
        with: call.answered_by.clone().or_else(|| call.ext.clone()),
        answered: call.answered_by.is_some() || call.status == "Success",
        duration: call.duration,
        direction: call.direction,
    });
    (last.is_some() || missed > 0).then_some(CallerContext {
        last,
        missed,
        calling_back: None,
        last_note: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::team::test_calls::{call, t0};
    use time::Duration;

    fn missed(callid: &str, ago: Duration) -> Call {
        let ring = "type=in&event=INCOMING&ext=&phone=79201119613";
        let done = "event=COMPLETED&status=Missed&duration=0&phone=79201119613";
        call(callid, None, t0() - ago, &[ring, done])
    }

    fn answered(callid: &str, ago: Duration, ext: &str) -> Call {
        let ring = "type=in&event=INCOMING&ext=&phone=79201119613";
        let answer = format!("type=in&event=ANSWERED&ext={ext}&phone=79201119613");
        let done =
            format!("event=COMPLETED&status=Success&duration=252&ext={ext}&phone=79201119613");
        call(callid, None, t0() - ago, &[ring, &answer, &done])
    }

    /// The context from earlier calls, newest first, split as the store reads them.
    fn context_of(earlier: &[Call]) -> Option<CallerContext> {
        let last = earlier.iter().position(|c| !c.is_missed());
        let missed_at: Vec<_> = earlier[..last.unwrap_or(earlier.len())]
            .iter()
            .map(|c| c.first_seen)
            .collect();
        caller_context(&missed_at, last.map(|i| &earlier[i]), t0())
    }

    #[test]
    fn misses_since_the_last_answered_call_and_that_call() {
        let earlier = [
            missed("M1", Duration::minutes(20)),
            missed("M2", Duration::hours(3)),
            missed("M3", Duration::hours(30)),
            answered("A1", Duration::days(2), "101"),
            answered("A2", Duration::days(9), "102"),
        ];
        let context = context_of(&earlier).unwrap();
        assert_eq!(context.missed, 2, "only misses within 24 h count");
        let last = context.last.unwrap();
        assert_eq!(
            last.with.as_deref(),
            Some("101"),
            "the latest answered call"
        );
        assert!(last.answered);
        assert_eq!(last.duration, Some(252));
        assert_eq!(last.seconds_before, 2 * 86_400);
        assert_eq!(context_of(&[]), None, "a first-time caller");
        let only_missed = context_of(&earlier[..1]).unwrap();
        assert_eq!((only_missed.missed, only_missed.last), (1, None));
    }
}
