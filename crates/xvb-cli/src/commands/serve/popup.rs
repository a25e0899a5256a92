//! `xvb serve --notify`: decisions as desktop notifications, worded by
//! [`xvb_core::pbx::pop`]: D-Bus on Linux (one connection for every pop,
//! [`xvb_core::notifications`]), toasts on Windows (notify-rust).
//!
//! Pops are sent from a thread of their own so a slow notification server never
//! delays the PBX's answer. On Linux a ring pop stays until the call is answered
//! or missed and is then withdrawn by its id; Windows toasts leave by themselves
//! (the desktop app withdraws them by tag).

use tokio::sync::mpsc;
use xvb_core::pbx::notifier::{AwaySummary, Notice};
use xvb_core::pbx::pop::{Language, Pop};

/// What to pop: a decision about a call, or what came while the agent was away.
pub(crate) enum Popped {
    /// A decision about one call.
    Call(Box<Notice>),
    /// Calls while away, summed up in one notice.
    Away(AwaySummary),
}

/// Handle to the pop-up thread.
pub(crate) struct Popups {
    queue: mpsc::UnboundedSender<Popped>,
}

impl Popups {
    /// Starts the pop-up thread, wording pops in `language`.
    pub(crate) fn start(language: Language) -> Popups {
        let (queue, notices) = mpsc::unbounded_channel::<Popped>();
        std::thread::Builder::new()
            .name("xvb-popups".into())
            .spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime for pops")
                    .block_on(show_loop(notices, language))
            })
            .expect("thread starts");
        Popups { queue }
    }

    /// Queues a pop.
    pub(crate) fn show(&self, pop: Popped) {
        let _ = self.queue.send(pop);
    }
}

async fn show_loop(mut pops: mpsc::UnboundedReceiver<Popped>, language: Language) {
    let mut screen = Screen::new();
    while let Some(popped) = pops.recv().await {
        let (pop, callid) = match popped {
            Popped::Away(summary) => (Pop::away(summary, language), None),
            Popped::Call(notice) => {
                screen.withdraw(&notice.call.callid).await;
                match Pop::for_notice(&notice, language) {
                    Some(pop) => (pop, Some(notice.call.callid)),
                    None => continue,
                }
            }
        };
        if let Err(e) = screen.show(&pop, callid).await {
            tracing::warn!(error = %e, "could not show a notification; is a notification daemon running?")
        }
    }
}

/// The notification server (D-Bus), pops shown without buttons: a headless
/// listener has no window to open and does not dial.
#[cfg(unix)]
struct Screen(xvb_core::notifications::Screen);

#[cfg(unix)]
impl Screen {
    fn new() -> Screen {
        Screen(xvb_core::notifications::Screen::default())
    }

    async fn show(
        &mut self,
        pop: &Pop,
        callid: Option<String>,
    ) -> Result<(), xvb_core::notifications::Error> {
        let bare = Pop {
            click: None,
            buttons: Vec::new(),
            ..pop.clone()
        };
        self.0.show(&bare, callid).await.map(drop)
    }

    async fn withdraw(&mut self, callid: &str) {
        self.0.withdraw(callid).await;
    }
}

/// Toasts through notify-rust; they cannot be withdrawn and time out into the Action Center.
#[cfg(windows)]
struct Screen;

#[cfg(windows)]
impl Screen {
    fn new() -> Screen {
        Screen
    }

    async fn show(
        &mut self,
        pop: &Pop,
        _callid: Option<String>,
    ) -> Result<(), notify_rust::error::Error> {
        notify_rust::Notification::new()
            .appname("XVB Companion")
            .summary(&pop.title)
            .body(&pop.body())
            .show()
            .map(|_| ())
    }

    async fn withdraw(&mut self, _callid: &str) {}
}
