//! `xvb history` (calls, newest first: lines, JSON, or CSV for Excel) and
//! `xvb journal` (every request as received).

use super::{day_start_ms, parse_date};
use crate::error::CliError;
use crate::outside::{out, say};
use clap::Args;
use time::{Date, UtcOffset};
use xvb_core::config::DataDir;
use xvb_core::pbx::pop::Language;
use xvb_core::pbx::protocol::Direction;
use xvb_core::store::history::csv::{export_csv, CsvOptions};
use xvb_core::store::{Database, GroupCalls, HistoryQuery};

/// `xvb history`'s filters and output.
#[derive(Args)]
pub(crate) struct HistoryArgs {
    /// Lines, JSON (each call with its `notes` and `tags`), or every matching call as CSV.
    #[command(flatten)]
    output: super::Output,
    /// Only numbers containing these digits (a whole number matches in any spelling).
    #[arg(long, value_name = "P")]
    phone: Option<String>,
    /// A number fragment, or words in the contact's name, notes or tags.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Only this status (Success, Missed, Ringing, …; `missed` matches every unanswered call).
    #[arg(long, value_name = "S")]
    status: Option<String>,
    /// Only missed calls (the same as --status missed).
    #[arg(long, conflicts_with = "status")]
    missed: bool,
    /// Only `in` or `out` calls.
    #[arg(long, value_name = "in|out", value_parser = parse_direction)]
    direction: Option<Direction>,
    /// Only calls with a note carrying this tag.
    #[arg(long, value_name = "TAG")]
    tag: Option<String>,
    /// Only calls from this day on (YYYY-MM-DD, local time).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    since: Option<Date>,
    /// Only calls up to and including this day (YYYY-MM-DD, local time).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    until: Option<Date>,
    /// (Relay mode) Only this call-centre group's calls: on its lines, or dialled by its members.
    #[arg(long, value_name = "NAME")]
    group: Option<String>,
    /// At most N calls (CSV takes every matching call).
    #[arg(long, value_name = "N", default_value_t = 100)]
    limit: usize,
}

fn parse_direction(text: &str) -> Result<Direction, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "in" => Ok(Direction::In),
        "out" => Ok(Direction::Out),
        _ => Err(format!("`{text}` is not a direction; use in or out")),
    }
}

/// Group `name`'s calls, as the relay's team view describes the group.
fn group_calls(data: &DataDir, name: &str) -> Result<GroupCalls, CliError> {
    let whole = super::team::team_view(data, None)?;
    let view = super::team::narrowed(&whole, name)?;
    let group = &view.groups[0];
    Ok(GroupCalls {
        lines: group.lines.clone(),
        members: view.members.iter().map(|m| m.ext.clone()).collect(),
        other_groups_lines: group
            .default
            .then(|| whole.groups.iter().flat_map(|g| g.lines.clone()).collect()),
    })
}

/// Runs `xvb history`: one line per call, JSON with `--json`, or a CSV file with `--csv`.
pub(crate) fn run(data: &DataDir, args: HistoryArgs) -> Result<(), CliError> {
    // The CLI has one thread here, so the local offset can be read.
    let offset = UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC);
    let query = HistoryQuery {
        phone: args.phone,
        search: args.search,
        status: args.status.or(args.missed.then(|| "missed".to_owned())),
        direction: args.direction,
        tag: args.tag,
        since_ms: args.since.map(|day| day_start_ms(day, offset)),
        until_ms: args
            .until
            .and_then(Date::next_day)
            .map(|day| day_start_ms(day, offset)),
        group: args
            .group
            .as_deref()
            .map(|name| group_calls(data, name))
            .transpose()?,
        limit: args.limit,
        ..HistoryQuery::default()
    };
    let db = Database::open(&data.database_path())?;
    if let Some(path) = &args.output.csv {
        let options = CsvOptions {
            separator: args.output.separator(),
            offset,
            language: Language::pick(data.load_config()?.language.as_deref()),
        };
        let file = xvb_core::private::create_file(path)
            .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
        let written = export_csv(&db, &query, options, file)?;
        out!("wrote {written} call(s) to {}", path.display());
        return Ok(());
    }
    let calls = db.history(&query)?;
    if args.output.json {
        out!(
            "{}",
            serde_json::to_string_pretty(&calls).expect("calls serialise")
        );
        return Ok(());
    }
    for c in &calls {
        let started = c
            .first_seen
            .replace_nanosecond(0)
            .unwrap_or(c.first_seen)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let tags = if c.tags.is_empty() {
            String::new()
        } else {
            format!("  [{}]", c.tags.join(", "))
        };
        say!(
            "{started}  {:<3} {:<14} {:<24} {:<10} {:>5}s  ext={:<5} {}{tags}",
            c.direction.map_or("?", |d| d.as_str()),
            c.phone.as_deref().unwrap_or("-"),
            c.contact_name.as_deref().unwrap_or("-"),
            c.status,
            c.duration.unwrap_or(0),
            c.answered_by.as_deref().unwrap_or("-"),
            c.record_link.as_deref().unwrap_or(""),
        );
        for note in &c.notes {
            say!(
                "    note {} by {}: {}",
                note.id,
                note.by.as_deref().unwrap_or("?"),
                note.text
            );
        }
    }
    Ok(())
}

/// Runs `xvb journal`: one JSON line per request after sequence number `after`.
pub(crate) fn journal(data: &DataDir, after: i64, limit: usize) -> Result<(), CliError> {
    for entry in Database::open(&data.database_path())?.journal(after, limit)? {
        out!(
            "{}",
            serde_json::to_string(&entry).expect("entries serialise")
        );
    }
    Ok(())
}
