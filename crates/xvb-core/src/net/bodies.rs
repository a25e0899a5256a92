//! Request and response bodies as the server hands them on: a request body
//! that fails once its deadline passes (a client that sends headers and a
//! tenth of the body, then nothing, is let go), and a response body that
//! keeps its connection busy — not to be pushed out — until it is sent.

use super::connections::Working;
use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Sleep;

/// Why a request body was cut off.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}; send it whole, at once")]
pub(super) struct BodyTooSlow(Duration);

/// A request body with a deadline counted from its headers.
pub(super) struct DeadlineBody {
    body: Incoming,
    deadline: Pin<Box<Sleep>>,
    within: Duration,
}

impl DeadlineBody {
    /// `body`, to arrive whole `within` from now.
    pub(super) fn new(body: Incoming, within: Duration) -> DeadlineBody {
        DeadlineBody {
            body,
            deadline: Box::pin(tokio::time::sleep(within)),
            within,
        }
    }
}

impl Body for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(BodyTooSlow(self.within).into()))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A response body that holds its request's [`Working`] until it is sent.
pub(super) struct BusyBody {
    body: axum::body::Body,
    _working: Working,
}

impl BusyBody {
    /// `body`, keeping the connection busy while it is sent.
    pub(super) fn new(body: axum::body::Body, working: Working) -> BusyBody {
        BusyBody {
            body,
            _working: working,
        }
    }
}

impl Body for BusyBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
