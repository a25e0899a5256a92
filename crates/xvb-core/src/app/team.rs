//! The team's board and missed-call queue while the app is joined to a relay
//! (the relay derives them and streams each change), the agent's claims, and
//! its status.

use super::messages::NoRelay;
use super::{Companion, ErrorCode, UiError};
use crate::reach::link::TeamWatch;
use crate::reach::relay::RelayError;
use crate::team::{StatusChange, TeamView};
use crate::words::{RelaySaid, Worded};
use std::sync::Arc;

impl Companion {
    /// The team's view as the relay last sent it; `None` when not joined to a relay.
    pub fn team(&self) -> TeamWatch {
        self.state.team.subscribe()
    }

    /// The view now (for a screen that opens).
    pub fn team_now(&self) -> Option<Arc<TeamView>> {
        self.state.team.borrow().clone()
    }

    /// "I'll call back" on the team's missed caller `phone`; what the relay
    /// said, in the agent's language.
    pub async fn claim_missed(&self, phone: &str) -> Result<String, UiError> {
        let relay = self.relay_or_explain().await?;
        let said = relay.claim(phone).await.map_err(refused)?;
        Ok(RelaySaid(said).in_language(self.language()))
    }

    /// Gives the missed caller `phone` back to the team's queue; what the
    /// relay said, in the agent's language.
    pub async fn release_missed(&self, phone: &str) -> Result<String, UiError> {
        let relay = self.relay_or_explain().await?;
        let said = relay.release(phone).await.map_err(refused)?;
        Ok(RelaySaid(said).in_language(self.language()))
    }

    /// Changes this agent's status on the relay (a break for a reason on the
    /// team's list, available again, after-call work ended).
    pub async fn set_status(&self, change: StatusChange) -> Result<(), UiError> {
        let relay = self.relay_or_explain().await?;
        relay.status(change).await.map_err(refused)?;
        Ok(())
    }

    pub(super) async fn relay_or_explain(
        &self,
    ) -> Result<crate::reach::link::RelayDialer, UiError> {
        self.relay_dialer()
            .await
            .ok_or_else(|| UiError::new(ErrorCode::Relay, &NoRelay))
    }
}

fn refused(error: RelayError) -> UiError {
    UiError::new(ErrorCode::Relay, &error)
}
