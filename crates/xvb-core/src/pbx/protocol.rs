//! The PBX webhook protocol: request fields, commands and typed call events.
//!
//! See `docs/PROTOCOL.md` §2. The fields (form or JSON, and the limits every
//! request keeps) are read in [`super::fields`]; here they become typed requests.

pub use super::fields::{Fields, ProtocolError};
use super::phone;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Call direction, from the `type` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// `type=in`: a client calls the company.
    In,
    /// `type=out`: an agent calls a client.
    Out,
}

impl Direction {
    fn parse(text: &str) -> Result<Self, ProtocolError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "in" | "incoming" => Ok(Direction::In),
            "out" | "outgoing" => Ok(Direction::Out),
            other => Err(ProtocolError::Invalid {
                field: "type",
                reason: format!("expected `in` or `out`, got `{other}`"),
            }),
        }
    }

    /// `in` or `out`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// The kind of a call event, from the `event` field (case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// `INCOMING`: a client's call starts ringing.
    Incoming,
    /// Outgoing call start (`OUTGOING`, or `type=out` with no event name).
    Outgoing,
    /// `ANSWERED` or `ACCEPTED`: an agent picked up.
    Answered,
    /// `TRANSFERRED`: the call was passed on.
    Transferred,
    /// `CANCELLED`: the caller hung up, or someone else in the group answered.
    Cancelled,
    /// `COMPLETED`: the call ended.
    Completed,
    /// Any other event name, kept verbatim.
    Other(String),
}

impl EventKind {
    /// Reads an event name; unknown names become [`EventKind::Other`].
    pub fn parse(name: &str) -> Self {
        match name.trim().to_ascii_uppercase().as_str() {
            "INCOMING" => EventKind::Incoming,
            "OUTGOING" => EventKind::Outgoing,
            "ANSWERED" | "ACCEPTED" => EventKind::Answered,
            "TRANSFERRED" => EventKind::Transferred,
            "CANCELLED" | "CANCELED" => EventKind::Cancelled,
            "COMPLETED" => EventKind::Completed,
            _ => EventKind::Other(name.trim().to_owned()),
        }
    }

    /// Where the event sits in a call's life; merging folds events in this order.
    pub fn stage(&self) -> u8 {
        match self {
            EventKind::Incoming | EventKind::Outgoing => 0,
            EventKind::Answered => 1,
            EventKind::Transferred => 2,
            EventKind::Other(_) => 3,
            EventKind::Cancelled => 4,
            EventKind::Completed => 5,
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EventKind::Incoming => "INCOMING",
            EventKind::Outgoing => "OUTGOING",
            EventKind::Answered => "ANSWERED",
            EventKind::Transferred => "TRANSFERRED",
            EventKind::Cancelled => "CANCELLED",
            EventKind::Completed => "COMPLETED",
            EventKind::Other(name) => name,
        })
    }
}

/// The outcome of a finished call, from the `status` field of `COMPLETED`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallStatus {
    /// `Success`: the call was answered and talked.
    Success,
    /// `Missed`: nobody answered.
    Missed,
    /// `Cancel`: the caller gave up.
    Cancel,
    /// `Busy` (outgoing).
    Busy,
    /// `NotAvailable` (outgoing).
    NotAvailable,
    /// `NotAllowed` (outgoing).
    NotAllowed,
    /// `NotFound` (outgoing).
    NotFound,
    /// Any other value, kept verbatim.
    Other(String),
}

impl CallStatus {
    /// Reads a status case-insensitively; unknown values are kept verbatim.
    pub fn parse(text: &str) -> Self {
        match text.trim().to_ascii_lowercase().as_str() {
            "success" => CallStatus::Success,
            "missed" => CallStatus::Missed,
            "cancel" | "cancelled" | "canceled" => CallStatus::Cancel,
            "busy" => CallStatus::Busy,
            "notavailable" => CallStatus::NotAvailable,
            "notallowed" => CallStatus::NotAllowed,
            "notfound" => CallStatus::NotFound,
            _ => CallStatus::Other(text.trim().to_owned()),
        }
    }
}

impl fmt::Display for CallStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CallStatus::Success => "Success",
            CallStatus::Missed => "Missed",
            CallStatus::Cancel => "Cancel",
            CallStatus::Busy => "Busy",
            CallStatus::NotAvailable => "NotAvailable",
            CallStatus::NotAllowed => "NotAllowed",
            CallStatus::NotFound => "NotFound",
            CallStatus::Other(text) => text,
        })
    }
}

/// One `cmd=event` request, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEvent {
    /// The call this event belongs to.
    pub callid: String,
    /// What happened.
    pub kind: EventKind,
    /// `type`, when sent.
    pub direction: Option<Direction>,
    /// The client's number as sent; `None` when withheld (`anonymous`, …).
    pub phone: Option<String>,
    /// The extension involved (who answered, or who dials).
    pub ext: Option<String>,
    /// The number the client dialled (incoming only).
    pub line_number: Option<String>,
    /// `status` of `COMPLETED`.
    pub status: Option<CallStatus>,
    /// `duration` of `COMPLETED`, in seconds.
    pub duration: Option<u64>,
    /// `record_link` of `COMPLETED`.
    pub record_link: Option<String>,
    /// Every field of the request, unknown ones included.
    pub fields: Fields,
}

/// One `cmd=contact` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactQuery {
    /// The caller's number as sent.
    pub phone: String,
    /// Every field of the request.
    pub fields: Fields,
}

/// A validated PBX request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PbxRequest {
    /// `cmd=event`.
    Event(CallEvent),
    /// `cmd=contact`.
    Contact(ContactQuery),
}

impl PbxRequest {
    /// Validates fields into a typed request (the access code is checked elsewhere).
    pub fn parse(fields: Fields) -> Result<Self, ProtocolError> {
        let cmd = fields
            .non_empty("cmd")
            .ok_or(ProtocolError::Missing("cmd"))?;
        match cmd.to_ascii_lowercase().as_str() {
            "event" => CallEvent::parse(fields).map(PbxRequest::Event),
            "contact" => {
                let phone = fields
                    .non_empty("phone")
                    .ok_or(ProtocolError::Missing("phone"))?
                    .to_owned();
                if phone.chars().count() > MAX_NUMBER {
                    return Err(ProtocolError::Invalid {
                        field: "phone",
                        reason: format!("longer than {MAX_NUMBER} characters"),
                    });
                }
                Ok(PbxRequest::Contact(ContactQuery { phone, fields }))
            }
            other => Err(ProtocolError::Invalid {
                field: "cmd",
                reason: format!("expected `event` or `contact`, got `{other}`"),
            }),
        }
    }
}

/// Longest call id (visible ASCII only).
pub const MAX_CALLID: usize = 128;
/// Longest phone number or extension, in characters.
pub const MAX_NUMBER: usize = 32;
/// Largest `duration`, in seconds (exclusive): over 115 days.
pub const MAX_DURATION: u64 = 10_000_000;

impl CallEvent {
    /// Validates the fields of a `cmd=event` request.
    pub fn parse(fields: Fields) -> Result<Self, ProtocolError> {
        let text = |name: &str| fields.non_empty(name).map(str::to_owned);
        let invalid =
            |field: &'static str, reason: String| ProtocolError::Invalid { field, reason };
        let callid = fields
            .get("callid")
            .filter(|c| !c.is_empty())
            .ok_or(ProtocolError::Missing("callid"))?;
        if callid.len() > MAX_CALLID || !callid.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "callid",
                format!("expected 1 to {MAX_CALLID} visible ASCII characters, no spaces"),
            ));
        }
        let direction = fields.non_empty("type").map(Direction::parse).transpose()?;
        let kind = match (fields.non_empty("event"), direction) {
            (Some(name), _) => EventKind::parse(name),
            (None, Some(Direction::Out)) => EventKind::Outgoing,
            (None, _) => return Err(ProtocolError::Missing("event")),
        };
        let duration = fields
            .non_empty("duration")
            .map(|d| match d.parse::<u64>() {
                Ok(seconds) if seconds < MAX_DURATION => Ok(seconds),
                _ => Err(invalid(
                    "duration",
                    format!("expected whole seconds below {MAX_DURATION}, got `{d}`"),
                )),
            })
            .transpose()?;
        for field in KNOWN_NUMBERS {
            if fields
                .get(field)
                .is_some_and(|n| n.chars().count() > MAX_NUMBER)
            {
                return Err(invalid(
                    field,
                    format!("longer than {MAX_NUMBER} characters"),
                ));
            }
        }
        let record_link = text("record_link");
        if let Some(link) = &record_link {
            let web = url::Url::parse(link)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
            if !web {
                return Err(invalid(
                    "record_link",
                    "expected an http:// or https:// address".into(),
                ));
            }
        }
        Ok(CallEvent {
            callid: callid.to_owned(),
            kind,
            direction,
            // A withheld caller ID is a call from a hidden number: no phone.
            phone: text("phone").filter(|p| !phone::is_withheld(p)),
            ext: text("ext"),
            line_number: text("line_number"),
            status: fields.non_empty("status").map(CallStatus::parse),
            duration,
            record_link,
            fields,
        })
    }
}

/// The fields that carry phone numbers or extensions.
const KNOWN_NUMBERS: [&str; 3] = ["phone", "ext", "line_number"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed_incoming_body() {
        let body = b"access_code=10019&cmd=event&callid=DVzqd2I5zmRev0_vLvXV6vw&type=in&event=INCOMING&ext=&phone=79201119613";
        let PbxRequest::Event(ev) = PbxRequest::parse(Fields::from_form(body).unwrap()).unwrap()
        else {
            panic!("not an event")
        };
        assert_eq!(ev.kind, EventKind::Incoming);
        assert_eq!(ev.direction, Some(Direction::In));
        assert_eq!(ev.ext, None, "empty ext means nobody yet");
        assert_eq!(ev.phone.as_deref(), Some("79201119613"));
    }

    #[test]
    fn keeps_unknown_fields_and_event_names() {
        let body = b"cmd=event&callid=a&event=Parked&color=blue&access_code=1";
        let PbxRequest::Event(ev) = PbxRequest::parse(Fields::from_form(body).unwrap()).unwrap()
        else {
            panic!("not an event")
        };
        assert_eq!(ev.kind, EventKind::Other("Parked".into()));
        assert_eq!(ev.fields.get("color"), Some("blue"));
    }

    #[test]
    fn status_is_case_insensitive_and_unknown_kept() {
        assert_eq!(CallStatus::parse("success"), CallStatus::Success);
        assert_eq!(CallStatus::parse("MISSED"), CallStatus::Missed);
        assert_eq!(
            CallStatus::parse("Voicemail").to_string(),
            "Voicemail".to_string()
        );
    }

    #[test]
    fn outgoing_start_without_event_name() {
        let f = Fields::from_form(b"cmd=event&callid=x&type=out&phone=7920&ext=100").unwrap();
        let PbxRequest::Event(ev) = PbxRequest::parse(f).unwrap() else {
            panic!()
        };
        assert_eq!(ev.kind, EventKind::Outgoing);
    }

    #[test]
    fn rejects_what_it_cannot_use() {
        let parse = |b: &[u8]| PbxRequest::parse(Fields::from_form(b).unwrap()).unwrap_err();
        assert_eq!(
            parse(b"cmd=event&event=INCOMING"),
            ProtocolError::Missing("callid")
        );
        assert_eq!(parse(b"callid=1"), ProtocolError::Missing("cmd"));
        assert_eq!(parse(b"cmd=contact"), ProtocolError::Missing("phone"));
        assert!(matches!(
            parse(b"cmd=event&callid=1&event=COMPLETED&duration=ten"),
            ProtocolError::Invalid {
                field: "duration",
                ..
            }
        ));
        assert!(matches!(
            parse(b"cmd=history"),
            ProtocolError::Invalid { field: "cmd", .. }
        ));
    }

    #[test]
    fn json_bodies_carry_the_same_fields() {
        let f =
            Fields::from_json(br#"{"cmd":"event","callid":"c","event":"COMPLETED","duration":16}"#)
                .unwrap();
        assert_eq!(f.get("duration"), Some("16"));
        assert!(Fields::from_json(b"[1,2]").is_err());
    }
}
