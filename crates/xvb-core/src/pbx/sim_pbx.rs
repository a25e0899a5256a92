//! A stand-in PBX for `makeCall` (`xvb sim pbx`, tests): it checks the token
//! and numbers as the PBX does, then plays the outgoing call back to the
//! companion's webhook with the simulator's exact bytes.

use super::protocol::Fields;
use super::sim::{new_callid, SimCall, Target};

/// A stand-in PBX for `makeCall`: checks the token and numbers like the PBX,
/// then plays the outgoing call back to the companion's webhook.
#[derive(Clone)]
pub struct SimPbx {
    /// The token the PBX expects.
    pub token: crate::secret::Secret,
    /// Where to play the call back.
    pub webhook: Target,
    /// Account number sent in the events.
    pub access_code: String,
    /// Receives one line per thing that happened (accepted makeCall, webhook replies).
    pub report: std::sync::Arc<dyn Fn(String) + Send + Sync>,
}

impl SimPbx {
    /// The simulator's HTTP app: `POST` any path with a `makeCall` form.
    pub fn router(self) -> axum::Router {
        axum::Router::new()
            .fallback(axum::routing::post(make_call))
            .with_state(self)
    }

    async fn play_back(self, call: SimCall) {
        let pause = std::time::Duration::from_millis(50);
        tokio::time::sleep(pause).await;
        let link = format!(
            "https://pbx.invalid/ui/msg_download/120/{}/{}.g722",
            call.access_code, call.callid
        );
        for fields in [call.outgoing(), call.completed("Success", 5, Some(&link))] {
            let event = fields.get("event").unwrap_or("?").to_owned();
            let line = match self.webhook.send(&fields, None).await {
                Ok(reply) => format!("webhook {event} callid={} -> {}", call.callid, reply.status),
                Err(e) => format!("webhook {event} callid={} failed: {e}", call.callid),
            };
            (self.report)(line);
            tokio::time::sleep(pause).await;
        }
    }
}

async fn make_call(
    axum::extract::State(pbx): axum::extract::State<SimPbx>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> (axum::http::StatusCode, String) {
    use axum::http::StatusCode;
    use subtle::ConstantTimeEq;
    let is_form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "send a form".into());
    }
    let Ok(fields) = Fields::from_form(&body) else {
        return (StatusCode::BAD_REQUEST, "bad form".into());
    };
    if fields.get("cmd") != Some("makeCall") {
        return (StatusCode::BAD_REQUEST, "unknown cmd".into());
    }
    let token = fields.get("token").unwrap_or_default();
    if !bool::from(token.as_bytes().ct_eq(pbx.token.expose().as_bytes())) {
        return (StatusCode::UNAUTHORIZED, "invalid token".into());
    }
    let from = fields.get("from").unwrap_or_default();
    if !crate::pbx::phone::is_extension(from) {
        return (StatusCode::BAD_REQUEST, format!("invalid from `{from}`"));
    }
    let to = match crate::pbx::phone::DialNumber::parse(fields.get("to").unwrap_or_default()) {
        Ok(number) => number,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("invalid to: {e}")),
    };
    let call = SimCall {
        access_code: pbx.access_code.clone(),
        callid: new_callid(),
        phone: to.as_str().to_owned(),
        ext: from.to_owned(),
        line: None,
    };
    (pbx.report)(format!(
        "makeCall from={from} to={} callid={}",
        to.as_str(),
        call.callid
    ));
    let reply = format!(r#"{{"result":"ok","callid":"{}"}}"#, call.callid);
    tokio::spawn(pbx.play_back(call));
    (StatusCode::OK, reply)
}
