//! Recordings in Russian: fetching from the PBX, files that are not G.722,
//! playing and saving as WAV.

use super::{wrapped, Worded};
use crate::app::messages::{PlayerTrouble, RecordingNote, WavNotSaved};
use crate::audio::export::ExportError;
use crate::audio::fetch::{RecordingError, StatusHint};
use crate::audio::g722::G722Error;

impl Worded for RecordingError {
    fn russian(&self) -> String {
        match self {
            RecordingError::NoLink => "у этого звонка нет записи (АТС не прислала record_link)".into(),
            RecordingError::NoPbxUrl => "не указан адрес АТС: введите его в настройках, в поле «Адрес АТС» — записи скачиваются только с хоста АТС".into(),
            RecordingError::BadLink(link) => format!("ссылка на запись «{link}» — не адрес URL"),
            RecordingError::ForeignHost { host, pbx } => format!(
                "запись с {host} не скачана: записи скачиваются только с хоста АТС ({pbx})"
            ),
            RecordingError::Insecure => "запись не скачана по незащищённому http://: введите в настройках адрес АТС, начинающийся с https://".into(),
            RecordingError::TooLarge { size, max } => {
                format!("запись занимает {size} байт — больше предела в {max} байт")
            }
            RecordingError::Status { status, hint } => {
                format!("АТС ответила HTTP {status} на запрос записи{}", hint.russian())
            }
            RecordingError::Stalled(seconds) => format!(
                "скачивание остановилось (ничего не пришло за {seconds} с): попробуйте ещё раз — оно продолжится с того же места"
            ),
            RecordingError::Network(detail) => format!("не удаётся скачать запись: {detail}"),
            RecordingError::Login(token) => token.russian(),
            RecordingError::Io { path, source } => {
                format!("не удаётся сохранить запись в {}: {source}", path.display())
            }
        }
    }
}

impl Worded for StatusHint {
    fn russian(&self) -> String {
        match self {
            StatusHint::Login => "; введите в настройках логин для скачивания записей (и пароль к нему) или проверьте их",
            StatusHint::Redirect => "; АТС перенаправила запрос с хоста АТС на другой, а туда приложение не идёт",
            StatusHint::Gone => "; у АТС этой записи больше нет",
            StatusHint::Nothing => "",
        }
        .into()
    }
}

/// What a file served in place of a recording is, in Russian (the kinds
/// `g722::check` names).
fn file_kind(kind: &str) -> &str {
    match kind {
        "a web page (HTML); is a login needed to download it?" => {
            "веб-страницу (HTML); может быть, для скачивания нужен логин?"
        }
        "JSON, probably an error message from the PBX" => {
            "JSON — вероятно, сообщение АТС об ошибке"
        }
        "a WAV file" => "файл WAV",
        "an MP3 file" => "файл MP3",
        "an Ogg file" => "файл Ogg",
        other => other,
    }
}

impl Worded for G722Error {
    fn russian(&self) -> String {
        match self {
            G722Error::Empty => "запись пустая (0 байт): скачайте её ещё раз".into(),
            G722Error::NotG722(kind) => {
                format!("это не запись G.722: похоже на {}", file_kind(kind))
            }
        }
    }
}

impl Worded for ExportError {
    fn russian(&self) -> String {
        match self {
            ExportError::Read { path, source } => {
                format!("не удаётся прочитать {}: {source}", path.display())
            }
            ExportError::Decode { path, source } => {
                format!("{}: {}", path.display(), source.russian())
            }
            ExportError::Write { path, source } => {
                format!("не удаётся записать {}: {source}", path.display())
            }
        }
    }
}

impl Worded for WavNotSaved {
    fn russian(&self) -> String {
        wrapped("не удаётся сохранить WAV", &self.0)
    }
}

impl Worded for PlayerTrouble {
    fn russian(&self) -> String {
        match self {
            PlayerTrouble::Gone => "этого звонка больше нет в истории".into(),
            PlayerTrouble::Start(e) => format!("не удаётся запустить проигрыватель: {e}"),
            PlayerTrouble::Read(e) => format!("не удаётся прочитать запись: {e}"),
        }
    }
}

impl Worded for RecordingNote {
    fn russian(&self) -> String {
        match self {
            RecordingNote::BitReversed => {
                "биты в байтах файла шли в обратном порядке; исправлено".into()
            }
            RecordingNote::CutShort { lasts, lasted } => format!(
                "запись длится {lasts:.0} с, а звонок длился {lasted} с: возможно, она обрезана"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::g722::check;
    use crate::words::tests::each_has_russian;
    use crate::words::{Language, Worded};
    use std::io::{Error, ErrorKind};
    use std::path::PathBuf;

    #[test]
    fn every_recording_error_has_russian() {
        let status = |status| RecordingError::Status {
            status,
            hint: StatusHint::of_status(status),
        };
        each_has_russian([
            RecordingError::NoLink,
            RecordingError::NoPbxUrl,
            RecordingError::BadLink("x".into()),
            RecordingError::ForeignHost {
                host: "evil.example".into(),
                pbx: "pbx.example".into(),
            },
            RecordingError::Insecure,
            RecordingError::TooLarge { size: 9, max: 8 },
            status(302),
            status(403),
            status(404),
            status(500),
            RecordingError::Stalled(15),
            RecordingError::Network("reset".into()),
            RecordingError::Login(crate::secret::TokenError::NoAccount),
            RecordingError::Io {
                path: PathBuf::from("/tmp/x.g722"),
                source: Error::from(ErrorKind::PermissionDenied),
            },
        ]);
    }

    #[test]
    fn every_file_served_instead_of_a_recording_is_named_in_russian() {
        for served in [
            &b"<!DOCTYPE html><html>login</html>"[..],
            br#"{"error":"forbidden"}"#,
            b"RIFF\x24\x00\x00\x00WAVEfmt ",
            b"ID3\x03\x00\x00\x00",
            b"OggS\x00\x02\x00\x00",
        ] {
            let refused = check(served).unwrap_err();
            let G722Error::NotG722(kind) = &refused else {
                panic!("{refused}")
            };
            assert_ne!(file_kind(kind), *kind, "{kind} has no Russian");
            each_has_russian([refused]);
        }
        each_has_russian([G722Error::Empty]);
    }

    #[test]
    fn saving_and_playing_have_russian() {
        let path = || PathBuf::from("/tmp/x.wav");
        let denied = || Error::from(ErrorKind::PermissionDenied);
        each_has_russian([
            WavNotSaved(ExportError::Read {
                path: path(),
                source: denied(),
            }),
            WavNotSaved(ExportError::Decode {
                path: path(),
                source: G722Error::Empty,
            }),
            WavNotSaved(ExportError::Write {
                path: path(),
                source: denied(),
            }),
        ]);
        each_has_russian([
            PlayerTrouble::Gone,
            PlayerTrouble::Start(denied()),
            PlayerTrouble::Read(denied()),
        ]);
        let short = RecordingNote::CutShort {
            lasts: 12.4,
            lasted: 60,
        };
        assert_eq!(
            short.in_language(Language::Ru),
            "запись длится 12 с, а звонок длился 60 с: возможно, она обрезана"
        );
        each_has_russian([RecordingNote::BitReversed, short]);
    }
}
