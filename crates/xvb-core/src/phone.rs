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

/// A number ready to send as `to`: validated, normalised like contact matching.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialNumber(String);

impl DialNumber {
    /// Reads what an agent pastes: spaces, dashes, dots, brackets, a leading `+`,
    /// the `8…` national form, a `tel:` / `callto:` prefix (its `;params` dropped).
    pub fn parse(input: &str) -> Result<DialNumber, NumberError> {
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
        let number = decoded.split(';').next().unwrap_or_default().trim();
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
