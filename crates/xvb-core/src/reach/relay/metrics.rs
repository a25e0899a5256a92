//! Prometheus metrics of a relay node, served on their own address
//! (`relay_metrics_listen`, plain HTTP, `/metrics` only):
//!
//! - `xvb_calls_offered_total`, `xvb_calls_answered_total`,
//!   `xvb_calls_missed_total` by `group` (`all`: a line every agent gets) —
//!   counted by the node whose webhook took the event, so summing over the
//!   nodes counts each call once;
//! - `xvb_callers_waiting` and `xvb_agents` by `status` (available, break,
//!   acw, offline) — the team's, the same on every node;
//! - `xvb_webhook_duration_seconds` — the webhook's answers on this node;
//! - `xvb_stream_lag_seconds` — from an event's storing to its hand-over to
//!   this node's agents, for the latest one;
//! - `xvb_agent_connections` — the agents' connections to this node.

use super::state::RelayState;
use crate::groups::{Audience, CallRoute, Routing};
use crate::pbx::call::Call;
use crate::pbx::notifier::{AwaySummary, Notice, Notifier};
use crate::pbx::protocol::EventKind;
use crate::team::AgentState;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tokio::sync::watch;

/// The metrics' path on their address.
pub const METRICS_PATH: &str = "/metrics";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GroupLabel {
    group: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: String,
}

/// A node's metrics.
pub(super) struct RelayMetrics {
    registry: Registry,
    offered: Family<GroupLabel, Counter>,
    answered: Family<GroupLabel, Counter>,
    missed: Family<GroupLabel, Counter>,
    waiting: Gauge,
    agents: Family<StatusLabel, Gauge>,
    connections: Gauge,
    webhook: Histogram,
    lag: Gauge<f64, AtomicU64>,
    /// The groups, once the relay reads them (a call's group label).
    routing: OnceLock<watch::Receiver<Arc<Routing>>>,
}

impl RelayMetrics {
    pub(super) fn new() -> RelayMetrics {
        let mut metrics = RelayMetrics {
            registry: Registry::default(),
            offered: Family::default(),
            answered: Family::default(),
            missed: Family::default(),
            waiting: Gauge::default(),
            agents: Family::default(),
            connections: Gauge::default(),
            webhook: Histogram::new(exponential_buckets(0.0005, 2.0, 16)),
            lag: Gauge::default(),
            routing: OnceLock::new(),
        };
        let r = &mut metrics.registry;
        r.register(
            "xvb_calls_offered",
            "Incoming calls this node's webhook took",
            metrics.offered.clone(),
        );
        r.register(
            "xvb_calls_answered",
            "Incoming calls answered (their ANSWERED came to this node)",
            metrics.answered.clone(),
        );
        r.register(
            "xvb_calls_missed",
            "Incoming calls nobody answered (their COMPLETED came to this node)",
            metrics.missed.clone(),
        );
        r.register(
            "xvb_callers_waiting",
            "Missed callers not reached yet (the team's queue)",
            metrics.waiting.clone(),
        );
        r.register(
            "xvb_agents",
            "Agents by status (offline: app not connected)",
            metrics.agents.clone(),
        );
        r.register(
            "xvb_agent_connections",
            "Agents' connections to this node",
            metrics.connections.clone(),
        );
        r.register(
            "xvb_webhook_duration_seconds",
            "Time to answer the PBX's webhook on this node",
            metrics.webhook.clone(),
        );
        r.register(
            "xvb_stream_lag_seconds",
            "From storing the latest event to handing it to this node's agents",
            metrics.lag.clone(),
        );
        metrics
    }

    /// Labels calls by the groups `routing` follows from now on.
    pub(super) fn follow(&self, routing: watch::Receiver<Arc<Routing>>) {
        let _ = self.routing.set(routing);
    }

    /// The group label of `call`.
    fn group_of(&self, call: &Call) -> GroupLabel {
        let group = self
            .routing
            .get()
            .map(|routing| routing.borrow().audience(&CallRoute::of_call(call)));
        let group = match group {
            Some(Audience::Some { groups, .. }) if !groups.is_empty() => {
                groups[0].as_str().to_owned()
            }
            _ => "all".to_owned(),
        };
        GroupLabel { group }
    }

    /// How long the latest event waited between storing and hand-over.
    pub(super) fn handed_over(&self, received: time::OffsetDateTime) {
        let lag = time::OffsetDateTime::now_utc() - received;
        self.lag.set(lag.as_seconds_f64().max(0.0));
    }

    /// The metrics as Prometheus reads them, the team's gauges read from `relay` now.
    fn encode(&self, relay: &RelayState) -> String {
        if let Some(frames) = relay.team.borrow().clone() {
            let view = frames.view();
            self.waiting.set(view.waiting as i64);
            let now = time::OffsetDateTime::now_utc();
            // Every status is set, to 0 when nobody is in it: no series is
            // cleared and filled again while another scrape reads it.
            let mut counts = [("available", 0), ("break", 0), ("acw", 0), ("offline", 0)];
            for member in &view.members {
                let status = match (&member.status, member.connected) {
                    (_, false) => "offline",
                    (Some(status), true) => status.at(now).state.as_str(),
                    (None, true) => AgentState::Available.as_str(),
                };
                if let Some((_, n)) = counts.iter_mut().find(|(name, _)| *name == status) {
                    *n += 1;
                }
            }
            for (status, n) in counts {
                let label = StatusLabel {
                    status: status.to_owned(),
                };
                self.agents.get_or_create(&label).set(n);
            }
        }
        self.connections.set(relay.guard.connections() as i64);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String");
        text
    }
}

/// The relay's notifier: no notices of its own, counts the calls its webhook takes.
pub(super) struct Counting(pub(super) Arc<RelayMetrics>);

impl Notifier for Counting {
    fn notify(&self, _: Notice) {}
    fn away(&self, _: AwaySummary) {}
    fn stored(&self, kind: &EventKind, call: &Call) {
        let metrics = &self.0;
        let counter = match kind {
            EventKind::Incoming => &metrics.offered,
            EventKind::Answered if call.direction != Some(crate::pbx::protocol::Direction::Out) => {
                &metrics.answered
            }
            EventKind::Completed if call.is_missed() => &metrics.missed,
            _ => return,
        };
        counter.get_or_create(&metrics.group_of(call)).inc();
    }
}

/// Times the webhook's answers (a layer on the listener's routes).
pub(super) async fn time_webhook(
    State(metrics): State<Arc<RelayMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.webhook.observe(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub(super) async fn serve_metrics(
    State(relay): State<(RelayState, Arc<RelayMetrics>)>,
) -> Response {
    let (relay, metrics) = relay;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.encode(&relay),
    )
        .into_response()
}
