//! A request the listener refused, as the agent is told of it (Settings, a pop).

use crate::words::Language;

/// Why the listener refused a request, in terms the agent can act on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Refusal {
    /// The request's account number is not this computer's (or none is set here).
    AccessCode {
        /// What the request sent (at most 24 characters).
        sent: String,
        /// This computer's account number, if one is set.
        expected: Option<String>,
    },
    /// A request to `/hook/…` with another secret: the PBX has an old or mistyped URL.
    UnknownAddress,
    /// A request the listener could not take (its reason, as the PBX was told).
    Malformed {
        /// The reason: in English, or in the agent's language after
        /// [`Refused::in_language`].
        reason: String,
        /// The reason in Russian.
        #[serde(skip)]
        #[cfg_attr(feature = "ts", ts(skip))]
        russian: String,
    },
}

/// One refused request and when it came.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Refused {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Why.
    pub refusal: Refusal,
}

impl Refused {
    /// The refused request with its reason in `language`.
    pub fn in_language(self, language: Language) -> Refused {
        let refusal = match (self.refusal, language) {
            (Refusal::Malformed { russian, .. }, Language::Ru) => Refusal::Malformed {
                reason: russian.clone(),
                russian,
            },
            (refusal, _) => refusal,
        };
        Refused { refusal, ..self }
    }
}
