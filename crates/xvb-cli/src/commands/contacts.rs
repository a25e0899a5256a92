//! `xvb contacts import/list/add/remove`: the contact book the PBX asks with
//! `cmd=contact` (its sources: `sources.rs`).

use crate::error::CliError;
use crate::outside::{out, say, shown};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tokio::runtime::Runtime;
use xvb_core::config::DataDir;
use xvb_core::contacts::{self, Contact, Parsed};
use xvb_core::store::pg::PgStore;
use xvb_core::store::{Database, ImportReport};
use xvb_core::CoreError;

/// The book the commands work on: the data dir's, or — on a relay node with
/// `relay_database` — the team's shared one in PostgreSQL.
enum Book {
    Local(Database),
    Shared(PgStore, Runtime),
}

impl Book {
    fn open(data: &DataDir) -> Result<Book, CliError> {
        match data.load_config()?.relay_database() {
            Some(url) => {
                let runtime = super::current_thread_runtime()?;
                let store = runtime.block_on(PgStore::connect(&url))?;
                Ok(Book::Shared(store, runtime))
            }
            None => Ok(Book::Local(Database::open(&data.database_path())?)),
        }
    }

    fn import(&mut self, parsed: Parsed) -> Result<ImportReport, CoreError> {
        match self {
            Book::Local(db) => db.import(parsed),
            Book::Shared(pg, runtime) => runtime.block_on(pg.import(parsed)),
        }
    }

    fn contacts(&self) -> Result<Vec<Contact>, CoreError> {
        match self {
            Book::Local(db) => db.contacts(),
            Book::Shared(pg, runtime) => runtime.block_on(pg.contacts()),
        }
    }

    fn add(&mut self, contact: Contact) -> Result<i64, CoreError> {
        match self {
            Book::Local(db) => db.add_contact(contact),
            Book::Shared(pg, runtime) => runtime.block_on(pg.add_contact(contact)),
        }
    }

    fn remove(&mut self, id_or_phone: &str) -> Result<bool, CoreError> {
        match self {
            Book::Local(db) => db.remove_contact(id_or_phone),
            Book::Shared(pg, runtime) => runtime.block_on(pg.remove_contact(id_or_phone)),
        }
    }
}

/// `xvb contacts` subcommands.
#[derive(Subcommand)]
pub(crate) enum ContactsCommand {
    /// Import a CSV (name,phone,responsible,crm_url) or vCard file.
    Import {
        /// The file.
        file: PathBuf,
    },
    /// List contacts.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a contact (or update the one that has its number).
    Add(AddContact),
    /// Remove a contact by one of its numbers, or by `#ID`.
    Remove {
        /// A phone number or `#ID` from `contacts list`.
        number_or_id: String,
    },
    /// Directories synced into the book (LDAP / Active Directory).
    #[command(subcommand)]
    Source(super::sources::SourceCommand),
    /// The local book and each source, in the order they are asked, with their last sync.
    Sources {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Read the sources now (or only NAME); a failed one keeps its last copy.
    Sync {
        /// Only this source.
        name: Option<String>,
    },
    /// Which source answers the PBX for a number, and which others know it.
    Lookup {
        /// The number, in any spelling.
        number: String,
    },
}

/// `xvb contacts add` options.
#[derive(Args)]
pub(crate) struct AddContact {
    /// Name agents see.
    #[arg(long)]
    name: String,
    /// Phone number (repeat for several).
    #[arg(long = "phone", required = true)]
    phones: Vec<String>,
    /// Responsible agent's extension.
    #[arg(long)]
    responsible: Option<String>,
    /// CRM card URL.
    #[arg(long)]
    crm_url: Option<String>,
    /// Free text.
    #[arg(long)]
    note: Option<String>,
}

/// Runs one `xvb contacts` command; an import that skipped lines exits with 2.
pub(crate) fn run(data: &DataDir, command: ContactsCommand) -> Result<ExitCode, CliError> {
    match command {
        ContactsCommand::Import { file } => {
            let text = std::fs::read_to_string(&file).map_err(|source| CliError::Read {
                path: file.clone(),
                source,
            })?;
            let parsed = contacts::parse_file(&text)?;
            for line in &parsed.cleaned {
                eprintln!(
                    "{}:{line}: imported without the control characters in its name",
                    file.display()
                );
            }
            let report = Book::open(data)?.import(parsed)?;
            for error in &report.errors {
                eprintln!(
                    "{}:{}: skipped: {}",
                    file.display(),
                    error.line,
                    shown(&error.reason)
                );
            }
            out!(
                "imported {} new, updated {}, skipped {} (see above)",
                report.added,
                report.updated,
                report.errors.len()
            );
            if !report.errors.is_empty() {
                return Ok(ExitCode::from(2));
            }
        }
        ContactsCommand::List { json } => {
            let all = Book::open(data)?.contacts()?;
            if json {
                out!(
                    "{}",
                    serde_json::to_string_pretty(&all).expect("contacts serialise")
                );
            } else {
                for c in all {
                    say!(
                        "#{:<6} {:<30} {:<32} responsible={}",
                        c.id,
                        c.name,
                        c.phones.join("; "),
                        c.responsible.as_deref().unwrap_or("-")
                    );
                }
            }
        }
        ContactsCommand::Add(add) => {
            let id = Book::open(data)?.add(Contact {
                id: 0,
                name: add.name,
                phones: add.phones,
                responsible: add.responsible,
                crm_url: add.crm_url,
                note: add.note,
            })?;
            out!("saved contact #{id}");
        }
        ContactsCommand::Remove { number_or_id } => {
            if !Book::open(data)?.remove(&number_or_id)? {
                return Err(CliError::Failed(format!(
                    "no contact has `{number_or_id}`; see `xvb contacts list`"
                )));
            }
            out!("removed");
        }
        ContactsCommand::Source(command) => super::sources::run(data, command)?,
        ContactsCommand::Sources { json } => super::sources::show_sources(data, json)?,
        ContactsCommand::Sync { name } => super::sources::sync_now(data, name)?,
        ContactsCommand::Lookup { number } => super::sources::lookup(data, &number)?,
    }
    Ok(ExitCode::SUCCESS)
}
