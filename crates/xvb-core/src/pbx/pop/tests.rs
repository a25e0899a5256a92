use super::*;
use crate::pbx::call::Call;
use crate::pbx::context::{CallerContext, LastContact, LastNote};

fn notice(decision: Decision, name: Option<&str>, phone: Option<&str>) -> Notice {
    let now = time::OffsetDateTime::now_utc();
    let call = Call {
        callid: "c1".into(),
        direction: None,
        phone: phone.map(Into::into),
        phone_normalized: None,
        contact_name: name.map(Into::into),
        line_number: Some("74951234567".into()),
        ext: None,
        answered_by: None,
        answered_at: None,
        status: "Ringing".into(),
        completed: false,
        duration: None,
        record_link: None,
        events: vec![],
        first_seen: now,
        last_seen: now,
        notes: vec![],
        tags: vec![],
        test: false,
    };
    Notice {
        decision,
        call,
        responsible: Some("101".into()),
        crm_url: Some("https://crm.example/c/79201119613".into()),
        context: None,
    }
}

#[test]
fn a_ring_says_the_callers_last_contact_with_the_team() {
    let mut n = notice(Decision::Ring, Some("Вася"), Some("79201119613"));
    n.responsible = None;
    n.context = Some(CallerContext {
        last: Some(LastContact {
            at: time::OffsetDateTime::now_utc(),
            seconds_before: 2 * 86_400 + 600,
            with: Some("101".into()),
            answered: true,
            duration: Some(252),
            direction: None,
        }),
        missed: 0,
        calling_back: None,
        last_note: None,
    });
    let pop = Pop::for_notice(&n, Language::En).unwrap();
    assert_eq!(
        pop.lines[2],
        "Last call 2 days ago with 101 (answered, 4:12)"
    );
    let context = n.context.as_mut().unwrap();
    context.missed = 3;
    context.calling_back = Some("102".into());
    context.last.as_mut().unwrap().seconds_before = 3 * 3600;
    let pop = Pop::for_notice(&n, Language::Ru).unwrap();
    assert_eq!(
        &pop.lines[2..],
        [
            "Пропущен 3× за сутки — перезванивает 102",
            "Последний звонок 3 ч назад, 101 (отвечен, 4:12)"
        ]
    );
    n.context.as_mut().unwrap().last_note = Some(LastNote {
        by: Some("101".into()),
        seconds_before: 2 * 86_400,
        text: "promised the invoice by Friday".into(),
        tags: vec!["Call back".into()],
    });
    let pop = Pop::for_notice(&n, Language::En).unwrap();
    assert_eq!(
        pop.lines.last().unwrap(),
        "Last: 101, 2 days ago — promised the invoice by Friday [Call back]"
    );
}

#[test]
fn numbers_are_shown_the_way_agents_read_them() {
    assert_eq!(format_number("79201119613"), "+7 920 111-96-13");
    assert_eq!(
        format_number("89161234567"),
        "+7 916 123-45-67",
        "the PBX's 8… spelling reads as history shows it"
    );
    assert_eq!(format_number("101"), "101");
}

#[test]
fn a_ring_names_the_caller_line_and_responsible_with_open_and_crm() {
    let n = notice(Decision::Ring, Some("Вася"), Some("79201119613"));
    let pop = Pop::for_notice(&n, Language::Ru).unwrap();
    assert_eq!(pop.kind, PopKind::Ring);
    assert_eq!(pop.title, "Входящий звонок: Вася");
    assert_eq!(
        pop.body(),
        "+7 920 111-96-13\nлиния: +7 495 123-45-67\nответственный: 101"
    );
    assert_eq!(pop.click, Some((PopAction::Open, "Открыть")));
    assert_eq!(
        pop.buttons,
        vec![
            (PopAction::Open, "Открыть"),
            (PopAction::OpenCrm, "Открыть в CRM")
        ]
    );
}

#[test]
fn a_missed_call_from_a_hidden_number_offers_call_back() {
    let n = notice(Decision::Missed, None, None);
    let pop = Pop::for_notice(&n, Language::En).unwrap();
    assert_eq!(pop.title, "Missed call: Hidden number");
    assert!(pop.lines.is_empty(), "no empty line for a hidden number");
    assert_eq!(
        pop.buttons,
        vec![
            (PopAction::CallBack, "Call back"),
            (PopAction::AddNote, "Add note")
        ]
    );
    assert_eq!(pop.click, Some((PopAction::Open, "Open")));
    let talking = Pop::for_notice(&notice(Decision::AnsweredByMe, None, None), Language::Ru);
    let talking = talking.unwrap();
    assert_eq!(talking.buttons, vec![(PopAction::AddNote, "Заметка…")]);
    assert_eq!(PopAction::from_id("note"), PopAction::AddNote);
}

#[test]
fn a_call_a_colleague_took_shows_nothing() {
    let n = notice(Decision::AnsweredByColleague("102".into()), None, None);
    assert_eq!(Pop::for_notice(&n, Language::En), None);
}

#[test]
fn the_away_notice_counts_calls_and_missed() {
    let summary = AwaySummary {
        calls: 20,
        missed: 7,
    };
    let pop = Pop::away(summary, Language::En);
    assert_eq!(pop.title, "20 calls while you were away, 7 missed");
    assert_eq!(pop.buttons, vec![(PopAction::OpenMissed, "Open")]);
}

#[test]
fn action_names_round_trip_and_a_body_click_opens() {
    for a in [
        PopAction::Open,
        PopAction::OpenCrm,
        PopAction::CallBack,
        PopAction::OpenMissed,
    ] {
        assert_eq!(PopAction::from_id(a.id()), a);
    }
    assert_eq!(PopAction::from_id("default"), PopAction::Open);
}

#[test]
fn the_configured_language_wins_over_the_system() {
    assert_eq!(Language::pick(Some("ru")), Language::Ru);
    assert_eq!(Language::pick(Some("en")), Language::En);
}

#[test]
fn a_locale_names_the_language_whatever_its_spelling() {
    for russian in ["ru_RU.UTF-8", "ru-RU", "ru", "RU_ru.KOI8-R"] {
        assert_eq!(Language::of_locale(russian), Language::Ru, "{russian}");
    }
    for other in ["en_US.UTF-8", "de_DE", "C", "", "r"] {
        assert_eq!(Language::of_locale(other), Language::En, "{other:?}");
    }
}

#[test]
fn the_test_call_says_it_is_one_and_stays() {
    let mut n = notice(Decision::Ring, None, Some(crate::pbx::call::TEST_NUMBER));
    n.call.test = true;
    let pop = Pop::for_notice(&n, Language::Ru).unwrap();
    assert_eq!(
        pop.kind,
        PopKind::Ring,
        "stays until dismissed: nothing withdraws it"
    );
    assert_eq!(pop.title, "Тестовый звонок дошёл");
    assert!(
        pop.body().contains("приложение получает звонки"),
        "{}",
        pop.body()
    );
    let pop = Pop::for_notice(&n, Language::En).unwrap();
    assert_eq!(pop.title, "The test call arrived");
}

#[test]
fn a_refused_request_says_what_to_set_right() {
    use crate::pbx::refusal::{Refusal, Refused};
    let refused = |refusal| Refused {
        at: "2026-12-05T10:32:00Z".into(),
        refusal,
    };
    let pop = Pop::refused(
        &refused(Refusal::AccessCode {
            sent: "10018".into(),
            expected: Some("10019".into()),
        }),
        Language::En,
    );
    assert_eq!(pop.kind, PopKind::Refused);
    assert_eq!(
        pop.body(),
        "It sent access code 10018; this computer expects 10019. Check the account number in Settings."
    );
    let pop = Pop::refused(&refused(Refusal::UnknownAddress), Language::Ru);
    assert_eq!(pop.title, "Запрос к приложению отклонён");
    assert!(
        pop.body().contains("старый или неверный адрес"),
        "{}",
        pop.body()
    );
}
