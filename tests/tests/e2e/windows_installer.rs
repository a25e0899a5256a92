//! The Windows installer (`make windows`), installed silently into a fresh Wine
//! prefix and uninstalled again: files, Start-menu entry, `tel:`/`callto:`,
//! autostart and toast registration in place, then gone — the agent's data kept.
//! Windows leg only (`make test-windows` passes the installer's path); the app's
//! window itself cannot run under Wine (no WebView2).

use std::path::{Path, PathBuf};
use std::process::Command;
use xvb_e2e::agent::WINDOWS_EXE_ENV;
use xvb_e2e::process::run_checked;

const INSTALLER_ENV: &str = "XVB_WINDOWS_INSTALLER";

/// A private Wine prefix and the commands run in it.
struct Prefix {
    dir: tempfile::TempDir,
}

impl Prefix {
    fn new() -> Prefix {
        let prefix = Prefix {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        run_checked(&mut prefix.wine(["wineboot", "-i"]));
        prefix
    }

    fn wine<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(&self, args: I) -> Command {
        let mut wine =
            Command::new(std::env::var_os("WINE").unwrap_or_else(|| "/usr/lib/wine/wine64".into()));
        wine.args(args).env("WINEPREFIX", self.dir.path());
        wine
    }

    /// Waits until every process of the prefix has ended (the uninstaller
    /// re-launches itself from a temporary copy and returns at once).
    fn settle(&self) {
        run_checked(
            Command::new("/usr/lib/wine/wineserver")
                .arg("-w")
                .env("WINEPREFIX", self.dir.path()),
        );
    }

    /// `C:\users\<user>` as a Linux path.
    fn user_dir(&self) -> PathBuf {
        let users = self.dir.path().join("drive_c/users");
        std::fs::read_dir(&users)
            .expect("wineboot made the users")
            .map(|e| e.unwrap().path())
            .find(|p| !p.ends_with("Public"))
            .expect("the user's profile")
    }

    /// A registry value as `reg query` prints it, or `None` if it is not there.
    fn reg(&self, key: &str, value: Option<&str>) -> Option<String> {
        let mut query = self.wine(["reg", "query", key]);
        match value {
            Some(name) => query.args(["/v", name]),
            None => query.arg("/ve"),
        };
        let out = query.output().expect("wine reg runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (out.status.success() && text.contains("REG_")).then_some(text)
    }
}

fn installer() -> PathBuf {
    std::env::var_os(INSTALLER_ENV)
        .map(PathBuf::from)
        .expect("XVB_WINDOWS_INSTALLER: run through `make test-windows`")
}

#[test]
#[ignore = "the Windows leg: `make test-windows` builds the installer and runs this"]
fn the_installer_puts_the_app_in_place_registers_links_and_uninstalls_cleanly() {
    let prefix = Prefix::new();
    // An agent's call history from before: the uninstaller must not touch it.
    let data = prefix.user_dir().join("AppData/Roaming/xvb-companion/data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("xvb.sqlite3"), b"history").unwrap();

    run_checked(&mut prefix.wine([installer().as_os_str(), "/S".as_ref()]));
    prefix.settle();

    let installed = prefix
        .user_dir()
        .join("AppData/Local/Programs/xvb-companion");
    for file in [
        "xvb-companion.exe",
        "xvb.exe",
        "WebView2Loader.dll",
        "xvb-companion.ico",
        "uninstall.exe",
    ] {
        assert!(installed.join(file).is_file(), "{file} installed");
    }
    let shortcut = prefix
        .user_dir()
        .join("AppData/Roaming/Microsoft/Windows/Start Menu/Programs/XVB Companion.lnk");
    assert!(shortcut.is_file(), "Start-menu entry");

    let exe = r"C:\users\".to_owned()
        + prefix.user_dir().file_name().unwrap().to_str().unwrap()
        + r"\AppData\Local\Programs\xvb-companion\xvb-companion.exe";
    for scheme in ["tel", "callto"] {
        let command = prefix
            .reg(
                &format!(r"HKCU\Software\Classes\{scheme}\shell\open\command"),
                None,
            )
            .unwrap_or_else(|| panic!("{scheme}: registered"));
        assert!(command.contains(&format!("\"{exe}\" \"%1\"")), "{command}");
        assert!(prefix
            .reg(
                &format!(r"HKCU\Software\Classes\{scheme}"),
                Some("URL Protocol")
            )
            .is_some());
    }
    let run = prefix
        .reg(
            r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run",
            Some("XVB Companion"),
        )
        .expect("starts with Windows");
    assert!(run.contains(&format!("\"{exe}\" --minimized")), "{run}");
    let toasts = prefix
        .reg(
            r"HKCU\Software\Classes\AppUserModelId\com.xvb.companion",
            Some("DisplayName"),
        )
        .expect("toasts registered");
    assert!(toasts.contains("XVB Companion"), "{toasts}");
    // Wine has no WebView2: the installer noticed and said so.
    let webview = prefix
        .reg(r"HKCU\Software\XVB Companion", Some("WebView2"))
        .unwrap();
    assert!(webview.contains("missing"), "{webview}");

    // `xvb` is on the user's PATH (once) for a new terminal.
    let install_dir = exe.trim_end_matches(r"\xvb-companion.exe").to_owned();
    let path = prefix
        .reg(r"HKCU\Environment", Some("Path"))
        .expect("a user PATH");
    assert_eq!(path.matches(&install_dir).count(), 1, "{path}");

    // The installed command line runs (with the test-only Wine shim beside it for the check).
    installed_cli_runs(&prefix, &installed);

    run_checked(&mut prefix.wine([installed.join("uninstall.exe").as_os_str(), "/S".as_ref()]));
    prefix.settle();
    assert!(!installed.exists(), "the program folder is removed");
    assert!(!shortcut.exists(), "the Start-menu entry is removed");
    for scheme in ["tel", "callto"] {
        assert_eq!(
            prefix.reg(
                &format!(r"HKCU\Software\Classes\{scheme}\shell\open\command"),
                None
            ),
            None
        );
    }
    assert_eq!(
        prefix.reg(
            r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run",
            Some("XVB Companion")
        ),
        None
    );
    assert_eq!(
        prefix.reg(r"HKCU\Software\XVB Companion", Some("InstallDir")),
        None
    );
    assert!(
        !prefix
            .reg(r"HKCU\Environment", Some("Path"))
            .unwrap_or_default()
            .contains(&install_dir),
        "off the PATH again"
    );
    assert_eq!(
        std::fs::read(data.join("xvb.sqlite3")).unwrap(),
        b"history",
        "the agent's history stays"
    );
}

fn installed_cli_runs(prefix: &Prefix, installed: &Path) {
    let shim = PathBuf::from(std::env::var_os(WINDOWS_EXE_ENV).unwrap())
        .with_file_name("bcryptprimitives.dll");
    let beside = installed.join("bcryptprimitives.dll");
    std::fs::copy(shim, &beside).unwrap();
    let out = prefix
        .wine([installed.join("xvb.exe").as_os_str(), "--version".as_ref()])
        .output()
        .unwrap();
    std::fs::remove_file(beside).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "xvb 0.1.0");
}
