//! What a screen-pop says: its title, lines and buttons, in the agent's
//! language — worked out once here and drawn by each desktop's notifications
//! (D-Bus on Linux, toasts on Windows; the CLI's `serve --notify` and the app).

use super::decision::Decision;
use super::notifier::{AwaySummary, Notice};
use crate::team::{CallerContext, LastNote};

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
        }
    }

    /// The button for a name a notification reported; unknown names (a click on the pop body) open.
    pub fn from_id(id: &str) -> PopAction {
        [
            PopAction::OpenCrm,
            PopAction::CallBack,
            PopAction::OpenMissed,
            PopAction::AddNote,
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

    /// The lines joined for a notification body.
    pub fn body(&self) -> String {
        self.lines.join("\n")
    }
}

/// "Last call 2 days ago with 101 (answered, 4:12)"; "Missed 3 times in 24 h —
/// 102 is calling back".
fn context_lines(context: &CallerContext, w: &Words) -> Vec<String> {
    let mut lines = Vec::new();
    let claim = context
        .calling_back
        .as_ref()
        .map(|ext| w.calling_back.replace("{ext}", ext));
    match (context.missed, claim) {
        (0, Some(claim)) => lines.push(claim),
        (0, None) => {}
        (n, claim) => {
            let missed = w.missed_times.replace("{n}", &n.to_string());
            lines.push(match claim {
                Some(claim) => format!("{missed} — {claim}"),
                None => missed,
            });
        }
    }
    if let Some(last) = &context.last {
        let mut how = vec![if last.answered {
            w.answered
        } else {
            w.not_answered
        }
        .to_owned()];
        how.extend(last.duration.filter(|d| *d > 0).map(clock));
        let with = last
            .with
            .as_ref()
            .map(|ext| w.with.replace("{ext}", ext))
            .unwrap_or_default();
        lines.push(format!(
            "{} {}{with} ({})",
            w.last_call,
            ago(last.seconds_before, w),
            how.join(", ")
        ));
    }
    if let Some(note) = &context.last_note {
        lines.push(last_note_line(note, w));
    }
    lines
}

/// The longest note text a pop shows (the call detail shows it whole).
const POP_NOTE_CHARS: usize = 120;

/// "Last: 101, 2 days ago — promised the invoice by Friday [Call back]".
fn last_note_line(note: &LastNote, w: &Words) -> String {
    let mut text: String = note.text.chars().take(POP_NOTE_CHARS).collect();
    if note.text.chars().count() > POP_NOTE_CHARS {
        text.push('…');
    }
    if !note.tags.is_empty() {
        let tags = format!("[{}]", note.tags.join(", "));
        text = if text.is_empty() {
            tags
        } else {
            format!("{text} {tags}")
        };
    }
    let by = note
        .by
        .as_deref()
        .map(|b| format!("{b}, "))
        .unwrap_or_default();
    format!(
        "{}: {by}{} — {text}",
        w.last_note,
        ago(note.seconds_before, w)
    )
}

/// `12 min ago`, `5 h ago`, `3 days ago`.
fn ago(seconds: i64, w: &Words) -> String {
    let (n, unit) = match seconds / 60 {
        minutes @ 0..60 => (minutes, w.minutes_ago),
        minutes @ 60..2880 => (minutes / 60, w.hours_ago),
        minutes => (minutes / 1440, w.days_ago),
    };
    unit.replace("{n}", &n.to_string())
}

/// `4:12`, `1:02:03`.
fn clock(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

fn with_labels(actions: &[PopAction], w: &Words) -> Vec<(PopAction, &'static str)> {
    actions.iter().map(|a| (*a, a.label(w))).collect()
}

/// The language pops are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// English.
    En,
    /// Russian.
    Ru,
}

impl Language {
    /// The configured language (`language` setting), else the system's (the
    /// locale on Linux, the display language on Windows), else English.
    pub fn pick(configured: Option<&str>) -> Language {
        let system = || sys_locale::get_locale().unwrap_or_default();
        match configured {
            Some("ru") => Language::Ru,
            Some(_) => Language::En,
            None if system().to_ascii_lowercase().starts_with("ru") => Language::Ru,
            None => Language::En,
        }
    }

    fn words(self) -> &'static Words {
        match self {
            Language::En => &EN,
            Language::Ru => &RU,
        }
    }
}

/// Pop texts of one language.
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
    /// Earlier contact with the caller (`{n}`, `{ext}` filled in).
    last_call: &'static str,
    with: &'static str,
    answered: &'static str,
    not_answered: &'static str,
    minutes_ago: &'static str,
    hours_ago: &'static str,
    days_ago: &'static str,
    missed_times: &'static str,
    calling_back: &'static str,
    last_note: &'static str,
    add_note: &'static str,
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
    last_call: "Last call",
    with: " with {ext}",
    answered: "answered",
    not_answered: "not answered",
    minutes_ago: "{n} min ago",
    hours_ago: "{n} h ago",
    days_ago: "{n} days ago",
    missed_times: "Missed {n}× in 24 h",
    calling_back: "{ext} is calling back",
    last_note: "Last",
    add_note: "Add note",
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
    last_call: "Последний звонок",
    with: ", {ext}",
    answered: "отвечен",
    not_answered: "без ответа",
    minutes_ago: "{n} мин назад",
    hours_ago: "{n} ч назад",
    days_ago: "{n} дн. назад",
    missed_times: "Пропущен {n}× за сутки",
    calling_back: "перезванивает {ext}",
    last_note: "Заметка",
    add_note: "Заметка…",
};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pbx::call::Call;

    fn notice(decision: Decision, name: Option<&str>, phone: Option<&str>) -> Notice {
        let now = time::OffsetDateTime::now_utc();
        let call = Call {
            callid: "c1".into(),
            direction: None,
            phone: phone.map(Into::into),
            phone_normalized: None,
            contact_name: name.map(Into::into),
            line_number: Some("74951234567".into()),
            ext: None,
            answered_by: None,
            answered_at: None,
            status: "Ringing".into(),
            completed: false,
            duration: None,
            record_link: None,
            events: vec![],
            first_seen: now,
            last_seen: now,
            notes: vec![],
            tags: vec![],
        };
        Notice {
            decision,
            call,
            responsible: Some("101".into()),
            crm_url: Some("https://crm.example/c/79201119613".into()),
            context: None,
        }
    }

    #[test]
    fn a_ring_says_the_callers_last_contact_with_the_team() {
        let mut n = notice(Decision::Ring, Some("Вася"), Some("79201119613"));
        n.responsible = None;
        n.context = Some(CallerContext {
            last: Some(crate::team::LastContact {
                at: time::OffsetDateTime::now_utc(),
                seconds_before: 2 * 86_400 + 600,
                with: Some("101".into()),
                answered: true,
                duration: Some(252),
                direction: None,
            }),
            missed: 0,
            calling_back: None,
            last_note: None,
        });
        let pop = Pop::for_notice(&n, Language::En).unwrap();
        assert_eq!(
            pop.lines[2],
            "Last call 2 days ago with 101 (answered, 4:12)"
        );
        let context = n.context.as_mut().unwrap();
        context.missed = 3;
        context.calling_back = Some("102".into());
        context.last.as_mut().unwrap().seconds_before = 3 * 3600;
        let pop = Pop::for_notice(&n, Language::Ru).unwrap();
        assert_eq!(
            &pop.lines[2..],
            [
                "Пропущен 3× за сутки — перезванивает 102",
                "Последний звонок 3 ч назад, 101 (отвечен, 4:12)"
            ]
        );
        n.context.as_mut().unwrap().last_note = Some(LastNote {
            by: Some("101".into()),
            seconds_before: 2 * 86_400,
            text: "promised the invoice by Friday".into(),
            tags: vec!["Call back".into()],
        });
        let pop = Pop::for_notice(&n, Language::En).unwrap();
        assert_eq!(
            pop.lines.last().unwrap(),
            "Last: 101, 2 days ago — promised the invoice by Friday [Call back]"
        );
    }

    #[test]
    fn numbers_are_shown_the_way_agents_read_them() {
        assert_eq!(format_number("79201119613"), "+7 920 111-96-13");
        assert_eq!(format_number("101"), "101");
    }

    #[test]
    fn a_ring_names_the_caller_line_and_responsible_with_open_and_crm() {
        let n = notice(Decision::Ring, Some("Вася"), Some("79201119613"));
        let pop = Pop::for_notice(&n, Language::Ru).unwrap();
        assert_eq!(pop.kind, PopKind::Ring);
        assert_eq!(pop.title, "Входящий звонок: Вася");
        assert_eq!(
            pop.body(),
            "+7 920 111-96-13\nлиния: +7 495 123-45-67\nответственный: 101"
        );
        assert_eq!(pop.click, Some((PopAction::Open, "Открыть")));
        assert_eq!(
            pop.buttons,
            vec![
                (PopAction::Open, "Открыть"),
                (PopAction::OpenCrm, "Открыть в CRM")
            ]
        );
    }

    #[test]
    fn a_missed_call_from_a_hidden_number_offers_call_back() {
        let n = notice(Decision::Missed, None, None);
        let pop = Pop::for_notice(&n, Language::En).unwrap();
        assert_eq!(pop.title, "Missed call: Hidden number");
        assert!(pop.lines.is_empty(), "no empty line for a hidden number");
        assert_eq!(
            pop.buttons,
            vec![
                (PopAction::CallBack, "Call back"),
                (PopAction::AddNote, "Add note")
            ]
        );
        assert_eq!(pop.click, Some((PopAction::Open, "Open")));
        let talking = Pop::for_notice(&notice(Decision::AnsweredByMe, None, None), Language::Ru);
        let talking = talking.unwrap();
        assert_eq!(talking.buttons, vec![(PopAction::AddNote, "Заметка…")]);
        assert_eq!(PopAction::from_id("note"), PopAction::AddNote);
    }

    #[test]
    fn a_call_a_colleague_took_shows_nothing() {
        let n = notice(Decision::AnsweredByColleague("102".into()), None, None);
        assert_eq!(Pop::for_notice(&n, Language::En), None);
    }

    #[test]
    fn the_away_notice_counts_calls_and_missed() {
        let summary = AwaySummary {
            calls: 20,
            missed: 7,
        };
        let pop = Pop::away(summary, Language::En);
        assert_eq!(pop.title, "20 calls while you were away, 7 missed");
        assert_eq!(pop.buttons, vec![(PopAction::OpenMissed, "Open")]);
    }

    #[test]
    fn action_names_round_trip_and_a_body_click_opens() {
        for a in [
            PopAction::Open,
            PopAction::OpenCrm,
            PopAction::CallBack,
            PopAction::OpenMissed,
        ] {
            assert_eq!(PopAction::from_id(a.id()), a);
        }
        assert_eq!(PopAction::from_id("default"), PopAction::Open);
    }

    #[test]
    fn the_configured_language_wins_over_the_system() {
        assert_eq!(Language::pick(Some("ru")), Language::Ru);
        assert_eq!(Language::pick(Some("en")), Language::En);
    }
}
