//! Pops as freedesktop notifications over one D-Bus connection
//! ([`xvb_core::notifications::Screen`]): a ring pop never times out and is
//! closed by its id when the call is answered or missed.

use xvb_core::notifications::{Error, Screen};
use xvb_core::pbx::pop::{Pop, PopAction};

/// The desktop's notification server.
#[derive(Default)]
pub struct Desktop(Screen);

impl Desktop {
    /// What to check when a pop could not be shown.
    pub const CHECK: &str = "is a notification server running (the desktop's, or dunst)?";

    /// Closes the ring pop of `callid`, if one is up.
    pub async fn withdraw(&mut self, callid: &str) {
        self.0.withdraw(callid).await;
    }

    /// Shows `pop` (kept by `callid` when it rings); `chosen` gets the button or click, once.
    pub async fn show(
        &mut self,
        pop: &Pop,
        callid: Option<String>,
        chosen: impl FnOnce(PopAction) + Send + 'static,
    ) -> Result<(), Error> {
        let picked = self.0.show(pop, callid).await?;
        tauri::async_runtime::spawn(async move {
            if let Some(action) = picked.await {
                chosen(action);
            }
        });
        Ok(())
    }
}
