//! What a request to the webhook must pass, each check with the refusal it
//! gives ([`HookError`]: a status and a one-line reason): the header
//! section's size, the content type and encoding, the body's size, the
//! access code. The order they run in is in `hook.rs`.

use crate::config::Config;
use crate::pbx::protocol::{Fields, ProtocolError};
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

/// Largest accepted body.
pub const MAX_BODY: usize = 64 * 1024;
/// Largest accepted header section (names and values).
pub const MAX_HEADERS: usize = 16 * 1024;
/// Header some PBX requests carry the account number in.
pub const ACCESS_CODE_HEADER: &str = "x-xvb-ac";

/// Why a request was refused; each becomes a status and a one-line reason.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// Unknown path or secret: 404 with no hint.
    #[error("")]
    NotFound,
    /// Anything but POST.
    #[error("use POST")]
    Method,
    /// Not form-urlencoded or JSON.
    #[error("send application/x-www-form-urlencoded or application/json")]
    MediaType,
    /// A compressed body.
    #[error("the body is sent with Content-Encoding `{0}`, which this listener does not decode; send it uncompressed")]
    Encoding(String),
    /// Headers over [`MAX_HEADERS`].
    #[error("the request's headers are larger than 16 KiB")]
    HeadersTooLarge,
    /// Body over [`MAX_BODY`].
    #[error("body is larger than 64 KiB")]
    TooLarge,
    /// Syntax or field error.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// The body could not be read (what the server said).
    #[error("could not read the body: {0}")]
    Unreadable(String),
    /// The body's access code and the header's differ.
    #[error("access_code in the body and the X-XVB-AC header differ")]
    CodesDiffer,
    /// Access code does not match the configured account.
    #[error("access_code does not match this companion's account; check the account number in its settings")]
    Forbidden {
        /// The access code the request sent.
        sent: String,
    },
    /// The event could not be stored.
    #[error("could not store the event ({0}); nothing was recorded, send it again")]
    Unavailable(String),
}

impl IntoResponse for HookError {
    fn into_response(self) -> Response {
        let status = match self {
            HookError::NotFound => StatusCode::NOT_FOUND,
            HookError::Method => StatusCode::METHOD_NOT_ALLOWED,
            HookError::MediaType | HookError::Encoding(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            HookError::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            HookError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            HookError::Protocol(_) | HookError::Unreadable(_) | HookError::CodesDiffer => {
                StatusCode::BAD_REQUEST
            }
            HookError::Forbidden { .. } => StatusCode::FORBIDDEN,
            HookError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        if status != StatusCode::NOT_FOUND {
            tracing::info!(%status, reason = %self, "refused a webhook request");
        }
        let mut response = (status, self.to_string()).into_response();
        if status == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        }
        response
    }
}

/// How a body is written.
pub(super) enum BodyKind {
    Form,
    Json,
}

/// Refuses a header section over [`MAX_HEADERS`].
pub(super) fn check_header_size(headers: &HeaderMap) -> Result<(), HookError> {
    let size: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if size > MAX_HEADERS {
        return Err(HookError::HeadersTooLarge);
    }
    Ok(())
}

/// Refuses a body with a `Content-Encoding` (other than `identity`): the
/// listener reads bodies as sent.
pub(super) fn check_encoding(headers: &HeaderMap) -> Result<(), HookError> {
    for value in headers.get_all(header::CONTENT_ENCODING) {
        let text = value.to_str().unwrap_or("(not text)").trim();
        if !text.eq_ignore_ascii_case("identity") {
            return Err(HookError::Encoding(text.chars().take(40).collect()));
        }
    }
    Ok(())
}

pub(super) fn body_kind(headers: &HeaderMap) -> Result<BodyKind, HookError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/x-www-form-urlencoded" => Ok(BodyKind::Form),
        "application/json" => Ok(BodyKind::Json),
        _ => Err(HookError::MediaType),
    }
}

pub(super) async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, HookError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_BODY) {
        return Err(HookError::TooLarge);
    }
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|e| {
        let too_large = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if too_large {
            HookError::TooLarge
        } else {
            HookError::Unreadable(e.to_string())
        }
    })
}

pub(super) fn check_access_code(
    config: &Config,
    headers: &HeaderMap,
    fields: &Fields,
) -> Result<(), HookError> {
    // Compared exactly as sent: no trimming (an HTTP header's own surrounding
    // whitespace is not part of its value).
    let in_header = headers
        .get(ACCESS_CODE_HEADER)
        .map(|v| v.to_str().unwrap_or("\u{fffd}"));
    let in_body = fields.get("access_code").filter(|v| !v.is_empty());
    let sent = match (in_body, in_header) {
        (Some(body), Some(header)) if body != header => return Err(HookError::CodesDiffer),
        (Some(code), _) | (None, Some(code)) => code,
        (None, None) => return Err(ProtocolError::Missing("access_code").into()),
    };
    let Some(expected) = config.access_code.as_deref() else {
        tracing::warn!("a request arrived but no access_code is configured: run `xvb config set access_code <account>`");
        return Err(HookError::Forbidden { sent: sent.into() });
    };
    if bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(HookError::Forbidden { sent: sent.into() })
    }
}
