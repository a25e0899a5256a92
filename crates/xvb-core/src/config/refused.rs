//! Why `xvb config set` (or the app's settings) refused a value: each rule's
//! message starts with the key, which the app drops beside that key's field.

/// The unit of a setting that is a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Megabytes.
    Megabytes,
    /// Days.
    Days,
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unit::Megabytes => "MB",
            Unit::Days => "days",
        })
    }
}

/// A value a setting does not take, and what it takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingRefused {
    /// Not digits (an account number, an extension).
    #[error("{key} must be digits only (e.g. 10019), got `{value}`")]
    Digits {
        /// The key.
        key: String,
        /// The value given.
        value: String,
    },
    /// Not an `http(s)://` URL.
    #[error("{key} must be an http:// or https:// URL, got `{value}`")]
    HttpUrl {
        /// The key.
        key: String,
        /// The value given.
        value: String,
    },
    /// A PBX address the token would cross the network in clear to.
    #[error(
        "{key} must be the PBX's https:// address: over plain http:// the PBX token would cross \
         the network readable by anyone on the way (http:// is accepted only for a PBX on this \
         computer: 127.0.0.1, ::1, localhost), got `{value}`"
    )]
    PbxUrl {
        /// The key.
        key: String,
        /// The value given.
        value: String,
    },
    /// Not on or off.
    #[error("{key} must be on or off, got `{value}`")]
    OnOff {
        /// The key.
        key: String,
        /// The value given.
        value: String,
    },
    /// Not a number in its range.
    #[error("{key} must be a number of {unit} from {from} to {to}, got `{value}`")]
    Number {
        /// The key.
        key: String,
        /// What it counts.
        unit: Unit,
        /// The least.
        from: String,
        /// The most.
        to: String,
        /// The value given.
        value: String,
    },
    /// Not an address to listen on.
    #[error("listen must be IP:PORT such as 127.0.0.1:8787 (this computer) or 0.0.0.0:8787 (LAN), got `{0}`")]
    Listen(String),
    /// Not an address to serve metrics on.
    #[error("relay_metrics_listen must be IP:PORT such as 127.0.0.1:9187 (or empty: no metrics), got `{0}`")]
    MetricsListen(String),
    /// Not a ring policy.
    #[error("expected `all` or `responsible`, got `{0}`")]
    RingPolicy(String),
    /// Not a whole shortcut.
    #[error("dial_hotkey must be a whole shortcut: one or more of Ctrl, Alt, Shift, Super, then a key, such as Ctrl+Alt+D (or empty for none), got `{0}`")]
    Hotkey(String),
    /// A CRM link template without `{phone}`.
    #[error("crm_url_template must contain {{phone}}, e.g. https://crm.example/find?phone={{phone}}, got `{0}`")]
    CrmPhone(String),
    /// Not a language the app speaks.
    #[error("language must be en or ru (or empty to follow the system), got `{0}`")]
    Language(String),
    /// A recordings login that HTTP Basic cannot carry.
    #[error("recordings_user cannot contain `:` or control characters, got `{0}`")]
    RecordingsUser(String),
    /// Not a bare host name.
    #[error("tunnel_server must be the bore server's host name only, such as bore.example.com, got `{0}`")]
    TunnelServer(String),
    /// Not a port.
    #[error("tunnel_port must be a port number (0 for any), got `{0}`")]
    TunnelPort(String),
    /// A list of tags that does not read (what is wrong with it).
    #[error("tags: {0}; write them comma-separated, such as Sale=#2e7d32, Complaint, Call back")]
    Tags(String),
    /// Not an IP address.
    #[error("relay_trusted_proxies is a comma-separated list of IP addresses, such as 127.0.0.1, 10.0.0.5; `{0}` is not one")]
    TrustedProxy(String),
    /// No such key.
    #[error("unknown key `{key}`; keys are: {keys}")]
    UnknownKey {
        /// The key given.
        key: String,
        /// Every key, comma-separated.
        keys: String,
    },
}
