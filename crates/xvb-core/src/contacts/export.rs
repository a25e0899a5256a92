//! The contact book as CSV, in the columns import reads (`name,phone,
//! responsible,crm_url,note`; several numbers joined with `;`), so an export
//! imports again as it is, written as a [`Sheet`].

use super::Contact;
use crate::spreadsheet::Sheet;
use crate::CoreError;
use std::io::Write;

/// Writes `contacts` to `out` (UTF-8 with a byte-order mark, for Excel).
pub fn export_csv(contacts: &[Contact], out: impl Write) -> Result<(), CoreError> {
    let mut sheet = Sheet::start(out, b',')?;
    sheet.row(["name", "phone", "responsible", "crm_url", "note"].map(String::from))?;
    for contact in contacts {
        sheet.row([
            contact.name.clone(),
            contact.phones.join(";"),
            contact.responsible.clone().unwrap_or_default(),
            contact.crm_url.clone().unwrap_or_default(),
            contact.note.clone().unwrap_or_default(),
        ])?;
    }
    sheet.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts::parse_file;

    #[test]
    fn an_export_imports_again_as_it_was() {
        let contacts = vec![
            Contact {
                name: "Вася/Рога и копыта".into(),
                phones: vec!["+7 920 111-96-13".into(), "89001112233".into()],
                responsible: Some("101".into()),
                crm_url: Some("https://crm.example/c/1".into()),
                note: Some("says \"hi\", twice".into()),
                id: 7,
            },
            Contact {
                name: "=HYPERLINK(\"x\")".into(),
                phones: vec!["101".into()],
                ..Contact::default()
            },
        ];
        let mut written = Vec::new();
        export_csv(&contacts, &mut written).unwrap();
        let text = String::from_utf8(written).unwrap();
        assert!(
            text.contains("'=HYPERLINK"),
            "a name never runs as a formula: {text}"
        );
        let back = parse_file(&text).unwrap();
        assert!(back.errors.is_empty(), "{:?}", back.errors);
        let first = &back.contacts[0].1;
        assert_eq!(first.name, contacts[0].name);
        assert_eq!(first.phones, contacts[0].phones);
        assert_eq!(first.responsible, contacts[0].responsible);
        assert_eq!(first.note, contacts[0].note);
    }
}
