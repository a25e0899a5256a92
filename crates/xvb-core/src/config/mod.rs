//! The agent's configuration, `DIR/config.toml`, shared by the CLI and the app.
//!
//! - this file — [`Config`], its defaults, and what it derives (the webhook
//!   URL, a CRM link, the relay's database);
//! - `keys` — [`KEYS`] and [`Config::set`]: the rule each value must pass;
//! - `refused` — [`SettingRefused`]: why a value was refused;
//! - `data_dir` — [`DataDir`]: where `config.toml` and the data live.

mod data_dir;
mod keys;
mod refused;

pub use data_dir::DataDir;
pub use keys::{private_channel, KEYS};
pub use refused::{SettingRefused, Unit};

use crate::pbx::decision::RingPolicy;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

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
    /// On a team relay: where to serve Prometheus metrics (`/metrics`, plain
    /// HTTP, nothing else there); unset: no metrics.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub relay_metrics_listen: Option<SocketAddr>,
    /// This computer's offset from UTC, read at start (not saved): where a
    /// relay's "today" begins on its wallboards. `None`: UTC.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub local_offset: Option<time::UtcOffset>,
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
            relay_metrics_listen: None,
            local_offset: None,
            tags: Vec::new(),
            webhook_secret: String::new(),
        }
    }
}

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

    /// The one URL to paste into the PBX's "WebHook URL" setting.
    pub fn webhook_url(&self) -> String {
        let base = match &self.public_url {
            Some(url) => url.clone(),
            None if self.listen.ip().is_unspecified() => {
                format!("http://{}:{}", lan_address(), self.listen.port())
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

/// This computer's address on the LAN: the one its traffic to the outside
/// leaves from (found by aiming a UDP socket, which sends nothing); loopback
/// when there is no network.
fn lan_address() -> std::net::IpAddr {
    std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|socket| {
            // TEST-NET-1 (RFC 5737): routed like the outside, never reached.
            socket.connect("192.0.2.1:9")?;
            socket.local_addr()
        })
        .map(|local| local.ip())
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn on_the_lan_the_url_names_a_real_address_the_test_call_can_use() {
        let mut c = Config {
            webhook_secret: "S".repeat(43),
            ..Config::default()
        };
        c.set("listen", "0.0.0.0:8788").unwrap();
        let url = c.webhook_url();
        assert!(
            crate::pbx::sim::Target::parse(&url).is_ok(),
            "a URL the test call can use: {url}"
        );
        let host = url::Url::parse(&url).unwrap();
        let ip: std::net::IpAddr = host.host_str().unwrap().parse().expect("an IP address");
        assert!(!ip.is_unspecified(), "{url}");
        assert_eq!(host.port(), Some(8788));
    }
}
