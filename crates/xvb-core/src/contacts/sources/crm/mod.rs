//! A CRM asked over HTTP for a caller no synced source knows: a GET of the
//! admin's URL template with the number in it, headers with the token from
//! the keyring, and JSON pointers to the name, the responsible extension and
//! the client's card in the reply (Bitrix24's `crm.contact.list`, amoCRM's
//! contacts search, or any CRM that answers JSON).
//!
//! - this file — the settings, one request, and what its reply means;
//! - `lookups` — the look-ups a listener makes: cached (found and not
//!   found), one request per number at a time, a few at once, within a time.

mod lookups;

pub use lookups::{said, CrmLookups};

use super::SourceError;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

/// The placeholder of the number in the URL template.
pub const NUMBER: &str = "{number}";
/// The placeholder of the token in a header's value.
pub const TOKEN: &str = "{token}";
/// How long a CRM may take unless the admin says otherwise (the PBX waits that long at most).
pub const DEFAULT_TIMEOUT_MS: u32 = 300;
/// The longest card URL kept (a link the pop opens).
const LONGEST_CARD_URL: usize = 2_000;
/// The most bytes of a reply read.
const LARGEST_REPLY: usize = 1 << 20;

/// A CRM source's settings (its token is in the keyring).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CrmSettings {
    /// The GET URL, with `{number}` where the caller's number goes (and
    /// `{token}` where the keyring's token goes, for a Bitrix24 webhook).
    pub url: String,
    /// Headers sent (`Authorization: Bearer {token}`: `{token}` is the keyring's).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// JSON pointer to the name (`/_embedded/contacts/0/name`).
    pub name_pointer: String,
    /// JSON pointer to the responsible agent's extension.
    #[serde(default)]
    pub responsible_pointer: Option<String>,
    /// JSON pointer to the client's card URL.
    #[serde(default)]
    pub card_pointer: Option<String>,
    /// How long a request may take, in ms (`cmd=contact` waits no longer).
    pub timeout_ms: u32,
    /// How long a name found is kept, in minutes.
    pub found_minutes: u32,
    /// How long "not in the CRM" is kept, in minutes.
    pub missing_minutes: u32,
}

impl CrmSettings {
    /// Whether the URL or a header carries the keyring's token.
    pub fn needs_token(&self) -> bool {
        self.url.contains(TOKEN) || self.headers.iter().any(|(_, value)| value.contains(TOKEN))
    }
}

/// What the CRM said of a caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// The name agents see.
    pub name: String,
    /// The responsible extension (an extension only).
    pub responsible: Option<String>,
    /// The client's card in the CRM.
    pub card: Option<String>,
}

/// One CRM with its client and token.
pub struct Crm {
    settings: CrmSettings,
    token: Option<Secret>,
    http: reqwest::Client,
}

impl Crm {
    /// A client for `settings`, sending `token` where its headers say `{token}`.
    pub fn new(settings: CrmSettings, token: Option<Secret>) -> Result<Crm, SourceError> {
        let timeout = Duration::from_millis(u64::from(settings.timeout_ms.max(1)));
        let http = super::http_client(&settings.url, |client| {
            client
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
        })?;
        Ok(Crm {
            settings,
            token,
            http,
        })
    }

    /// Whether `other` asks the same CRM the same way (settings and token).
    pub fn same_as(&self, other: &Crm) -> bool {
        self.settings == other.settings && self.token == other.token
    }

    /// Asks the CRM for the caller `number` (normalised): the client, none
    /// when the CRM does not know the number, or why it could not tell.
    pub async fn ask(&self, number: &str) -> Result<Option<Client>, SourceError> {
        let encoded = |text: &str| {
            percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        };
        let mut url = self.settings.url.replace(NUMBER, &encoded(number));
        if let Some(token) = &self.token {
            url = url.replace(TOKEN, &encoded(token.expose()));
        }
        let mut request = self.http.get(&url).header("Accept", "application/json");
        for (name, value) in &self.settings.headers {
            let value = match &self.token {
                Some(token) => value.replace(TOKEN, token.expose()),
                None => value.clone(),
            };
            request = request.header(name, value);
        }
        // Without the URL: it may hold the token.
        let slow = |e: reqwest::Error| {
            let e = e.without_url();
            if e.is_timeout() {
                SourceError::TooSlow {
                    ms: self.settings.timeout_ms,
                }
            } else {
                SourceError::of_http(&self.settings.url, &e)
            }
        };
        let mut response = request.send().await.map_err(slow)?;
        match response.status().as_u16() {
            204 | 404 => return Ok(None),
            401 | 403 => {
                return Err(SourceError::TokenRefused {
                    status: response.status().as_u16(),
                })
            }
            200..=299 => {}
            status => {
                return Err(SourceError::HttpStatus {
                    url: self.settings.url.clone(),
                    status,
                })
            }
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(slow)? {
            body.extend_from_slice(&chunk);
            if body.len() > LARGEST_REPLY {
                return Err(SourceError::BadReply {
                    reason: "the reply is larger than 1 MB".into(),
                });
            }
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let reply: Value = serde_json::from_slice(&body).map_err(|e| SourceError::BadReply {
            reason: format!("not JSON: {e}"),
        })?;
        client_of(&reply, &self.settings)
    }
}

/// What a reply says, by the settings' pointers: none when the pointer to
/// the name runs past the end of a list (no client), an error when the reply
/// lacks a field the pointer names (the CRM's shape is not the settings').
fn client_of(reply: &Value, settings: &CrmSettings) -> Result<Option<Client>, SourceError> {
    let name = match follow(reply, &settings.name_pointer) {
        Followed::Found(value) => text_of(value),
        Followed::PastList => return Ok(None),
        Followed::Lacks => None,
    };
    let Some(name) = name else {
        return Err(SourceError::LacksName {
            pointer: settings.name_pointer.clone(),
        });
    };
    let optional = |pointer: &Option<String>| match pointer {
        Some(pointer) => match follow(reply, pointer) {
            Followed::Found(value) => text_of(value),
            _ => None,
        },
        None => None,
    };
    let entry = super::Entry::new(&name, [], None);
    Ok(Some(Client {
        name: entry.name,
        responsible: optional(&settings.responsible_pointer)
            .filter(|r| crate::pbx::phone::is_extension(r)),
        card: optional(&settings.card_pointer).filter(|url| {
            url.len() <= LONGEST_CARD_URL
                && url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        }),
    }))
}

/// Where a pointer led.
enum Followed<'a> {
    Found(&'a Value),
    /// An index past a list's end: the list of matches is empty.
    PastList,
    /// A key the reply does not have.
    Lacks,
}

/// Follows an RFC 6901 pointer, telling an empty list from a missing key.
fn follow<'a>(mut value: &'a Value, pointer: &str) -> Followed<'a> {
    let Some(tokens) = pointer.strip_prefix('/') else {
        return Followed::Found(value);
    };
    for token in tokens.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        value = match value {
            Value::Array(items) => match token.parse::<usize>() {
                Ok(i) if i < items.len() => &items[i],
                Ok(_) => return Followed::PastList,
                Err(_) => return Followed::Lacks,
            },
            Value::Object(map) => match map.get(&token) {
                Some(next) => next,
                None => return Followed::Lacks,
            },
            // `null` where a list of matches would be: none.
            Value::Null => return Followed::PastList,
            _ => return Followed::Lacks,
        };
    }
    Followed::Found(value)
}

/// A string or a number as text; nothing for an empty one.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
    .filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests;
