//! `makeCall`: asks the PBX to ring the agent's phone and dial the client (`docs/PROTOCOL.md` §3).
//!
//! A form POST of `token`, `from`, `to`, `cmd=makeCall` to the configured PBX
//! address, over rustls. 2xx is accepted; anything else, and every way of not
//! reaching the PBX, becomes a [`DialError`] that says what to check.

use crate::config::Config;
use crate::pbx::phone::DialNumber;
use crate::secret::{Secret, TokenError, TokenStore};
use std::time::Duration;

/// Time to open the connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time for the whole request.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a refusal's body is shown.
pub const BODY_PREVIEW: usize = 200;
const MAX_REPLY: usize = 64 * 1024;

/// Why a call could not be placed. Messages never contain the token.
#[derive(Debug, thiserror::Error)]
pub enum DialError {
    /// The token could not be read.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The number is not dialable.
    #[error("cannot dial this number: {0}")]
    Number(#[from] crate::pbx::phone::NumberError),
    /// No extension to call from.
    #[error("set your extension first (`xvb config set extension 100`, or Settings)")]
    NoExtension,
    /// The `from` extension is not digits.
    #[error("the extension to call from must be digits, got `{0}`")]
    BadExtension(String),
    /// No PBX address.
    #[error("set the PBX address first (`xvb config set pbx_url https://…`, or Settings): it is \"Адрес облачной АТС\" in the PBX's integration settings")]
    NoPbxUrl,
    /// The PBX address cannot be used.
    #[error("the PBX address `{0}` is not an http(s) URL; check pbx_url")]
    BadPbxUrl(String),
    /// Plain HTTP to a host that is not this computer: the token would travel in clear.
    #[error("refused to send the PBX token over plain http:// to {0}: set pbx_url to the PBX's https:// address (`xvb config set pbx_url https://…`, or Settings)")]
    InsecurePbxUrl(String),
    /// The PBX answered, but not 2xx.
    #[error("the PBX refused the call: HTTP {status}{}{hint}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    Refused {
        /// HTTP status code.
        status: u16,
        /// The first 200 characters of the reply, token redacted.
        body: String,
        /// What to check for this status.
        hint: RefusalHint,
    },
    /// Nothing listens at the PBX address.
    #[error("cannot connect to the PBX at {0}: connection refused; check pbx_url (host and port) and that the PBX is up")]
    ConnectionRefused(String),
    /// The network has no route there.
    #[error("cannot reach the PBX at {0}: the network is unreachable; check this computer's network connection")]
    NetworkUnreachable(String),
    /// The host name does not resolve.
    #[error("cannot find the PBX host {0} (DNS lookup failed); check pbx_url for typos and this computer's internet connection")]
    Dns(String),
    /// TLS handshake or certificate failure.
    #[error("the secure connection to the PBX at {host} failed ({detail}); check that pbx_url is the PBX's https address, and this computer's date and time")]
    Tls {
        /// The host.
        host: String,
        /// What TLS said.
        detail: String,
    },
    /// Connect or reply too slow.
    #[error(
        "the PBX at {host} did not answer within {seconds} s; check the network, or try again"
    )]
    Timeout {
        /// The host.
        host: String,
        /// The limit hit.
        seconds: u64,
    },
    /// Anything else on the way.
    #[error("the request to the PBX failed: {0}")]
    Other(String),
}

/// What to check when the PBX refuses `makeCall`, by the status it answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalHint {
    /// 401, 403: the token.
    Token,
    /// 404, 405: the PBX's address.
    Address,
    /// 3xx: an address that redirects.
    Redirect,
    /// 5xx: the PBX's own trouble.
    PbxTrouble,
    /// Nothing in particular.
    Nothing,
}

impl RefusalHint {
    /// The hint for an HTTP status.
    pub fn of_status(status: u16) -> RefusalHint {
        match status {
            401 | 403 => RefusalHint::Token,
            404 | 405 => RefusalHint::Address,
            300..=399 => RefusalHint::Redirect,
            500.. => RefusalHint::PbxTrouble,
            _ => RefusalHint::Nothing,
        }
    }
}

impl std::fmt::Display for RefusalHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RefusalHint::Token => " — check the token (`xvb token set`, or Settings) and the PBX's integration settings",
            RefusalHint::Address => " — check pbx_url: it should be the PBX's \"Адрес облачной АТС\"",
            RefusalHint::Redirect => " — the PBX address redirects; set pbx_url to the final address",
            RefusalHint::PbxTrouble => " — the PBX has a problem; try again later or tell its admin",
            RefusalHint::Nothing => "",
        })
    }
}

/// The PBX accepted the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// HTTP status (2xx).
    pub status: u16,
    /// The PBX's reply text (token redacted), possibly empty.
    pub reply: String,
}

/// Sends `makeCall` for `to` from extension `from` to the configured PBX, with the
/// account's token (the keyring's, or `XVB_TOKEN` on a headless server).
pub async fn dial_with_account_token(
    config: &Config,
    from: &str,
    to: &DialNumber,
) -> Result<Accepted, DialError> {
    let dialer = Dialer::new(config.pbx_url.as_deref())?;
    let account = config.access_code.clone();
    let (token, _) = tokio::task::spawn_blocking(move || {
        TokenStore::for_account(account.as_deref())?.token_for_dialing()
    })
    .await
    .map_err(|e| TokenError::Keyring(e.to_string()))??;
    dialer.make_call(&token, from, to).await
}

/// Sends `makeCall` to one PBX.
#[derive(Debug, Clone)]
pub struct Dialer {
    client: reqwest::Client,
    pbx_url: url::Url,
    connect_timeout: Duration,
    total_timeout: Duration,
}

impl Dialer {
    /// A dialer for `pbx_url` with the standard timeouts (5 s connect, 10 s total).
    pub fn new(pbx_url: Option<&str>) -> Result<Dialer, DialError> {
        Dialer::with_timeouts(pbx_url, CONNECT_TIMEOUT, TOTAL_TIMEOUT)
    }

    /// A dialer with other timeouts (tests).
    pub fn with_timeouts(
        pbx_url: Option<&str>,
        connect_timeout: Duration,
        total_timeout: Duration,
    ) -> Result<Dialer, DialError> {
        let text = pbx_url.ok_or(DialError::NoPbxUrl)?;
        let pbx_url = url::Url::parse(text)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| DialError::BadPbxUrl(text.to_owned()))?;
        if !crate::config::private_channel(&pbx_url) {
            return Err(DialError::InsecurePbxUrl(
                pbx_url.host_str().unwrap_or_default().to_owned(),
            ));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .timeout(total_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("xvb-companion/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| DialError::Other(e.to_string()))?;
        Ok(Dialer {
            client,
            pbx_url,
            connect_timeout,
            total_timeout,
        })
    }

    fn host(&self) -> String {
        match self.pbx_url.port() {
            Some(port) => format!("{}:{port}", self.pbx_url.host_str().unwrap_or_default()),
            None => self.pbx_url.host_str().unwrap_or_default().to_owned(),
        }
    }

    /// Asks the PBX to connect extension `from` with `to`.
    pub async fn make_call(
        &self,
        token: &Secret,
        from: &str,
        to: &DialNumber,
    ) -> Result<Accepted, DialError> {
        if !crate::pbx::phone::is_extension(from) {
            return Err(DialError::BadExtension(from.to_owned()));
        }
        let form = [
            ("token", token.expose()),
            ("from", from),
            ("to", to.as_str()),
            ("cmd", "makeCall"),
        ];
        tracing::info!(pbx = %self.host(), from, "sending makeCall");
        let response = self
            .client
            .post(self.pbx_url.clone())
            .form(&form)
            .send()
            .await
            .map_err(|e| self.classify(&e))?;
        let status = response.status();
        let body = read_capped(response).await.map_err(|e| self.classify(&e))?;
        let text = token.redact(String::from_utf8_lossy(&body).trim());
        if status.is_success() {
            tracing::info!(status = status.as_u16(), "the PBX accepted makeCall");
            return Ok(Accepted {
                status: status.as_u16(),
                reply: text,
            });
        }
        tracing::warn!(status = status.as_u16(), "the PBX refused makeCall");
        Err(DialError::Refused {
            status: status.as_u16(),
            body: text.chars().take(BODY_PREVIEW).collect(),
            hint: RefusalHint::of_status(status.as_u16()),
        })
    }

    fn classify(&self, error: &reqwest::Error) -> DialError {
        let host = self.host();
        let chain = error_chain(error);
        let io_kind = io_error_kind(error);
        if error.is_timeout() || io_kind == Some(std::io::ErrorKind::TimedOut) {
            let limit = if error.is_connect() {
                self.connect_timeout
            } else {
                self.total_timeout
            };
            return DialError::Timeout {
                host,
                seconds: limit.as_secs().max(1),
            };
        }
        match io_kind {
            Some(std::io::ErrorKind::ConnectionRefused) => {
                return DialError::ConnectionRefused(host)
            }
            Some(std::io::ErrorKind::NetworkUnreachable | std::io::ErrorKind::HostUnreachable) => {
                return DialError::NetworkUnreachable(host)
            }
            _ => {}
        }
        let lower = chain.to_ascii_lowercase();
        if lower.contains("dns error") || lower.contains("failed to lookup address") {
            return DialError::Dns(self.pbx_url.host_str().unwrap_or_default().to_owned());
        }
        if self.pbx_url.scheme() == "https" && error.is_connect() {
            return DialError::Tls {
                host,
                detail: innermost(error),
            };
        }
        DialError::Other(chain)
    }
}

async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk[..chunk.len().min(MAX_REPLY - body.len())]);
        if body.len() >= MAX_REPLY {
            break;
        }
    }
    Ok(body)
}

fn sources(error: &reqwest::Error) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
    std::iter::successors(std::error::Error::source(error), |e| e.source())
}

fn error_chain(error: &reqwest::Error) -> String {
    std::iter::once(error.to_string())
        .chain(sources(error).map(|e| e.to_string()))
        .collect::<Vec<_>>()
        .join(": ")
}

fn innermost(error: &reqwest::Error) -> String {
    sources(error)
        .last()
        .map_or_else(|| error.to_string(), |e| e.to_string())
}

fn io_error_kind(error: &reqwest::Error) -> Option<std::io::ErrorKind> {
    sources(error)
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind)
        .find(|kind| *kind != std::io::ErrorKind::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_five_and_ten_seconds() {
        let dialer = Dialer::new(Some("https://pbx.example/crm")).unwrap();
        assert_eq!(
            (dialer.connect_timeout, dialer.total_timeout),
            (Duration::from_secs(5), Duration::from_secs(10))
        );
    }

    #[test]
    fn pbx_address_must_be_http() {
        assert!(matches!(Dialer::new(None), Err(DialError::NoPbxUrl)));
        assert!(matches!(
            Dialer::new(Some("ftp://pbx")),
            Err(DialError::BadPbxUrl(_))
        ));
        assert!(matches!(
            Dialer::new(Some("pbx.example")),
            Err(DialError::BadPbxUrl(_))
        ));
    }

    #[test]
    fn the_token_goes_over_plain_http_only_to_this_computer() {
        let refused = Dialer::new(Some("http://pbx.example/crm")).unwrap_err();
        assert!(matches!(refused, DialError::InsecurePbxUrl(_)), "{refused}");
        assert!(refused
            .to_string()
            .contains("set pbx_url to the PBX's https:// address"));
        for local in [
            "http://127.0.0.1:8080/crm",
            "http://[::1]/crm",
            "http://localhost/crm",
        ] {
            Dialer::new(Some(local)).unwrap();
        }
    }
}
