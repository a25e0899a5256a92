//! Serving the relay: with TLS from PEM files, or plain HTTP on loopback only,
//! every connection bounded ([`crate::net`]).

use crate::net::{acceptor_from_pem, Limits};
use crate::CoreError;
use axum::Router;
use std::net::IpAddr;

/// Connections a relay node keeps open at most: its agents' WebSockets and
/// the PBX's webhooks (fewer where the descriptor limit is lower).
pub const RELAY_CONNECTIONS: usize = 20_000;
/// Connections from one address at most (a trusted proxy is exempt): an
/// office behind one NAT address is a few dozen agents.
pub const RELAY_CONNECTIONS_PER_ADDRESS: usize = 256;

/// Serves the relay's `app` on `addr` until `shutdown`: with TLS from PEM files
/// (`tls` = certificate chain, private key), or plain HTTP, which is refused on
/// anything but loopback (put a TLS reverse proxy in front instead, and name it
/// in `trusted_proxies` so its connections are not capped as one address).
/// `ready` gets the address it listens on, as a URL.
pub async fn serve_relay(
    app: Router,
    addr: std::net::SocketAddr,
    tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
    trusted_proxies: Vec<IpAddr>,
    ready: impl FnOnce(String),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), CoreError> {
    let listen_error = |source| CoreError::Listen { addr, source };
    let acceptor = match tls {
        Some((cert, key)) => Some(acceptor_from_pem(&cert, &key).map_err(CoreError::Config)?),
        None if !addr.ip().is_loopback() => {
            return Err(CoreError::Config(format!(
                "refusing plain HTTP on {addr}: give --tls-cert and --tls-key, or listen on 127.0.0.1 behind a TLS reverse proxy"
            )))
        }
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(listen_error)?;
    let bound = listener.local_addr().map_err(listen_error)?;
    let scheme = if acceptor.is_some() { "https" } else { "http" };
    ready(format!("{scheme}://{bound}"));
    let limits = Limits {
        per_peer: Some(RELAY_CONNECTIONS_PER_ADDRESS),
        trusted_proxies,
        ..Limits::public(RELAY_CONNECTIONS)
    };
    crate::net::serve(listener, app, acceptor, limits, shutdown).await;
    Ok(())
}
