//! Phone number normalisation shared by contact matching, history search and dialing.
//!
//! Rule (Russian numbering, the PBX's home): keep the digits; `00` international
//! prefix dropped; an 11-digit number starting with the trunk prefix `8` becomes
//! `7…`; a 10-digit number gets the country code `7`. Shorter numbers (internal
//! extensions, short codes) and other lengths are kept as their digits.
//! So `79201119613`, `89201119613` and `+7 (920) 111-96-13` all become `79201119613`.

/// Returns the canonical digits of `raw`, or an empty string when it has none.
pub fn normalize(raw: &str) -> String {
    let mut digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if let Some(rest) = digits.strip_prefix("00") {
        digits = rest.to_owned();
    }
    match digits.len() {
        11 if digits.starts_with('8') => format!("7{}", &digits[1..]),
        10 => format!("7{digits}"),
        _ => digits,
    }
}

/// Whether typed search text is a number: digits with the separators numbers
/// are written with (space + - ( ) .), else it is words.
pub fn is_typed_number(typed: &str) -> bool {
    typed
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

/// What a typed number is looked for as among stored numbers (which are in
/// [`normalize`]d form): a whole number (10 digits or more) normalised; a
/// fragment as typed and — typed with Russia's trunk prefix, four digits or
/// more (`8916`) — also as stored (`7916`), so that `800` is looked for as typed.
pub fn looked_for_as(typed: &str) -> Vec<String> {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 10 {
        return vec![normalize(&digits)];
    }
    let mut spellings = vec![digits.clone()];
    if let Some(rest) = digits.strip_prefix('8').filter(|_| digits.len() >= 4) {
        spellings.push(format!("7{rest}"));
    }
    spellings
}

/// What PBXs send for a withheld caller ID (any letter case), besides nothing.
const WITHHELD: &[&str] = &["anonymous", "unknown", "withheld", "private", "restricted"];

/// Whether `raw` is a withheld caller ID: empty, `anonymous`, `unknown`… — a
/// real call from a hidden number, never matched to a contact.
pub fn is_withheld(raw: &str) -> bool {
    let raw = raw.trim();
    raw.is_empty() || WITHHELD.iter().any(|w| raw.eq_ignore_ascii_case(w))
}

/// Whether `text` is an extension: one or more digits, nothing else.
pub fn is_extension(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Why a number cannot be dialled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// Nothing to dial.
    #[error("the number is empty")]
    Empty,
    /// Letters in it.
    #[error("the number contains letters (`{0}`); type digits only")]
    Letters(char),
    /// Some other character.
    #[error(
        "the number contains `{0}`; use digits, spaces, dashes, dots, brackets and a leading +"
    )]
    Character(char),
    /// Too few digits.
    #[error("the number has {0} digit(s); at least 2 are needed")]
    TooShort(usize),
    /// Too many digits.
    #[error("the number has {0} digits; at most 20 are allowed")]
    TooLong(usize),
}

/// The number part of typed text or a `tel:` / `callto:` link, as written:
/// the scheme, slashes and `;params` dropped, %-escapes decoded.
pub fn written_number(input: &str) -> String {
    let mut text = input.trim();
    for scheme in ["tel:", "callto:"] {
        if text
            .get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
        {
            text = text[scheme.len()..].trim_start_matches('/');
        }
    }
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
    decoded
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Only this much of a selection is searched for a number.
const FIND_LIMIT: usize = 4096;

/// The first phone number in free text (a selection, the clipboard), as written:
/// the whole text if it is a number (an extension too), else the first run of
/// digits and the separators people write (spaces, dashes, dots, brackets, a
/// leading +) that holds 5 to 20 digits.
pub fn find_number(text: &str) -> Option<String> {
    let end = text
        .char_indices()
        .map(|(i, _)| i)
        .take_while(|i| *i <= FIND_LIMIT)
        .last()
        .unwrap_or(0);
    let text = if text.len() > FIND_LIMIT {
        &text[..end]
    } else {
        text
    };
    if DialNumber::parse(text).is_ok() {
        return Some(written_number(text));
    }
    let mut candidates = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once('\n')) {
        let continues = !run.is_empty() && matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}');
        if c.is_ascii_digit() || continues || (run.is_empty() && matches!(c, '+' | '(')) {
            run.push(c);
        } else if !run.is_empty() {
            candidates.push(std::mem::take(&mut run));
            if c == '+' || c == '(' {
                run.push(c);
            }
        }
    }
    candidates.into_iter().find_map(|run| {
        // Trailing separators (and an unmatched closing bracket) are not part of it.
        let number = run.trim_end_matches(|c: char| !c.is_ascii_digit());
        let digits = number.chars().filter(char::is_ascii_digit).count();
        ((5..=20).contains(&digits) && DialNumber::parse(number).is_ok())
            .then(|| number.trim().to_owned())
    })
}

/// A number ready to send as `to`: validated, normalised like contact matching.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialNumber(String);

impl DialNumber {
    /// Reads what an agent pastes: spaces, dashes, dots, brackets, a leading `+`,
    /// the `8…` national form, a `tel:` / `callto:` prefix (its `;params` dropped).
    pub fn parse(input: &str) -> Result<DialNumber, NumberError> {
        let number = written_number(input);
        let number = number.as_str();
        if number.is_empty() {
            return Err(NumberError::Empty);
        }
        for (i, c) in number.chars().enumerate() {
            match c {
                '0'..='9' | ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
                '+' if i == 0 => {}
                c if c.is_alphabetic() => return Err(NumberError::Letters(c)),
                c => return Err(NumberError::Character(c)),
            }
        }
        let digits = number.chars().filter(char::is_ascii_digit).count();
        match digits {
            0 | 1 => Err(NumberError::TooShort(digits)),
            21.. => Err(NumberError::TooLong(digits)),
            _ => Ok(DialNumber(normalize(number))),
        }
    }

    /// The digits sent as `to`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_number_in_free_text() {
        let cases = [
            (
                "Call me at +7 (920) 111-96-13 after 5",
                Some("+7 (920) 111-96-13"),
            ),
            (
                "Order 2024: phone 8 920 111 96 13, fax 84951234567",
                Some("8 920 111 96 13"),
            ),
            ("tel:+79201119613", Some("+79201119613")),
            ("101", Some("101")),
            ("  89201119613\n", Some("89201119613")),
            ("Room 12, floor 3", None),
            ("no digits here", None),
            ("", None),
            (
                "id 123456789012345678901234 then 8-920-111-96-13.",
                Some("8-920-111-96-13"),
            ),
            ("(495) 123-45-67", Some("(495) 123-45-67")),
            ("office: (495) 123-45-67.", Some("(495) 123-45-67")),
        ];
        for (text, wanted) in cases {
            assert_eq!(find_number(text).as_deref(), wanted, "{text:?}");
        }
        assert_eq!(
            find_number(&"x".repeat(100_000)),
            None,
            "long text is cut, not scanned whole"
        );
    }

    #[test]
    fn what_agents_paste_becomes_one_number() {
        for pasted in [
            "+7 (920) 111-96-13",
            "8 920 111 96 13",
            "89201119613",
            "920.111.96.13",
            "tel:+7-920-111-96-13",
            "TEL:+79201119613;ext=1",
            "callto://+79201119613",
            "tel:+7%20920%20111%2096%2013",
            "  +7\u{a0}920\u{a0}1119613  ",
        ] {
            assert_eq!(
                DialNumber::parse(pasted).unwrap().as_str(),
                "79201119613",
                "{pasted:?}"
            );
        }
        assert_eq!(
            DialNumber::parse("101").unwrap().as_str(),
            "101",
            "extensions as they are"
        );
    }

    #[test]
    fn what_cannot_be_dialled_is_refused_with_the_reason() {
        assert_eq!(DialNumber::parse(" "), Err(NumberError::Empty));
        assert_eq!(DialNumber::parse("tel:"), Err(NumberError::Empty));
        assert_eq!(
            DialNumber::parse("8 800 ВАСЯ"),
            Err(NumberError::Letters('В'))
        );
        assert_eq!(DialNumber::parse("call me"), Err(NumberError::Letters('c')));
        assert_eq!(DialNumber::parse("7"), Err(NumberError::TooShort(1)));
        assert_eq!(
            DialNumber::parse(&"1".repeat(21)),
            Err(NumberError::TooLong(21))
        );
        assert_eq!(
            DialNumber::parse("7920*1"),
            Err(NumberError::Character('*'))
        );
        assert_eq!(DialNumber::parse("79+20"), Err(NumberError::Character('+')));
        assert!(DialNumber::parse(&"1".repeat(20)).is_ok());
    }

    #[test]
    fn the_three_spellings_of_one_number_match() {
        for raw in [
            "79201119613",
            "89201119613",
            "+7 (920) 111-96-13",
            "9201119613",
        ] {
            assert_eq!(normalize(raw), "79201119613", "{raw}");
        }
    }

    #[test]
    fn extensions_and_foreign_numbers_keep_their_digits() {
        assert_eq!(normalize("100"), "100");
        assert_eq!(normalize("+44 20 7946 0958"), "442079460958");
        assert_eq!(normalize("0044 20 7946 0958"), "442079460958");
        assert_eq!(normalize("abc"), "");
    }
}
