//! An LDAP directory (OpenLDAP, Active Directory) read whole: a bind, then a
//! paged search of the base with the admin's filter; each entry's name,
//! numbers and responsible extension from the attributes the admin named.
//! `ldap3` speaks the protocol (paging, StartTLS); TLS is the product's
//! (the system's trust store, `SSL_CERT_FILE` adding a company CA).

use super::{Entry, SourceError, MOST_ENTRIES};
use crate::secret::Secret;
use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Entries asked for per page (Active Directory's own limit is 1,000).
const PAGE: i32 = 500;
/// How long connecting, binding and each page may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// An LDAP source's settings (its password is in the keyring).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LdapSettings {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    pub url: String,
    /// Upgrade an `ldap://` connection with StartTLS.
    #[serde(default)]
    pub starttls: bool,
    /// Who binds (none: an anonymous bind).
    #[serde(default)]
    pub bind_dn: Option<String>,
    /// Where the search starts.
    pub base: String,
    /// Which entries are read.
    pub filter: String,
    /// The attribute with the name agents see (`cn`, `displayName`).
    pub name_attr: String,
    /// The attributes with numbers (`telephoneNumber`, `mobile`, `ipPhone`).
    pub number_attrs: Vec<String>,
    /// The attribute with the responsible agent's extension, if any.
    #[serde(default)]
    pub responsible_attr: Option<String>,
}

/// Every entry the search finds that has a name.
pub(super) async fn fetch(
    settings: &LdapSettings,
    password: Option<&Secret>,
) -> Result<Vec<Entry>, SourceError> {
    let unreachable = |e: LdapError| SourceError::of_ldap(&settings.url, e);
    let connection = LdapConnSettings::new()
        .set_conn_timeout(TIMEOUT)
        .set_starttls(settings.starttls)
        .set_config(crate::tls::client_config());
    let (driver, mut ldap) = LdapConnAsync::with_settings(connection, &settings.url)
        .await
        .map_err(unreachable)?;
    ldap3::drive!(driver);
    let bind_dn = settings.bind_dn.as_deref().unwrap_or_default();
    let password = password.map(Secret::expose).unwrap_or_default();
    ldap.with_timeout(TIMEOUT)
        .simple_bind(bind_dn, password)
        .await
        .map_err(unreachable)?
        .success()
        .map_err(unreachable)?;
    let mut attrs: Vec<&str> = vec![settings.name_attr.as_str()];
    attrs.extend(settings.number_attrs.iter().map(String::as_str));
    attrs.extend(settings.responsible_attr.as_deref());
    let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![
        Box::new(EntriesOnly::new()),
        Box::new(PagedResults::new(PAGE)),
    ];
    let mut search = ldap
        .with_timeout(TIMEOUT)
        .streaming_search_with(
            adapters,
            &settings.base,
            Scope::Subtree,
            &settings.filter,
            attrs,
        )
        .await
        .map_err(unreachable)?;
    let mut entries = Vec::new();
    while let Some(found) = search.next().await.map_err(unreachable)? {
        let found = SearchEntry::construct(found);
        let first = |attr: &str| {
            found
                .attrs
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(attr))
                .and_then(|(_, values)| values.first())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let Some(name) = first(&settings.name_attr) else {
            continue;
        };
        if entries.len() == MOST_ENTRIES {
            return Err(SourceError::TooMany { most: MOST_ENTRIES });
        }
        let numbers = settings.number_attrs.iter().flat_map(|attr| {
            found
                .attrs
                .iter()
                .filter(move |(name, _)| name.eq_ignore_ascii_case(attr))
                .flat_map(|(_, values)| values.iter().cloned())
        });
        entries.push(Entry::new(
            &name,
            numbers,
            settings.responsible_attr.as_deref().and_then(first),
        ));
    }
    search.finish().await.success().map_err(unreachable)?;
    let _ = ldap.unbind().await;
    Ok(entries)
}
