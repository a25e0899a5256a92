//! One agent's connection: what it has not seen from the store, then live
//! events and notes in order (a burst in one write), the recent history of a
//! group it joins (see `backfill`), the team view and tags,
//! its dials, claims, notes and pings — each within its rate, a few at a
//! time — until it leaves, stops answering pings or is revoked.

use super::backfill::{send_backfill, send_joined_while_away, Joined};
use super::dial::dial_for_agent;
use super::guard::{too_many, Ask};
use super::notes::answer_note;
use super::report::answer_report;
use super::state::{encode, After, Encoded, Live, RelayState, TeamFrame, TeamPart};
use super::status::answer_status;
use super::team::{answer_claim, ClaimAsk};
use super::wire::{FromAgent, ToAgent, PING_EVERY};
use crate::groups::Viewer;
use crate::store::{AgentRow, Kept};
use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{broadcast, mpsc, watch, OwnedSemaphorePermit, Semaphore};

/// Events read from the store at a time when an agent catches up.
const BACKLOG_PAGE: usize = 1000;

type Sent = Result<(), axum::Error>;

async fn send(socket: &mut SplitSink<WebSocket, Message>, message: &ToAgent) -> Sent {
    socket.send(Message::Text(encode(message))).await
}

/// Sends an agent what it has not seen yet from the store and may see (its
/// groups' calls; notes only if it asked for them: an app older than notes
/// would skip them, and end its catch-up there); the last sequence number read.
async fn send_backlog(
    relay: &RelayState,
    socket: &mut SplitSink<WebSocket, Message>,
    mut sent: i64,
    notes: bool,
    viewer: &Viewer,
) -> Result<i64, axum::Error> {
    loop {
        let page = relay
            .store
            .events_after(sent, BACKLOG_PAGE, notes)
            .await
            .map_err(axum::Error::new)?;
        let full = page.len() == BACKLOG_PAGE;
        for entry in page {
            sent = entry.seq;
            if relay.audience(&entry).await.reaches(viewer) {
                send(socket, &ToAgent::Event(relay.streamed(entry))).await?;
            }
        }
        if !full {
            return Ok(sent);
        }
    }
}

/// Whether a position `after` of stream `epoch` (0: unknown) is from another
/// stream than the one `kept` describes: another epoch, or past its head.
fn starts_over(after: i64, epoch: i64, kept: &Kept) -> bool {
    (epoch != 0 && epoch != kept.epoch) || after > kept.head
}

/// Streams to one agent (with the team view if it asked) until it leaves, is
/// revoked or the relay stops. A
/// position from another stream (another epoch, or past this stream's head: the
/// relay's database was replaced or restored) starts over from what is kept.
pub(super) async fn stream_to_agent(
    relay: &RelayState,
    agent: &AgentRow,
    resume: &After,
    socket: WebSocket,
) -> Sent {
    let (after, epoch) = (resume.after, resume.epoch);
    // Subscribe before reading the store, so nothing falls between the two.
    let mut live = relay.live.subscribe();
    let (mut out, mut incoming) = socket.split();
    let kept = relay.store.kept().await.map_err(axum::Error::new)?;
    let reset = starts_over(after, epoch, &kept);
    if reset {
        tracing::warn!(
            agent = agent.id,
            after,
            epoch,
            head = kept.head,
            "an agent's position is from another stream; it starts over"
        );
    }
    let after = if reset { 0 } else { after };
    send(
        &mut out,
        &ToAgent::Hello {
            ext: agent.ext.clone(),
            head: kept.head,
            pruned_event: kept.pruned_event,
            pruned_before: kept.pruned_before,
            epoch: kept.epoch,
            reset,
        },
    )
    .await?;
    // The tags first: an app offers them while it catches up.
    let mut tags = relay.tags.clone();
    let listed = tags.borrow_and_update().clone();
    send(&mut out, &ToAgent::Tags { tags: listed }).await?;
    let notes = resume.notes;
    // Who this agent is to the groups: followed as the admin changes them.
    let mut routing = relay.routing.clone();
    let mut viewer = routing.borrow_and_update().viewer(&agent.ext);
    let mut sent = send_backlog(relay, &mut out, after, notes, &viewer).await?;
    send(&mut out, &ToAgent::CaughtUp { seq: sent }).await?;
    send_joined_while_away(relay, &mut out, &viewer, after, notes).await?;
    let mut team = relay.team.clone();
    let mut last_team = None;
    if resume.team {
        send_team(&mut out, &mut team, &agent.ext, &mut last_team).await?;
    }
    let (replies, mut answered) = mpsc::channel::<ToAgent>(IN_FLIGHT * 2);
    let in_flight = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut revocations = relay.guard.revocations();
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            entry = live.recv() => match entry {
                Ok(Encoded(Some(first))) => {
                    let to = Recipient { notes, viewer: &viewer };
                    sent = send_live(relay, &mut out, &mut live, sent, first, to).await?;
                }
                // This agent, or the encoder, fell behind: catch up from the store.
                Ok(Encoded(None)) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    sent = send_backlog(relay, &mut out, sent, notes, &viewer).await?;
                }
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
            // Read on only while this connection has room for more work.
            message = incoming.next(), if in_flight.available_permits() > 0 => {
                heard = Instant::now();
                match message {
                    Some(Ok(Message::Text(text))) => {
                        let permit = Arc::clone(&in_flight).try_acquire_owned().expect("a permit was free");
                        if let Some(refused) = take_request(relay, agent, &replies, &text, permit) {
                            send(&mut out, &refused).await?;
                        }
                    }
                    Some(Err(e)) if too_big(&e) => {
                        tracing::warn!(agent = agent.id, "an agent's message was too big; closed");
                        close(&mut out, close_code::SIZE, "message too big (64 KiB at most)").await?;
                        // The rest of the message is unread: closing the socket at once
                        // would reset it before the agent reads why.
                        tokio::time::sleep(CLOSE_LINGER).await;
                        return Ok(());
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(()),
                    Some(Ok(_)) => {}
                }
            },
            Some(reply) = answered.recv() => send(&mut out, &reply).await?,
            Ok(()) = routing.changed() => {
                let was = std::mem::replace(&mut viewer, routing.borrow_and_update().viewer(&agent.ext));
                let joined = Joined { was: &was, now: &viewer, through: sent, notes };
                send_backfill(relay, &mut out, joined).await?;
            }
            Ok(()) = team.changed(), if resume.team => {
                send_team(&mut out, &mut team, &agent.ext, &mut last_team).await?;
            }
            Ok(()) = tags.changed() => {
                let listed = tags.borrow_and_update().clone();
                send(&mut out, &ToAgent::Tags { tags: listed }).await?;
            }
            Ok(()) = revocations.changed() => {
                if relay.guard.is_revoked(agent.id) {
                    tracing::info!(agent = agent.id, "a revoked agent was let go");
                    return close(&mut out, close_code::POLICY, "this join code was revoked").await;
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() > PING_EVERY * 2 {
                    tracing::info!(agent = agent.id, "an agent stopped answering pings; closed");
                    return Ok(());
                }
                out.send(Message::Ping(Default::default())).await?;
            }
        }
    }
}

/// How long a connection closed mid-message stays open for its close frame to be read.
const CLOSE_LINGER: std::time::Duration = std::time::Duration::from_secs(2);

/// Work one connection may have in hand at once (dials, claims, notes); past
/// it the relay reads no more from that connection until one is done.
const IN_FLIGHT: usize = 8;

/// Starts on one message from `agent` within its rate (the answer goes to
/// `replies`), or refuses it at once: the refusal to send.
fn take_request(
    relay: &RelayState,
    agent: &AgentRow,
    replies: &mpsc::Sender<ToAgent>,
    text: &str,
    permit: OwnedSemaphorePermit,
) -> Option<ToAgent> {
    let request = match serde_json::from_str(text) {
        Ok(request) => request,
        Err(e) => {
            tracing::warn!(agent = agent.id, error = %e, "an agent's message was not understood");
            return None;
        }
    };
    let ask = match &request {
        FromAgent::Dial { .. } => Ask::Dial,
        FromAgent::Claim { .. } | FromAgent::Release { .. } | FromAgent::Reassign { .. } => {
            Ask::Claim
        }
        FromAgent::Note { .. } => Ask::Note,
        FromAgent::Status { .. } => Ask::Status,
        FromAgent::Report { .. } => Ask::Report,
    };
    if let Err(wait) = relay.guard.allow(agent.id, ask) {
        tracing::debug!(agent = agent.id, ?ask, "an agent asked too fast");
        return Some(refusal(&request, too_many(wait)));
    }
    match request {
        FromAgent::Dial { id, to } => {
            let config = relay.hook.config.load_full();
            let (ext, replies) = (agent.ext.clone(), replies.clone());
            tokio::spawn(async move {
                let _ = replies
                    .send(dial_for_agent(&config, &ext, id, &to).await)
                    .await;
                drop(permit);
            });
        }
        FromAgent::Claim { id, phone } => {
            answer_claim(relay, agent, replies, id, (phone, ClaimAsk::Claim), permit)
        }
        FromAgent::Release { id, phone } => answer_claim(
            relay,
            agent,
            replies,
            id,
            (phone, ClaimAsk::Release),
            permit,
        ),
        FromAgent::Reassign { id, phone, to } => answer_claim(
            relay,
            agent,
            replies,
            id,
            (phone, ClaimAsk::Reassign(to)),
            permit,
        ),
        FromAgent::Note { id, note } => answer_note(relay, agent, replies, id, note, permit),
        FromAgent::Status { id, change } => {
            answer_status(relay, agent, replies, id, change, permit)
        }
        FromAgent::Report { id, ask } => answer_report(relay, agent, replies, id, ask, permit),
    }
    None
}

/// The answer to `request` when it is refused with `message`.
fn refusal(request: &FromAgent, message: String) -> ToAgent {
    match *request {
        FromAgent::Dial { id, .. } => ToAgent::Dialed {
            id,
            ok: false,
            message,
        },
        FromAgent::Claim { id, .. }
        | FromAgent::Release { id, .. }
        | FromAgent::Reassign { id, .. }
        | FromAgent::Note { id, .. }
        | FromAgent::Status { id, .. }
        | FromAgent::Report { id, .. } => ToAgent::Replied {
            id,
            ok: false,
            message,
            seq: None,
        },
    }
}

/// Whether the socket failed on a message or frame past the size limit.
fn too_big(error: &axum::Error) -> bool {
    use tungstenite::error::{CapacityError, Error};
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        if let Some(Error::Capacity(CapacityError::MessageTooLong { .. })) = e.downcast_ref() {
            return true;
        }
        source = e.source();
    }
    false
}

/// Closes the connection with `code` and `reason`.
async fn close(out: &mut SplitSink<WebSocket, Message>, code: u16, reason: &'static str) -> Sent {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    out.send(Message::Close(Some(frame))).await
}

/// Sends agent `ext` its part of the team view, if the relay has derived one
/// yet and it differs from the `last` one sent (a change in another group
/// leaves this agent's part as it was).
async fn send_team(
    out: &mut SplitSink<WebSocket, Message>,
    team: &mut watch::Receiver<TeamFrame>,
    ext: &str,
    last: &mut Option<TeamPart>,
) -> Sent {
    let frames = team.borrow_and_update().clone();
    let Some(part) = frames.map(|frames| frames.part_for(ext)) else {
        return Ok(());
    };
    if last.as_ref().is_some_and(|sent| sent.0.shows_as(&part.0)) {
        return Ok(());
    }
    let frame = part.1.clone();
    *last = Some(part);
    out.send(Message::Text(frame)).await
}

/// Who a connection sends to: whether it takes notes, and who it is to the groups.
#[derive(Clone, Copy)]
struct Recipient<'a> {
    notes: bool,
    viewer: &'a Viewer,
}

/// Sends a live event and every other one already waiting that the agent may
/// see, in one write (a burst of calls costs each agent's connection one
/// flush, not one per event); the last sequence number read.
async fn send_live(
    relay: &RelayState,
    out: &mut SplitSink<WebSocket, Message>,
    live: &mut broadcast::Receiver<Encoded>,
    mut sent: i64,
    first: Live,
    to: Recipient<'_>,
) -> Result<i64, axum::Error> {
    let mut next = Some(first);
    while let Some(entry) = next.take() {
        if entry.seq > sent {
            sent = entry.seq;
            if (to.notes || !entry.note) && entry.audience.reaches(to.viewer) {
                out.feed(Message::Text(entry.text)).await?;
            }
        }
        next = match live.try_recv() {
            Ok(Encoded(Some(waiting))) => Some(waiting),
            Ok(Encoded(None)) | Err(broadcast::error::TryRecvError::Lagged(_)) => {
                out.flush().await?;
                return send_backlog(relay, out, sent, to.notes, to.viewer).await;
            }
            Err(_) => None,
        };
    }
    out.flush().await?;
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::starts_over;
    use crate::store::Kept;

    #[test]
    fn an_agent_starts_over_only_on_another_stream() {
        let kept = Kept {
            head: 10,
            pruned_event: 0,
            pruned_before: None,
            epoch: 42,
        };
        assert!(!starts_over(7, 42, &kept), "behind on this stream: resume");
        assert!(
            !starts_over(10, 0, &kept),
            "an older app without epochs: resume"
        );
        assert!(starts_over(7, 41, &kept), "another epoch: a new database");
        assert!(
            starts_over(12, 42, &kept),
            "past the head: a restored database"
        );
    }
}
