//! Contact import through the `xvb` binary, and `cmd=contact` answers at 100k contacts.

use std::fmt::Write;

use xvb_e2e::agent::Agent;
use xvb_e2e::pbx::ask_contact;

fn write(agent: &Agent, name: &str, text: &str) -> String {
    let path = agent.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn csv_import_reports_bad_rows_by_line_and_keeps_the_rest() {
    let agent = Agent::new("100");
    let file = write(
        &agent,
        "book.csv",
        "name,phone,responsible,crm_url,city\n\
         Вася/Рога и копыта,+7 (920) 111-96-13;8 495 123-45-67,100,https://crm.example/1,Тула\n\
         ,79000000000,,,\n\
         Петя,79001112233,,,Москва\n\
         \"Незакрытая кавычка,79001112299\n",
    );
    let out = agent.run(&["contacts", "import", &file]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "partial import exits 2: {stderr}"
    );
    assert!(
        stderr.contains("book.csv:3: skipped: the name is empty"),
        "{stderr}"
    );
    assert!(stderr.contains("book.csv:5"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("imported 2 new"), "{stdout}");

    let list: serde_json::Value =
        serde_json::from_str(&agent.ok(&["contacts", "list", "--json"])).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Вася/Рога и копыта", "Петя"]);
    assert_eq!(list[0]["phones"].as_array().unwrap().len(), 2);
    assert_eq!(list[0]["crm_url"], "https://crm.example/1");

    let again = agent.ok(&[
        "contacts",
        "import",
        &write(&agent, "good.csv", "name,phone\nПётр,79001112233\n"),
    ]);
    assert!(
        again.contains("imported 0 new, updated 1"),
        "same number updates: {again}"
    );
    assert!(agent.ok(&["contacts", "list"]).contains("Пётр"));
}

#[test]
fn vcard_import() {
    let agent = Agent::new("100");
    let file = write(
        &agent,
        "book.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Иван Иванов\r\nTEL;TYPE=CELL:+7 920 111-96-13\r\nX-XVB-RESPONSIBLE:101\r\nEND:VCARD\r\n\
         BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Без номера\r\nEND:VCARD\r\n\
         BEGIN:VCARD\r\nVERSION:4.0\r\nFN:ООО Ромашка\r\nTEL;VALUE=uri:tel:+7-495-000-00-01\r\nURL:https://crm.example/42\r\nEND:VCARD\r\n",
    );
    let out = agent.run(&["contacts", "import", &file]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("book.vcf:7: skipped: no phone number"));
    let list = agent.ok(&["contacts", "list"]);
    assert!(
        list.contains("Иван Иванов") && list.contains("responsible=101"),
        "{list}"
    );
    assert!(list.contains("ООО Ромашка"), "{list}");
}

#[test]
fn a_file_that_is_not_a_contact_book_is_refused_whole() {
    let agent = Agent::new("100");
    let stderr = agent.fails(&[
        "contacts",
        "import",
        &write(&agent, "x.csv", "fio;tel\nA;1\n"),
    ]);
    assert!(stderr.contains("`name` and `phone`"));
    let missing = agent.run(&["contacts", "import", "/nonexistent/book.csv"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read /nonexistent/book.csv"));
}

#[test]
fn contact_lookups_answer_correctly_among_100k_contacts() {
    let agent = Agent::new("100");
    let mut csv = String::from("name,phone,responsible,crm_url\n");
    for i in 0..100_000u32 {
        let responsible = if i % 2 == 0 {
            format!("{}", 100 + i % 50)
        } else {
            String::new()
        };
        writeln!(
            csv,
            "Клиент {i},+7 (910) {:03}-{:02}-{:02},{responsible},",
            i / 10_000,
            (i / 100) % 100,
            i % 100
        )
        .unwrap();
    }
    let out = agent.ok(&["contacts", "import", &write(&agent, "big.csv", &csv)]);
    assert!(out.contains("imported 100000 new"), "{out}");

    let served = agent.serve();
    let target = served.target();
    let ask = |phone: &str| ask_contact(&target, phone);
    assert_eq!(
        ask("79100000000"),
        r#"{"contact_name":"Клиент 0","responsible":"100"}"#
    );
    assert_eq!(
        ask("89100000501"),
        r#"{"contact_name":"Клиент 501"}"#,
        "no responsible: omitted"
    );
    assert_eq!(
        ask("+7 910 009-99-98"),
        r#"{"contact_name":"Клиент 99998","responsible":"148"}"#
    );
    assert_eq!(ask("79100100000"), "{}", "unknown caller");
}
