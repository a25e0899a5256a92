//! Recordings as the PBX stores them (raw 64 kbit/s G.722), made and decoded
//! by ffmpeg and sox from Debian's packages: test material, and ffmpeg's
//! decoder as the oracle `xvb decode-g722` is checked against.

use crate::process::run_tool;
use std::path::{Path, PathBuf};

/// ffmpeg's G.722 encoder: `wav` to raw 64 kbit/s G.722 at `g722`.
pub fn ffmpeg_encode_g722(wav: &Path, g722: &Path) {
    let (wav, g722) = (wav.to_str().unwrap(), g722.to_str().unwrap());
    run_tool(
        "ffmpeg",
        &[
            "-loglevel",
            "error",
            "-y",
            "-i",
            wav,
            "-ar",
            "16000",
            "-ac",
            "1",
            "-c:a",
            "g722",
            "-f",
            "g722",
            g722,
        ],
    );
}

/// `seconds` of the signal sox synthesises from `synth` (e.g. `["sine", "300-3000"]`),
/// encoded by ffmpeg as the PBX stores recordings (raw 64 kbit/s G.722): the file's path in `dir`.
pub fn synth_g722(dir: &Path, seconds: u32, synth: &[&str]) -> PathBuf {
    let wav = dir.join("synth.wav");
    let g722 = dir.join("synth.g722");
    let length = seconds.to_string();
    let mut args = vec![
        "-n",
        "-r",
        "16000",
        "-c",
        "1",
        wav.to_str().unwrap(),
        "synth",
        &length,
    ];
    args.extend_from_slice(synth);
    run_tool("sox", &args);
    ffmpeg_encode_g722(&wav, &g722);
    g722
}

/// ffmpeg's G.722 decoder (the test oracle): raw `g722` to raw s16le at `out`,
/// the stream taken as `bits_per_codeword` 8, 7 or 6 (64, 56, 48 kbit/s).
pub fn ffmpeg_decode_g722(g722: &Path, out: &Path, bits_per_codeword: u8) {
    let (g722, out) = (g722.to_str().unwrap(), out.to_str().unwrap());
    run_tool(
        "ffmpeg",
        &[
            "-loglevel",
            "error",
            "-y",
            "-bits_per_codeword",
            &bits_per_codeword.to_string(),
            "-f",
            "g722",
            "-i",
            g722,
            "-f",
            "s16le",
            out,
        ],
    );
}
