//! `xvb note` (a note on a call: through the relay when joined, else into this
//! computer's store, checked against the tags in its settings) and the relay's
//! `xvb relay tags set/list`.

use super::current_thread_runtime;
use super::relay_access::{join_code, relay_store};
use crate::error::CliError;
use crate::outside::{out, say};
use clap::{Args, Subcommand};
use std::sync::Arc;
use std::time::Duration;
use xvb_core::config::{Config, DataDir};
use xvb_core::listener::Engine;
use xvb_core::notes::{parse_tags, tags_text, NoteDraft};
use xvb_core::pbx::notifier::Silent;
use xvb_core::reach::link::{LinkStatus, RelayLink};
use xvb_core::reach::relay::RelayStore;
use xvb_core::store::{NoteWrite, Writer};

/// How long to wait for the relay (connecting, then the note coming back).
const RELAY_WAIT: Duration = Duration::from_secs(20);

/// `xvb note`'s arguments.
#[derive(Args)]
pub(crate) struct NoteArgs {
    /// The call's id (`xvb history --json` shows it).
    callid: String,
    /// What to write.
    #[arg(long, default_value = "")]
    text: String,
    /// A tag from the team's list; repeat for several.
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// The moment of the recording the note is about, in seconds.
    #[arg(long, value_name = "SECONDS")]
    at: Option<f64>,
    /// Edit this note (its id) instead of adding one.
    #[arg(long, value_name = "NOTE_ID")]
    edit: Option<String>,
    /// The new note's id, chosen by a script that may run the command again
    /// (8 to 64 letters, digits, - or _): run again, the note is stored once.
    #[arg(long, value_name = "KEY", conflicts_with = "edit")]
    key: Option<String>,
}

/// `xvb relay tags` subcommands.
#[derive(Subcommand)]
pub(crate) enum TagsCommand {
    /// Replace the team's tags: `Sale=#2e7d32 Complaint "Call back"` (a colour is optional).
    Set {
        /// The tags, in the order agents see them.
        tags: Vec<String>,
    },
    /// The team's tags, one per line with its colour.
    List,
}

/// `xvb relay note` subcommands.
#[derive(Subcommand)]
pub(crate) enum RelayNoteCommand {
    /// Remove a note (by its id, as `xvb history --json` shows it): the running
    /// relay removes it within a second and every agent's app deletes it; its
    /// earlier text stays in the relay's journal until retention drops it.
    Remove {
        /// The note's id.
        id: String,
    },
}

/// Runs `xvb note`: prints the note's id once stored (and, in relay mode, streamed back).
pub(crate) fn note(data: &DataDir, args: NoteArgs) -> Result<(), CliError> {
    let draft = NoteDraft {
        id: args.edit,
        callid: args.callid,
        text: args.text,
        tags: args.tags,
        at: args.at,
        key: args.key,
    };
    let config = data.load_config()?;
    let runtime = current_thread_runtime()?;
    let id = match join_code(data, None)? {
        Some(code) => runtime.block_on(through_relay(data, config, code, draft))?,
        None => {
            let draft = draft
                .checked(&config.tags)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            let writer = Writer::start(&data.database_path())?;
            let by = config.extension.clone();
            let write = NoteWrite::Author { draft, by };
            runtime.block_on(writer.record_note(write, None))?.note.id
        }
    };
    say!("{id}");
    Ok(())
}

/// Sends the note to the relay and waits until its stream brought it back here.
async fn through_relay(
    data: &DataDir,
    config: Config,
    code: xvb_core::reach::relay::JoinCode,
    draft: NoteDraft,
) -> Result<String, CliError> {
    let engine = Engine::open(data, config, Arc::new(Silent))?;
    let link = RelayLink::start(engine.state, data.database_path(), code);
    let mut status = link.status();
    tokio::time::timeout(RELAY_WAIT, async {
        loop {
            let now = status.borrow_and_update().clone();
            if let LinkStatus::Connected { .. } = now {
                break;
            }
            if let Some(failure) = now.failure() {
                return Err(CliError::Failed(failure));
            }
            let _ = status.changed().await;
        }
        link.dialer()
            .note(draft)
            .await
            .map_err(|e| CliError::Failed(e.to_string()))
    })
    .await
    .map_err(|_| CliError::Failed("the relay did not answer in 20 s; try again".into()))?
}

/// Runs one `xvb relay note` command on the relay's store.
pub(crate) fn relay_note(data: &DataDir, command: RelayNoteCommand) -> Result<(), CliError> {
    let config = data.load_config()?;
    let RelayNoteCommand::Remove { id } = command;
    let asked = id.clone();
    let known = relay_store(data, &config, |store: RelayStore| async move {
        store.ask_note_removal(&asked).await
    })?;
    if !known {
        return Err(CliError::Failed(format!(
            "there is no note {} on this relay; `xvb history --json` shows each note's id",
            crate::outside::shown(&id)
        )));
    }
    say!("note {id} will be removed within a second by the running relay (at its next start, if it is stopped)");
    Ok(())
}

/// Runs one `xvb relay tags` command on the relay's store.
pub(crate) fn tags(data: &DataDir, command: TagsCommand) -> Result<(), CliError> {
    let config = data.load_config()?;
    match command {
        TagsCommand::Set { tags } => {
            let tags = parse_tags(&tags).map_err(CliError::Failed)?;
            let count = tags.len();
            relay_store(data, &config, |store: RelayStore| async move {
                store.set_team_tags(tags).await
            })?;
            out!("the team has {count} tag(s) now; connected agents get them within seconds");
        }
        TagsCommand::List => {
            let tags = relay_store(data, &config, |store: RelayStore| async move {
                store.team_tags().await
            })?;
            for line in tags_text(&tags) {
                say!("{line}");
            }
        }
    }
    Ok(())
}
