//! Call recordings: fetching them from the PBX's host into a cache, decoding
//! the PBX's raw G.722, writing WAV files, and the loopback server the app's
//! player streams from.
//!
//! - [`g722`] — our G.722 decoder and WAV headers;
//! - [`fetch`] — downloads (one host, size cap, resume) into the cache;
//! - `cache` — the cache on disk: what is kept, what goes;
//! - [`export`] — a recording saved as a WAV file (the CLI and the app);
//! - [`playback`] — the loopback HTTP server behind the app's `<audio>`.
//!
//! Uses the settings, the secrets (the recordings login) and a call's record.

mod cache;
pub mod export;
pub mod fetch;
pub mod g722;
pub mod playback;
