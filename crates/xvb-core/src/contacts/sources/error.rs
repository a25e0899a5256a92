//! Why a source could not be read, in the words an admin acts on. Stored with
//! the source's status (as JSON) so the app can word it in its language.

use super::sync::password_variable;
use crate::words::{Language, Worded};
use ldap3::LdapError;
use serde::{Deserialize, Serialize};

/// Why a sync failed: the last copy of the source's names stays in use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceError {
    /// No connection to the server.
    #[error("cannot reach {url}: {reason}; check the address and port, and that the server is up")]
    Unreachable {
        /// The source's URL.
        url: String,
        /// What the connection said.
        reason: String,
    },
    /// The bind was refused (LDAP result 49).
    #[error("the server refused the bind DN or the password; store the password again with `xvb contacts source password <source>`")]
    WrongPassword,
    /// The server's certificate did not check out.
    #[error("the server's certificate is not trusted ({reason}); add the company CA to SSL_CERT_FILE, or check the server's name in the URL")]
    Untrusted {
        /// What TLS said.
        reason: String,
    },
    /// The filter is not LDAP's syntax.
    #[error("the filter is not valid LDAP; write it like (|(telephoneNumber=*)(mobile=*))")]
    BadFilter,
    /// The search base does not exist (LDAP result 32).
    #[error(
        "the search base is not on the server; check --base (e.g. ou=people,dc=example,dc=com)"
    )]
    NoSuchBase,
    /// The server stopped the search at its size limit (LDAP result 4).
    #[error("the server stopped the search at its size limit; let the bind DN read every entry (OpenLDAP: `limits dn.exact=\"…\" size=unlimited size.prtotal=unlimited`), or narrow --base or --filter")]
    SizeLimit,
    /// A bind DN is set and no password is stored.
    #[error(
        "no password is stored for this source; store it with `xvb contacts source password <source>`"
    )]
    NoPassword,
    /// The keyring could not be read for the password.
    #[error("the keyring could not give the password ({reason}); on a server without one, set XVB_SOURCE_PASSWORD_<SOURCE>")]
    NoKeyring {
        /// What the keyring said.
        reason: String,
    },
    /// Another refusal of the server.
    #[error("the server refused: {text} (LDAP result {code})")]
    Refused {
        /// The LDAP result code.
        code: u32,
        /// Its text.
        text: String,
    },
    /// More entries than a source may hold.
    #[error("the source has more than {most} entries; narrow it (LDAP: --base or --filter; CardDAV: another address book)")]
    TooMany {
        /// The limit.
        most: usize,
    },
    /// No answer in time.
    #[error("the server did not answer in time (20 s to connect or between replies); check that it is not overloaded (LDAP: or narrow the filter)")]
    TimedOut,
    /// The HTTP server refused the login (401, or 403: the user may not read it).
    #[error("the server refused the login (HTTP {status}); check --user and that it may read the address book, then store the password again with `xvb contacts source password <source>`")]
    LoginRefused {
        /// The HTTP status.
        status: u16,
    },
    /// Nothing at the URL (HTTP 404).
    #[error("there is no address book at {url}; give the book's own URL, e.g. https://cloud.example/remote.php/dav/addressbooks/users/USER/contacts/")]
    NoAddressBook {
        /// The source's URL.
        url: String,
    },
    /// The server sends the book elsewhere (a redirect is not followed: it
    /// would turn a WebDAV request into a plain GET).
    #[error("{url} is moved to {to}; give that URL")]
    Moved {
        /// The source's URL.
        url: String,
        /// Where the server points.
        to: String,
    },
    /// Another HTTP status.
    #[error("{url} answered HTTP {status}; check the URL, and the server's log")]
    HttpStatus {
        /// The source's URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The CRM took longer than its timeout.
    #[error("the CRM did not answer within {ms} ms, so callers stayed unnamed; raise --timeout-ms if it is always this slow (the PBX waits that long for a name)")]
    TooSlow {
        /// The timeout.
        ms: u32,
    },
    /// The CRM refused the token (401 or 403).
    #[error("the CRM refused the token (HTTP {status}); store a valid one with `xvb contacts source password <source>`")]
    TokenRefused {
        /// The HTTP status.
        status: u16,
    },
    /// The CRM's reply has no value where the name pointer points.
    #[error("the CRM's reply lacks the name field {pointer}; check --name-pointer against a reply of the CRM")]
    LacksName {
        /// The pointer.
        pointer: String,
    },
    /// The reply did not read as the protocol's.
    #[error("the server's reply could not be read ({reason}); check that the URL is the source's, not a login page")]
    BadReply {
        /// What was wrong.
        reason: String,
    },
}

impl SourceError {
    /// The message for the source `name` in `language`, the commands it
    /// names spelt for that source (only the placeholders `<source>` and
    /// `XVB_SOURCE_PASSWORD_<SOURCE>`: text from a server or the settings,
    /// such as a pointer `/result/0/NAME`, stays as it is).
    pub fn worded(&self, name: &str, language: Language) -> String {
        self.in_language(language)
            .replace("XVB_SOURCE_PASSWORD_<SOURCE>", &password_variable(name))
            .replace("<source>", name)
    }

    /// What an `ldap3` error means for the source at `url`.
    pub(super) fn of_ldap(url: &str, error: LdapError) -> SourceError {
        match error {
            LdapError::LdapResult { result } => match result.rc {
                49 => SourceError::WrongPassword,
                32 => SourceError::NoSuchBase,
                87 => SourceError::BadFilter,
                4 => SourceError::SizeLimit,
                code => SourceError::Refused {
                    code,
                    text: if result.text.is_empty() {
                        format!("{result}")
                    } else {
                        result.text
                    },
                },
            },
            LdapError::FilterParsing => SourceError::BadFilter,
            LdapError::Timeout { .. } => SourceError::TimedOut,
            LdapError::Rustls { source } => SourceError::Untrusted {
                reason: source.to_string(),
            },
            LdapError::Io { source } if is_certificate(&source) => SourceError::Untrusted {
                reason: source.to_string(),
            },
            other => SourceError::Unreachable {
                url: url.to_owned(),
                reason: other.to_string(),
            },
        }
    }
}

impl SourceError {
    /// What an HTTP client's error means for the source at `url`.
    pub(super) fn of_http(url: &str, error: &reqwest::Error) -> SourceError {
        if error.is_timeout() {
            return SourceError::TimedOut;
        }
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(e) = cause {
            if let Some(tls) = e.downcast_ref::<tokio_rustls::rustls::Error>() {
                if matches!(tls, tokio_rustls::rustls::Error::InvalidCertificate(_)) {
                    return SourceError::Untrusted {
                        reason: tls.to_string(),
                    };
                }
            }
            cause = e.source();
        }
        SourceError::Unreachable {
            url: url.to_owned(),
            reason: error.to_string(),
        }
    }
}

/// Whether an I/O error is TLS refusing the server's certificate.
fn is_certificate(error: &std::io::Error) -> bool {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<tokio_rustls::rustls::Error>())
        .is_some_and(|e| matches!(e, tokio_rustls::rustls::Error::InvalidCertificate(_)))
}
