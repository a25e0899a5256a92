//! `xvb history` (calls, newest first) and `xvb journal` (every request as received).

use crate::error::CliError;
use xvb_core::config::DataDir;
use xvb_core::store::{Database, HistoryQuery};

/// Runs `xvb history`: one line per call, or JSON with `json`.
pub(crate) fn run(
    data: &DataDir,
    json: bool,
    phone: Option<String>,
    status: Option<String>,
    limit: usize,
) -> Result<(), CliError> {
    let calls = Database::open(&data.database_path())?.history(&HistoryQuery {
        phone,
        status,
        limit,
        ..HistoryQuery::default()
    })?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&calls).expect("calls serialise")
        );
    } else {
        for c in &calls {
            println!(
                "{}  {:<3} {:<14} {:<24} {:<10} {:>5}s  ext={:<5} {}",
                c.first_seen
                    .replace_nanosecond(0)
                    .unwrap_or(c.first_seen)
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                c.direction.map_or("?", |d| d.as_str()),
                c.phone.as_deref().unwrap_or("-"),
                c.contact_name.as_deref().unwrap_or("-"),
                c.status,
                c.duration.unwrap_or(0),
                c.answered_by.as_deref().unwrap_or("-"),
                c.record_link.as_deref().unwrap_or(""),
            );
        }
    }
    Ok(())
}

/// Runs `xvb journal`: one JSON line per request after sequence number `after`.
pub(crate) fn journal(data: &DataDir, after: i64, limit: usize) -> Result<(), CliError> {
    for entry in Database::open(&data.database_path())?.journal(after, limit)? {
        println!(
            "{}",
            serde_json::to_string(&entry).expect("entries serialise")
        );
    }
    Ok(())
}
