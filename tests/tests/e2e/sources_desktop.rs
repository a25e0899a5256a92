//! The app's Settings for contact sources under WebDriver: an LDAP directory
//! (slapd) added with the CLI is synced when the app starts and listed after
//! the contact book, a CRM after it as asked per caller (then when it last
//! answered); *Sync now* picks up a person added; a wrong password then says
//! so in English and in Russian while its copy stays (screenshots
//! `target/screenshots/sources-*.png`).

use xvb_e2e::crm::{add_crm, start_crm, CLIENT, TOKEN};
use xvb_e2e::desktop::app::{desktop_agent, Desktop};
use xvb_e2e::desktop::page::{choose_language, click, screenshot, wait_inner_text, wait_text};
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::ldap::{add_corp, people, Person, Slapd, READER_PASSWORD};

/// Brings the sources card into view (for the screenshot).
async fn show_sources(client: &fantoccini::Client) {
    client
        .execute(
            "document.querySelector('[data-testid=sources-card]').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_list_the_sources_sync_them_and_say_why_one_failed() {
    let _turn = take_turn();
    let slapd = Slapd::start(&people(50));
    let session = DbusSession::with_keyring();
    let env = session.env();
    let (agent, port) = desktop_agent(&env);
    add_corp(&agent, &slapd.url());
    let stored = agent.run_with_input(&["contacts", "source", "password", "corp"], READER_PASSWORD);
    assert!(stored.status.success());
    let (crm, _) = start_crm();
    add_crm(&agent, &crm);
    let stored = agent.run_with_input(&["contacts", "source", "password", "crm"], TOKEN);
    assert!(stored.status.success());
    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;

    // The app syncs its sources at start.
    click(client, "[data-tab=settings]").await;
    wait_text(client, "[data-source=local]", "Contact book").await;
    wait_text(client, "[data-source=corp]", "50 entries, 67 numbers").await;
    wait_text(client, "[data-source=crm]", "asked per caller").await;
    wait_text(client, "[data-source=crm]", "not asked yet").await;
    let asked = agent.ok(&["contacts", "lookup", CLIENT]);
    assert!(asked.contains("from the CRM"), "{asked}");
    slapd.add(&Person {
        uid: "new".into(),
        name: "Новикова Анна".into(),
        phones: vec!["8 (495) 999-00-11".into()],
        mobiles: Vec::new(),
        responsible: None,
    });
    click(client, "[data-testid=sync-sources]").await;
    wait_text(client, "[data-source=corp]", "51 entries, 68 numbers").await;
    wait_text(client, "[data-source=crm]", "last answered").await;
    wait_text(client, "[data-testid=sources-message]", "Synced.").await;

    let wrong = agent.run_with_input(&["contacts", "source", "password", "corp"], "wrong");
    assert!(wrong.status.success());
    click(client, "[data-testid=sync-sources]").await;
    wait_text(
        client,
        "[data-source=corp] [data-testid=source-error]",
        "refused the bind DN or the password; store the password again with `xvb contacts source password corp`",
    )
    .await;
    wait_text(client, "[data-source=corp]", "51 entries").await;
    wait_text(
        client,
        "[data-testid=sources-message]",
        "its last copy stays",
    )
    .await;
    show_sources(client).await;
    screenshot(client, "sources-en").await;

    choose_language(client, "ru").await;
    wait_inner_text(client, "[data-tab=settings]", "Настройки").await;
    wait_inner_text(
        client,
        "[data-source=corp] [data-testid=source-error]",
        "сервер отклонил DN для входа или пароль",
    )
    .await;
    wait_inner_text(
        client,
        "[data-testid=sources-message]",
        "осталась его прежняя копия",
    )
    .await;
    wait_inner_text(client, "[data-source=crm]", "последний ответ").await;
    show_sources(client).await;
    screenshot(client, "sources-ru").await;
    desktop.close().await;
}
