//! History queries over the `calls` table: filters, search, paging, counts.

use super::Database;
use crate::pbx::call::Call;
use crate::pbx::phone;
use crate::CoreError;
use rusqlite::OptionalExtension;

/// Filters of a history query; all optional, newest calls first.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct HistoryQuery {
    /// Digits the client's number contains (a whole number matches in any spelling).
    pub phone: Option<String>,
    /// A number fragment or part of the contact's name, as typed.
    pub search: Option<String>,
    /// Status, case-insensitive; `missed` also matches any unanswered incoming call.
    pub status: Option<String>,
    /// Only this direction.
    pub direction: Option<crate::pbx::protocol::Direction>,
    /// Only calls still ringing or in progress.
    pub live: bool,
    /// Only calls first seen at or after this time (Unix milliseconds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub since_ms: Option<i64>,
    /// Only calls first seen before this time (Unix milliseconds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub until_ms: Option<i64>,
    /// At most this many calls.
    pub limit: usize,
    /// Skip this many (paging).
    pub offset: usize,
}

impl HistoryQuery {
    /// The WHERE clause and its parameters.
    fn filter(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut clauses = vec!["1 = 1".to_owned()];
        let mut params: Vec<Value> = Vec::new();
        let mut push = |clause: &str, values: Vec<Value>| {
            let mut clause = clause.to_owned();
            for value in values {
                params.push(value);
                clause = clause.replacen('$', &format!("?{}", params.len()), 1);
            }
            clauses.push(clause);
        };
        if let Some(typed) = &self.phone {
            push(
                "phone_norm LIKE $",
                vec![Value::Text(digits_pattern(typed))],
            );
        }
        if let Some(typed) = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let is_number = typed
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if is_number {
                push(
                    "phone_norm LIKE $",
                    vec![Value::Text(digits_pattern(typed))],
                );
            } else {
                let name = format!("%{}%", typed.to_lowercase().replace(['%', '_'], ""));
                push("name_fold LIKE $", vec![Value::Text(name)]);
            }
        }
        if let Some(status) = &self.status {
            push(
                "(status = $ COLLATE NOCASE OR (lower($) = 'missed' AND missed = 1))",
                vec![Value::Text(status.clone()), Value::Text(status.clone())],
            );
        }
        if let Some(direction) = self.direction {
            push(
                "direction = $",
                vec![Value::Text(direction.as_str().into())],
            );
        }
        if self.live {
            push("completed = 0", vec![]);
        }
        if let Some(since) = self.since_ms {
            push("first_seen_ms >= $", vec![Value::Integer(since)]);
        }
        if let Some(until) = self.until_ms {
            push("first_seen_ms < $", vec![Value::Integer(until)]);
        }
        (clauses.join(" AND "), params)
    }
}

/// `%digits%`: a whole number in any spelling, or a fragment as typed.
fn digits_pattern(typed: &str) -> String {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    let digits = if digits.len() >= 10 {
        phone::normalize(&digits)
    } else {
        digits
    };
    format!("%{digits}%")
}

impl Database {
    /// Calls matching `query`, newest first.
    pub fn history(&self, query: &HistoryQuery) -> Result<Vec<Call>, CoreError> {
        let (filter, mut params) = query.filter();
        params.push(rusqlite::types::Value::Integer(query.limit as i64));
        params.push(rusqlite::types::Value::Integer(query.offset as i64));
        let sql = format!(
            "SELECT record FROM calls WHERE {filter} ORDER BY first_seen_ms DESC, rowid DESC LIMIT ?{} OFFSET ?{}",
            params.len() - 1,
            params.len()
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            r.get::<_, String>(0)
        })?;
        rows.map(|row| serde_json::from_str(&row?).map_err(CoreError::corrupt))
            .collect()
    }

    /// One call by its id.
    pub fn call(&self, callid: &str) -> Result<Option<Call>, CoreError> {
        let record: Option<String> = self
            .conn
            .prepare_cached("SELECT record FROM calls WHERE callid = ?1")?
            .query_row([callid], |r| r.get(0))
            .optional()?;
        record
            .map(|r| serde_json::from_str(&r).map_err(CoreError::corrupt))
            .transpose()
    }

    /// How many calls match `query` (its limit and offset aside).
    pub fn history_count(&self, query: &HistoryQuery) -> Result<i64, CoreError> {
        let (filter, params) = query.filter();
        let sql = format!("SELECT count(*) FROM calls WHERE {filter}");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(params), |r| r.get(0))?)
    }
}
