//! `xvb config set/show` and `xvb webhook-url`: the settings in config.toml.

use crate::error::CliError;
use crate::outside::out;
use clap::Subcommand;
use xvb_core::config::{DataDir, KEYS};

/// `xvb config` subcommands.
#[derive(Subcommand)]
pub(crate) enum ConfigCommand {
    /// Set KEY to VALUE (an empty VALUE clears an optional key).
    Set {
        /// One of the keys listed by `xvb config show`.
        key: String,
        /// The new value.
        value: String,
    },
    /// Print the settings.
    Show,
}

/// Runs `xvb config set` or `xvb config show`.
pub(crate) fn run(data: &DataDir, command: ConfigCommand) -> Result<(), CliError> {
    match command {
        ConfigCommand::Set { key, value } => {
            let mut config = data.load_config()?;
            config.set(&key, &value)?;
            data.save_config(&config)?;
            out!("{key} saved");
        }
        ConfigCommand::Show => {
            let config = data.load_config()?;
            out!("# {}", data.config_path().display());
            out!("# keys you can set: {}", KEYS.join(", "));
            let shown =
                toml::to_string_pretty(&config).map_err(|e| CliError::Failed(e.to_string()))?;
            out!("{}", shown.trim_end());
        }
    }
    Ok(())
}

/// `xvb webhook-url`: prints the URL to paste into the PBX.
pub(crate) fn webhook_url(data: &DataDir) -> Result<(), CliError> {
    out!("{}", data.load_config()?.webhook_url());
    Ok(())
}
