//! Pops as Windows toasts (WinRT, through the `windows` crate). Each call's
//! toast carries a tag in one group, so a ring is withdrawn from the screen and
//! the Action Center when the call is answered or missed; buttons come back
//! through the toast's `Activated` event while the app runs.
//!
//! Toasts of a desktop (unpackaged) app show under its AppUserModelID: the
//! installer registers [`APP_ID`] with a name and icon under
//! `HKCU\Software\Classes\AppUserModelId` (as the Windows Community Toolkit
//! does for unpackaged apps), and the process claims it at start.

use super::toast_xml::{tag, toast_xml};
use std::collections::HashSet;
use windows::core::{IInspectable, Interface, Ref, HSTRING};
use windows::Data::Xml::Dom::XmlDocument;
use windows::Foundation::TypedEventHandler;
use windows::UI::Notifications::{
    ToastActivatedEventArgs, ToastNotification, ToastNotificationManager,
};
use xvb_core::pbx::pop::{Pop, PopAction, PopKind};

/// The app's AppUserModelID (the bundle identifier in tauri.conf.json).
pub const APP_ID: &str = "com.xvb.companion";

/// The group every call's toast belongs to (withdrawn by tag within it).
const GROUP: &str = "calls";

/// The calls whose ring toast is up.
pub struct Desktop {
    ringing: HashSet<String>,
}

impl Default for Desktop {
    fn default() -> Desktop {
        // SAFETY: a plain Win32 call with a valid, NUL-terminated wide string.
        let claimed = unsafe {
            windows::Win32::UI::Shell::SetCurrentProcessExplicitAppUserModelID(&HSTRING::from(
                APP_ID,
            ))
        };
        if let Err(e) = claimed {
            tracing::warn!(error = %e, "could not set the app's AppUserModelID; toasts may show under another name");
        }
        Desktop {
            ringing: HashSet::new(),
        }
    }
}

impl Desktop {
    /// What to check when a pop could not be shown.
    pub const CHECK: &str =
        "are notifications on for XVB Companion (Settings, System, Notifications), and was it installed with its installer?";

    /// Removes the ring toast of `callid`, if one is up.
    pub async fn withdraw(&mut self, callid: &str) {
        if !self.ringing.remove(callid) {
            return;
        }
        let removed = ToastNotificationManager::History().and_then(|history| {
            history.RemoveGroupedTagWithId(
                &HSTRING::from(tag(callid)),
                &HSTRING::from(GROUP),
                &HSTRING::from(APP_ID),
            )
        });
        if let Err(e) = removed {
            tracing::warn!(error = %e, "could not withdraw a ring toast");
        }
    }

    /// Shows `pop` (tagged by `callid`); `chosen` gets the button or click, once.
    pub async fn show(
        &mut self,
        pop: &Pop,
        callid: Option<String>,
        chosen: impl FnOnce(PopAction) + Send + 'static,
    ) -> windows::core::Result<()> {
        let xml = XmlDocument::new()?;
        xml.LoadXml(&HSTRING::from(toast_xml(pop)))?;
        let toast = ToastNotification::CreateToastNotification(&xml)?;
        if let Some(callid) = &callid {
            toast.SetTag(&HSTRING::from(tag(callid)))?;
            toast.SetGroup(&HSTRING::from(GROUP))?;
        }
        let chosen = std::sync::Mutex::new(Some(chosen));
        let on_activated = move |_: Ref<ToastNotification>, args: Ref<IInspectable>| {
            let id = (*args)
                .as_ref()
                .and_then(|a| a.cast::<ToastActivatedEventArgs>().ok())
                .and_then(|a| a.Arguments().ok())
                .map(|a| a.to_string())
                .unwrap_or_default();
            if let Some(chosen) = chosen.lock().ok().and_then(|mut c| c.take()) {
                chosen(PopAction::from_id(&id));
            }
            Ok(())
        };
        toast.Activated(&TypedEventHandler::new(on_activated))?;
        ToastNotificationManager::CreateToastNotifierWithId(&HSTRING::from(APP_ID))?
            .Show(&toast)?;
        if let (PopKind::Ring, Some(callid)) = (pop.kind, callid) {
            self.ringing.insert(callid);
        }
        Ok(())
    }
}
