//! `xvb relay wallboard …`: the office wallboard's read-only links — add one
//! (the whole team's or a group's, with its tiles' thresholds), list, revoke.

use crate::commands::relay_access::relay_store;
use crate::error::CliError;
use crate::outside::out;
use clap::Subcommand;
use xvb_core::config::{new_secret, Config, DataDir};
use xvb_core::groups::GroupName;
use xvb_core::reach::relay::{token_hash, WALLBOARD_PATH};
use xvb_core::store::Thresholds;

/// `xvb relay wallboard` subcommands.
#[derive(Subcommand)]
pub(crate) enum WallboardCommand {
    /// A new wallboard link (show it on the office TV; anyone with it sees the board).
    Add {
        /// Only this group (default: the whole team).
        #[arg(long, value_name = "NAME")]
        group: Option<String>,
        /// The relay's address as the TV reaches it (default: public_url, else the listen address).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// A caller ringing this many seconds turns the waiting tile amber.
        #[arg(long, default_value_t = 60)]
        wait_amber: u32,
        /// … and this many, red.
        #[arg(long, default_value_t = 180)]
        wait_red: u32,
        /// A service level under this per cent turns its tile amber.
        #[arg(long, default_value_t = 80)]
        sl_amber: u32,
        /// … and under this, red.
        #[arg(long, default_value_t = 60)]
        sl_red: u32,
    },
    /// Every wallboard link (the links themselves are not kept, only their hashes).
    List,
    /// Stop a wallboard link working (its screens show that it was revoked).
    Revoke {
        /// Its number from `list`.
        id: i64,
    },
}

/// Runs one `xvb relay wallboard` command.
pub(super) fn run(
    data: &DataDir,
    config: &Config,
    command: WallboardCommand,
) -> Result<(), CliError> {
    match command {
        WallboardCommand::Add {
            group,
            url,
            wait_amber,
            wait_red,
            sl_amber,
            sl_red,
        } => {
            if wait_red < wait_amber || sl_red > sl_amber || sl_amber > 100 {
                return Err(CliError::Failed(format!(
                    "thresholds out of order: red comes after amber (wait {wait_amber} s then {wait_red} s; service level {sl_amber}% then {sl_red}%, at most 100)"
                )));
            }
            let group = group
                .map(|g| GroupName::parse(&g).map_err(|e| CliError::Failed(e.to_string())))
                .transpose()?;
            let base = url
                .or(config.public_url.clone())
                .unwrap_or_else(|| format!("http://{}", config.listen));
            let base = base.trim_end_matches('/').to_owned();
            let code = new_secret();
            let hash = token_hash(&code);
            let thresholds = Thresholds {
                wait_amber,
                wait_red,
                sl_amber,
                sl_red,
            };
            let named = group.as_ref().map(|g| g.as_str().to_owned());
            let id = relay_store(data, config, |s| async move {
                if let Some(name) = &group {
                    if !s.routing().await?.groups.contains_key(name) {
                        return Err(xvb_core::CoreError::Config(format!(
                            "there is no group `{name}`; see `xvb relay group list`"
                        )));
                    }
                }
                s.add_wallboard(&hash, named.as_deref(), thresholds).await
            })?;
            out!("wallboard {id} added; open this on the office screen (anyone with it sees the board):");
            out!("{base}{WALLBOARD_PATH}#{code}");
            Ok(())
        }
        WallboardCommand::List => {
            let boards = relay_store(data, config, |s| async move { s.wallboards().await })?;
            if boards.is_empty() {
                out!("no wallboards; add one with `xvb relay wallboard add`");
            }
            for b in boards {
                let t = b.thresholds;
                out!(
                    "{}\t{}\twait {}/{} s\tservice level {}/{}%\t{}",
                    b.id,
                    b.group.as_deref().unwrap_or("whole team"),
                    t.wait_amber,
                    t.wait_red,
                    t.sl_amber,
                    t.sl_red,
                    if b.revoked { "revoked" } else { "active" }
                );
            }
            Ok(())
        }
        WallboardCommand::Revoke { id } => {
            if relay_store(
                data,
                config,
                |s| async move { s.revoke_wallboard(id).await },
            )? {
                out!("wallboard {id} revoked; its screens stop at once");
                Ok(())
            } else {
                Err(CliError::Failed(format!(
                    "there is no active wallboard {id}; see `xvb relay wallboard list`"
                )))
            }
        }
    }
}
