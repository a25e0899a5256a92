//! Everything that can go wrong in the engine, each with what to do about it.

use std::path::{Path, PathBuf};

/// Everything that can go wrong in the engine, each with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A setting is missing or invalid.
    #[error("{0}")]
    Config(String),
    /// A value a setting does not take.
    #[error(transparent)]
    Setting(#[from] crate::config::SettingRefused),
    /// A file or directory could not be used.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The database file could not be opened or read.
    #[error("cannot use the database {path}: {source}; check that its folder is writable and the disk not full; if the file is damaged, move it aside (xvb then starts an empty one) or restore it from a backup")]
    Database {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// SQLite refused.
    #[error("database error: {0}; if it persists, check the disk and the data dir's permissions")]
    Db(#[from] rusqlite::Error),
    /// Stored data could not be read back.
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// A contact file could not be imported at all.
    #[error(transparent)]
    Import(#[from] crate::contacts::FileRefused),
    /// A contact is not valid.
    #[error(transparent)]
    Contact(#[from] crate::contacts::InvalidContact),
    /// The relay's PostgreSQL database failed.
    #[error("the relay's PostgreSQL database failed: {0}; check relay_database and that the server is up and takes writes")]
    Postgres(String),
    /// The writer thread ended.
    #[error("the store's writer has stopped; restart xvb")]
    WriterGone,
    /// The batch holding an event failed to commit.
    #[error("the database did not commit; check free disk space")]
    StoreFailed,
    /// The listener failed.
    #[error("the listener on {addr} failed: {source}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// A note was refused (what to change is in the message).
    #[error(transparent)]
    Note(#[from] crate::notes::NoteRefused),
    /// The simulator could not reach or understand the listener.
    #[error(transparent)]
    Sim(#[from] crate::pbx::sim::SimError),
    /// A change to the relay's groups was refused (nothing was changed).
    #[error(transparent)]
    Group(#[from] crate::groups::GroupError),
    /// A status change was refused.
    #[error(transparent)]
    Status(#[from] crate::team::StatusRefused),
}

impl CoreError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        CoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn corrupt(e: serde_json::Error) -> Self {
        CoreError::Corrupt(e.to_string())
    }
}
