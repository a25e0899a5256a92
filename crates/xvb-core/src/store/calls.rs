//! The `calls` table: each stored event merged into its call's row, in the
//! writer's transaction.

use super::journal::append;
use super::notes::last_note;
use super::{from_unix_ms, unix_ms};
use crate::pbx::call::{Call, CallLog};
use crate::pbx::context::CallerContext;
use crate::pbx::phone;
use crate::pbx::protocol::{CallEvent, EventKind};
use crate::team;
use crate::CoreError;
use rusqlite::{params, Connection, OptionalExtension};
use time::OffsetDateTime;

/// What storing one event did.
#[derive(Debug, Clone)]
pub struct EventOutcome {
    /// The call merged with this event.
    pub call: Call,
    /// False for a duplicate of an event already stored.
    pub new_event: bool,
    /// Whether the call had already completed before this event.
    pub was_completed: bool,
    /// The journal sequence number of this request.
    pub seq: i64,
    /// What the team knows of the caller (the first event of a call in).
    pub context: Option<CallerContext>,
}

pub(super) fn store_event(
    conn: &Connection,
    event: &CallEvent,
    contact_name: Option<String>,
    now: OffsetDateTime,
) -> Result<EventOutcome, CoreError> {
    let seq = append(conn, "event", Some(&event.callid), &event.fields, now)?;
    let existing: Option<(String, Option<String>, String)> = conn
        .prepare_cached("SELECT log, contact_name, record FROM calls WHERE callid = ?1")?
        .query_row([&event.callid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let (mut log, known_name, previous) = match existing {
        Some((log, name, record)) => (
            serde_json::from_str::<CallLog>(&log).map_err(CoreError::corrupt)?,
            name,
            Some(serde_json::from_str::<Call>(&record).map_err(CoreError::corrupt)?),
        ),
        None => (CallLog::default(), contact_name, None),
    };
    let was_completed = previous.as_ref().is_some_and(|c| c.completed);
    // A new call in: what the team knows of the caller, read before it is stored.
    let context = match (&previous, event.kind == EventKind::Incoming, &event.phone) {
        (None, true, Some(phone)) => {
            caller_context(conn, &phone::normalize(phone), &event.callid, now)?
        }
        _ => None,
    };
    let new_event = log.add(event.fields.clone(), now);
    let call = match (new_event, previous) {
        (false, Some(previous)) => previous,
        _ => {
            let call = Call::merge(&event.callid, known_name, &log).expect("log has an event");
            conn.prepare_cached(
                "INSERT INTO calls (callid, direction, phone_norm, contact_name, status, missed,
                     first_seen_ms, last_seen_ms, log, record, completed, name_fold,
                     line_number, ext, answered_by, answered_ms, duration, test)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
                     ?13, ?14, ?15, ?16, ?17, ?18)
                 ON CONFLICT(callid) DO UPDATE SET direction = excluded.direction,
                     phone_norm = excluded.phone_norm, status = excluded.status,
                     missed = excluded.missed, first_seen_ms = excluded.first_seen_ms,
                     last_seen_ms = excluded.last_seen_ms, log = excluded.log,
                     record = excluded.record, completed = excluded.completed,
                     line_number = excluded.line_number, ext = excluded.ext,
                     answered_by = excluded.answered_by, answered_ms = excluded.answered_ms,
                     duration = excluded.duration, test = excluded.test",
            )?
            .execute(params![
                call.callid,
                call.direction.map(|d| d.as_str()),
                call.phone_normalized,
                call.contact_name,
                call.status,
                call.is_missed(),
                unix_ms(call.first_seen),
                unix_ms(call.last_seen),
                serde_json::to_string(&log).expect("log serialises"),
                serde_json::to_string(&call).expect("call serialises"),
                call.completed,
                call.contact_name.as_deref().map(str::to_lowercase),
                call.line_number,
                call.ext,
                call.answered_by,
                call.answered_at.map(unix_ms),
                call.duration.map(|d| d as i64),
                call.test,
            ])?;
            call
        }
    };
    Ok(EventOutcome {
        call,
        new_event,
        was_completed,
        seq,
        context,
    })
}

/// How many earlier calls of a number are read for its context: enough for
/// the misses of a day and the last answered call before them.
const CONTEXT_CALLS: i64 = 50;

/// The context of a new call from `phone` from its earlier calls (the number's
/// index), newest first: the misses by their columns, and only the latest call
/// that was not a miss read whole — this runs in the writer's transaction.
fn caller_context(
    conn: &Connection,
    phone: &str,
    callid: &str,
    now: OffsetDateTime,
) -> Result<Option<CallerContext>, CoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT missed, first_seen_ms, record FROM calls WHERE phone_norm = ?1 AND callid <> ?2
         ORDER BY first_seen_ms DESC LIMIT ?3",
    )?;
    let mut rows = stmt.query(params![phone, callid, CONTEXT_CALLS])?;
    let (mut missed_at, mut last) = (Vec::new(), None);
    while let Some(row) = rows.next()? {
        if !row.get::<_, bool>(0)? {
            let record: String = row.get(2)?;
            last = Some(serde_json::from_str::<Call>(&record).map_err(CoreError::corrupt)?);
            break;
        }
        missed_at.push(from_unix_ms(row.get(1)?)?);
    }
    let mut context = team::caller_context(&missed_at, last.as_ref(), now);
    if let Some(note) = last_note(conn, phone, callid)? {
        context.get_or_insert_with(CallerContext::default).last_note =
            Some(team::last_note(&note, now));
    }
    Ok(context)
}
