//! Helpers for the end-to-end tests (`tests/e2e/`) and the benches
//! (`benches/`): each module stands in for one thing the real XVB Companion
//! meets outside itself, or runs the real thing.
//!
//! - [`agent`]: the `xvb` processes under test. [`agent::Agent`] is a fresh data
//!   dir and the commands run on it (`xvb serve`, `xvb relay serve`,
//!   `xvb sim pbx`, any other); [`agent::Served`] a running one whose output
//!   lines can be awaited and to which captures can be replayed.
//! - [`pbx`]: the cloud PBX. Its captured requests (`fixtures/pbx/`) and account,
//!   the webhook POSTs it makes, a raw `makeCall` endpoint ([`pbx::FakePbx`]) and
//!   its web UI serving call recordings ([`pbx::serve_recording`]).
//! - [`history`]: calls written straight into a data dir's database, as if the
//!   PBX had posted them.
//! - [`book`]: a contact book of generated clients in a data dir's database.
//! - [`browser`]: headless Chromium under chromedriver, for the relay's wallboard.
//! - [`cut`]: a TCP relay that holds a server's answer at a set byte, to stop the server there.
//! - [`crm`]: a stand-in CRM API (amoCRM's shape) on loopback.
//! - [`clock`]: a wall clock the test sets (libfaketime), for a scripted day.
//! - [`keyring`]: what the OS keyring holds, read with its own tools.
//! - [`audio`]: recordings made and decoded by ffmpeg and sox (the G.722 oracle).
//! - [`desktop`]: the agent's Linux desktop. A private D-Bus session with
//!   gnome-keyring and an Xvfb display ([`desktop::session`]), the notification
//!   server ([`desktop::notifications`]) and tray host ([`desktop::tray`]), the
//!   real app under WebDriver ([`desktop::app`]) and its page
//!   ([`desktop::page`]). Tests that use it take turns: [`desktop::take_turn`].
//! - [`fleet`]: thousands of agents as WebSocket clients of a relay, for the benches.
//! - [`haproxy`]: HAProxy balancing relay nodes.
//! - [`postgres`]: a private PostgreSQL cluster (and synchronous standby) per test.
//! - [`prometheus`]: Prometheus scraping relay nodes' metrics, asked PromQL.
//! - [`ldap`]: a private OpenLDAP `slapd` with generated people per test.
//! - [`radicale`]: a private CardDAV server (Radicale) with one address book per test.
//! - [`tls`]: a test CA and the servers' certificates it signs.
//! - [`process`]: plumbing: programs that must succeed, a polite stop, free
//!   loopback ports, a runtime to wait on a future, a process's memory.

#![warn(missing_docs)]

pub mod agent;
pub mod audio;
pub mod book;
pub mod browser;
pub mod clock;
pub mod crm;
pub mod cut;
pub mod desktop;
pub mod fleet;
pub mod haproxy;
pub mod history;
pub mod keyring;
pub mod ldap;
pub mod pbx;
pub mod postgres;
pub mod process;
pub mod prometheus;
pub mod radicale;
pub mod tls;
