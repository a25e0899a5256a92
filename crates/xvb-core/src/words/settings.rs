//! Settings and the engine in Russian: a value a setting does not take (the
//! key first, as in English, so the app drops it beside the key's field), the
//! engine's own failures, the listener's address, saving to Downloads.

use super::Worded;
use crate::app::messages::{CannotWrite, ListenTrouble};
use crate::config::{SettingRefused, Unit};
use crate::CoreError;

impl Worded for SettingRefused {
    fn russian(&self) -> String {
        match self {
            SettingRefused::Digits { key, value } => {
                format!("{key}: нужны только цифры (например, 10019), а введено «{value}»")
            }
            SettingRefused::HttpUrl { key, value } => format!(
                "{key}: нужен адрес, начинающийся с http:// или https://, а введено «{value}»"
            ),
            SettingRefused::PbxUrl { key, value } => format!(
                "{key}: нужен адрес АТС, начинающийся с https://: по простому http:// токен АТС пойдёт по сети открытым текстом, и его сможет прочитать любой на пути (http:// можно только для АТС на этом компьютере: 127.0.0.1, ::1, localhost), а введено «{value}»"
            ),
            SettingRefused::OnOff { key, value } => {
                format!("{key}: нужно on или off, а введено «{value}»")
            }
            SettingRefused::Number {
                key,
                unit,
                from,
                to,
                value,
            } => {
                let unit = match unit {
                    Unit::Megabytes => "мегабайт",
                    Unit::Days => "дней",
                };
                format!("{key}: нужно число {unit} от {from} до {to}, а введено «{value}»")
            }
            SettingRefused::Listen(value) => format!(
                "listen: нужно IP:ПОРТ, например 127.0.0.1:8787 (только этот компьютер) или 0.0.0.0:8787 (офисная сеть), а введено «{value}»"
            ),
            SettingRefused::MetricsListen(value) => format!(
                "relay_metrics_listen: нужно IP:ПОРТ, например 127.0.0.1:9187 (или пусто: без метрик), а введено «{value}»"
            ),
            SettingRefused::RingPolicy(value) => {
                format!("ring_policy: нужно all или responsible, а введено «{value}»")
            }
            SettingRefused::Hotkey(value) => format!(
                "dial_hotkey: нужно целое сочетание клавиш — одна или несколько из Ctrl, Alt, Shift, Super, затем клавиша, например Ctrl+Alt+D (или пусто, чтобы выключить), а введено «{value}»"
            ),
            SettingRefused::CrmPhone(value) => format!(
                "crm_url_template: в адресе должно быть {{phone}}, например https://crm.example/find?phone={{phone}}, а введено «{value}»"
            ),
            SettingRefused::Language(value) => format!(
                "language: нужно en или ru (или пусто, чтобы язык был как в системе), а введено «{value}»"
            ),
            SettingRefused::RecordingsUser(value) => format!(
                "recordings_user: в логине не может быть «:» и управляющих символов, а введено «{value}»"
            ),
            SettingRefused::TunnelServer(value) => format!(
                "tunnel_server: нужно только имя хоста сервера bore, например bore.example.com, а введено «{value}»"
            ),
            SettingRefused::TunnelPort(value) => {
                format!("tunnel_port: нужен номер порта (0 — любой), а введено «{value}»")
            }
            SettingRefused::Tags(why) => format!(
                "tags: {why}; перечислите теги через запятую, например Sale=#2e7d32, Complaint, Call back"
            ),
            SettingRefused::TrustedProxy(value) => format!(
                "relay_trusted_proxies: нужен список IP-адресов через запятую, например 127.0.0.1, 10.0.0.5; «{value}» — не IP-адрес"
            ),
            SettingRefused::UnknownKey { key, keys } => {
                format!("неизвестный ключ «{key}»; ключи: {keys}")
            }
        }
    }
}

impl Worded for CoreError {
    fn russian(&self) -> String {
        match self {
            CoreError::Config(why) => format!("ошибка в настройках: {why}"),
            CoreError::Setting(refused) => refused.russian(),
            CoreError::Io { path, source } => {
                format!("не удаётся использовать {}: {source}", path.display())
            }
            CoreError::Database { path, source } => format!(
                "не удаётся использовать базу данных {}: {source}; проверьте, что в её папку можно писать и диск не заполнен; если файл повреждён, уберите его в другое место (приложение начнёт с пустой базы) или восстановите из резервной копии",
                path.display()
            ),
            CoreError::Db(e) => format!(
                "ошибка базы данных: {e}; если она повторяется, проверьте диск и права на папку данных"
            ),
            CoreError::Corrupt(what) => format!("сохранённые данные повреждены: {what}"),
            CoreError::Import(refused) => refused.russian(),
            CoreError::Contact(invalid) => invalid.russian(),
            CoreError::Postgres(e) => format!(
                "база PostgreSQL ретранслятора не работает: {e}; проверьте relay_database и что сервер запущен и принимает запись"
            ),
            CoreError::WriterGone => {
                "запись в базу данных остановилась: перезапустите приложение".into()
            }
            CoreError::StoreFailed => {
                "база данных не сохранила изменения: проверьте, есть ли место на диске".into()
            }
            CoreError::Listen { addr, source } => {
                format!("приём запросов на {addr} прервался: {source}")
            }
            CoreError::Note(refused) => refused.russian(),
            CoreError::Sim(e) => e.russian(),
            CoreError::Group(refused) => refused.russian(),
            CoreError::Status(refused) => refused.russian(),
        }
    }
}

impl Worded for ListenTrouble {
    fn russian(&self) -> String {
        match self {
            ListenTrouble::Taken { addr, source } => format!(
                "не удаётся принимать запросы на {addr}: {source}; этот порт занят другой программой — выберите другой порт"
            ),
            ListenTrouble::NotBack { addr, source } => format!(
                "не удаётся снова принимать запросы на {addr}: {source}; перезапустите приложение"
            ),
            ListenTrouble::Address(e) => {
                format!("не удаётся узнать адрес для запросов АТС: {e}; перезапустите приложение")
            }
        }
    }
}

impl Worded for CannotWrite {
    fn russian(&self) -> String {
        format!(
            "не удаётся записать {}: {}; выберите папку, в которую можно писать",
            self.path.display(),
            self.source
        )
    }
}

/// A background task of the app that panicked or was cancelled.
impl Worded for tokio::task::JoinError {
    fn russian(&self) -> String {
        format!("фоновая задача приложения прервалась ({self}); попробуйте ещё раз или перезапустите приложение")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{ErrorCode, UiError};
    use crate::config::Config;
    use crate::words::tests::each_has_russian;
    use crate::words::Language;
    use std::io::{Error, ErrorKind};

    /// Every value the app's settings screen can send, refused.
    const REFUSED: &[(&str, &str)] = &[
        ("access_code", "abc"),
        ("extension", "10 1"),
        ("public_url", "agent.example"),
        ("pbx_url", "http://pbx.example/crm"),
        ("do_not_disturb", "maybe"),
        ("recordings_cache_mb", "1"),
        ("relay_keep_days", "3"),
        ("listen", "localhost"),
        ("ring_policy", "some"),
        ("dial_hotkey", "Ctrl+"),
        ("crm_url_template", "https://crm.example/x"),
        ("language", "de"),
        ("recordings_user", "a:b"),
        ("tunnel_server", "https://bore.example"),
        ("tunnel_port", "port"),
        ("tags", "=#zzz"),
        ("relay_trusted_proxies", "proxy"),
        ("relay_metrics_listen", "metrics"),
        ("colour", "red"),
    ];

    fn refused(key: &str, value: &str) -> SettingRefused {
        match Config::default().set(key, value) {
            Err(CoreError::Setting(refused)) => refused,
            other => panic!("{key}={value}: {other:?}"),
        }
    }

    #[test]
    fn every_refused_setting_has_russian() {
        each_has_russian(REFUSED.iter().map(|(key, value)| refused(key, value)));
    }

    #[test]
    fn beside_its_field_a_refusal_drops_the_key_in_either_language() {
        let pbx = refused("pbx_url", "http://pbx.example/crm");
        let error = UiError::in_field(ErrorCode::Config, "pbx_url", &CoreError::from(pbx));
        assert!(error
            .message
            .starts_with("Must be the PBX's https:// address"));
        let russian = error.in_language(Language::Ru);
        assert_eq!(russian.field.as_deref(), Some("pbx_url"));
        assert!(
            russian
                .message
                .starts_with("Нужен адрес АТС, начинающийся с https://"),
            "{}",
            russian.message
        );
        assert!(russian
            .message
            .ends_with("а введено «http://pbx.example/crm»"));
    }

    #[test]
    fn every_engine_failure_the_app_shows_has_russian() {
        let denied = || Error::from(ErrorKind::PermissionDenied);
        let addr = "127.0.0.1:8787".parse().unwrap();
        each_has_russian([
            CoreError::Config("config.toml is not valid".into()),
            CoreError::io(std::path::Path::new("/data"), denied()),
            CoreError::Database {
                path: "/data/xvb.sqlite3".into(),
                source: rusqlite::Error::InvalidQuery,
            },
            CoreError::Db(rusqlite::Error::InvalidQuery),
            CoreError::Corrupt("bad JSON".into()),
            CoreError::Import(crate::contacts::FileRefused::Columns),
            CoreError::Contact(crate::contacts::InvalidContact::NoName),
            CoreError::Postgres("down".into()),
            CoreError::WriterGone,
            CoreError::StoreFailed,
            CoreError::Listen {
                addr,
                source: denied(),
            },
            CoreError::Note(crate::notes::NoteRefused::Empty),
        ]);
        each_has_russian([
            ListenTrouble::Taken {
                addr,
                source: Error::from(ErrorKind::AddrInUse),
            },
            ListenTrouble::NotBack {
                addr,
                source: Error::from(ErrorKind::AddrInUse),
            },
            ListenTrouble::Address(denied()),
        ]);
        each_has_russian([CannotWrite {
            path: "/home/a/Downloads/contacts.csv".into(),
            source: denied(),
        }]);
    }
}
