//! Why the listener refused a request, in Russian: what Settings and the
//! refusal's pop say (the PBX itself is answered in English). A parser's
//! detail (which character, which limit) is quoted as it is.

use super::Worded;
use crate::listener::checks::HookError;
use crate::pbx::protocol::ProtocolError;

impl Worded for HookError {
    fn russian(&self) -> String {
        match self {
            HookError::NotFound => "неизвестный адрес".into(),
            HookError::Method => "нужен метод POST".into(),
            HookError::MediaType => {
                "нужно тело application/x-www-form-urlencoded или application/json".into()
            }
            HookError::Encoding(encoding) => format!(
                "тело отправлено с Content-Encoding «{encoding}», а здесь оно не распаковывается: отправляйте без сжатия"
            ),
            HookError::HeadersTooLarge => "заголовки запроса больше 16 КиБ".into(),
            HookError::TooLarge => "тело запроса больше 64 КиБ".into(),
            HookError::Protocol(e) => e.russian(),
            HookError::Unreadable(why) => format!("не удалось прочитать тело запроса: {why}"),
            HookError::CodesDiffer => {
                "access_code в теле и в заголовке X-XVB-AC различаются".into()
            }
            HookError::Forbidden { .. } => "access_code не совпадает с аккаунтом этого приложения: проверьте номер аккаунта в его настройках".into(),
            HookError::Unavailable(why) => format!(
                "не удалось сохранить событие ({why}): ничего не записано, отправьте его ещё раз"
            ),
        }
    }
}

impl Worded for ProtocolError {
    fn russian(&self) -> String {
        match self {
            ProtocolError::BadForm(why) => {
                format!("тело — не правильный application/x-www-form-urlencoded: {why}")
            }
            ProtocolError::BadJson(why) => {
                format!("тело — не объект JSON из строк и чисел: {why}")
            }
            ProtocolError::Limit(why) => {
                format!("запрос выходит за пределы, которых настоящая АТС не достигает: {why}")
            }
            ProtocolError::Missing(field) => format!("нет поля `{field}`"),
            ProtocolError::Invalid { field, reason } => {
                format!("недопустимое значение поля `{field}`: {reason}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::tests::each_has_russian;

    #[test]
    fn every_refusal_the_agent_is_told_of_has_russian() {
        each_has_russian([
            HookError::Method,
            HookError::MediaType,
            HookError::Encoding("gzip".into()),
            HookError::HeadersTooLarge,
            HookError::TooLarge,
            HookError::Unreadable("connection reset".into()),
            HookError::CodesDiffer,
            HookError::Forbidden {
                sent: "10018".into(),
            },
            HookError::Unavailable("disk full".into()),
            HookError::Protocol(ProtocolError::BadForm(
                "a `%` not followed by two hex digits".into(),
            )),
            HookError::Protocol(ProtocolError::BadJson("expected value".into())),
            HookError::Protocol(ProtocolError::Limit("more than 100 fields".into())),
            HookError::Protocol(ProtocolError::Missing("callid")),
            HookError::Protocol(ProtocolError::Invalid {
                field: "type",
                reason: "expected `in` or `out`, got `up`".into(),
            }),
        ]);
    }
}
