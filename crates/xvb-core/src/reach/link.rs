//! An agent's side of the team relay: one outbound WebSocket that streams the
//! team's events into the local store (each with its relay sequence number, in
//! the same transaction, so a reconnect resumes exactly after the last stored
//! one), the agent's own notification decisions, and dialing through the relay.
//! Reconnects back off exponentially (0.5 s to 30 s) with jitter.
//! Its state is [`LinkStatus`], shown as part of [`super::Reach`].

use super::backoff::Backoff;
use super::catch_up::CatchUp;
use super::relay::wire::{FromAgent, StreamedEvent, ToAgent, PING_EVERY};
use super::relay::{JoinCode, RelayError};
use crate::listener::{HookState, Taken};
use crate::notes::NoteDraft;
use crate::pbx::protocol::{CallEvent, Fields};
use crate::store::{is_note, note_of_fields, Database, JournalEntry, NoteWrite, Relayed};
use crate::team::TeamView;
use crate::CoreError;
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// A relay silent this long (three missed pings) is taken as gone.
const SILENCE: Duration = Duration::from_secs(3 * PING_EVERY.as_secs());
/// How long a dial waits for the relay's answer.
const DIAL_WAIT: Duration = Duration::from_secs(20);
/// How long a note the relay stored may take to come back on the stream.
const STREAMED_BACK: Duration = Duration::from_secs(5);

/// The state of the link, for the tray, the UI and `xvb serve --relay`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LinkStatus {
    /// Opening the connection.
    Connecting,
    /// Connected, as this extension.
    Connected {
        /// The agent's extension: the one its join code names.
        ext: String,
        /// This computer's own extension setting, when it differs from `ext`:
        /// not used in relay mode (decisions and dials use `ext`).
        unused_extension: Option<String>,
        /// Set when this app came back after the relay had pruned events it had
        /// not stored: when the relay's kept events begin (RFC 3339).
        missed_before: Option<String>,
    },
    /// Waiting before the next attempt, and why the last one ended.
    Reconnecting {
        /// The wait, in milliseconds.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        wait_ms: u64,
        /// What went wrong.
        reason: String,
    },
}

impl std::fmt::Display for LinkStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkStatus::Connecting => write!(f, "connecting"),
            LinkStatus::Connected {
                ext,
                unused_extension,
                missed_before,
            } => {
                write!(f, "connected as extension {ext}")?;
                if let Some(local) = unused_extension {
                    write!(
                        f,
                        "; this computer's extension setting {local} is not used in relay mode"
                    )?;
                }
                if let Some(before) = missed_before {
                    write!(
                        f,
                        "; calls before {} were no longer kept on the relay when this app came back, so they are missing from its history",
                        readable_time(before)
                    )?;
                }
                Ok(())
            }
            LinkStatus::Reconnecting { wait_ms, reason } => {
                write!(f, "reconnecting in {} ({reason})", super::seconds(*wait_ms))
            }
        }
    }
}

/// `2026-11-24 09:30 UTC` from an RFC 3339 time (as given if it is not one).
fn readable_time(rfc3339: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(rfc3339, &Rfc3339)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_else(|| rfc3339.to_owned())
}

/// What an agent asks the relay.
enum Ask {
    /// Call this number from my extension.
    Dial(String),
    /// I'll call this missed caller back.
    Claim(String),
    /// I won't call them back after all.
    Release(String),
    /// Store this note for the team.
    Note(NoteDraft),
}

impl Ask {
    fn message(self, id: u64) -> FromAgent {
        match self {
            Ask::Dial(to) => FromAgent::Dial { id, to },
            Ask::Claim(phone) => FromAgent::Claim { id, phone },
            Ask::Release(phone) => FromAgent::Release { id, phone },
            Ask::Note(note) => FromAgent::Note { id, note },
        }
    }
}

/// What the relay answered: its message and, for a note, the note's sequence number.
type Answer = Result<(String, Option<i64>), RelayError>;

type DialJob = (Ask, oneshot::Sender<Answer>);

/// The team's board and missed-call queue as the relay last sent it.
pub type TeamWatch = watch::Receiver<Option<Arc<TeamView>>>;

/// A running link to a relay; dropping it disconnects.
pub struct RelayLink {
    dials: mpsc::Sender<DialJob>,
    stored: watch::Receiver<i64>,
    status: watch::Receiver<LinkStatus>,
    team: TeamWatch,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RelayLink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RelayLink {
    /// Connects (and keeps reconnecting) to the relay of `code`, storing events
    /// through `state` into the database at `database`.
    pub fn start(state: HookState, database: PathBuf, code: JoinCode) -> RelayLink {
        let (status_tx, status) = watch::channel(LinkStatus::Connecting);
        // A new relay's view and tags, not the last one's (no tags until it sends
        // them: this computer's own list is for direct mode).
        state.team.send_replace(None);
        state.team_tags.send_replace(Some(Vec::new()));
        let team = state.team.subscribe();
        let (dials, dial_rx) = mpsc::channel(16);
        let (stored_tx, stored) = watch::channel(0);
        let link = Link {
            state,
            database,
            code,
            status: status_tx,
            stored: stored_tx,
        };
        let task = tokio::spawn(keep_connected(link, dial_rx));
        RelayLink {
            dials,
            stored,
            status,
            team,
            task,
        }
    }

    /// The team's board and missed-call queue, updated as the relay sends them.
    pub fn team(&self) -> TeamWatch {
        self.team.clone()
    }

    /// The link's state, updated as it changes.
    pub fn status(&self) -> watch::Receiver<LinkStatus> {
        self.status.clone()
    }

    /// A handle that dials through this link (without holding on to the link).
    pub fn dialer(&self) -> RelayDialer {
        RelayDialer {
            asks: self.dials.clone(),
            stored: self.stored.clone(),
        }
    }

    /// Asks the relay to call `to` from this agent's extension; the PBX's reply.
    pub async fn dial(&self, to: &str) -> Result<String, RelayError> {
        self.dialer().dial(to).await
    }
}

/// Asks the relay through a [`RelayLink`]: dials, claims, releases, notes.
pub struct RelayDialer {
    asks: mpsc::Sender<DialJob>,
    /// The relay's sequence number this link last stored.
    stored: watch::Receiver<i64>,
}

impl RelayDialer {
    /// Asks the relay to call `to` from this agent's extension; the PBX's reply.
    pub async fn dial(&self, to: &str) -> Result<String, RelayError> {
        Ok(self.ask(Ask::Dial(to.to_owned())).await?.0)
    }

    /// Claims the team's missed caller `phone` ("I'll call back"); what the relay said.
    pub async fn claim(&self, phone: &str) -> Result<String, RelayError> {
        Ok(self.ask(Ask::Claim(phone.to_owned())).await?.0)
    }

    /// Gives the missed caller `phone` back to the team's queue; what the relay said.
    pub async fn release(&self, phone: &str) -> Result<String, RelayError> {
        Ok(self.ask(Ask::Release(phone.to_owned())).await?.0)
    }

    /// Stores a note for the team (the relay checks its tags); the note's id,
    /// once the stream has brought that version back into this agent's store.
    pub async fn note(&self, draft: NoteDraft) -> Result<String, RelayError> {
        let (id, seq) = match self.ask(Ask::Note(draft)).await? {
            (id, Some(seq)) => (id, seq),
            (_, None) => {
                return Err(RelayError::Dial(
                    "the relay is older than this app and cannot keep notes; ask your admin to update it"
                        .into(),
                ))
            }
        };
        let mut stored = self.stored.clone();
        let back = tokio::time::timeout(STREAMED_BACK, stored.wait_for(|at| *at >= seq))
            .await
            .map(|waited| waited.is_ok());
        match back {
            Ok(true) => Ok(id),
            Ok(false) => Err(RelayError::NotConnected),
            Err(_) => Err(RelayError::NotBackYet),
        }
    }

    async fn ask(&self, ask: Ask) -> Answer {
        let (reply, answer) = oneshot::channel();
        self.asks
            .send((ask, reply))
            .await
            .map_err(|_| RelayError::NotConnected)?;
        tokio::time::timeout(DIAL_WAIT, answer)
            .await
            .map_err(|_| {
                RelayError::Dial(
                    "the relay did not answer in time; check the call history before trying again"
                        .into(),
                )
            })?
            .map_err(|_| RelayError::NotConnected)?
    }
}

/// What a link carries from one connection to the next: its backoff, a local
/// extension setting it does not use, the calls it missed (both said on every
/// later connection until the app restarts), and a catch-up not finished yet
/// (with whether the agent was new to the relay when it began).
struct Carried {
    backoff: Backoff,
    unused_extension: Option<String>,
    missed_before: Option<String>,
    catch_up: Option<(CatchUp, bool)>,
}

/// What a link's connections share.
struct Link {
    state: HookState,
    database: PathBuf,
    code: JoinCode,
    status: watch::Sender<LinkStatus>,
    /// The relay's sequence number last stored (what a note's author waits for).
    stored: watch::Sender<i64>,
}

async fn keep_connected(link: Link, mut dials: mpsc::Receiver<DialJob>) {
    let status = &link.status;
    let mut carried = Carried {
        backoff: Backoff::new(),
        unused_extension: None,
        missed_before: None,
        catch_up: None,
    };
    loop {
        status.send_replace(LinkStatus::Connecting);
        let ended = session(&link, &mut dials, &mut carried).await;
        let reason = match ended {
            Ok(()) => "the relay closed the connection".to_owned(),
            Err(e) => e.to_string(),
        };
        let wait = carried.backoff.next();
        tracing::info!(%reason, wait_ms = wait.as_millis() as u64, "relay connection lost; reconnecting");
        status.send_replace(LinkStatus::Reconnecting {
            wait_ms: wait.as_millis() as u64,
            reason,
        });
        // Dials asked meanwhile fail at once rather than wait for the reconnect.
        let sleep = tokio::time::sleep(wait);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                job = dials.recv() => match job {
                    Some((_, reply)) => { let _ = reply.send(Err(RelayError::NotConnected)); }
                    None => return,
                },
            }
        }
    }
}

fn connection_error(e: tokio_tungstenite::tungstenite::Error) -> RelayError {
    use tokio_tungstenite::tungstenite::Error as E;
    match e {
        E::Http(response) if response.status() == 401 => RelayError::Refused,
        other => RelayError::Connection(other.to_string()),
    }
}

async fn session(
    link: &Link,
    dials: &mut mpsc::Receiver<DialJob>,
    carried: &mut Carried,
) -> Result<(), RelayError> {
    let (state, database, code, status) = (&link.state, &link.database, &link.code, &link.status);
    let path = database.to_path_buf();
    let (after, epoch) = tokio::task::spawn_blocking(move || {
        let db = Database::open(&path)?;
        Ok::<_, CoreError>((db.relay_position()?, db.relay_epoch_seen()?))
    })
    .await
    .map_err(|e| RelayError::Connection(e.to_string()))??;
    let mut request = code
        .agent_url(after, epoch, true)
        .into_client_request()
        .map_err(|e| RelayError::Connection(e.to_string()))?;
    let bearer = format!("Bearer {}", code.token.expose())
        .parse()
        .map_err(|_| RelayError::BadJoinCode)?;
    request.headers_mut().insert("authorization", bearer);
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(connection_error)?;
    let (mut out, mut incoming) = socket.split();
    let mut waiting: HashMap<u64, oneshot::Sender<Answer>> = HashMap::new();
    let mut next_id = 0u64;
    // Events up to the relay's head at hello are a catch-up (see `catch_up`).
    let mut head = i64::MAX;
    let result = loop {
        tokio::select! {
            message = tokio::time::timeout(SILENCE, incoming.next()) => {
                let message = match message {
                    Err(_) => break Err(RelayError::Connection("the relay went silent".into())),
                    Ok(None) => break Ok(()),
                    Ok(Some(Err(e))) => break Err(RelayError::Connection(e.to_string())),
                    Ok(Some(Ok(message))) => message,
                };
                let Message::Text(text) = message else { continue };
                match serde_json::from_str::<ToAgent>(&text) {
                    Ok(ToAgent::Hello { ext, head: relay_head, pruned_event, pruned_before, epoch, reset }) => {
                        head = relay_head;
                        if reset {
                            tracing::warn!(after, "the relay's stream was replaced (a new or restored database); taking what it keeps again");
                        }
                        let path = database.to_path_buf();
                        tokio::task::spawn_blocking(move || Database::open(&path)?.follow_relay_epoch(epoch, reset))
                            .await
                            .map_err(|e| RelayError::Connection(e.to_string()))??;
                        if reset {
                            link.stored.send_replace(0);
                        }
                        let after = if reset { 0 } else { after };
                        carried.catch_up.get_or_insert_with(|| (CatchUp::default(), after == 0));
                        // A new agent (nothing stored yet) starts from what the relay keeps.
                        if after > 0 && after < pruned_event {
                            let before = pruned_before.unwrap_or_default();
                            tracing::warn!(after, pruned_event, before, "the relay pruned events this app had not stored");
                            carried.missed_before = Some(before);
                        }
                        tracing::info!(ext, "connected to the relay");
                        carried.backoff.reset();
                        if let Some(local) = adopt_extension(state, &ext) {
                            tracing::warn!(ext, local, "this computer's extension setting differs from the relay's; relay mode uses the relay's");
                            carried.unused_extension = Some(local);
                        }
                        status.send_replace(LinkStatus::Connected {
                            ext,
                            unused_extension: carried.unused_extension.clone(),
                            missed_before: carried.missed_before.clone(),
                        });
                    }
                    Ok(ToAgent::Event(streamed)) if is_note(&streamed.entry) => {
                        let seq = streamed.entry.seq;
                        store_note(state, streamed.entry).await?;
                        link.stored.send_replace(seq);
                    }
                    Ok(ToAgent::Event(streamed)) => {
                        let seq = streamed.entry.seq;
                        let caught_up = seq <= head;
                        let taken = store(state, streamed).await?;
                        link.stored.send_replace(seq);
                        match (&mut carried.catch_up, taken) {
                            (Some((catch_up, _)), Some(taken)) if caught_up => catch_up.add(taken),
                            // An event this version cannot read changes nothing (a
                            // catch-up goes on: it must not end in a burst of pops).
                            (_, None) => {}
                            (_, taken) => {
                                end_catch_up(state, carried);
                                if let Some(notice) = taken.and_then(|t| t.notice) {
                                    state.notifier.notify(notice);
                                }
                            }
                        }
                    }
                    Ok(ToAgent::CaughtUp { .. }) => end_catch_up(state, carried),
                    Ok(ToAgent::Tags { tags }) => {
                        state.team_tags.send_replace(Some(tags));
                    }
                    Ok(ToAgent::Team(view)) => {
                        state.team.send_replace(Some(Arc::new(*view)));
                    }
                    Ok(ToAgent::Dialed { id, ok, message }) => answer(&mut waiting, id, ok, message, None),
                    Ok(ToAgent::Replied { id, ok, message, seq }) => answer(&mut waiting, id, ok, message, seq),
                    Err(e) => tracing::warn!(error = %e, "a message from the relay was not understood"),
                }
            }
            job = dials.recv() => {
                let Some((ask, reply)) = job else { break Ok(()) };
                next_id += 1;
                let text = serde_json::to_string(&ask.message(next_id)).expect("serialises");
                if let Err(e) = out.send(Message::Text(text.into())).await {
                    let _ = reply.send(Err(RelayError::NotConnected));
                    break Err(RelayError::Connection(e.to_string()));
                }
                waiting.insert(next_id, reply);
            }
        }
    };
    for (_, reply) in waiting {
        let _ = reply.send(Err(RelayError::Dial(
            "the relay connection dropped before the PBX answered; check the call history before trying again".into(),
        )));
    }
    result
}

/// Hands the relay's answer to request `id` to whoever asked.
fn answer(
    waiting: &mut HashMap<u64, oneshot::Sender<Answer>>,
    id: u64,
    ok: bool,
    message: String,
    seq: Option<i64>,
) {
    if let Some(reply) = waiting.remove(&id) {
        let _ = reply.send(if ok {
            Ok((message, seq))
        } else {
            Err(RelayError::Dial(message))
        });
    }
}

/// In relay mode the extension the relay confirmed (the join code's) is this
/// agent's: its decisions use it from now on. A different local setting is
/// returned, to be reported (it is not used, and not overwritten on disk).
fn adopt_extension(state: &HookState, ext: &str) -> Option<String> {
    let config = state.config.load_full();
    if config.extension.as_deref() == Some(ext) {
        return None;
    }
    let mut adopted = (*config).clone();
    let local = adopted.extension.replace(ext.to_owned());
    state.config.store(std::sync::Arc::new(adopted));
    local
}

/// Ends a catch-up, if one is going: one notice of what came while the agent
/// was away, and a ring for each call still ringing.
fn end_catch_up(state: &HookState, carried: &mut Carried) {
    let Some((catch_up, was_new)) = carried.catch_up.take() else {
        return;
    };
    let (summary, rings) = catch_up.finish(time::OffsetDateTime::now_utc(), was_new);
    if let Some(summary) = summary {
        tracing::info!(
            calls = summary.calls,
            missed = summary.missed,
            "caught up with the relay"
        );
        state.notifier.away(summary);
    }
    for ring in rings {
        state.notifier.notify(ring);
    }
}

/// Stores a note the relay streamed (and its sequence number), as the relay stored it.
async fn store_note(state: &HookState, entry: JournalEntry) -> Result<(), RelayError> {
    let Some(note) = note_of_fields(&entry.fields) else {
        tracing::warn!(
            seq = entry.seq,
            "skipped a relayed note this version cannot read"
        );
        return Ok(());
    };
    let relayed = Relayed {
        seq: entry.seq,
        received_at: received_at(&entry),
    };
    state
        .writer
        .record_note(NoteWrite::Apply(note), Some(relayed))
        .await?;
    Ok(())
}

/// When the relay received `entry` (now, if it cannot be read).
fn received_at(entry: &JournalEntry) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(
        &entry.received_at,
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
}

/// Stores one relayed event (and its sequence number); what this agent would
/// be shown, not shown yet. `None` for an event this version cannot read.
async fn store(state: &HookState, streamed: StreamedEvent) -> Result<Option<Taken>, RelayError> {
    let entry = streamed.entry;
    let relayed = Relayed {
        seq: entry.seq,
        received_at: received_at(&entry),
    };
    match CallEvent::parse(Fields(entry.fields)) {
        Ok(event) => Ok(Some(
            state
                .store_event(event, Some(relayed), streamed.caller)
                .await?,
        )),
        Err(e) => {
            // The relay stored it, so this build cannot read what a newer one sent.
            tracing::warn!(seq = entry.seq, error = %e, "skipped a relayed event this version cannot read");
            Ok(None)
        }
    }
}
