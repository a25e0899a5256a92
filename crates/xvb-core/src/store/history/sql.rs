//! A history query as SQL: its search terms, the trigram index's `MATCH`,
//! and the `WHERE` clauses of its filters.

use super::HistoryQuery;
use crate::pbx::phone;

/// What a typed search or number filter asks of its columns (any column, any spelling).
pub(super) struct Term {
    /// `phone_norm`, or `name_fold` and `notes_fold`.
    columns: &'static [&'static str],
    /// Digits, or a name fragment in lower case; then its other spellings.
    texts: Vec<String>,
}

impl Term {
    /// A number's digits as typed, and as stored when typed in another spelling.
    fn number(typed: &str) -> Term {
        Term {
            columns: NUMBER,
            texts: phone::looked_for_as(typed),
        }
    }

    /// The shortest spelling, in characters: what decides whether the index can find it.
    fn shortest(&self) -> usize {
        self.texts
            .iter()
            .map(|t| t.chars().count())
            .min()
            .unwrap_or(0)
    }

    /// `%text%` for LIKE, each spelling (LIKE's own wildcards removed from a name).
    fn patterns(&self) -> impl Iterator<Item = String> + '_ {
        self.texts
            .iter()
            .map(|text| format!("%{}%", text.replace(['%', '_'], "")))
    }

    /// `({columns} : "text" OR …)` for the trigram index (quotes doubled).
    fn phrase(&self) -> String {
        let each: Vec<String> = self
            .texts
            .iter()
            .map(|text| {
                format!(
                    "{{{}}} : \"{}\"",
                    self.columns.join(" "),
                    text.replace('"', "\"\"")
                )
            })
            .collect();
        format!("({})", each.join(" OR "))
    }

    /// `(c.column LIKE $ OR …)`, every column for every spelling, and the
    /// patterns in the order of their `$`.
    fn like(&self) -> (String, Vec<String>) {
        let mut clauses = Vec::new();
        let mut patterns = Vec::new();
        for pattern in self.patterns() {
            for column in self.columns {
                clauses.push(format!("c.{column} LIKE $"));
                patterns.push(pattern.clone());
            }
        }
        (format!("({})", clauses.join(" OR ")), patterns)
    }
}

/// A number is looked for in the client's number.
const NUMBER: &[&str] = &["phone_norm"];
/// Words are looked for in the contact's name and the call's notes and tags.
const WORDS: &[&str] = &["name_fold", "notes_fold"];

/// A WHERE clause and its parameters.
type Clauses = (String, Vec<rusqlite::types::Value>);

/// Shortest fragment the trigram index can find; shorter ones are looked for by reading calls.
const INDEXED_CHARS: usize = 3;

impl HistoryQuery {
    /// The typed number and search, one term each.
    pub(super) fn terms(&self) -> Vec<Term> {
        let mut terms = Vec::new();
        if let Some(typed) = &self.phone {
            terms.push(Term::number(typed));
        }
        if let Some(typed) = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            terms.push(if phone::is_typed_number(typed) {
                Term::number(typed)
            } else {
                Term {
                    columns: WORDS,
                    texts: vec![typed.to_lowercase()],
                }
            });
        }
        terms
    }

    /// The trigram index's MATCH expression, when every term is long enough for it.
    pub(super) fn indexed_match(&self) -> Option<String> {
        let terms = self.terms();
        let indexed = !terms.is_empty() && terms.iter().all(|t| t.shortest() >= INDEXED_CHARS);
        indexed.then(|| {
            terms
                .iter()
                .map(Term::phrase)
                .collect::<Vec<_>>()
                .join(" AND ")
        })
    }

    /// The WHERE clause on table `c` and its parameters, numbered after the
    /// `taken` ones before them; the typed terms as LIKE patterns only when `with_terms`.
    pub(super) fn filter(&self, with_terms: bool, taken: usize) -> Clauses {
        use rusqlite::types::Value;
        let mut clauses = vec!["1 = 1".to_owned()];
        let mut params: Vec<Value> = Vec::new();
        let mut push = |clause: &str, values: Vec<Value>| {
            let mut clause = clause.to_owned();
            for value in values {
                params.push(value);
                clause = clause.replacen('$', &format!("?{}", taken + params.len()), 1);
            }
            clauses.push(clause);
        };
        if with_terms {
            for term in self.terms() {
                let (like, patterns) = term.like();
                push(&like, patterns.into_iter().map(Value::Text).collect());
            }
        }
        if let Some(status) = &self.status {
            // `missed` is every unanswered incoming call (not the app's test
            // call, whose status the PBX still words `Missed`); others by name.
            push(
                "(CASE WHEN lower($) = 'missed' THEN c.missed = 1 ELSE c.status = $ COLLATE NOCASE END)",
                vec![Value::Text(status.clone()), Value::Text(status.clone())],
            );
        }
        if let Some(direction) = self.direction {
            push(
                "c.direction = $",
                vec![Value::Text(direction.as_str().into())],
            );
        }
        if self.live {
            push("c.completed = 0", vec![]);
        }
        if let Some(ext) = &self.ext {
            push(
                "$ IN (json_extract(c.record, '$.ext'), json_extract(c.record, '$.answered_by'))",
                vec![Value::Text(ext.clone())],
            );
        }
        if let Some(group) = &self.group {
            let json = |list: &[String]| Value::Text(serde_json::to_string(list).expect("strings"));
            let default = group.other_groups_lines.as_deref();
            // `->>` names a field without a `$`, which stands for a parameter here.
            push(
                "(CASE WHEN c.direction = 'out' \
                 THEN c.record ->> 'ext' IN (SELECT value FROM json_each($)) \
                 ELSE coalesce(c.record ->> 'line_number', '') IN (SELECT value FROM json_each($)) \
                 OR ($ AND coalesce(c.record ->> 'line_number', '') \
                 NOT IN (SELECT value FROM json_each($))) END)",
                vec![
                    json(&group.members),
                    json(&group.lines),
                    Value::Integer(default.is_some().into()),
                    json(default.unwrap_or_default()),
                ],
            );
        }
        if let Some(tag) = &self.tag {
            // Not correlated: the tagged calls are read once, then looked up by
            // id (0.3 s at a million calls when each call looked for its notes).
            push(
                "c.callid IN (SELECT n.callid FROM notes n, json_each(n.tags_fold) t \
                 WHERE t.value = $)",
                vec![Value::Text(tag.trim().to_lowercase())],
            );
        }
        if let Some(since) = self.since_ms {
            push("c.first_seen_ms >= $", vec![Value::Integer(since)]);
        }
        if let Some(until) = self.until_ms {
            push("c.first_seen_ms < $", vec![Value::Integer(until)]);
        }
        (clauses.join(" AND "), params)
    }

    /// Whether anything but the typed terms narrows the query.
    fn has_other_filters(&self) -> bool {
        self.status.is_some()
            || self.direction.is_some()
            || self.live
            || self.ext.is_some()
            || self.tag.is_some()
            || self.group.is_some()
            || self.since_ms.is_some()
            || self.until_ms.is_some()
    }

    /// The calls matching: the index's matches, and the new calls not yet in
    /// the index read directly (`SELECT id, at …`; parameters after `?1` = the
    /// MATCH expression). Joined to `calls c` only when other filters need it.
    /// `CROSS JOIN` keeps SQLite reading the few waiting calls first: left to
    /// itself it read every call and looked each up among the waiting (0.3 s at a million).
    pub(super) fn matches(&self, matched: String) -> Clauses {
        let mut params = vec![rusqlite::types::Value::Text(matched)];
        let indexed = if self.has_other_filters() {
            let (filter, rest) = self.filter(false, params.len());
            params.extend(rest);
            format!(
                "calls_search JOIN calls c ON c.rowid = calls_search.rowid \
                 WHERE calls_search MATCH ?1 AND {filter}"
            )
        } else {
            "calls_search WHERE calls_search MATCH ?1".to_owned()
        };
        let (waiting, rest) = self.filter(true, params.len());
        params.extend(rest);
        (
            format!(
                "SELECT calls_search.rowid AS id, calls_search.first_seen_ms AS at FROM {indexed} \
                 UNION ALL \
                 SELECT c.rowid, c.first_seen_ms FROM calls_unindexed u \
                 CROSS JOIN calls c ON c.rowid = u.rowid WHERE {waiting}"
            ),
            params,
        )
    }
}
