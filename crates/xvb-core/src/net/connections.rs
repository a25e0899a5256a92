//! The connections a server has open: a cap on all of them and, where asked,
//! on those from one address; at the cap, the oldest connection with no
//! request in hand makes room. A connection's slot lives in its socket, so a
//! connection upgraded to a WebSocket still counts until it closes.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// The open connections of one server.
#[derive(Clone)]
pub(super) struct Connections(Arc<Mutex<Open>>);

struct Open {
    most: usize,
    per_peer: Option<usize>,
    next: u64,
    /// By age: the first is the oldest.
    by_age: BTreeMap<u64, Entry>,
    from: HashMap<IpAddr, usize>,
}

struct Entry {
    peer: IpAddr,
    capped: bool,
    busy: Busy,
    evict: Arc<Notify>,
}

impl Connections {
    /// At most `most` at once, and `per_peer` from one address.
    pub(super) fn new(most: usize, per_peer: Option<usize>) -> Connections {
        Connections(Arc::new(Mutex::new(Open {
            most: most.max(1),
            per_peer,
            next: 0,
            by_age: BTreeMap::new(),
            from: HashMap::new(),
        })))
    }

    /// A slot for a new connection from `peer` (`capped`: counted against the
    /// per-address cap), pushing out the oldest idle connection where a cap is
    /// reached; `None` when every connection in the way is busy.
    pub(super) fn admit(&self, peer: IpAddr, capped: bool) -> Option<Slot> {
        let mut open = self.0.lock().expect("connections lock");
        if let (true, Some(most)) = (capped, open.per_peer) {
            if open.from.get(&peer).copied().unwrap_or(0) >= most
                && !open.evict_oldest_idle(|e| e.capped && e.peer == peer)
            {
                return None;
            }
        }
        if open.by_age.len() >= open.most && !open.evict_oldest_idle(|_| true) {
            return None;
        }
        let id = open.next;
        open.next += 1;
        let entry = Entry {
            peer,
            capped,
            busy: Busy::default(),
            evict: Arc::new(Notify::new()),
        };
        let slot = Slot {
            id,
            busy: entry.busy.clone(),
            evict: Arc::clone(&entry.evict),
            open: self.clone(),
        };
        if capped {
            *open.from.entry(peer).or_default() += 1;
        }
        open.by_age.insert(id, entry);
        Some(slot)
    }

    /// How many are open (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.lock().expect("connections lock").by_age.len()
    }
}

impl Open {
    /// Tells the oldest idle connection that `matches` to close, and forgets it.
    fn evict_oldest_idle(&mut self, matches: impl Fn(&Entry) -> bool) -> bool {
        let oldest = self
            .by_age
            .iter()
            .find(|(_, e)| matches(e) && e.busy.is_idle())
            .map(|(id, _)| *id);
        match oldest.and_then(|id| self.remove(id)) {
            Some(entry) => {
                entry.evict.notify_one();
                true
            }
            None => false,
        }
    }

    fn remove(&mut self, id: u64) -> Option<Entry> {
        let entry = self.by_age.remove(&id)?;
        if entry.capped {
            if let Some(count) = self.from.get_mut(&entry.peer) {
                *count -= 1;
                if *count == 0 {
                    self.from.remove(&entry.peer);
                }
            }
        }
        Some(entry)
    }
}

/// One connection's place among the open ones; freed when dropped.
pub(super) struct Slot {
    id: u64,
    busy: Busy,
    evict: Arc<Notify>,
    open: Connections,
}

impl Slot {
    /// Told when this connection is to close to make room.
    pub(super) fn evicted(&self) -> Arc<Notify> {
        Arc::clone(&self.evict)
    }

    /// Counts the requests this connection has in hand.
    pub(super) fn busy(&self) -> Busy {
        self.busy.clone()
    }

    /// The connection's socket, holding this slot for as long as it is open.
    pub(super) fn wrap<S>(self, stream: S) -> Counted<S> {
        Counted {
            stream,
            _slot: self,
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.open
            .0
            .lock()
            .expect("connections lock")
            .remove(self.id);
    }
}

/// Requests in hand on one connection; an upgraded connection stays busy.
#[derive(Clone, Default)]
pub(super) struct Busy(Arc<AtomicUsize>);

impl Busy {
    /// A request arrived: busy until the returned [`Working`] is dropped.
    pub(super) fn start(&self) -> Working {
        self.0.fetch_add(1, Ordering::SeqCst);
        Working {
            busy: self.clone(),
            kept: false,
        }
    }

    fn is_idle(&self) -> bool {
        self.0.load(Ordering::SeqCst) == 0
    }
}

/// One request in hand.
pub(super) struct Working {
    busy: Busy,
    kept: bool,
}

impl Working {
    /// The connection stays busy for good (it became a WebSocket).
    pub(super) fn keep(&mut self) {
        self.kept = true;
    }
}

impl Drop for Working {
    fn drop(&mut self) {
        if !self.kept {
            self.busy.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// A socket that holds its connection's [`Slot`].
pub(super) struct Counted<S> {
    stream: S,
    _slot: Slot,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::Connections;
    use std::net::{IpAddr, Ipv4Addr};

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn at_the_cap_the_oldest_idle_connection_makes_room() {
        let open = Connections::new(2, None);
        let oldest = open.admit(A, true).expect("room");
        let busy = open.admit(B, true).expect("room");
        let _serving = busy.busy().start();
        let pushed_out = oldest.evicted();
        let newest = open.admit(B, true).expect("the idle one makes room");
        assert_eq!(open.len(), 2);
        // The idle one was told to close: its permit is stored.
        futures_util::FutureExt::now_or_never(pushed_out.notified()).expect("told to close");
        let _newest_serving = newest.busy().start();
        assert!(
            open.admit(A, true).is_none(),
            "every connection busy: turned away"
        );
    }

    #[test]
    fn one_address_cannot_take_more_than_its_share() {
        let open = Connections::new(10, Some(2));
        let first = open.admit(A, true).expect("room");
        let _first_serving = first.busy().start();
        let second = open.admit(A, true).expect("room");
        let _second_serving = second.busy().start();
        assert!(open.admit(A, true).is_none(), "A's share is busy");
        assert!(open.admit(B, true).is_some(), "B still gets in");
        assert!(
            open.admit(A, false).is_some(),
            "a trusted proxy is not capped"
        );
        drop(first);
        assert!(
            open.admit(A, true).is_some(),
            "a closed connection frees A's share"
        );
    }

    #[test]
    fn an_upgraded_connection_is_never_pushed_out() {
        let open = Connections::new(1, None);
        let socket = open.admit(A, true).expect("room");
        socket.busy().start().keep();
        assert!(open.admit(B, true).is_none());
    }
}
