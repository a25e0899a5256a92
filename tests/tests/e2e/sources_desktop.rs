//! The app's Settings for contact sources under WebDriver: an LDAP directory
//! (slapd) added with the CLI is synced when the app starts and listed after
//! the contact book, a CRM after it as asked per caller (then when it last
//! answered); *Sync now* picks up a person added; a wrong password then says
//! so in English and in Russian while its copy stays (screenshots
//! `target/screenshots/sources-*.png`). A directory added from the form
//! (a wrong URL refused beside it first) is synced with the password it put
//! in the keyring, then removed (`source-form-*.png`).

use xvb_e2e::crm::{add_crm, start_crm, CLIENT, TOKEN};
use xvb_e2e::desktop::app::{desktop_agent, Desktop};
use xvb_e2e::desktop::page::{
    choose_language, click, replace_text, screenshot, type_into, wait_inner_text, wait_number,
    wait_text,
};
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::ldap::{add_corp, people, Person, Slapd, BASE, READER_DN, READER_PASSWORD};

/// Brings the sources card into view (for the screenshot).
async fn show_sources(client: &fantoccini::Client) {
    show(client, "[data-testid=sources-card]").await;
}

/// Scrolls the element `css` into view.
async fn show(client: &fantoccini::Client, css: &str) {
    client
        .execute(
            &format!("document.querySelector('{css}').scrollIntoView();"),
            vec![],
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_added_from_the_form_syncs_and_can_be_removed() {
    let _turn = take_turn();
    let slapd = Slapd::start(&people(30));
    let session = DbusSession::with_keyring();
    let env = session.env();
    let (agent, port) = desktop_agent(&env);
    let desktop = Desktop::launch(&agent, &env, port).await;
    let client = &desktop.client;
    click(client, "[data-tab=settings]").await;
    click(client, "[data-testid=add-source]").await;

    // Not an LDAP URL: refused beside the form, nothing added.
    type_into(client, "[data-field=source-name]", "corp").await;
    type_into(client, "[data-field=source-url]", "dc1.corp.example").await;
    type_into(client, "[data-field=source-base]", BASE).await;
    click(client, "[data-testid=source-add]").await;
    wait_text(
        client,
        "[data-testid=source-form-error]",
        "the URL must start with ldap:// or ldaps://, then the server's name, not `dc1.corp.example`",
    )
    .await;
    replace_text(client, "[data-field=source-url]", &slapd.url()).await;
    type_into(client, "[data-field=source-bind-dn]", READER_DN).await;
    type_into(
        client,
        "[data-field=source-responsible-attr]",
        "employeeNumber",
    )
    .await;
    type_into(client, "[data-field=source-password]", READER_PASSWORD).await;
    show(client, "[data-testid=source-form]").await;
    screenshot(client, "source-form-en").await;
    click(client, "[data-testid=source-add]").await;
    wait_text(client, "[data-source=corp]", "30 entries, 40 numbers").await;
    // The password is in the keyring: the CLI syncs with it too.
    let (ok, said) = agent.attempt(&["contacts", "sync"]);
    assert!(ok && said.contains("corp: 30 entries"), "{said}");

    choose_language(client, "ru").await;
    wait_inner_text(client, "[data-tab=settings]", "Настройки").await;
    click(client, "[data-testid=add-source]").await;
    wait_inner_text(client, "[data-testid=source-form]", "База поиска").await;
    show(client, "[data-testid=source-form]").await;
    screenshot(client, "source-form-ru").await;

    click(client, "[data-source=corp] [data-testid=source-remove]").await;
    click(client, "[data-source=corp] [data-testid=source-remove-yes]").await;
    wait_number(
        client,
        "return document.querySelectorAll('[data-source=corp]').length;",
        "corp removed",
        |n| n == 0.0,
    )
    .await;
    let lookup = agent.ok(&["contacts", "lookup", "74951000005"]);
    assert!(lookup.contains("no source knows it"), "{lookup}");
    desktop.close().await;
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
