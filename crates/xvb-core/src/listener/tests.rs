//! The listener's answers, in-process (`router(…).oneshot(…)`, no socket): every
//! refusal has its status and a one-line reason and stores nothing; good form
//! and JSON requests are stored. The PBX's own captures over real TCP are in
//! the end-to-end suite.

use super::{router, Engine};
use crate::config::DataDir;
use crate::pbx::notifier::{AwaySummary, Notice, Notifier, Silent};
use crate::pbx::refusal::{Refusal, Refused};
use crate::store::{Database, HistoryQuery};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::sync::Mutex;
use tower::ServiceExt;

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
const GOOD: &str =
    "access_code=10019&cmd=event&callid=E1&type=in&event=INCOMING&ext=&phone=79201119613";
const AC_HEADER: &str = super::checks::ACCESS_CODE_HEADER;

/// One request and what the listener must answer.
struct Case {
    what: &'static str,
    method: &'static str,
    /// `None`: the listener's own hook path.
    path: Option<String>,
    content_type: Option<&'static str>,
    /// More headers.
    headers: Vec<(&'static str, String)>,
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
            headers: Vec::new(),
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
    refusals: Arc<super::refusals::Refusals>,
}

impl Listener {
    fn start() -> Listener {
        Listener::telling(Arc::new(Silent))
    }

    /// A listener whose decisions (and refusals) go to `notifier`.
    fn telling(notifier: Arc<dyn Notifier>) -> Listener {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::resolve(Some(dir.path().to_path_buf())).unwrap();
        let mut config = data.load_config().unwrap();
        config.set("access_code", "10019").unwrap();
        config.set("extension", "100").unwrap();
        let path = format!("/hook/{}", config.webhook_secret);
        let engine = Engine::open(&data, config, notifier).unwrap();
        Listener {
            _dir: dir,
            data,
            refusals: Arc::clone(&engine.state.refusals),
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
        for (name, value) in &case.headers {
            request = request.header(*name, value);
        }
        let request = request.body(Body::from(case.body.clone())).unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    /// Why the latest refused request was refused, as Settings would show it.
    fn latest_refusal(&self) -> Option<Refusal> {
        self.refusals
            .watch()
            .borrow()
            .as_ref()
            .map(|r| r.refusal.clone())
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
            headers: vec![(AC_HEADER, "10018".into())],
            ..Case::post("header disagrees", GOOD, 400, "differ")
        },
        Case {
            headers: vec![(AC_HEADER, "10018".into())],
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
        // Limits a real PBX never reaches.
        Case::post(
            "callid with a space",
            GOOD.replace("callid=E1", "callid=E+1"),
            400,
            "callid",
        ),
        Case::post(
            "callid too long",
            GOOD.replace("callid=E1", &format!("callid={}", "c".repeat(129))),
            400,
            "callid",
        ),
        Case::post(
            "control character in a number",
            GOOD.replace("phone=79201119613", "phone=7920%0A1119613"),
            400,
            "control",
        ),
        Case::post("cmd twice", format!("{GOOD}&cmd=contact"), 400, "twice"),
        Case::post(
            "access code twice",
            format!("{GOOD}&access_code=10018"),
            400,
            "twice",
        ),
        Case {
            content_type: Some(JSON),
            ..Case::post(
                "JSON name twice",
                r#"{"access_code":"10019","cmd":"event","callid":"J2","event":"INCOMING","callid":"J3"}"#,
                400,
                "twice",
            )
        },
        Case::post("malformed %", format!("{GOOD}&note=100%zz"), 400, "%"),
        Case::post("not UTF-8", format!("{GOOD}&note=%FF"), 400, "UTF-8"),
        Case::post(
            "too many fields",
            format!("{GOOD}{}", "&x=1".repeat(100)),
            400,
            "at most 100",
        ),
        Case::post(
            "field name too long",
            format!("{GOOD}&{}=1", "n".repeat(65)),
            400,
            "1 to 64",
        ),
        Case::post(
            "value too long",
            format!("{GOOD}&note={}", "v".repeat(2049)),
            400,
            "2048",
        ),
        Case::post(
            "access code with a space",
            GOOD.replace("access_code=10019", "access_code=+10019"),
            403,
            "access_code",
        ),
        Case::post(
            "negative duration",
            format!("{GOOD}&duration=-1"),
            400,
            "duration",
        ),
        Case::post(
            "duration too large",
            format!("{GOOD}&duration=10000000"),
            400,
            "duration",
        ),
        Case::post(
            "javascript: record link",
            format!("{GOOD}&record_link=javascript:alert(1)"),
            400,
            "record_link",
        ),
        Case::post(
            "file: record link",
            format!("{GOOD}&record_link=file:///etc/passwd"),
            400,
            "record_link",
        ),
        Case::post(
            "phone too long",
            GOOD.replace("phone=79201119613", &format!("phone={}", "7".repeat(33))),
            400,
            "phone",
        ),
        Case {
            headers: vec![("content-encoding", "gzip".into())],
            ..Case::post("gzip body", GOOD, 415, "Content-Encoding")
        },
        Case {
            headers: vec![("x-padding", "p".repeat(17 * 1024))],
            ..Case::post("header section too large", GOOD, 431, "16 KiB")
        },
    ]
}

/// Requests a real PBX may send that are within the limits: accepted and stored.
fn accepted() -> Vec<Case> {
    vec![
        Case::post(
            "the same field twice with the same value",
            format!("{GOOD}&cmd=event"),
            200,
            "",
        ),
        Case::post(
            "a line break in free text",
            GOOD.replace("callid=E1", "callid=E2") + "&comment=line+1%0D%0Aline+2",
            200,
            "",
        ),
        Case::post(
            "an empty record link",
            GOOD.replace("callid=E1", "callid=E3") + "&record_link=",
            200,
            "",
        ),
        Case {
            headers: vec![("content-encoding", "identity".into())],
            ..Case::post(
                "identity encoding",
                GOOD.replace("callid=E1", "callid=E4"),
                200,
                "",
            )
        },
    ]
}

#[tokio::test]
async fn requests_within_the_limits_are_stored() {
    let listener = Listener::start();
    let cases = accepted();
    for case in &cases {
        let (status, text) = listener.send(case).await;
        assert_eq!(status, case.status, "{}: {text}", case.what);
    }
    let stored = listener
        .database()
        .history_count(&HistoryQuery::default())
        .unwrap();
    assert_eq!(
        stored,
        cases.len() as i64,
        "each accepted request stored a call"
    );
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

#[tokio::test]
async fn a_withheld_caller_id_is_a_call_from_a_hidden_number() {
    let listener = Listener::start();
    for (callid, phone) in [
        ("H1", "anonymous"),
        ("H2", "Anonymous"),
        ("H3", "unknown"),
        ("H4", ""),
    ] {
        let body = GOOD
            .replace("callid=E1", &format!("callid={callid}"))
            .replace("phone=79201119613", &format!("phone={phone}"));
        let (status, text) = listener.send(&Case::post("withheld", body, 200, "")).await;
        assert_eq!(status, StatusCode::OK, "{phone:?}: {text}");
    }
    let calls = listener
        .database()
        .history(&HistoryQuery {
            limit: 10,
            ..HistoryQuery::default()
        })
        .unwrap();
    assert_eq!(calls.len(), 4, "each is a real call, stored");
    assert!(
        calls
            .iter()
            .all(|c| c.phone.is_none() && c.contact_name.is_none()),
        "no number, no contact: {calls:?}"
    );
    let lookup = Case::post(
        "who is anonymous?",
        "access_code=10019&cmd=contact&phone=Anonymous",
        200,
        "",
    );
    assert_eq!(listener.send(&lookup).await, (StatusCode::OK, "{}".into()));
}

/// Keeps the refused requests it is told of.
#[derive(Default)]
struct Told(Mutex<Vec<Refused>>);

impl Notifier for Told {
    fn notify(&self, _: Notice) {}
    fn away(&self, _: AwaySummary) {}
    fn refused(&self, refused: &Refused) {
        self.0.lock().unwrap().push(refused.clone());
    }
}

#[tokio::test]
async fn a_refused_request_is_kept_for_settings_and_popped_once_an_hour() {
    let told = Arc::new(Told::default());
    let listener = Listener::telling(told.clone());
    let wrong_code = GOOD.replace("access_code=10019", "access_code=10018");
    let (status, _) = listener
        .send(&Case::post("wrong code", wrong_code, 403, ""))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        listener.latest_refusal(),
        Some(Refusal::AccessCode {
            sent: "10018".into(),
            expected: Some("10019".into())
        })
    );
    // The PBX keeps trying, with the old URL too: Settings shows the latest, one pop in all.
    let old_url = Case {
        path: Some(format!("/hook/{}", "x".repeat(43))),
        ..Case::post("old URL", GOOD, 404, "")
    };
    listener.send(&old_url).await;
    assert_eq!(listener.latest_refusal(), Some(Refusal::UnknownAddress));
    let not_ours = Case {
        path: Some("/favicon.ico".into()),
        ..Case::post("a scan", GOOD, 404, "")
    };
    listener.send(&not_ours).await;
    assert_eq!(
        listener.latest_refusal(),
        Some(Refusal::UnknownAddress),
        "paths outside /hook/ are not the PBX"
    );
    let popped = told.0.lock().unwrap().clone();
    assert_eq!(popped.len(), 1, "{popped:?}");
    assert!(matches!(popped[0].refusal, Refusal::AccessCode { .. }));
}
