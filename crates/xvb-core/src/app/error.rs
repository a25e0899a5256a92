//! The errors the UI shows: a typed code, a plain message, and the settings
//! field at fault.

use super::messages::WavNotSaved;
use crate::audio::export::ExportError;
use crate::audio::fetch::RecordingError;
use crate::audio::g722::G722Error;
use crate::pbx::dialer::DialError;
use crate::secret::TokenError;
use crate::words::{Language, Worded};
use crate::CoreError;
use serde::Serialize;

/// What kind of failure a [`UiError`] is; the UI picks its wording and hints by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A setting is missing or invalid.
    Config,
    /// The listener could not start.
    Listen,
    /// The database failed.
    Store,
    /// A number cannot be dialled.
    Number,
    /// The PBX (or the relay) did not place the call.
    Dial,
    /// A secret could not be stored or read in the keyring.
    Token,
    /// A recording could not be fetched, decoded or saved.
    Recording,
    /// The join code or the relay failed.
    Relay,
    /// The tunnel settings could not be applied.
    Tunnel,
    /// *Send a test call* did not arrive.
    TestCall,
    /// The desktop could not do it (start with the system, open a folder).
    Desktop,
    /// A note was refused (empty, too long, a tag not on the team's list).
    Note,
    /// The history or the contact book could not be exported.
    Export,
    /// A contact or a contacts file was refused.
    Contact,
    /// A contact source's settings were refused.
    Source,
}

/// An error the UI shows: a stable code, a plain message, and the settings key it is about.
/// It is made from a [`Worded`] message and carries its Russian, which
/// [`UiError::in_language`] puts in place before it crosses to the UI.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{message}")]
pub struct UiError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// What happened and what to do: in English, or in the agent's language
    /// after [`UiError::in_language`].
    pub message: String,
    /// The settings field at fault, if any.
    pub field: Option<String>,
    /// The message in Russian.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    russian: String,
}

impl UiError {
    /// An error with `code` and a message, about no particular field.
    pub fn new(code: ErrorCode, message: &impl Worded) -> UiError {
        UiError::worded(code, message.to_string(), message.russian())
    }

    /// An error whose English is not the message's `Display` (the app's own
    /// wording, where the CLI's names a command).
    fn worded(code: ErrorCode, english: String, russian: String) -> UiError {
        UiError {
            code,
            message: english,
            field: None,
            russian,
        }
    }

    /// An error about the settings field `field`. Shown beside that field, it
    /// needs no config key: `pbx_url must be …` becomes `Must be …` (and the
    /// Russian `pbx_url: нужен …` becomes `Нужен …`).
    pub fn in_field(code: ErrorCode, field: &str, message: &impl Worded) -> UiError {
        UiError {
            field: Some(field.to_owned()),
            message: beside(field, message.to_string()),
            russian: beside(field, message.russian()),
            code,
        }
    }

    /// The error in `language`: its message in Russian, or as it is.
    pub fn in_language(self, language: Language) -> UiError {
        match language {
            Language::En => self,
            Language::Ru => UiError {
                message: self.russian.clone(),
                ..self
            },
        }
    }
}

/// `message` without the key `field` it starts with (`field …` or `field: …`), capitalised.
fn beside(field: &str, message: String) -> String {
    let rest = message
        .strip_prefix(field)
        .and_then(|m| m.strip_prefix(' ').or_else(|| m.strip_prefix(": ")));
    match rest {
        Some(rest) => {
            let mut chars = rest.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        }
        None => message,
    }
}

impl From<CoreError> for UiError {
    fn from(e: CoreError) -> Self {
        let code = match e {
            CoreError::Config(_) | CoreError::Setting(_) => ErrorCode::Config,
            CoreError::Listen { .. } => ErrorCode::Listen,
            CoreError::Note(_) => ErrorCode::Note,
            CoreError::Import(_) | CoreError::Contact(_) => ErrorCode::Contact,
            _ => ErrorCode::Store,
        };
        UiError::new(code, &e)
    }
}

impl From<DialError> for UiError {
    fn from(e: DialError) -> Self {
        let code = match e {
            DialError::Number(_) => ErrorCode::Number,
            DialError::Token(_) => ErrorCode::Token,
            DialError::NoExtension
            | DialError::BadExtension(_)
            | DialError::NoPbxUrl
            | DialError::BadPbxUrl(_)
            | DialError::InsecurePbxUrl(_) => ErrorCode::Config,
            _ => ErrorCode::Dial,
        };
        // What to fill in and where, not the CLI's command.
        let message = match &e {
            DialError::Token(token) => token.in_settings(),
            DialError::NoExtension => "enter your extension in Settings first".into(),
            DialError::NoPbxUrl => "enter the PBX address in Settings first: it is \"Адрес облачной АТС\" in the PBX's integration settings".into(),
            DialError::InsecurePbxUrl(host) => format!(
                "refused to send the PBX token over plain http:// to {host}: enter the PBX's https:// address in Settings"
            ),
            other => other.to_string(),
        };
        UiError::worded(code, message, e.russian())
    }
}

impl From<TokenError> for UiError {
    fn from(e: TokenError) -> Self {
        UiError::worded(ErrorCode::Token, e.in_settings(), e.russian())
    }
}

impl From<RecordingError> for UiError {
    fn from(e: RecordingError) -> Self {
        let code = match e {
            RecordingError::Login(_) => ErrorCode::Token,
            _ => ErrorCode::Recording,
        };
        UiError::new(code, &e)
    }
}

impl From<G722Error> for UiError {
    fn from(e: G722Error) -> Self {
        UiError::new(ErrorCode::Recording, &e)
    }
}

impl From<ExportError> for UiError {
    fn from(e: ExportError) -> Self {
        UiError::new(ErrorCode::Recording, &WavNotSaved(e))
    }
}

/// A background task of the app that panicked or was cancelled.
impl From<tokio::task::JoinError> for UiError {
    fn from(e: tokio::task::JoinError) -> Self {
        UiError::new(ErrorCode::Store, &e)
    }
}
