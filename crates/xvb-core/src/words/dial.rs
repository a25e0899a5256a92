//! Dialing in Russian: `makeCall` refused or not sent, a number that cannot
//! be dialled, the PBX token and the keyring, the dial pad's notices and the
//! test call. Says where in Settings to put things right, as the app's English does.

use super::{wrapped, Language, Worded};
use crate::app::messages::{DialPadNotice, TestCall};
use crate::pbx::dialer::{DialError, RefusalHint};
use crate::pbx::phone::NumberError;
use crate::pbx::sim::SimError;
use crate::secret::{SecretKind, TokenError};

impl Worded for DialError {
    fn russian(&self) -> String {
        match self {
            DialError::Token(token) => token.russian(),
            DialError::Number(number) => wrapped("этот номер не набрать", number),
            DialError::NoExtension => "не указан ваш внутренний номер: введите его в настройках, в поле «Мой внутренний номер»".into(),
            DialError::BadExtension(ext) => format!(
                "внутренний номер, с которого звонить, должен состоять из цифр, а указано «{ext}»"
            ),
            DialError::NoPbxUrl => "не указан адрес АТС: введите его в настройках, в поле «Адрес АТС» — это «Адрес облачной АТС» из настроек интеграции АТС".into(),
            DialError::BadPbxUrl(url) => format!(
                "адрес АТС «{url}» не начинается с http:// или https://: исправьте его в настройках, в поле «Адрес АТС»"
            ),
            DialError::InsecurePbxUrl(host) => format!(
                "токен АТС не отправлен на {host} по незащищённому http://: введите в настройках адрес АТС, начинающийся с https://"
            ),
            DialError::Refused { status, body, hint } => {
                let body = if body.is_empty() {
                    String::new()
                } else {
                    format!(": {body}")
                };
                format!("АТС отклонила звонок: HTTP {status}{body}{}", hint.russian())
            }
            DialError::ConnectionRefused(host) => format!(
                "не удаётся подключиться к АТС на {host}: соединение отклонено; проверьте адрес АТС в настройках (хост и порт) и работает ли АТС"
            ),
            DialError::NetworkUnreachable(host) => format!(
                "АТС на {host} недоступна: сеть недостижима; проверьте подключение этого компьютера к сети"
            ),
            DialError::Dns(host) => format!(
                "хост АТС {host} не найден (ошибка DNS): проверьте, нет ли опечатки в адресе АТС, и подключение этого компьютера к интернету"
            ),
            DialError::Tls { host, detail } => format!(
                "не удалось установить защищённое соединение с АТС на {host} ({detail}): проверьте, что адрес АТС начинается с https://, а также дату и время на этом компьютере"
            ),
            DialError::Timeout { host, seconds } => format!(
                "АТС на {host} не ответила за {seconds} с: проверьте сеть или попробуйте ещё раз"
            ),
            DialError::Other(detail) => format!("запрос к АТС не удался: {detail}"),
        }
    }
}

impl Worded for RefusalHint {
    fn russian(&self) -> String {
        match self {
            RefusalHint::Token => " — проверьте токен АТС в настройках и настройки интеграции АТС",
            RefusalHint::Address => {
                " — проверьте адрес АТС в настройках: это должен быть «Адрес облачной АТС»"
            }
            RefusalHint::Redirect => {
                " — адрес АТС перенаправляет на другой: укажите в настройках конечный адрес"
            }
            RefusalHint::PbxTrouble => {
                " — у АТС неполадки: попробуйте позже или сообщите её администратору"
            }
            RefusalHint::Nothing => "",
        }
        .into()
    }
}

impl Worded for NumberError {
    fn russian(&self) -> String {
        match self {
            NumberError::Empty => "номер пустой".into(),
            NumberError::Letters(c) => {
                format!("в номере есть буквы («{c}»): введите только цифры")
            }
            NumberError::Character(c) => format!(
                "в номере есть «{c}»: пишите цифры, пробелы, дефисы, точки, скобки и + в начале"
            ),
            NumberError::TooShort(n) => {
                format!("в номере цифр: {n}, а нужно хотя бы 2")
            }
            NumberError::TooLong(n) => {
                format!("в номере цифр: {n}, а можно не больше 20")
            }
        }
    }
}

/// The Russian of a [`TokenError`] is the window's: where in Settings to put
/// it right (as [`TokenError::in_settings`] says it in English).
impl Worded for TokenError {
    fn russian(&self) -> String {
        match self {
            TokenError::Empty => "токен пустой: вставьте «Token» из настроек интеграции АТС".into(),
            TokenError::Malformed => "в токене есть управляющие символы, или он длиннее 4096 байт: вставьте его ещё раз одной строкой".into(),
            TokenError::NoAccount => "сначала введите в настройках код доступа (номер аккаунта АТС): токен хранится отдельно для каждого аккаунта".into(),
            TokenError::NotSet(account) => format!(
                "для аккаунта {account} не сохранён токен АТС: вставьте его в настройках, в поле «Токен АТС»"
            ),
            TokenError::SecretNotSet { kind, account } => match kind {
                SecretKind::PbxToken => TokenError::NotSet(account.clone()).russian(),
                SecretKind::RecordingsPassword => format!(
                    "для аккаунта {account} не сохранён пароль для скачивания записей: введите его в настройках"
                ),
                SecretKind::TunnelSecret => format!(
                    "для аккаунта {account} не сохранён секрет туннеля: введите его в настройках"
                ),
                SecretKind::RelayToken => format!(
                    "для аккаунта {account} не сохранена строка подключения к ретранслятору: вставьте её в настройках, в разделе «Командный ретранслятор»"
                ),
                SecretKind::SourcePassword => format!(
                    "для аккаунта {account} не сохранён пароль источника контактов: `xvb contacts source password ИМЯ`"
                ),
            },
            TokenError::NoKeyring(detail) => format!(
                "связка ключей недоступна ({detail}): установите и разблокируйте службу Secret Service, например gnome-keyring или KWallet (на рабочем столе — войдите в неё), и попробуйте ещё раз"
            ),
            TokenError::Locked(detail) => format!(
                "связка ключей не дала доступа ({detail}): разблокируйте её (войдите в сеанс рабочего стола или разблокируйте связку «login») и попробуйте ещё раз"
            ),
            TokenError::Keyring(detail) => format!("ошибка связки ключей: {detail}"),
        }
    }
}

impl TokenError {
    /// The message as the app's window says it, in `language`.
    pub fn in_settings_in(&self, language: Language) -> String {
        match language {
            Language::En => self.in_settings(),
            Language::Ru => self.russian(),
        }
    }
}

impl Worded for DialPadNotice {
    fn russian(&self) -> String {
        match self {
            DialPadNotice::NoNumber(number) => {
                wrapped("в этой ссылке нет номера, который можно набрать", number)
            }
            DialPadNotice::NotAtOnce(seconds) => format!(
                "номер не набран сразу: другая ссылка набиралась меньше {seconds} с назад; нажмите «Позвонить», чтобы набрать этот"
            ),
            DialPadNotice::NothingSelected => "ничего не выделено и не скопировано: выделите номер телефона и нажмите сочетание клавиш ещё раз".into(),
            DialPadNotice::NoNumberSelected => "в выделенном тексте нет номера телефона".into(),
        }
    }
}

impl Worded for TestCall {
    fn russian(&self) -> String {
        match self {
            TestCall::NoAccount => {
                "сначала введите в настройках код доступа (номер аккаунта АТС)".into()
            }
            TestCall::BadUrl(why) => why.russian(),
            TestCall::NotArrived(why) => wrapped("тестовый звонок не дошёл", why),
            TestCall::Refused { url, status, body } => {
                format!("тестовый звонок дошёл до {url}, но был отклонён: HTTP {status} {body}")
            }
            TestCall::Arrived(url) => format!("тестовый звонок дошёл до {url}"),
        }
    }
}

impl Worded for SimError {
    fn russian(&self) -> String {
        match self {
            SimError::NotUrl { url, detail } => format!("«{url}» — не адрес URL: {detail}"),
            SimError::Scheme(scheme) => format!(
                "адрес вебхука начинается с http:// или https://, а не с «{scheme}:»"
            ),
            SimError::NoHost(url) => format!("в адресе «{url}» нет имени хоста"),
            SimError::Connect { address, source } => format!(
                "не удаётся подключиться к {address}: {source}; слушает ли там приложение или `xvb serve`?"
            ),
            SimError::NoReply { address, source } => format!(
                "нет ответа от {address}: {source}; слушает ли там приложение или `xvb serve`?"
            ),
            SimError::TlsName { host, detail } => {
                format!("имя «{host}» нельзя проверить по TLS: {detail}")
            }
            SimError::Tls { address, source } => format!(
                "не удалось установить TLS-соединение с {address}: {source} (сертификат центра сертификации компании указывается в SSL_CERT_FILE)"
            ),
            SimError::NotHttp(start) => format!("это не ответ HTTP: {start:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::tests::each_has_russian;
    use std::io::{Error, ErrorKind};

    #[test]
    fn every_dial_error_has_russian() {
        let host = || "pbx.example".to_owned();
        each_has_russian([
            DialError::Token(TokenError::NotSet("10019".into())),
            DialError::Number(NumberError::Empty),
            DialError::NoExtension,
            DialError::BadExtension("1a".into()),
            DialError::NoPbxUrl,
            DialError::BadPbxUrl("ftp://pbx".into()),
            DialError::InsecurePbxUrl(host()),
            DialError::ConnectionRefused(host()),
            DialError::NetworkUnreachable(host()),
            DialError::Dns(host()),
            DialError::Tls {
                host: host(),
                detail: "UnknownIssuer".into(),
            },
            DialError::Timeout {
                host: host(),
                seconds: 5,
            },
            DialError::Other("reset".into()),
        ]);
        for status in [200, 301, 401, 404, 418, 503] {
            let refused = DialError::Refused {
                status,
                body: "nope".into(),
                hint: RefusalHint::of_status(status),
            };
            each_has_russian([refused]);
        }
        each_has_russian([
            RefusalHint::Token,
            RefusalHint::Address,
            RefusalHint::Redirect,
            RefusalHint::PbxTrouble,
        ]);
    }

    #[test]
    fn every_number_and_token_error_has_russian() {
        each_has_russian([
            NumberError::Empty,
            NumberError::Letters('a'),
            NumberError::Character('#'),
            NumberError::TooShort(1),
            NumberError::TooLong(21),
        ]);
        let not_set = |kind| TokenError::SecretNotSet {
            kind,
            account: "10019".into(),
        };
        each_has_russian([
            TokenError::Empty,
            TokenError::Malformed,
            TokenError::NoAccount,
            TokenError::NotSet("10019".into()),
            not_set(SecretKind::PbxToken),
            not_set(SecretKind::RecordingsPassword),
            not_set(SecretKind::TunnelSecret),
            not_set(SecretKind::RelayToken),
            TokenError::NoKeyring("no D-Bus".into()),
            TokenError::Locked("locked".into()),
            TokenError::Keyring("odd".into()),
        ]);
    }

    #[test]
    fn the_dial_pad_and_the_test_call_have_russian() {
        each_has_russian([
            DialPadNotice::NoNumber(NumberError::Empty),
            DialPadNotice::NotAtOnce(10),
            DialPadNotice::NothingSelected,
            DialPadNotice::NoNumberSelected,
        ]);
        let url = "http://127.0.0.1:8787/hook/x";
        let refused = || Error::from(ErrorKind::ConnectionRefused);
        each_has_russian([
            TestCall::NoAccount,
            TestCall::BadUrl(SimError::Scheme("ftp".into()).into()),
            TestCall::NotArrived(
                SimError::Connect {
                    address: "127.0.0.1:8787".into(),
                    source: refused(),
                }
                .into(),
            ),
            TestCall::Refused {
                url: url.into(),
                status: 403,
                body: "nope".into(),
            },
            TestCall::Arrived(url.into()),
        ]);
        each_has_russian([
            SimError::NotUrl {
                url: "x".into(),
                detail: "relative URL without a base".into(),
            },
            SimError::NoHost("http://".into()),
            SimError::NoReply {
                address: "127.0.0.1:8787".into(),
                source: refused(),
            },
            SimError::TlsName {
                host: "x y".into(),
                detail: "invalid".into(),
            },
            SimError::Tls {
                address: "relay.example:443".into(),
                source: refused(),
            },
            SimError::NotHttp("SSH-2.0".into()),
        ]);
    }

    #[test]
    fn the_window_says_where_to_put_it_right_in_either_language() {
        let missing = TokenError::NotSet("10019".into());
        assert!(missing
            .in_settings_in(Language::En)
            .contains("under PBX token"));
        assert!(missing
            .in_settings_in(Language::Ru)
            .contains("в поле «Токен АТС»"));
        assert_eq!(
            DialError::Timeout {
                host: "pbx.example".into(),
                seconds: 10
            }
            .in_language(Language::Ru),
            "АТС на pbx.example не ответила за 10 с: проверьте сеть или попробуйте ещё раз"
        );
    }
}
