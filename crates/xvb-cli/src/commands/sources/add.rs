//! `xvb contacts source add ldap|carddav|crm`: a source's settings checked and
//! stored, asked after the sources there are.

use super::{name, Sources};
use crate::error::CliError;
use crate::outside::{out, shown};
use clap::{Args, Subcommand};
use xvb_core::config::DataDir;
use xvb_core::contacts::sources::crm::{DEFAULT_TIMEOUT_MS, TOKEN};
use xvb_core::contacts::sources::{
    BadSource, CardDavSettings, CrmSettings, LdapSettings, Rewrite, SourceConfig, SourceSettings,
    DEFAULT_EVERY_MINUTES,
};

/// What kind of source to add.
#[derive(Subcommand)]
pub(crate) enum AddSource {
    /// An LDAP directory or Active Directory.
    Ldap(AddLdap),
    /// A CardDAV address book (Nextcloud, Radicale, SOGo).
    #[command(name = "carddav")]
    CardDav(AddCardDav),
    /// A CRM asked over HTTP for callers no other source knows.
    Crm(AddCrm),
}

/// What every source is given.
#[derive(Args)]
pub(crate) struct Common {
    /// The source's name (lowercase letters, digits, - and _).
    #[arg(long)]
    name: String,
    /// Digits put before 7-digit local numbers (e.g. 7495).
    #[arg(long)]
    local_prefix: Option<String>,
    /// Sync every this many minutes.
    #[arg(long, default_value_t = DEFAULT_EVERY_MINUTES)]
    every: u32,
}

/// `xvb contacts source add ldap` options.
#[derive(Args)]
pub(crate) struct AddLdap {
    #[command(flatten)]
    common: Common,
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    #[arg(long)]
    url: String,
    /// Upgrade `ldap://` with StartTLS.
    #[arg(long)]
    starttls: bool,
    /// Who binds (the password: `xvb contacts source password NAME`); none: anonymous.
    #[arg(long)]
    bind_dn: Option<String>,
    /// Where the search starts.
    #[arg(long)]
    base: String,
    /// Which entries are read.
    #[arg(long, default_value = "(|(telephoneNumber=*)(mobile=*))")]
    filter: String,
    /// The attribute with the name agents see.
    #[arg(long, default_value = "cn")]
    name_attr: String,
    /// An attribute with numbers (repeat; default telephoneNumber and mobile).
    #[arg(long = "number-attr")]
    number_attrs: Vec<String>,
    /// The attribute with the responsible agent's extension (`ipPhone`, `employeeNumber`).
    #[arg(long)]
    responsible_attr: Option<String>,
}

/// `xvb contacts source add carddav` options.
#[derive(Args)]
pub(crate) struct AddCardDav {
    #[command(flatten)]
    common: Common,
    /// The address book's own URL (https://cloud.example/remote.php/dav/addressbooks/users/USER/contacts/).
    #[arg(long)]
    url: String,
    /// The login (the password: `xvb contacts source password NAME`); none: no login.
    #[arg(long)]
    user: Option<String>,
}

/// `xvb contacts source add crm` options.
#[derive(Args)]
pub(crate) struct AddCrm {
    /// The source's name (lowercase letters, digits, - and _).
    #[arg(long)]
    name: String,
    /// The GET URL, `{number}` where the caller's number goes
    /// (https://crm.example/api/v4/contacts?query={number}).
    #[arg(long)]
    url: String,
    /// A header, `Name: value` (repeat); `{token}` in the value is the token
    /// stored with `xvb contacts source password NAME`.
    #[arg(long = "header")]
    headers: Vec<String>,
    /// JSON pointer to the name in the reply (/_embedded/contacts/0/name).
    #[arg(long)]
    name_pointer: String,
    /// JSON pointer to the responsible agent's extension.
    #[arg(long)]
    responsible_pointer: Option<String>,
    /// JSON pointer to the client's card URL.
    #[arg(long)]
    card_pointer: Option<String>,
    /// How long a request may take, in ms; the PBX's "who is calling?" waits
    /// no longer (the pop shows the number, then the name).
    #[arg(long, default_value_t = DEFAULT_TIMEOUT_MS)]
    timeout_ms: u32,
    /// How long a name found is kept, in minutes.
    #[arg(long, default_value_t = 60)]
    found_minutes: u32,
    /// How long "not in the CRM" is kept, in minutes.
    #[arg(long, default_value_t = 10)]
    missing_minutes: u32,
}

impl AddCrm {
    /// The settings (checked with the others by `SourceConfig::check`).
    fn settings(self) -> Result<(Common, SourceSettings), CliError> {
        let mut headers = Vec::new();
        for header in &self.headers {
            let Some((name, value)) = header.split_once(':') else {
                return Err(CliError::Failed(format!(
                    "--header takes `Name: value` (e.g. 'Authorization: Bearer {TOKEN}'), not `{}`",
                    shown(header)
                )));
            };
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let common = Common {
            name: self.name,
            local_prefix: None,
            every: DEFAULT_EVERY_MINUTES,
        };
        let settings = SourceSettings::Crm(CrmSettings {
            url: self.url,
            headers,
            name_pointer: self.name_pointer,
            responsible_pointer: self.responsible_pointer,
            card_pointer: self.card_pointer,
            timeout_ms: self.timeout_ms,
            found_minutes: self.found_minutes,
            missing_minutes: self.missing_minutes,
        });
        Ok((common, settings))
    }
}

/// Runs `xvb contacts source add …`.
pub(super) fn add(data: &DataDir, source: AddSource) -> Result<(), CliError> {
    let (common, settings) = match source {
        AddSource::Ldap(ldap) => {
            let number_attrs = if ldap.number_attrs.is_empty() {
                vec!["telephoneNumber".into(), "mobile".into()]
            } else {
                ldap.number_attrs
            };
            let settings = SourceSettings::Ldap(LdapSettings {
                url: ldap.url,
                starttls: ldap.starttls,
                bind_dn: ldap.bind_dn,
                base: ldap.base,
                filter: ldap.filter,
                name_attr: ldap.name_attr,
                number_attrs,
                responsible_attr: ldap.responsible_attr,
            });
            (ldap.common, settings)
        }
        AddSource::CardDav(book) => {
            let settings = SourceSettings::CardDav(CardDavSettings {
                url: book.url,
                user: book.user,
            });
            (book.common, settings)
        }
        AddSource::Crm(crm) => crm.settings()?,
    };
    let config = SourceConfig {
        name: name(&common.name)?,
        settings,
        rewrite: Rewrite {
            local_prefix: common.local_prefix,
        },
        every_minutes: common.every.max(1),
    };
    config
        .check()
        .map_err(|e| CliError::Failed(shown(&e.to_string()).into_owned()))?;
    let sources = Sources::open(data)?;
    if !sources.run(sources.store.add_source(config.clone()))? {
        let taken = BadSource::Taken(config.name.to_string());
        return Err(CliError::Failed(taken.to_string()));
    }
    out!(
        "added source {} ({}), asked after the others",
        config.name,
        config.settings.kind()
    );
    match (config.settings.needs_password(), config.settings.synced()) {
        (true, true) => out!(
            "next: `xvb contacts source password {}`, then `xvb contacts sync {}`",
            config.name,
            config.name
        ),
        (true, false) => out!(
            "next: `xvb contacts source password {}` (the token), then `xvb contacts lookup NUMBER` to try it",
            config.name
        ),
        (false, _) => {}
    }
    Ok(())
}
