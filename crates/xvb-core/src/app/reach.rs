//! How the app takes the PBX's events: its own listener (restarted when the
//! address changes), plus a tunnel; or the team relay it joined instead. The
//! state of whichever is in use is the one [`Reach`] line.

use super::messages::ListenTrouble;
use super::{Companion, ErrorCode, SettingsView, UiError};
use crate::listener::router;
use crate::reach::link::{RelayDialer, RelayLink};
use crate::reach::relay::JoinCode;
use crate::reach::tunnel::{self, Tunnel, TunnelTarget};
use crate::reach::Reach;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{oneshot, watch};

/// The app's own webhook listener.
pub(super) struct RunningListener {
    /// The address bound.
    pub(super) addr: SocketAddr,
    stop: oneshot::Sender<()>,
}

impl RunningListener {
    fn stop(self) {
        let _ = self.stop.send(());
    }
}

/// What keeps the PBX's events coming besides the listener (dropping it stops it).
pub(super) enum Running {
    /// Events from the team relay; dials go through it.
    Relay(RelayLink),
    /// The listener exposed through a tunnel.
    Tunnel { _kept_open: Tunnel },
}

impl Companion {
    /// (Re)starts the listener on the configured address. The old one stops only
    /// once the new address is bound, so a bad address leaves the app listening;
    /// on the same port, the old one lets go first and is taken back on failure.
    pub async fn start_listener(&self) -> Result<SocketAddr, UiError> {
        let mut running = self.listener.lock().await;
        let wanted = self.config().listen;
        let bound = match tokio::net::TcpListener::bind(wanted).await {
            // The same port on another address (this computer → the LAN): the
            // old listener holds it. Let it go first; take it back if the new
            // address cannot be had.
            Err(e)
                if e.kind() == std::io::ErrorKind::AddrInUse
                    && running
                        .as_ref()
                        .is_some_and(|old| old.addr.port() == wanted.port()) =>
            {
                let old = running.take().expect("checked");
                let old_addr = old.addr;
                old.stop();
                match bind_soon(wanted).await {
                    Ok(listener) => Ok(listener),
                    Err(e) => {
                        let back = bind_soon(old_addr).await.map_err(|source| {
                            let trouble = ListenTrouble::NotBack {
                                addr: old_addr,
                                source,
                            };
                            UiError::new(ErrorCode::Listen, &trouble)
                        })?;
                        self.serve_listener(&mut running, back)?;
                        Err(e)
                    }
                }
            }
            bound => bound,
        };
        let listener = bound.map_err(|source| {
            let trouble = ListenTrouble::Taken {
                addr: wanted,
                source,
            };
            UiError::in_field(ErrorCode::Listen, "listen", &trouble)
        })?;
        self.serve_listener(&mut running, listener)
    }

    /// Serves the PBX's webhooks on `listener`, stopping the listener `running` had.
    fn serve_listener(
        &self,
        running: &mut Option<RunningListener>,
        listener: tokio::net::TcpListener,
    ) -> Result<SocketAddr, UiError> {
        let addr = listener
            .local_addr()
            .map_err(|e| UiError::new(ErrorCode::Listen, &ListenTrouble::Address(e)))?;
        if let Some(old) = running.take() {
            old.stop();
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(self.state.clone());
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            let limits = crate::net::Limits::public(crate::listener::engine::LISTENER_CONNECTIONS);
            crate::net::serve(listener, app, None, limits, shutdown).await;
        });
        tracing::info!(%addr, "listening for the PBX");
        *running = Some(RunningListener { addr, stop });
        Ok(addr)
    }
}

/// Binds `addr`, trying for a second while a listener that was just stopped lets go of it.
async fn bind_soon(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(1);
    loop {
        match tokio::net::TcpListener::bind(addr).await {
            Err(e)
                if e.kind() == std::io::ErrorKind::AddrInUse
                    && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            bound => return bound,
        }
    }
}

impl Companion {
    /// How the PBX's events reach the app, for the tray and settings.
    pub fn reach(&self) -> watch::Receiver<Reach> {
        self.reach.subscribe()
    }

    /// Starts taking the PBX's events as the settings say: from the team relay
    /// joined, else on the listener (and through the tunnel, if one is set).
    pub async fn start_reach(&self) -> Result<(), UiError> {
        let mut running = self.running.lock().await;
        *running = None;
        let config = self.config();
        let for_keyring = Arc::clone(&config);
        let joined = tokio::task::spawn_blocking(move || JoinCode::joined(&for_keyring)).await??;
        if let Some(code) = joined {
            if let Some(old) = self.listener.lock().await.take() {
                old.stop();
            }
            let link = RelayLink::start(self.state.clone(), self.data.database_path(), code);
            self.show_reach(link.status(), |link| Reach::Relay { link });
            *running = Some(Running::Relay(link));
            return Ok(());
        }
        self.state.team.send_replace(None);
        self.state.team_tags.send_replace(None);
        let addr = self.start_listener().await?;
        self.reach.send_replace(Reach::Listening {
            addr: addr.to_string(),
        });
        let target =
            tokio::task::spawn_blocking(move || TunnelTarget::from_config(&config)).await?;
        if let Some(target) = target {
            let tunnel = tunnel::start(target, addr.port());
            self.show_reach(tunnel.status.clone(), |tunnel| Reach::Tunnel { tunnel });
            *running = Some(Running::Tunnel { _kept_open: tunnel });
        }
        Ok(())
    }

    /// Shows each state of `status` as the reach line, for as long as it changes.
    fn show_reach<T>(&self, mut status: watch::Receiver<T>, reach: fn(T) -> Reach)
    where
        T: Clone + Send + Sync + 'static,
    {
        let shown = Arc::clone(&self.reach);
        tokio::spawn(async move {
            loop {
                let now = status.borrow_and_update().clone();
                shown.send_replace(reach(now));
                if status.changed().await.is_err() {
                    return;
                }
            }
        });
    }

    /// Asks the team relay through its link when joined; `None` when not. The
    /// relay's answer is awaited without holding the reach lock (settings stay usable).
    pub(super) async fn relay_dialer(&self) -> Option<RelayDialer> {
        match &*self.running.lock().await {
            Some(Running::Relay(link)) => Some(link.dialer()),
            _ => None,
        }
    }

    /// Dials through the team relay when joined; `None` when not.
    pub(super) async fn dial_through_relay(&self, typed: &str) -> Option<Result<String, UiError>> {
        let dialer = self.relay_dialer().await?;
        Some(
            dialer
                .dial(typed)
                .await
                .map_err(|e| UiError::new(ErrorCode::Dial, &e)),
        )
    }

    /// Joins the team relay of a join code: the app then takes its events from it
    /// (and dials through it) instead of listening.
    pub async fn join_relay(&self, code: &str) -> Result<SettingsView, UiError> {
        let code = JoinCode::parse(code).map_err(|e| UiError::new(ErrorCode::Relay, &e))?;
        let relay = code.relay.as_str().trim_end_matches('/').to_owned();
        let account = self.config().access_code.clone();
        tokio::task::spawn_blocking(move || code.store_token(account.as_deref())).await??;
        self.set_relay(Some(relay)).await
    }

    /// Leaves the team relay: back to listening directly.
    pub async fn leave_relay(&self) -> Result<SettingsView, UiError> {
        self.set_relay(None).await
    }

    async fn set_relay(&self, relay: Option<String>) -> Result<SettingsView, UiError> {
        // From the file: the settings in use carry the old relay's extension.
        let mut config = self.data.load_config()?;
        config.relay_url = relay;
        self.data.save_config(&config)?;
        self.state.config.store(Arc::new(config));
        self.start_reach().await?;
        Ok(self.settings().await)
    }
}
