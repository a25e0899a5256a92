//! Caller names from a CardDAV address book (Debian's Radicale, started by the
//! test with a login): configured on a team relay, synced into its book, named
//! in `cmd=contact` and in the agents' stream; a card added, one changed and
//! one deleted picked up by the next (incremental) sync while the relay runs;
//! a wrong password said plainly, the last copy kept.

use crate::relay::start_agent;
use xvb_core::pbx::sim::SimCall;
use xvb_e2e::agent::Agent;
use xvb_e2e::pbx::{ask_contact, await_contact};
use xvb_e2e::radicale::{add_book, cards, Card, Radicale, PASSWORD};

const CARDS: usize = 600;

/// `xvb contacts sync`: whether it succeeded, and what it said.
fn sync(on: &Agent) -> (bool, String) {
    on.attempt(&["contacts", "sync"])
}

#[test]
fn a_carddav_book_names_callers_on_a_relay_and_follows_its_changes() {
    let radicale = Radicale::start(&cards(CARDS));
    // A server without a keyring: the password in the source's variable.
    let password = ("XVB_SOURCE_PASSWORD_BOOK".to_owned(), PASSWORD.to_owned());
    let (relay, port) = Agent::relay(vec![password]);
    add_book(&relay, &radicale);
    let (ok, said) = sync(&relay);
    let numbers = CARDS + CARDS / 3;
    assert!(
        ok && said.contains(&format!("book: {CARDS} entries, {numbers} numbers")),
        "{said}"
    );

    let served = relay.serve_relay();
    let target = served.target();
    let ask = |phone: &str| ask_contact(&target, phone);
    assert_eq!(
        ask("84951000005"),
        r#"{"contact_name":"Иванов 5","responsible":"105"}"#,
        "`8 495 1000005` on the card, with its X-XVB-RESPONSIBLE"
    );
    let code = relay.relay_join_code("105", &format!("http://127.0.0.1:{port}"));
    let agent = Agent::new("105");
    let mut app = start_agent(&agent, &code);
    let call = SimCall {
        phone: "79161000003".into(),
        ..xvb_e2e::pbx::call_from_known_caller("carddav-1", "105")
    };
    served.post(&call.incoming());
    let ring = app.expect_line("RING ");
    assert!(ring.contains("Кузнецова 3"), "named in the stream: {ring}");

    // A card added, one changed, one deleted: the next sync has all three.
    radicale.put(&Card {
        uid: "new".into(),
        name: "Новикова Анна".into(),
        phones: vec!["+7 (495) 999-00-11".into()],
        responsible: Some("107".into()),
    });
    radicale.put(&Card {
        uid: "p6".into(),
        name: "Петрова Мария".into(),
        phones: vec!["7495 100-00-06".into()],
        responsible: None,
    });
    radicale.delete("p5");
    let (ok, said) = sync(&relay);
    assert!(
        ok && said.contains(&format!("book: {CARDS} entries")),
        "one in, one out: {said}"
    );
    await_contact(
        &target,
        "74959990011",
        r#"{"contact_name":"Новикова Анна","responsible":"107"}"#,
    );
    assert_eq!(ask("74951000006"), r#"{"contact_name":"Петрова Мария"}"#);
    assert_eq!(ask("74951000005"), "{}", "deleted from the book");

    // A wrong password: said plainly, the copy stays.
    let wrong = Agent {
        dir: relay.dir,
        env: vec![(
            "XVB_SOURCE_PASSWORD_BOOK".to_owned(),
            "not the password".to_owned(),
        )],
    };
    let (ok, said) = sync(&wrong);
    assert!(
        !ok && said.contains("refused the login (HTTP 401)")
            && said.contains("xvb contacts source password book"),
        "{said}"
    );
    assert_eq!(ask("74951000006"), r#"{"contact_name":"Петрова Мария"}"#);
    let sources = wrong.ok(&["contacts", "sources"]);
    assert!(
        sources.contains(&format!("2. book (carddav): {CARDS} entries"))
            && sources.contains("last try failed: the server refused the login"),
        "{sources}"
    );
}
