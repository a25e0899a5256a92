//! `xvb serve --notify`: the headless listener's pops on the desktop's
//! notification server (a recorder on a private D-Bus session).

use xvb_core::pbx::sim::SimCall;
use xvb_e2e::agent::Agent;
use xvb_e2e::desktop::notifications::{BusCall, NotificationRecorder};
use xvb_e2e::desktop::page::WAIT;
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::pbx::{call_from_known_caller, post_answered_call, post_to_webhook, ACCESS_CODE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_headless_listener_pops_on_one_bus_connection_and_withdraws_a_ring() {
    let _turn = take_turn();
    let session = DbusSession::bare();
    let recorder = NotificationRecorder::start(&session.address).await;
    let agent = Agent::with_env("100", session.env());
    agent.add_known_caller();
    let served = agent.spawn(&["serve", "--notify"], "listening on http://");

    // A ring pop stays, without buttons (nothing to open headless), until a colleague answers.
    let call = call_from_known_caller("POP-1", "101");
    post_to_webhook(&served.webhook, &call.incoming(), None).await;
    let ring = recorder.wait_for_pop(WAIT, "Incoming call").await;
    assert_eq!(ring.summary, "Incoming call: Вася/Рога и копыта");
    assert!(ring.body.contains("+7 920 111-96-13"), "{}", ring.body);
    assert_eq!(ring.timeout, 0, "a ring pop stays until withdrawn");
    assert!(ring.actions.is_empty(), "{:?}", ring.actions);
    post_to_webhook(&served.webhook, &call.answered(), Some(ACCESS_CODE)).await;
    recorder
        .wait_for(WAIT, "withdrawal of the ring pop", |c| {
            *c == BusCall::Close(ring.id)
        })
        .await;

    // Nobody answers the next one: its ring is withdrawn, a missed-call notice pops.
    let missed = SimCall {
        callid: "POP-2".into(),
        phone: "79001112233".into(),
        ..call
    };
    post_to_webhook(&served.webhook, &missed.incoming(), None).await;
    post_to_webhook(&served.webhook, &missed.completed("Missed", 0, None), None).await;
    let notice = recorder.wait_for_pop(WAIT, "Missed call").await;
    assert_ne!(notice.timeout, 0, "a missed-call notice leaves by itself");
    let rings = recorder
        .calls()
        .iter()
        .filter(|c| matches!(c, BusCall::Notify { summary, .. } if summary.starts_with("Incoming")))
        .count();
    assert_eq!(rings, 2);
    // Three pops, one connection to the bus (not a connection and handshake per pop).
    assert_eq!(recorder.connections(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ring_pop_tells_the_callers_last_contact_with_the_team() {
    let _turn = take_turn();
    let session = DbusSession::bare();
    let recorder = NotificationRecorder::start(&session.address).await;
    let (relay, port) = Agent::relay(Vec::new());
    let served = relay.serve_relay();
    let url = format!("http://127.0.0.1:{port}");
    let code_100 = relay.relay_join_code("100", &url);
    let code_101 = relay.relay_join_code("101", &url);
    let agent = Agent::with_env("100", session.env());
    let mut app = agent.spawn(&["serve", "--relay", &code_100, "--notify"], "relay: ");
    app.expect_line("relay: connected as extension");
    let colleague = crate::team::Cli::new("101", &code_101);

    // 101 talked to the caller for 4:12; then two calls of theirs went unanswered.
    let talked = call_from_known_caller("CTX-1", "101");
    post_answered_call(&served.webhook, &talked, 252, None).await;
    for callid in ["CTX-2", "CTX-3"] {
        let missed = SimCall {
            callid: callid.into(),
            ..talked.clone()
        };
        post_to_webhook(&served.webhook, &missed.incoming(), None).await;
        post_to_webhook(&served.webhook, &missed.completed("Missed", 0, None), None).await;
    }
    // 101 claims them; the relay streams the claim to every agent.
    colleague.ok(&["missed", "claim", &talked.phone]);
    crate::team::until(
        || colleague.ok(&["missed", "list"]),
        &["missed 2×", "101 is calling back"],
    );
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;

    let again = SimCall {
        callid: "CTX-4".into(),
        ..talked.clone()
    };
    post_to_webhook(&served.webhook, &again.incoming(), None).await;
    let rings = || {
        recorder
            .calls()
            .into_iter()
            .filter_map(|c| match c {
                BusCall::Notify { summary, body, .. } if summary.starts_with("Incoming") => {
                    Some(body)
                }
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    recorder
        .wait_for(WAIT, "the fourth ring", |_| rings().len() == 4)
        .await;
    let bodies = rings();
    assert!(
        !bodies[0].contains("Last call"),
        "a first-time caller has no history: {bodies:#?}"
    );
    assert!(
        bodies[1].contains("Last call 0 min ago with 101 (answered, 4:12)"),
        "{bodies:#?}"
    );
    let last = &bodies[3];
    assert!(
        last.contains("Missed 2× in 24 h — 101 is calling back"),
        "{last}"
    );
    assert!(
        last.contains("Last call 0 min ago with 101 (answered, 4:12)"),
        "{last}"
    );
}
