//! Stand-ins for an agent's Linux desktop, and the real app on it:
//!
//! - [`session`]: a private D-Bus session (with gnome-keyring) and an Xvfb display;
//! - [`notifications`], [`tray`]: the desktop's notification server and tray host,
//!   recording what the app shows;
//! - [`app`]: the real app under WebDriver on its own display;
//! - [`page`]: reading and acting on the app's page, as a person would.
//!
//! Tests that use any of these take turns: see [`take_turn`].

pub mod app;
pub mod notifications;
pub mod page;
pub mod session;
pub mod tray;

use std::cell::Cell;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Held by the test whose turn it is at the desktop.
static DESKTOP: Mutex<()> = Mutex::new(());

thread_local! {
    /// Whether this thread holds a [`DesktopTurn`].
    static HOLDING: Cell<bool> = const { Cell::new(false) };
}

/// This thread's turn at the desktop, until dropped; see [`take_turn`].
pub struct DesktopTurn {
    _held: MutexGuard<'static, ()>,
}

impl Drop for DesktopTurn {
    fn drop(&mut self) {
        HOLDING.with(|holding| holding.set(false));
    }
}

/// Waits until no other test of this process is at the desktop, and holds it
/// until the returned turn is dropped. A test that starts a D-Bus session,
/// gnome-keyring, an X display or the app, or that changes the machine itself
/// (installs a package), takes its turn first, for its whole length: then no two
/// such tests overlap, while tests of the CLI and the relay still run beside
/// them. [`session::DbusSession`] and [`session::Xvfb`] refuse to start without it.
///
/// A test that failed while holding the turn passes it on as usual.
pub fn take_turn() -> DesktopTurn {
    let held = DESKTOP.lock().unwrap_or_else(PoisonError::into_inner);
    HOLDING.with(|holding| holding.set(true));
    DesktopTurn { _held: held }
}

/// Panics unless this thread holds a [`DesktopTurn`]: `what` is about to start.
fn assert_turn_held(what: &str) {
    assert!(
        HOLDING.with(Cell::get),
        "starting {what} needs the desktop to itself: \
         call xvb_e2e::desktop::take_turn() first in the test (and hold it to the end)"
    );
}
