//! `xvb call`: ask the PBX (`makeCall`), or the team relay with `--relay`, to ring
//! the agent's phone and then the client.

use super::current_thread_runtime;
use super::relay_access::join_code;
use super::serve::ServeNotifier;
use crate::error::CliError;
use crate::outside::{out, say};
use std::sync::Arc;
use xvb_core::config::DataDir;
use xvb_core::listener::Engine;
use xvb_core::pbx::dialer::{dial_with_account_token, DialError};
use xvb_core::pbx::phone::DialNumber;
use xvb_core::reach::link::RelayLink;
use xvb_core::reach::relay::JoinCode;

/// Runs `xvb call`: through the relay given (or joined) unless `--from` is set, else directly.
pub(crate) fn run(
    data: &DataDir,
    number: &str,
    code: Option<String>,
    from: Option<String>,
) -> Result<(), CliError> {
    match (from, join_code(data, code)?) {
        (None, Some(code)) => call_through(data, code, number),
        (from, _) => call(data, number, from),
    }
}

fn call(data: &DataDir, number: &str, from: Option<String>) -> Result<(), CliError> {
    let to = DialNumber::parse(number).map_err(DialError::from)?;
    let config = data.load_config()?;
    let from = from
        .or(config.extension.clone())
        .ok_or(DialError::NoExtension)?;
    let accepted =
        current_thread_runtime()?.block_on(dial_with_account_token(&config, &from, &to))?;
    let reply = if accepted.reply.is_empty() {
        String::new()
    } else {
        format!(": {}", accepted.reply)
    };
    say!(
        "calling {} from extension {from}: the PBX accepted (HTTP {}{reply})",
        to.as_str(),
        accepted.status
    );
    Ok(())
}

/// `xvb call --relay`: the relay places the call from this agent's extension.
fn call_through(data: &DataDir, code: JoinCode, number: &str) -> Result<(), CliError> {
    let config = data.load_config()?;
    current_thread_runtime()?.block_on(async {
        let engine = Engine::open(data, config, Arc::new(ServeNotifier::new(None)))?;
        let link = RelayLink::start(engine.state, data.database_path(), code);
        let reply = link
            .dial(number)
            .await
            .map_err(|e| CliError::Failed(e.to_string()))?;
        out!(
            "the relay asked the PBX to call {number} from your extension: accepted{}",
            if reply.is_empty() {
                String::new()
            } else {
                format!(" ({reply})")
            }
        );
        Ok(())
    })
}
