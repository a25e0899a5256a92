//! Any bytes as a form or JSON body: reading and validating never panics,
//! and fields that were read survive a round trip through the form encoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xvb_core::pbx::fields::Fields;
use xvb_core::pbx::protocol::PbxRequest;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let read = if kind % 2 == 0 {
        Fields::from_form(body)
    } else {
        Fields::from_json(body)
    };
    if let Ok(fields) = read {
        let again = Fields::from_form(fields.to_form().as_bytes())
            .expect("fields that were accepted encode to a form that is accepted");
        assert_eq!(again, fields, "a form round trip keeps every field");
        let _ = PbxRequest::parse(fields);
    }
});
