//! The office wallboard: `GET /wallboard` is a full-screen page (no data in
//! it); the page reads its read-only code from the address's fragment
//! (`/wallboard#CODE`, never sent in a URL) and streams its board from
//! `GET /wallboard/stream` with it as `Authorization: Bearer` — the callers
//! ringing now, today's figures, the callers not called back, each agent's
//! state and status — a frame whenever the team view changes (at most twice
//! a second), and the thresholds at which its tiles turn amber and red.
//! A wrong or revoked code gets 401; a code holds a few streams at most.
//!
//! - this file — the routes, the code check, the stream, the shared deriver;
//! - `view` — what a board shows, encoded once per group;
//! - `page.html` — the page (its own CSS and script, English and Russian).

mod view;

use super::agents::token_hash;
use super::state::RelayState;
use crate::store::WallboardRow;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::{OffsetDateTime, UtcOffset};
use tokio::sync::{watch, Notify};
use view::Frames;

/// The page's path.
pub const WALLBOARD_PATH: &str = "/wallboard";
/// The board's stream.
const STREAM_PATH: &str = "/wallboard/stream";
/// Streams one wallboard code may hold open at once (a TV or two, a laptop).
const STREAMS_PER_CODE: usize = 8;
/// A comment line this often keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The boards are derived again this often with nothing changed.
const REFRESH: Duration = Duration::from_secs(5);
/// The page.
const PAGE: &str = include_str!("page.html");

/// The wallboards' shared state: the latest frames and the open streams per code.
#[derive(Clone)]
pub(super) struct Wallboards {
    relay: RelayState,
    frames: watch::Receiver<Arc<Frames>>,
    streams: Arc<Mutex<HashMap<i64, usize>>>,
    /// Told when a screen opens: its board is derived at once.
    opened: Arc<Notify>,
}

/// Starts deriving the boards whenever the team view changes; the routes.
pub(super) fn routes(relay: RelayState, offset: UtcOffset) -> Router {
    let (sender, frames) = watch::channel(Arc::new(Frames::default()));
    let opened = Arc::new(Notify::new());
    tokio::spawn(keep_fresh(
        relay.clone(),
        offset,
        sender,
        Arc::clone(&opened),
    ));
    let boards = Wallboards {
        relay,
        frames,
        streams: Arc::default(),
        opened,
    };
    Router::new()
        .route(WALLBOARD_PATH, axum::routing::get(page))
        .route(STREAM_PATH, axum::routing::get(stream))
        .with_state(boards)
}

/// While a screen is open, derives every board again each time the team view
/// changes (which the relay does at most twice a second), at least every few
/// seconds, and at once when a screen opens. With none open (the routes hold
/// the only receiver) it reads nothing.
async fn keep_fresh(
    relay: RelayState,
    offset: UtcOffset,
    frames: watch::Sender<Arc<Frames>>,
    opened: Arc<Notify>,
) {
    let mut team = relay.team.clone();
    loop {
        let view = team.borrow_and_update().clone();
        if let Some(view) = view.filter(|_| frames.receiver_count() > 1) {
            let now = OffsetDateTime::now_utc();
            let midnight = now.to_offset(offset).replace_time(time::Time::MIDNIGHT);
            let routing = relay.routing.borrow().clone();
            match relay
                .store
                .calls_between(midnight, now + time::Duration::days(1))
                .await
            {
                Ok(today) => {
                    frames.send_replace(Arc::new(view::derive(
                        &today,
                        view.view(),
                        &routing,
                        offset,
                        now,
                    )));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not read today's calls for the wallboards")
                }
            }
        }
        // Ringing times and figures age: derived again every few seconds anyway.
        tokio::select! {
            changed = team.changed() => if changed.is_err() { return },
            _ = opened.notified() => {}
            _ = tokio::time::sleep(REFRESH) => {}
        }
    }
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
        .into_response()
}

fn refuse(status: StatusCode, why: &'static str) -> Response {
    (status, why).into_response()
}

/// The wallboard the request's bearer code opens, or why not.
async fn wallboard_of(boards: &Wallboards, headers: &HeaderMap) -> Result<WallboardRow, Response> {
    let code = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|code| !code.is_empty() && code.len() <= 128);
    let Some(code) = code else {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "open the wallboard with its code: /wallboard#CODE",
        ));
    };
    match boards.relay.store.wallboard_for(&token_hash(code)).await {
        Ok(Some(board)) => Ok(board),
        Ok(None) => Err(refuse(
            StatusCode::UNAUTHORIZED,
            "this wallboard code is not valid or was revoked; ask the admin for the link from `xvb relay wallboard add`",
        )),
        Err(_) => Err(refuse(StatusCode::SERVICE_UNAVAILABLE, "the relay's store failed; try again")),
    }
}

/// One open stream of a wallboard, counted against its code while it lives.
struct Open {
    streams: Arc<Mutex<HashMap<i64, usize>>>,
    id: i64,
}

impl Drop for Open {
    fn drop(&mut self) {
        let mut streams = self.streams.lock().expect("wallboard streams");
        if let Some(n) = streams.get_mut(&self.id) {
            *n = n.saturating_sub(1);
        }
    }
}

/// `GET /wallboard/stream`: the board's settings, then a frame per change.
async fn stream(State(boards): State<Wallboards>, headers: HeaderMap) -> Response {
    let board = match wallboard_of(&boards, &headers).await {
        Ok(board) => board,
        Err(refused) => return refused,
    };
    let open = {
        let mut streams = boards.streams.lock().expect("wallboard streams");
        let n = streams.entry(board.id).or_default();
        if *n >= STREAMS_PER_CODE {
            return refuse(
                StatusCode::TOO_MANY_REQUESTS,
                "this wallboard code is open on too many screens; close one",
            );
        }
        *n += 1;
        Open {
            streams: Arc::clone(&boards.streams),
            id: board.id,
        }
    };
    let settings = serde_json::json!({ "group": board.group, "thresholds": board.thresholds });
    let frames = boards.frames.clone();
    // What is there may be from before any screen was open: this one waits
    // for the board derived now that it is.
    let stale = frames.borrow().of(board.group.as_deref());
    boards.opened.notify_one();
    let streaming = Streaming {
        first: Some(format!("event: settings\ndata: {settings}\n\n")),
        frames,
        group: board.group,
        sent: stale,
        _open: open,
    };
    let body = futures_util::stream::unfold(streaming, next_chunk);
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// One wallboard's stream as it goes.
struct Streaming {
    first: Option<String>,
    frames: watch::Receiver<Arc<Frames>>,
    group: Option<String>,
    sent: Option<Arc<str>>,
    _open: Open,
}

/// The stream's next chunk: the settings first, then each new frame, and a
/// keep-alive comment when nothing changed for a while.
async fn next_chunk(mut s: Streaming) -> Option<(Result<Bytes, Infallible>, Streaming)> {
    if let Some(first) = s.first.take() {
        return Some((Ok(Bytes::from(first)), s));
    }
    loop {
        let frame = s.frames.borrow_and_update().of(s.group.as_deref());
        if let Some(frame) = frame {
            if s.sent
                .as_ref()
                .is_none_or(|sent| !Arc::ptr_eq(sent, &frame))
            {
                let chunk = Bytes::from(format!("data: {frame}\n\n"));
                s.sent = Some(frame);
                return Some((Ok(chunk), s));
            }
        }
        match tokio::time::timeout(KEEP_ALIVE, s.frames.changed()).await {
            Ok(Ok(())) => continue,
            Ok(Err(_)) => return None,
            Err(_) => return Some((Ok(Bytes::from_static(b": still here\n\n")), s)),
        }
    }
}
