//! `xvb token set/status/clear`: the PBX token, recordings password or tunnel
//! secret, kept only in the OS keyring.

use crate::error::CliError;
use crate::outside::out;
use clap::Subcommand;
use std::io::IsTerminal;
use xvb_core::config::DataDir;
use xvb_core::secret::{Secret, SecretKind, TokenStore, TOKEN_ENV};

/// `xvb token` options and subcommand.
#[derive(clap::Args)]
pub(crate) struct TokenArgs {
    /// The password of the PBX's recording downloads (login: `recordings_user`) instead of the token.
    #[arg(long, global = true, conflicts_with = "tunnel")]
    recordings: bool,
    /// The secret of the bore server the tunnel goes through (`tunnel_server`) instead of the token.
    #[arg(long, global = true)]
    tunnel: bool,
    #[command(subcommand)]
    command: TokenCommand,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Store the token: from standard input when piped, else asked without echo.
    Set,
    /// Say whether a token is stored (never prints it).
    Status,
    /// Remove the stored token.
    Clear,
}

/// Runs one `xvb token` command on the secret `args` chose.
pub(crate) fn run(data: &DataDir, args: TokenArgs) -> Result<(), CliError> {
    let config = data.load_config()?;
    let account = config.access_code.as_deref().unwrap_or_default();
    let (kind, what) = if args.recordings {
        (SecretKind::RecordingsPassword, "recordings password")
    } else if args.tunnel {
        (SecretKind::TunnelSecret, "tunnel secret")
    } else {
        (SecretKind::PbxToken, "token")
    };
    let store = TokenStore::of_kind(config.access_code.as_deref(), kind)?;
    match args.command {
        TokenCommand::Set => {
            let text = if std::io::stdin().is_terminal() {
                rpassword::prompt_password(format!("PBX {what} (typing is hidden): "))
            } else {
                std::io::read_to_string(std::io::stdin())
            }
            .map_err(|e| CliError::Failed(format!("cannot read the {what}: {e}")))?;
            store.store(&Secret::new(text)?)?;
            out!("{what} stored in the keyring for account {account}");
        }
        TokenCommand::Status => {
            let stored = if store.is_stored()? {
                "stored"
            } else {
                "not stored"
            };
            out!("{what} for account {account}: {stored}");
            if kind == SecretKind::PbxToken
                && std::env::var_os(TOKEN_ENV).is_some_and(|v| !v.is_empty())
            {
                out!("{TOKEN_ENV} is set in the environment: dialing uses it instead (headless servers only)");
            }
        }
        TokenCommand::Clear => {
            let removed = store.clear()?;
            out!(
                "{}",
                if removed {
                    format!("{what} removed from the keyring")
                } else {
                    format!("no {what} was stored")
                }
            );
        }
    }
    Ok(())
}
