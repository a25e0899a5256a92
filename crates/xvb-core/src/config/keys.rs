//! The keys `xvb config set` (and the app's settings) take, and the rule each
//! value must pass: extensions are digits, URLs are http(s), the PBX's URL
//! keeps its token private, numbers stay in their range.

use super::refused::{SettingRefused, Unit};
use super::Config;
use crate::CoreError;

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
    "relay_metrics_listen",
    "tags",
];

fn digits_only(key: &str, value: &str) -> Result<String, SettingRefused> {
    let value = value.trim();
    if value.len() > 16 || !crate::pbx::phone::is_extension(value) {
        return Err(SettingRefused::Digits {
            key: key.to_owned(),
            value: value.to_owned(),
        });
    }
    Ok(value.to_owned())
}

fn http_url(key: &str, value: &str) -> Result<String, SettingRefused> {
    let value = value.trim().trim_end_matches('/');
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(value.to_owned())
        }
        _ => Err(SettingRefused::HttpUrl {
            key: key.to_owned(),
            value: value.to_owned(),
        }),
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
fn pbx_url(key: &str, value: &str) -> Result<String, SettingRefused> {
    let value = http_url(key, value)?;
    match url::Url::parse(&value) {
        Ok(url) if private_channel(&url) => Ok(value),
        _ => Err(SettingRefused::PbxUrl {
            key: key.to_owned(),
            value,
        }),
    }
}

fn on_off(key: &str, value: &str) -> Result<bool, SettingRefused> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Ok(true),
        "false" | "off" | "no" | "0" => Ok(false),
        other => Err(SettingRefused::OnOff {
            key: key.to_owned(),
            value: other.to_owned(),
        }),
    }
}

fn number_in<T>(
    key: &str,
    value: &str,
    unit: Unit,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, SettingRefused>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    match value.trim().parse::<T>() {
        Ok(number) if range.contains(&number) => Ok(number),
        _ => Err(SettingRefused::Number {
            key: key.to_owned(),
            unit,
            from: range.start().to_string(),
            to: range.end().to_string(),
            value: value.trim().to_owned(),
        }),
    }
}

/// Modifier keys a shortcut may hold, as the desktop's shortcut parser names them.
const MODIFIERS: &[&str] = &[
    "ctrl",
    "control",
    "alt",
    "option",
    "shift",
    "super",
    "meta",
    "cmd",
    "command",
    "cmdorctrl",
    "commandorcontrol",
];

/// Whether `text` is a whole global shortcut: at least one modifier, then one
/// key that is not a modifier (`Ctrl+Alt+D`; not `Ctrl+`, `Ctrl+Alt` or `D`).
fn is_shortcut(text: &str) -> bool {
    let parts: Vec<String> = text.split('+').map(|p| p.trim().to_lowercase()).collect();
    let Some((key, modifiers)) = parts.split_last() else {
        return false;
    };
    text.len() <= 40
        && !modifiers.is_empty()
        && modifiers.iter().all(|m| MODIFIERS.contains(&m.as_str()))
        && !key.is_empty()
        && !MODIFIERS.contains(&key.as_str())
        && key.chars().all(|c| c.is_ascii_alphanumeric())
}

fn optional(value: &str) -> Option<&str> {
    let value = value.trim();
    (!value.is_empty()).then_some(value)
}

impl Config {
    /// Sets one key from its text form, validating it. An empty value clears optional keys.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), CoreError> {
        self.set_checked(key, value).map_err(CoreError::from)
    }

    fn set_checked(&mut self, key: &str, value: &str) -> Result<(), SettingRefused> {
        match key {
            "access_code" => {
                self.access_code = optional(value).map(|v| digits_only(key, v)).transpose()?
            }
            "extension" => {
                self.extension = optional(value).map(|v| digits_only(key, v)).transpose()?
            }
            "listen" => {
                self.listen = value
                    .trim()
                    .parse()
                    .map_err(|_| SettingRefused::Listen(value.to_owned()))?
            }
            "public_url" => {
                self.public_url = optional(value).map(|v| http_url(key, v)).transpose()?
            }
            "pbx_url" => self.pbx_url = optional(value).map(|v| pbx_url(key, v)).transpose()?,
            "ring_policy" => {
                self.ring_policy = value
                    .parse()
                    .map_err(|_| SettingRefused::RingPolicy(value.trim().to_ascii_lowercase()))?
            }
            "do_not_disturb" => self.do_not_disturb = on_off(key, value)?,
            "dial_links_at_once" => self.dial_links_at_once = on_off(key, value)?,
            "team_missed_badge" => self.team_missed_badge = on_off(key, value)?,
            "dial_hotkey" => {
                let value = value.trim();
                if !value.is_empty() && !is_shortcut(value) {
                    return Err(SettingRefused::Hotkey(value.to_owned()));
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
                            Err(SettingRefused::CrmPhone(v.to_owned()))
                        }
                    })
                    .transpose()?
            }
            "language" => {
                self.language = match optional(value).map(str::to_ascii_lowercase).as_deref() {
                    None => None,
                    Some(lang @ ("en" | "ru")) => Some(lang.to_owned()),
                    Some(other) => return Err(SettingRefused::Language(other.to_owned())),
                }
            }
            "recordings_user" => {
                self.recordings_user = match optional(value) {
                    Some(user) if user.contains(':') || user.chars().any(char::is_control) => {
                        return Err(SettingRefused::RecordingsUser(user.to_owned()))
                    }
                    user => user.map(str::to_owned),
                }
            }
            "tunnel_server" => {
                self.tunnel_server = match optional(value) {
                    Some(host) if host.contains("://") || host.contains(['/', ' ', ':']) => {
                        return Err(SettingRefused::TunnelServer(host.to_owned()))
                    }
                    host => host.map(str::to_owned),
                }
            }
            "tunnel_port" => {
                self.tunnel_port = value
                    .trim()
                    .parse()
                    .map_err(|_| SettingRefused::TunnelPort(value.trim().to_owned()))?
            }
            "recordings_cache_mb" => {
                self.recordings_cache_mb = number_in(key, value, Unit::Megabytes, 10..=102_400)?
            }
            "tags" => {
                let items: Vec<&str> = value.split(',').filter(|t| !t.trim().is_empty()).collect();
                self.tags = crate::notes::parse_tags(&items).map_err(SettingRefused::Tags)?
            }
            // At least a week, so agents away that long still catch up.
            "relay_keep_days" => {
                self.relay_keep_days = number_in(key, value, Unit::Days, 7..=3650)?
            }
            "relay_database" => self.relay_database = optional(value).map(str::to_owned),
            "relay_trusted_proxies" => {
                self.relay_trusted_proxies = value
                    .split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(|a| {
                        a.parse()
                            .map_err(|_| SettingRefused::TrustedProxy(a.to_owned()))
                    })
                    .collect::<Result<_, _>>()?
            }
            "relay_metrics_listen" => {
                self.relay_metrics_listen = optional(value)
                    .map(|addr| {
                        addr.parse()
                            .map_err(|_| SettingRefused::MetricsListen(addr.to_owned()))
                    })
                    .transpose()?
            }
            other => {
                return Err(SettingRefused::UnknownKey {
                    key: other.to_owned(),
                    keys: KEYS.join(", "),
                })
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pbx::decision::RingPolicy;

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
    fn a_hotkey_is_a_whole_shortcut() {
        let mut c = Config::default();
        for whole in ["Ctrl+Alt+D", "Shift+Super+F12", "CmdOrCtrl+Shift+9", ""] {
            c.set("dial_hotkey", whole).unwrap();
            assert_eq!(c.dial_hotkey, whole);
        }
        for half in [
            "Ctrl+",
            "Ctrl+Alt",
            "D",
            "Ctrl++",
            "Ctrl+Alt+\u{7}D",
            "Hyper+D",
        ] {
            let err = c.set("dial_hotkey", half).unwrap_err().to_string();
            assert!(err.contains("whole shortcut"), "{half}: {err}");
        }
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
}
