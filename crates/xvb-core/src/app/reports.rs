//! The Reports tab's figures: a supervisor's of the whole team (through the
//! relay), or the calls this computer has and the agent's own.

use super::{Companion, ErrorCode, UiError};
use crate::reports::{own_report, Report, ReportRequest};
use time::OffsetDateTime;

impl Companion {
    /// The team's figures (`team`: a supervisor's, from the relay), else this
    /// computer's calls and this agent's own, for the period `asked` says.
    pub async fn report(&self, asked: ReportRequest, team: bool) -> Result<Report, UiError> {
        if team {
            let relay = self.relay_or_explain().await?;
            return relay
                .report(asked)
                .await
                .map_err(|e| UiError::new(ErrorCode::Relay, &e));
        }
        let local = ReportRequest {
            group: None,
            ..asked
        };
        let ask = local
            .ask(OffsetDateTime::now_utc())
            .expect("no group, so nothing to refuse");
        let me = self.state.config.load().extension.clone();
        let calls = self
            .reader
            .lock()
            .expect("reader lock")
            .call_facts_between(ask.from, ask.to)?;
        Ok(own_report(&calls, me.as_deref(), &ask))
    }
}
