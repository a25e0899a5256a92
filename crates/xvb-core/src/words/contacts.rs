//! The contact book in Russian: a contact refused, a row of a file skipped,
//! a file that cannot be read at all.

use super::Worded;
use crate::contacts::{FileRefused, InvalidContact, SkipReason};

impl Worded for InvalidContact {
    fn russian(&self) -> String {
        match self {
            InvalidContact::NoName => "не указано имя".into(),
            InvalidContact::NoPhone => "нет ни одного номера телефона с цифрами".into(),
            InvalidContact::BadPhone(phone) => {
                format!("в номере «{phone}» меньше 2 или больше 20 цифр")
            }
            InvalidContact::BadResponsible(ext) => {
                format!("ответственный «{ext}» — не внутренний номер (нужны только цифры)")
            }
        }
    }
}

impl Worded for SkipReason {
    fn russian(&self) -> String {
        match self {
            SkipReason::Invalid(invalid) => invalid.russian(),
            SkipReason::NotCsv(why) => format!("строка не читается как CSV: {why}"),
            SkipReason::NoEnd => "у карточки нет END:VCARD".into(),
        }
    }
}

impl Worded for FileRefused {
    fn russian(&self) -> String {
        match self {
            FileRefused::Header(why) => format!("не удаётся прочитать заголовок CSV: {why}"),
            FileRefused::Columns => "в заголовке CSV должны быть столбцы `name` и `phone` (и, если нужно, `responsible`, `crm_url`, `note`)".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts::parse_file;
    use crate::store::ImportReport;
    use crate::words::tests::each_has_russian;
    use crate::words::Language;

    #[test]
    fn every_refused_contact_and_file_has_russian() {
        let invalid = [
            InvalidContact::NoName,
            InvalidContact::NoPhone,
            InvalidContact::BadPhone("1".into()),
            InvalidContact::BadResponsible("1a".into()),
        ];
        each_has_russian(invalid.clone());
        each_has_russian(invalid.map(SkipReason::from));
        each_has_russian([
            SkipReason::NotCsv("found record with 3 fields".into()),
            SkipReason::NoEnd,
        ]);
        each_has_russian([FileRefused::Header("bad".into()), FileRefused::Columns]);
    }

    #[test]
    fn an_import_report_gives_its_reasons_in_the_language_chosen() {
        let parsed = parse_file("name,phone\n,79201119613\nВася,1\n").unwrap();
        let report = ImportReport {
            errors: parsed.errors,
            ..ImportReport::default()
        };
        let english: Vec<String> = report.errors.iter().map(|e| e.reason.clone()).collect();
        assert_eq!(
            english,
            [
                "the name is empty",
                "phone `1` has fewer than 2 or more than 20 digits"
            ]
        );
        let russian = report.in_language(Language::Ru);
        let lines: Vec<(u64, &str)> = russian
            .errors
            .iter()
            .map(|e| (e.line, e.reason.as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                (2, "не указано имя"),
                (3, "в номере «1» меньше 2 или больше 20 цифр")
            ]
        );
    }
}
