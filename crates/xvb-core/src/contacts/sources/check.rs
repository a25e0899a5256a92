//! A source's settings checked before they are stored, the same for the
//! CLI's `xvb contacts source add` and the app's form: what is wrong, said
//! so a person can fix it.

use super::crm::{NUMBER, TOKEN};
use super::{SourceConfig, SourceSettings};
use crate::pbx::phone;

/// Why a source's settings are refused (nothing is stored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadSource {
    /// The URL is not one of the kind's schemes, or has no server.
    #[error("the URL must start with {schemes}, then the server's name, not `{url}`")]
    Url {
        /// `ldap:// or ldaps://`, `http:// or https://`.
        schemes: String,
        /// What was given.
        url: String,
    },
    /// A CRM's URL without `{number}`.
    #[error("the CRM's URL needs {NUMBER} where the caller's number goes, e.g. https://crm.example/api/v4/contacts?query={NUMBER}")]
    NoNumber,
    /// A header's name that is not one.
    #[error("a header is `Name: value` with a name of letters, digits, - and _ (e.g. 'Authorization: Bearer {TOKEN}'), not `{0}`")]
    Header(String),
    /// A JSON pointer that does not start with `/`.
    #[error("a JSON pointer starts with / (e.g. /result/0/NAME), not `{0}`")]
    Pointer(String),
    /// A CRM's timeout out of range.
    #[error("the CRM's timeout takes 1 to 10000 ms (the PBX waits that long for a name)")]
    Timeout,
    /// A local prefix that is not digits.
    #[error("the local prefix takes digits (e.g. 7495), not `{0}`")]
    LocalPrefix(String),
    /// A login and password written into the URL (they would be shown with it).
    #[error("the URL holds a login and password: give the login with --user and store the password with `xvb contacts source password`")]
    LoginInUrl,
    /// The name is another source's.
    #[error("a source is already called {0}; remove it first, or pick another name")]
    Taken(String),
    /// An LDAP source without a base, a filter, a name attribute or a number attribute.
    #[error("an LDAP source needs a base (ou=people,dc=example,dc=com), a filter, the name's attribute and at least one number attribute")]
    LdapIncomplete,
}

/// The most a CRM may take, in ms.
const LONGEST_TIMEOUT_MS: u32 = 10_000;

impl SourceConfig {
    /// Checks the settings as a person gave them.
    pub fn check(&self) -> Result<(), BadSource> {
        if let Some(prefix) = &self.rewrite.local_prefix {
            if !phone::is_extension(prefix) {
                return Err(BadSource::LocalPrefix(prefix.clone()));
            }
        }
        match &self.settings {
            SourceSettings::Ldap(ldap) => {
                url_of(&ldap.url, &["ldap", "ldaps"])?;
                let blank = |text: &str| text.trim().is_empty();
                if blank(&ldap.base)
                    || blank(&ldap.filter)
                    || blank(&ldap.name_attr)
                    || ldap.number_attrs.iter().all(|a| blank(a))
                {
                    return Err(BadSource::LdapIncomplete);
                }
            }
            SourceSettings::CardDav(book) => {
                url_of(&book.url, &["http", "https"])?;
                if url::Url::parse(&book.url).is_ok_and(|u| u.password().is_some()) {
                    return Err(BadSource::LoginInUrl);
                }
            }
            SourceSettings::Crm(crm) => {
                url_of(&crm.url, &["http", "https"])?;
                if !crm.url.contains(NUMBER) {
                    return Err(BadSource::NoNumber);
                }
                for (name, _) in &crm.headers {
                    let fits = !name.is_empty()
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                    if !fits {
                        return Err(BadSource::Header(name.clone()));
                    }
                }
                let pointers = std::iter::once(&crm.name_pointer)
                    .chain(&crm.responsible_pointer)
                    .chain(&crm.card_pointer);
                if let Some(bad) = pointers.into_iter().find(|p| !p.starts_with('/')) {
                    return Err(BadSource::Pointer(bad.clone()));
                }
                if !(1..=LONGEST_TIMEOUT_MS).contains(&crm.timeout_ms) {
                    return Err(BadSource::Timeout);
                }
            }
        }
        Ok(())
    }
}

/// Checks that `text` is a URL of one of `schemes` with a server.
fn url_of(text: &str, schemes: &[&str]) -> Result<(), BadSource> {
    let fits = url::Url::parse(text).is_ok_and(|u| {
        schemes.contains(&u.scheme()) && u.host_str().is_some_and(|h| !h.is_empty())
    });
    if fits {
        return Ok(());
    }
    let schemes: Vec<String> = schemes.iter().map(|s| format!("{s}://")).collect();
    Err(BadSource::Url {
        schemes: schemes.join(" or "),
        url: text.to_owned(),
    })
}
