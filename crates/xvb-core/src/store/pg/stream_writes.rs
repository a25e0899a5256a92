//! What every write into the shared stream does, whoever writes (the node's
//! writer, an agent's note, an import): lock the stream's head row, key an
//! event so a retry stores nothing twice, and re-merge a call from all its
//! stored events.

use crate::pbx::call::{Call, CallLog};
use crate::pbx::protocol::{CallEvent, Fields};
use crate::CoreError;
use sha2::{Digest, Sha256};

/// Locks the stream's head row in `tx`. The lock orders writers (events,
/// notes, an import): what another node committed before is visible from here
/// on, and the sequence numbers taken next are the next ones.
pub(super) async fn lock_head(tx: &tokio_postgres::Transaction<'_>) -> Result<(), CoreError> {
    tx.execute(
        "SELECT last_seq FROM relay_head WHERE id = 1 FOR UPDATE",
        &[],
    )
    .await?;
    Ok(())
}

/// An event's identity: its call and its fields in any order.
pub(super) fn dedupe_key(event: &CallEvent) -> String {
    let mut fields: Vec<_> = event.fields.0.iter().collect();
    fields.sort_unstable();
    let text = serde_json::to_string(&(&event.callid, fields)).expect("strings serialise");
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Re-merges a call from all its stored events and saves the record; with
/// whether it had completed before.
pub(super) async fn merge_call(
    tx: &tokio_postgres::Transaction<'_>,
    callid: &str,
    contact_name: Option<String>,
) -> Result<(Call, bool), CoreError> {
    let previous = tx
        .query_opt(
            "SELECT contact_name, completed FROM relay_calls WHERE callid = $1",
            &[&callid],
        )
        .await?;
    let (contact_name, was_completed) = match previous {
        Some(row) => (row.get::<_, Option<String>>(0), row.get::<_, bool>(1)),
        None => (contact_name, false),
    };
    let mut log = CallLog::default();
    for row in tx
        .query(
            "SELECT received_at, fields FROM relay_events WHERE callid = $1 ORDER BY seq",
            &[&callid],
        )
        .await?
    {
        let fields: Vec<(String, String)> =
            serde_json::from_value(row.get(1)).map_err(CoreError::corrupt)?;
        log.add(Fields(fields), row.get(0));
    }
    let call = Call::merge(callid, contact_name.clone(), &log)
        .ok_or_else(|| CoreError::Corrupt(format!("call {callid} has no events")))?;
    let record = serde_json::to_value(&call).expect("call serialises");
    tx.execute(
        "INSERT INTO relay_calls (callid, contact_name, record, completed, last_seen,
             first_seen, answered_at, direction, phone_norm, line_number, ext, answered_by,
             status, duration, test)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (callid) DO UPDATE SET record = excluded.record,
             completed = excluded.completed, last_seen = excluded.last_seen,
             first_seen = excluded.first_seen, answered_at = excluded.answered_at,
             direction = excluded.direction, phone_norm = excluded.phone_norm,
             line_number = excluded.line_number, ext = excluded.ext,
             answered_by = excluded.answered_by, status = excluded.status,
             duration = excluded.duration, test = excluded.test",
        &[
            &callid,
            &contact_name,
            &record,
            &call.completed,
            &call.last_seen,
            &call.first_seen,
            &call.answered_at,
            &call.direction.map(|d| d.as_str()),
            &call.phone_normalized,
            &call.line_number,
            &call.ext,
            &call.answered_by,
            &call.status,
            &call.duration.map(|d| d as i64),
            &call.test,
        ],
    )
    .await?;
    Ok((call, was_completed))
}

#[cfg(test)]
mod tests {
    use super::dedupe_key;
    use crate::pbx::protocol::{CallEvent, Fields};

    fn event(fields: &[(&str, &str)]) -> CallEvent {
        let fields = Fields(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        CallEvent::parse(fields).expect("a call event")
    }

    #[test]
    fn a_retry_has_the_same_key_whatever_the_field_order() {
        let a = event(&[
            ("cmd", "event"),
            ("callid", "c1"),
            ("event", "INCOMING"),
            ("type", "in"),
            ("phone", "7920"),
        ]);
        let b = event(&[
            ("phone", "7920"),
            ("type", "in"),
            ("event", "INCOMING"),
            ("callid", "c1"),
            ("cmd", "event"),
        ]);
        let c = event(&[
            ("cmd", "event"),
            ("callid", "c1"),
            ("event", "ACCEPTED"),
            ("type", "in"),
            ("phone", "7920"),
        ]);
        assert_eq!(dedupe_key(&a), dedupe_key(&b));
        assert_ne!(dedupe_key(&a), dedupe_key(&c));
    }
}
