//! Any bytes as an agent's WebSocket message (`FromAgent`): reading and the
//! relay's checks never panic; a note that passes them holds no control
//! character but line breaks and tabs, stays within the limits, and survives
//! a JSON round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xvb_core::notes::{parse_tags, OnCall, MAX_TEXT, MAX_TEXT_PER_CALL};
use xvb_core::pbx::phone::DialNumber;
use xvb_core::reach::relay::wire::FromAgent;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(message) = serde_json::from_str::<FromAgent>(text) else {
        return;
    };
    match message {
        FromAgent::Dial { to, .. } => {
            let _ = DialNumber::parse(&to);
        }
        FromAgent::Claim { phone, .. } | FromAgent::Release { phone, .. } => {
            let _ = xvb_core::pbx::phone::normalize(&phone);
        }
        FromAgent::Note { note, .. } => {
            let tags = parse_tags(&["Sale", "Call back=#1565c0", "Жалоба"]).expect("a valid list");
            let Ok(checked) = note.checked(&tags) else {
                return;
            };
            assert!(checked.text.chars().count() <= MAX_TEXT);
            assert!(!checked
                .text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'));
            let again: xvb_core::notes::NoteDraft =
                serde_json::from_str(&serde_json::to_string(&checked).unwrap()).unwrap();
            assert_eq!(again, checked, "a checked draft survives a JSON round trip");
            let on_call = OnCall {
                notes: data.len() % 101,
                text_bytes: data.len() * 640 % (MAX_TEXT_PER_CALL + 1),
            };
            let now = time::OffsetDateTime::UNIX_EPOCH;
            if let Ok(stored) = checked.into_note(None, on_call, Some("101".into()), now) {
                assert!(on_call.text_bytes + stored.text.len() <= MAX_TEXT_PER_CALL);
            }
        }
    }
});
