//! The CSV files the product writes (history, contacts) as the spreadsheets
//! agents open them in expect: UTF-8 with a byte-order mark, and every cell
//! made safe ([`inert_cell`]). The `csv` crate does the quoting.

use crate::CoreError;
use std::io::{BufWriter, Write};

/// A CSV file being written for a spreadsheet.
pub struct Sheet<W: Write> {
    csv: csv::Writer<BufWriter<W>>,
}

impl<W: Write> Sheet<W> {
    /// Starts the file on `out` (its byte-order mark, so Excel reads Cyrillic
    /// as it is), fields separated by `separator` (`b','`, or `b';'` as Excel
    /// in a Russian locale expects).
    pub fn start(out: W, separator: u8) -> Result<Sheet<W>, CoreError> {
        let mut out = BufWriter::new(out);
        out.write_all("\u{feff}".as_bytes()).map_err(io_error)?;
        let csv = csv::WriterBuilder::new()
            .delimiter(separator)
            .from_writer(out);
        Ok(Sheet { csv })
    }

    /// Writes one row, each cell through [`inert_cell`].
    pub fn row<const N: usize>(&mut self, cells: [String; N]) -> Result<(), CoreError> {
        self.csv
            .write_record(cells.map(inert_cell))
            .map_err(|e| match e.into_kind() {
                csv::ErrorKind::Io(e) => io_error(e),
                other => CoreError::Corrupt(format!("{other:?}")),
            })
    }

    /// Writes out what is still buffered.
    pub fn finish(mut self) -> Result<(), CoreError> {
        self.csv.flush().map_err(io_error)
    }
}

fn io_error(e: std::io::Error) -> CoreError {
    CoreError::io(std::path::Path::new("the export file"), e)
}

/// A cell Excel, LibreOffice and Google Sheets show as text, never run as a
/// formula (OWASP's rule for CSV injection): one that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'` — unless it is only
/// a phone number (`+7 (920) 111-96-13`). Every CSV the product writes goes
/// through it.
pub fn inert_cell(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_phone_number(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// One phone number or several separated by `;` (as the contacts export
/// writes them): each an optional `+` or `-`, then digits and the separators
/// numbers are written with (space ( ) - .).
fn is_phone_number(cell: &str) -> bool {
    cell.split(';').all(|part| {
        let part = part.trim();
        let rest = part.strip_prefix(['+', '-']).unwrap_or(part);
        rest.chars().any(|c| c.is_ascii_digit())
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '-' | '.'))
    })
}

#[cfg(test)]
mod tests {
    use super::inert_cell;

    fn inert(cell: &str) -> String {
        inert_cell(cell.to_owned())
    }

    #[test]
    fn formulas_become_text() {
        for formula in [
            "=HYPERLINK(\"https://evil.example\",\"Вася\")",
            "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1",
            "\r=1+1",
            "+",
            "-",
            "+7 920 =1",
            "+7 920;=1+1",
            "+7;",
        ] {
            assert_eq!(inert(formula), format!("'{formula}"));
        }
    }

    #[test]
    fn phone_numbers_and_plain_text_stay_as_they_are() {
        for cell in [
            "+7 (920) 111-96-13",
            "+79201119613",
            "-5",
            "+1.202.555.0100",
            "Вася/Рога и копыта",
            "101: promised = invoice",
            "",
            "79201119613",
            "+7 920 111-96-13;89001112233",
        ] {
            assert_eq!(inert(cell), cell);
        }
    }
}
