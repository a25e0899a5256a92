//! The dial hotkey and *Start with the system*, in the real app under Xvfb:
//! text put into the X selections with xclip, keys pressed with xdotool, a
//! shortcut held by another X client (xbindkeys), the XDG autostart entry.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use xvb_e2e::desktop::app::{desktop_agent, Desktop};
use xvb_e2e::desktop::page::{click, type_into, wait_text, wait_value, DIAL_INPUT, WAIT};
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::process::terminate;

/// Puts `text` into an X selection (`clipboard` or `primary`) of `display`.
fn select(display: &str, selection: &str, text: &str) {
    let mut xclip = Command::new("xclip")
        .args(["-selection", selection, "-i"])
        .env("DISPLAY", display)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("xclip runs (`make test` installs it)");
    use std::io::Write;
    xclip
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    // xclip forks a child that keeps serving the selection; the parent ends.
    xclip.wait().unwrap();
}

fn press(display: &str, keys: &str) {
    let status = Command::new("xdotool")
        .args(["key", keys])
        .env("DISPLAY", display)
        .status()
        .expect("xdotool runs (`make test` installs it)");
    assert!(status.success());
}

/// Another program holding Ctrl+Alt+K on `display` (xbindkeys); returns once its grab works.
fn hold_shortcut(display: &str, dir: &Path) -> Child {
    let fired = dir.join("xbindkeys-fired");
    let rc = dir.join("xbindkeysrc");
    std::fs::write(
        &rc,
        format!("\"touch {}\"\n  Control+Alt + k\n", fired.display()),
    )
    .unwrap();
    let child = Command::new("xbindkeys")
        .args(["-n", "-f", rc.to_str().unwrap()])
        .env("DISPLAY", display)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("xbindkeys runs (`make test` installs it)");
    let deadline = Instant::now() + WAIT;
    while !fired.exists() {
        assert!(Instant::now() < deadline, "xbindkeys never took Ctrl+Alt+K");
        press(display, "ctrl+alt+k");
        std::thread::sleep(Duration::from_millis(200));
    }
    child
}

/// Records Ctrl+Alt+`key` in Settings' hotkey field, as the agent presses it, and saves.
async fn set_hotkey(client: &fantoccini::Client, key: char) {
    use fantoccini::key::Key;
    click(client, "[data-tab=settings]").await;
    // Half a combination, or a key alone, is not taken.
    let field = client
        .wait()
        .at_most(WAIT)
        .for_element(fantoccini::Locator::Css("[data-field=dial_hotkey]"))
        .await
        .unwrap();
    let before = field.prop("value").await.unwrap();
    type_into(
        client,
        "[data-field=dial_hotkey]",
        &format!("{}", Key::Control),
    )
    .await;
    type_into(client, "[data-field=dial_hotkey]", "q").await;
    assert_eq!(field.prop("value").await.unwrap(), before);
    type_into(
        client,
        "[data-field=dial_hotkey]",
        &format!("{}{}{key}", Key::Control, Key::Alt),
    )
    .await;
    let shortcut = format!("Ctrl+Alt+{}", key.to_ascii_uppercase());
    wait_value(client, "[data-field=dial_hotkey]", &shortcut).await;
    click(client, "[data-testid=save-settings]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hotkey_dials_the_selection_and_autostart_writes_its_entry() {
    let _turn = take_turn();
    let session = DbusSession::bare();
    // The app gets a private HOME: the autostart entry goes to $HOME/.config/autostart.
    let env = session.env();
    let home = env
        .iter()
        .find(|(k, _)| k == "HOME")
        .map(|(_, v)| v.clone())
        .unwrap();
    let (agent, port) = desktop_agent(&env);
    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;
    let display = desktop.display().to_owned();

    // The default shortcut takes the clipboard when nothing is selected.
    select(
        &display,
        "clipboard",
        "Please call +7 (920) 111-96-13 today, not 101",
    );
    press(&display, "ctrl+alt+d");
    wait_value(client, DIAL_INPUT, "+7 (920) 111-96-13").await;

    // A selection wins over the clipboard; a selection without a number says so.
    select(&display, "primary", "ext 101, room 12");
    press(&display, "ctrl+alt+d");
    wait_text(
        client,
        "[data-testid=dial-notice]",
        "no phone number in the selected text: ext 101, room 12",
    )
    .await;
    wait_value(client, DIAL_INPUT, "").await;
    select(&display, "primary", "Клиент: 8 920 111-22-33 (Анна)");
    press(&display, "ctrl+alt+d");
    wait_value(client, DIAL_INPUT, "8 920 111-22-33").await;

    // A shortcut another program holds is reported in settings, not ignored.
    let work = tempfile::tempdir().unwrap();
    let mut other = hold_shortcut(&display, work.path());
    set_hotkey(client, 'k').await;
    wait_text(
        client,
        "[data-error=dial_hotkey]",
        "Ctrl+Alt+K is already used by another program, so it does not dial; choose another shortcut",
    )
    .await;
    // The rest of the settings were saved all the same, and it says so.
    wait_text(client, "[data-testid=settings-message]", "Saved").await;
    terminate(&mut other);
    // Another one works, and the old one no longer does anything.
    set_hotkey(client, 'j').await;
    wait_text(client, "[data-testid=settings-message]", "Saved").await;
    assert!(client
        .find(fantoccini::Locator::Css("[data-error=dial_hotkey]"))
        .await
        .is_err());
    assert!(agent
        .ok(&["config", "show"])
        .contains("dial_hotkey = \"Ctrl+Alt+J\""));
    select(&display, "primary", "+7 900 555-44-33");
    press(&display, "ctrl+alt+j");
    wait_value(client, DIAL_INPUT, "+7 900 555-44-33").await;

    // Start with the system: an XDG autostart entry that starts in the tray; off removes it.
    click(client, "[data-tab=settings]").await;
    click(client, "[data-testid=autostart]").await;
    let autostart = Path::new(&home).join(".config/autostart");
    let deadline = Instant::now() + WAIT;
    let entry = loop {
        let found = std::fs::read_dir(&autostart)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "desktop"));
        if let Some(entry) = found {
            break entry;
        }
        assert!(Instant::now() < deadline, "no autostart entry written");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let text = std::fs::read_to_string(&entry).unwrap();
    assert!(
        text.contains("xvb-companion --minimized"),
        "starts minimised to the tray: {text}"
    );
    click(client, "[data-testid=autostart]").await;
    let deadline = Instant::now() + WAIT;
    while entry.exists() {
        assert!(Instant::now() < deadline, "the autostart entry stayed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    desktop.close().await;
}
