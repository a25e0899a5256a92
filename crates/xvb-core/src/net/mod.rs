//! Serving HTTP to whoever can connect — the PBX on a LAN or the internet, the
//! relay's agents, the app's own loopback servers — with every connection
//! bounded (SECURITY.md): a deadline for a request's headers (which also ends
//! a keep-alive connection left idle) and for its body, a deadline for the TLS
//! handshake, a cap on connections open at once (also per peer address, where
//! asked), and the process's descriptor limit raised as far as it goes.
//!
//! At the cap, a new connection pushes out the oldest one that has no request
//! in hand (a slow or idle client), so a flood of idle connections cannot keep
//! the PBX's webhooks out; only when every connection is serving a request is
//! the new one turned away.
//!
//! - [`connections`] — the open connections, the caps and who gets pushed out;
//! - [`bodies`] — the request body's deadline, and a response body that keeps
//!   its connection marked busy until it is sent;
//! - [`tls`] — the relay's certificate and key, read from PEM files;
//! - [`descriptors`] — the descriptor limit.
//!
//! Uses hyper (HTTP/1.1 with upgrades, for the relay's WebSocket) under axum's
//! router; nothing above it knows.

mod bodies;
mod connections;
mod descriptors;
mod tls;

pub use descriptors::descriptor_limit;
pub use tls::acceptor_from_pem;

use bodies::{BusyBody, DeadlineBody};
use connections::{Connections, Slot};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// How long a client may take to send a request's headers, and how long a
/// keep-alive connection may sit idle between requests.
pub const HEADER_DEADLINE: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's body, from its headers.
pub const BODY_DEADLINE: Duration = Duration::from_secs(10);
/// How long a TLS handshake may take.
pub const HANDSHAKE_DEADLINE: Duration = Duration::from_secs(10);
/// How long a stopping server waits for requests in hand.
const DRAIN: Duration = Duration::from_secs(5);
/// Descriptors kept for everything but connections (database, logs, outgoing).
const RESERVED_DESCRIPTORS: u64 = 128;

/// What one server allows.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections open at once.
    pub connections: usize,
    /// Connections open at once from one address (`None`: no per-address cap).
    pub per_peer: Option<usize>,
    /// Addresses exempt from the per-address cap: a trusted reverse proxy,
    /// through which many clients come.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Limits {
    /// For a public server (the listener, the relay): as many connections as
    /// the descriptor limit leaves room for, up to `most`.
    pub fn public(most: usize) -> Limits {
        let room = descriptor_limit()
            .saturating_sub(RESERVED_DESCRIPTORS)
            .max(16);
        Limits {
            connections: most.min(usize::try_from(room).unwrap_or(usize::MAX)),
            per_peer: None,
            trusted_proxies: Vec::new(),
        }
    }

    /// For the app's servers on loopback (the player's, the test hook's): few.
    pub fn loopback() -> Limits {
        Limits::public(256)
    }
}

/// Serves `app` on `listener` over plain HTTP in the background, for as long
/// as the process runs (the app's loopback servers, a relay's metrics).
pub fn spawn_plain(listener: TcpListener, app: axum::Router, limits: Limits) {
    tokio::spawn(serve(listener, app, None, limits, std::future::pending()));
}

/// Serves `app` on `listener` (over TLS with `tls`) within `limits` until
/// `shutdown`; then stops accepting, lets requests in hand finish (5 s at
/// most) and returns. WebSocket connections already upgraded live on.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    tls: Option<TlsAcceptor>,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let open = Connections::new(limits.connections, limits.per_peer);
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors (or a connection reset before accept):
                    // let connections end rather than spin.
                    tracing::warn!(error = %e, "could not accept a connection; retrying shortly");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let capped = !limits.trusted_proxies.contains(&peer.ip());
        let Some(slot) = open.admit(peer.ip(), capped) else {
            tracing::warn!(%peer, "every connection is serving a request; turned one away");
            continue;
        };
        let (app, stop) = (app.clone(), stop.clone());
        let tls = tls.clone();
        tasks.spawn(async move {
            match tls {
                None => serve_connection(stream, slot, app, stop).await,
                Some(tls) => {
                    let handshake = tokio::time::timeout(HANDSHAKE_DEADLINE, tls.accept(stream));
                    match handshake.await {
                        Ok(Ok(stream)) => serve_connection(stream, slot, app, stop).await,
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "a TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "a TLS handshake took too long; closed"),
                    }
                }
            }
        });
        // Reap finished connections so the set does not grow.
        while tasks.try_join_next().is_some() {}
    }
    // The port is free at once (a listener on the same port elsewhere can bind it),
    // while the requests in hand finish.
    drop(listener);
    let _ = stopping.send(true);
    let _ = tokio::time::timeout(DRAIN, async { while tasks.join_next().await.is_some() {} }).await;
}

/// One connection: requests until the client leaves, a deadline passes, the
/// connection is pushed out while idle, or the server stops.
async fn serve_connection<S>(
    stream: S,
    slot: Slot,
    app: axum::Router,
    mut stop: tokio::sync::watch::Receiver<bool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let evicted = slot.evicted();
    let busy = slot.busy();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut working = busy.start();
        let request =
            request.map(|body| axum::body::Body::new(DeadlineBody::new(body, BODY_DEADLINE)));
        let app = app.clone();
        async move {
            let response = app
                .oneshot(request)
                .await
                .unwrap_or_else(|e: Infallible| match e {});
            if response.status() == hyper::StatusCode::SWITCHING_PROTOCOLS {
                working.keep();
            }
            Ok::<_, Infallible>(response.map(|body| BusyBody::new(body, working)))
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_DEADLINE)
        .serve_connection(TokioIo::new(slot.wrap(stream)), service)
        .with_upgrades();
    tokio::pin!(connection);
    let mut draining = false;
    loop {
        tokio::select! {
            ended = connection.as_mut() => {
                if let Err(e) = ended {
                    tracing::debug!(error = %e, "a connection ended with an error");
                }
                return;
            }
            () = evicted.notified() => {
                tracing::debug!("an idle connection was closed to make room");
                return;
            }
            Ok(()) = stop.changed(), if !draining => {
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}
