//! Windows: the *Start with Windows* value under `HKCU\…\Run`, quoted.
//!
//! The autostart plugin writes `C:\Users\Jane Doe\…\xvb-companion.exe --minimized`
//! without quotes; Windows then looks for `C:\Users\Jane` and the app does not
//! start for anyone whose profile path has a space. The installer writes the
//! value quoted, and so does the app, right after the plugin has written its own.

/// The command line Windows runs at sign-in: the program's path in quotes, then its arguments.
#[cfg(any(windows, test))]
pub fn command_line(exe: &str, args: &[&str]) -> String {
    let mut line = format!("\"{exe}\"");
    for arg in args {
        line.push(' ');
        line.push_str(arg);
    }
    line
}

/// Rewrites the app's `Run` value (named after the app, as the installer names it) quoted.
#[cfg(windows)]
pub fn quote(app: &tauri::AppHandle, args: &[&str]) -> std::io::Result<()> {
    const RUN_KEY: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";
    let exe = std::env::current_exe()?;
    windows_registry::CURRENT_USER
        .create(RUN_KEY)
        .and_then(|key| {
            key.set_string(
                &app.package_info().name,
                command_line(&exe.display().to_string(), args),
            )
        })
        .map_err(std::io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::command_line;

    #[test]
    fn a_path_with_spaces_is_one_program_for_windows() {
        assert_eq!(
            command_line(
                r"C:\Users\Jane Doe\AppData\Local\XVB Companion\xvb-companion.exe",
                &["--minimized"]
            ),
            r#""C:\Users\Jane Doe\AppData\Local\XVB Companion\xvb-companion.exe" --minimized"#
        );
    }
}
