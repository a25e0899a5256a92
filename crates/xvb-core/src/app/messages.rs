//! The app's own messages, where no error of the engine says it: the dial
//! pad's notices, the test call, the player and saving recordings, the
//! listener's address, saving to Downloads, the team's queue outside relay mode. English is each one's
//! `Display`; their Russian is in [`crate::words`].

use crate::audio::export::ExportError;
use crate::pbx::phone::NumberError;
use crate::CoreError;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Why the dial pad got nothing to dial, or did not dial a link at once.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DialPadNotice {
    /// A link without a usable number.
    #[error("this link has no number to dial: {0}")]
    NoNumber(NumberError),
    /// Another link was dialled at once less than this many seconds ago.
    #[error("not dialled at once: another link was dialled less than {0} s ago; press Call to dial this one")]
    NotAtOnce(u64),
    /// The hotkey found no text.
    #[error("nothing is selected or copied; select a phone number and press the shortcut again")]
    NothingSelected,
    /// The hotkey found text without a number.
    #[error("no phone number in the selected text")]
    NoNumberSelected,
}

/// What *Send a test call* found.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TestCall {
    /// No account number to send.
    #[error("set the access code (the PBX account number) first")]
    NoAccount,
    /// The webhook URL cannot be sent to.
    #[error(transparent)]
    BadUrl(CoreError),
    /// Sending failed.
    #[error("the test call did not arrive: {0}")]
    NotArrived(CoreError),
    /// The listener answered, but not 200.
    #[error("the test call reached {url} but was refused: HTTP {status} {body}")]
    Refused {
        /// The webhook URL.
        url: String,
        /// The status answered.
        status: u16,
        /// The reply's body.
        body: String,
    },
    /// Every request was taken.
    #[error("the test call arrived at {0}")]
    Arrived(String),
}

/// Why a recording cannot be played.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PlayerTrouble {
    /// The call was pruned from history.
    #[error("this call is no longer in the history")]
    Gone,
    /// The loopback player did not start.
    #[error("cannot start the player: {0}")]
    Start(std::io::Error),
    /// The cached file cannot be read.
    #[error("cannot read the recording: {0}")]
    Read(std::io::Error),
}

/// What the agent should know about a recording being played.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RecordingNote {
    /// Its bits were reversed, and were put right.
    #[error("the file's bits were reversed; corrected")]
    BitReversed,
    /// Shorter than the call.
    #[error(
        "the recording lasts {lasts:.0} s but the call lasted {lasted} s; it may be cut short"
    )]
    CutShort {
        /// The recording's length, in seconds.
        lasts: f64,
        /// The call's, in seconds.
        lasted: u64,
    },
}

/// A recording not saved as WAV.
#[derive(Debug, thiserror::Error)]
#[error("cannot save the WAV: {0}")]
pub(crate) struct WavNotSaved(pub(crate) ExportError);

/// Why the listener cannot take its address.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ListenTrouble {
    /// Another program holds the address.
    #[error(
        "cannot listen on {addr}: {source}; another program uses this port — choose another port"
    )]
    Taken {
        /// The address wanted.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The old address, given up for a new one that failed, cannot be taken back.
    #[error("cannot listen on {addr} again: {source}; restart the app")]
    NotBack {
        /// The old address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The bound address cannot be read.
    #[error(transparent)]
    Address(std::io::Error),
}

/// A file for Downloads cannot be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}; pick a folder you can write to")]
pub(crate) struct CannotWrite {
    /// The file.
    pub(crate) path: PathBuf,
    /// The OS error.
    pub(crate) source: std::io::Error,
}

/// The team's missed calls asked for outside relay mode.
#[derive(Debug, thiserror::Error)]
#[error("the team's missed calls are kept by a team relay: join one in Settings")]
pub(crate) struct NoRelay;
