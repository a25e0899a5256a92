//! Any text as a contact file (CSV or vCard): importing never panics, and
//! every contact it yields passes the book's own checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xvb_core::contacts::parse_file;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(parsed) = parse_file(&text) {
        for (_, contact) in parsed.contacts {
            assert!(
                contact.clone().validated().is_ok(),
                "an imported contact is valid: {contact:?}"
            );
        }
    }
});
