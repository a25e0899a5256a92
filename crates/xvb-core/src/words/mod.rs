//! The core's messages in Russian, for the desktop app when the agent reads
//! Russian. English stays each message's `Display` (what the CLI, the logs and
//! the English app show); [`Worded`] adds the Russian, one file per area:
//!
//! - `dial` — dialing, numbers, the PBX token and the keyring, the dial pad's
//!   notices, the test call;
//! - `recording` — fetching, decoding, playing and saving recordings;
//! - `settings` — a setting refused, the engine's own failures, the listener's address;
//! - `relay` — join codes, the relay link, claims of missed callers, and what
//!   the relay answers (a text, recognised by its shape);
//! - `reach` — the reach line the tray shows, and the reasons in the one the window words;
//! - `notes` — a note refused;
//! - `groups` — a change to the relay's groups, or a status change, refused;
//! - `contacts` — a contact or a contacts file refused;
//! - `sources` — a contact source that could not be read;
//! - `listener` — why the listener refused a request.
//!
//! Owns the Russian of messages only: the UI's own words are in
//! `ui/src/lib/words-*.ts`, the pops' in [`crate::pbx::pop`]. Numbers, URLs,
//! field values and what other programs said (the OS, the PBX) stay as they are.

mod contacts;
mod dial;
mod groups;
mod listener;
mod notes;
mod reach;
mod recording;
mod relay;
mod settings;
mod sources;

pub use crate::pbx::pop::Language;
pub use relay::RelaySaid;

use std::fmt::Display;

/// A message the desktop app shows in the agent's language: English is its
/// `Display`, Russian its [`Worded::russian`].
pub trait Worded: Display {
    /// The message in Russian.
    fn russian(&self) -> String;

    /// The message in `language`.
    fn in_language(&self, language: Language) -> String {
        match language {
            Language::En => self.to_string(),
            Language::Ru => self.russian(),
        }
    }
}

/// `{what}: {why}` in Russian, for a message that wraps another one.
fn wrapped(what: &str, why: &impl Worded) -> String {
    format!("{what}: {}", why.russian())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::Worded;

    /// Checks that each message has Russian, different from its English, in
    /// Cyrillic, and without the English's words for what to do.
    pub(crate) fn each_has_russian<W: Worded>(messages: impl IntoIterator<Item = W>) {
        for message in messages {
            let (english, russian) = (message.to_string(), message.russian());
            assert!(!russian.trim().is_empty(), "no Russian for {english:?}");
            assert_ne!(russian, english, "not translated");
            assert!(
                russian.chars().any(|c| ('а'..='я').contains(&c)),
                "no Russian words in {russian:?} (for {english:?})"
            );
            for english_only in [" the ", " first", " check ", " try again", " Settings"] {
                assert!(
                    !russian.contains(english_only),
                    "{english_only:?} left in {russian:?}"
                );
            }
        }
    }
}
