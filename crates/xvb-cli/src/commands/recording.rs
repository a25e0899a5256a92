//! `xvb recording fetch/export` (call recordings from the PBX's host, cached) and
//! `xvb decode-g722` (a raw G.722 file to WAV).

use super::current_thread_runtime;
use crate::error::CliError;
use crate::outside::out;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use xvb_core::audio::export::write_wav;
use xvb_core::audio::fetch::{Fetcher, BYTES_PER_SECOND};
use xvb_core::audio::g722::Bitrate;
use xvb_core::config::DataDir;
use xvb_core::store::Database;

/// `xvb recording` subcommands.
#[derive(Subcommand)]
pub(crate) enum RecordingCommand {
    /// Download a call's recording into the cache (resumes a partial one).
    Fetch {
        /// The call id (from `xvb history`).
        callid: String,
    },
    /// Fetch (or take from the cache) and write a call's recording as WAV.
    Export {
        /// The call id.
        callid: String,
        /// The WAV file to write.
        output: PathBuf,
    },
}

/// Runs `xvb recording fetch` or `xvb recording export`.
pub(crate) fn run(data: &DataDir, command: RecordingCommand) -> Result<(), CliError> {
    let callid = match &command {
        RecordingCommand::Fetch { callid } | RecordingCommand::Export { callid, .. } => callid,
    };
    let call = Database::open(&data.database_path())?
        .call(callid)?
        .ok_or_else(|| {
            CliError::Failed(format!(
                "no call `{callid}` in the history; see `xvb history`"
            ))
        })?;
    let config = data.load_config()?;
    let fetcher = Fetcher::from_config(&config, data)?;
    let fetched = current_thread_runtime()?.block_on(fetcher.fetch(&call))?;
    let origin = if fetched.cached {
        "from the cache"
    } else {
        "downloaded"
    };
    out!(
        "{} bytes {origin}: {}",
        fetched.bytes,
        fetched.path.display()
    );
    if fetched.size_matches_duration == Some(false) {
        out!(
            "note: {} bytes is about {} s of audio, but the call lasted {} s",
            fetched.bytes,
            fetched.bytes / BYTES_PER_SECOND,
            call.duration.unwrap_or(0)
        );
    }
    if let RecordingCommand::Export { output, .. } = command {
        decode_g722(&fetched.path, &output, 64)?;
    }
    Ok(())
}

/// Runs `xvb decode-g722`: decodes `input` (at `bits` kbit/s) into a 16 kHz WAV at `output`.
pub(crate) fn decode_g722(input: &Path, output: &Path, bits: u32) -> Result<(), CliError> {
    let bitrate = Bitrate::from_kbit(bits)
        .ok_or_else(|| CliError::Failed(format!("--bits must be 64, 56 or 48, got {bits}")))?;
    let exported = write_wav(input, bitrate, output)?;
    if exported.bit_reversed {
        out!("the file's bits were reversed; corrected");
    }
    out!(
        "decoded {} bytes into {:.1} s of 16 kHz audio: {}",
        exported.g722_bytes,
        exported.seconds,
        output.display()
    );
    Ok(())
}
