//! A recording saved as a 16 kHz mono WAV file: `xvb recording export`,
//! `xvb decode-g722` and the app's *⤓ WAV* all write through here.

use super::g722::{self, Bitrate, G722Error};
use crate::pbx::call::Call;
use std::path::{Path, PathBuf};

/// Why a WAV file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The recording could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The recording.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// It is not G.722 the decoder can read.
    #[error("{path}: {source}")]
    Decode {
        /// The recording.
        path: PathBuf,
        /// What is wrong with it.
        source: G722Error,
    },
    /// The WAV file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The WAV file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// A WAV file written.
#[derive(Debug, Clone)]
pub struct Exported {
    /// Where.
    pub path: PathBuf,
    /// The size of the G.722 recording read.
    pub g722_bytes: usize,
    /// Its length in seconds.
    pub seconds: f64,
    /// The recording's bits were reversed (and were put right).
    pub bit_reversed: bool,
}

/// Decodes the raw G.722 file `input` (at `bitrate`) into the WAV file `output`
/// (readable by this user only).
pub fn write_wav(input: &Path, bitrate: Bitrate, output: &Path) -> Result<Exported, ExportError> {
    let bytes = std::fs::read(input).map_err(|source| ExportError::Read {
        path: input.to_path_buf(),
        source,
    })?;
    let decoded =
        g722::decode_recording(&bytes, bitrate).map_err(|source| ExportError::Decode {
            path: input.to_path_buf(),
            source,
        })?;
    let wav = g722::wav(&decoded.samples);
    crate::private::create_file(output)
        .and_then(|mut file| std::io::Write::write_all(&mut file, &wav))
        .map_err(|source| ExportError::Write {
            path: output.to_path_buf(),
            source,
        })?;
    Ok(Exported {
        path: output.to_path_buf(),
        g722_bytes: bytes.len(),
        seconds: decoded.samples.len() as f64 / f64::from(g722::SAMPLE_RATE),
        bit_reversed: decoded.bit_reversed,
    })
}

/// Saves a call's recording (the cached file `recording`) into the user's
/// Downloads folder as `call-<date>-<number>.wav`, never overwriting a file.
pub fn to_downloads(call: &Call, recording: &Path) -> Result<Exported, ExportError> {
    let folder = downloads_dir();
    std::fs::create_dir_all(&folder).map_err(|source| ExportError::Write {
        path: folder.clone(),
        source,
    })?;
    write_wav(
        recording,
        Bitrate::Kbit64,
        &unused_path(&folder, &wav_name(call)),
    )
}

/// The user's Downloads folder (XDG), else the home folder.
pub(crate) fn downloads_dir() -> PathBuf {
    directories::UserDirs::new()
        .map(|dirs| {
            dirs.download_dir()
                .unwrap_or_else(|| dirs.home_dir())
                .to_path_buf()
        })
        .unwrap_or_else(std::env::temp_dir)
}

/// `call-2026-11-23-1405-79201119613.wav`: when and with whom.
fn wav_name(call: &Call) -> String {
    let when = call
        .first_seen
        .format(time::macros::format_description!(
            "[year]-[month]-[day]-[hour][minute]"
        ))
        .unwrap_or_default();
    let who: String = call
        .phone
        .as_deref()
        .unwrap_or("unknown")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("call-{when}-{who}.wav")
}

/// `name` in `folder`, or `name (2)`, `(3)`… if taken: saving never overwrites.
pub(crate) fn unused_path(folder: &Path, name: &str) -> PathBuf {
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, "wav"));
    std::iter::once(folder.join(name))
        .chain((2..).map(|n| folder.join(format!("{stem} ({n}).{extension}"))))
        .find(|path| !path.exists())
        .expect("an unused name exists")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_a_recording_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let first = unused_path(dir.path(), "call-2026-11-23-1405-79201119613.wav");
        assert_eq!(
            first,
            dir.path().join("call-2026-11-23-1405-79201119613.wav")
        );
        std::fs::write(&first, b"x").unwrap();
        let second = unused_path(dir.path(), "call-2026-11-23-1405-79201119613.wav");
        assert_eq!(
            second,
            dir.path().join("call-2026-11-23-1405-79201119613 (2).wav")
        );
    }
}
