//! Secrets — the PBX token, the recordings password, the tunnel secret and the
//! relay token: a redacting secret type, kept only in the OS keyring.
//!
//! Keyring entries ([`SecretKind`]): service `xvb-companion`, user = the PBX account
//! (`access_code`) for the token, `<account>/recordings` for the password of the
//! PBX's recording downloads, `<account>/tunnel` for the bore server's secret,
//! `<account>/relay` for this agent's token on a team relay. On Linux that is the Secret Service (gnome-keyring, KWallet, KeePassXC), on
//! macOS the Keychain, on Windows the Credential Manager. There is no file
//! fallback. For headless servers only, `XVB_TOKEN` in the environment is used.
//!
//! This file holds the secret type and the keyring; `error` why a secret could
//! not be stored, found or used ([`TokenError`]).

mod error;

pub use error::TokenError;
use std::fmt;
use zeroize::Zeroizing;

/// Keyring service name.
pub const KEYRING_SERVICE: &str = "xvb-companion";
/// Environment variable accepted as the token on headless servers.
pub const TOKEN_ENV: &str = "XVB_TOKEN";
/// What replaces a secret in anything printed.
pub const REDACTED: &str = "<redacted>";

/// A secret string: prints as `<redacted>`, is not `Serialize`, and is wiped from memory on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a token, trimming the line end a paste or `echo` adds.
    pub fn new(text: String) -> Result<Secret, TokenError> {
        let text = Zeroizing::new(text);
        let trimmed = text.trim_end_matches(['\r', '\n']);
        if trimmed.trim().is_empty() {
            return Err(TokenError::Empty);
        }
        if trimmed.chars().any(char::is_control) || trimmed.len() > 4096 {
            return Err(TokenError::Malformed);
        }
        Ok(Secret(Zeroizing::new(trimmed.to_owned())))
    }

    /// The secret itself: only for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the secret (plain or form-encoded) replaced by `<redacted>`.
    pub fn redact(&self, text: &str) -> String {
        let encoded: String = form_urlencoded_value(self.expose());
        let mut out = text.replace(self.expose(), REDACTED);
        if encoded != self.expose() {
            out = out.replace(&encoded, REDACTED);
        }
        out
    }
}

fn form_urlencoded_value(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .map(|s| s[2..].to_owned())
        .unwrap_or_default()
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Connects to the platform's keyring (the Secret Service, the Credential
/// Manager) unless a connection is open.
fn connect_if_needed() -> keyring_core::Result<()> {
    static CONNECTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = CONNECTING.lock().unwrap_or_else(|e| e.into_inner());
    if keyring_core::get_default_store().is_none() {
        keyring_core::set_default_store(platform_store()?);
    }
    Ok(())
}

#[cfg(windows)]
fn platform_store() -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(not(windows))]
fn platform_store() -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

/// Where a token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// The OS keyring.
    Keyring,
    /// `XVB_TOKEN` (headless servers).
    Environment,
}

/// Which secret of an account a [`TokenStore`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// The PBX API token (`makeCall`).
    PbxToken,
    /// The password of the PBX's recording downloads (HTTP Basic).
    RecordingsPassword,
    /// The secret of the bore server the tunnel goes through.
    TunnelSecret,
    /// This agent's token on the team relay (the join code's part after `#`).
    RelayToken,
    /// The password a contact source binds with (`<account>/source/<name>`).
    SourcePassword,
}

impl SecretKind {
    /// What it is, as a message names it, and the command that stores it.
    fn named(self) -> (&'static str, &'static str) {
        match self {
            SecretKind::PbxToken => ("PBX token", "xvb token set"),
            SecretKind::RecordingsPassword => (
                "password for recording downloads",
                "xvb token set --recordings",
            ),
            SecretKind::TunnelSecret => ("tunnel secret", "xvb token set --tunnel"),
            SecretKind::RelayToken => ("relay join code", "xvb relay join CODE"),
            SecretKind::SourcePassword => (
                "contact source's password",
                "xvb contacts source password NAME",
            ),
        }
    }
}

/// What the settings show of a secret: whether it is there, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SecretState {
    /// In the keyring.
    Stored,
    /// Not in the keyring.
    NotStored,
    /// Not needed with the current settings (no `recordings_user`, no `tunnel_server`).
    NotNeeded,
    /// The keyring could not say.
    Unknown {
        /// Why, and what to do.
        reason: String,
    },
}

impl SecretState {
    /// Asks the keyring whether `kind` is stored for `access_code` (blocking);
    /// why it could not say, in `language`.
    pub fn of(
        access_code: Option<&str>,
        kind: SecretKind,
        language: crate::words::Language,
    ) -> SecretState {
        match TokenStore::of_kind(access_code, kind).and_then(|s| s.is_stored()) {
            Ok(true) => SecretState::Stored,
            Ok(false) => SecretState::NotStored,
            Err(e) => SecretState::Unknown {
                reason: e.in_settings_in(language),
            },
        }
    }
}

/// One keyring entry of one PBX account.
pub struct TokenStore {
    account: String,
    kind: SecretKind,
    /// The contact source, for [`SecretKind::SourcePassword`].
    source: String,
}

impl TokenStore {
    /// The PBX token's entry for `access_code`.
    pub fn for_account(access_code: Option<&str>) -> Result<TokenStore, TokenError> {
        TokenStore::of_kind(access_code, SecretKind::PbxToken)
    }

    /// The entry of `kind` for `access_code`.
    pub fn of_kind(access_code: Option<&str>, kind: SecretKind) -> Result<TokenStore, TokenError> {
        match access_code {
            Some(account) if !account.is_empty() => Ok(TokenStore {
                account: account.to_owned(),
                kind,
                source: String::new(),
            }),
            _ => Err(TokenError::NoAccount),
        }
    }

    /// The password of the contact source `name` for `access_code`.
    pub fn for_source(access_code: Option<&str>, name: &str) -> Result<TokenStore, TokenError> {
        let mut store = TokenStore::of_kind(access_code, SecretKind::SourcePassword)?;
        store.source = name.to_owned();
        Ok(store)
    }

    /// The keyring's user name of this secret.
    fn user(&self) -> String {
        match self.kind {
            SecretKind::PbxToken => self.account.clone(),
            SecretKind::RecordingsPassword => format!("{}/recordings", self.account),
            SecretKind::TunnelSecret => format!("{}/tunnel", self.account),
            SecretKind::RelayToken => format!("{}/relay", self.account),
            SecretKind::SourcePassword => format!("{}/source/{}", self.account, self.source),
        }
    }

    /// Runs `op` on this secret's keyring entry. The keyring is connected to on
    /// first use and again after a failure (its daemon started late, restarted
    /// or was replaced): one more try on a fresh connection, no restart needed.
    fn with_entry<T>(
        &self,
        op: impl Fn(&keyring_core::Entry) -> keyring_core::Result<T>,
    ) -> Result<T, keyring_core::Error> {
        let user = self.user();
        let attempt = || {
            connect_if_needed()?;
            op(&keyring_core::Entry::new(KEYRING_SERVICE, &user)?)
        };
        match attempt() {
            Err(
                keyring_core::Error::PlatformFailure(_)
                | keyring_core::Error::NoStorageAccess(_)
                | keyring_core::Error::NoDefaultStore,
            ) => {
                keyring_core::unset_default_store();
                attempt()
            }
            done => done,
        }
    }

    /// Stores (or replaces) the token.
    pub fn store(&self, token: &Secret) -> Result<(), TokenError> {
        self.with_entry(|entry| entry.set_password(token.expose()))
            .map_err(TokenError::from_keyring)
    }

    /// Whether a token is stored.
    pub fn is_stored(&self) -> Result<bool, TokenError> {
        match self.load() {
            Ok(_) => Ok(true),
            Err(TokenError::NotSet(_) | TokenError::SecretNotSet { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The stored token.
    pub fn load(&self) -> Result<Secret, TokenError> {
        match self.with_entry(keyring_core::Entry::get_password) {
            Ok(text) => Secret::new(text),
            Err(keyring_core::Error::NoEntry) => Err(match self.kind {
                SecretKind::PbxToken => TokenError::NotSet(self.account.clone()),
                kind => TokenError::SecretNotSet {
                    kind,
                    account: self.account.clone(),
                },
            }),
            Err(e) => Err(TokenError::from_keyring(e)),
        }
    }

    /// Removes the token; false when there was none.
    pub fn clear(&self) -> Result<bool, TokenError> {
        match self.with_entry(keyring_core::Entry::delete_credential) {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(e) => Err(TokenError::from_keyring(e)),
        }
    }

    /// The token to dial with: `XVB_TOKEN` if set (headless), else the keyring's.
    pub fn token_for_dialing(&self) -> Result<(Secret, TokenSource), TokenError> {
        match std::env::var(TOKEN_ENV) {
            Ok(text) if !text.trim().is_empty() => {
                Ok((Secret::new(text)?, TokenSource::Environment))
            }
            _ => self.load().map(|t| (t, TokenSource::Keyring)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let token = Secret::new("s3cr+t tok/en\n".into()).unwrap();
        assert_eq!(format!("{token} {token:?}"), "<redacted> <redacted>");
        assert_eq!(token.expose(), "s3cr+t tok/en", "line end trimmed");
        let echoed = "bad token s3cr+t tok/en (form: token=s3cr%2Bt+tok%2Fen)";
        assert_eq!(
            token.redact(echoed),
            "bad token <redacted> (form: token=<redacted>)"
        );
    }

    #[test]
    fn empty_and_multiline_tokens_are_refused() {
        assert!(matches!(Secret::new("\n".into()), Err(TokenError::Empty)));
        assert!(matches!(
            Secret::new("a\nb".into()),
            Err(TokenError::Malformed)
        ));
        assert!(matches!(
            TokenStore::for_account(None),
            Err(TokenError::NoAccount)
        ));
    }

    #[test]
    fn the_window_says_where_to_fill_in_not_what_to_run() {
        let missing = [
            TokenError::NoAccount,
            TokenError::NotSet("10019".into()),
            TokenError::SecretNotSet {
                kind: SecretKind::TunnelSecret,
                account: "10019".into(),
            },
        ];
        for error in missing {
            let said = error.in_settings();
            assert!(
                said.contains("Settings") && !said.contains("xvb "),
                "{said}"
            );
            assert!(
                error.to_string().contains("xvb "),
                "the CLI names the command"
            );
        }
    }
}
