//! A private desktop session for the app and the CLI's keyring: a D-Bus session
//! bus of its own ([`DbusSession`], optionally with an unlocked gnome-keyring),
//! a virtual X display ([`Xvfb`]), and [`serve_on_bus`] for the stand-in desktop
//! services on that bus (the notification server, the tray host).
//!
//! Starting either needs this thread's [`DesktopTurn`](super::DesktopTurn) (see
//! [`super::take_turn`]): such tests run one at a time.

use super::assert_turn_held;
use crate::process::spawn_for_first_line;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A private D-Bus session bus (no service activation), optionally with an
/// unlocked gnome-keyring Secret Service on it. Both are stopped on drop.
pub struct DbusSession {
    dir: tempfile::TempDir,
    bus: Child,
    keyring: Option<Child>,
    /// `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
}

impl DbusSession {
    /// A bus with nothing on it.
    pub fn bare() -> DbusSession {
        assert_turn_held("a D-Bus session");
        let dir = tempfile::tempdir().expect("temp dir");
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("desktop/test-session-bus.conf");
        let (bus, address) = spawn_for_first_line(
            Command::new("dbus-daemon")
                .arg(format!("--config-file={}", config.display()))
                .args(["--nofork", "--print-address=1"]),
            "dbus-daemon (Debian package dbus; `make test` installs it)",
        );
        let runtime = dir.path().join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::set_permissions(
            &runtime,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        DbusSession {
            dir,
            bus,
            keyring: None,
            address,
        }
    }

    /// A bus with an unlocked gnome-keyring (password `pw`) serving org.freedesktop.secrets.
    pub fn with_keyring() -> DbusSession {
        let mut session = DbusSession::bare();
        session.start_keyring();
        session
    }

    /// Stops the keyring and starts a new one, as when its daemon restarts
    /// or another takes its place: the secrets stored in it are gone.
    pub fn replace_keyring(&mut self) {
        if let Some(mut old) = self.keyring.take() {
            let _ = old.kill();
            let _ = old.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.name_has_owner("org.freedesktop.secrets") {
            assert!(Instant::now() < deadline, "the old keyring left the bus");
            std::thread::sleep(Duration::from_millis(50));
        }
        self.start_keyring();
    }

    /// Starts an unlocked gnome-keyring on this bus and waits for its name.
    fn start_keyring(&mut self) {
        let session = self;
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .envs(session.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon starts (Debian package gnome-keyring; `make test` installs it)");
        let mut stdin = keyring.stdin.take().expect("piped");
        stdin.write_all(b"pw").unwrap();
        drop(stdin);
        session.keyring = Some(keyring);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !session.name_has_owner("org.freedesktop.secrets") {
            assert!(
                Instant::now() < deadline,
                "gnome-keyring did not appear on the bus"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn name_has_owner(&self, name: &str) -> bool {
        let out = Command::new("dbus-send")
            .args([
                "--session",
                "--dest=org.freedesktop.DBus",
                "--print-reply",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{name}"),
            ])
            .envs(self.env())
            .output()
            .expect("dbus-send runs");
        String::from_utf8_lossy(&out.stdout).contains("boolean true")
    }

    /// The environment a program needs to use this session (and a private HOME).
    pub fn env(&self) -> Vec<(String, String)> {
        let home = self.dir.path().join("home");
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.address.clone()),
            ("HOME".into(), home.display().to_string()),
            (
                "XDG_DATA_HOME".into(),
                home.join(".local/share").display().to_string(),
            ),
            (
                "XDG_RUNTIME_DIR".into(),
                self.dir.path().join("run").display().to_string(),
            ),
        ]
    }
}

impl Drop for DbusSession {
    fn drop(&mut self) {
        if let Some(keyring) = &mut self.keyring {
            let _ = keyring.kill();
            let _ = keyring.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// A virtual X display (Xvfb), stopped on drop.
pub struct Xvfb {
    child: Child,
    /// `:N`.
    pub display: String,
}

impl Xvfb {
    /// Starts Xvfb on a free display, 1280×800.
    pub fn start() -> Xvfb {
        assert_turn_held("an X display");
        let (child, number) = spawn_for_first_line(
            Command::new("Xvfb").args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ]),
            "Xvfb (Debian package xvfb; `make test` installs it)",
        );
        Xvfb {
            child,
            display: format!(":{number}"),
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Joins the bus at `address` as `name`, serving `object` at `path` (a stand-in
/// desktop service for the app under test).
pub async fn serve_on_bus(
    address: &str,
    name: &'static str,
    path: &'static str,
    object: impl zbus::object_server::Interface,
) -> zbus::Connection {
    zbus::connection::Builder::address(address)
        .expect("bus address")
        .name(name)
        .expect("name")
        .serve_at(path, object)
        .expect("object")
        .build()
        .await
        .unwrap_or_else(|e| panic!("{name} joins the bus: {e}"))
}
