//! An agent's call, placed from the agent's own extension with the relay's
//! PBX token (agents never hold it).

use super::wire::ToAgent;
use crate::config::Config;
use crate::pbx::dialer::dial_with_account_token;
use crate::pbx::phone::DialNumber;

/// Places an agent's call from the agent's own extension, with the relay's PBX token.
pub(super) async fn dial_for_agent(config: &Config, ext: &str, id: u64, to: &str) -> ToAgent {
    let result = match DialNumber::parse(to) {
        Ok(number) => dial_with_account_token(config, ext, &number).await,
        Err(e) => Err(e.into()),
    };
    tracing::info!(
        ext,
        accepted = result.is_ok(),
        "an agent's call went to the PBX"
    );
    match result {
        Ok(accepted) => ToAgent::Dialed {
            id,
            ok: true,
            message: accepted.reply,
        },
        Err(e) => ToAgent::Dialed {
            id,
            ok: false,
            message: e.to_string(),
        },
    }
}
