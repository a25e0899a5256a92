//! Join codes: the one line an admin hands an agent (`https://relay:8443#TOKEN`),
//! kept as the relay's address in the settings and the token in the keyring.

use super::wire::AGENT_PATH;
use super::RelayError;
use crate::config::Config;
use crate::secret::{Secret, SecretKind, TokenError, TokenStore};

/// A join code: the relay's address and one agent's token, as one line
/// `https://relay.example:8443#TOKEN` (`http://` only for a relay on loopback).
pub struct JoinCode {
    /// The relay's base address.
    pub relay: url::Url,
    /// The agent's token.
    pub token: Secret,
}

impl JoinCode {
    /// Reads a pasted join code.
    pub fn parse(text: &str) -> Result<JoinCode, RelayError> {
        let (base, token) = text.trim().split_once('#').ok_or(RelayError::BadJoinCode)?;
        let relay = url::Url::parse(base).map_err(|_| RelayError::BadJoinCode)?;
        let token = Secret::new(token.to_owned()).map_err(|_| RelayError::BadJoinCode)?;
        let loopback = match relay.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name == "localhost",
            None => return Err(RelayError::BadJoinCode),
        };
        match relay.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(RelayError::Insecure),
            _ => return Err(RelayError::BadJoinCode),
        }
        Ok(JoinCode { relay, token })
    }

    /// The line to hand to the agent (it carries the token: show it only to them).
    pub fn to_line(&self) -> String {
        format!(
            "{}#{}",
            self.relay.as_str().trim_end_matches('/'),
            self.token.expose()
        )
    }

    /// Keeps the token in the keyring, under the PBX account (blocking).
    pub fn store_token(&self, access_code: Option<&str>) -> Result<(), TokenError> {
        TokenStore::of_kind(access_code, SecretKind::RelayToken)?.store(&self.token)
    }

    /// The relay this agent joined (`relay_url` and the keyring's token), if any (blocking).
    pub fn joined(config: &Config) -> Result<Option<JoinCode>, TokenError> {
        let Some(relay) = config.relay_url.as_deref() else {
            return Ok(None);
        };
        let token =
            TokenStore::of_kind(config.access_code.as_deref(), SecretKind::RelayToken)?.load()?;
        let relay = url::Url::parse(relay).map_err(|e| TokenError::Keyring(e.to_string()))?;
        Ok(Some(JoinCode { relay, token }))
    }

    /// The WebSocket address that streams events after `after` of stream `epoch`
    /// (0: unknown), and the team view too if `team` (an app or `xvb board`
    /// shows it; a whole view per change is the stream's biggest frame).
    pub fn agent_url(&self, after: i64, epoch: i64, team: bool) -> String {
        let scheme = if self.relay.scheme() == "https" {
            "wss"
        } else {
            "ws"
        };
        let host = self.relay.host_str().unwrap_or_default();
        let port = self
            .relay
            .port()
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        let base = self.relay.path().trim_end_matches('/');
        format!("{scheme}://{host}{port}{base}{AGENT_PATH}?after={after}&epoch={epoch}&team={team}&notes=true")
    }
}
