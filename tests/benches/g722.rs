//! G.722 decode speed, ours vs ffmpeg's CLI on the same 10-minute file (`make bench`).

use std::path::Path;
use std::time::{Duration, Instant};
use xvb_core::audio::g722::{decode, Bitrate};
use xvb_e2e::audio::{ffmpeg_decode_g722, synth_g722};

const SECONDS: u32 = 600;

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let g722 = synth_g722(
        dir.path(),
        SECONDS,
        &["sine", "200-3400", "pinknoise", "vol", "0.5"],
    );
    let bytes = std::fs::read(&g722).unwrap();
    let ours = best_of(5, || {
        std::hint::black_box(decode(&bytes, Bitrate::Kbit64));
    });
    let ffmpeg = best_of(3, || ffmpeg_decode_g722(&g722, Path::new("/dev/null"), 8));
    let realtime = |d: Duration| f64::from(SECONDS) / d.as_secs_f64();
    println!(
        "# G.722 64 kbit/s, {SECONDS} s of audio ({} bytes), best of several runs",
        bytes.len()
    );
    println!(
        "xvb decoder (in process):  {:>7.1} ms  {:>7.0}x realtime",
        ours.as_secs_f64() * 1e3,
        realtime(ours)
    );
    println!(
        "ffmpeg CLI (whole process): {:>7.1} ms  {:>7.0}x realtime",
        ffmpeg.as_secs_f64() * 1e3,
        realtime(ffmpeg)
    );
}
