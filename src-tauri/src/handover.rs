//! Requests for the window (open a call, dial, fill the dial pad) handed to
//! its page: at once when the page listens, else kept until it does. The
//! state is Tauri managed state ([`PageRequests`]), set up in `main`.

use std::sync::Mutex;
use tauri::{AppHandle, Emitter, Manager};

/// A request for the window: an event name and its payload.
type Request = (&'static str, serde_json::Value);

/// Whether the window's page listens for requests, and the one it has not heard yet.
#[derive(Default)]
pub struct PageRequests(Mutex<Page>);

#[derive(Default)]
struct Page {
    listening: bool,
    pending: Option<Request>,
}

impl PageRequests {
    fn page(&self) -> std::sync::MutexGuard<'_, Page> {
        self.0.lock().expect("page lock")
    }
}

/// Brings the window forward and tells it to do `event` (`open-call`, `dial`,
/// `dial-request`) with `payload`. A page not listening yet (a window being
/// built, or its page still loading) picks it up with [`page_listening`].
pub fn show_and_ask(app: &AppHandle, event: &'static str, payload: impl Into<serde_json::Value>) {
    let payload = payload.into();
    {
        let requests = app.state::<PageRequests>();
        let mut page = requests.page();
        if page.listening {
            let _ = app.emit(event, payload);
        } else {
            page.pending = Some((event, payload));
        }
    }
    crate::tray::show_main_window(app);
}

/// The page listens from now on: the request it has not heard yet, if any.
pub fn page_listening(app: &AppHandle) -> Option<Request> {
    let requests = app.state::<PageRequests>();
    let mut page = requests.page();
    page.listening = true;
    page.pending.take()
}

/// The window is gone: requests wait for the next page.
pub fn page_gone(app: &AppHandle) {
    app.state::<PageRequests>().page().listening = false;
}
