//! The CRM look-ups of one listener: each CRM source in the admin's order,
//! a cache of what they said (names found, and numbers not found, each for
//! its source's minutes), at most one request per number at a time (the
//! PBX's `cmd=contact` and the call's first event share it), and at most
//! [`AT_ONCE`] requests in flight — a flood of unknown numbers is answered
//! "unknown" rather than queued behind a slow CRM.
//!
//! A cache of our own (a map under a lock, emptied of what expired when
//! full) rather than a crate: it is a few lines, and it must keep a
//! "not found" apart from "not asked".

use super::{Client, Crm, CrmSettings};
use crate::contacts::index::ContactAnswer;
use crate::contacts::sources::sync::password_for;
use crate::contacts::sources::{
    SourceConfig, SourceError, SourceName, SourceSettings, SourceStore,
};
use crate::contacts::ContactIndex;
use crate::CoreError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{watch, Semaphore};

/// Requests to the CRMs in flight at most.
pub const AT_ONCE: usize = 16;
/// Numbers kept in the cache at most.
const MOST_CACHED: usize = 100_000;
/// How often a CRM's status is written to the store at most.
const STATUS_EVERY: Duration = Duration::from_secs(10);

/// The fewest digits of a number a CRM is asked for: an extension, a
/// withheld number (normalised to nothing) or a short service number would
/// match every client in a CRM's search.
const FEWEST_DIGITS: usize = 7;

/// Whether a CRM may be asked for `number` (normalised).
fn askable(number: &str) -> bool {
    number.len() >= FEWEST_DIGITS && number.bytes().all(|b| b.is_ascii_digit())
}

/// What a look-up gives: the answer, or none (unknown, not in time, or the CRMs failed).
type Answer = Option<ContactAnswer>;

/// The CRM sources of one listener, their cache and their requests.
pub struct CrmLookups {
    crms: Vec<(SourceName, Crm)>,
    cache: Mutex<HashMap<String, (Instant, Answer)>>,
    asking: Mutex<HashMap<String, watch::Receiver<Option<Answer>>>>,
    permits: Arc<Semaphore>,
    /// The store the CRMs' statuses are written to, and when each was last
    /// written with what.
    store: Option<SourceStore>,
    written: Mutex<HashMap<SourceName, (Instant, Option<SourceError>)>>,
}

impl CrmLookups {
    /// Look-ups asking `crms` in this order; their statuses go to `store`.
    fn new(crms: Vec<(SourceName, Crm)>, store: Option<SourceStore>) -> CrmLookups {
        CrmLookups {
            crms,
            cache: Mutex::default(),
            asking: Mutex::default(),
            permits: Arc::new(Semaphore::new(AT_ONCE)),
            store,
            written: Mutex::default(),
        }
    }

    /// The CRM sources of `store` in their order, each with its token from
    /// the environment or the keyring; none without CRM sources. A CRM whose
    /// token cannot be read is left out, and why is stored with its status.
    pub async fn of(
        store: &SourceStore,
        access_code: Option<String>,
    ) -> Result<Option<CrmLookups>, CoreError> {
        let configs: Vec<(SourceConfig, CrmSettings)> = (store.sources().await?.into_iter())
            .filter_map(|s| s.config)
            .filter_map(|config| match config.settings.clone() {
                SourceSettings::Crm(settings) => Some((config, settings)),
                _ => None,
            })
            .collect();
        if configs.is_empty() {
            return Ok(None);
        }
        // The keyring blocks: its reads on a blocking thread.
        let made = tokio::task::spawn_blocking(move || {
            configs
                .into_iter()
                .map(|(config, settings)| {
                    let crm = password_for(access_code.as_deref(), &config)
                        .and_then(|token| Crm::new(settings, token));
                    (config.name, crm)
                })
                .collect::<Vec<_>>()
        })
        .await
        .expect("reading a token does not panic");
        let mut crms = Vec::new();
        for (name, crm) in made {
            match crm {
                Ok(crm) => crms.push((name, crm)),
                Err(error) => {
                    tracing::warn!(source = %name, error = %error, "a CRM source is not asked");
                    let now = time::OffsetDateTime::now_utc();
                    store.save_failure(name, error, now).await?;
                }
            }
        }
        Ok((!crms.is_empty()).then(|| CrmLookups::new(crms, Some(store.clone()))))
    }

    /// Puts the CRM sources of `store` in service in `index` ([`CrmLookups::of`]);
    /// the ones in service stay, with their cache, when they ask the same CRMs
    /// the same way (the book changes far more often than its CRMs).
    pub async fn follow(
        store: &SourceStore,
        index: &ContactIndex,
        access_code: Option<String>,
    ) -> Result<(), CoreError> {
        let read = CrmLookups::of(store, access_code).await?;
        let kept = index.crm();
        let same = match (&kept, &read) {
            (Some(kept), Some(read)) => kept.same_as(read),
            (None, None) => true,
            _ => false,
        };
        if !same {
            index.set_crm(read.map(Arc::new));
        }
        Ok(())
    }

    /// Whether `other` asks the same CRMs, in the same order, the same way.
    pub fn same_as(&self, other: &CrmLookups) -> bool {
        self.crms.len() == other.crms.len()
            && (self.crms.iter().zip(&other.crms))
                .all(|((a_name, a), (b_name, b))| a_name == b_name && a.same_as(b))
    }

    /// How long the CRMs may take, asked one after another: how long
    /// `cmd=contact` waits at most.
    pub fn timeout(&self) -> Duration {
        let ms: u64 = (self.crms.iter())
            .map(|(_, crm)| u64::from(crm.settings.timeout_ms))
            .sum();
        Duration::from_millis(ms)
    }

    /// What the cache holds for `number` (normalised): `Some(None)` when the
    /// CRMs said they do not know it.
    pub fn cached(&self, number: &str) -> Option<Answer> {
        let cache = self
            .cache
            .lock()
            .expect("the cache's lock is never poisoned");
        let (until, answer) = cache.get(number)?;
        (Instant::now() < *until).then(|| answer.clone())
    }

    /// The answer for `number` (normalised), waiting at most `wait` for the
    /// CRMs; a request still running goes on, and its answer is cached.
    pub async fn answer(self: &Arc<Self>, number: &str, wait: Duration) -> Answer {
        if let Some(answer) = self.cached(number) {
            return answer;
        }
        let said = tokio::time::timeout(wait, said(self.ask(number)?)).await;
        said.ok().flatten()
    }

    /// Starts asking the CRMs for `number` (or joins the request already
    /// running); none when they said before what they know of it, when it is
    /// never asked, or when [`AT_ONCE`] requests are in flight.
    pub fn ask(self: &Arc<Self>, number: &str) -> Option<watch::Receiver<Option<Answer>>> {
        if !askable(number) || self.cached(number).is_some() {
            return None;
        }
        let mut asking = self.asking.lock().expect("never poisoned");
        if let Some(pending) = asking.get(number) {
            return Some(pending.clone());
        }
        let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() else {
            tracing::warn!("{AT_ONCE} CRM look-ups are already running; a caller stays unnamed");
            return None;
        };
        let (tell, pending) = watch::channel(None);
        asking.insert(number.to_owned(), pending.clone());
        let (lookups, number) = (Arc::clone(self), number.to_owned());
        tokio::spawn(async move {
            let (answer, went) = lookups.ask_each(&number).await;
            drop(permit);
            lookups
                .asking
                .lock()
                .expect("never poisoned")
                .remove(&number);
            let _ = tell.send(Some(answer));
            lookups.record(went).await;
        });
        Some(pending)
    }

    /// Asks each CRM in order until one knows `number` (normalised), and
    /// caches what they said: the answer, and how each CRM asked went (for
    /// [`CrmLookups::record`], once the answer is passed on).
    pub async fn ask_each(&self, number: &str) -> (Answer, Vec<(SourceName, Option<SourceError>)>) {
        let mut went = Vec::new();
        for (name, crm) in &self.crms {
            match crm.ask(number).await {
                Ok(Some(client)) => {
                    went.push((name.clone(), None));
                    let answer = Some(answer_of(&client));
                    self.keep(number, crm.settings.found_minutes, answer.clone());
                    return (answer, went);
                }
                Ok(None) => went.push((name.clone(), None)),
                Err(error) => {
                    tracing::warn!(source = %name, number, error = %error, "the CRM could not name a caller");
                    went.push((name.clone(), Some(error)));
                }
            }
        }
        // "Not found" is kept only when every CRM said so (a failure is asked again).
        if went.iter().all(|(_, error)| error.is_none()) {
            let minutes = self
                .crms
                .iter()
                .map(|(_, crm)| crm.settings.missing_minutes);
            self.keep(number, minutes.min().unwrap_or(0), None);
        }
        (None, went)
    }

    fn keep(&self, number: &str, minutes: u32, answer: Answer) {
        let until = Instant::now() + Duration::from_secs(u64::from(minutes) * 60);
        let mut cache = self.cache.lock().expect("never poisoned");
        if cache.len() >= MOST_CACHED {
            let now = Instant::now();
            cache.retain(|_, (until, _)| *until > now);
            if cache.len() >= MOST_CACHED {
                cache.clear();
            }
        }
        cache.insert(number.to_owned(), (until, answer));
    }

    /// Writes how each CRM's last request went to the store: a change at
    /// once, the same outcome again at most every [`STATUS_EVERY`] (a CRM
    /// that is down fails every look-up; its row is not rewritten for each).
    pub async fn record(&self, went: Vec<(SourceName, Option<SourceError>)>) {
        let Some(store) = &self.store else {
            return;
        };
        for (name, error) in went {
            {
                let mut written = self.written.lock().expect("never poisoned");
                let now = Instant::now();
                let same = written
                    .get(&name)
                    .is_some_and(|(at, was)| now - *at < STATUS_EVERY && *was == error);
                if same {
                    continue;
                }
                written.insert(name.clone(), (now, error.clone()));
            }
            let at = time::OffsetDateTime::now_utc();
            let saved = match error {
                Some(error) => store.save_failure(name.clone(), error, at).await,
                None => store.save_answered(name.clone(), at).await,
            };
            if let Err(e) = saved {
                tracing::warn!(source = %name, error = %e, "could not store a CRM's status");
            }
        }
    }
}

/// The answer a request gives, once it comes (none if it never does).
pub async fn said(mut pending: watch::Receiver<Option<Answer>>) -> Answer {
    let answer = pending.wait_for(Option::is_some).await.ok()?.clone();
    answer.flatten()
}

fn answer_of(client: &Client) -> ContactAnswer {
    ContactAnswer::new(
        &client.name,
        client.responsible.as_deref(),
        client.card.as_deref(),
    )
}
