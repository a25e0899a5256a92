//! A request's fields, read strictly: form-urlencoded (as the PBX sends) or a
//! JSON object (same names), in arrival order, unknown ones kept — within
//! limits a real PBX never reaches (README, "What the listener refuses"); and
//! [`ProtocolError`], why a request is refused (`protocol` re-exports both).

use percent_encoding::percent_decode;
use serde::{Deserialize, Serialize};

/// Why a request body could not be read as a PBX request (answered 400).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    /// The body is not valid form-urlencoded text.
    #[error("body is not valid application/x-www-form-urlencoded: {0}")]
    BadForm(String),
    /// The body is not a JSON object of scalar values.
    #[error("body is not a JSON object of strings and numbers: {0}")]
    BadJson(String),
    /// The request goes past a limit a real PBX never reaches.
    #[error("{0}")]
    Limit(String),
    /// A required field is absent or empty.
    #[error("missing field `{0}`")]
    Missing(&'static str),
    /// A field has a value we cannot accept.
    #[error("invalid field `{field}`: {reason}")]
    Invalid {
        /// The field's name.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Most fields in one request.
pub const MAX_FIELDS: usize = 100;
/// Longest field name, in characters.
pub const MAX_NAME: usize = 64;
/// Longest field value, in bytes.
pub const MAX_VALUE: usize = 2048;
/// The fields this product reads (the rest is kept verbatim as free text,
/// where tabs and line breaks may appear).
const KNOWN: &[&str] = &[
    "access_code",
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
];

/// All fields of one request, in arrival order, unknown fields included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Fields(pub Vec<(String, String)>);

/// The first value of `name` among `pairs`, trimmed, if present and not blank
/// (what [`Fields::non_empty`] reads, also for fields as a journal row keeps them).
pub fn non_blank<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

impl Fields {
    /// Reads a form-urlencoded body: `+` is a space, every `%` starts two hex
    /// digits, and the decoded text is UTF-8 (nothing is decoded loosely).
    pub fn from_form(body: &[u8]) -> Result<Self, ProtocolError> {
        let pairs = body
            .split(|&b| b == b'&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let mut parts = pair.splitn(2, |&b| b == b'=');
                let name = decode_form(parts.next().unwrap_or_default())?;
                let value = decode_form(parts.next().unwrap_or_default())?;
                Ok((name, value))
            })
            .collect::<Result<Vec<_>, ProtocolError>>()?;
        Fields(pairs).checked()
    }

    /// Reads a JSON object whose values are strings, numbers, booleans or null.
    pub fn from_json(body: &[u8]) -> Result<Self, ProtocolError> {
        // Read as pairs, not a map, so a name given twice is seen.
        let pairs: JsonPairs =
            serde_json::from_slice(body).map_err(|e| ProtocolError::BadJson(e.to_string()))?;
        Fields(pairs.0).checked()
    }

    /// The request within the limits: at most [`MAX_FIELDS`] fields, names of
    /// 1 to [`MAX_NAME`] characters, values of at most [`MAX_VALUE`] bytes
    /// without control characters (but tabs and line breaks in free text),
    /// and no name given twice with different values.
    fn checked(self) -> Result<Self, ProtocolError> {
        let limit = |reason: String| ProtocolError::Limit(reason);
        if self.0.len() > MAX_FIELDS {
            return Err(limit(format!(
                "{} fields; at most {MAX_FIELDS} are accepted",
                self.0.len()
            )));
        }
        for (i, (name, value)) in self.0.iter().enumerate() {
            let shown: String = name.chars().take(MAX_NAME).collect();
            if name.is_empty() || name.chars().count() > MAX_NAME {
                return Err(limit(format!(
                    "field names are 1 to {MAX_NAME} characters, got `{shown}`"
                )));
            }
            if name.chars().any(char::is_control) {
                return Err(limit(format!(
                    "field name `{}` has control characters",
                    shown.escape_default()
                )));
            }
            if value.len() > MAX_VALUE {
                return Err(limit(format!(
                    "field `{shown}` is {} bytes; at most {MAX_VALUE} are accepted",
                    value.len()
                )));
            }
            let free_text = !KNOWN.contains(&name.as_str());
            let allowed = |c: char| free_text && matches!(c, '\t' | '\n' | '\r');
            if value.chars().any(|c| c.is_control() && !allowed(c)) {
                return Err(limit(format!("field `{shown}` has control characters")));
            }
            let twice = self.0[..i].iter().any(|(n, v)| n == name && v != value);
            if twice {
                return Err(limit(format!(
                    "field `{shown}` is given twice with different values"
                )));
            }
        }
        Ok(self)
    }

    /// The first value of `name`, if present (possibly empty).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, if present and not blank.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        non_blank(&self.0, name)
    }

    /// Encodes the fields as a form body (used by the simulator).
    pub fn to_form(&self) -> String {
        serde_urlencoded::to_string(&self.0).unwrap_or_default()
    }

    /// Builds fields from `(name, value)` pairs, skipping `None` values.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Self {
        Fields(
            pairs
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned())))
                .collect(),
        )
    }
}

/// One name or value of a form body, decoded strictly.
fn decode_form(raw: &[u8]) -> Result<String, ProtocolError> {
    let bad = |why: &str| ProtocolError::BadForm(why.to_owned());
    for (i, &b) in raw.iter().enumerate() {
        if b == b'%' {
            let hex = raw.get(i + 1..i + 3).unwrap_or_default();
            if hex.len() != 2 || !hex.iter().all(u8::is_ascii_hexdigit) {
                return Err(bad("a `%` not followed by two hex digits"));
            }
        }
    }
    let spaced: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&spaced)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| bad("the text is not UTF-8"))
}

/// A JSON object read as `(name, text)` pairs in order, duplicates included.
struct JsonPairs(Vec<(String, String)>);

impl<'de> Deserialize<'de> for JsonPairs {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> serde::de::Visitor<'de> for Pairs {
            type Value = JsonPairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object of strings and numbers")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<JsonPairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, serde_json::Value>()? {
                    let text = match value {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => String::new(),
                        serde_json::Value::Number(n) => n.to_string(),
                        serde_json::Value::Bool(b) => b.to_string(),
                        _ => {
                            return Err(serde::de::Error::custom(format!(
                                "field `{name}` is an array or object"
                            )))
                        }
                    };
                    pairs.push((name, text));
                }
                Ok(JsonPairs(pairs))
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}
