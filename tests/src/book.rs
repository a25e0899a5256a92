//! A contact book of generated clients written into a data dir's database, as
//! `xvb contacts import` would: client `i` is "Клиент i" at 7910 and `i` in
//! seven digits, every third with a responsible extension (100–139).

use std::path::Path;
use xvb_core::contacts::{Contact, Parsed};
use xvb_core::store::Database;

/// Writes clients `0..count` into the database at `database`.
pub fn fill_book(database: &Path, count: u32) {
    let contacts = (0..count)
        .map(|i| {
            let contact = Contact {
                name: format!("Клиент {i}"),
                phones: vec![format!("7910{i:07}")],
                responsible: (i % 3 == 0).then(|| format!("{}", 100 + i % 40)),
                ..Contact::default()
            };
            (u64::from(i), contact)
        })
        .collect();
    Database::open(database)
        .unwrap()
        .import(Parsed {
            contacts,
            errors: Vec::new(),
            cleaned: Vec::new(),
        })
        .unwrap();
}
