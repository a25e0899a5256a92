//! Text from outside — contact names, notes, numbers and replies from the
//! PBX, the relay or other agents — as the terminal gets it: every control
//! character written out (`\u{1b}`, `\n`), so an escape sequence in a name or
//! a note cannot recolour, retitle or rewrite the agent's terminal.

use std::borrow::Cow;

/// `text` with each control character (Unicode's Cc: C0, DEL, C1) written
/// out as Rust writes it in a string (`\u{1b}`, `\n`, `\t`); other text as it is.
pub(crate) fn shown(text: &str) -> Cow<'_, str> {
    if !text.contains(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `println!` for a line that carries text from outside: printed through [`shown`].
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::outside::out!("{}", $crate::outside::shown(&format!($($arg)*)))
    };
}
pub(crate) use say;

/// `println!` that ends `xvb` quietly when whoever reads its output has gone
/// (`xvb history | head -1`): [`write_line`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::outside::write_line(format_args!($($arg)*))
    };
}
pub(crate) use out;

/// Writes one line to standard output. When the reader has closed the pipe,
/// `xvb` exits with status 0, as `cat` would, rather than panicking as
/// `println!` does; any other write error ends it with a message and status 1.
pub(crate) fn write_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(error) = writeln!(std::io::stdout().lock(), "{line}") {
        if reader_gone(&error) {
            std::process::exit(0);
        }
        eprintln!("xvb: cannot write the output ({error}); check where it is redirected");
        std::process::exit(1);
    }
}

/// Whether a write failed because the reading end of the pipe is closed:
/// EPIPE, or on Windows ERROR_NO_DATA (232, the same kind to Rust) and
/// ERROR_PIPE_NOT_CONNECTED (233, which Rust does not map).
fn reader_gone(error: &std::io::Error) -> bool {
    const ERROR_PIPE_NOT_CONNECTED: i32 = 233;
    error.kind() == std::io::ErrorKind::BrokenPipe
        || (cfg!(windows) && error.raw_os_error() == Some(ERROR_PIPE_NOT_CONNECTED))
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn control_characters_are_written_out() {
        assert_eq!(
            shown("\u{1b}]0;pwned\u{7}Вася\u{1b}[2J\r\n\t\u{9b}1m\u{7f}"),
            "\\u{1b}]0;pwned\\u{7}Вася\\u{1b}[2J\\r\\n\\t\\u{9b}1m\\u{7f}"
        );
    }

    #[test]
    fn other_text_is_left_as_it_is() {
        let text = "Вася/Рога и копыта \"Ромашка\" C:\\path 79201119613 → ok";
        assert!(matches!(shown(text), std::borrow::Cow::Borrowed(t) if t == text));
    }
}
