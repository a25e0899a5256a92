//! Why a contact source could not be read, in Russian.

use super::Worded;
use crate::contacts::sources::{BadSource, BadSourceName, SourceError};

impl Worded for SourceError {
    fn russian(&self) -> String {
        match self {
            SourceError::Unreachable { url, reason } => format!(
                "не удалось связаться с {url}: {reason}; проверьте адрес и порт и что сервер работает"
            ),
            SourceError::WrongPassword => "сервер отклонил DN для входа или пароль; сохраните пароль заново: `xvb contacts source password <source>`".into(),
            SourceError::Untrusted { reason } => format!(
                "сертификат сервера не признан доверенным ({reason}); добавьте сертификат центра сертификации компании в SSL_CERT_FILE или проверьте имя сервера в URL"
            ),
            SourceError::BadFilter => "фильтр записан не по правилам LDAP; пример: (|(telephoneNumber=*)(mobile=*))".into(),
            SourceError::NoSuchBase => "такой базы поиска на сервере нет; проверьте --base (например, ou=people,dc=example,dc=com)".into(),
            SourceError::SizeLimit => "сервер остановил поиск на своём ограничении числа записей; разрешите DN для входа читать все записи (OpenLDAP: `limits dn.exact=\"…\" size=unlimited size.prtotal=unlimited`) или сузьте --base или --filter".into(),
            SourceError::NoPassword => "для этого источника не сохранён пароль; сохраните его: `xvb contacts source password <source>`".into(),
            SourceError::NoKeyring { reason } => format!(
                "связка ключей не выдала пароль ({reason}); на сервере без неё задайте XVB_SOURCE_PASSWORD_<SOURCE>"
            ),
            SourceError::Refused { code, text } => format!("сервер отказал: {text} (код LDAP {code})"),
            SourceError::TooMany { most } => format!("в источнике больше {most} записей; сузьте его (LDAP: --base или --filter; CardDAV: другая адресная книга)"),
            SourceError::TimedOut => "сервер не ответил вовремя (20 с на соединение или между ответами); проверьте, не перегружен ли он (LDAP: или сузьте фильтр)".into(),
            SourceError::LoginRefused { status } => format!("сервер отклонил вход (HTTP {status}); проверьте --user и что ему можно читать адресную книгу, затем сохраните пароль заново: `xvb contacts source password <source>`"),
            SourceError::NoAddressBook { url } => format!("по адресу {url} нет адресной книги; укажите URL самой книги, например https://cloud.example/remote.php/dav/addressbooks/users/USER/contacts/"),
            SourceError::Moved { url, to } => format!("{url} перенесён на {to}; укажите этот URL"),
            SourceError::HttpStatus { url, status } => format!("{url} ответил HTTP {status}; проверьте URL и журнал сервера"),
            SourceError::TooSlow { ms } => format!("CRM не ответила за {ms} мс, и звонящие остались без имени; увеличьте --timeout-ms, если она всегда так медленна (АТС ждёт имя столько же)"),
            SourceError::TokenRefused { status } => format!("CRM отклонила токен (HTTP {status}); сохраните действующий: `xvb contacts source password <source>`"),
            SourceError::LacksName { pointer } => format!("в ответе CRM нет поля имени {pointer}; сверьте --name-pointer с ответом CRM"),
            SourceError::BadReply { reason } => format!("ответ сервера не удалось прочитать ({reason}); проверьте, что URL ведёт к источнику, а не к странице входа"),
        }
    }
}

impl Worded for BadSourceName {
    fn russian(&self) -> String {
        format!("`{}` не годится в имена источника: 1–32 строчные латинские буквы, цифры, - или _ (и не `local` — это имя книги контактов)", self.0)
    }
}

impl Worded for BadSource {
    fn russian(&self) -> String {
        match self {
            BadSource::Url { schemes, url } => {
                format!("URL должен начинаться с {} и имени сервера, а не `{url}`", schemes.replace(" or ", " или "))
            }
            BadSource::NoNumber => "в URL CRM нужен {number} на месте номера звонящего, например https://crm.example/api/v4/contacts?query={number}".into(),
            BadSource::Header(name) => format!("заголовок пишется `Имя: значение`, имя из латинских букв, цифр, - и _ (например 'Authorization: Bearer {{token}}'), а не `{name}`"),
            BadSource::Pointer(pointer) => format!("JSON pointer начинается с / (например /result/0/NAME), а не `{pointer}`"),
            BadSource::Timeout => "тайм-аут CRM — от 1 до 10000 мс (столько АТС ждёт имя)".into(),
            BadSource::LocalPrefix(prefix) => format!("местный префикс — только цифры (например 7495), а не `{prefix}`"),
            BadSource::LoginInUrl => "в URL записаны логин и пароль: логин укажите в --user, а пароль сохраните командой `xvb contacts source password`".into(),
            BadSource::Taken(name) => format!("источник {name} уже есть; сначала удалите его или выберите другое имя"),
            BadSource::LdapIncomplete => "для LDAP нужны база (ou=people,dc=example,dc=com), фильтр, атрибут имени и хотя бы один атрибут номера".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::tests::each_has_russian;

    #[test]
    fn every_refusal_of_settings_has_russian() {
        each_has_russian([
            BadSource::Url {
                schemes: "ldap:// or ldaps://".into(),
                url: "dc1".into(),
            },
            BadSource::NoNumber,
            BadSource::Header("Bad Name".into()),
            BadSource::Pointer("result/0".into()),
            BadSource::Timeout,
            BadSource::LocalPrefix("+7".into()),
            BadSource::LoginInUrl,
            BadSource::Taken("corp".into()),
            BadSource::LdapIncomplete,
        ]);
    }

    #[test]
    fn every_source_error_has_russian() {
        each_has_russian([
            SourceError::Unreachable {
                url: "ldap://dc1".into(),
                reason: "connection refused".into(),
            },
            SourceError::WrongPassword,
            SourceError::Untrusted {
                reason: "unknown issuer".into(),
            },
            SourceError::BadFilter,
            SourceError::NoSuchBase,
            SourceError::SizeLimit,
            SourceError::NoPassword,
            SourceError::NoKeyring {
                reason: "locked".into(),
            },
            SourceError::Refused {
                code: 50,
                text: "insufficient access".into(),
            },
            SourceError::TooMany { most: 2_000_000 },
            SourceError::TimedOut,
            SourceError::LoginRefused { status: 401 },
            SourceError::NoAddressBook {
                url: "https://dav.example/anna/book/".into(),
            },
            SourceError::HttpStatus {
                url: "https://dav.example/anna/book/".into(),
                status: 500,
            },
            SourceError::BadReply {
                reason: "not XML".into(),
            },
            SourceError::TooSlow { ms: 300 },
            SourceError::Moved {
                url: "https://dav.example/anna/book".into(),
                to: "https://dav.example/anna/book/".into(),
            },
            SourceError::TokenRefused { status: 401 },
            SourceError::LacksName {
                pointer: "/result/0/NAME".into(),
            },
        ]);
    }
}
