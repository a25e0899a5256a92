//! A relay node on PostgreSQL follows the shared stream: it reads the events
//! after the last one it passed on whenever a `NOTIFY relay` says there are new
//! ones, and every [`POLL`] anyway (a notification is lost while the listening
//! connection is down), and hands them to this node's agents in sequence
//! order — its own writes included, so every node streams the one global order.
//! It reads on a connection of its own (never queuing behind agents' reads),
//! and how recently it read is the node's health. It also keeps the node's
//! in-memory contact book loaded from the shared one, and beats the node's
//! heart for `xvb relay status`.

use crate::contacts::sources::crm::CrmLookups;
use crate::contacts::sources::SourceStore;
use crate::contacts::{BookLoader, ContactIndex};
use crate::store::pg::events::events_after_on;
use crate::store::pg::{Held, PgStore};
use crate::store::Feed;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How often the stream is read without a notification.
const POLL: Duration = Duration::from_millis(200);
/// Events read per query.
const PAGE: usize = 500;
/// How often the node says it is alive.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// A tail not read for this long means the node has lost its database.
const STALE_AFTER: Duration = Duration::from_secs(2);

/// When the tail last read the shared stream, and how far: a node whose tail
/// is stale (or never caught up) is not ready for traffic.
#[derive(Default)]
pub(super) struct Freshness(Mutex<Option<(Instant, i64)>>);

impl Freshness {
    /// The last event passed on, if the tail read the stream within [`STALE_AFTER`].
    pub(super) fn caught_up_to(&self) -> Option<i64> {
        let read = *self.0.lock().expect("never poisoned");
        read.filter(|(at, _)| at.elapsed() < STALE_AFTER)
            .map(|(_, seq)| seq)
    }

    fn read(&self, seq: i64) {
        *self.0.lock().expect("never poisoned") = Some((Instant::now(), seq));
    }
}

/// Follows the stream from its head now, forever, noting each read in `freshness`.
pub(super) async fn follow(pg: PgStore, feed: Feed, freshness: Arc<Freshness>) {
    let mut last = loop {
        match pg.kept().await {
            Ok(kept) => break kept.head,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the relay's stream head; retrying");
                tokio::time::sleep(POLL).await;
            }
        }
    };
    tokio::spawn(beat(pg.clone()));
    let mut held = Held::new(pg.clone());
    loop {
        let mut woken = listen(&pg).await;
        loop {
            let listening = match &mut woken {
                Some(listening) => tokio::select! {
                    hint = listening.notified.recv() => hint.is_some(),
                    _ = tokio::time::sleep(POLL) => true,
                },
                None => {
                    tokio::time::sleep(POLL).await;
                    false
                }
            };
            if pass_on(&mut held, &feed, &mut last).await {
                freshness.read(last);
            }
            if !listening {
                break;
            }
        }
    }
}

/// Sends every event after `last` to the feed, moving `last` on; whether the
/// stream was read to its end.
async fn pass_on(held: &mut Held, feed: &Feed, last: &mut i64) -> bool {
    loop {
        let page = match held.client().await {
            Ok(client) => events_after_on(client, *last, PAGE, true).await,
            Err(e) => Err(e),
        };
        match page {
            Ok(page) => {
                let full = page.len() == PAGE;
                for entry in page {
                    *last = entry.seq;
                    let _ = feed.send(Arc::new(entry));
                }
                if !full {
                    return true;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the relay's stream; retrying");
                held.release();
                return false;
            }
        }
    }
}

/// A connection of its own listening on channel `relay`.
struct Listening {
    /// Keeps the connection open.
    _client: tokio_postgres::Client,
    /// A message per notification; closed when the connection drops.
    notified: mpsc::UnboundedReceiver<()>,
}

/// Listens on channel `relay`; `None` if it cannot now.
async fn listen(pg: &PgStore) -> Option<Listening> {
    match pg.listen("relay").await {
        Ok((client, notified)) => Some(Listening {
            _client: client,
            notified,
        }),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for the relay's new events; polling");
            None
        }
    }
}

/// Keeps `index` loaded from the shared contact book and the sources'
/// copies (and its CRM sources asked), reloaded whenever the revision moves,
/// checked every [`CONTACTS_REFRESH`](crate::listener::engine::CONTACTS_REFRESH).
pub(super) async fn follow_contacts(
    pg: PgStore,
    index: Arc<ContactIndex>,
    access_code: Option<String>,
) {
    let mut loaded = None;
    loop {
        match pg.contacts_revision().await {
            Ok(rev) if Some(rev) != loaded => {
                let store = SourceStore::Postgres(pg.clone());
                if let Err(e) = CrmLookups::follow(&store, &index, access_code.clone()).await {
                    tracing::warn!(error = %e, "could not read the CRM sources");
                }
                let mut loader = BookLoader::default();
                match pg.load_book(&mut loader).await {
                    Ok(()) => {
                        index.load(loader);
                        tracing::info!(numbers = index.len(), "shared contact book loaded");
                        loaded = Some(rev);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not load the shared contact book; will retry")
                    }
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "could not check the shared contact book; will retry")
            }
        }
        tokio::time::sleep(crate::listener::engine::CONTACTS_REFRESH).await;
    }
}

/// Marks this node alive every [`HEARTBEAT`].
async fn beat(pg: PgStore) {
    let mut every = tokio::time::interval(HEARTBEAT);
    loop {
        every.tick().await;
        if let Err(e) = pg.heartbeat().await {
            tracing::warn!(error = %e, "could not mark this relay node alive");
        }
    }
}
