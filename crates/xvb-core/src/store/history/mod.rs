//! History queries over the `calls` table: filters, search, paging, counts.
//!
//! - this file — [`HistoryQuery`], [`GroupCalls`] and the queries [`Database`] answers with it;
//! - `sql` — a query as SQL: search terms, the index's `MATCH`, `WHERE` clauses;
//! - [`csv`] — history with notes as CSV that Excel opens (BOM, `;` option).

pub mod csv;
mod sql;

use super::notes::attach_notes;
use super::Database;
use crate::pbx::call::Call;
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
    /// Only calls of this extension: it was rung, answered or dialled (a colleague's recent calls).
    pub ext: Option<String>,
    /// Only calls with a note carrying this tag (any letter case).
    pub tag: Option<String>,
    /// Only calls first seen at or after this time (Unix milliseconds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub since_ms: Option<i64>,
    /// Only calls first seen before this time (Unix milliseconds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub until_ms: Option<i64>,
    /// Only a call-centre group's calls (what its team view says of it).
    #[cfg_attr(feature = "ts", ts(skip))]
    pub group: Option<GroupCalls>,
    /// At most this many calls.
    pub limit: usize,
    /// Skip this many (paging).
    pub offset: usize,
}

/// A call-centre group's calls: incoming on its lines (and, for the default
/// group, on lines no group answers), outgoing by its members. Lines as the
/// PBX sends `line_number` (digits).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct GroupCalls {
    /// The lines it answers.
    pub lines: Vec<String>,
    /// Its members' extensions.
    pub members: Vec<String>,
    /// For the default group: every group's lines (calls on any other line are its).
    pub other_groups_lines: Option<Vec<String>>,
}

/// Looking up and sorting a tagged call costs about as much as testing one
/// call's id while walking history (both read the call's row).
const TAG_MATCH_COST: f64 = 1.0;
/// Sorting one of the index's matches by time (its time is read from the
/// index's own table) costs about as much as walking this many calls newest
/// first along `calls_by_time_search` (measured at a million calls: ≈ 3 µs
/// against ≈ 0.25 µs).
const MATCH_COST: f64 = 10.0;

impl Database {
    /// Calls matching `query`, newest first. A search the trigram index can
    /// answer is sorted from the index when its matches are few; when they are
    /// many, walking history newest first finds a page sooner.
    pub fn history(&self, query: &HistoryQuery) -> Result<Vec<Call>, CoreError> {
        let wanted = query.offset + query.limit;
        // Sorting `found` matches costs about `MATCH_COST * found`; walking
        // history newest first reads about `wanted * newest / found` calls.
        // Sorting wins while found² < wanted * newest / MATCH_COST, so
        // counting stops there.
        let enough = |cost: f64| -> Result<i64, CoreError> {
            let newest: i64 = self
                .conn
                .prepare_cached("SELECT coalesce(max(rowid), 0) FROM calls")?
                .query_row([], |r| r.get(0))?;
            Ok((wanted as f64 * newest as f64 / cost).sqrt() as i64 + 1)
        };
        if let Some(matched) = query.indexed_match() {
            let enough = enough(MATCH_COST)?;
            if self.count_matches(query, matched.clone(), enough)? < enough {
                return self.history_from_index(query, matched);
            }
        }
        let (filter, mut params) = query.filter(true, 0);
        params.push(rusqlite::types::Value::Integer(query.limit as i64));
        params.push(rusqlite::types::Value::Integer(query.offset as i64));
        // A typed term is compared on the index's copy of the number and name.
        // A rare tag's calls are looked up and sorted (`+ 0` keeps SQLite from
        // walking the time index for them: 56–80 ms for a tag on 0.5 % of a
        // million calls, each call's row read to test its id; 22 ms sorted).
        let walk = if query.terms().is_empty() {
            ""
        } else {
            "INDEXED BY calls_by_time_search"
        };
        let sort_tagged = match &query.tag {
            Some(tag) if walk.is_empty() => {
                let enough = enough(TAG_MATCH_COST)?;
                self.count_tagged(tag, enough)? < enough
            }
            _ => false,
        };
        let (limit, offset) = (params.len() - 1, params.len());
        let sql = if sort_tagged {
            // The page's ids first, then their records: sorting whole records cost more.
            format!(
                "SELECT shown.record FROM (
                     SELECT c.rowid AS id, c.first_seen_ms AS at FROM calls c WHERE {filter}
                     ORDER BY at + 0 DESC, id DESC LIMIT ?{limit} OFFSET ?{offset}
                 ) page JOIN calls shown ON shown.rowid = page.id
                 ORDER BY page.at DESC, page.id DESC"
            )
        } else {
            format!(
                "SELECT c.record FROM calls c {walk} WHERE {filter}
                 ORDER BY c.first_seen_ms DESC, c.rowid DESC LIMIT ?{limit} OFFSET ?{offset}"
            )
        };
        self.records(&sql, params)
    }

    /// Every call matching `query` (its limit and offset aside), newest first,
    /// handed to `each` `chunk` calls at a time with their notes; how many.
    /// One statement reads them all, so the calls are those of one moment
    /// (an export): calls stored meanwhile are neither repeated nor skipped.
    pub fn each_call(
        &self,
        query: &HistoryQuery,
        chunk: usize,
        mut each: impl FnMut(&[Call]) -> Result<(), CoreError>,
    ) -> Result<usize, CoreError> {
        let (filter, params) = query.filter(true, 0);
        let walk = if query.terms().is_empty() {
            ""
        } else {
            "INDEXED BY calls_by_time_search"
        };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT c.record FROM calls c {walk} WHERE {filter}
             ORDER BY c.first_seen_ms DESC, c.rowid DESC"
        ))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let (mut calls, mut handed) = (Vec::with_capacity(chunk), 0);
        loop {
            let row = rows.next()?;
            if let Some(row) = row {
                let record: String = row.get(0)?;
                calls.push(serde_json::from_str::<Call>(&record).map_err(CoreError::corrupt)?);
            }
            if calls.len() == chunk || (row.is_none() && !calls.is_empty()) {
                attach_notes(&self.conn, &mut calls)?;
                each(&calls)?;
                handed += calls.len();
                calls.clear();
            }
            if row.is_none() {
                return Ok(handed);
            }
        }
    }

    /// Notes carrying `tag`, counted up to `limit`.
    fn count_tagged(&self, tag: &str, limit: i64) -> Result<i64, CoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM notes n, json_each(n.tags_fold) t
                 WHERE t.value = ?1 LIMIT ?2)",
            )?
            .query_row(rusqlite::params![tag.trim().to_lowercase(), limit], |r| {
                r.get(0)
            })?)
    }

    /// A page of the index's matches, sorted by the time the index keeps.
    fn history_from_index(
        &self,
        query: &HistoryQuery,
        matched: String,
    ) -> Result<Vec<Call>, CoreError> {
        let (matches, mut params) = query.matches(matched);
        params.push(rusqlite::types::Value::Integer(query.limit as i64));
        params.push(rusqlite::types::Value::Integer(query.offset as i64));
        let sql = format!(
            "SELECT shown.record FROM (
                 SELECT id, at FROM ({matches})
                 ORDER BY at DESC, id DESC LIMIT ?{} OFFSET ?{}
             ) page JOIN calls shown ON shown.rowid = page.id
             ORDER BY page.at DESC, page.id DESC",
            params.len() - 1,
            params.len()
        );
        self.records(&sql, params)
    }

    fn records(
        &self,
        sql: &str,
        params: Vec<rusqlite::types::Value>,
    ) -> Result<Vec<Call>, CoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            r.get::<_, String>(0)
        })?;
        let mut calls = rows
            .map(|row| serde_json::from_str(&row?).map_err(CoreError::corrupt))
            .collect::<Result<Vec<Call>, CoreError>>()?;
        attach_notes(&self.conn, &mut calls)?;
        Ok(calls)
    }

    /// The index's matches, counted up to `limit` (-1: all of them).
    fn count_matches(
        &self,
        query: &HistoryQuery,
        matched: String,
        limit: i64,
    ) -> Result<i64, CoreError> {
        let (matches, mut params) = query.matches(matched);
        params.push(rusqlite::types::Value::Integer(limit));
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM ({matches}) LIMIT ?{})",
            params.len()
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(params), |r| r.get(0))?)
    }

    /// One call by its id.
    pub fn call(&self, callid: &str) -> Result<Option<Call>, CoreError> {
        let record: Option<String> = self
            .conn
            .prepare_cached("SELECT record FROM calls WHERE callid = ?1")?
            .query_row([callid], |r| r.get(0))
            .optional()?;
        let Some(record) = record else {
            return Ok(None);
        };
        let mut call: Call = serde_json::from_str(&record).map_err(CoreError::corrupt)?;
        attach_notes(&self.conn, std::slice::from_mut(&mut call))?;
        Ok(Some(call))
    }

    /// How many calls match `query` (its limit and offset aside).
    pub fn history_count(&self, query: &HistoryQuery) -> Result<i64, CoreError> {
        if let Some(matched) = query.indexed_match() {
            return self.count_matches(query, matched, -1);
        }
        let (filter, params) = query.filter(true, 0);
        let sql = format!("SELECT count(*) FROM calls c WHERE {filter}");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(params), |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests;
