//! The words pops are written with, one table per [`Language`].

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

    pub(super) fn words(self) -> &'static Words {
        match self {
            Language::En => &EN,
            Language::Ru => &RU,
        }
    }
}

/// Pop texts of one language.
pub(super) struct Words {
    pub(super) incoming: &'static str,
    pub(super) in_call: &'static str,
    pub(super) missed: &'static str,
    pub(super) line: &'static str,
    pub(super) responsible: &'static str,
    pub(super) open: &'static str,
    pub(super) open_crm: &'static str,
    pub(super) call_back: &'static str,
    /// `{calls}` and `{missed}` are filled in.
    pub(super) away: &'static str,
    /// A withheld caller ID.
    pub(super) hidden: &'static str,
    /// Earlier contact with the caller (`{n}`, `{ext}` filled in).
    pub(super) last_call: &'static str,
    pub(super) with: &'static str,
    pub(super) answered: &'static str,
    pub(super) not_answered: &'static str,
    pub(super) minutes_ago: &'static str,
    pub(super) hours_ago: &'static str,
    pub(super) days_ago: &'static str,
    pub(super) missed_times: &'static str,
    pub(super) calling_back: &'static str,
    pub(super) last_note: &'static str,
    pub(super) add_note: &'static str,
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
