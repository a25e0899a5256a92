//! Fetching call recordings from the PBX: only from the PBX's own host, over
//! HTTPS (plain HTTP only when the PBX is on this computer's loopback, as in
//! tests), with a size cap, a stall timeout, resumption of partial downloads,
//! and a cache in the data dir (this user's only) trimmed oldest-used first —
//! partial downloads counted, and removed when nobody resumed them for a day.

use super::cache;
use crate::config::{Config, DataDir};
use crate::pbx::call::Call;
use crate::secret::{Secret, SecretKind, TokenError, TokenStore};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Largest recording fetched (≈ 7 hours at 64 kbit/s).
pub const DEFAULT_MAX_BYTES: u64 = 200 * 1024 * 1024;
/// Cache size before the least recently used recordings are removed.
pub const DEFAULT_CACHE_BYTES: u64 = crate::config::DEFAULT_RECORDINGS_CACHE_MB * 1024 * 1024;
/// No byte for this long means the download stalled.
pub const DEFAULT_STALL: Duration = Duration::from_secs(15);
/// Bytes per second of 64 kbit/s G.722.
pub const BYTES_PER_SECOND: u64 = 8000;

/// Why a recording could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    /// The call has no record link.
    #[error("this call has no recording (the PBX sent no record_link)")]
    NoLink,
    /// No PBX address configured.
    #[error(
        "set the PBX address first (pbx_url): recordings are fetched only from the PBX's host"
    )]
    NoPbxUrl,
    /// The link is not a URL.
    #[error("the record link `{0}` is not a URL")]
    BadLink(String),
    /// The link points elsewhere.
    #[error("refused to fetch the recording from {host}: recordings are fetched only from the PBX's host ({pbx})")]
    ForeignHost {
        /// The link's host.
        host: String,
        /// The PBX's host.
        pbx: String,
    },
    /// Plain HTTP to a host that is not loopback.
    #[error("refused to fetch the recording over plain http://: use the PBX's https:// address")]
    Insecure,
    /// Bigger than the cap.
    #[error("the recording is {size} bytes, more than the {max}-byte limit")]
    TooLarge {
        /// Announced or received size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The PBX answered with an error.
    #[error("the PBX answered HTTP {status} for the recording{hint}")]
    Status {
        /// The status.
        status: u16,
        /// What to check.
        hint: StatusHint,
    },
    /// Nothing arrived for too long; the part kept resumes next time.
    #[error("the download stalled (nothing for {0} s); try again — it resumes where it stopped")]
    Stalled(u64),
    /// Network failure.
    #[error("cannot download the recording: {0}")]
    Network(String),
    /// The recordings password could not be read from the keyring.
    #[error(transparent)]
    Login(#[from] TokenError),
    /// Local file failure.
    #[error("cannot write the recording to {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// What to check when the PBX answers a recording's download with an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusHint {
    /// 401, 403: the recordings login.
    Login,
    /// 3xx: a redirect away from the PBX's host.
    Redirect,
    /// 404: the recording is gone.
    Gone,
    /// Nothing in particular.
    Nothing,
}

impl StatusHint {
    /// The hint for an HTTP status.
    pub fn of_status(status: u16) -> StatusHint {
        match status {
            401 | 403 => StatusHint::Login,
            300..=399 => StatusHint::Redirect,
            404 => StatusHint::Gone,
            _ => StatusHint::Nothing,
        }
    }
}

impl std::fmt::Display for StatusHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StatusHint::Login => "; set the recordings login in Settings (user, and its password in the keyring) or check it",
            StatusHint::Redirect => "; it redirected away from the PBX's host, which is not followed",
            StatusHint::Gone => "; the PBX no longer has it",
            StatusHint::Nothing => "",
        })
    }
}

/// A fetched recording.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The cached raw G.722 file.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Whether it came from the cache.
    pub cached: bool,
    /// Whether its size fits the call's duration (8,000 bytes a second, ±2 s or ±10 %).
    pub size_matches_duration: Option<bool>,
}

/// How much a fetcher downloads, keeps and waits for.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest recording fetched.
    pub max_bytes: u64,
    /// Cache size before the least recently used recordings are removed.
    pub cache_bytes: u64,
    /// No byte for this long means the download stalled.
    pub stall: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
            cache_bytes: DEFAULT_CACHE_BYTES,
            stall: DEFAULT_STALL,
        }
    }
}

impl Limits {
    /// The defaults with the cache size of the settings.
    pub fn from_config(config: &Config) -> Limits {
        Limits {
            cache_bytes: config.recordings_cache_mb * 1024 * 1024,
            ..Limits::default()
        }
    }
}

/// The login of the PBX's download URL (sent as HTTP Basic, only to the PBX's host).
pub struct Login {
    /// `recordings_user` of the settings.
    pub user: String,
    /// The password, from the keyring.
    pub password: Secret,
}

impl Login {
    /// The login the settings ask for: `None` without `recordings_user`, else its
    /// password from the keyring (blocking: it talks to the keyring).
    pub fn from_config(config: &Config) -> Result<Option<Login>, TokenError> {
        let Some(user) = config.recordings_user.clone() else {
            return Ok(None);
        };
        let password = TokenStore::of_kind(
            config.access_code.as_deref(),
            SecretKind::RecordingsPassword,
        )?
        .load()?;
        Ok(Some(Login { user, password }))
    }
}

/// Downloads recordings of one PBX into a cache directory.
pub struct Fetcher {
    client: reqwest::Client,
    pbx_host: String,
    cache: PathBuf,
    limits: Limits,
    login: Option<Login>,
}

impl Fetcher {
    /// The fetcher the settings ask for: the PBX's host, the data dir's cache,
    /// the cache size and the recordings login (blocking: it reads the keyring).
    pub fn from_config(config: &Config, data: &DataDir) -> Result<Fetcher, RecordingError> {
        Fetcher::new(
            config.pbx_url.as_deref(),
            data.recordings_path(),
            Limits::from_config(config),
            Login::from_config(config)?,
        )
    }

    /// A fetcher for the PBX at `pbx_url`, caching in `cache`, with an optional
    /// login; partial downloads nobody resumed for a day are removed from the cache.
    pub fn new(
        pbx_url: Option<&str>,
        cache: PathBuf,
        limits: Limits,
        login: Option<Login>,
    ) -> Result<Fetcher, RecordingError> {
        let pbx = pbx_url.ok_or(RecordingError::NoPbxUrl)?;
        let pbx_host = url::Url::parse(pbx)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .ok_or(RecordingError::NoPbxUrl)?;
        // Redirects are followed only within the PBX's host (a login is never sent elsewhere).
        let same_host = pbx_host.clone();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            let host = attempt.url().host_str().unwrap_or_default();
            if attempt.previous().len() < 5 && host.eq_ignore_ascii_case(&same_host) {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(limits.stall)
            .redirect(redirects)
            .build()
            .map_err(|e| RecordingError::Network(e.to_string()))?;
        cache::remove_stale_parts(&cache);
        Ok(Fetcher {
            client,
            pbx_host,
            cache,
            limits,
            login,
        })
    }

    fn checked_link(&self, link: &str) -> Result<url::Url, RecordingError> {
        let url = url::Url::parse(link).map_err(|_| RecordingError::BadLink(link.to_owned()))?;
        let host = url.host_str().unwrap_or_default().to_owned();
        if !host.eq_ignore_ascii_case(&self.pbx_host) {
            return Err(RecordingError::ForeignHost {
                host,
                pbx: self.pbx_host.clone(),
            });
        }
        if crate::config::private_channel(&url) {
            Ok(url)
        } else {
            Err(RecordingError::Insecure)
        }
    }

    /// The cache file of a call (the call id, reduced to safe characters).
    pub fn cache_path(&self, callid: &str) -> PathBuf {
        let safe: String = callid
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.cache.join(format!("{safe}.g722"))
    }

    /// The call's recording, from the cache or the PBX (resuming a partial download).
    pub async fn fetch(&self, call: &Call) -> Result<Fetched, RecordingError> {
        let link = call.record_link.as_deref().ok_or(RecordingError::NoLink)?;
        let url = self.checked_link(link)?;
        let path = self.cache_path(&call.callid);
        let io = |path: &Path, source| RecordingError::Io {
            path: path.to_path_buf(),
            source,
        };
        let cached = path.is_file();
        if !cached {
            crate::private::create_dir(&self.cache).map_err(|e| io(&self.cache, e))?;
            self.download(url, &path).await?;
        }
        cache::touch(&path);
        let bytes = std::fs::metadata(&path).map_err(|e| io(&path, e))?.len();
        self.evict(&path);
        Ok(Fetched {
            size_matches_duration: call.duration.map(|seconds| {
                let expected = seconds * BYTES_PER_SECOND;
                expected.abs_diff(bytes) <= (2 * BYTES_PER_SECOND).max(expected / 10)
            }),
            path,
            bytes,
            cached,
        })
    }

    async fn download(&self, url: url::Url, path: &Path) -> Result<(), RecordingError> {
        let part = path.with_extension("g722.part");
        let io = |source| RecordingError::Io {
            path: part.clone(),
            source,
        };
        let have = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
        let mut request = self.client.get(url);
        if let Some(login) = &self.login {
            request = request.basic_auth(&login.user, Some(login.password.expose()));
        }
        if have > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
        }
        let mut response = request.send().await.map_err(|e| self.network(e))?;
        let status = response.status().as_u16();
        let resumed = status == 206;
        if !(status == 200 || resumed) {
            return Err(RecordingError::Status {
                status,
                hint: StatusHint::of_status(status),
            });
        }
        let start = if resumed { have } else { 0 };
        if let Some(length) = response.content_length() {
            if start + length > self.limits.max_bytes {
                return Err(RecordingError::TooLarge {
                    size: start + length,
                    max: self.limits.max_bytes,
                });
            }
        }
        let mut file = tokio::fs::OpenOptions::from(crate::private::options())
            .create(true)
            .append(resumed)
            .write(true)
            .truncate(!resumed)
            .open(&part)
            .await
            .map_err(io)?;
        let mut written = start;
        while let Some(chunk) = response.chunk().await.map_err(|e| self.network(e))? {
            written += chunk.len() as u64;
            if written > self.limits.max_bytes {
                drop(file);
                let _ = std::fs::remove_file(&part);
                return Err(RecordingError::TooLarge {
                    size: written,
                    max: self.limits.max_bytes,
                });
            }
            file.write_all(&chunk).await.map_err(io)?;
        }
        file.sync_all().await.map_err(io)?;
        std::fs::rename(&part, path).map_err(|source| RecordingError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    fn network(&self, error: reqwest::Error) -> RecordingError {
        if error.is_timeout() {
            RecordingError::Stalled(self.limits.stall.as_secs().max(1))
        } else {
            RecordingError::Network(error.to_string())
        }
    }

    /// Trims the cache to its limit, sparing `keep` and downloads being written.
    fn evict(&self, keep: &Path) {
        cache::evict(
            &self.cache,
            self.limits.cache_bytes,
            self.limits.stall,
            keep,
        );
    }
}
