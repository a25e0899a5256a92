//! A tunnel for a single agent in direct mode: the listener's port exposed on a
//! `bore` server the admin runs (bore-cli as a library), so the PBX can reach an
//! agent behind NAT. The tunnel is re-opened whenever it drops (with backoff).
//! bore carries plain TCP, so the PBX's requests travel as plain HTTP unless a
//! TLS proxy sits in front of the bore server (see the README).

use super::backoff::Backoff;
use crate::config::Config;
use crate::secret::{Secret, SecretKind, TokenStore};
use tokio::sync::watch;

/// The state of the tunnel.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TunnelStatus {
    /// Asking the bore server for a port.
    Opening,
    /// Open at a public base URL.
    Open {
        /// `http://server:port`.
        url: String,
    },
    /// Waiting to re-open, and why it closed.
    Reopening {
        /// The wait, in milliseconds.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        wait_ms: u64,
        /// What went wrong.
        reason: String,
    },
}

impl std::fmt::Display for TunnelStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TunnelStatus::Opening => write!(f, "opening"),
            TunnelStatus::Open { url } => write!(f, "open at {url}"),
            TunnelStatus::Reopening { wait_ms, reason } => {
                write!(f, "re-opening in {} ({reason})", super::seconds(*wait_ms))
            }
        }
    }
}

/// Why the tunnel closed, when this app can say it (else bore's own words):
/// the reason a [`TunnelStatus::Reopening`] carries as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TunnelClosed {
    /// The bore server ended it.
    ByServer,
    /// The bore server could not be asked for a port.
    NotOpened {
        /// The bore server.
        server: String,
        /// What bore said.
        detail: String,
    },
}

impl std::fmt::Display for TunnelClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TunnelClosed::ByServer => write!(f, "the bore server closed the tunnel"),
            TunnelClosed::NotOpened { server, detail } => {
                write!(f, "cannot open a tunnel on {server}: {detail}")
            }
        }
    }
}

/// Where to tunnel to.
#[derive(Debug, Clone)]
pub struct TunnelTarget {
    /// The bore server's host.
    pub server: String,
    /// The public port to ask for (0: any free one).
    pub port: u16,
    /// The bore server's secret, if it has one.
    pub secret: Option<Secret>,
}

/// Environment variable with the bore secret, for headless agents without a keyring.
pub const TUNNEL_SECRET_ENV: &str = "XVB_TUNNEL_SECRET";

impl TunnelTarget {
    /// The tunnel the settings ask for, if any; its secret from `XVB_TUNNEL_SECRET`
    /// or the keyring (blocking: it talks to the keyring).
    pub fn from_config(config: &Config) -> Option<TunnelTarget> {
        let server = config.tunnel_server.clone()?;
        let from_env = std::env::var(TUNNEL_SECRET_ENV)
            .ok()
            .and_then(|v| Secret::new(v).ok());
        let secret = from_env.or_else(|| {
            TokenStore::of_kind(config.access_code.as_deref(), SecretKind::TunnelSecret)
                .and_then(|store| store.load())
                .ok()
        });
        Some(TunnelTarget {
            server,
            port: config.tunnel_port,
            secret,
        })
    }
}

/// A running tunnel; dropping it closes the tunnel.
pub struct Tunnel {
    /// Its state, updated as it changes.
    pub status: watch::Receiver<TunnelStatus>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Keeps `local_port` (on 127.0.0.1) exposed through `target`.
pub fn start(target: TunnelTarget, local_port: u16) -> Tunnel {
    let (status, receiver) = watch::channel(TunnelStatus::Opening);
    let task = tokio::spawn(async move {
        let mut backoff = Backoff::new();
        loop {
            status.send_replace(TunnelStatus::Opening);
            let secret = target.secret.as_ref().map(Secret::expose);
            let reason = match bore_cli::client::Client::new(
                "127.0.0.1",
                local_port,
                &target.server,
                target.port,
                secret,
            )
            .await
            {
                Ok(client) => {
                    let public = format!("http://{}:{}", target.server, client.remote_port());
                    tracing::info!(%public, "tunnel open");
                    backoff.reset();
                    status.send_replace(TunnelStatus::Open { url: public });
                    match client.listen().await {
                        Ok(()) => TunnelClosed::ByServer.to_string(),
                        Err(e) => e.to_string(),
                    }
                }
                Err(e) => TunnelClosed::NotOpened {
                    server: target.server.clone(),
                    detail: e.to_string(),
                }
                .to_string(),
            };
            if status.is_closed() {
                return;
            }
            let wait = backoff.next();
            tracing::warn!(%reason, "the tunnel closed; re-opening");
            status.send_replace(TunnelStatus::Reopening {
                wait_ms: wait.as_millis() as u64,
                reason,
            });
            tokio::time::sleep(wait).await;
        }
    });
    Tunnel {
        status: receiver,
        task,
    }
}
