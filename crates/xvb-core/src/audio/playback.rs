//! The loopback-only server the app's `<audio>` element plays recordings from.
//!
//! WebKitGTK cannot play media from Tauri's custom schemes, so decoded recordings
//! are served over plain HTTP on `127.0.0.1` (never on the LAN-facing webhook
//! listener), at `http://127.0.0.1:PORT/<session token>/<n>.wav`, with HTTP Range
//! for seeking. The token is random per app run, so other local programs and web
//! pages cannot read recordings. A recording is decoded in a background thread
//! second by second while it is already being served, so playback starts at
//! once; the last few decoded recordings stay in memory.

use crate::audio::g722::{self, Bitrate, G722Error, WAV_HEADER_LEN};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use subtle::ConstantTimeEq;
use tokio::sync::watch;

/// Decoded recordings kept in memory (≈ 19 MB for 10 minutes each).
const KEPT_TRACKS: usize = 3;
/// G.722 bytes decoded between two hand-overs to the server (one second of audio).
const DECODE_STEP: usize = 8000;
/// The most bytes one body chunk carries.
const SEND_STEP: u64 = 64 * 1024;

/// A recording being (or done being) decoded into WAV bytes.
struct Track {
    callid: String,
    /// Whether the file's bits were reversed (and are corrected).
    bit_reversed: bool,
    /// The whole WAV's length, known before decoding ends.
    len: u64,
    /// The WAV bytes decoded so far.
    wav: RwLock<Vec<u8>>,
    /// How many bytes of `wav` are ready.
    ready: watch::Receiver<u64>,
}

#[derive(Default)]
struct Tracks {
    next_id: u64,
    /// Newest last.
    kept: VecDeque<(u64, Arc<Track>)>,
}

#[derive(Clone)]
struct Shared {
    token: Arc<str>,
    tracks: Arc<Mutex<Tracks>>,
}

/// A recording ready to play.
#[derive(Debug, Clone)]
pub struct Published {
    /// Where the `<audio>` element loads it from.
    pub url: String,
    /// Its length in seconds.
    pub seconds: f64,
    /// Whether the file's bits were reversed (and are corrected).
    pub bit_reversed: bool,
}

/// The running loopback server.
pub struct PlaybackServer {
    addr: SocketAddr,
    shared: Shared,
}

impl PlaybackServer {
    /// Binds `127.0.0.1` on a free port and serves until the process ends.
    pub async fn start() -> std::io::Result<PlaybackServer> {
        let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Shared {
            token: crate::config::new_secret().into(),
            tracks: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/{token}/silence.wav", axum::routing::get(serve_silence))
            .route("/{token}/{file}", axum::routing::get(serve_track))
            .with_state(shared.clone());
        let limits = crate::net::Limits::loopback();
        crate::net::spawn_plain(listener, app, limits);
        tracing::info!(%addr, "serving recordings to the player on loopback");
        Ok(PlaybackServer { addr, shared })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A tenth of a second of silence: the player loads it once at start-up so
    /// its media pipeline is ready before the agent's first click.
    pub fn silence_url(&self) -> String {
        format!("http://{}/{}/silence.wav", self.addr, self.shared.token)
    }

    /// The URL of `callid` if its track is still decoded in memory (no file read needed).
    pub fn replay(&self, callid: &str) -> Option<Published> {
        let mut tracks = self.shared.tracks.lock().expect("tracks lock");
        let at = tracks.kept.iter().position(|(_, t)| t.callid == callid)?;
        let (id, track) = tracks.kept.remove(at).expect("position is valid");
        Some(self.keep(&mut tracks, id, track))
    }

    /// Starts decoding the raw G.722 `bytes` of `callid` (reusing a track already
    /// decoded) and returns the URL to play it from.
    pub fn publish(&self, callid: &str, bytes: Vec<u8>) -> Result<Published, G722Error> {
        if let Some(published) = self.replay(callid) {
            return Ok(published);
        }
        g722::check(&bytes)?;
        let reversed = g722::looks_bit_reversed(&bytes, Bitrate::Kbit64);
        let track = decode_in_background(callid, bytes, reversed);
        let mut tracks = self.shared.tracks.lock().expect("tracks lock");
        tracks.next_id += 1;
        let id = tracks.next_id;
        Ok(self.keep(&mut tracks, id, track))
    }

    /// Keeps `track` as the newest (dropping the oldest beyond [`KEPT_TRACKS`]); its URL.
    fn keep(&self, tracks: &mut Tracks, id: u64, track: Arc<Track>) -> Published {
        let published = Published {
            url: format!("http://{}/{}/{id}.wav", self.addr, self.shared.token),
            seconds: (track.len - WAV_HEADER_LEN as u64) as f64
                / 2.0
                / f64::from(g722::SAMPLE_RATE),
            bit_reversed: track.bit_reversed,
        };
        tracks.kept.push_back((id, track));
        while tracks.kept.len() > KEPT_TRACKS {
            tracks.kept.pop_front();
        }
        published
    }
}

/// A track whose WAV bytes fill in from a decoding thread.
fn decode_in_background(callid: &str, mut bytes: Vec<u8>, reversed: bool) -> Arc<Track> {
    if reversed {
        bytes.iter_mut().for_each(|b| *b = b.reverse_bits());
    }
    // The header's capacity already covers the whole file.
    let wav = g722::wav_header(bytes.len() * 2);
    let len = (WAV_HEADER_LEN + bytes.len() * 4) as u64;
    let (progress, ready) = watch::channel(WAV_HEADER_LEN as u64);
    let track = Arc::new(Track {
        callid: callid.to_owned(),
        bit_reversed: reversed,
        len,
        wav: RwLock::new(wav),
        ready,
    });
    let filling = Arc::clone(&track);
    std::thread::spawn(move || {
        let mut decoder = g722::Decoder::new(Bitrate::Kbit64);
        let mut samples = Vec::with_capacity(DECODE_STEP * 2);
        let mut pcm = Vec::with_capacity(DECODE_STEP * 4);
        for piece in bytes.chunks(DECODE_STEP) {
            samples.clear();
            pcm.clear();
            decoder.decode_into(piece, &mut samples);
            pcm.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
            let mut wav = filling.wav.write().expect("wav lock");
            wav.extend_from_slice(&pcm);
            let done = wav.len() as u64;
            drop(wav);
            if progress.send(done).is_err() {
                return;
            }
        }
    });
    track
}

/// [`PlaybackServer::silence_url`]'s WAV (only under the server's token).
async fn serve_silence(State(shared): State<Shared>, Path(token): Path<String>) -> Response {
    if !bool::from(token.as_bytes().ct_eq(shared.token.as_bytes())) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let samples = g722::SAMPLE_RATE as usize / 10;
    let mut wav = g722::wav_header(samples);
    wav.resize(WAV_HEADER_LEN + samples * 2, 0);
    ([(header::CONTENT_TYPE, "audio/wav")], wav).into_response()
}

async fn serve_track(
    State(shared): State<Shared>,
    Path((token, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let token_ok: bool = token.as_bytes().ct_eq(shared.token.as_bytes()).into();
    let track = file
        .strip_suffix(".wav")
        .and_then(|id| id.parse::<u64>().ok())
        .filter(|_| token_ok)
        .and_then(|id| {
            let tracks = shared.tracks.lock().expect("tracks lock");
            tracks
                .kept
                .iter()
                .find(|(kept, _)| *kept == id)
                .map(|(_, t)| Arc::clone(t))
        });
    let Some(track) = track else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let range = match headers.get(header::RANGE).map(|v| v.to_str()) {
        None => None,
        Some(Ok(text)) => match http_range_header::parse_range_header(text)
            .and_then(|ranges| ranges.validate(track.len))
        {
            Ok(ranges) if ranges.len() == 1 => Some(ranges[0].clone()),
            _ => {
                return (
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    [(header::CONTENT_RANGE, format!("bytes */{}", track.len))],
                )
                    .into_response()
            }
        },
        Some(Err(_)) => return StatusCode::BAD_REQUEST.into_response(),
    };
    let (status, start, end) = match &range {
        Some(r) => (StatusCode::PARTIAL_CONTENT, *r.start(), *r.end() + 1),
        None => (StatusCode::OK, 0, track.len),
    };
    let mut response = Response::new(Body::from_stream(wav_bytes(track.clone(), start, end)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("audio/wav"));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    if range.is_some() {
        let value = format!("bytes {start}-{}/{}", end - 1, track.len);
        headers.insert(
            header::CONTENT_RANGE,
            HeaderValue::from_str(&value).expect("ASCII"),
        );
    }
    response
}

/// Bytes `start..end` of a track's WAV, each piece sent as soon as it is decoded.
fn wav_bytes(
    track: Arc<Track>,
    start: u64,
    end: u64,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    let ready = track.ready.clone();
    futures_util::stream::unfold(
        (track, ready, start),
        move |(track, mut ready, at)| async move {
            if at >= end {
                return None;
            }
            let wanted = (at + SEND_STEP).min(end);
            let waited = ready.wait_for(|&done| done > at).await.map(|done| *done);
            let available = match waited {
                Ok(done) => done.min(wanted),
                Err(_) => {
                    let error = std::io::Error::other("decoding stopped");
                    return Some((Err(error), (track, ready, end)));
                }
            };
            let piece = Bytes::copy_from_slice(
                &track.wav.read().expect("wav lock")[at as usize..available as usize],
            );
            Some((Ok(piece), (track, ready, available)))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The silence the window loads at start-up is a tenth of a second of WAV,
    /// served only under the run's token.
    #[tokio::test]
    async fn silence_is_a_tenth_of_a_second_under_the_token_only() {
        let server = PlaybackServer::start().await.unwrap();
        let url = server.silence_url();
        let reply = reqwest::get(&url).await.unwrap();
        assert_eq!(reply.status(), 200);
        let wav = reply.bytes().await.unwrap();
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(wav.len(), WAV_HEADER_LEN + 2 * 1600);
        assert!(wav[WAV_HEADER_LEN..].iter().all(|&b| b == 0));
        let elsewhere = url.replace(&*server.shared.token, "guessed");
        assert_eq!(reqwest::get(&elsewhere).await.unwrap().status(), 404);
    }
}
