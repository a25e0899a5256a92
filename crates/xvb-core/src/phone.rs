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

#[cfg(test)]
mod tests {
    use super::normalize;

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
