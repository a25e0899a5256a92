//! What a screen-pop says: its title, lines and buttons, in the agent's
//! language — worked out once here and drawn by each desktop's notifications
//! (D-Bus on Linux, toasts on Windows; the CLI's `serve --notify` and the app).

//!
//! - this file — [`Pop`], its buttons ([`PopAction`]) and kinds, the numbers as agents read them;
//! - `context_lines` — the caller's earlier contact with the team, in words;
//! - `words` — [`Language`] and the table of words of each.

mod context_lines;
#[cfg(test)]
mod tests;
mod words;

pub use words::Language;

use super::decision::Decision;
use super::notifier::{AwaySummary, Notice};
use super::refusal::{Refusal, Refused};
use context_lines::context_lines;
use words::Words;

/// A button on a pop; the desktop reports the chosen one back by [`PopAction::id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopAction {
    /// Bring the app's window to the call (also a click on the pop itself).
    Open,
    /// Open the caller's CRM card.
    OpenCrm,
    /// Dial the caller back.
    CallBack,
    /// Show the missed calls (the away notice).
    OpenMissed,
    /// Open the call with its note field focused.
    AddNote,
    /// Show Settings (a refused request: something to set right there).
    OpenSettings,
}

impl PopAction {
    /// The name the notification carries for this button (D-Bus action key, toast argument).
    pub fn id(self) -> &'static str {
        match self {
            PopAction::Open => "open",
            PopAction::OpenCrm => "crm",
            PopAction::CallBack => "callback",
            PopAction::OpenMissed => "open-missed",
            PopAction::AddNote => "note",
            PopAction::OpenSettings => "settings",
        }
    }

    /// The button for a name a notification reported; unknown names (a click on the pop body) open.
    pub fn from_id(id: &str) -> PopAction {
        [
            PopAction::OpenCrm,
            PopAction::CallBack,
            PopAction::OpenMissed,
            PopAction::AddNote,
            PopAction::OpenSettings,
        ]
        .into_iter()
        .find(|a| a.id() == id)
        .unwrap_or(PopAction::Open)
    }

    fn label(self, w: &Words) -> &'static str {
        match self {
            PopAction::Open | PopAction::OpenMissed => w.open,
            PopAction::OpenCrm => w.open_crm,
            PopAction::CallBack => w.call_back,
            PopAction::AddNote => w.add_note,
            PopAction::OpenSettings => w.open_settings,
        }
    }
}

/// Which pop it is: decides its icon and whether it stays on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopKind {
    /// A call ringing: stays until it is answered or missed, then is withdrawn.
    Ring,
    /// The agent is talking.
    InCall,
    /// Nobody answered.
    Missed,
    /// Calls while the agent was away.
    Away,
    /// A request the listener refused: something to set right.
    Refused,
}

/// One pop, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pop {
    /// Which pop.
    pub kind: PopKind,
    /// The bold first line: "Incoming call: Вася".
    pub title: String,
    /// The lines below it (number, line, responsible).
    pub lines: Vec<String>,
    /// What a click on the pop itself does, with its label.
    pub click: Option<(PopAction, &'static str)>,
    /// Buttons with their labels, in order.
    pub buttons: Vec<(PopAction, &'static str)>,
}

impl Pop {
    /// The pop for a decision, in `language`; `None` for decisions that show nothing.
    pub fn for_notice(notice: &Notice, language: Language) -> Option<Pop> {
        let w = language.words();
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
        let (kind, title, mut lines, buttons) = match &notice.decision {
            // Nothing withdraws it (a test call is never missed): it stays until dismissed.
            Decision::Ring if notice.call.test => (
                PopKind::Ring,
                w.test_call.to_owned(),
                vec![w.test_call_body.to_owned()],
                vec![PopAction::Open],
            ),
            Decision::Ring => {
                let mut lines = vec![number];
                if let Some(line) = &notice.call.line_number {
                    lines.push(format!("{}: {}", w.line, format_number(line)));
                }
                if let Some(ext) = &notice.responsible {
                    lines.push(format!("{}: {ext}", w.responsible));
                }
                if let Some(context) = &notice.context {
                    lines.extend(context_lines(context, w));
                }
                let mut buttons = vec![PopAction::Open];
                if notice.crm_url.is_some() {
                    buttons.push(PopAction::OpenCrm);
                }
                let title = format!("{}: {caller}", w.incoming);
                (PopKind::Ring, title, lines, buttons)
            }
            Decision::AnsweredByMe => {
                let title = format!("{} {caller}", w.in_call);
                (
                    PopKind::InCall,
                    title,
                    vec![number],
                    vec![PopAction::AddNote],
                )
            }
            Decision::Missed => {
                let title = format!("{}: {caller}", w.missed);
                (
                    PopKind::Missed,
                    title,
                    vec![number],
                    vec![PopAction::CallBack, PopAction::AddNote],
                )
            }
            Decision::AnsweredByColleague(_) | Decision::Nothing => return None,
        };
        lines.retain(|l| !l.is_empty());
        Some(Pop {
            click: (kind != PopKind::InCall).then_some((PopAction::Open, w.open)),
            kind,
            title,
            lines,
            buttons: with_labels(&buttons, w),
        })
    }

    /// "20 calls while you were away, 7 missed", with *Open* showing the missed calls.
    pub fn away(summary: AwaySummary, language: Language) -> Pop {
        let w = language.words();
        let title = w
            .away
            .replace("{calls}", &summary.calls.to_string())
            .replace("{missed}", &summary.missed.to_string());
        Pop {
            kind: PopKind::Away,
            title,
            lines: vec![],
            click: Some((PopAction::OpenMissed, w.open)),
            buttons: with_labels(&[PopAction::OpenMissed], w),
        }
    }

    /// "A request to this app was refused" and what to set right; *Open settings* shows them.
    pub fn refused(refused: &Refused, language: Language) -> Pop {
        let w = language.words();
        let line = match &refused.clone().in_language(language).refusal {
            Refusal::AccessCode {
                sent,
                expected: Some(expected),
            } => w
                .refused_code
                .replace("{sent}", sent)
                .replace("{expected}", expected),
            Refusal::AccessCode {
                sent,
                expected: None,
            } => w.refused_no_code.replace("{sent}", sent),
            Refusal::UnknownAddress => w.refused_address.to_owned(),
            Refusal::Malformed { reason, .. } => reason.clone(),
        };
        Pop {
            kind: PopKind::Refused,
            title: w.refused.to_owned(),
            lines: vec![line],
            click: Some((PopAction::OpenSettings, w.open_settings)),
            buttons: with_labels(&[PopAction::OpenSettings], w),
        }
    }

    /// The lines joined for a notification body.
    pub fn body(&self) -> String {
        self.lines.join("\n")
    }
}

fn with_labels(actions: &[PopAction], w: &Words) -> Vec<(PopAction, &'static str)> {
    actions.iter().map(|a| (*a, a.label(w))).collect()
}

/// `79201119613` (or `89201119613`, the same number dialled in Russia) →
/// `+7 920 111-96-13`, as history shows it; other numbers as they are.
pub fn format_number(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 11 && (digits.starts_with('7') || digits.starts_with('8')) {
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
