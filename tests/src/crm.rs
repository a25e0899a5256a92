//! A stand-in for a CRM's HTTP API in amoCRM's shape (`GET
//! /api/v4/contacts?query=…` with a Bearer token; `_embedded` contacts; 204
//! when nobody matches) on a real loopback socket, counting what it is asked.
//! A few numbers answer slowly or fail; numbers starting `7499` are clients
//! named after their number (for the benches).

use crate::agent::Agent;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The token the CRM takes.
pub const TOKEN: &str = "crm-token-3f9a";
/// Known to the CRM, with its responsible in a custom field.
pub const CLIENT: &str = "79161112233";
/// Answered after 150 ms: within the timeout, after the event's pop.
pub const UNHURRIED: &str = "74950000150";
/// Answered after 150 ms too (another caller, not cached yet).
pub const UNHURRIED_TOO: &str = "74950000151";
/// Answered after 5 s: past the timeout.
pub const SLOW: &str = "74950005000";
/// Answered with a 500.
pub const BROKEN: &str = "74950000500";

/// The numbers the CRM was asked for, each as often as it was.
pub type Asked = Arc<Mutex<HashMap<String, usize>>>;

async fn contacts(
    State(asked): State<Asked>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {TOKEN}"))
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({"title": "Unauthorized"})),
        )
            .into_response();
    }
    let number = query.get("query").cloned().unwrap_or_default();
    *asked.lock().unwrap().entry(number.clone()).or_default() += 1;
    let (name, ext) = match number.as_str() {
        CLIENT => ("ООО «Ромашка»", "201"),
        UNHURRIED | UNHURRIED_TOO => {
            tokio::time::sleep(Duration::from_millis(150)).await;
            ("Неспешный клиент", "202")
        }
        SLOW => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            ("Слишком поздно", "203")
        }
        BROKEN => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        other if other.starts_with("7499") => return client(&format!("Клиент {other}"), "204"),
        _ => return StatusCode::NO_CONTENT.into_response(),
    };
    client(name, ext)
}

/// The reply naming one client, with its extension in a custom field.
fn client(name: &str, ext: &str) -> Response {
    Json(serde_json::json!({"_page": 1, "_embedded": {"contacts": [{
        "id": 7, "name": name, "responsible_user_id": 504141,
        "custom_fields_values": [{"field_id": 3, "field_name": "Добавочный", "values": [{"value": ext}]}],
        "_links": {"self": {"href": "https://crm.example/contacts/detail/7"}}
    }]}}))
    .into_response()
}

/// Starts the stand-in CRM on a loopback port: its base URL and what it was asked.
pub fn start_crm() -> (String, Asked) {
    let asked = Asked::default();
    let app = Router::new()
        .route("/api/v4/contacts", get(contacts))
        .with_state(Arc::clone(&asked));
    let (bound, listening) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            bound.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    let addr = listening.recv().unwrap();
    (format!("http://{addr}"), asked)
}

/// `xvb contacts source add crm --name crm --url URL` and `more` options on `agent`.
pub fn add_crm_source(agent: &Agent, url: &str, more: &[&str]) {
    let mut args = vec![
        "contacts", "source", "add", "crm", "--name", "crm", "--url", url,
    ];
    args.extend_from_slice(more);
    agent.ok(&args);
}

/// `xvb contacts source add crm` on `agent`: the source `crm`, the stand-in at
/// `base` in amoCRM's shape, the token in a Bearer header.
pub fn add_crm(agent: &Agent, base: &str) {
    add_crm_source(
        agent,
        &format!("{base}/api/v4/contacts?query={{number}}"),
        &[
            "--header",
            "Authorization: Bearer {token}",
            "--name-pointer",
            "/_embedded/contacts/0/name",
            "--responsible-pointer",
            "/_embedded/contacts/0/custom_fields_values/0/values/0/value",
            "--card-pointer",
            "/_embedded/contacts/0/_links/self/href",
        ],
    );
}
