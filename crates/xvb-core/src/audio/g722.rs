//! ITU-T G.722 decoding (64, 56 and 48 kbit/s) to 16 kHz PCM, and WAV output.
//!
//! Our own short decoder rather than a crate: the maintained ones (`audio-codec`'s
//! `g722`, ezk-g722) are reported to start their decoder state differently from
//! the ITU reference, so their first ≈0.3 s differ from ffmpeg's decode (we did not
//! re-measure that); this one follows the reference's initial state and arithmetic
//! and is tested sample for sample against ffmpeg (`tests/tests/e2e/g722.rs`).
//!
//! Each byte holds one low-band code (6 bits at 64 kbit/s, 5 at 56, 4 at 48;
//! the unused low bits are ignored) and one 2-bit high-band code (the top bits);
//! it yields two 16 kHz samples through the receive QMF.

/// Bit rate of a stream: how many bits of each byte carry the low band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bitrate {
    /// 64 kbit/s, 6-bit low-band codes (what the PBX records).
    Kbit64,
    /// 56 kbit/s, 5-bit low-band codes.
    Kbit56,
    /// 48 kbit/s, 4-bit low-band codes.
    Kbit48,
}

impl Bitrate {
    /// From `64`, `56` or `48`.
    pub fn from_kbit(kbit: u32) -> Option<Bitrate> {
        match kbit {
            64 => Some(Bitrate::Kbit64),
            56 => Some(Bitrate::Kbit56),
            48 => Some(Bitrate::Kbit48),
            _ => None,
        }
    }

    fn unused_bits(self) -> u32 {
        match self {
            Bitrate::Kbit64 => 0,
            Bitrate::Kbit56 => 1,
            Bitrate::Kbit48 => 2,
        }
    }
}

/// Output sample rate.
pub const SAMPLE_RATE: u32 = 16_000;

// ITU-T G.722 tables: inverse logarithm (ILB), log-factor steps (WL via RIL, WH),
// inverse quantisers (QQ6, QQ5, QQ4, QQ2) and the QMF coefficients (Table 11).
const ILB: [i32; 32] = [
    2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
    2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
];
const WH: [i32; 2] = [798, -214];
const QQ2: [i32; 4] = [-926, -202, 926, 202];
const WL4: [i32; 16] = [
    -60, 3042, 1198, 538, 334, 172, 58, -30, 3042, 1198, 538, 334, 172, 58, -30, -60,
];
const QQ4: [i32; 16] = [
    0, -2557, -1612, -1121, -786, -530, -323, -150, 2557, 1612, 1121, 786, 530, 323, 150, 0,
];
const QQ5: [i32; 32] = [
    -35, -35, -2919, -2195, -1765, -1458, -1219, -1023, -858, -714, -587, -473, -370, -276, -190,
    -110, 2919, 2195, 1765, 1458, 1219, 1023, 858, 714, 587, 473, 370, 276, 190, 110, 35, -35,
];
const QQ6: [i32; 64] = [
    -17, -17, -17, -17, -3101, -2738, -2376, -2088, -1873, -1689, -1535, -1399, -1279, -1170,
    -1072, -982, -899, -822, -750, -682, -618, -558, -501, -447, -396, -347, -300, -254, -211,
    -170, -130, -91, 3101, 2738, 2376, 2088, 1873, 1689, 1535, 1399, 1279, 1170, 1072, 982, 899,
    822, 750, 682, 618, 558, 501, 447, 396, 347, 300, 254, 211, 170, 130, 91, 54, 17, -54, -17,
];
const QMF: [i32; 12] = [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11];

fn clamp16(value: i32) -> i32 {
    value.clamp(i16::MIN as i32, i16::MAX as i32)
}

/// The adaptive predictor and quantiser scale of one sub-band.
#[derive(Debug, Clone, Default)]
struct Band {
    /// Signal estimate (SE): pole + zero sections.
    estimate: i32,
    /// Zero-section output (SZ).
    zero_part: i32,
    /// Whether the last two partially reconstructed signals were negative.
    negative: [bool; 2],
    /// Previous reconstructed signal (RLT/RHT in the spec, doubled).
    previous: i32,
    /// Pole coefficients (A1, A2).
    poles: [i32; 2],
    /// The last six difference signals (DLT/DHT, doubled).
    differences: [i32; 6],
    /// Zero coefficients (B1…B6).
    zeros: [i32; 6],
    /// Log scale factor (NBL/NBH).
    log_scale: i32,
    /// Linear scale factor (DETL/DETH).
    scale: i32,
}

impl Band {
    fn new(scale: i32) -> Band {
        Band {
            scale,
            ..Band::default()
        }
    }

    /// Updates the predictor with the quantised difference `diff` (spec blocks 4L/4H).
    fn predict(&mut self, diff: i32) {
        let negative = self.zero_part + diff < 0;
        let sign_a = if negative != self.negative[0] { 1 } else { -1 };
        let sign_b = if negative == self.negative[1] { 1 } else { -1 };
        self.negative = [negative, self.negative[0]];

        let a2 = ((sign_a * self.poles[0].clamp(-8191, 8191)) >> 5)
            + (sign_b << 7)
            + ((self.poles[1] * 127) >> 7);
        self.poles[1] = a2.clamp(-12288, 12288);
        let limit = 15360 - self.poles[1];
        self.poles[0] = (-192 * sign_a + ((self.poles[0] * 255) >> 8)).clamp(-limit, limit);

        for (zero, past) in self.zeros.iter_mut().zip(self.differences) {
            let step = match diff {
                0 => 0,
                _ if (past ^ diff) < 0 => -128,
                _ => 128,
            };
            *zero = ((*zero * 255) >> 8) + step;
        }
        self.differences.copy_within(0..5, 1);
        self.differences[0] = clamp16(diff << 1);
        self.zero_part = self
            .zeros
            .iter()
            .zip(self.differences)
            .rev()
            .map(|(zero, past)| (zero * past) >> 15)
            .sum();

        let reconstructed = clamp16((self.estimate + diff) << 1);
        self.estimate = clamp16(
            self.zero_part
                + ((self.poles[0] * reconstructed) >> 15)
                + ((self.poles[1] * self.previous) >> 15),
        );
        self.previous = reconstructed;
    }

    /// Adapts the scale factor by `step` (WL/WH) with the band's bounds.
    fn adapt(&mut self, step: i32, max_log: i32, offset: i32) {
        self.log_scale = (((self.log_scale * 127) >> 7) + step).clamp(0, max_log);
        let log = self.log_scale - offset;
        let base = ILB[((log >> 6) & 31) as usize];
        let shift = log >> 11;
        self.scale = if shift < 0 {
            base >> -shift
        } else {
            base << shift
        };
    }
}

/// A G.722 decoder with its state; feed it a stream in pieces or whole.
#[derive(Debug, Clone)]
pub struct Decoder {
    bitrate: Bitrate,
    low: Band,
    high: Band,
    /// The last 24 QMF inputs, oldest first.
    window: [i32; 24],
}

impl Decoder {
    /// A decoder in the reference's initial state.
    pub fn new(bitrate: Bitrate) -> Decoder {
        Decoder {
            bitrate,
            low: Band::new(8),
            high: Band::new(2),
            window: [0; 24],
        }
    }

    /// Decodes `bytes`, appending two samples per byte to `out`.
    pub fn decode_into(&mut self, bytes: &[u8], out: &mut Vec<i16>) {
        out.reserve(bytes.len() * 2);
        let unused = self.bitrate.unused_bits();
        for &byte in bytes {
            let byte = byte as usize;
            let high_code = byte >> 6;
            let low_code = (byte & 0x3f) >> unused;
            let low_table: &[i32] = match self.bitrate {
                Bitrate::Kbit64 => &QQ6,
                Bitrate::Kbit56 => &QQ5,
                Bitrate::Kbit48 => &QQ4,
            };
            let low = (((self.low.scale * low_table[low_code]) >> 10) + self.low.estimate)
                .clamp(-16384, 16383);
            let low4 = (byte & 0x3f) >> 2;
            self.low.predict((self.low.scale * QQ4[low4]) >> 10);
            self.low.adapt(WL4[low4], 18432, 8 << 11);

            let high_diff = (self.high.scale * QQ2[high_code]) >> 10;
            let high = (high_diff + self.high.estimate).clamp(-16384, 16383);
            self.high.predict(high_diff);
            self.high.adapt(WH[high_code & 1], 22528, 10 << 11);

            self.window.copy_within(2.., 0);
            self.window[22] = low + high;
            self.window[23] = low - high;
            let (mut odd, mut even) = (0i32, 0i32);
            for (i, coefficient) in QMF.iter().enumerate() {
                even += self.window[2 * i] * coefficient;
                odd += self.window[2 * i + 1] * QMF[11 - i];
            }
            out.push(clamp16(odd >> 11) as i16);
            out.push(clamp16(even >> 11) as i16);
        }
    }
}

/// Decodes a whole stream.
pub fn decode(bytes: &[u8], bitrate: Bitrate) -> Vec<i16> {
    let mut out = Vec::new();
    Decoder::new(bitrate).decode_into(bytes, &mut out);
    out
}

/// Why a file is not a recording we can decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum G722Error {
    /// Nothing in it.
    #[error("the recording is empty (0 bytes); fetch it again")]
    Empty,
    /// Something else with a recognisable header.
    #[error("this is not a raw G.722 recording: it looks like {0}")]
    NotG722(&'static str),
}

/// What a decoded recording needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// 16 kHz mono samples.
    pub samples: Vec<i16>,
    /// Whether the bytes were bit-reversed and were corrected.
    pub bit_reversed: bool,
}

/// Refuses empty files and files that are plainly something else
/// (a web page, JSON, WAV, MP3, Ogg), which a PBX may serve instead of a recording.
pub fn check(bytes: &[u8]) -> Result<(), G722Error> {
    if bytes.is_empty() {
        return Err(G722Error::Empty);
    }
    let head = &bytes[..bytes.len().min(64)];
    // Audio bytes are rarely all printable; text is.
    let printable = head
        .iter()
        .filter(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
        .count();
    let text = if printable * 10 >= head.len() * 9 {
        String::from_utf8_lossy(head)
            .trim_start()
            .to_ascii_lowercase()
    } else {
        String::new()
    };
    let kind = if text.starts_with("<!doctype")
        || text.starts_with("<html")
        || text.starts_with("<?xml")
    {
        Some("a web page (HTML); is a login needed to download it?")
    } else if text.starts_with('{') || text.starts_with('[') {
        Some("JSON, probably an error message from the PBX")
    } else if head.starts_with(b"RIFF") {
        Some("a WAV file")
    } else if head.starts_with(b"ID3") {
        Some("an MP3 file")
    } else if head.starts_with(b"OggS") {
        Some("an Ogg file")
    } else {
        None
    };
    kind.map_or(Ok(()), |k| Err(G722Error::NotG722(k)))
}

/// How rough a signal is: mean absolute step over mean absolute value. Speech and
/// tones are smooth (low); a bit-reversed stream decodes to noise (high).
fn roughness(samples: &[i16]) -> f64 {
    let level: f64 = samples.iter().map(|s| f64::from(*s).abs()).sum::<f64>() + 1.0;
    let steps: f64 = samples
        .windows(2)
        .map(|w| (f64::from(w[1]) - f64::from(w[0])).abs())
        .sum();
    steps / level
}

/// Whether `bytes` decode more plausibly with each byte's bits reversed
/// (judged on the first second).
pub fn looks_bit_reversed(bytes: &[u8], bitrate: Bitrate) -> bool {
    let probe = &bytes[..bytes.len().min(8000)];
    let reversed: Vec<u8> = probe.iter().map(|b| b.reverse_bits()).collect();
    roughness(&decode(&reversed, bitrate)) < roughness(&decode(probe, bitrate)) * 0.5
}

/// Checks, un-reverses if needed, and decodes a recording.
pub fn decode_recording(bytes: &[u8], bitrate: Bitrate) -> Result<Decoded, G722Error> {
    check(bytes)?;
    if looks_bit_reversed(bytes, bitrate) {
        let fixed: Vec<u8> = bytes.iter().map(|b| b.reverse_bits()).collect();
        return Ok(Decoded {
            samples: decode(&fixed, bitrate),
            bit_reversed: true,
        });
    }
    Ok(Decoded {
        samples: decode(bytes, bitrate),
        bit_reversed: false,
    })
}

/// Length of the header [`wav_header`] writes.
pub const WAV_HEADER_LEN: usize = 44;

/// The header of a 16 kHz mono 16-bit PCM WAV file of `samples` samples.
pub fn wav_header(samples: usize) -> Vec<u8> {
    let data_len = (samples * 2) as u32;
    let mut out = Vec::with_capacity(WAV_HEADER_LEN + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    out.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out
}

/// A 16 kHz mono 16-bit PCM WAV file of `samples`.
pub fn wav(samples: &[i16]) -> Vec<u8> {
    let mut out = wav_header(samples.len());
    for sample in samples {
        out.extend_from_slice(&sample.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic tone encoded nowhere: random-looking bytes still decode without panics.
    #[test]
    fn any_bytes_decode_to_two_samples_each() {
        let bytes: Vec<u8> = (0..4001u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        for bitrate in [Bitrate::Kbit64, Bitrate::Kbit56, Bitrate::Kbit48] {
            assert_eq!(decode(&bytes, bitrate).len(), 8002);
        }
    }

    #[test]
    fn lower_rates_ignore_the_unused_low_bits() {
        let bytes: Vec<u8> = (0..2000u32).map(|i| (i * 37 % 251) as u8).collect();
        let flip1: Vec<u8> = bytes.iter().map(|b| b ^ 1).collect();
        let flip2: Vec<u8> = bytes.iter().map(|b| b ^ 3).collect();
        assert_eq!(
            decode(&bytes, Bitrate::Kbit56),
            decode(&flip1, Bitrate::Kbit56)
        );
        assert_eq!(
            decode(&bytes, Bitrate::Kbit48),
            decode(&flip2, Bitrate::Kbit48)
        );
        assert_ne!(
            decode(&bytes, Bitrate::Kbit64),
            decode(&flip1, Bitrate::Kbit64)
        );
        assert_ne!(
            decode(&bytes, Bitrate::Kbit56),
            decode(&bytes, Bitrate::Kbit48)
        );
    }

    #[test]
    fn decoding_in_pieces_equals_decoding_whole() {
        let bytes: Vec<u8> = (0..3000u32).map(|i| (i * 91 % 256) as u8).collect();
        let mut decoder = Decoder::new(Bitrate::Kbit64);
        let mut pieces = Vec::new();
        for chunk in bytes.chunks(777) {
            decoder.decode_into(chunk, &mut pieces);
        }
        assert_eq!(pieces, decode(&bytes, Bitrate::Kbit64));
    }

    #[test]
    fn what_is_not_a_recording_is_named() {
        assert_eq!(check(b""), Err(G722Error::Empty));
        assert!(
            matches!(check(b"<!DOCTYPE html><html>login</html>"), Err(G722Error::NotG722(k)) if k.contains("HTML"))
        );
        assert!(matches!(
            check(b"RIFF....WAVEfmt "),
            Err(G722Error::NotG722("a WAV file"))
        ));
        assert!(
            matches!(check(br#"{"error":"forbidden"}"#), Err(G722Error::NotG722(k)) if k.contains("JSON"))
        );
        assert_eq!(check(&[0x12, 0xfe, 0x80]), Ok(()));
        assert_eq!(
            check(&[b'{', 0xfe, 0x80, 0x07, 0xc3]),
            Ok(()),
            "audio may start with `{{`"
        );
    }

    #[test]
    fn wav_header_describes_16_khz_mono_pcm() {
        let file = wav(&[1, -1, 2]);
        assert_eq!(&file[..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(file[24..28].try_into().unwrap()), 16_000);
        assert_eq!(u32::from_le_bytes(file[40..44].try_into().unwrap()), 6);
        assert_eq!(file.len(), 44 + 6);
    }
}
