//! The team relay (`xvb relay serve`): one public webhook URL for the PBX, and
//! agents' apps behind NAT connected to it over one outbound WebSocket each.
//!
//! The relay takes the PBX's requests with the same listener, authentication,
//! merging and durable store as direct mode, and answers `cmd=contact` from its
//! shared contact book. Every stored event has a sequence number (its journal
//! row); an agent connects to `GET /relay/agent?after=N` with its own token
//! (`Authorization: Bearer …`) and receives every event after `N`, first from
//! the store, then live, in order. An agent's `makeCall` goes through the relay,
//! which keeps the PBX token and always dials from that agent's extension.
//!
//! Wire messages are JSON text frames: to the agent `hello`, `event`, `dialed`;
//! from the agent `dial`.

use crate::config::{Config, DataDir};
use crate::dialer::dial_with_account_token;
use crate::engine::Engine;
use crate::listener::{router, HookState, KnownCaller};
use crate::notifier::{Notice, Notifier};
use crate::phone::DialNumber;
use crate::secret::{Secret, SecretKind, TokenError, TokenStore};
use crate::store::{rfc3339, Database, JournalEntry, Kept, Pruned, Writer};
use crate::CoreError;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// The agents' WebSocket endpoint.
pub const AGENT_PATH: &str = "/relay/agent";
/// Events buffered for agents that read slowly (beyond it they catch up from the store).
const FEED_BUFFER: usize = 4096;
/// Events read from the store at a time when an agent catches up.
const BACKLOG_PAGE: usize = 1000;
/// Read buffer of an agent's connection.
const AGENT_READ_BUFFER: usize = 4 * 1024;
/// How often the relay pings each agent (an agent gives up after three missed).
pub const PING_EVERY: Duration = Duration::from_secs(20);

/// What the relay sends an agent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ToAgent {
    /// Sent first: the agent's extension, the newest sequence number, and what
    /// the relay no longer keeps.
    Hello {
        /// The extension the admin gave this agent.
        ext: String,
        /// The newest event's sequence number on the relay.
        head: i64,
        /// The newest event pruned (0: none): an agent that stored less missed some.
        #[serde(default)]
        pruned_event: i64,
        /// Events received before this time (RFC 3339) are no longer on the relay.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pruned_before: Option<String>,
    },
    /// One stored event.
    Event(StreamedEvent),
    /// The answer to a `dial`.
    Dialed {
        /// The `dial`'s id.
        id: u64,
        /// Whether the PBX accepted.
        ok: bool,
        /// The PBX's reply, or why it failed.
        message: String,
    },
}

/// A stored event as streamed: the journal row and the caller from the shared book.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StreamedEvent {
    /// The journal row.
    #[serde(flatten)]
    pub entry: JournalEntry,
    /// The caller in the relay's shared contact book, if there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<KnownCaller>,
}

/// What an agent sends the relay.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum FromAgent {
    /// Call `to` from my extension (there is no `from`: the relay uses the agent's own).
    Dial {
        /// Chosen by the agent, returned in `dialed`.
        id: u64,
        /// The number, as typed.
        to: String,
    },
}

/// Why a join code, a relay connection or a relayed dial failed.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// Not `https://host[:port]#token`.
    #[error("this is not a join code (it looks like https://relay.example:8443#…); paste the whole line the admin gave you")]
    BadJoinCode,
    /// Plain `http://` to a relay that is not on this computer.
    #[error("the join code uses plain http:// to another computer; relays are reached over https:// (plain http only on this computer's loopback)")]
    Insecure,
    /// The relay refused the token.
    #[error(
        "the relay refused this join code (revoked, or mistyped); ask your admin for a new one"
    )]
    Refused,
    /// Network or protocol trouble.
    #[error("cannot reach the relay: {0}")]
    Connection(String),
    /// No connection right now.
    #[error(
        "not connected to the relay right now; it reconnects by itself — try again in a moment"
    )]
    NotConnected,
    /// The relay could not place the call.
    #[error("{0}")]
    Dial(String),
    /// The local store failed.
    #[error(transparent)]
    Core(#[from] CoreError),
}

/// A join code: the relay's address and one agent's token, as one line
/// `https://relay.example:8443#TOKEN` (`http://` only for a relay on loopback).
pub struct JoinCode {
    /// The relay's base address.
    pub relay: url::Url,
    /// The agent's token.
    pub token: Secret,
}

impl JoinCode {
    /// Reads a pasted join code.
    pub fn parse(text: &str) -> Result<JoinCode, RelayError> {
        let (base, token) = text.trim().split_once('#').ok_or(RelayError::BadJoinCode)?;
        let relay = url::Url::parse(base).map_err(|_| RelayError::BadJoinCode)?;
        let token = Secret::new(token.to_owned()).map_err(|_| RelayError::BadJoinCode)?;
        let loopback = match relay.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name == "localhost",
            None => return Err(RelayError::BadJoinCode),
        };
        match relay.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(RelayError::Insecure),
            _ => return Err(RelayError::BadJoinCode),
        }
        Ok(JoinCode { relay, token })
    }

    /// The line to hand to the agent (it carries the token: show it only to them).
    pub fn to_line(&self) -> String {
        format!(
            "{}#{}",
            self.relay.as_str().trim_end_matches('/'),
            self.token.expose()
        )
    }

    /// Keeps the token in the keyring, under the PBX account (blocking).
    pub fn store_token(&self, access_code: Option<&str>) -> Result<(), TokenError> {
        TokenStore::of_kind(access_code, SecretKind::RelayToken)?.store(&self.token)
    }

    /// The relay this agent joined (`relay_url` and the keyring's token), if any (blocking).
    pub fn joined(config: &Config) -> Result<Option<JoinCode>, TokenError> {
        let Some(relay) = config.relay_url.as_deref() else {
            return Ok(None);
        };
        let token =
            TokenStore::of_kind(config.access_code.as_deref(), SecretKind::RelayToken)?.load()?;
        let relay = url::Url::parse(relay).map_err(|e| TokenError::Keyring(e.to_string()))?;
        Ok(Some(JoinCode { relay, token }))
    }

    /// The WebSocket address that streams events after `after`.
    pub fn agent_url(&self, after: i64) -> String {
        let scheme = if self.relay.scheme() == "https" {
            "wss"
        } else {
            "ws"
        };
        let host = self.relay.host_str().unwrap_or_default();
        let port = self
            .relay
            .port()
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        let base = self.relay.path().trim_end_matches('/');
        format!("{scheme}://{host}{port}{base}{AGENT_PATH}?after={after}")
    }
}

/// The stored form of a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An agent the admin added.
#[derive(Debug, Clone, Serialize)]
pub struct AgentRow {
    /// Its number on this relay.
    pub id: i64,
    /// Its extension (what it dials from).
    pub ext: String,
    /// When it was added.
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
    /// When it last connected or left.
    pub last_seen_at: Option<String>,
    /// Whether it is connected now.
    pub connected: bool,
}

/// What `xvb relay status` shows.
#[derive(Debug, Clone, Serialize)]
pub struct RelayStatus {
    /// Every agent, revoked ones too.
    pub agents: Vec<AgentRow>,
    /// When the PBX last sent anything.
    pub last_pbx_request: Option<String>,
    /// Events stored since midnight (UTC).
    pub events_today: i64,
    /// The newest sequence number, and what was pruned.
    pub kept: Kept,
}

/// What the relay keeps beyond the common store (agents and the event stream's
/// reads): the one interface a shared store (PostgreSQL, for several relays)
/// would implement.
pub trait RelayStore: Send + Sync {
    /// Adds an agent with `ext` whose token hashes to `token_hash`; its id.
    fn add_agent(&self, ext: &str, token_hash: &str) -> Result<i64, CoreError>;
    /// Revokes the agents with this id or extension; how many.
    fn revoke(&self, id_or_ext: &str) -> Result<usize, CoreError>;
    /// The agent (not revoked) holding the token with this hash.
    fn agent_for_token(&self, token_hash: &str) -> Result<Option<AgentRow>, CoreError>;
    /// Whether agent `id` exists and is not revoked.
    fn is_active(&self, id: i64) -> Result<bool, CoreError>;
    /// Counts a connection of agent `id` in or out.
    fn set_connected(&self, id: i64, connected: bool) -> Result<(), CoreError>;
    /// Forgets connections (a relay starting has none).
    fn reset_connections(&self) -> Result<(), CoreError>;
    /// Stored events after `seq`, oldest first.
    fn events_after(&self, seq: i64, limit: usize) -> Result<Vec<JournalEntry>, CoreError>;
    /// The newest sequence number (0 before any request) and what was pruned.
    fn kept(&self) -> Result<Kept, CoreError>;
    /// Agents, last request, events today.
    fn status(&self) -> Result<RelayStatus, CoreError>;
}

/// The relay's store in the same SQLite file as its journal and calls.
pub struct SqliteRelayStore(Mutex<Database>);

impl SqliteRelayStore {
    /// Opens the relay's database.
    pub fn open(data: &DataDir) -> Result<SqliteRelayStore, CoreError> {
        Ok(SqliteRelayStore(Mutex::new(Database::open(
            &data.database_path(),
        )?)))
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Database> {
        self.0.lock().expect("relay store lock")
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> Result<T, CoreError> {
        Ok(f(self.db().connection())?)
    }
}

fn now_rfc3339() -> String {
    rfc3339(time::OffsetDateTime::now_utc())
}

const AGENT_COLUMNS: &str = "id, ext, created_at, revoked_at, last_seen_at, connected > 0";

fn agent_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AgentRow> {
    Ok(AgentRow {
        id: r.get(0)?,
        ext: r.get(1)?,
        created_at: r.get(2)?,
        revoked_at: r.get(3)?,
        last_seen_at: r.get(4)?,
        connected: r.get(5)?,
    })
}

impl RelayStore for SqliteRelayStore {
    fn add_agent(&self, ext: &str, token_hash: &str) -> Result<i64, CoreError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO relay_agents (ext, token_hash, created_at) VALUES (?1, ?2, ?3)",
                rusqlite::params![ext, token_hash, now_rfc3339()],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    fn revoke(&self, id_or_ext: &str) -> Result<usize, CoreError> {
        self.with(|c| {
            c.execute(
                "UPDATE relay_agents SET revoked_at = ?2
                 WHERE revoked_at IS NULL AND (CAST(id AS TEXT) = ?1 OR ext = ?1)",
                rusqlite::params![id_or_ext, now_rfc3339()],
            )
        })
    }

    fn agent_for_token(&self, token_hash: &str) -> Result<Option<AgentRow>, CoreError> {
        use rusqlite::OptionalExtension;
        self.with(|c| {
            c.query_row(
                &format!("SELECT {AGENT_COLUMNS} FROM relay_agents WHERE token_hash = ?1 AND revoked_at IS NULL"),
                [token_hash],
                agent_row,
            )
            .optional()
        })
    }

    fn is_active(&self, id: i64) -> Result<bool, CoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT count(*) > 0 FROM relay_agents WHERE id = ?1 AND revoked_at IS NULL",
                [id],
                |r| r.get(0),
            )
        })
    }

    fn set_connected(&self, id: i64, connected: bool) -> Result<(), CoreError> {
        self.with(|c| {
            c.execute(
                "UPDATE relay_agents SET connected = max(0, connected + ?2), last_seen_at = ?3 WHERE id = ?1",
                rusqlite::params![id, if connected { 1 } else { -1 }, now_rfc3339()],
            )
        })
        .map(|_| ())
    }

    fn reset_connections(&self) -> Result<(), CoreError> {
        self.with(|c| c.execute("UPDATE relay_agents SET connected = 0", []))
            .map(|_| ())
    }

    fn events_after(&self, seq: i64, limit: usize) -> Result<Vec<JournalEntry>, CoreError> {
        self.db().events_after(seq, limit)
    }

    fn kept(&self) -> Result<Kept, CoreError> {
        self.db().kept()
    }

    fn status(&self) -> Result<RelayStatus, CoreError> {
        let midnight = rfc3339(time::OffsetDateTime::now_utc().replace_time(time::Time::MIDNIGHT));
        self.with(|c| {
            let agents = c
                .prepare(&format!(
                    "SELECT {AGENT_COLUMNS} FROM relay_agents ORDER BY id"
                ))?
                .query_map([], agent_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let last_pbx_request =
                c.query_row("SELECT max(received_at) FROM journal", [], |r| r.get(0))?;
            let events_today = c.query_row(
                "SELECT count(*) FROM journal WHERE cmd = 'event' AND received_at >= ?1",
                [&midnight],
                |r| r.get(0),
            )?;
            Ok((agents, last_pbx_request, events_today))
        })
        .and_then(|(agents, last_pbx_request, events_today)| {
            Ok(RelayStatus {
                agents,
                last_pbx_request,
                events_today,
                kept: self.kept()?,
            })
        })
    }
}

/// The relay makes no notification decisions of its own.
struct NoDecisions;

impl Notifier for NoDecisions {
    fn notify(&self, _: Notice) {}
}

/// What the relay's handlers share.
/// A live event, already encoded for the wire (once for every agent); `None`
/// when the encoder fell behind and agents must catch up from the store.
#[derive(Clone)]
struct Encoded(Option<(i64, axum::extract::ws::Utf8Bytes)>);

#[derive(Clone)]
struct RelayState {
    store: Arc<dyn RelayStore>,
    live: broadcast::Sender<Encoded>,
    hook: HookState,
}

impl RelayState {
    /// An event with its caller from the shared book.
    fn streamed(&self, entry: JournalEntry) -> ToAgent {
        let caller = entry
            .fields
            .iter()
            .find(|(k, _)| k == "phone")
            .and_then(|(_, phone)| self.hook.known_caller(phone));
        ToAgent::Event(StreamedEvent { entry, caller })
    }
}

/// The relay's HTTP application: the PBX's webhook (as in direct mode) and the
/// agents' WebSocket endpoint.
pub fn relay_app(data: &DataDir, config: Config) -> Result<Router, CoreError> {
    let store = Arc::new(SqliteRelayStore::open(data)?);
    store.reset_connections()?;
    let keep_days = config.relay_keep_days;
    let (feed, mut stored) = broadcast::channel(FEED_BUFFER);
    let engine = Engine::open_with_feed(data, config, Arc::new(NoDecisions), Some(feed))?;
    tokio::spawn(prune_every_hour(engine.state.writer.clone(), keep_days));
    let (live, _) = broadcast::channel(FEED_BUFFER);
    let state = RelayState {
        store,
        live: live.clone(),
        hook: engine.state.clone(),
    };
    // Each stored event is encoded once and handed to every agent's connection.
    let encoder = state.clone();
    tokio::spawn(async move {
        loop {
            match stored.recv().await {
                Ok(entry) => {
                    let text = encode(&encoder.streamed((*entry).clone()));
                    let _ = live.send(Encoded(Some((entry.seq, text))));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let _ = live.send(Encoded(None));
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    Ok(router(engine.state).merge(
        Router::new()
            .route(AGENT_PATH, axum::routing::get(agent_socket))
            .with_state(state),
    ))
}

/// How often the relay drops events older than it keeps.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Drops events (and calls) older than `keep_days`, at start and every hour.
async fn prune_every_hour(writer: Writer, keep_days: u32) {
    let mut every = tokio::time::interval(PRUNE_EVERY);
    loop {
        every.tick().await;
        let before = time::OffsetDateTime::now_utc() - time::Duration::days(keep_days.into());
        match writer.prune(before).await {
            Ok(pruned) if pruned != Pruned::default() => tracing::info!(
                keep_days,
                journal_rows = pruned.journal_rows,
                calls = pruned.calls,
                "dropped events older than the relay keeps"
            ),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "could not drop old events; will retry in an hour")
            }
        }
    }
}

#[derive(Deserialize)]
struct After {
    #[serde(default)]
    after: i64,
}

fn refuse(status: StatusCode, message: &'static str) -> Response {
    (status, message).into_response()
}

async fn agent_socket(
    State(relay): State<RelayState>,
    Query(After { after }): Query<After>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "send the agent's token (the join code's part after #) as Authorization: Bearer",
        );
    };
    let hash = token_hash(token.trim());
    let store = Arc::clone(&relay.store);
    let agent = match tokio::task::spawn_blocking(move || store.agent_for_token(&hash)).await {
        Ok(Ok(Some(agent))) => agent,
        Ok(Ok(None)) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "this join code is not valid or was revoked; ask the admin for a new one",
            )
        }
        _ => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the relay's store failed; try again",
            )
        }
    };
    // Agents send little (a dial now and then): a small read buffer keeps each
    // connection's memory low (the default is 128 KiB).
    upgrade
        .read_buffer_size(AGENT_READ_BUFFER)
        .on_upgrade(move |socket| async move {
            let (id, ext) = (agent.id, agent.ext.clone());
            let _ = relay.store.set_connected(id, true);
            tracing::info!(agent = id, ext, "an agent connected");
            if let Err(e) = stream_to_agent(&relay, &agent, after, socket).await {
                tracing::info!(agent = id, error = %e, "an agent's connection ended");
            }
            let _ = relay.store.set_connected(id, false);
        })
}

type Sent = Result<(), axum::Error>;

fn encode(message: &ToAgent) -> axum::extract::ws::Utf8Bytes {
    serde_json::to_string(message)
        .expect("messages serialise")
        .into()
}

async fn send(
    socket: &mut futures_util::stream::SplitSink<WebSocket, Message>,
    message: &ToAgent,
) -> Sent {
    socket.send(Message::Text(encode(message))).await
}

/// Sends an agent what it has not seen yet from the store; the last sequence number sent.
async fn send_backlog(
    relay: &RelayState,
    socket: &mut futures_util::stream::SplitSink<WebSocket, Message>,
    mut sent: i64,
) -> Result<i64, axum::Error> {
    loop {
        let store = Arc::clone(&relay.store);
        let page = tokio::task::spawn_blocking(move || store.events_after(sent, BACKLOG_PAGE))
            .await
            .map_err(axum::Error::new)?
            .map_err(axum::Error::new)?;
        let full = page.len() == BACKLOG_PAGE;
        for entry in page {
            sent = entry.seq;
            send(socket, &relay.streamed(entry)).await?;
        }
        if !full {
            return Ok(sent);
        }
    }
}

async fn stream_to_agent(
    relay: &RelayState,
    agent: &AgentRow,
    after: i64,
    socket: WebSocket,
) -> Sent {
    // Subscribe before reading the store, so nothing falls between the two.
    let mut live = relay.live.subscribe();
    let (mut out, mut incoming) = socket.split();
    let kept = {
        let store = Arc::clone(&relay.store);
        tokio::task::spawn_blocking(move || store.kept())
            .await
            .map_err(axum::Error::new)?
            .map_err(axum::Error::new)?
    };
    send(
        &mut out,
        &ToAgent::Hello {
            ext: agent.ext.clone(),
            head: kept.head,
            pruned_event: kept.pruned_event,
            pruned_before: kept.pruned_before,
        },
    )
    .await?;
    let mut sent = send_backlog(relay, &mut out, after).await?;
    let (replies, mut answered) = mpsc::channel::<ToAgent>(16);
    let mut ping = tokio::time::interval(PING_EVERY);
    loop {
        tokio::select! {
            entry = live.recv() => match entry {
                Ok(Encoded(Some((seq, text)))) => {
                    sent = send_live(relay, &mut out, &mut live, sent, seq, text).await?;
                }
                // This agent, or the encoder, fell behind: catch up from the store.
                Ok(Encoded(None)) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    sent = send_backlog(relay, &mut out, sent).await?;
                }
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
            message = incoming.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    if let Ok(FromAgent::Dial { id, to }) = serde_json::from_str(&text) {
                        let config = relay.hook.config.load_full();
                        let (ext, replies) = (agent.ext.clone(), replies.clone());
                        tokio::spawn(async move {
                            let _ = replies.send(dial_for_agent(&config, &ext, id, &to).await).await;
                        });
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(()),
                Some(Ok(_)) => {}
            },
            Some(reply) = answered.recv() => send(&mut out, &reply).await?,
            _ = ping.tick() => {
                // A revoked agent is let go at the next ping.
                let (store, id) = (Arc::clone(&relay.store), agent.id);
                let active = tokio::task::spawn_blocking(move || store.is_active(id))
                    .await
                    .map_err(axum::Error::new)?
                    .map_err(axum::Error::new)?;
                if !active {
                    return Ok(());
                }
                out.send(Message::Ping(Default::default())).await?;
            }
        }
    }
}

/// Sends a live event and every other one already waiting, in one write (a burst
/// of calls costs each agent's connection one flush, not one per event); the
/// last sequence number sent.
async fn send_live(
    relay: &RelayState,
    out: &mut futures_util::stream::SplitSink<WebSocket, Message>,
    live: &mut broadcast::Receiver<Encoded>,
    mut sent: i64,
    seq: i64,
    text: axum::extract::ws::Utf8Bytes,
) -> Result<i64, axum::Error> {
    let mut next = Some((seq, text));
    while let Some((seq, text)) = next.take() {
        if seq > sent {
            sent = seq;
            out.feed(Message::Text(text)).await?;
        }
        next = match live.try_recv() {
            Ok(Encoded(Some(waiting))) => Some(waiting),
            Ok(Encoded(None)) | Err(broadcast::error::TryRecvError::Lagged(_)) => {
                out.flush().await?;
                return send_backlog(relay, out, sent).await;
            }
            Err(_) => None,
        };
    }
    out.flush().await?;
    Ok(sent)
}

/// Places an agent's call from the agent's own extension, with the relay's PBX token.
async fn dial_for_agent(config: &Config, ext: &str, id: u64, to: &str) -> ToAgent {
    let result = match DialNumber::parse(to) {
        Ok(number) => dial_with_account_token(config, ext, &number).await,
        Err(e) => Err(e.into()),
    };
    tracing::info!(
        ext,
        accepted = result.is_ok(),
        "an agent's call went to the PBX"
    );
    match result {
        Ok(accepted) => ToAgent::Dialed {
            id,
            ok: true,
            message: accepted.reply,
        },
        Err(e) => ToAgent::Dialed {
            id,
            ok: false,
            message: e.to_string(),
        },
    }
}

/// Serves the relay's `app` on `addr` until `shutdown`: with TLS from PEM files
/// (`tls` = certificate chain, private key), or plain HTTP, which is refused on
/// anything but loopback (put a TLS reverse proxy in front instead). `ready`
/// gets the address it listens on, as a URL.
pub async fn serve_relay(
    app: Router,
    addr: std::net::SocketAddr,
    tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
    ready: impl FnOnce(String),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), CoreError> {
    let listen_error = |source| CoreError::Listen { addr, source };
    let Some((cert, key)) = tls else {
        if !addr.ip().is_loopback() {
            return Err(CoreError::Config(format!(
                "refusing plain HTTP on {addr}: give --tls-cert and --tls-key, or listen on 127.0.0.1 behind a TLS reverse proxy"
            )));
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(listen_error)?;
        ready(format!(
            "http://{}",
            listener.local_addr().map_err(listen_error)?
        ));
        return axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(listen_error);
    };
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
        .await
        .map_err(|e| {
            CoreError::Config(format!(
                "cannot use the TLS certificate {} and key {}: {e}",
                cert.display(),
                key.display()
            ))
        })?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(5)));
    });
    let server = axum_server::bind_rustls(addr, config)
        .handle(handle.clone())
        .serve(app.into_make_service());
    let serving = tokio::spawn(server);
    if let Some(bound) = handle.listening().await {
        ready(format!("https://{bound}"));
    }
    serving
        .await
        .map_err(|e| listen_error(std::io::Error::other(e)))?
        .map_err(listen_error)
}
