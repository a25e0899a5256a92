//! Source names, number rewriting and what a sync copies.

use super::*;

#[test]
fn names_are_short_plain_and_never_the_local_books() {
    assert!(SourceName::parse("corp-ad_2").is_ok());
    for bad in ["", "local", "Corp", "corp ad", "ёлка", &"x".repeat(33)] {
        assert!(SourceName::parse(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn numbers_in_every_spelling_become_the_books() {
    let plain = Rewrite::default();
    for raw in [
        "+7 (495) 123-45-67",
        "8 495 123 45 67",
        "74951234567",
        "(495) 123-45-67",
    ] {
        assert_eq!(plain.number(raw).as_deref(), Some("74951234567"), "{raw}");
    }
    assert_eq!(plain.number("123-45-67").as_deref(), Some("1234567"));
    assert_eq!(plain.number("n/a"), None);
    let moscow = Rewrite {
        local_prefix: Some("7495".into()),
    };
    assert_eq!(moscow.number("123-45-67").as_deref(), Some("74951234567"));
    assert_eq!(
        moscow.number("+1234567").as_deref(),
        Some("1234567"),
        "an international number is not local"
    );
    assert_eq!(
        moscow.number("8 916 000 00 01").as_deref(),
        Some("79160000001")
    );
}

#[test]
fn a_sync_copies_each_number_and_only_extensions_as_responsible() {
    let entries = [
        Entry {
            name: "Иванов Иван".into(),
            numbers: vec![
                "+7 (495) 123-45-67".into(),
                "8 916 000 00 01".into(),
                "-".into(),
            ],
            responsible: Some("105".into()),
        },
        Entry {
            name: "Петрова".into(),
            numbers: vec!["74957654321".into()],
            responsible: Some("Отдел продаж".into()),
        },
    ];
    let copied = numbers_of(&entries, &Rewrite::default());
    let shown: Vec<(&str, &str, Option<&str>)> = copied
        .iter()
        .map(|n| {
            (
                n.phone_norm.as_str(),
                n.name.as_str(),
                n.responsible.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("74951234567", "Иванов Иван", Some("105")),
            ("79160000001", "Иванов Иван", Some("105")),
            ("74957654321", "Петрова", None),
        ]
    );
    assert_eq!(copied[0].raw, "+7 (495) 123-45-67");
}
