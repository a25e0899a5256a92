//! The connection loop: connect with the join code's token, take the relay's
//! stream (hello, events, notes, the team's view, tags, answers) and send
//! what the agent asks; on any end, back off and connect again — unless the
//! relay refused the join code, which ends the link.

use super::ask::{answer, Answer, DialJob};
use super::stored::{store, store_note};
use super::{Link, LinkStatus};
use crate::listener::HookState;
use crate::reach::backoff::Backoff;
use crate::reach::catch_up::CatchUp;
use crate::reach::relay::wire::{ToAgent, PING_EVERY};
use crate::reach::relay::RelayError;
use crate::store::{is_note, Database};
use crate::CoreError;
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// A relay silent this long (three missed pings) is taken as gone.
const SILENCE: Duration = Duration::from_secs(3 * PING_EVERY.as_secs());

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

pub(super) async fn keep_connected(link: Link, mut dials: mpsc::Receiver<DialJob>) {
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
            Err(RelayError::Refused) => return refused(status, dials).await,
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

/// The relay refused the join code (revoked or mistyped): said once, and no
/// connection tried again — another attempt with the same code cannot succeed.
/// Dials fail with the reason until the link is dropped (a new code starts a new link).
async fn refused(
    status: &tokio::sync::watch::Sender<LinkStatus>,
    mut dials: mpsc::Receiver<DialJob>,
) {
    tracing::warn!("the relay refused this join code; not trying it again");
    status.send_replace(LinkStatus::Refused);
    while let Some((_, reply)) = dials.recv().await {
        let _ = reply.send(Err(RelayError::Refused));
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
                        let after = if reset { 0 } else { after };
                        // What this store holds already counts as back (a
                        // retried note's answer may point at it).
                        link.stored.send_replace(after);
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
                    // History from a group this agent joined: stored, never popped.
                    Ok(ToAgent::Backfill(streamed)) if is_note(&streamed.entry) => {
                        store_note(state, streamed.entry).await?;
                    }
                    Ok(ToAgent::Backfill(streamed)) => {
                        store(state, streamed).await?;
                    }
                    Ok(ToAgent::Tags { tags }) => {
                        state.team_tags.send_replace(Some(tags));
                    }
                    Ok(ToAgent::Team(view)) => {
                        state.team.send_replace(Some(Arc::new(*view)));
                    }
                    Ok(ToAgent::Dialed { id, ok, message }) => answer(&mut waiting, id, ok, message, None),
                    Ok(ToAgent::Reported { id, report }) => {
                        let text = serde_json::to_string(&report).expect("serialises");
                        answer(&mut waiting, id, true, text, None);
                    }
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
