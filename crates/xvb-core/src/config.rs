//! The agent's configuration, `DIR/config.toml`, shared by the CLI and the app.

use crate::pbx::decision::RingPolicy;
use crate::CoreError;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Default listen address: this computer only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
/// Length of the generated webhook secret.
pub const SECRET_LEN: usize = 43;

/// Settings of one agent's companion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Config {
    /// The PBX account number (`access_code` in every request).
    pub access_code: Option<String>,
    /// My extension.
    pub extension: Option<String>,
    /// Where the listener binds.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub listen: SocketAddr,
    /// Base URL the PBX reaches us at (tunnel, NAT), if not the listen address.
    pub public_url: Option<String>,
    /// The PBX's `makeCall` address.
    pub pbx_url: Option<String>,
    /// Which incoming calls ring for me.
    pub ring_policy: RingPolicy,
    /// Do-not-disturb: keep history, show no pops.
    pub do_not_disturb: bool,
    /// CRM card URL with `{phone}` in it.
    pub crm_url_template: Option<String>,
    /// UI language (`en`, `ru`); unset follows the OS locale.
    pub language: Option<String>,
    /// Login for the PBX's recording downloads, if they need one (the password is in the keyring).
    pub recordings_user: Option<String>,
    /// Disk space for cached recordings, in MB; the least recently played go first.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub recordings_cache_mb: u64,
    /// Whether a clicked `tel:` / `callto:` link is dialled at once (else it fills the dial pad).
    pub dial_links_at_once: bool,
    /// The global shortcut that dials the selected number (`Ctrl+Alt+D`); empty turns it off.
    pub dial_hotkey: String,
    /// The team relay this agent takes its events from (set by joining; its token is in the keyring).
    pub relay_url: Option<String>,
    /// On a team relay: the tray badge counts the team's waiting missed callers
    /// rather than my own missed calls.
    pub team_missed_badge: bool,
    /// A bore server to tunnel the listener through (direct mode, behind NAT).
    pub tunnel_server: Option<String>,
    /// The public port to ask the bore server for (0: any).
    pub tunnel_port: u16,
    /// On a team relay: how many days of events it keeps for agents that were away (at least 7).
    pub relay_keep_days: u32,
    /// On a team relay: a PostgreSQL connection string shared by several relay
    /// nodes; unset keeps the relay's store in its SQLite file. `XVB_RELAY_DATABASE` wins.
    pub relay_database: Option<String>,
    /// On a team relay: the addresses of reverse proxies in front of it (HAProxy,
    /// nginx), whose connections are not capped as one address's.
    #[cfg_attr(feature = "ts", ts(type = "string[]"))]
    pub relay_trusted_proxies: Vec<std::net::IpAddr>,
    /// Tags notes may carry in direct mode (a relay keeps its own list).
    pub tags: Vec<crate::notes::Tag>,
    /// The random path secret of the webhook URL.
    pub webhook_secret: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            access_code: None,
            extension: None,
            listen: DEFAULT_LISTEN.parse().expect("valid default"),
            public_url: None,
            pbx_url: None,
            ring_policy: RingPolicy::All,
            do_not_disturb: false,
            crm_url_template: None,
            language: None,
            recordings_user: None,
            recordings_cache_mb: DEFAULT_RECORDINGS_CACHE_MB,
            dial_links_at_once: false,
            dial_hotkey: DEFAULT_DIAL_HOTKEY.to_owned(),
            relay_url: None,
            team_missed_badge: false,
            tunnel_server: None,
            tunnel_port: 0,
            relay_keep_days: DEFAULT_RELAY_KEEP_DAYS,
            relay_database: None,
            relay_trusted_proxies: Vec::new(),
            tags: Vec::new(),
            webhook_secret: String::new(),
        }
    }
}

/// The keys `xvb config set` accepts.
pub const KEYS: &[&str] = &[
    "access_code",
    "extension",
    "listen",
    "public_url",
    "pbx_url",
    "ring_policy",
    "do_not_disturb",
    "crm_url_template",
    "language",
    "recordings_user",
    "recordings_cache_mb",
    "dial_links_at_once",
    "dial_hotkey",
    "team_missed_badge",
    "tunnel_server",
    "tunnel_port",
    "relay_keep_days",
    "relay_database",
    "relay_trusted_proxies",
    "tags",
];

/// The default global shortcut for dialling the selection.
pub const DEFAULT_DIAL_HOTKEY: &str = "Ctrl+Alt+D";

/// How many days of events a team relay keeps by default.
pub const DEFAULT_RELAY_KEEP_DAYS: u32 = 30;

/// Default disk space for cached recordings (MB).
pub const DEFAULT_RECORDINGS_CACHE_MB: u64 = 1024;

/// A fresh URL-safe secret of [`SECRET_LEN`] characters (about 256 bits).
pub fn new_secret() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0u8; SECRET_LEN];
    rand::fill(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[(*b & 63) as usize] as char)
        .collect()
}

fn digits_only(key: &str, value: &str) -> Result<String, CoreError> {
    let value = value.trim();
    if value.len() > 16 || !crate::pbx::phone::is_extension(value) {
        return Err(CoreError::Config(format!(
            "{key} must be digits only (e.g. 10019), got `{value}`"
        )));
    }
    Ok(value.to_owned())
}

fn http_url(key: &str, value: &str) -> Result<String, CoreError> {
    let value = value.trim().trim_end_matches('/');
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(value.to_owned())
        }
        _ => Err(CoreError::Config(format!(
            "{key} must be an http:// or https:// URL, got `{value}`"
        ))),
    }
}

/// Whether `url` keeps what it carries (the PBX token, a recordings login)
/// from being read on the way: `https://`, or plain `http://` only to this
/// computer's loopback (127.0.0.0/8, ::1, `localhost`), as a stand-in PBX in tests.
pub fn private_channel(url: &url::Url) -> bool {
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => true,
        ("http", Some(url::Host::Ipv4(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Ipv6(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Domain(name))) => name.eq_ignore_ascii_case("localhost"),
        _ => false,
    }
}

/// The PBX's address: an http(s) URL that keeps the token private ([`private_channel`]).
fn pbx_url(key: &str, value: &str) -> Result<String, CoreError> {
    let value = http_url(key, value)?;
    match url::Url::parse(&value) {
        Ok(url) if private_channel(&url) => Ok(value),
        _ => Err(CoreError::Config(format!(
            "{key} must be the PBX's https:// address: over plain http:// the PBX token would cross \
             the network readable by anyone on the way (http:// is accepted only for a PBX on this \
             computer: 127.0.0.1, ::1, localhost), got `{value}`"
        ))),
    }
}

fn on_off(key: &str, value: &str) -> Result<bool, CoreError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Ok(true),
        "false" | "off" | "no" | "0" => Ok(false),
        other => Err(CoreError::Config(format!(
            "{key} must be on or off, got `{other}`"
        ))),
    }
}

fn number_in<T>(
    key: &str,
    value: &str,
    unit: &str,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, CoreError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    match value.trim().parse::<T>() {
        Ok(number) if range.contains(&number) => Ok(number),
        _ => Err(CoreError::Config(format!(
            "{key} must be a number of {unit} from {} to {}, got `{}`",
            range.start(),
            range.end(),
            value.trim()
        ))),
    }
}

fn optional(value: &str) -> Option<&str> {
    let value = value.trim();
    (!value.is_empty()).then_some(value)
}

/// Environment variable that overrides `relay_database` (keeps a password out of config.toml).
pub const RELAY_DATABASE_ENV: &str = "XVB_RELAY_DATABASE";

impl Config {
    /// The relay's PostgreSQL connection string: `XVB_RELAY_DATABASE`, else `relay_database`.
    pub fn relay_database(&self) -> Option<String> {
        std::env::var(RELAY_DATABASE_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| self.relay_database.clone())
    }

    /// Sets one key from its text form, validating it. An empty value clears optional keys.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), CoreError> {
        match key {
            "access_code" => self.access_code = optional(value).map(|v| digits_only(key, v)).transpose()?,
            "extension" => self.extension = optional(value).map(|v| digits_only(key, v)).transpose()?,
            "listen" => {
                self.listen = value.trim().parse().map_err(|_| {
                    CoreError::Config(format!(
                        "listen must be IP:PORT such as 127.0.0.1:8787 (this computer) or 0.0.0.0:8787 (LAN), got `{value}`"
                    ))
                })?
            }
            "public_url" => self.public_url = optional(value).map(|v| http_url(key, v)).transpose()?,
            "pbx_url" => self.pbx_url = optional(value).map(|v| pbx_url(key, v)).transpose()?,
            "ring_policy" => self.ring_policy = value.parse().map_err(CoreError::Config)?,
            "do_not_disturb" => self.do_not_disturb = on_off(key, value)?,
            "dial_links_at_once" => self.dial_links_at_once = on_off(key, value)?,
            "team_missed_badge" => self.team_missed_badge = on_off(key, value)?,
            "dial_hotkey" => {
                let value = value.trim();
                if value.len() > 40 || value.chars().any(|c| c.is_control()) {
                    return Err(CoreError::Config(format!(
                        "dial_hotkey must be a shortcut such as Ctrl+Alt+D (or empty for none), got `{value}`"
                    )));
                }
                self.dial_hotkey = value.to_owned();
            }
            "crm_url_template" => {
                self.crm_url_template = optional(value)
                    .map(|v| {
                        let url = http_url(key, v)?;
                        if url.contains("{phone}") {
                            Ok(url)
                        } else {
                            Err(CoreError::Config(format!(
                                "crm_url_template must contain {{phone}}, e.g. https://crm.example/find?phone={{phone}}, got `{v}`"
                            )))
                        }
                    })
                    .transpose()?
            }
            "language" => {
                self.language = match optional(value).map(str::to_ascii_lowercase).as_deref() {
                    None => None,
                    Some(lang @ ("en" | "ru")) => Some(lang.to_owned()),
                    Some(other) => {
                        return Err(CoreError::Config(format!(
                            "language must be en or ru (or empty to follow the system), got `{other}`"
                        )))
                    }
                }
            }
            "recordings_user" => {
                self.recordings_user = match optional(value) {
                    Some(user) if user.contains(':') || user.chars().any(char::is_control) => {
                        return Err(CoreError::Config(format!(
                            "recordings_user cannot contain `:` or control characters, got `{user}`"
                        )))
                    }
                    user => user.map(str::to_owned),
                }
            }
            "tunnel_server" => {
                self.tunnel_server = match optional(value) {
                    Some(host) if host.contains("://") || host.contains(['/', ' ', ':']) => {
                        return Err(CoreError::Config(format!(
                            "tunnel_server must be the bore server's host name only, such as bore.example.com, got `{host}`"
                        )))
                    }
                    host => host.map(str::to_owned),
                }
            }
            "tunnel_port" => {
                self.tunnel_port = value.trim().parse().map_err(|_| {
                    CoreError::Config(format!(
                        "tunnel_port must be a port number (0 for any), got `{}`",
                        value.trim()
                    ))
                })?
            }
            "recordings_cache_mb" => {
                self.recordings_cache_mb = number_in(key, value, "MB", 10..=102_400)?
            }
            "tags" => {
                let items: Vec<&str> = value.split(',').filter(|t| !t.trim().is_empty()).collect();
                self.tags = crate::notes::parse_tags(&items)
                    .map_err(|e| CoreError::Config(format!("tags: {e}; write them comma-separated, such as Sale=#2e7d32, Complaint, Call back")))?
            }
            // At least a week, so agents away that long still catch up.
            "relay_keep_days" => self.relay_keep_days = number_in(key, value, "days", 7..=3650)?,
            "relay_database" => self.relay_database = optional(value).map(str::to_owned),
            "relay_trusted_proxies" => {
                self.relay_trusted_proxies = value
                    .split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(|a| a.parse().map_err(|_| CoreError::Config(format!(
                        "relay_trusted_proxies is a comma-separated list of IP addresses, such as 127.0.0.1, 10.0.0.5; `{a}` is not one"
                    ))))
                    .collect::<Result<_, _>>()?
            }
            other => {
                return Err(CoreError::Config(format!(
                    "unknown key `{other}`; keys are: {}",
                    KEYS.join(", ")
                )))
            }
        }
        Ok(())
    }

    /// The one URL to paste into the PBX's "WebHook URL" setting.
    pub fn webhook_url(&self) -> String {
        let base = match &self.public_url {
            Some(url) => url.clone(),
            None if self.listen.ip().is_unspecified() => {
                format!(
                    "http://<this computer's LAN address>:{}",
                    self.listen.port()
                )
            }
            None => format!("http://{}", self.listen),
        };
        format!("{base}/hook/{}", self.webhook_secret)
    }

    /// [`Config::webhook_url`] as logs and screens others may see show it: the
    /// secret hidden ([`masked_webhook_url`]).
    pub fn masked_webhook_url(&self) -> String {
        masked_webhook_url(&self.webhook_url())
    }

    /// The CRM card URL for `phone`, if a template is set.
    pub fn crm_url(&self, phone: &str) -> Option<String> {
        self.crm_url_template
            .as_ref()
            .map(|t| t.replace("{phone}", &crate::pbx::phone::normalize(phone)))
    }
}

/// A webhook URL with its secret hidden but for the first two characters
/// (`…/hook/ab•••`): enough to tell two apart, not to post to. `xvb
/// webhook-url` prints it whole.
pub fn masked_webhook_url(url: &str) -> String {
    match url.find("/hook/") {
        Some(at) => {
            let (base, secret) = url.split_at(at + "/hook/".len());
            let shown: String = secret.chars().take(2).collect();
            format!("{base}{shown}•••")
        }
        None => url.to_owned(),
    }
}

/// Where the app keeps its config, database and caches.
#[derive(Debug, Clone)]
pub struct DataDir(PathBuf);

impl DataDir {
    /// `explicit`, else `XVB_DATA_DIR` (read by the caller), else the OS data dir.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<Self, CoreError> {
        if let Some(dir) = explicit {
            return Ok(DataDir(dir));
        }
        directories::ProjectDirs::from("", "", "xvb-companion")
            .map(|dirs| DataDir(dirs.data_dir().to_path_buf()))
            .ok_or_else(|| {
                CoreError::Config(
                    "cannot find a home directory for the data; pass --data-dir DIR or set XVB_DATA_DIR".into(),
                )
            })
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// `config.toml` inside it.
    pub fn config_path(&self) -> PathBuf {
        self.0.join("config.toml")
    }

    /// Where fetched recordings are cached.
    pub fn recordings_path(&self) -> PathBuf {
        self.0.join("recordings")
    }

    /// The SQLite database inside it.
    pub fn database_path(&self) -> PathBuf {
        self.0.join("xvb.sqlite3")
    }

    /// Loads the config, creating it (with a new webhook secret) on first run.
    /// The data dir is made this user's only first (see [`DataDir::make_private`]).
    pub fn load_config(&self) -> Result<Config, CoreError> {
        self.make_private()?;
        let path = self.config_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let mut config: Config = toml::from_str(&text).map_err(|e| {
                    CoreError::Config(format!("{} is not valid: {e}", path.display()))
                })?;
                if config.webhook_secret.len() < 32 {
                    config.webhook_secret = new_secret();
                    self.save_config(&config)?;
                }
                Ok(config)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let config = Config {
                    webhook_secret: new_secret(),
                    ..Config::default()
                };
                self.save_config(&config)?;
                Ok(config)
            }
            Err(e) => Err(CoreError::io(&path, e)),
        }
    }

    /// Creates the data dir readable by this user only (0700 on Unix), or takes
    /// other users' access away from one an earlier version left open, saying so.
    pub fn make_private(&self) -> Result<(), CoreError> {
        let io = |e| CoreError::io(&self.0, e);
        crate::private::create_dir(&self.0).map_err(io)?;
        if crate::private::tighten(&self.0).map_err(io)? {
            tracing::warn!(
                dir = %self.0.display(),
                "the data dir was readable by other users of this computer; it is this user's only now (0700)"
            );
        }
        Ok(())
    }

    /// Writes the config atomically, readable by this user only.
    pub fn save_config(&self, config: &Config) -> Result<(), CoreError> {
        crate::private::create_dir(&self.0).map_err(|e| CoreError::io(&self.0, e))?;
        let path = self.config_path();
        let tmp = path.with_extension("toml.tmp");
        let text = toml::to_string_pretty(config).map_err(|e| CoreError::Config(e.to_string()))?;
        write_private(&tmp, text.as_bytes()).map_err(|e| CoreError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| CoreError::io(&path, e))
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = crate::private::create_file(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_run_creates_a_long_url_safe_secret_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::resolve(Some(dir.path().to_path_buf())).unwrap();
        let first = data.load_config().unwrap();
        assert!(first.webhook_secret.len() >= 32);
        assert!(first
            .webhook_secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(
            data.load_config().unwrap().webhook_secret,
            first.webhook_secret
        );
        assert_ne!(new_secret(), new_secret());
    }

    #[test]
    fn set_validates_and_explains() {
        let mut c = Config::default();
        c.set("access_code", "10019").unwrap();
        c.set("ring_policy", "Responsible").unwrap();
        assert_eq!(c.ring_policy, RingPolicy::Responsible);
        c.set("public_url", "https://agent.example/").unwrap();
        assert_eq!(c.public_url.as_deref(), Some("https://agent.example"));
        let err = c.set("listen", "localhost").unwrap_err().to_string();
        assert!(err.contains("IP:PORT"), "{err}");
        assert!(c.set("access_code", "abc").is_err());
        assert!(c.set("crm_url_template", "https://crm/x").is_err());
        c.set("relay_keep_days", "90").unwrap();
        assert_eq!(c.relay_keep_days, 90);
        let err = c.set("relay_keep_days", "3").unwrap_err().to_string();
        assert!(err.contains("from 7"), "{err}");
        assert_eq!(c.relay_keep_days, 90, "a refused value changes nothing");
        assert!(c
            .set("colour", "red")
            .unwrap_err()
            .to_string()
            .contains("keys are"));
        c.set("public_url", "").unwrap();
        assert_eq!(c.public_url, None);
    }

    #[test]
    fn the_pbx_url_must_keep_the_token_private() {
        let mut c = Config::default();
        for private in [
            "https://pbx.example/crm-api",
            "http://127.0.0.1:8080/crm",
            "http://127.1.2.3/crm",
            "http://[::1]:8080/crm",
            "http://localhost:8080/crm",
        ] {
            c.set("pbx_url", private).unwrap();
            assert_eq!(c.pbx_url.as_deref(), Some(private));
        }
        for open in [
            "http://pbx.example/crm-api",
            "http://10.0.0.5/crm",
            "http://[::ffff:127.0.0.1]/crm",
            "http://localhost.evil.example/crm",
        ] {
            let err = c.set("pbx_url", open).unwrap_err().to_string();
            assert!(err.contains("must be the PBX's https:// address"), "{err}");
            assert!(err.contains("readable by anyone on the way"), "{err}");
        }
        assert_eq!(c.pbx_url.as_deref(), Some("http://localhost:8080/crm"));
    }

    #[test]
    fn webhook_url_prefers_the_public_url() {
        let mut c = Config {
            webhook_secret: "S".repeat(43),
            ..Config::default()
        };
        assert_eq!(
            c.webhook_url(),
            format!("http://127.0.0.1:8787/hook/{}", "S".repeat(43))
        );
        c.set("public_url", "https://t.example").unwrap();
        assert!(c.webhook_url().starts_with("https://t.example/hook/"));
        assert_eq!(c.masked_webhook_url(), "https://t.example/hook/SS•••");
    }
}
