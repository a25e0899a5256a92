//! The words pops are written with, one table per [`Language`].

/// The language the agent reads: the window, pops, toasts and tray all follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    En,
    /// Russian.
    Ru,
}

impl Language {
    /// The configured language (`language` setting), else the session's
    /// ([`session_locale`]), else English.
    pub fn pick(configured: Option<&str>) -> Language {
        match configured {
            Some("ru") => Language::Ru,
            Some(_) => Language::En,
            None => Language::of_locale(&session_locale()),
        }
    }

    /// Russian for a Russian locale (`ru_RU.UTF-8`, `ru-RU`, `ru`), else English.
    pub fn of_locale(locale: &str) -> Language {
        match locale.get(..2) {
            Some(code) if code.eq_ignore_ascii_case("ru") => Language::Ru,
            _ => Language::En,
        }
    }

    pub(super) fn words(self) -> &'static Words {
        match self {
            Language::En => &EN,
            Language::Ru => &RU,
        }
    }
}

/// The session's locale: `LC_ALL`, `LC_MESSAGES` or `LANG` as set (not the
/// neutral `C`/`POSIX`) — read as text, so a locale the machine has not
/// generated still counts — else the system's (the display language on Windows).
fn session_locale() -> String {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| {
            !(value.is_empty() || value == "C" || value == "POSIX" || value.starts_with("C."))
        })
        .or_else(sys_locale::get_locale)
        .unwrap_or_default()
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
    pub(super) open_settings: &'static str,
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
    /// The app's own test call (Settings' *Send a test call*).
    pub(super) test_call: &'static str,
    pub(super) test_call_body: &'static str,
    /// A request the listener refused (`{sent}`, `{expected}` filled in).
    pub(super) refused: &'static str,
    pub(super) refused_code: &'static str,
    pub(super) refused_no_code: &'static str,
    pub(super) refused_address: &'static str,
}

const EN: Words = Words {
    incoming: "Incoming call",
    in_call: "In call with",
    missed: "Missed call",
    line: "line",
    responsible: "responsible",
    open: "Open",
    open_crm: "Open in CRM",
    open_settings: "Open settings",
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
    test_call: "The test call arrived",
    test_call_body: "This app receives calls: give the PBX admin the webhook URL from Settings.",
    refused: "A request to this app was refused",
    refused_code: "It sent access code {sent}; this computer expects {expected}. Check the account number in Settings.",
    refused_no_code: "It sent access code {sent}, and no account number is set here: enter it in Settings.",
    refused_address: "It used an old or mistyped webhook URL: give the PBX admin the URL from Settings again.",
};

const RU: Words = Words {
    incoming: "Входящий звонок",
    in_call: "Разговор с",
    missed: "Пропущенный звонок",
    line: "линия",
    responsible: "ответственный",
    open: "Открыть",
    open_crm: "Открыть в CRM",
    open_settings: "Открыть настройки",
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
    test_call: "Тестовый звонок дошёл",
    test_call_body: "Это приложение получает звонки: передайте администратору АТС адрес вебхука из настроек.",
    refused: "Запрос к приложению отклонён",
    refused_code: "В нём код доступа {sent}, а этот компьютер ждёт {expected}. Проверьте номер аккаунта в настройках.",
    refused_no_code: "В нём код доступа {sent}, а номер аккаунта здесь не указан: введите его в настройках.",
    refused_address: "Он пришёл на старый или неверный адрес вебхука: передайте администратору АТС адрес из настроек ещё раз.",
};
