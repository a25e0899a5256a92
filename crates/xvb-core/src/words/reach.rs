//! The reach line in Russian, as the tray shows it — worded as the window
//! words it (`ui/src/lib/reach.ts`, the `reach*`, `tunnel*` and `link*` keys
//! of `words-ru.ts`). A reason the core gave is recognised (`relay`), else
//! quoted as bore or the network said it.

use super::relay::recognised;
use super::{Language, Worded};
use crate::reach::link::LinkStatus;
use crate::reach::tunnel::TunnelStatus;
use crate::reach::Reach;

impl Worded for Reach {
    fn russian(&self) -> String {
        match self {
            Reach::Starting => "Запуск…".into(),
            Reach::Listening { addr } => format!("слушаю на {addr}"),
            Reach::Tunnel { tunnel } => format!("туннель: {}", tunnel.russian()),
            Reach::Relay { link } => format!("ретранслятор: {}", link.russian()),
        }
    }
}

impl Worded for TunnelStatus {
    fn russian(&self) -> String {
        match self {
            TunnelStatus::Opening => "открывается".into(),
            TunnelStatus::Open { url } => format!("открыт на {url}"),
            TunnelStatus::Reopening { wait_ms, reason } => format!(
                "переоткрытие через {} с ({})",
                seconds(*wait_ms),
                reason_in_russian(reason)
            ),
        }
    }
}

impl Worded for LinkStatus {
    fn russian(&self) -> String {
        match self {
            LinkStatus::Connecting => "подключение".into(),
            LinkStatus::Connected {
                ext,
                unused_extension,
                missed_before,
            } => {
                let mut line = format!("подключено как номер {ext}");
                if let Some(local) = unused_extension {
                    line += &format!("; внутренний номер {local} из настроек этого компьютера в режиме ретранслятора не используется");
                }
                if let Some(before) = missed_before {
                    line += &format!("; звонки до {} ретранслятор уже не хранил, когда приложение вернулось, поэтому их нет в истории", when(before));
                }
                line
            }
            LinkStatus::Refused => "ретранслятор не принимает эту строку подключения (отозвана или введена с ошибкой): попросите у администратора новую и вставьте её в разделе «Командный ретранслятор»".into(),
            LinkStatus::Reconnecting { wait_ms, reason } => format!(
                "переподключение через {} с ({})",
                seconds(*wait_ms),
                reason_in_russian(reason)
            ),
        }
    }
}

impl Reach {
    /// The line as the window gets it (it words the rest): the reason a tunnel
    /// or the link gave, in `language`.
    pub fn for_window(self, language: Language) -> Reach {
        if language == Language::En {
            return self;
        }
        match self {
            Reach::Tunnel {
                tunnel: TunnelStatus::Reopening { wait_ms, reason },
            } => Reach::Tunnel {
                tunnel: TunnelStatus::Reopening {
                    wait_ms,
                    reason: reason_in_russian(&reason),
                },
            },
            Reach::Relay {
                link: LinkStatus::Reconnecting { wait_ms, reason },
            } => Reach::Relay {
                link: LinkStatus::Reconnecting {
                    wait_ms,
                    reason: reason_in_russian(&reason),
                },
            },
            other => other,
        }
    }
}

/// A wait in seconds, as the window shows it (`2.5`).
fn seconds(ms: u64) -> String {
    format!("{:.1}", ms as f64 / 1000.0)
}

/// A reason the core gave, in Russian; another program's, as it is.
fn reason_in_russian(reason: &str) -> String {
    recognised(reason).unwrap_or_else(|| reason.to_owned())
}

/// `24.11.2026 09:30 UTC` from an RFC 3339 time (as given if it is not one).
fn when(rfc3339: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(rfc3339, &Rfc3339)
        .ok()
        .and_then(|t| {
            t.to_offset(time::UtcOffset::UTC)
                .format(time::macros::format_description!(
                    "[day].[month].[year] [hour]:[minute] UTC"
                ))
                .ok()
        })
        .unwrap_or_else(|| rfc3339.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::tests::each_has_russian;

    #[test]
    fn every_reach_line_has_russian() {
        let tunnels = [
            TunnelStatus::Opening,
            TunnelStatus::Open {
                url: "http://bore.example:4000".into(),
            },
            TunnelStatus::Reopening {
                wait_ms: 2500,
                reason: "the bore server closed the tunnel".into(),
            },
        ];
        let links = [
            LinkStatus::Connecting,
            LinkStatus::Connected {
                ext: "100".into(),
                unused_extension: Some("101".into()),
                missed_before: Some("2026-11-24T09:30:00Z".into()),
            },
            LinkStatus::Refused,
            LinkStatus::Reconnecting {
                wait_ms: 1000,
                reason: "cannot reach the relay: connection refused".into(),
            },
        ];
        each_has_russian(tunnels.clone());
        each_has_russian(links.clone());
        let mut lines = vec![
            Reach::Starting,
            Reach::Listening {
                addr: "127.0.0.1:8787".into(),
            },
        ];
        lines.extend(tunnels.map(|tunnel| Reach::Tunnel { tunnel }));
        lines.extend(links.map(|link| Reach::Relay { link }));
        each_has_russian(lines);
    }

    #[test]
    fn the_tray_says_what_the_window_says() {
        let reconnecting = Reach::Relay {
            link: LinkStatus::Reconnecting {
                wait_ms: 2500,
                reason: "cannot reach the relay: connection refused".into(),
            },
        };
        assert_eq!(
            reconnecting.in_language(Language::Ru),
            "ретранслятор: переподключение через 2.5 с (не удаётся связаться с ретранслятором: connection refused)"
        );
        assert_eq!(
            reconnecting.in_language(Language::En),
            "relay: reconnecting in 2.5 s (cannot reach the relay: connection refused)"
        );
        let connected = LinkStatus::Connected {
            ext: "100".into(),
            unused_extension: None,
            missed_before: Some("2026-11-24T09:30:00Z".into()),
        };
        assert!(connected
            .russian()
            .contains("звонки до 24.11.2026 09:30 UTC"));
        let Reach::Relay {
            link: LinkStatus::Reconnecting { reason, .. },
        } = reconnecting.clone().for_window(Language::Ru)
        else {
            panic!("still reconnecting")
        };
        assert_eq!(
            reason,
            "не удаётся связаться с ретранслятором: connection refused"
        );
        assert_eq!(reconnecting.clone().for_window(Language::En), reconnecting);
        let bore = TunnelStatus::Reopening {
            wait_ms: 1000,
            reason: "connection reset by peer".into(),
        };
        assert_eq!(
            bore.russian(),
            "переоткрытие через 1.0 с (connection reset by peer)"
        );
    }
}
