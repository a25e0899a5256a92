//! `CliError`: what can stop a command (printed as `xvb: …`, exit code 1).

use std::net::SocketAddr;
use std::path::PathBuf;
use xvb_core::audio::export::ExportError;
use xvb_core::audio::fetch::RecordingError;
use xvb_core::pbx::dialer::DialError;
use xvb_core::secret::TokenError;
use xvb_core::CoreError;

/// What can stop a command.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// From the engine.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A file given on the command line.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Cannot bind the listen address.
    #[error("cannot listen on {addr}: {source}; is another xvb already running there? change it with `xvb config set listen IP:PORT`")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// Dialing failed.
    #[error(transparent)]
    Dial(#[from] DialError),
    /// A recording could not be fetched.
    #[error(transparent)]
    Recording(#[from] RecordingError),
    /// A recording could not be written as WAV.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The token could not be stored or read.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A command that found something wrong and said so.
    #[error("{0}")]
    Failed(String),
}
