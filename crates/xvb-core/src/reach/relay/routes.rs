//! Which agents see each streamed entry: its call's route (the line, who
//! dialled or answered, the caller's responsible extension), learnt from the
//! call's events as they pass (or read from the store for a call that started
//! before), asked of the relay's [`Routing`] as it is now. The routing is read
//! from the store every second, so a change an admin makes (on any node)
//! applies to connected agents within a second.

use super::agents::RelayStore;
use crate::groups::{Audience, CallRoute, DefaultGroup, Routing};
use crate::listener::HookState;
use crate::store::{is_note, note_of_fields, JournalEntry};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How often the routing is read again.
const READ_EVERY: Duration = Duration::from_secs(1);
/// Calls whose route is kept in memory; past it, the oldest half is dropped.
const KEPT_ROUTES: usize = 100_000;

/// The routes of recent calls, shared by the encoder and agents catching up.
#[derive(Default)]
pub(super) struct Routes {
    known: Mutex<HashMap<String, (CallRoute, Instant)>>,
}

impl Routes {
    /// Who sees `entry` under `routing`: its call's route updated with what
    /// the entry says (read from the store first if the call is not known).
    pub(super) async fn audience(
        &self,
        routing: &Routing,
        entry: &JournalEntry,
        store: &RelayStore,
        hook: &HookState,
    ) -> Audience {
        if !routing.in_use() {
            return Audience::Everyone;
        }
        let Some(callid) = callid_of(entry) else {
            return Audience::Everyone;
        };
        let known = self
            .known
            .lock()
            .expect("routes lock")
            .get(&callid)
            .cloned();
        let mut route = match known {
            Some((route, _)) => route,
            None => match store.call(&callid).await {
                Ok(Some(call)) => CallRoute::of_call(&call),
                Ok(None) => CallRoute::default(),
                Err(e) => {
                    tracing::warn!(error = %e, "could not read a call's route; it goes to the default group");
                    CallRoute::default()
                }
            },
        };
        learn(&mut route, entry, hook);
        let audience = routing.audience(&route);
        self.remember(callid, route);
        audience
    }

    fn remember(&self, callid: String, route: CallRoute) {
        let mut known = self.known.lock().expect("routes lock");
        if known.len() >= KEPT_ROUTES {
            let mut ages: Vec<Instant> = known.values().map(|(_, at)| *at).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            known.retain(|_, (_, at)| *at > cut);
        }
        known.insert(callid, (route, Instant::now()));
    }
}

/// The call an entry is about: an event's `callid`, a note's call.
fn callid_of(entry: &JournalEntry) -> Option<String> {
    if is_note(entry) {
        return note_of_fields(&entry.fields).map(|note| note.callid);
    }
    entry.field("callid").map(str::to_owned)
}

/// What an event says of its call's route.
fn learn(route: &mut CallRoute, entry: &JournalEntry, hook: &HookState) {
    if is_note(entry) {
        return;
    }
    if let Some(line) = entry.field("line_number") {
        route.line = Some(line.to_owned());
    }
    let outgoing = entry.field("type") == Some("out");
    match (outgoing, entry.field("ext")) {
        (true, Some(ext)) => route.dialled_by = Some(ext.to_owned()),
        (false, Some(ext)) => route.answered_by = Some(ext.to_owned()),
        _ => {}
    }
    if route.responsible.is_none() {
        route.responsible = entry
            .field("phone")
            .and_then(|phone| hook.known_caller(phone))
            .and_then(|caller| caller.responsible);
    }
}

/// Reads the routing every second and publishes it when it changed.
pub(super) async fn keep_routing_fresh(store: RelayStore, routing: watch::Sender<Arc<Routing>>) {
    let mut every = tokio::time::interval(READ_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match store.routing().await {
            Ok(read) => {
                routing.send_if_modified(|now| {
                    let changed = **now != read;
                    if changed {
                        let members: usize = read.groups.values().map(|g| g.members.len()).sum();
                        let default = match &read.default {
                            DefaultGroup::Everyone => "all",
                            DefaultGroup::Named(name) => name.as_str(),
                        };
                        tracing::info!(
                            groups = read.groups.len(),
                            members,
                            supervisors = read.supervisors.len(),
                            default = %default,
                            "the groups changed; connected agents follow"
                        );
                        *now = Arc::new(read);
                    }
                    changed
                });
            }
            Err(e) => tracing::warn!(error = %e, "could not read the groups; will retry"),
        }
        if routing.is_closed() {
            return;
        }
    }
}
