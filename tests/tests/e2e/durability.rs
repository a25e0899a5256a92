//! `kill -9` at any moment loses no acknowledged event.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use xvb_core::pbx::sim::SimCall;
use xvb_e2e::agent::Agent;
use xvb_e2e::pbx::ACCESS_CODE;
use xvb_e2e::process::block_on;

/// How long a sender waits for an answer before taking the request as lost.
const UNANSWERED: Duration = Duration::from_secs(5);

#[test]
fn kill_9_mid_stream_loses_no_acknowledged_event() {
    let agent = Agent::new("100");
    let mut served = agent.serve();
    let target = served.target();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..4)
        .map(|sender| {
            let (target, acknowledged, stop) =
                (target.clone(), Arc::clone(&acknowledged), Arc::clone(&stop));
            std::thread::spawn(move || {
                block_on(async {
                    for i in 0.. {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let call = SimCall {
                            access_code: ACCESS_CODE.into(),
                            callid: format!("K{sender}-{i}"),
                            phone: format!("7920{sender:03}{i:04}"),
                            ext: "100".into(),
                            line: None,
                        };
                        // As the PBX, give up on a request left unanswered (the
                        // server was killed mid-request): it was not acknowledged.
                        let fields = call.incoming();
                        let sent = target.send(&fields, None);
                        match tokio::time::timeout(UNANSWERED, sent).await {
                            Ok(Ok(reply)) if reply.status == 200 => {
                                acknowledged.lock().unwrap().push(call.callid)
                            }
                            Ok(Ok(reply)) => panic!("refused: {reply:?}"),
                            Ok(Err(_)) | Err(_) => {
                                tokio::time::sleep(Duration::from_millis(5)).await
                            }
                        }
                    }
                })
            })
        })
        .collect();
    while acknowledged.lock().unwrap().len() < 200 {
        std::thread::sleep(Duration::from_millis(5));
    }
    served.kill();
    let acked_before_kill = acknowledged.lock().unwrap().clone();
    std::thread::sleep(Duration::from_millis(100));
    stop.store(true, Ordering::Relaxed);
    for sender in senders {
        sender.join().unwrap();
    }

    let _restarted = agent.serve();
    let stored: std::collections::HashSet<String> = agent
        .history(&["--limit", "1000000"])
        .iter()
        .map(|call| call["callid"].as_str().unwrap().to_owned())
        .collect();
    let lost: Vec<_> = acked_before_kill
        .iter()
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(acked_before_kill.len() >= 200);
    assert!(
        lost.is_empty(),
        "acknowledged but lost after kill -9: {lost:?}"
    );
}
