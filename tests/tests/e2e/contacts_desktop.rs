//! The app's *Contacts* tab under WebDriver: a CSV with a bad line and a
//! vCard imported through the file field (the report read from the page), a
//! contact added, changed and removed, the book exported; then a ring pops
//! with the imported name on the recorded bus (screenshots under
//! `target/screenshots/contacts-*.png`).

use fantoccini::Locator;
use xvb_core::pbx::sim::SimCall;
use xvb_e2e::desktop::app::{desktop_agent_with_downloads, Desktop};
use xvb_e2e::desktop::notifications::NotificationRecorder;
use xvb_e2e::desktop::page::{
    choose_language, click, replace_text, screenshot, type_into, wait_text, WAIT,
};
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::pbx::{post_to_webhook, ACCESS_CODE};

const CSV: &str = "name,phone,responsible,crm_url\n\
                   Ольга Иванова,+7 916 123-45-67,101,https://crm.example/c/7\n\
                   Без номера,,,\n\
                   ООО Ромашка,8 (495) 765-43-21;8 495 765 43 22,,\n";

const VCARD: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Пётр Сидоров\r\nTEL;TYPE=CELL:+7 903 000-11-22\r\nEND:VCARD\r\n";

/// Gives the file field the file at `path`, as picking it in the dialog does.
async fn pick_file(client: &fantoccini::Client, path: &std::path::Path) {
    client
        .find(Locator::Css("[data-testid=contacts-file]"))
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_are_imported_edited_and_exported_and_the_pops_use_them() {
    let _turn = take_turn();
    let session = DbusSession::bare();
    let recorder = NotificationRecorder::start(&session.address).await;
    let files = tempfile::tempdir().unwrap();
    let (agent, port, env, downloads) = desktop_agent_with_downloads(&session.env(), files.path());
    let webhook = agent.ok(&["webhook-url"]).trim().to_owned();
    let (csv, vcard) = (files.path().join("book.csv"), files.path().join("card.vcf"));
    std::fs::write(&csv, CSV).unwrap();
    std::fs::write(&vcard, VCARD).unwrap();
    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;

    click(client, "[data-tab=contacts]").await;
    wait_text(client, "[data-testid=no-contacts]", "No contacts yet").await;
    pick_file(client, &csv).await;
    let report = wait_text(
        client,
        "[data-testid=import-report]",
        "Added 2, updated 0, skipped 1",
    )
    .await;
    assert!(
        report.contains("line 3: no phone number with digits"),
        "{report}"
    );
    pick_file(client, &vcard).await;
    wait_text(
        client,
        "[data-testid=import-report]",
        "Added 1, updated 0, skipped 0",
    )
    .await;
    let list = wait_text(client, "[data-testid=contacts]", "Пётр Сидоров").await;
    assert!(
        list.contains("+7 916 123-45-67") && list.contains("responsible: 101"),
        "{list}"
    );
    screenshot(client, "contacts-en").await;

    // Search by any spelling of a number.
    type_into(client, "[data-testid=contacts-search]", "8916").await;
    let found = wait_text(client, "[data-testid=contacts]", "Ольга Иванова").await;
    assert!(!found.contains("Ромашка"), "{found}");
    // Emptied as the agent does, with an input event (WebDriver's clear sends none).
    client
        .execute(
            "const field = document.querySelector('[data-testid=contacts-search]');
             field.value = '';
             field.dispatchEvent(new Event('input'));",
            vec![],
        )
        .await
        .unwrap();

    // Add one, change it, remove it; a bad one is refused with the reason.
    click(client, "[data-testid=contact-add]").await;
    type_into(client, "[data-field=contact-name]", "Новый клиент").await;
    type_into(client, "[data-field=contact-phones]", "abc").await;
    click(client, "[data-testid=contact-save]").await;
    wait_text(
        client,
        "[data-testid=contacts-error]",
        "phone `abc` has fewer than 2",
    )
    .await;
    replace_text(client, "[data-field=contact-phones]", "+7 999 000-00-01").await;
    click(client, "[data-testid=contact-save]").await;
    wait_text(client, "[data-testid=contacts]", "Новый клиент").await;
    let book = agent.ok(&["contacts", "list"]);
    assert!(
        book.contains("Новый клиент"),
        "the CLI's book is the same: {book}"
    );
    click_in_row(client, "Новый клиент", "contact-edit").await;
    replace_text(client, "[data-field=contact-name]", "Новый клиент (VIP)").await;
    click(client, "[data-testid=contact-save]").await;
    wait_text(client, "[data-testid=contacts]", "Новый клиент (VIP)").await;
    click_in_row(client, "Новый клиент", "contact-remove").await;
    wait_until_gone(client, "Новый клиент").await;

    click(client, "[data-testid=contacts-export]").await;
    let said = wait_text(
        client,
        "[data-testid=contacts-message]",
        "Contacts saved: 3",
    )
    .await;
    let exported = std::fs::read_to_string(downloads.join("contacts.csv")).unwrap();
    assert!(
        exported.contains("Ольга Иванова,+7 916 123-45-67,101"),
        "{said}\n{exported}"
    );

    choose_language(client, "ru").await;
    click(client, "[data-tab=contacts]").await;
    wait_text(client, "[data-testid=contacts]", "ответственный: 101").await;
    screenshot(client, "contacts-ru").await;

    // The listener answers from the same book: the ring pops with the name.
    let call = SimCall {
        access_code: ACCESS_CODE.into(),
        callid: "BOOK-1".into(),
        phone: "79161234567".into(),
        ext: "100".into(),
        line: None,
    };
    post_to_webhook(&webhook, &call.incoming(), None).await;
    recorder
        .wait_for_pop(WAIT, "Входящий звонок: Ольга Иванова")
        .await;
    desktop.close().await;
}

/// Clicks the button `testid` in the contact list's row that shows `name`.
async fn click_in_row(client: &fantoccini::Client, name: &str, testid: &str) {
    let button = format!("//tr[td[contains(., '{name}')]]//button[@data-testid='{testid}']");
    client
        .find(Locator::XPath(&button))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Waits until the contact list no longer shows `text`.
async fn wait_until_gone(client: &fantoccini::Client, text: &str) {
    let since = std::time::Instant::now();
    loop {
        let shown = client
            .find(Locator::Css("section.contacts"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if !shown.contains(text) {
            return;
        }
        assert!(since.elapsed() < WAIT, "{text} is still listed: {shown}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
