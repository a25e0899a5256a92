//! The dial pad and what fills it: numbers as typed, `tel:`/`callto:` links,
//! the selected text; `makeCall` (directly or through the relay); and the
//! settings' *Send a test call*.

use super::{Companion, DialRequest, ErrorCode, UiError};
use crate::pbx::dialer::{dial_with_account_token, DialError};
use crate::pbx::phone::{self, DialNumber};
use crate::pbx::sim::{new_callid, SimCall, Target};

impl Companion {
    /// Validates a number as typed; the digits that would be dialled.
    pub fn check_number(&self, typed: &str) -> Result<String, UiError> {
        Ok(DialNumber::parse(typed)
            .map_err(DialError::from)?
            .as_str()
            .to_owned())
    }

    /// What a clicked `tel:` / `callto:` link asks: its number, or why it has none
    /// (a malformed link is shown, never dialled).
    pub fn link_request(&self, link: &str) -> DialRequest {
        let parsed = DialNumber::parse(link);
        DialRequest {
            text: shortened(link),
            number: parsed.is_ok().then(|| phone::written_number(link)),
            dial_now: parsed.is_ok() && self.config().dial_links_at_once,
            error: parsed
                .err()
                .map(|e| format!("this link has no number to dial: {e}")),
        }
    }

    /// The first number in the selected (or copied) text, for the dial pad.
    pub fn selection_request(&self, text: &str) -> DialRequest {
        let number = phone::find_number(text);
        DialRequest {
            text: shortened(text),
            error: number.is_none().then(|| {
                if text.trim().is_empty() {
                    "nothing is selected or copied; select a phone number and press the shortcut again".to_owned()
                } else {
                    "no phone number in the selected text".to_owned()
                }
            }),
            number,
            dial_now: false,
        }
    }

    /// Sends `makeCall` for `typed` from my extension (through the team relay
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

    /// Calls our own webhook URL as the PBX would (a contact look-up and a short
    /// answered call from a test number) and says whether it arrived.
    pub async fn send_test_call(&self) -> Result<String, UiError> {
        let settings = self.settings().await;
        let config = &settings.config;
        let fail = |message: String| UiError::new(ErrorCode::TestCall, message);
        let target = Target::parse(&settings.webhook_url).map_err(|e| fail(e.to_string()))?;
        let call = SimCall {
            access_code: config
                .access_code
                .clone()
                .ok_or_else(|| fail("set the access code (the PBX account number) first".into()))?,
            callid: format!("test-{}", new_callid()),
            phone: "70000000000".into(),
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
                .map_err(|e| fail(format!("the test call did not arrive: {e}")))?;
            if reply.status != 200 {
                return Err(fail(format!(
                    "the test call reached {} but was refused: HTTP {} {}",
                    settings.webhook_url, reply.status, reply.body
                )));
            }
        }
        Ok(format!("the test call arrived at {}", settings.webhook_url))
    }
}

/// At most 200 characters of `text`, for showing it back.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}
