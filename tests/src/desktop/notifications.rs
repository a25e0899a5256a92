//! A notification server for tests: owns `org.freedesktop.Notifications` on a
//! private session bus and records every `Notify` and `CloseNotification`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zbus::zvariant::OwnedValue;

/// One call made to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusCall {
    /// `Notify`: the id it was given, and what was shown.
    Notify {
        /// Id returned to the caller.
        id: u32,
        /// Title.
        summary: String,
        /// Body text.
        body: String,
        /// Action keys and labels, flattened.
        actions: Vec<String>,
        /// Expiry in ms (-1 default, 0 never).
        timeout: i32,
    },
    /// `CloseNotification(id)`.
    Close(u32),
}

#[derive(Default)]
struct Recorder {
    calls: Arc<Mutex<Vec<(Instant, BusCall)>>>,
    /// The bus name of the connection each `Notify` came on.
    senders: Arc<Mutex<Vec<String>>>,
    next_id: Mutex<u32>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Recorder {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        #[zbus(header)] header: zbus::message::Header<'_>,
        _app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        expire_timeout: i32,
    ) -> u32 {
        if let Some(sender) = header.sender() {
            self.senders.lock().unwrap().push(sender.to_string());
        }
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            let mut next = self.next_id.lock().unwrap();
            *next += 1;
            *next
        };
        self.calls.lock().unwrap().push((
            Instant::now(),
            BusCall::Notify {
                id,
                summary,
                body,
                actions,
                timeout: expire_timeout,
            },
        ));
        id
    }

    fn close_notification(&self, id: u32) {
        self.calls
            .lock()
            .unwrap()
            .push((Instant::now(), BusCall::Close(id)));
    }

    /// As GNOME Shell, KDE and dunst: bodies are markup.
    fn get_capabilities(&self) -> Vec<String> {
        vec![
            "body".into(),
            "body-markup".into(),
            "actions".into(),
            "persistence".into(),
        ]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "xvb-test-recorder".into(),
            "xvb".into(),
            "1".into(),
            "1.2".into(),
        )
    }
}

/// What a `Notify` showed.
#[derive(Debug, Clone)]
pub struct Shown {
    /// Id given to it.
    pub id: u32,
    /// Title.
    pub summary: String,
    /// Body.
    pub body: String,
    /// Action keys and labels, flattened.
    pub actions: Vec<String>,
    /// Expiry in ms.
    pub timeout: i32,
}

/// The running recorder; stops when dropped.
pub struct NotificationRecorder {
    calls: Arc<Mutex<Vec<(Instant, BusCall)>>>,
    senders: Arc<Mutex<Vec<String>>>,
    _connection: zbus::Connection,
}

impl NotificationRecorder {
    /// Connects to the bus at `address` and takes the notifications name.
    pub async fn start(address: &str) -> NotificationRecorder {
        let recorder = Recorder::default();
        let calls = Arc::clone(&recorder.calls);
        let senders = Arc::clone(&recorder.senders);
        let connection = super::session::serve_on_bus(
            address,
            "org.freedesktop.Notifications",
            "/org/freedesktop/Notifications",
            recorder,
        )
        .await;
        NotificationRecorder {
            calls,
            senders,
            _connection: connection,
        }
    }

    /// How many bus connections the `Notify` calls so far came on.
    pub fn connections(&self) -> usize {
        let mut senders = self.senders.lock().unwrap().clone();
        senders.sort();
        senders.dedup();
        senders.len()
    }

    /// Everything recorded so far.
    pub fn calls(&self) -> Vec<BusCall> {
        self.timed_calls()
            .into_iter()
            .map(|(_, call)| call)
            .collect()
    }

    /// Everything recorded so far, with when it arrived.
    pub fn timed_calls(&self) -> Vec<(Instant, BusCall)> {
        self.calls.lock().unwrap().clone()
    }

    /// Waits (up to `wait`) for a `Notify` whose title starts with `title`.
    pub async fn wait_for_pop(&self, wait: Duration, title: &str) -> Shown {
        let call = self
            .wait_for(
                wait,
                title,
                |c| matches!(c, BusCall::Notify { summary, .. } if summary.starts_with(title)),
            )
            .await;
        let BusCall::Notify {
            id,
            summary,
            body,
            actions,
            timeout,
        } = call
        else {
            unreachable!("matched a Notify")
        };
        Shown {
            id,
            summary,
            body,
            actions,
            timeout,
        }
    }

    /// Waits (up to `wait`) for a recorded call that `matches`, and returns it.
    pub async fn wait_for(
        &self,
        wait: Duration,
        what: &str,
        matches: impl Fn(&BusCall) -> bool,
    ) -> BusCall {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(call) = self.calls().into_iter().find(|c| matches(c)) {
                return call;
            }
            assert!(
                Instant::now() < deadline,
                "no {what} on the bus; recorded: {:#?}",
                self.calls()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
