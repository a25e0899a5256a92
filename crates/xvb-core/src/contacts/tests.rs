//! The contact book's tests: validation, CSV and vCard import, the index.

use super::*;

/// The names of the contacts a file yielded, in order.
fn names(parsed: &Parsed) -> Vec<&str> {
    parsed
        .contacts
        .iter()
        .map(|(_, c)| c.name.as_str())
        .collect()
}

#[test]
fn csv_imports_good_rows_and_reports_bad_ones_by_line() {
    let text = "name,phone,responsible,crm_url,city\n\
                Вася/Рога и копыта,+7 (920) 111-96-13;84951234567,100,https://crm/1,Тула\n\
                ,79000000000,,,\n\
                Петя,79001112233,,,\n\
                Нет телефона,,101,,\n\
                Плохой,79001112244,abc,,\n";
    let parsed = parse_csv(text).unwrap();
    assert_eq!(names(&parsed), ["Вася/Рога и копыта", "Петя"]);
    assert_eq!(parsed.contacts[0].1.phones.len(), 2);
    assert_eq!(parsed.contacts[0].1.responsible.as_deref(), Some("100"));
    let lines: Vec<_> = parsed.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 5, 6]);
    assert!(parsed.errors[0].reason.contains("name"));
}

#[test]
fn control_characters_leave_names_and_the_report_says_where() {
    let text = "name,phone\n\
                Вася,79001112233\n\
                \"\u{1b}[31mПетя\u{7}\u{9b}2J\",79001112244\n\
                \u{1b}\u{1b},79001112255\n";
    let parsed = parse_csv(text).unwrap();
    assert_eq!(names(&parsed), ["Вася", "[31mПетя2J"]);
    assert_eq!(parsed.cleaned, [3], "the line of the name that changed");
    assert_eq!(
        parsed.errors[0].line, 4,
        "nothing left of the name: skipped"
    );

    let cards = parse_vcards("BEGIN:VCARD\nFN:Acme\\nInc\u{0}\nTEL:+7 920 111 96 13\nEND:VCARD\n");
    assert_eq!(cards.contacts[0].1.name, "AcmeInc");
    assert_eq!(cards.cleaned, [1]);
}

#[test]
fn csv_without_the_needed_columns_is_refused() {
    assert!(parse_csv("fio,tel\nA,1\n").is_err());
}

#[test]
fn vcards_3_and_4() {
    let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Иванов;Иван;;;\r\nTEL;TYPE=CELL:+7 920 111\r\n 9613\r\nX-XVB-RESPONSIBLE:100\r\nEND:VCARD\r\n\
                BEGIN:VCARD\nVERSION:4.0\nFN:Acme\\, Inc.\nTEL;VALUE=uri;TYPE=work:tel:+7-495-123-45-67\nitem1.URL:https://crm/acme\nEND:VCARD\n\
                BEGIN:VCARD\nVERSION:4.0\nFN:No phone\nEND:VCARD\n";
    let parsed = parse_vcards(text);
    assert_eq!(parsed.contacts.len(), 2);
    let ivan = &parsed.contacts[0].1;
    assert_eq!(ivan.name, "Иван Иванов");
    assert_eq!(phone::normalize(&ivan.phones[0]), "79201119613");
    assert_eq!(ivan.responsible.as_deref(), Some("100"));
    let acme = &parsed.contacts[1].1;
    assert_eq!(acme.name, "Acme, Inc.");
    assert_eq!(acme.crm_url.as_deref(), Some("https://crm/acme"));
    assert_eq!(phone::normalize(&acme.phones[0]), "74951234567");
    assert_eq!(
        parsed.errors,
        [RowError::new(14, &InvalidContact::NoPhone.into())]
    );
    assert_eq!(parsed.errors[0].reason, "no phone number with digits");
}

#[test]
fn index_answers_in_any_spelling_and_omits_empty_responsible() {
    let index = ContactIndex::default();
    index.replace([
        ("79201119613", "Вася/Рога и копыта", Some("100")),
        ("74950000000", "Офис", None),
    ]);
    let hit = index.lookup("8 920 111-96-13").unwrap();
    assert_eq!(
        std::str::from_utf8(&hit.body).unwrap(),
        r#"{"contact_name":"Вася/Рога и копыта","responsible":"100"}"#
    );
    assert_eq!(
        std::str::from_utf8(&index.lookup("+74950000000").unwrap().body).unwrap(),
        r#"{"contact_name":"Офис"}"#
    );
    assert!(index.lookup("79999999999").is_none());
}

mod packed_index {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// Numbers the packed index must keep apart: leading zeros, lengths, over 17 digits.
    fn number() -> impl Strategy<Value = String> {
        prop_oneof!["[0-9]{1,6}", "0[0-9]{2,5}", "7[0-9]{10}", "[0-9]{16,19}",]
    }

    proptest! {
        /// The index answers exactly what a map filled from the same rows answers:
        /// for every number in it, and for numbers not in it.
        #[test]
        fn answers_as_a_map_of_the_same_rows_would(
            rows in proptest::collection::vec(
                (number(), "[a-zA-Zа-яА-Я ]{0,12}", proptest::option::of("[0-9]{0,3}")),
                0..60,
            ),
            absent in proptest::collection::vec(number(), 0..20),
        ) {
            // Stored as the book stores them: normalised (a number of no digits is refused).
            let typed: Vec<String> = rows.iter().map(|(n, _, _)| n.clone()).collect();
            let rows: Vec<_> = rows
                .into_iter()
                .map(|(n, name, r)| (crate::pbx::phone::normalize(&n), name, r))
                .filter(|(n, _, _)| !n.is_empty())
                .collect();
            let index = ContactIndex::default();
            index.replace(rows.iter().map(|(n, name, r)| (n.as_str(), name.as_str(), r.as_deref())));
            let mut map: HashMap<&str, (&str, Option<&str>)> = HashMap::new();
            for (n, name, r) in &rows {
                map.insert(n, (name, r.as_deref().filter(|r| !r.is_empty())));
            }
            prop_assert_eq!(index.len(), map.len());
            for number in typed.iter().chain(&absent) {
                let normal = crate::pbx::phone::normalize(number);
                let expected = map.get(normal.as_str()).copied().filter(|_| !normal.is_empty());
                let found = index.lookup(number).map(|a| {
                    (a.name.to_string(), a.responsible.map(|r| r.to_string()))
                });
                prop_assert_eq!(
                    found,
                    expected.map(|(name, r)| (name.to_owned(), r.map(str::to_owned))),
                    "number {}", number
                );
            }
        }
    }
}

#[test]
fn a_contact_is_found_by_name_in_any_case_or_by_a_number_in_any_spelling() {
    let vasya = Contact {
        name: "Вася/Рога и копыта".into(),
        phones: vec!["89201119613".into(), "101".into()],
        ..Contact::default()
    };
    for typed in [
        "",
        "вася",
        "РОГА",
        "8920",
        "+7 920 111",
        "920111",
        "8 (920) 111-96-13",
        "101",
    ] {
        assert!(vasya.matches(typed), "{typed}");
    }
    for typed in ["петя", "8921", "555", "абв 1"] {
        assert!(!vasya.matches(typed), "{typed}");
    }
}
