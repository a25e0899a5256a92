//! Recordings in the app: fetched (with the recordings login) into the cache,
//! played through the loopback server, or saved as WAV in Downloads.

use super::messages::{PlayerTrouble, RecordingNote};
use super::{Companion, ErrorCode, RecordingView, UiError};
use crate::audio::export;
use crate::audio::fetch::{Fetched, Fetcher};
use crate::audio::playback::PlaybackServer;
use crate::pbx::call::Call;
use crate::words::Worded;

impl Companion {
    /// The call's recording in the cache, downloading it (with the recordings login) if needed.
    async fn fetch_recording(&self, callid: &str) -> Result<(Call, Fetched), UiError> {
        let call = self
            .reader
            .lock()
            .expect("reader lock")
            .call(callid)?
            .ok_or_else(|| UiError::new(ErrorCode::Recording, &PlayerTrouble::Gone))?;
        let (config, data) = (self.config(), self.data.clone());
        let fetcher =
            tokio::task::spawn_blocking(move || Fetcher::from_config(&config, &data)).await??;
        let fetched = fetcher.fetch(&call).await?;
        Ok((call, fetched))
    }

    /// The loopback player server, started at the first need.
    async fn player(&self) -> Result<&PlaybackServer, UiError> {
        self.playback
            .get_or_try_init(PlaybackServer::start)
            .await
            .map_err(|e| UiError::new(ErrorCode::Recording, &PlayerTrouble::Start(e)))
    }

    /// Starts the player's server ahead of need; the URL of a moment of silence
    /// the window loads once, so the agent's first play does not wait for the
    /// media pipeline to start.
    pub async fn warm_player(&self) -> Result<String, UiError> {
        Ok(self.player().await?.silence_url())
    }

    /// Fetches the call's recording and hands it to the loopback player server;
    /// what the agent should know about it is in the agent's language.
    pub async fn play_recording(&self, callid: &str) -> Result<RecordingView, UiError> {
        let (call, fetched) = self.fetch_recording(callid).await?;
        let server = self.player().await?;
        let published = match server.replay(callid) {
            Some(published) => published,
            None => {
                let bytes = tokio::fs::read(&fetched.path)
                    .await
                    .map_err(|e| UiError::new(ErrorCode::Recording, &PlayerTrouble::Read(e)))?;
                server.publish(callid, bytes)?
            }
        };
        let note = if published.bit_reversed {
            Some(RecordingNote::BitReversed)
        } else if fetched.size_matches_duration == Some(false) {
            Some(RecordingNote::CutShort {
                lasts: published.seconds,
                lasted: call.duration.unwrap_or(0),
            })
        } else {
            None
        }
        .map(|note| note.in_language(self.language()));
        Ok(RecordingView {
            url: published.url,
            seconds: published.seconds,
            cached: fetched.cached,
            note,
        })
    }

    /// Saves the call's recording as a WAV file in the Downloads folder; its path.
    pub async fn save_recording(&self, callid: &str) -> Result<String, UiError> {
        let (call, fetched) = self.fetch_recording(callid).await?;
        let saved = tokio::task::spawn_blocking(move || export::to_downloads(&call, &fetched.path))
            .await??;
        Ok(saved.path.display().to_string())
    }
}
