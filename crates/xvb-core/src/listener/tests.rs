//! The listener's answers, in-process (`router(…).oneshot(…)`, no socket): every
//! refusal has its status and a one-line reason and stores nothing; good form
//! and JSON requests are stored. The PBX's own captures over real TCP are in
//! the end-to-end suite.

use super::{router, Engine};
use crate::config::DataDir;
use crate::pbx::notifier::Silent;
use crate::store::{Database, HistoryQuery};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
const GOOD: &str =
    "access_code=10019&cmd=event&callid=E1&type=in&event=INCOMING&ext=&phone=79201119613";

/// One request and what the listener must answer.
struct Case {
    what: &'static str,
    method: &'static str,
    /// `None`: the listener's own hook path.
    path: Option<String>,
    content_type: Option<&'static str>,
    access_code_header: Option<&'static str>,
    body: String,
    status: StatusCode,
    /// Text the one-line reason mentions.
    reason: &'static str,
}

impl Case {
    /// A form POST of `body` to the hook.
    fn post(
        what: &'static str,
        body: impl Into<String>,
        status: u16,
        reason: &'static str,
    ) -> Case {
        Case {
            what,
            method: "POST",
            path: None,
            content_type: Some(FORM),
            access_code_header: None,
            body: body.into(),
            status: StatusCode::from_u16(status).expect("a status"),
            reason,
        }
    }
}

/// A listener for account 10019, extension 100, on a data dir of its own.
struct Listener {
    _dir: tempfile::TempDir,
    data: DataDir,
    app: axum::Router,
    path: String,
}

impl Listener {
    fn start() -> Listener {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::resolve(Some(dir.path().to_path_buf())).unwrap();
        let mut config = data.load_config().unwrap();
        config.set("access_code", "10019").unwrap();
        config.set("extension", "100").unwrap();
        let path = format!("/hook/{}", config.webhook_secret);
        let engine = Engine::open(&data, config, Arc::new(Silent)).unwrap();
        Listener {
            _dir: dir,
            data,
            app: router(engine.state),
            path,
        }
    }

    async fn send(&self, case: &Case) -> (StatusCode, String) {
        let mut request = Request::builder()
            .method(case.method)
            .uri(case.path.as_deref().unwrap_or(&self.path))
            .header("content-length", case.body.len());
        if let Some(content_type) = case.content_type {
            request = request.header("content-type", content_type);
        }
        if let Some(code) = case.access_code_header {
            request = request.header(super::hook::ACCESS_CODE_HEADER, code);
        }
        let request = request.body(Body::from(case.body.clone())).unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    fn database(&self) -> Database {
        Database::open(&self.data.database_path()).unwrap()
    }
}

fn refusals() -> Vec<Case> {
    let wrong_secret = format!("/hook/{}", "x".repeat(43));
    vec![
        Case {
            path: Some("/".into()),
            ..Case::post("unknown path", GOOD, 404, "")
        },
        Case {
            path: Some(wrong_secret.clone()),
            ..Case::post("wrong secret", GOOD, 404, "")
        },
        Case {
            method: "GET",
            path: Some(wrong_secret),
            content_type: None,
            ..Case::post("GET on wrong secret", "", 404, "")
        },
        Case {
            method: "GET",
            content_type: None,
            ..Case::post("GET", "", 405, "POST")
        },
        Case {
            content_type: Some("text/plain"),
            ..Case::post("text/plain", GOOD, 415, "x-www-form-urlencoded")
        },
        Case {
            content_type: None,
            ..Case::post("no content type", GOOD, 415, "x-www-form-urlencoded")
        },
        Case::post(
            "too large",
            format!("{GOOD}&pad={}", "a".repeat(65 * 1024)),
            413,
            "64 KiB",
        ),
        Case::post(
            "wrong access code",
            GOOD.replace("10019", "10018"),
            403,
            "access_code",
        ),
        Case {
            access_code_header: Some("10018"),
            ..Case::post("header disagrees", GOOD, 400, "differ")
        },
        Case {
            access_code_header: Some("10018"),
            ..Case::post(
                "header alone, wrong",
                GOOD.replace("access_code=10019&", ""),
                403,
                "access_code",
            )
        },
        Case::post(
            "no access code",
            GOOD.replace("access_code=10019&", ""),
            400,
            "access_code",
        ),
        Case::post("no callid", GOOD.replace("callid=E1&", ""), 400, "callid"),
        Case::post("no cmd", GOOD.replace("cmd=event&", ""), 400, "cmd"),
        Case::post(
            "unknown cmd",
            GOOD.replace("cmd=event", "cmd=history"),
            400,
            "cmd",
        ),
        Case::post(
            "bad duration",
            format!("{GOOD}&duration=ten"),
            400,
            "duration",
        ),
        Case::post(
            "bad type",
            GOOD.replace("type=in", "type=sideways"),
            400,
            "type",
        ),
        Case::post(
            "contact without phone",
            "access_code=10019&cmd=contact",
            400,
            "phone",
        ),
        Case {
            content_type: Some(JSON),
            ..Case::post("broken JSON", "{\"cmd\":", 400, "JSON")
        },
    ]
}

#[tokio::test]
async fn every_refusal_has_its_status_a_reason_and_stores_nothing() {
    let listener = Listener::start();
    for case in refusals() {
        let (status, text) = listener.send(&case).await;
        let what = case.what;
        assert_eq!(status, case.status, "{what}: {text}");
        assert!(
            text.contains(case.reason),
            "{what}: reason {text:?} should mention {:?}",
            case.reason
        );
        if status == StatusCode::NOT_FOUND {
            assert!(text.is_empty(), "{what}: a 404 gives no hint, got {text:?}");
        } else {
            assert!(!text.contains('\n'), "{what}: one-line reason");
        }
    }
    let db = listener.database();
    assert!(
        db.journal(0, 10).unwrap().is_empty(),
        "nothing refused was journalled"
    );
    let everything = HistoryQuery {
        limit: 10,
        ..HistoryQuery::default()
    };
    assert!(
        db.history(&everything).unwrap().is_empty(),
        "nothing refused was stored"
    );

    let (status, _) = listener.send(&Case::post("good", GOOD, 200, "")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the same listener accepts a good request"
    );
    let json = r#"{"access_code":"10019","cmd":"event","callid":"J1","event":"COMPLETED","status":"missed","duration":0,"phone":"79201119613"}"#;
    let json_case = Case {
        content_type: Some("application/json; charset=utf-8"),
        ..Case::post("JSON", json, 200, "")
    };
    let (status, _) = listener.send(&json_case).await;
    assert_eq!(status, StatusCode::OK, "JSON bodies are accepted");
    let missed = db
        .history(&HistoryQuery {
            status: Some("MISSED".into()),
            ..everything
        })
        .unwrap();
    assert_eq!(missed.len(), 1);
    assert_eq!(missed[0].callid, "J1");
    assert_eq!(missed[0].duration, Some(0));
}
