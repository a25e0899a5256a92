//! Screen-pops through notify-rust (D-Bus notifications on Linux), following the core's decisions.
//!
//! A ring pop stays until the call is answered or missed and is then withdrawn
//! by its id (`CloseNotification`). Actions: *Open* brings the window to the
//! call, *Open in CRM* opens the CRM card, *Call back* on a missed call dials.

use crate::tray;
use std::collections::HashMap;
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_opener::OpenerExt;
use tokio::sync::mpsc;
use xvb_core::pbx::decision::Decision;
use xvb_core::pbx::notifier::{AwaySummary, Notice, Notifier};

/// What to pop: a decision about a call, or what came while the agent was away.
enum Pop {
    Call(Box<Notice>),
    Away(AwaySummary),
}

/// Sends each notice to the UI (event `notice`) and to the desktop's notification server.
pub struct Popups {
    app: AppHandle,
    queue: mpsc::UnboundedSender<Pop>,
}

impl Popups {
    /// Starts the task that shows pops.
    pub fn start(app: AppHandle) -> Popups {
        let (queue, notices) = mpsc::unbounded_channel();
        tauri::async_runtime::spawn(show_loop(app.clone(), notices));
        Popups { app, queue }
    }
}

impl Notifier for Popups {
    fn notify(&self, notice: Notice) {
        if notice.decision == Decision::Missed {
            tray::add_missed(&self.app, 1);
        }
        // The pop first: the window's refresh can wait a moment, the agent's pop should not.
        let for_window = notice.clone();
        let _ = self.queue.send(Pop::Call(Box::new(notice)));
        if let Err(e) = self.app.emit("notice", &for_window) {
            tracing::warn!(error = %e, "could not tell the window about a call");
        }
    }

    fn away(&self, summary: AwaySummary) {
        if summary.missed > 0 {
            tray::add_missed(&self.app, summary.missed as u32);
        }
        let _ = self.queue.send(Pop::Away(summary));
        if let Err(e) = self.app.emit("away", summary) {
            tracing::warn!(error = %e, "could not tell the window about calls while away");
        }
    }
}

/// Pop texts in the app's language.
struct Words {
    incoming: &'static str,
    in_call: &'static str,
    missed: &'static str,
    line: &'static str,
    responsible: &'static str,
    open: &'static str,
    open_crm: &'static str,
    call_back: &'static str,
    /// `{calls}` and `{missed}` are filled in.
    away: &'static str,
    /// A withheld caller ID.
    hidden: &'static str,
}

const EN: Words = Words {
    incoming: "Incoming call",
    in_call: "In call with",
    missed: "Missed call",
    line: "line",
    responsible: "responsible",
    open: "Open",
    open_crm: "Open in CRM",
    call_back: "Call back",
    away: "{calls} calls while you were away, {missed} missed",
    hidden: "Hidden number",
};

const RU: Words = Words {
    incoming: "Входящий звонок",
    in_call: "Разговор с",
    missed: "Пропущенный звонок",
    line: "линия",
    responsible: "ответственный",
    open: "Открыть",
    open_crm: "Открыть в CRM",
    call_back: "Перезвонить",
    away: "Пока вас не было: звонков — {calls}, пропущено — {missed}",
    hidden: "Скрытый номер",
};

fn words(app: &AppHandle) -> &'static Words {
    let configured = app
        .try_state::<crate::AppState>()
        .and_then(|s| s.companion.config().language.clone());
    let system = std::env::var("LC_ALL")
        .or_else(|_| std::env::var("LC_MESSAGES"))
        .or_else(|_| std::env::var("LANG"))
        .unwrap_or_default();
    match configured.as_deref() {
        Some("ru") => &RU,
        Some(_) => &EN,
        None if system.starts_with("ru") => &RU,
        None => &EN,
    }
}

/// `79201119613` → `+7 920 111-96-13`; other numbers as they are.
pub fn format_number(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 11 && digits.starts_with('7') {
        format!(
            "+7 {} {}-{}-{}",
            &digits[1..4],
            &digits[4..7],
            &digits[7..9],
            &digits[9..11]
        )
    } else {
        phone.to_owned()
    }
}

async fn show_loop(app: AppHandle, mut pops: mpsc::UnboundedReceiver<Pop>) {
    let mut ringing: HashMap<String, Arc<notify_rust::NotificationHandle>> = HashMap::new();
    while let Some(pop) = pops.recv().await {
        let notice = match pop {
            Pop::Call(notice) => *notice,
            Pop::Away(summary) => {
                show_away(&app, summary).await;
                continue;
            }
        };
        if let Some(pop) = ringing.remove(&notice.call.callid) {
            pop.close_async().await;
        }
        let w = words(&app);
        let number = notice
            .call
            .phone
            .as_deref()
            .map(format_number)
            .unwrap_or_default();
        let caller = match (&notice.call.contact_name, number.is_empty()) {
            (Some(name), _) => name.clone(),
            (None, false) => number.clone(),
            (None, true) => w.hidden.to_owned(),
        };
        let mut pop = notify_rust::Notification::new();
        pop.appname("XVB Companion").icon("call-start");
        match &notice.decision {
            Decision::Ring => {
                let mut body = vec![number.clone()];
                if let Some(line) = &notice.call.line_number {
                    body.push(format!("{}: {}", w.line, format_number(line)));
                }
                if let Some(ext) = &notice.responsible {
                    body.push(format!("{}: {ext}", w.responsible));
                }
                pop.summary(&format!("{}: {caller}", w.incoming))
                    .body(&body.join("\n"))
                    .action("default", w.open)
                    .action("open", w.open)
                    .timeout(notify_rust::Timeout::Never);
                if notice.crm_url.is_some() {
                    pop.action("crm", w.open_crm);
                }
            }
            Decision::AnsweredByMe => {
                pop.summary(&format!("{} {caller}", w.in_call))
                    .body(&number);
            }
            Decision::Missed => {
                pop.summary(&format!("{}: {caller}", w.missed))
                    .body(&number)
                    .action("default", w.open)
                    .action("callback", w.call_back);
            }
            Decision::AnsweredByColleague(_) | Decision::Nothing => continue,
        }
        match pop.show_async().await {
            Ok(handle) => {
                let handle = Arc::new(handle);
                if notice.decision == Decision::Ring {
                    ringing.insert(notice.call.callid.clone(), Arc::clone(&handle));
                }
                tauri::async_runtime::spawn(follow_actions(app.clone(), handle, notice));
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not show a notification; is a notification server running?")
            }
        }
    }
}

/// One notice of the calls while away; *Open* shows the missed calls.
async fn show_away(app: &AppHandle, summary: AwaySummary) {
    let w = words(app);
    let text = w
        .away
        .replace("{calls}", &summary.calls.to_string())
        .replace("{missed}", &summary.missed.to_string());
    let mut pop = notify_rust::Notification::new();
    pop.appname("XVB Companion")
        .icon("call-missed")
        .summary(&text)
        .action("default", w.open)
        .action("open", w.open);
    match pop.show_async().await {
        Ok(handle) => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let mut opened = false;
                handle
                    .wait_for_action_async(|response| {
                        opened = matches!(response, notify_rust::NotificationResponse::Action(_))
                    })
                    .await;
                if opened {
                    crate::handover::show_and_ask(&app, "open-missed", serde_json::Value::Null);
                }
            });
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not show a notification; is a notification server running?")
        }
    }
}

async fn follow_actions(app: AppHandle, pop: Arc<notify_rust::NotificationHandle>, notice: Notice) {
    let mut chosen = None;
    pop.wait_for_action_async(|response| {
        chosen = Some(match response {
            notify_rust::NotificationResponse::Action(name) => name.clone(),
            _ => "default".to_owned(),
        });
    })
    .await;
    match chosen.as_deref() {
        Some("crm") => {
            if let Some(url) = &notice.crm_url {
                if let Err(e) = app.opener().open_url(url, None::<&str>) {
                    // The error carries the URL, and with it the client's number: not at info.
                    tracing::debug!(error = %e, "could not open the CRM card");
                    tracing::warn!(
                        "could not open the CRM card; is a web browser set as the default?"
                    );
                }
            }
        }
        Some("callback") => crate::handover::show_and_ask(
            &app,
            "dial",
            notice.call.phone.clone().unwrap_or_default(),
        ),
        Some(_) => crate::handover::show_and_ask(&app, "open-call", notice.call.callid.clone()),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::format_number;

    #[test]
    fn numbers_are_shown_the_way_agents_read_them() {
        assert_eq!(format_number("79201119613"), "+7 920 111-96-13");
        assert_eq!(format_number("101"), "101");
    }
}
