//! Any events of one call, in any order and with repeats, merge into the same
//! record (but for the arrival order of `events`): the merge never panics.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;
use xvb_core::pbx::call::{Call, CallLog};
use xvb_core::pbx::fields::Fields;

const NAMES: &[&str] = &[
    "cmd",
    "callid",
    "type",
    "event",
    "phone",
    "ext",
    "line_number",
    "status",
    "duration",
    "record_link",
    "note",
];
const VALUES: &[&str] = &[
    "event",
    "C1",
    "in",
    "out",
    "INCOMING",
    "ANSWERED",
    "COMPLETED",
    "CANCELLED",
    "TRANSFERRED",
    "Parked",
    "79201119613",
    "89201119613",
    "anonymous",
    "100",
    "101",
    "",
    "Success",
    "Missed",
    "16",
    "0",
    "https://pbx.example/r/1.g722",
    "x",
];

#[derive(Arbitrary, Debug)]
struct Event(Vec<(u8, u8, String)>);

#[derive(Arbitrary, Debug)]
struct Input {
    events: Vec<Event>,
    order: Vec<u8>,
}

fn fields(event: &Event) -> Fields {
    let mut pairs = vec![("callid".to_owned(), "C1".to_owned())];
    for (name, value, free) in &event.0 {
        let name = NAMES[*name as usize % NAMES.len()];
        let value = match VALUES.get(*value as usize) {
            Some(known) => (*known).to_owned(),
            None => free.clone(),
        };
        pairs.push((name.to_owned(), value));
    }
    Fields(pairs)
}

fn merged(events: &[Fields]) -> Option<Call> {
    let at = OffsetDateTime::UNIX_EPOCH;
    let mut log = CallLog::default();
    for fields in events {
        log.add(fields.clone(), at);
    }
    let mut call = Call::merge("C1", None, &log)?;
    call.events.sort();
    Some(call)
}

fuzz_target!(|input: Input| {
    let events: Vec<Fields> = input.events.iter().map(fields).collect();
    let mut shuffled = events.clone();
    for (i, swap) in input.order.iter().enumerate() {
        if shuffled.len() > 1 {
            let (a, b) = (i % shuffled.len(), *swap as usize % shuffled.len());
            shuffled.swap(a, b);
        }
    }
    // Replays: every event again, at the end.
    shuffled.extend(events.iter().cloned());
    assert_eq!(merged(&events), merged(&shuffled));
});
