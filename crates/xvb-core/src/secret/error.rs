//! Why a secret could not be stored, found or used, in the words of the CLI
//! and of the app's window.

use super::SecretKind;

/// Why the token could not be stored, found or used. Never carries the token.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Empty input.
    #[error("the token is empty; paste the Token from the PBX's integration settings")]
    Empty,
    /// Control characters or absurd length.
    #[error(
        "the token has control characters or is longer than 4096 bytes; paste it again as one line"
    )]
    Malformed,
    /// No account to key the entry by.
    #[error("set the PBX account first (`xvb config set access_code 10019`): the token is kept per account")]
    NoAccount,
    /// Nothing stored.
    #[error(
        "no PBX token is stored for account {0}; run `xvb token set` (or enter it in Settings)"
    )]
    NotSet(String),
    /// Another secret of the account is not stored.
    #[error(
        "no {} is stored for account {account}; run `{}` (or enter it in Settings)",
        .kind.named().0,
        .kind.named().1
    )]
    SecretNotSet {
        /// Which secret.
        kind: SecretKind,
        /// The account.
        account: String,
    },
    /// No keyring service reachable.
    #[error("no keyring is reachable ({0}); install and unlock a Secret Service such as gnome-keyring or KWallet (on a desktop, log in to it), then try again. On a headless server only, put the token in the XVB_TOKEN environment variable")]
    NoKeyring(String),
    /// The keyring is there but locked or refused access.
    #[error("the keyring refused access ({0}); unlock it (log in to your desktop session, or unlock the \"login\" keyring) and try again")]
    Locked(String),
    /// Anything else the keyring said.
    #[error("the keyring failed: {0}")]
    Keyring(String),
}

impl TokenError {
    /// The message as the app's window says it: what to fill in and where,
    /// never a command to run (the CLI's messages name the command).
    pub fn in_settings(&self) -> String {
        match self {
            TokenError::NoAccount => "enter the access code (the PBX account number) in Settings first: the token is kept per account".into(),
            TokenError::NotSet(account) => {
                format!("no PBX token is stored for account {account}: paste it in Settings, under PBX token")
            }
            TokenError::SecretNotSet { kind, account } => {
                format!(
                    "no {} is stored for account {account}: enter it in Settings",
                    kind.named().0
                )
            }
            other => other.to_string(),
        }
    }

    pub(super) fn from_keyring(error: keyring_core::Error) -> TokenError {
        use keyring_core::Error as K;
        match error {
            K::NoStorageAccess(e) => TokenError::Locked(e.to_string()),
            K::PlatformFailure(e) => TokenError::NoKeyring(e.to_string()),
            K::NoDefaultStore => {
                TokenError::NoKeyring("no credential store could be opened".into())
            }
            // BadEncoding and BadDataFormat carry the stored bytes: never print them.
            K::BadEncoding(_) | K::BadDataFormat(..) => TokenError::Keyring(
                "the stored token is not valid text; run `xvb token set` again".into(),
            ),
            other => TokenError::Keyring(other.to_string()),
        }
    }
}
