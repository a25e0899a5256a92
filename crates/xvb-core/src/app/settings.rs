//! The settings screen: what it shows (the settings, the webhook URL, which
//! secrets are stored, the reach line), saving all or nothing, and secrets.

use super::{Companion, ErrorCode, SettingsView, UiError};
use crate::pbx::pop::Language;
use crate::reach::tunnel::TunnelStatus;
use crate::reach::Reach;
use crate::secret::{Secret, SecretKind, SecretState, TokenStore};
use crate::words::Worded;
use std::sync::Arc;

impl Companion {
    /// What the settings screen shows.
    pub async fn settings(&self) -> SettingsView {
        let config = self.config();
        let listening = self.listener.lock().await.as_ref().map(|l| l.addr);
        let reach = self.reach.borrow().clone();
        let mut shown = (*config).clone();
        if let Some(addr) = listening {
            shown.listen = addr;
        }
        if let Reach::Tunnel {
            tunnel: TunnelStatus::Open { url },
        } = &reach
        {
            shown.public_url.get_or_insert_with(|| url.clone());
        }
        let account = config.access_code.clone();
        let language = Language::pick(config.language.as_deref());
        let needs = [
            (true, SecretKind::PbxToken),
            (
                config.recordings_user.is_some(),
                SecretKind::RecordingsPassword,
            ),
            (config.tunnel_server.is_some(), SecretKind::TunnelSecret),
        ];
        let [token, recordings_password, tunnel_secret] = tokio::task::spawn_blocking(move || {
            needs.map(|(needed, kind)| match needed {
                true => SecretState::of(account.as_deref(), kind, language),
                false => SecretState::NotNeeded,
            })
        })
        .await
        .unwrap_or_else(|e| {
            let unknown = SecretState::Unknown {
                reason: e.in_language(language),
            };
            [unknown.clone(), unknown.clone(), unknown]
        });
        SettingsView {
            webhook_url: shown.webhook_url(),
            config: (*config).clone(),
            token,
            recordings_password,
            tunnel_secret,
            reach: reach.for_window(language),
            refused: self
                .state
                .refusals
                .watch()
                .borrow()
                .clone()
                .map(|refused| refused.in_language(language)),
            language,
        }
    }

    /// Validates and saves changed settings (`key`, text) all or nothing; restarts
    /// the listener when its address changed. History is untouched.
    pub async fn save_settings(
        &self,
        changes: Vec<(String, String)>,
    ) -> Result<SettingsView, UiError> {
        let before = self.config();
        let mut config = (*before).clone();
        // What is saved starts from the file, not from the settings in use: in
        // relay mode those carry the relay's extension, which is not the agent's setting.
        let mut saved = self.data.load_config()?;
        for (key, value) in &changes {
            for settings in [&mut config, &mut saved] {
                settings
                    .set(key, value)
                    .map_err(|e| UiError::in_field(ErrorCode::Config, key, &e))?;
            }
        }
        let relisten = config.listen != before.listen
            || config.tunnel_server != before.tunnel_server
            || config.tunnel_port != before.tunnel_port;
        self.state.config.store(Arc::new(config.clone()));
        if relisten {
            if let Err(e) = self.start_reach().await {
                // Keep the old settings, and the listener on the old address.
                self.state.config.store(before);
                return Err(e);
            }
        }
        self.data.save_config(&saved)?;
        Ok(self.settings().await)
    }

    /// Stores a secret of the account in the keyring. A new tunnel secret
    /// re-opens the tunnel in use with it.
    pub async fn set_secret(&self, kind: SecretKind, value: String) -> Result<(), UiError> {
        let config = self.config();
        let account = config.access_code.clone();
        tokio::task::spawn_blocking(move || {
            TokenStore::of_kind(account.as_deref(), kind)?.store(&Secret::new(value)?)
        })
        .await??;
        if kind == SecretKind::TunnelSecret
            && config.tunnel_server.is_some()
            && config.relay_url.is_none()
        {
            self.start_reach().await?;
        }
        Ok(())
    }

    /// Removes a secret of the account from the keyring.
    pub async fn clear_secret(&self, kind: SecretKind) -> Result<(), UiError> {
        let account = self.config().access_code.clone();
        tokio::task::spawn_blocking(move || TokenStore::of_kind(account.as_deref(), kind)?.clear())
            .await??;
        Ok(())
    }
}
