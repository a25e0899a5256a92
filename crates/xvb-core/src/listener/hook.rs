//! The webhook listener: `POST /hook/<secret>` for the PBX's events and contact look-ups.
//!
//! Checks, in order: secret path (404, no hint), method (405), header section
//! (431), content type and encoding (415), size (413), body syntax and limits
//! (400), `access_code` (403), fields (400).
//! A rejected request stores nothing; an event is answered 200 only once committed.

use super::checks::{
    body_kind, check_access_code, check_encoding, check_header_size, read_body, BodyKind, HookError,
};
use super::refusals::{refusal_of, Refusals};
use crate::config::Config;
use crate::contacts::{ContactAnswer, ContactIndex, UNKNOWN_CALLER};
use crate::notes::Tag;
use crate::pbx::call::Call;
use crate::pbx::context::CallerContext;
use crate::pbx::decision::{decide, AgentContext, Decision};
use crate::pbx::notifier::{Notice, Notifier};
use crate::pbx::protocol::{CallEvent, Fields, PbxRequest};
use crate::store::{Relayed, Writer};
use crate::team::TeamView;
use crate::CoreError;
use arc_swap::ArcSwap;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use std::future::Future;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tokio::sync::watch;

/// What the listener needs: config, store writer, contact index, notifier.
#[derive(Clone)]
pub struct HookState {
    /// Current settings (swapped whole when they change).
    pub config: Arc<ArcSwap<Config>>,
    /// The store's writer.
    pub writer: Writer,
    /// The contact book's in-memory index.
    pub contacts: Arc<ContactIndex>,
    /// Where decisions go.
    pub notifier: Arc<dyn Notifier>,
    /// The team's view as the relay last sent it (relay mode; `None` otherwise):
    /// the app's *Team* tab, and who is calling a caller back.
    pub team: Arc<watch::Sender<Option<Arc<TeamView>>>>,
    /// The team's tags as the relay last sent them (relay mode: empty until it
    /// does; `None` in direct mode).
    pub team_tags: Arc<watch::Sender<Option<Vec<Tag>>>>,
    /// Requests refused: the latest for Settings, a pop now and then.
    pub refusals: Arc<Refusals>,
    /// Calls whose last notice is a ring: a name a CRM gives later is shown
    /// only while the call still rings here.
    pub ringing: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

/// Calls kept in [`HookState::ringing`] at most (a call whose end never
/// came stays until then).
const MOST_RINGING: usize = 10_000;

/// A caller found in a contact book: name and responsible extension.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KnownCaller {
    /// The contact's name.
    pub name: String,
    /// The extension responsible for them.
    pub responsible: Option<String>,
    /// Their card in a CRM (a CRM source's answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
}

impl From<ContactAnswer> for KnownCaller {
    fn from(answer: ContactAnswer) -> KnownCaller {
        KnownCaller {
            name: answer.name.to_string(),
            responsible: answer.responsible.as_deref().map(str::to_owned),
            card: answer.card.as_deref().map(str::to_owned),
        }
    }
}

impl HookState {
    /// The tags notes may carry: the relay's in relay mode, else this computer's settings.
    pub fn tags(&self) -> Vec<Tag> {
        self.team_tags
            .borrow()
            .clone()
            .unwrap_or_else(|| self.config.load().tags.clone())
    }

    /// Whether this agent (`ext`) is on a break or in after-call work, as the
    /// team relay's board says.
    fn paused(&self, ext: Option<&str>) -> bool {
        let (Some(ext), Some(team)) = (ext, self.team.borrow().clone()) else {
            return false;
        };
        let now = time::OffsetDateTime::now_utc();
        team.members
            .iter()
            .find(|m| m.ext == ext)
            .and_then(|m| m.status.as_ref())
            .is_some_and(|status| !status.takes_calls(now))
    }

    /// `context` with the agent who claimed the caller in the team's missed queue.
    fn with_claim(&self, mut context: CallerContext, call: &Call) -> CallerContext {
        let team = self.team.borrow();
        context.calling_back = team.as_deref().and_then(|team| {
            team.missed
                .iter()
                .find(|m| {
                    m.cleared.is_none()
                        && call.phone_normalized.as_ref() == Some(&m.phone_normalized)
                })
                .and_then(|m| m.claimed_by.clone())
        });
        context
    }

    /// The caller of `phone` in this contact book.
    pub fn known_caller(&self, phone: &str) -> Option<KnownCaller> {
        self.contacts.lookup(phone).map(KnownCaller::from)
    }

    /// Stores a call event (from the PBX, or relayed by a team relay with the
    /// caller from its shared book) and passes on the notification decision it
    /// leads to for this agent. This agent's own contact book comes first.
    pub async fn take_event(
        &self,
        event: CallEvent,
        relayed: Option<Relayed>,
        shared: Option<KnownCaller>,
    ) -> Result<(), CoreError> {
        if let Some(notice) = self.store_event(event, relayed, shared).await?.notice {
            self.notifier.notify(notice);
        }
        Ok(())
    }

    /// [`HookState::take_event`] without notifying: the call as merged, and
    /// what this agent would be shown (`None` for a duplicate or nothing).
    pub async fn store_event(
        &self,
        event: CallEvent,
        relayed: Option<Relayed>,
        shared: Option<KnownCaller>,
    ) -> Result<Taken, CoreError> {
        let config = self.config.load_full();
        self.contacts.ready().await;
        let known = event
            .phone
            .as_deref()
            .and_then(|p| self.known_caller(p))
            .or(shared);
        let kind = event.kind.clone();
        let own = relayed.is_none();
        // A caller no book knows: the CRM sources asked now, the pop named when they answer.
        let naming = match (&known, own, event.phone.as_deref()) {
            (None, true, Some(phone)) => self.contacts.asked(phone),
            _ => None,
        };
        let outcome = self
            .writer
            .record_relayed(event, known.as_ref().map(|a| a.name.clone()), relayed)
            .await?;
        if !outcome.new_event {
            return Ok(Taken {
                call: outcome.call,
                notice: None,
            });
        }
        if own {
            self.notifier.stored(&kind, &outcome.call);
        }
        let agent = AgentContext {
            extension: config.extension.clone(),
            ring_policy: config.ring_policy,
            do_not_disturb: config.do_not_disturb,
        };
        let responsible = known.as_ref().and_then(|a| a.responsible.as_deref());
        let decision = match decide(
            &agent,
            &outcome.call,
            &kind,
            responsible,
            outcome.was_completed,
        ) {
            // On a break or in after-call work: the call is on the board, not in a pop.
            Decision::Ring if self.paused(config.extension.as_deref()) => Decision::Nothing,
            decision => decision,
        };
        let notice = (decision != Decision::Nothing).then(|| Notice {
            decision,
            crm_url: known.as_ref().and_then(|k| k.card.clone()).or_else(|| {
                outcome
                    .call
                    .phone
                    .as_deref()
                    .and_then(|p| config.crm_url(p))
            }),
            responsible: responsible.map(str::to_owned),
            context: outcome
                .context
                .map(|context| self.with_claim(context, &outcome.call)),
            call: outcome.call.clone(),
        });
        self.note_ringing(&outcome.call.callid, notice.as_ref());
        // Only a ringing pop is shown again: a missed call told twice would count twice.
        if let (Some(naming), Some(notice)) = (naming, &notice) {
            if notice.decision == Decision::Ring {
                self.name_when_known(naming, notice.clone());
            }
        }
        Ok(Taken {
            call: outcome.call,
            notice,
        })
    }

    /// Keeps whether `callid` rings here after its latest event.
    fn note_ringing(&self, callid: &str, notice: Option<&Notice>) {
        let mut ringing = self.ringing.lock().expect("never poisoned");
        if notice.is_some_and(|n| n.decision == Decision::Ring) {
            if ringing.len() >= MOST_RINGING {
                ringing.clear();
            }
            ringing.insert(callid.to_owned());
        } else {
            ringing.remove(callid);
        }
    }

    /// Shows `notice` again with the caller's name once a CRM gives it, if
    /// the call still rings (the pop showed the number meanwhile; the event
    /// was answered long before).
    fn name_when_known(
        &self,
        naming: impl Future<Output = Option<ContactAnswer>> + Send + 'static,
        mut notice: Notice,
    ) {
        let notifier = Arc::clone(&self.notifier);
        let ringing = Arc::clone(&self.ringing);
        tokio::spawn(async move {
            let Some(answer) = naming.await else {
                return;
            };
            if !ringing
                .lock()
                .expect("never poisoned")
                .contains(&notice.call.callid)
            {
                return;
            }
            let known = KnownCaller::from(answer);
            notice.call.contact_name = Some(known.name);
            notice.responsible = notice.responsible.or(known.responsible);
            notice.crm_url = known.card.or(notice.crm_url);
            notifier.notify(notice);
        });
    }
}

/// A stored event: its call as merged, and what to show this agent.
#[derive(Debug, Clone)]
pub struct Taken {
    /// The call, merged with the event.
    pub call: Call,
    /// The decision for this agent, unless it is to show nothing.
    pub notice: Option<Notice>,
}

/// The listener's router.
pub fn router(state: HookState) -> Router {
    Router::new()
        .route("/hook/{secret}", any(hook))
        .fallback(|| async { HookError::NotFound })
        .with_state(state)
}

async fn hook(
    State(state): State<HookState>,
    Path(secret): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, HookError> {
    let config = state.config.load_full();
    let taken = take_request(&state, &config, &secret, method, headers, body).await;
    if let Err(error) = &taken {
        if let Some(refusal) = refusal_of(error, config.access_code.as_deref()) {
            state.refusals.record(refusal, state.notifier.as_ref());
        }
    }
    taken
}

/// One request to `/hook/<secret>`: checked, then answered or stored.
async fn take_request(
    state: &HookState,
    config: &Config,
    secret: &str,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, HookError> {
    if !bool::from(secret.as_bytes().ct_eq(config.webhook_secret.as_bytes())) {
        return Err(HookError::NotFound);
    }
    if method != Method::POST {
        return Err(HookError::Method);
    }
    check_header_size(&headers)?;
    let kind = body_kind(&headers)?;
    check_encoding(&headers)?;
    let bytes = read_body(&headers, body).await?;
    let fields = match kind {
        BodyKind::Form => Fields::from_form(&bytes)?,
        BodyKind::Json => Fields::from_json(&bytes)?,
    };
    check_access_code(config, &headers, &fields)?;
    let request = PbxRequest::parse(fields)?;
    state.contacts.ready().await;
    match request {
        PbxRequest::Contact(query) => {
            let answer = state.contacts.answer(&query.phone).await;
            state.writer.journal("contact", query.fields);
            let body = answer.map_or(Bytes::from_static(UNKNOWN_CALLER), |a| a.body);
            Ok((
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                body,
            )
                .into_response())
        }
        PbxRequest::Event(event) => {
            state
                .take_event(event, None, None)
                .await
                .map_err(|e| HookError::Unavailable(e.to_string()))?;
            Ok((
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"ok":true}"#,
            )
                .into_response())
        }
    }
}
