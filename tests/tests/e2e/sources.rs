//! Caller names from the company's LDAP directory (Debian's `slapd`, started
//! by the test with a few thousand people, Cyrillic names, numbers in several
//! spellings): synced into the book, `cmd=contact` answered from it with the
//! responsible extension, and its last copy kept through a wrong password and
//! a server that is down; a person added and one removed picked up next time;
//! the order of sources decides who answers; a server stopped halfway through
//! a sync leaves the last copy whole; `ldaps://` trusted only with the
//! company CA.

use xvb_e2e::agent::Agent;
use xvb_e2e::cut::Cut;
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::ldap::{add_corp, newcomer, people, Slapd, READER_PASSWORD};
use xvb_e2e::pbx::{ask_contact, await_contact};

const PEOPLE: usize = 3_000;

fn set_password(agent: &Agent, password: &str) {
    let out = agent.run_with_input(&["contacts", "source", "password", "corp"], password);
    assert!(out.status.success(), "{out:?}");
}

/// `xvb contacts sync`: whether it succeeded, and what it said.
fn sync(agent: &Agent) -> (bool, String) {
    agent.attempt(&["contacts", "sync"])
}

#[test]
fn an_ldap_directory_names_callers_and_outlives_its_outages() {
    let _turn = take_turn();
    let directory = people(PEOPLE);
    let mut slapd = Slapd::start(&directory);
    let session = DbusSession::with_keyring();
    let agent = Agent::with_env("100", session.env());
    add_corp(&agent, &slapd.url());
    set_password(&agent, READER_PASSWORD);
    let (ok, said) = sync(&agent);
    // Every person has a phone, every third a mobile too.
    let numbers = PEOPLE + PEOPLE / 3;
    assert!(ok, "{said}");
    assert!(
        said.contains(&format!("corp: {PEOPLE} entries, {numbers} numbers")),
        "{said}"
    );

    // `+7 (495) 100-00-00` in the directory, asked as 8…; with its responsible.
    let lookup = agent.ok(&["contacts", "lookup", "84951000000"]);
    assert!(
        lookup.contains("Иванов 0 (responsible 100) from corp — it has `+7 (495) 100-00-00`"),
        "{lookup}"
    );
    let served = agent.serve();
    let target = served.target();
    let ask = |phone: &str| ask_contact(&target, phone);
    assert_eq!(
        ask("74951000005"),
        r#"{"contact_name":"Иванов 5","responsible":"105"}"#
    );
    assert_eq!(
        ask("+7 916 100-00-03"),
        r#"{"contact_name":"Кузнецова 3"}"#,
        "a mobile, no responsible"
    );

    // A wrong password: said plainly, the copy stays.
    set_password(&agent, "not the password");
    let (ok, said) = sync(&agent);
    assert!(!ok);
    assert!(
        said.contains("refused the bind DN or the password")
            && said.contains("xvb contacts source password corp"),
        "{said}"
    );
    assert_eq!(
        ask("74951000005"),
        r#"{"contact_name":"Иванов 5","responsible":"105"}"#
    );
    let sources = agent.ok(&["contacts", "sources"]);
    assert!(
        sources.contains(&format!("2. corp (ldap): {PEOPLE} entries"))
            && sources.contains("last try failed: the server refused"),
        "{sources}"
    );

    // The server down: said plainly, the copy stays.
    set_password(&agent, READER_PASSWORD);
    slapd.kill();
    let (ok, said) = sync(&agent);
    assert!(
        !ok && said.contains("cannot reach ldap://127.0.0.1"),
        "{said}"
    );
    assert!(agent
        .ok(&["contacts", "lookup", "74951000005"])
        .contains("Иванов 5"));

    // Back, with one person more and one fewer: the next sync has both.
    slapd.run();
    slapd.add(&newcomer());
    slapd.remove("p5");
    let (ok, said) = sync(&agent);
    assert!(ok, "{said}");
    await_contact(
        &target,
        "74959990011",
        r#"{"contact_name":"Новикова Анна","responsible":"107"}"#,
    );
    assert_eq!(ask("74951000005"), "{}", "removed from the directory");

    // The order decides: the local book first (by default), then corp first.
    agent.ok(&[
        "contacts",
        "add",
        "--name",
        "Местная запись",
        "--phone",
        "74951000006",
    ]);
    let lookup = agent.ok(&["contacts", "lookup", "74951000006"]);
    assert!(
        lookup.contains("Местная запись (responsible -) from local")
            && lookup.contains("also in corp as Петрова 6"),
        "{lookup}"
    );
    agent.ok(&["contacts", "source", "order", "corp"]);
    assert!(agent
        .ok(&["contacts", "lookup", "74951000006"])
        .contains("Петрова 6 (responsible -) from corp"));
}

#[test]
fn a_directory_stopped_mid_sync_leaves_the_last_copy_whole() {
    let mut slapd = Slapd::start(&people(5_000));
    // The second connection's answer is held after 200 kB (of about 700 kB).
    let cut = Cut::start(slapd.port, 1, 200_000);
    let agent = Agent::with_env(
        "100",
        vec![("XVB_SOURCE_PASSWORD_CORP".into(), READER_PASSWORD.into())],
    );
    add_corp(&agent, &format!("ldap://127.0.0.1:{}", cut.port));
    let (ok, said) = sync(&agent);
    assert!(ok && said.contains("corp: 5000 entries"), "{said}");
    slapd.remove("p5");

    let (ok, said) = std::thread::scope(|s| {
        let syncing = s.spawn(|| sync(&agent));
        cut.wait();
        slapd.kill();
        syncing.join().unwrap()
    });
    assert!(
        !ok && said.contains("not synced, the last copy stays") && said.contains("cannot reach"),
        "{said}"
    );
    // The copy is the first sync's, whole: not the half that was read.
    assert!(agent
        .ok(&["contacts", "lookup", "74951000005"])
        .contains("Иванов 5 (responsible 105) from corp"));
    assert!(agent
        .ok(&["contacts", "lookup", "74951004999"])
        .contains("from corp"));
    let sources = agent.ok(&["contacts", "sources"]);
    assert!(
        sources.contains("2. corp (ldap): 5000 entries") && sources.contains("last try failed"),
        "{sources}"
    );
}

#[test]
fn ldaps_is_trusted_only_with_the_company_ca() {
    let _turn = take_turn();
    let slapd = Slapd::start_with_tls(&people(10));
    let session = DbusSession::with_keyring();
    let agent = Agent::with_env("100", session.env());
    add_corp(&agent, &slapd.tls_url());
    set_password(&agent, READER_PASSWORD);
    let (ok, said) = sync(&agent);
    assert!(!ok);
    assert!(
        said.contains("certificate is not trusted") && said.contains("SSL_CERT_FILE"),
        "{said}"
    );
    let mut env = session.env();
    env.push(("SSL_CERT_FILE".into(), slapd.ca().to_str().unwrap().into()));
    let trusting = Agent {
        dir: agent.dir,
        env,
    };
    let (ok, said) = sync(&trusting);
    assert!(ok && said.contains("corp: 10 entries"), "{said}");
}
