//! The team relay in Russian: join codes, the link, claims of missed callers,
//! and what the relay answers. Its answers cross the wire as English text
//! (the relay cannot know the agent's language), so [`RelaySaid`] recognises a
//! text by its shape among the relay's typed messages — each built from its
//! parts and compared whole — and words it in Russian; a text it does not
//! know (a newer relay's, the PBX's) is quoted.

use super::Worded;
use crate::app::messages::NoRelay;
use crate::notes::NoteRefused;
use crate::reach::relay::{ClaimAnswer, RelayError, ReportRefused, TooMany};
use crate::reach::tunnel::TunnelClosed;
use crate::team::ClaimRefused;
use std::fmt;

impl Worded for RelayError {
    fn russian(&self) -> String {
        match self {
            RelayError::BadJoinCode => "это не строка подключения (она выглядит как https://relay.example:8443#…): вставьте всю строку, которую дал администратор".into(),
            RelayError::Insecure => "строка подключения ведёт по простому http:// на другой компьютер, а к ретранслятору подключаются по https:// (простой http — только на этом компьютере)".into(),
            RelayError::Refused => "ретранслятор не принимает эту строку подключения (отозвана или введена с ошибкой): попросите у администратора новую".into(),
            RelayError::Connection(why) => format!("не удаётся связаться с ретранслятором: {why}"),
            RelayError::NotConnected => "сейчас нет связи с ретранслятором; связь восстановится сама — попробуйте ещё раз чуть позже".into(),
            RelayError::Dial(said) => RelaySaid(said.clone()).russian(),
            RelayError::NotBackYet => "ретранслятор сохранил заметку, но ещё не прислал её обратно; она появится, когда связь догонит".into(),
            RelayError::Core(e) => e.russian(),
        }
    }
}

impl Worded for ClaimRefused {
    fn russian(&self) -> String {
        match self {
            ClaimRefused::NotWaiting(phone) => format!(
                "пропущенного звонка с {phone} в очереди нет (клиенту уже дозвонились, или звонок не был пропущен)"
            ),
            ClaimRefused::Taken { phone, by } => format!(
                "{phone} уже перезванивает {by}: спросите у него или подождите, пока он откажется"
            ),
            ClaimRefused::NotYours(phone) => {
                format!("вы не брали {phone}: отказаться может только тот, кто перезванивает")
            }
        }
    }
}

impl Worded for ClaimAnswer {
    fn russian(&self) -> String {
        match self {
            ClaimAnswer::Claimed(phone) => format!("вы перезваниваете {phone}; команда это видит"),
            ClaimAnswer::Released(phone) => format!("{phone} снова в очереди команды"),
            ClaimAnswer::Changed(phone) => {
                format!("очередь изменилась, пока вы брали {phone}: попробуйте ещё раз")
            }
            ClaimAnswer::StoreFailed(why) => {
                format!("хранилище ретранслятора не сработало ({why}): попробуйте ещё раз")
            }
            ClaimAnswer::Reassigned { phone, to } => {
                format!("теперь {phone} перезванивает {to}; команда это видит")
            }
            ClaimAnswer::NotSupervisor => {
                "передать перезвон другому агенту может только супервизор: обратитесь к нему".into()
            }
            ClaimAnswer::NotAnAgent(ext) => {
                format!("номер {ext} не агент этого ретранслятора: см. `xvb board`")
            }
            ClaimAnswer::NotTheirs { phone, to } => {
                format!("{to} не состоит в группе, которая видит {phone}: сначала добавьте его в эту группу")
            }
        }
    }
}

impl Worded for ReportRefused {
    fn russian(&self) -> String {
        match self {
            ReportRefused::NotSupervisor => {
                "отчёты по команде видят только супервизоры; ваши цифры — в «Мои звонки»".into()
            }
            ReportRefused::NoGroup(group) => {
                format!("в этом ретрансляторе нет группы «{group}»: см. `xvb relay group list`")
            }
        }
    }
}

impl Worded for TooMany {
    fn russian(&self) -> String {
        format!("слишком много запросов: подождите {} с", self.0)
    }
}

impl Worded for NoRelay {
    fn russian(&self) -> String {
        "пропущенные звонки команды хранит командный ретранслятор: подключитесь к нему в настройках"
            .into()
    }
}

impl Worded for TunnelClosed {
    fn russian(&self) -> String {
        match self {
            TunnelClosed::ByServer => "сервер bore закрыл туннель".into(),
            TunnelClosed::NotOpened { server, detail } => {
                format!("не удаётся открыть туннель на {server}: {detail}")
            }
        }
    }
}

/// A text the relay answered (or the link said of it): its `Display` is the
/// text; its Russian is the recognised message's, else the text quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelaySaid(pub String);

impl fmt::Display for RelaySaid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Worded for RelaySaid {
    fn russian(&self) -> String {
        recognised(&self.0).unwrap_or_else(|| format!("ответ ретранслятора: {}", self.0))
    }
}

/// Texts the link words as it goes (they have no type to build), in Russian.
const LINK_TEXTS: &[(&str, &str)] = &[
    (
        "the relay did not answer in time; check the call history before trying again",
        "ретранслятор не ответил вовремя: проверьте историю звонков, прежде чем пробовать снова",
    ),
    (
        "the relay is older than this app and cannot keep notes; ask your admin to update it",
        "ретранслятор старше этого приложения и не умеет хранить заметки: попросите администратора обновить его",
    ),
    ("the relay closed the connection", "ретранслятор закрыл соединение"),
];

/// How a message that travels as text is built from its parts (`None` when a
/// part does not fit, such as a number).
type Build = fn(&[String]) -> Option<Box<dyn Worded>>;

/// The messages with parts (how many, how each is built), recognised by shape.
const SHAPES: &[(usize, Build)] = &[
    (1, |p| {
        Some(Box::new(ClaimRefused::NotWaiting(p[0].clone())))
    }),
    (2, |p| {
        Some(Box::new(ClaimRefused::Taken {
            phone: p[0].clone(),
            by: p[1].clone(),
        }))
    }),
    (1, |p| Some(Box::new(ClaimRefused::NotYours(p[0].clone())))),
    (1, |p| Some(Box::new(ClaimAnswer::Claimed(p[0].clone())))),
    (1, |p| Some(Box::new(ClaimAnswer::Released(p[0].clone())))),
    (1, |p| Some(Box::new(ClaimAnswer::Changed(p[0].clone())))),
    (1, |p| {
        Some(Box::new(ClaimAnswer::StoreFailed(p[0].clone())))
    }),
    (2, |p| {
        Some(Box::new(ClaimAnswer::Reassigned {
            to: p[0].clone(),
            phone: p[1].clone(),
        }))
    }),
    (1, |p| Some(Box::new(ClaimAnswer::NotAnAgent(p[0].clone())))),
    (1, |p| Some(Box::new(ReportRefused::NoGroup(p[0].clone())))),
    (2, |p| {
        Some(Box::new(ClaimAnswer::NotTheirs {
            to: p[0].clone(),
            phone: p[1].clone(),
        }))
    }),
    (1, |p| Some(Box::new(TooMany(p[0].parse().ok()?)))),
    (2, |p| {
        Some(Box::new(NoteRefused::UnknownTag {
            tag: p[0].clone(),
            known: p[1].clone(),
        }))
    }),
    (1, |p| Some(Box::new(NoteRefused::NoCall(p[0].clone())))),
    (1, |p| Some(Box::new(NoteRefused::NoNote(p[0].clone())))),
    (1, |p| {
        Some(Box::new(NoteRefused::NotYours {
            author: p[0].clone(),
        }))
    }),
    (1, |p| Some(Box::new(RelayError::Connection(p[0].clone())))),
    (2, |p| {
        Some(Box::new(TunnelClosed::NotOpened {
            server: p[0].clone(),
            detail: p[1].clone(),
        }))
    }),
];

/// The messages without parts, recognised whole.
fn whole() -> [Box<dyn Worded>; 15] {
    [
        Box::new(ClaimAnswer::NotSupervisor),
        Box::new(ReportRefused::NotSupervisor),
        Box::new(NoteRefused::Empty),
        Box::new(NoteRefused::TooLong),
        Box::new(NoteRefused::BadPosition),
        Box::new(NoteRefused::TooManyNotes),
        Box::new(NoteRefused::CallFull),
        Box::new(NoteRefused::BadKey),
        Box::new(NoteRefused::ControlCharacter),
        Box::new(RelayError::BadJoinCode),
        Box::new(RelayError::Insecure),
        Box::new(RelayError::Refused),
        Box::new(RelayError::NotConnected),
        Box::new(RelayError::NotBackYet),
        Box::new(TunnelClosed::ByServer),
    ]
}

/// The Russian of `text` when it is one of the core's messages carried as
/// text ([`LINK_TEXTS`], [`whole`], [`SHAPES`]).
pub(super) fn recognised(text: &str) -> Option<String> {
    if let Some((_, russian)) = LINK_TEXTS.iter().find(|(english, _)| *english == text) {
        return Some((*russian).to_owned());
    }
    if let Some(message) = whole().into_iter().find(|m| m.to_string() == text) {
        return Some(message.russian());
    }
    SHAPES.iter().find_map(|(parts, build)| {
        // Stand-ins for the parts: digits, so that a number part takes them too.
        let marks: Vec<String> = (0..*parts)
            .map(|i| (908_172_635_400 + i).to_string())
            .collect();
        let template = build(&marks)?.to_string();
        let message = build(&parts_of(&template, &marks, text)?)?;
        (message.to_string() == text).then(|| message.russian())
    })
}

/// What `text` has where `template` has each of `marks`, if it has the template's shape.
fn parts_of(template: &str, marks: &[String], text: &str) -> Option<Vec<String>> {
    let mut found: Vec<(usize, usize)> = marks
        .iter()
        .enumerate()
        .map(|(i, mark)| template.find(mark.as_str()).map(|at| (at, i)))
        .collect::<Option<_>>()?;
    found.sort_unstable();
    let mut parts = vec![String::new(); marks.len()];
    let (mut rest, mut after) = (text, 0);
    for (k, &(at, i)) in found.iter().enumerate() {
        rest = rest.strip_prefix(&template[after..at])?;
        after = at + marks[i].len();
        let part = match found.get(k + 1) {
            Some(&(next, _)) if next > after => &rest[..rest.find(&template[after..next])?],
            Some(_) => return None,
            None => rest.strip_suffix(&template[after..])?,
        };
        parts[i] = part.to_owned();
        rest = &rest[part.len()..];
    }
    (rest == &template[after..]).then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::tests::each_has_russian;

    #[test]
    fn every_relay_message_has_russian() {
        each_has_russian([
            RelayError::BadJoinCode,
            RelayError::Insecure,
            RelayError::Refused,
            RelayError::Connection("connection refused".into()),
            RelayError::NotConnected,
            RelayError::Dial("too many requests, wait 2 s".into()),
            RelayError::NotBackYet,
            RelayError::Core(crate::CoreError::WriterGone),
        ]);
        each_has_russian([
            ClaimRefused::NotWaiting("79201119613".into()),
            ClaimRefused::Taken {
                phone: "+7 920 111-96-13".into(),
                by: "101".into(),
            },
            ClaimRefused::NotYours("79201119613".into()),
        ]);
        each_has_russian([
            ClaimAnswer::Claimed("79201119613".into()),
            ClaimAnswer::Released("79201119613".into()),
            ClaimAnswer::Changed("79201119613".into()),
            ClaimAnswer::StoreFailed("database is locked".into()),
            ClaimAnswer::Reassigned {
                phone: "79201119613".into(),
                to: "101".into(),
            },
            ClaimAnswer::NotSupervisor,
            ClaimAnswer::NotAnAgent("999".into()),
            ClaimAnswer::NotTheirs {
                phone: "79201119613".into(),
                to: "102".into(),
            },
        ]);
        each_has_russian([
            ReportRefused::NotSupervisor,
            ReportRefused::NoGroup("sales".into()),
        ]);
        each_has_russian([TooMany(3)]);
        each_has_russian([NoRelay]);
        each_has_russian([
            TunnelClosed::ByServer,
            TunnelClosed::NotOpened {
                server: "bore.example".into(),
                detail: "connection refused".into(),
            },
        ]);
    }

    #[test]
    fn what_the_relay_answers_is_recognised_by_its_shape() {
        let answers: Vec<Box<dyn Worded>> = vec![
            Box::new(ClaimRefused::Taken {
                phone: "+7 920 111-96-13".into(),
                by: "101".into(),
            }),
            Box::new(ClaimAnswer::Claimed("+7 (920) 111-96-13; ext".into())),
            Box::new(ClaimAnswer::Reassigned {
                phone: "+7 920 111-96-13".into(),
                to: "101".into(),
            }),
            Box::new(ClaimAnswer::NotSupervisor),
            Box::new(ClaimAnswer::NotTheirs {
                phone: "79201119613".into(),
                to: "102".into(),
            }),
            Box::new(TooMany(2)),
            Box::new(NoteRefused::UnknownTag {
                tag: "Sold".into(),
                known: "Sale, Complaint".into(),
            }),
            Box::new(NoteRefused::CallFull),
            Box::new(RelayError::Connection("HTTP error: 502 Bad Gateway".into())),
            Box::new(TunnelClosed::NotOpened {
                server: "bore.example".into(),
                detail: "could not connect to bore.example:7835".into(),
            }),
        ];
        for answer in answers {
            let relayed = RelaySaid(answer.to_string());
            assert_eq!(relayed.russian(), answer.russian(), "{relayed}");
        }
        for (english, russian) in LINK_TEXTS {
            assert_eq!(RelaySaid((*english).into()).russian(), *russian);
        }
    }

    #[test]
    fn a_text_the_relay_has_no_type_for_is_quoted() {
        let pbx = RelaySaid("the PBX refused the call: HTTP 403: bad token".into());
        assert_eq!(
            pbx.russian(),
            "ответ ретранслятора: the PBX refused the call: HTTP 403: bad token"
        );
        assert_eq!(pbx.to_string(), pbx.0);
        let not_a_number = RelaySaid("too many requests, wait soon s".into());
        assert!(not_a_number.russian().starts_with("ответ ретранслятора"));
        let longer = RelaySaid("the note is empty; write something or pick a tag!".into());
        assert!(longer.russian().starts_with("ответ ретранслятора"));
    }
}
