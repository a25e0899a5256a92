//! `xvb decode-g722` against ffmpeg's decoder (the oracle, from Debian's packages),
//! sample for sample, on speech and a sweep made at test time with espeak-ng and sox,
//! at 64, 56 and 48 kbit/s (ffmpeg's `-bits_per_codeword 8|7|6`).

use std::path::{Path, PathBuf};
use xvb_e2e::agent::Agent;
use xvb_e2e::audio::{ffmpeg_decode_g722, ffmpeg_encode_g722};
use xvb_e2e::process::run_tool as run;

/// Makes `name.g722` (64 kbit/s, by ffmpeg) and ffmpeg's own decode of it as raw s16le.
fn encoded(dir: &Path, name: &str, make_wav: impl Fn(&str)) -> (PathBuf, Vec<u8>) {
    let wav = dir.join(format!("{name}.wav")).display().to_string();
    make_wav(&wav);
    let g722 = dir.join(format!("{name}.g722"));
    let reference = dir.join(format!("{name}.ref.raw"));
    ffmpeg_encode_g722(Path::new(&wav), &g722);
    ffmpeg_decode_g722(&g722, &reference, 8);
    (g722, std::fs::read(reference).unwrap())
}

fn ours(agent: &Agent, input: &Path, extra: &[&str]) -> (Vec<u8>, String) {
    let output = input.with_extension("ours.wav");
    let mut args = vec![
        "decode-g722",
        input.to_str().unwrap(),
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let said = agent.ok(&args);
    let wav = std::fs::read(&output).unwrap();
    assert_eq!(&wav[..4], b"RIFF");
    (wav[44..].to_vec(), said)
}

fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.chunks(2).zip(b.chunks(2)).position(|(x, y)| x != y)
}

#[test]
fn decodes_exactly_like_ffmpeg_and_handles_odd_files() {
    let agent = Agent::new("100");
    let dir = agent.dir.path();
    let (speech, speech_ref) = encoded(dir, "speech", |wav| {
        let raw = format!("{wav}.espeak.wav");
        run(
            "espeak-ng",
            &[
                "-w",
                &raw,
                "Hello, this is a recorded call. Один, два, три, четыре.",
            ],
        );
        run("sox", &[&raw, "-r", "16000", "-c", "1", wav]);
    });
    let (sweep, sweep_ref) = encoded(dir, "sweep", |wav| {
        run(
            "sox",
            &[
                "-n", "-r", "16000", "-c", "1", wav, "synth", "4", "sine", "40-7900", "vol", "0.9",
            ],
        );
    });
    for (file, reference) in [(&speech, &speech_ref), (&sweep, &sweep_ref)] {
        let (decoded, _) = ours(&agent, file, &[]);
        assert_eq!(decoded.len(), reference.len(), "{}", file.display());
        assert_eq!(
            first_difference(&decoded, reference),
            None,
            "{} differs from ffmpeg at that sample",
            file.display()
        );
    }

    // A bit-reversed file is detected and corrected.
    let reversed = dir.join("reversed.g722");
    std::fs::write(
        &reversed,
        std::fs::read(&speech)
            .unwrap()
            .iter()
            .map(|b| b.reverse_bits())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let (decoded, said) = ours(&agent, &reversed, &[]);
    assert!(said.contains("bits were reversed"), "{said}");
    assert_eq!(first_difference(&decoded, &speech_ref), None);

    // A truncated file decodes to the start of the whole one.
    let truncated = dir.join("truncated.g722");
    std::fs::write(&truncated, &std::fs::read(&speech).unwrap()[..12_345]).unwrap();
    let (decoded, _) = ours(&agent, &truncated, &[]);
    assert_eq!(decoded.len(), 12_345 * 4);
    assert_eq!(
        first_difference(&decoded, &speech_ref[..decoded.len()]),
        None
    );

    // 56 and 48 kbit/s: equal to ffmpeg's decode with 7 and 6 bits per codeword,
    // and different from the 64 kbit/s decode.
    for (bits, codeword) in [("56", 7), ("48", 6)] {
        let reference = dir.join(format!("speech.{bits}.ref.raw"));
        ffmpeg_decode_g722(&speech, &reference, codeword);
        let reference = std::fs::read(reference).unwrap();
        let (decoded, _) = ours(&agent, &speech, &["--bits", bits]);
        assert_eq!(decoded.len(), reference.len());
        assert_eq!(
            first_difference(&decoded, &reference),
            None,
            "{bits} kbit/s differs from ffmpeg at that sample"
        );
        assert_ne!(first_difference(&decoded, &speech_ref), None);
    }

    // Empty and non-G.722 files: a clear error, no panic, no output.
    let empty = dir.join("empty.g722");
    std::fs::write(&empty, b"").unwrap();
    let page = dir.join("page.g722");
    std::fs::write(&page, b"<!DOCTYPE html><html><body>Login</body></html>").unwrap();
    for (file, reason) in [
        (&empty, "the recording is empty"),
        (&page, "not a raw G.722 recording"),
    ] {
        let out = agent.run(&[
            "decode-g722",
            file.to_str().unwrap(),
            dir.join("x.wav").to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(reason), "{stderr}");
        assert!(!stderr.contains("panicked"));
    }
    assert!(!dir.join("x.wav").exists());
    let bad_bits = agent.run(&[
        "decode-g722",
        speech.to_str().unwrap(),
        dir.join("y.wav").to_str().unwrap(),
        "--bits",
        "32",
    ]);
    assert!(String::from_utf8_lossy(&bad_bits.stderr).contains("--bits must be 64, 56 or 48"));
}
