//! `xvb relay report` (a supervisor's figures from the relay's store) and
//! `xvb report` (an agent's own, from this computer's history): as a table,
//! JSON, or CSV for Excel.

use super::parse_date;
use crate::error::CliError;
use crate::outside::{out, say};
use clap::{Args, ValueEnum};
use time::{Date, OffsetDateTime, UtcOffset};
use xvb_core::groups::GroupName;
use xvb_core::reach::relay::check_group;
use xvb_core::reports::{report, AgentFigures, By, Figures, Report, ReportAsk, SHORT_ABANDON};
use xvb_core::spreadsheet::Sheet;
use xvb_core::team::clock;

/// A report's period, rows and output.
#[derive(Args)]
pub(crate) struct ReportArgs {
    /// From this day on (YYYY-MM-DD, local time; default today).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    from: Option<Date>,
    /// Up to and including this day (default: the `--from` day).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    to: Option<Date>,
    /// Rows by hour, day or agent (default: the period's total only).
    #[arg(long, value_enum)]
    by: Option<ByArg>,
    /// A table, JSON, or CSV.
    #[command(flatten)]
    output: super::Output,
}

/// How the rows are cut, as typed.
#[derive(Clone, Copy, ValueEnum)]
enum ByArg {
    Hour,
    Day,
    Agent,
}

impl ReportArgs {
    /// The report asked for, of `group` if named.
    pub(crate) fn ask(&self, group: Option<&str>) -> Result<ReportAsk, CliError> {
        // The CLI has one thread here, so the local offset can be read.
        let offset = UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC);
        let today = OffsetDateTime::now_utc().to_offset(offset).date();
        let from = self.from.unwrap_or(today);
        let to = self.to.unwrap_or(from);
        if to < from {
            return Err(CliError::Failed(format!(
                "--to {to} is before --from {from}; give the earlier day first"
            )));
        }
        let at = |day: Date| day.midnight().assume_offset(offset);
        let group = group
            .map(GroupName::parse)
            .transpose()
            .map_err(|e| CliError::Failed(e.to_string()))?;
        Ok(ReportAsk {
            from: at(from),
            to: at(to.next_day().unwrap_or(to)),
            group,
            by: match self.by {
                None => By::Total,
                Some(ByArg::Hour) => By::Hour,
                Some(ByArg::Day) => By::Day,
                Some(ByArg::Agent) => By::Agent,
            },
            offset,
        })
    }

    /// Prints or writes `report` as asked.
    pub(crate) fn show(&self, report: &Report) -> Result<(), CliError> {
        if self.output.json {
            out!(
                "{}",
                serde_json::to_string_pretty(report).expect("serialises")
            );
        } else if let Some(path) = &self.output.csv {
            let file = xvb_core::private::create_file(path)
                .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
            let mut sheet = Sheet::start(file, self.output.separator())?;
            write_csv(&mut sheet, report)?;
            sheet.finish()?;
            out!("wrote the report to {}", path.display());
        } else {
            print_table(report);
        }
        Ok(())
    }
}

/// Runs `xvb relay report` on the relay's store.
pub(crate) fn relay_report(
    data: &xvb_core::config::DataDir,
    config: &xvb_core::config::Config,
    args: &ReportArgs,
    group: Option<&str>,
) -> Result<(), CliError> {
    let ask = args.ask(group)?;
    let (from, to) = (ask.from, ask.to);
    let (routing, calls, statuses) =
        super::relay_access::relay_store(data, config, |store| async move {
            let routing = store.routing().await?;
            let (calls, statuses) = store.report_inputs(from, to).await?;
            Ok((routing, calls, statuses))
        })?;
    check_group(&routing, &ask).map_err(|refused| CliError::Failed(refused.to_string()))?;
    args.show(&report(&calls, &statuses, &routing, &ask))
}

/// Runs `xvb report`: this computer's calls, and this agent's own figures.
pub(crate) fn own_report(
    data: &xvb_core::config::DataDir,
    args: &ReportArgs,
) -> Result<(), CliError> {
    let ask = args.ask(None)?;
    let me = data.load_config()?.extension;
    if ask.by == By::Agent && me.is_none() {
        return Err(CliError::Failed(
            "set this computer's extension first (Settings, or `xvb config set extension 100`)"
                .into(),
        ));
    }
    let db = xvb_core::store::Database::open(&data.database_path())?;
    let calls = db.call_facts_between(ask.from, ask.to)?;
    args.show(&xvb_core::reports::own_report(&calls, me.as_deref(), &ask))
}

/// `33.3%`, `20.0 s`, or `-` for a figure with nothing to measure.
fn percent(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{v:.1}%"))
}

fn seconds(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{v:.1} s"))
}

/// The figures' columns: their names, and one row's cells.
const COLUMNS: [&str; 12] = [
    "offered",
    "answered",
    "missed",
    "short abandoned",
    "service level",
    "speed of answer",
    "handle time",
    "longest wait",
    "outgoing",
    "not called back",
    "callback median",
    "repeat callers",
];

fn cells(f: &Figures) -> [String; 12] {
    [
        f.offered.to_string(),
        f.answered.to_string(),
        f.missed.to_string(),
        f.short_abandoned.to_string(),
        percent(f.service_level),
        seconds(f.speed_of_answer),
        seconds(f.handle_time),
        format!("{} s", f.longest_wait),
        f.outgoing.to_string(),
        f.not_called_back.to_string(),
        seconds(f.callback_median),
        f.repeat_callers.to_string(),
    ]
}

const AGENT_COLUMNS: [&str; 9] = [
    "agent",
    "answered",
    "outgoing",
    "talk time",
    "handle time",
    "missed while available",
    "available",
    "break",
    "after-call work",
];

fn agent_cells(a: &AgentFigures) -> [String; 9] {
    let span = |s: u64| clock(s as i64);
    [
        a.ext.clone(),
        a.answered.to_string(),
        a.outgoing.to_string(),
        span(a.talk_time),
        seconds(a.handle_time),
        a.missed_while_available.to_string(),
        span(a.available_seconds),
        span(a.break_seconds),
        span(a.acw_seconds),
    ]
}

fn print_table(report: &Report) {
    let group = report
        .group
        .as_ref()
        .map(|g| format!(", group {g}"))
        .unwrap_or_default();
    let offset = UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC);
    let first = report.from.to_offset(offset).date();
    let last = (report.to - time::Duration::SECOND)
        .to_offset(offset)
        .date();
    let days = if first == last {
        first.to_string()
    } else {
        format!("{first} to {last}")
    };
    say!(
        "{days}{group}; service level: answered within {} s",
        report.sl_seconds
    );
    let rows = std::iter::once(("total".to_owned(), &report.total))
        .chain(report.periods.iter().map(|(key, f)| (key.clone(), f)));
    for (key, figures) in rows {
        let described: Vec<String> = COLUMNS
            .iter()
            .zip(cells(figures))
            .map(|(name, cell)| format!("{name} {cell}"))
            .collect();
        say!("{key}: {}", described.join(", "));
    }
    for agent in &report.agents {
        let described: Vec<String> = AGENT_COLUMNS[1..]
            .iter()
            .zip(agent_cells(agent).into_iter().skip(1))
            .map(|(name, cell)| format!("{name} {cell}"))
            .collect();
        say!("agent {}: {}", agent.ext, described.join(", "));
    }
    say!(
        "(wait = INCOMING to ANSWERED: the PBX sends no queue-entry event; missed calls that rang under {} s are left out of the service level)",
        SHORT_ABANDON.whole_seconds()
    );
}

fn write_csv<W: std::io::Write>(sheet: &mut Sheet<W>, report: &Report) -> Result<(), CliError> {
    let header = |first: &str| {
        let mut row = [""; 13].map(String::from);
        row[0] = first.to_owned();
        for (cell, name) in row[1..].iter_mut().zip(COLUMNS) {
            *cell = name.to_owned();
        }
        row
    };
    let line = |key: String, figures: &Figures| {
        let mut row = [""; 13].map(String::from);
        row[0] = key;
        for (cell, value) in row[1..].iter_mut().zip(cells(figures)) {
            *cell = value;
        }
        row
    };
    sheet.row(header("period"))?;
    sheet.row(line("total".into(), &report.total))?;
    for (key, figures) in &report.periods {
        sheet.row(line(key.clone(), figures))?;
    }
    if !report.agents.is_empty() {
        sheet.row(AGENT_COLUMNS.map(String::from))?;
        for agent in &report.agents {
            sheet.row(agent_cells(agent))?;
        }
    }
    Ok(())
}
