//! End-to-end tests of XVB Companion: the real `xvb` binary, the team relay,
//! the tunnel and the desktop app (under Xvfb and WebDriver, and installed
//! from its `.deb`), run as processes on loopback against stand-ins for the
//! PBX and the Linux desktop from the `xvb_e2e` library (`tests/src/`).
//!
//! One module per area, one binary for all (`cargo test -p xvb-e2e --test e2e`;
//! one area: `… --test e2e relay::`):
//!
//! - the CLI and its listener: [`listener`] (PBX captures over raw TCP; refusals are in-process in
//!   `crates/xvb-core/src/listener/tests.rs`),
//!   [`contacts`], [`sources`] (an LDAP directory), [`carddav`] (a CardDAV
//!   book on a relay), [`sources_cluster`] (sources on a relay cluster),
//!   [`crm`] (a CRM asked per caller), [`dialing`] (`makeCall`, the token in
//!   a keyring), [`recordings`], [`g722`], [`durability`] (`kill -9`),
//!   [`faults`] (a full disk, a locked or damaged database), [`pops`]
//!   (`xvb serve --notify` on a D-Bus session);
//! - reaching the agent: [`relay`] (the team relay), [`relay_cluster`] (relay nodes
//!   on PostgreSQL), [`tunnel`] (on a [`bore`] server), [`team`] (the board and the missed-call queue),
//!   [`notes`] (notes and tags through the relay, search, CSV export), [`groups`]
//!   (call-centre groups: each call to its group, the supervisor, the responsible);
//! - the desktop app: [`desktop`] (pop-ups, tray, history, dial pad, settings,
//!   player, relay mode), [`team_desktop`] (the Team view), [`notes_desktop`]
//!   (notes from the call detail and the player), [`contacts_desktop`] (the
//!   Contacts tab), [`reach_desktop`] (the reach wizard), [`hotkey_autostart`],
//!   [`package`] (the installed `.deb`);
//! - Windows: [`windows_app`] (the app under Wine, without its window) and
//!   [`windows_installer`], both ignored in the Linux leg.
//!
//! # Two targets
//!
//! `make test-windows` (part of `make test`) runs the headless areas again
//! against the Windows `xvb.exe` under Wine (`XVB_WINDOWS_EXE`, see
//! `xvb_e2e::agent::xvb_command`), plus the ignored installer test: one
//! suite, two builds.
//!
//! # Running side by side
//!
//! Tests of every area run at the same time, as many as there are cores
//! (`--test-threads`). To keep that safe:
//!
//! - A test that starts a D-Bus session, gnome-keyring, an X display or the
//!   app, or changes the machine (installs the `.deb`), calls
//!   `xvb_e2e::desktop::take_turn()` first and holds the turn to its end: such
//!   tests run one at a time. `DbusSession` and `Xvfb` panic without it.
//! - Every other test keeps to its own temporary data dir and loopback ports
//!   the system picks (`127.0.0.1:0`, `free_port()`). The one fixed port is
//!   bore's control port 7835: the tests that tunnel take turns on it
//!   (`bore::take_turn()`).
//! - No test changes this process's environment or working directory: a
//!   child gets its environment through `Agent::with_env` or
//!   `DbusSession::env()` (which gives it a private `HOME`, so autostart
//!   entries and keyrings never land in the real one).

mod attack;
mod bore;
mod carddav;
mod contacts;
mod contacts_desktop;
mod crm;
mod desktop;
mod dialing;
mod durability;
mod faults;
mod g722;
mod group_changes;
mod groups;
mod hotkey_autostart;
mod listener;
mod metrics;
mod notes;
mod notes_desktop;
mod package;
mod pops;
mod reach_desktop;
mod recordings;
mod relay;
mod relay_cluster;
mod reports;
mod reports_desktop;
mod sources;
mod sources_cluster;
mod sources_desktop;
mod team;
mod team_desktop;
mod tunnel;
mod wallboard;
mod windows_app;
mod windows_installer;
