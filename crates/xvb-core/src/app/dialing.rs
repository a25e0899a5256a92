//! The dial pad and what fills it: numbers as typed, `tel:`/`callto:` links
//! (with *Call links at once*, one dialled per [`LINK_DIAL_GAP`]), the
//! selected text; `makeCall` (directly or through the relay); and the
//! settings' *Send a test call*.

use super::messages::{DialPadNotice, TestCall};
use super::{Companion, DialRequest, ErrorCode, UiError};
use crate::pbx::call::{TEST_CALLID_PREFIX, TEST_NUMBER};
use crate::pbx::dialer::{dial_with_account_token, DialError};
use crate::pbx::phone::{self, DialNumber};
use crate::pbx::sim::{new_callid, SimCall, Target};
use crate::words::Worded;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// With *Call links at once*, at most one link is dialled this often: a page
/// that opens `tel:` links in a loop places one call; the next numbers wait
/// on the dial pad for a click.
pub const LINK_DIAL_GAP: Duration = Duration::from_secs(10);

/// When a link was last dialled at once.
#[derive(Default)]
pub(super) struct LinkPace(Mutex<Option<Instant>>);

impl LinkPace {
    /// Whether a link may be dialled at `now` (and, if so, that it was).
    fn allows(&self, now: Instant) -> bool {
        let mut last = self.0.lock().expect("never poisoned");
        if last.is_some_and(|at| now.saturating_duration_since(at) < LINK_DIAL_GAP) {
            return false;
        }
        *last = Some(now);
        true
    }
}

impl Companion {
    /// Validates a number as typed; the digits that would be dialled.
    pub fn check_number(&self, typed: &str) -> Result<String, UiError> {
        Ok(DialNumber::parse(typed)
            .map_err(DialError::from)?
            .as_str()
            .to_owned())
    }

    /// What a clicked `tel:` / `callto:` link asks: its number, or why it has none
    /// (a malformed link is shown, never dialled). With *Call links at once*
    /// it is dialled unless another link was less than [`LINK_DIAL_GAP`] ago.
    pub fn link_request(&self, link: &str) -> DialRequest {
        let parsed = DialNumber::parse(link);
        let at_once = parsed.is_ok() && self.config().dial_links_at_once;
        let dial_now = at_once && self.link_pace.allows(Instant::now());
        DialRequest {
            text: shortened(link),
            number: parsed.is_ok().then(|| phone::written_number(link)),
            dial_now,
            error: match parsed {
                Err(e) => Some(DialPadNotice::NoNumber(e)),
                Ok(_) if at_once && !dial_now => {
                    Some(DialPadNotice::NotAtOnce(LINK_DIAL_GAP.as_secs()))
                }
                Ok(_) => None,
            }
            .map(|notice| notice.in_language(self.language())),
        }
    }

    /// The first number in the selected (or copied) text, for the dial pad.
    pub fn selection_request(&self, text: &str) -> DialRequest {
        let number = phone::find_number(text);
        DialRequest {
            text: shortened(text),
            error: number.is_none().then(|| {
                if text.trim().is_empty() {
                    DialPadNotice::NothingSelected
                } else {
                    DialPadNotice::NoNumberSelected
                }
                .in_language(self.language())
            }),
            number,
            dial_now: false,
        }
    }

    /// Sends `makeCall` for `typed` from my extension (through the team relay
    /// when joined); the PBX's reply.
    pub async fn dial(&self, typed: &str) -> Result<String, UiError> {
        let to = DialNumber::parse(typed).map_err(DialError::from)?;
        if let Some(through_relay) = self.dial_through_relay(typed).await {
            return through_relay;
        }
        let config = self.config();
        let from = config.extension.clone().ok_or(DialError::NoExtension)?;
        Ok(dial_with_account_token(&config, &from, &to).await?.reply)
    }

    /// Calls our own webhook URL as the PBX would (a contact look-up, then a
    /// call from the test number that rings and ends unanswered; history marks
    /// it as the test call) and says whether it arrived, in the agent's language.
    pub async fn send_test_call(&self) -> Result<String, UiError> {
        let settings = self.settings().await;
        let config = &settings.config;
        let fail = |outcome: TestCall| UiError::new(ErrorCode::TestCall, &outcome);
        let target = Target::parse(&settings.webhook_url).map_err(|e| fail(TestCall::BadUrl(e)))?;
        let call = SimCall {
            access_code: config
                .access_code
                .clone()
                .ok_or_else(|| fail(TestCall::NoAccount))?,
            callid: format!("{TEST_CALLID_PREFIX}{}", new_callid()),
            phone: TEST_NUMBER.into(),
            ext: config.extension.clone().unwrap_or_default(),
            line: None,
        };
        for fields in [
            call.contact(),
            call.incoming(),
            call.completed("Missed", 0, None),
        ] {
            let reply = target
                .send(&fields, None)
                .await
                .map_err(|e| fail(TestCall::NotArrived(e)))?;
            if reply.status != 200 {
                return Err(fail(TestCall::Refused {
                    url: settings.webhook_url,
                    status: reply.status,
                    body: reply.body,
                }));
            }
        }
        Ok(TestCall::Arrived(settings.webhook_url).in_language(settings.language))
    }
}

/// At most 200 characters of `text`, for showing it back.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_dialled_at_once_at_most_one_per_gap() {
        let pace = LinkPace::default();
        let start = Instant::now();
        assert!(pace.allows(start));
        assert!(!pace.allows(start + Duration::from_secs(1)));
        assert!(!pace.allows(start + LINK_DIAL_GAP - Duration::from_millis(1)));
        assert!(pace.allows(start + LINK_DIAL_GAP));
        assert!(!pace.allows(start + LINK_DIAL_GAP + Duration::from_secs(9)));
    }
}
