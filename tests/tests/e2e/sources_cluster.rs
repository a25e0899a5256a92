//! Contact sources on a relay cluster (two `xvb relay serve` nodes on one
//! PostgreSQL database the test starts): a directory configured once, on any
//! node; synced at start by one node only (the other finds it done); every
//! node's `cmd=contact` answered from the copy; a sync run on the other node
//! followed by both; a CardDAV book (Radicale) added on one node, synced and
//! then changed from either, followed by both.

use xvb_e2e::agent::{Agent, Served};
use xvb_e2e::ldap::{add_corp, newcomer, people, Slapd, READER_PASSWORD};
use xvb_e2e::pbx::await_contact;
use xvb_e2e::postgres::PgCluster;
use xvb_e2e::radicale::{add_book, Card, Radicale, PASSWORD};

/// Waits until `node` answers `cmd=contact` for `phone` with `answer`.
fn answers(node: &Served, phone: &str, answer: &str) {
    await_contact(&node.target(), phone, answer);
}

#[test]
fn a_cluster_syncs_a_directory_once_and_every_node_answers_from_it() {
    let pg = PgCluster::start();
    let slapd = Slapd::start(&people(1_000));
    let password = vec![
        (
            "XVB_SOURCE_PASSWORD_CORP".to_owned(),
            READER_PASSWORD.to_owned(),
        ),
        ("XVB_SOURCE_PASSWORD_BOOK".to_owned(), PASSWORD.to_owned()),
    ];
    let (first, _) = Agent::relay_node(&pg.url(), None, password.clone());
    let (second, _) = Agent::relay_node(&pg.url(), Some(&first), password);
    // Configured on the first node's data dir: kept in PostgreSQL, for all.
    add_corp(&first, &slapd.url());
    let nodes = [first.serve_relay(), second.serve_relay()];
    let named = r#"{"contact_name":"Иванов 5","responsible":"105"}"#;
    for node in &nodes {
        answers(node, "84951000005", named);
    }
    let synced: Vec<usize> = nodes
        .iter()
        .map(|n| {
            n.logs()
                .iter()
                .filter(|l| l.contains("source synced"))
                .count()
        })
        .collect();
    assert_eq!(
        synced.iter().sum::<usize>(),
        1,
        "one node synced: {synced:?}"
    );
    let sources = second.ok(&["contacts", "sources"]);
    assert!(
        sources.contains("2. corp (ldap): 1000 entries"),
        "{sources}"
    );

    // A sync run on the other node: both nodes take its copy.
    slapd.add(&newcomer());
    slapd.remove("p5");
    let said = second.ok(&["contacts", "sync"]);
    assert!(said.contains("corp: 1000 entries"), "{said}");
    for node in &nodes {
        answers(
            node,
            "74959990011",
            r#"{"contact_name":"Новикова Анна","responsible":"107"}"#,
        );
        answers(node, "74951000005", "{}");
    }
    // A CardDAV book added on one node, synced from the other, then changed
    // (numbers the directory does not have: it is asked first).
    let client = |i: usize, name: &str| Card {
        uid: format!("c{i}"),
        name: name.to_owned(),
        phones: vec![format!("+7 (499) 200-{i:04}")],
        responsible: None,
    };
    let book: Vec<Card> = (0..100)
        .map(|i| client(i, &format!("Клиент {i}")))
        .collect();
    let radicale = Radicale::start(&book);
    add_book(&first, &radicale);
    let said = second.ok(&["contacts", "sync", "book"]);
    assert!(said.contains("book: 100 entries"), "{said}");
    for node in &nodes {
        answers(node, "74992000042", r#"{"contact_name":"Клиент 42"}"#);
    }
    radicale.put(&client(42, "ООО «Сорок два»"));
    let said = first.ok(&["contacts", "sync", "book"]);
    assert!(said.contains("book: 100 entries"), "{said}");
    for node in &nodes {
        answers(node, "74992000042", r#"{"contact_name":"ООО «Сорок два»"}"#);
    }

    let lookup = first.ok(&["contacts", "lookup", "74959990011"]);
    assert!(
        lookup.contains("Новикова Анна (responsible 107) from corp"),
        "{lookup}"
    );
}
