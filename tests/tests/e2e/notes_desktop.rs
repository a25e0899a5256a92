//! Notes in the desktop app: written from the call detail with the keyboard,
//! and stamped at a moment of the recording (the stamp seeks the player).
//!
//! Direct mode (no relay), tags from the settings: a note with a tag typed and
//! saved with the keyboard only (Tab, Space, Ctrl+Enter), seen by `xvb history
//! --json`; a note taken during a live call from the live view; *Note here* in
//! the player stamps a note, and the stamp seeks back to it; an edit; the
//! history's tag chips, tag filter and note search; *Export…* as CSV into
//! Downloads; all of it in English and Russian (screenshots under
//! `target/screenshots/notes-*.png`).

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Client;
use xvb_e2e::agent::Agent;
use xvb_e2e::desktop::app::{desktop_agent_with_downloads, Desktop};
use xvb_e2e::desktop::page::{
    choose_language, click, page_number, screenshot, type_into, wait_inner_text, wait_number,
    wait_text, wait_value,
};
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::pbx::{call_from_known_caller, post_to_webhook};

const DETAIL: &str = "[data-testid=call-detail]";
/// A caller's name longer than the history's row.
const LONG_NAME: &str = "Общество с ограниченной ответственностью «Рога и копыта — Северо-Западный филиал, отдел закупок»";
const NOTE_TEXT: &str = "[data-testid=call-detail] [data-testid=note-text]";
const DETAIL_AUDIO: &str = "document.querySelector('[data-testid=call-detail] audio')";

/// Stores, before the app starts, an answered call from [`LONG_NAME`] with
/// a note carrying three tags.
async fn store_long_named_call(agent: &Agent) {
    let path = xvb_core::config::DataDir::resolve(Some(agent.dir.path().to_path_buf()))
        .unwrap()
        .database_path();
    let writer = xvb_core::store::Writer::start(&path).unwrap();
    let mut call = call_from_known_caller("LONG-1", "100");
    call.phone = "79161112233".into();
    xvb_e2e::history::store_answered_call(&writer, &call, 30, None, Some(LONG_NAME)).await;
    let draft = xvb_core::notes::NoteDraft {
        id: None,
        callid: "LONG-1".into(),
        text: String::new(),
        tags: vec!["Call back".into(), "VIP".into(), "Wholesale".into()],
        at: None,
        key: None,
    };
    let write = xvb_core::store::NoteWrite::Author {
        draft,
        by: Some("100".into()),
    };
    writer.record_note(write, None).await.unwrap();
}

/// Presses `keys` together (the first held while the next are pressed) on the
/// focused element, as a keyboard does: `[Control, Enter]` is Ctrl+Enter.
async fn press(client: &Client, keys: &[Key]) {
    let mut actions = KeyActions::new("keyboard".into());
    for key in keys {
        actions = actions.then(KeyAction::Down {
            value: char::from(*key),
        });
    }
    for key in keys.iter().rev() {
        actions = actions.then(KeyAction::Up {
            value: char::from(*key),
        });
    }
    client.perform_actions(actions).await.expect("key presses");
}

/// What `script` (a JS expression) gives, as text.
async fn page_text(client: &Client, script: &str) -> String {
    let value = client
        .execute(&format!("return String({script})"), vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"));
    value.as_str().unwrap_or_default().to_owned()
}

/// The `testid` of the focused element (its `data-tag` for a tag chip).
async fn focused(client: &Client) -> String {
    page_text(
        client,
        "document.activeElement.dataset.tag || document.activeElement.dataset.testid",
    )
    .await
}

/// `xvb history --json`'s call `callid`.
fn stored_call(agent: &Agent, callid: &str) -> serde_json::Value {
    agent
        .history(&[])
        .into_iter()
        .find(|c| c["callid"] == callid)
        .unwrap_or_else(|| panic!("{callid} is not in the history"))
}

/// Sets the history's tag filter (a `<select>`) to `tag` (`""`: any tag).
async fn filter_by_tag(client: &Client, tag: &str) {
    let script = "const field = document.querySelector('[data-testid=history-tag]');
                  field.value = arguments[0];
                  field.dispatchEvent(new Event('change'));";
    client
        .execute(script, vec![serde_json::json!(tag)])
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_are_written_with_the_keyboard_and_stamped_in_the_recording() {
    let _turn = take_turn();
    let session = DbusSession::bare();
    let work = tempfile::tempdir().unwrap();
    // A one-minute recording as the PBX stores them (raw G.722), on a loopback "PBX".
    let body = std::fs::read(xvb_e2e::audio::synth_g722(
        work.path(),
        60,
        &["sine", "300-3000"],
    ))
    .unwrap();
    let (pbx_port, _seen) = xvb_e2e::pbx::serve_recording(body, Default::default());

    // The export lands in the folder XDG's user-dirs names.
    let (agent, port, env, downloads) = desktop_agent_with_downloads(&session.env(), work.path());
    agent.ok(&[
        "config",
        "set",
        "pbx_url",
        &format!("http://127.0.0.1:{pbx_port}/crm-api"),
    ]);
    agent.ok(&[
        "config",
        "set",
        "tags",
        "Sale=#2e7d32, Complaint, Call back, VIP, Wholesale",
    ]);
    let webhook = agent.ok(&["webhook-url"]).trim().to_owned();
    store_long_named_call(&agent).await;
    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;

    // A name longer than the row, with tag chips: the number stays in view,
    // the name is cut with an ellipsis, not squeezed out.
    wait_text(client, "[data-callid=LONG-1]", "+7 916 111-22-33").await;
    let row = "document.querySelector('[data-callid=LONG-1]')";
    wait_number(
        client,
        &format!(
            "const cell = {row}.querySelector('.who-cell').getBoundingClientRect();
             const number = {row}.querySelector('.number').getBoundingClientRect();
             return number.width > 0 && number.right <= cell.right + 0.5 ? 1 : 0"
        ),
        "the number inside its cell",
        |inside| inside == 1.0,
    )
    .await;
    let name_width = page_number(
        client,
        &format!("return {row}.querySelector('.who strong').getBoundingClientRect().width"),
    )
    .await;
    assert!(name_width > 100.0, "the name keeps room: {name_width} px");
    screenshot(client, "notes-long-name").await;

    // While talking: the live call's *Add note* opens it with the note field focused.
    let live = call_from_known_caller("NOTE-LIVE", "100");
    post_to_webhook(&webhook, &live.incoming(), None).await;
    post_to_webhook(&webhook, &live.answered(), None).await;
    wait_text(client, ".live", "In call with").await;
    click(client, "[data-callid=NOTE-LIVE] [data-testid=live-note]").await;
    wait_text(client, DETAIL, "+7 920 111-96-13").await;
    wait_number(
        client,
        "return document.activeElement?.dataset.testid === 'note-text' ? 1 : 0",
        "the note field focused",
        |yes| yes == 1.0,
    )
    .await;
    type_into(client, NOTE_TEXT, "Asked for the price list").await;
    press(client, &[Key::Control, Key::Enter]).await;
    wait_text(
        client,
        "[data-testid=call-detail] [data-testid=note]",
        "Asked for the price list",
    )
    .await;
    click(client, "[data-testid=detail-close]").await;

    // A completed call with a recording.
    let call = call_from_known_caller("NOTE-1", "100");
    let link = format!("http://127.0.0.1:{pbx_port}/ui/msg_download/NOTE-1.g722");
    post_to_webhook(&webhook, &call.incoming(), None).await;
    post_to_webhook(&webhook, &call.answered(), None).await;
    post_to_webhook(&webhook, &call.completed("Success", 60, Some(&link)), None).await;
    wait_text(client, "[data-callid=NOTE-1]", "Answered").await;

    // Keyboard only: type, Tab to the first tag, Space picks it, Ctrl+Enter saves.
    click(client, "[data-callid=NOTE-1] [data-testid=row-open]").await;
    wait_text(client, DETAIL, "No notes yet").await;
    type_into(client, NOTE_TEXT, "Wants the annual plan").await;
    press(client, &[Key::Tab]).await;
    assert_eq!(focused(client).await, "Sale", "Tab leads to the first tag");
    press(client, &[Key::Space]).await;
    wait_number(
        client,
        "return document.querySelector(\"[data-tag='Sale']\").getAttribute('aria-pressed') === 'true' ? 1 : 0",
        "Space picks the tag",
        |on| on == 1.0,
    )
    .await;
    press(client, &[Key::Control, Key::Enter]).await;
    let first = "[data-testid=call-detail] [data-testid=note]:nth-child(1)";
    wait_text(client, first, "Wants the annual plan").await;
    wait_inner_text(client, first, "Sale").await;
    wait_value(client, NOTE_TEXT, "").await;
    assert_eq!(
        page_text(
            client,
            "document.querySelector(\"[data-tag='Sale']\").getAttribute('aria-pressed')"
        )
        .await,
        "false",
        "the editor is cleared"
    );
    let stored = stored_call(&agent, "NOTE-1");
    let notes = stored["notes"].as_array().expect("notes in --json");
    assert_eq!(notes.len(), 1, "{stored:#}");
    assert_eq!(notes[0]["text"], "Wants the annual plan");
    assert_eq!(notes[0]["tags"], serde_json::json!(["Sale"]));
    assert_eq!(notes[0]["by"], "100");
    assert_eq!(stored["tags"], serde_json::json!(["Sale"]));

    // Play, jump ahead 20 s, *Note here*: the note is stamped there.
    click(
        client,
        "[data-testid=call-detail] [data-testid=player-toggle]",
    )
    .await;
    let time = format!("return {DETAIL_AUDIO}?.currentTime ?? -1");
    wait_number(client, &time, "playback starts", |t| t > 0.2).await;
    click(
        client,
        "[data-testid=call-detail] [data-testid=player-forward]",
    )
    .await;
    click(
        client,
        "[data-testid=call-detail] [data-testid=player-forward]",
    )
    .await;
    wait_number(client, &time, "20 s on", |t| t > 19.0).await;
    click(client, "[data-testid=call-detail] [data-testid=note-here]").await;
    wait_text(
        client,
        "[data-testid=call-detail] [data-testid=note-at]",
        "at 0:2",
    )
    .await;
    wait_number(
        client,
        "return document.activeElement?.dataset.testid === 'note-text' ? 1 : 0",
        "the note field focused after Note here",
        |yes| yes == 1.0,
    )
    .await;
    type_into(client, NOTE_TEXT, "Price objection here").await;
    press(client, &[Key::Control, Key::Enter]).await;
    let second = "[data-testid=call-detail] [data-testid=note]:nth-child(2)";
    wait_text(client, second, "Price objection here").await;
    let stamp = format!("{second} [data-testid=note-stamp]");
    wait_text(client, &stamp, "0:2").await;
    let at = page_number(
        client,
        &format!("return +document.querySelector({stamp:?}).dataset.at"),
    )
    .await;
    assert!((19.0..25.0).contains(&at), "stamped at {at}");
    let stored = stored_call(&agent, "NOTE-1");
    let saved_at = stored["notes"][1]["at"].as_f64().expect("at in --json");
    assert!((saved_at - at).abs() < 0.05, "{saved_at} vs {at}");

    // Further on, then the stamp: the player goes back to the note's moment.
    click(
        client,
        "[data-testid=call-detail] [data-testid=player-forward]",
    )
    .await;
    click(
        client,
        "[data-testid=call-detail] [data-testid=player-forward]",
    )
    .await;
    wait_number(client, &time, "40 s on", |t| t > at + 15.0).await;
    click(client, &stamp).await;
    let back = wait_number(
        client,
        &format!("return Math.abs(({DETAIL_AUDIO}?.currentTime ?? -99) - {at})"),
        "the stamp seeks the player to the note's moment",
        |off| off < 0.5,
    )
    .await;
    assert!(back < 0.5);
    wait_number(
        client,
        &format!("return {DETAIL_AUDIO}.paused ? 0 : 1"),
        "playing from the stamp",
        |playing| playing == 1.0,
    )
    .await;
    client
        .execute(&format!("{DETAIL_AUDIO}.pause()"), vec![])
        .await
        .unwrap();

    // An edit: the note keeps its place and says who edited it.
    click(client, &format!("{first} [data-testid=note-edit]")).await;
    wait_value(client, NOTE_TEXT, "Wants the annual plan").await;
    type_into(client, NOTE_TEXT, ", from January").await;
    press(client, &[Key::Control, Key::Enter]).await;
    wait_text(client, first, "Wants the annual plan, from January").await;
    wait_inner_text(client, first, "edited by 100").await;
    screenshot(client, "notes-en").await;
    click(client, "[data-testid=detail-close]").await;

    // A pop's *Add note* makes the page event `add-note`: the call opens in
    // full with its note field focused.
    client
        .execute(
            "window.__TAURI_INTERNALS__.invoke('plugin:event|emit', { event: 'add-note', payload: 'NOTE-1' })",
            vec![],
        )
        .await
        .unwrap();
    wait_number(
        client,
        "const detail = document.querySelector('[data-testid=call-detail]');
         return detail?.dataset.callid === 'NOTE-1'
           && document.activeElement?.dataset.testid === 'note-text' ? 1 : 0",
        "add-note opens the call with the note field focused",
        |yes| yes == 1.0,
    )
    .await;
    click(client, "[data-testid=detail-close]").await;

    // History: the call's tag as a chip; the tag filter and the search find notes.
    wait_inner_text(client, "[data-callid=NOTE-1] .who-cell", "Sale").await;
    filter_by_tag(client, "Complaint").await;
    wait_text(client, "[data-testid=history]", "No calls match").await;
    filter_by_tag(client, "Sale").await;
    wait_text(client, "[data-callid=NOTE-1]", "Answered").await;
    let rows = "return document.querySelectorAll('[data-testid=history] .row[data-callid]').length";
    wait_number(client, rows, "one call with Sale", |n| n == 1.0).await;

    // Export… with the filter set: one call, ',' between fields in English.
    click(client, "[data-testid=export]").await;
    let semicolon =
        "return document.querySelector('[data-testid=export-semicolon]').checked ? 1 : 0";
    assert_eq!(page_number(client, semicolon).await, 0.0, "',' in English");
    click(client, "[data-testid=export-go]").await;
    let said = wait_text(client, "[data-testid=export-result]", "Calls saved: 1 — ").await;
    screenshot(client, "notes-history-en").await;
    let csv = std::fs::read_dir(&downloads)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "csv"))
        .unwrap_or_else(|| panic!("no CSV in {}; the app said {said:?}", downloads.display()));
    assert!(said.contains(csv.to_str().unwrap()), "{said}");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.contains("Wants the annual plan, from January"),
        "{text}"
    );
    assert!(
        !text.contains("Asked for the price list"),
        "only the filtered call: {text}"
    );
    filter_by_tag(client, "").await;
    type_into(client, "[data-testid=search]", "price list").await;
    wait_number(client, rows, "the note search finds the live call", |n| {
        n == 1.0
    })
    .await;
    wait_text(client, "[data-testid=history]", "+7 920 111-96-13").await;
    assert!(
        client
            .find(fantoccini::Locator::Css("[data-callid=NOTE-LIVE]"))
            .await
            .is_ok(),
        "the call with that note"
    );

    // In Russian: the detail's notes and the export's ';' by default.
    choose_language(client, "ru").await;
    // (Back on Calls, the filters start over.)
    click(client, "[data-tab=calls]").await;
    wait_text(client, "[data-callid=NOTE-1]", "Отвечен").await;
    click(client, "[data-testid=export]").await;
    wait_number(client, semicolon, "';' by default in Russian", |on| {
        on == 1.0
    })
    .await;
    wait_text(client, "[data-testid=export-panel]", "Разделитель «;»").await;
    click(client, "[data-testid=export-go]").await;
    wait_text(client, "[data-testid=export-result]", "Сохранено звонков:").await;
    screenshot(client, "notes-history-ru").await;
    click(client, "[data-callid=NOTE-1] [data-testid=row-open]").await;
    wait_inner_text(client, DETAIL, "изменено: 100").await;
    wait_text(
        client,
        "[data-testid=call-detail] [data-testid=note-save]",
        "Сохранить (Ctrl+Enter)",
    )
    .await;
    click(
        client,
        "[data-testid=call-detail] [data-testid=player-toggle]",
    )
    .await;
    wait_number(client, &time, "playback starts", |t| t > 0.2).await;
    click(client, "[data-testid=call-detail] [data-testid=note-here]").await;
    wait_text(
        client,
        "[data-testid=call-detail] [data-testid=note-here]",
        "Заметка здесь",
    )
    .await;
    wait_text(
        client,
        "[data-testid=call-detail] [data-testid=note-at]",
        "на 0:0",
    )
    .await;
    client
        .execute(&format!("{DETAIL_AUDIO}.pause()"), vec![])
        .await
        .unwrap();
    screenshot(client, "notes-ru").await;
    desktop.close().await;
}
