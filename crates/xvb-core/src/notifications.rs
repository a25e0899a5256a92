//! The desktop's notification server (`org.freedesktop.Notifications`) on
//! Linux, over **one** session-bus connection for every pop: a pop is one
//! `Notify` call on it, not a new connection and handshake per pop (what
//! notify-rust does). The server's `ActionInvoked` and `NotificationClosed`
//! signals are read once, on the same connection, and handed to whoever
//! waits for that notification's answer. [`Screen`] shows the core's pops
//! with it; the desktop app and `xvb serve --notify` both use it.
//!
//! As the Desktop Notifications spec asks, the summary is plain text and the
//! body is markup on a server that says `body-markup`: there a caller's
//! `<a href=…>` or `&` is escaped ([`body_text`]), never drawn as a link.

use crate::pbx::pop::{Pop, PopAction, PopKind};
use futures_util::StreamExt;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;
use zbus::zvariant::Value;

#[zbus::proxy(
    interface = "org.freedesktop.Notifications",
    default_service = "org.freedesktop.Notifications",
    default_path = "/org/freedesktop/Notifications"
)]
trait Server {
    /// Shows a notification; its id.
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: &str,
        replaces_id: u32,
        app_icon: &str,
        summary: &str,
        body: &str,
        actions: &[&str],
        hints: HashMap<&str, Value<'_>>,
        expire_timeout: i32,
    ) -> zbus::Result<u32>;

    /// What the server can do (`body-markup`: it renders markup in bodies).
    fn get_capabilities(&self) -> zbus::Result<Vec<String>>;

    /// Takes a notification off the screen.
    fn close_notification(&self, id: u32) -> zbus::Result<()>;

    /// The user chose an action (`default`: the notification itself).
    #[zbus(signal)]
    fn action_invoked(&self, id: u32, action_key: String) -> zbus::Result<()>;

    /// The notification left the screen (expired, dismissed, or closed by us).
    #[zbus(signal)]
    fn notification_closed(&self, id: u32, reason: u32) -> zbus::Result<()>;
}

/// What can go wrong talking to the notification server (no session bus, no server).
pub type Error = zbus::Error;

/// What became of a notification: the key of the action chosen, or `None`
/// when it left the screen without one.
pub type Answer = oneshot::Receiver<Option<String>>;

type Waiting = Arc<Mutex<HashMap<u32, oneshot::Sender<Option<String>>>>>;

/// A notification to show.
pub struct Notification<'a> {
    /// A freedesktop icon name (`call-start`).
    pub icon: &'a str,
    /// The title.
    pub summary: &'a str,
    /// The text under it.
    pub body: &'a str,
    /// Buttons as `(key, label)`; the key `default` is a click on the notification.
    pub actions: &'a [(&'a str, &'a str)],
    /// Stays until closed (a ringing call), instead of the server's timeout.
    pub persistent: bool,
}

/// One connection to the session's notification server.
pub struct Notifications {
    server: ServerProxy<'static>,
    waiting: Waiting,
    /// The server renders markup in bodies.
    markup: bool,
}

impl Notifications {
    /// Connects to the session bus and starts reading the server's answers.
    pub async fn connect() -> Result<Notifications, Error> {
        let connection = zbus::Connection::session().await?;
        let server = ServerProxy::new(&connection).await?;
        // A server that cannot say is taken to render markup: escaped text is safe there.
        let markup = server
            .get_capabilities()
            .await
            .map_or(true, |caps| caps.iter().any(|c| c == "body-markup"));
        let mut invoked = server.receive_action_invoked().await?;
        let mut closed = server.receive_notification_closed().await?;
        let waiting = Waiting::default();
        let answers = Arc::clone(&waiting);
        tokio::spawn(async move {
            loop {
                let (id, answer) = tokio::select! {
                    Some(signal) = invoked.next() => match signal.args() {
                        Ok(args) => (args.id, Some(args.action_key)),
                        Err(_) => continue,
                    },
                    Some(signal) = closed.next() => match signal.args() {
                        Ok(args) => (args.id, None),
                        Err(_) => continue,
                    },
                    else => return,
                };
                // The first answer counts (a chosen action is followed by a close).
                let waiter = answers.lock().expect("never poisoned").remove(&id);
                if let Some(waiter) = waiter {
                    let _ = waiter.send(answer);
                }
            }
        });
        Ok(Notifications {
            server,
            waiting,
            markup,
        })
    }

    /// Shows `notification` as "XVB Companion"; its id and what becomes of it.
    pub async fn show(&self, notification: &Notification<'_>) -> Result<(u32, Answer), Error> {
        let actions: Vec<&str> = notification
            .actions
            .iter()
            .flat_map(|(key, label)| [*key, *label])
            .collect();
        let expires = if notification.persistent { 0 } else { -1 };
        let id = self
            .server
            .notify(
                "XVB Companion",
                0,
                notification.icon,
                notification.summary,
                &body_text(notification.body, self.markup),
                &actions,
                HashMap::new(),
                expires,
            )
            .await?;
        let (answer, answered) = oneshot::channel();
        self.waiting
            .lock()
            .expect("never poisoned")
            .insert(id, answer);
        Ok((id, answered))
    }

    /// Takes notification `id` off the screen.
    pub async fn close(&self, id: u32) -> Result<(), Error> {
        self.server.close_notification(id).await
    }
}

/// A body as the server reads it: with `markup`, `&`, `<` and `>` escaped so
/// text from outside (a caller's name, a note) shows as written; without, as it is.
pub fn body_text(body: &str, markup: bool) -> Cow<'_, str> {
    if !markup || !body.contains(['&', '<', '>']) {
        return Cow::Borrowed(body);
    }
    let mut escaped = String::with_capacity(body.len() + 16);
    for c in body.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

/// Pops on the desktop: the server's connection (opened at the first pop, and
/// again after one failed) and the ring pops on screen, by call id.
#[derive(Default)]
pub struct Screen {
    server: Option<Notifications>,
    ringing: HashMap<String, u32>,
}

impl Screen {
    /// Shows `pop` (a ring pop kept by `callid`, to withdraw); what the agent
    /// chooses on it: a button, or the click on the pop itself.
    pub async fn show(
        &mut self,
        pop: &Pop,
        callid: Option<String>,
    ) -> Result<impl std::future::Future<Output = Option<PopAction>>, Error> {
        let server = match self.server.take() {
            Some(server) => server,
            None => Notifications::connect().await?,
        };
        let mut actions: Vec<(&str, &str)> = Vec::new();
        if let Some((_, label)) = pop.click {
            actions.push(("default", label));
        }
        actions.extend(
            pop.buttons
                .iter()
                .map(|(action, label)| (action.id(), *label)),
        );
        let ring = pop.kind == PopKind::Ring;
        let (id, answer) = server
            .show(&Notification {
                icon: match pop.kind {
                    PopKind::Ring | PopKind::InCall => "call-start",
                    PopKind::Missed | PopKind::Away => "call-missed",
                    PopKind::Refused => "dialog-warning",
                },
                summary: &pop.title,
                body: &pop.body(),
                actions: &actions,
                persistent: ring,
            })
            .await?;
        self.server = Some(server);
        if let (true, Some(callid)) = (ring, callid) {
            self.ringing.insert(callid, id);
        }
        let click = pop.click.map(|(action, _)| action);
        Ok(async move {
            // Withdrawn, timed out or dismissed: nothing chosen.
            match answer.await {
                Ok(Some(key)) if key == "default" => click,
                Ok(Some(key)) => Some(PopAction::from_id(&key)),
                _ => None,
            }
        })
    }

    /// Closes the ring pop of `callid`, if one is up.
    pub async fn withdraw(&mut self, callid: &str) {
        if let (Some(id), Some(server)) = (self.ringing.remove(callid), &self.server) {
            if let Err(e) = server.close(id).await {
                tracing::debug!(error = %e, "could not close a ring pop");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::body_text;

    #[test]
    fn markup_in_a_body_is_escaped_for_a_server_that_renders_it() {
        let body = "<a href=\"x\">Рога & копыта</a>\n+7 920 111-96-13";
        assert_eq!(
            body_text(body, true),
            "&lt;a href=\"x\"&gt;Рога &amp; копыта&lt;/a&gt;\n+7 920 111-96-13"
        );
        assert_eq!(
            body_text(body, false),
            body,
            "a plain-text server shows it as written"
        );
        assert_eq!(body_text("+7 920 111-96-13", true), "+7 920 111-96-13");
    }
}
