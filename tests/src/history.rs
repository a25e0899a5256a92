//! Call history written straight into a data dir's database, as the listener
//! would have stored it after the PBX's webhook posts: for tests and benches
//! that need calls in history without sending each one.

use crate::pbx::ACCESS_CODE;
use std::path::Path;
use xvb_core::pbx::protocol::CallEvent;
use xvb_core::pbx::sim::SimCall;
use xvb_core::store::Writer;

/// Stores `call` as answered: its `INCOMING` event, then `COMPLETED` with status
/// `Success`, `seconds` long, with the recording `link` if any.
pub async fn store_answered_call(
    writer: &Writer,
    call: &SimCall,
    seconds: u64,
    link: Option<&str>,
) {
    for fields in [call.incoming(), call.completed("Success", seconds, link)] {
        writer
            .record_event(CallEvent::parse(fields).unwrap(), None)
            .await
            .unwrap();
    }
}

/// Stores `calls` answered incoming calls (60 s, with a record link) in the
/// database of the data dir `data`, as the listener would.
pub async fn seed_history(data: &Path, calls: usize) {
    let path = xvb_core::config::DataDir::resolve(Some(data.to_path_buf()))
        .unwrap()
        .database_path();
    let writer = Writer::start(&path).unwrap();
    let tasks: Vec<_> = (0..calls)
        .map(|i| {
            let writer = writer.clone();
            tokio::spawn(async move {
                let call = SimCall {
                    access_code: ACCESS_CODE.into(),
                    callid: format!("H{i:06}"),
                    phone: format!("7910{i:07}"),
                    ext: "101".into(),
                    line: Some("74950000000".into()),
                };
                store_answered_call(&writer, &call, 60, Some("https://pbx.invalid/r.g722")).await;
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}
