//! The relay's HTTP application: the PBX's webhook (as in direct mode), the
//! agents' WebSocket endpoint, each stored event encoded once for every agent,
//! and retention (events older than `relay_keep_days` dropped every hour).

use super::agents::{token_hash, RelayStore};
use super::guard::{Guard, CONNECTIONS_PER_AGENT};
use super::metrics::{serve_metrics, time_webhook, Counting, RelayMetrics, METRICS_PATH};
use super::notes::{keep_tags_fresh, take_removals};
use super::routes::{keep_routing_fresh, Routes};
use super::state::{encode, After, Encoded, Live, RelayState};
use super::status::after_call_work;
use super::stream::stream_to_agent;
use super::team::keep_fresh;
use super::wire::{ToAgent, AGENT_PATH, HEALTH_PATH};
use crate::config::{Config, DataDir};
use crate::listener::{router, Engine};
use crate::store::{is_note, Pruned, Writer};
use crate::CoreError;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch, Notify};

/// Events buffered for agents that read slowly (beyond it they catch up from the store).
const FEED_BUFFER: usize = 4096;
/// Read buffer of an agent's connection.
const AGENT_READ_BUFFER: usize = 4 * 1024;
/// The largest message (and frame) an agent may send; past it the connection
/// is closed with 1009. A note of 4,000 characters is ≈ 16 KiB as JSON.
pub const AGENT_MESSAGE_LIMIT: usize = 64 * 1024;

/// The relay's HTTP application: the PBX's webhook (as in direct mode) and the
/// agents' WebSocket endpoint.
///
/// With `relay_database` set, the node stores into PostgreSQL shared with other
/// nodes and streams what any node stored (see [`super::tail`]).
pub async fn relay_app(data: &DataDir, config: Config) -> Result<Router, CoreError> {
    let store = RelayStore::open(data, &config).await?;
    store.reset_connections().await?;
    let keep_days = config.relay_keep_days;
    let metrics_at = config.relay_metrics_listen;
    let offset = config.local_offset.unwrap_or(time::UtcOffset::UTC);
    let metrics = Arc::new(RelayMetrics::new());
    let counting = Arc::new(Counting(Arc::clone(&metrics)));
    let (feed, mut stored) = broadcast::channel(FEED_BUFFER);
    let team_events = feed.subscribe();
    #[cfg(feature = "postgres")]
    let mut tail = None;
    let engine = match &store {
        RelayStore::Sqlite(_) => {
            let access_code = config.access_code.clone();
            let engine = Engine::open_with_feed(data, config, counting, Some(feed))?;
            crate::contacts::sources::sync::start(
                crate::contacts::sources::SourceStore::Sqlite(data.database_path()),
                access_code,
            );
            engine
        }
        #[cfg(feature = "postgres")]
        RelayStore::Postgres(pg) => {
            let freshness = Arc::new(super::tail::Freshness::default());
            tokio::spawn(super::tail::follow(
                pg.clone(),
                feed,
                Arc::clone(&freshness),
            ));
            tail = Some(freshness);
            let contacts = Arc::new(crate::contacts::ContactIndex::default());
            tokio::spawn(super::tail::follow_contacts(
                pg.clone(),
                Arc::clone(&contacts),
                config.access_code.clone(),
            ));
            // On this runtime: the pool's connections are driven by the
            // runtime that opened them, and the listener shares them.
            tokio::spawn(crate::contacts::sources::sync::keep_synced(
                crate::contacts::sources::SourceStore::Postgres(pg.clone()),
                config.access_code.clone(),
            ));
            let writer = crate::store::Writer::postgres(crate::store::pg::writer::PgWriter::start(
                pg.clone(),
            ));
            Engine::assemble(config, writer, contacts, counting)
        }
    };
    tokio::spawn(prune_every_hour(engine.state.writer.clone(), keep_days));
    tokio::spawn(take_removals(store.clone(), engine.state.writer.clone()));
    let (live, _) = broadcast::channel(FEED_BUFFER);
    let (team_view, team) = watch::channel(None);
    let team_changed = Arc::new(Notify::new());
    let (tags_sender, tags) = watch::channel(store.team_tags().await?);
    tokio::spawn(keep_tags_fresh(store.clone(), tags_sender));
    let (routing_sender, routing) = watch::channel(Arc::new(store.routing().await?));
    metrics.follow(routing.clone());
    tokio::spawn(keep_routing_fresh(store.clone(), routing_sender));
    tokio::spawn(keep_fresh(
        store.clone(),
        Arc::clone(&engine.state.contacts),
        team_events,
        Arc::clone(&team_changed),
        team_view,
        routing.clone(),
    ));
    let guard = Guard::start(store.clone()).await?;
    let state = RelayState {
        guard,
        routing,
        routes: Arc::new(Routes::default()),
        store,
        live: live.clone(),
        team,
        team_changed,
        tags,
        hook: engine.state.clone(),
        #[cfg(feature = "postgres")]
        tail,
    };
    // Each stored event is encoded once and handed to every agent's connection.
    let encoder = state.clone();
    let handed_over = Arc::clone(&metrics);
    tokio::spawn(async move {
        loop {
            match stored.recv().await {
                Ok(entry) => {
                    let audience = Arc::new(encoder.audience(&entry).await);
                    after_call_work(&encoder, &entry, &audience);
                    let text = encode(&ToAgent::Event(encoder.streamed((*entry).clone())));
                    let _ = live.send(Encoded(Some(Live {
                        seq: entry.seq,
                        note: is_note(&entry),
                        text,
                        audience,
                    })));
                    handed_over.handed_over(entry.received_time());
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let _ = live.send(Encoded(None));
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    if let Some(addr) = metrics_at {
        serve_metrics_on(addr, state.clone(), Arc::clone(&metrics)).await?;
    }
    let webhook =
        router(engine.state).layer(axum::middleware::from_fn_with_state(metrics, time_webhook));
    let wallboards = super::wallboard::routes(state.clone(), offset);
    Ok(webhook.merge(wallboards).merge(
        Router::new()
            .route(AGENT_PATH, axum::routing::get(agent_socket))
            .route(HEALTH_PATH, axum::routing::get(health))
            .with_state(state),
    ))
}

/// Connections the metrics' address keeps open at most (Prometheus needs one).
const METRICS_CONNECTIONS: usize = 16;

/// Serves `/metrics` on `addr` (plain HTTP) for as long as the process runs.
async fn serve_metrics_on(
    addr: std::net::SocketAddr,
    relay: RelayState,
    metrics: Arc<RelayMetrics>,
) -> Result<(), CoreError> {
    let listen_error = |source| CoreError::Listen { addr, source };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(listen_error)?;
    let bound = listener.local_addr().map_err(listen_error)?;
    tracing::info!("metrics for Prometheus on http://{bound}{METRICS_PATH}");
    let app = Router::new()
        .route(METRICS_PATH, axum::routing::get(serve_metrics))
        .with_state((relay, metrics));
    let limits = crate::net::Limits {
        per_peer: Some(METRICS_CONNECTIONS / 2),
        ..crate::net::Limits::public(METRICS_CONNECTIONS)
    };
    crate::net::spawn_plain(listener, app, limits);
    Ok(())
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

/// 200 "ready" while the node reaches its store and its contact book is
/// loaded, else 503 with what to check: what a load balancer's health check
/// asks. It is open to anyone, so it tells nothing of the stream (no position).
/// On PostgreSQL the tail's last read says so (no query: a node busy with a
/// storm of agents stays in service).
async fn health(State(relay): State<RelayState>) -> Response {
    if !relay.hook.contacts.is_loaded() {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "loading the contact book");
    }
    #[cfg(feature = "postgres")]
    if let Some(tail) = &relay.tail {
        return match tail.caught_up_to() {
            Some(_) => "ready\n".into_response(),
            None => refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "not reading the relay's database; check relay_database and PostgreSQL",
            ),
        };
    }
    match relay.store.kept().await {
        Ok(_) => "ready\n".into_response(),
        Err(_) => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "the relay's store is unreachable",
        ),
    }
}

fn refuse(status: StatusCode, message: &'static str) -> Response {
    (status, message).into_response()
}

async fn agent_socket(
    State(relay): State<RelayState>,
    Query(resume): Query<After>,
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
    let agent = match relay.store.agent_for_token(&hash).await {
        Ok(Some(agent)) => agent,
        Ok(None) => {
            tracing::debug!("refused an agent: its token is unknown or revoked");
            return refuse(
                StatusCode::UNAUTHORIZED,
                "this join code is not valid or was revoked; ask the admin for a new one",
            );
        }
        _ => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the relay's store failed; try again",
            )
        }
    };
    let Some(connected) = relay.guard.connect(agent.id) else {
        tracing::warn!(
            agent = agent.id,
            "an agent opened too many connections; refused one"
        );
        return (
            StatusCode::TOO_MANY_REQUESTS,
            format!("this join code already has {CONNECTIONS_PER_AGENT} connections to the relay; close the app on another computer, or wait a minute"),
        )
            .into_response();
    };
    // Agents send little (a dial now and then): a small read buffer keeps each
    // connection's memory low (the default is 128 KiB).
    upgrade
        .read_buffer_size(AGENT_READ_BUFFER)
        .max_message_size(AGENT_MESSAGE_LIMIT)
        .max_frame_size(AGENT_MESSAGE_LIMIT)
        .on_upgrade(move |socket| async move {
            let _connected = connected;
            let (id, ext) = (agent.id, agent.ext.clone());
            let _ = relay.store.set_connected(id, true).await;
            relay.team_changed.notify_one();
            tracing::info!(agent = id, ext, "an agent connected");
            if let Err(e) = stream_to_agent(&relay, &agent, &resume, socket).await {
                tracing::info!(agent = id, error = %e, "an agent's connection ended");
            }
            let _ = relay.store.set_connected(id, false).await;
            relay.team_changed.notify_one();
        })
}
