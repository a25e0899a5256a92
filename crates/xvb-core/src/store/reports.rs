//! What a report reads on a relay's SQLite store ([`crate::reports`]): the
//! calls first seen in a period, and the agents' status changes in it with
//! each agent's last one before it.

use super::status::{status_of, status_row};
use super::{unix_ms, Database};
use crate::pbx::call::Call;
use crate::reports::{CallRow, Facts};
use crate::team::LoggedStatus;
use crate::CoreError;
use rusqlite::params;
use time::OffsetDateTime;

impl Database {
    /// Calls first seen from `from` up to (not including) `to`, oldest first.
    pub fn calls_between(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Call>, CoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT record FROM calls WHERE first_seen_ms >= ?1 AND first_seen_ms < ?2
             ORDER BY first_seen_ms",
        )?;
        let rows = stmt.query_map(params![unix_ms(from), unix_ms(to)], |r| {
            r.get::<_, String>(0)
        })?;
        rows.map(|record| serde_json::from_str(&record?).map_err(CoreError::corrupt))
            .collect()
    }

    /// What a report reads of the calls first seen from `from` up to `to`
    /// (the columns, not the records: a month is 600,000 calls).
    pub fn call_facts_between(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Facts, CoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT direction, phone_norm, line_number, ext, answered_by, status, completed,
                 first_seen_ms, last_seen_ms, answered_ms, duration, test
             FROM calls WHERE first_seen_ms >= ?1 AND first_seen_ms < ?2
             ORDER BY first_seen_ms",
        )?;
        let mut rows = stmt.query(params![unix_ms(from), unix_ms(to)])?;
        let mut facts = Facts::default();
        while let Some(row) = rows.next()? {
            let text = |i| row.get_ref(i).map(|v| v.as_str_or_null().ok().flatten());
            facts.push(CallRow {
                direction: text(0)?,
                phone: text(1)?,
                line: text(2)?,
                ext: text(3)?,
                answered_by: text(4)?,
                status: text(5)?.unwrap_or_default(),
                completed: row.get(6)?,
                first_seen: row.get(7)?,
                last_seen: row.get(8)?,
                answered_at: row.get(9)?,
                duration: row.get(10)?,
                test: row.get(11)?,
            });
        }
        Ok(facts)
    }

    /// Status changes from `from` up to `to`, and each agent's last one
    /// before `from` (its status when the period starts), oldest first.
    pub fn status_changes(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<LoggedStatus>, CoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ext, state, reason, at_ms, until_ms FROM relay_status_log
             WHERE (at_ms >= ?1 AND at_ms < ?2)
                OR id IN (SELECT max(id) FROM relay_status_log WHERE at_ms < ?1 GROUP BY ext)
             ORDER BY at_ms, id",
        )?;
        let rows = stmt.query_map(params![unix_ms(from), unix_ms(to)], status_row)?;
        rows.map(|row| {
            let (ext, status) = status_of(row?)?;
            Ok(LoggedStatus { ext, status })
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Database, Writer};
    use crate::pbx::protocol::CallEvent;
    use crate::pbx::sim::SimCall;
    use crate::reports::{CallFacts, Facts};
    use time::format_description::well_known::Rfc3339;
    use time::{Duration, OffsetDateTime};

    /// An answered call on a line, a missed one and an outgoing one, stored.
    async fn three_calls(writer: &Writer) {
        let on_line = |callid: &str| SimCall {
            line: Some("74950000001".into()),
            ..SimCall::to_100(callid)
        };
        let (answered, missed, outgoing) = (on_line("A"), on_line("M"), SimCall::to_100("O"));
        for fields in [
            answered.incoming(),
            missed.incoming(),
            answered.answered(),
            answered.completed("Success", 42, None),
            missed.completed("Missed", 0, None),
            outgoing.outgoing(),
            outgoing.completed("Success", 7, None),
        ] {
            let event = CallEvent::parse(fields).unwrap();
            writer.record_event(event, None).await.unwrap();
        }
    }

    #[tokio::test]
    async fn a_reports_columns_say_what_the_calls_records_say() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        three_calls(&Writer::start(&path).unwrap()).await;
        let now = OffsetDateTime::now_utc();
        let (from, to) = (now - Duration::hours(1), now + Duration::hours(1));
        // The facts from the columns, and those from the records with the
        // answer's time rounded as `round` does.
        let read = |db: &Database, round: &dyn Fn(i64) -> i64| {
            let whole = Facts::of_calls(&db.calls_between(from, to).unwrap());
            let facts = db.call_facts_between(from, to).unwrap();
            let expected: Vec<CallFacts> = whole
                .calls()
                .iter()
                .map(|c| CallFacts {
                    answered_at: c.answered_at.map(round),
                    ..*c
                })
                .collect();
            assert_eq!(facts.calls(), expected);
            facts
        };
        let facts = read(&Database::open(&path).unwrap(), &|ms| ms);
        let missed: Vec<bool> = facts.calls().iter().map(|c| c.missed).collect();
        assert_eq!(missed, [false, true, false]);
        let answered = facts.calls()[0];
        assert_eq!(answered.duration, Some(42));
        assert!(answered.answered_at.is_some() && answered.line.is_some());
        assert_eq!(answered.answered_by.map(|n| facts.name(n)), Some("100"));

        // A file from before the columns: the migration fills them from the records.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP INDEX calls_report;
             ALTER TABLE calls DROP COLUMN line_number; ALTER TABLE calls DROP COLUMN ext;
             ALTER TABLE calls DROP COLUMN answered_by; ALTER TABLE calls DROP COLUMN answered_ms;
             ALTER TABLE calls DROP COLUMN duration; ALTER TABLE calls DROP COLUMN test;",
        )
        .unwrap();
        conn.execute_batch(include_str!("migrations/0018_report_columns.sql"))
            .unwrap();
        drop(conn);
        let record: String = rusqlite::Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT json_extract(record, '$.answered_at') FROM calls WHERE callid = 'A'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        // SQLite rounds a time to the millisecond where Rust truncates it.
        let nanos = OffsetDateTime::parse(&record, &Rfc3339)
            .unwrap()
            .unix_timestamp_nanos();
        let (truncated, rounded) = (nanos / 1_000_000, (nanos + 500_000) / 1_000_000);
        let round = |ms: i64| {
            if i128::from(ms) == truncated {
                rounded as i64
            } else {
                ms
            }
        };
        read(&Database::open(&path).unwrap(), &round);
    }
}
