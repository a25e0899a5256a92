//! The link's state as the tray, the UI and `xvb serve --relay` show it.

/// The state of the link, for the tray, the UI and `xvb serve --relay`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LinkStatus {
    /// Opening the connection.
    Connecting,
    /// Connected, as this extension.
    Connected {
        /// The agent's extension: the one its join code names.
        ext: String,
        /// This computer's own extension setting, when it differs from `ext`:
        /// not used in relay mode (decisions and dials use `ext`).
        unused_extension: Option<String>,
        /// Set when this app came back after the relay had pruned events it had
        /// not stored: when the relay's kept events begin (RFC 3339).
        missed_before: Option<String>,
    },
    /// The relay refused the join code (revoked, or mistyped): no more attempts
    /// until a new code is given.
    Refused,
    /// Waiting before the next attempt, and why the last one ended.
    Reconnecting {
        /// The wait, in milliseconds.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        wait_ms: u64,
        /// What went wrong.
        reason: String,
    },
}

impl LinkStatus {
    /// Why the link is not connected after trying: the last attempt's trouble, or the refusal.
    pub fn failure(&self) -> Option<String> {
        match self {
            LinkStatus::Reconnecting { reason, .. } => {
                Some(format!("cannot reach the relay: {reason}"))
            }
            LinkStatus::Refused => Some(self.to_string()),
            LinkStatus::Connecting | LinkStatus::Connected { .. } => None,
        }
    }
}

impl std::fmt::Display for LinkStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkStatus::Connecting => write!(f, "connecting"),
            LinkStatus::Connected {
                ext,
                unused_extension,
                missed_before,
            } => {
                write!(f, "connected as extension {ext}")?;
                if let Some(local) = unused_extension {
                    write!(
                        f,
                        "; this computer's extension setting {local} is not used in relay mode"
                    )?;
                }
                if let Some(before) = missed_before {
                    write!(
                        f,
                        "; calls before {} were no longer kept on the relay when this app came back, so they are missing from its history",
                        readable_time(before)
                    )?;
                }
                Ok(())
            }
            LinkStatus::Refused => write!(
                f,
                "refused: the relay does not accept this join code (revoked, or mistyped); \
                 ask your admin for a new one"
            ),
            LinkStatus::Reconnecting { wait_ms, reason } => {
                write!(
                    f,
                    "reconnecting in {} ({reason})",
                    crate::reach::seconds(*wait_ms)
                )
            }
        }
    }
}

/// `2026-11-24 09:30 UTC` from an RFC 3339 time (as given if it is not one).
fn readable_time(rfc3339: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(rfc3339, &Rfc3339)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_else(|| rfc3339.to_owned())
}
