//! A note refused, in Russian (here or on the relay: its answer is recognised
//! by `relay`).

use super::Worded;
use crate::notes::{NoteRefused, MAX_KEY, MAX_NOTES_PER_CALL, MAX_TEXT};

impl Worded for NoteRefused {
    fn russian(&self) -> String {
        match self {
            NoteRefused::Empty => "заметка пустая: напишите что-нибудь или выберите тег".into(),
            NoteRefused::TooLong => {
                format!("заметка длиннее {MAX_TEXT} символов: сократите её")
            }
            NoteRefused::UnknownTag { tag, known } => format!(
                "«{tag}» — не тег команды ({known}): выберите один из них или попросите администратора добавить этот"
            ),
            NoteRefused::BadPosition => {
                "момент записи должен быть не меньше 0 секунд".into()
            }
            NoteRefused::NoCall(callid) => format!("звонка {callid} нет в истории"),
            NoteRefused::NoNote(id) => {
                format!("у этого звонка нет заметки {id}, которую можно изменить")
            }
            NoteRefused::NotYours { author } => format!(
                "изменить эту заметку может только {author}: напишите свою заметку"
            ),
            NoteRefused::TooManyNotes => format!(
                "у этого звонка уже {MAX_NOTES_PER_CALL} заметок — больше не помещается: измените одну из своих"
            ),
            NoteRefused::CallFull => "заметки этого звонка превысили бы 64 КиБ текста — больше не помещается: сократите эту заметку или измените одну из своих".into(),
            NoteRefused::BadKey => format!(
                "ключ заметки — от 8 до {MAX_KEY} букв, цифр, - или _; не указывайте его, чтобы получить новый"
            ),
            NoteRefused::ControlCharacter => "в заметке есть управляющий символ (например, escape-последовательность); сохраняются только переносы строк и табуляция — уберите его".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::tests::each_has_russian;

    #[test]
    fn every_refused_note_has_russian() {
        each_has_russian([
            NoteRefused::Empty,
            NoteRefused::TooLong,
            NoteRefused::UnknownTag {
                tag: "Sold".into(),
                known: "Sale, Complaint".into(),
            },
            NoteRefused::BadPosition,
            NoteRefused::NoCall("A1".into()),
            NoteRefused::NoNote("n1".into()),
            NoteRefused::NotYours {
                author: "101".into(),
            },
            NoteRefused::TooManyNotes,
            NoteRefused::CallFull,
            NoteRefused::BadKey,
            NoteRefused::ControlCharacter,
        ]);
    }
}
