//! `xvb contacts source add/list/remove/order/password`, `xvb contacts
//! sources`, `sync` and `lookup`: where caller names come from besides the
//! local book, in the order they are asked. Adding one is in `add`.

mod add;

use crate::error::CliError;
use crate::outside::{out, say, shown};
use clap::Subcommand;
use std::future::Future;
use std::io::IsTerminal;
use xvb_core::config::DataDir;
use xvb_core::contacts::sources::crm::CrmLookups;
use xvb_core::contacts::sources::sync::{sync_source, SyncError};
use xvb_core::contacts::sources::{SourceConfig, SourceName, SourceStatus, SourceStore};
use xvb_core::pbx::phone;
use xvb_core::secret::{Secret, TokenStore};
use xvb_core::store::pg::PgStore;
use xvb_core::words::Language;
use xvb_core::CoreError;

/// `xvb contacts source` subcommands.
#[derive(Subcommand)]
pub(crate) enum SourceCommand {
    /// Add a source, asked after those there are.
    #[command(subcommand)]
    Add(Box<add::AddSource>),
    /// The sources in their order, with their last sync (as `xvb contacts sources`).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a source and its copy of names.
    Remove {
        /// The source's name.
        name: String,
    },
    /// Ask these first, in this order (`local` is the local book); the rest after.
    Order {
        /// Source names.
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Store a source's password in the keyring, read from standard input.
    Password {
        /// The source's name.
        name: String,
    },
}

pub(super) fn name(text: &str) -> Result<SourceName, CliError> {
    SourceName::parse(text).map_err(|e| CliError::Failed(e.to_string()))
}

/// The sources' store and a runtime to wait on it: the data dir's SQLite,
/// or — on a relay node with `relay_database` — the cluster's PostgreSQL.
pub(super) struct Sources {
    pub(super) store: SourceStore,
    runtime: tokio::runtime::Runtime,
}

impl Sources {
    pub(super) fn open(data: &DataDir) -> Result<Sources, CliError> {
        let runtime = super::current_thread_runtime()?;
        let store = match data.load_config()?.relay_database() {
            Some(url) => SourceStore::Postgres(runtime.block_on(PgStore::connect(&url))?),
            None => SourceStore::Sqlite(data.database_path()),
        };
        Ok(Sources { store, runtime })
    }

    /// Waits for `op` on the store.
    pub(super) fn run<T>(
        &self,
        op: impl Future<Output = Result<T, CoreError>>,
    ) -> Result<T, CliError> {
        Ok(self.runtime.block_on(op)?)
    }
}

/// Runs one `xvb contacts source` command.
pub(crate) fn run(data: &DataDir, command: SourceCommand) -> Result<(), CliError> {
    match command {
        SourceCommand::Add(source) => add::add(data, *source)?,
        SourceCommand::List { json } => show_sources(data, json)?,
        SourceCommand::Remove { name: text } => {
            let sources = Sources::open(data)?;
            if !sources.run(sources.store.remove_source(name(&text)?))? {
                return Err(CliError::Failed(format!(
                    "no source is called {}; see `xvb contacts sources`",
                    shown(&text)
                )));
            }
            out!("removed source {text} and its copy of names");
        }
        SourceCommand::Order { names } => {
            let sources = Sources::open(data)?;
            let unknown = sources.run(sources.store.order_sources(names))?;
            if !unknown.is_empty() {
                return Err(CliError::Failed(format!(
                    "no source is called {}; see `xvb contacts sources`",
                    shown(&unknown.join(", "))
                )));
            }
            show_sources(data, false)?;
        }
        SourceCommand::Password { name: text } => {
            let source = name(&text)?;
            let account = data.load_config()?.access_code;
            let text = if std::io::stdin().is_terminal() {
                rpassword::prompt_password(format!(
                    "password of source {source} (typing is hidden): "
                ))
            } else {
                std::io::read_to_string(std::io::stdin())
            }
            .map_err(|e| CliError::Failed(format!("cannot read the password: {e}")))?;
            TokenStore::for_source(account.as_deref(), source.as_str())?
                .store(&Secret::new(text)?)?;
            // Running listeners read a CRM's token again.
            let sources = Sources::open(data)?;
            sources.run(sources.store.password_changed(source.clone()))?;
            out!("password of source {source} stored in the keyring");
        }
    }
    Ok(())
}

/// Prints the sources in their order with what their last sync did.
pub(crate) fn show_sources(data: &DataDir, json: bool) -> Result<(), CliError> {
    let store = Sources::open(data)?;
    let sources = store.run(store.store.sources())?;
    if json {
        out!(
            "{}",
            serde_json::to_string_pretty(&sources).expect("sources serialise")
        );
        return Ok(());
    }
    for source in &sources {
        say!("{}", line(source));
    }
    Ok(())
}

/// A source's line: place, name, kind, copy, last sync and any error.
fn line(source: &SourceStatus) -> String {
    let kind = source
        .config
        .as_ref()
        .map_or("local book", |c| c.settings.kind());
    let at = |at: time::OffsetDateTime| {
        at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let synced = source.config.as_ref().map(|c| c.settings.synced());
    let mut line = match (synced, source.synced_at) {
        (None, _) => format!(
            "{}. {} ({kind}): {} entries, {} numbers, imported by hand",
            source.position, source.name, source.entries, source.numbers
        ),
        (Some(false), answered) => format!(
            "{}. {} (crm): asked per caller, {}",
            source.position,
            source.name,
            answered.map_or("not asked yet".to_owned(), |t| format!(
                "last answered {}",
                at(t)
            ))
        ),
        (Some(true), synced) => format!(
            "{}. {} ({kind}): {} entries, {} numbers, {}",
            source.position,
            source.name,
            source.entries,
            source.numbers,
            synced.map_or("never synced".to_owned(), |t| format!("synced {}", at(t)))
        ),
    };
    if let Some(error) = &source.error {
        line.push_str(&format!(
            "\n   last try failed: {}",
            shown(&error.worded(&source.name, Language::En))
        ));
    }
    line
}

/// Runs `xvb contacts sync [NAME]`: each source (or one) read now.
pub(crate) fn sync_now(data: &DataDir, only: Option<String>) -> Result<(), CliError> {
    let only = only.as_deref().map(name).transpose()?;
    let store = Sources::open(data)?;
    let sources: Vec<SourceConfig> = store
        .run(store.store.sources())?
        .into_iter()
        .filter_map(|s| s.config)
        .filter(|c| only.as_ref().is_none_or(|n| *n == c.name))
        .collect();
    let (sources, crms): (Vec<_>, Vec<_>) = sources.into_iter().partition(|c| c.settings.synced());
    if sources.is_empty() {
        return Err(CliError::Failed(match (only, crms.first()) {
            (Some(n), Some(_)) => format!("{n} is a CRM, asked per caller, not synced; try it with `xvb contacts lookup NUMBER`"),
            (Some(n), None) => format!("no source is called {n}; see `xvb contacts sources`"),
            (None, _) => "no source to sync; add one with `xvb contacts source add ldap|carddav …`".into(),
        }));
    }
    let account = data.load_config()?.access_code;
    let mut failed = Vec::new();
    for config in &sources {
        match (store.runtime).block_on(sync_source(&store.store, config, account.clone())) {
            Ok(synced) => out!(
                "{}: {} entries, {} numbers",
                config.name,
                synced.entries,
                synced.numbers
            ),
            Err(e) => {
                let why = match e {
                    SyncError::Source(e) => e.worded(config.name.as_str(), Language::En),
                    SyncError::Store(e) => e.to_string(),
                };
                eprintln!(
                    "{}: not synced, the last copy stays: {}",
                    config.name,
                    shown(&why)
                );
                failed.push(config.name.to_string());
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "not synced: {}",
            failed.join(", ")
        )))
    }
}

/// Runs `xvb contacts lookup NUMBER`: who answers for it, and who else knows it.
pub(crate) fn lookup(data: &DataDir, number: &str) -> Result<(), CliError> {
    let normalized = phone::normalize(number);
    if normalized.is_empty() {
        return Err(CliError::Failed(format!(
            "`{}` has no digits to look up",
            shown(number)
        )));
    }
    let store = Sources::open(data)?;
    let found = store.run(store.store.who_knows(normalized.clone()))?;
    let Some(first) = found.first() else {
        return ask_crms(data, &store, &normalized);
    };
    say!(
        "{normalized}: {} (responsible {}) from {} — it has `{}`",
        first.name,
        first.responsible.as_deref().unwrap_or("-"),
        first.source,
        first.raw
    );
    for other in &found[1..] {
        say!(
            "  also in {} as {} (asked later, so not used)",
            other.source,
            other.name
        );
    }
    Ok(())
}

/// `xvb contacts lookup` for a number no synced source knows: the CRM
/// sources asked now, as a listener would.
fn ask_crms(data: &DataDir, store: &Sources, number: &str) -> Result<(), CliError> {
    let access_code = data.load_config()?.access_code;
    let Some(crms) = store.run(CrmLookups::of(&store.store, access_code))? else {
        out!("{number}: no source knows it; the PBX gets no name");
        return Ok(());
    };
    let (answer, went) = store.runtime.block_on(crms.ask_each(number));
    let failed: Vec<_> = (went.iter())
        .filter_map(|(name, e)| Some((name.clone(), e.clone()?)))
        .collect();
    store.runtime.block_on(crms.record(went));
    if let Some(answer) = answer {
        say!(
            "{number}: {} (responsible {}) from the CRM, asked now{}",
            answer.name,
            answer.responsible.as_deref().unwrap_or("-"),
            answer
                .card
                .as_deref()
                .map(|card| format!(" — card {card}"))
                .unwrap_or_default()
        );
    } else if failed.is_empty() {
        out!("{number}: no source knows it, the CRM neither; the PBX gets no name");
    } else {
        let why: Vec<String> = failed
            .iter()
            .map(|(name, e)| format!("{name}: {}", e.worded(name.as_str(), Language::En)))
            .collect();
        return Err(CliError::Failed(format!(
            "{number}: no synced source knows it, and the CRM could not tell: {}",
            shown(&why.join("; "))
        )));
    }
    Ok(())
}
