//! Stand-ins for an agent's Linux desktop, and the real app on it:
//!
//! - [`session`]: a private D-Bus session (with gnome-keyring) and an Xvfb display;
//! - [`notifications`], [`tray`]: the desktop's notification server and tray host,
//!   recording what the app shows;
//! - [`app`]: the real app under WebDriver on its own display;
//! - [`page`]: reading and acting on the app's page, as a person would.

pub mod app;
pub mod notifications;
pub mod page;
pub mod session;
pub mod tray;
