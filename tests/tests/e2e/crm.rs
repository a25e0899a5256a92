//! Caller names from a CRM asked over HTTP: a stand-in for amoCRM's contacts
//! search (`xvb_e2e::crm`) on a real loopback socket, asked by
//! `xvb serve` for numbers no synced source knows. `cmd=contact` waits for it
//! at most its timeout; names and "not found" are cached; a slow CRM leaves
//! the number and never delays the webhook's 200; a pop shows the number and
//! then the name; a 500 and a refused token are said in plain words.

use std::time::{Duration, Instant};
use xvb_core::pbx::sim::SimCall;
use xvb_e2e::agent::Agent;
use xvb_e2e::crm::{
    add_crm, add_crm_source, start_crm, BROKEN, CLIENT, SLOW, TOKEN, UNHURRIED, UNHURRIED_TOO,
};
use xvb_e2e::pbx::{ask_contact, await_contact, call_from_known_caller};

fn token(value: &str) -> Vec<(String, String)> {
    vec![("XVB_SOURCE_PASSWORD_CRM".into(), value.into())]
}

#[test]
fn a_crm_names_unknown_callers_within_its_time_and_never_delays_the_pbx() {
    let (base, asked) = start_crm();
    let agent = Agent::with_env("100", token(TOKEN));
    add_crm(&agent, &base);
    let lookup = agent.ok(&["contacts", "lookup", "8 916 111-22-33"]);
    assert!(
        lookup.contains("ООО «Ромашка» (responsible 201) from the CRM, asked now — card https://crm.example/contacts/detail/7"),
        "{lookup}"
    );

    let mut served = agent.serve();
    let target = served.target();
    let ask = |phone: &str| ask_contact(&target, phone);
    let named = r#"{"contact_name":"ООО «Ромашка»","responsible":"201"}"#;
    // The CRM is put in service just after the book (its token read then).
    await_contact(&target, CLIENT, named);
    assert_eq!(
        ask("+7 (916) 111-22-33"),
        named,
        "the second from the cache"
    );
    // Withheld and short numbers are never asked: a CRM's search for them
    // would match any client.
    assert_eq!(ask("anonymous"), "{}");
    assert_eq!(ask("101"), "{}");
    assert!(
        asked.lock().unwrap().keys().all(|n| n.len() >= 7),
        "{asked:?}"
    );
    assert_eq!(ask("74951234567"), "{}", "not in the CRM (204)");
    assert_eq!(ask("74951234567"), "{}");
    {
        let asked = asked.lock().unwrap();
        assert_eq!(asked[CLIENT], 2, "once by lookup, once by the listener");
        assert_eq!(asked["74951234567"], 1, "\"not found\" is cached too");
    }

    // The book changes (the listener reloads it): the CRM's cache stays.
    agent.ok(&[
        "contacts",
        "add",
        "--name",
        "Местная запись",
        "--phone",
        "74957654321",
    ]);
    await_contact(
        &target,
        "74957654321",
        r#"{"contact_name":"Местная запись"}"#,
    );
    assert_eq!(ask(CLIENT), named);
    assert_eq!(
        asked.lock().unwrap()[CLIENT],
        2,
        "answered from the cache kept"
    );

    // Too slow: cmd=contact answers without the name once the timeout is
    // up, the event's 200 does not wait for the CRM, the pop keeps the number.
    let started = Instant::now();
    assert_eq!(ask(SLOW), "{}");
    let slow_call = SimCall {
        phone: SLOW.into(),
        ..call_from_known_caller("crm-slow", "100")
    };
    served.post(&slow_call.incoming());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the CRM's 5 s never held up the PBX: {:?}",
        started.elapsed()
    );
    let ring = served.expect_line("RING ");
    assert!(ring.contains(&format!("RING {SLOW} \"\"")), "{ring}");

    // In time but after the event: the pop shows the number, then the name.
    let call = SimCall {
        phone: UNHURRIED.into(),
        ..call_from_known_caller("crm-unhurried", "100")
    };
    served.post(&call.incoming());
    let first = served.expect_line("RING ");
    assert!(first.contains(&format!("RING {UNHURRIED} \"\"")), "{first}");
    let second = served.expect_line("RING ");
    assert!(
        second.contains("\"Неспешный клиент\"") && second.contains("responsible=202"),
        "{second}"
    );

    // Answered before the CRM's name comes: the ring is not shown again.
    let call = SimCall {
        phone: UNHURRIED_TOO.into(),
        ..call_from_known_caller("crm-answered-at-once", "100")
    };
    served.post(&call.incoming());
    served.post(&call.answered());
    assert!(served.expect_line("RING ").contains(UNHURRIED_TOO));
    let answered = served.expect_line("ANSWERED_BY_ME ");
    assert!(answered.contains(UNHURRIED_TOO), "{answered}");
    let after = served.next_line(Duration::from_millis(800));
    assert!(
        after
            .as_deref()
            .is_none_or(|line| !line.starts_with("RING ")),
        "a ring after the answer: {after:?}"
    );

    // A 500: no name, the status says what the CRM answered.
    assert_eq!(ask(BROKEN), "{}");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let sources = agent.ok(&["contacts", "sources"]);
        if sources.contains("answered HTTP 500") {
            assert!(
                sources.contains("2. crm (crm): asked per caller"),
                "{sources}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "{sources}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_refused_token_or_a_reply_of_another_shape_is_said_plainly() {
    let (base, _) = start_crm();
    let agent = Agent::with_env("100", token("expired"));
    add_crm(&agent, &base);
    let out = agent.run(&["contacts", "lookup", CLIENT]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains("the CRM refused the token (HTTP 401)")
            && said.contains("xvb contacts source password crm"),
        "{said}"
    );

    let bitrix = Agent::with_env("100", token(TOKEN));
    add_crm_source(
        &bitrix,
        &format!("{base}/api/v4/contacts?query={{number}}"),
        &[
            "--header",
            "Authorization: Bearer {token}",
            "--name-pointer",
            "/result/0/NAME",
        ],
    );
    let out = bitrix.run(&["contacts", "lookup", CLIENT]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("the CRM's reply lacks the name field /result/0/NAME"),
        "{said}"
    );

    // A token in the URL (a Bitrix24 webhook's key) is never said back.
    let keyed = Agent::with_env("100", token(TOKEN));
    add_crm_source(
        &keyed,
        "http://127.0.0.1:1/rest/1/{token}/crm.contact.list.json?filter[PHONE]={number}",
        &["--name-pointer", "/result/0/NAME"],
    );
    let out = keyed.run(&["contacts", "lookup", CLIENT]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("cannot reach http://127.0.0.1:1/rest/1/{token}/"),
        "{said}"
    );
    let sources = keyed.ok(&["contacts", "sources", "--json"]);
    assert!(
        !said.contains(TOKEN) && !sources.contains(TOKEN),
        "{said}{sources}"
    );
}
