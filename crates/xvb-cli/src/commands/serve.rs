//! `xvb serve`: the webhook listener (or, with `--relay`, a relay's agent), printing
//! one line per notification decision until Ctrl-C or SIGTERM.

mod popup;

use super::relay_access::join_code;
use super::{bind, multi_thread_runtime, shutdown_signal, WHOLE};
use crate::error::CliError;
use crate::outside::{out, say};
use popup::{Popped, Popups};
use std::net::SocketAddr;
use std::sync::Arc;
use xvb_core::config::{masked_webhook_url, Config, DataDir};
use xvb_core::listener::Engine;
use xvb_core::pbx::notifier::{AwaySummary, Notice, Notifier};
use xvb_core::pbx::pop::Language;
use xvb_core::reach::link::{LinkStatus, RelayLink};
use xvb_core::reach::relay::JoinCode;
use xvb_core::reach::tunnel::{self, TunnelStatus, TunnelTarget};
use xvb_core::reach::Reach;

/// Prints each decision as one line on stdout, and pops it when asked.
pub(crate) struct ServeNotifier {
    popups: Option<Popups>,
}

impl ServeNotifier {
    /// Prints decisions; with a language, also shows them as desktop notifications.
    pub(crate) fn new(pops: Option<Language>) -> ServeNotifier {
        ServeNotifier {
            popups: pops.map(Popups::start),
        }
    }
}

impl Notifier for ServeNotifier {
    fn notify(&self, notice: Notice) {
        say!("{notice}");
        if let Some(popups) = &self.popups {
            popups.show(Popped::Call(Box::new(notice)));
        }
    }

    fn away(&self, summary: AwaySummary) {
        out!("{summary}");
        if let Some(popups) = &self.popups {
            popups.show(Popped::Away(summary));
        }
    }
}

/// Runs `xvb serve`: through the relay given (or joined), else listening directly.
pub(crate) fn run(
    data: &DataDir,
    listen: Option<SocketAddr>,
    code: Option<String>,
    notify: bool,
) -> Result<(), CliError> {
    let config = data.load_config()?;
    let pops = notify.then(|| Language::pick(config.language.as_deref()));
    match join_code(data, code)? {
        Some(code) => serve_agent(data, code, ServeNotifier::new(pops)),
        None => serve(data, config, listen, pops),
    }
}

fn serve(
    data: &DataDir,
    config: Config,
    listen: Option<SocketAddr>,
    pops: Option<Language>,
) -> Result<(), CliError> {
    let addr = listen.unwrap_or(config.listen);
    if config.access_code.is_none() {
        tracing::warn!("no access_code configured: every PBX request will be refused with 403; run `xvb config set access_code <account>`");
    }
    multi_thread_runtime()?.block_on(async {
        let (listener, bound) = bind(addr).await?;
        let mut shown = config.clone();
        shown.listen = bound;
        let webhook = shown.masked_webhook_url();
        let tunnel = TunnelTarget::from_config(&config);
        let access_code = config.access_code.clone();
        let engine = Engine::open(data, config, Arc::new(ServeNotifier::new(pops)))?;
        xvb_core::contacts::sources::sync::start(
            xvb_core::contacts::sources::SourceStore::Sqlite(data.database_path()),
            access_code,
        );
        out!("listening on http://{bound}");
        out!("webhook URL: {webhook} {WHOLE}");
        // Kept until the listener ends.
        let _tunnel = tunnel.map(|target| {
            let tunnel = tunnel::start(target, bound.port());
            let mut status = tunnel.status.clone();
            tokio::spawn(async move {
                while status.changed().await.is_ok() {
                    let tunnel = status.borrow_and_update().clone();
                    out!(
                        "{}",
                        Reach::Tunnel {
                            tunnel: tunnel.clone()
                        }
                    );
                    if let TunnelStatus::Open { url: public } = tunnel {
                        // bore carries plain HTTP: a public_url (a TLS proxy in front) wins.
                        if shown.public_url.is_none() {
                            let webhook = format!("{public}/hook/{}", shown.webhook_secret);
                            out!("webhook URL: {} {WHOLE}", masked_webhook_url(&webhook));
                        }
                    }
                }
            });
            tunnel
        });
        engine.serve(listener, shutdown_signal()).await;
        Ok(())
    })
}

/// `xvb serve --relay`: a headless agent connected to a relay, printing its decisions.
fn serve_agent(data: &DataDir, code: JoinCode, notifier: ServeNotifier) -> Result<(), CliError> {
    let config = data.load_config()?;
    multi_thread_runtime()?.block_on(async {
        let engine = Engine::open(data, config, Arc::new(notifier))?;
        out!("relay: {}", code.relay.as_str().trim_end_matches('/'));
        let link = RelayLink::start(engine.state, data.database_path(), code);
        let mut status = link.status();
        let shutdown = shutdown_signal();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = &mut shutdown => return Ok(()),
                changed = status.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                    let link = status.borrow_and_update().clone();
                    if link == LinkStatus::Refused {
                        // Said once, as the error `xvb` ends with: the link tries no more.
                        return Err(CliError::Failed(Reach::Relay { link }.to_string()));
                    }
                    out!("{}", Reach::Relay { link });
                }
            }
        }
    })
}
