//! `xvb serve --notify`: the headless listener's pops on the desktop's
//! notification server (a recorder on a private D-Bus session).

use xvb_core::pbx::sim::SimCall;
use xvb_e2e::agent::Agent;
use xvb_e2e::desktop::notifications::{BusCall, NotificationRecorder};
use xvb_e2e::desktop::page::WAIT;
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::pbx::{call_from_known_caller, post_to_webhook, ACCESS_CODE};

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
