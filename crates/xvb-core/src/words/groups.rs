//! A change to the relay's groups, or of an agent's status, refused, in Russian
//! (the app shows a status refusal; the admin's `xvb relay group` prints English).

use super::Worded;
use crate::groups::{GroupError, MAX_NAME};
use crate::team::status::{StatusRefused, MAX_REASON, MAX_REASONS};

impl Worded for StatusRefused {
    fn russian(&self) -> String {
        match self {
            StatusRefused::UnknownReason { reason, known } => format!(
                "«{reason}» нет среди причин перерыва ({known}): выберите одну из них или попросите администратора добавить её"
            ),
            StatusRefused::NotInAcw => "вы сейчас не в поствызывной обработке".into(),
            StatusRefused::BadList => format!(
                "причин перерыва может быть до {MAX_REASONS}, каждая от 1 до {MAX_REASON} символов"
            ),
        }
    }
}

impl Worded for GroupError {
    fn russian(&self) -> String {
        match self {
            GroupError::BadName(name) => format!(
                "«{name}» не подходит для имени группы: от 1 до {MAX_NAME} букв, цифр, - или _ (и не all — это все агенты)"
            ),
            GroupError::BadLine(line) => format!(
                "«{line}» не номер линии: укажите номер, который АТС присылает в line_number, например 74950000001"
            ),
            GroupError::BadRole(role) => {
                format!("«{role}» не роль: укажите agent (агент) или supervisor (супервизор)")
            }
            GroupError::NoGroup(name) => format!("группы «{name}» нет"),
            GroupError::Exists(name) => format!("группа «{name}» уже есть"),
            GroupError::LineTaken { line, group } => format!(
                "линия {line} уже принадлежит группе «{group}»: у линии может быть только одна группа"
            ),
            GroupError::NoAgent(ext) => {
                format!("номер {ext} не подключён к ретранслятору: попросите администратора добавить его")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::each_has_russian;
    use crate::groups::GroupError;
    use crate::team::StatusRefused;

    #[test]
    fn every_group_refusal_has_russian() {
        each_has_russian([
            GroupError::BadName("a b".into()),
            GroupError::BadLine("x".into()),
            GroupError::BadRole("admin".into()),
            GroupError::NoGroup("sales".into()),
            GroupError::Exists("sales".into()),
            GroupError::LineTaken {
                line: "74950000001".into(),
                group: "sales".into(),
            },
            GroupError::NoAgent("105".into()),
        ]);
        each_has_russian([
            StatusRefused::UnknownReason {
                reason: "Nap".into(),
                known: "Lunch".into(),
            },
            StatusRefused::NotInAcw,
            StatusRefused::BadList,
        ]);
    }
}
